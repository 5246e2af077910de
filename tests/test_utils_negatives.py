"""Negative sampling: bitmap-with-rejection and exact searchsorted paths agree."""
import numpy as np
import pytest

from openrec.utils.samplers import _negatives
from openrec.utils.samplers._negatives import _Negatives

MAX_ITEM = 12
# user 0: 3 positives, user 1: every item but 2 and 7 (crowded), user 2: none
USERS = np.array([0, 0, 0] + [1] * 10, np.int64)
ITEMS = np.array([1, 5, 11] + [i for i in range(MAX_ITEM) if i not in (2, 7)], np.int64)


@pytest.fixture(params=['bitmap', 'exact'])
def negatives(request, monkeypatch):
    if request.param == 'exact':
        monkeypatch.setattr(_negatives, '_MAX_BITMAP_BITS', 0)
    sampler = _Negatives(USERS, ITEMS, MAX_ITEM, extra_users=[2])
    assert (sampler.bits is None) == (request.param == 'exact')
    return sampler


def test_draws_are_uniform_over_non_positives(negatives):
    rng = np.random.default_rng(0)
    n = 60000
    for user, allowed in ((0, sorted(set(range(MAX_ITEM)) - {1, 5, 11})), (1, [2, 7]),
                          (2, list(range(MAX_ITEM)))):
        uidx = np.full(n, negatives.index_of([user])[0])
        draws = negatives.draw(uidx, rng)
        assert draws.dtype == np.int64 and draws.shape == (n,)
        counts = np.bincount(draws, minlength=MAX_ITEM)
        assert set(np.flatnonzero(counts)) == set(allowed)  # never a positive; all reachable
        expected = n / len(allowed)
        assert np.all(np.abs(counts[allowed] - expected) < 5 * np.sqrt(expected))


def test_mixed_batch_keeps_row_order(negatives):
    rng = np.random.default_rng(1)
    uidx = negatives.index_of(np.tile([0, 1, 2], 1000))
    draws = negatives.draw(uidx, rng)
    assert not np.isin(draws[0::3], [1, 5, 11]).any()
    assert np.isin(draws[1::3], [2, 7]).all()
    assert ((draws[2::3] >= 0) & (draws[2::3] < MAX_ITEM)).all()

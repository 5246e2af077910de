"""The 0.2 evaluation samplers: exact walks and markers (tf1_samplers.md section 6, S8, S9, S10)."""
import random

import numpy as np
import pytest

from openrec.tf1.utils import Dataset
from openrec.tf1.utils.samplers import (EvaluationSampler, Sampler, TemporalEvaluationSampler,
                                        VBPREvaluationSampler, YouTubeEvaluationSampler)
from _tf1_sampler_helpers import PAIR, call_with_timeout, no_leaks, rows  # noqa: F401

EVAL = np.dtype([('user_id', np.int32), ('item_id', np.int32)])


def items_of(sampler, count):
    return [call_with_timeout(sampler.next_batch) for _ in range(count)]


def one_pass(sampler):
    out = []
    while True:
        item = call_with_timeout(sampler.next_batch)
        out.append(item)
        if item[1] is None:
            return out


def simple(out):
    """(positions, item ids) per item; markers as given."""
    return [(pos, batch) if batch is None or len(batch) == 0 else (list(pos), batch['item_id'].tolist())
            for pos, batch in out]


def fields(batch):
    return {name: batch[name].tolist() for name in batch.dtype.names}


def expected_walk(dataset, batch_size, positions=None):
    """The stream, built from the Dataset's public methods as the spec states it."""
    out = []
    for u in dataset.warm_users():
        pos, neg = dataset.get_positive_items(u), dataset.get_negative_items(u)
        candidates = [int(i) for i in pos + neg]
        for first in range(0, len(candidates), batch_size):
            mine = list(range(first, min(len(pos), first + batch_size)))
            out.append((mine, candidates[first:first + batch_size]))
        out.append(([], []))
    return out + [(None, None)]


def test_verified_example_with_a_pool():
    np.random.seed(0)
    dataset = Dataset(rows([(0, 5)]), 1, 10, num_negatives=4, name='Val')
    pool = [int(i) for i in dataset.get_negative_items(0)]
    random.seed(3)
    expected = random.random()
    random.seed(0)
    sampler = EvaluationSampler(3, dataset, 3)
    assert random.random() == expected and type(sampler) is Sampler and sampler.name == 'Val'
    out = items_of(sampler, 5)
    assert sampler._num_process == 1 and len(sampler._runner_list) == 1
    (pos0, b0), (pos1, b1), end_user, end_pass, again = out
    assert type(pos0) is range and pos0 == range(1) and pos1 == [] and type(pos1) is list
    assert b0.dtype == EVAL and b0.tolist() == [(0, 5), (0, pool[0]), (0, pool[1])]
    assert b1.tolist() == [(0, pool[2]), (0, pool[3])]
    assert end_user == ([], []) and type(end_user[1]) is list and end_pass == (None, None)
    assert again[0] == range(1) and again[1].tolist() == b0.tolist()  # the next pass starts over
    sampler.close()


def test_verified_example_with_all_negatives():
    dataset = Dataset(rows([(0, 3)]), 1, 8)
    with EvaluationSampler(batch_size=5, dataset=dataset) as sampler:
        assert simple(one_pass(sampler)) == [([0], [3, 0, 1, 2, 4]), ([], [5, 6, 7]), ([], []), (None, None)]


def test_walk_over_users_chunks_positions_exactly():
    # users in first-appearance order 4, 1, 2; user 1 has P = 5 > B = 3
    raw = rows([(4, 0), (1, 2), (1, 6), (2, 9), (1, 7), (1, 8), (1, 3), (4, 5)])
    np.random.seed(1)
    dataset = Dataset(raw, 5, 12, num_negatives=2)
    sampler = EvaluationSampler(batch_size=3, dataset=dataset)
    first = one_pass(sampler)
    assert simple(first) == expected_walk(dataset, 3)
    user1 = [p for p, b in first if b is not None and len(b) and b['user_id'][0] == 1]
    assert user1 == [range(0, 3), range(3, 5), []]  # chunk k lists only its own positives (S8)
    assert [len(b) for _, b in first if b is not None and len(b)] == [3, 1, 3, 3, 1, 3]  # 1-row chunks too
    for _, batch in first:
        if batch is not None and len(batch):
            assert batch.dtype == EVAL and len(set(batch['user_id'].tolist())) == 1
    assert simple(one_pass(sampler)) == simple(first)  # endless, identical passes
    items_of(sampler, 2)
    sampler.reset()  # restarts at the first user
    assert simple(one_pass(sampler)) == simple(first)
    sampler.reset()
    sampler.reset()
    assert simple(items_of(sampler, 1)) == simple(first[:1])
    sampler.close()


def test_full_negatives_walk():
    raw = rows([(2, 1), (0, 4), (2, 3), (0, 1)])
    dataset = Dataset(raw, 3, 7)
    with EvaluationSampler(4, dataset) as sampler:
        assert simple(one_pass(sampler)) == expected_walk(dataset, 4)


class Evaluation(object):
    """Not a Dataset: the three methods an evaluation sampler calls."""
    name = 'Plain'

    def warm_users(self):
        return [7, 3]

    def get_positive_items(self, user_id, sort=False):
        return {7: [1, 2], 3: [4]}[user_id]

    def get_negative_items(self, user_id):
        return [0, 5, 6]


def test_other_dataset_objects():
    with EvaluationSampler(2, Evaluation()) as sampler:
        out = one_pass(sampler)
    assert simple(out) == [([0, 1], [1, 2]), ([], [0, 5]), ([], [6]), ([], []), ([0], [4, 0]), ([], [5, 6]),
                           ([], []), (None, None)]
    assert out[0][1]['user_id'].tolist() == [7, 7]


def test_vbpr_evaluation_features():
    raw = rows([(0, 2), (1, 0)])
    features = np.arange(8, dtype=np.float64).reshape(4, 2) / 3
    with VBPREvaluationSampler(3, Dataset(raw, 2, 4), features) as sampler:
        out = one_pass(sampler)
    (pos, batch) = out[0]
    assert batch.dtype == np.dtype(EVAL.descr + [('item_vfeature', np.float32, (2,))])
    assert pos == range(1) and batch['item_id'].tolist() == [2, 0, 1]
    np.testing.assert_array_equal(batch['item_vfeature'], features[[2, 0, 1]].astype(np.float32))
    assert simple(out)[1:] == [([], [3]), ([], []), ([0], [0, 1, 2]), ([], [3]), ([], []), (None, None)]
    with pytest.raises(ValueError, match='item_vfeature has 3 rows, fewer than total_items=4'):
        VBPREvaluationSampler(3, Dataset(raw, 2, 4), features[:3])


def sequences(sortby=True):
    """User 5: items 8, 7, 11, 1, 2 in time order; user 3: one item; user 6: items 4, 9."""
    data = [(5, 8, 10), (5, 7, 11), (5, 11, 12), (5, 1, 13), (5, 2, 14), (3, 6, 1), (6, 9, 30), (6, 4, 20)]
    raw = np.array(data, dtype=PAIR + [('ts', np.int64)])[[4, 5, 1, 7, 0, 3, 6, 2]]
    return Dataset(raw, 8, 12, sortby='ts' if sortby else None, name='Seq')


def test_temporal_evaluation_targets_the_newest_item():
    dataset = sequences()
    assert dataset.warm_users() == [5, 3, 6]
    sampler = TemporalEvaluationSampler(dataset=dataset, max_seq_len=3)
    out = one_pass(sampler)
    assert [pos for pos, _ in out] == [[2], [], [9], [], None]  # user 3 (one item) is skipped silently
    batch = out[0][1]
    assert batch.dtype == np.dtype([('seq_item_id', np.int32, (3,)), ('seq_len', np.int32)])
    assert fields(batch) == {'seq_item_id': [[7, 11, 1]], 'seq_len': [3]}
    assert fields(out[2][1]) == {'seq_item_id': [[4, 0, 0]], 'seq_len': [1]}
    assert out[1] == ([], []) and out[4] == (None, None)
    assert one_pass(sampler)[0][0] == [2]
    sampler.close()
    with TemporalEvaluationSampler(dataset, 1) as short:
        assert short.next_batch()[1]['seq_item_id'].tolist() == [[1]]


def test_temporal_evaluation_without_eligible_users_and_without_sortby():
    raw = np.array([(0, 1, 0), (1, 2, 0)], dtype=PAIR + [('ts', np.int64)])
    with TemporalEvaluationSampler(Dataset(raw, 2, 3, sortby='ts'), 4) as sampler:
        assert items_of(sampler, 3) == [(None, None)] * 3
    with pytest.raises(ValueError, match='sortby key is not specified.'):
        TemporalEvaluationSampler(sequences(sortby=False), 3)
    with pytest.raises(ValueError, match='max_seq_len must be a positive int'):
        TemporalEvaluationSampler(sequences(), 0)


USER_FEATURE = np.array([(u % 3, 20 + u) for u in range(8)], dtype=[('user_gender', np.int32),
                                                                     ('user_geo', np.int32)])


@pytest.mark.parametrize('sort', [True, False])
def test_youtube_evaluation(sort):
    dataset = sequences(sortby=sort)
    with YouTubeEvaluationSampler(dataset, 4, USER_FEATURE, sort=sort) as sampler:
        out = one_pass(sampler)
    assert len(out) == 5
    for (pos, batch), user in zip(out[0::2], [5, 6]):
        items = dataset.get_positive_items(user, sort=sort)
        context = [int(i) for i in items[-5:-1]]
        assert pos == [items[-1]]
        assert fields(batch) == {'seq_item_id': [context + [0] * (4 - len(context))], 'seq_len': [len(context)],
                                 'user_gender': [user % 3], 'user_geo': [20 + user]}
    with pytest.raises(ValueError, match='user_feature has 6 rows; user 6 has no row'):
        YouTubeEvaluationSampler(dataset, 4, USER_FEATURE[:6], sort=sort)


@pytest.mark.parametrize('call, error, message', [
    (lambda d: EvaluationSampler(0, d), ValueError, 'batch_size must be a positive int, got 0'),
    (lambda d: EvaluationSampler(d, 3), TypeError, 'batch_size must be a positive int'),
    (lambda d: EvaluationSampler(3, None), ValueError, 'Dataset is not specified'),
    (lambda d: EvaluationSampler(3, d, seed={}), TypeError, 'seed must be None'),
    (lambda d: VBPREvaluationSampler(3, d, np.zeros(12)), ValueError, 'item_vfeature must be 2-D'),
    (lambda d: YouTubeEvaluationSampler(d, 3, USER_FEATURE, sort=None), TypeError, 'sort must be a bool'),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call(sequences())

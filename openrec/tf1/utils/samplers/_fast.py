"""Vectorised views of a ``Dataset`` index for the samplers (private).

Each class reproduces the distribution of a per-row Dataset call of the original
generators (``next_random_record``, ``sample_negative_items``, ``is_positive``,
``get_positive_items``), for whole blocks of rows at once.
"""
import itertools

import numpy as np

from openrec._checks import ArgumentError
from openrec.utils.samplers._negatives import _Negatives


class RowWalk(object):
    """A worker's ``next_random_record`` walk: the rows in a new random order every epoch.

    Starts with ``pending`` (row indices in the order they would be taken: the walk the
    data set had begun when the worker started), then whole permutations of all rows.
    """

    def __init__(self, n_rows, rng, pending=()):
        self._n_rows = n_rows
        self._rng = rng
        self._order = np.asarray(pending, dtype=np.int64)
        self._pos = 0

    def take(self, count):
        parts = []
        while count > 0:
            if self._pos == len(self._order):
                self._order = self._rng.permutation(self._n_rows)
                self._pos = 0
            step = min(count, len(self._order) - self._pos)
            parts.append(self._order[self._pos:self._pos + step])
            self._pos += step
            count -= step
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def row_walks(dataset, rngs):
    """One :class:`RowWalk` per RNG, each continuing ``dataset``'s current walk."""
    pending = dataset._rand_ids[::-1]
    return [RowWalk(len(dataset._raw_data), rng, pending) for rng in rngs]


def flatten(groups):
    """``{user: items}`` as int64 arrays ``(users, starts, sizes, flat)``: user ``k``'s items
    are ``flat[starts[k]:starts[k] + sizes[k]]``, in iteration order."""
    users = np.fromiter(groups, dtype=np.int64, count=len(groups))
    sizes = np.fromiter((len(v) for v in groups.values()), dtype=np.int64, count=len(groups))
    flat = np.fromiter(itertools.chain.from_iterable(groups.values()), dtype=np.int64,
                       count=int(sizes.sum()))
    return users, np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64), sizes, flat


class Pools(object):
    """Uniform draws from fixed per-user pools (``{user: set of items}``)."""

    def __init__(self, sets):
        users, self.starts, self.sizes, self.flat = flatten(sets)
        self._order = np.argsort(users, kind='stable')
        self._sorted_users = users[self._order]

    def index_of(self, users):
        """Pool index of each user; -1 for users without a pool."""
        users = np.asarray(users, dtype=np.int64)
        if len(self._sorted_users) == 0:
            return np.full(len(users), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._sorted_users, users), len(self._sorted_users) - 1)
        return np.where(self._sorted_users[pos] == users, self._order[pos], -1)

    def draw(self, index, rng):
        sizes = self.sizes[index]
        return self.flat[self.starts[index] + (rng.random(len(index)) * sizes).astype(np.int64)]


class PairwiseNegatives(object):
    """``sample_negative_items(user)[0]`` for many rows: the Dataset's three modes.

    From the user's pool when the data set has pools (``num_negatives`` or explicit
    negatives), else uniform over ``0..total_items-1`` minus the user's positives.

    Raises
    ------
    ValueError
        If a user of ``users`` has no candidate (no pool, an empty pool, or positives
        covering every item): the original's worker hung or crashed on such a user.
    """

    def __init__(self, dataset, users):
        store = dataset._index_store
        if 'negative_sets' in store:
            self._pools = Pools(store['negative_sets'])
            index = self._pools.index_of(users)
            counts = np.where(index >= 0, self._pools.sizes[index], 0)
            why = 'its num_negatives pool is empty' if dataset._implicit else \
                'it has no explicit negative (label <= 0)'
        else:
            self._pools = None
            pos_users, pos_items = dataset._positive_pairs()
            self._negatives = _Negatives(pos_users, pos_items, dataset.total_items(), extra_users=users)
            index = self._negatives.index_of(users)
            counts = self._negatives.eligible[index]
            why = 'its positives cover every item of 0..%d' % (dataset.total_items() - 1)
        empty = np.flatnonzero(counts < 1)
        if len(empty):
            raise ArgumentError('dataset %r: user %d has no negative item to sample (%s); %d row(s) '
                                'affected' % (dataset.name, users[empty[0]], why, len(empty)))
        self.index = index

    def draw(self, index, rng):
        if self._pools is not None:
            return self._pools.draw(index, rng)
        return self._negatives.draw(index, rng)


class PairIndex(_Negatives):
    """The positive pairs of users ``0..total_users-1`` for pointwise draws."""

    def __init__(self, dataset):
        users, items = dataset._positive_pairs()
        self.total_users, self.total_items = dataset.total_users(), dataset.total_items()
        super(PairIndex, self).__init__(users, items, self.total_items,
                                        extra_users=np.arange(self.total_users))
        self._drawable = self.index_of(np.arange(self.total_users))
        if self.bits is None:
            keep = (items >= 0) & (items < self.total_items)
            self._pairs = np.unique(self.index_of(users[keep]) * self.total_items + items[keep])
        eligible = self.eligible[self._drawable]
        self._cumulative = np.cumsum(eligible)
        self.non_positive_pairs = int(self._cumulative[-1])

    def uniform_pairs(self, count, rng):
        """Users and items uniform over ``0..total_users-1`` x ``0..total_items-1``."""
        return rng.integers(self.total_users, size=count), rng.integers(self.total_items, size=count)

    def contains(self, users, items):
        """Whether each (user, item) is a positive pair (users in ``0..total_users-1``)."""
        uidx = self._drawable[users]
        if self.bits is not None:
            return self._is_positive(uidx, items)
        keys = uidx * self.total_items + items
        pos = np.minimum(np.searchsorted(self._pairs, keys), max(len(self._pairs) - 1, 0))
        return self._pairs[pos] == keys if len(self._pairs) else np.zeros(len(keys), bool)

    def negative_pairs(self, count, rng):
        """Pairs uniform over the non-positive (user, item) pairs (exact, no rejection)."""
        r = (rng.random(count) * self.non_positive_pairs).astype(np.int64)
        users = np.searchsorted(self._cumulative, r, side='right')
        below = self._cumulative[users] - self.eligible[self._drawable[users]]
        return users, self._nth_negative(self._drawable[users], r - below)


class Sequences(object):
    """Per-user positive item lists (``get_positive_items(u, sort)``) as flat arrays.

    Draws follow the sequence samplers: a user uniform among ``0..total_users-1`` with at
    least two items, a target position ``p`` uniform in ``1..len-1``, the context
    ``items[max(0, p-L):p]``.
    """

    def __init__(self, dataset, sort):
        store = dataset._index_store
        users, starts, sizes, self.flat = flatten(store['positive_sorts' if sort else 'positive_sets'])
        keep = (users >= 0) & (users < dataset.total_users()) & (sizes >= 2)
        self.users, self.starts, self.sizes = users[keep], starts[keep], sizes[keep]

    def draw(self, count, max_seq_len, rng):
        """``(k, seq_item_id (count, L), seq_len, label)`` of ``count`` training rows, where
        ``users[k]`` are the rows' users."""
        k = rng.integers(len(self.users), size=count)
        starts, sizes = self.starts[k], self.sizes[k]
        p = 1 + (rng.random(count) * (sizes - 1)).astype(np.int64)
        first = np.maximum(0, p - max_seq_len)
        seq_len = p - first
        offsets = np.arange(max_seq_len)
        valid = offsets < seq_len[:, None]
        index = np.where(valid, (starts + first)[:, None] + offsets, 0)
        seq = np.where(valid, self.flat[index], 0)
        return k, seq, seq_len, self.flat[starts + p]

"""Vectorised uniform negative-item sampling (private)."""
import numpy as np

from openrec._checks import ArgumentError

_MAX_BITMAP_BITS = 2 ** 31  # 256 MB
_REJECTION_ROUNDS = 4


class _Negatives(object):
    """Uniform draws of items outside each user's positives (no unbounded rejection loop).

    Users are addressed by a compact index (position in :attr:`users`). For a user with
    sorted distinct positives ``p_0 < p_1 < ...`` (ids in ``[0, max_item)``) the ``r``-th
    non-positive item is ``r + #{i : p_i - i <= r}``; the counts for a whole batch come
    from one ``np.searchsorted`` on the per-user keys ``user * (max_item + 1) + p_i - i``.
    So ``r`` uniform in ``[0, max_item - #positives)`` gives a uniform negative. When
    the (user, item) bitmap fits, :meth:`draw` first tries a few bounded rejection rounds
    and finishes the remaining draws exactly.
    """

    def __init__(self, users, items, max_item, extra_users=()):
        users = np.asarray(users, dtype=np.int64).ravel()
        items = np.asarray(items, dtype=np.int64).ravel()
        self.users = np.unique(np.concatenate([users, np.asarray(extra_users, dtype=np.int64)]))
        user_index = np.searchsorted(self.users, users)
        self.max_item = int(max_item)
        keep = (items >= 0) & (items < max_item)
        pairs = np.unique(user_index[keep] * max_item + items[keep])
        pos_user, pos_item = np.divmod(pairs, max_item)
        counts = np.bincount(pos_user, minlength=len(self.users))
        self.indptr = np.r_[0, np.cumsum(counts)]
        local = np.arange(len(pairs)) - self.indptr[pos_user]
        self.keys = pos_user * (max_item + 1) + (pos_item - local)
        self.eligible = max_item - counts
        # A bit per (user, item) when it fits: membership is then a few cheap numpy ops
        # per draw instead of a binary search, and rejection draws stay exactly uniform.
        self.bits = None
        if len(self.users) * self.max_item <= _MAX_BITMAP_BITS:
            self.bits = np.zeros((len(self.users) * self.max_item + 7) // 8, np.uint8)
            np.bitwise_or.at(self.bits, pairs >> 3, (1 << (pairs & 7)).astype(np.uint8))

    def index_of(self, user_ids):
        """Compact indices of ``user_ids`` (every id must be one of :attr:`users`)."""
        return np.searchsorted(self.users, user_ids)

    def require(self, count, what, uidx):
        """Raise ValueError naming the first user of ``uidx`` with fewer than ``count`` eligible items."""
        uidx = np.unique(uidx)
        short = uidx[self.eligible[uidx] < count]
        if len(short):
            u = short[0]
            raise ArgumentError(
                'user %d has %d eligible negative item(s) (max_item=%d minus %d positives), '
                'fewer than the %d needed for %s; %d user(s) are affected'
                % (self.users[u], self.eligible[u], self.max_item,
                   self.max_item - self.eligible[u], count, what, len(short)))

    def _nth_negative(self, uidx, r):
        queries = (uidx * (self.max_item + 1) + r).ravel()
        # sorted queries walk the key array in order (cache friendly, ~30% faster)
        order = np.argsort(queries)
        below = np.empty_like(queries)
        below[order] = np.searchsorted(self.keys, queries[order], side='right')
        return r + (below.reshape(r.shape) - self.indptr[uidx])

    def _uniform_ranks(self, eligible, rng, size=None):
        # floor(U * n) as the original's int(random() * n); the bias is below n / 2**53
        u = rng.random(size if size is not None else eligible.shape)
        return (u * eligible).astype(np.int64)

    def _exact_draw(self, uidx, rng):
        return self._nth_negative(uidx, self._uniform_ranks(self.eligible[uidx], rng))

    def draw(self, uidx, rng):
        """One uniform negative per entry of ``uidx`` (int64 array, same shape)."""
        if self.bits is None:
            return self._exact_draw(uidx, rng)
        items = self._uniform_ranks(self.max_item, rng, uidx.shape)
        todo = np.flatnonzero(self._is_positive(uidx, items))
        for _ in range(_REJECTION_ROUNDS):
            if len(todo) == 0:
                return items
            items[todo] = self._uniform_ranks(self.max_item, rng, len(todo))
            todo = todo[self._is_positive(uidx[todo], items[todo])]
        # users with few eligible items: exact draws for what is left
        items[todo] = self._exact_draw(uidx[todo], rng)
        return items

    def _is_positive(self, uidx, items):
        index = uidx * self.max_item + items
        return (self.bits[index >> 3] >> (index & 7).astype(np.uint8)) & 1 == 1

    def draw_distinct(self, uidx, count, rng, max_redraws=8):
        """``(len(uidx), count)`` negatives, distinct within each row, in draw order."""
        eligible = self.eligible[uidx][:, None]
        r = self._uniform_ranks(eligible, rng, size=(len(uidx), count))
        for attempt in range(max_redraws + 1):
            s = np.sort(r, axis=1)
            bad = np.flatnonzero((s[:, 1:] == s[:, :-1]).any(axis=1))
            if len(bad) == 0:
                break
            if attempt < max_redraws:
                r[bad] = self._uniform_ranks(eligible[bad], rng, size=(len(bad), count))
            else:
                # crowded rows (few eligible items): exact draws without replacement
                for row in bad:
                    r[row] = rng.choice(eligible[row, 0], size=count, replace=False)
        return self._nth_negative(np.repeat(uidx, count).reshape(r.shape), r)

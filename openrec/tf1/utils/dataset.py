"""The OpenRec 0.2 ``Dataset``: interactions with per-user positive and negative indexes."""
import random

import numpy as np

from openrec._checks import (ArgumentError, ArgumentTypeError, check_bool, check_fields, check_ids,
                             check_int, check_number, check_optional_positive_int,
                             check_positive_int, check_random_seed, check_str)
from openrec.utils.implicit_dataset import _group_rows

_SORTBY_MESSAGE = 'sortby key is not specified.'


def _check_id_field(raw_data, field, bound, bound_name):
    """An integer id field with every id in ``[0, bound)``."""
    dtype = raw_data.dtype[field]
    if dtype.shape:
        raise ArgumentError('raw_data field %r must hold one id per row, got dtype %s'
                            % (field, dtype))
    if dtype.kind not in 'iu':
        raise ArgumentTypeError('raw_data field %r must hold integer ids, got dtype %s (convert '
                                'integral ids with astype)' % (field, dtype))
    check_ids(raw_data[field], 'raw_data[%r]' % field, bound, bound_name)


def _index_rows(users, items, rows):
    """``{user: {item: last row}}``, users and each user's items in first-appearance order.

    The same dictionaries as the original's loop over the rows (keys are numpy scalars of
    the field dtypes; a duplicate (user, item) row keeps its first position and its last
    row), built per user from a stable sort (the 0.1 datasets' grouping).
    """
    return {user: dict(zip(items[positions], rows[positions].tolist()))
            for user, positions in _group_rows(users)}


class Dataset(object):
    """Interactions of users with items, indexed for sampling and evaluation.

    Parameters
    ----------
    raw_data : numpy.ndarray
        1-D structured array, one row per interaction, with integer fields ``user_id``
        and ``item_id`` (ids in ``0..total_users-1`` / ``0..total_items-1``), a numeric
        ``label`` field when ``implicit_negative=False``, and the ``sortby`` field when
        given. Other fields are kept: :meth:`next_random_record` returns whole rows. Kept
        as given, not copied.
    total_users : int
        Number of user ids (samplers draw users from ``0..total_users-1``).
    total_items : int
        Number of item ids (negatives are drawn from ``0..total_items-1``).
    implicit_negative : bool, optional
        True (default): every row is a positive and negatives are the other items.
        False: rows with ``label > 0`` are positives, the other rows explicit negatives.
    num_negatives : int or None, optional
        With ``implicit_negative=True``, draw a fixed pool of this many negatives per
        user at construction (evaluation data sets); None: every non-positive item.
    name : str, optional
        Shown by the trainer (``..(dataset: <name>)``); copied to ``Sampler.name``.
    seed : None, int, float, str or bytes, optional
        Passed to ``random.seed`` (the **global** Python RNG) at construction.
    sortby : str or None, optional
        Field ordering each user's positives for ``get_positive_items(sort=True)``
        (e.g. a timestamp ``'ts'``).
    asc : bool, optional
        Ascending ``sortby`` order (default) or descending.

    Raises
    ------
    TypeError
        ``Unsupported data input schema. Please use structured numpy array.`` if
        ``type(raw_data)`` is not exactly :class:`numpy.ndarray` (lists, ``np.recarray``
        and memmaps are rejected, as in the original); a ``user_id``/``item_id`` field
        without an integer dtype (floats included: convert them with ``astype``); any other
        argument of the wrong type.
    ValueError
        ``raw_data`` not 1-D or lacking ``user_id``/``item_id``, ``label`` (when
        ``implicit_negative=False``) or the ``sortby`` field; a ``user_id`` outside
        ``[0, total_users)`` or an ``item_id`` outside ``[0, total_items)`` (e.g. 1-based
        ids), named with the bound and the offending id; ``total_users``/``total_items``
        not positive; ``num_negatives`` neither None nor a positive int.

    Attributes
    ----------
    name : str

    Notes
    -----
    Index (built once, at construction): ``positive[u][i]`` is the last row of each
    positive (u, i) pair; users, and each user's items, keep the order in which they first
    appear in ``raw_data``. Duplicate rows collapse and **the last duplicate wins** for the
    ``sortby`` key. Positives are every row (``implicit_negative=True``) or the rows with
    ``label > 0``. ``warm_users`` and ``get_positive_items`` follow that index, so results
    (including set iteration orders) match the original's.

    Kept from the original:

    - ``seed`` only seeds the global ``random`` module (a side effect in the caller);
      :meth:`next_random_record` and the ``sample_*`` methods draw from it.
    - The ``num_negatives`` pools are drawn from the **global numpy RNG**: one
      ``np.random.permutation(total_items)`` per user, users in first-appearance order,
      each pool being the first ``num_negatives`` items of that permutation that are not
      the user's positives. ``np.random.seed(s)`` before the construction reproduces
      them; ``seed`` does not. A user with fewer eligible items gets all of them.
    - Negatives exclude only **this** data set's positives: an evaluation data set's
      negatives may include the user's training items.

    Changed (the original crashed, hung or misbehaved): ``sample_*`` draw from sets as
    sequences (``random.sample`` of a set fails on Python >= 3.11; the draws equal those of
    the original on Python <= 3.10); asking for more samples than a user has candidates
    raises ``ValueError`` naming the user (the original looped forever or raised an
    unclear error); ``get_negative_items`` of a user without positives returns every item
    (the original raised ``KeyError``); ``num_negatives=0`` is rejected (the original
    gave an empty or a full pool by chance); ``next_random_record`` on empty data raises
    ``ValueError``; ``get_positive_items(sort=True)`` without ``sortby`` raises
    ``ValueError`` (also an ``AssertionError``, as the original's ``assert``) and returns
    a copy of the sorted list; missing fields, non-integer ids and ids outside
    ``[0, total_users)``/``[0, total_items)`` raise at construction (the original accepted
    them, and training failed later inside TensorFlow's embedding lookup, or read zeros on
    GPU).
    """

    def __init__(self, raw_data, total_users, total_items, implicit_negative=True, num_negatives=None,
                 name='dataset', seed=100, sortby=None, asc=True):
        if type(raw_data) is not np.ndarray:
            raise ArgumentTypeError('Unsupported data input schema. Please use structured numpy array. '
                                    '(raw_data: got %s)' % type(raw_data).__name__)
        if raw_data.ndim != 1:
            raise ArgumentError('raw_data must be a 1-D structured array, got shape %s'
                                % (raw_data.shape,))
        total_users = check_positive_int(total_users, 'total_users')
        total_items = check_positive_int(total_items, 'total_items')
        implicit_negative = check_bool(implicit_negative, 'implicit_negative')
        num_negatives = check_optional_positive_int(num_negatives, 'num_negatives')
        check_str(name, 'name')
        check_random_seed(seed)
        check_str(sortby, 'sortby', allow_none=True)
        asc = check_bool(asc, 'asc')
        fields = ('user_id', 'item_id') + (() if implicit_negative else ('label',))
        check_fields(raw_data, fields + ((sortby,) if sortby is not None else ()), 'raw_data')
        _check_id_field(raw_data, 'user_id', total_users, 'total_users')
        _check_id_field(raw_data, 'item_id', total_items, 'total_items')
        if not implicit_negative and raw_data.dtype['label'].kind not in 'biuf':
            raise ArgumentError("raw_data field 'label' must be numeric, got dtype %s"
                                % raw_data.dtype['label'])
        if sortby is not None and raw_data.dtype[sortby].shape:
            raise ArgumentError('the sortby field %r must hold one value per row, got dtype %s'
                                % (sortby, raw_data.dtype[sortby]))

        random.seed(seed)
        self.name = name
        self._raw_data = raw_data
        self._rand_ids = []
        self._total_users = total_users
        self._total_items = total_items
        self._sortby = sortby
        self._implicit = implicit_negative
        users, items = raw_data['user_id'], raw_data['item_id']
        if implicit_negative:
            self._positive_rows = np.arange(len(raw_data))
            store = {'positive': _index_rows(users, items, self._positive_rows)}
        else:
            is_positive = raw_data['label'] > 0
            self._positive_rows = np.flatnonzero(is_positive)
            negative_rows = np.flatnonzero(~is_positive)
            store = {'positive': _index_rows(users[self._positive_rows], items[self._positive_rows],
                                             self._positive_rows),
                     'negative': _index_rows(users[negative_rows], items[negative_rows], negative_rows)}
        store['positive_sets'] = {u: set(p) for u, p in store['positive'].items()}
        if implicit_negative and num_negatives is not None:
            store['negative'] = self._draw_negative_pools(store['positive'], num_negatives)
        if 'negative' in store:
            store['negative_sets'] = {u: set(n) for u, n in store['negative'].items()}
        self._index_store = store
        if sortby is not None:
            keys = raw_data[sortby].tolist()  # Python scalars order like the numpy ones
            store['positive_sorts'] = {
                u: sorted(store['positive_sets'][u], key=lambda item, rows=rows: keys[rows[item]],
                          reverse=not asc)
                for u, rows in store['positive'].items()}

    def _draw_negative_pools(self, positive, num_negatives):
        # The original walked each permutation item by item and stopped once the pool was
        # full: the pool is the first num_negatives non-positive items of the permutation,
        # all within its first num_negatives + (number of positives) items. Pools hold
        # Python ints (same hashes, hence same set orders, as the original's numpy int64;
        # the accessors hand out numpy int64 as the original did).
        is_positive = np.zeros(self._total_items, dtype=bool)
        pools = {}
        for user, items in positive.items():
            own = np.fromiter(items, dtype=np.int64, count=len(items))
            is_positive[own] = True
            head = np.random.permutation(self._total_items)[:num_negatives + len(own)]
            pools[user] = dict.fromkeys(head[~is_positive[head]][:num_negatives].tolist(), True)
            is_positive[own] = False
        return pools

    def _positive_pairs(self):
        """``(users, items)`` int64 arrays of the positive rows (for vectorised samplers)."""
        rows = self._positive_rows
        return (self._raw_data['user_id'][rows].astype(np.int64),
                self._raw_data['item_id'][rows].astype(np.int64))

    def next_random_record(self):
        """Return the next row of a random walk over all rows (a ``numpy.void`` record).

        Rows come from a shuffled list of all row indices (global ``random.shuffle``),
        taken from its end without replacement and reshuffled when used up.

        Raises
        ------
        ValueError
            If the data set has no row.
        """
        if len(self._raw_data) == 0:
            raise ArgumentError('dataset %r is empty: it has no record to return' % self.name)
        if len(self._rand_ids) == 0:
            self._rand_ids = list(range(len(self._raw_data)))
            random.shuffle(self._rand_ids)
        return self._raw_data[self._rand_ids.pop()]

    def is_positive(self, user_id, item_id):
        """Whether (``user_id``, ``item_id``) is a positive pair (unknown ids: False)."""
        positive = self._index_store['positive_sets']
        return user_id in positive and item_id in positive[user_id]

    def sample_positive_items(self, user_id, num_samples=1):
        """``num_samples`` distinct positive items of the user (global ``random``).

        Returns
        -------
        list
            Empty for an unknown user.

        Raises
        ------
        ValueError
            If the user has fewer than ``num_samples`` positives.
        """
        num_samples = check_int(num_samples, 'num_samples', minimum=0)
        positive = self._index_store['positive_sets']
        if user_id not in positive:
            return []
        return self._sample(positive[user_id], num_samples, user_id, 'positive items')

    def sample_negative_items(self, user_id, num_samples=1):
        """``num_samples`` distinct negative items of the user (global ``random``).

        From the user's negative pool when there is one (``num_negatives`` or explicit
        negatives; an unknown user then gives ``[]``); otherwise uniform over the items
        ``0..total_items-1`` that are not the user's positives, by rejection with
        ``random.randint`` exactly as the original (Python ints, ``list`` of a set).

        Raises
        ------
        ValueError
            If the user has fewer than ``num_samples`` candidates.
        """
        num_samples = check_int(num_samples, 'num_samples', minimum=0)
        store = self._index_store
        if 'negative_sets' in store:
            if user_id not in store['negative_sets']:
                return []
            samples = self._sample(store['negative_sets'][user_id], num_samples, user_id, 'negative items')
            return [np.int64(x) for x in samples] if self._implicit else samples
        positives = store['positive_sets'].get(user_id)
        if len(positives or ()) + num_samples > self._total_items:
            eligible = self._total_items - len(positives or ())
            if eligible < num_samples:
                raise ArgumentError('user %r has %d negative item(s) (total_items=%d), fewer than '
                                    'num_samples=%d' % (user_id, eligible, self._total_items, num_samples))
        samples = set()
        candidate = random.randint(0, self._total_items - 1)
        while len(samples) < num_samples:
            if positives is None or candidate not in positives:
                samples.add(candidate)
            candidate = random.randint(0, self._total_items - 1)
        return list(samples)

    @staticmethod
    def _sample(pool, num_samples, user_id, what):
        if num_samples > len(pool):
            raise ArgumentError('user %r has %d %s, fewer than num_samples=%d'
                                % (user_id, len(pool), what, num_samples))
        return random.sample(tuple(pool), num_samples)

    def get_positive_items(self, user_id, sort=False):
        """The user's positive items (numpy scalars of the ``item_id`` dtype).

        Parameters
        ----------
        user_id : int
        sort : bool, optional
            False: set iteration order. True: ordered by the ``sortby`` field (ascending
            unless ``asc=False``; ties keep the set order).

        Returns
        -------
        list
            A new list; empty for an unknown user.

        Raises
        ------
        ValueError
            ``sortby key is not specified.`` when ``sort`` is true and the data set has no
            ``sortby``.
        """
        if sort and self._sortby is None:
            raise ArgumentError(_SORTBY_MESSAGE)
        if user_id not in self._index_store['positive_sets']:
            return []
        if sort:
            return list(self._index_store['positive_sorts'][user_id])
        return list(self._index_store['positive_sets'][user_id])

    def get_negative_items(self, user_id):
        """The user's negative items.

        Returns
        -------
        list
            With a negative pool (``num_negatives`` or explicit negatives): the pool in set
            order (``[]`` for an unknown user). Otherwise every id in
            ``0..total_items-1`` that is not a positive of the user, ascending (Python
            ints; every id for a user without positives).
        """
        store = self._index_store
        if 'negative_sets' in store:
            pool = store['negative_sets'].get(user_id, ())
            return list(map(np.int64, pool)) if self._implicit else list(pool)
        return self._complement(user_id).tolist()

    def _complement(self, user_id):
        """Ascending int64 array of the items that are not positives of ``user_id``."""
        is_candidate = np.ones(self._total_items, dtype=bool)
        positives = self._index_store['positive_sets'].get(user_id, ())
        own = np.fromiter(positives, dtype=np.int64, count=len(positives))
        is_candidate[own] = False
        return np.flatnonzero(is_candidate)

    def warm_users(self, threshold=1):
        """Users with at least ``threshold`` distinct positive items, in first-appearance order."""
        threshold = check_number(threshold, 'threshold', allow_none=False)
        return [u for u, items in self._index_store['positive'].items() if len(items) >= threshold]

    def total_users(self):
        """``total_users`` as given to the constructor."""
        return self._total_users

    def total_items(self):
        """``total_items`` as given to the constructor."""
        return self._total_items

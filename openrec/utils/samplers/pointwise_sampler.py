import numpy as np

from openrec._checks import ArgumentError, check_bool, check_fraction, check_int
from openrec.utils.samplers._negatives import _Negatives
from openrec.utils.samplers.sampler import Sampler, _bound, _walk

_POINTWISE_DTYPE = np.dtype([('user_id_input', np.int32), ('item_id_input', np.int32),
                             ('labels', np.float32)])


def _pointwise_batches(users, items, negatives, user_list_idx, batch_size, num_pos,
                       chronological, rng):
    num_neg = batch_size - num_pos
    for rows in _walk(len(users), num_pos, chronological, rng):
        batch = np.empty(batch_size, dtype=_POINTWISE_DTYPE)
        batch['user_id_input'][:num_pos] = users[rows]
        batch['item_id_input'][:num_pos] = items[rows]
        batch['labels'][:num_pos] = 1.0
        neg_uidx = user_list_idx[rng.integers(0, len(user_list_idx), size=num_neg)]
        batch['user_id_input'][num_pos:] = negatives.users[neg_uidx]
        batch['item_id_input'][num_pos:] = negatives.draw(neg_uidx, rng)
        batch['labels'][num_pos:] = 0.0
        yield batch


class PointwiseSampler(Sampler):
    """Batches of labelled (user, item) pairs: consecutive positives, then random negatives.

    Parameters
    ----------
    dataset : Dataset
        Interactions with ``user_id`` and ``item_id`` fields.
    batch_size : int
        Rows per batch.
    pos_ratio : float, optional
        Fraction of positive rows; ``num_pos = int(batch_size * pos_ratio)``.
    num_process : int, optional
        Number of worker threads (forced to 1 when ``chronological``).
    chronological : bool, optional
        Walk the positives once in stored order with a single worker, then stop.
    seed : int, optional
        Seeds the workers' private random generators.

    Raises
    ------
    TypeError, ValueError
        For bad arguments; ``ValueError`` if the dataset has fewer rows than ``num_pos``
        (the original's worker died and ``next_batch`` hung) or a listed user has no
        eligible negative item.

    Notes
    -----
    Note the argument order (``pos_ratio`` before ``num_process``), as in the original.
    Batch fields: ``user_id_input`` int32, ``item_id_input`` int32, ``labels`` float32.
    Rows ``0..num_pos-1`` are consecutive rows of the walk (step ``num_pos``, see
    :class:`PairwiseSampler`) labelled 1.0 (any ``label`` field is ignored); the other
    rows are negatives labelled 0.0, each for a user drawn uniformly from the dataset's
    distinct users (``get_unique_user_list()``, or those of ``raw_data``) and unrelated
    to the positive rows.

    Changed from the original (decided fixes): negative users are uniform over every
    listed user (the original never picked the last one) and negative items uniform over
    every non-positive item ``0..max_item-1``.
    """

    def __init__(self, dataset, batch_size, pos_ratio=0.5, num_process=5, chronological=False,
                 seed=0):
        self._check_common(dataset, batch_size, num_process, chronological=chronological)
        self._pos_ratio = check_fraction(pos_ratio, 'pos_ratio')
        self._chronological = check_bool(chronological, 'chronological')
        self._seed = check_int(seed, 'seed', minimum=0)
        self._num_pos = int(batch_size * pos_ratio)
        if self._chronological:
            num_process = 1
        self._copy_rows(dataset, self._num_pos, 'num_pos = int(batch_size * pos_ratio)')
        user_list = self._user_list(dataset)
        self._negatives = _Negatives(*self._positives(dataset, user_list),
                                     max_item=_bound(dataset, 'max_item'), extra_users=user_list)
        self._user_list_idx = self._negatives.index_of(user_list)
        if self._num_pos < batch_size:
            if len(self._user_list_idx) == 0:
                raise ArgumentError('dataset %r has no users to draw negatives for'
                                    % getattr(dataset, 'name', ''))
            self._negatives.require(1, 'a negative', self._user_list_idx)
        if not self._chronological:
            dataset.shuffle()  # the original's side effect: dataset.data is a shuffled copy
        super(PointwiseSampler, self).__init__(dataset=dataset, batch_size=batch_size,
                                               num_process=num_process)

    def _batch_source(self, rng):
        return _pointwise_batches(self._users, self._items, self._negatives, self._user_list_idx,
                                  self._batch_size, self._num_pos, self._chronological, rng)

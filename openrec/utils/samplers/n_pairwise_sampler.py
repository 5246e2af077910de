import numpy as np

from openrec._checks import check_bool, check_int, check_positive_int
from openrec.utils.samplers.sampler import Sampler, _walk

_N_PAIRWISE_DTYPE = np.dtype([('user_id_input', np.int32), ('p_item_id_input', np.int32),
                              ('n_item_id_inputs', object)])


def _n_pairwise_batches(users, items, uidx, negatives, negativenum, batch_size,
                        chronological, rng):
    for rows in _walk(len(users), batch_size, chronological, rng):
        batch = np.empty(len(rows), dtype=_N_PAIRWISE_DTYPE)
        batch['user_id_input'] = users[rows]
        batch['p_item_id_input'] = items[rows]
        cells = np.empty(len(rows), dtype=object)
        cells[:] = list(negatives.draw_distinct(uidx[rows], negativenum, rng))
        batch['n_item_id_inputs'] = cells
        yield batch


class NPairwiseSampler(Sampler):
    """Batches of (user, positive item, ``negativenum`` distinct negatives).

    Parameters
    ----------
    dataset : Dataset
        Interactions with ``user_id`` and ``item_id`` fields.
    batch_size : int
        Rows per batch.
    chronological : bool, optional
        Walk the rows once in stored order with a single worker, then stop.
    negativenum : int, optional
        Distinct negatives per row.
    num_process : int, optional
        Number of worker threads (forced to 1 when ``chronological``).
    seed : int, optional
        Seeds the workers' private random generators.

    Raises
    ------
    TypeError, ValueError
        For bad arguments; ``ValueError`` if the dataset has fewer rows than
        ``batch_size`` or a user has fewer than ``negativenum`` eligible negatives (the
        original looped forever).

    Notes
    -----
    Batch fields: ``user_id_input`` int32, ``p_item_id_input`` int32 and
    ``n_item_id_inputs`` of **object** dtype, each cell a 1-D int64 array of
    ``negativenum`` distinct negatives (in draw order; the original used set order).
    ``np.array(batch['n_item_id_inputs'].tolist())`` gives a
    ``(batch_size, negativenum)`` array.

    Walk, shuffling and the negative distribution are as in :class:`PairwiseSampler`
    (negatives uniform over every non-positive item ``0..max_item-1``).
    """

    def __init__(self, dataset, batch_size, chronological=False, negativenum=10,
                 num_process=5, seed=0):
        self._check_common(dataset, batch_size, num_process, chronological=chronological)
        self._chronological = check_bool(chronological, 'chronological')
        self._negativenum = check_positive_int(negativenum, 'negativenum')
        self._seed = check_int(seed, 'seed', minimum=0)
        if self._chronological:
            num_process = 1
        self._copy_rows(dataset, batch_size, 'batch_size')
        self._row_negatives(dataset, self._negativenum,
                            'negativenum=%d distinct negatives' % self._negativenum)
        if not self._chronological:
            dataset.shuffle()  # the original's side effect: dataset.data is a shuffled copy
        super(NPairwiseSampler, self).__init__(dataset=dataset, batch_size=batch_size,
                                               num_process=num_process)

    def _batch_source(self, rng):
        return _n_pairwise_batches(self._users, self._items, self._uidx, self._negatives,
                                   self._negativenum, self._batch_size, self._chronological, rng)

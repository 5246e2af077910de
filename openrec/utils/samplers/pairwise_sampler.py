import numpy as np

from openrec._checks import check_bool, check_int
from openrec.utils.samplers.sampler import Sampler, _blocks, _walk

_PAIRWISE_DTYPE = np.dtype([('user_id_input', np.int32), ('p_item_id_input', np.int32),
                            ('n_item_id_input', np.int32)])


def _pairwise_batches(users, items, uidx, negatives, batch_size, chronological, rng):
    for chunks in _blocks(_walk(len(users), batch_size, chronological, rng)):
        rows = np.concatenate(chunks)
        block = np.empty(len(rows), dtype=_PAIRWISE_DTYPE)
        block['user_id_input'] = users[rows]
        block['p_item_id_input'] = items[rows]
        block['n_item_id_input'] = negatives.draw(uidx[rows], rng)
        for begin in range(0, len(rows), batch_size):
            yield block[begin:begin + batch_size]


class PairwiseSampler(Sampler):
    """Batches of (user, positive item, negative item) triples for pairwise losses (BPR).

    Parameters
    ----------
    dataset : Dataset
        Interactions with ``user_id`` and ``item_id`` fields (an
        :class:`~openrec.utils.ImplicitDataset` in the original).
    batch_size : int
        Rows per batch.
    chronological : bool, optional
        Walk the rows once in stored order with a single worker, then stop.
    num_process : int, optional
        Number of worker threads (forced to 1 when ``chronological``).
    seed : int, optional
        Seeds the workers' private random generators.

    Raises
    ------
    TypeError, ValueError
        For bad arguments; ``ValueError`` if the dataset has fewer rows than
        ``batch_size`` or a user has no eligible negative item (every item is a positive).

    Notes
    -----
    Batch fields, all int32: ``user_id_input``, ``p_item_id_input`` (the row's item),
    ``n_item_id_input`` (one negative per row).

    The walk follows the original: each pass over the (shuffled) rows yields
    ``ceil(n / batch_size) - 1`` batches, the last chunk being skipped even when complete.
    The rows walked are ``dataset.data``, or ``raw_data`` when ``data`` is ``None`` (the
    original crashed in the chronological worker and hung), copied at construction;
    the positives that negatives avoid are the dataset's
    ``get_interactions_by_user_gb_item(user)`` (read from ``raw_data`` for an
    ``ImplicitDataset`` or a plain ``Dataset``). Non-chronological samplers then call
    ``dataset.shuffle()`` once, so ``dataset.data`` is populated afterwards as in the
    original, and each worker walks its own seeded permutations of the copied rows.

    Changed from the original (decided fixes): negatives are uniform over **every** item
    ``0..max_item-1`` that is not a positive of the row's user (the original never drew
    ``max_item - 1``); sampling is exact and vectorised (a few bounded rejection rounds,
    then exact draws, so it cannot spin); ``n < batch_size`` raises instead of emitting
    zero-filled rows.
    """

    def __init__(self, dataset, batch_size, chronological=False, num_process=5, seed=0):
        self._check_common(dataset, batch_size, num_process, chronological=chronological)
        self._chronological = check_bool(chronological, 'chronological')
        self._seed = check_int(seed, 'seed', minimum=0)
        if self._chronological:
            num_process = 1
        self._copy_rows(dataset, batch_size, 'batch_size')
        self._row_negatives(dataset, 1, 'a negative')
        if not self._chronological:
            dataset.shuffle()  # the original's side effect: dataset.data is a shuffled copy
        super(PairwiseSampler, self).__init__(dataset=dataset, batch_size=batch_size,
                                              num_process=num_process)

    def _batch_source(self, rng):
        return _pairwise_batches(self._users, self._items, self._uidx, self._negatives,
                                 self._batch_size, self._chronological, rng)

"""EvaluationSampler: every warm user's positives and negatives, in chunks, for ranking metrics."""
import numpy as np

from openrec.tf1.utils.samplers import _common

_METHODS = ('warm_users', 'get_positive_items', 'get_negative_items')
DTYPE = np.dtype([('user_id', np.int32), ('item_id', np.int32)])


def EvaluationSampler(batch_size, dataset, seed=100):
    """The evaluation stream of :class:`~openrec.tf1.model_trainer.ModelTrainer`: per user,
    its positive then negative items in chunks.

    Parameters
    ----------
    batch_size : int
        Most rows per batch (B). Note the argument order: ``batch_size`` first.
    dataset : openrec.tf1.utils.Dataset
        Evaluation interactions, usually with ``num_negatives``.
    seed : None, int, float, str or bytes, optional
        Reseeds the caller's global ``random`` module (as the original); nothing is drawn.

    Returns
    -------
    Sampler
        A plain :class:`Sampler` with one worker.

    Raises
    ------
    TypeError, ValueError
        Bad arguments.

    Notes
    -----
    Stream: items ``(positions, batch)``, where ``batch`` is a structured array with
    fields ``user_id``, ``item_id`` (int32). For each user of ``dataset.warm_users()``
    (first-appearance order), the candidates are ``get_positive_items(user)`` (P items,
    set order) followed by ``get_negative_items(user)``; they come in chunks of B rows
    (the last one may be shorter, even one row), each with ``positions`` = the positions
    of its positives in the user's concatenated score vector, a ``range``
    (``range(P)`` in the first chunk when P <= B), or ``[]`` for a chunk without
    positives. Then ``([], [])`` ends the user, and ``(None, None)`` ends a pass over
    all users; the next pass starts again with the first user (``warm_users()`` read
    again), for ever. Passes are deterministic.

    Changed from the original: chunk ``k`` lists only its own positives,
    ``range(k*B, min(P, (k+1)*B))``; the original listed ``range(P - k*B)`` in every
    chunk with positives, so users with more than B positives had positives counted
    twice (identical streams whenever P <= B, as in every shipped client).

    The single worker is a thread (the original: a forked process); for a
    ``Dataset`` the candidates are built with numpy, and the
    items travel in blocks, so that a pass over citeulike-a (5551 users x 501
    candidates) takes a fraction of a second instead of about 6 s.
    """
    return item_evaluation(batch_size, dataset, seed, None)


def item_evaluation(batch_size, dataset, seed, item_vfeature):
    """Evaluation/VBPREvaluation sampler; ``item_vfeature`` adds the feature field."""
    methods = _METHODS + (() if item_vfeature is None else ('total_items',))
    (batch_size,) = _common.check_args(dataset, methods, seed, batch_size=batch_size)
    dtype = DTYPE
    if item_vfeature is not None:
        width = _common.check_item_vfeature(item_vfeature, dataset)
        dtype = np.dtype(DTYPE.descr + [('item_vfeature', np.float32, (width,))])

    def make_batch(user_id, items):
        batch = np.zeros(len(items), dtype=dtype)
        batch['user_id'] = user_id
        batch['item_id'] = items
        if item_vfeature is not None:
            batch['item_vfeature'] = item_vfeature[np.asarray(items, dtype=np.int64)]
        return batch

    def listed(dataset, user_id):
        positives = list(dataset.get_positive_items(user_id))
        return len(positives), positives + list(dataset.get_negative_items(user_id))

    def batch(dataset, batch_size=batch_size):
        return walk(dataset, batch_size, lambda user_id: listed(dataset, user_id), make_batch)

    candidates = None
    if _common.is_plain(dataset, methods):
        candidates = array_candidates(dataset)
        if item_vfeature is not None:
            _common.check_items_below(dataset._positive_pairs()[1], len(item_vfeature), dataset.name)

    def sources(rngs):
        return [_common.grouped(walk(dataset, batch_size, candidates, make_batch) if candidates is not None else
                                batch(dataset), flush=lambda item: item[1] is None)]
    return _common.builtin(dataset, batch, 1, seed, sources)


def walk(dataset, batch_size, candidates, make_batch):
    """The evaluation items, pass after pass (``candidates(user) -> (P, items)``)."""
    while True:
        for user_id in dataset.warm_users():
            num_pos, items = candidates(user_id)
            for first in range(0, len(items), batch_size):
                positions = range(first, min(num_pos, first + batch_size))
                yield (positions if len(positions) else []), make_batch(user_id, items[first:first + batch_size])
            yield [], []
        yield None, None


def array_candidates(dataset):
    """``candidates(user)`` of a :class:`Dataset` as one int64 array (set orders kept)."""
    store = dataset._index_store

    def candidates(user_id):
        positives = store['positive_sets'][user_id]
        if 'negative_sets' in store:
            pool = store['negative_sets'].get(user_id, ())
            negatives = np.fromiter(pool, dtype=np.int64, count=len(pool))
        else:
            negatives = dataset._complement(user_id)
        return len(positives), np.concatenate([np.fromiter(positives, dtype=np.int64, count=len(positives)),
                                               negatives])
    return candidates

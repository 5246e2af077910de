"""RandomPairwiseSampler: (user, positive item, negative item) rows for pairwise losses."""
import numpy as np

from openrec._checks import ArgumentError
from openrec.tf1.utils.samplers import _common, _fast

_FIELDS = [('user_id', np.int32), ('p_item_id', np.int32), ('n_item_id', np.int32)]
_METHODS = ('next_random_record', 'sample_negative_items')


def RandomPairwiseSampler(dataset, batch_size, num_process=5, seed=100):
    """Batches of (user, positive item, negative item) for pairwise losses such as BPR.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Training interactions.
    batch_size : int
        Rows per batch (B).
    num_process : int, optional
        Number of workers, each with its own walk over the rows.
    seed : None, int, float, str or bytes, optional
        Reseeds the caller's global ``random`` module (as the original) and seeds the
        workers' private generators.

    Returns
    -------
    Sampler
        A plain :class:`Sampler`; nothing starts before ``reset()``/``next_batch()``.

    Raises
    ------
    TypeError, ValueError
        Bad arguments; ``ValueError`` also when the data set is empty or a user of its rows
        has no negative to draw (positives covering every item, an empty
        ``num_negatives`` pool, no explicit negative).

    Notes
    -----
    Batch: a structured array of exactly B rows, fields ``user_id``, ``p_item_id``,
    ``n_item_id`` (all int32).

    Each row is the next row of the worker's walk over **all** rows of the data set (a
    new random order every epoch, epochs not aligned with batches; duplicates and, in
    explicit data sets, ``label <= 0`` rows count as positives too), with one negative
    drawn independently as ``dataset.sample_negative_items(user_id)[0]`` would: uniform
    over the user's pool when the data set has one (``num_negatives`` or explicit
    negatives), else uniform over the items ``0..total_items-1`` that are not the user's
    positives. Several workers interleave independent walks.

    With a ``Dataset``, workers are threads building several
    batches per vectorised numpy step (same distributions; the rows walked are those of
    the data set when the sampler is built, each worker continuing the walk the data set
    had begun); other data set objects are called row by row in forked processes, as in
    the original. Each worker draws from its own generator seeded from (``seed``, worker
    index, reset count), so streams differ between workers and resets and are reproducible
    with one worker (the original's workers were reseeded from the OS).
    """
    return pairwise(dataset, batch_size, num_process, seed, None)


def pairwise(dataset, batch_size, num_process, seed, item_vfeature):
    """Random/VBPR pairwise sampler; ``item_vfeature`` adds the two feature fields."""
    methods = _METHODS + (() if item_vfeature is None else ('total_items',))
    batch_size, num_process = _common.check_args(dataset, methods, seed, batch_size=batch_size,
                                                 num_process=num_process)
    fields = list(_FIELDS)
    if item_vfeature is not None:
        width = _common.check_item_vfeature(item_vfeature, dataset)
        fields += [('p_item_vfeature', np.float32, (width,)), ('n_item_vfeature', np.float32, (width,))]
    dtype = np.dtype(fields)

    def batch(dataset, batch_size=batch_size, item_vfeature=item_vfeature):
        while True:
            input_npy = np.zeros(batch_size, dtype=dtype)
            for ind in range(batch_size):
                entry = dataset.next_random_record()
                user_id, p_item = entry['user_id'], entry['item_id']
                n_item = dataset.sample_negative_items(user_id)[0]
                if item_vfeature is None:
                    input_npy[ind] = (user_id, p_item, n_item)
                else:
                    input_npy[ind] = (user_id, p_item, n_item, item_vfeature[p_item], item_vfeature[n_item])
            yield input_npy

    sources = None
    if _common.is_plain(dataset, methods):
        raw = dataset._raw_data
        if len(raw) == 0:
            raise ArgumentError('dataset %r is empty: there is no positive row to sample' % dataset.name)
        users, items = raw['user_id'].astype(np.int64), raw['item_id'].astype(np.int64)
        if item_vfeature is not None:
            _common.check_items_below(items, len(item_vfeature), dataset.name)
        negatives = _fast.PairwiseNegatives(dataset, users)
        per_block = _common.batches_per_block(dtype, batch_size)

        def source(walk, rng):
            while True:
                rows = walk.take(per_block * batch_size)
                n_items = negatives.draw(negatives.index[rows], rng)
                block = np.empty(len(rows), dtype=dtype)
                block['user_id'] = users[rows]
                block['p_item_id'] = items[rows]
                block['n_item_id'] = n_items
                if item_vfeature is not None:
                    block['p_item_vfeature'] = item_vfeature[items[rows]]
                    block['n_item_vfeature'] = item_vfeature[n_items]
                yield _common.split(block, batch_size)

        def sources(rngs):
            return [source(walk, rng) for walk, rng in zip(_fast.row_walks(dataset, rngs), rngs)]
    return _common.builtin(dataset, batch, num_process, seed, sources)

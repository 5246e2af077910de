"""RandomPointwiseSampler: uniform (user, item) pairs labelled by whether they are positive."""
import random

import numpy as np

from openrec.tf1.utils.samplers import _common, _fast

DTYPE = np.dtype([('user_id', np.int32), ('item_id', np.int32), ('label', np.float32)])
_METHODS = ('total_users', 'total_items', 'is_positive')


def RandomPointwiseSampler(dataset, batch_size, num_process=5, seed=100):
    """Batches of uniformly drawn (user, item) pairs with a 0/1 label.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Training interactions.
    batch_size : int
        Rows per batch (B).
    num_process : int, optional
        Number of workers.
    seed : None, int, float, str or bytes, optional
        As for :func:`RandomPairwiseSampler`.

    Returns
    -------
    Sampler

    Raises
    ------
    TypeError, ValueError
        Bad arguments.

    Notes
    -----
    Batch: exactly B rows of ``user_id``, ``item_id`` (int32), ``label`` (float32).

    Each row draws a user uniformly from ``0..total_users-1`` and, independently, an item
    from ``0..total_items-1`` (ids without any row included); ``label`` is 1.0 when
    ``dataset.is_positive(user, item)``, else 0.0. No stratification: the share of
    positive labels is the density of the data.

    Workers: as for :func:`RandomPairwiseSampler` (vectorised threads for a
    ``Dataset``, private per-worker generators).
    """
    batch_size, num_process = _common.check_args(dataset, _METHODS, seed, batch_size=batch_size,
                                                 num_process=num_process)

    def batch(dataset, batch_size=batch_size):
        while True:
            input_npy = np.zeros(batch_size, dtype=DTYPE)
            for ind in range(batch_size):
                user_id = random.randint(0, dataset.total_users() - 1)
                item_id = random.randint(0, dataset.total_items() - 1)
                label = 1.0 if dataset.is_positive(user_id, item_id) else 0.0
                input_npy[ind] = (user_id, item_id, label)
            yield input_npy

    sources = None
    if _common.is_plain(dataset, _METHODS):
        index = _fast.PairIndex(dataset)
        per_block = _common.batches_per_block(DTYPE, batch_size)

        def source(rng):
            while True:
                users, items = index.uniform_pairs(per_block * batch_size, rng)
                block = np.empty(len(users), dtype=DTYPE)
                block['user_id'] = users
                block['item_id'] = items
                block['label'] = index.contains(users, items)
                yield _common.split(block, batch_size)

        def sources(rngs):
            return [source(rng) for rng in rngs]
    return _common.builtin(dataset, batch, num_process, seed, sources)

"""StratifiedPointwiseSampler: a fixed share of positive rows, the rest non-positive pairs."""
import random

import numpy as np

from openrec._checks import ArgumentError, check_fraction
from openrec.tf1.utils.samplers import _common, _fast
from openrec.tf1.utils.samplers.random_pointwise_sampler import DTYPE

_METHODS = ('next_random_record', 'total_users', 'total_items', 'is_positive')


def StratifiedPointwiseSampler(dataset, batch_size, pos_ratio=0.5, num_process=5, seed=100):
    """Batches of ``int(batch_size * pos_ratio)`` positive rows followed by negative pairs.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Training interactions.
    batch_size : int
        Rows per batch (B).
    pos_ratio : float, optional
        Share of positive rows, in [0, 1].
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
        Bad arguments, ``pos_ratio`` outside [0, 1] (the original's workers crashed and
        hung, or silently produced all-negative batches); ``ValueError`` also when
        positives are needed from an empty data set, or negatives while every (user,
        item) pair is positive (the original looped forever).

    Notes
    -----
    Batch: exactly B rows of ``user_id``, ``item_id`` (int32), ``label`` (float32).

    ``num_pos = int(batch_size * pos_ratio)``, the float product truncated (0.29 x 100
    gives 28). Rows ``0..num_pos-1`` are the next rows of the worker's walk over all rows
    of the data set (as :func:`RandomPairwiseSampler`; every row counts as positive),
    label 1.0. The other rows are pairs drawn uniformly over all (user, item) pairs of
    ``0..total_users-1`` x ``0..total_items-1`` that are not positive (the original
    redrew both ids until the pair was not positive, so users weigh by their number of
    non-positive items), label 0.0, unrelated to the positive rows. Positives first,
    never shuffled.

    Workers: as for :func:`RandomPairwiseSampler`.
    """
    batch_size, num_process = _common.check_args(dataset, _METHODS, seed, batch_size=batch_size,
                                                 num_process=num_process)
    check_fraction(pos_ratio, 'pos_ratio')
    num_pos = int(batch_size * pos_ratio)

    def batch(dataset, batch_size=batch_size, pos_ratio=pos_ratio):
        num_pos = int(batch_size * pos_ratio)
        while True:
            input_npy = np.zeros(batch_size, dtype=DTYPE)
            for ind in range(num_pos):
                entry = dataset.next_random_record()
                input_npy[ind] = (entry['user_id'], entry['item_id'], 1.0)
            for ind in range(batch_size - num_pos):
                user_id = random.randint(0, dataset.total_users() - 1)
                item_id = random.randint(0, dataset.total_items() - 1)
                while dataset.is_positive(user_id, item_id):
                    user_id = random.randint(0, dataset.total_users() - 1)
                    item_id = random.randint(0, dataset.total_items() - 1)
                input_npy[ind + num_pos] = (user_id, item_id, 0.0)
            yield input_npy

    sources = None
    if _common.is_plain(dataset, _METHODS):
        raw = dataset._raw_data
        if num_pos and len(raw) == 0:
            raise ArgumentError('dataset %r is empty: there is no positive row to sample' % dataset.name)
        index = _fast.PairIndex(dataset)
        if num_pos < batch_size and index.non_positive_pairs == 0:
            raise ArgumentError('dataset %r: every (user, item) pair is positive, there is no negative '
                                'pair to sample' % dataset.name)
        users, items = raw['user_id'].astype(np.int64), raw['item_id'].astype(np.int64)
        per_block = _common.batches_per_block(DTYPE, batch_size)

        def source(walk, rng):
            while True:
                block = np.empty((per_block, batch_size), dtype=DTYPE)
                rows = walk.take(per_block * num_pos).reshape(per_block, num_pos)
                block['user_id'][:, :num_pos] = users[rows]
                block['item_id'][:, :num_pos] = items[rows]
                block['label'][:, :num_pos] = 1.0
                n_users, n_items = index.negative_pairs(per_block * (batch_size - num_pos), rng)
                block['user_id'][:, num_pos:] = n_users.reshape(per_block, batch_size - num_pos)
                block['item_id'][:, num_pos:] = n_items.reshape(per_block, batch_size - num_pos)
                block['label'][:, num_pos:] = 0.0
                yield list(block)

        def sources(rngs):
            return [source(walk, rng) for walk, rng in zip(_fast.row_walks(dataset, rngs), rngs)]
    return _common.builtin(dataset, batch, num_process, seed, sources)

"""What the specialised samplers share: argument checks, seeding, batch blocks (private)."""
import random

import numpy as np

from openrec._checks import (ArgumentError, ArgumentTypeError, check_has_methods, check_positive_int,
                             check_random_seed)
from openrec.tf1.utils.dataset import Dataset
from openrec.tf1.utils.samplers import Sampler

BLOCK_BYTES = 1 << 20


def check_dataset(dataset, methods):
    """``dataset`` must have a ``name`` and the methods the sampler calls."""
    if dataset is None:
        raise ArgumentError('Dataset is not specified')
    check_has_methods(dataset, 'dataset', methods)
    if not hasattr(dataset, 'name'):
        raise ArgumentTypeError('dataset must have a name attribute, got %r' % (dataset,))
    return dataset


def is_plain(dataset, methods):
    """Whether ``dataset`` is a :class:`Dataset` whose ``methods`` are Dataset's own.

    Only then may a sampler read the Dataset's index directly (vectorised) instead of
    calling the methods.
    """
    return isinstance(dataset, Dataset) and all(
        getattr(type(dataset), m) is getattr(Dataset, m) and m not in vars(dataset) for m in methods)


def builtin(dataset, generate_batch, num_process, seed, sources=None):
    """The ``Sampler`` a factory returns, after the caller-side ``random.seed(seed)``.

    ``generate_batch`` is the original's generator (run in forked workers for data sets
    that are not plain :class:`Dataset` objects); ``sources(rngs)``, when given, returns
    one iterator of batch blocks per worker RNG, run in threads instead.
    """
    check_random_seed(seed)
    entropy = random.Random(seed).getrandbits(128)  # also fresh entropy for seed=None
    random.seed(seed)
    sampler = Sampler(dataset=dataset, generate_batch=generate_batch, num_process=num_process)
    sampler._seed_entropy = entropy
    sampler._sources = sources
    return sampler


def batches_per_block(dtype, batch_size, most=8):
    """Batches built per vectorised step: about ``BLOCK_BYTES``, between 1 and ``most``."""
    return int(min(most, max(1, BLOCK_BYTES // (np.dtype(dtype).itemsize * batch_size))))


def split(block, batch_size):
    """The consecutive ``batch_size``-row batches of a block built in one step."""
    return [block[i:i + batch_size] for i in range(0, len(block), batch_size)]


def grouped(items, flush):
    """Consecutive items in blocks of about ``BLOCK_BYTES``; a block also ends after an item
    for which ``flush(item)`` is true."""
    block, size = [], 0
    for item in items:
        block.append(item)
        size += 64 + sum(getattr(part, 'nbytes', 0) for part in item)
        if size >= BLOCK_BYTES or flush(item):
            yield block
            block, size = [], 0


def check_args(dataset, methods, seed, **sizes):
    """Check the data set, the seed and the sizes (positive ints, returned in keyword order)."""
    sizes = [check_positive_int(value, name) for name, value in sizes.items()]
    check_dataset(dataset, methods)
    check_random_seed(seed)
    return sizes


def check_item_vfeature(item_vfeature, dataset):
    """A 2-D array with a row per item id ``0..total_items-1``; returns its width D."""
    if not isinstance(item_vfeature, np.ndarray):
        raise ArgumentTypeError('item_vfeature must be a 2-D numpy array (a row of features per item '
                                'id), got %s' % type(item_vfeature).__name__)
    if item_vfeature.ndim != 2:
        raise ArgumentError('item_vfeature must be 2-D (items x features), got shape %s'
                            % (item_vfeature.shape,))
    if len(item_vfeature) < dataset.total_items():
        raise ArgumentError('item_vfeature has %d rows, fewer than total_items=%d of dataset %r'
                            % (len(item_vfeature), dataset.total_items(), dataset.name))
    return item_vfeature.shape[1]


def check_items_below(items, limit, dataset_name):
    """Item ids must index ``item_vfeature`` (``0 <= id < limit``)."""
    if len(items) and (items.min() < 0 or items.max() >= limit):
        bad = items[(items < 0) | (items >= limit)][0]
        raise ArgumentError('item id %d of dataset %r is outside item_vfeature (%d rows)'
                            % (bad, dataset_name, limit))


USER_FEATURES = ('user_gender', 'user_geo')


def required(value, name, expected):
    """``value``, unless it is None: the feature samplers need their features (the
    shared builders take None for "no features")."""
    if value is None:
        raise ArgumentTypeError('%s must be %s, got None' % (name, expected))
    return value


def user_feature_columns(user_feature, users):
    """``{field: int64 array}`` of ``user_feature[u][field]`` for each user of ``users``.

    Raises ``ValueError`` naming ``user_feature`` when a user's record is missing or
    lacks a field (the original's worker crashed there and hung).
    """
    if isinstance(user_feature, np.ndarray) and user_feature.dtype.names is not None:
        missing = [f for f in USER_FEATURES if f not in user_feature.dtype.names]
        if missing:
            raise ArgumentError('user_feature must have the fields %s; missing %s'
                                % (', '.join(USER_FEATURES), ', '.join(missing)))
        if len(users) and users.max() >= len(user_feature):
            raise ArgumentError('user_feature has %d rows; user %d has no row'
                                % (len(user_feature), users.max()))
        return {f: user_feature[f][users].astype(np.int64) for f in USER_FEATURES}
    columns = {f: np.zeros(len(users), dtype=np.int64) for f in USER_FEATURES}
    for k, user in enumerate(users.tolist()):
        try:
            record = user_feature[user]
            for f in USER_FEATURES:
                columns[f][k] = record[f]
        except Exception as exc:
            raise ArgumentError('user_feature[%d] must be a record with fields %s: %s: %s'
                                % (user, ', '.join(USER_FEATURES), type(exc).__name__, exc))
    return columns

"""TemporalSampler: next-item rows (a user's recent items -> the item that follows)."""
import random

import numpy as np

from openrec._checks import ArgumentError, check_bool
from openrec.tf1.utils.samplers import _common, _fast

_METHODS = ('total_users', 'get_positive_items')


def TemporalSampler(dataset, batch_size, max_seq_len, num_process=5, seed=100):
    """Batches of (item sequence, next item) rows drawn from users' time-ordered histories.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Training interactions, with ``sortby`` (e.g. a timestamp field).
    batch_size : int
        Rows per batch (B).
    max_seq_len : int
        Length L of the padded sequences.
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
        Bad arguments; ``ValueError`` (``sortby key is not specified.``) for a Dataset
        without ``sortby`` and when no user of ``0..total_users-1`` has two items (the
        original's workers crashed or looped forever).

    Notes
    -----
    Batch: exactly B rows of ``seq_item_id`` (int32, per-row shape (L,)), ``seq_len``,
    ``label`` (int32).

    Each row: a user drawn uniformly among the users of ``0..total_users-1`` with at
    least two items (whatever their history length), ``items =
    dataset.get_positive_items(user, sort=True)``, a position ``p`` uniform in
    ``1..len(items)-1``; ``seq_item_id`` is ``items[max(0, p-L):p]`` (oldest first)
    left-aligned and padded with zeros, ``seq_len`` its length (1..L), ``label`` =
    ``items[p]``. Padding uses id 0, also a real item: models mask with ``seq_len``.

    Workers: as for :func:`RandomPairwiseSampler`.
    """
    return sequences(dataset, batch_size, max_seq_len, num_process, seed, True, None)


def sequences(dataset, batch_size, max_seq_len, num_process, seed, sort, user_feature):
    """Temporal/YouTube training sampler; ``user_feature`` adds the two user fields."""
    batch_size, max_seq_len, num_process = _common.check_args(
        dataset, _METHODS, seed, batch_size=batch_size, max_seq_len=max_seq_len, num_process=num_process)
    sort = check_bool(sort, 'sort')
    dtype = sequence_dtype(max_seq_len, user_feature, label=True)

    def batch(dataset, batch_size=batch_size, max_seq_len=max_seq_len, user_feature=user_feature, sort=sort):
        while True:
            input_npy = np.zeros(batch_size, dtype=dtype)
            for ind in range(batch_size):
                user_id = random.randint(0, dataset.total_users() - 1)
                item_list = dataset.get_positive_items(user_id, sort=sort)
                while len(item_list) <= 1:
                    user_id = random.randint(0, dataset.total_users() - 1)
                    item_list = dataset.get_positive_items(user_id, sort=sort)
                predict_pos = random.randint(1, len(item_list) - 1)
                train_items = item_list[max(0, predict_pos - max_seq_len):predict_pos]
                pad_train_items = np.zeros(max_seq_len, np.int32)
                pad_train_items[:len(train_items)] = train_items
                row = (pad_train_items, len(train_items), item_list[predict_pos])
                if user_feature is not None:
                    row += (user_feature[user_id]['user_gender'], user_feature[user_id]['user_geo'])
                input_npy[ind] = row
            yield input_npy

    if not _common.is_plain(dataset, _METHODS):
        eligible = [u for u in range(dataset.total_users())
                    if len(dataset.get_positive_items(u, sort=sort)) >= 2]
        check_eligible(dataset, eligible)
        if user_feature is not None:
            _common.user_feature_columns(user_feature, np.array(eligible))
        return _common.builtin(dataset, batch, num_process, seed)
    check_sortby(dataset, sort)
    seqs = _fast.Sequences(dataset, sort)
    check_eligible(dataset, seqs.users)
    if user_feature is not None:
        _common.user_feature_columns(user_feature, seqs.users)
    per_block = _common.batches_per_block(dtype, batch_size)

    def source(rng, features):
        while True:
            drawn, seq, seq_len, label = seqs.draw(per_block * batch_size, max_seq_len, rng)
            block = np.empty(len(drawn), dtype=dtype)
            block['seq_item_id'] = seq
            block['seq_len'] = seq_len
            block['label'] = label
            for field, column in features.items():
                block[field] = column[drawn]
            yield _common.split(block, batch_size)

    def sources(rngs):
        features = {} if user_feature is None else _common.user_feature_columns(user_feature, seqs.users)
        return [source(rng, features) for rng in rngs]
    return _common.builtin(dataset, batch, num_process, seed, sources)


def sequence_dtype(max_seq_len, user_feature, label):
    fields = [('seq_item_id', np.int32, (max_seq_len,)), ('seq_len', np.int32)]
    fields += [('label', np.int32)] if label else []
    fields += [] if user_feature is None else [(f, np.int32) for f in _common.USER_FEATURES]
    return np.dtype(fields)


def check_sortby(dataset, sort):
    if sort and dataset._sortby is None:
        raise ArgumentError('sortby key is not specified. (dataset %r has no sortby field, needed to '
                            'order the histories)' % (dataset.name,))


def check_eligible(dataset, users):
    if len(users) == 0:
        raise ArgumentError('dataset %r: no user of 0..%d has two or more items, so no sequence can '
                            'be sampled' % (dataset.name, dataset.total_users() - 1))

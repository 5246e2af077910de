"""TemporalEvaluationSampler: each user's history -> its newest item, for next-item ranking."""
import numpy as np

from openrec._checks import check_bool
from openrec.tf1.utils.samplers import _common
from openrec.tf1.utils.samplers.temporal_sampler import check_sortby, sequence_dtype

_METHODS = ('warm_users', 'get_positive_items')


def TemporalEvaluationSampler(dataset, max_seq_len, seed=100):
    """The evaluation stream of the sequence recommenders: one row per user.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Evaluation interactions, with ``sortby``.
    max_seq_len : int
        Length L of the padded sequences.
    seed : None, int, float, str or bytes, optional
        Reseeds the caller's global ``random`` module; nothing is drawn.

    Returns
    -------
    Sampler
        A plain :class:`Sampler` with one worker.

    Raises
    ------
    TypeError, ValueError
        Bad arguments; ``ValueError`` (``sortby key is not specified.``) for a Dataset
        without ``sortby`` (the original's worker crashed and hung).

    Notes
    -----
    Stream: for each user of ``dataset.warm_users()`` with at least two items
    (``items = get_positive_items(user, sort=True)``; other users are skipped without a
    marker, so a pass may hold no user at all), one item ``([items[-1]], batch)``: the
    one-row ``batch`` has ``seq_item_id`` (int32, (L,)) = ``items[-L-1:-1]``, the at
    most L items before the newest, zero-padded, and ``seq_len`` (int32) their number;
    the positive is the **newest item** ``items[-1]`` (an item id, to be ranked in the
    model's score vector over all items). Then ``([], [])``; ``(None, None)`` ends a pass,
    and passes repeat for ever.

    Changed from the original (a decided fix): the original's positive was
    ``items[-2]``, the last item already inside the input sequence, not the item that
    follows it, which the training samplers teach the model to predict. Metrics of the
    sequence recommenders therefore differ from the original's.
    """
    return sequence_evaluation(dataset, max_seq_len, seed, True, None)


def sequence_evaluation(dataset, max_seq_len, seed, sort, user_feature):
    """Temporal/YouTube evaluation sampler; ``user_feature`` adds the two user fields."""
    (max_seq_len,) = _common.check_args(dataset, _METHODS, seed, max_seq_len=max_seq_len)
    sort = check_bool(sort, 'sort')
    if _common.is_plain(dataset, _METHODS):
        check_sortby(dataset, sort)
    if user_feature is not None:
        _common.user_feature_columns(user_feature, np.array(
            [u for u in dataset.warm_users() if len(dataset.get_positive_items(u, sort=sort)) >= 2],
            dtype=np.int64))
    dtype = sequence_dtype(max_seq_len, user_feature, label=False)

    def batch(dataset, max_seq_len=max_seq_len, user_feature=user_feature, sort=sort):
        while True:
            for user_id in dataset.warm_users():
                items = dataset.get_positive_items(user_id, sort=sort)
                if len(items) <= 1:
                    continue
                context = items[-max_seq_len - 1:-1]
                input_npy = np.zeros(1, dtype=dtype)
                input_npy['seq_item_id'][0, :len(context)] = context
                input_npy['seq_len'] = len(context)
                if user_feature is not None:
                    input_npy['user_gender'] = user_feature[user_id]['user_gender']
                    input_npy['user_geo'] = user_feature[user_id]['user_geo']
                yield [items[-1]], input_npy
                yield [], []
            yield None, None

    def sources(rngs):
        return [_common.grouped(batch(dataset), flush=lambda item: item[1] is None)]
    return _common.builtin(dataset, batch, 1, seed, sources)

"""YouTubeEvaluationSampler: TemporalEvaluationSampler rows plus the user's features."""
from openrec.tf1.utils.samplers._common import required
from openrec.tf1.utils.samplers.temporal_evaluation_sampler import sequence_evaluation


def YouTubeEvaluationSampler(dataset, max_seq_len, user_feature, seed=100, sort=True):
    """The :func:`TemporalEvaluationSampler` stream with two user features, for YouTubeRec.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Evaluation interactions (with ``sortby`` when ``sort`` is true).
    max_seq_len : int
        Length L of the padded sequences.
    user_feature : numpy.ndarray or indexable
        As for :func:`YouTubeSampler`.
    seed : None, int, float, str or bytes, optional
        Reseeds the caller's global ``random`` module.
    sort : bool, optional
        Order each history by ``sortby`` (True) or take the set order (False).

    Returns
    -------
    Sampler

    Raises
    ------
    TypeError, ValueError
        As :func:`TemporalEvaluationSampler`; also when ``user_feature`` lacks a record
        with both fields for an evaluated user.

    Notes
    -----
    Batches: ``seq_item_id`` (int32, (L,)), ``seq_len``, ``user_gender``, ``user_geo``
    (int32); the positive is the newest item ``items[-1]`` with input ``items[-L-1:-1]``
    (the original scored ``items[-2]``, an item inside the input; see
    :func:`TemporalEvaluationSampler`).
    """
    user_feature = required(user_feature, 'user_feature', 'a structured array (or mapping) of user records with fields user_gender and user_geo, indexed by user id')
    return sequence_evaluation(dataset, max_seq_len, seed, sort, user_feature)

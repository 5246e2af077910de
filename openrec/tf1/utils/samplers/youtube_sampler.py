"""YouTubeSampler: TemporalSampler rows plus the user's gender and geography."""
from openrec.tf1.utils.samplers._common import required
from openrec.tf1.utils.samplers.temporal_sampler import sequences


def YouTubeSampler(dataset, batch_size, max_seq_len, user_feature, num_process=5, seed=100, sort=True):
    """Batches of :func:`TemporalSampler` rows with two user features, for YouTubeRec.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Training interactions (with ``sortby`` when ``sort`` is true).
    batch_size : int
        Rows per batch (B).
    max_seq_len : int
        Length L of the padded sequences.
    user_feature : numpy.ndarray or indexable
        Indexed by user id, records with integer fields ``user_gender`` and ``user_geo``
        (the shipped data: a structured array, one row per user id).
    num_process : int, optional
        Number of workers.
    seed : None, int, float, str or bytes, optional
        As for :func:`RandomPairwiseSampler`.
    sort : bool, optional
        Order each history by ``sortby`` (True) or take the set order (False, no
        ``sortby`` needed).

    Returns
    -------
    Sampler

    Raises
    ------
    TypeError, ValueError
        As :func:`TemporalSampler`; also when ``user_feature`` has no record with both
        fields for a user that can be drawn.

    Notes
    -----
    Batch: ``seq_item_id`` (int32, (L,)), ``seq_len``, ``label``, ``user_gender``,
    ``user_geo`` (int32): the rows of :func:`TemporalSampler` built from
    ``get_positive_items(user, sort=sort)``, plus ``user_feature[user]['user_gender']`` and
    ``user_feature[user]['user_geo']``. The features are read when the workers start
    (``reset``).
    """
    user_feature = required(user_feature, 'user_feature', 'a structured array (or mapping) of user records with fields user_gender and user_geo, indexed by user id')
    return sequences(dataset, batch_size, max_seq_len, num_process, seed, sort, user_feature)

"""VBPRPairwiseSampler: pairwise rows with the two items' visual features."""
from openrec.tf1.utils.samplers._common import required
from openrec.tf1.utils.samplers.random_pairwise_sampler import pairwise


def VBPRPairwiseSampler(dataset, batch_size, item_vfeature, num_process=5, seed=100):
    """Pairwise batches with item features, for VBPR.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Training interactions.
    batch_size : int
        Rows per batch (B).
    item_vfeature : numpy.ndarray
        2-D array, one row of D features per item id; at least ``total_items`` rows (and
        a row for every item id of the data set).
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
        As :func:`RandomPairwiseSampler`; also ``item_vfeature`` not a 2-D array or with
        too few rows (the original failed inside its workers and hung).

    Notes
    -----
    Batch: ``user_id``, ``p_item_id``, ``n_item_id`` (int32), ``p_item_vfeature``,
    ``n_item_vfeature`` (float32, per-row shape (D,), also for D = 1): the rows of
    :func:`RandomPairwiseSampler` plus ``item_vfeature[p_item_id]`` and
    ``item_vfeature[n_item_id]``, cast to float32. The features are read where they are
    (not copied; the original's forked workers each had a copy-on-write snapshot), so a
    change made to ``item_vfeature`` during sampling shows in later batches.
    """
    item_vfeature = required(item_vfeature, 'item_vfeature', 'a 2-D numpy array (a row of features per item id)')
    return pairwise(dataset, batch_size, num_process, seed, item_vfeature)

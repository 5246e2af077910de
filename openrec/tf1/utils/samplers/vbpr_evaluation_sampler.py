"""VBPREvaluationSampler: EvaluationSampler rows with each item's visual features."""
from openrec.tf1.utils.samplers._common import required
from openrec.tf1.utils.samplers.evaluation_sampler import item_evaluation


def VBPREvaluationSampler(batch_size, dataset, item_vfeature, seed=100):
    """The :func:`EvaluationSampler` stream with item features.

    Parameters
    ----------
    batch_size : int
        Most rows per batch (B); first argument, as for :func:`EvaluationSampler`.
    dataset : openrec.tf1.utils.Dataset
        Evaluation interactions.
    item_vfeature : numpy.ndarray
        2-D array, one row of D features per item id; at least ``total_items`` rows.
    seed : None, int, float, str or bytes, optional
        Reseeds the caller's global ``random`` module.

    Returns
    -------
    Sampler

    Raises
    ------
    TypeError, ValueError
        Bad arguments, ``item_vfeature`` not 2-D or too short.

    Notes
    -----
    Batches: ``user_id``, ``item_id`` (int32) and ``item_vfeature`` (float32, per-row
    shape (D,)) = ``item_vfeature[item_id]``; walk, markers and the positions fix as
    :func:`EvaluationSampler`. Features are read when a batch is built.
    """
    item_vfeature = required(item_vfeature, 'item_vfeature', 'a 2-D numpy array (a row of features per item id)')
    return item_evaluation(batch_size, dataset, seed, item_vfeature)

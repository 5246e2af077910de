import numpy as np

from openrec.utils.evaluators.evaluator import Evaluator


class AUC(Evaluator):
    """Area under the ROC curve of one user's ranking.

    Parameters
    ----------
    name : str, optional
        Key of the metric in evaluation results.

    Notes
    -----
    ``AUC = (1/P) * sum_p (N - r_p) / N`` where ``r_p`` is the number of candidate
    negatives scored strictly above positive ``p`` (ties count in the positive's favour)
    and ``N`` the number of candidate negatives. ``N = 0`` or ``P = 0`` give ``nan`` with
    a numpy warning (kept from the original).
    """

    def __init__(self, name='AUC'):
        super(AUC, self).__init__(etype='rank', name=name)

    def compute(self, rank_above, negative_num):
        """Return the AUC (numpy float64 scalar).

        Parameters
        ----------
        rank_above : array_like
            ``r_p`` for each positive of one user.
        negative_num : int
            ``N``, the number of candidate negatives.
        """
        rank_above = np.asarray(rank_above, dtype=np.float64)
        return np.mean((negative_num - rank_above) / np.float64(negative_num))

import numpy as np

from openrec._checks import check_cutoffs
from openrec.utils.evaluators.evaluator import Evaluator


class Precision(Evaluator):
    """Precision at several cutoffs for one user.

    Parameters
    ----------
    precision_at : sequence of int
        Cutoffs ``K``, positive: Precision@k divides by ``k`` (floats compare as given).
    name : str, optional
        Key of the metric in evaluation results.

    Raises
    ------
    TypeError
        If ``precision_at`` is not a non-empty sequence of numbers, e.g. a bare int (the
        original failed later, in ``compute``).
    ValueError
        If a cutoff is not positive (the original computed nonsense, ``inf``
        for Precision@0).

    Notes
    -----
    ``Precision@k = #{p : r_p <= k} / k`` (``<=`` as in :class:`Recall`). Because
    positives never compete with each other, a user with more positives than ``k`` can
    reach ``P / k > 1`` (kept from the original; published numbers depend on it).
    ``P = 0`` gives 0.
    """

    def __init__(self, precision_at, name='Precision'):
        self._precision_at = check_cutoffs(precision_at, 'precision_at', allow_zero=False,
                                           why_positive='Precision@k divides by k')
        super(Precision, self).__init__(etype='rank', name=name)

    def compute(self, rank_above, negative_num):
        """Return a float64 array, one precision per cutoff.

        Parameters
        ----------
        rank_above : array_like
            ``r_p`` for each positive of one user.
        negative_num : int
            Unused.
        """
        del negative_num
        rank_above = np.asarray(rank_above, dtype=np.float64).reshape(-1)
        hits = (rank_above[:, None] <= self._precision_at[None, :]).sum(axis=0).astype(np.float64)
        return hits / self._precision_at

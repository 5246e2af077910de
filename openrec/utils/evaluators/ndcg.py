import numpy as np

from openrec._checks import check_cutoffs
from openrec.utils.evaluators.evaluator import Evaluator


class NDCG(Evaluator):
    """Normalised discounted cumulative gain at several cutoffs for one user.

    Parameters
    ----------
    ndcg_at : sequence of int
        Cutoffs ``K``, positive (floats compare as given).
    name : str, optional
        Key of the metric in evaluation results.

    Raises
    ------
    TypeError
        If ``ndcg_at`` is not a non-empty sequence of numbers, e.g. a bare int (the
        original failed later, in ``compute``).
    ValueError
        If a cutoff is not positive: the original computed nonsense for a negative one
        and 0 for ``k = 0`` (``r_p < 0`` never holds), whatever the ranking.

    Notes
    -----
    ``NDCG@k = sum_{p : r_p < k} 1 / log2(r_p + 2)  /  sum_{i=0}^{P-1} 1 / log2(i + 2)``.
    Kept from the original: the test is ``<`` (unlike Recall/Precision's ``<=``); each
    positive is discounted by its own ``r_p`` (positives do not push each other down) and
    the normaliser is the ideal DCG over **all** ``P`` positives, not truncated at ``k``.
    So NDCG@k can exceed 1 (three positives all with ``r = 0`` give about 1.41) and is
    not comparable with textbook NDCG. ``P = 0`` gives ``nan`` with a numpy warning.
    """

    def __init__(self, ndcg_at, name='NDCG'):
        self._ndcg_at = check_cutoffs(ndcg_at, 'ndcg_at', allow_zero=False,
                                     why_positive='NDCG@0 is always 0: no rank is below 0')
        super(NDCG, self).__init__(etype='rank', name=name)

    def compute(self, rank_above, negative_num):
        """Return a float64 array, one NDCG per cutoff.

        Parameters
        ----------
        rank_above : array_like
            ``r_p`` for each positive of one user.
        negative_num : int
            Unused.
        """
        del negative_num
        rank_above = np.asarray(rank_above, dtype=np.float64).reshape(-1)
        # running sums (cumsum) add in the original's loop order
        ideal = np.cumsum(1.0 / np.log2(np.arange(len(rank_above)) + 2.0))
        denominator = ideal[-1] if len(ideal) else 0.0
        gains = (1.0 / np.log2(rank_above + 2.0))[:, None] * (rank_above[:, None] < self._ndcg_at)
        dcg = np.cumsum(gains, axis=0)[-1] if len(rank_above) else np.zeros(len(self._ndcg_at))
        return dcg / np.float64(denominator)

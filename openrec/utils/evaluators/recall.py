import numpy as np

from openrec._checks import check_cutoffs
from openrec.utils.evaluators.evaluator import Evaluator


class Recall(Evaluator):
    """Recall at several cutoffs for one user.

    Parameters
    ----------
    recall_at : sequence of int
        Cutoffs ``K``, ``>= 0`` (floats compare as given). ``0`` is accepted, as in
        the original: Recall@0 is the fraction of positives with no negative scored
        above them (``r_p <= 0``).
    name : str, optional
        Key of the metric in evaluation results.

    Raises
    ------
    TypeError
        If ``recall_at`` is not a non-empty sequence of numbers, e.g. a bare int (the
        original failed later, in ``compute``).
    ValueError
        If a cutoff is negative (the original computed nonsense).

    Notes
    -----
    ``Recall@k = #{p : r_p <= k} / P``. The test is ``<=``, kept from the original: a
    positive with exactly ``k`` negatives above it (position ``k + 1``) counts, so
    Recall@k is really "within the top k + 1" (:class:`NDCG` uses ``<``). Positives never
    compete with each other. ``P = 0`` gives ``nan`` with a numpy warning.
    """

    def __init__(self, recall_at, name='Recall'):
        self._recall_at = check_cutoffs(recall_at, 'recall_at')
        super(Recall, self).__init__(etype='rank', name=name)

    def compute(self, rank_above, negative_num):
        """Return a float64 array, one recall per cutoff.

        Parameters
        ----------
        rank_above : array_like
            ``r_p`` for each positive of one user.
        negative_num : int
            Unused.
        """
        del negative_num
        rank_above = np.asarray(rank_above, dtype=np.float64).reshape(-1)
        hits = (rank_above[:, None] <= self._recall_at[None, :]).sum(axis=0).astype(np.float64)
        return hits / np.float64(len(rank_above))

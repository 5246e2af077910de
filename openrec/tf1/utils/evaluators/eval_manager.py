"""``EvalManager``: rank-based evaluation of one user's scores (OpenRec 0.2)."""
import numpy as np

from openrec._checks import ArgumentError
from openrec.utils.evaluators.implicit_eval_manager import ImplicitEvalManager


def _exclusions(pos_samples, excl_pos_samples):
    """Positives as the original indexed them, and the ids that never compete.

    The original ranked ``predictions[np.array(pos_samples, dtype=np.int32)]`` against the
    ids outside ``set(excl_pos_samples) | set(<those int32 positives>)`` and took
    ``N = L - len(excl_pos_samples) - len(pos_samples)``. Listing the exclusions and the
    positives one after the other gives the 0.1 manager exactly that candidate set and
    that ``N`` (it subtracts the length of the list).
    """
    pos = np.array(pos_samples, dtype=np.int32)
    return pos, list(excl_pos_samples) + pos.ravel().tolist()


class EvalManager(ImplicitEvalManager):
    """Rank-based evaluation of implicit-feedback scores, one user at a time (OpenRec 0.2).

    Parameters
    ----------
    evaluators : list of Evaluator, optional
        The metrics, kept as attribute ``evaluators`` (the list itself). Results are dicts
        ``{evaluator.name: result}`` over those with ``etype == 'rank'``, in list order
        (equal names: the last one wins).

    Raises
    ------
    TypeError
        If ``evaluators`` is not a list/tuple of objects with ``etype`` and ``name``.

    Notes
    -----

    Differs from the 0.1 :class:`~openrec.utils.evaluators.ImplicitEvalManager` (of which
    it reuses the counting code) only in :meth:`full_eval`: positives never compete with
    each other and are subtracted from ``N``. :meth:`partial_eval` is the same.

    ``r_p`` counts candidates scored **strictly** higher than positive ``p``: ties count
    in the positive's favour, NaN scores never count as higher and a NaN positive gets
    ``r_p = 0``. Kept from the original (Q49): duplicate positives are ranked (and
    subtracted from ``N``) once per occurrence, and an id that is both positive and
    excluded is subtracted twice, so ``N`` can be smaller than the number of candidates
    and Precision/NDCG can exceed 1.

    Port change (Q50): inputs are converted with ``np.asarray`` (the original needed an
    ndarray for ``predictions``) and the counting is vectorised, with the same results
    as the original's O(L * P) Python loops.
    """

    def full_eval(self, pos_samples, excl_pos_samples, predictions):
        """Rank one user's positives against every other scored item.

        Parameters
        ----------
        pos_samples : sequence of int
            Positions of the positives in ``predictions`` (cast to int32; duplicates are
            ranked once per occurrence; negative positions index from the end, as numpy
            does, but then never leave the candidates).
        excl_pos_samples : iterable of int
            Positions that never compete (the trainer passes ``[]``).
        predictions : array_like
            The user's 1-D scores, length ``L``.

        Returns
        -------
        dict
            ``{name: result}`` of the rank evaluators, computed from ``r_p`` (candidates
            scored strictly above positive ``p``) and
            ``N = L - len(excl_pos_samples) - len(pos_samples)``.

        Raises
        ------
        IndexError
            If a positive position is ``>= L`` (or ``< -L``).

        Notes
        -----
        Candidates are the positions ``j`` in ``[0, L)`` that are neither excluded nor
        positive. Worked example (from the original):
        ``predictions = [0.9, 0.1, 0.5, 0.5, 0.3, 0.95, 0.2]``, positives ``[0, 2]``:
        ``r = [1, 1]``, ``N = 5``, AUC 0.8, Recall@[1, 3] ``[1, 1]``,
        Precision@[1, 3] ``[2, 0.667]``, NDCG@[1, 3] ``[0, 0.7737]``.
        """
        pos, excl = _exclusions(pos_samples, excl_pos_samples)
        return super(EvalManager, self).full_eval(pos, excl, predictions)

    def full_eval_batch(self, pos_samples_list, excl_pos_samples_list, predictions):
        """:meth:`full_eval` for many users at once (port addition, used by ``ModelTrainer``).

        Entry ``i`` of the three sequences holds user ``i``'s positives, exclusions and
        1-D scores (score lengths may differ; a 2-D array is a sequence of rows). Returns
        the list of the users' :meth:`full_eval` dicts, in order and identical to calling
        it user by user: users whose scores share length and floating dtype are ranked
        together as one matrix. ``ValueError`` if the sequences differ in length.
        """
        rows = [np.asarray(row).ravel() for row in predictions]
        if not len(rows) == len(pos_samples_list) == len(excl_pos_samples_list):
            raise ArgumentError('pos_samples_list, excl_pos_samples_list and predictions must '
                                'hold one entry per user; got %d, %d and %d entries' % (
                                    len(pos_samples_list), len(excl_pos_samples_list),
                                    len(rows)))
        results = [None] * len(rows)
        groups = {}
        for i, row in enumerate(rows):
            if np.issubdtype(row.dtype, np.floating):
                groups.setdefault((len(row), row.dtype), []).append(i)
            else:  # compared in their own dtype (a float matrix could round large ints)
                results[i] = self.full_eval(pos_samples_list[i], excl_pos_samples_list[i], row)
        for users in groups.values():
            pos, excl = zip(*[_exclusions(pos_samples_list[i], excl_pos_samples_list[i])
                              for i in users])
            batch = super(EvalManager, self).full_eval_batch(
                pos, excl, np.stack([rows[i] for i in users]))
            for i, result in zip(users, batch):
                results[i] = result
        return results

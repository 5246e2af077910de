import numpy as np

from openrec._checks import ArgumentError, ArgumentTypeError, check_list

# Above this many comparisons per call, sorting the candidates is cheaper than
# comparing every positive with every candidate.
_DIRECT_COMPARISONS = 1 << 22
_BLOCK_ELEMENTS = 1 << 22
# full_eval_batch compares directly while positives <= factor * users * log2(items),
# else sorts each row (cost ~ users * items * log2(items)).
_SORT_FACTOR = 2.0


def _count_higher(candidates, queries):
    """``#{c in candidates : c > q}`` for each query (NaN never counts, as ``>`` says)."""
    candidates = np.asarray(candidates).ravel()
    queries = np.asarray(queries).ravel()
    if len(queries) * len(candidates) <= _DIRECT_COMPARISONS:
        return (candidates[None, :] > queries[:, None]).sum(axis=1)
    if np.issubdtype(candidates.dtype, np.floating):
        candidates = candidates[~np.isnan(candidates)]
    ordered = np.sort(candidates)
    counts = len(ordered) - np.searchsorted(ordered, queries, side='right')
    if np.issubdtype(queries.dtype, np.floating):
        counts[np.isnan(queries)] = 0
    return counts


class PositiveIdError(ArgumentError, IndexError):
    """A positive item id outside the score vector (an ``IndexError``, as in the original)."""

    __str__ = BaseException.__str__


def _positive_ids(pos_samples, length, name='pos_samples'):
    """``pos_samples`` as int32 positions that index ``predictions``: ``[-length, length)``.

    Negative positions count from the end, as numpy (and the original, and the 0.2
    ``EvalManager`` built on this class) index; a position outside raises an error
    naming the argument instead of numpy's bare IndexError.
    """
    ids = np.array(pos_samples, dtype=np.int32).ravel()
    if ids.size and (ids.min() < -length or ids.max() >= length):
        bad = ids[(ids < -length) | (ids >= length)][0]
        raise PositiveIdError('%s holds item id %d outside [-%d, %d), the positions of '
                              'predictions' % (name, bad, length, length))
    return ids


def _excluded_ids(excl_pos_samples, length):
    """Distinct integer ids of ``excl_pos_samples`` that fall in ``[0, length)``."""
    ids = np.asarray(list(excl_pos_samples) if not isinstance(excl_pos_samples, np.ndarray)
                     else excl_pos_samples).ravel()
    if ids.size == 0:
        return np.zeros(0, dtype=np.int64)
    ids = ids[(ids >= 0) & (ids < length) & (ids == np.floor(ids))]
    return np.unique(ids.astype(np.int64))


class ImplicitEvalManager(object):
    """Rank-based evaluation of implicit-feedback predictions, one user at a time.

    Parameters
    ----------
    evaluators : list of Evaluator, optional
        Metrics to compute; only those with ``etype == 'rank'`` are used.

    Attributes
    ----------
    evaluators : list
        The list as given.

    Notes
    -----
    Results are dicts ``{evaluator.name: result}`` in evaluator order (equal names:
    the last one wins). Non-rank evaluators are silently skipped.

    ``r_p`` counts candidates scored **strictly** higher than positive ``p`` (ties count
    in the positive's favour; NaN scores never count as higher). The original counted
    with pure-Python double loops; the port compares or sorts with numpy and gives the
    same counts.
    """

    def __init__(self, evaluators=[]):
        check_list(evaluators, 'evaluators')
        for i, evaluator in enumerate(evaluators):
            if not hasattr(evaluator, 'etype') or not hasattr(evaluator, 'name'):
                raise ArgumentTypeError('evaluators[%d] must be an Evaluator (with etype and name), '
                                'got %r' % (i, evaluator))
        self.evaluators = evaluators

    def _compute(self, rank_above, negative_num):
        results = {}
        for evaluator in self.evaluators:
            if evaluator.etype == 'rank':
                results[evaluator.name] = evaluator.compute(rank_above=rank_above,
                                                            negative_num=negative_num)
        return results

    @staticmethod
    def _full_rank(pos_samples, excl_pos_samples, predictions):
        predictions = np.asarray(predictions).ravel()
        pos_scores = predictions[_positive_ids(pos_samples, len(predictions))]
        candidates = np.ones(len(predictions), dtype=bool)
        candidates[_excluded_ids(excl_pos_samples, len(predictions))] = False
        rank_above = _count_higher(predictions[candidates], pos_scores).astype(np.float64)
        return rank_above, len(predictions) - len(excl_pos_samples)

    def full_eval(self, pos_samples, excl_pos_samples, predictions):
        """Evaluate one user against every item that is not excluded.

        Parameters
        ----------
        pos_samples : sequence of int
            The user's positive item ids (cast to int32).
        excl_pos_samples : collection of int
            Item ids that never compete (normally every known positive of the user).
        predictions : array_like
            1-D scores indexed by item id (length ``L``).

        Returns
        -------
        dict
            ``{name: result}`` of the rank evaluators.

        Raises
        ------
        IndexError
            If a positive id is outside ``[-L, L)`` (also a ``ValueError`` naming the
            argument). Negative ids index from the end, as in the original.

        Notes
        -----
        Candidates are the ids of ``[0, L)`` not in ``excl_pos_samples``;
        ``N = L - len(excl_pos_samples)`` (as in the original, it equals the number of
        candidates only when every excluded id is below ``L``). A positive missing from
        the excluded set competes with the other positives.
        """
        rank_above, negative_num = self._full_rank(pos_samples, excl_pos_samples, predictions)
        return self._compute(rank_above, negative_num)

    def full_eval_batch(self, pos_samples_list, excl_pos_samples_list, predictions):
        """:meth:`full_eval` for a chunk of users at once (port addition).

        Parameters
        ----------
        pos_samples_list : sequence of sequences of int
            Positives of each user.
        excl_pos_samples_list : sequence of collections of int
            Excluded ids of each user.
        predictions : array_like
            ``(n_users, L)`` score matrix, row ``i`` for user ``i``.

        Returns
        -------
        list of dict
            One :meth:`full_eval` result per user, identical to calling it row by row.

        Raises
        ------
        ValueError
            If the lists and the matrix disagree on the number of users.
        IndexError
            As :meth:`full_eval` (also a ``ValueError``).
        """
        predictions = np.asarray(predictions)
        if predictions.ndim != 2 or len(predictions) != len(pos_samples_list) \
                or len(excl_pos_samples_list) != len(pos_samples_list):
            raise ArgumentError('predictions must be a (n_users, n_items) matrix with one row '
                                'per entry of pos_samples_list and excl_pos_samples_list; got '
                                'shape %s for %d and %d users' % (
                                    predictions.shape, len(pos_samples_list),
                                    len(excl_pos_samples_list)))
        n_users, length = predictions.shape
        pos = [np.array(p, dtype=np.int32).ravel() for p in pos_samples_list]
        pos_rows = np.repeat(np.arange(n_users), [len(p) for p in pos])
        pos_ids = np.concatenate(pos) if pos else np.zeros(0, np.int32)
        if pos_ids.size and (pos_ids.min() < -length or pos_ids.max() >= length):
            for i, p in enumerate(pos):
                _positive_ids(p, length, 'pos_samples_list[%d]' % i)
        pos_scores = predictions[pos_rows, pos_ids]
        excl = [_excluded_ids(e, length) for e in excl_pos_samples_list]
        # Masked candidates: excluded ids and NaN scores become -inf, which is never
        # strictly higher than any positive score, so every row keeps length L.
        masked = predictions.astype(np.result_type(predictions.dtype, np.float32), copy=True)
        if np.issubdtype(masked.dtype, np.floating):
            masked[np.isnan(masked)] = -np.inf
        masked[np.repeat(np.arange(n_users), [len(e) for e in excl]),
               np.concatenate(excl) if excl else np.zeros(0, np.int64)] = -np.inf
        counts = np.zeros(len(pos_ids), dtype=np.int64)
        if len(pos_ids):
            if len(pos_ids) <= _SORT_FACTOR * n_users * max(np.log2(length), 1.0):
                block = max(1, _BLOCK_ELEMENTS // max(length, 1))
                for start in range(0, len(pos_ids), block):
                    stop = start + block
                    counts[start:stop] = (masked[pos_rows[start:stop]]
                                          > pos_scores[start:stop, None]).sum(axis=1)
            else:
                ordered = np.sort(masked, axis=1)
                offsets = np.r_[0, np.cumsum([len(p) for p in pos])]
                for row in range(n_users):
                    lo, hi = offsets[row], offsets[row + 1]
                    if hi > lo:
                        counts[lo:hi] = length - np.searchsorted(ordered[row], pos_scores[lo:hi],
                                                                 side='right')
            if np.issubdtype(pos_scores.dtype, np.floating):
                counts[np.isnan(pos_scores)] = 0
        offsets = np.r_[0, np.cumsum([len(p) for p in pos])]
        return [self._compute(counts[offsets[i]:offsets[i + 1]].astype(np.float64),
                              length - len(excl_pos_samples_list[i]))
                for i in range(n_users)]

    def partial_eval(self, pos_scores, neg_scores):
        """Evaluate one user's positives against sampled negatives.

        Parameters
        ----------
        pos_scores : array_like
            Scores of the positives.
        neg_scores : array_like
            Scores of the sampled negatives (``N = len(neg_scores)``).

        Returns
        -------
        dict
            ``{name: result}`` of the rank evaluators.
        """
        neg_scores = np.asarray(neg_scores).ravel()
        rank_above = _count_higher(neg_scores, np.asarray(pos_scores).ravel()).astype(np.float64)
        return self._compute(rank_above, len(neg_scores))

"""Evaluators and ImplicitEvalManager (utils spec section 6, Q8, Q10)."""
import re

import numpy as np
import pytest

import openrec.utils.evaluators.implicit_eval_manager as iem
from openrec.utils.evaluators import (AUC, MSE, NDCG, Evaluator, ImplicitEvalManager, Precision,
                                      Recall)

LOG2 = np.log2


# ---- literal transcriptions of the original pure-Python code (reference) -------------------

def ref_full_rank(pos_samples, excl_pos_samples, predictions):
    pos_samples = np.array(pos_samples, dtype=np.int32)
    pos_predictions = predictions[pos_samples]
    excl = set(excl_pos_samples)
    rank_above = np.zeros(len(pos_samples))
    for ind in range(len(predictions)):
        if ind not in excl:
            for pos_ind in range(len(pos_samples)):
                if pos_predictions[pos_ind] < predictions[ind]:
                    rank_above[pos_ind] += 1
    return rank_above, len(predictions) - len(excl_pos_samples)


def ref_partial_rank(pos_scores, neg_scores):
    rank_above = np.zeros(len(pos_scores))
    for pos_ind in range(len(pos_scores)):
        for neg in neg_scores:
            if pos_scores[pos_ind] < neg:
                rank_above[pos_ind] += 1
    return rank_above, len(neg_scores)


def ref_metrics(rank_above, n, ks):
    auc = np.mean([(n - r) / n for r in rank_above])
    recall = np.array([sum(r <= k for r in rank_above) / len(rank_above) for k in ks])
    precision = np.array([sum(r <= k for r in rank_above) / k for k in ks])
    ideal = sum(1 / LOG2(i + 2) for i in range(len(rank_above)))
    ndcg = np.array([sum(1 / LOG2(r + 2) for r in rank_above if r < k) / ideal for k in ks])
    return {'AUC': auc, 'Recall': recall, 'Precision': precision, 'NDCG': ndcg}


KS = [1, 3, 10]


def manager():
    return ImplicitEvalManager([AUC(), Recall(KS), Precision(KS), NDCG(KS), MSE()])


def assert_results(got, want):
    assert list(got) == ['AUC', 'Recall', 'Precision', 'NDCG']  # evaluator order, MSE skipped
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12)


# ---- metric definitions on hand-computed cases ---------------------------------------------

def test_auc():
    assert AUC().compute(rank_above=np.array([0., 2.]), negative_num=4) == pytest.approx(0.75)
    assert isinstance(AUC().compute(np.array([1.]), 4), np.float64)
    assert AUC().etype == 'rank' and AUC().name == 'AUC' and AUC(name='a').name == 'a'


def test_recall_precision_use_le_and_ndcg_uses_lt():
    r = np.array([0., 1., 3.])
    np.testing.assert_allclose(Recall([0, 1, 3]).compute(r, 100), [1 / 3, 2 / 3, 1.0])
    np.testing.assert_allclose(Precision([1, 3]).compute(r, 100), [2 / 1, 3 / 3])
    # a positive with exactly k negatives above it counts for Recall@k, not for NDCG@k
    assert Recall([2]).compute(np.array([2.]), 5).tolist() == [1.0]
    assert NDCG([2]).compute(np.array([2.]), 5).tolist() == [0.0]
    np.testing.assert_allclose(NDCG([3]).compute(np.array([2.]), 5), [1 / LOG2(4)])
    # normaliser = ideal DCG over all P positives, not truncated at k
    np.testing.assert_allclose(NDCG([1, 5]).compute(np.array([0., 4.]), 9),
                               np.array([1.0, 1.0 + 1 / LOG2(6)]) / (1.0 + 1 / LOG2(3)))
    assert Recall([5]).compute(r, 3).dtype == np.float64


def test_precision_and_ndcg_can_exceed_one():
    r = np.zeros(3)
    assert Precision([1]).compute(r, 10).tolist() == [3.0]
    ndcg = NDCG([1]).compute(r, 10)
    np.testing.assert_allclose(ndcg, [3 / (1 + 1 / LOG2(3) + 1 / LOG2(4))])
    assert ndcg[0] == pytest.approx(1.4079, abs=1e-4)


def test_degenerate_cases_warn_not_raise():
    with pytest.warns(RuntimeWarning):
        assert np.isnan(AUC().compute(np.array([0.]), 0))  # N = 0
    empty = np.array([])
    with pytest.warns(RuntimeWarning):
        assert np.isnan(AUC().compute(empty, 5))
    with pytest.warns(RuntimeWarning):
        assert np.isnan(Recall([1]).compute(empty, 5)).all()
    with pytest.warns(RuntimeWarning):
        assert np.isnan(NDCG([1]).compute(empty, 5)).all()
    assert Precision([1, 2]).compute(empty, 5).tolist() == [0.0, 0.0]
    # issue 9: Precision@0 (the original's inf) is now rejected at construction
    with pytest.raises(ValueError, match=r'^precision_at must hold positive cutoffs k > 0 '
                       r'\(Precision@k divides by k\), got 0 in \[0\]$'):
        Precision([0])


def test_mse_and_base():
    out = MSE().compute(predictions=np.array([1., 2., 4.]), labels=np.array([1., 0., 1.]))
    assert out.tolist() == [0.0, 4.0, 9.0] and MSE().etype == 'regression'
    base = Evaluator(etype='rank', name='x')
    assert (base.etype, base.name, base.compute()) == ('rank', 'x', None)


@pytest.mark.parametrize('cls', [Recall, Precision, NDCG])
def test_cutoffs_validated_at_construction(cls):
    with pytest.raises(TypeError, match='must be a sequence of numbers'):
        cls(10)
    for bad in ([], [[5]], ['5'], [True]):
        with pytest.raises(TypeError, match='non-empty 1-D sequence of numbers'):
            cls(bad)
    assert cls((5, 10)).compute(np.array([7.]), 20).shape == (2,)
    # float cutoffs compare like the original's
    np.testing.assert_array_equal(cls([10.0]).compute(np.array([7.]), 20),
                                  cls([10]).compute(np.array([7.]), 20))
    # issue 9 (spec Q48): negative cutoffs, and 0 for Precision (which divides by k) and
    # NDCG (always 0), raise ValueError naming the argument, the bound and the value
    arg = {Recall: 'recall_at', Precision: 'precision_at', NDCG: 'ndcg_at'}[cls]
    bound = {Recall: r'cutoffs k >= 0 \(numbers, e.g. \[10, 50\]\)',
             Precision: r'positive cutoffs k > 0 \(Precision@k divides by k\)',
             NDCG: r'positive cutoffs k > 0 \(NDCG@0 is always 0: no rank is below 0\)'}[cls]
    bad_values = [([-1], '-1'), ([5, -0.5], '-0.5'), ([np.nan], 'nan'), (np.array([10, -3]), '-3')]
    if cls is Recall:  # 0 stays accepted: Recall@0 is the share of positives ranked first
        assert cls([0, 5]).compute(np.array([0., 1., 0., 3.]), 20).tolist() == [0.5, 1.0]
    else:
        bad_values += [([0], '0'), ([5, 0.0], '0.0')]
    for bad, shown in bad_values:
        with pytest.raises(ValueError, match=r'^%s must hold %s, got %s in %s$'
                           % (arg, bound, shown, re.escape(repr(bad)))):
            cls(bad)
    with pytest.raises(ValueError, match=arg):
        cls(**{arg: [-1]})   # as the NDCG(ndcg_at=[-1])
    assert cls([0.5, 1]).compute(np.array([0.]), 20).shape == (2,)


def test_evaluator_argument_types():
    with pytest.raises(TypeError, match='name must be a str'):
        AUC(name=None)
    with pytest.raises(TypeError, match='evaluators must be a list'):
        ImplicitEvalManager(AUC())
    with pytest.raises(TypeError, match=r'evaluators\[1\] must be an Evaluator'):
        ImplicitEvalManager([AUC(), 'Recall'])


# ---- ImplicitEvalManager ------------------------------------------------------------------

def test_full_eval_semantics():
    m = manager()
    preds = np.array([0.5, 0.9, 0.5, 0.1, 0.7, 0.2])
    # positives 0 (score .5) and 4 (.7); excluded {0, 4, 9}: 9 is >= L but still lowers N
    got = m.full_eval(pos_samples=[0, 4], excl_pos_samples={0, 4, 9}, predictions=preds)
    # candidates 1,2,3,5 -> scores .9 .5 .1 .2 ; item 0: only .9 strictly higher (tie with .5 not)
    assert_results(got, ref_metrics([1., 1.], 6 - 3, KS))
    # a positive missing from the exclusion set competes with the other positives
    got = m.full_eval([0, 4], [0], preds)  # item 4 (.7) beats positive 0 (.5)
    assert_results(got, ref_metrics([2., 1.], 5, KS))
    with pytest.raises(IndexError):
        m.full_eval([6], [6], preds)
    # issue 9 audit: the error names the argument; negative positions index from the end,
    # as numpy (and the original) does
    for bad in (6, -7):
        with pytest.raises(ValueError, match=r'pos_samples holds item id %d outside \[-6, 6\), '
                                             r'the positions of predictions' % bad):
            m.full_eval([0, bad], [0, bad], preds)
    with pytest.raises(IndexError, match=r'pos_samples_list\[1\] holds item id -9 outside'):
        m.full_eval_batch([[0], [1, -9]], [[0], [1]], np.stack([preds, preds]))
    assert_results(m.full_eval([-6, -2], [0, 4], preds), m.full_eval([0, 4], [0, 4], preds))


def test_nan_never_counts_as_higher():
    preds = np.array([0.3, np.nan, 0.9, np.nan])
    rank, n = ImplicitEvalManager._full_rank([0, 1], [], preds)
    assert rank.tolist() == [1.0, 0.0] and n == 4
    got = ImplicitEvalManager([AUC()]).partial_eval([0.3, np.nan], [np.nan, 0.9, 0.1])
    np.testing.assert_allclose(got['AUC'], np.mean([(3 - 1) / 3, 3 / 3]))


def test_results_dict_order_and_duplicate_names():
    m = ImplicitEvalManager([Recall([1], name='x'), MSE(), AUC(name='x'), AUC()])
    got = m.partial_eval([0.5], [0.9, 0.1])
    assert list(got) == ['x', 'AUC'] and got['x'] == pytest.approx(0.5)  # last 'x' wins


@pytest.mark.parametrize('path', ['direct', 'sort'])
def test_vectorised_equals_original_loops(monkeypatch, path):
    monkeypatch.setattr(iem, '_DIRECT_COMPARISONS', 1 << 40 if path == 'direct' else 0)
    monkeypatch.setattr(iem, '_SORT_FACTOR', 1e9 if path == 'direct' else 0.0)
    rng = np.random.default_rng(1)
    m = manager()
    n_users, n_items = 12, 60
    # coarse scores: many ties; some NaN
    scores = rng.integers(0, 8, size=(n_users, n_items)).astype(np.float32)
    scores[rng.random(scores.shape) < 0.03] = np.nan
    pos_lists, excl_lists = [], []
    for u in range(n_users):
        pos = rng.choice(n_items, rng.integers(1, 6), replace=False)
        extra = rng.choice(n_items + 5, rng.integers(0, 10), replace=False)  # some ids >= L
        excl = set(pos[:-1].tolist()) | set(extra.tolist()) if u % 3 else set(extra.tolist())
        pos_lists.append(list(pos))
        excl_lists.append(excl)
        want = ref_metrics(*ref_full_rank(pos, excl, scores[u]), KS)
        assert_results(m.full_eval(pos, excl, scores[u]), want)
        neg = scores[u, :20]
        assert_results(m.partial_eval(scores[u, 20:20 + len(pos)], neg),
                       ref_metrics(*ref_partial_rank(scores[u, 20:20 + len(pos)], neg), KS))
    batch = m.full_eval_batch(pos_lists, excl_lists, scores)
    for u in range(n_users):
        assert_results(batch[u], ref_metrics(*ref_full_rank(pos_lists[u], excl_lists[u],
                                                            scores[u]), KS))


def test_full_eval_batch_shape_check():
    with pytest.raises(ValueError, match=r'predictions must be a \(n_users, n_items\) matrix'):
        manager().full_eval_batch([[0]], [[0]], np.zeros((2, 3)))

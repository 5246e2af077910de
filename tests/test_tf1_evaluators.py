"""OpenRec 0.2 evaluators and EvalManager (tf1_core spec section 7, Q48-Q50)."""
import importlib
import warnings

import numpy as np
import pytest

import openrec.tf1.utils.evaluators as ev
import openrec.utils.evaluators as ev01
from openrec.tf1.utils.evaluators import (AUC, MSE, NDCG, EvalManager, Evaluator, Precision,
                                          Recall)
from test_utils_evaluators import ref_partial_rank   # 0.2's partial_eval is 0.1's

LOG2 = np.log2


# ---- literal transcriptions of the original 0.2 pure-Python code (reference) ---------------

def ref_full_rank(pos_samples, excl_pos_samples, predictions):
    """The original's loops: 0.1's, except that positives neither compete nor count in N."""
    pos_samples = np.array(pos_samples, dtype=np.int32)
    skip = set(excl_pos_samples) | set(pos_samples)
    rank_above = [sum(1 for ind in range(len(predictions))
                      if ind not in skip and predictions[pos] < predictions[ind])
                  for pos in pos_samples]
    return (np.array(rank_above, dtype=np.float64),
            len(predictions) - len(excl_pos_samples) - len(pos_samples))


KS = [1, 3, 10]
EVALUATORS = [AUC(), Recall(KS), Precision(KS), NDCG(KS), MSE()]


def manager():
    return EvalManager(EVALUATORS)


def expected(rank_above, negative_num):
    """What the original computed from its ranks: the rank evaluators, in order."""
    return {e.name: e.compute(rank_above, negative_num) for e in EVALUATORS if e.etype == 'rank'}


def assert_identical(got, want):
    assert list(got) == list(want)
    for key in want:
        assert np.asarray(got[key]).dtype == np.asarray(want[key]).dtype
        np.testing.assert_array_equal(got[key], want[key])


# ---- package layout ------------------------------------------------------------------------

def test_exports_in_original_order():
    assert ev.__all__ == ['Evaluator', 'AUC', 'Recall', 'EvalManager', 'MSE', 'NDCG',
                          'Precision']
    public = [name for name in vars(ev) if not name.startswith('_')
              and name[0].isupper()]
    assert public == ev.__all__


@pytest.mark.parametrize('module,name', [('evaluator', 'Evaluator'), ('auc', 'AUC'),
                                         ('recall', 'Recall'), ('precision', 'Precision'),
                                         ('ndcg', 'NDCG'), ('mse', 'MSE')])
def test_metric_classes_are_the_01_classes(module, name):
    sub = importlib.import_module('openrec.tf1.utils.evaluators.' + module)
    assert getattr(sub, name) is getattr(ev, name) is getattr(ev01, name)


def test_eval_manager_submodule():
    sub = importlib.import_module('openrec.tf1.utils.evaluators.eval_manager')
    assert sub.EvalManager is EvalManager
    assert EvalManager is not ev01.ImplicitEvalManager
    assert EvalManager().evaluators == []
    evaluators = [AUC()]
    assert EvalManager(evaluators=evaluators).evaluators is evaluators


def test_signatures():
    import inspect
    assert str(inspect.signature(EvalManager)) == '(evaluators=[])'
    assert str(inspect.signature(EvalManager.full_eval)) == \
        '(self, pos_samples, excl_pos_samples, predictions)'
    assert str(inspect.signature(EvalManager.partial_eval)) == '(self, pos_scores, neg_scores)'
    assert str(inspect.signature(AUC)) == "(name='AUC')"
    assert str(inspect.signature(Recall)) == "(recall_at, name='Recall')"
    assert str(inspect.signature(Precision)) == "(precision_at, name='Precision')"
    assert str(inspect.signature(NDCG)) == "(ndcg_at, name='NDCG')"
    assert str(inspect.signature(MSE)) == "(name='MSE')"
    assert str(inspect.signature(Evaluator)) == '(etype, name)'


# ---- metrics through the 0.2 paths ---------------------------------------------------------

def test_metric_values_and_types():
    assert Evaluator('rank', 'x').compute() is None
    assert (AUC().etype, Recall([1]).etype, MSE().etype) == ('rank', 'rank', 'regression')
    auc = AUC().compute(np.array([0., 2.]), 4)
    assert isinstance(auc, np.float64) and auc == 0.75
    r = np.array([0., 1., 3.])
    np.testing.assert_array_equal(Recall([0, 1, 3]).compute(r, 100), [1 / 3, 2 / 3, 1.0])
    np.testing.assert_array_equal(Precision([1, 3]).compute(r, 100), [2.0, 1.0])
    assert Recall([2]).compute(np.array([2.]), 5).tolist() == [1.0]  # r <= k
    assert NDCG([2]).compute(np.array([2.]), 5).tolist() == [0.0]    # r < k
    np.testing.assert_array_equal(MSE().compute(np.array([1., 3.]), np.array([2., 1.])),
                                  [1.0, 4.0])


def test_ndcg_and_precision_exceed_one():
    # three positives all at r = 0: NDCG@1 = 3 / (1 + 1/log2(3) + 1/2) ~ 1.4078
    ndcg = NDCG([1]).compute(np.zeros(3), 5)
    assert ndcg[0] == pytest.approx(1.4078, abs=1e-4)
    assert ndcg[0] == 3 / (1 + 1 / LOG2(3) + 1 / LOG2(4))
    assert Precision([1, 2]).compute(np.zeros(3), 5).tolist() == [3.0, 1.5]


def test_degenerate_users():
    with np.errstate(all='ignore'), pytest.warns(RuntimeWarning):
        assert np.isnan(AUC().compute(np.zeros(0), 5))
    with np.errstate(all='ignore'):
        assert np.isnan(AUC().compute(np.zeros(1), 0))
        assert np.isnan(Recall([1]).compute(np.zeros(0), 5)).all()
        assert np.isnan(NDCG([1]).compute(np.zeros(0), 5)).all()
    assert Precision([1]).compute(np.zeros(0), 5).tolist() == [0.0]


def test_bare_int_cutoff_rejected_at_construction():
    for cls in (Recall, Precision, NDCG):
        with pytest.raises(TypeError, match='sequence'):
            cls(5)


# ---- EvalManager.full_eval -----------------------------------------------------------------

def test_worked_example():
    pred = np.array([0.9, 0.1, 0.5, 0.5, 0.3, 0.95, 0.2])
    got = EvalManager([AUC(), Recall([1, 3]), Precision([1, 3]), NDCG([1, 3])]).full_eval(
        [0, 2], [], pred)
    assert got['AUC'] == pytest.approx(0.8)
    np.testing.assert_allclose(got['Recall'], [1, 1])
    np.testing.assert_allclose(got['Precision'], [2, 2 / 3])
    np.testing.assert_allclose(got['NDCG'], [0, 0.7737], atol=1e-4)
    # r = [1, 1], N = 5: the positive 0.5 at position 2 does not see its tie at 3 as higher
    np.testing.assert_allclose(got['NDCG'][1], (2 / LOG2(3)) / (1 + 1 / LOG2(3)))


def test_positives_never_compete_unlike_01():
    pred = np.array([0.9, 0.1, 0.5, 0.5, 0.3, 0.95, 0.2])
    got = EvalManager([AUC()]).full_eval([0, 2], [], pred)['AUC']
    old = ev01.ImplicitEvalManager([AUC()]).full_eval([0, 2], [], pred)['AUC']
    assert got == pytest.approx((4 / 5 + 4 / 5) / 2)     # N = 7 - 0 - 2
    assert old == pytest.approx((6 / 7 + 5 / 7) / 2)     # 0.1: positive 0 outranks 2, N = 7


def test_n_subtracts_list_lengths():
    """Q49: duplicates and positive/excluded overlaps are subtracted twice."""
    pred = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    em = EvalManager([AUC()])
    # candidates {1..5}, all above positive 0: r = [5, 5]; N = 6 - 1 - 2 = 3 -> AUC < 0
    assert ref_full_rank([0, 0], [0], pred)[1] == 3
    assert em.full_eval([0, 0], [0], pred)['AUC'] == pytest.approx((3 - 5) / 3)
    # candidates {1, 3, 4, 5}: r = 3 for positive 2; N = 6 - 2 - 1 = 3
    assert em.full_eval([2], [2, 0], pred)['AUC'] == 0.0
    assert em.full_eval([5], [2, 0], pred)['AUC'] == 1.0


@pytest.mark.parametrize('seed', range(30))
def test_full_eval_matches_original_loops(seed):
    rng = np.random.RandomState(seed)
    length = rng.randint(1, 40)
    predictions = rng.randint(0, 6, size=length).astype(np.float32) / 2  # many ties
    if seed % 3 == 0:
        predictions[rng.randint(length, size=2)] = np.nan
    if seed % 5 == 0:
        predictions = predictions.astype(np.float64) + rng.rand(length)
    pos = list(rng.randint(-length, length, size=rng.randint(0, 5)))  # dups, negatives
    excl = list(rng.randint(-2, length + 3, size=rng.randint(0, 6)))  # out of range too
    if seed % 4 == 1:
        excl = [float(e) for e in excl] + [0.5]
    with warnings.catch_warnings():   # P = 0 or N = 0 users: nan, with numpy warnings
        warnings.simplefilter('ignore', RuntimeWarning)
        assert_identical(manager().full_eval(pos, excl, predictions),
                         expected(*ref_full_rank(pos, excl, predictions)))
        # lists and ranges are accepted (Q50: the original needed an ndarray)
        assert_identical(manager().full_eval(tuple(pos), excl, predictions.tolist()),
                         manager().full_eval(pos, excl, predictions))


def test_full_eval_range_positives_and_nan():
    pred = np.array([np.nan, 0.5, 0.7, np.nan, 0.1])
    em = EvalManager([Recall([0, 1])])
    # NaN positive: r = 0; NaN candidates never count as higher
    np.testing.assert_array_equal(em.full_eval(range(2), [], pred)['Recall'], [0.5, 1.0])
    rank, n = ref_full_rank(range(2), [], pred)
    assert rank.tolist() == [0, 1] and n == 3


def test_full_eval_large_inputs_use_the_sorting_path():
    rng = np.random.RandomState(0)
    pred = rng.randint(0, 1000, size=30000).astype(np.float32)
    pred[::97] = np.nan
    pos = list(rng.randint(0, 30000, size=200))
    got = EvalManager([AUC(), NDCG([50])]).full_eval(pos, [1, 2, 3], pred)
    members = np.ones(30000, bool)
    members[[1, 2, 3] + pos] = False
    candidates = pred[members]
    rank = np.array([(candidates > pred[p]).sum() for p in pos], dtype=np.float64)
    n = 30000 - 3 - 200
    assert got['AUC'] == AUC().compute(rank, n)
    np.testing.assert_array_equal(got['NDCG'], NDCG([50]).compute(rank, n))


def test_full_eval_out_of_range_positive():
    with pytest.raises(IndexError):
        EvalManager([AUC()]).full_eval([7], [], np.zeros(7))


def test_only_rank_evaluators_and_last_equal_name_wins():
    pred = np.array([0.3, 0.2, 0.1])
    em = EvalManager([MSE(), Recall([0], name='m'), AUC(name='m')])
    got = em.full_eval([1], [], pred)
    assert list(got) == ['m'] and got['m'] == 0.5
    assert EvalManager([MSE()]).full_eval([1], [], pred) == {}


def test_constructor_checks():
    with pytest.raises(TypeError, match='evaluators'):
        EvalManager(AUC())
    with pytest.raises(TypeError, match=r'evaluators\[1\]'):
        EvalManager([AUC(), 'AUC'])


# ---- EvalManager.full_eval_batch (port addition) -------------------------------------------

def test_full_eval_batch_equals_per_user_calls():
    rng = np.random.RandomState(3)
    rows, pos, excl = [], [], []
    for i in range(40):
        length = [5, 9, 9, 30][i % 4]
        row = rng.randint(0, 5, size=length).astype([np.float32, np.float64][i % 2])
        if i % 9 == 0:    # distinct as ints, all equal as float64: compared exactly
            row = row.astype(np.int64) + 2 ** 60
        elif i % 7 == 0:
            row[0] = np.nan
        rows.append(row)
        pos.append(list(rng.randint(-length, length, size=rng.randint(0, 4))))
        excl.append(list(rng.randint(0, length + 2, size=rng.randint(0, 3))))
    em = manager()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        got = em.full_eval_batch(pos, excl, rows)
        want = [em.full_eval(p, e, r) for p, e, r in zip(pos, excl, rows)]
    assert len(got) == 40
    for g, w in zip(got, want):
        assert_identical(g, w)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        assert_identical(got[9], expected(*ref_full_rank(pos[9], excl[9], rows[9])))
    assert rows[9].dtype == np.int64 and len(set(rows[9].tolist())) > 1
    # a 2-D matrix is a sequence of rows
    matrix = rng.rand(6, 11)
    assert [list(r) for r in em.full_eval_batch([[0]] * 6, [[]] * 6, matrix)] == \
        [list(em.full_eval([0], [], row)) for row in matrix]


def test_full_eval_batch_length_mismatch():
    with pytest.raises(ValueError, match='one entry per user'):
        manager().full_eval_batch([[0], [1]], [[]], [np.zeros(3), np.zeros(3)])


# ---- EvalManager.partial_eval --------------------------------------------------------------

@pytest.mark.parametrize('seed', range(10))
def test_partial_eval_matches_original_loops(seed):
    rng = np.random.RandomState(seed)
    pos = rng.randint(0, 4, size=rng.randint(1, 4)).astype(np.float32)
    neg = rng.randint(0, 4, size=rng.randint(1, 12)).astype(np.float32)
    want = expected(*ref_partial_rank(pos, neg))
    assert_identical(manager().partial_eval(pos, neg), want)
    assert_identical(manager().partial_eval(list(pos), list(neg)), want)

"""VisualBPR, VisualCML, ConcatVisualBPR against numpy."""
import numpy as np
import pytest

from _recommender_helpers import (B, D, I, U, assign, close, copy_variables, get, l2, mlp, mlp_l2,
                                  mlp_table, pair_batch, round_trip, serve_batch, sigmoid, tables,
                                  trainable_names, var_table)
from openrec.recommenders import ConcatVisualBPR, VisualBPR, VisualCML

F = 6
ITEM_F = np.random.RandomState(30).rand(I, F).astype(np.float32)
BASE = {'user/embedding': (U, D), 'item/embedding': (I, D), 'item_bias/embedding': (I, 1)}
VISUAL = dict(BASE, **mlp_table('item_visual_embed', [F, 5, D]))
CONCAT = {'user/embedding': (U, D), 'item/embedding': (I, D - 2), 'item_MLP/FC__0': (F, 2),
          'item_MLP/bias__0': (2,), 'item_bias/embedding': (I, 1)}
L2, L2_MLP = 0.1, 0.05

MAKERS = {
    'VisualBPR': lambda **k: VisualBPR(B, U, I, D, [5, D], ITEM_F, **k),
    'VisualCML': lambda **k: VisualCML(B, U, I, D, [5, D], ITEM_F, **k),
    'ConcatVisualBPR': lambda **k: ConcatVisualBPR(B, U, I, D, 2, ITEM_F, **k),
}


def load_tables(rec, seed, scale=0.5):
    user, item, bias = tables(seed, scale=scale)
    assign(rec, {'user/embedding': user, 'item/embedding': item, 'item_bias/embedding': bias})
    return user, item, bias


@pytest.mark.parametrize('name, table', [('VisualBPR', VISUAL), ('VisualCML', VISUAL),
                                         ('ConcatVisualBPR', CONCAT)])
def test_variable_table_and_sgd(name, table):
    rec = MAKERS[name]()
    assert var_table(rec) == table
    assert trainable_names(rec) == set(table)
    assert rec._opt == 'SGD' and rec._lr == 0.005


@pytest.mark.parametrize('cls', [VisualBPR, VisualCML])
def test_opt_and_item_serving_size_are_ignored(cls):
    rec = cls(B, U, I, D, [5, D], ITEM_F, opt='Adam', item_serving_size=3)
    assert var_table(rec) == VISUAL          # no Adam slots: always SGD
    assert rec._opt == 'SGD' and rec._lr == 0.005


@pytest.mark.parametrize('name', sorted(MAKERS))
def test_save_and_load_round_trip(tmp_path, name):
    round_trip(tmp_path, MAKERS[name], pair_batch(1), serve_batch())


def visual_items(rec, ids):
    return get(rec, 'item/embedding')[ids] + mlp(rec, 'item_visual_embed', ITEM_F[ids], 2)


def test_visual_bpr_loss_counts_mlp_l2_twice_and_scores():
    rec = VisualBPR(B, U, I, D, [5, D], ITEM_F, test_batch_size=B, l2_reg=L2, l2_reg_mlp=L2_MLP)
    user, item, bias = load_tables(rec, 2)
    batch = pair_batch(3)
    uid, pid, nid = batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_input']
    u, p, n = user[uid], visual_items(rec, pid), visual_items(rec, nid)
    x = np.sum(u * p, 1) + bias[pid, 0] - np.sum(u * n, 1) - bias[nid, 0]
    expected = (-np.sum(np.log(sigmoid(x)))
                + L2 * (l2(u) + l2(item[pid]) + l2(bias[pid]) + l2(item[nid]) + l2(bias[nid]))
                + 2 * L2_MLP * mlp_l2(rec, 'item_visual_embed', 2))
    close(rec.train(batch), expected)
    served = serve_batch()
    si = served['item_id_input']
    expected = (get(rec, 'user/embedding')[served['user_id_input']] @ visual_items(rec, si).T
                + get(rec, 'item_bias/embedding')[si].T)
    close(rec.serve(served), expected, atol=1e-5)


def test_visual_cml_loss_scores_and_no_censoring():
    rec = VisualCML(B, U, I, D, [5, D], ITEM_F)
    user, item, bias = load_tables(rec, 4, scale=1.0)
    batch = pair_batch(5)
    uid, pid, nid = batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_input']
    u, p, n = user[uid], visual_items(rec, pid), visual_items(rec, nid)
    diff = (-np.sum((u - p) ** 2, 1) + bias[pid, 0]) - (-np.sum((u - n) ** 2, 1) + bias[nid, 0])
    close(rec.train(batch), np.sum(np.maximum(1 - diff, 0)))
    assert rec._post_training_ops == []
    assert np.linalg.norm(get(rec, 'user/embedding'), axis=1).max() > 1.5
    served = serve_batch()
    si = served['item_id_input']
    v = visual_items(rec, si)
    expected = (2 * get(rec, 'user/embedding')[served['user_id_input']] @ v.T
                + get(rec, 'item_bias/embedding')[si].T - np.sum(v * v, 1)[None, :])
    close(rec.serve(served), expected, atol=1e-5)


def concat_items(rec, ids):
    return np.concatenate([get(rec, 'item/embedding')[ids],
                           ITEM_F[ids] @ get(rec, 'item_MLP/FC__0') + get(rec, 'item_MLP/bias__0')],
                          axis=1)


def test_concat_visual_bpr_loss_and_scores():
    rec = ConcatVisualBPR(B, U, I, D, 2, ITEM_F, l2_reg=L2)
    user, item, bias = tables(6)
    item = item[:, :D - 2].copy()
    assign(rec, {'user/embedding': user, 'item/embedding': item, 'item_bias/embedding': bias})
    batch = pair_batch(7)
    uid, pid, nid = batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_input']
    u, p, n = user[uid], concat_items(rec, pid), concat_items(rec, nid)
    x = np.sum(u * p, 1) + bias[pid, 0] - np.sum(u * n, 1) - bias[nid, 0]
    expected = -np.sum(np.log(sigmoid(x))) + L2 * (
        l2(u) + l2(item[pid]) + l2(bias[pid]) + l2(item[nid]) + l2(bias[nid]))
    close(rec.train(batch), expected)
    served = serve_batch(users=3)        # serving takes any number of users
    si = served['item_id_input']
    expected = (get(rec, 'user/embedding')[served['user_id_input']] @ concat_items(rec, si).T
                + get(rec, 'item_bias/embedding')[si].T)
    scores = rec.serve(served)
    assert scores.shape == (3, I)
    close(scores, expected, atol=1e-5)


@pytest.mark.parametrize('name, scaled', [('ConcatVisualBPR', True), ('VisualBPR', False)])
def test_item_mlp_gradient_scaling(monkeypatch, name, scaled):
    """Gradients of ``*item_MLP*`` variables are divided by batch_size (matches only
    ConcatVisualBPR's variables; a no-op for VisualBPR)."""
    rec = MAKERS[name](l2_reg=L2)
    user, item, bias = tables(8)
    assign(rec, {'user/embedding': user, 'item_bias/embedding': bias})
    cls = type(rec)
    monkeypatch.setattr(cls, '_grad_post_processing', lambda self, gv: gv)
    twin = MAKERS[name](l2_reg=L2)
    copy_variables(rec, twin)
    names = sorted(var_table(rec))
    before = {k: get(rec, k) for k in names}
    batch = pair_batch(9)
    close(rec.train(batch), twin.train(batch))
    for k in names:
        step, twin_step = get(rec, k) - before[k], get(twin, k) - before[k]
        factor = 1.0 / B if scaled and 'item_MLP' in k else 1.0
        close(step, twin_step * factor, rtol=1e-3, atol=2e-7)
        if scaled and 'item_MLP/FC' in k:     # (the bias cancels out of p - n)
            assert np.abs(twin_step).max() > 1e-4

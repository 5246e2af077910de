"""PMF, GMF, VisualPMF, VisualGMF, UserPMF, UserVisualPMF, CDL against numpy."""
import numpy as np
import pytest

from _recommender_helpers import (B, D, I, U, adam_slots, assign, close, get, l2, mlp, mlp_l2,
                                  mlp_table, point_batch, round_trip, serve_batch, sigmoid,
                                  tables, var_table)
from openrec.recommenders import CDL, GMF, PMF, UserPMF, UserVisualPMF, VisualGMF, VisualPMF

PMF_VARS = {'user/embedding': (U, D), 'item/embedding': (I, D), 'item_bias/embedding': (I, 1)}
GMF_VARS = {'PointwiseGeCE/gmf_reg/FC__0': (D, 1)}
FI, FU = 6, 3
ITEM_F = np.random.RandomState(20).rand(I, FI).astype(np.float32)
USER_F = np.random.RandomState(21).rand(U, FU).astype(np.float32)
L2, L2_MLP = 0.1, 0.05


def load_tables(rec, seed):
    user, item, bias = tables(seed)
    assign(rec, {'user/embedding': user, 'item/embedding': item, 'item_bias/embedding': bias})
    return user, item, bias


def ce(label, logit):
    return np.maximum(logit, 0) - logit * label + np.log1p(np.exp(-np.abs(logit)))


MAKERS = {
    'PMF': lambda **k: PMF(B, D, U, I, **k),
    'GMF': lambda **k: GMF(B, D, U, I, **k),
    'VisualPMF': lambda **k: VisualPMF(B, U, I, D, [5, D], ITEM_F, **k),
    'VisualGMF': lambda **k: VisualGMF(B, U, I, D, [5, D], ITEM_F, **k),
    'UserPMF': lambda **k: UserPMF(B, U, I, D, [5, D], USER_F, **k),
    'UserVisualPMF': lambda **k: UserVisualPMF(B, U, I, D, [5, D], [D], USER_F, ITEM_F, **k),
    'CDL': lambda **k: CDL(B, U, I, D, ITEM_F, [FI, 5, D], l2_reconst=0.5, **k),
}
TABLES = {
    'PMF': PMF_VARS,
    'GMF': dict(PMF_VARS, **GMF_VARS),
    'VisualPMF': dict(PMF_VARS, **mlp_table('item_MLP', [FI, 5, D])),
    'VisualGMF': dict(PMF_VARS, **dict(mlp_table('item_MLP', [FI, 5, D]), **GMF_VARS)),
    'UserPMF': dict(PMF_VARS, **mlp_table('user_MLP', [FU, 5, D])),
    'UserVisualPMF': dict(PMF_VARS, **dict(mlp_table('user_MLP', [FU, 5, D]),
                                           **mlp_table('item_MLP', [FI, D]))),
    'CDL': dict(PMF_VARS, **dict(mlp_table('AutoEncoder/encoder', [FI, 5, D]),
                                 **mlp_table('AutoEncoder/decoder', [D, 5, FI]))),
}


@pytest.mark.parametrize('name', sorted(MAKERS))
def test_variable_table(name):
    assert var_table(MAKERS[name]()) == TABLES[name]
    rec = MAKERS[name](opt='Adam')
    assert rec._lr == 0.001
    trainable = {k: v for k, v in TABLES[name].items()}
    assert var_table(rec) == dict(TABLES[name], **adam_slots(trainable))


@pytest.mark.parametrize('name', sorted(MAKERS))
def test_save_and_load_round_trip(tmp_path, name):
    round_trip(tmp_path, MAKERS[name], point_batch(1), serve_batch())


def test_pmf_loss_and_scores():
    rec = PMF(B, D, U, I, l2_reg=L2)
    user, item, bias = load_tables(rec, 0)
    batch = point_batch(2)
    u, v, b = user[batch['user_id_input']], item[batch['item_id_input']], bias[batch['item_id_input']]
    pred = sigmoid(np.sum(u * v, 1) + b[:, 0])
    expected = 0.5 * np.sum((batch['labels'] - pred) ** 2) + L2 * (l2(u) + l2(v) + l2(b))
    close(rec.train(batch), expected)
    assert rec._lr == 0.005
    served = serve_batch(users=3, items=7)   # serving accepts any number of users
    scores = rec.serve(served)
    user, item, bias = get(rec, 'user/embedding'), get(rec, 'item/embedding'), get(rec, 'item_bias/embedding')
    expected = sigmoid(user[served['user_id_input']] @ item[served['item_id_input']].T
                       + bias[served['item_id_input']].T)
    assert scores.shape == (3, 7)
    close(scores, expected)


def test_gmf_loss_and_logit_scores():
    rec = GMF(B, D, U, I, l2_reg=L2)
    user, item, bias = load_tables(rec, 3)
    h = get(rec, 'PointwiseGeCE/gmf_reg/FC__0')
    batch = point_batch(4)
    u, v, b = user[batch['user_id_input']], item[batch['item_id_input']], bias[batch['item_id_input']]
    logits = (u * v) @ h + b
    # l2_reg regularizes the latent factors only, never h
    expected = np.sum(ce(batch['labels'][:, None], logits)) + L2 * (l2(u) + l2(v) + l2(b))
    close(rec.train(batch), expected)
    user, item, bias = get(rec, 'user/embedding'), get(rec, 'item/embedding'), get(rec, 'item_bias/embedding')
    h = get(rec, 'PointwiseGeCE/gmf_reg/FC__0')
    served = serve_batch()
    us, vs = user[served['user_id_input']], item[served['item_id_input']]
    expected = np.einsum('ud,id,d->ui', us, vs, h[:, 0]) + bias[served['item_id_input']].T
    close(rec.serve(served), expected, atol=1e-5)


def test_visual_pmf_loss_and_scores():
    rec = VisualPMF(B, U, I, D, [5, D], ITEM_F, l2_reg=L2, l2_reg_mlp=L2_MLP)
    user, item, bias = load_tables(rec, 5)
    batch = point_batch(6)
    iid = batch['item_id_input']
    u, lf, b = user[batch['user_id_input']], item[iid], bias[iid]
    v = lf + mlp(rec, 'item_MLP', ITEM_F[iid], 2)
    pred = sigmoid(np.sum(u * v, 1) + b[:, 0])
    expected = (0.5 * np.sum((batch['labels'] - pred) ** 2) + L2 * (l2(u) + l2(lf) + l2(b))
                + L2_MLP * mlp_l2(rec, 'item_MLP', 2))
    close(rec.train(batch), expected)
    served = serve_batch()
    sid = served['item_id_input']
    item_vec = get(rec, 'item/embedding')[sid] + mlp(rec, 'item_MLP', ITEM_F[sid], 2)
    expected = sigmoid(get(rec, 'user/embedding')[served['user_id_input']] @ item_vec.T
                       + get(rec, 'item_bias/embedding')[sid].T)
    close(rec.serve(served), expected)
    # the serving item id is declared twice (kept); the live one is item_id_serving_1
    assert rec._get_input('item_id', train=False).name == 'item_id_serving_1:0'


def test_visual_gmf_scores():
    rec = VisualGMF(B, U, I, D, [5, D], ITEM_F)
    user, item, bias = load_tables(rec, 7)
    served = serve_batch()
    sid = served['item_id_input']
    item_vec = item[sid] + mlp(rec, 'item_MLP', ITEM_F[sid], 2)
    h = get(rec, 'PointwiseGeCE/gmf_reg/FC__0')[:, 0]
    expected = np.einsum('ud,id,d->ui', user[served['user_id_input']], item_vec, h) + bias[sid].T
    close(rec.serve(served), expected, atol=1e-5)
    assert np.isfinite(rec.train(point_batch(8)))


def test_user_pmf_loss_and_scores():
    rec = UserPMF(B, U, I, D, [5, D], USER_F, l2_reg=L2, l2_reg_mlp=L2_MLP)
    user, item, bias = load_tables(rec, 9)
    batch = point_batch(10)
    uid, iid = batch['user_id_input'], batch['item_id_input']
    lf, v, b = user[uid], item[iid], bias[iid]
    u = lf + mlp(rec, 'user_MLP', USER_F[uid], 2)
    pred = sigmoid(np.sum(u * v, 1) + b[:, 0])
    expected = (0.5 * np.sum((batch['labels'] - pred) ** 2) + L2 * (l2(lf) + l2(v) + l2(b))
                + L2_MLP * mlp_l2(rec, 'user_MLP', 2))
    close(rec.train(batch), expected)
    served = serve_batch()
    su = served['user_id_input']
    user_vec = get(rec, 'user/embedding')[su] + mlp(rec, 'user_MLP', USER_F[su], 2)
    expected = sigmoid(user_vec @ get(rec, 'item/embedding')[served['item_id_input']].T
                       + get(rec, 'item_bias/embedding')[served['item_id_input']].T)
    close(rec.serve(served), expected)


def test_user_visual_pmf_loss_and_scores():
    rec = UserVisualPMF(B, U, I, D, [5, D], [D], USER_F, ITEM_F, l2_reg_mlp=L2_MLP)
    user, item, bias = load_tables(rec, 11)
    batch = point_batch(12)
    uid, iid = batch['user_id_input'], batch['item_id_input']
    u = user[uid] + mlp(rec, 'user_MLP', USER_F[uid], 2)
    v = item[iid] + mlp(rec, 'item_MLP', ITEM_F[iid], 1)
    pred = sigmoid(np.sum(u * v, 1) + bias[iid, 0])
    expected = (0.5 * np.sum((batch['labels'] - pred) ** 2)
                + L2_MLP * (mlp_l2(rec, 'user_MLP', 2) + mlp_l2(rec, 'item_MLP', 1)))
    close(rec.train(batch), expected)
    served = serve_batch()
    su, si = served['user_id_input'], served['item_id_input']
    u = get(rec, 'user/embedding')[su] + mlp(rec, 'user_MLP', USER_F[su], 2)
    v = get(rec, 'item/embedding')[si] + mlp(rec, 'item_MLP', ITEM_F[si], 1)
    close(rec.serve(served), sigmoid(u @ v.T + get(rec, 'item_bias/embedding')[si].T))


def sdae(rec, x):
    """Encoder code and decoder output of CDL's SDAE (no dropout)."""
    code = mlp(rec, 'AutoEncoder/encoder', x, 2)
    h = np.maximum(code, 0)
    for i in range(2):
        h = np.maximum(h @ get(rec, 'AutoEncoder/decoder/FC__%d' % i)
                       + get(rec, 'AutoEncoder/decoder/bias__%d' % i), 0)
    return code, h


def test_cdl_builds_trains_and_serves():
    rec = CDL(B, U, I, D, ITEM_F, [FI, 5, D], l2_reg=L2, l2_reg_mlp=L2_MLP, l2_reconst=0.5)
    user, item, bias = load_tables(rec, 13)
    batch = point_batch(14)
    uid, iid = batch['user_id_input'], batch['item_id_input']
    code, decoded = sdae(rec, ITEM_F[iid])
    u, lf, b = user[uid], item[iid], bias[iid]
    v = lf + code
    pred = sigmoid(np.sum(u * v, 1) + b[:, 0])
    sdae_loss = (L2_MLP * (mlp_l2(rec, 'AutoEncoder/encoder', 2) + mlp_l2(rec, 'AutoEncoder/decoder', 2))
                 + 0.5 * l2(decoded - ITEM_F[iid]))
    expected = 0.5 * np.sum((batch['labels'] - pred) ** 2) + L2 * (l2(u) + l2(lf) + l2(b)) + sdae_loss
    close(rec.train(batch), expected)
    served = serve_batch()
    si = served['item_id_input']
    v = get(rec, 'item/embedding')[si] + sdae(rec, ITEM_F[si])[0]
    expected = sigmoid(get(rec, 'user/embedding')[served['user_id_input']] @ v.T
                       + get(rec, 'item_bias/embedding')[si].T)
    close(rec.serve(served), expected)


def test_cdl_serving_has_no_dropout():
    rec = CDL(B, U, I, D, ITEM_F, [FI, 5, D], dropout=0.5, l2_reconst=1.0)
    served = serve_batch()
    close(rec.serve(served), rec.serve(served), rtol=0, atol=0)

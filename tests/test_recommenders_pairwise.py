"""BPR, CML, NBPR, WCML: variables, one training step, norm censoring, serving, checkpoints."""
import numpy as np
import pytest

from _recommender_helpers import (B, D, I, U, adam_slots, assign, close, get, l2, neg_batch,
                                  pair_batch, serve_batch, sigmoid, tables, var_table)
from openrec.recommenders import BPR, CML, NBPR, WCML

BASE = {'user/embedding': (U, D), 'item/embedding': (I, D), 'item_bias/embedding': (I, 1)}
L2 = 0.1


def load_tables(rec, seed, scale=0.5):
    user, item, bias = tables(seed, scale=scale)
    assign(rec, {'user/embedding': user, 'item/embedding': item, 'item_bias/embedding': bias})
    return user, item, bias


def censor(table, rows):
    out = table.copy()
    for r in set(rows):
        out[r] = table[r] / max(np.linalg.norm(table[r]), 1.0)
    return out


def dot_scores(user, item, bias, batch):
    u, v = user[batch['user_id_input']], item[batch['item_id_input']]
    return u @ v.T + bias[batch['item_id_input']].T


def euclid_scores(user, item, bias, batch):
    u, v = user[batch['user_id_input']], item[batch['item_id_input']]
    return 2 * u @ v.T + bias[batch['item_id_input']].T - np.sum(v * v, axis=1)[None, :]


def rank_weight(count, neg_num):
    return np.log(np.floor(np.float32(I) * count.astype(np.float32) / neg_num) + 1).astype(np.float32)


@pytest.mark.parametrize('cls', [BPR, CML, NBPR, WCML])
def test_variable_table(cls):
    assert var_table(cls(B, U, I, D)) == BASE
    expected = dict(BASE)
    expected.update(adam_slots(BASE))
    assert var_table(cls(B, U, I, D, opt='Adam')) == expected


def test_bpr_init_dict_loss_and_sgd_step():
    user, item, bias = tables(0)
    rec = BPR(B, U, I, D, l2_reg=L2, init_dict={
        'user/embedding/Initializer/truncated_normal:0': user,
        'item/embedding/Initializer/truncated_normal:0': item,
        'item_bias/embedding/Initializer/zeros:0': bias})
    batch = pair_batch(1)
    uid, pid, nid = batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_input']
    u, p, n, bp, bn = user[uid], item[pid], item[nid], bias[pid], bias[nid]
    x = np.sum(u * p, 1, keepdims=True) + bp - np.sum(u * n, 1, keepdims=True) - bn
    expected = -np.sum(np.log(sigmoid(np.maximum(x, -30)))) + L2 * (l2(u) + l2(p) + l2(bp) + l2(n) + l2(bn))
    close(rec.train(batch), expected)
    # one SGD step at the default learning rate 0.005
    g = -(1 - sigmoid(x))
    d_user, d_item, d_bias = np.zeros_like(user), np.zeros_like(item), np.zeros_like(bias)
    np.add.at(d_user, uid, g * (p - n) + L2 * u)
    np.add.at(d_item, pid, g * u + L2 * p)
    np.add.at(d_item, nid, -g * u + L2 * n)
    np.add.at(d_bias, pid, g + L2 * bp)
    np.add.at(d_bias, nid, -g + L2 * bn)
    close(get(rec, 'user/embedding'), user - 0.005 * d_user, atol=1e-6)
    close(get(rec, 'item/embedding'), item - 0.005 * d_item, atol=1e-6)
    close(get(rec, 'item_bias/embedding'), bias - 0.005 * d_bias, atol=1e-6)


def test_cml_loss_step_and_norm_censoring():
    rec = CML(B, U, I, D, lr=0.05)
    user, item, bias = load_tables(rec, 2, scale=1.0)   # rows of norm about 2
    batch = pair_batch(3)
    uid, pid, nid = batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_input']
    u, p, n, bp, bn = user[uid], item[pid], item[nid], bias[pid], bias[nid]
    diff = (-np.sum((u - p) ** 2, 1, keepdims=True) + bp) - (-np.sum((u - n) ** 2, 1, keepdims=True) + bn)
    hinge = np.maximum(1 - diff, 0)
    close(rec.train(batch), np.sum(hinge))
    g = -(hinge > 0).astype(np.float32)          # d loss / d diff
    d_user, d_item, d_bias = np.zeros_like(user), np.zeros_like(item), np.zeros_like(bias)
    np.add.at(d_user, uid, g * 2 * (p - n))
    np.add.at(d_item, pid, g * 2 * (u - p))
    np.add.at(d_item, nid, -g * 2 * (u - n))
    np.add.at(d_bias, pid, g)
    np.add.at(d_bias, nid, -g)
    new_user = censor(user - 0.05 * d_user, uid)
    new_item = censor(item - 0.05 * d_item, np.concatenate([pid, nid]))
    close(get(rec, 'user/embedding'), new_user, atol=1e-6)
    close(get(rec, 'item/embedding'), new_item, atol=1e-6)
    close(get(rec, 'item_bias/embedding'), bias - 0.05 * d_bias, atol=1e-6)   # not censored
    touched = sorted(set(uid))
    assert np.all(np.linalg.norm(get(rec, 'user/embedding')[touched], axis=1) <= 1 + 1e-6)
    untouched = sorted(set(range(U)) - set(uid))
    assert untouched and np.all(np.linalg.norm(get(rec, 'user/embedding')[untouched], axis=1) > 1)


def test_nbpr_loss_with_rank_weights_and_any_neg_num():
    for neg_num in (5, 3):
        rec = NBPR(B, U, I, D, neg_num=neg_num, l2_reg=L2)
        user, item, bias = load_tables(rec, 4)
        batch = neg_batch(5, neg_num=neg_num)
        uid, pid, nid = batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_inputs']
        u, p, n = user[uid], item[pid], item[nid]
        pos = np.sum(u * p, 1) + bias[pid, 0]
        neg = np.einsum('bd,bkd->bk', u, n) + bias[nid, 0]
        diff = pos[:, None] - neg
        w = rank_weight(np.sum(diff < 0, axis=1), neg_num)
        expected = -np.sum(np.log(sigmoid(np.maximum(w * diff.min(axis=1), -30))))
        expected += L2 * (l2(u) + l2(p) + l2(bias[pid]) + l2(n) + l2(bias[nid]))
        # negatives as a plain nested list (the original needed an array)
        listed = dict(batch, n_item_id_inputs=nid.tolist())
        close(rec.compute_module_loss('interaction', listed) + L2 * (
            l2(u) + l2(p) + l2(bias[pid]) + l2(n) + l2(bias[nid])), expected)
        close(rec.train(listed), expected)


def test_nbpr_negatives_as_object_column():
    rec = NBPR(B, U, I, D)
    user, item, bias = load_tables(rec, 6)
    batch = neg_batch(7)
    column = np.empty(B, dtype=object)
    for i, row in enumerate(batch['n_item_id_inputs']):
        column[i] = row
    n_vec = rec.compute_module_outputs('n_item_vec', dict(batch, n_item_id_inputs=column))[0]
    close(n_vec, item[batch['n_item_id_inputs']])


def test_wcml_loss_and_censoring():
    rec = WCML(B, U, I, D, neg_num=4, lr=1e-9)
    user, item, bias = load_tables(rec, 8, scale=1.0)
    batch = neg_batch(9, neg_num=4)
    uid, pid, nid = batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_inputs']
    u, p, n = user[uid], item[pid], item[nid]
    pos = -np.sum((u - p) ** 2, 1) + bias[pid, 0]
    neg = -np.sum((u[:, None, :] - n) ** 2, 2) + bias[nid, 0]
    s = np.maximum(1 - pos[:, None] + neg, 0)
    w = rank_weight(np.count_nonzero(s, axis=1), 4)
    close(rec.train(batch), np.sum(w * s.max(axis=1)))
    # the step is negligible (lr 1e-9): what remains is the censoring of the batch's rows
    close(get(rec, 'user/embedding'), censor(user, uid), atol=1e-6)
    close(get(rec, 'item/embedding'), censor(item, np.concatenate([pid, nid.ravel()])), atol=1e-6)
    close(get(rec, 'item_bias/embedding'), bias, atol=1e-6)


@pytest.mark.parametrize('cls, scores', [(BPR, dot_scores), (NBPR, dot_scores),
                                         (CML, euclid_scores), (WCML, euclid_scores)])
def test_serving_scores(cls, scores):
    rec = cls(B, U, I, D, test_batch_size=B)
    user, item, bias = load_tables(rec, 10)
    batch = serve_batch()
    served = rec.serve(batch)
    assert served.shape == (B, I)
    close(served, scores(user, item, bias, batch), atol=1e-5)
    # serving changes nothing
    close(get(rec, 'user/embedding'), user)
    assert rec.compute_module_loss('interaction', batch, train=False) == 0.0


@pytest.mark.parametrize('cls, batch', [(BPR, pair_batch(11)), (CML, pair_batch(11)),
                                        (NBPR, neg_batch(11)), (WCML, neg_batch(11))])
def test_save_and_load_round_trip(tmp_path, cls, batch):
    rec = cls(B, U, I, D, opt='Adam')
    rec.train(batch)
    rec.train(batch)
    prefix = str(tmp_path / 'model')
    assert rec.save(prefix, 2) is None
    assert (tmp_path / 'checkpoint').exists() and (tmp_path / 'model-2.index').exists()
    assert (tmp_path / 'model-2.meta').exists()
    fresh = cls(B, U, I, D, opt='Adam')
    served = serve_batch()
    assert not np.allclose(fresh.serve(served), rec.serve(served))
    assert fresh.load(prefix + '-2') is None
    close(fresh.serve(served), rec.serve(served))
    close(get(fresh, 'beta1_power'), 0.9 ** 3)
    close(get(fresh, 'user/embedding/Adam'), get(rec, 'user/embedding/Adam'))
    # training continues identically from the restored state
    close(fresh.train(batch), rec.train(batch))

"""ItrMLP: pretrained tables refined by MLPs (identity pretraining with a reduced step count)."""
import numpy as np
import pytest

from _recommender_helpers import (B, D, I, U, close, get, point_batch, round_trip, sigmoid,
                                  trainable_names, var_table)
from openrec.recommenders import ItrMLP

H = 6
EPS = 0.001
RNG = np.random.RandomState(40)
USER_E = RNG.normal(0, 0.5, (U, D)).astype(np.float32)
ITEM_E = RNG.normal(0, 0.5, (I, D)).astype(np.float32)


@pytest.fixture(autouse=True)
def few_pretraining_steps(monkeypatch):
    # private knob: construction pretrains both MLPs for 20000 steps each otherwise
    monkeypatch.setattr(ItrMLP, '_pretrain_steps', 50)


def make(**kwargs):
    kwargs.setdefault('test_batch_size', B)
    return ItrMLP(B, D, U, I, USER_E, ITEM_E, [H, D], [H, D], **kwargs)


def side_table(s, rows):
    table = {'%s/embedding' % s: (rows, D), '%s/flag' % s: (rows,),
             '%s_1/beta1_power' % s: (), '%s_1/beta2_power' % s: ()}
    for i, (a, b) in enumerate([(D, H), (H, D)]):
        trainable = {'FC__%d' % i: (a, b), 'bias__%d' % i: (b,),
                     'bn_%d/beta' % i: (b,), 'bn_%d/gamma' % i: (b,)}
        for name, shape in trainable.items():
            table['%s/%s/MLP/%s' % (s, s, name)] = shape
            table['%s/%s/%s/MLP/%s/Adam' % (s, s, s, name)] = shape
            table['%s/%s/%s/MLP/%s/Adam_1' % (s, s, s, name)] = shape
        table['%s/%s/MLP/bn_%d/moving_mean' % (s, s, i)] = (b,)
        table['%s/%s/MLP/bn_%d/moving_variance' % (s, s, i)] = (b,)
    return table


def mlp(rec, side, x, train):
    """The TemporalLatentFactor MLP: per layer relu(x @ W + b), then batch normalization."""
    h = np.asarray(x, np.float64)
    prefix = '%s/%s/MLP/' % (side, side)
    for i in range(2):
        r = np.maximum(h @ get(rec, prefix + 'FC__%d' % i) + get(rec, prefix + 'bias__%d' % i), 0)
        if train:
            mean, var = r.mean(0), r.var(0)
        else:
            mean, var = get(rec, prefix + 'bn_%d/moving_mean' % i), get(rec, prefix + 'bn_%d/moving_variance' % i)
        h = get(rec, prefix + 'bn_%d/gamma' % i) * (r - mean) / np.sqrt(var + EPS) + get(rec, prefix + 'bn_%d/beta' % i)
    return h


def test_construction_pretrains_both_mlps(capsys):
    rec = make()
    out = capsys.readouterr().out
    assert out.index('[Pretrain user MLP into identity]') < out.index('[Pretrain item MLP into identity]')
    table = dict(side_table('user', U), **side_table('item', I))
    table['item_bias/embedding'] = (I, 1)
    assert var_table(rec) == table
    assert trainable_names(rec) == {k for k in table if '/MLP/' in k and 'moving' not in k
                                    and 'Adam' not in k} | {'item_bias/embedding'}
    close(get(rec, 'user/embedding'), USER_E)
    close(get(rec, 'item/embedding'), ITEM_E)
    # the private knob set the number of pretraining steps (tests: 50)
    assert ItrMLP._pretrain_steps == 50
    close(get(rec, 'user_1/beta1_power'), 0.9 ** 51)   # starts at 0.9
    close(get(rec, 'item_1/beta2_power'), 0.999 ** 51)
    assert not get(rec, 'user/flag').any() and not get(rec, 'item/flag').any()


def test_training_loss_flags_and_embedding_update():
    rec = make()
    batch = point_batch(1)
    batch['user_id_input'] = np.arange(B, dtype=np.int32)
    uid, iid = batch['user_id_input'], batch['item_id_input']
    u = mlp(rec, 'user', USER_E[uid], train=True)
    v = mlp(rec, 'item', ITEM_E[iid], train=True)
    pred = sigmoid(np.sum(u * v, 1) + get(rec, 'item_bias/embedding')[iid, 0])
    close(rec.train(batch), 0.5 * np.sum((batch['labels'] - pred) ** 2), rtol=1e-3)
    assert set(np.flatnonzero(get(rec, 'user/flag'))) == set(uid)
    assert set(np.flatnonzero(get(rec, 'item/flag'))) == set(iid)
    expected_user = USER_E.copy()
    expected_user[uid] = mlp(rec, 'user', USER_E[uid], train=False)
    expected_item = ITEM_E.copy()
    expected_item[iid] = mlp(rec, 'item', ITEM_E[iid], train=False)
    rec.update_embeddings()
    close(get(rec, 'user/embedding'), expected_user, rtol=1e-3, atol=1e-5)
    close(get(rec, 'item/embedding'), expected_item, rtol=1e-3, atol=1e-5)
    assert not get(rec, 'user/flag').any() and not get(rec, 'item/flag').any()


def test_serving_scores_the_full_grid_and_touches_ids():
    rec = make()
    served = {'user_id_input': np.array([0, 2, 4, 6, 8, 9]),
              'item_id_input': np.array([1, 3, 5, 7, 9, 11])}
    scores = rec.serve(served)
    assert scores.shape == (B, B)
    u = mlp(rec, 'user', USER_E[served['user_id_input']], train=False)
    v = mlp(rec, 'item', ITEM_E[served['item_id_input']], train=False)
    bias = get(rec, 'item_bias/embedding')[served['item_id_input']]
    close(scores, sigmoid(u @ v.T + bias.T), rtol=1e-3, atol=1e-6)
    # kept from the original: serving marks the ids as touched
    assert set(np.flatnonzero(get(rec, 'user/flag'))) == set(served['user_id_input'])
    assert set(np.flatnonzero(get(rec, 'item/flag'))) == set(served['item_id_input'])
    # the serving batch has the static size test_batch_size (issue 9: checked in Python,
    # naming the field, before the session runs)
    with pytest.raises(ValueError, match=r"batch_data\['user_id_input'\] must have length 6 "
                                         r"\(test_batch_size\) for user_id_serving of ItrMLP, "
                                         r"got shape \[3\]"):
        rec.serve({'user_id_input': np.arange(3), 'item_id_input': np.arange(3)})


def test_save_and_load_round_trip_with_adam(tmp_path):
    rec = make(opt='Adam')
    table = var_table(rec)
    assert table['beta1_power'] == () and table['item_bias/embedding/Adam_1'] == (I, 1)
    assert table['user/user/MLP/FC__0/Adam'] == (D, H) and rec._lr == 0.001
    round_trip(tmp_path, lambda: make(opt='Adam'), point_batch(2),
               {'user_id_input': np.arange(B), 'item_id_input': np.arange(B)})

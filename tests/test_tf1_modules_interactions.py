"""OpenRec 0.2 PairwiseLog, PairwiseEuDist, PointwiseMSE, MLPSoftmax, PointwiseMLPCE."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import close, fails_cleanly, l2, load, relu, var, var_table
from _tf1_module_helpers import Recorder, sigmoid, sigmoid_ce, softmax_ce
from openrec.tf1.modules import interactions
from openrec.tf1.modules.interactions import (MLPSoftmax, PairwiseEuDist, PairwiseLog,
                                              PointwiseMLPCE, PointwiseMSE)

RNG = np.random.RandomState(3)
N, D = 5, 3
U, P, Q = (RNG.normal(0, 1, (N, D)).astype(np.float32) for _ in range(3))
BP, BQ = (RNG.normal(0, 1, (N, 1)).astype(np.float32) for _ in range(2))


def test_exports_in_order():
    assert interactions.__all__ == ['PairwiseLog', 'PairwiseEuDist', 'PointwiseMSE', 'MLPSoftmax',
                                    'RNNSoftmax', 'PointwiseMLPCE']
    for name in interactions.__all__:
        func = getattr(interactions, name)
        assert callable(func) and not isinstance(func, type)


def placeholders(*shapes):
    return [tf.placeholder(tf.float32, shape) for shape in shapes]


# ----------------------------------------------------------------------------------
# PairwiseLog / PairwiseEuDist
# ----------------------------------------------------------------------------------

def pairwise_training(func, **kwargs):
    rec = Recorder()
    u, p, q, bp, bq = placeholders([N, D], [N, D], [N, D], [N, 1], [N, 1])
    with tf.variable_scope('interactiongraph'):
        assert func(u, rec, p_item_vec=p, n_item_vec=q, p_item_bias=bp, n_item_bias=bq,
                    train=True, scope='ignored', **kwargs) is None
    return rec, {u: U, p: P, q: Q, bp: BP, bq: BQ}


def test_pairwise_log_training(graph, sess):
    rec, feed = pairwise_training(PairwiseLog)
    assert len(rec.losses) == 1 and rec.outputs == [] and tf.global_variables() == []
    names = [op.name for op in graph.get_operations()]
    assert 'interactiongraph/dot_user_pos' in names and 'interactiongraph/dot_user_neg' in names
    assert not [n for n in names if 'ignored' in n or 'PointwiseMSE' in n]
    x = (U * P).sum(1, keepdims=True) + BP - (U * Q).sum(1, keepdims=True) - BQ
    expected = -np.log(sigmoid(np.maximum(x, -30))).sum()
    close(sess.run(rec.losses[0], feed), expected)
    # the clip at −30 keeps the loss finite
    far = {k: v for k, v in feed.items()}
    far[list(feed)[3]] = np.full((N, 1), -100.0, np.float32)
    assert np.isfinite(sess.run(rec.losses[0], far))


def test_pairwise_eu_dist_training_weights_and_margin(graph, sess):
    w = tf.placeholder(tf.float32, [N, 1])
    rec, feed = pairwise_training(PairwiseEuDist, weights=w, margin=2.5)
    assert len(rec.losses) == 1 and rec.outputs == []
    names = [op.name for op in graph.get_operations()]
    assert 'interactiongraph/l2_user_pos' in names and 'interactiongraph/l2_user_neg' in names
    weights = np.arange(1, N + 1, dtype=np.float32).reshape(N, 1)
    feed[w] = weights
    diff = (-((U - P) ** 2).sum(1, keepdims=True) + BP) - (-((U - Q) ** 2).sum(1, keepdims=True) + BQ)
    expected = (weights * np.maximum(2.5 - diff, 0)).sum()
    assert (2.5 - diff > 0).any() and (2.5 - diff < 0).any()
    close(sess.run(rec.losses[0], feed), expected)


def test_pairwise_eu_dist_default_weights_and_margin(graph, sess):
    rec, feed = pairwise_training(PairwiseEuDist)
    diff = (-((U - P) ** 2).sum(1, keepdims=True) + BP) - (-((U - Q) ** 2).sum(1, keepdims=True) + BQ)
    close(sess.run(rec.losses[0], feed), np.maximum(1.0 - diff, 0).sum())


def test_pairwise_serving_scores_per_row_pair(graph, sess):
    rec_log, rec_eu = Recorder(), Recorder()
    u, v, b = placeholders([None, D], [None, D], [None, 1])
    PairwiseLog(u, rec_log, item_vec=v, item_bias=b, train=False)
    PairwiseEuDist(u, rec_eu, item_vec=v, item_bias=b, train=False)
    assert rec_log.losses == [] and rec_eu.losses == []
    (log_out,), (eu_out,) = rec_log.outputs, rec_eu.outputs
    assert log_out.shape.ndims == 1 and eu_out.shape.as_list() == [None, 1]
    feed = {u: U, v: P, b: BP}
    close(sess.run(log_out, feed), (U * P).sum(1) + BP[:, 0])
    close(sess.run(eu_out, feed), -((U - P) ** 2).sum(1, keepdims=True) + BP)
    # one user row against every item, by broadcasting
    one = {u: U[:1], v: P, b: BP}
    close(sess.run(log_out, one), P @ U[0] + BP[:, 0])
    close(sess.run(eu_out, one), -((U[:1] - P) ** 2).sum(1, keepdims=True) + BP)


@pytest.mark.parametrize('func', [PairwiseLog, PairwiseEuDist])
def test_pairwise_bias_shapes(graph, func):
    rec = Recorder()
    u, p, q = placeholders([N, D], [N, D], [N, D])
    for bias in (0.5, tf.constant([0.5]), tf.zeros([N, 1]), tf.placeholder(tf.float32, [None, 1])):
        func(u, rec, p_item_vec=p, n_item_vec=q, p_item_bias=bias, n_item_bias=bias)
    assert len(rec.losses) == 4
    flat = tf.placeholder(tf.float32, [N])
    column = tf.placeholder(tf.float32, [N, 1])
    for name in ('p_item_bias', 'n_item_bias'):
        args = dict(p_item_vec=p, n_item_vec=q, p_item_bias=column, n_item_bias=column)
        args[name] = flat
        fails_cleanly(graph, ValueError, [name, '[N, N]'], lambda: func(u, rec, **args))
    if func is PairwiseEuDist:
        fails_cleanly(graph, ValueError, ['weights'],
                      lambda: func(u, rec, p_item_vec=p, n_item_vec=q, p_item_bias=column,
                                   n_item_bias=column, weights=flat))


@pytest.mark.parametrize('func', [PairwiseLog, PairwiseEuDist])
def test_pairwise_missing_arguments_and_widths(graph, func):
    rec = Recorder()
    u, p, q, wide, b = placeholders([N, D], [N, D], [N, D], [N, D + 1], [N, 1])
    full = dict(p_item_vec=p, n_item_vec=q, p_item_bias=b, n_item_bias=b)
    for name in full:
        args = dict(full)
        args[name] = None
        fails_cleanly(graph, ValueError, [name + ' cannot be None'], lambda: func(u, rec, **args))
    fails_cleanly(graph, ValueError, ['user_vec cannot be None'], lambda: func(None, rec, **full))
    fails_cleanly(graph, ValueError, ['subgraph'], lambda: func(u, None, **full))
    fails_cleanly(graph, TypeError, ['subgraph', 'register_global_loss'],
                  lambda: func(u, object(), **full))
    for name in ('p_item_vec', 'n_item_vec'):
        args = dict(full)
        args[name] = wide
        fails_cleanly(graph, ValueError, ['user_vec', name, 'dim_user_embed'],
                      lambda: func(u, rec, **args))
    for name in ('item_vec', 'item_bias'):
        args = dict(item_vec=p, item_bias=b, train=False)
        args[name] = None
        fails_cleanly(graph, ValueError, [name + ' cannot be None'], lambda: func(u, rec, **args))
    fails_cleanly(graph, ValueError, ['user_vec', 'item_vec'],
                  lambda: func(u, rec, item_vec=wide, item_bias=b, train=False))
    fails_cleanly(graph, TypeError, ['register_global_output'],
                  lambda: func(u, object(), item_vec=p, item_bias=b, train=False))
    func(u, rec, **full)
    func(u, rec, item_vec=p, item_bias=b, train=False)
    assert len(rec.losses) == 1 and len(rec.outputs) == 1


# ----------------------------------------------------------------------------------
# PointwiseMSE
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize('use_sigmoid', [False, True])
def test_pointwise_mse_training_and_serving(graph, sess, use_sigmoid):
    rec, serve = Recorder(), Recorder()
    u, v, b = placeholders([N, D], [N, D], [N, 1])
    label = tf.placeholder(tf.float32, [N])
    PointwiseMSE(u, v, b, rec, label=label, a=2.0, b=0.5, sigmoid=use_sigmoid, scope='unused')
    PointwiseMSE(u, v, b, serve, a=2.0, b=0.5, sigmoid=use_sigmoid, train=False)
    assert 'dot_user_item' in [op.name for op in graph.get_operations()]
    assert len(rec.losses) == 1 and len(rec.outputs) == 1
    assert serve.losses == [] and len(serve.outputs) == 1
    assert rec.outputs[0].shape.as_list() == [N]
    y = np.array([1, 0, 0.5, 1, 0], np.float32)
    pred = (U * P).sum(1) + BP[:, 0]
    pred = sigmoid(pred) if use_sigmoid else pred
    feed = {u: U, v: P, b: BP, label: y}
    close(sess.run(rec.outputs[0], feed), pred)
    close(sess.run(serve.outputs[0], feed), pred)
    close(sess.run(rec.losses[0], feed), (((2.0 - 0.5) * y + 0.5) * (y - pred) ** 2).sum())


def test_pointwise_mse_flat_bias_and_errors(graph, sess):
    rec = Recorder()
    u, v, wide = placeholders([N, D], [N, D], [N, 4])
    b = tf.placeholder(tf.float32, [N])
    label = tf.placeholder(tf.float32, [N])
    fails_cleanly(graph, ValueError, ['label cannot be None'], lambda: PointwiseMSE(u, v, b, rec))
    for position in range(3):
        args = [u, v, b]
        name = ['user_vec', 'item_vec', 'item_bias'][position]
        args[position] = None
        fails_cleanly(graph, ValueError, [name + ' cannot be None'],
                      lambda: PointwiseMSE(*args, subgraph=rec, label=label))
    fails_cleanly(graph, ValueError, ['subgraph'], lambda: PointwiseMSE(u, v, b, None, label=label))
    fails_cleanly(graph, TypeError, ['register_global_loss'],
                  lambda: PointwiseMSE(u, v, b, Output(), label=label))
    fails_cleanly(graph, ValueError, ['user_vec', 'item_vec', 'dim_user_embed'],
                  lambda: PointwiseMSE(u, wide, b, rec, label=label))
    fails_cleanly(graph, TypeError, ['a'], lambda: PointwiseMSE(u, v, b, rec, label=label, a='x'))
    PointwiseMSE(u, v, b, Output(), train=False)
    PointwiseMSE(u, v, b, rec, label=label)
    close(sess.run(rec.outputs[0], {u: U, v: P, b: BP[:, 0]}), (U * P).sum(1) + BP[:, 0])


class Output(object):
    """A subgraph that only takes outputs."""

    def __init__(self):
        self.outputs = []

    def register_global_output(self, tensor):
        self.outputs.append(tensor)


# ----------------------------------------------------------------------------------
# MLPSoftmax
# ----------------------------------------------------------------------------------

L, DI, DU, DE, C = 4, 3, 2, 2, 6
ITEM = RNG.normal(0, 1, (N, L, DI)).astype(np.float32)
USER = RNG.normal(0, 1, (N, DU)).astype(np.float32)
EXTRA = RNG.normal(0, 1, (N, DE)).astype(np.float32)
LENS = np.array([0, 1, 3, 4, 9], np.int32)
LABELS = np.array([0, 5, 2, 2, 1], np.int32)


def mlp_softmax_inputs():
    item = tf.placeholder(tf.float32, [None, L, DI])
    seq_len = tf.placeholder(tf.int32, [None])
    user = tf.placeholder(tf.float32, [None, DU])
    extra = tf.placeholder(tf.float32, [None, DE])
    labels = tf.placeholder(tf.int32, [None])
    feed = {item: ITEM, seq_len: LENS, user: USER, extra: EXTRA, labels: LABELS}
    return item, seq_len, user, extra, labels, feed


def random_values(sess, rng):
    values = {}
    for v in tf.trainable_variables():
        values[v.op.name] = rng.normal(0, 0.8, v.shape.as_list()).astype(np.float32)
        load(sess, v.op.name, values[v.op.name])
    return values


def test_mlp_softmax_training_and_serving(graph, sess):
    item, seq_len, user, extra, labels, feed = mlp_softmax_inputs()
    bias = tf.placeholder(tf.float32, [C])
    train_rec, serve_rec = Recorder(), Recorder()
    with tf.variable_scope('interactiongraph', reuse=tf.AUTO_REUSE):
        MLPSoftmax(user, item, seq_len, L, [5, 4, C], train_rec, item_bias=bias, extra=extra,
                   l2_reg=0.1, labels=labels, dropout=0.0, train=True, scope='MLPSoftmax')
        MLPSoftmax(user, item, seq_len, L, [5, 4, C], serve_rec, item_bias=bias, extra=extra,
                   l2_reg=0.1, scope='MLPSoftmax')
    s = 'interactiongraph/MLPSoftmax/mlp_reg/'
    assert var_table() == {s + 'FC__0': ((DU + DI + DE, 5), 'float32', True),
                           s + 'bias__0': ((5,), 'float32', True),
                           s + 'FC__1': ((5, 4), 'float32', True),
                           s + 'bias__1': ((4,), 'float32', True),
                           s + 'FC__2': ((4, C), 'float32', True)}
    # training: 5 L2 entries, then the CE; serving: the 5 L2 entries again
    assert len(train_rec.losses) == 6 and train_rec.outputs == []
    assert len(serve_rec.losses) == 5 and len(serve_rec.outputs) == 1
    values = random_values(sess, np.random.RandomState(8))
    item_bias = np.linspace(-1, 1, C).astype(np.float32)
    feed[bias] = item_bias
    mask = (np.arange(L)[None, :] < LENS[:, None]).astype(np.float32)
    mean = (ITEM * mask[:, :, None]).sum(1) / L  # divided by max_seq_len, not the length
    x = np.concatenate([USER, mean, EXTRA], 1)
    h = relu(x @ values[s + 'FC__0'] + values[s + 'bias__0'])
    h = relu(h @ values[s + 'FC__1'] + values[s + 'bias__1'])
    logits = h @ values[s + 'FC__2'] + item_bias
    close(sess.run(serve_rec.outputs[0], feed), logits)
    close(sess.run(train_rec.losses[-1], feed), softmax_ce(LABELS, logits).mean())
    names = ['FC__0', 'bias__0', 'FC__1', 'bias__1', 'FC__2']
    for rec in (train_rec, serve_rec):
        for loss, name in zip(rec.losses, names):
            close(sess.run(loss), 0.1 * l2(values[s + name]))


def test_mlp_softmax_item_only_one_layer(graph, sess):
    item, seq_len, _, _, labels, feed = mlp_softmax_inputs()
    rec = Recorder()
    MLPSoftmax(None, item, seq_len, L, [C], rec, labels=labels, train=1, scope='v')
    assert set(var_table()) == {'v/mlp_reg/FC__0', 'v/mlp_reg/bias__0'}
    values = random_values(sess, np.random.RandomState(9))
    mask = (np.arange(L)[None, :] < LENS[:, None]).astype(np.float32)
    logits = (ITEM * mask[:, :, None]).sum(1) / L @ values['v/mlp_reg/FC__0'] + \
        values['v/mlp_reg/bias__0']
    assert len(rec.losses) == 1
    close(sess.run(rec.losses[0], feed), softmax_ce(LABELS, logits).mean())


def test_mlp_softmax_dropout_only_in_training(graph, sess):
    item, seq_len, _, _, labels, feed = mlp_softmax_inputs()
    train_rec, serve_rec = Recorder(), Recorder()
    MLPSoftmax(None, item, seq_len, L, [50, C], train_rec, labels=labels, dropout=0.5, train=True,
               scope='d')
    MLPSoftmax(None, item, seq_len, L, [50, C], serve_rec, dropout=0.5, scope='d')
    sess.run(tf.global_variables_initializer())
    serve = [sess.run(serve_rec.outputs[0], feed) for _ in range(2)]
    np.testing.assert_array_equal(serve[0], serve[1])
    dropouts = [op for op in graph.get_operations() if 'dropout' in op.name.lower()]
    assert dropouts and all(op.name.startswith('d/mlp_reg/') for op in dropouts)
    assert len({op.name.split('/')[0] for op in dropouts}) == 1
    train = [sess.run(train_rec.losses[0], feed) for _ in range(3)]
    assert len(set(np.round(train, 6))) > 1


def test_mlp_softmax_errors(graph):
    item, seq_len, user, extra, labels, _ = mlp_softmax_inputs()
    rec = Recorder()
    short = tf.placeholder(tf.float32, [None, L + 1, DI])
    float_len = tf.placeholder(tf.float32, [None])
    five = tf.placeholder(tf.float32, [5, DU])
    six = tf.placeholder(tf.float32, [6, L, DI])
    msg = fails_cleanly(graph, TypeError, ['scope', 'required'],
                        lambda: MLPSoftmax(user, item, seq_len, L, [C], rec, labels=labels,
                                           train=True))
    assert 'MLPSoftmax' in msg
    cases = [
        (ValueError, ['labels cannot be None'], dict(train=True)),
        (ValueError, ['item cannot be None'], dict(item=None)),
        (ValueError, ['seq_len cannot be None'], dict(seq_len=None)),
        (ValueError, ['subgraph'], dict(subgraph=None)),
        (TypeError, ['register_global_output'], dict(subgraph=object())),
        (ValueError, ['dims'], dict(dims=[])),
        (ValueError, ['max_seq_len'], dict(max_seq_len=0)),
        (ValueError, ['item', 'max_seq_len'], dict(item=short)),
        (TypeError, ['seq_len', 'integer'], dict(seq_len=float_len)),
        (ValueError, ['dropout'], dict(dropout=1.0)),
        (ValueError, ['l2_reg'], dict(l2_reg=-1.0)),
        (ValueError, ['user', 'rows'], dict(user=five, item=six)),
    ]
    for exc, words, change in cases:
        args = dict(user=user, item=item, seq_len=seq_len, max_seq_len=L, dims=[C], subgraph=rec,
                    scope='m')
        args.update(change)
        fails_cleanly(graph, exc, words, lambda: MLPSoftmax(**args))
    MLPSoftmax(user, item, seq_len, L, [C], rec, scope='m')
    assert len(rec.outputs) == 1


# ----------------------------------------------------------------------------------
# PointwiseMLPCE
# ----------------------------------------------------------------------------------

def test_pointwise_mlp_ce_training_and_serving(graph, sess):
    user = tf.placeholder(tf.float32, [None, DU])
    item = tf.placeholder(tf.float32, [None, DI])
    extra = tf.placeholder(tf.float32, [None, DE])
    labels = tf.placeholder(tf.int32, [None])
    bias = tf.placeholder(tf.float32, [None, 1])
    train_rec, serve_rec = Recorder(), Recorder()
    PointwiseMLPCE(user, item, [4, 1], train_rec, item_bias=bias, extra=extra, l2_reg=0.2,
                   labels=labels, train=True, scope='ncf')
    PointwiseMLPCE(user, item, [4, 1], serve_rec, item_bias=bias, extra=extra, scope='ncf')
    assert set(var_table()) == {'ncf/mlp_reg/FC__0', 'ncf/mlp_reg/bias__0', 'ncf/mlp_reg/FC__1'}
    assert len(train_rec.losses) == 3 + 1 and len(train_rec.outputs) == 1
    assert serve_rec.losses == [] and len(serve_rec.outputs) == 1
    values = random_values(sess, np.random.RandomState(10))
    items = ITEM[:, 0]
    y = np.array([1, 0, 1, 1, 0], np.int32)
    b = RNG.normal(0, 1, (N, 1)).astype(np.float32)
    feed = {user: USER, item: items, extra: EXTRA, labels: y, bias: b}
    h = relu(np.concatenate([USER, items, EXTRA], 1) @ values['ncf/mlp_reg/FC__0']
             + values['ncf/mlp_reg/bias__0'])
    logits = h @ values['ncf/mlp_reg/FC__1'] + b
    close(sess.run(train_rec.outputs[0], feed), logits)
    close(sess.run(serve_rec.outputs[0], feed), sigmoid(logits))
    close(sess.run(train_rec.losses[-1], feed), sigmoid_ce(y[:, None], logits).sum())
    close(sess.run(train_rec.losses[0]), 0.2 * l2(values['ncf/mlp_reg/FC__0']))


def test_pointwise_mlp_ce_serving_several_columns_and_errors(graph, sess):
    user = tf.placeholder(tf.float32, [None, DU])
    item = tf.placeholder(tf.float32, [None, DI])
    labels = tf.placeholder(tf.int32, [None])
    rec = Recorder()
    fails_cleanly(graph, TypeError, ['scope', 'required'],
                  lambda: PointwiseMLPCE(user, item, [2], rec))
    fails_cleanly(graph, ValueError, ['dims', '1'],
                  lambda: PointwiseMLPCE(user, item, [4, 2], rec, labels=labels, train=True,
                                         scope='p'))
    fails_cleanly(graph, ValueError, ['labels cannot be None'],
                  lambda: PointwiseMLPCE(user, item, [1], rec, train=True, scope='p'))
    fails_cleanly(graph, ValueError, ['user cannot be None'],
                  lambda: PointwiseMLPCE(None, item, [1], rec, scope='p'))
    fails_cleanly(graph, ValueError, ['dropout'],
                  lambda: PointwiseMLPCE(user, item, [1], rec, dropout=-0.1, scope='p'))
    PointwiseMLPCE(user, item, [4, 2], rec, scope='p')
    out = rec.outputs[0]
    assert out.shape.as_list() == [None, 2]
    sess.run(tf.global_variables_initializer())
    probs = sess.run(out, {user: USER, item: ITEM[:, 0]})
    assert probs.shape == (N, 2) and ((probs > 0) & (probs < 1)).all()

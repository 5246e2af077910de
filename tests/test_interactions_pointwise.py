"""PointwiseMSE, PointwiseGeCE, PointwiseMLPCE, PointwiseGeMLPCE: formulas, variables, checks."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from openrec._tfutils import ArgumentError
from openrec.modules.interactions import (PointwiseGeCE, PointwiseGeMLPCE, PointwiseMLPCE,
                                          PointwiseMSE)
from openrec.modules.interactions import (pointwise_ge_ce, pointwise_ge_mlp_ce, pointwise_mlp_ce,
                                          pointwise_mse)

N, D, U, I = 6, 4, 3, 5
RTOL = 1e-5


def rnd(*shape, seed=0, scale=1.0):
    return (np.random.RandomState(seed).randn(*shape) * scale).astype(np.float32)


def c(x):
    return tf.constant(x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def ce(z, x):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def relu(x):
    return np.maximum(x, 0)


LABELS = np.array([1, 0, 1, 1, 0, 0], dtype=np.int32)


def var_table():
    trainable = set(v.op.name for v in tf.trainable_variables())
    return [(v.op.name, tuple(v.shape.as_list()), v.dtype.base_dtype, v.op.name in trainable)
            for v in tf.global_variables()]


def init_and_load(sess, values):
    """Initialise, check the initial values, then overwrite with known arrays."""
    sess.run(tf.global_variables_initializer())
    by_name = {v.op.name: v for v in tf.global_variables()}
    for name, var in by_name.items():
        init = sess.run(var)
        if name.rsplit('/', 1)[-1].startswith('bias__'):
            assert np.all(init == 0), name
        else:
            fan_in, fan_out = var.shape.as_list()
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            assert np.all(np.abs(init) <= limit) and np.any(init != 0), name
    for name, value in values.items():
        by_name[name].load(value, sess)


def expect_error(message, fn, exc=ArgumentError):
    with pytest.raises(exc) as info:
        fn()
    assert isinstance(info.value, AssertionError)
    assert str(info.value).startswith(message), str(info.value)


def test_submodules():
    assert pointwise_mse.PointwiseMSE is PointwiseMSE and pointwise_ge_ce.PointwiseGeCE is PointwiseGeCE
    assert pointwise_mlp_ce.PointwiseMLPCE is PointwiseMLPCE
    assert pointwise_ge_mlp_ce.PointwiseGeMLPCE is PointwiseGeMLPCE


# ---------------------------------------------------------------------------------- PointwiseMSE

@pytest.mark.parametrize('a,b,use_sigmoid,flat_bias', [(1.0, 1.0, True, False), (2.0, 0.5, False, True),
                                                       (3.0, 0.1, True, True)])
def test_pointwise_mse_loss(graph, sess, a, b, use_sigmoid, flat_bias):
    u, v, bias = rnd(N, D, seed=1), rnd(N, D, seed=2), rnd(N, 1, seed=3)
    labels = LABELS.astype(np.float32) if a == 1.0 else LABELS
    m = PointwiseMSE(c(u), c(v), c(bias.reshape(-1) if flat_bias else bias), labels=c(labels), a=a,
                     b=b, sigmoid=use_sigmoid, train=True)
    r = LABELS.astype(np.float64)
    s = (u.astype(np.float64) * v).sum(1) + bias.reshape(-1)
    p = sigmoid(s) if use_sigmoid else s
    weight = (a - b) * r + b
    expected = 0.5 * ((weight * (r - p)) ** 2).sum()  # the weight is squared (kept)
    np.testing.assert_allclose(sess.run(m.get_loss()), expected, rtol=RTOL)
    assert m.get_outputs() == [] and tf.global_variables() == []


@pytest.mark.parametrize('use_sigmoid', [False, True])
def test_pointwise_mse_serving(graph, sess, use_sigmoid):
    u, v, bias = rnd(U, D, seed=4), rnd(I, D, seed=5), rnd(I, 1, seed=6)
    batch = PointwiseMSE(c(u), c(v), c(bias), sigmoid=use_sigmoid, train=False)
    s = u.astype(np.float64) @ v.T + bias.reshape(-1)
    out = sess.run(batch.get_outputs()[0])
    assert out.shape == (U, I) and batch.get_loss() == 0.0 and type(batch.get_loss()) is float
    np.testing.assert_allclose(out, sigmoid(s) if use_sigmoid else s, rtol=RTOL, atol=1e-6)
    ur, vr, br = rnd(N, D, seed=7), rnd(N, D, seed=8), rnd(N, seed=9)
    rows = PointwiseMSE(c(ur), c(vr), c(br), sigmoid=use_sigmoid, train=False, batch_serving=False,
                        scope='PointwiseMSE', reuse=True)
    s = (ur.astype(np.float64) * vr).sum(1) + br
    out = sess.run(rows.get_outputs()[0])
    assert out.shape == (N,)  # rank 1 (kept)
    np.testing.assert_allclose(out, sigmoid(s) if use_sigmoid else s, rtol=RTOL, atol=1e-6)


def test_pointwise_mse_checks(graph, sess):
    u, v, bias = c(rnd(N, D)), c(rnd(N, D)), c(rnd(N, 1))
    expect_error('train cannot be None', lambda: PointwiseMSE(None, None, None, train=None))
    expect_error('user cannot be None', lambda: PointwiseMSE(None, None, None))
    expect_error('item cannot be None', lambda: PointwiseMSE(u, None, None))
    expect_error('item_bias cannot be None', lambda: PointwiseMSE(u, v, None))
    expect_error('labels cannot be None', lambda: PointwiseMSE(u, v, bias))
    expect_error('labels must hold one label per row (6)',
                 lambda: PointwiseMSE(u, v, bias, labels=c(LABELS[:4])))
    expect_error('a must be a number', lambda: PointwiseMSE(u, v, bias, labels=LABELS, a='x'),
                 exc=TypeError)
    expect_error('item must have as many rows as user',
                 lambda: PointwiseMSE(u, c(rnd(N + 1, D)), bias, labels=LABELS))
    m = PointwiseMSE(u, v, bias, labels=LABELS)  # labels only needed in training
    PointwiseMSE(u, v, bias, train=False, scope='PointwiseMSE', reuse=True)
    assert np.isfinite(sess.run(m.get_loss()))


# ---------------------------------------------------------------------------------- PointwiseGeCE

def test_pointwise_ge_ce_training(graph, sess):
    u, v, bias = rnd(N, D, seed=1), rnd(N, D, seed=2), rnd(N, 1, seed=3)
    m = PointwiseGeCE(c(u), c(v), c(bias), labels=c(LABELS), train=True)
    assert var_table() == [('PointwiseGeCE/gmf_reg/FC__0', (D, 1), tf.float32, True)]
    h = rnd(D, 1, seed=4)
    init_and_load(sess, {'PointwiseGeCE/gmf_reg/FC__0': h})
    logits = (u.astype(np.float64) * v) @ h + bias
    out, loss = sess.run([m.get_outputs()[0], m.get_loss()])
    assert out.shape == (N, 1) and len(m.get_outputs()) == 1
    np.testing.assert_allclose(out, logits, rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(loss, ce(LABELS.reshape(-1, 1), logits).sum(), rtol=RTOL)


def test_pointwise_ge_ce_scalar_bias_l2_and_serving_reuse(graph, sess):
    u, v = rnd(N, D, seed=1), rnd(N, D, seed=2)
    train = PointwiseGeCE(c(u), c(v), 0.25, l2_reg=10.0, labels=LABELS, train=True)
    us, vs, bs = rnd(U, D, seed=5), rnd(I, D, seed=6), rnd(I, 1, seed=7)
    serve = PointwiseGeCE(c(us), c(vs), c(bs), train=False, reuse=True)
    assert len(var_table()) == 1
    h = rnd(D, 1, seed=8)
    init_and_load(sess, {'PointwiseGeCE/gmf_reg/FC__0': h})
    logits = (u.astype(np.float64) * v) @ h + 0.25
    # l2_reg reaches the sub-module only: no effect on the loss (kept)
    np.testing.assert_allclose(sess.run(train.get_loss()), ce(LABELS.reshape(-1, 1), logits).sum(),
                               rtol=RTOL)
    expected = np.einsum('ud,id,d->ui', us.astype(np.float64), vs, h[:, 0]) + bs.reshape(-1)
    out = sess.run(serve.get_outputs()[0])
    assert out.shape == (U, I) and type(serve.get_loss()) is float and serve.get_loss() == 0.0
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=1e-6)


def test_pointwise_ge_ce_checks(graph, sess):
    u, v, bias = c(rnd(N, D)), c(rnd(N, D)), c(rnd(N, 1))
    expect_error('train cannot be None', lambda: PointwiseGeCE(None, None, None))
    expect_error('user cannot be None', lambda: PointwiseGeCE(None, None, None, train=True))
    expect_error('item cannot be None', lambda: PointwiseGeCE(u, None, None, train=True))
    expect_error('item_bias cannot be None', lambda: PointwiseGeCE(u, v, None, train=False))
    expect_error('labels cannot be None', lambda: PointwiseGeCE(u, v, bias, train=True))
    for bad in (c(rnd(I)), c(np.float32(0.5))):
        expect_error('item_bias must have shape [I, 1] in serving',
                     lambda: PointwiseGeCE(c(rnd(U, D)), c(rnd(I, D)), bad, train=False))
    expect_error('item_bias must be a scalar or of shape [N, 1]',
                 lambda: PointwiseGeCE(u, v, c(rnd(N)), labels=LABELS, train=True))
    expect_error('user and item must have the same width',
                 lambda: PointwiseGeCE(u, c(rnd(N, D + 1)), bias, labels=LABELS, train=True))
    expect_error('user must have a statically known last dimension',
                 lambda: PointwiseGeCE(tf.placeholder(tf.float32, [None, None]), v, bias,
                                       labels=LABELS, train=True))
    assert tf.global_variables() == []
    m = PointwiseGeCE(u, v, bias, labels=LABELS, train=True)
    sess.run(tf.global_variables_initializer())
    assert np.isfinite(sess.run(m.get_loss()))


# ---------------------------------------------------------------------------------- PointwiseMLPCE

def mlp_ref(x, weights, biases):
    """Hidden layers relu(h W + b), last layer linear (+ bias__0 when there is one layer)."""
    h = x.astype(np.float64)
    for w, b in zip(weights[:-1], biases):
        h = relu(h @ w + b)
    h = h @ weights[-1]
    return h + biases[0] if len(weights) == 1 else h


def mlp_values(prefix, widths, seed=30):
    weights = [rnd(widths[k], widths[k + 1], seed=seed + k, scale=0.5) for k in range(len(widths) - 1)]
    n_layers = len(weights)
    biases = [rnd(widths[k + 1], seed=seed + 10 + k, scale=0.3) for k in range(max(n_layers - 1, 1))]
    values = {'%s/FC__%d' % (prefix, k): w for k, w in enumerate(weights)}
    values.update({'%s/bias__%d' % (prefix, k): b for k, b in enumerate(biases)})
    return weights, biases, values


def mlp_table(prefix, widths):
    table = []
    for k in range(len(widths) - 1):
        table.append(('%s/FC__%d' % (prefix, k), (widths[k], widths[k + 1]), tf.float32, True))
        if k < len(widths) - 2 or len(widths) == 2:
            table.append(('%s/bias__%d' % (prefix, k), (widths[k + 1],), tf.float32, True))
    return table


@pytest.mark.parametrize('dims', [[5, 3, 1], [1]])
def test_pointwise_mlp_ce_training(graph, sess, dims):
    u, v, e, bias = rnd(N, 3, seed=1), rnd(N, 2, seed=2), rnd(N, 2, seed=3), rnd(N, 1, seed=4)
    m = PointwiseMLPCE(c(u), c(v), dims, item_bias=c(bias), extra=c(e), l2_reg=5.0, labels=c(LABELS),
                       train=True)
    widths = [7] + dims
    assert var_table() == mlp_table('PointwiseMLPCE/mlp_reg', widths)
    if dims == [1]:  # the L = 1 first-layer bias exists (kept for checkpoints)
        assert ('PointwiseMLPCE/mlp_reg/bias__0', (1,), tf.float32, True) in var_table()
    weights, biases, values = mlp_values('PointwiseMLPCE/mlp_reg', widths)
    init_and_load(sess, values)
    logits = mlp_ref(np.concatenate([u, v, e], 1), weights, biases) + bias
    out, loss = sess.run([m.get_outputs()[0], m.get_loss()])
    assert out.shape == (N, 1)
    np.testing.assert_allclose(out, logits, rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(loss, ce(LABELS.reshape(-1, 1), logits).sum(), rtol=RTOL)


def test_pointwise_mlp_ce_dropout_only_in_training(graph, sess):
    u, v = rnd(N, 3, seed=1), rnd(N, 2, seed=2)
    train = PointwiseMLPCE(c(u), c(v), [64, 1], labels=LABELS, dropout=0.5, train=True, scope='S')
    served = PointwiseMLPCE(c(u), c(v), [64, 1], dropout=0.5, train=False, batch_serving=False,
                            scope='S', reuse=True)
    weights, biases, values = mlp_values('S/mlp_reg', [5, 64, 1])
    init_and_load(sess, values)
    runs = [sess.run(train.get_outputs()[0]) for _ in range(3)]
    assert not all(np.allclose(runs[0], r) for r in runs[1:])  # dropout active in training
    expected = sigmoid(mlp_ref(np.concatenate([u, v], 1), weights, biases))
    for _ in range(2):
        np.testing.assert_allclose(sess.run(served.get_outputs()[0]), expected, rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize('dims', [[4, 1], [1]])
def test_pointwise_mlp_ce_serving(graph, sess, dims):
    u, v, e, bias = rnd(U, 3, seed=11), rnd(I, 2, seed=12), rnd(I, 2, seed=13), rnd(I, 1, seed=14)
    ut, vt, et = rnd(N, 3, seed=1), rnd(N, 2, seed=2), rnd(N, 2, seed=3)
    PointwiseMLPCE(c(ut), c(vt), dims, extra=c(et), labels=LABELS, train=True)
    batch = PointwiseMLPCE(c(u), c(v), dims, item_bias=c(bias), extra=c(e), train=False, reuse=True)
    plain = PointwiseMLPCE(c(u), c(v), dims, extra=c(e), train=None, reuse=True)  # None -> serving
    ur, vr, er, br = rnd(N, 3, seed=15), rnd(N, 2, seed=16), rnd(N, 2, seed=17), rnd(N, 1, seed=18)
    rows = PointwiseMLPCE(c(ur), c(vr), dims, item_bias=c(br), extra=c(er), train=False,
                          batch_serving=False, reuse=True)
    weights, biases, values = mlp_values('PointwiseMLPCE/mlp_reg', [7] + dims)
    assert sorted(v.op.name for v in tf.global_variables()) == sorted(values)
    init_and_load(sess, values)
    pairs = np.array([np.concatenate([u[r // I], v[r % I], e[r % I]]) for r in range(U * I)])
    grid = mlp_ref(pairs, weights, biases).reshape(U, I)
    np.testing.assert_allclose(sess.run(batch.get_outputs()[0]), grid + bias.reshape(-1),
                               rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(sess.run(plain.get_outputs()[0]), grid, rtol=RTOL, atol=1e-6)
    out = sess.run(rows.get_outputs()[0])
    assert out.shape == (N, 1)
    np.testing.assert_allclose(out, sigmoid(mlp_ref(np.concatenate([ur, vr, er], 1), weights, biases)
                                            + br), rtol=RTOL, atol=1e-6)
    for m in (batch, plain, rows):
        assert type(m.get_loss()) is float and m.get_loss() == 0.0


def test_pointwise_mlp_ce_checks(graph, sess):
    u, v = c(rnd(N, 3)), c(rnd(N, 2))
    expect_error('dims cannot be None', lambda: PointwiseMLPCE(u, v, None, train=True))
    expect_error('last value of dims should be 1', lambda: PointwiseMLPCE(u, v, [4, 2], train=True))
    expect_error('labels cannot be None', lambda: PointwiseMLPCE(u, v, [4, 1], train=True))
    expect_error('dims must not be empty', lambda: PointwiseMLPCE(u, v, [], train=True))
    expect_error('dims[0] must be a positive int', lambda: PointwiseMLPCE(u, v, [0, 1], train=True))
    expect_error('last value of dims should be 1', lambda: PointwiseMLPCE(u, v, [0, 2], train=True))
    expect_error('last value of dims should be 1',
                 lambda: PointwiseMLPCE(u, v, np.array([3, 2]), train=True))
    expect_error('user cannot be None', lambda: PointwiseMLPCE(None, v, [4, 1], train=False))
    expect_error('item cannot be None', lambda: PointwiseMLPCE(u, None, [4, 1], train=False))
    expect_error('extra must have as many rows as item (5)',
                 lambda: PointwiseMLPCE(c(rnd(U, 3)), c(rnd(I, 2)), [4, 1], extra=c(rnd(U, 2)),
                                        train=False))
    expect_error('extra must have as many rows as item (3)',  # U = I: one row per user was misaligned
                 lambda: PointwiseMLPCE(c(rnd(3, 3)), c(rnd(3, 2)), [4, 1], extra=c(rnd(4, 2)),
                                        train=False))
    expect_error('dropout must be a dropout rate in [0, 1)',
                 lambda: PointwiseMLPCE(u, v, [4, 1], labels=LABELS, dropout=1.5, train=True))
    expect_error('item_bias must have shape [I, 1] in serving',
                 lambda: PointwiseMLPCE(c(rnd(U, 3)), c(rnd(I, 2)), [4, 1], item_bias=c(rnd(I)),
                                        train=False))
    expect_error('item_bias must be a scalar or of shape [N, 1]',
                 lambda: PointwiseMLPCE(u, v, [4, 1], item_bias=c(rnd(N)), labels=LABELS, train=True))
    expect_error('labels must hold one label per row (6)',
                 lambda: PointwiseMLPCE(u, v, [4, 1], labels=LABELS[:3], train=True))
    assert tf.global_variables() == []
    m = PointwiseMLPCE(u, v, [4, 1], labels=LABELS, train=True)
    sess.run(tf.global_variables_initializer())
    assert np.isfinite(sess.run(m.get_loss()))


# ---------------------------------------------------------------------------------- PointwiseGeMLPCE

@pytest.mark.parametrize('alpha,dims', [(0.5, [3, 1]), (0.2, [1])])
def test_pointwise_ge_mlp_ce(graph, sess, alpha, dims):
    um, ug, vm, vg = rnd(N, 3, seed=1), rnd(N, 4, seed=2), rnd(N, 2, seed=3), rnd(N, 4, seed=4)
    bias = rnd(N, 1, seed=5)
    kwargs = {} if alpha == 0.5 else {'alpha': alpha}
    m = PointwiseGeMLPCE(c(um), c(ug), c(vm), c(vg), c(bias), dims, labels=c(LABELS), l2_reg=1.0,
                         train=True, **kwargs)
    h = rnd(4, 1, seed=6)
    weights, biases, values = mlp_values('PointwiseGeMLPCE/mlp/mlp_reg', [5] + dims)
    assert var_table() == ([('PointwiseGeMLPCE/ge/gmf_reg/FC__0', (4, 1), tf.float32, True)]
                           + mlp_table('PointwiseGeMLPCE/mlp/mlp_reg', [5] + dims))
    values['PointwiseGeMLPCE/ge/gmf_reg/FC__0'] = h
    init_and_load(sess, values)
    ge = (ug.astype(np.float64) * vg) @ h
    mlp = mlp_ref(np.concatenate([um, vm], 1), weights, biases)
    logits = alpha * ge + (1 - alpha) * mlp + bias
    out, loss = sess.run([m.get_outputs()[0], m.get_loss()])
    assert out.shape == (N, 1) and len(m.get_outputs()) == 1
    np.testing.assert_allclose(out, logits, rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(loss, ce(LABELS.reshape(-1, 1), logits).sum(), rtol=RTOL)


def test_pointwise_ge_mlp_ce_reuse(graph, sess):
    args = [c(rnd(N, 3)), c(rnd(N, 4)), c(rnd(N, 2)), c(rnd(N, 4)), c(rnd(N, 1)), [3, 1]]
    a = PointwiseGeMLPCE(*args, labels=LABELS, train=True, scope='neumf')
    b = PointwiseGeMLPCE(*args, labels=LABELS, train=True, scope='neumf', reuse=True)
    assert len(tf.global_variables()) == 4
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(*sess.run([a.get_outputs()[0], b.get_outputs()[0]]), rtol=1e-6)


def test_pointwise_ge_mlp_ce_checks(graph, sess):
    um, ug, vm, vg, bias = c(rnd(N, 3)), c(rnd(N, 4)), c(rnd(N, 2)), c(rnd(N, 4)), c(rnd(N, 1))
    G = PointwiseGeMLPCE
    expect_error('train cannot be None', lambda: G(um, ug, vm, vg, bias, [3, 1], labels=LABELS))
    expect_error('user cannot be None (argument user_ge)',
                 lambda: G(um, None, vm, None, bias, [3, 1], train=True))
    expect_error('item cannot be None (argument item_ge)',
                 lambda: G(um, ug, vm, None, bias, [3, 1], train=True))
    expect_error('train=False is not supported', lambda: G(um, ug, vm, vg, bias, [3, 1], train=False))
    expect_error('labels cannot be None', lambda: G(um, ug, vm, vg, bias, None, train=True))
    expect_error('dims cannot be None', lambda: G(um, ug, vm, vg, bias, None, labels=LABELS, train=True))
    expect_error('last value of dims should be 1',
                 lambda: G(um, ug, vm, vg, bias, [3, 2], labels=LABELS, train=True))
    expect_error('user cannot be None (argument user_mlp)',
                 lambda: G(None, ug, vm, vg, bias, [3, 1], labels=LABELS, train=True))
    expect_error('item_mlp must have rank 2',
                 lambda: G(um, ug, c(rnd(N)), vg, bias, [3, 1], labels=LABELS, train=True))
    expect_error('user_ge and item_ge must have the same width',
                 lambda: G(um, ug, vm, c(rnd(N, 3)), bias, [3, 1], labels=LABELS, train=True))
    expect_error('item_bias cannot be None',
                 lambda: G(um, ug, vm, vg, None, [3, 1], labels=LABELS, train=True))
    expect_error('item_bias must be a scalar or of shape [N, 1]',
                 lambda: G(um, ug, vm, vg, c(rnd(N)), [3, 1], labels=LABELS, train=True))
    expect_error('alpha must be a number',
                 lambda: G(um, ug, vm, vg, bias, [3, 1], labels=LABELS, alpha='half', train=True),
                 exc=TypeError)
    expect_error('dropout must be a dropout rate',
                 lambda: G(um, ug, vm, vg, bias, [3, 1], labels=LABELS, dropout=-1, train=True))
    assert tf.global_variables() == []
    m = G(um, ug, vm, vg, bias, [3, 1], labels=LABELS, train=True)
    sess.run(tf.global_variables_initializer())
    assert np.isfinite(sess.run(m.get_loss()))


def test_bool_options_are_checked(graph):
    # issue 9 audit: the original took any truthy value
    user, item = tf.zeros([3, 4]), tf.zeros([3, 4])
    bias, labels = tf.zeros([3, 1]), tf.zeros([3])
    with pytest.raises(TypeError, match="sigmoid must be a bool, got 'yes'"):
        PointwiseMSE(user, item, bias, labels=labels, sigmoid='yes', train=True)
    with pytest.raises(TypeError, match='batch_serving must be a bool, got None'):
        PointwiseMSE(user, item, bias, batch_serving=None, train=False)
    with pytest.raises(TypeError, match="batch_serving must be a bool, got 'no'"):
        PointwiseMLPCE(user, item, dims=[1], batch_serving='no', train=False)
    assert PointwiseMSE(user, item, bias, labels=labels, sigmoid=True).get_loss() is not None

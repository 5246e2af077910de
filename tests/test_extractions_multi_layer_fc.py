"""MultiLayerFC: variables, relu/bias/dropout rules, l2 loss, batch norm, reuse, bad input."""
import itertools

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import (close, fails_cleanly, l2, load, load_mlp, mlp_reference,
                                 mlp_table, random_layers, read_bn_stats, var, var_table)
from openrec.modules.extractions import MultiLayerFC

RNG = np.random.RandomState(11)
X = RNG.normal(0, 1, (8, 5)).astype(np.float32)


def build(dims=(4, 3, 2), in_dim=5, **kwargs):
    x = tf.placeholder(tf.float32, [None, in_dim])
    return x, MultiLayerFC(x, list(dims), **kwargs)


def test_variable_table_default_scope(graph):
    build(batch_norm=True)
    table = var_table()
    assert table == mlp_table('MultiLayerFC', 5, [4, 3, 2], batch_norm=True)
    assert 'MultiLayerFC/bn_2/moving_variance' in table and len(table) == 18


def test_variable_table_custom_and_nested_scope(graph):
    with tf.variable_scope('outer'):
        build(dims=[3], scope='tower')
    assert var_table() == mlp_table('outer/tower', 5, [3])


def test_xavier_uniform_initialisation(graph, sess):
    tf.set_random_seed(3)
    build(dims=[300, 100], in_dim=500)
    sess.run(tf.global_variables_initializer())
    for name, fan_in, fan_out in (('FC__0', 500, 300), ('FC__1', 300, 100)):
        w = sess.run(var('MultiLayerFC/' + name))
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
        close(w.std(), limit / np.sqrt(3), rtol=0.02)
    np.testing.assert_array_equal(sess.run(var('MultiLayerFC/bias__0')), np.zeros(300))


@pytest.mark.parametrize('train', [True, False])
@pytest.mark.parametrize('relu_in, relu_mid, relu_out', list(itertools.product([False, True], repeat=3)))
def test_relu_placement(graph, sess, relu_in, relu_mid, relu_out, train):
    flags = dict(relu_in=relu_in, relu_mid=relu_mid, relu_out=relu_out)
    x, module = build(train=train, **flags)
    layers = random_layers(np.random.RandomState(1), 5, [4, 3, 2])
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    out = module.get_outputs()
    assert len(out) == 1 and out[0].shape.as_list() == [None, 2]
    expected, _ = mlp_reference(X, layers, **flags)
    assert (expected != 0).mean() >= 0.25
    close(sess.run(out[0], {x: X}), expected)
    assert type(module.get_loss()) is float and module.get_loss() == 0.0


BIAS_CASES = list(itertools.product([False, True], repeat=3))


@pytest.mark.parametrize('bias_in, bias_mid, bias_out', BIAS_CASES)
def test_bias_rule_three_layers(graph, sess, bias_in, bias_mid, bias_out):
    x, module = build(dims=[4, 3, 2], bias_in=bias_in, bias_mid=bias_mid, bias_out=bias_out)
    present = [bias_in, bias_mid, bias_out]
    assert var_table() == mlp_table('MultiLayerFC', 5, [4, 3, 2], biases=present)
    layers = random_layers(np.random.RandomState(2), 5, [4, 3, 2])
    for layer, keep in zip(layers, present):
        if not keep:
            layer['b'] = None
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    close(sess.run(module.get_outputs()[0], {x: X}), mlp_reference(X, layers)[0])


@pytest.mark.parametrize('bias_in, bias_mid, bias_out', BIAS_CASES)
def test_bias_rule_one_layer_follows_bias_in(graph, sess, bias_in, bias_mid, bias_out):
    x, module = build(dims=[3], bias_in=bias_in, bias_mid=bias_mid, bias_out=bias_out)
    assert ('MultiLayerFC/bias__0' in var_table()) is bias_in
    layers = random_layers(np.random.RandomState(4), 5, [3], bias=bias_in)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    close(sess.run(module.get_outputs()[0], {x: X}), mlp_reference(X, layers)[0])


@pytest.mark.parametrize('bias_mid', [False, True])
def test_bias_rule_middle_layers(graph, bias_mid):
    build(dims=[4, 4, 4, 2], bias_in=True, bias_mid=bias_mid, bias_out=True)
    names = set(var_table())
    assert {'MultiLayerFC/bias__0', 'MultiLayerFC/bias__3'} <= names
    assert ('MultiLayerFC/bias__1' in names) is bias_mid
    assert ('MultiLayerFC/bias__2' in names) is bias_mid


@pytest.mark.parametrize('batch_norm', [False, True])
def test_l2_loss_sums_trainable_variables_of_the_scope(graph, sess, batch_norm):
    other_x = tf.placeholder(tf.float32, [None, 5])
    MultiLayerFC(other_x, [2], scope='other', l2_reg=1.0)
    x, module = build(dims=[4, 3], batch_norm=batch_norm, l2_reg=0.3, scope='mlp')
    layers = random_layers(np.random.RandomState(5), 5, [4, 3], batch_norm=batch_norm)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'mlp', layers)
    load(sess, 'other/FC__0', np.full((5, 2), 3.0))
    trainable = ('W', 'b', 'beta', 'gamma')  # moving statistics do not count
    expected = sum(0.3 * l2(layer[k]) for layer in layers for k in trainable if k in layer)
    close(sess.run(module.get_loss()), expected)
    without_moving = sum(0.3 * l2(layer[k]) for layer in layers for k in layer)
    assert not batch_norm or abs(without_moving - expected) > 0.1


def test_l2_loss_uses_the_tf1_collection_prefix_match(graph, sess):
    """Variables of an earlier scope whose name extends this one's (``mlp2`` for ``mlp``) count."""
    MultiLayerFC(tf.placeholder(tf.float32, [None, 5]), [2], scope='mlp2')
    _, module = build(dims=[3], l2_reg=1.0, scope='mlp')
    sess.run(tf.global_variables_initializer())
    load(sess, 'mlp/FC__0', np.ones((5, 3)))
    load(sess, 'mlp2/FC__0', np.full((5, 2), 2.0))
    close(sess.run(module.get_loss()), l2(np.ones((5, 3))) + l2(np.full((5, 2), 2.0)))


def test_l2_loss_is_trainable(graph, sess):
    x, module = build(dims=[2], in_dim=2, l2_reg=0.5)
    step = tf.train.GradientDescentOptimizer(0.1).minimize(module.get_loss())
    sess.run(tf.global_variables_initializer())
    load(sess, 'MultiLayerFC/FC__0', [[1.0, 2.0], [3.0, 4.0]])
    load(sess, 'MultiLayerFC/bias__0', [1.0, -1.0])
    sess.run(step)
    close(sess.run(var('MultiLayerFC/FC__0')), np.array([[1.0, 2.0], [3.0, 4.0]]) * 0.95)
    close(sess.run(var('MultiLayerFC/bias__0')), [0.95, -0.95])


@pytest.mark.parametrize('relu_mid, relu_out', [(True, True), (False, False), (True, False)])
def test_batch_norm_training(graph, sess, relu_mid, relu_out):
    x, module = build(dims=[4, 3], batch_norm=True, relu_mid=relu_mid, relu_out=relu_out)
    layers = random_layers(np.random.RandomState(6), 5, [4, 3], batch_norm=True)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    expected, stats = mlp_reference(X, layers, relu_mid=relu_mid, relu_out=relu_out, train=True)
    close(sess.run(module.get_outputs()[0], {x: X}), expected)
    # one evaluation = one moving-average update (decay 0.95, unbiased variance)
    for (mean, variance), (exp_mean, exp_var) in zip(read_bn_stats(sess, 'MultiLayerFC', 2), stats):
        close(mean, exp_mean)
        close(variance, exp_var)
    # a second evaluation updates again
    for layer, (mean, variance) in zip(layers, stats):
        layer['moving_mean'], layer['moving_variance'] = mean, variance
    _, stats2 = mlp_reference(X, layers, relu_mid=relu_mid, relu_out=relu_out, train=True)
    sess.run(module.get_outputs()[0], {x: X})
    for (mean, variance), (exp_mean, exp_var) in zip(read_bn_stats(sess, 'MultiLayerFC', 2), stats2):
        close(mean, exp_mean)
        close(variance, exp_var)


def test_batch_norm_default_values_and_training_output(graph, sess):
    x, module = build(dims=[3], batch_norm=True, bias_in=False)
    w = np.random.RandomState(8).normal(size=(5, 3)).astype(np.float32)
    sess.run(tf.global_variables_initializer())
    load(sess, 'MultiLayerFC/FC__0', w)
    assert [list(s) for pair in read_bn_stats(sess, 'MultiLayerFC', 1) for s in pair] == \
        [[0, 0, 0], [1, 1, 1]]
    z = X @ w
    close(sess.run(module.get_outputs()[0], {x: X}), (z - z.mean(0)) / np.sqrt(z.var(0) + 0.001))


def test_batch_norm_serving_uses_moving_statistics(graph, sess):
    x, module = build(dims=[4, 3], batch_norm=True, relu_out=True, train=False)
    assert var_table() == mlp_table('MultiLayerFC', 5, [4, 3], batch_norm=True)
    layers = random_layers(np.random.RandomState(9), 5, [4, 3], batch_norm=True)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    expected, _ = mlp_reference(X, layers, relu_out=True, train=False)
    close(sess.run(module.get_outputs()[0], {x: X}), expected)
    close(sess.run(module.get_outputs()[0], {x: X[:1]}), expected[:1])
    for layer, (mean, variance) in zip(layers, read_bn_stats(sess, 'MultiLayerFC', 2)):
        np.testing.assert_array_equal(mean, layer['moving_mean'])
        np.testing.assert_array_equal(variance, layer['moving_variance'])


def test_training_and_serving_graphs_share_batch_norm(graph, sess):
    x, train_mlp = build(dims=[3], batch_norm=True, scope='m')
    serve_mlp = MultiLayerFC(x, [3], batch_norm=True, train=False, scope='m', reuse=True)
    assert len(var_table()) == 6
    layers = random_layers(np.random.RandomState(10), 5, [3], batch_norm=True)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'm', layers)
    _, stats = mlp_reference(X, layers)
    sess.run(train_mlp.get_outputs()[0], {x: X})
    layers[0]['moving_mean'], layers[0]['moving_variance'] = stats[0]
    close(sess.run(serve_mlp.get_outputs()[0], {x: X}), mlp_reference(X, layers, train=False)[0])


def test_dropout_disabled_when_serving(graph, sess):
    x, module = build(dropout_in=0.5, dropout_mid=0.5, dropout_out=0.5, train=False)
    layers = random_layers(np.random.RandomState(12), 5, [4, 3, 2])
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    expected, _ = mlp_reference(X, layers)
    assert (expected != 0).all()
    for _ in range(3):
        close(sess.run(module.get_outputs()[0], {x: X}), expected)


def identity_mlp(sess, dims, width, **kwargs):
    ones = tf.ones([500, width])
    module = MultiLayerFC(ones, [width] * dims, bias_in=False, bias_mid=False, bias_out=False,
                          **kwargs)
    sess.run(tf.global_variables_initializer())
    for i in range(dims):
        load(sess, 'MultiLayerFC/FC__%d' % i, np.eye(width))
    return module.get_outputs()[0]


@pytest.mark.parametrize('dims, kwargs, rate', [
    (1, dict(dropout_in=0.4), 0.4),
    (2, dict(dropout_mid=0.25), 0.25),
    (2, dict(dropout_out=0.5), 0.5),
    (1, dict(dropout_out=0.1), 0.1),
])
def test_dropout_in_training(graph, sess, dims, kwargs, rate):
    out = identity_mlp(sess, dims, 8, **kwargs)
    first, second = sess.run(out), sess.run(out)
    for value in (first, second):
        kept = value != 0
        close(value[kept], np.full(kept.sum(), 1.0 / (1.0 - rate)))
        assert abs((~kept).mean() - rate) < 0.05  # 4000 draws: > 6 standard deviations
    assert (first != second).any()


def test_dropout_in_and_mid_compound(graph, sess):
    out = identity_mlp(sess, 2, 8, dropout_in=0.5, dropout_mid=0.5)
    value = sess.run(out)
    kept = value != 0
    close(value[kept], np.full(kept.sum(), 4.0))
    assert abs((~kept).mean() - 0.75) < 0.05


def test_dropout_rate_zero_keeps_everything(graph, sess):
    out = identity_mlp(sess, 1, 8, dropout_in=0.0)
    np.testing.assert_array_equal(sess.run(out), np.ones((500, 8)))


def test_reuse_shares_variables(graph, sess):
    x, first = build(scope='shared', batch_norm=True)
    n_vars = len(tf.global_variables())
    x2 = tf.placeholder(tf.float32, [None, 5])
    second = MultiLayerFC(x2, [4, 3, 2], scope='shared', reuse=True, batch_norm=True, train=False)
    assert len(tf.global_variables()) == n_vars == 18
    assert second.get_outputs()[0].name.startswith('shared_1/')
    layers = random_layers(np.random.RandomState(13), 5, [4, 3, 2], batch_norm=True)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'shared', layers)
    close(sess.run(second.get_outputs()[0], {x2: X}), mlp_reference(X, layers, train=False)[0])


def test_without_reuse_second_build_fails(graph):
    build()
    with pytest.raises(ValueError, match='MultiLayerFC/FC__0 already exists'):
        build()
    assert len(var_table()) == 6


def test_numpy_input(graph, sess):
    module = MultiLayerFC(X, [3])
    layers = random_layers(np.random.RandomState(14), 5, [3])
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    close(sess.run(module.get_outputs()[0]), mlp_reference(X, layers)[0])


@pytest.mark.parametrize('make_input, dims, kwargs, exc, words', [
    (lambda: None, [2], {}, ValueError, ['in_tensor', 'None']),
    (lambda: tf.placeholder(tf.float32, [None]), [2], {}, ValueError, ['in_tensor', 'rank 2']),
    (lambda: tf.placeholder(tf.float32, [2, 3, 5]), [2], {}, ValueError, ['in_tensor', 'rank 2']),
    (lambda: tf.placeholder(tf.float32), [2], {}, ValueError, ['in_tensor', 'rank 2']),
    (lambda: tf.placeholder(tf.float32, [None, None]), [2], {}, ValueError,
     ['in_tensor', 'last dimension']),
    (lambda: tf.placeholder(tf.int32, [None, 5]), [2], {}, TypeError, ['in_tensor', 'float32']),
    (lambda: tf.placeholder(tf.float64, [None, 5]), [2], {}, TypeError, ['in_tensor', 'float32']),
    (lambda: np.ones(5, np.float32), [2], {}, ValueError, ['in_tensor', 'rank 2']),
    (lambda: X, None, {}, ValueError, ['dims']),
    (lambda: X, [], {}, ValueError, ['dims', 'empty']),
    (lambda: X, 3, {}, TypeError, ['dims']),
    (lambda: X, [3, 0], {}, ValueError, ['dims[1]', 'positive']),
    (lambda: X, [-2], {}, ValueError, ['dims[0]', 'positive']),
    (lambda: X, [2.5], {}, TypeError, ['dims[0]']),
    (lambda: X, [2], dict(dropout_in=1.0), ValueError, ['dropout_in', '[0, 1)']),
    (lambda: X, [2], dict(dropout_mid=-0.1), ValueError, ['dropout_mid', '[0, 1)']),
    (lambda: X, [2], dict(dropout_out=1.5), ValueError, ['dropout_out', '[0, 1)']),
    (lambda: X, [2], dict(dropout_out='half'), TypeError, ['dropout_out']),
    (lambda: X, [2], dict(l2_reg=-1.0), ValueError, ['l2_reg']),
    (lambda: X, [2], dict(scope=5), TypeError, ['scope']),
])
def test_bad_arguments(graph, sess, make_input, dims, kwargs, exc, words):
    in_tensor = make_input()
    fails_cleanly(graph, exc, words, lambda: MultiLayerFC(in_tensor, dims, **kwargs))
    x, module = build(dims=[3])
    assert var_table() == mlp_table('MultiLayerFC', 5, [3])
    assert module.get_outputs()[0].name.startswith('MultiLayerFC/')
    layers = random_layers(np.random.RandomState(15), 5, [3])
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'MultiLayerFC', layers)
    close(sess.run(module.get_outputs()[0], {x: X}), mlp_reference(X, layers)[0])


def test_batch_norm_variables_are_filed_as_contrib_filed_them(graph):
    build(dims=[4, 3], batch_norm=True)
    names = lambda key: [v.op.name for v in tf.get_collection(key)]  # noqa: E731
    bn = ['MultiLayerFC/bn_%d/%s' % (i, n) for i in range(2)
          for n in ('beta', 'gamma', 'moving_mean', 'moving_variance')]
    assert names(tf.GraphKeys.MODEL_VARIABLES) == bn
    assert names(tf.GraphKeys.MOVING_AVERAGE_VARIABLES) == []
    assert [n for n in names(tf.GraphKeys.TRAINABLE_VARIABLES) if '/bn_' in n] == \
        [n for n in bn if n.endswith(('beta', 'gamma'))]

"""Small helpers shared by the extraction tests (not a test module)."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

RTOL, ATOL = 1e-4, 1e-6
BN_EPS, BN_DECAY = 0.001, 0.95


def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def var_table(graph=None):
    """``{name: (shape, dtype, trainable)}`` of every global variable of the graph."""
    graph = graph or tf.get_default_graph()
    with graph.as_default():
        trainable = {v.name for v in tf.trainable_variables()}
        return {v.op.name: (tuple(v.shape.as_list()), v.dtype.base_dtype.name, v.name in trainable)
                for v in tf.global_variables()}


def var(name, graph=None):
    """The global variable called ``name`` (without ``:0``)."""
    graph = graph or tf.get_default_graph()
    with graph.as_default():
        found = [v for v in tf.global_variables() if v.op.name == name]
    assert len(found) == 1, name
    return found[0]


def load(sess, name, value):
    variable = var(name, sess.graph)
    variable.load(np.asarray(value, dtype=variable.dtype.base_dtype.as_numpy_dtype), sess)


def graph_state(graph):
    return len(graph.get_operations()), [v.name for v in graph.get_collection('variables')]


def fails_cleanly(graph, exc, words, build):
    """``build()`` raises ``exc`` naming every word in ``words`` and adds nothing to the graph."""
    before = graph_state(graph)
    with pytest.raises(exc) as info:
        build()
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    assert graph_state(graph) == before
    return message


def relu(x):
    return np.maximum(x, 0)


def l2(x):
    return np.sum(np.square(np.asarray(x, np.float64))) / 2


def bn_train(x, gamma, beta):
    """Training batch norm: output, batch mean, Bessel-corrected batch variance."""
    mean, var_biased = x.mean(axis=0), x.var(axis=0)
    out = gamma * (x - mean) / np.sqrt(var_biased + BN_EPS) + beta
    return out, mean, x.var(axis=0, ddof=1)


def bn_serve(x, gamma, beta, moving_mean, moving_variance):
    return gamma * (x - moving_mean) / np.sqrt(moving_variance + BN_EPS) + beta


def mlp_reference(x, layers, relu_in=False, relu_mid=True, relu_out=False, train=True):
    """The spec's MultiLayerFC (no dropout) on float64 numpy arrays.

    ``layers[i]`` holds ``W``, optionally ``b``, and for batch norm ``beta``, ``gamma``,
    ``moving_mean``, ``moving_variance``. Returns the output and, per batch-norm layer,
    the moving statistics after one training evaluation (or unchanged when serving).
    """
    x = np.asarray(x, np.float64)
    x = relu(x) if relu_in else x
    new_stats = []
    for i, layer in enumerate(layers):
        out = x @ layer['W']
        if layer.get('b') is not None:
            out = out + layer['b']
        last = i == len(layers) - 1
        if (relu_out if last else relu_mid):
            out = relu(out)
        if 'gamma' in layer:
            if train:
                out, mean, var_unbiased = bn_train(out, layer['gamma'], layer['beta'])
                new_stats.append((BN_DECAY * layer['moving_mean'] + (1 - BN_DECAY) * mean,
                                  BN_DECAY * layer['moving_variance'] + (1 - BN_DECAY) * var_unbiased))
            else:
                out = bn_serve(out, layer['gamma'], layer['beta'], layer['moving_mean'],
                               layer['moving_variance'])
                new_stats.append((layer['moving_mean'], layer['moving_variance']))
        x = out
    return x, new_stats


def random_layers(rng, in_dim, dims, bias=True, batch_norm=False):
    """Deterministic non-trivial values for an MLP's variables."""
    layers, width = [], in_dim
    for d in dims:
        layer = {'W': rng.normal(0, 0.7, (width, d)).astype(np.float32)}
        if bias:
            layer['b'] = rng.normal(0, 0.3, d).astype(np.float32)
        if batch_norm:
            layer['gamma'] = rng.uniform(0.5, 1.5, d).astype(np.float32)
            layer['beta'] = rng.normal(0, 0.3, d).astype(np.float32)
            layer['moving_mean'] = rng.normal(0, 0.5, d).astype(np.float32)
            layer['moving_variance'] = rng.uniform(0.5, 2.0, d).astype(np.float32)
        layers.append(layer)
        width = d
    return layers


_SUFFIX = {'W': 'FC__%d', 'b': 'bias__%d', 'beta': 'bn_%d/beta', 'gamma': 'bn_%d/gamma',
           'moving_mean': 'bn_%d/moving_mean', 'moving_variance': 'bn_%d/moving_variance'}


def load_mlp(sess, scope, layers):
    for i, layer in enumerate(layers):
        for key, value in layer.items():
            if value is not None:
                load(sess, '%s/%s' % (scope, _SUFFIX[key] % i), value)


def read_bn_stats(sess, scope, n_layers):
    return [tuple(sess.run(var('%s/bn_%d/%s' % (scope, i, k), sess.graph))
                  for k in ('moving_mean', 'moving_variance')) for i in range(n_layers)]


def mlp_table(scope, in_dim, dims, biases=None, batch_norm=False):
    """Expected variable table of a MultiLayerFC."""
    table = {}
    width = in_dim
    for i, d in enumerate(dims):
        table['%s/FC__%d' % (scope, i)] = ((width, d), 'float32', True)
        if biases is None or biases[i]:
            table['%s/bias__%d' % (scope, i)] = ((d,), 'float32', True)
        if batch_norm:
            for name, trainable in (('beta', True), ('gamma', True), ('moving_mean', False),
                                    ('moving_variance', False)):
                table['%s/bn_%d/%s' % (scope, i, name)] = ((d,), 'float32', trainable)
        width = d
    return table

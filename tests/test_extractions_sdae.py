"""SDAE: encoder/decoder wiring, loss, deterministic serving, reuse, bad input."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import (close, fails_cleanly, l2, load_mlp, mlp_reference, mlp_table,
                                 random_layers, var_table)
from openrec.modules.extractions import SDAE

X = np.random.RandomState(21).uniform(0, 1, (10, 6)).astype(np.float32)
DIMS = [6, 4, 2]


def reference(x, encoder, decoder, l2_reg, l2_reconst):
    code, _ = mlp_reference(x, encoder, relu_mid=True, relu_out=False)
    decoded, _ = mlp_reference(code, decoder, relu_in=True, relu_mid=True, relu_out=True)
    reg = 0.0 if l2_reg is None else sum(l2_reg * l2(v) for layer in encoder + decoder
                                         for v in layer.values())
    return code, reg + l2_reconst * l2(decoded - x)


def load_sdae(sess, scope, seed, dims=DIMS):
    rng = np.random.RandomState(seed)
    encoder = random_layers(rng, dims[0], dims[1:])
    decoder = random_layers(rng, dims[-1], dims[::-1][1:])
    load_mlp(sess, scope + '/encoder', encoder)
    load_mlp(sess, scope + '/decoder', decoder)
    return encoder, decoder


def test_variable_table(graph):
    SDAE(tf.placeholder(tf.float32, [None, 6]), DIMS)
    expected = mlp_table('SDAE/encoder', 6, [4, 2])
    expected.update(mlp_table('SDAE/decoder', 2, [4, 6]))
    assert var_table() == expected


def test_variable_table_custom_scope_four_layers(graph):
    SDAE(tf.placeholder(tf.float32, [None, 7]), [7, 5, 3, 2], scope='text', train=False)
    expected = mlp_table('text/encoder', 7, [5, 3, 2])
    expected.update(mlp_table('text/decoder', 2, [3, 5, 7]))
    assert var_table() == expected


@pytest.mark.parametrize('train', [True, False])
@pytest.mark.parametrize('l2_reg, l2_reconst', [(None, 1.0), (0.1, 0.7), (0.05, 0.0)])
def test_outputs_and_loss(graph, sess, train, l2_reg, l2_reconst):
    x = tf.placeholder(tf.float32, [None, 6])
    module = SDAE(x, DIMS, l2_reconst=l2_reconst, l2_reg=l2_reg, train=train)
    sess.run(tf.global_variables_initializer())
    encoder, decoder = load_sdae(sess, 'SDAE', seed=22)
    code, loss = reference(X, encoder, decoder, l2_reg, l2_reconst)
    outputs = module.get_outputs()
    assert len(outputs) == 1 and outputs[0].shape.as_list() == [None, 2]
    got_code, got_loss = sess.run([outputs[0], module.get_loss()], {x: X})
    close(got_code, code)
    close(got_loss, loss)


def test_four_layer_wiring(graph, sess):
    x = tf.placeholder(tf.float32, [None, 6])
    module = SDAE(x, [6, 5, 4, 3], l2_reg=0.2, l2_reconst=2.0)
    sess.run(tf.global_variables_initializer())
    encoder, decoder = load_sdae(sess, 'SDAE', seed=23, dims=[6, 5, 4, 3])
    code, loss = reference(X, encoder, decoder, 0.2, 2.0)
    close(sess.run(module.get_outputs()[0], {x: X}), code)
    close(sess.run(module.get_loss(), {x: X}), loss)


def test_serving_is_deterministic_with_dropout(graph, sess):
    """The original did not pass ``train`` to its MLPs: dropout stayed on when serving."""
    x = tf.placeholder(tf.float32, [None, 6])
    module = SDAE(x, DIMS, dropout=0.5, train=False, l2_reg=0.1)
    sess.run(tf.global_variables_initializer())
    encoder, decoder = load_sdae(sess, 'SDAE', seed=24)
    code, loss = reference(X, encoder, decoder, 0.1, 1.0)
    for _ in range(3):
        got_code, got_loss = sess.run([module.get_outputs()[0], module.get_loss()], {x: X})
        close(got_code, code)
        close(got_loss, loss)


def test_training_applies_dropout(graph, sess):
    x = tf.placeholder(tf.float32, [None, 6])
    module = SDAE(x, DIMS, dropout=0.5, train=True)
    sess.run(tf.global_variables_initializer())
    encoder, decoder = load_sdae(sess, 'SDAE', seed=25)
    code, loss = reference(X, encoder, decoder, None, 1.0)
    runs = [sess.run([module.get_outputs()[0], module.get_loss()], {x: X}) for _ in range(3)]
    assert all(not np.allclose(c, code, atol=1e-3) for c, _ in runs)
    assert len({float(l) for _, l in runs}) == 3


def test_training_and_serving_share_variables(graph, sess):
    x = tf.placeholder(tf.float32, [None, 6])
    SDAE(x, DIMS, dropout=0.2, l2_reg=0.1, scope='ae')
    n_vars = len(tf.global_variables())
    serving = SDAE(x, DIMS, dropout=0.2, l2_reg=0.1, scope='ae', reuse=True, train=False)
    assert len(tf.global_variables()) == n_vars == 8
    sess.run(tf.global_variables_initializer())
    encoder, decoder = load_sdae(sess, 'ae', seed=26)
    code, loss = reference(X, encoder, decoder, 0.1, 1.0)
    close(sess.run(serving.get_outputs()[0], {x: X}), code)
    close(sess.run(serving.get_loss(), {x: X}), loss)


def test_without_reuse_second_build_fails(graph):
    x = tf.placeholder(tf.float32, [None, 6])
    SDAE(x, DIMS)
    with pytest.raises(ValueError, match='SDAE/encoder/FC__0 already exists'):
        SDAE(x, DIMS)


@pytest.mark.parametrize('make_input, dims, kwargs, exc, words', [
    (lambda: None, DIMS, {}, ValueError, ['in_tensor', 'None']),
    (lambda: tf.placeholder(tf.float32, [None]), DIMS, {}, ValueError, ['in_tensor', 'rank 2']),
    (lambda: tf.placeholder(tf.float32, [None, None]), DIMS, {}, ValueError,
     ['in_tensor', 'last dimension']),
    (lambda: tf.placeholder(tf.float64, [None, 6]), DIMS, {}, TypeError, ['in_tensor', 'float32']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), [5, 4, 2], {}, ValueError,
     ['dims[0]', 'width', '6', '5']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), [6], {}, ValueError, ['dims', 'two']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), [], {}, ValueError, ['dims', 'empty']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), None, {}, ValueError, ['dims']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), [6, 0], {}, ValueError, ['dims[1]']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), DIMS, dict(dropout=1.0), ValueError,
     ['dropout', '[0, 1)']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), DIMS, dict(dropout=-0.5), ValueError,
     ['dropout']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), DIMS, dict(l2_reconst=None), ValueError,
     ['l2_reconst']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), DIMS, dict(l2_reconst=-1.0), ValueError,
     ['l2_reconst']),
    (lambda: tf.placeholder(tf.float32, [None, 6]), DIMS, dict(l2_reg=-1.0), ValueError,
     ['l2_reg']),
])
def test_bad_arguments(graph, sess, make_input, dims, kwargs, exc, words):
    in_tensor = make_input()
    fails_cleanly(graph, exc, words, lambda: SDAE(in_tensor, dims, **kwargs))
    x = tf.placeholder(tf.float32, [None, 6])
    module = SDAE(x, DIMS)
    assert len(var_table()) == 8
    sess.run(tf.global_variables_initializer())
    encoder, decoder = load_sdae(sess, 'SDAE', seed=27)
    close(sess.run(module.get_outputs()[0], {x: X}), reference(X, encoder, decoder, None, 1.0)[0])

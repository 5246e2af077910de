"""OpenRec 0.2 LatentFactor and MultiLayerFC (openrec.tf1.modules.extractions)."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import (close, fails_cleanly, l2, load, load_mlp, mlp_reference,
                                 mlp_table, random_layers, read_bn_stats, var, var_table)
from _tf1_module_helpers import Recorder, collection_names
from conftest import V1_MODE
from openrec.tf1.modules import extractions
from openrec.tf1.modules.extractions import LatentFactor, MultiLayerFC

X = np.random.RandomState(11).normal(0, 1, (8, 5)).astype(np.float32)


def test_exports():
    assert extractions.__all__ == ['LatentFactor', 'MultiLayerFC']
    assert LatentFactor.__module__ == 'openrec.tf1.modules.extractions.latent_factor'
    assert MultiLayerFC.__module__ == 'openrec.tf1.modules.extractions.multi_layer_fc'
    import openrec.tf1.modules as modules
    import openrec.tf1.modules.fusions as fusions
    assert not [n for n in vars(modules) if not n.startswith('_')
                and n not in ('extractions', 'interactions', 'fusions')]
    assert not [n for n in vars(fusions) if not n.startswith('_')]


# ----------------------------------------------------------------------------------
# LatentFactor
# ----------------------------------------------------------------------------------

def test_latent_factor_variable_lookup_and_shapes(graph, sess):
    ids = tf.placeholder(tf.int32, [4])
    seq = tf.placeholder(tf.int32, [None, 6])
    with tf.variable_scope('itemgraph', reuse=tf.AUTO_REUSE):
        emb, out = LatentFactor([7, 3], id_=ids, scope='item')
        emb2, out_seq = LatentFactor(shape=[7, 3], id_=seq, scope='item')
        emb3, none = LatentFactor([7, 3], scope='item')
    assert var_table() == {'itemgraph/item/embedding': ((7, 3), 'float32', True)}
    assert emb2 is emb and emb3 is emb and none is None
    assert out.shape.as_list() == [4, 3] and out_seq.shape.as_list() == [None, 6, 3]
    sess.run(tf.global_variables_initializer())
    table = sess.run(emb)
    close(sess.run(out, {ids: [6, 0, 6, 2]}), table[[6, 0, 6, 2]])
    seq_ids = np.arange(12).reshape(2, 6) % 7
    close(sess.run(out_seq, {seq: seq_ids}), table[seq_ids])


def test_latent_factor_initializers(graph, sess):
    tf.set_random_seed(5)
    normal = LatentFactor([300, 40], scope='normal')[0]
    zero = LatentFactor([3, 2], init='zero', scope='zero')[0]
    number = LatentFactor([3, 2], init=2.5, scope='number')[0]
    exact = LatentFactor([4, 3], init=np.arange(12).reshape(3, 4), scope='exact')[0]
    short = LatentFactor([4, 3], init=[[1, 2, 3]], scope='short')[0]
    empty = LatentFactor([2, 2], init=[], scope='empty')[0]
    sess.run(tf.global_variables_initializer())
    values = sess.run(normal)
    assert np.abs(values).max() < 0.02 and np.abs(values).max() > 0.019
    assert 0.0085 < values.std() < 0.0091 and abs(values.mean()) < 5e-4
    np.testing.assert_array_equal(sess.run(zero), np.zeros((3, 2)))
    np.testing.assert_array_equal(sess.run(number), np.full((3, 2), 2.5))
    np.testing.assert_array_equal(sess.run(exact), np.arange(12).reshape(4, 3))
    expected = np.full((4, 3), 3.0)
    expected[0] = [1, 2, 3]
    np.testing.assert_array_equal(sess.run(short), expected)
    np.testing.assert_array_equal(sess.run(empty), np.zeros((2, 2)))
    assert all(v.dtype.base_dtype == tf.float32 for v in (normal, exact, number))


@pytest.mark.parametrize('l2_reg', [0.5, 0.0])
def test_latent_factor_l2_on_looked_up_rows(graph, sess, l2_reg):
    rec = Recorder()
    ids = tf.placeholder(tf.int32, [None])
    _, out = LatentFactor([5, 3], id_=ids, l2_reg=l2_reg, subgraph=rec, scope='user')
    assert len(rec.losses) == 1 and rec.losses[0].shape.as_list() == []
    assert rec.losses[0].dtype == tf.float32 and rec.outputs == []
    table = np.arange(15, dtype=np.float32).reshape(5, 3) / 10
    load(sess, 'user/embedding', table)
    rows = [1, 1, 4, 0]  # duplicates count per occurrence
    close(sess.run(rec.losses[0], {ids: rows}), l2_reg * l2(table[rows]))


def test_latent_factor_no_l2_registers_nothing(graph):
    rec = Recorder()
    LatentFactor([5, 3], id_=tf.constant([1]), subgraph=rec, scope='user')
    assert rec.losses == [] and rec.outputs == []


def test_latent_factor_shared_by_scope_whatever_init(graph, sess):
    a, _ = LatentFactor([4, 2], init=1.0, scope='s')
    b, _ = LatentFactor([4, 2], init='zero', scope='s')
    assert a is b and len(tf.global_variables()) == 1
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(b), np.ones((4, 2)))
    with pytest.raises(ValueError, match='Trying to share variable s/embedding'):
        LatentFactor([4, 3], scope='s')
    with tf.variable_scope('other'):
        c, _ = LatentFactor([4, 3], scope='s')
    assert c.op.name == 'other/s/embedding'


def test_latent_factor_bad_arguments_fail_cleanly_and_retry_works(graph):
    rec = Recorder()
    ids = tf.placeholder(tf.int32, [3])
    msg = fails_cleanly(graph, ValueError, ['scope', 'required'],
                        lambda: LatentFactor([5, 3], id_=ids))
    assert 'LatentFactor' in msg
    fails_cleanly(graph, ValueError, ['init', "'normal'", "'zero'", 'xavier'],
                  lambda: LatentFactor([5, 3], init='xavier', scope='u'))
    fails_cleanly(graph, TypeError, ['init'], lambda: LatentFactor([5, 3], init=object(), scope='u'))
    fails_cleanly(graph, TypeError, ['init'], lambda: LatentFactor([5, 3], init=None, scope='u'))
    fails_cleanly(graph, ValueError, ['init', '16', '15'],
                  lambda: LatentFactor([5, 3], init=np.ones(16), scope='u'))
    fails_cleanly(graph, ValueError, ['id_', 'l2_reg'],
                  lambda: LatentFactor([5, 3], l2_reg=0.1, subgraph=rec, scope='u'))
    fails_cleanly(graph, ValueError, ['subgraph'],
                  lambda: LatentFactor([5, 3], id_=ids, l2_reg=0.1, scope='u'))
    fails_cleanly(graph, TypeError, ['subgraph', 'register_global_loss'],
                  lambda: LatentFactor([5, 3], id_=ids, l2_reg=0.1, subgraph=object(), scope='u'))
    fails_cleanly(graph, ValueError, ['l2_reg'],
                  lambda: LatentFactor([5, 3], id_=ids, l2_reg=-1.0, subgraph=rec, scope='u'))
    fails_cleanly(graph, ValueError, ['shape'], lambda: LatentFactor([5], scope='u'))
    fails_cleanly(graph, ValueError, ['shape[1]'], lambda: LatentFactor([5, 0], scope='u'))
    float_ids = tf.placeholder(tf.float32, [3])
    fails_cleanly(graph, TypeError, ['id_', 'integer'],
                  lambda: LatentFactor([5, 3], id_=float_ids, scope='u'))
    fails_cleanly(graph, TypeError, ['scope'], lambda: LatentFactor([5, 3], scope=3))
    emb, out = LatentFactor([5, 3], id_=ids, l2_reg=0.1, subgraph=rec, scope='u')
    assert emb.op.name == 'u/embedding' and len(rec.losses) == 1


@pytest.mark.skipif(V1_MODE, reason='eager execution is off after disable_v2_behavior()')
def test_eager_execution_is_refused():
    assert tf.executing_eagerly()
    for build in (lambda: LatentFactor([3, 2], scope='a'),
                  lambda: MultiLayerFC(np.ones((2, 3), np.float32), [2], None, scope='m')):
        with pytest.raises(RuntimeError, match='tf.Graph|Graph'):
            build()


# ----------------------------------------------------------------------------------
# MultiLayerFC
# ----------------------------------------------------------------------------------

def build_mlp(dims=(4, 3, 2), in_dim=5, subgraph=None, **kwargs):
    x = tf.placeholder(tf.float32, [None, in_dim])
    kwargs.setdefault('scope', 'mlp')
    return x, MultiLayerFC(x, list(dims), subgraph, **kwargs)


def test_mlp_variables_collections_and_ten_l2_entries(graph, sess):
    rec = Recorder()
    with tf.variable_scope('itemgraph'):
        x, out = build_mlp(subgraph=rec, batch_norm=True, bias_mid=False, bias_out=False,
                           l2_reg=0.5, scope='item_MLP')
    scope = 'itemgraph/item_MLP'
    assert var_table() == mlp_table(scope, 5, [4, 3, 2], biases=[True, False, False],
                                    batch_norm=True)
    assert [v.op.name for v in tf.global_variables()][:6] == [
        scope + '/FC__0', scope + '/bias__0', scope + '/bn_0/beta', scope + '/bn_0/gamma',
        scope + '/bn_0/moving_mean', scope + '/bn_0/moving_variance']
    names = ['FC__0', 'bias__0', 'bn_0/beta', 'bn_0/gamma', 'FC__1', 'bn_1/beta', 'bn_1/gamma',
             'FC__2', 'bn_2/beta', 'bn_2/gamma']
    bn = ['%s/bn_%d/%s' % (scope, i, k) for i in range(3)
          for k in ('beta', 'gamma', 'moving_mean', 'moving_variance')]
    assert collection_names(tf.GraphKeys.MODEL_VARIABLES) == bn
    assert collection_names(tf.GraphKeys.MOVING_AVERAGE_VARIABLES) == []
    assert collection_names(tf.GraphKeys.UPDATE_OPS) == []
    assert collection_names(tf.GraphKeys.TRAINABLE_VARIABLES) == [scope + '/' + n for n in names]
    assert len(rec.losses) == 10 and rec.outputs == []
    assert isinstance(out, tf.Tensor) and out.shape.as_list() == [None, 2]
    sess.run(tf.global_variables_initializer())
    for loss, name in zip(rec.losses, names):
        assert loss.shape.as_list() == []
        close(sess.run(loss), 0.5 * l2(sess.run(var(scope + '/' + name))))


@pytest.mark.parametrize('flags', [dict(), dict(relu_in=True, relu_mid=False, relu_out=True),
                                   dict(bias_in=False, bias_mid=True, bias_out=True)])
def test_mlp_numbers(graph, sess, flags):
    x, out = build_mlp(**flags)
    layers = random_layers(np.random.RandomState(2), 5, [4, 3, 2])
    biases = [flags.get('bias_in', True), flags.get('bias_mid', True), flags.get('bias_out', True)]
    for layer, keep in zip(layers, biases):
        if not keep:
            layer['b'] = None
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'mlp', layers)
    relu = {k: v for k, v in flags.items() if k.startswith('relu')}
    close(sess.run(out, {x: X}), mlp_reference(X, layers, **relu)[0])


def test_mlp_one_layer_bias_follows_bias_in(graph):
    build_mlp(dims=[3], bias_out=False, scope='one')
    build_mlp(dims=[3], bias_in=False, scope='two')
    assert set(var_table()) == {'one/FC__0', 'one/bias__0', 'two/FC__0'}


def test_mlp_xavier_uniform(graph, sess):
    tf.set_random_seed(1)
    build_mlp(dims=[100, 200], in_dim=300)
    sess.run(tf.global_variables_initializer())
    for name, limit in (('FC__0', np.sqrt(6 / 400.0)), ('FC__1', np.sqrt(6 / 300.0))):
        w = sess.run(var('mlp/' + name))
        assert limit * 0.995 < np.abs(w).max() <= limit
        close(w.std(), limit / np.sqrt(3), rtol=0.03)
    np.testing.assert_array_equal(sess.run(var('mlp/bias__1')), np.zeros(200))


@pytest.mark.parametrize('train', [True, False])
def test_mlp_dropout_whenever_a_rate_is_given(graph, sess, train):
    x = tf.placeholder(tf.float32, [None, 50])
    out = MultiLayerFC(x, [40], None, dropout_in=0.5, bias_in=False, train=train, scope='drop')
    plain = MultiLayerFC(x, [40], None, bias_in=False, train=train, scope='drop')
    sess.run(tf.global_variables_initializer())
    w = np.eye(50, 40, dtype=np.float32)
    load(sess, 'drop/FC__0', w)
    ones = np.ones((20, 50), np.float32)
    dropped = sess.run(out, {x: ones})
    assert set(np.unique(dropped)) <= {0.0, 2.0}
    assert 0.3 < (dropped == 0).mean() < 0.7
    np.testing.assert_array_equal(sess.run(plain, {x: ones}), ones @ w)


def test_mlp_mid_and_out_dropout_placement(graph, sess):
    x = tf.placeholder(tf.float32, [None, 30])
    mid = MultiLayerFC(x, [30, 30], None, dropout_mid=0.5, relu_mid=False, bias_in=False,
                       bias_out=False, scope='mid')
    out = MultiLayerFC(x, [30], None, dropout_out=0.25, bias_in=False, scope='out')
    sess.run(tf.global_variables_initializer())
    for name in ('mid/FC__0', 'mid/FC__1', 'out/FC__0'):
        load(sess, name, np.eye(30, dtype=np.float32))
    ones = np.ones((40, 30), np.float32)
    assert set(np.unique(sess.run(mid, {x: ones}))) <= {0.0, 2.0}
    assert set(np.unique(sess.run(out, {x: ones}))) <= {0.0, np.float32(1 / 0.75)}


def test_mlp_batch_norm_training_updates_and_serving(graph, sess):
    x = tf.placeholder(tf.float32, [None, 5])
    train_out = MultiLayerFC(x, [4, 2], None, batch_norm=True, scope='bn')
    serve_out = MultiLayerFC(x, [4, 2], None, batch_norm=True, train=False, scope='bn')
    assert len(tf.global_variables()) == 12
    layers = random_layers(np.random.RandomState(4), 5, [4, 2], batch_norm=True)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, 'bn', layers)
    expected, stats = mlp_reference(X, layers)
    close(sess.run(train_out, {x: X}), expected, rtol=1e-3, atol=1e-4)
    for (mean, variance), (want_mean, want_var) in zip(read_bn_stats(sess, 'bn', 2), stats):
        close(mean, want_mean, rtol=1e-4, atol=1e-5)
        close(variance, want_var, rtol=1e-4, atol=1e-5)
    for layer, (mean, variance) in zip(layers, read_bn_stats(sess, 'bn', 2)):
        layer['moving_mean'], layer['moving_variance'] = mean, variance
    close(sess.run(serve_out, {x: X}), mlp_reference(X, layers, train=False)[0],
          rtol=1e-3, atol=1e-4)
    before = read_bn_stats(sess, 'bn', 2)
    sess.run(serve_out, {x: X})
    for got, want in zip(read_bn_stats(sess, 'bn', 2), before):
        np.testing.assert_array_equal(got, want)


def test_mlp_batch_norm_one_row_moving_variance(graph, sess):
    x = tf.placeholder(tf.float32, [None, 3])
    out = MultiLayerFC(x, [2], None, batch_norm=True, scope='bn1')
    sess.run(tf.global_variables_initializer())
    sess.run(out, {x: X[:1, :3]})
    # Bessel-corrected variance of one row is 0: 1 − 0.05·(1 − 0)
    close(sess.run(var('bn1/bn_0/moving_variance')), np.full(2, 0.95))


def test_mlp_batch_norm_bessel_corrected_variance(graph, sess):
    x = tf.placeholder(tf.float32, [None, 1])
    out = MultiLayerFC(x, [1], None, batch_norm=True, bias_in=False, scope='bnv')
    sess.run(tf.global_variables_initializer())
    load(sess, 'bnv/FC__0', [[1.0]])
    sess.run(out, {x: [[1], [2], [4], [9]]})
    close(sess.run(var('bnv/bn_0/moving_variance')), [0.95 + 0.05 * 12.6666667])
    close(sess.run(var('bnv/bn_0/moving_mean')), [0.05 * 4.0])


def test_mlp_scope_sharing_reregisters_and_prefix_match(graph, sess):
    rec = Recorder()
    x = tf.placeholder(tf.float32, [None, 5])
    MultiLayerFC(x, [2], rec, l2_reg=1.0, scope='mlp2')
    MultiLayerFC(x, [2], rec, l2_reg=1.0, scope='mlp')
    MultiLayerFC(x, [2], rec, l2_reg=1.0, scope='mlp')
    assert len(tf.global_variables()) == 4
    # mlp2: 2 entries; each 'mlp' call: its 2 variables and mlp2's (regex prefix match)
    assert len(rec.losses) == 2 + 4 + 4
    sess.run(tf.global_variables_initializer())
    w2, w = sess.run(var('mlp2/FC__0')), sess.run(var('mlp/FC__0'))
    values = sess.run(rec.losses)
    close(values[2], l2(w2))
    close(values[4], l2(w))
    with pytest.raises(ValueError, match='Trying to share variable mlp/FC__0'):
        MultiLayerFC(tf.placeholder(tf.float32, [None, 6]), [2], rec, scope='mlp')


def test_mlp_bad_arguments_fail_cleanly_and_retry_works(graph):
    rec = Recorder()
    x = tf.placeholder(tf.float32, [None, 5])
    msg = fails_cleanly(graph, ValueError, ['scope', 'required'],
                        lambda: MultiLayerFC(x, [2], rec))
    assert 'MultiLayerFC' in msg
    fails_cleanly(graph, ValueError, ['dims', 'empty'], lambda: MultiLayerFC(x, [], rec, scope='m'))
    fails_cleanly(graph, ValueError, ['dims[1]'], lambda: MultiLayerFC(x, [2, 0], rec, scope='m'))
    fails_cleanly(graph, TypeError, ['dims'], lambda: MultiLayerFC(x, 3, rec, scope='m'))
    unknown = tf.placeholder(tf.float32, [None, None])
    rank3 = tf.placeholder(tf.float32, [None, 2, 3])
    double = tf.placeholder(tf.float64, [None, 2])
    fails_cleanly(graph, ValueError, ['in_tensor', 'last dimension'],
                  lambda: MultiLayerFC(unknown, [2], rec, scope='m'))
    fails_cleanly(graph, ValueError, ['in_tensor', 'rank 2'],
                  lambda: MultiLayerFC(rank3, [2], rec, scope='m'))
    fails_cleanly(graph, TypeError, ['in_tensor', 'float32'],
                  lambda: MultiLayerFC(double, [2], rec, scope='m'))
    for name in ('dropout_in', 'dropout_mid', 'dropout_out'):
        fails_cleanly(graph, ValueError, [name, '[0, 1)'],
                      lambda: MultiLayerFC(x, [2], rec, scope='m', **{name: 1.0}))
    fails_cleanly(graph, ValueError, ['subgraph'],
                  lambda: MultiLayerFC(x, [2], None, l2_reg=0.1, scope='m'))
    fails_cleanly(graph, ValueError, ['l2_reg'],
                  lambda: MultiLayerFC(x, [2], rec, l2_reg=-0.1, scope='m'))
    out = MultiLayerFC(x, [2], rec, l2_reg=0.1, dropout_mid=0.0, scope='m')
    assert out.shape.as_list() == [None, 2] and len(rec.losses) == 2

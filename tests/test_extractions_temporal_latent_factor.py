"""TemporalLatentFactor: variables (incl. Adam), MLP output, flags, forward updates, init,
identity pretraining, reuse, bad input."""
import gc
import weakref

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import (close, fails_cleanly, l2, load, load_mlp, mlp_reference,
                                 mlp_table, random_layers, read_bn_stats, var, var_table)
from openrec.modules.extractions import MultiLayerFC, TemporalLatentFactor

SHAPE, DIMS = [10, 4], [5, 4]
MLP = 'TemporalLatentFactor/TemporalLatentFactor/MLP'
TABLE = np.random.RandomState(31).normal(0, 0.5, SHAPE).astype(np.float32)


def build(ids=None, **kwargs):
    ids = tf.placeholder(tf.int32, [None]) if ids is None else ids
    return ids, TemporalLatentFactor(SHAPE, DIMS, ids, **kwargs)


def expected_table(scope='TemporalLatentFactor', train=True, mlp_dims=DIMS, shape=SHAPE):
    mlp_scope = '%s/%s/MLP' % (scope, scope)
    table = {'%s/embedding' % scope: (tuple(shape), 'float32', False),
             '%s/flag' % scope: ((shape[0],), 'bool', False)}
    mlp = mlp_table(mlp_scope, shape[1], mlp_dims, batch_norm=True)
    table.update(mlp)
    if train:
        for name, (var_shape, dtype, trainable) in mlp.items():
            if trainable:
                for slot in ('Adam', 'Adam_1'):
                    table['%s/%s/%s' % (scope, name, slot)] = (var_shape, dtype, False)
        for power in ('beta1_power', 'beta2_power'):
            table['%s_1/%s' % (scope, power)] = ((), 'float32', False)
    return table


def setup_values(sess, seed=32, scope='TemporalLatentFactor'):
    sess.run(tf.global_variables_initializer())
    load(sess, scope + '/embedding', TABLE)
    layers = random_layers(np.random.RandomState(seed), SHAPE[1], DIMS, batch_norm=True)
    load_mlp(sess, '%s/%s/MLP' % (scope, scope), layers)
    return layers


def flags(sess, scope='TemporalLatentFactor'):
    return sess.run(var(scope + '/flag'))


def test_variable_table_training(graph):
    build()
    table = var_table()
    assert table == expected_table()
    # the names listed in the spec, spelled out
    for name in ('TemporalLatentFactor/TemporalLatentFactor/TemporalLatentFactor/MLP/FC__1/Adam_1',
                 'TemporalLatentFactor/TemporalLatentFactor/TemporalLatentFactor/MLP/bn_0/beta/Adam',
                 'TemporalLatentFactor_1/beta1_power', 'TemporalLatentFactor_1/beta2_power',
                 'TemporalLatentFactor/TemporalLatentFactor/MLP/bn_1/moving_variance'):
        assert name in table
    assert len(table) == 2 + 12 + 16 + 2


def test_variable_table_serving_and_without_pretraining(graph):
    with tf.variable_scope('a'):
        build(train=False)
    with tf.variable_scope('b'):
        build(mlp_pretrain=False)
    expected = {'a/' + k: v for k, v in expected_table(train=False).items()}
    expected.update({'b/' + k: v for k, v in expected_table(train=False).items()})
    assert var_table() == expected


def test_variable_table_custom_scope_three_layers(graph):
    TemporalLatentFactor([6, 3], [7, 5, 3], tf.constant([0]), scope='item')
    assert var_table() == expected_table('item', mlp_dims=[7, 5, 3], shape=[6, 3])
    assert 'item/item/item/MLP/bn_2/gamma/Adam' in var_table()


@pytest.mark.parametrize('l2_reg', [None, 0.2])
def test_training_output_loss_and_flags(graph, sess, l2_reg):
    ids, module = build(l2_reg=l2_reg)
    out = module.get_outputs()
    assert len(out) == 1 and out[0].shape.as_list() == [None, 4]
    layers = setup_values(sess)
    np.testing.assert_array_equal(flags(sess), np.zeros(10, bool))
    feed = [3, 1, 3, 7, 8]
    expected, stats = mlp_reference(TABLE[feed], layers, relu_out=True, train=True)
    close(sess.run(out[0], {ids: feed}), expected)
    np.testing.assert_array_equal(flags(sess), np.isin(np.arange(10), feed))
    for (mean, variance), (exp_mean, exp_var) in zip(read_bn_stats(sess, MLP, 2), stats):
        close(mean, exp_mean)
        close(variance, exp_var)
    if l2_reg is None:
        assert module.get_loss() == 0.0
    else:
        expected_loss = sum(l2_reg * l2(layer[k]) for layer in layers
                            for k in ('W', 'b', 'beta', 'gamma'))
        close(sess.run(module.get_loss(), {ids: feed}), expected_loss)
    # the table itself is fixed
    np.testing.assert_array_equal(sess.run(var('TemporalLatentFactor/embedding')), TABLE)
    assert var('TemporalLatentFactor/embedding') not in tf.trainable_variables()


def test_forward_update_embeddings(graph, sess):
    ids, module = build()
    layers = setup_values(sess)
    feed = [3, 1, 3, 7]
    _, stats = mlp_reference(TABLE[feed], layers, relu_out=True, train=True)
    sess.run(module.get_outputs()[0], {ids: feed})
    for layer, (mean, variance) in zip(layers, stats):
        layer['moving_mean'], layer['moving_variance'] = mean, variance
    touched = [1, 3, 7]
    expected = TABLE.astype(np.float64).copy()
    expected[touched] = mlp_reference(TABLE[touched], layers, relu_out=True, train=False)[0]
    module.forward_update_embeddings(sess)
    after = sess.run(var('TemporalLatentFactor/embedding'))
    close(after, expected)
    untouched = [r for r in range(10) if r not in touched]
    np.testing.assert_array_equal(after[untouched], TABLE[untouched])
    np.testing.assert_array_equal(flags(sess), np.zeros(10, bool))
    # moving statistics are not touched by the update
    for (mean, variance), layer in zip(read_bn_stats(sess, MLP, 2), layers):
        close(mean, layer['moving_mean'])
        close(variance, layer['moving_variance'])
    # nothing flagged: a second call changes nothing
    module.forward_update_embeddings(sess)
    np.testing.assert_array_equal(sess.run(var('TemporalLatentFactor/embedding')), after)


def test_forward_update_without_touched_rows_is_a_no_op(graph, sess):
    _, module = build(train=False)
    setup_values(sess)
    module.forward_update_embeddings(sess)
    np.testing.assert_array_equal(sess.run(var('TemporalLatentFactor/embedding')), TABLE)
    np.testing.assert_array_equal(flags(sess), np.zeros(10, bool))


def test_forward_update_needs_a_session(graph):
    _, module = build(train=False)
    with pytest.raises(TypeError, match='sess'):
        module.forward_update_embeddings(None)


def test_serving_output_uses_moving_statistics(graph, sess):
    ids = tf.constant([2, 9, 9, 0])
    _, module = build(ids=ids, train=False)
    out = module.get_outputs()[0]
    assert out.shape.as_list() == [4, 4]
    layers = setup_values(sess)
    expected = mlp_reference(TABLE[[2, 9, 9, 0]], layers, relu_out=True, train=False)[0]
    close(sess.run(out), expected)
    np.testing.assert_array_equal(flags(sess), np.isin(np.arange(10), [0, 2, 9]))
    for (mean, variance), layer in zip(read_bn_stats(sess, MLP, 2), layers):
        np.testing.assert_array_equal(mean, layer['moving_mean'])
        np.testing.assert_array_equal(variance, layer['moving_variance'])


def test_serving_module_reuses_the_training_variables(graph, sess):
    train_ids, trained = build()
    n_vars = len(tf.global_variables())
    serve_ids, serving = build(train=False, reuse=True)
    assert len(tf.global_variables()) == n_vars
    layers = setup_values(sess)
    close(sess.run(serving.get_outputs()[0], {serve_ids: [4, 5]}),
          mlp_reference(TABLE[[4, 5]], layers, relu_out=True, train=False)[0])
    np.testing.assert_array_equal(flags(sess), np.isin(np.arange(10), [4, 5]))
    trained.forward_update_embeddings(sess)
    np.testing.assert_array_equal(flags(sess), np.zeros(10, bool))


def test_without_reuse_a_second_build_fails(graph):
    build()
    with pytest.raises(ValueError, match='TemporalLatentFactor/embedding already exists'):
        build()


@pytest.mark.parametrize('init, expected', [
    ('zero', np.zeros(SHAPE)),
    (0.25, np.full(SHAPE, 0.25)),
    (-3, np.full(SHAPE, -3.0)),
    (TABLE, TABLE),
    (TABLE.astype(np.float64).tolist(), TABLE),
])
def test_init_values(graph, sess, init, expected):
    build(init=init, train=False)
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(var('TemporalLatentFactor/embedding')),
                                  expected.astype(np.float32))


def test_normal_init(graph, sess):
    tf.set_random_seed(5)
    TemporalLatentFactor([500, 20], [20], tf.constant([0]), train=False)
    sess.run(tf.global_variables_initializer())
    values = sess.run(var('TemporalLatentFactor/embedding'))
    assert np.abs(values).max() <= 0.02 + 1e-7
    assert 0.0084 < values.std() < 0.0092 and abs(values.mean()) < 3e-4


def test_large_array_init_is_not_stored_in_the_graph(graph, sess):
    table = np.random.RandomState(33).standard_normal((200000, 32)).astype(np.float32)
    TemporalLatentFactor([200000, 32], [32], tf.constant([0]), init=table)
    assert graph.as_graph_def().ByteSize() < 1000000 < table.nbytes
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(var('TemporalLatentFactor/embedding')), table)


@pytest.mark.parametrize('offset', [0, 16])
def test_array_init_is_copied_not_shared(graph, sess, offset):
    """Forward updates write into the table, never into the caller's array (any alignment)."""
    raw = np.empty(TABLE.nbytes + 128, np.uint8)
    start = -raw.ctypes.data % 64 + offset
    array = raw[start:start + TABLE.nbytes].view(np.float32).reshape(SHAPE)
    array[...] = TABLE
    ids, module = build(init=array, mlp_pretrain=False)
    assert module._initializer is array  # kept as given until the initializer runs
    sess.run(tf.global_variables_initializer())
    sess.run(module.get_outputs()[0], {ids: [1, 2]})
    module.forward_update_embeddings(sess)
    table = sess.run(var('TemporalLatentFactor/embedding'))
    assert np.abs(table[1:3] - TABLE[1:3]).max() > 1e-3  # rows 1 and 2 were rewritten
    np.testing.assert_array_equal(array, TABLE)
    array[0] = 7.0
    np.testing.assert_array_equal(sess.run(var('TemporalLatentFactor/embedding'))[0], TABLE[0])


@pytest.fixture
def numpy_rng():
    """Pretraining draws from numpy's global RNG: seed it here and restore it afterwards."""
    state = np.random.get_state()
    yield np.random.seed
    np.random.set_state(state)


def serving_mlp_error(sess, probe, probe_out, inputs):
    return np.abs(sess.run(probe_out, {probe: inputs}) - inputs).mean()


def test_pretrain_mlp_as_identity(graph, sess, numpy_rng):
    tf.set_random_seed(34)
    numpy_rng(35)
    module = TemporalLatentFactor([10, 8], [12, 8], tf.constant([0]))
    assert module._pretrain_steps == 20000
    with tf.variable_scope('TemporalLatentFactor', reuse=True):
        probe = tf.placeholder(tf.float32, [None, 8])
        probe_out = MultiLayerFC(probe, [12, 8], relu_out=True, batch_norm=True, train=False,
                                 scope='TemporalLatentFactor/MLP', reuse=True).get_outputs()[0]
    sess.run(tf.global_variables_initializer())
    inputs = np.random.RandomState(36).uniform(-0.5, 0.5, (1000, 8)).astype(np.float32)
    before = serving_mlp_error(sess, probe, probe_out, inputs)
    module._pretrain_steps = 2000
    module.pretrain_mlp_as_identity(sess)
    after = serving_mlp_error(sess, probe, probe_out, inputs)
    assert before > 0.2
    assert after < 0.3 * before and after < 0.08, (before, after)
    # 2000 Adam steps: beta2_power = 0.999 ** 2001, slots written back
    close(sess.run(var('TemporalLatentFactor_1/beta2_power')), 0.999 ** 2001, rtol=1e-3)
    slot = sess.run(var('TemporalLatentFactor/%s/FC__0/Adam_1' % MLP))
    assert (slot > 0).all()


def test_pretraining_matches_tensorflow_adam(graph, sess, numpy_rng, monkeypatch):
    """A few pretraining steps equal TF's AdamOptimizer on the same batches (same RNG stream).

    Two steps per session call: the 5 steps cross two chunk boundaries and end on a
    partly filled chunk.
    """
    steps, dim, dims = 5, 4, [6, 4]
    ids = tf.constant([0])
    monkeypatch.setattr(TemporalLatentFactor, '_pretrain_chunk', 2)
    module = TemporalLatentFactor([3, dim], dims, ids)
    assert module._pretrain_batches.shape.as_list() == [2, 32, dim]
    layers = random_layers(np.random.RandomState(37), dim, dims, batch_norm=True)
    sess.run(tf.global_variables_initializer())
    load_mlp(sess, MLP, layers)
    module._pretrain_steps = steps
    numpy_rng(38)
    module.pretrain_mlp_as_identity(sess)
    names = sorted(n for n in var_table() if '/MLP/' in n or 'power' in n)
    got = dict(zip(names, sess.run([var(n) for n in names])))

    numpy_rng(38)
    batches = np.random.uniform(-0.5, 0.5, (steps, 32, dim)).astype(np.float32)
    reference = tf.Graph()
    with reference.as_default(), tf.Session(graph=reference) as ref_sess:
        with tf.variable_scope('TemporalLatentFactor'):
            x = tf.placeholder(tf.float32, [32, dim])
            with tf.variable_scope('TemporalLatentFactor'):
                mlp = MultiLayerFC(x, dims, relu_out=True, batch_norm=True, scope='MLP')
        with tf.variable_scope('TemporalLatentFactor'):
            step = tf.train.AdamOptimizer(0.001).minimize(
                tf.nn.l2_loss(mlp.get_outputs()[0] - x))
        ref_sess.run(tf.global_variables_initializer())
        load_mlp(ref_sess, MLP, layers)
        for batch in batches:
            ref_sess.run(step, {x: batch})
        ref_names = {n.replace('TemporalLatentFactor/beta', 'TemporalLatentFactor_1/beta'): n
                     for n in var_table(reference)}
        assert sorted(ref_names) == names
        expected = dict(zip(names, ref_sess.run([var(ref_names[n], reference) for n in names])))
    for name in names:
        close(got[name], expected[name], rtol=1e-3, atol=2e-5)
    assert np.abs(got[MLP + '/FC__0'] - layers[0]['W']).max() > 1e-3


def test_modules_of_the_same_shapes_share_the_compiled_loop():
    """ItrMLP's user and item modules: one compiled function, hence one XLA compilation."""
    graph = tf.Graph()
    with graph.as_default():
        for scope, rows, dims in (('user', 10, [6, 4]), ('item', 20, [6, 4]), ('other', 10, [5, 4])):
            TemporalLatentFactor([rows, 4], dims, tf.constant([0]), scope=scope)
    # the pretraining ops live in the re-entered scopes, <scope>_1
    calls = {op.name.split('_1/')[0]: op.node_def.attr['f'].func.name
             for op in graph.get_operations() if op.type == 'PartitionedCall'}
    assert sorted(calls) == ['item', 'other', 'user']
    assert calls['user'] == calls['item'] != calls['other']
    # the graph is not kept alive by the sharing
    gone = weakref.ref(graph)
    del graph
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize('kwargs, words', [
    (dict(train=False), ['train']),
    (dict(mlp_pretrain=False), ['mlp_pretrain']),
])
def test_pretraining_needs_a_training_build_with_mlp_pretrain(graph, sess, kwargs, words):
    _, module = build(**kwargs)
    setup_values(sess)
    with pytest.raises(ValueError) as info:
        module.pretrain_mlp_as_identity(sess)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize('args, kwargs, exc, words', [
    ((None, DIMS), {}, ValueError, ['shape']),
    (([10], DIMS), {}, ValueError, ['shape']),
    (([10, 0], DIMS), {}, ValueError, ['shape[1]']),
    ((SHAPE, []), {}, ValueError, ['mlp_dims', 'empty']),
    ((SHAPE, None), {}, ValueError, ['mlp_dims']),
    ((SHAPE, [5, -4]), {}, ValueError, ['mlp_dims[1]']),
    ((SHAPE, DIMS), dict(init='uniform'), ValueError, ['init']),
    ((SHAPE, DIMS), dict(init=None), ValueError, ['init']),
    ((SHAPE, DIMS), dict(init=np.ones((4, 10))), ValueError, ['init', 'shape']),
    ((SHAPE, DIMS), dict(l2_reg=-1), ValueError, ['l2_reg']),
    ((SHAPE, DIMS), dict(scope=0), TypeError, ['scope']),
])
def test_bad_arguments(graph, sess, args, kwargs, exc, words):
    ids = tf.placeholder(tf.int32, [None])
    fails_cleanly(graph, exc, words, lambda: TemporalLatentFactor(*args, ids=ids, **kwargs))
    _, module = build(train=False)
    assert var_table() == expected_table(train=False)
    layers = setup_values(sess)
    close(sess.run(module.get_outputs()[0], {_: [1]}),
          mlp_reference(TABLE[[1]], layers, relu_out=True, train=False)[0])


@pytest.mark.parametrize('make_ids, exc, words', [
    (lambda: None, ValueError, ['ids', 'None']),
    (lambda: tf.placeholder(tf.float32, [None]), TypeError, ['ids', 'integer']),
    (lambda: [0.5], TypeError, ['ids', 'integer']),
])
def test_bad_ids(graph, make_ids, exc, words):
    ids = make_ids()
    fails_cleanly(graph, exc, words, lambda: TemporalLatentFactor(SHAPE, DIMS, ids))
    build()
    assert var_table() == expected_table()


def test_mlp_output_width_must_match_the_table(graph):
    ids = tf.placeholder(tf.int32, [None])
    fails_cleanly(graph, ValueError, ['mlp_dims'], lambda: TemporalLatentFactor(SHAPE, [5, 3], ids))
    build(ids=ids)
    assert var_table() == expected_table()


def test_ids_must_be_one_dimensional(graph):
    ids = tf.placeholder(tf.int32, [None, 2])
    fails_cleanly(graph, ValueError, ['ids'], lambda: TemporalLatentFactor(SHAPE, DIMS, ids))
    build()
    assert var_table() == expected_table()

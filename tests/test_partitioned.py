"""Partitioned tables give the same numbers and updates as unpartitioned ones."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from openrec._tfutils import is_partitioned
from openrec.modules.extractions import LatentFactor, LookUp, TemporalLatentFactor

ROWS, DIM = 10, 3
TABLE = np.arange(ROWS * DIM, dtype=np.float32).reshape(ROWS, DIM) / 10.0 - 1.0
IDS = np.array([0, 3, 3, 9, 5], np.int32)


def _scope(partitions):
    partitioner = tf.fixed_size_partitioner(partitions) if partitions else None
    return tf.variable_scope('', partitioner=partitioner)


def _load(sess, var, value):
    parts = list(var) if is_partitioned(var) else [var]
    begin = 0
    for part in parts:
        size = part.shape[0]
        sess.run(tf.assign(part, value[begin:begin + size]))
        begin += size


def _latent_factor_run(partitions):
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int32, [None])
        with _scope(partitions):
            lf = LatentFactor([ROWS, DIM], ids=ids, l2_reg=0.5, scope='lf')
            whole = LatentFactor([ROWS, DIM], scope='lf', reuse=True)
        censor = lf.censor_l2_norm_op(tf.constant([1, 3, 8]), max_norm=1.5)
        names = sorted(v.op.name for v in tf.global_variables())
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            _load(sess, lf._embedding, TABLE)
            out, loss = sess.run([lf.get_outputs()[0], lf.get_loss()], {ids: IDS})
            sess.run(censor)
            after = sess.run(whole.get_outputs()[0])
    return names, out, loss, after


def test_latent_factor_partitioned_matches_plain():
    names, out, loss, after = _latent_factor_run(partitions=3)
    assert names == ['lf/embedding/part_0', 'lf/embedding/part_1', 'lf/embedding/part_2']
    plain = _latent_factor_run(partitions=0)
    assert plain[0] == ['lf/embedding']
    np.testing.assert_allclose(out, TABLE[IDS], rtol=1e-6)
    np.testing.assert_allclose(out, plain[1], rtol=1e-6)
    np.testing.assert_allclose(loss, 0.5 * np.sum(TABLE[IDS] ** 2) / 2, rtol=1e-5)
    np.testing.assert_allclose(loss, plain[2], rtol=1e-6)
    expected = TABLE.copy()
    for row in (1, 3, 8):
        expected[row] /= max(np.linalg.norm(TABLE[row]), 1.5)
    np.testing.assert_allclose(after, expected, rtol=1e-5)
    np.testing.assert_allclose(after, plain[3], rtol=1e-6)


def test_lookup_partitioned_initialises_from_array():
    with tf.Graph().as_default():
        ids = tf.constant(IDS)
        with _scope(4):
            lookup = LookUp(TABLE, ids=ids, scope='fixed')
            whole = LookUp(TABLE, scope='fixed', reuse=True)
        variables = tf.global_variables()
        assert [v.op.name for v in variables] == ['fixed/embedding/part_%d' % k for k in range(4)]
        assert [v.shape.as_list() for v in variables] == [[3, 3], [3, 3], [2, 3], [2, 3]]
        assert not tf.trainable_variables()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(lookup.get_outputs()[0]), TABLE[IDS])
            np.testing.assert_array_equal(sess.run(whole.get_outputs()[0]), TABLE)


def _temporal_run(partitions):
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int32, [None])
        with _scope(partitions):
            tlf = TemporalLatentFactor([ROWS, DIM], [4, DIM], ids, init=TABLE, scope='t')
        table_vars = sorted(v.op.name for v in tf.global_variables()
                            if v.op.name.startswith(('t/embedding', 't/flag')))
        mlp_vars = sorted(v.op.name for v in tf.global_variables() if '/MLP/' in v.op.name)
        with tf.Session() as sess:
            tf.set_random_seed(0)
            sess.run(tf.global_variables_initializer())
            with tf.variable_scope('t', reuse=True), tf.variable_scope('t/MLP', reuse=True):
                weights = [tf.get_variable('FC__0'), tf.get_variable('FC__1')]
            sess.run([tf.assign(weights[0], np.linspace(-1, 1, DIM * 4).reshape(DIM, 4)),
                      tf.assign(weights[1], np.linspace(1, -1, 4 * DIM).reshape(4, DIM))])
            out = sess.run(tlf.get_outputs()[0], {ids: IDS})
            flags = sess.run(tlf._flag.as_tensor() if partitions else tlf._flag)
            tlf.forward_update_embeddings(sess)
            table = sess.run(tlf._embedding.as_tensor() if partitions else tlf._embedding)
            flags_after = sess.run(tlf._flag.as_tensor() if partitions else tlf._flag)
    return table_vars, mlp_vars, out, flags, table, flags_after


@pytest.mark.parametrize('partitions', [2, 3])
def test_temporal_latent_factor_partitioned_matches_plain(partitions):
    part = _temporal_run(partitions)
    plain = _temporal_run(0)
    assert part[0] == sorted(['t/embedding/part_%d' % k for k in range(partitions)]
                             + ['t/flag/part_%d' % k for k in range(partitions)])
    assert plain[0] == ['t/embedding', 't/flag']
    assert part[1] == plain[1]  # the MLP is never partitioned
    np.testing.assert_allclose(part[2], plain[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(part[3], np.isin(np.arange(ROWS), IDS))
    np.testing.assert_array_equal(part[3], plain[3])
    np.testing.assert_allclose(part[4], plain[4], rtol=1e-5, atol=1e-6)
    untouched = ~np.isin(np.arange(ROWS), IDS)
    np.testing.assert_array_equal(part[4][untouched], TABLE[untouched])
    assert not np.allclose(part[4][IDS], TABLE[IDS])
    assert not part[5].any()


def test_array_slices_are_computed_where_the_table_is_built():
    """Under replica_device_setter the parts live on parameter servers, but the py_funcs
    handing over the array slices must run in the building (worker) process: a parameter
    server cannot run another process's py_func."""
    setter = tf.train.replica_device_setter(ps_tasks=2, worker_device='/job:worker/task:0')
    with tf.Graph().as_default() as g:
        ids = tf.constant(IDS)
        with tf.device(setter), _scope(2):
            LookUp(TABLE, ids=ids, scope='fixed')
            TemporalLatentFactor(shape=[ROWS, DIM], mlp_dims=[DIM], ids=ids, init=TABLE,
                                 scope='t')
        parts = {v.op.name: v.device for v in tf.global_variables() if '/part_' in v.op.name}
        assert parts == {'fixed/embedding/part_0': '/job:ps/task:0',
                         'fixed/embedding/part_1': '/job:ps/task:1',
                         't/embedding/part_0': '/job:ps/task:0',
                         't/embedding/part_1': '/job:ps/task:1',
                         't/flag/part_0': '/job:ps/task:0', 't/flag/part_1': '/job:ps/task:1'}
        py_funcs = [op for op in g.get_operations() if op.type.startswith('PyFunc')]
        assert sorted(op.name for op in py_funcs) == sorted(
            '%s/embedding/part_%d/Initializer/initial_value' % (s, k)
            for s in ('fixed', 't') for k in (0, 1))
        for op in py_funcs:
            assert op.device == '/job:worker/task:0'
            assert op.colocation_groups() == [b'loc:@%s/array_initializer_device'
                                              % op.name.split('/')[0].encode()]


def test_checkpoints_restore_across_partitionings(tmp_path):
    """A table saved whole restores into 2 or 3 parts, and 2 parts restore into 3."""
    def build(partitions):
        graph = tf.Graph()
        with graph.as_default(), _scope(partitions):
            table = LatentFactor([ROWS, DIM], scope='user')
            saver = tf.train.Saver()
        return graph, table, saver

    graph, table, saver = build(0)
    with graph.as_default(), tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _load(sess, table._embedding, TABLE)
        saved = saver.save(sess, str(tmp_path / 'plain'))
    for partitions, source in ((2, saved), (3, saved), (3, str(tmp_path / 'two'))):
        graph, table, saver = build(partitions)
        with graph.as_default(), tf.Session() as sess:
            saver.restore(sess, source)
            np.testing.assert_array_equal(sess.run(table.get_outputs()[0]), TABLE)
            if partitions == 2:
                saver.save(sess, str(tmp_path / 'two'))
    reader = tf.train.load_checkpoint(str(tmp_path / 'two'))
    assert reader.get_variable_to_shape_map() == {'user/embedding': [ROWS, DIM]}
    np.testing.assert_array_equal(reader.get_tensor('user/embedding'), TABLE)

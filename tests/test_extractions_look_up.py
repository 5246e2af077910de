"""LookUp: fixed (non-trainable) embedding table, lookup numbers, naming, large arrays."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import close, fails_cleanly, var, var_table
from openrec import _tfutils
from openrec.modules.extractions import LookUp


@pytest.fixture
def embed():
    return np.random.RandomState(0).normal(size=(6, 3))  # float64 on purpose


def test_lookup_values_and_shape(graph, sess, embed):
    ids = tf.placeholder(tf.int32, [None])
    module = LookUp(embed, ids=ids)
    out = module.get_outputs()
    assert len(out) == 1 and out[0].dtype == tf.float32
    assert out[0].shape.as_list() == [None, 3]
    sess.run(tf.global_variables_initializer())
    feed = [5, 0, 0, 3]
    close(sess.run(out[0], {ids: feed}), embed[feed].astype(np.float32))
    loss = module.get_loss()
    assert type(loss) is float and loss == 0.0


def test_lookup_with_2d_int64_ids(graph, sess, embed):
    ids = tf.constant([[1, 2], [4, 4], [0, 5]], dtype=tf.int64)
    out = LookUp(embed, ids=ids).get_outputs()[0]
    assert out.shape.as_list() == [3, 2, 3]
    sess.run(tf.global_variables_initializer())
    close(sess.run(out), embed[[[1, 2], [4, 4], [0, 5]]])


def test_ids_as_python_list(graph, sess, embed):
    out = LookUp(embed, ids=[2, 1]).get_outputs()[0]
    sess.run(tf.global_variables_initializer())
    close(sess.run(out), embed[[2, 1]])


def test_whole_matrix_without_ids(graph, sess, embed):
    module = LookUp(embed)
    out = module.get_outputs()[0]
    assert out.shape.as_list() == [6, 3]
    sess.run(tf.global_variables_initializer())
    value = sess.run(out)
    assert value.dtype == np.float32
    np.testing.assert_array_equal(value, embed.astype(np.float32))


def test_variable_table_and_not_trainable(graph, embed):
    LookUp(embed)
    assert var_table() == {'LookUp/embedding': ((6, 3), 'float32', False)}
    assert tf.trainable_variables() == []
    LookUp(embed, scope='items')
    assert var_table()['items/embedding'] == ((6, 3), 'float32', False)


def test_not_updated_by_an_optimizer(graph, sess, embed):
    ids = tf.constant([0, 1])
    out = LookUp(embed, ids=ids).get_outputs()[0]
    bias = tf.get_variable('bias', [3], initializer=tf.zeros_initializer())
    train = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(out + bias))
    sess.run(tf.global_variables_initializer())
    sess.run(train)
    np.testing.assert_array_equal(sess.run(out), embed[[0, 1]].astype(np.float32))


@pytest.mark.parametrize('reuse', [False, True])
def test_name_is_uniquified_not_shared(graph, sess, embed, reuse):
    first = LookUp(embed)
    second = LookUp(embed * 2, reuse=reuse)
    assert sorted(var_table()) == ['LookUp/embedding', 'LookUp_1/embedding']
    sess.run(tf.global_variables_initializer())
    close(sess.run(first.get_outputs()[0]), embed)
    close(sess.run(second.get_outputs()[0]), embed * 2)


def test_inside_a_reusing_outer_scope(graph, embed):
    with tf.variable_scope('outer'):
        LookUp(embed)
    with tf.variable_scope('outer', reuse=True):
        LookUp(embed)
    assert sorted(var_table()) == ['outer/LookUp/embedding', 'outer_1/LookUp/embedding']


def test_large_array_is_not_stored_in_the_graph(graph, sess):
    table = np.random.RandomState(1).standard_normal((200000, 32)).astype(np.float32)
    ids = tf.placeholder(tf.int32, [None])
    out = LookUp(table, ids=ids).get_outputs()[0]
    assert graph.as_graph_def().ByteSize() < 1000000 < table.nbytes
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(var('LookUp/embedding')), table)
    np.testing.assert_array_equal(sess.run(out, {ids: [199999, 7]}), table[[199999, 7]])


def aligned_array(shape, offset):
    """A float32 array whose data starts ``offset`` bytes past a 64-byte boundary."""
    raw = np.empty(int(np.prod(shape)) * 4 + 128, np.uint8)
    start = -raw.ctypes.data % 64 + offset
    array = raw[start:start + int(np.prod(shape)) * 4].view(np.float32).reshape(shape)
    array[...] = np.arange(array.size).reshape(shape)
    return array


# TensorFlow wraps a 64-byte-aligned array without copying it, and a resource variable
# adopts such a buffer: the table must still be a copy, whatever the alignment.
@pytest.mark.parametrize('offset', [0, 16])
@pytest.mark.parametrize('partitioned', [False, True])
def test_table_never_shares_memory_with_the_array(graph, sess, offset, partitioned):
    array = aligned_array((8, 4), offset)
    assert array.ctypes.data % 64 == offset
    partitioner = tf.fixed_size_partitioner(2) if partitioned else None
    with tf.variable_scope('outer', partitioner=partitioner):
        module = LookUp(array)
    table = module.get_outputs()[0]
    sess.run(tf.global_variables_initializer())
    expected = array.copy()
    array[:] = -1.0
    np.testing.assert_array_equal(sess.run(table), expected)
    # and writes into the table never reach the array
    parts = tf.global_variables()
    sess.run([tf.assign(part, tf.zeros_like(part)) for part in parts])
    np.testing.assert_array_equal(sess.run(table), np.zeros((8, 4), np.float32))
    np.testing.assert_array_equal(array, -np.ones((8, 4), np.float32))
    # the initializer reads the array when it runs
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(table), -np.ones((8, 4), np.float32))


def test_cast_when_the_initializer_runs(graph, sess, embed):
    module = LookUp(embed)
    assert module._embed is embed  # no float32 copy kept until then
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(module.get_outputs()[0]), embed.astype(np.float32))
    as_list = LookUp(embed.tolist())
    assert as_list._embed.dtype == np.float32
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(as_list.get_outputs()[0]), embed.astype(np.float32))


# Arrays that need a conversion are handed over in row chunks, filled in place into one
# buffer: every row must land where it belongs, across chunk and partition boundaries.
@pytest.mark.parametrize('layout', ['float64', 'fortran', 'strided', 'int'])
@pytest.mark.parametrize('partitioned', [False, True])
def test_converted_arrays_in_several_chunks(graph, sess, monkeypatch, layout, partitioned):
    monkeypatch.setattr(_tfutils, '_HAND_OVER_BYTES', 3 * 5 * 4)  # 3 rows of 5 per chunk
    base = np.random.RandomState(3).standard_normal((11, 10)) * 100
    array = {'float64': base[:, :5].copy(),
             'fortran': np.asfortranarray(base[:, :5].astype(np.float32)),
             'strided': base.astype(np.float32)[:, ::2],
             'int': base[:, :5].astype(np.int64)}[layout]
    assert not (array.dtype == np.float32 and array.flags.c_contiguous)
    partitioner = tf.fixed_size_partitioner(2) if partitioned else None
    with tf.variable_scope('outer', partitioner=partitioner):
        module = LookUp(array)
    hand_overs = [op for op in graph.get_operations() if op.type == 'InplaceUpdate']
    assert len(hand_overs) == 4  # ceil(11 / 3) rows; partitioned: parts of 6 and 5 rows, 2 + 2
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(module.get_outputs()[0]), array.astype(np.float32))


@pytest.mark.parametrize('embed_arg, exc, words', [
    (None, ValueError, ['embed', 'None']),
    (np.ones(4), ValueError, ['embed', '2-D']),
    (np.ones((2, 2, 2)), ValueError, ['embed', '2-D']),
    ([['a', 'b']], TypeError, ['embed', 'numeric']),
])
def test_bad_embed(graph, sess, embed_arg, exc, words, embed):
    fails_cleanly(graph, exc, words, lambda: LookUp(embed_arg))
    out = LookUp(embed).get_outputs()[0]
    assert out.name.startswith('LookUp/')
    sess.run(tf.global_variables_initializer())
    close(sess.run(out), embed)


@pytest.mark.parametrize('make_ids', [
    lambda: tf.placeholder(tf.float32, [None]),
    lambda: np.array([0.0, 1.0]),
    lambda: [0.5, 1.0],
    lambda: tf.placeholder(tf.bool, [None]),
])
def test_non_integer_ids(graph, embed, make_ids):
    bad = make_ids()
    fails_cleanly(graph, TypeError, ['ids', 'integer'], lambda: LookUp(embed, ids=bad))
    LookUp(embed, ids=tf.constant([0]))
    assert list(var_table()) == ['LookUp/embedding']


def test_scope_type(graph, embed):
    fails_cleanly(graph, TypeError, ['scope'], lambda: LookUp(embed, scope=1))


def test_hand_over_chunks_are_bounded(graph, sess, monkeypatch):
    # tf.Variable walks the chain of chunks recursively: its length must not grow with the table
    monkeypatch.setattr(_tfutils, '_HAND_OVER_BYTES', 1)
    array = np.arange(3000 * 2, dtype=np.float64).reshape(3000, 2)
    module = LookUp(array)
    assert len([op for op in graph.get_operations() if op.type == 'InplaceUpdate']) == 64  # 47 rows each
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(module.get_outputs()[0]), array.astype(np.float32))

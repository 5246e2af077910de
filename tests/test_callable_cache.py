"""CallableCache: the results, conversions and errors of Session.run, through cached callables."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from openrec._tfutils import CallableCache


@pytest.fixture
def step(graph, sess):
    ids = tf.placeholder(tf.int32, [3], name='ids')
    scale = tf.placeholder(tf.float32, [], name='scale')
    table = tf.Variable(np.arange(10, dtype=np.float32), name='table')
    rows = tf.gather(table, ids) * scale
    loss = tf.reduce_sum(rows)
    update = tf.group(table.scatter_add(tf.IndexedSlices(tf.ones([3]), ids)))
    sess.run(tf.global_variables_initializer())
    return sess, ids, scale, table, rows, loss, update


def test_same_results_as_session_run(step):
    sess, ids, scale, table, rows, loss, update = step
    cache = CallableCache(sess)
    feed = {ids: [1, 2, 2], scale: 2.0}
    got = cache('read', [loss, rows, loss], feed)
    assert got[0] == np.float32(2 * (1 + 2 + 2)) and isinstance(got[0], np.float32)
    np.testing.assert_array_equal(got[1], [2.0, 4.0, 4.0])
    assert got[2] == got[0] and len(got) == 3
    assert cache('train', [update, loss], feed)[0] is None
    np.testing.assert_array_equal(sess.run(table), [0, 2, 4, 3, 4, 5, 6, 7, 8, 9])
    # a single tensor, a single operation, an empty list
    assert cache('loss', loss, feed) == sess.run(loss, feed) == np.float32(2 * (2 + 4 + 4))
    assert cache('update', update, feed) is None
    np.testing.assert_array_equal(sess.run(table), [0, 3, 6, 3, 4, 5, 6, 7, 8, 9])
    assert cache('nothing', [], feed) == []
    # the callable is made once per key and fed tensors
    assert len(cache._entries) == 5
    cache('loss', loss, {ids: [0, 0, 0], scale: 1.0})
    assert len(cache._entries) == 5


def test_feeds_are_converted_and_checked_as_session_run_does(step):
    sess, ids, scale, table, rows, loss, update = step
    cache = CallableCache(sess)
    # int64 and float ids into the int32 placeholder: cast (floats truncated), as TF1 did
    for given in (np.array([1, 2, 3], np.int64), np.array([1.9, 2.2, 3.7]), (1, 2, 3)):
        np.testing.assert_array_equal(cache('rows', rows, {ids: given, scale: 1}),
                                      sess.run(rows, {ids: given, scale: 1}))
    with pytest.raises(ValueError) as ours:
        cache('rows', rows, {ids: [1, 2], scale: 1.0})
    with pytest.raises(ValueError) as theirs:
        sess.run(rows, {ids: [1, 2], scale: 1.0})
    assert str(ours.value) == str(theirs.value) == (
        "Cannot feed value of shape (2,) for Tensor ids:0, which has shape (3,)")
    with pytest.raises(ValueError, match=r"shape \(1,\) for Tensor scale:0, which has shape \(\)"):
        cache('rows', rows, {ids: [1, 2, 3], scale: [1.0]})
    # a failed call changes nothing and a corrected one runs
    np.testing.assert_array_equal(cache('rows', rows, {ids: [1, 2, 3], scale: 1.0}), [1, 2, 3])


def test_other_fetch_structures_go_through_session_run(step):
    sess, ids, scale, table, rows, loss, update = step
    cache = CallableCache(sess)
    got = cache('dict', {'loss': loss, 'rows': rows}, {ids: [1, 2, 3], scale: 1.0})
    assert got['loss'] == np.float32(6) and list(got['rows']) == [1, 2, 3]

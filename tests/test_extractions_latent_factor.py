"""LatentFactor: initialisation, lookup, l2 loss on looked-up rows, norm censoring, reuse."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import close, fails_cleanly, l2, load, var, var_table
from openrec.modules.extractions import LatentFactor

TABLE = np.random.RandomState(3).normal(0, 1, (7, 4)).astype(np.float32)


def censored(table, rows, max_norm):
    expected = table.astype(np.float64).copy()
    for r in set(rows):
        expected[r] = table[r] / max(np.linalg.norm(table[r].astype(np.float64)), max_norm)
    return expected


def test_normal_init_statistics(graph, sess):
    tf.set_random_seed(7)
    LatentFactor([400, 50])
    assert var_table() == {'LatentFactor/embedding': ((400, 50), 'float32', True)}
    sess.run(tf.global_variables_initializer())
    values = sess.run(var('LatentFactor/embedding'))
    # truncated normal, stddev 0.01: nothing beyond 2 sd, sd of the truncated law 0.00880
    assert np.abs(values).max() <= 0.02 + 1e-7
    assert np.abs(values).max() > 0.019
    assert abs(values.mean()) < 3e-4
    assert 0.0084 < values.std() < 0.0092
    assert len(np.unique(values)) > 19000


def test_zero_init(graph, sess):
    LatentFactor([5, 3], init='zero')
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(var('LatentFactor/embedding')), np.zeros((5, 3)))


def test_whole_table_without_ids_and_no_loss_even_with_l2_reg(graph, sess):
    module = LatentFactor([7, 4], l2_reg=0.5, scope='users')
    out = module.get_outputs()
    assert len(out) == 1 and out[0].shape.as_list() == [7, 4]
    loss = module.get_loss()
    assert type(loss) is float and loss == 0.0
    sess.run(tf.global_variables_initializer())
    load(sess, 'users/embedding', TABLE)
    np.testing.assert_array_equal(sess.run(out[0]), TABLE)


@pytest.mark.parametrize('l2_reg', [None, 0.3])
def test_lookup_and_l2_loss_of_looked_up_rows(graph, sess, l2_reg):
    ids = tf.placeholder(tf.int32, [None])
    module = LatentFactor([7, 4], ids=ids, l2_reg=l2_reg)
    out = module.get_outputs()[0]
    assert out.shape.as_list() == [None, 4]
    sess.run(tf.global_variables_initializer())
    load(sess, 'LatentFactor/embedding', TABLE)
    feed = [6, 2, 2, 0]
    close(sess.run(out, {ids: feed}), TABLE[feed])
    if l2_reg is None:
        assert type(module.get_loss()) is float and module.get_loss() == 0.0
    else:
        # rows, duplicates included, not the whole table
        close(sess.run(module.get_loss(), {ids: feed}), l2_reg * l2(TABLE[feed]))
        assert abs(l2_reg * l2(TABLE) - l2_reg * l2(TABLE[feed])) > 1e-2


def test_lookup_shape_follows_ids(graph, sess):
    ids = tf.constant([[1, 2, 3], [3, 3, 0]], dtype=tf.int64)
    out = LatentFactor([7, 4], ids=ids, init='zero').get_outputs()[0]
    assert out.shape.as_list() == [2, 3, 4]
    sess.run(tf.global_variables_initializer())
    load(sess, 'LatentFactor/embedding', TABLE)
    close(sess.run(out), TABLE[[[1, 2, 3], [3, 3, 0]]])


def test_trained_by_an_optimizer(graph, sess):
    ids = tf.constant([1, 1, 4])
    module = LatentFactor([7, 4], ids=ids, l2_reg=1.0)
    step = tf.train.GradientDescentOptimizer(0.1).minimize(module.get_loss())
    sess.run(tf.global_variables_initializer())
    load(sess, 'LatentFactor/embedding', TABLE)
    sess.run(step)
    expected = TABLE.astype(np.float64).copy()
    expected[1] -= 0.1 * 2 * TABLE[1]  # looked up twice
    expected[4] -= 0.1 * TABLE[4]
    close(sess.run(var('LatentFactor/embedding')), expected)


@pytest.mark.parametrize('make_list, rows, max_norm', [
    (lambda: [0, 3, 5], [0, 3, 5], 1),
    (lambda: tf.constant([6, 1], dtype=tf.int64), [6, 1], 1),
    (lambda: np.array([2, 2, 4], dtype=np.int32), [2, 2, 4], 1),
    (lambda: None, list(range(7)), 1),
    (lambda: [0, 1, 2, 3, 4, 5, 6], list(range(7)), 1.7),
    (lambda: None, list(range(7)), 0.5),
])
def test_censor_l2_norm_op(graph, sess, make_list, rows, max_norm):
    module = LatentFactor([7, 4])
    op = module.censor_l2_norm_op(make_list(), max_norm=max_norm)
    sess.run(tf.global_variables_initializer())
    load(sess, 'LatentFactor/embedding', TABLE)
    # only returned, not run
    np.testing.assert_array_equal(sess.run(module.get_outputs()[0]), TABLE)
    sess.run(op)
    after = sess.run(module.get_outputs()[0])
    close(after, censored(TABLE, rows, max_norm))
    untouched = [r for r in range(7) if r not in rows]
    np.testing.assert_array_equal(after[untouched], TABLE[untouched])


def test_censor_with_placeholder_and_default_max_norm(graph, sess):
    ids = tf.placeholder(tf.int32, [None])
    module = LatentFactor([7, 4])
    op = module.censor_l2_norm_op(ids)
    sess.run(tf.global_variables_initializer())
    small = TABLE * 0.05  # rows with norm < 1 are unchanged at max_norm=1
    load(sess, 'LatentFactor/embedding', np.concatenate([small[:3], TABLE[3:]]))
    sess.run(op, {ids: [0, 4]})
    expected = np.concatenate([small[:3], TABLE[3:]]).astype(np.float64)
    expected[4] /= np.linalg.norm(expected[4])
    close(sess.run(var('LatentFactor/embedding')), expected)


def test_censor_empty_list_changes_nothing(graph, sess):
    module = LatentFactor([7, 4])
    op = module.censor_l2_norm_op([])
    sess.run(tf.global_variables_initializer())
    load(sess, 'LatentFactor/embedding', TABLE)
    sess.run(op)
    np.testing.assert_array_equal(sess.run(module.get_outputs()[0]), TABLE)


@pytest.mark.parametrize('censor_id_list, max_norm, exc, words', [
    ([0], 0, ValueError, ['max_norm']),
    ([0], -1.0, ValueError, ['max_norm']),
    ([0], 'one', TypeError, ['max_norm']),
    ([0], None, ValueError, ['max_norm']),
    ([0.5, 1.0], 1, TypeError, ['censor_id_list', 'integer']),
    ([[0], [1]], 1, ValueError, ['censor_id_list', 'rank 1']),
])
def test_censor_bad_arguments(graph, sess, censor_id_list, max_norm, exc, words):
    module = LatentFactor([7, 4])
    with pytest.raises(exc) as info:
        module.censor_l2_norm_op(censor_id_list, max_norm=max_norm)
    for word in words:
        assert word in str(info.value)
    op = module.censor_l2_norm_op([1], max_norm=0.5)
    sess.run(tf.global_variables_initializer())
    load(sess, 'LatentFactor/embedding', TABLE)
    sess.run(op)
    close(sess.run(var('LatentFactor/embedding'))[1], censored(TABLE, [1], 0.5)[1])


def test_reuse_shares_the_table(graph, sess):
    ids_a, ids_b = tf.constant([0, 1]), tf.constant([5])
    first = LatentFactor([7, 4], ids=ids_a, scope='items')
    n_ops = len(tf.global_variables())
    second = LatentFactor([7, 4], ids=ids_b, scope='items', reuse=True)
    assert len(tf.global_variables()) == n_ops == 1
    assert second._embedding is first._embedding or second._embedding.name == first._embedding.name
    assert second.get_outputs()[0].name.startswith('items_1/')
    sess.run(tf.global_variables_initializer())
    load(sess, 'items/embedding', TABLE)
    close(sess.run(second.get_outputs()[0]), TABLE[[5]])


def test_without_reuse_a_second_build_fails_the_tf1_way(graph):
    LatentFactor([7, 4])
    with pytest.raises(ValueError, match='LatentFactor/embedding already exists'):
        LatentFactor([7, 4])
    assert list(var_table()) == ['LatentFactor/embedding']


def test_reuse_false_inherits_an_outer_reusing_scope(graph):
    with tf.variable_scope('model'):
        LatentFactor([7, 4])
    with tf.variable_scope('model', reuse=True):
        module = LatentFactor([7, 4], ids=tf.constant([0]))
    assert list(var_table()) == ['model/LatentFactor/embedding']
    assert module.get_outputs()[0].name.startswith('model_1/LatentFactor/')


def test_reuse_of_a_missing_variable_fails(graph):
    with pytest.raises(ValueError, match='does not exist'):
        LatentFactor([7, 4], reuse=True)


@pytest.mark.parametrize('kwargs, exc, words', [
    (dict(shape=None), ValueError, ['shape']),
    (dict(shape=[7]), ValueError, ['shape', 'pair']),
    (dict(shape=[7, 4, 2]), ValueError, ['shape', 'pair']),
    (dict(shape='ab'), ValueError, ['shape']),
    (dict(shape=[7, 0]), ValueError, ['shape[1]', 'positive']),
    (dict(shape=[-7, 4]), ValueError, ['shape[0]', 'positive']),
    (dict(shape=[7, 4.0]), TypeError, ['shape[1]']),
    (dict(shape=[7, 4], init='uniform'), ValueError, ['init', "'normal'", "'zero'"]),
    (dict(shape=[7, 4], init=None), ValueError, ['init']),
    (dict(shape=[7, 4], ids=[0.5]), TypeError, ['ids', 'integer']),
    (dict(shape=[7, 4], ids=np.zeros(2)), TypeError, ['ids', 'integer']),
    (dict(shape=[7, 4], l2_reg=-0.1), ValueError, ['l2_reg']),
    (dict(shape=[7, 4], scope=['a']), TypeError, ['scope']),
])
def test_bad_arguments(graph, sess, kwargs, exc, words):
    fails_cleanly(graph, exc, words, lambda: LatentFactor(**kwargs))
    module = LatentFactor([7, 4], ids=[3])
    assert list(var_table()) == ['LatentFactor/embedding']
    sess.run(tf.global_variables_initializer())
    load(sess, 'LatentFactor/embedding', TABLE)
    close(sess.run(module.get_outputs()[0]), TABLE[[3]])


def test_float_ids_tensor(graph):
    ids = tf.placeholder(tf.float32, [None])
    fails_cleanly(graph, TypeError, ['ids', 'float32'], lambda: LatentFactor([7, 4], ids=ids))

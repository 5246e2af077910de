"""Fusion, Concat, Average: outputs, scope reuse, checks."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from conftest import V1_MODE
from openrec._tfutils import ArgumentError, GraphModeError
from openrec.modules import Module
from openrec.modules.extractions import LatentFactor
from openrec.modules.fusions import Average, Concat, Fusion
from openrec.modules.fusions import average, concat, fusion


class Fixed(Module):
    """A module whose outputs are given tensors (and whose loss must not be forwarded)."""

    def __init__(self, *arrays, loss=0.0):
        self._arrays = arrays
        self._given_loss = loss
        super(Fixed, self).__init__()

    def _build_shared_graph(self):
        self._outputs = [tf.constant(a) for a in self._arrays]
        self._loss = self._given_loss


def rnd(*shape, seed=0):
    return np.random.RandomState(seed).randn(*shape).astype(np.float32)


def expect_error(message, fn, exc=ArgumentError):
    with pytest.raises(exc) as info:
        fn()
    assert isinstance(info.value, AssertionError)
    assert str(info.value).startswith(message), str(info.value)


def test_submodules_and_base(graph):
    assert fusion.Fusion is Fusion and concat.Concat is Concat and average.Average is Average
    base = Fusion()
    assert base.get_outputs() == [] and type(base.get_loss()) is float and base.get_loss() == 0.0
    assert base._scope == 'Fusion' and tf.global_variables() == []


def test_concat_flattens_in_order(graph, sess):
    a, b1, b2, d = rnd(4, 2, seed=1), rnd(4, 3, seed=2), rnd(4, 1, seed=3), rnd(4, 5, seed=4)
    members = [Fixed(a), Fixed(), Fixed(b1, b2, loss=tf.constant(3.0)), Fixed(d)]
    m = Concat(members)
    assert len(m.get_outputs()) == 1 and type(m.get_loss()) is float and m.get_loss() == 0.0
    out = sess.run(m.get_outputs()[0])
    np.testing.assert_array_equal(out, np.concatenate([a, b1, b2, d], axis=1))
    assert out.shape == (4, 11)
    rows = Concat([Fixed(a), Fixed(rnd(2, 2, seed=5))], axis=0, scope='rows')
    np.testing.assert_array_equal(sess.run(rows.get_outputs()[0]),
                                  np.concatenate([a, rnd(2, 2, seed=5)], axis=0))
    single = Concat([Fixed(a)], scope='single')
    np.testing.assert_array_equal(sess.run(single.get_outputs()[0]), a)
    assert tf.global_variables() == []


def test_concat_scope_reuse_with_latent_factors(graph, sess):
    lf = LatentFactor([6, 3], ids=[0, 2, 4], scope='item')
    vf = LatentFactor([6, 2], ids=[0, 2, 4], scope='item_visual')
    lf_n = LatentFactor([6, 3], ids=[1, 3, 5], scope='item', reuse=True)
    vf_n = LatentFactor([6, 2], ids=[1, 3, 5], scope='item_visual', reuse=True)
    pos = Concat([lf, vf], scope='item_concat', reuse=False)
    neg = Concat([lf_n, vf_n], scope='item_concat', reuse=True)
    serve = Concat([LatentFactor([6, 3], scope='item', reuse=True),
                    LatentFactor([6, 2], scope='item_visual', reuse=True)], scope='item_concat',
                   reuse=True)
    assert sorted(v.op.name for v in tf.global_variables()) == ['item/embedding',
                                                                'item_visual/embedding']
    sess.run(tf.global_variables_initializer())
    table = np.concatenate(sess.run([v for v in tf.global_variables()]), axis=1)
    np.testing.assert_allclose(sess.run(pos.get_outputs()[0]), table[[0, 2, 4]], rtol=1e-6)
    np.testing.assert_allclose(sess.run(neg.get_outputs()[0]), table[[1, 3, 5]], rtol=1e-6)
    np.testing.assert_allclose(sess.run(serve.get_outputs()[0]), table, rtol=1e-6)


@pytest.mark.parametrize('weight', [1.0, 2.0, 0.3])
def test_average_two_modules(graph, sess, weight):
    a, b = rnd(3, 4, seed=1), rnd(3, 4, seed=2)
    m = Average([Fixed(a), Fixed(b, loss=tf.constant(1.0))], weight=weight) if weight != 1.0 \
        else Average([Fixed(a), Fixed(b)])
    assert type(m.get_loss()) is float and m.get_loss() == 0.0
    np.testing.assert_allclose(sess.run(m.get_outputs()[0]),
                               (np.float32(weight) * (a + b)) / np.float32(2), rtol=1e-6)
    if weight == 2.0:  # the library's use: the plain sum
        np.testing.assert_allclose(sess.run(m.get_outputs()[0]), a + b, rtol=1e-6)


def test_average_divides_by_number_of_modules(graph, sess):
    a, b1, b2 = rnd(2, 3, seed=1), rnd(2, 3, seed=2), rnd(2, 3, seed=3)
    multi = Average([Fixed(a), Fixed(b1, b2)], weight=3.0)
    with_empty = Average([Fixed(a), Fixed(), Fixed(b1)], scope='Average', reuse=True)
    np.testing.assert_allclose(sess.run(multi.get_outputs()[0]), 3.0 * (a + b1 + b2) / 2, rtol=1e-6)
    np.testing.assert_allclose(sess.run(with_empty.get_outputs()[0]), (a + b1) / 3, rtol=1e-6)
    assert tf.global_variables() == []


def test_average_scope_reuse(graph, sess):
    lf = LatentFactor([5, 3], scope='item_vec')
    vf = LatentFactor([5, 3], scope='item_vf')
    train = Average([lf, vf], weight=2.0, scope='item_average', reuse=False)
    serve = Average([lf, vf], weight=2.0, scope='item_average', reuse=True)
    assert len(tf.global_variables()) == 2
    sess.run(tf.global_variables_initializer())
    a, b = sess.run([lf.get_outputs()[0], vf.get_outputs()[0]])
    for m in (train, serve):
        np.testing.assert_allclose(sess.run(m.get_outputs()[0]), a + b, rtol=1e-6)


@pytest.mark.parametrize('cls', [Concat, Average])
def test_fusion_checks(graph, sess, cls):
    a = Fixed(rnd(2, 3))
    expect_error('module_list cannot be None', lambda: cls(None))
    expect_error('module_list must contain at least one module with outputs, got 0 module(s)',
                 lambda: cls([]))
    expect_error('module_list must contain at least one module with outputs, got 2 module(s)',
                 lambda: cls([Fixed(), Fixed()]))
    expect_error('module_list[1] must be a Module', lambda: cls([a, tf.zeros([2, 3])]), exc=TypeError)
    expect_error('module_list must be a list of modules', lambda: cls(a), exc=TypeError)
    expect_error('scope must be a str or None', lambda: cls([a], scope=3), exc=TypeError)
    with pytest.raises(TypeError):
        cls([a], train=False)  # no mode argument
    m = cls([a])
    np.testing.assert_allclose(sess.run(m.get_outputs()[0]), sess.run(a.get_outputs()[0]), rtol=1e-6)


def test_average_shape_and_weight_checks(graph, sess):
    a = Fixed(rnd(2, 3))
    expect_error('module_list outputs must share one shape and dtype',
                 lambda: Average([a, Fixed(rnd(2, 4))]))
    expect_error('module_list outputs must share one shape and dtype',
                 lambda: Average([a, Fixed(np.ones((2, 3), np.int32))]))
    expect_error('weight cannot be None', lambda: Average([a, a], weight=None))
    expect_error('axis must be an int', lambda: Concat([a, a], axis='1'), exc=TypeError)
    m = Average([a, a], weight=2.0)
    np.testing.assert_allclose(sess.run(m.get_outputs()[0]), sess.run(a.get_outputs()[0]) * 2.0,
                               rtol=1e-6)


@pytest.mark.skipif(V1_MODE, reason='eager execution is disabled in v1 mode')
def test_eager_mode_is_refused():
    with pytest.raises(GraphModeError, match='Concat cannot be built while eager'):
        Concat([])
    with pytest.raises(GraphModeError, match='Average cannot be built while eager'):
        Average([])

"""PairwiseLog, PairwiseHinge, PairwiseEuDist, NsLog, NSEuDist: losses, serving scores, checks."""
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from conftest import V1_MODE
from openrec._tfutils import ArgumentError, GraphModeError
from openrec.modules.interactions import (Interaction, NsEuDist, NSEuDist, NsLog, PairwiseEuDist,
                                          PairwiseHinge, PairwiseLog)
from openrec.modules.interactions import ns_eu_dist, ns_log, pairwise_eu_dist, pairwise_hinge
from openrec.modules.interactions import interaction, pairwise_log

N, D, U, I = 6, 4, 3, 5
RTOL = 1e-5


def rnd(*shape, seed=0, scale=1.0):
    return (np.random.RandomState(seed).randn(*shape) * scale).astype(np.float32)


def c(x):
    return tf.constant(x)


def log_sigmoid_clipped(x):
    return np.log(1.0 / (1.0 + np.exp(-np.maximum(x, -30.0))))


@pytest.fixture
def data():
    return dict(user=rnd(N, D, seed=1), p_item=rnd(N, D, seed=2), n_item=rnd(N, D, seed=3),
                p_item_bias=rnd(N, 1, seed=4), n_item_bias=rnd(N, 1, seed=5))


@pytest.fixture
def serve():
    return dict(user=rnd(U, D, seed=6), item=rnd(I, D, seed=7), item_bias=rnd(I, 1, seed=8))


def dot_score(s):
    return s['user'].astype(np.float64) @ s['item'].T + s['item_bias'].reshape(-1)


def euclid_score(s):
    u, v = s['user'].astype(np.float64), s['item'].astype(np.float64)
    return 2 * u @ v.T + s['item_bias'].reshape(-1) - (v ** 2).sum(1)


def tensors(d):
    return {k: c(v) for k, v in d.items()}


def assert_no_variables():
    assert tf.global_variables() == []


# ---------------------------------------------------------------------------------- base

def test_submodules_and_base(graph, sess):
    assert pairwise_log.PairwiseLog is PairwiseLog and pairwise_hinge.PairwiseHinge is PairwiseHinge
    assert pairwise_eu_dist.PairwiseEuDist is PairwiseEuDist and ns_log.NsLog is NsLog
    assert ns_eu_dist.NSEuDist is NSEuDist and ns_eu_dist.NsEuDist is NSEuDist is NsEuDist
    assert interaction.Interaction is Interaction
    assert issubclass(PairwiseEuDist, PairwiseLog) and not issubclass(PairwiseHinge, PairwiseLog)
    base = Interaction()
    assert base.get_outputs() == [] and type(base.get_loss()) is float and base.get_loss() == 0.0
    assert base._scope == 'Interaction'
    assert_no_variables()


# ---------------------------------------------------------------------------------- PairwiseLog

@pytest.mark.parametrize('bias_kind', ['column', 'scalar', 'size1'])
def test_pairwise_log_loss(graph, sess, data, bias_kind):
    d = dict(data)
    d['user'][0] *= 40.0  # x < -30 on this row: the clip caps its term at -log(sigmoid(-30))
    d['n_item'][0] = d['user'][0] / 10.0
    d['p_item'][0] = -d['user'][0] / 10.0
    if bias_kind == 'scalar':
        d['p_item_bias'], d['n_item_bias'] = np.float32(0.3), np.float32(-0.2)
    elif bias_kind == 'size1':
        d['p_item_bias'], d['n_item_bias'] = np.array([0.3], 'f'), np.array([-0.2], 'f')
    m = PairwiseLog(train=True, **tensors(d))
    u, p, n = (d[k].astype(np.float64) for k in ('user', 'p_item', 'n_item'))
    bp = np.reshape(d['p_item_bias'], (-1, 1)) if bias_kind == 'column' else float(d['p_item_bias'].ravel()[0])
    bn = np.reshape(d['n_item_bias'], (-1, 1)) if bias_kind == 'column' else float(d['n_item_bias'].ravel()[0])
    x = (u * p).sum(1, keepdims=True) + bp - (u * n).sum(1, keepdims=True) - bn
    assert x[0, 0] < -30
    expected = -log_sigmoid_clipped(x).sum()
    assert m.get_outputs() == []
    np.testing.assert_allclose(sess.run(m.get_loss()), expected, rtol=RTOL)
    assert m.get_loss().dtype == tf.float32 and m.get_loss().shape.ndims == 0
    assert_no_variables()


@pytest.mark.parametrize('flat_bias', [False, True])
def test_pairwise_log_serving_dot_score(graph, sess, serve, flat_bias):
    s = dict(serve)
    if flat_bias:
        s['item_bias'] = s['item_bias'].reshape(-1)
    m = PairwiseLog(train=False, **tensors(s))
    assert type(m.get_loss()) is float and m.get_loss() == 0.0
    out = sess.run(m.get_outputs()[0])
    assert out.shape == (U, I)
    np.testing.assert_allclose(out, dot_score(s), rtol=RTOL, atol=1e-6)


def test_pairwise_log_train_zero_is_serving(graph, sess, serve):
    m = PairwiseLog(train=0, **tensors(serve))
    np.testing.assert_allclose(sess.run(m.get_outputs()[0]), dot_score(serve), rtol=RTOL, atol=1e-6)


# ---------------------------------------------------------------------------------- PairwiseHinge

@pytest.mark.parametrize('margin', [1.0, 0.25])
def test_pairwise_hinge_loss_is_negated(graph, sess, data, margin):
    m = PairwiseHinge(train=True, margin=margin, **tensors(data))
    u, p, n = (data[k].astype(np.float64) for k in ('user', 'p_item', 'n_item'))
    pos = (u * p).sum(1, keepdims=True) + data['p_item_bias']
    neg = (u * n).sum(1, keepdims=True) + data['n_item_bias']
    expected = -np.maximum(margin - pos + neg, 0).sum()
    assert expected < 0
    np.testing.assert_allclose(sess.run(m.get_loss()), expected, rtol=RTOL)
    assert m.get_outputs() == []


def test_pairwise_hinge_serving(graph, sess, serve):
    m = PairwiseHinge(train=False, **tensors(serve))
    np.testing.assert_allclose(sess.run(m.get_outputs()[0]), dot_score(serve), rtol=RTOL, atol=1e-6)
    assert m.get_loss() == 0.0 and type(m.get_loss()) is float


# ---------------------------------------------------------------------------------- PairwiseEuDist

@pytest.mark.parametrize('weights_kind,margin', [('default', 1.0), ('scalar', 2.0), ('row', 1.5),
                                                 ('tensor_scalar', 0.5)])
def test_pairwise_eu_dist_loss(graph, sess, data, weights_kind, margin):
    weights = {'default': 1.0, 'scalar': 0.7, 'row': rnd(N, 1, seed=9) ** 2,
               'tensor_scalar': np.float32(1.3)}[weights_kind]
    kwargs = {} if weights_kind == 'default' else {
        'weights': c(weights) if weights_kind in ('row', 'tensor_scalar') else weights}
    m = PairwiseEuDist(train=True, margin=margin, **kwargs, **tensors(data))
    assert isinstance(m, PairwiseLog)
    u, p, n = (data[k].astype(np.float64) for k in ('user', 'p_item', 'n_item'))
    diff = ((-((u - p) ** 2).sum(1, keepdims=True) + data['p_item_bias'])
            - (-((u - n) ** 2).sum(1, keepdims=True) + data['n_item_bias']))
    expected = (weights * np.maximum(margin - diff, 0)).sum()
    np.testing.assert_allclose(sess.run(m.get_loss()), expected, rtol=RTOL)
    assert_no_variables()


def test_pairwise_eu_dist_serving_euclid_score(graph, sess, serve):
    m = PairwiseEuDist(train=False, weights=None, margin=None, **tensors(serve))  # unused in serving
    out = sess.run(m.get_outputs()[0])
    np.testing.assert_allclose(out, euclid_score(serve), rtol=RTOL, atol=1e-5)
    # = -||u - i||^2 + b_i + ||u||^2: ranks like the distance, the per-user constant stays
    u, v = serve['user'].astype(np.float64), serve['item'].astype(np.float64)
    dist = -((u[:, None] - v[None]) ** 2).sum(-1) + serve['item_bias'].reshape(-1)
    np.testing.assert_allclose(out, dist + (u ** 2).sum(1, keepdims=True), rtol=RTOL, atol=1e-5)
    assert m.get_loss() == 0.0 and type(m.get_loss()) is float


# ---------------------------------------------------------------------------------- negative sampling

def ns_data(k, seed=20):
    return dict(user=rnd(N, D, seed=seed), p_item=rnd(N, D, seed=seed + 1),
                p_item_bias=rnd(N, 1, seed=seed + 2), n_item=rnd(N, k, D, seed=seed + 3),
                n_item_bias=rnd(N, k, 1, seed=seed + 4))


def ns_log_reference(d, max_item, k):
    u, p, n = (d[x].astype(np.float64) for x in ('user', 'p_item', 'n_item'))
    pos = (u * p).sum(1, keepdims=True) + d['p_item_bias']
    neg = (u[:, None, :] * n).sum(2) + d['n_item_bias'].sum(2)
    diff = pos - neg
    count = (diff < 0).sum(1).astype(np.float32)
    w = np.log(np.floor(np.float32(max_item) * count / np.float32(k)) + 1.0)
    return -log_sigmoid_clipped(w * diff.min(1)).sum(), count


def ns_eu_reference(d, max_item, k, margin):
    u, p, n = (d[x].astype(np.float64) for x in ('user', 'p_item', 'n_item'))
    pos = -((u - p) ** 2).sum(1, keepdims=True) + d['p_item_bias']
    neg = -((u[:, None, :] - n) ** 2).sum(2) + d['n_item_bias'].sum(2)
    h = np.maximum(margin - pos + neg, 0)
    count = (h != 0).sum(1).astype(np.float32)
    w = np.log(np.floor(np.float32(max_item) * count / np.float32(k)) + 1.0)
    return (w * h.max(1)).sum(), count


@pytest.mark.parametrize('k,max_item', [(1, 7), (3, 100), (5, 13)])
def test_ns_log_loss(graph, sess, k, max_item):
    d = ns_data(k)
    d['p_item'][0] = d['user'][0] * 3.0  # a row with no violating negative: w = 0, adds ln 2
    d['p_item_bias'][0] = 5.0
    if k == 5:
        m = NsLog(max_item=max_item, train=True, **tensors(d))  # default neg_num
    else:
        m = NsLog(max_item=max_item, neg_num=k, train=True, **tensors(d))
    expected, count = ns_log_reference(d, max_item, k)
    assert count[0] == 0 and count.max() > 0
    np.testing.assert_allclose(sess.run(m.get_loss()), expected, rtol=RTOL)
    assert m.get_outputs() == []
    assert_no_variables()


def test_ns_log_zero_count_row_adds_ln2(graph, sess):
    d = ns_data(2)
    d['p_item_bias'][:] = 100.0  # no violations anywhere: every w_n = 0
    m = NsLog(c(d['user']), 50, p_item=c(d['p_item']), p_item_bias=c(d['p_item_bias']), neg_num=2,
              n_item=c(d['n_item']), n_item_bias=c(d['n_item_bias']), train=True)
    np.testing.assert_allclose(sess.run(m.get_loss()), N * np.log(2.0), rtol=RTOL)


@pytest.mark.parametrize('k,max_item,margin', [(1, 9, 1.0), (4, 30, 2.5), (5, 1000, 0.5)])
def test_ns_eu_dist_loss(graph, sess, k, max_item, margin):
    d = ns_data(k, seed=40)
    d['user'][1] = d['p_item'][1]  # the positive at distance 0 ...
    d['n_item'][1] = d['user'][1] + 10.0  # ... and every negative far away: h = 0, w = 0
    d['p_item_bias'][1] = 0.0
    d['n_item_bias'][1] = 0.0
    kwargs = {} if k == 5 else {'neg_num': k}
    kwargs.update({} if margin == 1.0 else {'margin': margin})
    m = NSEuDist(max_item=max_item, train=True, **kwargs, **tensors(d))
    assert type(m) is NsEuDist
    expected, count = ns_eu_reference(d, max_item, k, margin)
    assert count[1] == 0 and count.max() > 0
    np.testing.assert_allclose(sess.run(m.get_loss()), expected, rtol=RTOL)
    assert_no_variables()


def test_ns_eu_dist_positional_order(graph, sess):
    d = ns_data(2, seed=60)
    # (user, max_item, item, item_bias, p_item, neg_num, p_item_bias, n_item, n_item_bias, margin, train)
    m = NsEuDist(c(d['user']), 11, None, None, c(d['p_item']), 2, c(d['p_item_bias']),
                 c(d['n_item']), c(d['n_item_bias']), 0.75, True)
    np.testing.assert_allclose(sess.run(m.get_loss()), ns_eu_reference(d, 11, 2, 0.75)[0], rtol=RTOL)
    d = ns_data(3, seed=61)
    # (user, max_item, item, item_bias, p_item, p_item_bias, neg_num, n_item, n_item_bias, train)
    m = NsLog(c(d['user']), 11, None, None, c(d['p_item']), c(d['p_item_bias']), 3,
              c(d['n_item']), c(d['n_item_bias']), True)
    np.testing.assert_allclose(sess.run(m.get_loss()), ns_log_reference(d, 11, 3)[0], rtol=RTOL)


def test_ns_serving(graph, sess, serve):
    log = NsLog(max_item=None, train=False, **tensors(serve))  # max_item unused in serving
    eu = NsEuDist(max_item=10, train=False, **tensors(serve))
    np.testing.assert_allclose(sess.run(log.get_outputs()[0]), dot_score(serve), rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(sess.run(eu.get_outputs()[0]), euclid_score(serve), rtol=RTOL, atol=1e-5)
    assert log.get_loss() == 0.0 and type(eu.get_loss()) is float


@pytest.mark.parametrize('cls', [NSEuDist, NsEuDist])
def test_ns_eu_dist_keeps_the_original_class_name_and_default_scope(graph, sess, serve, cls):
    # the spec names the class NSEuDist; its name is the default scope in both modes
    assert cls.__name__ == 'NSEuDist' and ns_eu_dist.NSEuDist is cls
    d = ns_data(2, seed=70)
    m = cls(max_item=9, neg_num=2, train=True, **tensors(d))
    s = cls(max_item=9, train=False, reuse=True, **tensors(serve))
    assert m._scope == s._scope == 'NSEuDist'
    assert m.get_loss().name.startswith('NSEuDist/')
    assert s.get_outputs()[0].name.startswith('NSEuDist_1/')
    np.testing.assert_allclose(sess.run(m.get_loss()), ns_eu_reference(d, 9, 2, 1.0)[0], rtol=RTOL)
    np.testing.assert_allclose(sess.run(s.get_outputs()[0]), euclid_score(serve), rtol=RTOL,
                               atol=1e-5)
    assert_no_variables()


# ---------------------------------------------------------------------------------- reuse

@pytest.mark.parametrize('cls,score,extra', [
    (PairwiseLog, dot_score, {}), (PairwiseHinge, dot_score, {}),
    (PairwiseEuDist, euclid_score, {}), (NsLog, dot_score, {'max_item': 8}),
    (NsEuDist, euclid_score, {'max_item': 8})])
def test_train_then_serve_same_scope(graph, sess, data, serve, cls, score, extra):
    d = ns_data(5) if cls in (NsLog, NsEuDist) else data
    train = cls(train=True, scope='pairwise_log', reuse=False, **extra, **tensors(d))
    served = cls(train=False, scope='pairwise_log', reuse=True, **extra, **tensors(serve))
    again = cls(train=False, scope='pairwise_log', reuse=True, **extra, **tensors(serve))
    assert_no_variables()
    assert np.isfinite(sess.run(train.get_loss()))
    for m in (served, again):
        np.testing.assert_allclose(sess.run(m.get_outputs()[0]), score(serve), rtol=RTOL, atol=1e-5)


# ---------------------------------------------------------------------------------- validation

def expect_error(message, fn, exc=ArgumentError):
    with pytest.raises(exc) as info:
        fn()
    assert isinstance(info.value, ValueError) == issubclass(exc, ValueError)
    assert isinstance(info.value, AssertionError)
    assert str(info.value).startswith(message), str(info.value)
    return info.value


@pytest.mark.parametrize('cls', [PairwiseLog, PairwiseHinge, PairwiseEuDist])
def test_pairwise_none_checks_in_order(graph, sess, data, serve, cls):
    t, s = tensors(data), tensors(serve)
    expect_error('train cannot be None', lambda: cls(None, **{k: t[k] for k in ('p_item',)}))
    expect_error('user cannot be None', lambda: cls(None, train=True))
    expect_error('user cannot be None', lambda: cls(None, train=False))
    order = ['p_item', 'n_item', 'p_item_bias', 'n_item_bias']
    for i, name in enumerate(order):
        given = {k: t[k] for k in order[:i]}  # this one and all later ones missing
        expect_error('%s cannot be None' % name, lambda: cls(t['user'], train=True, **given))
    training_args = {k: v for k, v in t.items() if k != 'user'}  # ignored in serving
    expect_error('item cannot be None', lambda: cls(s['user'], train=False, **training_args))
    expect_error('item_bias cannot be None', lambda: cls(s['user'], item=s['item'], train=False))
    # retry in the same graph
    m = cls(train=True, **t)
    assert np.isfinite(sess.run(m.get_loss()))


@pytest.mark.parametrize('cls,extra', [(NsLog, {'max_item': 5}), (NsEuDist, {'max_item': 5})])
def test_ns_none_checks_in_order(graph, sess, serve, cls, extra):
    t, s = tensors(ns_data(5)), tensors(serve)
    expect_error('train cannot be None', lambda: cls(t['user'], **extra))
    expect_error('user cannot be None', lambda: cls(None, train=True, **extra))
    order = ['p_item', 'n_item', 'p_item_bias', 'n_item_bias']
    for i, name in enumerate(order):
        given = {k: t[k] for k in order[:i]}  # this one and all later ones missing
        expect_error('%s cannot be None' % name, lambda: cls(t['user'], train=True, **extra, **given))
    expect_error('item cannot be None', lambda: cls(s['user'], train=False, **extra))
    expect_error('item_bias cannot be None',
                 lambda: cls(s['user'], item=s['item'], train=False, **extra))
    m = cls(train=True, **extra, **t)
    assert np.isfinite(sess.run(m.get_loss()))


@pytest.mark.parametrize('cls', [PairwiseLog, PairwiseHinge, PairwiseEuDist])
@pytest.mark.parametrize('arg', ['p_item_bias', 'n_item_bias'])
def test_rank1_bias_guard(graph, sess, data, cls, arg):
    t = tensors(data)
    bad = dict(t, **{arg: c(data[arg].reshape(-1))})
    err = expect_error('%s must be a scalar or of shape [N, 1]' % arg, lambda: cls(train=True, **bad))
    assert '[N, N]' in str(err)
    bad[arg] = tf.placeholder(tf.float32, [None])
    expect_error('%s must be a scalar or of shape [N, 1]' % arg, lambda: cls(train=True, **bad))
    m = cls(train=True, **t)
    assert np.isfinite(sess.run(m.get_loss()))


def test_pairwise_eu_dist_rank1_weights(graph, sess, data):
    t = tensors(data)
    expect_error('weights must be a scalar or of shape [N, 1]',
                 lambda: PairwiseEuDist(train=True, weights=c(np.ones(N, 'f')), **t))
    expect_error('margin must be a number', lambda: PairwiseEuDist(train=True, margin='1', **t),
                 exc=TypeError)
    # order: the pairwise checks come first
    expect_error('n_item_bias cannot be None',
                 lambda: PairwiseEuDist(t['user'], p_item=t['p_item'], n_item=t['n_item'],
                                        p_item_bias=t['p_item_bias'], weights=None, train=True))
    m = PairwiseEuDist(train=True, weights=c(np.ones((N, 1), 'f')), **t)
    assert np.isfinite(sess.run(m.get_loss()))


@pytest.mark.parametrize('cls', [NsLog, NsEuDist])
def test_ns_neg_num_checks(graph, sess, cls):
    d = tensors(ns_data(3))
    for k in (5, 1, 2):  # static K (3) differs from neg_num
        expect_error('n_item must hold neg_num=%d negatives per row' % k,
                     lambda: cls(max_item=9, neg_num=k, train=True, **d))
    expect_error('neg_num must be a positive int', lambda: cls(max_item=9, neg_num=0, train=True, **d))
    expect_error('neg_num must be a positive int', lambda: cls(max_item=9, neg_num=3.0, train=True, **d),
                 exc=TypeError)
    bad = dict(d, n_item_bias=c(ns_data(4)['n_item_bias']))
    expect_error('n_item_bias must hold neg_num=3 negatives per row',
                 lambda: cls(max_item=9, neg_num=3, train=True, **bad))
    bad = dict(d, n_item=c(ns_data(3)['n_item'][:, 0, :]))
    expect_error('n_item must have rank 3', lambda: cls(max_item=9, neg_num=3, train=True, **bad))
    bad = dict(d, p_item_bias=c(np.float32(1.0)))
    expect_error('p_item_bias must be of shape [N, 1]',
                 lambda: cls(max_item=9, neg_num=3, train=True, **bad))
    expect_error('max_item cannot be None', lambda: cls(max_item=None, neg_num=3, train=True, **d))
    expect_error('max_item must be > 0', lambda: cls(max_item=0, neg_num=3, train=True, **d))
    m = cls(max_item=9, neg_num=3, train=True, **d)
    assert np.isfinite(sess.run(m.get_loss()))


def test_tensor_type_and_rank_checks(graph, sess, data, serve):
    t, s = tensors(data), tensors(serve)
    expect_error('user must have a floating dtype',
                 lambda: PairwiseLog(c(np.ones((N, D), 'int32')), train=True,
                                     **{k: v for k, v in t.items() if k != 'user'}), exc=TypeError)
    expect_error('item must have rank 2', lambda: PairwiseLog(s['user'], item=c(rnd(I)),
                                                              item_bias=s['item_bias'], train=False))
    expect_error('item_bias must hold one value per row of item (5)',
                 lambda: PairwiseLog(s['user'], item=s['item'], item_bias=c(rnd(I + 1, 1)),
                                     train=False))
    expect_error('user belongs to another graph',
                 lambda: PairwiseLog(_foreign(), item=s['item'], item_bias=s['item_bias'], train=False))
    m = PairwiseLog(s['user'], item=s['item'], item_bias=s['item_bias'], train=False)
    np.testing.assert_allclose(sess.run(m.get_outputs()[0]), dot_score(serve), rtol=RTOL, atol=1e-6)


def _foreign():
    with tf.Graph().as_default():
        return tf.zeros([U, D])


def test_numpy_inputs_are_accepted(graph, sess, serve):
    m = PairwiseLog(serve['user'], item=serve['item'], item_bias=serve['item_bias'], train=False)
    np.testing.assert_allclose(sess.run(m.get_outputs()[0]), dot_score(serve), rtol=RTOL, atol=1e-6)


@pytest.mark.skipif(V1_MODE, reason='eager execution is disabled in v1 mode')
def test_eager_mode_is_refused(serve):
    assert tf.executing_eagerly()
    with pytest.raises(GraphModeError, match='PairwiseLog cannot be built while eager'):
        PairwiseLog(train=False, **serve)


@pytest.mark.skipif(V1_MODE, reason='one subprocess run is enough')
def test_checks_survive_python_O():
    code = ('import tensorflow.compat.v1 as tf\n'
            'from openrec.modules.interactions import PairwiseLog, PointwiseMLPCE\n'
            'from openrec.modules.fusions import Concat\n'
            'out = []\n'
            'with tf.Graph().as_default():\n'
            '    for f in (lambda: PairwiseLog(tf.zeros([2, 2])),\n'
            '              lambda: PointwiseMLPCE(tf.zeros([2, 2]), tf.zeros([2, 2]), [3, 2]),\n'
            '              lambda: Concat([])):\n'
            '        try:\n'
            '            f()\n'
            '        except AssertionError as e:\n'
            '            out.append(str(e))\n'
            'print("|".join(out))\n')
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3')
    res = subprocess.run([sys.executable, '-O', '-c', code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    parts = res.stdout.strip().splitlines()[-1].split('|')
    assert parts[0] == 'train cannot be None'
    assert parts[1] == 'last value of dims should be 1'
    assert parts[2].startswith('module_list must contain at least one module with outputs')

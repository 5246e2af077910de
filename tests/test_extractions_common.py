"""Cross-cutting checks for the extraction modules: import paths, eager-mode error,
variable sharing and scope re-entry, checkpoint round trip of a composite graph."""
import importlib

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import close, var, var_table
from conftest import V1_MODE
import openrec.modules
import openrec.modules.extractions as extractions
from openrec.modules.extractions import (SDAE, Extraction, IdentityMapping, LatentFactor, LookUp,
                                         MultiLayerFC, TemporalLatentFactor)

CLASSES = {
    'Extraction': 'extraction',
    'LookUp': 'look_up',
    'IdentityMapping': 'identity_mapping',
    'LatentFactor': 'latent_factor',
    'MultiLayerFC': 'multi_layer_fc',
    'SDAE': 'sdae',
    'TemporalLatentFactor': 'temporal_latent_factor',
}


@pytest.mark.parametrize('name, module_file', sorted(CLASSES.items()))
def test_import_paths(name, module_file):
    cls = getattr(extractions, name)
    per_file = importlib.import_module('openrec.modules.extractions.' + module_file)
    assert getattr(per_file, name) is cls
    assert cls.__module__ == 'openrec.modules.extractions.' + module_file
    assert name in extractions.__all__
    assert issubclass(cls, openrec.modules.Module)
    if name != 'Extraction':
        assert issubclass(cls, Extraction)


def test_module_import_paths():
    from openrec.modules import Module
    from openrec.modules.module import Module as PerFile
    assert Module is PerFile is openrec.modules.Module
    exec('from openrec.modules.extractions import *', {})  # __all__ resolves


EAGER_BUILDS = {
    'Extraction': lambda: Extraction(),
    'LookUp': lambda: LookUp(np.ones((3, 2))),
    'IdentityMapping': lambda: IdentityMapping(np.ones(2)),
    'LatentFactor': lambda: LatentFactor([3, 2]),
    'MultiLayerFC': lambda: MultiLayerFC(np.ones((2, 3), np.float32), [2]),
    'SDAE': lambda: SDAE(np.ones((2, 3), np.float32), [3, 2]),
    'TemporalLatentFactor': lambda: TemporalLatentFactor([3, 2], [2], [0, 1]),
}


@pytest.mark.skipif(V1_MODE, reason='eager execution is disabled in v1 mode')
@pytest.mark.parametrize('name', sorted(EAGER_BUILDS))
def test_eager_mode_error(name):
    assert tf.executing_eagerly()
    with pytest.raises(ValueError) as info:
        EAGER_BUILDS[name]()
    message = str(info.value)
    assert name in message and 'eager' in message
    assert 'tf.compat.v1.Graph().as_default()' in message
    assert 'disable_v2_behavior' in message
    assert tf.executing_eagerly()


# builders of the get_variable-based modules: (build(reuse) -> module, number of variables)
SHARED_BUILDS = {
    'LatentFactor': (lambda x, ids, reuse: LatentFactor([10, 6], ids=ids, reuse=reuse), 1),
    'MultiLayerFC': (lambda x, ids, reuse: MultiLayerFC(x, [4, 3], batch_norm=True,
                                                        reuse=reuse), 12),
    'SDAE': (lambda x, ids, reuse: SDAE(x, [6, 3], dropout=0.1, reuse=reuse), 4),
    'TemporalLatentFactor': (lambda x, ids, reuse: TemporalLatentFactor(
        [10, 6], [6], ids, train=False, reuse=reuse), 8),
}


def placeholders():
    return tf.placeholder(tf.float32, [None, 6]), tf.placeholder(tf.int32, [None])


@pytest.mark.parametrize('name', sorted(SHARED_BUILDS))
def test_reuse_shares_and_reenters_the_name_scope(graph, name):
    build, n_vars = SHARED_BUILDS[name]
    x, ids = placeholders()
    first = build(x, ids, False)
    table = var_table()
    assert len(table) == n_vars and all(k.startswith(name + '/') for k in table)
    second = build(x, ids, True)
    assert var_table() == table
    assert first.get_outputs()[0].name.startswith(name + '/')
    assert second.get_outputs()[0].name.startswith(name + '_1/')


@pytest.mark.parametrize('name', sorted(SHARED_BUILDS))
def test_without_reuse_a_second_build_fails(graph, name):
    build, _ = SHARED_BUILDS[name]
    x, ids = placeholders()
    build(x, ids, False)
    table = var_table()
    with pytest.raises(ValueError, match='already exists'):
        build(x, ids, False)
    assert var_table() == table


@pytest.mark.parametrize('name', sorted(SHARED_BUILDS))
def test_reuse_false_inherits_a_reusing_outer_scope(graph, name):
    build, n_vars = SHARED_BUILDS[name]
    x, ids = placeholders()
    with tf.variable_scope('model'):
        build(x, ids, False)
    table = var_table()
    with tf.variable_scope('model', reuse=True):
        module = build(x, ids, False)
    assert var_table() == table and len(table) == n_vars
    assert all(k.startswith('model/%s/' % name) for k in table)
    assert module.get_outputs()[0].name.startswith('model_1/%s/' % name)


def test_lookup_uniquifies_instead_of_sharing(graph):
    LookUp(np.ones((3, 2)))
    LookUp(np.ones((3, 2)), reuse=True)
    LookUp(np.ones((3, 2)))
    assert sorted(var_table()) == ['LookUp/embedding', 'LookUp_1/embedding', 'LookUp_2/embedding']


# ------------------------------------------------------------------------------------------
# checkpoint round trip
# ------------------------------------------------------------------------------------------

IDS = [1, 4, 4, 9]
X = np.random.RandomState(41).uniform(0, 1, (8, 6)).astype(np.float32)


def build_everything(seed, lookup_table):
    tf.set_random_seed(seed)
    ids = tf.placeholder(tf.int32, [None], name='ids')
    x = tf.placeholder(tf.float32, [None, 6], name='x')
    modules = {
        'lookup': LookUp(lookup_table, ids=ids),
        'identity': IdentityMapping(x),
        'lf': LatentFactor([10, 4], ids=ids, l2_reg=0.1),
        'mlp': MultiLayerFC(x, [5, 3], batch_norm=True, l2_reg=0.1),
        'sdae': SDAE(x, [6, 4, 2], l2_reg=0.1),
        'tlf': TemporalLatentFactor([10, 4], [5, 4], ids, l2_reg=0.1),
    }
    return ids, x, modules


def test_checkpoint_round_trip(tmp_path):
    lookup_table = np.random.RandomState(42).normal(size=(10, 3)).astype(np.float32)
    first = tf.Graph()
    with first.as_default(), tf.Session(graph=first) as sess:
        ids, x, modules = build_everything(1, lookup_table)
        loss = sum(m.get_loss() for m in modules.values())
        step = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
        censor = modules['lf'].censor_l2_norm_op([4], max_norm=0.001)
        sess.run(tf.global_variables_initializer())
        modules['tlf']._pretrain_steps = 3
        modules['tlf'].pretrain_mlp_as_identity(sess)
        sess.run(step, {ids: IDS, x: X})  # also moves batch-norm statistics and sets flags
        sess.run(censor)
        names = sorted(var_table())
        saved = dict(zip(names, sess.run([var(n) for n in names])))
        path = tf.train.Saver().save(sess, str(tmp_path / 'model.ckpt'))
        outputs = [modules[k].get_outputs()[0] for k in ('lookup', 'lf', 'sdae')]
        saved_outputs = sess.run(outputs, {ids: IDS, x: X})
    assert sorted(name for name, _ in tf.train.list_variables(path)) == names
    assert saved['TemporalLatentFactor/flag'][[1, 4, 9]].all()
    assert saved['TemporalLatentFactor_1/beta2_power'] != pytest.approx(0.999)

    second = tf.Graph()
    with second.as_default(), tf.Session(graph=second) as sess:
        ids, x, modules = build_everything(2, np.zeros((10, 3), np.float32))
        assert sorted(var_table()) == names
        sess.run(tf.global_variables_initializer())
        assert not np.array_equal(sess.run(var('LatentFactor/embedding')),
                                  saved['LatentFactor/embedding'])
        tf.train.Saver().restore(sess, path)
        for name in names:
            np.testing.assert_array_equal(sess.run(var(name)), saved[name], err_msg=name)
        outputs = [modules[k].get_outputs()[0] for k in ('lookup', 'lf', 'sdae')]
        for got, expected in zip(sess.run(outputs, {ids: IDS, x: X}), saved_outputs):
            close(got, expected)

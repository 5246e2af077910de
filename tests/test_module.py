"""openrec.modules.Module and Extraction: stored state, build order, accessors, errors."""
import inspect

import pytest
import tensorflow.compat.v1 as tf

from conftest import V1_MODE
from openrec.modules import Module
from openrec.modules.extractions import Extraction


class Recorder(Extraction):
    """Records which build hooks ran, in which order, and the state they saw."""

    def __init__(self, **kwargs):
        self.calls = []
        super(Recorder, self).__init__(**kwargs)

    def _build_shared_graph(self):
        self.calls.append(('shared', self._scope, self._train, self._reuse, self._l2_reg,
                           self._loss, list(self._outputs)))
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(tf.get_variable('w', [2], initializer=tf.ones_initializer()))

    def _build_training_graph(self):
        self.calls.append(('training',))
        self._loss = tf.reduce_sum(self._outputs[0])

    def _build_serving_graph(self):
        self.calls.append(('serving',))


def test_defaults_are_stored_and_hooks_do_nothing(graph):
    module = Module()
    assert module._scope == 'Module'
    assert module._reuse is False
    assert module._l2_reg is None
    assert module._train is True
    assert module.get_outputs() == []
    loss = module.get_loss()
    assert type(loss) is float and loss == 0.0
    assert graph.get_operations() == []
    assert module._build_shared_graph() is None
    assert module._build_training_graph() is None
    assert module._build_serving_graph() is None
    assert graph.get_operations() == []


def test_scope_defaults_to_the_subclass_name(graph):
    assert Extraction()._scope == 'Extraction'
    assert Recorder()._scope == 'Recorder'
    assert Recorder(scope='custom', reuse=False)._scope == 'custom'


def test_arguments_are_stored(graph):
    module = Module(train=False, l2_reg=0.5, scope='s', reuse=True)
    assert (module._train, module._l2_reg, module._scope, module._reuse) == (False, 0.5, 's', True)


def test_training_build_order(graph, sess):
    module = Recorder(l2_reg=0.25, scope='rec')
    assert module.calls == [('shared', 'rec', True, False, 0.25, 0.0, []), ('training',)]
    assert [v.name for v in tf.global_variables()] == ['rec/w:0']
    sess.run(tf.global_variables_initializer())
    assert sess.run(module.get_loss()) == pytest.approx(2.0)
    assert module.get_outputs()[0] is module._outputs[0]


def test_serving_build_order(graph):
    module = Recorder(train=False)
    assert [c[0] for c in module.calls] == ['shared', 'serving']
    assert module.get_loss() == 0.0 and type(module.get_loss()) is float


def test_reuse_reaches_the_hooks(graph):
    first = Recorder()
    second = Recorder(reuse=True)
    assert second.calls[0][3] is True
    assert first.get_outputs()[0] is not None
    assert [v.name for v in tf.global_variables()] == ['Recorder/w:0']
    with pytest.raises(ValueError, match='already exists'):
        Recorder()


def test_signatures():
    expected = "(train=True, l2_reg=None, scope=None, reuse=False)"
    assert str(inspect.signature(Module.__init__)).replace('self, ', '') == expected
    assert str(inspect.signature(Extraction)) == expected
    assert issubclass(Extraction, Module)


@pytest.mark.parametrize('kwargs, exc, words', [
    (dict(scope=3), TypeError, 'scope'),
    (dict(l2_reg=-1.0), ValueError, 'l2_reg'),
    (dict(l2_reg='big'), TypeError, 'l2_reg'),
])
@pytest.mark.parametrize('cls', [Module, Extraction, Recorder])
def test_bad_arguments(graph, cls, kwargs, exc, words):
    with pytest.raises(exc, match=words):
        cls(**kwargs)
    assert graph.get_operations() == [] and tf.global_variables() == []


@pytest.mark.skipif(V1_MODE, reason='eager execution is disabled in v1 mode')
@pytest.mark.parametrize('cls', [Module, Extraction, Recorder])
def test_eager_mode_error(cls):
    assert tf.executing_eagerly()
    with pytest.raises(ValueError) as info:
        cls()
    message = str(info.value)
    assert cls.__name__ in message
    assert 'tf.compat.v1.Graph().as_default()' in message
    assert 'disable_v2_behavior' in message

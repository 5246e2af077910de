"""IdentityMapping: the input as the only output, no variables, no loss."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import fails_cleanly
from openrec.modules.extractions import IdentityMapping


def test_output_is_the_input(graph, sess):
    value = tf.placeholder(tf.float32, [None, 4])
    module = IdentityMapping(value)
    assert module.get_outputs() == [value]
    assert module.get_outputs()[0] is value
    feed = np.arange(8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_array_equal(sess.run(module.get_outputs()[0], {value: feed}), feed)
    assert tf.global_variables() == []
    loss = module.get_loss()
    assert type(loss) is float and loss == 0.0


@pytest.mark.parametrize('scope, reuse', [(None, False), ('features', True)])
def test_no_variables_and_no_ops(graph, scope, reuse):
    value = tf.constant([[1.0, 2.0]])
    ops = len(graph.get_operations())
    module = IdentityMapping(value, scope=scope, reuse=reuse)
    assert module._scope == (scope or 'IdentityMapping')
    assert module.get_outputs()[0] is value
    assert len(graph.get_operations()) == ops
    assert tf.global_variables() == []


def test_none_value(graph):
    fails_cleanly(graph, ValueError, ['value', 'None'], lambda: IdentityMapping(None))
    value = tf.constant([3])
    assert IdentityMapping(value).get_outputs() == [value]


def test_scope_type(graph):
    value = tf.constant(1)
    fails_cleanly(graph, TypeError, ['scope'], lambda: IdentityMapping(value, scope=2))

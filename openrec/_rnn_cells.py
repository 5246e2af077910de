"""TF1's ``GRUCell`` and ``LSTMCell``, rebuilt from ``tf.compat.v1`` ops (private).

TensorFlow 2.21 only offers the legacy cells through Keras 2 (``tf.compat.v1.nn.rnn_cell``
raises under Keras 3). These small objects implement the part of TF1's RNN-cell interface
that :func:`tf.compat.v1.nn.dynamic_rnn` uses (``state_size``, ``output_size``,
``zero_state``, ``__call__``), and create their variables as the TF1 cells did: through
``get_variable``, on the first call, in a variable scope opened with the cell's default name
(``gru_cell`` / ``lstm_cell``) inside the caller's scope (``.../rnn`` under ``dynamic_rnn``).
So variable names (checkpoint keys), creation order, initializers and numbers are TF1's.
Nothing here is public API.
"""
import collections

import tensorflow.compat.v1 as tf

LSTMStateTuple = collections.namedtuple('LSTMStateTuple', ('c', 'h'))
LSTMStateTuple.__doc__ = 'The LSTM state ``(c, h)``: cell state and hidden state, ``[n, H]`` each.'


class _RNNCell(object):
    """Common part: lazy variable creation in the TF1 layer scope, zero state."""

    _base_name = None

    def __init__(self, num_units):
        self._num_units = num_units
        self._scope = None

    @property
    def output_size(self):
        return self._num_units

    def zero_state(self, batch_size, dtype):
        """Zeros for every state part, ``[batch_size, H]`` (``batch_size`` may be a tensor)."""
        with tf.name_scope(type(self).__name__ + 'ZeroState', values=[batch_size]):
            return tf.nest.map_structure(
                lambda size: tf.zeros(tf.stack([batch_size, size]), dtype), self.state_size)

    def __call__(self, inputs, state, scope=None):
        """One step: ``(output, new_state)``; the variables are made on the first call."""
        if self._scope is None:
            # TF1 layers capture `variable_scope(None, default_name=<base name>)` once, so the
            # name is made unique among sibling scopes only while the enclosing scope is open.
            with tf.variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured
                self._build(tf.compat.dimension_value(inputs.shape[-1]))
        with tf.variable_scope(self._scope, auxiliary_name_scope=False):
            return self._step(inputs, state)

    def _variable(self, name, shape, initializer=None):
        # initializer None: get_variable's default for floats, Glorot uniform (as in TF1)
        return tf.get_variable(name, shape=shape, dtype=tf.float32, initializer=initializer)


class GRUCell(_RNNCell):
    """TF1 ``tf.nn.rnn_cell.GRUCell(num_units)``: reset gate first, gate bias 1.0.

    Variables: ``gates/kernel [D+H, 2H]``, ``gates/bias [2H]`` (1.0),
    ``candidate/kernel [D+H, H]``, ``candidate/bias [H]`` (0), in that order.
    """

    _base_name = 'gru_cell'

    @property
    def state_size(self):
        return self._num_units

    def _build(self, depth):
        h = self._num_units
        self._gate_kernel = self._variable('gates/kernel', [depth + h, 2 * h])
        self._gate_bias = self._variable('gates/bias', [2 * h], tf.constant_initializer(1.0))
        self._candidate_kernel = self._variable('candidate/kernel', [depth + h, h])
        self._candidate_bias = self._variable('candidate/bias', [h], tf.zeros_initializer())

    def _step(self, inputs, state):
        gates = tf.sigmoid(tf.nn.bias_add(
            tf.matmul(tf.concat([inputs, state], 1), self._gate_kernel), self._gate_bias))
        reset, update = tf.split(gates, num_or_size_splits=2, axis=1)
        candidate = tf.tanh(tf.nn.bias_add(
            tf.matmul(tf.concat([inputs, reset * state], 1), self._candidate_kernel),
            self._candidate_bias))
        new_h = update * state + (1 - update) * candidate
        return new_h, new_h


class LSTMCell(_RNNCell):
    """TF1 ``tf.nn.rnn_cell.LSTMCell(num_units)`` with its defaults.

    No peepholes, clipping or projection; ``forget_bias=1.0`` added to the forget gate;
    tuple state ``(c, h)``. Variables: ``kernel [D+H, 4H]``, ``bias [4H]`` (0).
    """

    _base_name = 'lstm_cell'

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    def _build(self, depth):
        h = self._num_units
        self._kernel = self._variable('kernel', [depth + h, 4 * h])
        self._bias = self._variable('bias', [4 * h], tf.zeros_initializer())

    def _step(self, inputs, state):
        c, h = state
        blocks = tf.nn.bias_add(tf.matmul(tf.concat([inputs, h], 1), self._kernel), self._bias)
        i, j, f, o = tf.split(blocks, num_or_size_splits=4, axis=1)
        new_c = tf.sigmoid(f + 1.0) * c + tf.sigmoid(i) * tf.tanh(j)
        new_h = tf.sigmoid(o) * tf.tanh(new_c)
        return new_h, LSTMStateTuple(new_c, new_h)

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
import contextlib

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


@contextlib.contextmanager
def tf1_control_flow():
    """Build TF1 (v1) control flow whatever the graph mode (the switch is process-wide)."""
    enabled = tf.control_flow_v2_enabled()
    tf.disable_control_flow_v2()
    try:
        yield
    finally:
        if enabled:
            tf.enable_control_flow_v2()


def final_state(cell, inputs, sequence_length=None):
    """The final state of ``tf.nn.dynamic_rnn(cell, inputs, sequence_length, dtype=float32)``.

    Batch-major ``inputs [n, T, D]`` (``D`` static). From a zero state, steps
    ``t = 0 … T'−1`` with ``T' = min(T, max(1, max(sequence_length)))`` evaluate the cell
    on every row; rows with ``t ≥ sequence_length`` keep their state. So a row ends with
    the state after step ``ℓ − 1`` (``1 ≤ ℓ ≤ T``), zeros (``ℓ ≤ 0``) or the state after
    the last step (``ℓ > T``); without ``sequence_length`` every row runs ``T`` steps.
    Variables are made by the cell under variable scope ``rnn``, as ``dynamic_rnn`` did.

    Only the final state is kept (no outputs), and the loop is a TF1 while loop without
    TensorArrays, in both graph modes: with TF2 behaviour ``dynamic_rnn`` builds a v2
    ``While`` op, whose gradient adds outputs to the loop op, so an optimizer made after
    a session has run the loop fails ("Connecting to invalid output ..."); and a TF1
    ``dynamic_rnn`` loop cannot take its gradient once control flow v2 is back on (its
    TensorArrays' gradients then use the v2 implementation).
    """
    with tf.variable_scope('rnn'), tf1_control_flow():
        steps = tf.shape(inputs)[1]
        batch_size = tf.compat.dimension_value(inputs.shape[0])
        if batch_size is None:
            batch_size = tf.shape(inputs)[0]
        time_major = tf.transpose(inputs, [1, 0, 2])
        bound = steps
        if sequence_length is not None:
            sequence_length = tf.cast(sequence_length, tf.int32)
            bound = tf.minimum(steps, tf.maximum(1, tf.reduce_max(sequence_length)))

        def step(t, state):
            x = tf.gather(time_major, t)
            x.set_shape(inputs.shape[:1].concatenate(inputs.shape[2:]))
            _, new_state = cell(x, state)
            if sequence_length is None:
                return t + 1, new_state
            done = t >= sequence_length
            return t + 1, tf.nest.map_structure(lambda old, new: tf.where(done, old, new),
                                                state, new_state)

        _, state = tf.while_loop(lambda t, _: t < bound, step,
                                 (tf.constant(0, tf.int32), cell.zero_state(batch_size,
                                                                            tf.float32)),
                                 parallel_iterations=32)
        return state

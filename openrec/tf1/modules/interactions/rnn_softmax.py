"""The RNNSoftmax interaction function (GRU/LSTM next-item softmax) of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._rnn_cells import GRUCell, LSTMCell, final_state
from openrec._checks import _is_int
from openrec._tfutils import ArgumentError, check_positive_int, check_tensor, xavier_initializer
from openrec.tf1.modules._common import LOSS, OUTPUT, check_subgraph, given, int_input, start

_CELLS = {'gru': GRUCell, 'lstm': LSTMCell}


def _cell_class(cell_type):
    # ArgumentError for any bad value, also non-strings: the original's assert raised an
    # AssertionError whatever the value, and ArgumentError is one (and a ValueError)
    if not isinstance(cell_type, str) or cell_type not in _CELLS:
        raise ArgumentError("Invalid RNN cell type: cell_type must be 'gru' or 'lstm', got %r"
                            % (cell_type,))
    return _CELLS[cell_type]


def RNNSoftmax(seq_item_vec, total_items, seq_len, num_units, cell_type='gru', softmax_samples=None,
               label=None, train=True, subgraph=None, scope=None):
    """Next-item softmax on the final state of a GRU or LSTM run over item sequences.

    In variable scope ``scope``: the TF1 cell (``tf.nn.rnn_cell.GRUCell(num_units)`` or
    ``LSTMCell(num_units)``, rebuilt here) runs over ``seq_item_vec`` as
    ``tf.nn.dynamic_rnn(sequence_length=seq_len)`` ran it; with its final hidden state
    ``h`` ``[n, H]``, the logits are ``z = h @ weightsᵀ + biases`` ``[n, total_items]``.
    Training registers ``mean_n CE(label_n, z_n)`` (sparse softmax cross-entropy) or,
    with ``softmax_samples=k``, the mean of TF's sampled softmax loss; serving registers
    ``squeeze(z)``.

    Variables (float32, trainable, in creation order) under ``scope``:
    GRU: ``rnn/gru_cell/gates/kernel [D+H, 2H]`` (Glorot uniform), ``rnn/gru_cell/gates/bias
    [2H]`` (1.0), ``rnn/gru_cell/candidate/kernel [D+H, H]`` (Glorot uniform),
    ``rnn/gru_cell/candidate/bias [H]`` (0); LSTM: ``rnn/lstm_cell/kernel [D+H, 4H]``
    (Glorot uniform), ``rnn/lstm_cell/bias [4H]`` (0); then ``weights [total_items, H]``
    (Xavier uniform) and ``biases [total_items]`` (0).

    Parameters
    ----------
    seq_item_vec : float32 Tensor
        Item vectors of the sequences ``[n, T, D]``, ``D`` statically known.
    total_items : int
        Number of items (classes).
    seq_len : int Tensor or None
        Sequence lengths ``[n]``. The final state of a row is the state after step
        ``seq_len − 1``; zeros for ``seq_len ≤ 0``; the state after step ``T − 1`` for
        ``seq_len > T``. None runs all ``T`` steps for every row.
    num_units : int
        Hidden width ``H``.
    cell_type : str, optional
        ``'gru'`` (default) or ``'lstm'``.

        - GRU step: ``[r, u] = σ([x, h] W_g + b_g)``, ``c = tanh([x, r⊙h] W_c + b_c)``,
          ``h' = u⊙h + (1 − u)⊙c``.
        - LSTM step: ``[i, j, f, o] = [x, h] W + b``, ``c' = σ(f + 1)⊙c + σ(i)⊙tanh(j)``,
          ``h' = σ(o)⊙tanh(c')``.
    softmax_samples : int, optional
        Training with ``tf.nn.sampled_softmax_loss``: ``k`` sampled classes (log-uniform
        candidate sampler, accidental hits removed), ``1 ≤ k ≤ total_items``. Serving
        always computes the full logits.
    label : int Tensor, optional
        Next items ``[n]`` in ``[0, total_items)``. Required for training.
    train : bool, optional
        Training (truthy, default) or serving graph.
    subgraph : object
        Any object with ``register_global_loss(tensor)`` (training) or
        ``register_global_output(tensor)`` (serving). Required.
    scope : str
        Variable scope (required); two calls with the same scope in the same enclosing
        scope share all variables.

    Returns
    -------
    None
        Results are only registered.

    Raises
    ------
    ValueError
        If ``scope`` is None; ``cell_type`` is not ``'gru'``/``'lstm'`` (also an
        :class:`AssertionError`); ``subgraph`` or, in training, ``label`` is None;
        ``total_items``/``num_units`` are not positive ints; ``softmax_samples`` is not an
        int in ``[1, total_items]``; a tensor has the wrong rank or an unknown input
        width; or (with TF's message) when the scope already holds a variable of another
        shape.
    TypeError
        If a tensor has the wrong dtype, ``scope`` is not a string, or ``subgraph`` lacks
        the method used.
    RuntimeError
        If eager execution is active.

    Notes
    -----
    Kept from the original: the serving output is squeezed, so it is ``[n, total_items]``
    for ``n > 1`` and ``[total_items]`` for one row (its static shape is unknown); the
    raw logits are registered, not probabilities; labels outside ``[0, total_items)``
    fail in TF at run time.

    Changed: ``scope=None`` raises a ``ValueError`` saying that ``scope`` is required;
    ``softmax_samples`` (which called a function that never existed in ``tf.nn``) now
    trains with ``tf.compat.v1.nn.sampled_softmax_loss`` on ``weights``/``biases``, with
    no new variables; ``cell_type='lstm'`` uses the hidden state ``h`` of the final
    ``(c, h)`` state (the original multiplied the pair and could neither train nor serve
    sensibly); an unknown ``cell_type`` raises a ``ValueError`` that is also an
    ``AssertionError`` (the original's ``assert`` vanished under ``python -O``); missing
    arguments raise before anything is built. The TF1 cells are rebuilt from
    ``tf.compat.v1`` ops (TF 2.21 offers them only through Keras 2), with TF1's variable
    names, initializers and math, and run by a TF1 while loop that keeps only the final
    state, in both graph modes (with TF2 behaviour, ``dynamic_rnn``'s v2 loop cannot take
    a gradient once a session has run it).

    References
    ----------
    Hidasi, B., Karatzoglou, A., Baltrunas, L. and Tikk, D., 2016. Session-based
    recommendations with recurrent neural networks. In International Conference on
    Learning Representations.
    """
    start('RNNSoftmax', scope)
    cell_class = _cell_class(cell_type)
    total_items = check_positive_int(total_items, 'total_items')
    num_units = check_positive_int(num_units, 'num_units')
    if softmax_samples is not None and not (_is_int(softmax_samples)
                                            and 1 <= softmax_samples <= total_items):
        raise ArgumentError('softmax_samples must be None or an int in [1, total_items=%d], '
                            'got %r' % (total_items, softmax_samples))
    check_subgraph(subgraph, 'RNNSoftmax', LOSS if train else OUTPUT)
    given((seq_item_vec, 'seq_item_vec'))
    if train:
        given((label, 'label'))
    seq_item_vec = check_tensor(seq_item_vec, 'seq_item_vec', rank=3, known_last_dim=True,
                                dtype=tf.float32)
    if seq_len is not None:
        seq_len = int_input(seq_len, 'seq_len', rank=1)
    if train:
        label = int_input(label, 'label', rank=1)
    with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
        cell = cell_class(num_units)
        state = final_state(cell, seq_item_vec, seq_len)
        hidden = state.h if isinstance(cell, LSTMCell) else state
        weights = tf.get_variable('weights', shape=[total_items, num_units], dtype=tf.float32,
                                  initializer=xavier_initializer(), trainable=True)
        biases = tf.get_variable('biases', shape=[total_items], dtype=tf.float32,
                                 initializer=tf.zeros_initializer(), trainable=True)
        if train and softmax_samples is not None:
            subgraph.register_global_loss(tf.reduce_mean(tf.nn.sampled_softmax_loss(
                weights=weights, biases=biases,
                labels=tf.reshape(tf.cast(label, tf.int64), [-1, 1]), inputs=hidden,
                num_sampled=softmax_samples, num_classes=total_items, num_true=1,
                remove_accidental_hits=True)))
            return
        logits = tf.matmul(hidden, tf.transpose(weights)) + biases
        if train:
            subgraph.register_global_loss(tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=label, logits=logits)))
        else:
            subgraph.register_global_output(tf.squeeze(logits))

"""The MLPSoftmax interaction function (YouTube-style recommender head) of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import ArgumentError, check_positive_int, check_tensor
from openrec.tf1.modules._common import given, int_input
from openrec.tf1.modules.interactions._mlp import (mlp_logits, mlp_part, optional_bias, same_rows,
                                                   start_mlp)


def MLPSoftmax(user, item, seq_len, max_seq_len, dims, subgraph, item_bias=None, extra=None,
               l2_reg=None, labels=None, dropout=None, train=None, scope=None):
    """Softmax over ``dims[-1]`` classes from an MLP on the user and the averaged item history.

    In variable scope ``scope``: ``ē = (1/max_seq_len) Σ_{t < seq_len} item[:, t]``;
    ``x = [user, ē, extra]`` (``user`` and ``extra`` when given); logits
    ``z = MLP(x) (+ item_bias)`` with the ``MultiLayerFC`` of scope ``mlp_reg``: ReLU after
    every layer but the last, a bias on every layer but the last (on the only one when
    ``len(dims) == 1``). Training registers ``mean_n CE(labels_n, z_n)`` (sparse softmax
    cross-entropy); serving registers the raw logits ``z`` ``[n, dims[-1]]``.

    Parameters
    ----------
    user : float32 Tensor or None
        User features ``[n, du]`` (known width), or None.
    item : float32 Tensor
        Item vectors of the sequences ``[n, max_seq_len, d]`` (known ``d``).
    seq_len : int Tensor
        Sequence lengths ``[n]``; positions ``t ≥ seq_len`` are masked out.
    max_seq_len : int
        Padded sequence length ``L`` (also the divisor of the average).
    dims : list of int
        Layer widths of the MLP; ``dims[-1]`` is the number of classes (items).
    subgraph : object
        Any object with ``register_global_loss(tensor)`` (training, or with ``l2_reg``)
        and ``register_global_output(tensor)`` (serving).
    item_bias : float Tensor, optional
        Added to the logits (broadcast, e.g. ``[dims[-1]]``).
    extra : float32 Tensor, optional
        Further input columns ``[n, de]`` (known width).
    l2_reg : float, optional
        L2 weight of the MLP variables (one entry per variable, both modes).
    labels : int Tensor, optional
        Classes ``[n]`` in ``[0, dims[-1])``. Required for training.
    dropout : float, optional
        Drop probability after the middle layers, in training only.
    train : bool, optional
        Training (truthy) or serving (default None: serving).
    scope : str
        Variable scope (required); variables are shared by scope name.

    Returns
    -------
    None
        Results are only registered.

    Raises
    ------
    TypeError
        If ``scope`` is None (see Notes) or not a string; if a tensor has the wrong dtype;
        if ``dims`` is not a list of ints or ``subgraph`` lacks a method used.
    ValueError
        ``'<argument> cannot be None'`` for ``subgraph``, ``item``, ``seq_len`` and, in
        training, ``labels``; if ``dims`` is empty or non-positive, ``max_seq_len`` is
        not a positive int, ``item`` is not ``[n, max_seq_len, d]``, a tensor has the
        wrong rank, unknown width or another number of rows, ``dropout`` is outside
        ``[0, 1)`` or ``l2_reg`` is negative.
    RuntimeError
        If eager execution is active.

    Notes
    -----
    Kept from the original: the masked sum of item vectors is divided by ``max_seq_len``,
    not by the sequence length; serving outputs logits, not probabilities; ``dropout``
    is ignored in serving.

    Changed: ``scope=None`` raises a ``TypeError`` saying that ``scope`` is required (the
    type TF raised: "If default_name is None then name_or_scope is required"); missing
    arguments and bad shapes or rates raise before anything is built.

    References
    ----------
    Covington, P., Adams, J. and Sargin, E., 2016. Deep neural networks for YouTube
    recommendations. In Proceedings of the 10th ACM Conference on Recommender Systems
    (pp. 191-198).
    """
    dims, l2_reg, dropout = start_mlp('MLPSoftmax', scope, subgraph, train, dims, l2_reg, dropout)
    max_seq_len = check_positive_int(max_seq_len, 'max_seq_len')
    given((item, 'item'), (seq_len, 'seq_len'))
    if train:
        given((labels, 'labels'))
    item = check_tensor(item, 'item', rank=3, known_last_dim=True, dtype=tf.float32)
    steps = tf.compat.dimension_value(item.shape[1])
    if steps not in (None, max_seq_len):
        raise ArgumentError('item must have max_seq_len=%d steps (shape [n, %d, d]), got shape %s'
                            % (max_seq_len, max_seq_len, item.shape))
    seq_len = int_input(seq_len, 'seq_len', rank=1)
    named = [(item, 'item'), (seq_len, 'seq_len')]
    if user is not None:
        user = mlp_part(user, 'user')
        named.append((user, 'user'))
    if extra is not None:
        extra = mlp_part(extra, 'extra')
        named.append((extra, 'extra'))
    if train:
        labels = int_input(labels, 'labels', rank=1)
        named.append((labels, 'labels'))
    same_rows(named)
    item_bias = optional_bias(item_bias)
    with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
        mask = tf.sequence_mask(seq_len, max_seq_len, dtype=tf.float32)
        x = tf.reduce_mean(item * tf.expand_dims(mask, axis=2), axis=1)
        x = tf.concat([x] if user is None else [user, x], axis=1)
        if extra is not None:
            x = tf.concat([x, extra], axis=1)
        logits = mlp_logits(x, dims, subgraph, item_bias, l2_reg, dropout, train)
        if train:
            subgraph.register_global_loss(tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)))
        else:
            subgraph.register_global_output(logits)

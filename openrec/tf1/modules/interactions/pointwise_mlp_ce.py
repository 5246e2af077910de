"""The PointwiseMLPCE interaction function (MLP with sigmoid cross-entropy) of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import ArgumentError
from openrec.modules.interactions._scoring import ce_loss, labels_input, rows
from openrec.tf1.modules._common import given
from openrec.tf1.modules.interactions._mlp import (mlp_logits, mlp_part, optional_bias, same_rows,
                                                   start_mlp)


def PointwiseMLPCE(user, item, dims, subgraph, item_bias=None, extra=None, l2_reg=None, labels=None,
                   dropout=None, train=None, scope=None):
    """Sigmoid cross-entropy of an MLP on ``[user, item, extra]`` (NCF-style pointwise model).

    In variable scope ``scope``: logits ``z = MLP([user, item(, extra)]) (+ item_bias)``
    with the ``MultiLayerFC`` of scope ``mlp_reg`` (ReLU after every layer but the last,
    a bias on every layer but the last, dropout after the middle layers in training).
    Training registers the loss ``Σ CEσ(y, z)`` with ``y = reshape(float(labels),
    [-1, 1])`` and the logits ``z`` ``[n, 1]`` as output; serving registers the
    probabilities ``σ(z)``.

    Parameters
    ----------
    user, item : float32 Tensor
        User and item features ``[n, du]``, ``[n, di]`` (known widths), one pair per row.
    dims : list of int
        Layer widths of the MLP; ``dims[-1]`` must be 1 for training.
    subgraph : object
        Any object with ``register_global_output(tensor)`` and, in training or with
        ``l2_reg``, ``register_global_loss(tensor)``.
    item_bias : float Tensor, optional
        Added to the logits (``[n, 1]`` or a scalar).
    extra : float32 Tensor, optional
        Further input columns ``[n, de]`` (known width).
    l2_reg : float, optional
        L2 weight of the MLP variables (one entry per variable, both modes).
    labels : numeric Tensor, optional
        Binary labels ``[n]``. Required for training.
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
        ``'<argument> cannot be None'`` for ``subgraph``, ``user``, ``item`` and, in
        training, ``labels``; if ``dims`` is empty or non-positive, or in training
        ``dims[-1] ≠ 1``; if a tensor has the wrong rank, unknown width or another number
        of rows; if ``dropout`` is outside ``[0, 1)`` or ``l2_reg`` is negative.
    RuntimeError
        If eager execution is active.

    Notes
    -----
    Kept from the original: the training output is the logits, the serving output the
    probabilities; serving with ``dims[-1] ≠ 1`` returns one sigmoid per column;
    ``train=None`` (the default) builds the serving graph. No recommender of this API
    uses this function.

    Changed: ``scope=None`` raises a ``TypeError`` saying that ``scope`` is required (the
    type TF raised); training with ``dims[-1] ≠ 1``, which failed inside TF, raises a
    ``ValueError`` naming ``dims``; missing arguments and bad shapes or rates raise
    before anything is built.

    References
    ----------
    He, X., Liao, L., Zhang, H., Nie, L., Hu, X. and Chua, T.S., 2017. Neural collaborative
    filtering. In Proceedings of the 26th International Conference on World Wide Web
    (pp. 173-182).
    """
    dims, l2_reg, dropout = start_mlp('PointwiseMLPCE', scope, subgraph, train, dims, l2_reg,
                                      dropout)
    if train and dims[-1] != 1:
        raise ArgumentError('dims[-1] must be 1 for training (one logit per row), got dims=%r'
                            % (dims,))
    given((user, 'user'), (item, 'item'))
    if train:
        given((labels, 'labels'))
    parts = [(mlp_part(user, 'user'), 'user'), (mlp_part(item, 'item'), 'item')]
    if extra is not None:
        parts.append((mlp_part(extra, 'extra'), 'extra'))
    same_rows(parts)
    if train:
        labels = labels_input(labels, rows(parts[0][0]))
    item_bias = optional_bias(item_bias)
    with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
        logits = mlp_logits(tf.concat([part for part, _ in parts], axis=1), dims, subgraph,
                            item_bias, l2_reg, dropout, train)
        if train:
            subgraph.register_global_loss(ce_loss(labels, logits))
            subgraph.register_global_output(logits)
        else:
            subgraph.register_global_output(tf.sigmoid(logits))

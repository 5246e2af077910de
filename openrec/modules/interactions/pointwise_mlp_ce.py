"""The PointwiseMLPCE interaction (NCF MLP)."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import check_bool
from openrec.modules.extractions.multi_layer_fc import MultiLayerFC
from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction


class PointwiseMLPCE(Interaction):
    """The PointwiseMLPCE module minimizes the sigmoid cross entropy of an MLP over concatenated user and item representations (NCF).

    ``x = concat([user, item, extra?], axis=1)``; hidden layers
    ``h ← relu(h·FC__k + bias__k)`` (dropout in training), last layer linear
    ``h·FC__{L−1}``. Training: ``logits = MLP(x) (+ item_bias)``, ``[N, 1]`` (the only
    output), ``loss = sum(ce(labels, logits))``. Serving with ``batch_serving``: raw
    logits of every user-item pair, ``[U, I]``; without: row-paired probabilities
    ``sigmoid(MLP(x) (+ item_bias))``, ``[N, 1]``.

    Parameters
    ----------
    user : Tensorflow tensor
        User representations, ``[N, D_user]`` (or ``[U, D_user]`` in batch serving).
    item : Tensorflow tensor
        Item representations, ``[N, D_item]`` (or ``[I, D_item]`` in batch serving).
    dims : list of int
        Layer widths; the last must be 1.
    item_bias : Tensorflow tensor, optional
        Item biases added to the logits: ``[N, 1]`` or a scalar (``[I, 1]`` in batch serving).
    extra : Tensorflow tensor, optional
        Extra features concatenated to the input, one row per **item** row.
    l2_reg : float, optional
        Passed to the ``mlp_reg`` sub-module; has no effect (see Notes).
    labels : Tensorflow tensor, optional
        Binary labels, ``N`` values. Required for training.
    dropout : float, optional
        Dropout rate after each hidden layer, training only. None: no dropout.
    train : bool, optional
        Training (truthy) or serving (falsy) graph. None builds the serving graph.
    batch_serving : bool, optional
        Serve every user against every item rather than row pairs.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        ``'dims cannot be None'``, ``'last value of dims should be 1'``, then (training)
        ``'labels cannot be None'``, in that order; then ``user``/``item`` None or not
        rank 2 with known widths, a non-positive width in ``dims``, ``extra`` with a
        static row count other than ``item``'s, a bad ``dropout`` rate or bias shape;
        eager execution active. Also an :class:`AssertionError`.
    TypeError
        If a tensor is not floating (labels: not numeric), ``dims`` holds non-ints or
        ``batch_serving`` is not a bool.

    Notes
    -----
    Variables (relative to the module scope, float32, trainable): ``mlp_reg/FC__k``
    (``[F, d_0]``, then ``[d_{k−1}, d_k]``, Glorot-uniform) with
    ``F = D_user + D_item (+ D_extra)``, and ``mlp_reg/bias__k`` (``[d_k]``, zeros) for
    ``k = 0 … L−2``; with a single layer, ``bias__0`` (``[1]``) exists and is added (the
    first-layer bias rule wins). Kept from the original: no ``train``/``user``/``item``
    None checks in the original, and ``train=None`` builds the serving graph; batch and
    row serving return different quantities (logits vs probabilities); ``l2_reg``
    reaches the sub-module, whose L2 loss is discarded. Fixed: ``extra`` with one row
    per user used to be silently misaligned when ``U = I``; rows of ``extra`` must match
    ``item``.

    References
    ----------
    He, X., Liao, L., Zhang, H., Nie, L., Hu, X. and Chua, T.S., 2017. Neural
    collaborative filtering. In Proceedings of the 26th International Conference on
    World Wide Web (pp. 173-182).
    """

    def __init__(self, user, item, dims, item_bias=None, extra=None, l2_reg=None, labels=None,
                 dropout=None, train=None, batch_serving=True, scope=None, reuse=False):
        sc.start(self, scope)
        (self._user, self._item, self._dims, self._item_bias, self._extra, self._labels,
         self._dropout) = sc.mlp_inputs(train, user, item, dims, item_bias, extra, labels, dropout,
                                        batch_serving)
        self._batch_serving = check_bool(batch_serving, 'batch_serving')
        super(PointwiseMLPCE, self).__init__(train=train, l2_reg=l2_reg, scope=scope, reuse=reuse)

    def _mlp(self, parts, train):
        reg = MultiLayerFC(in_tensor=tf.concat(parts, axis=1), dims=self._dims, bias_in=True,
                           bias_mid=True, bias_out=False,
                           dropout_mid=self._dropout if train else None, train=train,
                           l2_reg=self._l2_reg, scope='mlp_reg', reuse=self._reuse)
        return reg.get_outputs()[0]

    def _parts(self, user, item, extra):
        return [user, item] + ([] if extra is None else [extra])

    def _build_training_graph(self):
        """Build the MLP logits and their cross-entropy loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            logits = self._mlp(self._parts(self._user, self._item, self._extra), train=True)
            if self._item_bias is not None:
                logits += self._item_bias
            self._loss = sc.ce_loss(self._labels, logits)
            self._outputs.append(logits)

    def _build_serving_graph(self):
        """Build ``[U, I]`` logits (batch serving) or ``[N, 1]`` row probabilities."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            if not self._batch_serving:
                logits = self._mlp(self._parts(self._user, self._item, self._extra), train=False)
                if self._item_bias is not None:
                    logits += self._item_bias
                self._outputs.append(tf.sigmoid(logits))
                return
            n_user = tf.shape(self._user)[0]
            user_rep, item_rep = sc.user_major_pairs(self._user, self._item)
            extra_rep = None if self._extra is None else tf.tile(self._extra, [n_user, 1])
            logits = self._mlp(self._parts(user_rep, item_rep, extra_rep), train=False)
            if self._item_bias is not None:
                logits += tf.tile(self._item_bias, [n_user, 1])
            self._outputs.append(sc.pair_grid(logits, self._user, self._item))

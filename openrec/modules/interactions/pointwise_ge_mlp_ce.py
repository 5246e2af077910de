"""The PointwiseGeMLPCE interaction (NeuMF)."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import ArgumentError
from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction
from openrec.modules.interactions.pointwise_ge_ce import PointwiseGeCE
from openrec.modules.interactions.pointwise_mlp_ce import PointwiseMLPCE


class PointwiseGeMLPCE(Interaction):
    """The PointwiseGeMLPCE module fuses GMF and MLP logits and minimizes their sigmoid cross entropy (NeuMF).

    Builds a :class:`PointwiseGeCE` at sub-scope ``ge`` (on ``user_ge``, ``item_ge``)
    and a :class:`PointwiseMLPCE` at ``mlp`` (on ``user_mlp``, ``item_mlp``), both
    with item bias 0. Training: ``logits = alpha·ge_logits + (1 − alpha)·mlp_logits +
    item_bias`` (``[N, 1]``, the only output), ``loss = sum(ce(labels, logits))``. The
    sub-modules' own losses are discarded. Training only (see Notes).

    Parameters
    ----------
    user_mlp : Tensorflow tensor
        User representations for the MLP, ``[N, D_user_mlp]``.
    user_ge : Tensorflow tensor
        User representations for GMF, ``[N, D_ge]``.
    item_mlp : Tensorflow tensor
        Item representations for the MLP, ``[N, D_item_mlp]``.
    item_ge : Tensorflow tensor
        Item representations for GMF, ``[N, D_ge]``.
    item_bias : Tensorflow tensor
        Item biases, ``[N, 1]`` or a scalar.
    dims : list of int
        MLP layer widths; the last must be 1.
    labels : Tensorflow tensor, optional
        Binary labels, ``N`` values. Required.
    dropout : float, optional
        Dropout rate after each hidden MLP layer. None: no dropout.
    alpha : float, optional
        Weight of the GMF logits (the MLP logits get ``1 − alpha``).
    l2_reg : float, optional
        Passed to the sub-modules; has no effect.
    train : bool
        Must be truthy (serving is unsupported). Required.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        In this order: ``'train cannot be None'``; ``'user cannot be None (argument
        user_ge)'``, ``'item cannot be None (argument item_ge)'``; ``train`` falsy
        (serving unsupported); ``'labels cannot be None'``; ``'dims cannot be None'``,
        ``'last value of dims should be 1'``; then shape and rate checks of both
        sub-modules, ``item_bias`` None or of shape ``[N]``; eager execution active.
        Also an :class:`AssertionError`.
    TypeError
        If a tensor is not floating, or ``alpha`` is not a number.

    Notes
    -----
    Variables (relative to the module scope): ``ge/gmf_reg/FC__0`` (``[D_ge, 1]``) and
    ``mlp/mlp_reg/FC__k``, ``mlp/mlp_reg/bias__k`` as in :class:`PointwiseMLPCE` with
    ``F = D_user_mlp + D_item_mlp``. All checks of both sub-modules run before anything
    is built; the None messages are the sub-modules' (as in the original) with this
    class's argument name appended. Kept: ``train=None`` is an error; ``l2_reg`` has no
    effect. Fixed: the original could never build a serving graph (``train=False``
    crashed obscurely) and failed obscurely on ``item_bias=None``; both are now clear
    ``ValueError``\\ s.

    References
    ----------
    He, X., Liao, L., Zhang, H., Nie, L., Hu, X. and Chua, T.S., 2017. Neural
    collaborative filtering. In Proceedings of the 26th International Conference on
    World Wide Web (pp. 173-182).
    """

    def __init__(self, user_mlp, user_ge, item_mlp, item_ge, item_bias, dims, labels=None,
                 dropout=None, alpha=0.5, l2_reg=None, train=None, scope=None, reuse=False):
        sc.start(self, scope)
        sc.check_given(train, 'train')
        sc.check_given(user_ge, 'user', 'user_ge')
        sc.check_given(item_ge, 'item', 'item_ge')
        if not train:
            raise ArgumentError('train=%r is not supported: PointwiseGeMLPCE builds training graphs '
                                'only (the original could never build a serving graph)' % (train,))
        self._user_ge, self._item_ge, _, self._labels = sc.ge_inputs(
            train, user_ge, item_ge, 0, labels, aliases={'user': 'user_ge', 'item': 'item_ge'})
        self._user_mlp, self._item_mlp, self._dims, _, _, _, self._dropout = sc.mlp_inputs(
            train, user_mlp, item_mlp, dims, 0, None, labels, dropout, True,
            aliases={'user': 'user_mlp', 'item': 'item_mlp'})
        sc.check_same_rows(self._user_mlp, 'user_mlp', self._user_ge, 'user_ge')
        self._item_bias = sc.column_input(sc.check_given(item_bias, 'item_bias'), 'item_bias')
        self._alpha = sc.number_param(alpha, 'alpha')
        super(PointwiseGeMLPCE, self).__init__(train=train, l2_reg=l2_reg, scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build the GMF (``ge``) and MLP (``mlp``) sub-modules."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._ge_model = PointwiseGeCE(user=self._user_ge, item=self._item_ge, item_bias=0,
                                           l2_reg=self._l2_reg, labels=self._labels,
                                           train=self._train, scope='ge', reuse=self._reuse)
            self._mlp_model = PointwiseMLPCE(user=self._user_mlp, item=self._item_mlp, item_bias=0,
                                             l2_reg=self._l2_reg, labels=self._labels,
                                             dims=self._dims, train=self._train,
                                             dropout=self._dropout, scope='mlp', reuse=self._reuse)

    def _build_training_graph(self):
        """Build the fused logits and their cross-entropy loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            logits = (self._alpha * self._ge_model.get_outputs()[0]
                      + (1 - self._alpha) * self._mlp_model.get_outputs()[0] + self._item_bias)
            self._loss = sc.ce_loss(self._labels, logits)
            self._outputs.append(logits)

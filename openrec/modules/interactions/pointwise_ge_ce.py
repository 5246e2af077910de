"""The PointwiseGeCE interaction (GMF)."""
import tensorflow.compat.v1 as tf

from openrec.modules.extractions.multi_layer_fc import MultiLayerFC
from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction


class PointwiseGeCE(Interaction):
    """The PointwiseGeCE module minimizes the sigmoid cross entropy of generalized matrix factorization (GMF).

    With ``h`` the ``[D, 1]`` weight ``gmf_reg/FC__0``: training
    ``logits = (user ⊙ item)·h + item_bias`` (``[N, 1]``, the only output) and
    ``loss = sum(ce(labels, logits))``; serving outputs the raw logits
    ``S[u, i] = sum_d h_d·user[u, d]·item[i, d] + item_bias[i]``, ``[U, I]``.

    Parameters
    ----------
    user : Tensorflow tensor
        User representations, ``[N, D]`` (training) or ``[U, D]`` (serving).
    item : Tensorflow tensor
        Item representations, ``[N, D]`` (training) or ``[I, D]`` (serving).
    item_bias : Tensorflow tensor
        Item biases: ``[N, 1]`` or a scalar in training, ``[I, 1]`` in serving.
    l2_reg : float, optional
        Passed to the ``gmf_reg`` sub-module; has no effect (see Notes).
    labels : Tensorflow tensor, optional
        Binary labels, ``N`` values. Required for training.
    train : bool
        Training (truthy) or serving (falsy) graph. Required.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        ``'<arg> cannot be None'`` for ``train``, ``user``, ``item``, ``item_bias``, then
        (training) ``labels``, in that order; ``user``/``item`` not rank 2 with equal
        static widths; a serving ``item_bias`` not of shape ``[I, 1]``; a training
        ``item_bias`` of shape ``[N]``; eager execution active. Also an
        :class:`AssertionError`.
    TypeError
        If a tensor is not floating (labels: not numeric).

    Notes
    -----
    Variables (relative to the module scope): ``gmf_reg/FC__0``, ``[D, 1]``, float32,
    trainable, Glorot-uniform (a :class:`~openrec.modules.extractions.MultiLayerFC`
    with one layer and no bias). Kept from the original: ``l2_reg`` reaches the
    sub-module, whose L2 loss is discarded, so it does not change :meth:`get_loss`.
    Fixed: a serving ``item_bias`` of rank 0 or 1 used to die in ``tile``; it is now a
    ``ValueError``, as is a rank-1 ``[N]`` training bias (it would broadcast to ``[N, N]``).

    References
    ----------
    He, X., Liao, L., Zhang, H., Nie, L., Hu, X. and Chua, T.S., 2017. Neural
    collaborative filtering. In Proceedings of the 26th International Conference on
    World Wide Web (pp. 173-182).
    """

    def __init__(self, user, item, item_bias, l2_reg=None, labels=None, train=None, scope=None,
                 reuse=False):
        sc.start(self, scope)
        self._user, self._item, self._item_bias, self._labels = sc.ge_inputs(
            train, user, item, item_bias, labels)
        super(PointwiseGeCE, self).__init__(train=train, l2_reg=l2_reg, scope=scope, reuse=reuse)

    def _gmf(self, user, item):
        reg = MultiLayerFC(in_tensor=tf.multiply(user, item), dims=[1], bias_in=False,
                           bias_mid=False, bias_out=False, l2_reg=self._l2_reg, scope='gmf_reg',
                           reuse=self._reuse)
        return reg.get_outputs()[0]

    def _build_training_graph(self):
        """Build the GMF logits and their cross-entropy loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            logits = self._gmf(self._user, self._item) + self._item_bias
            self._loss = sc.ce_loss(self._labels, logits)
            self._outputs.append(logits)

    def _build_serving_graph(self):
        """Build the ``[U, I]`` GMF logits of every user-item pair."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            user_rep, item_rep = sc.user_major_pairs(self._user, self._item)
            item_bias_rep = tf.tile(self._item_bias, [tf.shape(self._user)[0], 1])
            self._outputs.append(sc.pair_grid(self._gmf(user_rep, item_rep) + item_bias_rep,
                                              self._user, self._item))

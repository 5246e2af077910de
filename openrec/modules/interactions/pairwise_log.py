"""The PairwiseLog interaction (BPR loss)."""
import tensorflow.compat.v1 as tf

from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction


class PairwiseLog(Interaction):
    """The PairwiseLog module minimizes the pairwise logarithm loss (BPR).

    Training: ``x = u·p + b_p − u·n − b_n`` per row and
    ``loss = −sum(log(sigmoid(max(x, −30))))``. Serving outputs
    ``user @ itemᵀ + item_bias``, shape ``[U, I]``. No variables.

    Parameters
    ----------
    user : Tensorflow tensor
        User representations, ``[N, D]`` (training) or ``[U, D]`` (serving).
    item : Tensorflow tensor, optional
        Serving item representations ``[I, D]``. Required for serving.
    item_bias : Tensorflow tensor, optional
        Serving item biases ``[I, 1]`` or ``[I]``. Required for serving.
    p_item : Tensorflow tensor, optional
        Positive item representations ``[N, D]``. Required for training.
    p_item_bias : Tensorflow tensor, optional
        Positive item biases, ``[N, 1]`` or a scalar. Required for training.
    n_item : Tensorflow tensor, optional
        Negative item representations ``[N, D]``. Required for training.
    n_item_bias : Tensorflow tensor, optional
        Negative item biases, ``[N, 1]`` or a scalar. Required for training.
    train : bool
        Training (truthy) or serving (falsy) graph. Required.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        ``'<arg> cannot be None'`` for ``train``, ``user``, then (training) ``p_item``,
        ``n_item``, ``p_item_bias``, ``n_item_bias`` or (serving) ``item``,
        ``item_bias``, in that order; a bias of shape ``[N]`` (see Notes); a tensor of
        the wrong rank; eager execution active. Also an :class:`AssertionError`.
    TypeError
        If a tensor argument is not floating.

    Notes
    -----
    Arguments of the other mode are ignored. A rank-1 ``[N]`` bias, which the original
    silently broadcast to ``[N, N]`` (summing N² terms), is rejected.

    References
    ----------
    Rendle, S., Freudenthaler, C., Gantner, Z. and Schmidt-Thieme, L., 2009.
    BPR: Bayesian personalized ranking from implicit feedback. In Proceedings of the
    Twenty-Fifth Conference on Uncertainty in Artificial Intelligence (pp. 452-461).
    """

    def __init__(self, user, item=None, item_bias=None, p_item=None, p_item_bias=None, n_item=None,
                 n_item_bias=None, train=None, scope=None, reuse=False):
        sc.start(self, scope)
        (self._user, self._item, self._item_bias, self._p_item, self._p_item_bias, self._n_item,
         self._n_item_bias) = sc.pairwise_inputs(train, user, item, item_bias, p_item, p_item_bias,
                                                 n_item, n_item_bias)
        if train:
            self._check_training_args()
        super(PairwiseLog, self).__init__(train=train, scope=scope, reuse=reuse)

    def _check_training_args(self):
        """Hook for subclasses with extra training arguments (checked after the common ones)."""

    def _build_training_graph(self):
        """Build the BPR loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            dot_user_pos = sc.row_dot(self._user, self._p_item)
            dot_user_neg = sc.row_dot(self._user, self._n_item)
            self._loss = sc.neg_log_sigmoid_sum(
                dot_user_pos + self._p_item_bias - dot_user_neg - self._n_item_bias)

    def _build_serving_graph(self):
        """Build the dot score ``user @ itemᵀ + item_bias``."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(sc.dot_score(self._user, self._item, self._item_bias))

"""The PairwiseHinge interaction."""
import tensorflow.compat.v1 as tf

from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction


class PairwiseHinge(Interaction):
    """The PairwiseHinge module scores pairs with a (negated, see Notes) hinge loss.

    Training: ``loss = −sum(max(margin − (u·p + b_p) + (u·n + b_n), 0))``. Serving
    outputs ``user @ itemᵀ + item_bias``, ``[U, I]``. No variables.

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
    margin : float, optional
        Hinge margin.
    train : bool
        Training (truthy) or serving (falsy) graph. Required.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        As :class:`PairwiseLog` (same checks, order and messages).
    TypeError
        If a tensor argument is not floating or ``margin`` is not a number.

    Notes
    -----
    Kept from the original: the hinge is **negated**, so minimising this loss increases
    margin violations. The value is reproduced exactly (loss values and results depend
    on it); no bundled recommender uses this module.
    """

    def __init__(self, user, item=None, item_bias=None, p_item=None, p_item_bias=None, n_item=None,
                 n_item_bias=None, margin=1.0, train=None, scope=None, reuse=False):
        sc.start(self, scope)
        (self._user, self._item, self._item_bias, self._p_item, self._p_item_bias, self._n_item,
         self._n_item_bias) = sc.pairwise_inputs(train, user, item, item_bias, p_item, p_item_bias,
                                                 n_item, n_item_bias)
        self._margin = sc.number_param(margin, 'margin') if train else margin
        super(PairwiseHinge, self).__init__(train=train, scope=scope, reuse=reuse)

    def _build_training_graph(self):
        """Build the negated hinge loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            pos = sc.row_dot(self._user, self._p_item) + self._p_item_bias
            neg = sc.row_dot(self._user, self._n_item) + self._n_item_bias
            self._loss = -tf.reduce_sum(tf.maximum(self._margin - pos + neg, 0))

    def _build_serving_graph(self):
        """Build the dot score ``user @ itemᵀ + item_bias``."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(sc.dot_score(self._user, self._item, self._item_bias))

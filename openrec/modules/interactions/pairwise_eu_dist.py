"""The PairwiseEuDist interaction (CML loss)."""
import tensorflow.compat.v1 as tf

from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.pairwise_log import PairwiseLog


class PairwiseEuDist(PairwiseLog):
    """The PairwiseEuDist module minimizes the weighted pairwise Euclidean-distance hinge loss (CML).

    Training: ``diff = (−||u−p||² + b_p) − (−||u−n||² + b_n)`` per row and
    ``loss = sum(weights · max(margin − diff, 0))``. Serving outputs
    ``S[u, i] = 2·user_u·item_i + b_i − ||item_i||²``, ``[U, I]``. No variables.

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
    weights : float or Tensorflow tensor, optional
        Per-row loss weights: a scalar or ``[N, 1]``. Training only.
    margin : float, optional
        Hinge margin. Training only.
    train : bool
        Training (truthy) or serving (falsy) graph. Required.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        As :class:`PairwiseLog` (checks delegated to it, same order and messages), then
        ``weights`` of shape ``[N]``.
    TypeError
        If a tensor argument is not floating or ``margin`` is not a number.

    Notes
    -----
    A subclass of :class:`PairwiseLog`. The serving score equals
    ``−||u − i||² + b_i + ||u||²``: the per-user constant ``||u||²`` is not removed, so
    it ranks like the training score but its values differ (kept). Embedding norms are not clipped here (the CML
    recommenders add post-training ops for that). A rank-1 ``[N]`` ``weights`` tensor is
    rejected (it would broadcast to ``[N, N]``).

    References
    ----------
    Hsieh, C.K., Yang, L., Cui, Y., Lin, T.Y., Belongie, S. and Estrin, D., 2017.
    Collaborative metric learning. In Proceedings of the 26th International Conference
    on World Wide Web (pp. 193-201).
    """

    def __init__(self, user, item=None, item_bias=None, p_item=None, p_item_bias=None, n_item=None,
                 n_item_bias=None, weights=1.0, margin=1.0, train=None, scope=None, reuse=False):
        self._weights = weights
        self._margin = margin
        super(PairwiseEuDist, self).__init__(user, item=item, item_bias=item_bias, p_item=p_item,
                                             p_item_bias=p_item_bias, n_item=n_item,
                                             n_item_bias=n_item_bias, train=train, scope=scope,
                                             reuse=reuse)

    def _check_training_args(self):
        """Check ``weights`` (rank-1 bias guard) and ``margin``."""
        self._weights = sc.column_input(self._weights, 'weights')
        self._margin = sc.number_param(self._margin, 'margin')

    def _build_training_graph(self):
        """Build the weighted Euclidean hinge loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            pos_score = -sc.row_sq_dist(self._user, self._p_item) + self._p_item_bias
            neg_score = -sc.row_sq_dist(self._user, self._n_item) + self._n_item_bias
            diff = pos_score - neg_score
            self._loss = tf.reduce_sum(self._weights * tf.maximum(self._margin - diff, 0))

    def _build_serving_graph(self):
        """Build the Euclidean score ``2·user @ itemᵀ + item_bias − ||item||²``."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(sc.euclid_score(self._user, self._item, self._item_bias))

"""The NSEuDist interaction (rank-weighted CML with K negatives); alias ``NsEuDist``."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import check_number
from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction


class NSEuDist(Interaction):
    """The NSEuDist module minimizes a rank-weighted Euclidean hinge loss on the hardest of ``neg_num`` negatives (WCML).

    Training, with ``pos[n] = −||u_n − p_n||² + b_p,n`` and
    ``neg[n, k] = −||u_n − n_nk||² + sum(b_n,nk)``: ``h = max(margin − pos + neg, 0)``,
    ``c_n = #{k : h[n, k] ≠ 0}``, ``w_n = ln(floor(max_item · c_n / neg_num) + 1)``
    (float32, in that order) and ``loss = sum_n w_n · max_k h[n, k]``. Serving outputs
    ``S[u, i] = 2·user_u·item_i + b_i − ||item_i||²``, ``[U, I]``. No variables.

    Also importable as ``NsEuDist``: the same class.

    Parameters
    ----------
    user : Tensorflow tensor
        User representations, ``[N, D]`` (training) or ``[U, D]`` (serving).
    max_item : int
        Number of items (scales the rank weight). Required; used in training only.
    item : Tensorflow tensor, optional
        Serving item representations ``[I, D]``. Required for serving.
    item_bias : Tensorflow tensor, optional
        Serving item biases ``[I, 1]`` or ``[I]``. Required for serving.
    p_item : Tensorflow tensor, optional
        Positive item representations ``[N, D]``. Required for training.
    neg_num : int, optional
        Number K of negatives per row; must match ``n_item``. (Its position, between
        ``p_item`` and ``p_item_bias``, is the original's.)
    p_item_bias : Tensorflow tensor, optional
        Positive item biases ``[N, 1]``. Required for training.
    n_item : Tensorflow tensor, optional
        Negative item representations ``[N, K, D]``. Required for training.
    n_item_bias : Tensorflow tensor, optional
        Negative item biases ``[N, K, 1]``. Required for training.
    margin : float, optional
        Hinge margin. Training only.
    train : bool
        Training (truthy) or serving (falsy) graph. Required.
    scope : str, optional
        Scope for module variables (default: the class name, ``'NSEuDist'``).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        As :class:`NsLog`.
    TypeError
        As :class:`NsLog`, or ``margin`` not a number.

    Notes
    -----
    The class keeps the original's name ``NSEuDist`` (so the default scope is
    ``'NSEuDist'``); ``NsEuDist``, spelled like :class:`NsLog`, is an alias. As in
    :class:`NsLog`, a K other than ``neg_num`` is now a ``ValueError``. The serving score
    does not remove the per-user constant ``||u||²`` (kept, see :class:`PairwiseEuDist`).
    """

    def __init__(self, user, max_item, item=None, item_bias=None, p_item=None, neg_num=5,
                 p_item_bias=None, n_item=None, n_item_bias=None, margin=1.0, train=None,
                 scope=None, reuse=False):
        sc.start(self, scope)
        (self._user, self._item, self._item_bias, self._p_item, self._p_item_bias, self._n_item,
         self._n_item_bias) = sc.pairwise_inputs(train, user, item, item_bias, p_item, p_item_bias,
                                                 n_item, n_item_bias, neg_num=neg_num if train else None)
        self._max_item = check_number(max_item, 'max_item', allow_none=False, positive=True) \
            if train else max_item
        self._margin = sc.number_param(margin, 'margin') if train else margin
        self._neg_num = neg_num
        super(NSEuDist, self).__init__(train=train, scope=scope, reuse=reuse)

    def _build_training_graph(self):
        """Build the rank-weighted hardest-negative Euclidean hinge loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            k = self._neg_num
            tmp_user = tf.tile(tf.expand_dims(self._user, 1), [1, k, 1])
            pos_score = (-sc.tile_negatives(sc.row_sq_dist(self._user, self._p_item), k)
                         + sc.tile_negatives(self._p_item_bias, k))
            neg_score = (-sc.row_sq_dist(tmp_user, self._n_item, axis=2, keepdims=False)
                         + tf.reduce_sum(self._n_item_bias, axis=2))
            scores = tf.maximum(self._margin - pos_score + neg_score, 0)
            weights = sc.rank_weight(tf.count_nonzero(scores, axis=1), self._max_item, k)
            self._loss = tf.reduce_sum(weights * tf.reduce_max(scores, axis=1))

    def _build_serving_graph(self):
        """Build the Euclidean score ``2·user @ itemᵀ + item_bias − ||item||²``."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(sc.euclid_score(self._user, self._item, self._item_bias))


# spelled like NsLog
NsEuDist = NSEuDist

"""The NsLog interaction (BPR with K negatives, rank-weighted)."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import check_number
from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction


class NsLog(Interaction):
    """The NsLog module minimizes a rank-weighted BPR loss over ``neg_num`` sampled negatives per row.

    Training, with ``diff[n, k] = (u_n·p_n + b_p,n) − (u_n·n_nk + sum(b_n,nk))``:
    ``c_n = #{k : diff[n, k] < 0}``, ``w_n = ln(floor(max_item · c_n / neg_num) + 1)``
    (float32, in that order, no gradient through ``c_n``) and
    ``loss = −sum_n log(sigmoid(max(w_n · min_k diff[n, k], −30)))``. Serving outputs
    ``user @ itemᵀ + item_bias``, ``[U, I]``. No variables.

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
    p_item_bias : Tensorflow tensor, optional
        Positive item biases ``[N, 1]``. Required for training.
    neg_num : int, optional
        Number K of negatives per row; must match ``n_item``.
    n_item : Tensorflow tensor, optional
        Negative item representations ``[N, K, D]``. Required for training.
    n_item_bias : Tensorflow tensor, optional
        Negative item biases ``[N, K, 1]``. Required for training.
    train : bool
        Training (truthy) or serving (falsy) graph. Required.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        As :class:`PairwiseLog` (same checks, order and messages); then, in training,
        ``neg_num < 1``, a static K of ``n_item``/``n_item_bias`` other than
        ``neg_num``, a tensor of the wrong rank, or a non-positive ``max_item``.
    TypeError
        If ``neg_num`` is not an int, ``max_item`` not a number, or a tensor not floating.

    Notes
    -----
    Kept from the original: a row with ``c_n = 0`` has ``w_n = 0`` and still adds
    ``ln 2`` to the loss (a constant with zero gradient); the weight scales the logit
    inside the sigmoid. Fixed: a K other than ``neg_num`` used to crash obscurely or
    broadcast silently with wrong weights; it is now a ``ValueError``.
    """

    def __init__(self, user, max_item, item=None, item_bias=None, p_item=None, p_item_bias=None,
                 neg_num=5, n_item=None, n_item_bias=None, train=None, scope=None, reuse=False):
        sc.start(self, scope)
        (self._user, self._item, self._item_bias, self._p_item, self._p_item_bias, self._n_item,
         self._n_item_bias) = sc.pairwise_inputs(train, user, item, item_bias, p_item, p_item_bias,
                                                 n_item, n_item_bias, neg_num=neg_num if train else None)
        self._max_item = check_number(max_item, 'max_item', allow_none=False, positive=True) \
            if train else max_item
        self._neg_num = neg_num
        super(NsLog, self).__init__(train=train, scope=scope, reuse=reuse)

    def _build_training_graph(self):
        """Build the rank-weighted BPR loss."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            k = self._neg_num
            tmp_user = tf.tile(tf.expand_dims(self._user, 1), [1, k, 1])
            pos_score = (sc.tile_negatives(sc.row_dot(self._user, self._p_item), k)
                         + sc.tile_negatives(self._p_item_bias, k))
            neg_score = (sc.row_dot(tmp_user, self._n_item, axis=2, keepdims=False)
                         + tf.reduce_sum(self._n_item_bias, axis=2))
            diff = pos_score - neg_score
            weights = sc.rank_weight(tf.count_nonzero(tf.less(diff, 0.0), axis=1),
                                     self._max_item, k)
            self._loss = sc.neg_log_sigmoid_sum(weights * tf.reduce_min(diff, axis=1))

    def _build_serving_graph(self):
        """Build the dot score ``user @ itemᵀ + item_bias``."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(sc.dot_score(self._user, self._item, self._item_bias))

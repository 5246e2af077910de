"""The PointwiseMSE interaction."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import check_bool, check_number
from openrec.modules.interactions import _scoring as sc
from openrec.modules.interactions.interaction import Interaction


class PointwiseMSE(Interaction):
    """The PointwiseMSE module minimizes a weighted squared error on user-item pairs (PMF).

    Training, with ``r = float(labels)`` flattened: ``c = (a − b)·r + b``,
    ``s = u·v + item_bias``, ``p = sigmoid(s)`` if ``sigmoid`` else ``s`` and
    ``loss = 0.5 · sum((c · (r − p))²)``. Serving (``sigmoid`` applied too) outputs
    ``user @ itemᵀ + item_bias``, ``[U, I]``, with ``batch_serving``, else the row-paired
    ``u·v + item_bias``, shape ``[N]``. No variables.

    Parameters
    ----------
    user : Tensorflow tensor
        User representations ``[N, D]`` (or ``[U, D]`` in batch serving).
    item : Tensorflow tensor
        Item representations ``[N, D]`` (or ``[I, D]`` in batch serving).
    item_bias : Tensorflow tensor
        Item biases ``[N, 1]`` or ``[N]`` (flattened).
    labels : Tensorflow tensor, optional
        Ratings, ``N`` values. Required for training.
    a : float, optional
        Label-dependent weight: ``c = a`` for ``r = 1`` (training only).
    b : float, optional
        Label-dependent weight: ``c = b`` for ``r = 0`` (training only).
    sigmoid : bool, optional
        Squash the scores with a sigmoid (training and serving).
    train : bool, optional
        Training (truthy) or serving (falsy) graph.
    batch_serving : bool, optional
        Serve every user against every item (``[U, I]``) rather than row pairs (``[N]``).
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        ``'<arg> cannot be None'`` for ``train``, ``user``, ``item``, ``item_bias``, then
        (training) ``labels``, in that order; shape mismatches visible statically;
        eager execution active. Also an :class:`AssertionError`.
    TypeError
        If a tensor is not numeric/floating, ``a``/``b`` are not numbers or
        ``sigmoid``/``batch_serving`` not bools.

    Notes
    -----
    Kept from the original: the weight ``c`` ends up squared, so ``a`` scales the squared
    error by ``a²``; the labels are converted in the constructor, outside the module
    scope; row-paired serving returns a rank-1 ``[N]`` tensor.

    References
    ----------
    Mnih, A. and Salakhutdinov, R.R., 2008. Probabilistic matrix factorization.
    In Advances in Neural Information Processing Systems (pp. 1257-1264).
    """

    def __init__(self, user, item, item_bias, labels=None, a=1.0, b=1.0, sigmoid=False, train=True,
                 batch_serving=True, scope=None, reuse=False):
        sc.start(self, scope)
        for value, name in ((train, 'train'), (user, 'user'), (item, 'item'),
                            (item_bias, 'item_bias')):
            sc.check_given(value, name)
        if train:
            sc.check_given(labels, 'labels')
        check_bool(sigmoid, 'sigmoid')
        check_bool(batch_serving, 'batch_serving')
        self._user = sc.float_input(user, 'user', rank=2)
        self._item = sc.float_input(item, 'item', rank=2)
        if train or not batch_serving:
            sc.check_same_rows(self._item, 'item', self._user, 'user')
        self._item_bias = sc.serving_bias(item_bias, self._item)
        self._sigmoid = sigmoid
        self._batch_serving = batch_serving
        if train:
            labels = sc.labels_input(labels, sc.rows(self._user))
            self._a = check_number(a, 'a', allow_none=False)
            self._b = check_number(b, 'b', allow_none=False)
            self._labels = tf.reshape(tf.cast(labels, tf.float32), [-1])
        super(PointwiseMSE, self).__init__(train=train, scope=scope, reuse=reuse)

    def _build_training_graph(self):
        """Build the weighted squared error."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            labels_weight = (self._a - self._b) * self._labels + self._b
            prediction = sc.row_dot(self._user, self._item, keepdims=False) + tf.reshape(
                self._item_bias, [-1])
            if self._sigmoid:
                prediction = tf.sigmoid(prediction)
            self._loss = tf.nn.l2_loss(labels_weight * (self._labels - prediction))

    def _build_serving_graph(self):
        """Build the (optionally squashed) dot scores, all pairs or row pairs."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            if self._batch_serving:
                prediction = sc.dot_score(self._user, self._item, self._item_bias)
            else:
                prediction = sc.row_dot(self._user, self._item, keepdims=False) + tf.reshape(
                    self._item_bias, [-1])
            if self._sigmoid:
                prediction = tf.sigmoid(prediction)
            self._outputs.append(prediction)

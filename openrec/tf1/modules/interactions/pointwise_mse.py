"""The PointwiseMSE interaction function (weighted squared error, PMF) of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import require_graph_mode
from openrec.modules.interactions._scoring import float_input, number_param, row_dot
from openrec.tf1.modules._common import LOSS, OUTPUT, check_subgraph, given, same_width


def PointwiseMSE(user_vec, item_vec, item_bias, subgraph, label=None, a=1.0, b=1.0, sigmoid=False,
                 train=True, scope='PointwiseMSE'):
    """Predictions ``ŷ = u·v + item_bias`` and, in training, the weighted squared error.

    ``ŷ`` (shape ``[n]``; ``σ(ŷ)`` if ``sigmoid``) is registered as an output in both
    modes. Training also registers ``Σ w · (label − ŷ)²`` with ``w = (a − b)·label + b``.
    No variables.

    Parameters
    ----------
    user_vec, item_vec : float Tensor
        User and item vectors ``[n, d]``, one pair per row.
    item_bias : float Tensor
        Item biases ``[n, 1]`` or ``[n]`` (flattened).
    subgraph : object
        Any object with ``register_global_output(tensor)`` and, in training,
        ``register_global_loss(tensor)``.
    label : float Tensor, optional
        Ratings ``[n]``. Required for training.
    a, b : float, optional
        Weight of the error for ``label = 1`` and for ``label = 0`` (linear in between).
    sigmoid : bool, optional
        Squash the predictions with a sigmoid.
    train : bool, optional
        Training (truthy, default) or serving graph.
    scope : str, optional
        Unused (see Notes).

    Returns
    -------
    None
        Results are only registered.

    Raises
    ------
    ValueError
        ``'<argument> cannot be None'`` for ``subgraph``, ``user_vec``, ``item_vec``,
        ``item_bias`` and, in training, ``label``; if the user and item vectors have
        different known widths.
    TypeError
        If a tensor argument is not floating, ``a``/``b`` are not numbers, or
        ``subgraph`` lacks a method used.
    RuntimeError
        If eager execution is active.

    Notes
    -----
    Kept from the original (and unlike the 0.1 ``PointwiseMSE``): no ½ factor, the
    weight ``w`` is not squared, the prediction is registered in training too, and the
    argument is ``label`` (not ``labels``). ``scope`` is accepted but never used; the
    ops are created in the caller's scope (``dot_user_item``).

    Changed: missing arguments and mismatched widths (``dim_user_embed ≠
    dim_item_embed`` in PMF) raise ``ValueError`` before anything is built.

    References
    ----------
    Mnih, A. and Salakhutdinov, R.R., 2008. Probabilistic matrix factorization. In
    Advances in Neural Information Processing Systems (pp. 1257-1264).
    """
    require_graph_mode('PointwiseMSE')
    check_subgraph(subgraph, 'PointwiseMSE', *((LOSS, OUTPUT) if train else (OUTPUT,)))
    given((user_vec, 'user_vec'), (item_vec, 'item_vec'), (item_bias, 'item_bias'))
    if train:
        given((label, 'label'))
        a, b = number_param(a, 'a'), number_param(b, 'b')
    user_vec, item_vec = float_input(user_vec, 'user_vec'), float_input(item_vec, 'item_vec')
    same_width(user_vec, item_vec, 'item_vec')
    item_bias = float_input(item_bias, 'item_bias')
    if train:
        label = float_input(label, 'label')
    prediction = row_dot(user_vec, item_vec, keepdims=False, name='dot_user_item') + \
        tf.reshape(item_bias, [-1])
    if sigmoid:
        prediction = tf.sigmoid(prediction)
    if train:
        subgraph.register_global_loss(
            tf.reduce_sum(((a - b) * label + b) * tf.square(label - prediction)))
    subgraph.register_global_output(prediction)

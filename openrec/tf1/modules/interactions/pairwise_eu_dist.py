"""The PairwiseEuDist interaction function (metric-learning hinge loss) of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import require_graph_mode
from openrec.modules.interactions._scoring import column_input, number_param, row_sq_dist
from openrec.tf1.modules._common import pairwise_inputs


def PairwiseEuDist(user_vec, subgraph, item_vec=None, item_bias=None, p_item_vec=None,
                   p_item_bias=None, n_item_vec=None, n_item_bias=None, train=True, weights=1.0,
                   margin=1.0, scope='PointwiseMSE'):
    """CML's hinge loss on squared distances (training) or distance scores (serving).

    Training registers ``Σ weights · max(margin − diff, 0)`` with
    ``diff = (−‖u − p‖² + p_item_bias) − (−‖u − q‖² + n_item_bias)`` per row (squared
    distances ``[n, 1]``). Serving registers ``−‖u − v‖² + item_bias``, shape ``[n, 1]``
    (the bias is not flattened); by broadcasting, one user row against n item rows
    scores that user against every item. No variables, no norm clipping (UCML censors
    norms with separate operations).

    Parameters
    ----------
    user_vec : float Tensor
        User vectors ``[n, d]`` (a single row broadcasts in serving).
    subgraph : object
        Any object with ``register_global_loss(tensor)`` (training) or
        ``register_global_output(tensor)`` (serving).
    item_vec, item_bias : float Tensor, optional
        Serving: item vectors ``[n, d]`` and biases ``[n, 1]``. Required for serving.
    p_item_vec, n_item_vec : float Tensor, optional
        Training: positive and negative item vectors ``[n, d]``. Required for training.
    p_item_bias, n_item_bias : float Tensor, optional
        Training: their biases, ``[n, 1]`` or scalars. Required for training.
    train : bool, optional
        Training (truthy, default) or serving graph.
    weights : float or float Tensor, optional
        Training: per-row weights of the hinge terms, a scalar (default 1.0) or ``[n, 1]``.
    margin : float or float Tensor, optional
        Training: the hinge margin (default 1.0).
    scope : str, optional
        Unused (see Notes).

    Returns
    -------
    None
        Results are only registered.

    Raises
    ------
    ValueError
        ``'<argument> cannot be None'`` for ``subgraph`` and the arguments of the mode
        built; if the user and item vectors have different known widths; if a training
        bias or ``weights`` has static shape ``[n]`` with ``n ≠ 1``.
    TypeError
        If a tensor argument is not floating, ``margin`` is not a number, or
        ``subgraph`` lacks the method used.
    RuntimeError
        If eager execution is active.

    Notes
    -----
    Kept from the original: ``scope`` (default ``'PointwiseMSE'``) is accepted but never
    used; the ops are created in the caller's scope (``l2_user_pos``, ``l2_user_neg``).
    Arguments of the other mode are ignored.

    Changed: missing arguments, mismatched widths and rank-1 ``[n]`` training biases or
    weights (which broadcast to ``[n, n]`` and summed n² terms) raise ``ValueError``
    before anything is built.

    References
    ----------
    Hsieh, C.K., Yang, L., Cui, Y., Lin, T.Y., Belongie, S. and Estrin, D., 2017.
    Collaborative metric learning. In Proceedings of the 26th International Conference on
    World Wide Web (pp. 193-201).
    """
    require_graph_mode('PairwiseEuDist')
    user_vec, item_vec, item_bias, p_item_vec, p_item_bias, n_item_vec, n_item_bias = \
        pairwise_inputs('PairwiseEuDist', subgraph, train, user_vec, item_vec, item_bias,
                        p_item_vec, p_item_bias, n_item_vec, n_item_bias)
    if not train:
        subgraph.register_global_output(-row_sq_dist(user_vec, item_vec) + item_bias)
        return
    weights = column_input(weights, 'weights')
    margin = number_param(margin, 'margin')
    l2_user_pos = row_sq_dist(user_vec, p_item_vec, name='l2_user_pos')
    l2_user_neg = row_sq_dist(user_vec, n_item_vec, name='l2_user_neg')
    diff = (-l2_user_pos + p_item_bias) - (-l2_user_neg + n_item_bias)
    subgraph.register_global_loss(tf.reduce_sum(weights * tf.maximum(margin - diff, 0)))

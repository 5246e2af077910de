"""The PairwiseLog interaction function (BPR loss) of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import require_graph_mode
from openrec.modules.interactions._scoring import neg_log_sigmoid_sum, row_dot
from openrec.tf1.modules._common import pairwise_inputs


def PairwiseLog(user_vec, subgraph, item_vec=None, item_bias=None, p_item_vec=None,
                p_item_bias=None, n_item_vec=None, n_item_bias=None, train=True,
                scope='PointwiseMSE'):
    """BPR's pairwise log loss (training) or dot-product scores (serving), registered on ``subgraph``.

    Training registers the loss ``−Σ ln σ(max(x, −30))`` with
    ``x = u·p + p_item_bias − u·q − n_item_bias`` per row (``u·p``, ``u·q``: row-wise dot
    products, ``[n, 1]``). Serving registers the scores ``u·v + item_bias`` (bias
    flattened), shape ``[n]``: one score per row pair; by broadcasting, one user row
    against n item rows scores that user against every item. No variables.

    Parameters
    ----------
    user_vec : float Tensor
        User vectors ``[n, d]`` (a single row broadcasts in serving).
    subgraph : object
        Any object with ``register_global_loss(tensor)`` (training) or
        ``register_global_output(tensor)`` (serving).
    item_vec, item_bias : float Tensor, optional
        Serving: item vectors ``[n, d]`` and biases ``[n, 1]`` (or ``[n]``). Required
        for serving.
    p_item_vec, n_item_vec : float Tensor, optional
        Training: positive and negative item vectors ``[n, d]``. Required for training.
    p_item_bias, n_item_bias : float Tensor, optional
        Training: their biases, ``[n, 1]`` or scalars. Required for training.
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
        ``'<argument> cannot be None'`` for ``subgraph`` and the arguments of the mode
        built; if the user and item vectors have different known widths; if a training
        bias has static shape ``[n]`` with ``n ≠ 1``.
    TypeError
        If a tensor argument is not floating, or ``subgraph`` lacks the method used.
    RuntimeError
        If eager execution is active.

    Notes
    -----
    Kept from the original: ``scope`` (default ``'PointwiseMSE'``, a copy-paste
    leftover) is accepted but never used; the ops are created in the caller's scope
    (``dot_user_pos``, ``dot_user_neg``). Arguments of the other mode are ignored.

    Changed: missing arguments, mismatched widths (``dim_user_embed ≠ dim_item_embed``
    in BPR, which failed in TF or silently broadcast a width of 1) and rank-1 ``[n]``
    training biases (which broadcast to ``[n, n]`` and summed n² terms) raise
    ``ValueError`` before anything is built.

    References
    ----------
    Rendle, S., Freudenthaler, C., Gantner, Z. and Schmidt-Thieme, L., 2009. BPR: Bayesian
    personalized ranking from implicit feedback. In Proceedings of the Twenty-Fifth
    Conference on Uncertainty in Artificial Intelligence (pp. 452-461).
    """
    require_graph_mode('PairwiseLog')
    user_vec, item_vec, item_bias, p_item_vec, p_item_bias, n_item_vec, n_item_bias = \
        pairwise_inputs('PairwiseLog', subgraph, train, user_vec, item_vec, item_bias,
                        p_item_vec, p_item_bias, n_item_vec, n_item_bias)
    if train:
        dot_user_pos = row_dot(user_vec, p_item_vec, name='dot_user_pos')
        dot_user_neg = row_dot(user_vec, n_item_vec, name='dot_user_neg')
        subgraph.register_global_loss(neg_log_sigmoid_sum(
            dot_user_pos + p_item_bias - dot_user_neg - n_item_bias))
    else:
        subgraph.register_global_output(row_dot(user_vec, item_vec, keepdims=False)
                                        + tf.reshape(item_bias, [-1]))

"""The MultiLayerFC extraction function of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import (check_dims, check_l2_reg, check_rate, check_tensor, fc_layers,
                              scope_l2_losses)
from openrec.tf1.modules._common import LOSS, check_subgraph, start


def MultiLayerFC(in_tensor, dims, subgraph, relu_in=False, relu_mid=True, relu_out=False,
                 dropout_in=None, dropout_mid=None, dropout_out=None, bias_in=True, bias_mid=True,
                 bias_out=True, batch_norm=False, train=True, l2_reg=None, scope=None):
    """Fully-connected layers ``FC__i`` (+ ``bias__i``) in variable scope ``scope``.

    ``x = relu(in_tensor)`` if ``relu_in``, then dropout at ``dropout_in``; layer ``i``
    computes ``x @ FC__i (+ bias__i)``, then ReLU and dropout (``relu_mid``/``dropout_mid``
    for all but the last layer, ``relu_out``/``dropout_out`` for the last), then batch
    normalization [1]_ in ``bn_i`` if ``batch_norm``.

    Parameters
    ----------
    in_tensor : float32 Tensor
        Input ``[n, D]``, ``D`` statically known.
    dims : list of int
        Output width of each layer; ``FC__i`` is ``[width of its input, dims[i]]``
        (Xavier/Glorot uniform), ``bias__i`` is ``[dims[i]]`` (zeros).
    subgraph : object
        Any object with ``register_global_loss(tensor)``; used only with ``l2_reg``.
    relu_in, relu_mid, relu_out : bool, optional
        ReLU on the input, after the middle layers (default), after the last layer.
    dropout_in, dropout_mid, dropout_out : float, optional
        Drop probabilities in ``[0, 1)`` (kept values scaled by ``1 / (1 − rate)``);
        None: no dropout there.
    bias_in, bias_mid, bias_out : bool, optional
        Whether the first / middle / last layer has a bias. The first layer follows
        ``bias_in`` even when it is also the last.
    batch_norm : bool, optional
        TF1 contrib batch normalization (fused; decay 0.95, epsilon 0.001, ``beta`` and
        ``gamma``) after each layer's activation and dropout; variables ``beta``,
        ``gamma``, ``moving_mean``, ``moving_variance`` ``[dims[i]]`` in ``bn_i``, all
        also in the ``model_variables`` collection.
    train : bool, optional
        Batch normalization mode only: batch statistics, with every evaluation of the
        output updating the moving statistics in place (moving variance from the
        Bessel-corrected batch variance), or the moving statistics.
    l2_reg : float, optional
        Registers ``l2_reg · ½·Σ v²`` on ``subgraph`` for each trainable variable whose
        name starts with this scope's name.
    scope : str
        Variable scope (required); variables are shared by scope name
        (``reuse=AUTO_REUSE``).

    Returns
    -------
    Tensor
        The last layer's output ``[n, dims[-1]]``.

    Raises
    ------
    ValueError
        If ``scope`` is None, ``dims`` is empty or holds a non-positive width,
        ``in_tensor`` is not of rank 2 with a known width, a dropout rate is outside
        ``[0, 1)``, ``l2_reg`` is negative, or ``l2_reg`` is set without ``subgraph``;
        or (with TF's message) when the scope already holds a variable of another shape.
    TypeError
        If ``in_tensor`` is not float32, ``dims`` is not a list of ints, ``scope`` is not
        a string, or ``subgraph`` lacks ``register_global_loss``.
    RuntimeError
        If eager execution is active.

    Notes
    -----
    Kept from the original: dropout is applied whenever a rate is given, also with
    ``train=False`` (``train`` only switches batch normalization; callers pass no rate
    when serving). The L2 entries, one per variable in creation order, come from TF1's
    collection filter, which matches the scope name as a regular-expression *prefix*:
    variables of earlier calls sharing the scope are registered again by every call,
    batch-norm ``beta``/``gamma`` count (not the moving statistics), and so does any
    variable whose name merely starts with the same text (scope ``mlp2`` for ``mlp``).
    ``l2_reg=0.0`` registers zero entries.

    Changed: ``scope=None`` raises a ``ValueError`` saying that ``scope`` is required
    (TF's "reuse=True cannot be used without a name_or_scope" in the original); empty or
    non-positive ``dims``, an input of unknown width or rank other than 2, and dropout
    rates outside ``[0, 1)`` raise ``ValueError`` before anything is built.

    References
    ----------
    .. [1] Ioffe, S. and Szegedy, C., 2015. Batch normalization: Accelerating deep network
       training by reducing internal covariate shift. In International Conference on
       Machine Learning (pp. 448-456).
    """
    start('MultiLayerFC', scope)
    dims = check_dims(dims)
    rates = [check_rate(rate, name) for rate, name in ((dropout_in, 'dropout_in'),
                                                      (dropout_mid, 'dropout_mid'),
                                                      (dropout_out, 'dropout_out'))]
    l2_reg = check_l2_reg(l2_reg)
    if l2_reg is not None:
        check_subgraph(subgraph, 'MultiLayerFC', LOSS)
    # float32 like the weights: another dtype would fail in matmul after FC__0 exists
    in_tensor = check_tensor(in_tensor, 'in_tensor', rank=2, known_last_dim=True, dtype=tf.float32)
    with tf.variable_scope(scope, reuse=tf.AUTO_REUSE) as var_scope:
        out = fc_layers(in_tensor, dims, relu_in, relu_mid, relu_out, *rates, bias_in=bias_in,
                        bias_mid=bias_mid, bias_out=bias_out, norm=batch_norm, train=train)
        if l2_reg is not None:
            for loss in scope_l2_losses(var_scope.name, l2_reg):
                subgraph.register_global_loss(loss)
    return out

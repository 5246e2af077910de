"""The MultiLayerFC extraction."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import (check_dims, check_l2_reg, check_rate, check_scope, check_tensor,
                              fc_layers, l2_loss_of_scope_variables, require_graph_mode)
from openrec.modules.extractions.extraction import Extraction


class MultiLayerFC(Extraction):
    """The MultiLayerFC module implements multi-layer perceptrons with ReLU as non-linear
    activation functions. Each layer is often referred as a fully-connected layer.

    Layer ``i`` computes ``x @ FC__i (+ bias__i)``, then ReLU and dropout (middle or
    output settings), then batch normalization if enabled. The first layer's bias is
    governed by ``bias_in``, the last one's by ``bias_out``, the others by ``bias_mid``.

    Parameters
    ----------
    in_tensor : Tensorflow tensor
        An input tensor with shape ``[*, feature dimensionality]``.
    dims : list
        Specify the feature size of each layer's outputs. For example, setting
        ``dims=[512, 258, 128]`` to create three fully-connected layers with output shape
        ``[*, 512]``, ``[*, 256]``, and ``[*, 128]``, respectively.
    relu_in : bool, optional
        Whether or not to add ReLU to the input tensor.
    relu_mid : bool, optional
        Whether or not to add ReLU to the outputs of intermediate layers.
    relu_out : bool, optional
        Whether or not to add ReLU to the final output tensor.
    dropout_in : float, optional
        Dropout rate for the input tensor. If None, no dropout is used for the input tensor.
    dropout_mid : float, optional
        Dropout rate for the outputs of intermediate layers. If None, no dropout is used
        for the intermediate outputs.
    dropout_out : float, optional
        Dropout rate for the outputs of the final layer. If None, no dropout is used for
        the final outputs.
    bias_in : bool, optional
        Whether or not to add bias to the input tensor.
    bias_mid : bool, optional
        Whether or not to add bias to the outputs of intermediate layers.
    bias_out : bool, optional
        Whether or not to add bias to the final output tensor.
    batch_norm : bool, optional
        Whether or not to add batch normalization [1]_ to each layer's outputs.
    train : bool, optional
        An indicator for training or serving phase (serving disables dropout and
        normalizes with the moving statistics).
    l2_reg : float, optional
        Weight for L2 regularization, i.e., weight decay.
    scope : str, optional
        Scope for module variables.
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        If ``in_tensor`` is None, not rank 2 or of unknown width, ``dims`` is empty or
        holds a non-positive width, a dropout rate is outside [0, 1), or eager
        execution is active.
    TypeError
        If ``in_tensor`` is not a float32 tensor or ``dims`` is not a list of ints.

    Notes
    -----
    Kept from the original: batch normalization comes after the activation and the
    dropout of each layer; the L2 loss sums ``l2_reg * l2_loss(v)`` over the trainable
    variables collected under this module's variable-scope name by TF1's *prefix*
    match, so variables of an already built scope whose name merely starts with it
    (``mlp2`` for ``mlp``) are included.

    References
    ----------
    .. [1] Ioffe, S. and Szegedy, C., 2015, June. Batch normalization: Accelerating deep
       network training by reducing internal covariate shift. In International
       Conference on Machine Learning (pp. 448-456).
    """

    def __init__(self, in_tensor, dims, relu_in=False, relu_mid=True, relu_out=False,
                 dropout_in=None, dropout_mid=None, dropout_out=None, bias_in=True,
                 bias_mid=True, bias_out=True, batch_norm=False, train=True, l2_reg=None,
                 scope=None, reuse=False):
        require_graph_mode('MultiLayerFC')
        check_scope(scope)
        check_l2_reg(l2_reg)
        self._dims = check_dims(dims)
        self._relu_in = relu_in
        self._relu_mid = relu_mid
        self._relu_out = relu_out
        self._dropout_in = check_rate(dropout_in, 'dropout_in')
        self._dropout_mid = check_rate(dropout_mid, 'dropout_mid')
        self._dropout_out = check_rate(dropout_out, 'dropout_out')
        # float32 like the weights: a float64 input would fail in matmul after FC__0 exists
        self._in_tensor = check_tensor(in_tensor, 'in_tensor', rank=2, known_last_dim=True,
                                       dtype=tf.float32)
        self._bias_in = bias_in
        self._bias_mid = bias_mid
        self._bias_out = bias_out
        self._batch_norm = batch_norm
        super(MultiLayerFC, self).__init__(train=train, l2_reg=l2_reg, scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            # serving switches dropout off
            rates = [rate if self._train else None
                     for rate in (self._dropout_in, self._dropout_mid, self._dropout_out)]
            self._outputs.append(fc_layers(
                self._in_tensor, self._dims, self._relu_in, self._relu_mid, self._relu_out,
                *rates, bias_in=self._bias_in, bias_mid=self._bias_mid, bias_out=self._bias_out,
                norm=self._batch_norm, train=self._train))
            if self._l2_reg is not None:
                self._loss = l2_loss_of_scope_variables(tf.get_variable_scope().name, self._l2_reg)

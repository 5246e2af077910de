"""The MultiLayerFC extraction."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import (batch_norm, check_dims, check_l2_reg, check_rate, check_scope,
                              check_tensor, dropout, l2_loss_of_scope_variables,
                              require_graph_mode, xavier_initializer)
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

    def _dropout(self, x, rate):
        return x if rate is None or not self._train else dropout(x, rate)

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            x = self._in_tensor
            if self._relu_in:
                x = tf.nn.relu(x)
            x = self._dropout(x, self._dropout_in)
            last = len(self._dims) - 1
            for i, width in enumerate(self._dims):
                weight = tf.get_variable('FC__%d' % i, shape=[x.shape[1], width], dtype=tf.float32,
                                         initializer=xavier_initializer(), trainable=True)
                out = tf.matmul(x, weight)
                if self._bias_in if i == 0 else (self._bias_out if i == last else self._bias_mid):
                    out = tf.nn.bias_add(out, tf.get_variable('bias__%d' % i, shape=[width], dtype=tf.float32,
                                                initializer=tf.zeros_initializer(), trainable=True))
                if i < last:
                    out = tf.nn.relu(out) if self._relu_mid else out
                    out = self._dropout(out, self._dropout_mid)
                else:
                    out = tf.nn.relu(out) if self._relu_out else out
                    out = self._dropout(out, self._dropout_out)
                if self._batch_norm:
                    out = batch_norm(out, train=self._train, reuse=self._reuse, scope='bn_%d' % i)
                x = out
            self._outputs.append(x)
            if self._l2_reg is not None:
                self._loss = l2_loss_of_scope_variables(tf.get_variable_scope().name, self._l2_reg)

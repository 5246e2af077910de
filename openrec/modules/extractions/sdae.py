"""The SDAE extraction."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import (ArgumentError, check_dims, check_l2_reg, check_number, check_rate,
                              check_scope, check_tensor, require_graph_mode)
from openrec.modules.extractions.extraction import Extraction
from openrec.modules.extractions.multi_layer_fc import MultiLayerFC


class SDAE(Extraction):
    """The SDAE module implements Stacked Denoising Autoencoders [bn]_. It outputs SDAE's
    bottleneck representations (i.e., the encoder outputs).

    The loss is the encoder's and decoder's L2 terms plus
    ``l2_reconst * l2_loss(decoded - in_tensor)``.

    Parameters
    ----------
    in_tensor : Tensorflow tensor
        An input tensor with shape ``[*, feature dimensionality]``.
    dims : list
        Specify the feature size of each encoding layer's outputs. For example, setting
        ``dims=[512, 258, 128]`` to create an three-layer encoder with output shape
        ``[*, 512]``, ``[*, 256]``, and ``[*, 128]``, and a two-layer decoder with output shape
        ``[*, 256]`` and ``[*, 512]``. ``dims[0]`` must equal the input width.
    dropout : float, optional
        Dropout rate for the input tensor. If None, no dropout is used for the input tensor.
    l2_reconst : float, optional
        Weight for reconstruction loss.
    train : bool, optional
        An indicator for training or serving phase. Unlike the original, serving graphs
        have no dropout.
    l2_reg : float, optional
        Weight for L2 regularization, i.e., weight decay.
    scope : str, optional
        Scope for module variables.
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        If ``in_tensor`` is None or not rank 2 with a known width, ``dims`` has fewer
        than two entries or ``dims[0]`` differs from the input width, ``l2_reconst``
        is None, ``dropout`` is outside [0, 1), or eager execution is active.
    TypeError
        If an argument has the wrong type.

    References
    ----------
    .. [bn] Vincent, P., Larochelle, H., Lajoie, I., Bengio, Y. and Manzagol, P.A., 2010.
       Stacked denoising autoencoders: Learning useful representations in a deep network
       with a local denoising criterion. Journal of Machine Learning Research, 11(Dec),
       pp.3371-3408.
    """

    def __init__(self, in_tensor, dims, dropout=None, l2_reconst=1.0, train=True, l2_reg=None,
                 scope=None, reuse=False):
        require_graph_mode('SDAE')
        check_scope(scope)
        check_l2_reg(l2_reg)
        self._in_tensor = check_tensor(in_tensor, 'in_tensor', rank=2, known_last_dim=True,
                                       dtype=tf.float32)
        self._dims = check_dims(dims)
        if len(self._dims) < 2:
            raise ArgumentError('dims must have at least two entries [input width, code width], '
                                'got %r' % (dims,))
        width = tf.compat.dimension_value(self._in_tensor.shape[1])
        if self._dims[0] != width:
            raise ArgumentError('dims[0] must equal the width of in_tensor (%d), got %d'
                                % (width, self._dims[0]))
        self._dropout = check_rate(dropout, 'dropout')
        self._l2_reconst = check_number(l2_reconst, 'l2_reconst', allow_none=False,
                                        non_negative=True)
        super(SDAE, self).__init__(train=train, l2_reg=l2_reg, scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            encoder = MultiLayerFC(self._in_tensor, self._dims[1:], dropout_in=self._dropout,
                                   dropout_mid=self._dropout, train=self._train,
                                   l2_reg=self._l2_reg, scope='encoder', reuse=self._reuse)
            code = encoder.get_outputs()[0]
            decoder = MultiLayerFC(code, self._dims[::-1][1:], relu_in=True, relu_mid=True,
                                   relu_out=True, dropout_in=self._dropout,
                                   dropout_mid=self._dropout, dropout_out=self._dropout,
                                   train=self._train, l2_reg=self._l2_reg, scope='decoder',
                                   reuse=self._reuse)
            self._outputs += encoder.get_outputs()
            self._loss = encoder.get_loss() + decoder.get_loss()
            self._loss += self._l2_reconst * tf.nn.l2_loss(decoder.get_outputs()[0] - self._in_tensor)

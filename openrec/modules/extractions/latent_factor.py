"""The LatentFactor extraction."""
import numpy as np
import tensorflow.compat.v1 as tf

from openrec._tfutils import (check_l2_reg, check_number, check_scope,
                              check_shape, check_tensor, embedding_initializer,
                              embedding_lookup, require_graph_mode, scatter_update,
                              whole_table)
from openrec.modules.extractions.extraction import Extraction


class LatentFactor(Extraction):
    """The LatentFactor module maps (embeds) input ids into latent representations.

    The module outputs a tensor with shape ``shape(ids) + [embedding dimensionality]``.

    Parameters
    ----------
    shape : list
        Shape of the embedding matrix, i.e. [number of unique ids, embedding dimensionality].
    init : str, optional
        Embedding initialization. 'zero' or 'normal' (default: truncated normal, stddev 0.01).
    ids : Tensorflow tensor, optional
        List of ids to retrieve embeddings. If None, the whole embedding matrix is returned.
    l2_reg : float, optional
        Weight for L2 regularization, i.e., weight decay. Applied to the looked-up rows
        (``l2_reg * sum(rows ** 2) / 2``); no loss without ``ids``.
    scope : str, optional
        Scope for module variables.
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        If ``shape`` is not a pair of positive ints, ``init`` is unknown, or eager
        execution is active.
    TypeError
        If ``ids`` is not an integer tensor.
    """

    def __init__(self, shape, init='normal', ids=None, l2_reg=None, scope=None, reuse=False):
        require_graph_mode('LatentFactor')
        check_scope(scope)
        check_l2_reg(l2_reg)
        self._shape = check_shape(shape)
        self._initializer = embedding_initializer(init)
        self._ids = None if ids is None else check_tensor(ids, 'ids', dtype='integer')
        super(LatentFactor, self).__init__(l2_reg=l2_reg, scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._embedding = tf.get_variable('embedding', shape=self._shape, dtype=tf.float32,
                                              initializer=self._initializer, trainable=True)
            if self._ids is None:
                self._outputs.append(whole_table(self._embedding))
            else:
                self._outputs.append(embedding_lookup(self._embedding, self._ids))
                if self._l2_reg is not None:
                    self._loss = self._l2_reg * tf.nn.l2_loss(self._outputs[0])

    def censor_l2_norm_op(self, censor_id_list=None, max_norm=1):
        """Limit the norm of embeddings.

        Each listed row becomes ``row / max(||row||_2, max_norm)``.

        Parameters
        ----------
        censor_id_list : list or Tensorflow tensor, optional
            List of embeddings to censor (indexed by ids). None censors every row.
        max_norm : float, optional
            Maximum norm, > 0.

        Returns
        -------
        Tensorflow operator
            An operator for post-training execution (not run here).

        Raises
        ------
        ValueError
            If ``max_norm`` is not positive.
        TypeError
            If ``censor_id_list`` is not integer or ``max_norm`` is not a number.

        Notes
        -----
        The original's formula is kept: rows end with a norm of at most 1, not
        ``max_norm``; with ``max_norm > 1`` rows whose norm is below ``max_norm`` are
        shrunk by ``1 / max_norm``.
        """
        check_number(max_norm, 'max_norm', allow_none=False, positive=True)
        if censor_id_list is None:
            censor_id_list = tf.range(self._shape[0])
        elif isinstance(censor_id_list, (list, tuple)) and len(censor_id_list) == 0:
            censor_id_list = np.zeros(0, np.int32)  # [] would convert to float32
        rank = getattr(getattr(censor_id_list, 'shape', None), 'ndims', 1)
        ids = check_tensor(censor_id_list, 'censor_id_list', dtype='integer',
                           rank=None if rank is None else 1)
        rows = embedding_lookup(self._embedding, ids)
        norm = tf.sqrt(tf.reduce_sum(tf.square(rows), axis=1, keepdims=True))
        return scatter_update(self._embedding, ids, rows / tf.maximum(norm, max_norm))

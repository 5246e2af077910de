"""The LookUp extraction."""
import numpy as np
import tensorflow.compat.v1 as tf

from openrec._tfutils import (array_initializer, check_array, check_scope, check_tensor,
                              embedding_lookup, out_of_graph_value, require_graph_mode,
                              whole_table)
from openrec.modules.extractions.extraction import Extraction


class LookUp(Extraction):
    """The LookUp module maps (embeds) input ids into fixed representations.

    The representations are not updated during training. The module outputs a tensor
    with shape ``shape(ids) + [embedding dimensionality]``.

    Parameters
    ----------
    embed : numpy array
        Fixed embedding matrix, 2-D.
    ids : Tensorflow tensor, optional
        List of ids to retrieve embeddings. If None, the whole embedding matrix is returned.
    scope : str, optional
        Scope for module variables.
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        If ``embed`` is None or not 2-D, or eager execution is active.
    TypeError
        If ``embed`` is not numeric or ``ids`` is not an integer tensor.

    Notes
    -----
    The table is the non-trainable variable ``<scope>/embedding``, created with
    ``tf.Variable`` as in the original, so its name is uniquified rather than shared
    when the scope is re-entered. Under a ``variable_scope`` with a partitioner it is
    created with ``get_variable`` instead (partitioned variables need it), with parts
    ``<scope>/embedding/part_<k>``, shared on reuse. The array is not stored in the
    GraphDef: it is handed to the variable's initializer when
    ``tf.compat.v1.global_variables_initializer()`` runs, in this process, and read
    (and cast to float32) at that moment. The variable holds a copy: changing the
    array after initialisation does not change the table, and the table's updates
    never reach the array. No other copy is kept.
    """

    def __init__(self, embed, ids=None, scope=None, reuse=False):
        require_graph_mode('LookUp')
        check_scope(scope)
        array = check_array(embed, 'embed', ndim=2)
        # an ndarray of another dtype is cast when the initializer runs: no lasting copy
        self._embed = embed if type(embed) is np.ndarray else array
        self._ids = None if ids is None else check_tensor(ids, 'ids', dtype='integer')
        super(LookUp, self).__init__(train=True, l2_reg=None, scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            if tf.get_variable_scope().partitioner is None:
                self._embedding = tf.Variable(out_of_graph_value(self._embed), trainable=False,
                                              name='embedding')
            else:
                # partitioned variables only come from get_variable
                self._embedding = tf.get_variable('embedding', shape=self._embed.shape,
                                                  dtype=tf.float32, trainable=False,
                                                  initializer=array_initializer(self._embed))
            if self._ids is None:
                self._outputs.append(whole_table(self._embedding))
            else:
                self._outputs.append(embedding_lookup(self._embedding, self._ids))

"""The IdentityMapping extraction."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import check_not_none, check_scope, require_graph_mode
from openrec.modules.extractions.extraction import Extraction


class IdentityMapping(Extraction):
    """The IdentityMapping module executes an identity function.

    Parameters
    ----------
    value : Tensorflow tensor
        Input tensor, returned unchanged as the only output.
    scope : str, optional
        Scope for module variables.
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        If ``value`` is None, or eager execution is active.
    """

    def __init__(self, value, scope=None, reuse=False):
        require_graph_mode('IdentityMapping')
        check_scope(scope)
        self._value = check_not_none(value, 'value')
        super(IdentityMapping, self).__init__(train=True, l2_reg=None, scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(self._value)

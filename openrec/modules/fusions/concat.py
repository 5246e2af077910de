"""The Concat fusion."""
import numbers

import tensorflow.compat.v1 as tf

from openrec._tfutils import ArgumentTypeError
from openrec.modules.fusions._members import member_outputs
from openrec.modules.fusions.fusion import Fusion


class Concat(Fusion):
    """The Concat module concatenates the outputs of a list of modules along ``axis``.

    Output: ``[concat(T_1, …, T_m, axis=axis)]`` over the members' output tensors,
    module by module in list order (a single tensor comes back as a concat of one).
    With ``[B, d_j]`` members and the default axis the result is ``[B, sum_j d_j]``.
    Training and serving are identical; no variables, loss ``0.0``.

    Parameters
    ----------
    module_list : list of Module
        Already-built modules whose outputs are concatenated.
    axis : int, optional
        Concatenation axis.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        ``'module_list cannot be None'``; a list whose members have no outputs at all;
        incompatible shapes (raised by TensorFlow); eager execution active. Also an
        :class:`AssertionError` (except TensorFlow's own shape errors).
    TypeError
        If ``module_list`` is not a list of modules or ``axis`` not an int.

    Notes
    -----
    Members with empty outputs contribute nothing. The members' losses are not
    forwarded (recommenders register them themselves) — kept. Fixed: an empty
    flattened list used to fail inside TensorFlow with an obscure message.
    """

    def __init__(self, module_list, axis=1, scope=None, reuse=False):
        self._module_list = module_list
        self._tensors = member_outputs(self, module_list, scope)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ArgumentTypeError('axis must be an int, got %r' % (axis,))
        self._axis = axis
        super(Concat, self).__init__(scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build the concatenation."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(tf.concat(self._tensors, axis=self._axis))

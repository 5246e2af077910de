"""The Average fusion."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import ArgumentError, check_not_none
from openrec.modules.fusions._members import member_outputs
from openrec.modules.fusions.fusion import Fusion


class Average(Fusion):
    """The Average module computes a weighted average of the outputs of a list of modules.

    Output: ``[(weight · (T_1 + … + T_m)) / len(module_list)]``, evaluated in that order
    (``add_n`` over the members' output tensors, then the multiplication, then a true
    division by the number of **modules**). Training and serving are identical; no
    variables, loss ``0.0``.

    Parameters
    ----------
    module_list : list of Module
        Already-built modules whose outputs (one shape and dtype) are averaged.
    weight : float, optional
        Multiplier applied to the sum.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        ``'module_list cannot be None'``, a list whose members have no outputs at all,
        member outputs with different dtypes or incompatible static shapes, ``weight``
        None, or eager execution active. Also an :class:`AssertionError`.
    TypeError
        If ``module_list`` is not a list of modules.

    Notes
    -----
    Kept from the original: the divisor is the number of modules, not of tensors (a
    member with several outputs adds them all but counts once; one with no outputs adds
    nothing but counts once); the members' losses are not forwarded. The bundled
    recommenders use two single-output members with ``weight=2.0``, i.e. the plain sum.
    Fixed: an empty flattened list used to fail obscurely inside ``add_n``.
    """

    def __init__(self, module_list, weight=1.0, scope=None, reuse=False):
        self._module_list = module_list
        self._tensors = member_outputs(self, module_list, scope)
        first = self._tensors[0]
        for tensor in self._tensors[1:]:
            if tensor.dtype != first.dtype or not tensor.shape.is_compatible_with(first.shape):
                raise ArgumentError('module_list outputs must share one shape and dtype, got %s %s '
                                    'and %s %s' % (first.shape, first.dtype.name, tensor.shape,
                                                   tensor.dtype.name))
        self._weight = check_not_none(weight, 'weight')
        super(Average, self).__init__(scope=scope, reuse=reuse)

    def _build_shared_graph(self):
        """Build the weighted average."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._outputs.append(self._weight * tf.add_n(self._tensors) / len(self._module_list))

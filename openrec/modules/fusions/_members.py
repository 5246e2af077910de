"""Private helper shared by the fusions: flatten the member modules' outputs."""
from openrec._tfutils import (ArgumentError, ArgumentTypeError, check_not_none, check_scope,
                              check_tensor, require_graph_mode)


def member_outputs(fusion, module_list, scope, name='module_list'):
    """Start a fusion constructor: graph-mode guard, scope type, then the member modules'
    output tensors, module by module, in list order.

    Raises a clear error for a missing or empty list, a member without
    ``get_outputs()``, or members whose outputs are all empty (the original failed
    deep inside TF on those).
    """
    require_graph_mode(type(fusion).__name__)
    check_scope(scope)
    check_not_none(module_list, name)
    if not isinstance(module_list, (list, tuple)):
        raise ArgumentTypeError('%s must be a list of modules, got %r' % (name, module_list))
    tensors = []
    for i, module in enumerate(module_list):
        if not callable(getattr(module, 'get_outputs', None)):
            raise ArgumentTypeError('%s[%d] must be a Module (an object with get_outputs()), '
                                    'got %r' % (name, i, module))
        tensors += [check_tensor(out, '%s[%d] output' % (name, i)) for out in module.get_outputs()]
    if not tensors:
        raise ArgumentError('%s must contain at least one module with outputs, got %d module(s) '
                            'with empty outputs' % (name, len(module_list)))
    return tensors

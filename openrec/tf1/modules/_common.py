"""Argument checks shared by the OpenRec 0.2 module functions (private).

The TF1 mechanics themselves (initialisers, layers, batch norm, L2 terms) are the 0.1
API's, in :mod:`openrec._tfutils`; the 0.1 interactions' input checks and score formulas
are in :mod:`openrec.modules.interactions._scoring`.
"""
import tensorflow.compat.v1 as tf

from openrec._checks import check_has_methods
from openrec._tfutils import ArgumentError, ArgumentTypeError, check_tensor, require_graph_mode
from openrec.modules.interactions._scoring import check_given, column_input, float_input


def start(caller, scope, error=ArgumentError):
    """First step of the scoped module functions: graph-mode guard, then ``scope`` required.

    The original opened ``variable_scope(scope, ..., reuse=AUTO_REUSE)``, which TF rejects
    for ``scope=None``: with a ``ValueError`` when a default name was given, with a
    ``TypeError`` otherwise; ``error`` keeps that type.
    """
    require_graph_mode(caller)
    if scope is None:
        raise error('%s: scope is required, got None (the variables are shared by scope name '
                    'through reuse=AUTO_REUSE, which needs a name such as scope=%r)'
                    % (caller, caller))
    if not isinstance(scope, (str, tf.VariableScope)):
        raise ArgumentTypeError('%s: scope must be a str or a tf.compat.v1.VariableScope, got %r'
                                % (caller, scope))
    return scope


def check_subgraph(subgraph, caller, *methods):
    """``subgraph`` must be given and provide ``methods`` (those the call will use)."""
    if subgraph is None:
        raise ArgumentError('subgraph cannot be None: %s registers its results with subgraph.%s()'
                            % (caller, '() / subgraph.'.join(methods)))
    return check_has_methods(subgraph, 'subgraph', methods)


LOSS, OUTPUT = 'register_global_loss', 'register_global_output'


# ----------------------------------------------------------------------------------
# tensor arguments of the interactions
# ----------------------------------------------------------------------------------

def given(*named):
    """Each ``(value, name)`` pair must hold a value: ``'<name> cannot be None'``, in order."""
    for value, name in named:
        check_given(value, name)


def same_width(user_vec, item_vec, item_name, user_name='user_vec'):
    """The user and item vectors must have the same static last dimension (when known)."""
    widths = [tf.compat.dimension_value(t.shape[-1]) if t.shape.ndims else None
              for t in (user_vec, item_vec)]
    if None not in widths and widths[0] != widths[1]:
        raise ArgumentError('%s and %s must have the same last dimension, got shapes %s and %s '
                            '(in BPR, PMF and UCML: dim_user_embed must equal dim_item_embed)'
                            % (user_name, item_name, user_vec.shape, item_vec.shape))


def pairwise_inputs(caller, subgraph, train, user_vec, item_vec, item_bias, p_item_vec,
                    p_item_bias, n_item_vec, n_item_bias):
    """Checks of PairwiseLog and PairwiseEuDist, for the arguments of the mode built.

    Returns ``(user_vec, item_vec, item_bias, p_item_vec, p_item_bias, n_item_vec,
    n_item_bias)`` as tensors (the other mode's arguments unchanged). Training biases
    must be scalars or ``[n, 1]``: a ``[n]`` tensor would broadcast against the ``[n, 1]``
    scores to ``[n, n]``.
    """
    check_subgraph(subgraph, caller, LOSS if train else OUTPUT)
    if not train:
        given((user_vec, 'user_vec'), (item_vec, 'item_vec'), (item_bias, 'item_bias'))
        user_vec, item_vec = float_input(user_vec, 'user_vec'), float_input(item_vec, 'item_vec')
        same_width(user_vec, item_vec, 'item_vec')
        return (user_vec, item_vec, float_input(item_bias, 'item_bias'), p_item_vec,
                p_item_bias, n_item_vec, n_item_bias)
    given((user_vec, 'user_vec'), (p_item_vec, 'p_item_vec'), (p_item_bias, 'p_item_bias'),
          (n_item_vec, 'n_item_vec'), (n_item_bias, 'n_item_bias'))
    user_vec = float_input(user_vec, 'user_vec')
    p_item_vec = float_input(p_item_vec, 'p_item_vec')
    n_item_vec = float_input(n_item_vec, 'n_item_vec')
    same_width(user_vec, p_item_vec, 'p_item_vec')
    same_width(user_vec, n_item_vec, 'n_item_vec')
    p_item_bias = column_input(p_item_bias, 'p_item_bias')
    n_item_bias = column_input(n_item_bias, 'n_item_bias')
    return user_vec, item_vec, item_bias, p_item_vec, p_item_bias, n_item_vec, n_item_bias


def int_input(value, name, rank=None):
    """An integer tensor (ids, lengths, labels) whose static rank, when known, is ``rank``."""
    tensor = check_tensor(value, name, dtype='integer')
    if rank is not None and tensor.shape.ndims not in (None, rank):
        raise ArgumentError('%s must have rank %d, got shape %s' % (name, rank, tensor.shape))
    return tensor

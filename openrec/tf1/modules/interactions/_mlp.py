"""What MLPSoftmax and PointwiseMLPCE share: argument checks and the ``mlp_reg`` MLP (private)."""
import tensorflow.compat.v1 as tf

from openrec._tfutils import (ArgumentTypeError, check_dims, check_l2_reg, check_rate,
                              check_tensor)
from openrec.modules.interactions._scoring import check_same_rows, float_input
from openrec.tf1.modules._common import LOSS, OUTPUT, check_subgraph, start
from openrec.tf1.modules.extractions import MultiLayerFC


def start_mlp(caller, scope, subgraph, train, dims, l2_reg, dropout):
    """The checks both make first; returns ``(dims, l2_reg, dropout)``.

    ``scope=None`` is a ``TypeError`` here, as TF raised for the original's
    ``variable_scope(None, reuse=AUTO_REUSE)`` without a default name.
    """
    start(caller, scope, ArgumentTypeError)
    dims = check_dims(dims)
    l2_reg = check_l2_reg(l2_reg)
    methods = ((LOSS,) if train or l2_reg is not None else ()) + (() if train else (OUTPUT,))
    check_subgraph(subgraph, caller, *methods)
    return dims, l2_reg, check_rate(dropout, 'dropout')


def mlp_part(value, name):
    """A block of MLP input columns: float32 ``[n, width]``, width statically known."""
    return check_tensor(value, name, rank=2, known_last_dim=True, dtype=tf.float32)


def same_rows(named):
    """Every ``(tensor, name)`` pair has the first one's static number of rows (when known)."""
    for tensor, name in named[1:]:
        check_same_rows(tensor, name, *named[0])


def optional_bias(item_bias):
    return None if item_bias is None else float_input(item_bias, 'item_bias')


def mlp_logits(in_tensor, dims, subgraph, item_bias, l2_reg, dropout, train):
    """``MultiLayerFC`` in scope ``mlp_reg`` (no last-layer bias), then ``+ item_bias``.

    ReLU after every layer but the last; dropout after them at rate ``dropout`` in
    training only; L2 entries registered in both modes when ``l2_reg`` is set.
    """
    logits = MultiLayerFC(in_tensor, dims, subgraph, bias_in=True, bias_mid=True, bias_out=False,
                          dropout_mid=dropout if train else None, l2_reg=l2_reg,
                          scope='mlp_reg')
    return logits if item_bias is None else logits + item_bias

"""Private helpers shared by the interaction modules: argument checks and score formulas.

The checks run in each constructor before anything is built, in the original's order
(its ``assert`` messages are kept), so a failed call leaves the graph usable for a
corrected retry. Nothing here is public API.
"""
import numpy as np
import tensorflow.compat.v1 as tf

from openrec._tfutils import (ArgumentError, ArgumentTypeError, check_dims, check_number,
                              check_positive_int, check_rate, check_scope, check_tensor,
                              require_graph_mode)


def start(module, scope):
    """First step of every interaction constructor: graph-mode guard and scope type."""
    require_graph_mode(type(module).__name__)
    check_scope(scope)


def check_given(value, name, alias=None):
    """``'<name> cannot be None'``, the original's message; ``alias`` names the caller's argument."""
    if value is None:
        raise ArgumentError('%s cannot be None%s'
                            % (name, '' if alias is None else ' (argument %s)' % alias))
    return value


# ----------------------------------------------------------------------------------
# tensor arguments
# ----------------------------------------------------------------------------------

def _dim(tensor, axis):
    return tf.compat.dimension_value(tensor.shape[axis])


def rows(tensor):
    """Static number of rows, or None."""
    return _dim(tensor, 0) if tensor.shape.ndims else None


def float_input(value, name, rank=None, width=False):
    """A floating tensor of the default graph (numbers and arrays become float32).

    ``rank`` is enforced when the static rank is known; ``width=True`` requires a
    rank-2 tensor with a statically known last dimension (an MLP input).
    """
    check_given(value, name)
    if not (tf.is_tensor(value) or isinstance(value, tf.Variable)):
        try:
            value = np.asarray(value, dtype=np.float32)
        except (TypeError, ValueError) as err:
            raise ArgumentTypeError('%s must be a float tensor, a number or an array: %s'
                                    % (name, err))
    if width:
        return check_tensor(value, name, rank=2, known_last_dim=True, dtype='floating')
    tensor = check_tensor(value, name, dtype='floating')
    if rank is not None and tensor.shape.ndims not in (None, rank):
        raise ArgumentError('%s must have rank %d, got shape %s' % (name, rank, tensor.shape))
    return tensor


def column_input(value, name, exact=False):
    """A per-row term added to ``[N, 1]`` scores: a scalar or ``[N, 1]`` (``exact``: only ``[N, 1]``).

    The rank-1 bias guard: a ``[N]`` tensor would broadcast against ``[N, 1]`` to
    ``[N, N]`` and the loss would silently sum N² terms.
    """
    tensor = float_input(value, name)
    ndims = tensor.shape.ndims
    if ndims is None or (ndims == 0 and not exact):
        return tensor
    if ndims == 2 and _dim(tensor, 1) in (None, 1):
        return tensor
    if ndims == 1 and _dim(tensor, 0) == 1 and not exact:
        return tensor
    raise ArgumentError('%s must be %s, got shape %s%s'
                        % (name, 'of shape [N, 1]' if exact else 'a scalar or of shape [N, 1]',
                           tensor.shape, ' (a rank-1 [N] tensor would broadcast against the '
                                         '[N, 1] scores to [N, N])' if ndims == 1 else ''))


def serving_bias(value, item, name='item_bias', tiled=False):
    """The serving item bias: ``[I, 1]`` or ``[I]`` (flattened); ``tiled``: ``[I, 1]`` only."""
    tensor = float_input(value, name)
    ndims = tensor.shape.ndims
    if tiled and (ndims != 2 or _dim(tensor, 1) not in (None, 1)):
        raise ArgumentError('%s must have shape [I, 1] in serving (it is tiled once per user), '
                            'got shape %s' % (name, tensor.shape))
    size, n_item = tensor.shape.num_elements(), rows(item)
    if size is not None and n_item is not None and size not in (1, n_item):
        raise ArgumentError('%s must hold one value per row of item (%d), got shape %s'
                            % (name, n_item, tensor.shape))
    return tensor


def labels_input(labels, n_rows=None, name='labels'):
    """Numeric labels, one per training row when both sizes are static."""
    tensor = check_tensor(labels, name)
    if not (tensor.dtype.is_integer or tensor.dtype.is_floating or tensor.dtype.is_bool):
        raise ArgumentTypeError('%s must be numeric, got dtype %s' % (name, tensor.dtype.name))
    size = tensor.shape.num_elements()
    if size is not None and n_rows is not None and size != n_rows:
        raise ArgumentError('%s must hold one label per row (%d), got shape %s'
                            % (name, n_rows, tensor.shape))
    return tensor


def number_param(value, name):
    """A scalar hyper-parameter such as ``margin``: a real number or a float tensor."""
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        return float_input(value, name)
    return check_number(value, name, allow_none=False)


def check_same_rows(a, a_name, b, b_name):
    ra, rb = rows(a), rows(b)
    if ra is not None and rb is not None and ra != rb:
        raise ArgumentError('%s must have as many rows as %s (%d), got %d'
                            % (a_name, b_name, rb, ra))


# ----------------------------------------------------------------------------------
# argument sets
# ----------------------------------------------------------------------------------

def pairwise_inputs(train, user, item, item_bias, p_item, p_item_bias, n_item, n_item_bias,
                    neg_num=None):
    """Checks of PairwiseLog and its kin, in the original's order.

    Order: ``train``, ``user``; training: ``p_item, n_item, p_item_bias, n_item_bias``;
    serving: ``item, item_bias``; then types and shapes. With ``neg_num`` (NsLog,
    NsEuDist) the negatives are ``[N, K, D]`` / ``[N, K, 1]`` and K must equal it.
    Returns ``(user, item, item_bias, p_item, p_item_bias, n_item, n_item_bias)``;
    the other mode's arguments come back unchanged.
    """
    check_given(train, 'train')
    check_given(user, 'user')
    if not train:
        check_given(item, 'item')
        check_given(item_bias, 'item_bias')
        user, item = float_input(user, 'user', rank=2), float_input(item, 'item', rank=2)
        return user, item, serving_bias(item_bias, item), p_item, p_item_bias, n_item, n_item_bias
    for value, name in ((p_item, 'p_item'), (n_item, 'n_item'), (p_item_bias, 'p_item_bias'),
                        (n_item_bias, 'n_item_bias')):
        check_given(value, name)
    user, p_item = float_input(user, 'user', rank=2), float_input(p_item, 'p_item', rank=2)
    if neg_num is None:
        n_item = float_input(n_item, 'n_item', rank=2)
        p_item_bias = column_input(p_item_bias, 'p_item_bias')
        n_item_bias = column_input(n_item_bias, 'n_item_bias')
    else:
        neg_num = check_positive_int(neg_num, 'neg_num')
        n_item = float_input(n_item, 'n_item', rank=3)
        p_item_bias = column_input(p_item_bias, 'p_item_bias', exact=True)  # tiled over K
        n_item_bias = float_input(n_item_bias, 'n_item_bias', rank=3)
        for tensor, name in ((n_item, 'n_item'), (n_item_bias, 'n_item_bias')):
            if tensor.shape.ndims is not None and _dim(tensor, 1) not in (None, neg_num):
                raise ArgumentError('%s must hold neg_num=%d negatives per row (shape [N, %d, .]), '
                                    'got shape %s' % (name, neg_num, neg_num, tensor.shape))
    return user, item, item_bias, p_item, p_item_bias, n_item, n_item_bias


def ge_inputs(train, user, item, item_bias, labels, aliases=None):
    """PointwiseGeCE checks: ``train, user, item, item_bias``; training: ``labels``.

    ``aliases`` maps ``'user'``/``'item'`` to the caller's argument names (PointwiseGeMLPCE).
    Returns ``(user, item, item_bias, labels)``.
    """
    aliases = aliases or {}
    user_name, item_name = aliases.get('user', 'user'), aliases.get('item', 'item')
    check_given(train, 'train')
    check_given(user, 'user', aliases.get('user'))
    check_given(item, 'item', aliases.get('item'))
    check_given(item_bias, 'item_bias')
    if train:
        check_given(labels, 'labels')
    user, item = float_input(user, user_name, width=True), float_input(item, item_name, width=True)
    if _dim(user, 1) != _dim(item, 1):
        raise ArgumentError('%s and %s must have the same width, got shapes %s and %s'
                            % (user_name, item_name, user.shape, item.shape))
    if not train:
        return user, item, serving_bias(item_bias, item, tiled=True), labels
    check_same_rows(item, item_name, user, user_name)
    return user, item, column_input(item_bias, 'item_bias'), labels_input(labels, rows(user))


def mlp_inputs(train, user, item, dims, item_bias, extra, labels, dropout, batch_serving,
               aliases=None):
    """PointwiseMLPCE checks: ``dims``, ``dims[-1] == 1``; training: ``labels``; then the rest.

    Returns ``(user, item, dims, item_bias, extra, labels, dropout)``.
    """
    aliases = aliases or {}
    user_name, item_name = aliases.get('user', 'user'), aliases.get('item', 'item')
    check_given(dims, 'dims')
    # the original's second assert comes before any other check of dims
    if (isinstance(dims, (list, tuple)) and len(dims) > 0 and dims[-1] != 1) or \
            check_dims(dims)[-1] != 1:
        raise ArgumentError('last value of dims should be 1')
    dims = check_dims(dims)
    if train:
        check_given(labels, 'labels')
    check_given(user, 'user', aliases.get('user'))
    check_given(item, 'item', aliases.get('item'))
    user, item = float_input(user, user_name, width=True), float_input(item, item_name, width=True)
    if extra is not None:
        extra = float_input(extra, 'extra', width=True)
        # batch serving tiles extra with the items: one row per item, in every mode
        check_same_rows(extra, 'extra', item, item_name)
    dropout = check_rate(dropout, 'dropout')
    if train or not batch_serving:
        check_same_rows(item, item_name, user, user_name)
    if item_bias is not None:
        item_bias = (serving_bias(item_bias, item, tiled=True) if not train and batch_serving
                     else column_input(item_bias, 'item_bias'))
    if train:
        labels = labels_input(labels, rows(user))
    return user, item, dims, item_bias, extra, labels, dropout


# ----------------------------------------------------------------------------------
# formulas
# ----------------------------------------------------------------------------------

def row_dot(a, b, axis=1, keepdims=True, name=None):
    """Row-wise dot product ``a·b`` (``name``: of the sum op)."""
    return tf.reduce_sum(tf.multiply(a, b), axis=axis, keepdims=keepdims, name=name)


def row_sq_dist(a, b, axis=1, keepdims=True, name=None):
    """Row-wise squared distance ``||a − b||²`` (``name``: of the sum op)."""
    return tf.reduce_sum(tf.square(tf.subtract(a, b)), axis=axis, keepdims=keepdims, name=name)


def dot_score(user, item, item_bias):
    """``user @ itemᵀ + item_bias`` (bias flattened), ``[U, I]``."""
    return tf.matmul(user, item, transpose_b=True) + tf.reshape(item_bias, [-1])


def euclid_score(user, item, item_bias):
    """``2·user @ itemᵀ + item_bias − ||item||²`` (bias flattened), ``[U, I]``."""
    item_norms = tf.reduce_sum(tf.square(item), axis=1)
    return (2 * tf.matmul(user, item, transpose_b=True) + tf.reshape(item_bias, [-1])
            - tf.reshape(item_norms, [-1]))


def neg_log_sigmoid_sum(x):
    """``−sum(log(sigmoid(max(x, −30))))`` (the clip keeps the log finite)."""
    return -tf.reduce_sum(tf.log(tf.sigmoid(tf.maximum(x, -30.0))))


def rank_weight(count, max_item, neg_num):
    """``w_n = ln(floor(max_item · c_n / neg_num) + 1)`` in float32, in that order."""
    return tf.log(tf.floor(max_item * tf.cast(count, tf.float32) / neg_num) + 1.0)


def tile_negatives(per_row, neg_num):
    """A ``[N, 1]`` per-row term repeated for the K negatives: ``[N, K]``."""
    return tf.tile(per_row, [1, neg_num])


def ce_loss(labels, logits):
    """``sum(ce(reshape(float(labels), [N, 1]), logits))``."""
    labels = tf.reshape(tf.cast(labels, tf.float32), [-1, 1])
    return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


def user_major_pairs(user, item):
    """Rows for every (user, item) pair, user-major: row ``r`` is user ``r // I``, item ``r % I``."""
    n_user, n_item = tf.shape(user)[0], tf.shape(item)[0]
    user_rep = tf.reshape(tf.tile(user, [1, n_item]), [-1, _dim(user, 1)])
    return user_rep, tf.tile(item, [n_user, 1])


def pair_grid(per_pair, user, item):
    """Reshape user-major pair values to ``[U, I]``."""
    return tf.reshape(per_pair, [tf.shape(user)[0], tf.shape(item)[0]])

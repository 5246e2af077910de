"""Private TF1 mechanics shared by every openrec module.

TensorFlow 2 dropped ``tf.contrib``; this module rebuilds the few pieces OpenRec 0.1
relied on (contrib batch norm, Xavier initialisation) from ``tf.compat.v1`` ops, and
holds the tensor checks and the graph-mode guard so that each module stays short. The
TensorFlow-free argument checks live in :mod:`openrec._checks` and are re-exported here.
Nothing here is public API.
"""
import contextlib
import functools

import numpy as np
import tensorflow.compat.v1 as tf
from tensorflow.core.protobuf import config_pb2

from openrec._checks import (  # noqa: F401 (re-exported for the modules)
    ArgumentError, ArgumentTypeError, StateError, check_not_none, check_bool, check_scope, check_positive_int, check_number, check_l2_reg, check_rate, check_shape, check_dims, check_choice, check_width)


class GraphModeError(ArgumentError, RuntimeError):
    """Raised when a graph-building call runs under eager execution."""


GRAPH_MODE_HINT = (
    "openrec builds TF1 graphs and cannot run eagerly. Build inside "
    "`with tf.compat.v1.Graph().as_default():` or call "
    "`tf.compat.v1.disable_v2_behavior()` (or `tf.compat.v1.disable_eager_execution()`) "
    "at start-up, before building any module.")


def require_graph_mode(what):
    """Raise :class:`GraphModeError` if eager execution is active."""
    if tf.executing_eagerly():
        raise GraphModeError('%s cannot be built while eager execution is active. %s'
                             % (what, GRAPH_MODE_HINT))


def check_session(sess, name='sess'):
    if sess is None or not callable(getattr(sess, 'run', None)):
        raise ArgumentTypeError('%s must be a tf.compat.v1.Session, got %r' % (name, sess))
    return sess


class CallableCache(object):
    """Runs fetches through one cached session callable per signature.

    ``Session.run`` spends more Python time per call on its fetch and feed handling
    than a small training step takes to compute (about 0.4 ms against 0.3 ms for BPR at
    batch 256). Here that work is done once per ``(key, fed tensors)`` pair: a flat
    list (or a single) of tensors and operations fed by placeholders runs through a
    callable made from ``CallableOptions``, which takes the fed arrays as they are.
    What ``Session.run`` checks per call is kept: each value is converted to its
    placeholder's dtype with ``np.asarray`` and its shape checked against the
    placeholder's, with ``Session.run``'s ``ValueError``. The results are those of
    ``Session.run``: the fetched values, ``None`` for operations, in a list (or alone).
    Other fetch structures go through ``Session.run``.

    An entry is reused only while the fetches are the same objects: the same fetch
    object, or a list holding the same objects in the same order (lists rebuilt per
    call, e.g. from a graph collection that may have grown, are compared item by item).
    """

    def __init__(self, sess):
        self._sess = sess
        self._entries = {}

    @staticmethod
    def _same(a, b):
        return a is b or (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                          and all(x is y for x, y in zip(a, b)))

    def __call__(self, key, fetches, feed_dict):
        """``sess.run(fetches, feed_dict)`` through the cached callable of ``key``."""
        signature = (key, tuple(feed_dict))
        entry = self._entries.get(signature)
        if entry is None or not self._same(entry[0], fetches):
            entry = (fetches, self._make(fetches, list(feed_dict)))
            self._entries[signature] = entry
        return entry[1](feed_dict.values())

    def _make(self, fetches, feeds):
        single = not isinstance(fetches, list)
        items = [fetches] if single else fetches
        graph = self._sess.graph
        if not (all(isinstance(x, (tf.Tensor, tf.Operation)) for x in items)
                and all(isinstance(t, tf.Tensor) and t.dtype != tf.resource
                        and graph.is_feedable(t) for t in feeds)):
            run = self._sess.make_callable(fetches, feed_list=feeds)
            return lambda values: run(*values)
        options = config_pb2.CallableOptions()
        options.feed.extend(t.name for t in feeds)
        names = []  # each fetched tensor once, in order
        for x in items:
            if isinstance(x, tf.Tensor) and x.name not in names:
                names.append(x.name)
        options.fetch.extend(names)
        options.target.extend(sorted(set(x.name for x in items if isinstance(x, tf.Operation))))
        # nothing to fetch or run: Session.run checks the feeds and returns []
        run = (self._sess._make_callable_from_options(options) if items
               else lambda *arrays: [])
        slots = [names.index(x.name) if isinstance(x, tf.Tensor) else None for x in items]
        checks = [(t, t.dtype.as_numpy_dtype, None if t.shape.rank is None
                   else tuple(t.shape.as_list())) for t in feeds]

        def call(values):
            arrays = []
            for (tensor, dtype, dims), value in zip(checks, values):
                array = np.asarray(value, dtype=dtype)
                if dims is not None and (len(dims) != array.ndim or any(
                        d is not None and d != n for d, n in zip(dims, array.shape))):
                    raise ValueError('Cannot feed value of shape %s for Tensor %s, which has '
                                     'shape %s' % (array.shape, tensor.name, tensor.shape))
                arrays.append(array)
            values = run(*arrays)
            results = [None if slot is None else values[slot] for slot in slots]
            return results[0] if single else results
        return call


def unfed_placeholders(fetches, fed):
    """The placeholders that running ``fetches`` needs and ``fed`` does not feed.

    Walks the graph back from the fetched tensors and operations (data and control
    inputs) and stops at fed tensors, as ``Session.run`` prunes the graph: the result
    is what TensorFlow would report as "You must feed a value for placeholder tensor".
    ``placeholder_with_default`` needs no feed. Returns the placeholder tensors, ordered
    by operation name.
    """
    fed = set(fed)
    seen, needed = set(), []
    todo = list(fetches)
    while todo:
        item = todo.pop()
        if isinstance(item, tf.Tensor):
            if item in fed:
                continue
            item = item.op
        if item in seen:
            continue
        seen.add(item)
        if item.type == 'Placeholder':
            needed.append(item.outputs[0])
        todo.extend(item.inputs)
        todo.extend(item.control_inputs)
    return sorted(needed, key=lambda tensor: tensor.op.name)


def check_tensor(value, name, rank=None, min_rank=None, known_last_dim=False, dtype=None):
    """Convert ``value`` to a tensor of the current graph and check its static shape.

    ``dtype`` may be ``'integer'`` or ``'floating'`` for a dtype family check, or a
    ``tf.DType`` for an exact match. A rejected value adds no op to the default graph.
    """
    check_not_none(value, name)
    in_graph = hasattr(value, 'graph')
    try:
        if in_graph:
            tensor = tf.convert_to_tensor(value)
        else:
            # Probe in a scratch graph: a constant made for a value that then fails a
            # check would otherwise stay behind in the user's graph.
            try:
                with tf.Graph().as_default():
                    tensor = tf.convert_to_tensor(value)
            except (TypeError, ValueError):
                # e.g. a list holding tensors of the default graph
                tensor = tf.convert_to_tensor(value)
                in_graph = True
    except (TypeError, ValueError) as err:
        raise ArgumentTypeError('%s must be a tensor or convertible to one: %s' % (name, err))
    if in_graph and tensor.graph is not tf.get_default_graph():
        raise ArgumentError('%s belongs to another graph than the default graph' % name)
    if dtype == 'integer' and not tensor.dtype.is_integer:
        raise ArgumentTypeError('%s must have an integer dtype, got %s' % (name, tensor.dtype.name))
    if dtype == 'floating' and not tensor.dtype.is_floating:
        raise ArgumentTypeError('%s must have a floating dtype, got %s' % (name, tensor.dtype.name))
    if isinstance(dtype, tf.DType) and tensor.dtype.base_dtype != dtype:
        raise ArgumentTypeError('%s must have dtype %s, got %s'
                                % (name, dtype.name, tensor.dtype.base_dtype.name))
    ndims = tensor.shape.ndims
    if rank is not None and ndims != rank:
        raise ArgumentError('%s must have rank %d, got shape %s' % (name, rank, tensor.shape))
    if min_rank is not None and (ndims is None or ndims < min_rank):
        raise ArgumentError('%s must have rank >= %d, got shape %s' % (name, min_rank, tensor.shape))
    if known_last_dim and (ndims is None or ndims == 0
                           or tf.compat.dimension_value(tensor.shape[-1]) is None):
        raise ArgumentError('%s must have a statically known last dimension, got shape %s'
                            % (name, tensor.shape))
    return tensor if in_graph else tf.convert_to_tensor(value)


def check_array(value, name, ndim=None):
    """A numeric numpy-convertible array (converted to float32)."""
    check_not_none(value, name)
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise ArgumentTypeError('%s must be a numeric array: %s' % (name, err))
    if ndim is not None and array.ndim != ndim:
        raise ArgumentError('%s must be a %d-D array, got shape %s' % (name, ndim, array.shape))
    return array


# ----------------------------------------------------------------------------------
# initialisers
# ----------------------------------------------------------------------------------

def embedding_initializer(init, name='init'):
    """The LatentFactor initialiser: ``'normal'`` (truncated normal, stddev 0.01) or ``'zero'``."""
    if isinstance(init, str):
        if init == 'normal':
            return tf.truncated_normal_initializer(mean=0.0, stddev=0.01)
        if init == 'zero':
            return tf.zeros_initializer()
    raise ArgumentError("%s must be 'normal' or 'zero', got %r" % (name, init))


def xavier_initializer():
    """Glorot/Xavier uniform: U(-l, l) with ``l = sqrt(6 / (fan_in + fan_out))``.

    What ``tf.contrib.layers.xavier_initializer()`` returned in TF1.
    """
    return tf.glorot_uniform_initializer()


# out_of_graph_value hands a converted array over in chunks of at least this many bytes,
# and in at most this many chunks: the chain of chunks is walked recursively by
# tf.Variable (looking for uninitialised variables), so its length must stay bounded.
_HAND_OVER_BYTES = 1 << 22
_MAX_HAND_OVERS = 64


def _float32_rows(array, start, stop):
    return np.ascontiguousarray(array[start:stop], dtype=np.float32)


def out_of_graph_value(array, name='initial_value'):
    """A float32 tensor that yields ``array`` when run, without storing it in the GraphDef.

    The original baked arrays into the graph as constants, which breaks the 2 GB
    protobuf limit for large tables. Here the array stays in this process and is
    handed to TensorFlow by ``numpy_function`` calls when the initialiser runs (and
    cast to float32 then: only a reference to ``array`` is kept until that moment),
    so ``global_variables_initializer()`` in user code keeps working unchanged. The
    graph therefore cannot initialise this variable in another process (a restored
    checkpoint does not need the initialiser).

    Whatever the array's dtype and memory layout, the hand-over costs one copy of
    the table (plus a little), a buffer TensorFlow owns, which the variable adopts
    without a further copy; it never shares the caller's memory. TensorFlow copies
    a numpy array it cannot align and wraps an aligned one: the wrapped buffer
    would be shared with (and written into by) a resource variable and copied again
    on its first sparse read. So a float32 C-contiguous array goes through
    ``Snapshot``, which copies a buffer TensorFlow does not own and passes one it
    owns on. Any other array would need a converted temporary as large as the table:
    instead an ``Empty`` buffer is filled in place (``InplaceUpdate``) by at most 64
    row chunks (of at least 4 MB), each converted only after the previous one is stored.
    """
    array = np.asarray(array)
    if array.dtype == np.float32 and array.flags.c_contiguous:
        value = tf.numpy_function(lambda: array, [], tf.float32, name=name)
        value.set_shape(array.shape)
        return tf.raw_ops.Snapshot(input=value, name=name + '_copy')
    if array.ndim == 0:
        return tf.constant(array, tf.float32, name=name)
    rows = array.shape[0]
    row_bytes = 4 * int(np.prod(array.shape[1:], dtype=np.int64))
    chunk_rows = max(1, _HAND_OVER_BYTES // max(row_bytes, 1), -(-rows // _MAX_HAND_OVERS))
    with tf.name_scope(name):
        value = tf.raw_ops.Empty(shape=list(array.shape), dtype=tf.float32, init=False)
        for start in range(0, rows, chunk_rows):
            stop = min(rows, start + chunk_rows)
            with tf.control_dependencies([value.op]):
                chunk = tf.numpy_function(functools.partial(_float32_rows, array, start, stop),
                                          [], tf.float32)
            chunk.set_shape((stop - start,) + array.shape[1:])
            value = tf.raw_ops.InplaceUpdate(x=value, i=tf.range(start, stop), v=chunk)
    return value


def array_initializer(array):
    """A ``get_variable`` initializer for ``array`` that works for partitioned tables too.

    Each part receives its slice of the array through :func:`out_of_graph_value`.
    Call it where the table is built: the slices are computed on the device current
    at that point (a worker under ``replica_device_setter``), not on the variable's.
    """
    # get_variable colocates initial values with the variable, i.e. with a parameter
    # server under replica_device_setter, whose process cannot run this process's
    # numpy_function. The slices are colocated with this anchor instead, so they are computed
    # here and only the slice travels to the variable.
    anchor = tf.no_op(name='array_initializer_device')

    def initializer(shape, dtype=None, partition_info=None):
        offset = partition_info.var_offset if partition_info is not None else [0] * len(shape)
        index = tuple(slice(o, o + s) for o, s in zip(offset, shape))
        with tf.colocate_with(anchor, ignore_existing=True):
            return out_of_graph_value(array[index])
    return initializer


# ----------------------------------------------------------------------------------
# tables: plain or partitioned (``variable_scope(..., partitioner=...)``)
# ----------------------------------------------------------------------------------

def is_partitioned(var):
    # tf.compat.v1 does not export the PartitionedVariable class
    return type(var).__name__ == 'PartitionedVariable' and hasattr(var, 'as_tensor')


@contextlib.contextmanager
def unpartitioned():
    """Create variables in the current scope without its partitioner (as TF1's slots did)."""
    scope = tf.get_variable_scope()
    saved = scope.partitioner
    scope.set_partitioner(None)
    try:
        yield
    finally:
        scope.set_partitioner(saved)


def whole_table(var):
    """The full value of a table: the variable itself, or its parts concatenated."""
    return var.as_tensor() if is_partitioned(var) else var


def embedding_lookup(params, ids):
    """Row lookup that also works on partitioned tables (rows split in contiguous blocks)."""
    return tf.nn.embedding_lookup(params, ids, partition_strategy='div')


def scatter_update(var, ids, updates):
    """``tf.scatter_update`` of rows ``ids``, routing rows to the parts of a partitioned table."""
    if not is_partitioned(var):
        return tf.scatter_update(var, ids, updates)
    writes = []
    for part in var:
        begin = part._get_save_slice_info().var_offset[0]
        end = begin + tf.compat.dimension_value(part.shape[0])
        mine = tf.logical_and(ids >= begin, ids < end)
        writes.append(tf.scatter_update(part, tf.boolean_mask(ids, mine) - begin,
                                        tf.boolean_mask(updates, mine)))
    return tf.group(*writes)


# ----------------------------------------------------------------------------------
# layers
# ----------------------------------------------------------------------------------

def scope_l2_losses(scope_name, l2_reg):
    """``[l2_reg * l2_loss(v)]`` for the trainable variables under ``scope_name``.

    TF1's collection filter: ``scope_name`` is matched as a regular-expression prefix of
    the variable names, so any variable whose name merely starts with the same text
    counts too; collection (creation) order.
    """
    return [l2_reg * tf.nn.l2_loss(var)
            for var in tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope_name)]


def l2_loss_of_scope_variables(scope_name, l2_reg):
    """The terms of :func:`scope_l2_losses` summed in order, starting from the Python float ``0.0``.

    (So no variables give ``0.0``.)
    """
    loss = 0.0
    for term in scope_l2_losses(scope_name, l2_reg):
        loss += term
    return loss


def dropout(x, rate):
    """Dropout with drop probability ``rate`` (TF1 ``keep_prob = 1 - rate``)."""
    return tf.nn.dropout(x, rate=rate)


def batch_norm(x, train, reuse, scope, decay=0.95, epsilon=0.001):
    """``tf.contrib.layers.batch_norm`` as OpenRec used it, on a ``[N, C]`` tensor.

    Equivalent to ``fused=True, center=True, scale=True, updates_collections=None``:
    the training output depends on in-place moving-average updates (the mean with the
    batch mean, the variance with the Bessel-corrected batch variance); the serving
    output normalises with the moving statistics. Variables ``beta``, ``gamma``,
    ``moving_mean`` and ``moving_variance`` live in ``scope``; the moving statistics
    are never partitioned, as in TF1. All four are filed as contrib's fused path filed
    them (both OpenRec APIs called it): in ``GLOBAL_VARIABLES`` and ``MODEL_VARIABLES``
    (``beta``/``gamma`` also trainable), none in ``MOVING_AVERAGE_VARIABLES``.
    """
    params = stats = [tf.GraphKeys.GLOBAL_VARIABLES, tf.GraphKeys.MODEL_VARIABLES]
    channels = tf.compat.dimension_value(x.shape[-1])
    with tf.variable_scope(scope, reuse=reuse):
        beta = tf.get_variable('beta', [channels], tf.float32, tf.zeros_initializer(),
                               collections=params)
        gamma = tf.get_variable('gamma', [channels], tf.float32, tf.ones_initializer(),
                                collections=params)
        with unpartitioned():
            moving_mean = tf.get_variable(
                'moving_mean', [channels], tf.float32, tf.zeros_initializer(), trainable=False,
                collections=stats)
            moving_variance = tf.get_variable(
                'moving_variance', [channels], tf.float32, tf.ones_initializer(), trainable=False,
                collections=stats)
        x4 = tf.reshape(x, [-1, 1, 1, channels])
        if train:
            y, mean, variance = tf.nn.fused_batch_norm(
                x4, gamma, beta, epsilon=epsilon, is_training=True)
            updates = [tf.assign_sub(moving_mean, (moving_mean - mean) * (1.0 - decay)),
                       tf.assign_sub(moving_variance, (moving_variance - variance) * (1.0 - decay))]
            with tf.control_dependencies(updates):
                y = tf.identity(y)
        else:
            y, _, _ = tf.nn.fused_batch_norm(x4, gamma, beta, mean=moving_mean,
                                             variance=moving_variance, epsilon=epsilon,
                                             is_training=False)
        return tf.reshape(y, [-1, channels])


def fc_layers(x, dims, relu_in=False, relu_mid=True, relu_out=False, dropout_in=None,
              dropout_mid=None, dropout_out=None, bias_in=True, bias_mid=True, bias_out=True,
              norm=False, train=True):
    """The layer stack of OpenRec's ``MultiLayerFC`` (0.1 class and 0.2 function), in the current scope.

    ``relu(x)`` if ``relu_in``, dropout at ``dropout_in``; then for layer ``i``: weight
    ``FC__i`` ``[width of x, dims[i]]`` (Xavier uniform), plus bias ``bias__i`` (zeros)
    when ``bias_in`` (first layer) / ``bias_out`` (last) / ``bias_mid`` (others) holds;
    ReLU and dropout with the mid (``i < last``) or out settings; then :func:`batch_norm`
    in ``bn_i`` if ``norm`` (``train`` selects its mode). Dropout is applied whenever a rate is given: callers that switch it off
    for serving pass None. Returns the last layer's output.
    """
    if relu_in:
        x = tf.nn.relu(x)
    if dropout_in is not None:
        x = dropout(x, dropout_in)
    last = len(dims) - 1
    for i, width in enumerate(dims):
        weight = tf.get_variable('FC__%d' % i, shape=[x.shape[1], width], dtype=tf.float32,
                                 initializer=xavier_initializer(), trainable=True)
        out = tf.matmul(x, weight)
        if bias_in if i == 0 else (bias_out if i == last else bias_mid):
            out = tf.nn.bias_add(out, tf.get_variable('bias__%d' % i, shape=[width], dtype=tf.float32,
                                                      initializer=tf.zeros_initializer(),
                                                      trainable=True))
        relu, rate = (relu_mid, dropout_mid) if i < last else (relu_out, dropout_out)
        if relu:
            out = tf.nn.relu(out)
        if rate is not None:
            out = dropout(out, rate)
        if norm:
            # reuse=None: the sub-scope inherits the MLP scope's reuse mode
            out = batch_norm(out, train=train, reuse=None, scope='bn_%d' % i)
        x = out
    return x

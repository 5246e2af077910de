"""The LatentFactor extraction function of the OpenRec 0.2 API."""
import numpy as np
import tensorflow.compat.v1 as tf

from openrec._tfutils import (ArgumentError, ArgumentTypeError, array_initializer, check_l2_reg,
                              check_shape, check_tensor, embedding_initializer, embedding_lookup)
from openrec.tf1.modules._common import LOSS, check_subgraph, start


def _initializer(init, shape):
    """The initializer for ``init``: a keyword or number; or the full initial array.

    Arrays become an initializer only where the table is made (see ``array_initializer``).
    """
    if isinstance(init, str):
        return embedding_initializer(init)
    try:
        value = np.asarray(init)
    except ValueError:  # ragged nesting
        value = np.asarray(None)
    if value.dtype.kind not in 'biuf':
        raise ArgumentTypeError("init must be 'normal', 'zero', a number or an array of numbers, "
                                "got %r" % (init,))
    value = value.astype(np.float32)
    if value.ndim == 0:
        return tf.constant_initializer(float(value))
    size = int(np.prod(shape))
    if value.size > size:
        raise ArgumentError('init holds %d values, more than the %d entries of a %s table'
                            % (value.size, size, shape))
    # TF's constant_initializer layout: row-major; a short array repeats its last value
    # (an empty one gives zeros)
    full = np.full(size, value.flat[-1] if value.size else 0.0, dtype=np.float32)
    full[:value.size] = value.ravel()
    return full.reshape(shape)


def LatentFactor(shape, id_=None, l2_reg=None, init='normal', subgraph=None, scope=None):
    """Embedding table ``embedding`` in variable scope ``scope``, and the rows of ``id_``.

    Parameters
    ----------
    shape : list of int
        ``[number of ids, embedding dimensionality]`` of the table.
    id_ : int Tensor, optional
        Ids to look up, of any shape ``S``; the lookup has shape ``S + [shape[1]]``.
    l2_reg : float, optional
        Registers ``l2_reg · ½·Σ rows²`` of the looked-up rows (``0.0`` included) on
        ``subgraph``; needs ``id_`` and ``subgraph``.
    init : str, float or array, optional
        ``'normal'`` (default): truncated normal, mean 0, stddev 0.01 (values within
        ±0.02); ``'zero'``: zeros; a number: that constant; an array: its values in
        row-major order, a shorter one padded with its last value.
    subgraph : object, optional
        Any object with ``register_global_loss(tensor)`` (the machinery's subgraph).
    scope : str
        Variable scope of the table (required). Variables are shared by scope name
        (``reuse=AUTO_REUSE``): a later call with the same scope, in the same enclosing
        scope, returns the same table whatever its ``init``.

    Returns
    -------
    tuple
        ``(embedding, output)``: the table variable (float32, ``shape``, trainable) and
        the looked-up rows (float32), or ``None`` without ``id_``.

    Raises
    ------
    ValueError
        If ``scope`` is None, ``shape`` is not a pair of positive ints, ``init`` is a
        string other than ``'normal'``/``'zero'`` or an array with more values than the
        table, ``l2_reg`` is negative, or ``l2_reg`` is set without ``id_`` or
        ``subgraph``; or (with the message TF gives) when the scope already holds an
        ``embedding`` of another shape.
    TypeError
        If ``init`` is not numeric, ``id_`` is not an integer tensor, ``scope`` is not a
        string, or ``subgraph`` lacks ``register_global_loss``.
    RuntimeError
        If eager execution is active (scope sharing needs a graph).

    Notes
    -----
    Kept from the original: the L2 term is on the looked-up rows, not the table, so
    every occurrence counts (duplicate ids, and the padding ids of sequence models);
    ``l2_reg=0.0`` still registers a (zero) loss.

    Changed: ``scope=None`` (the default, which always failed in TF with
    "reuse=True cannot be used without a name_or_scope") raises a ``ValueError`` saying
    that ``scope`` is required; ``l2_reg`` without ``id_`` or ``subgraph``, and strings
    other than the two keywords for ``init``, fail with a ``ValueError`` before anything
    is built, instead of inside TF; eager execution is refused (it silently created a new
    table per call). Array initial values are handed to TensorFlow when the initializer
    runs rather than stored in the GraphDef, so large tables do not hit the 2 GB
    protobuf limit (the graph then initialises them only in this process).
    """
    start('LatentFactor', scope)
    shape = check_shape(shape)
    l2_reg = check_l2_reg(l2_reg)
    initializer = _initializer(init, shape)
    if l2_reg is not None:
        if id_ is None:
            raise ArgumentError('id_ cannot be None when l2_reg is set: the L2 loss is computed '
                                'on the looked-up rows')
        check_subgraph(subgraph, 'LatentFactor', LOSS)
    if id_ is not None:
        id_ = check_tensor(id_, 'id_', dtype='integer')
    with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
        if isinstance(initializer, np.ndarray):
            initializer = array_initializer(initializer)
        embedding = tf.get_variable('embedding', shape=shape, dtype=tf.float32,
                                    initializer=initializer, trainable=True)
        output = None if id_ is None else embedding_lookup(embedding, id_)
        if l2_reg is not None:
            subgraph.register_global_loss(l2_reg * tf.nn.l2_loss(output))
    return embedding, output

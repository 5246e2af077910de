"""What the OpenRec 0.2 recommender functions share (private): checks, inputs, Adam."""
import tensorflow.compat.v1 as tf

from openrec._checks import check_optional_positive_int, check_positive_int

# Q25 of the spec: every recommender trains with Adam at this rate, not configurable
LEARNING_RATE = 0.001


def check_batch_size(batch_size):
    """``batch_size``: a positive int, or None for training placeholders of shape ``[None]``."""
    return check_optional_positive_int(batch_size, 'batch_size')


def positive_ints(*named):
    """Each ``(value, name)`` pair must hold a positive int; returns the values as ints."""
    return [check_positive_int(value, name) for value, name in named]


def placeholders(subgraph, fields, update=False, identifier='default'):
    """Declare input placeholders of a graph and their input mapping.

    For each ``(name, dtype, shape)`` of ``fields``, in order: the placeholder
    ``inputgraph/<name>``, stored in the out-port ``name`` and mapped from the batch
    field ``name``. The mapping is registered under ``identifier``, or with ``update``
    added to the one registered before (recommenders that extend another one's inputs).
    """
    mapping = dict()
    for name, dtype, shape in fields:
        subgraph[name] = mapping[name] = tf.placeholder(dtype, shape=shape, name=name)
    if update:
        subgraph.update_global_input_mapping(mapping, identifier)
    else:
        subgraph.register_global_input_mapping(mapping, identifier)


def declare_sequence_inputs(rec, batch_size, max_seq_len):
    """Inputs of RNNRec and VanillaYouTubeRec: padded item sequences and their lengths.

    Training: ``seq_item_id`` int32 ``[B, L]``, ``seq_len`` and ``label`` int32 ``[B]``;
    serving: ``seq_item_id`` ``[None, L]`` and ``seq_len`` ``[None]``.
    """
    @rec.traingraph.inputgraph(outs=['seq_item_id', 'seq_len', 'label'])
    def train_input_graph(subgraph):
        placeholders(subgraph, [('seq_item_id', tf.int32, [batch_size, max_seq_len]),
                                ('seq_len', tf.int32, [batch_size]),
                                ('label', tf.int32, [batch_size])])

    @rec.servegraph.inputgraph(outs=['seq_item_id', 'seq_len'])
    def serve_input_graph(subgraph):
        placeholders(subgraph, [('seq_item_id', tf.int32, [None, max_seq_len]),
                                ('seq_len', tf.int32, [None])])


def declare_adam(rec):
    """The training graph's optimizer: Adam (rate 0.001) on the sum of the default losses.

    Built in the ``optimizergraph`` scope, so its variables are
    ``optimizergraph/beta1_power``, ``optimizergraph/beta2_power`` and
    ``optimizergraph/<variable>/Adam``, ``.../Adam_1`` for every trainable variable. The
    train op is registered as the ``'default'`` operation.
    """
    @rec.traingraph.optimizergraph
    def optimizer_graph(subgraph):
        losses = tf.add_n(subgraph.get_global_losses())
        optimizer = tf.train.AdamOptimizer(learning_rate=LEARNING_RATE)
        subgraph.register_global_operation(optimizer.minimize(losses))

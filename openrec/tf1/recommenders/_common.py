"""What the OpenRec 0.2 recommender functions share (private): checks, inputs, Adam."""
import tensorflow.compat.v1 as tf

from openrec._checks import check_optional_positive_int, check_positive_int
from openrec.tf1.modules.extractions import LatentFactor
from openrec.tf1.modules.interactions import MLPSoftmax

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


def item_lookups(subgraph, item_id, total_items, dim_item_embed, l2_reg):
    """Item vectors and biases of ``item_id``: LatentFactors ``item`` and ``item_bias``.

    ``item/embedding [total_items, dim_item_embed]`` (truncated normal) and
    ``item_bias/embedding [total_items, 1]`` (zeros), L2 terms registered when ``l2_reg``
    is set. Returns ``(vectors, biases)``.
    """
    _, vec = LatentFactor(l2_reg=l2_reg, init='normal', id_=item_id,
                          shape=[total_items, dim_item_embed], subgraph=subgraph, scope='item')
    _, bias = LatentFactor(l2_reg=l2_reg, init='zero', id_=item_id, shape=[total_items, 1],
                           subgraph=subgraph, scope='item_bias')
    return vec, bias


def declare_user_lookup(rec, total_users, dim_user_embed, l2_reg):
    """Both graphs' ``usergraph``: ``user_vec`` = rows ``user_id`` of LatentFactor ``user``."""
    @rec.traingraph.usergraph(ins=['user_id'], outs=['user_vec'])
    @rec.servegraph.usergraph(ins=['user_id'], outs=['user_vec'])
    def user_graph(subgraph):
        _, subgraph['user_vec'] = LatentFactor(l2_reg=l2_reg, init='normal',
                                               id_=subgraph['user_id'],
                                               shape=[total_users, dim_user_embed],
                                               subgraph=subgraph, scope='user')


def declare_sequence_lookup(rec, ins, total_items, dim_item_embed, l2_reg):
    """Both graphs' ``itemgraph``: ``seq_item_vec`` = rows ``seq_item_id`` of LatentFactor ``item``.

    ``ins`` are the in-ports declared (``seq_item_id`` first); others are connected but unused.
    """
    @rec.traingraph.itemgraph(ins=ins, outs=['seq_item_vec'])
    @rec.servegraph.itemgraph(ins=ins, outs=['seq_item_vec'])
    def item_graph(subgraph):
        _, subgraph['seq_item_vec'] = LatentFactor(l2_reg=l2_reg, init='normal',
                                                   id_=subgraph['seq_item_id'],
                                                   shape=[total_items, dim_item_embed],
                                                   subgraph=subgraph, scope='item')


def declare_pairwise_interactions(rec, interaction, scope):
    """Both graphs' ``interactiongraph`` with a pairwise interaction function.

    Training: ``interaction`` on ``user_vec`` and the positive and negative item vectors and
    biases; serving: on ``user_vec``, ``item_vec``, ``item_bias`` (BPR: ``PairwiseLog``,
    UCML: ``PairwiseEuDist``).
    """
    @rec.traingraph.interactiongraph(ins=['user_vec', 'p_item_vec', 'n_item_vec', 'p_item_bias',
                                          'n_item_bias'])
    def train_interaction_graph(subgraph):
        interaction(user_vec=subgraph['user_vec'], p_item_vec=subgraph['p_item_vec'],
                    n_item_vec=subgraph['n_item_vec'], p_item_bias=subgraph['p_item_bias'],
                    n_item_bias=subgraph['n_item_bias'], subgraph=subgraph, train=True,
                    scope=scope)

    @rec.servegraph.interactiongraph(ins=['user_vec', 'item_vec', 'item_bias'])
    def serve_interaction_graph(subgraph):
        interaction(user_vec=subgraph['user_vec'], item_vec=subgraph['item_vec'],
                    item_bias=subgraph['item_bias'], subgraph=subgraph, train=False, scope=scope)


def declare_mlp_softmax(rec, user, max_seq_len, dims, l2_reg_mlp, dropout):
    """Both graphs' ``interactiongraph``: ``MLPSoftmax`` in scope ``MLPSoftmax``.

    Inputs: the user vector (in-port ``user_vec``, when ``user``), ``seq_item_vec`` and
    ``seq_len``; training also ``label``, with dropout; serving without either.
    """
    ins = (['user_vec'] if user else []) + ['seq_item_vec', 'seq_len']

    def mlp_softmax(subgraph, train):
        MLPSoftmax(user=subgraph['user_vec'] if user else None, item=subgraph['seq_item_vec'],
                   seq_len=subgraph['seq_len'], max_seq_len=max_seq_len, dims=dims,
                   l2_reg=l2_reg_mlp, labels=subgraph['label'] if train else None,
                   dropout=dropout if train else None, train=train, subgraph=subgraph,
                   scope='MLPSoftmax')

    @rec.traingraph.interactiongraph(ins=ins + ['label'])
    def train_interaction_graph(subgraph):
        mlp_softmax(subgraph, train=True)

    @rec.servegraph.interactiongraph(ins=ins)
    def serve_interaction_graph(subgraph):
        mlp_softmax(subgraph, train=False)


def connect_label(rec):
    """Training graph only: ``interactiongraph.label`` ← ``inputgraph.label``."""
    @rec.traingraph.connector.extend
    def train_connect(graph):
        graph.interactiongraph['label'] = graph.inputgraph['label']

"""The RNNRec recommender function of the OpenRec 0.2 API."""
from openrec._checks import check_l2_reg
from openrec.tf1.modules.interactions import RNNSoftmax
from openrec.tf1.recommenders._common import (check_batch_size, connect_label, declare_adam,
                                              declare_sequence_inputs, declare_sequence_lookup,
                                              positive_ints)
from openrec.tf1.recommenders.recommender import Recommender


def RNNRec(batch_size, dim_item_embed, max_seq_len, total_items, num_units, l2_reg=None,
           init_model_dir=None, save_model_dir='Recommender/', train=True, serve=False):
    """Session-based next-item recommendation with a GRU [#rnnrec]_ and a full softmax.

    A user's history is a padded sequence of item ids; the GRU's state after the last
    real item, ``h`` (``num_units``), gives logits ``h·Wᵀ + b`` over all items, trained
    with the softmax cross-entropy of the next item.

    Batch fields (placeholders ``inputgraph/<field>``, int32): training ``seq_item_id``
    ``[batch_size, max_seq_len]``, ``seq_len`` and ``label`` ``[batch_size]``; serving
    ``seq_item_id`` ``[None, max_seq_len]``, ``seq_len`` ``[None]``. Positions
    ``t ≥ seq_len`` are padding (the state of a row stops there; a length of 0 gives a
    zero state).

    Variables (float32, trainable, in both graphs): ``itemgraph/item/embedding
    [total_items, dim_item_embed]`` (truncated normal, stddev 0.01);
    ``interactiongraph/RNNSoftmax/rnn/gru_cell/gates/kernel [dim_item_embed + num_units,
    2·num_units]``, ``.../gates/bias [2·num_units]`` (ones),
    ``.../candidate/kernel [dim_item_embed + num_units, num_units]``,
    ``.../candidate/bias [num_units]`` (zeros); ``interactiongraph/RNNSoftmax/weights
    [total_items, num_units]`` (Xavier uniform), ``interactiongraph/RNNSoftmax/biases
    [total_items]`` (zeros); the training graph adds Adam's.

    Losses (``'default'``, in order): training ``λ·ℓ2`` of all ``batch_size × max_seq_len``
    looked-up rows (when ``l2_reg`` is set; ``ℓ2(t) = ½·Σ t²``), then the mean over rows of
    ``logsumexp(z) − z_label``; serving the L2 term when set. Outputs: serving the
    logits ``squeeze(h·Wᵀ + b)``: ``[N, total_items]``, or ``[total_items]`` for one row.

    Parameters
    ----------
    batch_size : int or None
        Rows of a training batch (the training placeholders have exactly this size).
    dim_item_embed : int
        Width of the item embedding (the GRU's input).
    max_seq_len : int
        Length of the padded sequences.
    total_items : int
        Number of item ids (and classes).
    num_units : int
        Width of the GRU state.
    l2_reg : float, optional
        Weight of the L2 term of the looked-up rows (None: none).
    init_model_dir, save_model_dir : str, optional
        Checkpoint directories (see :class:`~openrec.tf1.recommenders.recommender.Recommender`).
    train, serve : bool, optional
        Which graphs are built.

    Returns
    -------
    ~openrec.tf1.recommenders.recommender.Recommender
        Declared and unbuilt.

    Raises
    ------
    ValueError, TypeError
        At the call, naming the argument, for an argument of the wrong type or value.

    Notes
    -----
    Kept from the original: the serving output is squeezed, so a one-row batch (what the
    evaluation sampler feeds) gives ``[total_items]``; scores are logits, not
    probabilities; the L2 term covers padding positions too (each occurrence counts);
    labels or ids outside ``[0, total_items)`` fail in TensorFlow at run time; training
    placeholders are fixed to ``batch_size``.

    Changed: arguments are validated at the call.

    References
    ----------
    .. [#rnnrec] Hidasi, B., Karatzoglou, A., Baltrunas, L. and Tikk, D., 2016. Session-based
       recommendations with recurrent neural networks. In International Conference on Learning
       Representations.
    """
    batch_size = check_batch_size(batch_size)
    dim_item_embed, max_seq_len, total_items, num_units = positive_ints(
        (dim_item_embed, 'dim_item_embed'), (max_seq_len, 'max_seq_len'),
        (total_items, 'total_items'), (num_units, 'num_units'))
    l2_reg = check_l2_reg(l2_reg)

    rec = Recommender(init_model_dir=init_model_dir, save_model_dir=save_model_dir,
                      train=train, serve=serve)
    t = rec.traingraph
    s = rec.servegraph
    declare_sequence_inputs(rec, batch_size, max_seq_len)

    declare_sequence_lookup(rec, ['seq_item_id'], total_items, dim_item_embed, l2_reg)

    @t.interactiongraph(ins=['seq_item_vec', 'seq_len', 'label'])
    def train_interaction_graph(subgraph):
        RNNSoftmax(subgraph['seq_item_vec'], seq_len=subgraph['seq_len'], num_units=num_units,
                   total_items=total_items, label=subgraph['label'], train=True,
                   subgraph=subgraph, scope='RNNSoftmax')

    @s.interactiongraph(ins=['seq_item_vec', 'seq_len'])
    def serve_interaction_graph(subgraph):
        RNNSoftmax(subgraph['seq_item_vec'], seq_len=subgraph['seq_len'], num_units=num_units,
                   total_items=total_items, train=False, subgraph=subgraph, scope='RNNSoftmax')

    declare_adam(rec)

    @t.connector
    @s.connector
    def connect(graph):
        graph.itemgraph['seq_item_id'] = graph.inputgraph['seq_item_id']
        graph.interactiongraph['seq_item_vec'] = graph.itemgraph['seq_item_vec']
        graph.interactiongraph['seq_len'] = graph.inputgraph['seq_len']

    connect_label(rec)
    return rec

"""The VanillaYouTubeRec recommender function of the OpenRec 0.2 API."""
from openrec._checks import check_l2_reg, check_rate
from openrec.tf1.recommenders._common import (check_batch_size, connect_label, declare_adam,
                                              declare_mlp_softmax, declare_sequence_inputs,
                                              declare_sequence_lookup, positive_ints)
from openrec.tf1.recommenders.recommender import Recommender


def VanillaYouTubeRec(batch_size, dim_item_embed, max_seq_len, total_items, l2_reg_embed=None,
                      l2_reg_mlp=None, dropout=None, init_model_dir=None,
                      save_model_dir='Vanilla_YouTubeRec/', train=True, serve=False):
    """YouTube-style next-item recommendation [#vanilla_youtube]_ from the averaged item history.

    The item embeddings of a user's padded history are summed up to its length and
    divided by ``max_seq_len`` (``ē``); a two-layer MLP gives logits over all items,
    ``z = relu(ē·W0 + b0)·W1``, trained with the softmax cross-entropy of the next item.

    Batch fields (placeholders ``inputgraph/<field>``, int32): training ``seq_item_id``
    ``[batch_size, max_seq_len]``, ``seq_len`` and ``label`` ``[batch_size]``; serving
    ``seq_item_id`` ``[None, max_seq_len]``, ``seq_len`` ``[None]``.

    Variables (float32, trainable, in both graphs): ``itemgraph/item/embedding
    [total_items, dim_item_embed]`` (truncated normal, stddev 0.01);
    ``interactiongraph/MLPSoftmax/mlp_reg/FC__0 [dim_item_embed, dim_item_embed]``,
    ``.../bias__0 [dim_item_embed]``, ``.../FC__1 [dim_item_embed, total_items]`` (Xavier
    uniform weights, zero bias, no bias on the last layer); the training graph adds
    Adam's.

    Losses (``'default'``, in order; ``ℓ2(t) = ½·Σ t²``): training ``λ_e·ℓ2`` of all
    looked-up rows (when ``l2_reg_embed`` is set), ``λ_m·ℓ2(W0), λ_m·ℓ2(b0), λ_m·ℓ2(W1)``
    (when ``l2_reg_mlp`` is set), then the mean over rows of ``logsumexp(z) − z_label``;
    serving the same L2 terms. Outputs: serving the logits ``z`` ``[N, total_items]``.

    Parameters
    ----------
    batch_size : int or None
        Rows of a training batch (the training placeholders have exactly this size).
    dim_item_embed : int
        Width of the item embedding and of the hidden layer.
    max_seq_len : int
        Length of the padded sequences.
    total_items : int
        Number of item ids (and classes).
    l2_reg_embed, l2_reg_mlp : float, optional
        Weights of the L2 terms of the looked-up rows and of the MLP variables.
    dropout : float, optional
        Drop probability after the hidden layer, in training only (in ``[0, 1)``).
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
    Kept from the original: the history is averaged over ``max_seq_len``, not over its
    length; scores are logits ``[N, total_items]`` (not squeezed, no softmax); the L2
    term of the embeddings covers padding positions too; ``seq_len`` is connected to the
    item graph but unused there; training placeholders are fixed to ``batch_size``; ids
    and labels outside ``[0, total_items)`` fail in TensorFlow at run time.

    Changed: ``dropout`` outside ``[0, 1)`` raises a ``ValueError`` at the call (the
    original failed at ``build()``); arguments are validated at the call.

    References
    ----------
    .. [#vanilla_youtube] Covington, P., Adams, J. and Sargin, E., 2016. Deep neural networks
       for YouTube recommendations. In Proceedings of the 10th ACM Conference on Recommender
       Systems (pp. 191-198).
    """
    batch_size = check_batch_size(batch_size)
    dim_item_embed, max_seq_len, total_items = positive_ints(
        (dim_item_embed, 'dim_item_embed'), (max_seq_len, 'max_seq_len'),
        (total_items, 'total_items'))
    l2_reg_embed = check_l2_reg(l2_reg_embed, 'l2_reg_embed')
    l2_reg_mlp = check_l2_reg(l2_reg_mlp, 'l2_reg_mlp')
    dropout = check_rate(dropout, 'dropout')

    rec = Recommender(init_model_dir=init_model_dir, save_model_dir=save_model_dir,
                      train=train, serve=serve)
    t = rec.traingraph
    s = rec.servegraph
    declare_sequence_inputs(rec, batch_size, max_seq_len)
    declare_sequence_lookup(rec, ['seq_item_id', 'seq_len'], total_items, dim_item_embed,
                            l2_reg_embed)
    declare_mlp_softmax(rec, False, max_seq_len, [dim_item_embed, total_items], l2_reg_mlp,
                        dropout)
    declare_adam(rec)

    @t.connector
    @s.connector
    def connect(graph):
        graph.itemgraph['seq_item_id'] = graph.inputgraph['seq_item_id']
        graph.itemgraph['seq_len'] = graph.inputgraph['seq_len']
        graph.interactiongraph['seq_item_vec'] = graph.itemgraph['seq_item_vec']
        graph.interactiongraph['seq_len'] = graph.inputgraph['seq_len']

    connect_label(rec)
    return rec

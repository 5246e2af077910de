"""The BPR recommender function of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._checks import check_l2_reg
from openrec.tf1.modules.interactions import PairwiseLog
from openrec.tf1.recommenders._common import (check_batch_size, declare_adam,
                                              declare_pairwise_interactions,
                                              declare_user_lookup, item_lookups, placeholders,
                                              positive_ints)
from openrec.tf1.recommenders.recommender import Recommender


def BPR(batch_size, dim_user_embed, dim_item_embed, total_users, total_items, l2_reg=None,
        init_model_dir=None, save_model_dir='Recommender/', train=True, serve=False):
    """Bayesian Personalized Ranking [#bpr]_ with item biases, declared on a Recommender.

    A training example is a triple (user ``u``, positive item ``p``, negative item
    ``q``); the model scores ``u·v + β_v`` and learns to rank ``p`` above ``q``.

    Batch fields (placeholders ``inputgraph/<field>``, int32): training ``user_id``,
    ``p_item_id``, ``n_item_id`` ``[batch_size]``; serving ``user_id``, ``item_id``
    ``[None]`` (one score per row pair).

    Variables (float32, trainable, in both graphs): ``usergraph/user/embedding
    [total_users, dim_user_embed]`` and ``itemgraph/item/embedding [total_items,
    dim_item_embed]`` (truncated normal, stddev 0.01), ``itemgraph/item_bias/embedding
    [total_items, 1]`` (zeros); the training graph adds Adam's ``optimizergraph/beta1_power``,
    ``optimizergraph/beta2_power`` and ``optimizergraph/<variable>/Adam``, ``/Adam_1``.

    Losses (``'default'``, in order; ``ℓ2(t) = ½·Σ t²``): training ``λ·ℓ2`` of the looked-up
    ``u``, ``p``, ``β_p``, ``q``, ``β_q`` (only when ``l2_reg`` is set), then
    ``−Σ ln σ(max(u·p + β_p − u·q − β_q, −30))``; serving ``λ·ℓ2`` of ``u``, ``v``, ``β``
    (when ``l2_reg`` is set). Outputs: serving ``u·v + β``, shape ``[N]``; training none.
    Operations: training ``'default'``: the Adam step (learning rate 0.001) on the sum of
    the losses.

    Parameters
    ----------
    batch_size : int or None
        Rows of a training batch; the training placeholders have exactly this size
        (None: any size).
    dim_user_embed, dim_item_embed : int
        Widths of the user and item embeddings (must be equal, see Notes).
    total_users, total_items : int
        Number of user and item ids (ids are ``0 … total − 1``).
    l2_reg : float, optional
        Weight of the L2 terms of the looked-up rows (None: no L2 terms).
    init_model_dir : str, optional
        Checkpoint directory restored at ``build()`` (``<dir>/model.ckpt``).
    save_model_dir : str, optional
        Directory of saved checkpoints and of the train-to-serve copy.
    train, serve : bool, optional
        Which graphs ``build()`` builds (training only, by default).

    Returns
    -------
    ~openrec.tf1.recommenders.recommender.Recommender
        Declared and unbuilt (``ModelTrainer`` builds it, or call ``build()``).

    Raises
    ------
    ValueError, TypeError
        At the call, before anything is declared, for an argument of the wrong type or
        value (sizes must be positive ints, ``l2_reg`` a number ``≥ 0`` or None), naming
        the argument. At :meth:`~openrec.tf1.recommenders.recommender.Recommender.build`:
        ``ValueError`` naming the user and item vectors when ``dim_user_embed ≠ dim_item_embed``.

    Notes
    -----
    Kept from the original: training placeholders are fixed to ``batch_size``, so a
    smaller last batch fails TensorFlow's feed check; the L2 terms are on the looked-up
    rows (each occurrence counts) and are registered in the serving graph too (returned
    as its ``'losses'``); scores are raw (no sigmoid); ``dim_user_embed ≠ dim_item_embed``
    is not checked at the call, because VBPR builds on BPR with a wider user embedding;
    ids outside ``[0, total_users)`` / ``[0, total_items)`` are not checked per batch (a
    TensorFlow lookup error on CPU).

    Changed: ``dim_user_embed ≠ dim_item_embed`` fails at ``build()`` with a ``ValueError``
    naming the two vectors (the original failed with a TensorFlow shape error, or silently
    broadcast a width of 1); arguments are validated at the call.

    References
    ----------
    .. [#bpr] Rendle, S., Freudenthaler, C., Gantner, Z. and Schmidt-Thieme, L., 2009. BPR:
       Bayesian personalized ranking from implicit feedback. In Proceedings of the Twenty-Fifth
       Conference on Uncertainty in Artificial Intelligence (pp. 452-461).
    """
    batch_size = check_batch_size(batch_size)
    dim_user_embed, dim_item_embed, total_users, total_items = positive_ints(
        (dim_user_embed, 'dim_user_embed'), (dim_item_embed, 'dim_item_embed'),
        (total_users, 'total_users'), (total_items, 'total_items'))
    l2_reg = check_l2_reg(l2_reg)

    rec = Recommender(init_model_dir=init_model_dir, save_model_dir=save_model_dir,
                      train=train, serve=serve)
    t = rec.traingraph
    s = rec.servegraph

    @t.inputgraph(outs=['user_id', 'p_item_id', 'n_item_id'])
    def train_input_graph(subgraph):
        placeholders(subgraph, [(name, tf.int32, [batch_size])
                                for name in ['user_id', 'p_item_id', 'n_item_id']])

    @s.inputgraph(outs=['user_id', 'item_id'])
    def serve_input_graph(subgraph):
        placeholders(subgraph, [(name, tf.int32, [None]) for name in ['user_id', 'item_id']])

    declare_user_lookup(rec, total_users, dim_user_embed, l2_reg)

    @t.itemgraph(ins=['p_item_id', 'n_item_id'],
                 outs=['p_item_vec', 'p_item_bias', 'n_item_vec', 'n_item_bias'])
    def train_item_graph(subgraph):
        for prefix in ['p_', 'n_']:
            subgraph[prefix + 'item_vec'], subgraph[prefix + 'item_bias'] = item_lookups(
                subgraph, subgraph[prefix + 'item_id'], total_items, dim_item_embed, l2_reg)

    @s.itemgraph(ins=['item_id'], outs=['item_vec', 'item_bias'])
    def serve_item_graph(subgraph):
        subgraph['item_vec'], subgraph['item_bias'] = item_lookups(
            subgraph, subgraph['item_id'], total_items, dim_item_embed, l2_reg)

    declare_pairwise_interactions(rec, PairwiseLog, 'PairwiseLog')
    declare_adam(rec)

    @t.connector
    def train_connect(graph):
        graph.usergraph['user_id'] = graph.inputgraph['user_id']
        graph.itemgraph['p_item_id'] = graph.inputgraph['p_item_id']
        graph.itemgraph['n_item_id'] = graph.inputgraph['n_item_id']
        graph.interactiongraph['user_vec'] = graph.usergraph['user_vec']
        for name in ['p_item_vec', 'n_item_vec', 'p_item_bias', 'n_item_bias']:
            graph.interactiongraph[name] = graph.itemgraph[name]

    @s.connector
    def serve_connect(graph):
        graph.usergraph['user_id'] = graph.inputgraph['user_id']
        graph.itemgraph['item_id'] = graph.inputgraph['item_id']
        graph.interactiongraph['user_vec'] = graph.usergraph['user_vec']
        graph.interactiongraph['item_vec'] = graph.itemgraph['item_vec']
        graph.interactiongraph['item_bias'] = graph.itemgraph['item_bias']

    return rec

"""The PMF recommender function of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._checks import check_l2_reg, check_number
from openrec.tf1.modules.interactions import PointwiseMSE
from openrec.tf1.recommenders._common import (check_batch_size, connect_label, declare_adam,
                                              declare_user_lookup, item_lookups, placeholders,
                                              positive_ints)
from openrec.tf1.recommenders.recommender import Recommender


def PMF(batch_size, dim_user_embed, dim_item_embed, total_users, total_items, a=1.0, b=1.0,
        l2_reg=None, init_model_dir=None, save_model_dir='Recommender/', train=True,
        serve=False):
    """Probabilistic Matrix Factorization [#pmf]_ with item biases and weighted squared error.

    The model predicts ``ŷ = u·v + β_v`` for a (user, item) pair and is trained on labels
    ``y`` with the error ``((a − b)·y + b)·(y − ŷ)²`` (for 0/1 labels: weight ``a`` on
    positives, ``b`` on negatives).

    Batch fields (placeholders ``inputgraph/<field>``): training ``user_id``, ``item_id``
    (int32) and ``label`` (float32), all ``[batch_size]``; serving ``user_id``, ``item_id``
    (int32, ``[None]``, one prediction per row pair).

    Variables: as :func:`BPR` (``usergraph/user/embedding``,
    ``itemgraph/item/embedding``, ``itemgraph/item_bias/embedding``, plus Adam's in the
    training graph).

    Losses (``'default'``, in order; ``ℓ2(t) = ½·Σ t²``): training ``λ·ℓ2`` of the looked-up
    ``u``, ``v``, ``β`` (only when ``l2_reg`` is set), then ``Σ ((a − b)·y + b)·(y − ŷ)²``;
    serving the three L2 terms when ``l2_reg`` is set. Outputs: training ``ŷ``
    ``[batch_size]``; serving ``ŷ`` ``[N]`` (no sigmoid). Operations: training
    ``'default'``: the Adam step (learning rate 0.001).

    Parameters
    ----------
    batch_size : int or None
        Rows of a training batch (the training placeholders have exactly this size).
    dim_user_embed, dim_item_embed : int
        Widths of the user and item embeddings (must be equal).
    total_users, total_items : int
        Number of user and item ids.
    a, b : float, optional
        Weights of the squared error for label 1 and label 0 (linear in the label).
    l2_reg : float, optional
        Weight of the L2 terms of the looked-up rows (None: no L2 terms).
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
        At the call, naming the argument, for a bad argument (``a``, ``b`` must be
        numbers). At ``build()``: ``ValueError`` naming the user and item vectors when
        ``dim_user_embed ≠ dim_item_embed``.

    Notes
    -----
    Kept from the original (and unlike the 0.1 ``PMF``): no ½ factor and an unsquared
    weight in the error; the training graph registers its prediction as an output, so
    ``train()`` returns it under ``'outputs'``; the serving graph registers the L2 terms
    when ``l2_reg`` is set; training placeholders are fixed to ``batch_size``; ids are
    not checked per batch (TensorFlow's lookup error).

    Changed: ``dim_user_embed ≠ dim_item_embed`` raises a ``ValueError`` at ``build()``
    (the original failed with a TensorFlow shape error or silently broadcast a width of
    1); arguments are validated at the call.

    References
    ----------
    .. [#pmf] Mnih, A. and Salakhutdinov, R.R., 2008. Probabilistic matrix factorization. In
       Advances in Neural Information Processing Systems (pp. 1257-1264).
    """
    batch_size = check_batch_size(batch_size)
    dim_user_embed, dim_item_embed, total_users, total_items = positive_ints(
        (dim_user_embed, 'dim_user_embed'), (dim_item_embed, 'dim_item_embed'),
        (total_users, 'total_users'), (total_items, 'total_items'))
    a = check_number(a, 'a', allow_none=False)
    b = check_number(b, 'b', allow_none=False)
    l2_reg = check_l2_reg(l2_reg)

    rec = Recommender(init_model_dir=init_model_dir, save_model_dir=save_model_dir,
                      train=train, serve=serve)
    t = rec.traingraph
    s = rec.servegraph

    @t.inputgraph(outs=['user_id', 'item_id', 'label'])
    def train_input_graph(subgraph):
        placeholders(subgraph, [('user_id', tf.int32, [batch_size]),
                                ('item_id', tf.int32, [batch_size]),
                                ('label', tf.float32, [batch_size])])

    @s.inputgraph(outs=['user_id', 'item_id'])
    def serve_input_graph(subgraph):
        placeholders(subgraph, [(name, tf.int32, [None]) for name in ['user_id', 'item_id']])

    declare_user_lookup(rec, total_users, dim_user_embed, l2_reg)

    @t.itemgraph(ins=['item_id'], outs=['item_vec', 'item_bias'])
    @s.itemgraph(ins=['item_id'], outs=['item_vec', 'item_bias'])
    def item_graph(subgraph):
        subgraph['item_vec'], subgraph['item_bias'] = item_lookups(
            subgraph, subgraph['item_id'], total_items, dim_item_embed, l2_reg)

    @t.interactiongraph(ins=['user_vec', 'item_vec', 'item_bias', 'label'])
    def train_interaction_graph(subgraph):
        PointwiseMSE(subgraph['user_vec'], subgraph['item_vec'], subgraph['item_bias'],
                     label=subgraph['label'], a=a, b=b, sigmoid=False, train=True,
                     subgraph=subgraph, scope='PointwiseMSE')

    @s.interactiongraph(ins=['user_vec', 'item_vec', 'item_bias'])
    def serve_interaction_graph(subgraph):
        PointwiseMSE(subgraph['user_vec'], subgraph['item_vec'], subgraph['item_bias'],
                     a=a, b=b, sigmoid=False, train=False, subgraph=subgraph,
                     scope='PointwiseMSE')

    declare_adam(rec)

    @t.connector
    @s.connector
    def connect(graph):
        graph.usergraph['user_id'] = graph.inputgraph['user_id']
        graph.itemgraph['item_id'] = graph.inputgraph['item_id']
        graph.interactiongraph['user_vec'] = graph.usergraph['user_vec']
        graph.interactiongraph['item_vec'] = graph.itemgraph['item_vec']
        graph.interactiongraph['item_bias'] = graph.itemgraph['item_bias']

    connect_label(rec)
    return rec

"""The VBPR recommender function of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec._checks import ArgumentError, check_l2_reg
from openrec._tfutils import scope_l2_losses, xavier_initializer
from openrec.tf1.modules.extractions import MultiLayerFC
from openrec.tf1.recommenders import BPR
from openrec.tf1.recommenders._common import placeholders, positive_ints


def _visual_part(vfeature, width, l2_reg_mlp, subgraph):
    """``MultiLayerFC(vfeature, [width], subgraph, l2_reg=l2_reg_mlp, scope='item_MLP')``.

    ``width = dim_user_embed − dim_item_embed`` may be 0 (an empty visual part, as in the
    original). ``MultiLayerFC`` rejects a layer width of 0, and TensorFlow's oneDNN matmul
    aborts the process on an empty output, so that case makes the same variables
    (``FC__0 [F, 0]``, ``bias__0 [0]``, their L2 entries) and writes the empty product as
    a sum.
    """
    if width > 0:
        return MultiLayerFC(vfeature, [width], subgraph, l2_reg=l2_reg_mlp, scope='item_MLP')
    with tf.variable_scope('item_MLP', reuse=tf.AUTO_REUSE) as scope:
        weight = tf.get_variable('FC__0', shape=[vfeature.shape[1], 0], dtype=tf.float32,
                                 initializer=xavier_initializer(), trainable=True)
        bias = tf.get_variable('bias__0', shape=[0], dtype=tf.float32,
                               initializer=tf.zeros_initializer(), trainable=True)
        out = tf.reduce_sum(tf.expand_dims(vfeature, 2) * weight, axis=1) + bias
        for loss in [] if l2_reg_mlp is None else scope_l2_losses(scope.name, l2_reg_mlp):
            subgraph.register_global_loss(loss)
    return out


def VBPR(batch_size, dim_user_embed, dim_item_embed, dim_v, total_users, total_items,
         l2_reg_embed=None, l2_reg_mlp=None, init_model_dir=None, save_model_dir='Recommender/',
         train=True, serve=False):
    """Visual BPR [#vbpr]_: :func:`BPR` whose item vectors append a projection of visual features.

    An item ``i`` with visual features ``f_i`` (``dim_v`` floats, e.g. CNN features) is
    represented by ``[γ_i, f_i·W + b_w]``, of width ``dim_user_embed``: its latent factor
    ``γ_i`` (``dim_item_embed``) and a linear projection of its features
    (``dim_user_embed − dim_item_embed`` columns). Scores are ``u·[γ_i, f_i·W + b_w] + β_i``
    and training is BPR's.

    Batch fields (placeholders ``inputgraph/<field>``): BPR's (int32), plus training
    ``p_item_vfeature``, ``n_item_vfeature`` (float32 ``[batch_size, dim_v]``) and serving
    ``item_vfeature`` (float32 ``[None, dim_v]``).

    Variables: BPR's (``usergraph/user/embedding [total_users, dim_user_embed]``,
    ``itemgraph/item/embedding [total_items, dim_item_embed]``,
    ``itemgraph/item_bias/embedding [total_items, 1]``) plus ``itemgraph/item_MLP/FC__0
    [dim_v, dim_user_embed − dim_item_embed]`` (Xavier uniform) and
    ``itemgraph/item_MLP/bias__0 [dim_user_embed − dim_item_embed]`` (zeros), all
    trainable, and Adam's in the training graph.

    Losses (``'default'``, in order; ``ℓ2(t) = ½·Σ t²``): training ``λ_e·ℓ2`` of the looked-up
    ``u``, ``γ_p``, ``β_p``, ``γ_q``, ``β_q`` (when ``l2_reg_embed`` is set), then
    ``λ_m·ℓ2(W), λ_m·ℓ2(b_w)`` twice (when ``l2_reg_mlp`` is set), then BPR's log loss;
    serving the three ``λ_e`` terms and ``λ_m·ℓ2(W), λ_m·ℓ2(b_w)`` once. Outputs: serving
    the scores ``[N]``. The serving graph's ports hold the widened vectors:
    ``servegraph.interactiongraph['item_vec']`` ``[N, dim_user_embed]``, and
    ``['item_bias']`` ``[N, 1]``, ``servegraph.usergraph['user_vec']`` (what a
    :class:`~openrec.tf1.fast_dot_product_server.FastDotProductServer` extracts).

    Parameters
    ----------
    batch_size : int or None
        Rows of a training batch (the training placeholders have exactly this size).
    dim_user_embed : int
        Width of the user embedding, and of the item representation.
    dim_item_embed : int
        Width of the item latent factor, at most ``dim_user_embed``.
    dim_v : int
        Number of visual features per item.
    total_users, total_items : int
        Number of user and item ids.
    l2_reg_embed : float, optional
        Weight of the L2 terms of the looked-up rows (BPR's ``l2_reg``).
    l2_reg_mlp : float, optional
        Weight of the L2 terms of ``W`` and ``b_w``.
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
    ValueError
        ``dim_user_embed < dim_item_embed`` (naming both), and bad argument values, at
        the call, before anything is declared.
    TypeError
        An argument of the wrong type, at the call.

    Notes
    -----
    Kept from the original: the training graph counts the L2 terms of the projection
    twice (one ``MultiLayerFC`` call per positive and negative item, each registering
    the scope's variables); ``dim_user_embed == dim_item_embed`` gives an empty visual
    part (``FC__0`` of shape ``[dim_v, 0]``) and trains as plain BPR; the rest as
    :func:`BPR` (fixed-size training placeholders, L2 terms in the serving graph, raw
    scores).

    Changed: ``dim_user_embed < dim_item_embed`` raises a ``ValueError`` at the call (the
    original failed at ``build()`` with "Dimension -1 must be >= 0"); arguments are
    validated at the call.

    References
    ----------
    .. [#vbpr] He, R. and McAuley, J., 2016. VBPR: visual Bayesian personalized ranking from
       implicit feedback. In Proceedings of the Thirtieth AAAI Conference on Artificial
       Intelligence (pp. 144-150).
    """
    dim_user_embed, dim_item_embed, dim_v = positive_ints(
        (dim_user_embed, 'dim_user_embed'), (dim_item_embed, 'dim_item_embed'), (dim_v, 'dim_v'))
    if dim_user_embed < dim_item_embed:
        raise ArgumentError(
            'dim_user_embed must be at least dim_item_embed (the item representation '
            'appends dim_user_embed - dim_item_embed visual columns to the item latent '
            'factor), got dim_user_embed=%d < dim_item_embed=%d' % (dim_user_embed, dim_item_embed))
    l2_reg_embed = check_l2_reg(l2_reg_embed, 'l2_reg_embed')
    l2_reg_mlp = check_l2_reg(l2_reg_mlp, 'l2_reg_mlp')
    width = dim_user_embed - dim_item_embed

    # BPR validates the other arguments before it declares anything
    rec = BPR(batch_size, dim_user_embed, dim_item_embed, total_users, total_items,
              l2_reg=l2_reg_embed, init_model_dir=init_model_dir, save_model_dir=save_model_dir,
              train=train, serve=serve)
    t = rec.traingraph
    s = rec.servegraph

    @t.inputgraph.extend(outs=['p_item_vfeature', 'n_item_vfeature'])
    def train_feature_input_graph(subgraph):
        placeholders(subgraph, [(name, tf.float32, [batch_size, dim_v])
                                for name in ['p_item_vfeature', 'n_item_vfeature']], update=True)

    @s.inputgraph.extend(outs=['item_vfeature'])
    def serve_feature_input_graph(subgraph):
        placeholders(subgraph, [('item_vfeature', tf.float32, [None, dim_v])], update=True)

    @t.itemgraph.extend(ins=['p_item_vfeature', 'n_item_vfeature'])
    def train_item_visual_graph(subgraph):
        p_visual = _visual_part(subgraph['p_item_vfeature'], width, l2_reg_mlp, subgraph)
        n_visual = _visual_part(subgraph['n_item_vfeature'], width, l2_reg_mlp, subgraph)
        subgraph['p_item_vec'] = tf.concat([subgraph['p_item_vec'], p_visual], axis=1)
        subgraph['n_item_vec'] = tf.concat([subgraph['n_item_vec'], n_visual], axis=1)

    @s.itemgraph.extend(ins=['item_vfeature'])
    def serve_item_visual_graph(subgraph):
        visual = _visual_part(subgraph['item_vfeature'], width, l2_reg_mlp, subgraph)
        subgraph['item_vec'] = tf.concat([subgraph['item_vec'], visual], axis=1)

    @t.connector.extend
    def train_feature_connect(graph):
        graph.itemgraph['p_item_vfeature'] = graph.inputgraph['p_item_vfeature']
        graph.itemgraph['n_item_vfeature'] = graph.inputgraph['n_item_vfeature']

    @s.connector.extend
    def serve_feature_connect(graph):
        graph.itemgraph['item_vfeature'] = graph.inputgraph['item_vfeature']

    return rec

"""The UCML recommender function of the OpenRec 0.2 API."""
import tensorflow.compat.v1 as tf

from openrec.tf1.modules.extractions import LatentFactor
from openrec.tf1.modules.interactions import PairwiseEuDist
from openrec.tf1.recommenders import BPR
from openrec.tf1.recommenders._common import declare_pairwise_interactions


def _censor(embedding, ids):
    """Scale the rows ``unique(ids)`` of ``embedding`` into the unit ball, in place.

    ``E[k] ← E[k] / max(‖E[k]‖, 1)``; returns the ``scatter_update`` result.
    """
    unique_ids, _ = tf.unique(ids)
    rows = tf.gather(embedding, unique_ids)
    norms = tf.sqrt(tf.reduce_sum(tf.square(rows), axis=1, keepdims=True))
    return tf.scatter_update(embedding, unique_ids, rows / tf.maximum(norms, 1.0))


def UCML(batch_size, dim_user_embed, dim_item_embed, total_users, total_items, l2_reg=None,
         init_model_dir=None, save_model_dir='Recommender/', train=True, serve=False):
    """Collaborative Metric Learning [#ucml]_ with item biases (UCML), built on :func:`BPR`.

    Users and items are points; the model scores ``−‖u − v‖² + β_v`` and learns, with a
    hinge of margin 1, to place a user's positive item nearer than a negative one.
    Everything but the interaction is BPR's: batch fields, variables, L2 terms, Adam.

    Batch fields (int32): training ``user_id``, ``p_item_id``, ``n_item_id``
    ``[batch_size]``; serving ``user_id``, ``item_id`` ``[None]``.

    Variables: as :func:`BPR` (``usergraph/user/embedding``, ``itemgraph/item/embedding``,
    ``itemgraph/item_bias/embedding``, plus Adam's in the training graph).

    Losses (``'default'``, in order): training BPR's five L2 terms (when ``l2_reg`` is set),
    then ``Σ max(1 − [(−‖u − p‖² + β_p) − (−‖u − q‖² + β_q)], 0)``; serving the three L2
    terms when set. Outputs: serving ``−‖u − v‖² + β``, shape ``[N, 1]``.
    Operations: training ``'default'``: the Adam step; ``'censor_embedding'``: two
    operations, user then item, that scale the embedding rows of the batch's users
    (resp. positive and negative items) with norm above 1 back onto the unit sphere,
    ``E[k] ← E[k] / max(‖E[k]‖, 1)``.

    Parameters
    ----------
    batch_size, dim_user_embed, dim_item_embed, total_users, total_items
        As :func:`BPR`.
    l2_reg, init_model_dir, save_model_dir, train, serve
        As :func:`BPR`.

    Returns
    -------
    ~openrec.tf1.recommenders.recommender.Recommender
        Declared and unbuilt.

    Raises
    ------
    ValueError, TypeError
        As :func:`BPR`.

    Notes
    -----
    Kept from the original: norm censoring is not part of the training step; run it
    after each step on the same batch, ``rec.train(batch, operations_id='censor_embedding')``
    (as OpenRec's example does). Only the rows of the batch are censored, item biases
    never. Serving scores have shape ``[N, 1]`` (BPR's and PMF's are ``[N]``). The rest
    as :func:`BPR` (fixed-size training placeholders, L2 terms in the serving graph).

    Changed: as :func:`BPR`.

    References
    ----------
    .. [#ucml] Hsieh, C.K., Yang, L., Cui, Y., Lin, T.Y., Belongie, S. and Estrin, D., 2017.
       Collaborative metric learning. In Proceedings of the 26th International Conference on
       World Wide Web (pp. 193-201).
    """
    # BPR validates every argument before it declares anything
    rec = BPR(batch_size=batch_size, dim_user_embed=dim_user_embed,
              dim_item_embed=dim_item_embed, total_users=total_users, total_items=total_items,
              l2_reg=l2_reg, init_model_dir=init_model_dir, save_model_dir=save_model_dir,
              train=train, serve=serve)
    t = rec.traingraph

    @t.usergraph.extend
    def censor_user(subgraph):
        user_embedding = LatentFactor(l2_reg=None, init='normal', id_=None,
                                      shape=[total_users, dim_user_embed], scope='user')[0]
        subgraph.register_global_operation(_censor(user_embedding, subgraph['user_id']),
                                           identifier='censor_embedding')

    @t.itemgraph.extend
    def censor_item(subgraph):
        item_embedding = LatentFactor(l2_reg=None, init='normal', id_=None,
                                      shape=[total_items, dim_item_embed], scope='item')[0]
        item_ids = tf.concat([subgraph['p_item_id'], subgraph['n_item_id']], axis=0)
        subgraph.register_global_operation(_censor(item_embedding, item_ids),
                                           identifier='censor_embedding')

    declare_pairwise_interactions(rec, PairwiseEuDist, 'PairwiseEuDist')
    return rec

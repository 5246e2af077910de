"""The YouTubeRec recommender function of the OpenRec 0.2 API."""
import collections.abc

import tensorflow.compat.v1 as tf

from openrec._checks import ArgumentError, ArgumentTypeError
from openrec.tf1.modules.extractions import LatentFactor
from openrec.tf1.recommenders import VanillaYouTubeRec
from openrec.tf1.recommenders._common import declare_mlp_softmax, placeholders, positive_ints

# the keys read from each dict argument (Q19 of the spec: all checked at the call)
_KEYS = (('user_dict', ('gender', 'geo')), ('item_dict', ('id',)),
         ('dim_user_embed', ('total', 'geo', 'gender')), ('dim_item_embed', ('total', 'id')))


class MissingKeyError(ArgumentError, KeyError):
    """A dict argument lacks a key: a :class:`KeyError` (as the original's) and a ValueError."""

    def __str__(self):
        return str(self.args[0]) if self.args else ''


def _dict_values(**dicts):
    """``{(argument, key): positive int}`` for every key of ``_KEYS``."""
    values = dict()
    for name, keys in _KEYS:
        value = dicts[name]
        if not isinstance(value, collections.abc.Mapping):
            raise ArgumentTypeError('%s must be a dict with the keys %s, got %r'
                                    % (name, ', '.join(map(repr, keys)), value))
        for key in keys:
            if key not in value:
                raise MissingKeyError('%s has no key %r (YouTubeRec needs %s; got the keys %s)'
                                      % (name, key, ', '.join(map(repr, keys)),
                                         ', '.join(map(repr, value)) or 'none'))
            values[name, key], = positive_ints((value[key], '%s[%r]' % (name, key)))
    return values


def YouTubeRec(batch_size, user_dict, item_dict, dim_user_embed, dim_item_embed, max_seq_len,
               l2_reg_embed=None, l2_reg_mlp=None, dropout=None, init_model_dir=None,
               save_model_dir='YouTubeRec/', train=True, serve=False):
    """:func:`VanillaYouTubeRec` with user features (gender and geography) in the MLP input.

    After YouTube's candidate generator [#youtube]_: the input of the MLP is ``x = [g, o, ē]``,
    the embeddings of the user's gender ``g`` and geography ``o`` and the averaged item
    history ``ē`` (sum of the item embeddings up to the history's length, divided by
    ``max_seq_len``); logits ``z = relu(x·W0 + b0)·W1`` over all items, trained with the
    softmax cross-entropy of the next item.

    Batch fields (placeholders ``inputgraph/<field>``, int32): training ``seq_item_id``
    ``[batch_size, max_seq_len]``, ``seq_len``, ``label``, ``user_gender``, ``user_geo``
    ``[batch_size]``; serving ``seq_item_id`` ``[None, max_seq_len]``, ``seq_len``,
    ``user_gender``, ``user_geo`` ``[None]``.

    Variables (float32, trainable, in both graphs; ``dg, do, dI`` = ``dim_user_embed['gender']``,
    ``['geo']``, ``dim_item_embed['id']``, ``H = dim_user_embed['total'] +
    dim_item_embed['total']``, ``I = item_dict['id']``): ``usergraph/user_gender/embedding
    [user_dict['gender'], dg]``, ``usergraph/user_geo/embedding [user_dict['geo'], do]``,
    ``itemgraph/item/embedding [I, dI]`` (truncated normal, stddev 0.01);
    ``interactiongraph/MLPSoftmax/mlp_reg/FC__0 [dg + do + dI, H]``, ``.../bias__0 [H]``,
    ``.../FC__1 [H, I]``; the training graph adds Adam's.

    Losses (``'default'``, in order; ``ℓ2(t) = ½·Σ t²``): training ``λ_e·ℓ2(g)``,
    ``λ_e·ℓ2(o)``, ``λ_e·ℓ2`` of the looked-up item rows (when ``l2_reg_embed`` is set),
    ``λ_m·ℓ2(W0), λ_m·ℓ2(b0), λ_m·ℓ2(W1)`` (when ``l2_reg_mlp`` is set), then the mean
    cross-entropy; serving the same L2 terms. Outputs: serving the logits ``z`` ``[N, I]``.

    Parameters
    ----------
    batch_size : int or None
        Rows of a training batch (the training placeholders have exactly this size).
    user_dict : dict
        Vocabulary sizes of the user features: keys ``'gender'``, ``'geo'``.
    item_dict : dict
        Key ``'id'``: the number of item ids (and classes).
    dim_user_embed : dict
        Embedding widths ``'gender'``, ``'geo'``, and ``'total'``, the user part of the
        hidden width ``H``.
    dim_item_embed : dict
        Embedding width ``'id'`` of the items, and ``'total'``, the item part of ``H``.
    max_seq_len : int
        Length of the padded sequences.
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
    KeyError
        A dict argument lacks one of the keys above (:class:`MissingKeyError`, also a
        ``ValueError``), naming the dict and the key, at the call.
    ValueError, TypeError
        At the call, naming the argument (``user_dict['geo']`` for a dict entry), for an
        argument of the wrong type or value.

    Notes
    -----
    Kept from the original: the ``'total'`` entries only set the hidden width ``H``; they
    are not checked against the parts (OpenRec's example uses ``{'total': 30, 'geo': 20,
    'gender': 10}``); the rest as :func:`VanillaYouTubeRec` (average over
    ``max_seq_len``, logits ``[N, I]``, L2 terms in the serving graph, fixed-size training
    placeholders).

    Changed: every key is checked at the call (the original read some keys only at
    ``build()``, with a bare ``KeyError``); ``dropout`` outside ``[0, 1)`` raises a
    ``ValueError`` at the call.

    References
    ----------
    .. [#youtube] Covington, P., Adams, J. and Sargin, E., 2016. Deep neural networks for
       YouTube recommendations. In Proceedings of the 10th ACM Conference on Recommender
       Systems (pp. 191-198).
    """
    sizes = _dict_values(user_dict=user_dict, item_dict=item_dict, dim_user_embed=dim_user_embed,
                         dim_item_embed=dim_item_embed)
    total_items = sizes['item_dict', 'id']
    dims = [sizes['dim_user_embed', 'total'] + sizes['dim_item_embed', 'total'], total_items]

    # VanillaYouTubeRec validates the other arguments before it declares anything
    rec = VanillaYouTubeRec(batch_size=batch_size, dim_item_embed=sizes['dim_item_embed', 'id'],
                            max_seq_len=max_seq_len, total_items=total_items,
                            l2_reg_embed=l2_reg_embed, l2_reg_mlp=l2_reg_mlp, dropout=dropout,
                            init_model_dir=init_model_dir, save_model_dir=save_model_dir,
                            train=train, serve=serve)
    t = rec.traingraph
    s = rec.servegraph

    @t.inputgraph.extend(outs=['user_geo', 'user_gender'])
    def train_user_input_graph(subgraph):
        placeholders(subgraph, [('user_gender', tf.int32, [batch_size]),
                                ('user_geo', tf.int32, [batch_size])], update=True)

    @s.inputgraph.extend(outs=['user_gender', 'user_geo'])
    def serve_user_input_graph(subgraph):
        placeholders(subgraph, [('user_gender', tf.int32, [None]),
                                ('user_geo', tf.int32, [None])], update=True)

    @t.usergraph(ins=['user_geo', 'user_gender'], outs=['user_vec'])
    @s.usergraph(ins=['user_geo', 'user_gender'], outs=['user_vec'])
    def user_graph(subgraph):
        _, gender = LatentFactor(l2_reg=l2_reg_embed,
                                 shape=[sizes['user_dict', 'gender'],
                                        sizes['dim_user_embed', 'gender']],
                                 id_=subgraph['user_gender'], init='normal', subgraph=subgraph,
                                 scope='user_gender')
        _, geo = LatentFactor(l2_reg=l2_reg_embed,
                              shape=[sizes['user_dict', 'geo'], sizes['dim_user_embed', 'geo']],
                              id_=subgraph['user_geo'], init='normal', subgraph=subgraph,
                              scope='user_geo')
        subgraph['user_vec'] = tf.concat([gender, geo], axis=1)

    declare_mlp_softmax(rec, True, max_seq_len, dims, l2_reg_mlp, dropout)

    @t.connector.extend
    @s.connector.extend
    def user_connect(graph):
        graph.usergraph['user_geo'] = graph.inputgraph['user_geo']
        graph.usergraph['user_gender'] = graph.inputgraph['user_gender']
        graph.interactiongraph['user_vec'] = graph.usergraph['user_vec']

    return rec

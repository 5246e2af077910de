"""FastDotProductServer of the OpenRec 0.2 API: fast serving of dot-product recommenders."""
import numpy as np
import tensorflow.compat.v1 as tf

from openrec._checks import ArgumentError, ArgumentTypeError, check_has_methods, check_positive_int
from openrec.tf1.modules.extractions import LatentFactor
from openrec.tf1.recommenders import PMF
from openrec.tf1.recommenders._common import placeholders

_CACHES = ['user_lf_cache', 'item_lf_cache', 'item_bias_cache']


def _FastDotProductRecommender(batch_size, dim_embed, total_users, total_items):
    """The serving-only PMF that scores ``u·v + b`` from cached user and item vectors.

    ``PMF(batch_size, dim_embed, dim_embed, total_users, total_items, train=False,
    serve=True)`` (no checkpoints) whose serving graph also has:

    - float32 placeholders ``inputgraph/user_lf_cache [total_users, dim_embed]``,
      ``inputgraph/item_lf_cache [total_items, dim_embed]`` and
      ``inputgraph/item_bias_cache [total_items, 1]``, the input mapping ``'cache'``;
    - three operations ``'cache'`` that assign them to ``usergraph/user/embedding``,
      ``itemgraph/item/embedding`` and ``itemgraph/item_bias/embedding`` (in this order).

    Serving with the ``'default'`` ids then returns PMF's prediction ``Σ_d u_d·v_d + b``
    per ``(user_id, item_id)`` row pair (no sigmoid, no losses).

    Returns
    -------
    ~openrec.tf1.recommenders.recommender.Recommender
        Unbuilt; only its serving graph is ever built.
    """
    rec = PMF(batch_size=batch_size, dim_user_embed=dim_embed, dim_item_embed=dim_embed,
              total_users=total_users, total_items=total_items, init_model_dir=None,
              save_model_dir=None, train=False, serve=True)
    s = rec.servegraph

    @s.inputgraph.extend(outs=_CACHES)
    def cache_input_graph(subgraph):
        placeholders(subgraph, [('user_lf_cache', tf.float32, [total_users, dim_embed]),
                                ('item_lf_cache', tf.float32, [total_items, dim_embed]),
                                ('item_bias_cache', tf.float32, [total_items, 1])],
                     identifier='cache')

    def assign_cache(subgraph, shape, scope, cache):
        embedding, _ = LatentFactor(shape=shape, scope=scope)
        subgraph.register_global_operation(tf.assign(embedding, subgraph[cache]), 'cache')

    @s.usergraph.extend(ins=['user_lf_cache'])
    def user_cache_graph(subgraph):
        assign_cache(subgraph, [total_users, dim_embed], 'user', 'user_lf_cache')

    @s.itemgraph.extend(ins=['item_lf_cache', 'item_bias_cache'])
    def item_cache_graph(subgraph):
        assign_cache(subgraph, [total_items, dim_embed], 'item', 'item_lf_cache')
        assign_cache(subgraph, [total_items, 1], 'item_bias', 'item_bias_cache')

    @s.connector.extend
    def cache_connect(graph):
        graph.usergraph['user_lf_cache'] = graph.inputgraph['user_lf_cache']
        graph.itemgraph['item_lf_cache'] = graph.inputgraph['item_lf_cache']
        graph.itemgraph['item_bias_cache'] = graph.inputgraph['item_bias_cache']

    return rec


def _check_extract_func(func, name, message):
    if func is None:
        raise ArgumentError('%s (%s is None)' % (message, name))
    if not callable(func):
        raise ArgumentTypeError('%s must be a function (model, ids) -> array, got %r'
                                % (name, func))
    return func


class FastDotProductServer(object):
    """Serves a dot-product recommender from cached user and item vectors.

    Wraps a trained recommender whose score is ``u·v + b`` (BPR, PMF without sigmoid,
    VBPR): after each training phase, the user vectors ``u``, item vectors ``v`` and item
    biases ``b`` of every id are extracted from the model (with the given functions) and
    copied into a small serving graph (:func:`_FastDotProductRecommender`), which then
    scores ``(user_id, item_id)`` pairs without the model's own feature pipeline (e.g.
    VBPR's visual features). It has the model interface ``ModelTrainer`` uses
    (``build``, ``isbuilt``, ``train``, ``serve``, ``save``). Synchronous: no threads or
    processes.

    Parameters
    ----------
    model : ~openrec.tf1.recommenders.recommender.Recommender
        The wrapped recommender (anything with ``build``, ``isbuilt``, ``train``,
        ``serve`` and ``save``).
    batch_size : int
        Number of ids per call of the extract functions.
    total_users, total_items : int
        Number of user and item ids.
    dim_embed : int
        Width of the extracted user and item vectors.
    extract_user_lf_func : callable
        ``f(model, user_ids) -> [len(user_ids), dim_embed]`` array of user vectors;
        ``user_ids`` is an int64 array of consecutive ids (at most ``batch_size``).
        Typically ``model.serve_inspect_ports({'user_id': ids},
        ports=[model.servegraph.usergraph['user_vec']])[0]``.
    extract_item_lf_func : callable
        ``f(model, item_ids) -> [len(item_ids), dim_embed]`` array of item vectors.
    extract_item_bias_func : callable, optional
        ``f(model, item_ids) -> len(item_ids)`` item biases (any shape with that many
        values). Without it the biases are 0.

    Raises
    ------
    ValueError
        ``Function for user embedding extraction not specified.`` (resp. item) when
        ``extract_user_lf_func`` (resp. ``extract_item_lf_func``) is None; a size that is
        not positive.
    TypeError
        A size that is not an int, an extract function that is not callable, a ``model``
        without the model interface.

    Notes
    -----
    The caches are refreshed at the first :meth:`serve` and at the first one after each
    :meth:`train`: the extract functions run over all ids in batches of ``batch_size``
    (users, then items, then biases), which usually triggers the model's own
    train-to-serve copy (``serve_inspect_ports``). Then the three caches are assigned
    to the fast graph in one run.

    Kept from the original: serving batches must hold exactly the fields ``user_id`` and
    ``item_id`` (the fast graph's input mapping); the scores equal the model's only for
    scoring functions ``u·v + b`` (for UCML's distances, say, it silently computes
    something else).

    Changed: the first :meth:`serve` refreshes the caches (the original served the fast
    graph's random initial values until the first :meth:`train`); :meth:`build` builds
    whichever of the model and the fast graph is not built yet, and :meth:`isbuilt` is
    true when both are (the original rebuilt the model, which failed for a built one,
    and reported only the model's state, so ``ModelTrainer`` left the fast graph unbuilt
    around a built model); missing extract functions raise ``ValueError`` (an
    ``AssertionError`` in the original, which this one also is); an extract function
    returning an array of the wrong size raises ``ValueError`` naming it.
    """

    def __init__(self, model, batch_size, total_users, total_items, dim_embed,
                 extract_user_lf_func=None, extract_item_lf_func=None,
                 extract_item_bias_func=None):
        self._extract_user_lf_func = _check_extract_func(
            extract_user_lf_func, 'extract_user_lf_func',
            'Function for user embedding extraction not specified.')
        self._extract_item_lf_func = _check_extract_func(
            extract_item_lf_func, 'extract_item_lf_func',
            'Function for item embedding extraction not specified.')
        if extract_item_bias_func is not None:
            _check_extract_func(extract_item_bias_func, 'extract_item_bias_func', '')
        self._extract_item_bias_func = extract_item_bias_func
        self._model = check_has_methods(model, 'model', ['build', 'isbuilt', 'train', 'serve',
                                                         'save'])
        self._batch_size = check_positive_int(batch_size, 'batch_size')
        self._total_users = check_positive_int(total_users, 'total_users')
        self._total_items = check_positive_int(total_items, 'total_items')
        dim_embed = check_positive_int(dim_embed, 'dim_embed')

        self._fastmodel = _FastDotProductRecommender(batch_size=self._batch_size,
                                                     dim_embed=dim_embed,
                                                     total_users=self._total_users,
                                                     total_items=self._total_items)
        self._user_lf_cache = np.zeros((self._total_users, dim_embed), dtype=np.float32)
        self._item_lf_cache = np.zeros((self._total_items, dim_embed), dtype=np.float32)
        self._item_bias_cache = np.zeros((self._total_items, 1), dtype=np.float32)
        # True from the start: the first serve fills the caches (the original waited for a train)
        self._model_updated = True

    def build(self):
        """Build the wrapped model and the fast serving graph, whichever is not built yet."""
        if not self._model.isbuilt():
            self._model.build()
        if not self._fastmodel.isbuilt():
            self._fastmodel.build()

    def isbuilt(self):
        """bool: whether both the wrapped model and the fast serving graph are built."""
        return bool(self._model.isbuilt()) and self._fastmodel.isbuilt()

    def train(self, batch_data, input_mapping_id='default', operations_id='default',
              losses_id='default', outputs_id='default'):
        """Train the wrapped model (same arguments and result as its ``train``).

        The next :meth:`serve` refreshes the caches.
        """
        self._model_updated = True
        return self._model.train(batch_data, input_mapping_id=input_mapping_id,
                                 operations_id=operations_id, losses_id=losses_id,
                                 outputs_id=outputs_id)

    def serve(self, batch_data, input_mapping_id='default', operations_id='default',
              losses_id='default', outputs_id='default'):
        """Score ``(user_id, item_id)`` pairs with the cached vectors: ``u·v + b`` per row.

        Refreshes the caches first if the model has been trained since the last refresh
        (or never refreshed). Arguments as :meth:`Recommender.serve
        <openrec.tf1.recommenders.recommender.Recommender.serve>`, applied to the fast graph.

        Parameters
        ----------
        batch_data : dict or numpy structured array
            Fields ``user_id`` and ``item_id`` (int, ``[N]``), nothing else.

        Returns
        -------
        dict
            ``{'losses': [], 'outputs': [scores]}`` with float32 scores ``[N]``.
        """
        if self._model_updated:
            self._refresh_cache()
            self._model_updated = False
        return self._fastmodel.serve(batch_data, input_mapping_id=input_mapping_id,
                                     operations_id=operations_id, losses_id=losses_id,
                                     outputs_id=outputs_id)

    def save(self, save_model_dir=None, global_step=None):
        """Save the wrapped model (its ``save``)."""
        return self._model.save(save_model_dir=save_model_dir, global_step=global_step)

    def _fill(self, cache, extract_func, name):
        """Fill ``cache`` from ``extract_func``, in batches of consecutive ids.

        Vectors must come as ``[n, width]``; biases in any shape with ``n`` values (the
        original reshaped them to ``[n, 1]``).
        """
        total, width = cache.shape
        for start in range(0, total, self._batch_size):
            ids = np.arange(start, min(start + self._batch_size, total))
            values = np.asarray(extract_func(self._model, ids), dtype=np.float32)
            if cache is self._item_bias_cache and values.size == len(ids):
                values = values.reshape((-1, 1))
            if values.shape != (len(ids), width):
                raise ArgumentError('%s returned an array of shape %s for %d ids, expected %s'
                                    % (name, values.shape, len(ids), (len(ids), width)))
            cache[ids] = values

    def _refresh_cache(self):
        """Extract every user and item vector (and bias) and assign them to the fast graph."""
        self._fill(self._user_lf_cache, self._extract_user_lf_func, 'extract_user_lf_func')
        self._fill(self._item_lf_cache, self._extract_item_lf_func, 'extract_item_lf_func')
        if self._extract_item_bias_func is not None:
            self._fill(self._item_bias_cache, self._extract_item_bias_func,
                       'extract_item_bias_func')
        self._fastmodel.serve({'user_lf_cache': self._user_lf_cache,
                               'item_lf_cache': self._item_lf_cache,
                               'item_bias_cache': self._item_bias_cache},
                              input_mapping_id='cache', operations_id='cache', losses_id=None,
                              outputs_id=None)

"""The OpenRec 0.2 recommender graph machinery.

A :class:`Recommender` owns two :class:`_RecommenderGraph` objects, ``traingraph`` (alias
``T``) and ``servegraph`` (alias ``S``), each with its own :class:`tf.compat.v1.Graph`, seven
:class:`_SubGraph` objects and a :class:`_Connector`. Recommenders are declared by attaching
build functions (with in- and out-ports) to the subgraphs and connect functions to the
connectors; :meth:`Recommender.build` then builds each enabled graph in its own
``tf.Graph``, in a fixed order of variable scopes, and opens a session per graph.
"""
import collections.abc
import numbers
import os
import warnings

import numpy as np
import tensorflow.compat.v1 as tf

from openrec._checks import check_str
from openrec._saved_model import check_export_dir, check_item_inputs, export_tf1
from openrec._tfutils import (ArgumentError, ArgumentTypeError, CallableCache, StateError,
                              check_bool)
from openrec.tf1.recommenders._feeding import FeedPlan, batch_fields

# Collection names are <prefix><kind>.<identifier>; the prefix follows the package root
# (OpenRec 0.2.x used 'openrec.recommender.', release 0.3.0 'openrec.tf1.recommender.').
_COLLECTION_PREFIX = 'openrec.tf1.recommender.'

# creation and build order; each subgraph builds in a variable scope of its name
_SUBGRAPH_NAMES = ('inputgraph', 'usergraph', 'itemgraph', 'contextgraph', 'fusiongraph',
                   'interactiongraph', 'optimizergraph')

# restore and init_model_dir read this un-numbered prefix only
_CHECKPOINT = 'model.ckpt'

# feed plans kept per recommender (one per graph, mapping, batch fields and fetches)
_MAX_FEED_PLANS = 64


class _IdentifierError(KeyError):
    """An unknown identifier (a :class:`KeyError`, as in the original, readable message)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ''


def _check_callable(func, name):
    if func is not None and not callable(func):
        raise ArgumentTypeError('%s must be callable, got %r' % (name, func))
    return func


def _check_port_names(names, name, message):
    """``ins``/``outs``: a list or tuple of str (the original accepted lists only)."""
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ArgumentTypeError('%s (%s must be a list or tuple of str), got %r'
                                % (message, name, names))
    return names


def _check_identifier(identifier):
    return check_str(identifier, 'identifier')


def _check_dir(value, name):
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise ArgumentTypeError('%s must be a directory path (str) or None, got %r' % (name, value))
    return os.fspath(value)


def _append_decorated(owner, attribute, func, name):
    """Append ``func`` to the list ``owner.<attribute>``, or return a decorator that does.

    The decorator looks the list up when it is applied, as the original did.
    """
    if func is not None:
        getattr(owner, attribute).append(func)
        return func

    def decorator(decorated):
        getattr(owner, attribute).append(_check_callable(decorated, name))
        return decorated
    return decorator


class _InPort(object):
    """Holds a reference ``(source_subgraph, key)``, resolved when the port is read."""
    __slots__ = ('reference',)

    def __init__(self):
        self.reference = None

    def retrieve(self):
        if self.reference is None:
            return None
        source, key = self.reference
        return source[key]


class _OutPort(object):
    """Holds one value (any object), ``None`` until assigned."""
    __slots__ = ('value',)

    def __init__(self):
        self.value = None

    def retrieve(self):
        return self.value


class _SubGraph(object):
    """One of the seven parts of a :class:`_RecommenderGraph` (e.g. ``rec.traingraph.usergraph``).

    A subgraph holds a port table (name -> in- or out-port), a list of build functions and
    two flags: build mode (off until :meth:`ready`) and built (off until :meth:`build`).

    Declare it with :meth:`__call__` (replaces the declaration) or :meth:`extend` (adds to
    it), used as decorators::

        @rec.traingraph.usergraph(ins=['user_id'], outs=['user_vec'])
        def f(subgraph):
            subgraph['user_vec'] = tf.nn.embedding_lookup(table, subgraph['user_id'])

    Port access (``subgraph[key]``, ``subgraph[key] = value``) depends on the mode:

    ============  ========  ==============================  ==================================
    mode          port      read                            write
    ============  ========  ==============================  ==================================
    connect       out       the reference ``(subgraph,      not allowed
                            key)``
    connect       in        not allowed                     a reference ``(subgraph, key)``
    build         out       the stored value (``None`` if   stores the value (during and after
                            never assigned)                 the build)
    build         in        the source port's value, read   not allowed
                            now (``None`` if unconnected)
    ============  ========  ==============================  ==================================

    In build mode a port can only be read once its subgraph (and, for an in-port, the
    source subgraph) is built: a subgraph reads its own ports and those of subgraphs that
    build before it; after the whole build every port is readable (e.g.
    ``rec.servegraph.usergraph['user_vec']`` for :meth:`Recommender.serve_inspect_ports`).

    Raises
    ------
    ValueError
        ``<key> port is not found.`` for an undeclared key.
    RuntimeError
        ``[Connect Error] Getting a value from the <key> in-port``, ``[Connect Error]
        Assigning a value to the <key> out-port``, ``[Build Error] Getting a value from an
        unconstructed graph.``, ``[Build Error] Assigning a value to the <key> in-port``.
    TypeError
        Connecting an in-port to something other than a ``(subgraph, key)`` pair.

    Notes
    -----
    The errors derive from :class:`AssertionError` too (the original used ``assert``).
    The ``register_global_*`` methods add to collections of the current default graph,
    which is the recommender's graph while build functions run; called elsewhere they
    write to whatever graph is the default and the recommender does not see the entry
    (kept from the original; a warning is issued).
    """

    def __init__(self, rec_graph, name=None):
        self._rec_graph = rec_graph
        self._name = name
        self._port_store = dict()
        self._build_funcs = []
        self._build_mode = False
        self._is_built = False

    # ports ------------------------------------------------------------------------

    def _port(self, key):
        try:
            return self._port_store[key]
        except (KeyError, TypeError):
            raise ArgumentError('%s port is not found.' % (key,)) from None

    def _check_built(self, key):
        if not self._is_built:
            raise StateError(
                '[Build Error] Getting a value from an unconstructed graph. (port %r of the '
                '%s subgraph, which is not built yet: subgraphs build in the order %s, and a '
                'build function can read ports of its own and of earlier subgraphs only)'
                % (key, self._name or 'unnamed', ', '.join(_SUBGRAPH_NAMES)))

    def __getitem__(self, key):
        """Read a port (see the class description for the rules)."""
        port = self._port(key)
        if not self._build_mode:
            if isinstance(port, _InPort):
                raise StateError('[Connect Error] Getting a value from the %s in-port' % (key,))
            return self, key
        self._check_built(key)
        return port.retrieve()

    def __setitem__(self, key, value):
        """Write a port (see the class description for the rules)."""
        port = self._port(key)
        if self._build_mode:
            if isinstance(port, _InPort):
                raise StateError('[Build Error] Assigning a value to the %s in-port' % (key,))
            port.value = value
            return
        if isinstance(port, _OutPort):
            raise StateError('[Connect Error] Assigning a value to the %s out-port' % (key,))
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ArgumentTypeError(
                'the %s in-port must be connected to an out-port reference, i.e. '
                'other_subgraph[key] read in a connect function (a (subgraph, key) pair), '
                'got %r' % (key, value))
        port.reference = (value[0], value[1])

    # declarations -----------------------------------------------------------------

    def _declare(self, build_func, ins, outs):
        for name in ins:
            self._port_store[name] = _InPort()
        for name in outs:   # a name in both lists ends up an out-port
            self._port_store[name] = _OutPort()
        return _append_decorated(self, '_build_funcs', build_func, 'build_func')

    def __call__(self, build_func=None, ins=[], outs=[]):
        """Declare the subgraph anew: discard its ports and build functions, then declare.

        Parameters
        ----------
        build_func : callable, optional
            Called with the subgraph as sole argument when the subgraph builds (return
            value ignored). If omitted, a decorator that appends its argument is returned.
        ins : list or tuple of str, optional
            Names of fresh in-ports.
        outs : list or tuple of str, optional
            Names of fresh out-ports (declared after ``ins``: a name in both is an out-port).

        Returns
        -------
        callable
            ``build_func`` itself, or the decorator (which returns its argument unchanged),
            so stacked decorators of several subgraphs (e.g. ``@t.usergraph(...)`` over
            ``@s.usergraph(...)``) register one function in each.

        Raises
        ------
        TypeError
            ``ins should be a list of strings.`` / ``outs should be a list of strings``
            (lists and tuples of str are accepted); ``build_func`` not callable. Nothing
            is changed then.
        """
        _check_port_names(ins, 'ins', 'ins should be a list of strings.')
        _check_port_names(outs, 'outs', 'outs should be a list of strings')
        _check_callable(build_func, 'build_func')
        self._port_store = dict()
        self._build_funcs = []
        return self._declare(build_func, ins, outs)

    def extend(self, build_func=None, ins=[], outs=[]):
        """Add to the declaration: keep the ports and build functions, then declare.

        Same arguments, result and errors as :meth:`__call__`. Names in ``ins``/``outs``
        become fresh ports, replacing same-named ones (and their connection or value); the
        build function runs after the ones already declared.
        """
        _check_port_names(ins, 'ins', 'ins should be a list of strings.')
        _check_port_names(outs, 'outs', 'outs should be a list of strings')
        _check_callable(build_func, 'build_func')
        return self._declare(build_func, ins, outs)

    def get_intrinsics(self):
        """Return ``(port_table, build_function_list)``, the live objects (not copies)."""
        return self._port_store, self._build_funcs

    def copy(self, subgraph):
        """Adopt ``subgraph``'s live port table and build-function list (shared, not copied).

        Later :meth:`extend` calls on either subgraph affect both; a later :meth:`__call__`
        on either ends the sharing.
        """
        if not isinstance(subgraph, _SubGraph):
            raise ArgumentTypeError('subgraph must be a _SubGraph (e.g. rec.traingraph.usergraph), '
                                    'got %r' % (subgraph,))
        self._port_store, self._build_funcs = subgraph.get_intrinsics()

    def ready(self):
        """Switch to build mode (no way back)."""
        self._build_mode = True

    def build(self):
        """Call each build function in order with the subgraph (no-op once built).

        The built flag is set first, so build functions can read the subgraph's own ports.
        """
        if not self._is_built:
            self._is_built = True
            for build_func in self._build_funcs:
                build_func(self)

    # registration (delegates to the owning _RecommenderGraph) ---------------------

    def register_global_input_mapping(self, input_mapping, identifier='default'):
        """Register the graph's input mapping ``{batch field: placeholder}`` (the object itself).

        Replaces a mapping registered under the same identifier.
        """
        self._rec_graph.register_input_mapping(input_mapping, identifier)

    def update_global_input_mapping(self, update_input_mapping, identifier='default'):
        """``update()`` the registered mapping (KeyError if none is registered under ``identifier``)."""
        self._rec_graph.update_input_mapping(update_input_mapping, identifier)

    def register_global_operation(self, operation, identifier='default'):
        """Append ``operation`` to the operations fetched by ``train``/``serve(operations_id=identifier)``."""
        self._rec_graph.register_operation(operation, identifier)

    def register_global_loss(self, loss, identifier='default'):
        """Append ``loss`` to the losses fetched by ``train``/``serve(losses_id=identifier)``."""
        self._rec_graph.register_loss(loss, identifier)

    def register_global_output(self, output, identifier='default'):
        """Append ``output`` to the outputs fetched by ``train``/``serve(outputs_id=identifier)``."""
        self._rec_graph.register_output(output, identifier)

    def get_global_input_mapping(self, identifier='default'):
        """Return the registered input mapping (the original returned None)."""
        return self._rec_graph.get_input_mapping(identifier)

    def get_global_operations(self, identifier='default'):
        """Return the registered operations (a new list, registration order)."""
        return self._rec_graph.get_operations(identifier)

    def get_global_losses(self, identifier='default'):
        """Return the registered losses (a new list, registration order)."""
        return self._rec_graph.get_losses(identifier)

    def get_global_outputs(self, identifier='default'):
        """Return the registered outputs (a new list, registration order)."""
        return self._rec_graph.get_outputs(identifier)


class _Connector(object):
    """The connect functions of a :class:`_RecommenderGraph` (``rec.traingraph.connector``).

    Connect functions run first in a build, with the :class:`_RecommenderGraph` as sole
    argument, while the subgraphs are in connect mode: they connect in-ports to out-ports,
    e.g. ``graph.usergraph['user_id'] = graph.inputgraph['user_id']``.
    """

    def __init__(self, rec_graph):
        self._rec_graph = rec_graph
        self._connect_funcs = []

    def __call__(self, connect_func=None):
        """Replace the connect functions by ``connect_func`` (or by the decorated function).

        Returns ``connect_func``, or a decorator that returns its argument unchanged (so
        ``@t.connector`` stacked over ``@s.connector`` registers one function in both graphs).
        TypeError if ``connect_func`` is not callable.
        """
        _check_callable(connect_func, 'connect_func')
        self._connect_funcs = []
        return _append_decorated(self, '_connect_funcs', connect_func, 'connect_func')

    def extend(self, connect_func=None):
        """Append ``connect_func`` (or the decorated function); otherwise as :meth:`__call__`."""
        _check_callable(connect_func, 'connect_func')
        return _append_decorated(self, '_connect_funcs', connect_func, 'connect_func')

    def build(self):
        """Call every connect function in order with the graph.

        Raises
        ------
        ValueError
            ``Graph connection is not specified`` if there is none (derives from
            AssertionError too).
        """
        if not self._connect_funcs:
            raise ArgumentError('Graph connection is not specified (declare a connect function '
                                'with @rec.%s.connector)' % (self._rec_graph._name or '<graph>'))
        for connect_func in self._connect_funcs:
            connect_func(self._rec_graph)


class _RecommenderGraph(object):
    """One graph of a :class:`Recommender` (``rec.traingraph``/``rec.servegraph``).

    Holds its own :class:`tf.compat.v1.Graph` (:attr:`tf_graph`), the seven subgraphs
    ``inputgraph, usergraph, itemgraph, contextgraph, fusiongraph, interactiongraph,
    optimizergraph`` (:class:`_SubGraph`, in this order), a :class:`_Connector`
    (``connector``) and the registries of input mappings, operations, losses and outputs.

    Parameters
    ----------
    name : str, optional
        The graph's attribute name on its recommender, used in error messages.

    Notes
    -----
    Assigning one of the seven subgraph attributes does not replace the subgraph: the
    existing one shares the assigned subgraph's port table and build functions
    (:meth:`_SubGraph.copy`; kept from the original). Other attributes assign normally.

    Operations, losses and outputs live in collections of :attr:`tf_graph` named
    ``openrec.tf1.recommender.<operations|losses|outputs>.<identifier>``.
    """

    _SubGraph = _SubGraph
    _Connector = _Connector

    def __init__(self, name=None):
        self._tf_graph = tf.Graph()
        self._name = name
        self._built = False
        for subgraph_name in _SUBGRAPH_NAMES:
            setattr(self, subgraph_name, _SubGraph(self, subgraph_name))
        self.connector = _Connector(self)
        self._input_mapping_dict = dict()
        # kept from the original, never read
        self._operation_identifier_set = set()
        self._loss_identifier_set = set()
        self._output_identifier_set = set()

    def __setattr__(self, name, value):
        if name in _SUBGRAPH_NAMES and name in self.__dict__:
            self.__dict__[name].copy(value)
        else:
            object.__setattr__(self, name, value)

    @property
    def tf_graph(self):
        """tf.compat.v1.Graph: the graph everything of this recommender graph lives in."""
        return self._tf_graph

    def _subgraphs(self):
        return [getattr(self, name) for name in _SUBGRAPH_NAMES]

    def build(self):
        """Connect, then build the subgraphs in order, inside :attr:`tf_graph`.

        Runs the connect functions, switches the subgraphs to build mode, then builds
        ``inputgraph, usergraph, itemgraph, contextgraph, fusiongraph, interactiongraph,
        optimizergraph`` in this order, each inside ``tf.variable_scope(<name>,
        reuse=tf.AUTO_REUSE)``: placeholders, variables and ops are named
        ``<subgraph>/...`` (e.g. ``inputgraph/user_id``, ``usergraph/user/embedding``,
        ``optimizergraph/usergraph/user/embedding/Adam``). A second call does nothing.

        If a connect or build function raises, the graph is left as before the call (a
        fresh :attr:`tf_graph`, subgraphs back in connect mode), so a corrected declaration
        can be built again.
        """
        if self._built:
            return
        try:
            with self._tf_graph.as_default():
                self.connector.build()
                for subgraph in self._subgraphs():
                    subgraph.ready()
                for name, subgraph in zip(_SUBGRAPH_NAMES, self._subgraphs()):
                    with tf.variable_scope(name, reuse=tf.AUTO_REUSE):
                        subgraph.build()
        except BaseException:
            self._reset()
            raise
        self._built = True

    def _reset(self):
        """Undo a failed build: new tf.Graph, subgraphs unbuilt and in connect mode."""
        self._tf_graph = tf.Graph()
        self._built = False
        for subgraph in self._subgraphs():
            subgraph._build_mode = False
            subgraph._is_built = False
            for port in subgraph._port_store.values():
                if isinstance(port, _OutPort):
                    port.value = None

    # registries --------------------------------------------------------------------

    def register_input_mapping(self, input_mapping, identifier='default'):
        """Store ``input_mapping`` (the object itself) under ``identifier``, replacing any."""
        if not isinstance(input_mapping, collections.abc.Mapping):
            raise ArgumentTypeError('input_mapping must be a dict {batch field: placeholder}, '
                                    'got %r' % (input_mapping,))
        self._input_mapping_dict[_check_identifier(identifier)] = input_mapping

    def update_input_mapping(self, update_input_mapping, identifier='default'):
        """``update()`` the mapping registered under ``identifier`` (KeyError if none)."""
        if not isinstance(update_input_mapping, collections.abc.Mapping):
            raise ArgumentTypeError('update_input_mapping must be a dict {batch field: '
                                    'placeholder}, got %r' % (update_input_mapping,))
        self.get_input_mapping(identifier).update(update_input_mapping)

    def _register(self, kind, identifier_set, value, identifier):
        _check_identifier(identifier)
        if tf.get_default_graph() is not self._tf_graph:
            warnings.warn(
                'registering %s outside %s: they are added to the current default graph, '
                'not to this recommender graph, and train/serve will not fetch it. Register '
                'from build functions, or inside `with <graph>.tf_graph.as_default():`.'
                % (kind, 'rec.%s' % self._name if self._name else 'the recommender graph'),
                stacklevel=4)
        identifier_set.add(identifier)
        tf.add_to_collection('%s%s.%s' % (_COLLECTION_PREFIX, kind, identifier), value)

    def register_operation(self, operation, identifier='default'):
        """Add ``operation`` to collection ``openrec.tf1.recommender.operations.<identifier>``
        of the current default graph."""
        self._register('operations', self._operation_identifier_set, operation, identifier)

    def register_loss(self, loss, identifier='default'):
        """Add ``loss`` to collection ``openrec.tf1.recommender.losses.<identifier>``
        of the current default graph."""
        self._register('losses', self._loss_identifier_set, loss, identifier)

    def register_output(self, output, identifier='default'):
        """Add ``output`` to collection ``openrec.tf1.recommender.outputs.<identifier>``
        of the current default graph."""
        self._register('outputs', self._output_identifier_set, output, identifier)

    def get_input_mapping(self, identifier='default'):
        """Return the mapping registered under ``identifier`` (KeyError if none)."""
        _check_identifier(identifier)
        try:
            return self._input_mapping_dict[identifier]
        except KeyError:
            raise _IdentifierError('no input mapping is registered under identifier %r in %s '
                                   '(registered: %s)'
                                   % (identifier, 'rec.%s' % self._name if self._name else 'this graph',
                                      ', '.join(map(repr, self._input_mapping_dict)) or 'none'))

    def _collection(self, kind, identifier):
        _check_identifier(identifier)
        return self._tf_graph.get_collection('%s%s.%s' % (_COLLECTION_PREFIX, kind, identifier))

    def get_operations(self, identifier='default'):
        """Return the operations registered under ``identifier`` (a new list; ``[]`` if none)."""
        return self._collection('operations', identifier)

    def get_losses(self, identifier='default'):
        """Return the losses registered under ``identifier`` (a new list; ``[]`` if none)."""
        return self._collection('losses', identifier)

    def get_outputs(self, identifier='default'):
        """Return the outputs registered under ``identifier`` (a new list; ``[]`` if none)."""
        return self._collection('outputs', identifier)


class Recommender(object):
    """A recommender of the OpenRec 0.2 API: a training graph and a serving graph.

    ``traingraph`` (alias ``T``) and ``servegraph`` (alias ``S``) are
    :class:`_RecommenderGraph` objects, each with its own :class:`tf.compat.v1.Graph`.
    Concrete recommenders (``BPR``, ``PMF``, ...) are functions that create a
    ``Recommender``, declare subgraphs, connections and input mappings on both graphs and
    return it unbuilt; :meth:`build` (called by ``ModelTrainer`` when needed) builds the
    enabled graphs, opens a session per graph and initialises the variables.

    Parameters
    ----------
    _sentinel : None
        Not an argument: it makes every argument keyword-only in practice.
    init_model_dir : str, optional
        Directory of a checkpoint ``<init_model_dir>/model.ckpt`` restored (optimistically,
        see :meth:`restore`) into the enabled graphs at the end of :meth:`build`.
    save_model_dir : str, optional
        Directory where :meth:`save` writes ``model.ckpt[-<step>]`` and through which
        trained values reach the serving graph (see :meth:`serve`).
    train : bool, optional
        Build and enable the training graph (default True).
    serve : bool, optional
        Build and enable the serving graph (default False).

    Raises
    ------
    TypeError
        If a positional argument is given (``_sentinel`` is not None; the original silently
        shifted the arguments), or an argument has the wrong type.

    Notes
    -----
    How to declare a recommender: build functions with ports on the subgraphs
    (``@rec.traingraph.usergraph(ins=['user_id'], outs=['user_vec'])``), input mappings and
    losses/outputs/operations registered from them, connect functions wiring in-ports to
    out-ports (``@rec.traingraph.connector``); see :doc:`/tf1/machinery` for a full example.

    Batches are dicts (any mapping) or numpy structured arrays whose field names are keys
    of the graph's input mapping. :meth:`train` and :meth:`serve` return
    ``{'losses': [...], 'outputs': [...]}``, one value per registered loss/output.

    Behaviours kept from the original:

    * trained values reach the serving graph through the disk: the first :meth:`serve` or
      :meth:`serve_inspect_ports` after a :meth:`train` saves ``<save_model_dir>/model.ckpt``
      and restores it into the serving graph; before the first training step, serving uses
      the serving graph's own random initial values;
    * :meth:`restore` and ``init_model_dir`` read ``<dir>/model.ckpt`` only (numbered
      checkpoints ``model.ckpt-<step>`` are not used), skip scalar variables (Adam's
      ``beta1_power``/``beta2_power`` restart at their initial values) and variables whose
      name is missing from the checkpoint or whose shape differs;
    * one saver (``max_to_keep=10``) writes both numbered saves and the synchronisation
      file, so ``model.ckpt`` can be rotated out after ten further saves;
    * no random seed is set; ``tf.set_random_seed`` on the default graph does not reach
      the recommender's graphs (reproduce numbers through checkpoints);
    * sessions are never closed; the serving graph's saver is created but never used;
    * ``register_global_*`` called outside a build writes to the process default graph.

    Fixed: positional arguments, a second :meth:`build`, graphs without variables, batch
    types, unknown batch fields, batches lacking a field the run needs or holding values
    that cannot be fed (clear errors before the session runs), the synchronisation adding
    a saver to the serving graph at every call, restoring a disabled graph or a checkpoint
    without matching variables, missing parent directories on save. Errors derive from
    :class:`AssertionError` too where the original used ``assert``, and keep its message
    text.
    """

    def __init__(self, _sentinel=None, init_model_dir=None, save_model_dir=None, train=True,
                 serve=False):
        if _sentinel is not None:
            raise ArgumentTypeError(
                'Recommender takes keyword arguments only (init_model_dir=..., save_model_dir=..., '
                'train=..., serve=...), got the positional argument %r' % (_sentinel,))
        self._init_model_dir = _check_dir(init_model_dir, 'init_model_dir')
        self._save_model_dir = _check_dir(save_model_dir, 'save_model_dir')
        self._train = check_bool(train, 'train')
        self._serve = check_bool(serve, 'serve')
        self._flag_updated = False
        self._flag_isbuilt = False
        self._tf_train_sess = None
        self._tf_serve_sess = None
        self._tf_train_saver = None
        self._tf_serve_saver = None
        self._runners = {}
        self._feed_plans = {}
        self._restore_savers = {}
        self.traingraph = _RecommenderGraph('traingraph')
        self.servegraph = _RecommenderGraph('servegraph')
        self.T = self.traingraph
        self.S = self.servegraph

    # building -----------------------------------------------------------------------

    def build(self):
        """Build the enabled graphs, open their sessions, initialise, restore ``init_model_dir``.

        For each enabled graph (train first): :meth:`_RecommenderGraph.build`, a session
        with ``gpu_options.allow_growth``, one run of the global variables initializer and
        a ``Saver(global_variables(), max_to_keep=10)`` (``_tf_train_sess``,
        ``_tf_train_saver``, ``_tf_serve_sess``, ``_tf_serve_saver``). Then, if
        ``init_model_dir`` was given, :meth:`restore` from it into the enabled graphs.
        With ``train=False, serve=False`` nothing is built and the recommender still
        reports built.

        Returns
        -------
        Recommender
            ``self``. A second call returns ``self`` without rebuilding (the original
            crashed).

        Raises
        ------
        ValueError
            ``Graph connection is not specified``; a graph without variables (the original
            failed with ``No variables to save``). A failed build can be retried.
        """
        if self._flag_isbuilt:
            return self
        if self._train and self._tf_train_sess is None:
            self._tf_train_sess, self._tf_train_saver = self._build_graph(self.traingraph, 'train')
            self._runners['train'] = CallableCache(self._tf_train_sess)
        if self._serve and self._tf_serve_sess is None:
            self._tf_serve_sess, self._tf_serve_saver = self._build_graph(self.servegraph, 'serve')
            self._runners['serve'] = CallableCache(self._tf_serve_sess)
        if self._init_model_dir is not None:
            self.restore(save_model_dir=self._init_model_dir, restore_train=self._train,
                         restore_serve=self._serve)
        self._flag_isbuilt = True
        return self

    @staticmethod
    def _build_graph(graph, side):
        graph.build()
        with graph.tf_graph.as_default():
            variables = tf.global_variables()
            if not variables:
                graph._reset()
                raise ArgumentError(
                    'the %s graph (rec.%sgraph) has no variables: No variables to save. Its '
                    'build functions must create at least one variable (tf.get_variable), '
                    'which checkpoints and the train-to-serve synchronisation hold'
                    % (side, side))
            config = tf.ConfigProto()
            config.gpu_options.allow_growth = True
            sess = tf.Session(graph=graph.tf_graph, config=config)
            try:
                sess.run(tf.global_variables_initializer())
                saver = tf.train.Saver(variables, max_to_keep=10)
            except BaseException:
                sess.close()
                raise
        return sess, saver

    def isbuilt(self):
        """bool: whether :meth:`build` has completed."""
        return self._flag_isbuilt

    # feeding and running ---------------------------------------------------------

    def _check_usable(self, side, disabled_message):
        enabled = self._train if side == 'train' else self._serve
        if not enabled:
            raise StateError(disabled_message)
        if not self._flag_isbuilt:
            raise StateError('Train graph is not built' if side == 'train'
                             else 'serve graph is not built')

    def _generate_feed_dict(self, batch_data, input_map):
        """``{input_map[field]: batch_data[field]}`` for every field of the batch.

        ``batch_data`` is any mapping or numpy structured array (the original accepted
        exactly ``dict`` and ``np.ndarray``). Mapping entries without a field are not fed.
        Values are checked as in :meth:`train`, except for fields the fetches need (this
        method does not know the fetches).
        """
        return FeedPlan(None, input_map, batch_fields(batch_data)).feed(batch_data)

    def _feed(self, side, batch_data, input_mapping_id, fetches, method):
        """The feed dict of ``batch_data`` for running ``fetches`` (a flat list).

        Checks, before anything runs, that every placeholder the fetches need is fed and
        that each value's dtype suits its placeholder; the plan of what to check is made
        once per graph, input mapping, batch fields and fetches (see ``_feeding``).
        """
        graph = self.traingraph if side == 'train' else self.servegraph
        if input_mapping_id is None:
            input_map, fields = {}, ()
        else:
            input_map = graph.get_input_mapping(input_mapping_id)
            fields = batch_fields(batch_data)
        key = (side, input_mapping_id, fields, tuple(map(id, fetches)))
        plan = self._feed_plans.get(key)
        feed_dict = None if plan is None else plan.feed(batch_data, input_map)
        if feed_dict is None:
            plan = FeedPlan(graph.tf_graph, input_map, fields, fetches)
            plan.require(graph.tf_graph, input_map, method, input_mapping_id)
            if len(self._feed_plans) >= _MAX_FEED_PLANS:
                self._feed_plans.clear()   # e.g. new ports at every inspection
            self._feed_plans[key] = plan
            feed_dict = plan.feed(batch_data)
        return feed_dict

    def _run(self, side, batch_data, input_mapping_id, operations_id, losses_id, outputs_id,
             sync=False):
        graph = self.traingraph if side == 'train' else self.servegraph
        operations, losses, outputs = [
            [] if identifier is None else graph._collection(kind, identifier)
            for kind, identifier in (('operations', operations_id), ('losses', losses_id),
                                     ('outputs', outputs_id))]
        fetches = operations + losses + outputs
        feed_dict = self._feed(side, batch_data, input_mapping_id, fetches, side)
        if sync:
            self._sync_if_updated()
        with graph.tf_graph.as_default():
            results = self._runners[side]((operations_id, losses_id, outputs_id), fetches,
                                          feed_dict)
        start = len(operations)
        return {'losses': results[start:start + len(losses)],
                'outputs': results[start + len(losses):]}

    def train(self, batch_data, input_mapping_id='default', operations_id='default',
              losses_id='default', outputs_id='default'):
        """Run one training step: fetch the registered operations, losses and outputs.

        Parameters
        ----------
        batch_data : dict or numpy structured array
            One value (array or list) per field; every field must be a key of the input
            mapping, and every placeholder the fetches depend on must be fed by a field
            (placeholders nothing fetched depends on may be left out). Values are fed as
            given and cast by TensorFlow: integer and float arrays feed integer
            placeholders (float ids are truncated towards zero, as TF1 did), numbers and
            booleans feed float placeholders (booleans as 0/1).
        input_mapping_id : str or None, optional
            Input mapping to feed with (None: feed nothing).
        operations_id, losses_id, outputs_id : str or None, optional
            Identifiers of the registered operations (e.g. the optimizer's train op),
            losses and outputs to fetch (None: none).

        Returns
        -------
        dict
            ``{'losses': [...], 'outputs': [...]}``: the losses (numpy scalars, one per
            registered loss, in registration order, not summed) and the outputs (numpy
            arrays), all computed with the values before this step's update. ``'outputs'``
            is ``[]`` when no output is registered (the original repeated every fetched
            value there).

        Raises
        ------
        RuntimeError
            ``Train is disabled``, ``Train graph is not built``.
        TypeError
            ``Invalid batch data format``; a field whose values cannot feed its
            placeholder (strings, objects such as None, complex numbers, dates, or
            booleans as ids), naming the field, the placeholder's dtype and the given
            dtype.
        ValueError
            A batch field missing from the input mapping; a placeholder the fetches need
            that no field of the batch feeds (e.g. ``batch_data lacks field 'n_item_id'
            (placeholder inputgraph/n_item_id) that train needs``), where TensorFlow
            raised ``InvalidArgumentError`` from the running session.
        KeyError
            An input mapping identifier that is not registered.

        Notes
        -----
        The batch is checked before anything runs, so a failed call changes nothing.
        What to check is worked out once per input mapping, set of batch fields and
        fetches, and cached: a step then costs one dict lookup and a dtype test per field.
        """
        self._check_usable('train', 'Train is disabled')
        result = self._run('train', batch_data, input_mapping_id, operations_id, losses_id,
                           outputs_id)
        self._flag_updated = True
        return result

    def serve(self, batch_data, input_mapping_id='default', operations_id='default',
              losses_id='default', outputs_id='default'):
        """Run the serving graph: fetch the registered operations, losses and outputs.

        The first call after a :meth:`train` first copies the trained variables into the
        serving graph: :meth:`save` to ``<save_model_dir>/model.ckpt``, then
        :meth:`restore` with ``restore_serve=True`` (one restore saver per graph, reused).

        Parameters, returned dict and errors as :meth:`train` (messages ``serve is
        disabled``, ``serve graph is not built``); ValueError ``save_model_dir is not
        specified`` when the copy is needed and the constructor got no ``save_model_dir``.
        The batch is checked before the copy and the run.
        """
        self._check_usable('serve', 'serve is disabled')
        return self._run('serve', batch_data, input_mapping_id, operations_id, losses_id,
                         outputs_id, sync=True)

    @staticmethod
    def _check_ports(ports):
        """The flat list of ``ports`` (composite tensors expanded), checked for None."""
        flat = tf.nest.flatten(ports, expand_composites=True)
        if any(port is None for port in flat):
            raise ArgumentError(
                'ports must be tensors or operations (or nested lists, tuples or dicts of '
                'them), without None (an out-port that was never assigned reads as None), '
                'got %r' % (ports,))
        return flat

    def _inspect(self, side, batch_data, ports, input_mapping_id):
        graph = self.traingraph if side == 'train' else self.servegraph
        if side == 'train' and input_mapping_id is None:
            raise _IdentifierError('train_inspect_ports needs an input mapping: input_mapping_id=None '
                                   'is not supported (serve_inspect_ports accepts it)')
        flat = self._check_ports(ports)
        feed_dict = self._feed(side, batch_data, input_mapping_id, flat,
                               '%s_inspect_ports' % side)
        if side == 'serve':
            self._sync_if_updated()
        sess = self._tf_train_sess if side == 'train' else self._tf_serve_sess
        with graph.tf_graph.as_default():
            return sess.run(ports, feed_dict=feed_dict)

    def train_inspect_ports(self, batch_data, ports=[], input_mapping_id='default'):
        """Evaluate ``ports`` (e.g. ``rec.traingraph.usergraph['user_vec']``) in the training graph.

        Parameters
        ----------
        batch_data : dict or numpy structured array
            Fed through the input mapping ``input_mapping_id``; only the fields the ports
            depend on are needed, checked as in :meth:`train`.
        ports : fetchable structure, optional
            Tensors or operations of the training graph, in any structure
            ``Session.run`` accepts.
        input_mapping_id : str, optional
            Unlike :meth:`serve_inspect_ports`, None is not supported (KeyError, as in
            the original).

        Returns
        -------
        The ``Session.run`` result, in the structure of ``ports``. Does not count as
        training (no synchronisation is triggered).

        Raises
        ------
        TypeError, ValueError
            As :meth:`train` (``batch_data lacks field ... that train_inspect_ports
            needs``); ValueError for a None port.
        """
        self._check_usable('train', 'Train is disabled')
        return self._inspect('train', batch_data, ports, input_mapping_id)

    def serve_inspect_ports(self, batch_data, ports=[], input_mapping_id='default'):
        """Evaluate ``ports`` in the serving graph (e.g. ``rec.servegraph.usergraph['user_vec']``).

        As :meth:`train_inspect_ports`, in the serving graph, after the train-to-serve
        synchronisation described in :meth:`serve`; ``input_mapping_id=None`` feeds nothing.
        Errors ``serve graph is disabled``, ``serve graph is not built``.
        """
        self._check_usable('serve', 'serve graph is disabled')
        return self._inspect('serve', batch_data, ports, input_mapping_id)

    # export ---------------------------------------------------------------------------

    def export_saved_model(self, export_dir, item_inputs=None):
        """Write the serving graph, with the values :meth:`serve` uses, as a SavedModel.

        A standard TensorFlow SavedModel (tag ``'serve'``) that TF Serving,
        ``saved_model_cli`` and ``tf.saved_model.load`` in eager TensorFlow 2 read without
        openrec. Its signatures:

        * ``serving_default``: one input per field of the serving input mapping
          (``'default'``) that the outputs depend on, named by the field (e.g.
          ``user_id``, ``item_id``, ``item_vfeature``, ``seq_item_id``, ``seq_len``), with
          the placeholder's dtype and shape; output ``scores``: the serving output
          (``serve(batch)['outputs'][0]``); with several outputs ``output_0``,
          ``output_1``, ...
        * ``top_k``: the user inputs and ``k`` (int32 scalar), outputs ``item_ids`` (int32
          ``[users, k]``) and ``scores``: each row's ``k`` best items among all items,
          best first (ties: lower id first; ``k`` at most the number of items). For
          models scoring ``(user_id, item_id)`` pairs (BPR, PMF, UCML, VBPR) the inputs
          are ``user_id`` and ``k``, and each user is scored against every item id
          ``0 … total_items − 1`` (``total_items`` read from the tables ``item_id`` is
          looked up in; a call scores ``users × total_items`` pairs at once); other item
          fields come from ``item_inputs``. For models whose scores have one column per
          item (RNNRec, VanillaYouTubeRec, YouTubeRec) the inputs are all the serving
          fields and ``k``.

        Parameters
        ----------
        export_dir : str or os.PathLike
            A directory that does not exist yet (it is created) or is empty.
        item_inputs : dict, optional
            ``{serving field: array with one row per item id}`` for the item fields other
            than ``item_id`` of a pair-scoring model, stored in the SavedModel for
            ``top_k``: VBPR needs ``{'item_vfeature': features}`` (``[total_items,
            dim_v]``). Without them such a model is exported without ``top_k``, with a
            warning.

        Returns
        -------
        str
            ``export_dir``.

        Raises
        ------
        TypeError
            If ``export_dir`` is not a str or path, or ``item_inputs`` not a dict of arrays.
        ValueError
            If ``export_dir`` exists and is a file or a non-empty directory, or cannot be
            created or written (its closest existing directory is a file or is not
            writable), an ``item_inputs`` field is not a serving field or has too few rows, or the
            serving graph registers no output. Checked before anything is written.
        RuntimeError
            ``serve graph is disabled`` (create the recommender with ``serve=True``),
            ``serve graph is not built``.

        Notes
        -----
        As :meth:`serve`, the first export after a :meth:`train` copies the trained values
        to the serving graph through ``<save_model_dir>/model.ckpt``. The variables are
        non-trainable resource variables named as in the serving graph; its L2 losses are
        not exported. The sequence models' ``top_k`` reads one column per item of the
        scores (RNNRec's squeezed single row included).
        """
        export_dir = check_export_dir(export_dir)
        item_inputs = check_item_inputs(item_inputs)
        self._check_usable('serve', 'serve graph is disabled: export_saved_model exports the '
                                    'serving graph (create the recommender with serve=True)')
        return export_tf1(self, export_dir, item_inputs)

    # checkpoints ----------------------------------------------------------------------

    def _sync_if_updated(self):
        """Copy trained values to the serving graph through the disk (once per training)."""
        if not self._flag_updated:
            return
        if self._save_model_dir is None:
            raise ArgumentError(
                'save_model_dir is not specified: serving after training copies the trained '
                'variables through <save_model_dir>/model.ckpt; create the recommender with '
                'save_model_dir=<directory>')
        if self._train:
            self.save()
        if self._serve:
            self.restore(restore_serve=True)
        self._flag_updated = False

    def _directory(self, save_model_dir):
        directory = _check_dir(save_model_dir, 'save_model_dir')
        if directory is None:
            directory = self._save_model_dir
        if directory is None:
            raise ArgumentError('save_model_dir is not specified: pass save_model_dir=<directory> '
                                'here or to the constructor')
        return directory

    def save(self, save_model_dir=None, global_step=None):
        """Save every variable of the training graph (optimizer slots included).

        Parameters
        ----------
        save_model_dir : str, optional
            Directory (default: the constructor's). Created with its parents if missing
            (the original created only the last level).
        global_step : int, optional
            Appended to the file prefix: ``<dir>/model.ckpt-<global_step>.*``; without it
            ``<dir>/model.ckpt.*``. The meta graph and the ``checkpoint`` state file are
            written too; the saver keeps the last 10 checkpoints.

        Raises
        ------
        RuntimeError
            ``Train is disabled``, ``Train graph is not built`` (the original failed with
            AttributeError).
        ValueError
            No directory given here nor to the constructor.
        """
        if not self._train:
            raise StateError('Train is disabled: save() writes the training graph')
        if self._tf_train_saver is None:
            raise StateError('Train graph is not built')
        directory = self._directory(save_model_dir)
        if global_step is not None and (not isinstance(global_step, numbers.Integral)
                                        or isinstance(global_step, (bool, np.bool_))):
            raise ArgumentTypeError('global_step must be an int or None, got %r' % (global_step,))
        if directory:
            tf.io.gfile.makedirs(directory)
        with self.traingraph.tf_graph.as_default():
            self._tf_train_saver.save(self._tf_train_sess, os.path.join(directory, _CHECKPOINT),
                                      global_step=global_step)

    def restore(self, save_model_dir=None, restore_train=False, restore_serve=False):
        """Restore the requested graphs from ``<save_model_dir>/model.ckpt``, optimistically.

        Restores every global variable whose name is in the checkpoint, whose rank is
        greater than 0 and whose shape equals the stored one; the others keep their values
        silently (scalars such as Adam's ``beta1_power``/``beta2_power`` are never
        restored). Only the un-numbered prefix ``model.ckpt`` is read: to start from
        ``model.ckpt-<step>``, copy or re-save it as ``model.ckpt``. One restore saver is
        built per graph and variable selection and reused.

        Parameters
        ----------
        save_model_dir : str, optional
            Directory (default: the constructor's ``save_model_dir``).
        restore_train, restore_serve : bool, optional
            Which graphs to restore (default: none).

        Raises
        ------
        RuntimeError
            Restoring a disabled or unbuilt graph (the original failed with AttributeError).
        ValueError
            No variable of a requested graph is in the checkpoint; no directory.
        tensorflow.errors.NotFoundError
            ``<save_model_dir>/model.ckpt`` does not exist.
        """
        restore_train = check_bool(restore_train, 'restore_train')
        restore_serve = check_bool(restore_serve, 'restore_serve')
        sides = [side for side, wanted in (('train', restore_train), ('serve', restore_serve))
                 if wanted]
        for side in sides:
            if not (self._train if side == 'train' else self._serve):
                raise StateError('restore_%s=True, but the %s graph is disabled (%s=False)'
                                 % (side, side, side))
            if (self._tf_train_sess if side == 'train' else self._tf_serve_sess) is None:
                raise StateError('Train graph is not built' if side == 'train'
                                 else 'serve graph is not built')
        if not sides:
            return
        path = os.path.join(self._directory(save_model_dir), _CHECKPOINT)
        saved_shapes = _checkpoint_shapes(path)
        for side in sides:
            self._optimistic_restore(side, path, saved_shapes)

    def _optimistic_restore(self, side, path, saved_shapes):
        graph = self.traingraph if side == 'train' else self.servegraph
        sess = self._tf_train_sess if side == 'train' else self._tf_serve_sess
        with graph.tf_graph.as_default():
            selected = [var for var in tf.global_variables()
                        if _restorable(var, saved_shapes)]
            if not selected:
                raise ArgumentError(
                    'no variable of the %s graph is in the checkpoint %s (restore matches '
                    'non-scalar variables by name and shape)' % (side, path))
            key = (side, tuple(var.name for var in selected))
            saver = self._restore_savers.get(key)
            if saver is None:
                saver = tf.train.Saver(selected)
                self._restore_savers[key] = saver
            saver.restore(sess, path)


def _checkpoint_shapes(path):
    """``{variable name: shape}`` of the checkpoint at prefix ``path``."""
    try:
        reader = tf.train.NewCheckpointReader(path)
    except tf.errors.NotFoundError as err:
        raise tf.errors.NotFoundError(
            None, None, 'no checkpoint %s (restore and init_model_dir read <dir>/model.ckpt only; '
            'numbered checkpoints model.ckpt-<step> are not used): %s' % (path, err.message))
    return reader.get_variable_to_shape_map()


def _restorable(var, saved_shapes):
    name = var.name.split(':')[0]
    shape = var.get_shape()
    return (name in saved_shapes and shape.ndims is not None and shape.ndims > 0
            and shape.as_list() == saved_shapes[name])

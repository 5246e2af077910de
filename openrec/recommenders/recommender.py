"""The Recommender base class."""
import collections.abc
import numbers

import numpy as np
import tensorflow.compat.v1 as tf

from openrec._checks import check_int
from openrec._saved_model import check_export_dir, export_legacy
from openrec._tfutils import (ArgumentError, ArgumentTypeError, CallableCache, check_choice,
                              check_l2_reg, check_number, check_positive_int)
from openrec.recommenders._validation import FeedChecks, check_path, registered_module
from openrec.recommenders._steps import chain_steps

_OPTIMIZERS = ('SGD', 'Adam')
_DEFAULT_LR = {'Adam': 0.001, 'SGD': 0.005}


def _fed_shapes(feed):
    return ', '.join('%s %s' % (p.op.name, list(np.shape(v))) for p, v in feed.items())


class Recommender(object):
    """Base of every OpenRec recommender: a TF1 graph assembled from modules, with its session.

    The constructor builds everything at once, in a fixed order: the training graph
    (inputs, extractions, fusions, interactions, optimizer), the post-training ops
    (run after each training step), the serving graph, a session, the variable
    initialization and a :class:`tf.compat.v1.train.Saver` that keeps every
    checkpoint. Training and serving graphs share variables through scope reuse.

    Each recommender owns its :class:`tf.compat.v1.Graph` (the :attr:`graph`
    property) and its :class:`tf.compat.v1.Session` (:attr:`sess`): several
    recommenders can live in one process, and construction works whether or not
    eager execution is on. The original built in the process default graph; variable
    names (checkpoint keys) are unchanged.

    Parameters
    ----------
    batch_size : int
        Training batch size. Training inputs have this static size.
    max_user : int
        Maximum number of users (user ids are in ``[0, max_user)``).
    max_item : int
        Maximum number of items (item ids are in ``[0, max_item)``).
    extra_interactions_funcs : list of callable, optional
        Extra interaction builders, each called as ``func(train)`` after
        :meth:`_build_default_interactions`.
    extra_fusions_funcs : list of callable, optional
        Extra fusion builders, each called as ``func(train)`` after
        :meth:`_build_default_fusions`.
    test_batch_size : int, optional
        Serving batch size (subclasses decide whether serving inputs use it).
    l2_reg : float, optional
        Weight for L2 regularization, passed to the modules (their losses hold the L2
        terms; there is no separate weight decay).
    opt : str, optional
        Optimizer: ``'SGD'`` (gradient descent) or ``'Adam'``.
    lr : float, optional
        Learning rate. Default: 0.005 for ``'SGD'``, 0.001 for ``'Adam'``.
    init_dict : dict, optional
        ``feed_dict`` for the one run of the variable initializer. Feeding an
        initializer output overrides a variable's start value, e.g.
        ``{'user/embedding/Initializer/truncated_normal:0': array}``.
    sess_config : tf.compat.v1.ConfigProto, optional
        Session configuration.

    Raises
    ------
    ValueError
        If an argument has a bad value (non-positive sizes, unknown ``opt``,
        non-positive ``lr``, negative ``l2_reg``), checked before anything is built;
        or, while building, if no module contributes a loss tensor; or if an
        ``init_dict`` value does not fit the tensor it feeds (the session is closed).
    TypeError
        If an argument has the wrong type, or an ``init_dict`` key is not a tensor of
        the model graph (the session is closed).

    Notes
    -----
    How to write a recommender (subclass):

    1. In ``__init__``, validate and store your own arguments (``self._dim_embed =
       ...``), then call ``super().__init__(...)``: the base constructor builds the
       whole graph and calls your hooks, which need those attributes.
    2. Declare inputs in :meth:`_build_user_inputs`, :meth:`_build_item_inputs` and
       :meth:`_build_extra_inputs` with :meth:`_add_input` (placeholders are named
       ``<name>_train`` / ``<name>_serving``), and map batches onto them in
       :meth:`_input_mappings`.
    3. Build extraction modules in :meth:`_build_user_extractions`,
       :meth:`_build_item_extractions` and :meth:`_build_extra_extractions`, fusions in
       :meth:`_build_default_fusions` and interactions in
       :meth:`_build_default_interactions`, reading inputs and other modules with
       :meth:`_get_input` / :meth:`_get_module` and registering each module with
       :meth:`_add_module`. Every hook receives ``train``: build the training variant
       (``train=True``, module reuse off, loss counted) and the serving variant
       (``train=False``, same scopes with ``reuse=True``).
    4. The training loss is the sum of the losses of all modules registered with
       ``train_loss`` true. Optionally post-process gradients in
       :meth:`_grad_post_processing` and return ops to run after each step (e.g. norm
       censoring) from :meth:`_build_post_training_ops`.
    5. Override :meth:`_build_serving_graph`: call the base method, then set
       ``self._scores`` (what :meth:`serve` returns).

    Quirks kept from the original: :meth:`_add_input` and :meth:`_add_module`
    overwrite silently; an overwritten module registered with a loss stays in the
    loss (fusions rely on this); modules added after the optimizer exists do not
    change the loss.
    """

    _str_to_dtype = {
        'float16': tf.float16, 'float32': tf.float32, 'float64': tf.float64,
        'int8': tf.int8, 'int16': tf.int16, 'int32': tf.int32, 'int64': tf.int64,
        'bool': tf.bool, 'string': tf.string,
    }

    def __init__(self, batch_size, max_user, max_item, extra_interactions_funcs=[],
                 extra_fusions_funcs=[], test_batch_size=None, l2_reg=None, opt='SGD', lr=None,
                 init_dict=None, sess_config=None):
        self._batch_size = check_positive_int(batch_size, 'batch_size')
        self._test_batch_size = (None if test_batch_size is None
                                 else check_positive_int(test_batch_size, 'test_batch_size'))
        self._max_user = check_positive_int(max_user, 'max_user')
        self._max_item = check_positive_int(max_item, 'max_item')
        self._l2_reg = check_l2_reg(l2_reg)
        self._opt = check_choice(opt, 'opt', _OPTIMIZERS)
        self._lr = _DEFAULT_LR[opt] if lr is None else check_number(lr, 'lr', positive=True)
        extra_interactions_funcs = self._check_funcs(extra_interactions_funcs,
                                                     'extra_interactions_funcs')
        extra_fusions_funcs = self._check_funcs(extra_fusions_funcs, 'extra_fusions_funcs')
        if init_dict is not None and not isinstance(init_dict, collections.abc.Mapping):
            raise ArgumentTypeError('init_dict must be a dict (a feed_dict) or None, got %r'
                                    % (init_dict,))
        if sess_config is not None and not isinstance(sess_config, tf.ConfigProto):
            raise ArgumentTypeError('sess_config must be a tf.compat.v1.ConfigProto or None, '
                                    'got %r' % (sess_config,))

        self._loss_nodes = []
        self._inputs_store = {'train': {}, 'serving': {}}
        self._modules_store = {'train': {}, 'serving': {}}
        self._interactions_funcs = [self._build_default_interactions] + extra_interactions_funcs
        self._fusions_funcs = [self._build_default_fusions] + extra_fusions_funcs

        self._graph = tf.Graph()
        with self._graph.as_default():
            self._build_training_graph()
            self._build_post_training_graph()
            self._build_serving_graph()
            if sess_config is None:
                self._sess = tf.Session()
            else:
                self._sess = tf.Session(config=sess_config)
            # Post-training ops are fetched as ops: fetching the scatter results would
            # copy whole embedding tables to Python every step.
            self._train_fetches = [self._train_op, self._loss] + [
                op if isinstance(op, tf.Operation) else op.op for op in self._post_training_ops]
            self._runners = CallableCache(self._sess)
            self._feed_checks = FeedChecks(self)
            self._step_chains = {}  # (steps, fed inputs) -> train_steps' chained copies
            try:
                self._initialize(init_dict)
                self._saver = tf.train.Saver(max_to_keep=None)
            except BaseException:
                self._sess.close()   # e.g. a bad init_dict key: do not leak the session
                raise

    @staticmethod
    def _check_funcs(funcs, name):
        if isinstance(funcs, (str, bytes)) or not isinstance(funcs, collections.abc.Iterable):
            raise ArgumentTypeError('%s must be a list of callables, got %r' % (name, funcs))
        funcs = list(funcs)
        for i, func in enumerate(funcs):
            if not callable(func):
                raise ArgumentTypeError('%s[%d] must be callable, got %r' % (name, i, func))
        return funcs

    @property
    def graph(self):
        """tf.compat.v1.Graph: the graph this recommender was built in (read-only)."""
        return self._graph

    @property
    def sess(self):
        """tf.compat.v1.Session: the session running :attr:`graph` (read-only)."""
        return self._sess

    # ------------------------------------------------------------------------------
    # public API
    # ------------------------------------------------------------------------------

    def train(self, batch_data):
        """Run one training step.

        Parameters
        ----------
        batch_data : dict or numpy structured array
            A batch indexable by the field names :meth:`_input_mappings` reads.

        Returns
        -------
        numpy.float32
            The loss of this step, computed from the values before the update.

        Raises
        ------
        ValueError
            Before the session runs, if the batch lacks a field, a field has the wrong
            shape for an input of static size (e.g. not ``batch_size`` long), or holds an
            id outside the table it is looked up in (``[0, max_user)``, ``[0, max_item)``)
            or an id that is not an integer; the message names the field.
        TypeError
            If ``batch_data`` is not indexable by field name, or ids are not numeric.

        Notes
        -----
        The original fed anything to TensorFlow, which reported a wrong length as a
        feed-shape error on a placeholder and an id outside a table as a gather error
        (or, on GPU, silently read zeros). The checks cost a few microseconds per step.
        """
        return self._run('train', self._train_fetches,
                         self._feed(batch_data, train=True))[1]

    def train_steps(self, batches):
        """Run one training step per batch, all in one session call.

        The same updates, in the same order, as ``[self.train(b) for b in batches]``:
        the first call for a number of batches copies the training step's ops that
        many times in the graph, chained so that each copy starts from the variables
        the previous one left. It saves :meth:`train`'s per-call overhead (Python,
        feeding, session set-up), which only matters when a step is cheap: see the
        README's Performance section for where it helps.

        Parameters
        ----------
        batches : list of (dict or numpy structured array)
            Training batches, each as :meth:`train` takes it.

        Returns
        -------
        numpy.ndarray
            float32 ``[len(batches)]``: the loss of each step, computed from the values
            before its update.

        Raises
        ------
        ValueError
            Before anything runs: if ``batches`` is empty, if a batch fails
            :meth:`train`'s checks (the message names the field), if the batches do not
            all feed the same inputs with the same shapes (they are stacked), or if the
            training step holds ops that cannot be copied: TF1 control flow, or
            stateful ops such as random number generators, whose copies would not
            continue one random stream as separate calls do.
        TypeError
            If ``batches`` is not a list or tuple, or a batch fails :meth:`train`'s
            type checks.
        """
        if not isinstance(batches, (list, tuple)):
            raise ArgumentTypeError('batches must be a list of batches, got %s'
                                    % type(batches).__name__)
        if len(batches) == 0:
            raise ArgumentError('batches must hold at least one batch, got an empty %s'
                                % type(batches).__name__)
        # every batch passes train()'s checks before anything is built or run
        feeds = [self._feed(batch, train=True) for batch in batches]
        inputs = tuple(feeds[0])
        for index, feed in enumerate(feeds[1:], 1):
            if tuple(feed) != inputs or any(np.shape(feed[p]) != np.shape(feeds[0][p])
                                            for p in inputs):
                raise ArgumentError(
                    'batches must all feed the same inputs with the same shapes (they are '
                    'stacked): batches[%d] feeds %s, batches[0] feeds %s' % (
                        index, _fed_shapes(feed), _fed_shapes(feeds[0])))
        key = (len(feeds), inputs)
        if key not in self._step_chains:
            with self._graph.as_default():
                stacked, copies, end = chain_steps(self._train_fetches, list(inputs), len(feeds))
                losses = tf.stack([targets[1] for targets in copies])
            self._step_chains[key] = stacked, [end, losses]
        stacked, fetches = self._step_chains[key]
        return self._run(('train_steps', len(feeds)), fetches, dict(zip(stacked, (
            np.stack([feed[p] for feed in feeds]) for p in inputs))))[1]

    def serve(self, batch_data):
        """Score a serving batch.

        Parameters
        ----------
        batch_data : dict or numpy structured array
            A batch indexable by the field names :meth:`_input_mappings` reads with
            ``train=False``.

        Returns
        -------
        numpy.ndarray
            The scores (``self._scores``), usually ``[number of users, number of items]``.

        Raises
        ------
        ValueError, TypeError
            As :meth:`train`, for the serving inputs (e.g. a user field that is not
            ``test_batch_size`` long when the serving input has that static size).
        """
        return self._run('serve', self._scores, self._feed(batch_data, train=False))

    def _feed(self, batch_data, train):
        """``_input_mappings``, then the fed values' shapes and ids checked in Python."""
        feed = self._map_batch(batch_data, train)
        self._feed_checks.check(self, feed, batch_data, train)
        return feed

    def _map_batch(self, batch_data, train):
        """``_input_mappings`` with a clear error for batches lacking a field.

        Only the failed lookup of a field that ``batch_data`` lacks becomes an
        ``ArgumentError``, chained to the lookup's error: a str key absent from the batch,
        raised in a frame that holds the batch. Any other error raised by a subclass's
        ``_input_mappings`` (a ``KeyError`` of ``_get_input`` or of its own dicts, ...)
        propagates unchanged. (A subclass's own dict missing a str key that the batch
        lacks too, in the frame holding the batch, is reported as a missing field; the
        chained cause shows its line.)
        """
        try:
            return self._input_mappings(batch_data, train=train)
        except KeyError as err:  # dict batches
            field = err.args[0] if len(err.args) == 1 else None
            if not self._lacks_field(batch_data, field, err):
                raise
            raise self._missing_field(field, train) from err
        except ValueError as err:  # structured arrays: "no field of name <field>"
            field = str(err).rsplit(' ', 1)[-1]
            if 'no field of name' not in str(err) or not self._lacks_field(batch_data, field, err):
                raise
            raise self._missing_field(field, train) from err
        except (TypeError, IndexError) as err:
            if isinstance(batch_data, (dict, np.ndarray)):
                raise
            raise ArgumentTypeError('batch_data must be a dict or a numpy structured array '
                                    'indexed by field name, got %s'
                                    % type(batch_data).__name__) from err

    def _missing_field(self, field, train):
        return ArgumentError('batch_data has no field %r, which %s needs for %s'
                             % (field, type(self).__name__, 'training' if train else 'serving'))

    @staticmethod
    def _lacks_field(batch_data, field, err):
        """Whether ``err`` is the failed lookup of a field that ``batch_data`` lacks: a str
        absent from the batch, looked up where the batch is at hand (the innermost frame
        of the error holds it), not e.g. in ``_get_input``'s store."""
        if not isinstance(field, str):
            return False
        names = getattr(getattr(batch_data, 'dtype', None), 'names', None)
        try:
            if field in (batch_data if names is None else names):
                return False
        except TypeError:
            return False
        frame = err.__traceback__
        while frame.tb_next is not None:
            frame = frame.tb_next
        return any(value is batch_data for value in frame.tb_frame.f_locals.values())

    def _run(self, kind, fetches, feed_dict):
        # cached session callables: train() is the hot loop
        return self._runners(kind, fetches, feed_dict)

    def save(self, save_dir, step):
        """Save a checkpoint of every variable (optimizer slots included).

        Parameters
        ----------
        save_dir : str
            Path prefix: files ``<save_dir>-<step>.*``, a ``checkpoint`` index and the
            meta graph are written.
        step : int or None
            Global step appended to the prefix (None: nothing appended).

        Raises
        ------
        TypeError
            If ``save_dir`` is not a non-empty str (or path) or ``step`` not an int.
        """
        save_dir = check_path(save_dir, 'save_dir')
        if step is not None:
            check_int(step, 'step')
        with self._graph.as_default():
            self._saver.save(self._sess, save_dir, global_step=step)

    def load(self, load_dir):
        """Restore every variable from a checkpoint.

        Parameters
        ----------
        load_dir : str
            Full checkpoint prefix, i.e. ``<save_dir>-<step>``.

        Raises
        ------
        TypeError
            If ``load_dir`` is not a non-empty str (or path).
        ValueError
            From TensorFlow, if no checkpoint has that prefix.
        """
        load_dir = check_path(load_dir, 'load_dir')
        with self._graph.as_default():
            self._saver.restore(self._sess, load_dir)

    def export_saved_model(self, export_dir):
        """Write the serving graph, with the current variable values, as a SavedModel.

        A standard TensorFlow SavedModel (tag ``'serve'``) that TF Serving,
        ``saved_model_cli`` and ``tf.saved_model.load`` in eager TensorFlow 2 read without
        openrec. Its signatures:

        * ``serving_default``: inputs ``user_id_input`` and ``item_id_input`` (int32
          ``[None]``, the batch fields of :meth:`serve`), output ``scores``: what
          :meth:`serve` returns for them (``[users, items]``). Features a recommender
          looks up by id (``item_f_source``, ``user_f_source``, ``item_f``) are stored in
          the SavedModel (variables ``<input>_table``) and looked up in the graph, as
          :meth:`serve` does in Python.
        * ``top_k``: inputs ``user_id_input`` and ``k`` (int32 scalar), outputs
          ``item_ids`` (int32 ``[users, k]``) and ``scores`` (``[users, k]``): each user's
          ``k`` best items among all ``max_item`` items, best first (ties: lower id first),
          i.e. :meth:`serve` with ``item_id_input = range(max_item)`` then a top-k
          (``k`` at most ``max_item``).

        Parameters
        ----------
        export_dir : str or os.PathLike
            A directory that does not exist yet (it is created) or is empty.

        Returns
        -------
        str
            ``export_dir``, as a str.

        Raises
        ------
        TypeError
            If ``export_dir`` is not a str or path.
        ValueError
            If ``export_dir`` exists and is a file or a non-empty directory, or cannot be
            created or written (its closest existing directory is a file or is not
            writable); if the recommender serves nothing (no ``_scores``) or its scores depend on a serving
            input that is not a known batch field. Checked before anything is written; a
            failed write removes what it wrote.

        Notes
        -----
        Serving inputs fixed to ``test_batch_size`` (BPR family, ItrMLP; spec quirk Q9) take
        any number of rows in the SavedModel: the graph does not depend on that size. (A
        subclass whose serving graph does keeps the size, with a warning.)
        ItrMLP's serving graph flags the ids it serves (for
        :meth:`~openrec.recommenders.ItrMLP.update_embeddings`); the
        exported graph does not (it only reads variables). The variables are non-trainable
        resource variables named as here; nothing of the training graph is exported. Ids
        are not checked as :meth:`serve` checks them: an id outside the tables fails in
        TensorFlow's gather.
        """
        export_dir = check_export_dir(export_dir)
        with self._graph.as_default():
            return export_legacy(self, export_dir)

    def compute_module_outputs(self, name, batch_data, train=True):
        """Evaluate the outputs of a registered module.

        Parameters
        ----------
        name : str
            Module name.
        batch_data : dict or numpy structured array
            A batch for the training (``train=True``) or serving graph.
        train : bool, optional
            Which graph the module belongs to.

        Returns
        -------
        list of numpy.ndarray
            One array per output (empty when the module has no outputs).

        Raises
        ------
        ValueError
            If no module ``name`` is registered for that graph (the error is also a
            ``KeyError``, as in the original), or for a bad batch (see :meth:`train`).
        """
        module = registered_module(self, name, train)
        with self._graph.as_default():
            outputs = module.get_outputs()
            if len(outputs) == 0:
                return []
            return self._sess.run(outputs,
                                  feed_dict=self._feed(batch_data, train=train))

    def compute_module_loss(self, name, batch_data, train=True):
        """Evaluate the loss of a registered module.

        Parameters
        ----------
        name : str
            Module name.
        batch_data : dict or numpy structured array
            A batch for the training (``train=True``) or serving graph.
        train : bool, optional
            Which graph the module belongs to.

        Returns
        -------
        float or numpy.float32
            The loss; a Python float loss (e.g. ``0.0`` of serving modules) is
            returned without running anything.

        Raises
        ------
        ValueError
            As :meth:`compute_module_outputs`.
        """
        loss = registered_module(self, name, train).get_loss()
        with self._graph.as_default():
            if type(loss) == float:
                return loss
            return self._sess.run(loss, feed_dict=self._feed(batch_data, train=train))

    # ------------------------------------------------------------------------------
    # construction steps
    # ------------------------------------------------------------------------------

    def _initialize(self, init_dict):
        """Run the global variable initializer once, feeding ``init_dict`` if given."""
        with self._graph.as_default():
            init = tf.global_variables_initializer()
            if init_dict is None:
                self._sess.run(init)
            else:
                # Session.run's own messages say what is wrong with a key or a value but
                # not that it came from init_dict.
                try:
                    self._sess.run(init, feed_dict=init_dict)
                except TypeError as exc:
                    raise ArgumentTypeError(
                        'init_dict: %s (keys are tensors or tensor names of the model graph, '
                        "such as 'user/embedding/Initializer/truncated_normal:0')" % exc) from exc
                except ValueError as exc:
                    raise ArgumentError('init_dict: %s' % exc) from exc

    def _build_training_graph(self):
        """Build inputs, extractions, fusions, interactions and the optimizer for training."""
        self._loss_nodes = []
        self._build_inputs(train=True)
        self._build_extractions(train=True)
        self._build_fusions(train=True)
        self._build_interactions(train=True)
        self._build_optimizer()

    def _build_post_training_graph(self):
        """Build the ops run after each training step (they depend on the train op)."""
        if hasattr(self, '_train_op'):
            self._post_training_ops = []
            with tf.control_dependencies([self._train_op]):
                self._post_training_ops += self._build_post_training_ops()

    def _build_serving_graph(self):
        """Build inputs, extractions, fusions and interactions for serving.

        Subclasses that serve call this, then set ``self._scores``.
        """
        self._build_inputs(train=False)
        self._build_extractions(train=False)
        self._build_fusions(train=False)
        self._build_interactions(train=False)

    def _build_inputs(self, train=True):
        self._build_user_inputs(train)
        self._build_item_inputs(train)
        self._build_extra_inputs(train)

    def _build_extractions(self, train=True):
        self._build_user_extractions(train)
        self._build_item_extractions(train)
        self._build_extra_extractions(train)

    def _build_fusions(self, train=True):
        for func in self._fusions_funcs:
            func(train)

    def _build_interactions(self, train=True):
        for func in self._interactions_funcs:
            func(train)

    def _build_optimizer(self):
        """Sum the registered losses and build the optimizer's train op."""
        if all(isinstance(m.get_loss(), numbers.Number) for m in self._loss_nodes):
            raise ArgumentError(
                '%s has no loss to minimize: no module registered with train_loss=True '
                'returns a loss tensor (register modules with _add_module in the '
                '_build_* hooks)' % self.__class__.__name__)
        self._loss = tf.add_n([m.get_loss() for m in self._loss_nodes])
        if self._opt == 'SGD':
            optimizer = tf.train.GradientDescentOptimizer(self._lr)
        else:
            optimizer = tf.train.AdamOptimizer(learning_rate=self._lr)
        grad_var_list = optimizer.compute_gradients(self._loss)
        self._train_op = optimizer.apply_gradients(self._grad_post_processing(grad_var_list))

    # ------------------------------------------------------------------------------
    # hooks for subclasses
    # ------------------------------------------------------------------------------

    def _build_user_inputs(self, train=True):
        """Declare user inputs with :meth:`_add_input` (may be overridden)."""
        pass

    def _build_item_inputs(self, train=True):
        """Declare item inputs with :meth:`_add_input` (may be overridden)."""
        pass

    def _build_extra_inputs(self, train=True):
        """Declare other inputs with :meth:`_add_input` (may be overridden)."""
        pass

    def _input_mappings(self, batch_data, train):
        """Map a batch onto the input placeholders (may be overridden).

        Parameters
        ----------
        batch_data : dict or numpy structured array
            A batch indexable by field name.
        train : bool
            Map onto the training (True) or serving (False) placeholders.

        Returns
        -------
        dict
            ``{placeholder: value}``, used as ``feed_dict``. The base returns ``{}``.
        """
        return {}

    def _build_user_extractions(self, train=True):
        """Build user extraction modules (may be overridden)."""
        pass

    def _build_item_extractions(self, train=True):
        """Build item extraction modules (may be overridden)."""
        pass

    def _build_extra_extractions(self, train=True):
        """Build other extraction modules (may be overridden)."""
        pass

    def _build_default_fusions(self, train=True):
        """Build the default fusion modules (may be overridden)."""
        pass

    def _build_default_interactions(self, train=True):
        """Build the default interaction modules (may be overridden)."""
        pass

    def _build_post_training_ops(self):
        """Return ops to run after each training step (may be overridden).

        Returns
        -------
        list
            Ops or tensors; built under a control dependency on the train op.
        """
        return []

    def _grad_post_processing(self, grad_var_list):
        """Transform the ``(gradient, variable)`` list before it is applied (may be overridden)."""
        return grad_var_list

    @staticmethod
    def _scale_gradients(grad_var_list, substring, factor):
        """Multiply the gradients of variables whose name contains ``substring`` by ``factor``."""
        return [(g * factor if g is not None and substring in v.name else g, v)
                for g, v in grad_var_list]

    # ------------------------------------------------------------------------------
    # registries
    # ------------------------------------------------------------------------------

    def _input(self, dtype='float32', shape=None, name=None):
        """Create a placeholder.

        Parameters
        ----------
        dtype : str, optional
            One of ``'float16', 'float32', 'float64', 'int8', 'int16', 'int32',
            'int64', 'bool', 'string'``.
        shape : list, optional
            Static shape (None entries are unknown sizes).
        name : str, optional
            Op name.

        Raises
        ------
        ValueError
            If ``dtype`` is unknown.
        """
        if dtype not in self._str_to_dtype:
            raise ArgumentError('dtype must be one of %s, got %r'
                                % (', '.join(repr(k) for k in self._str_to_dtype), dtype))
        return tf.placeholder(self._str_to_dtype[dtype], shape=shape, name=name)

    def _add_input(self, name, dtype='float32', shape=None, train=True):
        """Create and register an input placeholder named ``<name>_train`` or ``<name>_serving``.

        ``dtype='none'`` registers None (an input the graph does not have). An
        existing input of that name is replaced (its placeholder stays in the graph).
        """
        store = self._inputs_store['train' if train else 'serving']
        if dtype == 'none':
            store[name] = None
        else:
            store[name] = self._input(dtype=dtype, shape=shape,
                                      name=name + ('_train' if train else '_serving'))

    def _add_module(self, name, module, train_loss=None, train=True):
        """Register a module; with ``train_loss`` (default: ``train``) its loss is minimized.

        An existing module of that name is replaced in the store, but stays in the
        loss if it was counted.
        """
        if train_loss is None:
            train_loss = train
        self._modules_store['train' if train else 'serving'][name] = module
        if train_loss:
            self._loss_nodes.append(module)

    def _get_input(self, name, train=True):
        """Return a registered input (``KeyError`` if absent)."""
        return self._inputs_store['train' if train else 'serving'][name]

    def _get_module(self, name, train=True):
        """Return a registered module (``KeyError`` if absent)."""
        return self._modules_store['train' if train else 'serving'][name]

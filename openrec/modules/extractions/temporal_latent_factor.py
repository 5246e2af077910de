"""The TemporalLatentFactor extraction."""
import numbers
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import tensorflow.compat.v1 as tf
from tqdm import tqdm

from openrec._tfutils import (ArgumentError, array_initializer, check_dims, check_l2_reg,
                              check_scope, check_session, check_shape, check_tensor,
                              embedding_initializer, embedding_lookup, require_graph_mode,
                              scatter_update, unpartitioned, whole_table)
from openrec.modules.extractions._identity_pretraining import identity_pretraining_op
from openrec.modules.extractions.extraction import Extraction
from openrec.modules.extractions.multi_layer_fc import MultiLayerFC

_PRETRAIN_BATCH = 32


class TemporalLatentFactor(Extraction):
    """Latent factors refreshed by an MLP: ``output = MLP(embedding[ids])``.

    The embedding table is fixed (not trainable); an MLP with batch normalization and
    ReLU output transforms looked-up rows. Rows seen by the output are flagged;
    :meth:`forward_update_embeddings` writes ``MLP(row)`` back into the table for the
    flagged rows. With ``mlp_pretrain`` the MLP can first be trained to the identity
    with :meth:`pretrain_mlp_as_identity`. Used by the ItrMLP recommender.

    Parameters
    ----------
    shape : list
        Shape of the embedding matrix, i.e. [number of unique ids, embedding dimensionality].
    mlp_dims : list
        Output widths of the MLP layers; the last one is normally the embedding
        dimensionality.
    ids : Tensorflow tensor
        Integer ids to retrieve (and flag).
    init : str, number or numpy array, optional
        'normal' (truncated normal, stddev 0.01, default), 'zero', or a constant
        initial value (e.g. a pretrained ``shape`` array, which is not stored in the
        GraphDef: the initializer reads and copies it when it runs, and the table
        never shares its memory).
    mlp_pretrain : bool, optional
        Build the identity pretraining graph (training mode only).
    l2_reg : float, optional
        Weight for L2 regularization of the MLP variables.
    train : bool, optional
        An indicator for training or serving phase.
    scope : str, optional
        Scope for module variables. The MLP lives in ``<scope>/<scope>/MLP``, as in the
        original. Under a ``variable_scope`` with a partitioner, ``embedding`` and
        ``flag`` are partitioned; the MLP's variables never are.
    reuse : bool, optional
        Whether or not to reuse module variables.

    Raises
    ------
    ValueError
        If ``ids`` is None, ``shape``, ``mlp_dims`` or ``init`` are invalid, or eager
        execution is active.
    TypeError
        If ``ids`` is not an integer tensor.
    """

    _pretrain_chunk = 1000  # pretraining steps per session call (private)

    def __init__(self, shape, mlp_dims, ids, init='normal', mlp_pretrain=True, l2_reg=None,
                 train=True, scope=None, reuse=False):
        require_graph_mode('TemporalLatentFactor')
        check_scope(scope)
        check_l2_reg(l2_reg)
        self._shape = check_shape(shape)
        self._mlp_dims = check_dims(mlp_dims, 'mlp_dims')
        if self._mlp_dims[-1] != self._shape[1]:
            raise ArgumentError('mlp_dims[-1] must equal shape[1] (%d): the MLP output is written '
                                'back into the table, got %d' % (self._shape[1], self._mlp_dims[-1]))
        self._ids = check_tensor(ids, 'ids', rank=1, dtype='integer')
        self._initializer = self._resolve_init(init)
        self._mlp_pretrain = mlp_pretrain
        self._pretrain_steps = 20000  # private knob: tests pretrain with fewer steps
        super(TemporalLatentFactor, self).__init__(train=train, l2_reg=l2_reg, scope=scope,
                                                   reuse=reuse)

    def _resolve_init(self, init):
        if isinstance(init, str) and init in ('normal', 'zero'):
            return embedding_initializer(init)
        if isinstance(init, numbers.Real) and not isinstance(init, bool):
            return tf.constant_initializer(float(init))
        try:
            array = None if isinstance(init, str) else np.asarray(init, dtype=np.float32)
        except (TypeError, ValueError):
            array = None
        if array is None or array.shape != tuple(self._shape):
            raise ArgumentError("init must be 'normal', 'zero', a number or an array of shape "
                                "%s, got %r" % (self._shape, init if array is None else array.shape))
        # an ndarray of another dtype is cast when the initializer runs: no lasting copy
        return init if type(init) is np.ndarray else array

    def _mlp(self, in_tensor, train, reuse, l2_reg=None):
        # a scope partitioner is meant for the table; the small MLP stays whole
        with unpartitioned():
            return MultiLayerFC(in_tensor, self._mlp_dims, relu_out=True, batch_norm=True,
                                train=train, l2_reg=l2_reg, scope=self._scope + '/MLP',
                                reuse=reuse)

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        with tf.variable_scope(self._scope, reuse=self._reuse):
            initializer = self._initializer
            if isinstance(initializer, np.ndarray):
                initializer = array_initializer(initializer)
            self._embedding = tf.get_variable('embedding', shape=self._shape, dtype=tf.float32,
                                              initializer=initializer, trainable=False)
            self._flag = tf.get_variable('flag', shape=[self._shape[0]], dtype=tf.bool,
                                         initializer=tf.zeros_initializer(),
                                         trainable=False)
            unique_ids, _ = tf.unique(tf.reshape(self._ids, [-1]))
            mark = scatter_update(self._flag, unique_ids, tf.ones_like(unique_ids, dtype=tf.bool))
            with tf.control_dependencies([mark]):
                mlp = self._mlp(embedding_lookup(self._embedding, self._ids), self._train,
                                self._reuse, self._l2_reg)
            self._outputs += mlp.get_outputs()
            self._loss += mlp.get_loss()

            update_ids = tf.reshape(tf.where(whole_table(self._flag)), [-1])
            refreshed = self._mlp(embedding_lookup(self._embedding, update_ids), False, True)
            self._update_node = scatter_update(self._embedding, update_ids,
                                               refreshed.get_outputs()[0])
            self._clear_flag = scatter_update(self._flag, update_ids,
                                              tf.zeros_like(update_ids, dtype=tf.bool))

    def _build_training_graph(self):
        """Build training-specific computational graphs (may be overridden)."""
        if not self._mlp_pretrain:
            return
        with tf.variable_scope(self._scope, reuse=self._reuse):
            self._pretrain_input = tf.placeholder(
                tf.float32, shape=(_PRETRAIN_BATCH, self._shape[1]), name='pretrain_input')
            mlp = self._mlp(self._pretrain_input, True, True, self._l2_reg)
            identity_loss = tf.nn.l2_loss(mlp.get_outputs()[0] - self._pretrain_input)
            optimizer = tf.train.AdamOptimizer(learning_rate=0.001)
            self._pretrain_op = optimizer.minimize(identity_loss)
            # the fast path: chunks of the same steps in one session call each
            self._pretrain_batches = tf.placeholder(
                tf.float32, shape=(self._pretrain_chunk, _PRETRAIN_BATCH, self._shape[1]),
                name='pretrain_batches')
            self._pretrain_count = tf.placeholder(tf.int32, shape=(), name='pretrain_steps')
            self._pretrain_chunk_op = identity_pretraining_op(
                self._pretraining_state(optimizer), self._pretrain_batches, self._pretrain_count)

    def _pretraining_state(self, optimizer):
        """Every variable one identity-pretraining step reads or writes, in a fixed order."""
        with unpartitioned(), tf.variable_scope(self._scope + '/MLP', reuse=True):
            layers = []
            for i in range(len(self._mlp_dims)):
                layers.append([tf.get_variable(name) for name in
                               ('FC__%d' % i, 'bias__%d' % i, 'bn_%d/beta' % i, 'bn_%d/gamma' % i)])
                layers[-1] += [tf.get_variable(name) for name in
                               ('bn_%d/moving_mean' % i, 'bn_%d/moving_variance' % i)]
        trainable = [v for layer in layers for v in layer[:4]]
        slots = [optimizer.get_slot(v, name) for name in ('m', 'v') for v in trainable]
        return [v for layer in layers for v in layer] + slots + list(
            optimizer._get_beta_accumulators())

    def pretrain_mlp_as_identity(self, sess):
        """Train the MLP towards the identity function.

        Runs the original's 20000 Adam steps (learning rate 0.001) on
        ``l2_loss(MLP(x) - x)``, each on a fresh batch of 32 rows drawn with
        ``np.random.uniform(-0.5, 0.5)`` (the global numpy RNG, in the original's
        order), with batch normalization in training mode. The result is the
        original's to float32 rounding: weights, moving statistics, Adam slots and beta
        powers are updated as ``tf.compat.v1.train.AdamOptimizer`` and batch norm do.
        The original spent about 1 ms per step on one ``sess.run`` each; here a
        ``while`` loop compiled with XLA runs 1000 steps per session call, which makes
        the call more than ten times faster, its first call's compilation (about a
        second) included (``benchmarks/pretrain.py``). Modules of the same shapes in a
        graph share the compilation. Shows a tqdm progress bar.

        Parameters
        ----------
        sess : tf.compat.v1.Session
            A session of this module's graph with initialized variables.

        Raises
        ------
        ValueError
            If the module was built with ``train=False`` or ``mlp_pretrain=False``.
        TypeError
            If ``sess`` has no ``run`` method.
        """
        if not (self._train and self._mlp_pretrain):
            raise ArgumentError('pretrain_mlp_as_identity needs a module built with train=True '
                                'and mlp_pretrain=True (this one has train=%r, mlp_pretrain=%r)'
                                % (self._train, self._mlp_pretrain))
        check_session(sess)
        # Each chunk's batches are drawn while the previous chunk runs (the first run
        # also compiles): numpy and the compiled loop then share the two cores.
        with tqdm(total=self._pretrain_steps, desc='Pretrain %s MLP as identity' % self._scope,
                  unit='step') as bar, ThreadPoolExecutor(1) as runner:
            done, running = 0, None
            while done < self._pretrain_steps:
                steps = min(self._pretrain_chunk, self._pretrain_steps - done)
                batches = np.zeros(self._pretrain_batches.shape.as_list(), np.float32)
                batches[:steps] = np.random.uniform(-0.5, 0.5,
                                                    (steps, _PRETRAIN_BATCH, self._shape[1]))
                if running is not None:
                    bar.update(running.result())
                running = runner.submit(self._run_pretraining_chunk, sess, batches, steps)
                done += steps
            bar.update(running.result())

    def _run_pretraining_chunk(self, sess, batches, steps):
        sess.run(self._pretrain_chunk_op, {self._pretrain_batches: batches,
                                           self._pretrain_count: steps})
        return steps

    def forward_update_embeddings(self, sess):
        """Retrieve update node.

        Replaces every flagged (touched) row of the embedding table with its MLP
        transform (serving mode: batch normalization with the moving statistics), then
        clears the flags. Without flagged rows it changes nothing.

        Parameters
        ----------
        sess : tf.compat.v1.Session
            A session of this module's graph.

        Raises
        ------
        TypeError
            If ``sess`` is not a session.
        """
        check_session(sess)
        sess.run(self._update_node)
        sess.run(self._clear_flag)


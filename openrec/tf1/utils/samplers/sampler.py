"""The 0.2 ``Sampler``: workers running a batch generator over a data set."""
import copy

import numpy as np

from openrec import _workers
from openrec._checks import ArgumentError, ArgumentTypeError, check_positive_int, describe


class Sampler(object):
    """A stream of batches produced in the background by ``num_process`` workers.

    Each worker runs ``generate_batch(dataset)``, a generator function called with the
    data set as its only positional argument, and its items reach :meth:`next_batch` in
    completion order. Nothing starts before :meth:`reset` or the first
    :meth:`next_batch`.

    Parameters
    ----------
    dataset : openrec.tf1.utils.Dataset
        Passed to ``generate_batch``; any object with a ``name`` attribute.
    generate_batch : callable
        Generator function ``generate_batch(dataset)`` yielding batches (usually numpy
        structured arrays); settings are usually bound as keyword defaults. Closures
        defined in ``__main__`` or a notebook work.
    num_process : int, optional
        Number of workers, each running its own ``generate_batch(dataset)`` on its own
        copy of ``dataset`` (its own ``next_random_record`` walk).

    Raises
    ------
    ValueError
        ``Batch generation function is not specified`` (``generate_batch`` is None),
        ``Dataset is not specified`` (``dataset`` is None), ``num_process`` < 1. Also an
        ``AssertionError``, as the original's ``assert`` checks.
    TypeError
        ``generate_batch`` not callable, ``dataset`` without ``name``, ``num_process`` not
        an int.

    Attributes
    ----------
    name : str
        ``dataset.name``, printed by the trainer.

    Notes
    -----
    Workers of a ``Sampler`` built directly are **forked processes** (explicit ``fork``
    start method on every POSIX system, also where the default is ``spawn`` or
    ``forkserver``), as in the original: each works on a snapshot of the data set and of
    the caller's globals taken at :meth:`reset`, the generator function is not pickled,
    and the global ``random`` module is reseeded in each worker by Python. Items travel
    pickled, so each :meth:`next_batch` returns a fresh object; at most ``num_process``
    items wait in the queue. Where the platform cannot fork (Windows), workers are threads,
    each given a deep copy of the data set.

    The specialised samplers (:func:`RandomPairwiseSampler` and the others) return plain
    ``Sampler`` instances whose batches are built vectorised in background threads when
    the data set is an openrec ``Dataset`` (see their Notes).

    Changed from the original, where a failed or finished worker left :meth:`next_batch`
    blocked forever and workers lived until interpreter exit (also after their parent was
    killed):

    - an exception raised in a worker reaches :meth:`next_batch` as a ``RuntimeError``
      naming the sampler, chained to the worker's exception (with the worker's traceback);
      a generator that returns in every worker, or a worker process that dies without
      reporting, raises ``RuntimeError`` too. The error repeats until :meth:`reset`;
    - :meth:`close` (also ``with`` exit, garbage collection and interpreter exit) stops
      and joins the workers; worker processes exit by themselves when their parent dies;
    - numpy's global RNG, which forked workers all inherit unchanged (so they drew the
      same numbers), is reseeded in workers 1, 2, ... (worker 0 keeps the inherited
      state, so ``np.random.seed`` before :meth:`reset` still reproduces a one-worker
      stream).
    """

    def __init__(self, dataset=None, generate_batch=None, num_process=5):
        if generate_batch is None:
            raise ArgumentError('Batch generation function is not specified')
        if dataset is None:
            raise ArgumentError('Dataset is not specified')
        if not callable(generate_batch):
            raise ArgumentTypeError('generate_batch must be a generator function taking the dataset, '
                                    'got %r' % (generate_batch,))
        num_process = check_positive_int(num_process, 'num_process')
        if not hasattr(dataset, 'name'):
            raise ArgumentTypeError('dataset must have a name attribute (an openrec.tf1.utils.Dataset), '
                                    'got %s' % describe(dataset))
        self._q = None
        self._dataset = dataset
        self._runner_list = []
        self._start = False
        self._num_process = num_process
        self._generate_batch = generate_batch
        self.name = dataset.name
        # Set by the specialised samplers: seed entropy of the workers' private RNGs, and
        # a builder of vectorised block sources run in threads (see ``_common.builtin``).
        self._seed_entropy = None
        self._sources = None
        self._resets = 0
        self._feed = _workers.Feed('Sampler %r' % (self.name,))

    def reset(self):
        """(Re)start every worker: stop the running ones and restart the streams from scratch.

        Workers take a fresh snapshot of the data set; evaluation streams start again at
        their first user.

        Returns
        -------
        None
        """
        self.close()
        count, label = self._num_process, 'tf1.Sampler[%s]' % (self.name,)
        seeds, context = self._worker_seeds(), _workers.fork_context()
        if self._sources is not None:
            workers = _workers.start_threads(
                label, self._sources([np.random.default_rng(s) for s in seeds]), depth=count)
        elif context is not None:
            states = [None if s is None else int.from_bytes(s.generate_state(4).tobytes(), 'little')
                      for s in seeds]
            workers = _workers.start_processes(context, label, self._generate_batch, self._dataset,
                                               count, count, states)
        else:
            sources = [([item] for item in self._generate_batch(copy.deepcopy(self._dataset)))
                       for _ in range(count)]
            workers = _workers.start_threads(label, sources, depth=count)
        self._resets += 1
        self._feed.start(self, workers)
        self._q = workers.blocks
        self._runner_list = list(workers.workers)
        self._start = True

    def _worker_seeds(self):
        if self._seed_entropy is None:
            return [None] * self._num_process
        return [np.random.SeedSequence(self._seed_entropy, spawn_key=(self._resets, i))
                for i in range(self._num_process)]

    def next_batch(self):
        """Return the next item of the stream, starting the workers on first use.

        Blocks until a worker has produced an item.

        Returns
        -------
        object
            What the generator yielded: a structured array for training samplers, a pair
            ``(positives, batch)`` for evaluation samplers.

        Raises
        ------
        RuntimeError
            If a worker raised (chained to its exception), died, or every worker's
            generator ended. Raised again on later calls, until :meth:`reset`.
        """
        if not self._start:
            self.reset()
        return self._feed.next()

    def close(self):
        """Stop and join the workers (idempotent).

        The next :meth:`next_batch` starts them again, from scratch, as on first use.
        """
        self._start = False  # first: after an interrupted stop, next_batch() starts afresh
        self._feed.stop()
        self._q = None
        self._runner_list = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()
        return False


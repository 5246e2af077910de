import itertools
import multiprocessing
import queue
import weakref

import numpy as np

from openrec import _workers
from openrec._checks import (ArgumentError, ArgumentTypeError, check_fields, check_ids,
                             check_positive_int)
from openrec.utils.implicit_dataset import ImplicitDataset, _first_appearance_unique
from openrec.utils.samplers._negatives import _Negatives

_BUFFER_SIZE = 5   # blocks
_BLOCK_SIZE = 8    # batches handed over at a time
_POLL_SECONDS = 0.05


class Sampler(object):
    """Base class of the samplers: background workers filling a bounded batch buffer.

    Parameters
    ----------
    dataset : Dataset
        The dataset to sample from.
    batch_size : int
        Rows per batch.
    num_process : int, optional
        Number of workers (threads in this port, see Notes).

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or value.
    NotImplementedError
        When constructed directly (subclasses provide :meth:`_batch_source` or
        :meth:`_get_runner`).

    Notes
    -----
    Workers start on construction and keep a bounded buffer of batches ready;
    :meth:`next_batch` blocks until one is available. A batch is a numpy structured
    array of length ``batch_size`` indexed by field name.

    Port changes (the original used forked processes):

    - Workers are daemon **threads**. Each worker owns its own copy of the id columns
      and its own index permutation, so no shared array is reshuffled; batches are
      built with vectorised numpy (which releases the GIL in its large operations) and
      handed over without pickling. Threads cannot be broken by forking after a
      TensorFlow session exists, start instantly, and stop reliably.
    - The buffer holds 5 *blocks* of 8 batches (the original: 5 batches): a worker is
      woken once per block, so it disturbs the training step far less often.
    - A failing worker no longer leaves :meth:`next_batch` blocked forever: the
      exception reaches the caller as a :class:`RuntimeError` chained to it; the end of
      a chronological pass likewise raises a :class:`RuntimeError`.
    - :meth:`close` (also the context-manager exit, the garbage collector and interpreter
      exit) stops and joins the workers. A closed sampler restarts its workers on the
      next :meth:`next_batch` and continues the same streams. The trainers stop the
      worker threads of the built-in samplers when ``train`` returns (so that no thread
      competes with the rest of the program) and a later ``train`` continues the same
      streams; the runners of :meth:`_get_runner` samplers keep running across ``train``
      calls, as the original's did.
    - The built-in samplers implement :meth:`_batch_source` (an iterator of batches per
      worker). The original's process hook still works for subclasses (0.1 code): see
      :meth:`_get_runner`.
    - ``dataset`` is checked by what is called on it (``max_item()``, its rows in
      ``data``/``raw_data``, ``shuffle()``, ...), not by class, as the original only
      called methods: look-alikes and subclasses work, and a subclass's own
      ``get_interactions_by_user_gb_item`` (and ``get_unique_user_list``) decide the
      positives that negatives avoid (and the negative users), as in the original.
    - Each worker draws from a private ``numpy.random.Generator`` seeded from the
      subclass ``seed`` (``SeedSequence(seed).spawn``); the global ``random`` module is
      no longer reseeded. Interleaving of several workers is scheduling-dependent; with
      ``num_process=1`` a seeded stream is reproducible.
    """

    def __init__(self, dataset, batch_size, num_process=5):
        if type(self)._get_runner is not Sampler._get_runner:
            self._start_runner_hook(dataset, batch_size, num_process)
            return
        self._check_common(dataset, batch_size, num_process, methods=())
        if type(self)._batch_source is Sampler._batch_source:
            raise NotImplementedError('Sampler is a base class: use a subclass that implements '
                                      '_batch_source(rng) (e.g. PairwiseSampler), or the 0.1 '
                                      'hook _get_runner()')
        self._dataset = dataset
        self._batch_size = batch_size
        self._num_process = num_process
        seeds = np.random.SeedSequence(getattr(self, '_seed', None)).spawn(num_process)
        # Batches travel in blocks: the consumer then wakes a worker (which competes with
        # TensorFlow's threads for the CPU) once per block rather than once per batch.
        self._streams = [_workers.Stream(_blocks(self._batch_source(np.random.default_rng(s)),
                                                 _BLOCK_SIZE)) for s in seeds]
        self._feed = _workers.Feed(
            type(self).__name__, resumable=True, failed='{label} worker failed: {kind}: {error}',
            ended='{label} is exhausted: the chronological pass ended after {served} batches')
        self._resume()

    @staticmethod
    def _check_common(dataset, batch_size, num_process, methods=('max_item',),
                      chronological=True):
        if chronological is False:
            methods = tuple(methods) + ('shuffle',)
        missing = ['%s()' % m for m in methods if not callable(getattr(dataset, m, None))]
        rows = getattr(dataset, 'data', None)
        if rows is None:
            rows = getattr(dataset, 'raw_data', None)
        if not isinstance(rows, np.ndarray):
            missing.insert(0, 'rows')
        if missing:
            raise ArgumentTypeError(
                'dataset must be an openrec.utils.Dataset or a look-alike: rows in data or '
                'raw_data (numpy structured array)%s; got a %s without %s'
                % (''.join(', %s()' % m for m in methods), type(dataset).__name__,
                   ', '.join(missing)))
        check_positive_int(batch_size, 'batch_size')
        check_positive_int(num_process, 'num_process')

    # ------------------------------------------------------------------------------
    # the original's process hook (0.1 subclasses)
    # ------------------------------------------------------------------------------

    def _get_runner(self):
        """Return an unstarted worker (subclass hook of the original 0.1 API).

        A subclass that overrides this hook (instead of :meth:`_batch_source`) gets the
        original's machinery: the base constructor stores ``_dataset`` and
        ``_batch_size``, creates ``_q = multiprocessing.Queue(maxsize=5)``, then
        ``num_process`` times calls this hook, sets the worker's ``daemon = True``,
        starts it and appends it to ``_runner_list``; :meth:`next_batch` takes batches
        from ``_q``. Workers are usually ``multiprocessing.Process`` objects that put
        batches on ``self._q`` (set the subclass's own options before calling the base
        constructor, as the original required).

        The trainers never stop these workers: a runner walking the data in order
        continues where it was at the next ``train`` call, as in the original (whose
        samplers had no stop at all).

        Port changes for such samplers: :meth:`next_batch` raises ``RuntimeError``
        when every worker has ended and ``_q`` is empty (the original blocked forever);
        :meth:`close` (and the context-manager exit) terminates and joins the worker
        processes (threads are joined) and a later :meth:`next_batch` starts
        ``num_process`` new workers from this hook, on a new queue; an unreferenced
        sampler's processes are terminated, and interpreter exit ends them (daemons).
        A worker returned already started raises :class:`ValueError` naming this hook
        (the original failed with a bare ``AssertionError`` on ``daemon = True`` and the
        started process kept running); that process and the workers this constructor
        had started are terminated first.

        Raises
        ------
        TypeError
            The hook returned something without ``start()``/``is_alive()``.
        ValueError
            The hook returned a worker that was already started.

        Returns
        -------
        multiprocessing.Process or None
            The base returns ``None`` (a bare ``Sampler`` cannot run).
        """
        return None

    def _start_runner_hook(self, dataset, batch_size, num_process):
        self._batch_size = check_positive_int(batch_size, 'batch_size')
        self._num_process = check_positive_int(num_process, 'num_process')
        self._dataset = dataset
        self._feed = None
        self._runner_list = []
        self._q = multiprocessing.Queue(maxsize=5)
        self._finalizer = weakref.finalize(self, _stop_runners, self._runner_list)
        self._start_runners()

    def _start_runners(self):
        try:
            for _ in range(self._num_process):
                runner = self._get_runner()
                if not (callable(getattr(runner, 'start', None))
                        and callable(getattr(runner, 'is_alive', None))):
                    raise ArgumentTypeError(
                        '%s._get_runner() must return an unstarted worker (a '
                        'multiprocessing.Process putting batches on self._q), got %r'
                        % (type(self).__name__, runner))
                if _was_started(runner):
                    self._reject_started(runner)
                runner.daemon = True
                runner.start()
                self._runner_list.append(runner)
        except BaseException:
            _stop_runners(self._runner_list)  # no worker is left running
            raise

    def _reject_started(self, runner):
        # The original failed on ``daemon = True`` with a bare AssertionError and the
        # started (non-daemon) process kept the interpreter from exiting.
        shown = repr(runner)
        if not runner.is_alive():
            fate = 'it has already ended'
        elif callable(getattr(runner, 'terminate', None)):
            _stop_runners([runner])
            fate = 'it was terminated'
        else:  # a thread cannot be stopped from outside
            fate = 'it keeps running'
        raise ArgumentError(
            '%s._get_runner() must return an unstarted worker (the sampler sets daemon = True '
            'and starts it), got %s, already started: %s; return the %s without calling '
            'start()' % (type(self).__name__, shown, fate, type(runner).__name__))

    def _next_runner_batch(self):
        if not self._runner_list:
            self._start_runners()
        while True:
            try:
                return self._q.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if any(runner.is_alive() for runner in self._runner_list):
                    continue
            try:  # what the workers put just before ending
                return self._q.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                codes = [getattr(runner, 'exitcode', None) for runner in self._runner_list]
                raise RuntimeError('%s: all %d workers from _get_runner() have ended (exit '
                                   'codes %s) and no batch is left'
                                   % (type(self).__name__, len(codes), codes))

    def _close_runners(self):
        if not self._runner_list:
            return
        _stop_runners(self._runner_list)
        # a queue whose writer was terminated may be corrupt: the next workers get a new one
        self._q.close()
        self._q = multiprocessing.Queue(maxsize=5)

    @staticmethod
    def _walk_data(dataset, fields, min_rows, step_name):
        """The array walked by the workers: ``data`` (``raw_data`` when ``data`` is None)."""
        data = getattr(dataset, 'data', None)
        where = 'dataset.data'
        if data is None:
            data, where = getattr(dataset, 'raw_data', None), 'dataset.raw_data'
        check_fields(data, fields, where)
        if len(data) < min_rows:
            raise ArgumentError('dataset %r has %d rows, fewer than %s = %d: a batch cannot be '
                                'filled' % (getattr(dataset, 'name', type(dataset).__name__),
                                            len(data), step_name, min_rows))
        return data

    def _copy_rows(self, dataset, min_rows, step_name):
        """Check ``dataset`` and copy the (user, item) rows the workers walk."""
        data = self._walk_data(dataset, ('user_id', 'item_id'), min_rows, step_name)
        self._users, self._items = self._check_row_ids(dataset, data)

    @staticmethod
    def _check_row_ids(dataset, data):
        """The walked rows' user and item ids (int64), checked against the dataset's
        ``max_user()`` and ``max_item()``: batches must index the model's tables."""
        ids = []
        for field, bound_name in (('user_id', 'max_user'), ('item_id', 'max_item')):
            bound = (_bound(dataset, bound_name) if callable(getattr(dataset, bound_name, None))
                     else np.iinfo(np.int32).max)
            values = check_ids(np.asarray(data[field]), 'dataset rows field %r' % field, bound,
                               'dataset.%s()' % bound_name)
            ids.append(np.array(values, dtype=np.int64))
        return ids

    @staticmethod
    def _positives(dataset, users):
        """``(user ids, item ids)`` of the positives that the negatives of ``users`` avoid.

        ``dataset.get_interactions_by_user_gb_item(user)`` for each user, as the original
        called it, when the dataset defines its own; else (ImplicitDataset, plain
        Dataset) the pairs of ``raw_data``, which give the same sets at numpy speed.
        """
        method = getattr(dataset, 'get_interactions_by_user_gb_item', None)
        if _is_stock(method, 'get_interactions_by_user_gb_item'):
            raw = dataset.raw_data
            check_fields(raw, ('user_id', 'item_id'), 'dataset.raw_data')
            return raw['user_id'], raw['item_id']
        pos_users, pos_items = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for user in np.unique(users):
            try:
                items = method(user)
            except KeyError:
                raise ArgumentError('dataset.get_interactions_by_user_gb_item(%d) raised '
                                    'KeyError: every user to draw negatives for needs its set '
                                    'of positive items' % user)
            items = np.fromiter(items, dtype=np.int64)
            pos_users.append(np.full(len(items), user, dtype=np.int64))
            pos_items.append(items)
        return np.concatenate(pos_users), np.concatenate(pos_items)

    @staticmethod
    def _user_list(dataset):
        """The distinct users, ``dataset.get_unique_user_list()`` if the dataset defines its
        own, else those of ``raw_data`` in first-appearance order."""
        method = getattr(dataset, 'get_unique_user_list', None)
        if _is_stock(method, 'get_unique_user_list'):
            return _first_appearance_unique(
                np.asarray(dataset.raw_data['user_id'], dtype=np.int64).ravel())
        return np.asarray(method(), dtype=np.int64).ravel()

    def _row_negatives(self, dataset, count, what):
        """Negative sampling for the walked rows' users, each needing ``count`` negatives."""
        pos_users, pos_items = self._positives(dataset, self._users)
        self._negatives = _Negatives(pos_users, pos_items, _bound(dataset, 'max_item'),
                                     extra_users=self._users)
        self._uidx = self._negatives.index_of(self._users)
        self._negatives.require(count, what, self._uidx)

    def _batch_source(self, rng):
        """Return an iterator of batches for one worker (subclass hook).

        It must not reference the sampler itself (so that an unreferenced sampler is
        garbage collected and its workers stopped).
        """
        raise NotImplementedError

    def next_batch(self):
        """Return the next batch (blocking until a worker has one ready).

        Returns
        -------
        numpy.ndarray
            Structured array of length ``batch_size``.

        Raises
        ------
        RuntimeError
            If a worker failed (chained to the worker's exception) or a chronological
            pass is exhausted.
        """
        if self._feed is None:
            return self._next_runner_batch()
        self._resume()
        return self._feed.next()

    def _resume(self):
        """Start the worker threads unless running or failed; they continue their streams."""
        if not self._feed.running and self._feed.error is None:
            self._feed.start(self, _workers.start_threads(type(self).__name__, self._streams,
                                                          _BUFFER_SIZE))

    def _pause(self):
        """Stop the worker threads of a built-in sampler when a trainer's ``train``
        returns; the next :meth:`next_batch` restarts them where they stopped.
        Workers from :meth:`_get_runner` are left running, as the original left them."""
        if self._feed is not None:
            self._feed.stop()

    def close(self):
        """Stop and join the workers (idempotent); buffered batches are kept.

        A later :meth:`next_batch` restarts the workers where they stopped (workers from
        :meth:`_get_runner` are terminated and replaced by new ones), unless a worker
        failed or a chronological pass ended: that error is raised again.
        """
        if self._feed is None:
            self._close_runners()
        else:
            self._feed.stop()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()
        return False


def _bound(dataset, name):
    """``dataset.max_user()`` or ``dataset.max_item()`` (``name``), which must be a
    positive int: it bounds the ids and sizes the negatives."""
    return check_positive_int(getattr(dataset, name)(), 'dataset.%s()' % name)


def _is_stock(method, name):
    """Whether a dataset's ``name`` method is missing or ImplicitDataset's own."""
    return method is None or getattr(method, '__func__', None) is getattr(ImplicitDataset, name)


def _was_started(runner):
    """Whether ``start()`` was called on a process (``pid``) or thread (``ident``)."""
    if runner.is_alive():
        return True
    return any(getattr(runner, attr, None) is not None for attr in ('pid', 'ident'))


def _stop_runners(runners):
    """Terminate (processes) and join the workers of a ``_get_runner`` sampler."""
    for runner in runners:
        terminate = getattr(runner, 'terminate', None)
        if callable(terminate) and runner.is_alive():
            terminate()
    for runner in runners:
        try:
            runner.join(timeout=5)
        except (AssertionError, RuntimeError):  # never started
            pass
    del runners[:]


def _blocks(items, size=8):
    """Group consecutive items in lists of ``size`` (row chunks: building several batches
    in one numpy pass keeps a worker's per-batch cost, and its hold on the GIL, small).

    The items taken before an error are yielded before it is raised.
    """
    items = iter(items)
    while True:
        block = []
        try:
            for item in itertools.islice(items, size):
                block.append(item)
        except BaseException:
            if block:
                yield block
            raise
        if not block:
            return
        yield block


def _walk(n_rows, step, chronological, rng):
    """Yield row-index arrays of the original epoch walk.

    Before each chunk, ``state + step >= n_rows`` ends a chronological pass, or starts a
    new shuffled pass otherwise; so every pass yields ``ceil(n_rows / step) - 1`` chunks
    (the last chunk is skipped even when complete, as in the original).
    """
    order = np.arange(n_rows) if chronological else rng.permutation(n_rows)
    state = 0
    while True:
        if state + step >= n_rows:
            if chronological:
                return
            state = 0
            order = rng.permutation(n_rows)
        yield order[state:state + step]
        state += step

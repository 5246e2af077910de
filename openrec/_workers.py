"""Background producers of item streams for the samplers (private, TensorFlow-free).

A :class:`Feed` reads *blocks* (lists of items) from a bounded queue filled by workers:

- :func:`start_threads`: daemon threads, each iterating its own source of blocks
  (the vectorised built-in samplers; no pickling, nothing to orphan);
- :func:`start_processes`: forked daemon processes, each calling a client's generator
  function on its own copy of the data (closures defined in ``__main__`` or a notebook
  work because nothing is pickled but the items).

Workers never leave the consumer waiting for nothing: a worker that raises sends a
:class:`Failure` (the exception and its traceback text), a worker whose generator returns
sends an :class:`End`, and a process that dies without either (killed, out of memory) is
noticed by a liveness check while the consumer waits. Process workers also exit on
their own when their parent process disappears. Stopping (:meth:`Workers.stop`) is
idempotent, joins every worker, and also runs from a finalizer when the owner is
garbage collected and at interpreter exit.
"""
import collections
import multiprocessing
import os
import pickle
import queue
import random
import threading
import time
import traceback
import weakref

import numpy as np

POLL_SECONDS = 0.1
_PARENT_CHECK_SECONDS = 1.0
_JOIN_SECONDS = 5.0


class End(object):
    """Marker: worker ``index`` has nothing more to send (its generator returned)."""

    def __init__(self, index):
        self.index = index


class Failure(object):
    """Marker: worker ``index`` raised ``error``; ``trace`` is the formatted traceback."""

    def __init__(self, index, error, trace):
        self.index = index
        self.error = error
        self.trace = trace


class RemoteTraceback(Exception):
    """The traceback text of an exception raised in a worker process."""

    def __str__(self):
        return '\n\n"""\n%s"""' % self.args[0]


class Workers(object):
    """The queue and workers of one start (threads or processes); see the module doc."""

    def __init__(self, blocks, workers, stop_event=None, decode=None):
        self.blocks = blocks
        self.workers = workers
        self._stop_event = stop_event
        self._decode = decode
        self._stopped = False

    def get(self, timeout):
        """The next block; raises :class:`queue.Empty` after ``timeout`` seconds."""
        block = self.blocks.get(timeout=timeout)
        return self._decode(block) if self._decode is not None else block

    def silent_deaths(self, reported):
        """``(index, exitcode)`` of dead process workers whose end was not reported."""
        return [(i, w.exitcode) for i, w in enumerate(self.workers)
                if i not in reported and isinstance(w, multiprocessing.process.BaseProcess)
                and not w.is_alive()]

    def stop(self):
        """Stop and join every worker (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        if self._stop_event is not None:
            self._stop_event.set()
            try:  # frees threads blocked on a full queue at once
                while True:
                    self.blocks.get_nowait()
            except queue.Empty:
                pass
        for worker in self.workers:
            if isinstance(worker, threading.Thread):
                if worker is not threading.current_thread():
                    worker.join()
                continue
            if worker.is_alive():
                worker.terminate()
            worker.join(_JOIN_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()
        if self._stop_event is None:
            self.blocks.close()
            self.blocks.cancel_join_thread()


# --- threads -------------------------------------------------------------------------

def _offer(blocks, block, stop_event):
    while not stop_event.is_set():
        try:
            blocks.put(block, timeout=POLL_SECONDS)
            return True
        except queue.Full:
            pass
    return False


def _thread_main(index, source, blocks, stop_event):
    # Holds no reference to the owner, so that an unreferenced owner is collected and its
    # finalizer stops this thread.
    try:
        for block in source:
            if not _offer(blocks, block, stop_event):
                return
    except BaseException as exc:  # handed to the consumer, never swallowed
        last = Failure(index, exc, traceback.format_exc())
    else:
        last = End(index)
    _offer(blocks, [last], stop_event)


def start_threads(name, sources, depth):
    """Run each source (an iterator of blocks) in a daemon thread; at most ``depth`` blocks wait."""
    blocks = queue.Queue(maxsize=depth)
    stop_event = threading.Event()
    threads = [threading.Thread(target=_thread_main, args=(i, source, blocks, stop_event),
                                name='%s-worker-%d' % (name, i), daemon=True)
               for i, source in enumerate(sources)]
    for thread in threads:
        thread.start()
    return Workers(blocks, threads, stop_event=stop_event)


# --- processes -----------------------------------------------------------------------

def fork_context():
    """The ``fork`` multiprocessing context, or None where the platform has no fork."""
    if 'fork' not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context('fork')


def _watch_parent(parent_pid):
    def watch():
        while True:
            time.sleep(_PARENT_CHECK_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)
    threading.Thread(target=watch, name='parent-watch', daemon=True).start()


def _send(blocks, item, index):
    # Pickled here rather than in the queue's feeder thread, which would print and drop an
    # item it cannot pickle.
    try:
        payload = pickle.dumps([item], protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        error = TypeError('cannot send %s from a worker process: %s: %s'
                          % (type(item).__name__, type(exc).__name__, exc))
        payload = pickle.dumps([Failure(index, error, traceback.format_exc())])
    blocks.put(payload)


def _portable(exc):
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError('%s: %s' % (type(exc).__name__, exc))


def _reseed(index, seed):
    """Per-worker global RNGs: ``random`` from ``seed`` when given (else Python's own
    after-fork reseed stands); numpy's global RNG is left as inherited in worker 0
    and decorrelated in the others, which would otherwise repeat worker 0's draws."""
    if seed is not None:
        random.seed(seed)
    if index:
        inherited = np.random.randint(0, 2 ** 32, size=4, dtype=np.uint64).tolist()
        np.random.seed(np.random.SeedSequence(inherited + [index]).generate_state(4))


def _process_main(index, generate_batch, dataset, blocks, parent_pid, seed):
    _watch_parent(parent_pid)
    _reseed(index, seed)
    try:
        for item in generate_batch(dataset):
            _send(blocks, item, index)
    except BaseException as exc:
        _send(blocks, Failure(index, _portable(exc), traceback.format_exc()), index)
    else:
        _send(blocks, End(index), index)


def start_processes(context, name, generate_batch, dataset, count, depth, seeds):
    """Fork ``count`` daemon processes running ``generate_batch(dataset)``, one item per block.

    ``seeds[i]`` seeds worker ``i``'s global ``random`` (None: left as Python reseeds it
    after a fork). At most ``depth`` items wait in the queue.
    """
    blocks = context.Queue(maxsize=depth)
    processes = [context.Process(target=_process_main, name='%s-worker-%d' % (name, i),
                                 args=(i, generate_batch, dataset, blocks, os.getpid(), seeds[i]),
                                 daemon=True)
                 for i in range(count)]
    for process in processes:
        process.start()
    return Workers(blocks, processes, decode=pickle.loads)


# --- consumer ------------------------------------------------------------------------

class Feed(object):
    """Consumer side of :class:`Workers`: items in order, worker failures as exceptions.

    Parameters
    ----------
    label : str
        Names the stream in error messages (e.g. ``"Sampler 'Train'"``).
    """

    def __init__(self, label):
        self.label = label
        self.workers = None
        self._finalizer = None
        self._ready = collections.deque()
        self._reported = set()
        self._error = None
        self._served = 0

    @property
    def running(self):
        return self.workers is not None

    def start(self, owner, workers):
        """Serve from ``workers`` (stopping the previous ones); ``owner`` ties their lifetime."""
        self.stop()
        self.workers = workers
        self._finalizer = weakref.finalize(owner, workers.stop)
        self._ready.clear()
        self._reported = set()
        self._error = None
        self._served = 0

    def stop(self):
        """Stop and join the workers (idempotent); buffered items are dropped."""
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None
        self.workers = None

    def next(self):
        """The next item, blocking while the workers produce it.

        Raises
        ------
        RuntimeError
            A worker raised (chained to its exception), a worker process died without
            reporting, or every worker ended; raised again on later calls.
        """
        if self._error is not None:
            raise self._error
        while True:
            if not self._ready:
                try:
                    self._ready.extend(self.workers.get(POLL_SECONDS))
                except queue.Empty:
                    self._check_alive()
                continue
            item = self._ready.popleft()
            if isinstance(item, Failure):
                self._fail(self._failure_error(item))
            elif isinstance(item, End):
                self._reported.add(item.index)
                if len(self._reported) == len(self.workers.workers):
                    self._fail(RuntimeError(
                        '%s: the generator ended in every worker (%d) after %d item(s); call '
                        'reset() to restart the stream' % (self.label, len(self._reported), self._served)))
            else:
                self._served += 1
                return item

    def _failure_error(self, failure):
        error = failure.error
        if isinstance(error, BaseException) and error.__traceback__ is None:
            error.__cause__ = RemoteTraceback(failure.trace)
        message = '%s: worker %d failed: %s: %s' % (self.label, failure.index, type(error).__name__, error)
        wrapped = RuntimeError(message)
        wrapped.__cause__ = error
        return wrapped

    def _check_alive(self):
        deaths = self.workers.silent_deaths(self._reported)
        if not deaths:
            return
        try:  # what a worker sent just before exiting may still be in transit
            self._ready.extend(self.workers.get(POLL_SECONDS))
            return
        except queue.Empty:
            pass
        index, code = deaths[0]
        self._fail(RuntimeError('%s: worker %d died without reporting (exit code %s); call reset() '
                                'to restart the stream' % (self.label, index, code)))

    def _fail(self, error):
        self._error = error
        self.stop()
        raise error

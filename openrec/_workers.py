"""Background producers of item streams for the samplers (private, TensorFlow-free).

A :class:`Feed` reads *blocks* (lists of items) from a bounded queue filled by workers:

- :func:`start_threads`: daemon threads, each iterating its own source of blocks
  (the vectorised built-in samplers; no pickling, nothing to orphan); a source given as
  a :class:`Stream` outlives its thread, so that a later start resumes it;
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
import signal
import threading
import time
import traceback
import weakref

import numpy as np

POLL_SECONDS = 0.1
_PARENT_CHECK_SECONDS = 1.0


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


class _Parts(object):
    """What stopping one start needs, kept apart from :class:`Workers` so that a finalizer
    of the Workers object can hold it."""

    def __init__(self, blocks, workers, stop_event, go):
        self.blocks = blocks
        self.workers = workers
        self.stop_event = stop_event
        self.go = go
        self.stopping = False
        self.stopped = False
        self.left = []  # blocks taken off the queue by a stop that did not finish


def _stop(parts):
    # Every step can be repeated: a stop interrupted (e.g. by KeyboardInterrupt) is
    # finished by the next one, and no queued block is lost in between.
    if parts.stopped:
        return []
    parts.stopping = True
    if parts.stop_event is not None:
        parts.stop_event.set()
        parts.go.set()
        parts.left += _drain(parts.blocks)  # frees threads blocked on a full queue at once
    for worker in parts.workers:
        if isinstance(worker, threading.Thread):
            if worker.ident is not None and worker is not threading.current_thread():
                worker.join()
            continue
        if worker.pid is None:  # never started
            continue
        # SIGKILL: a worker holds nothing to clean up, and a SIGTERM handler it inherited
        # from the client (before it reset its own) would make terminate() wait.
        if worker.is_alive():
            worker.kill()
        worker.join()
    if parts.stop_event is None:
        parts.blocks.close()
        parts.blocks.cancel_join_thread()
        parts.stopped = True
        return []
    left, parts.left = parts.left + _drain(parts.blocks), []  # + what freed threads put
    parts.stopped = True
    return left


class Workers(object):
    """The queue and workers of one start (threads or processes); see the module doc.

    Workers that were never handed to a :class:`Feed` (a start interrupted after it
    returned) are stopped when this object is garbage collected, or at exit.
    """

    def __init__(self, blocks, workers, stop_event=None, decode=None, go=None):
        self._decode = decode
        self._parts = _Parts(blocks, workers, stop_event, go)
        self._finalizer = weakref.finalize(self, _stop, self._parts)

    @property
    def blocks(self):
        """The queue the workers fill."""
        return self._parts.blocks

    @property
    def workers(self):
        """The threads or processes."""
        return self._parts.workers

    @property
    def stopping(self):
        """Whether a stop was asked (it may not have finished)."""
        return self._parts.stopping

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
        """Stop and join every worker (idempotent; an interrupted stop is finished by the
        next call).

        Returns
        -------
        list
            The blocks that thread workers had queued, in queue order (empty for processes
            and on later calls).
        """
        left = _stop(self._parts)
        self._finalizer.detach()
        return left


# --- threads -------------------------------------------------------------------------

def _offer(blocks, block, stop_event):
    while not stop_event.is_set():
        try:
            blocks.put(block, timeout=POLL_SECONDS)
            return True
        except queue.Full:
            pass
    return False


def _drain(blocks):
    left = []
    try:
        while True:
            left.append(blocks.get_nowait())
    except queue.Empty:
        return left


class Stream(object):
    """The source of one thread worker, resumable by the thread of a later start.

    A stopped thread leaves in it the block it could not hand over, which the next thread
    sends first; the source's end (an :class:`End` or :class:`Failure` marker) is sent once.

    Parameters
    ----------
    source : iterable
        Blocks (lists of items). It must not reference the owner of the workers.
    """

    def __init__(self, source):
        self._source = iter(source)
        self._pending = None
        self._last = False
        self.finished = False  # the end marker was handed over

    def pending(self, index):
        """The block to send next (taken from the source unless one is pending)."""
        if self._pending is None:
            try:
                self._pending = next(self._source)
            except StopIteration:
                self._pending, self._last = [End(index)], True
            except BaseException as exc:  # handed to the consumer, never swallowed
                self._pending, self._last = [Failure(index, exc, traceback.format_exc())], True
        return self._pending

    def sent(self):
        """The pending block was handed over."""
        self._pending = None
        self.finished = self._last


def _thread_main(index, stream, blocks, stop_event, go=None):
    # Holds no reference to the owner, so that an unreferenced owner is collected and its
    # finalizer stops this thread.
    if go is not None:
        go.wait()
    while not stream.finished and not stop_event.is_set():
        if not _offer(blocks, stream.pending(index), stop_event):
            return
        stream.sent()


def start_threads(name, sources, depth):
    """Run each source in a daemon thread; at most ``depth`` blocks wait.

    A source is an iterator of blocks, or a :class:`Stream` to resume it later (a
    finished one sends nothing more).
    """
    blocks = queue.Queue(maxsize=depth)
    stop_event, go = threading.Event(), threading.Event()
    streams = [s if isinstance(s, Stream) else Stream(s) for s in sources]
    threads = [threading.Thread(target=_thread_main, args=(i, stream, blocks, stop_event, go),
                                name='%s-worker-%d' % (name, i), daemon=True)
               for i, stream in enumerate(streams)]
    workers = Workers(blocks, threads, stop_event=stop_event, go=go)
    _start_all(workers)
    go.set()
    return workers


def _start_all(workers):
    try:
        for worker in workers.workers:
            worker.start()
    except BaseException:
        # Interrupted (KeyboardInterrupt, "can't start new thread", a failed fork): the
        # started threads wait for ``go`` and have taken nothing from their sources; end
        # them and any started process, leave no worker behind.
        workers.stop()
        raise


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
    # A SIGTERM handler of the client script, inherited through the fork, must not keep
    # multiprocessing's exit clean-up (terminate()) from ending the worker.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
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
    workers = Workers(blocks, processes, decode=pickle.loads)
    _start_all(workers)
    return workers


# --- consumer ------------------------------------------------------------------------

class Feed(object):
    """Consumer side of :class:`Workers`: items in order, worker failures as exceptions.

    Parameters
    ----------
    label : str
        Names the stream in error messages (e.g. ``"Sampler 'Train'"``).
    resumable : bool, optional
        Whether each start continues the stream of the previous workers (whose sources
        are :class:`Stream` objects): the items they had buffered, the ends they had
        reported and the count served are kept. Otherwise a start begins anew.
    failed, ended : str, optional
        The messages of a worker failure and of the end of every worker, formatted with
        ``label``, ``index`` (of the worker), ``kind`` and ``error`` (the exception's type
        name and text), ``workers`` (their count) and ``served`` (items served).
    """

    failed = '{label}: worker {index} failed: {kind}: {error}'
    ended = ('{label}: the generator ended in every worker ({workers}) after {served} item(s); '
             'call reset() to restart the stream')

    def __init__(self, label, resumable=False, failed=None, ended=None):
        self.label = label
        self.resumable = resumable
        self.failed = failed or self.failed
        self.ended = ended or self.ended
        self.workers = None
        self._finalizer = None
        self._ready = collections.deque()
        self._reported = set()
        self._error = None
        self._served = 0
        self._count = 0

    @property
    def running(self):
        return self.workers is not None and not self.workers.stopping

    @property
    def error(self):
        """The error that every :meth:`next` raises (None while the stream is sound)."""
        return self._error

    def start(self, owner, workers):
        """Serve from ``workers`` (stopping the previous ones); ``owner`` ties their lifetime."""
        self.stop()
        self.workers = workers
        self._count = len(workers.workers)
        self._finalizer = weakref.finalize(owner, workers.stop)
        if not self.resumable:
            self._ready.clear()
            self._reported = set()
            self._error = None
            self._served = 0

    def stop(self):
        """Stop and join the workers (idempotent; an interrupted stop is finished by the
        next call); their buffered items are kept if the feed is resumable, else dropped."""
        workers = self.workers
        if workers is None:
            return
        left = workers.stop()
        self._finalizer.detach()
        self._finalizer, self.workers = None, None
        if self.resumable and left:  # served after the items already taken
            self._ready.extend(item for block in left for item in block)

    def next(self):
        """The next item, blocking while the workers produce it.

        Raises
        ------
        RuntimeError
            A worker raised (chained to its exception), a worker process died without
            reporting, or every worker ended; raised again on later calls. Also if
            another thread stopped the workers while this call waited (not kept: a
            later start serves again).
        """
        if self._error is not None:
            raise self._error
        while True:
            workers = self.workers
            if not self._ready:
                if workers is None or workers.stopping:
                    raise RuntimeError('%s: stopped (closed) by another thread while waiting for '
                                       'the next item' % self.label)
                try:
                    self._ready.extend(workers.get(POLL_SECONDS))
                except queue.Empty:
                    self._check_alive(workers)
                continue
            item = self._ready.popleft()
            if isinstance(item, Failure):
                self._fail(self._failure_error(item))
            elif isinstance(item, End):
                self._reported.add(item.index)
                if len(self._reported) == self._count:
                    self._fail(RuntimeError(self.ended.format(
                        label=self.label, workers=len(self._reported), served=self._served)))
            else:
                self._served += 1
                return item

    def _failure_error(self, failure):
        error = failure.error
        if isinstance(error, BaseException) and error.__traceback__ is None:
            error.__cause__ = RemoteTraceback(failure.trace)
        wrapped = RuntimeError(self.failed.format(label=self.label, index=failure.index,
                                                  kind=type(error).__name__, error=error))
        wrapped.__cause__ = error
        return wrapped

    def _check_alive(self, workers):
        deaths = workers.silent_deaths(self._reported)
        if not deaths:
            return
        try:  # what a worker sent just before exiting may still be in transit
            self._ready.extend(workers.get(POLL_SECONDS))
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

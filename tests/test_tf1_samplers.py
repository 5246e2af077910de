"""The 0.2 Sampler base class: workers, lifetime, errors (tf1_samplers.md section 4, S1, S5-S7)."""
import gc
import inspect
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from openrec import _workers
from openrec.tf1.utils.samplers import Sampler
from openrec.tf1.utils.samplers import sampler as sampler_module
from _tf1_sampler_helpers import call_with_timeout, no_leaks, take, toy, worker_threads  # noqa: F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALE = 10


def records(dataset, count=None):
    """Client-style generator: reads the walk of its own dataset copy and a global."""
    k = 0
    while count is None or k < count:
        record = dataset.next_random_record()
        yield (os.getpid(), SCALE * int(record['user_id']) + int(record['item_id']))
        k += 1


def test_signature_and_lazy_start():
    assert str(inspect.signature(Sampler)) == '(dataset=None, generate_batch=None, num_process=5)'
    assert sampler_module.Sampler is Sampler
    dataset, _ = toy()
    sampler = Sampler(dataset=dataset, generate_batch=records, num_process=3)
    assert sampler.name == 'Toy'
    assert sampler._q is None and sampler._runner_list == [] and sampler._start is False
    assert multiprocessing.active_children() == [] and worker_threads() == []


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(), ValueError, 'Batch generation function is not specified'),
    (dict(generate_batch=records), ValueError, 'Dataset is not specified'),
    (dict(dataset='ds', generate_batch=3), TypeError, 'generate_batch must be a generator function'),
    (dict(dataset=object(), generate_batch=records), TypeError, 'dataset must have a name attribute'),
    (dict(generate_batch=records, num_process=0), ValueError, 'num_process must be a positive int, got 0'),
    (dict(generate_batch=records, num_process=2.0), TypeError, 'num_process must be a positive int'),
])
def test_bad_arguments(kwargs, error, message):
    if 'dataset' not in kwargs and 'generate_batch' in kwargs and 'num_process' in kwargs:
        kwargs['dataset'] = toy()[0]
    with pytest.raises(error, match=message) as info:
        Sampler(**kwargs)
    if error is ValueError:
        assert isinstance(info.value, AssertionError)  # the original's asserts


def test_workers_run_the_generator_on_their_own_dataset_copy():
    dataset, raw = toy()
    expected = sorted((SCALE * raw['user_id'] + raw['item_id']).tolist())
    sampler = Sampler(dataset=dataset, generate_batch=lambda d: records(d, count=len(raw)), num_process=2)
    items = take(sampler, 2 * len(raw))
    assert len(sampler._runner_list) == 2 and sampler._start
    assert all(isinstance(p, multiprocessing.process.BaseProcess) and p.daemon for p in sampler._runner_list)
    assert sampler._q._maxsize == 2
    pids = {p.pid for p in sampler._runner_list}
    assert {pid for pid, _ in items} == pids
    for pid in pids:  # every worker walked one whole epoch of its own copy
        assert sorted(v for p, v in items if p == pid) == expected
    assert dataset._rand_ids == []  # the parent's walk is untouched
    with pytest.raises(RuntimeError, match=r"Sampler 'Toy': the generator ended in every worker \(2\) "
                                           r"after 42 item\(s\)"):
        call_with_timeout(sampler.next_batch)
    with pytest.raises(RuntimeError, match='ended in every worker'):  # again, not a hang
        call_with_timeout(sampler.next_batch)
    assert multiprocessing.active_children() == []
    sampler.reset()  # restarts the stream
    assert len(take(sampler, 3)) == 3
    sampler.close()


def boom(dataset):
    yield 'first'
    raise KeyError('no such user')


def test_worker_error_reaches_next_batch():
    dataset, _ = toy()
    sampler = Sampler(dataset=dataset, generate_batch=boom, num_process=1)
    assert call_with_timeout(sampler.next_batch) == 'first'
    with pytest.raises(RuntimeError, match=r"Sampler 'Toy': worker 0 failed: KeyError: 'no such user'") as info:
        call_with_timeout(sampler.next_batch)
    cause = info.value.__cause__
    assert type(cause) is KeyError and isinstance(cause.__cause__, _workers.RemoteTraceback)
    assert "raise KeyError('no such user')" in str(cause.__cause__)
    assert multiprocessing.active_children() == []  # the failed sampler stopped its workers
    with pytest.raises(RuntimeError, match='worker 0 failed'):
        call_with_timeout(sampler.next_batch)
    sampler.reset()
    assert call_with_timeout(sampler.next_batch) == 'first'
    sampler.close()


class Unpicklable(Exception):
    def __init__(self, a, b):
        super(Unpicklable, self).__init__(a)


def unpicklable_error(dataset):
    raise Unpicklable('x', 'y')
    yield


def unpicklable_item(dataset):
    yield lambda: None


def test_unpicklable_errors_and_items_are_reported():
    dataset, _ = toy()
    with Sampler(dataset=dataset, generate_batch=unpicklable_error, num_process=1) as sampler:
        with pytest.raises(RuntimeError, match=r'worker 0 failed: RuntimeError: Unpicklable: x'):
            call_with_timeout(sampler.next_batch)
    with Sampler(dataset=dataset, generate_batch=unpicklable_item, num_process=1) as sampler:
        with pytest.raises(RuntimeError, match='worker 0 failed: TypeError: cannot send function from a worker'):
            call_with_timeout(sampler.next_batch)


def forever(dataset):
    while True:
        yield os.getpid()


def test_reset_close_and_context_manager():
    dataset, _ = toy()
    sampler = Sampler(dataset=dataset, generate_batch=forever, num_process=3)
    sampler.reset()
    sampler.reset()  # twice in a row, before any next_batch
    first = {p.pid for p in sampler._runner_list}
    assert len(first) == 3 and set(take(sampler, 6)) <= first
    sampler.reset()
    second = {p.pid for p in sampler._runner_list}
    assert not first & second and set(take(sampler, 6)) <= second
    assert len(multiprocessing.active_children()) == 3
    sampler.close()
    sampler.close()  # idempotent
    assert multiprocessing.active_children() == [] and sampler._runner_list == [] and not sampler._start
    assert call_with_timeout(sampler.next_batch) in {p.pid for p in sampler._runner_list}  # restarts
    with sampler as same:
        assert same is sampler
    assert multiprocessing.active_children() == []


def test_garbage_collected_sampler_stops_its_workers():
    dataset, _ = toy()
    sampler = Sampler(dataset=dataset, generate_batch=forever, num_process=2)
    take(sampler, 2)
    del sampler
    gc.collect()
    assert multiprocessing.active_children() == []


def test_killed_worker_raises_instead_of_hanging():
    dataset, _ = toy()
    sampler = Sampler(dataset=dataset, generate_batch=forever, num_process=1)
    worker = call_with_timeout(sampler.next_batch)
    os.kill(worker, signal.SIGKILL)
    with pytest.raises(RuntimeError, match=r'worker 0 died without reporting \(exit code -9\)'):
        for _ in range(10):
            call_with_timeout(sampler.next_batch)
    sampler.close()


def numpy_draws(dataset):
    while True:
        yield float(np.random.rand())


def test_numpy_global_rng_in_workers():
    dataset, _ = toy()
    np.random.seed(3)
    expected = np.random.rand(4).tolist()
    np.random.seed(3)
    with Sampler(dataset=dataset, generate_batch=numpy_draws, num_process=1) as one:
        assert take(one, 4) == expected  # worker 0 continues the inherited state (as the original)
    np.random.seed(3)
    with Sampler(dataset=dataset, generate_batch=numpy_draws, num_process=3) as three:
        values = take(three, 12)
    assert len(set(values)) == 12  # workers 1 and 2 no longer repeat worker 0's draws


def test_threads_where_fork_is_unavailable(monkeypatch):
    monkeypatch.setattr(_workers, 'fork_context', lambda: None)
    dataset, raw = toy()
    sampler = Sampler(dataset=dataset, generate_batch=lambda d: records(d, count=len(raw)), num_process=2)
    items = take(sampler, 2 * len(raw))
    assert {pid for pid, _ in items} == {os.getpid()}
    assert [type(t) for t in sampler._runner_list] == [threading.Thread] * 2
    values = sorted(v for _, v in items)
    assert values == sorted(2 * (SCALE * raw['user_id'] + raw['item_id']).tolist())  # two deep copies
    assert dataset._rand_ids == []
    with pytest.raises(RuntimeError, match='ended in every worker'):
        call_with_timeout(sampler.next_batch)
    sampler.close()


MAIN_SCRIPT = textwrap.dedent('''
    import os, random, signal, sys
    import numpy as np
    from openrec.tf1.utils import Dataset
    from openrec.tf1.utils.samplers import Sampler

    OFFSET = 1000
    raw = np.array([(u, u % 3) for u in range(4)], dtype=[('user_id', np.int32), ('item_id', np.int32)])
    train = Dataset(raw, 4, 3, name='Main')

    def batch(dataset, scale=2):
        while True:
            record = dataset.next_random_record()
            yield OFFSET + scale * int(record['user_id']) + random.randint(0, 0)

    sampler = Sampler(dataset=train, generate_batch=batch, num_process=2)
    print('values', sorted(set(sampler.next_batch() for _ in range(40))))
    print('pids', *[p.pid for p in sampler._runner_list], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # the workers must not outlive their parent
''')


def _gone(pid):
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] in ('Z', 'X')
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads /proc')
def test_main_module_closure_and_orphaned_workers(tmp_path):
    script = tmp_path / 'client.py'
    script.write_text(MAIN_SCRIPT)
    env = dict(os.environ, PYTHONPATH=ROOT)
    done = subprocess.run([sys.executable, str(script)], cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    lines = dict(line.split(' ', 1) for line in done.stdout.splitlines())
    assert lines['values'] == '[1000, 1002, 1004, 1006]'
    pids = [int(p) for p in lines['pids'].split()]
    assert len(pids) == 2
    deadline = time.time() + 30
    while not all(_gone(p) for p in pids) and time.time() < deadline:
        time.sleep(0.2)
    assert all(_gone(p) for p in pids), 'workers outlived their killed parent'


def test_random_module_in_workers_is_reseeded():
    def draws(dataset):
        while True:
            yield random.random()
    dataset, _ = toy()
    random.seed(1)
    with Sampler(dataset=dataset, generate_batch=draws, num_process=1) as sampler:
        first = take(sampler, 2)
    random.seed(1)
    with Sampler(dataset=dataset, generate_batch=draws, num_process=1) as sampler:
        assert take(sampler, 2) != first  # Python reseeds random after fork, as in the original


def test_buffer_settles_at_num_process_items():
    dataset, _ = toy()
    with Sampler(dataset=dataset, generate_batch=forever, num_process=3) as sampler:
        call_with_timeout(sampler.next_batch)
        deadline = time.time() + 20
        while sampler._q.qsize() < 3 and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        assert sampler._q.qsize() == 3  # bounded: the workers wait for room


def failing_source(rng):
    yield [rng.random()]
    raise ZeroDivisionError('in a thread')


def test_thread_worker_error_reaches_next_batch():
    dataset, _ = toy()
    sampler = Sampler(dataset=dataset, generate_batch=forever, num_process=2)
    sampler._seed_entropy = 1  # the built-in samplers' hooks: per-worker RNGs, sources in threads
    sampler._sources = lambda rngs: [failing_source(rng) for rng in rngs]
    with pytest.raises(RuntimeError, match=r"Sampler 'Toy': worker [01] failed: ZeroDivisionError: in a "
                                           r"thread") as info:
        for _ in range(3):
            call_with_timeout(sampler.next_batch)
    assert type(info.value.__cause__) is ZeroDivisionError and info.value.__cause__.__traceback__ is not None
    assert worker_threads() == [] and multiprocessing.active_children() == []
    sampler.reset()
    first = call_with_timeout(sampler.next_batch)
    sampler.reset()
    assert call_with_timeout(sampler.next_batch) != first  # a new stream per reset
    sampler.close()


# --- interruptions (KeyboardInterrupt at the wrong moment) -----------------------------

def interrupt_call(monkeypatch, owner, name, at):
    """Make ``owner.name`` raise KeyboardInterrupt on its ``at``-th call (1-based)."""
    real, calls = getattr(owner, name), []

    def patched(*args, **kwargs):
        calls.append(1)
        if len(calls) == at:
            raise KeyboardInterrupt
        return real(*args, **kwargs)
    monkeypatch.setattr(owner, name, patched)
    return lambda: monkeypatch.setattr(owner, name, real)


def test_interrupted_process_start_leaves_no_worker(monkeypatch):
    restore = interrupt_call(monkeypatch, multiprocessing.process.BaseProcess, 'start', at=3)
    sampler = Sampler(dataset=toy()[0], generate_batch=forever, num_process=5)
    with pytest.raises(KeyboardInterrupt):
        sampler.reset()
    assert multiprocessing.active_children() == []  # the two started ones were ended
    restore()
    assert isinstance(call_with_timeout(sampler.next_batch), int)  # a retry works
    sampler.close()


def test_interrupted_close_is_finished_by_the_next_one(monkeypatch):
    sampler = Sampler(dataset=toy()[0], generate_batch=forever, num_process=2)
    call_with_timeout(sampler.next_batch)
    restore = interrupt_call(monkeypatch, multiprocessing.process.BaseProcess, 'join', at=1)
    with pytest.raises(KeyboardInterrupt):
        sampler.close()
    restore()
    assert multiprocessing.active_children() != []   # stopped half-way ...
    assert isinstance(call_with_timeout(sampler.next_batch), int)  # ... starts afresh, no hang
    sampler.close()
    assert multiprocessing.active_children() == []


def test_workers_lost_before_the_feed_took_them_are_stopped(monkeypatch):
    real = _workers.start_threads

    def start_then_interrupt(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt
    monkeypatch.setattr(_workers, 'start_threads', start_then_interrupt)
    sampler = Sampler(dataset=toy()[0], generate_batch=forever, num_process=3)
    sampler._seed_entropy = 1  # the built-in samplers' path: sources run in threads
    sampler._sources = lambda rngs: [iter(lambda: ['item'], None) for _ in rngs]
    with pytest.raises(KeyboardInterrupt):
        sampler.reset()
    gc.collect()   # the traceback held the Workers object; its finalizer stops them
    assert worker_threads() == []


def test_a_client_sigterm_handler_does_not_delay_stopping_process_workers():
    previous = signal.signal(signal.SIGTERM, lambda *args: None)  # inherited by fork
    try:
        sampler = Sampler(dataset=toy()[0], generate_batch=forever, num_process=2)
        call_with_timeout(sampler.next_batch)
        start = time.time()
        sampler.reset()   # closes the running workers, starts new ones ...
        sampler.close()   # ... stopped at once, before they could reset their handler
        assert time.time() - start < 3   # was a 5 s join per worker, then kill
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert multiprocessing.active_children() == []


def test_a_raw_array_given_as_dataset_is_named_by_its_type():
    raw = toy()[1]
    with pytest.raises(TypeError, match=r"^dataset must have a name attribute \(an "
                                        r"openrec\.tf1\.utils\.Dataset\), got a numpy\.ndarray "
                                        r"object$"):
        Sampler(dataset=raw, generate_batch=forever, num_process=1)

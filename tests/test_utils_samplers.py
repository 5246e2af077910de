"""Samplers (utils spec section 5 and quirks Q1-Q7, Q9, Q11)."""
import gc
import itertools
import multiprocessing
import queue
import re
import threading
import time

import numpy as np
import pytest

from openrec import _workers
from openrec.utils import Dataset, ImplicitDataset
from openrec.utils.samplers import (ExplicitSampler, NPairwiseSampler, PairwiseSampler,
                                    PointwiseSampler, Sampler)

SAMPLER_NAMES = ('Sampler', 'PairwiseSampler', 'NPairwiseSampler', 'PointwiseSampler',
                 'ExplicitSampler', 'FailingSampler', 'EndingSampler', 'SlowSampler')


def worker_threads():
    return [t for t in threading.enumerate() if t.name.split('-worker-')[0] in SAMPLER_NAMES]


def call_with_timeout(fn, timeout=10.0):
    """Run ``fn()`` in a thread; fail (instead of hanging) if it does not return in time."""
    box = {}

    def target():
        try:
            box['value'] = fn()
        except BaseException as exc:
            box['error'] = exc
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), 'call did not return within %s s (hang)' % timeout
    if 'error' in box:
        raise box['error']
    return box['value']


@pytest.fixture(autouse=True)
def no_leaks():
    yield
    if worker_threads():
        gc.collect()  # unreferenced samplers are stopped by their finalizers
    assert worker_threads() == []
    assert multiprocessing.active_children() == []


def interactions(n_users=6, n_items=30, per_user=5, seed=0, label=False):
    rng = np.random.default_rng(seed)
    fields = [('user_id', np.int32), ('item_id', np.int32)] + ([('label', np.float32)] if label else [])
    rows = []
    for u in range(n_users):
        for i in rng.choice(n_items, per_user, replace=False):
            rows.append((u, i) + ((float(u * 100 + i),) if label else ()))
    return np.array(rows, dtype=fields)


def positives(raw):
    out = {}
    for u, i in zip(raw['user_id'], raw['item_id']):
        out.setdefault(int(u), set()).add(int(i))
    return out


def test_pairwise_batches():
    raw = interactions()
    ds = ImplicitDataset(raw, 6, 30)
    pos = positives(raw)
    with PairwiseSampler(ds, batch_size=8, num_process=2, seed=3) as sampler:
        assert ds.data is not None and len(ds.data) == len(raw)  # shuffled copy, as the original
        seen_negatives = set()
        for _ in range(200):
            batch = call_with_timeout(sampler.next_batch)
            assert isinstance(batch, np.ndarray) and batch.shape == (8,)
            assert batch.dtype == np.dtype([('user_id_input', np.int32), ('p_item_id_input', np.int32),
                                            ('n_item_id_input', np.int32)])
            for u, p, n in batch.tolist():
                assert p in pos[u] and n not in pos[u] and 0 <= n < 30
                seen_negatives.add((u, n))
    for u in pos:  # every non-positive item is reachable, including max_item - 1
        assert {n for uu, n in seen_negatives if uu == u} == set(range(30)) - pos[u]


def test_negatives_uniform_over_all_non_positive_items():
    raw = np.array([(0, 0), (0, 2)] * 3, dtype=[('user_id', np.int64), ('item_id', np.int64)])
    with PairwiseSampler(ImplicitDataset(raw, 1, 5), batch_size=5, num_process=1) as sampler:
        negatives = np.concatenate([sampler.next_batch()['n_item_id_input'] for _ in range(1200)])
    counts = np.bincount(negatives, minlength=5)
    assert counts[0] == counts[2] == 0
    assert counts.sum() == 6000 and np.all(np.abs(counts[[1, 3, 4]] - 2000) < 200)


def test_walk_and_seed():
    raw = interactions(n_users=5, per_user=4)  # 20 rows
    ds = ImplicitDataset(raw, 5, 30)
    with PairwiseSampler(ds, batch_size=6, num_process=1, seed=7) as a:
        pass_a = [a.next_batch() for _ in range(4)]
    with PairwiseSampler(ImplicitDataset(raw, 5, 30), batch_size=6, num_process=1, seed=7) as b:
        pass_b = [b.next_batch() for _ in range(4)]
    for x, y in zip(pass_a, pass_b):  # one worker + seed: reproducible stream
        np.testing.assert_array_equal(x, y)
    # ceil(20 / 6) - 1 = 3 batches per pass, rows distinct within a pass
    rows = {tuple(r) for batch in pass_a[:3] for r in batch[['user_id_input', 'p_item_id_input']].tolist()}
    assert len(rows) == 18


def test_chronological_walk_reads_raw_data_then_data_and_ends_with_error():
    raw = interactions(n_users=5, per_user=4)
    ds = ImplicitDataset(raw, 5, 30)
    sampler = PairwiseSampler(ds, batch_size=6, chronological=True, num_process=3)
    assert ds.data is None  # chronological samplers do not shuffle
    got = [call_with_timeout(sampler.next_batch) for _ in range(3)]
    np.testing.assert_array_equal(np.concatenate(got)['p_item_id_input'], raw['item_id'][:18])
    for _ in range(2):
        with pytest.raises(RuntimeError, match='PairwiseSampler is exhausted: the chronological '
                                               'pass ended after 3 batches'):
            call_with_timeout(sampler.next_batch)
    ds.data = raw[::-1].copy()  # a caller-set data array is walked in its stored order
    with PairwiseSampler(ds, batch_size=6, chronological=True) as sampler:
        np.testing.assert_array_equal(sampler.next_batch()['p_item_id_input'], raw['item_id'][::-1][:6])


def test_dataset_smaller_than_batch_and_no_negatives():
    raw = interactions(n_users=2, per_user=3)
    with pytest.raises(ValueError, match="dataset 'dataset' has 6 rows, fewer than batch_size = 7"):
        PairwiseSampler(ImplicitDataset(raw, 2, 30), batch_size=7)
    with pytest.raises(ValueError, match='fewer than num_pos'):
        PointwiseSampler(ImplicitDataset(raw, 2, 30), batch_size=20, pos_ratio=0.5)
    full = np.array([(0, 0), (0, 1), (1, 0), (2, 0)], dtype=[('user_id', int), ('item_id', int)])
    with pytest.raises(ValueError, match='user 0 has 0 eligible negative item.*max_item=2'):
        PairwiseSampler(ImplicitDataset(full, 3, 2), batch_size=2)
    with pytest.raises(ValueError, match='user 0 has 1 eligible.*negativenum=2'):
        NPairwiseSampler(ImplicitDataset(full[1:], 3, 2), batch_size=2, negativenum=2)
    with pytest.raises(ValueError, match='user 0 has 0 eligible negative'):
        PairwiseSampler(ImplicitDataset(full[:2], 3, 2), batch_size=1)


def test_bad_arguments():
    ds = ImplicitDataset(interactions(), 6, 30)
    with pytest.raises(TypeError, match='dataset must be an openrec.utils.Dataset'):
        PairwiseSampler(interactions(), 4)
    with pytest.raises(ValueError, match='batch_size must be a positive int, got 0'):
        PairwiseSampler(ds, 0)
    with pytest.raises(ValueError, match='num_process must be a positive int'):
        NPairwiseSampler(ds, 4, num_process=0)
    with pytest.raises(TypeError, match='chronological must be a bool'):
        PairwiseSampler(ds, 4, chronological='yes')
    with pytest.raises(ValueError, match=r'pos_ratio must be a number in \[0, 1\]'):
        PointwiseSampler(ds, 4, pos_ratio=1.5)
    with pytest.raises(ValueError, match='seed must be an int >= 0'):
        PairwiseSampler(ds, 4, seed=-1)
    with pytest.raises(ValueError, match="missing 'label'"):
        ExplicitSampler(ds, 4)
    with pytest.raises(NotImplementedError, match='Sampler is a base class'):
        Sampler(ds, 4)


def test_n_pairwise_batches():
    raw = interactions()
    pos = positives(raw)
    with NPairwiseSampler(ImplicitDataset(raw, 6, 30), batch_size=5, negativenum=4,
                          num_process=2) as sampler:
        batch = call_with_timeout(sampler.next_batch)
        assert batch.dtype == np.dtype([('user_id_input', np.int32), ('p_item_id_input', np.int32),
                                        ('n_item_id_inputs', object)])
        negs = np.array(batch['n_item_id_inputs'].tolist())
        assert negs.shape == (5, 4) and negs.dtype == np.int64
        for _ in range(50):
            batch = sampler.next_batch()
            for u, p, cell in batch.tolist():
                assert cell.shape == (4,) and len(set(cell.tolist())) == 4
                assert p in pos[u] and not set(cell.tolist()) & pos[u]
    # crowded users: exactly negativenum eligible items, all of them drawn
    crowded = np.array([(0, i) for i in range(6)] + [(1, i) for i in range(4, 10)],
                       dtype=[('user_id', int), ('item_id', int)])
    with NPairwiseSampler(ImplicitDataset(crowded, 2, 10), batch_size=4, negativenum=4,
                          num_process=1) as sampler:
        for u, _, cell in sampler.next_batch().tolist():
            assert set(cell.tolist()) == ({6, 7, 8, 9} if u == 0 else {0, 1, 2, 3})


def test_pointwise_batches():
    raw = interactions(n_users=4, per_user=5)
    pos = positives(raw)
    with PointwiseSampler(ImplicitDataset(raw, 4, 30), batch_size=10, pos_ratio=0.35,
                          num_process=1) as sampler:
        neg_users = set()
        for _ in range(100):
            batch = call_with_timeout(sampler.next_batch)
            assert batch.dtype == np.dtype([('user_id_input', np.int32), ('item_id_input', np.int32),
                                            ('labels', np.float32)])
            assert batch['labels'].tolist() == [1.0] * 3 + [0.0] * 7  # num_pos = int(3.5)
            for u, i, label in batch.tolist():
                assert (i in pos[u]) == (label == 1.0)
            neg_users.update(batch['user_id_input'][3:].tolist())
    assert neg_users == {0, 1, 2, 3}  # the last listed user is drawn too


def test_explicit_sampler_loops_with_reshuffle():
    raw = interactions(n_users=3, per_user=4, label=True)  # 12 rows
    with ExplicitSampler(Dataset(raw, 3, 30), batch_size=4, num_process=1) as sampler:
        passes = [np.concatenate([call_with_timeout(sampler.next_batch) for _ in range(2)])
                  for _ in range(6)]  # ceil(12 / 4) - 1 = 2 batches per pass, forever
    for rows in passes:
        assert len(set(rows['labels'].tolist())) == 8
        np.testing.assert_array_equal(rows['labels'],
                                      rows['user_id_input'] * 100.0 + rows['item_id_input'])
    assert len({tuple(p['labels'].tolist()) for p in passes}) > 1
    with ExplicitSampler(Dataset(raw, 3, 30), batch_size=4, chronological=True) as sampler:
        np.testing.assert_array_equal(sampler.next_batch()['labels'], raw['label'][:4])
        sampler.next_batch()
        with pytest.raises(RuntimeError, match='exhausted'):
            call_with_timeout(sampler.next_batch)


class FailingSampler(Sampler):
    def __init__(self, dataset, batch_size, num_process=2):
        super(FailingSampler, self).__init__(dataset, batch_size, num_process)

    def _batch_source(self, rng):
        def batches():
            yield np.zeros(1)
            raise KeyError('boom in worker')
        return batches()


def test_worker_error_reaches_caller():
    sampler = FailingSampler(Dataset(interactions(), 6, 30), 2)
    with pytest.raises(RuntimeError, match="FailingSampler worker failed: KeyError: 'boom in worker'") as info:
        for _ in range(4):
            call_with_timeout(sampler.next_batch)
    assert isinstance(info.value.__cause__, KeyError)
    assert worker_threads() == []  # stopped on error
    with pytest.raises(RuntimeError, match='worker failed'):  # and keeps failing, no hang
        call_with_timeout(sampler.next_batch)


def test_close_restart_and_finalizer():
    ds = ImplicitDataset(interactions(), 6, 30)
    sampler = PairwiseSampler(ds, 4, num_process=3)
    assert len(worker_threads()) == 3 and all(t.daemon for t in worker_threads())
    sampler.next_batch()
    sampler.close()
    sampler.close()  # idempotent
    assert worker_threads() == []
    assert call_with_timeout(sampler.next_batch).shape == (4,)  # restarts on demand
    assert len(worker_threads()) == 3
    del sampler
    gc.collect()
    assert worker_threads() == []  # the finalizer stopped the unreferenced sampler's workers


def test_pause_and_close_resume_the_stream_exactly():
    """No batch is lost or repeated: buffered batches and a worker's pending block are kept."""
    raw = interactions(n_users=10, per_user=10)   # 100 rows, 11 batches of 8 per pass

    def sampler():
        return PairwiseSampler(ImplicitDataset(raw, 10, 30), batch_size=8, num_process=1, seed=5)
    with sampler() as reference:
        expected = [reference.next_batch() for _ in range(150)]
    got = []
    with sampler() as resumed:
        for count, stop in ((3, resumed._pause), (20, resumed.close), (41, resumed._pause),
                            (1, resumed.close), (85, None)):
            time.sleep(0.05)   # the buffer fills: queued blocks and a pending block are kept
            got += [call_with_timeout(resumed.next_batch) for _ in range(count)]
            if stop is not None:
                stop()
                assert worker_threads() == []
    for x, y in zip(got, expected):
        np.testing.assert_array_equal(x, y)
    assert len(got) == len(expected)


def test_a_stopped_worker_keeps_the_block_it_could_not_hand_over():
    blocks, stop = queue.Queue(maxsize=1), threading.Event()
    blocks.put(['queued'])
    stream = _workers.Stream(iter([['a'], ['b']]))
    thread = threading.Thread(target=_workers._thread_main, args=(0, stream, blocks, stop))
    thread.start()
    time.sleep(0.2)   # blocked on the full queue
    stop.set()
    thread.join()
    assert stream.pending(0) == ['a'] and not stream.finished
    stream.sent()
    assert stream.pending(0) == ['b']


def test_batches_before_a_worker_failure_are_served():
    sampler = FailingSampler(Dataset(interactions(), 6, 30), 2, num_process=1)
    np.testing.assert_array_equal(call_with_timeout(sampler.next_batch), np.zeros(1))
    with pytest.raises(RuntimeError, match="^FailingSampler worker failed: KeyError: 'boom in "
                                           "worker'$"):
        call_with_timeout(sampler.next_batch)
    assert worker_threads() == []


class EndingSampler(Sampler):
    def _batch_source(self, rng):
        return iter([np.zeros(1)] * 3)


def test_ended_workers_stay_ended_across_close():
    sampler = EndingSampler(Dataset(interactions(), 6, 30), 1, num_process=2)
    for _ in range(2):
        for _ in range(3):
            call_with_timeout(sampler.next_batch)
        sampler.close()
    with pytest.raises(RuntimeError, match='^EndingSampler is exhausted: the chronological pass '
                                           'ended after 6 batches$'):
        call_with_timeout(sampler.next_batch)
    assert worker_threads() == []



class SlowSampler(Sampler):
    """Batches 0, 1, 2, ... (one-element arrays); batch 8 takes 1 s, so the second block
    is not ready until a second after the first."""

    def _batch_source(self, rng):
        def batches():
            for i in itertools.count():
                if i == 8:
                    time.sleep(1.0)
                yield np.full(1, i)
        return batches()


def test_close_from_another_thread_while_next_batch_waits():
    sampler = SlowSampler(Dataset(interactions(), 6, 30), 1, num_process=1)
    first = [call_with_timeout(sampler.next_batch)[0] for _ in range(8)]   # the first block
    closer = threading.Timer(0.1, sampler.close)   # while the second block is being made
    closer.start()
    with pytest.raises(RuntimeError, match='^SlowSampler: stopped \\(closed\\) by another thread '
                                           'while waiting for the next item$'):
        call_with_timeout(sampler.next_batch)
    closer.join()
    assert worker_threads() == []
    rest = [call_with_timeout(sampler.next_batch)[0] for _ in range(8)]   # restarts, nothing lost
    assert first + rest == list(range(16))
    sampler.close()
    assert worker_threads() == []


def test_interrupted_start_leaves_no_thread_and_a_retry_works(monkeypatch):
    real_start, calls = threading.Thread.start, []

    def start(thread):
        if thread.name.startswith('PairwiseSampler-worker-'):  # not threads of pytest's
            calls.append(thread.name)
            if len(calls) == 2:
                raise KeyboardInterrupt
        return real_start(thread)
    monkeypatch.setattr(threading.Thread, 'start', start)
    ds = ImplicitDataset(interactions(), 6, 30)
    with pytest.raises(KeyboardInterrupt):
        PairwiseSampler(ds, 4, num_process=3, seed=1)
    assert calls[:2] == ['PairwiseSampler-worker-0', 'PairwiseSampler-worker-1']
    assert worker_threads() == []   # the started worker was ended, not left running
    monkeypatch.setattr(threading.Thread, 'start', real_start)
    with PairwiseSampler(ds, 4, num_process=3, seed=1) as retry:
        batches = [call_with_timeout(retry.next_batch) for _ in range(5)]
        assert len(worker_threads()) == 3
    assert [b.shape for b in batches] == [(4,)] * 5
    assert worker_threads() == []


@pytest.mark.parametrize('sampler_class', [PairwiseSampler, PointwiseSampler])
@pytest.mark.parametrize('bound, exc', [(30.0, TypeError), ('30', TypeError), (0, ValueError)])
def test_look_alike_dataset_bounds_must_be_positive_ints(sampler_class, bound, exc):
    class LookAlike(object):  # only what the samplers call
        raw_data = interactions()
        data = None

        def max_user(self):
            return 6

        def max_item(self):
            return bound

        def shuffle(self):
            self.data = self.raw_data.copy()
    with pytest.raises(exc, match=r"^dataset\.max_item\(\) must be a positive int, got %s$"
                       % re.escape(repr(bound))):
        sampler_class(LookAlike(), 4)
    assert worker_threads() == []

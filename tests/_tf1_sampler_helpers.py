"""Shared pieces of the 0.2 sampler tests (test_tf1_samplers*.py)."""
import gc
import multiprocessing
import threading

import numpy as np
import pytest

from openrec.tf1.utils import Dataset
from test_utils_samplers import call_with_timeout  # noqa: F401 (shared with the 0.1 tests)

PAIR = [('user_id', np.int32), ('item_id', np.int32)]


def worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith('tf1.Sampler[')]


@pytest.fixture(autouse=True)
def no_leaks():
    """Every test must leave no sampler thread or worker process behind."""
    yield
    if worker_threads() or multiprocessing.active_children():
        gc.collect()  # unreferenced samplers are stopped by their finalizers
    assert worker_threads() == []
    assert multiprocessing.active_children() == []


def take(sampler, count):
    return [call_with_timeout(sampler.next_batch) for _ in range(count)]


def rows(pairs, dtype=PAIR):
    return np.array(list(pairs), dtype=dtype)


def toy(n_users=6, n_items=12, per_user=(2, 3, 4, 5, 1, 6), name='Toy', **kwargs):
    """User u holds items (3u + k) mod n_items for k < per_user[u] (no duplicate pairs)."""
    raw = rows((u, (3 * u + k) % n_items) for u in range(n_users) for k in range(per_user[u]))
    return Dataset(raw, n_users, n_items, name=name, **kwargs), raw


def positives(raw):
    out = {}
    for u, i in zip(raw['user_id'].tolist(), raw['item_id'].tolist()):
        out.setdefault(u, set()).add(i)
    return out

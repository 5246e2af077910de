"""OpenRec 0.2 samplers on citeulike-a: EvaluationSampler pass time, RandomPairwiseSampler rate.

Reads ``../shared/data/citeulike-a/users.dat`` (override with ``--data``), holds out one
item of every user (seed 0) and builds, as the 0.2 tutorial does,
``Dataset(train, 5551, 16980, name='Train')`` and
``Dataset(val, 5551, 16980, name='Val', num_negatives=500)``. Then, in one run:

* the seconds of one ``EvaluationSampler(batch_size=1000)`` pass over all 5551 users
  (501 candidates each), from ``reset()`` to the ``(None, None)`` marker (goal <= 1.5 s;
  the original: 6.3 s), the first pass and the median of five;
* the rows/s that ``RandomPairwiseSampler(batch_size=1000, num_process=5)`` delivers to a
  consumer calling ``next_batch()`` in a loop (goal: well above 600,000; the original:
  about 100,000).

Usage: ``python benchmarks/tf1_evaluation_sampler.py [--data DIR] [--batches N]``.
"""
import argparse
import os
import time

import numpy as np

from openrec.tf1.utils import Dataset
from openrec.tf1.utils.samplers import EvaluationSampler, RandomPairwiseSampler
from train_bpr import read_citeulike  # this script's folder is on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, '..', '..', 'shared', 'data', 'citeulike-a')
TOTAL_USERS, TOTAL_ITEMS, BATCH = 5551, 16980, 1000


def load(path, seed=0):
    """(train, val) structured arrays: one random held-out item per user in val."""
    rows = read_citeulike(path)
    rows = rows[np.lexsort((np.random.RandomState(seed).rand(len(rows)), rows['user_id']))]
    first = np.r_[True, rows['user_id'][1:] != rows['user_id'][:-1]]
    return rows[~first], rows[first]


def one_pass(sampler):
    began = time.perf_counter()
    sampler.reset()
    users = 0
    while True:
        _, batch = sampler.next_batch()
        if batch is None:
            return time.perf_counter() - began, users
        users += len(batch) == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default=DEFAULT_DATA)
    parser.add_argument('--batches', type=int, default=3000)
    args = parser.parse_args()

    train_rows, val_rows = load(args.data)
    began = time.perf_counter()
    train = Dataset(train_rows, TOTAL_USERS, TOTAL_ITEMS, name='Train')
    np.random.seed(0)
    val = Dataset(val_rows, TOTAL_USERS, TOTAL_ITEMS, name='Val', num_negatives=500)
    print('citeulike-a: %d train / %d val rows; both Datasets built in %.1f s'
          % (len(train_rows), len(val_rows), time.perf_counter() - began))

    with EvaluationSampler(batch_size=BATCH, dataset=val) as sampler:
        passes = [one_pass(sampler) for _ in range(5)]
    seconds = [s for s, _ in passes]
    print('EvaluationSampler pass over %d users x 501 items: first %.2f s, median of 5 %.2f s '
          '(goal <= 1.5 s; original 6.3 s)' % (passes[0][1], seconds[0], float(np.median(seconds))))

    with RandomPairwiseSampler(batch_size=BATCH, dataset=train, num_process=5) as sampler:
        for _ in range(50):
            sampler.next_batch()
        began = time.perf_counter()
        for _ in range(args.batches):
            sampler.next_batch()
        rate = args.batches * BATCH / (time.perf_counter() - began)
    print('RandomPairwiseSampler(batch_size=%d, num_process=5): %.0f rows/s delivered '
          '(goal well above 600,000; original about 100,000)' % (BATCH, rate))


if __name__ == '__main__':
    main()

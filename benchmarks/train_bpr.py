"""BPR on citeulike-a: training rates (graph-only, pipeline, k steps per call), evaluation time.

Reads ``../shared/data/citeulike-a/users.dat`` (override with ``--data``), holds out a
fifth of every user's items (seed 0), and for each optimizer ('Adam', 'SGD') builds
``BPR(batch_size=1000, dim_embed=20)`` and measures, in one run:

* graph-only rate: ``model.train`` fed one fixed batch over and over (the limit);
* pipeline rate: ``PairwiseSampler.next_batch`` + ``model.train``;
* their ratio (goal >= 0.85);

(both rates are medians of interleaved rounds, so that load changes hit both alike)

then the seconds of one full AUC + Recall@50 evaluation of every citeulike-a user
through ``ImplicitModelTrainer`` (goal < 30 s), and finally, for SGD and Adam at batch
sizes 256 and 1000, the rate of ``model.train`` called once per batch against
``model.train_steps`` given k batches per call (k = 10, 50), on the same pre-drawn
batches (medians of interleaved rounds; shipped because it gains >= 1.3x somewhere).
Usage: ``python benchmarks/train_bpr.py [--data DIR] [--steps N] [--skip-base]``.
"""
import argparse
import contextlib
import io
import os
import sys
import time

# Measure the openrec beside this script, not an installed one, here and in subprocesses.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ['PYTHONPATH'] = os.pathsep.join(filter(None, [ROOT, os.environ.get('PYTHONPATH')]))
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np  # noqa: E402

from openrec import ImplicitModelTrainer  # noqa: E402
from openrec.recommenders import BPR  # noqa: E402
from openrec.utils import ImplicitDataset  # noqa: E402
from openrec.utils.evaluators import AUC, Recall  # noqa: E402
from openrec.utils.samplers import PairwiseSampler  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, '..', '..', 'shared', 'data', 'citeulike-a')
BATCH = 1000


def read_citeulike(path):
    """users.dat: line u = '<count> <item> <item> ...'; returns (user_id, item_id) rows."""
    users, items = [], []
    with open(os.path.join(path, 'users.dat')) as handle:
        for user, line in enumerate(handle):
            ids = [int(x) for x in line.split()[1:]]
            users += [user] * len(ids)
            items += ids
    rows = np.zeros(len(users), dtype=[('user_id', np.int32), ('item_id', np.int32)])
    rows['user_id'], rows['item_id'] = users, items
    return rows


def split(rows, seed=0):
    """Hold out a fifth of every user's items (at least one when the user has two)."""
    rng = np.random.RandomState(seed)
    order = np.lexsort((rng.rand(len(rows)), rows['user_id']))
    rows = rows[order]
    starts = np.r_[0, np.flatnonzero(np.diff(rows['user_id'])) + 1]
    counts = np.diff(np.r_[starts, len(rows)])
    rank = np.arange(len(rows)) - np.repeat(starts, counts)
    held_out = rank < np.repeat(np.where(counts > 1, np.maximum(1, counts // 5), 0), counts)
    return rows[~held_out], rows[held_out]


def rates(steps_by_mode, steps, rounds=5, batch=BATCH):
    """Median samples/s of each mode, measured in interleaved rounds (load-robust).

    ``steps_by_mode``: a callable per mode that trains ``batch * per_call`` samples,
    given as ``(callable, per_call)`` or a bare callable (``per_call`` 1).
    """
    per_round = {mode: [] for mode in steps_by_mode}
    steps_by_mode = {mode: value if isinstance(value, tuple) else (value, 1)
                     for mode, value in steps_by_mode.items()}
    for step, _ in steps_by_mode.values():
        step()  # warm-up
    for _ in range(rounds):
        for mode, (step, per_call) in steps_by_mode.items():
            calls = max(1, steps // rounds // per_call)
            began = time.perf_counter()
            for _ in range(calls):
                step()
            per_round[mode].append(calls * per_call * batch / (time.perf_counter() - began))
    return {mode: float(np.median(values)) for mode, values in per_round.items()}


def steps_per_call(train, max_user, max_item, steps, ks=(10, 50)):
    """``train`` once per batch vs ``train_steps`` with k batches per call."""
    print('steps per session call: samples/s of BPR.train vs BPR.train_steps(k batches), '
          'same pre-drawn batches')
    for opt in ('SGD', 'Adam'):
        for batch in (256, 1000):
            model = BPR(batch_size=batch, max_user=max_user, max_item=max_item, dim_embed=20,
                        opt=opt)
            with PairwiseSampler(train, batch_size=batch, num_process=1) as sampler:
                batches = [sampler.next_batch() for _ in range(max(ks))]
            modes = {'train': ((lambda: [model.train(b) for b in batches]), len(batches))}
            for k in ks:
                modes['k=%d' % k] = (lambda k: lambda: model.train_steps(batches[:k]))(k), k
            measured = rates(modes, steps, batch=batch)
            print('  %-4s batch %4d: train %9.0f | %s' % (opt, batch, measured['train'], ' | '.join(
                'k=%d %9.0f (%.2fx)' % (k, measured['k=%d' % k], measured['k=%d' % k]
                                        / measured['train']) for k in ks)), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default=DEFAULT_DATA)
    parser.add_argument('--steps', type=int, default=5000)
    parser.add_argument('--skip-base', action='store_true',
                        help='only the steps-per-call comparison')
    args = parser.parse_args()

    rows = read_citeulike(args.data)
    max_user, max_item = int(rows['user_id'].max()) + 1, 16980
    train_rows, test_rows = split(rows)
    train = ImplicitDataset(train_rows, max_user, max_item, name='Train')
    test = ImplicitDataset(test_rows, max_user, max_item, name='Test')
    print('citeulike-a: %d users, %d items, %d train / %d held-out interactions'
          % (max_user, max_item, len(train_rows), len(test_rows)))
    if not args.skip_base:
        base(args, train, test, max_user, max_item)
    steps_per_call(train, max_user, max_item, args.steps)
    print('load average (1, 5, 15 min): %.2f, %.2f, %.2f; %d cores' % (*os.getloadavg(),
                                                                        os.cpu_count()))


def base(args, train, test, max_user, max_item):
    """Graph-only vs pipeline rates at batch 1000, then the full-evaluation time."""
    for opt in ('Adam', 'SGD'):
        model = BPR(batch_size=BATCH, max_user=max_user, max_item=max_item, dim_embed=20,
                    opt=opt)
        with PairwiseSampler(train, batch_size=BATCH, num_process=2) as sampler:
            fixed = sampler.next_batch()
            measured = rates({'graph': lambda: model.train(fixed),
                              'pipeline': lambda: model.train(sampler.next_batch())},
                             args.steps)
            graph_rate, pipeline_rate = measured['graph'], measured['pipeline']
        print('%-4s graph-only %9.0f samples/s | pipeline %9.0f samples/s | ratio %.2f '
              '(goal >= 0.85)' % (opt, graph_rate, pipeline_rate, pipeline_rate / graph_rate))

    with PairwiseSampler(train, batch_size=BATCH, num_process=1) as sampler:
        trainer = ImplicitModelTrainer(batch_size=BATCH, test_batch_size=1000,
                                       train_dataset=train, model=model, sampler=sampler)
        began = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            results = trainer.train(num_itr=2, display_itr=1, eval_datasets=[test],
                                    evaluators=[AUC(), Recall(recall_at=[50])])
        seconds = time.perf_counter() - began
    print('full evaluation of %d users (AUC + Recall@50): %.1f s (goal < 30 s); AUC %.4f, '
          'Recall@50 %.4f' % (test.unique_user_count(), seconds, results['Test']['AUC'],
                              results['Test']['Recall'][0]))


if __name__ == '__main__':
    main()

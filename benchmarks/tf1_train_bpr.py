"""OpenRec 0.2 BPR through ModelTrainer on citeulike-a: training rate, evaluation times.

The setting of ``examples/tf1/bpr_citeulike.py`` on ``../shared/data/citeulike-a``
(override with ``--data``; one validation and one test item held out per user, as
OpenRec's tutorial): ``BPR(batch_size=1000, dim 50)``, ``RandomPairwiseSampler(
batch_size=1000, num_process=5)``, ``EvaluationSampler(batch_size=1000)`` over
``Dataset(val, num_negatives=500)`` (5551 users x 501 candidates), ``AUC()``. In one run:

* graph-only rate: ``model.train`` fed one fixed batch over and over (the limit), vs
  ModelTrainer rate: ``ModelTrainer.train(total_iter=--steps, ...)`` with the sampler
  (stdout to /dev/null, sampler restart included), in alternating rounds: the median
  rates, the median of the rounds' ratios and the ratio of the best rounds (goal >= 0.9);
* one ``EvaluationSampler`` pass over all users on its own, ``reset()`` to
  ``(None, None)`` (goal <= 1.5 s; the original: 6.3 s);
* one whole ModelTrainer evaluation of all users (``_evaluate``: sampler, serving,
  metrics; AUC, then AUC + Recall@10..100), with the seconds spent in ``model.serve``
  alone and the number of ``model.serve`` calls: the default eval function (several
  users per call) vs a custom one calling the default per batch (the original's one
  call per user), and whether both give identical results; the first evaluation after
  training also copies the model to the serving graph (checkpoint write + restore),
  timed separately.

Usage: ``python benchmarks/tf1_train_bpr.py [--data DIR] [--steps N] [--rounds N]``.
"""
import argparse
import contextlib
import os
import sys
import tempfile
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np  # noqa: E402

from openrec import ModelTrainer  # noqa: E402
from openrec.tf1.recommenders import BPR  # noqa: E402
from openrec.tf1.utils import Dataset  # noqa: E402
from openrec.tf1.utils.evaluators import AUC, Recall  # noqa: E402
from openrec.tf1.utils.samplers import EvaluationSampler, RandomPairwiseSampler  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'examples', 'tf1'))
import dataloader  # noqa: E402  (the example scripts' loader)

DEFAULT_DATA = os.path.join(HERE, '..', '..', 'shared', 'data', 'citeulike-a')
BATCH, DIM = 1000, 50


@contextlib.contextmanager
def quiet():
    """The trainer's lines (one ``\\r`` line per step) go to /dev/null."""
    with open(os.devnull, 'w') as devnull, contextlib.redirect_stdout(devnull):
        yield


def seconds(func):
    began = time.perf_counter()
    func()
    return time.perf_counter() - began


def sampler_pass(sampler):
    """One evaluation pass of ``sampler`` from ``reset()`` to ``(None, None)``, unscored."""
    sampler.reset()
    while sampler.next_batch()[1] is not None:
        pass


def training_rates(trainer, model, sampler, batch_size, steps, rounds):
    """Graph-only and ModelTrainer training rates (samples/s), in alternating rounds.

    Graph-only: ``model.train`` on one fixed batch of ``sampler``; ModelTrainer:
    ``trainer.train(total_iter=steps, ...)`` with ``sampler``. Returns the median rates,
    the median of the rounds' ratios trainer / graph, and the ratio of the best rounds
    (max / max): other jobs on the machine slow single rounds by up to 2x, so one ratio
    is noise; the median ratio and the best rounds are not.
    """
    fixed = sampler.next_batch()
    model.train(fixed)  # warm-up

    def graph_only():
        return steps * batch_size / seconds(lambda: [model.train(fixed) for _ in range(steps)])

    def model_trainer():
        with quiet():
            return steps * batch_size / seconds(lambda: trainer.train(
                total_iter=steps, eval_iter=steps, save_iter=steps + 1, train_sampler=sampler))

    rates = np.array([(graph_only(), model_trainer()) for _ in range(rounds)])
    best = rates.max(axis=0)
    return (np.median(rates[:, 0]), np.median(rates[:, 1]),
            np.median(rates[:, 1] / rates[:, 0]), best[1] / best[0])


def print_rates(what, rates):
    print('%s: graph-only %.0f samples/s | ModelTrainer %.0f samples/s (medians) | ratio %.2f '
          '(median of the rounds\' ratios), %.2f (best rounds); goal >= 0.9'
          % ((what,) + tuple(rates)))


class ServeTimer(object):
    """Wraps ``model.serve`` to add up the seconds spent in it and count the calls."""

    def __init__(self, model):
        self.model, self.total, self.calls = model, 0.0, 0

    def __call__(self, batch_data, **kwargs):
        self.calls += 1
        began = time.perf_counter()
        try:
            return self._serve(batch_data, **kwargs)
        finally:
            self.total += time.perf_counter() - began

    def __enter__(self):
        self._serve = self.model.serve
        self.model.serve = self
        return self

    def __exit__(self, *exc):
        self.model.serve = self._serve


def evaluations(trainer, model, sampler, count):
    """Median seconds of ``count`` ``trainer._evaluate(sampler)`` calls, of their time in
    ``model.serve`` and of their ``model.serve`` calls, and the last call's results."""
    times = []
    for _ in range(count):
        with ServeTimer(model) as serve:
            began = time.perf_counter()
            results = trainer._evaluate(sampler)
            times.append((time.perf_counter() - began, serve.total, serve.calls))
    return tuple(np.median(times, axis=0)) + (results,)


def per_batch(trainer):
    """A trainer of the same model and evaluators whose eval function is the default one,
    called once per batch (as the original did)."""
    other = ModelTrainer(trainer._model, eval_iter_func=lambda model, batch_data:
                         trainer._default_eval_iter_func(model, batch_data))
    other._eval_manager = trainer._eval_manager
    return other


def identical(results, others):
    """Whether two ``_evaluate`` results hold the same values, user by user."""
    return list(results) == list(others) and all(
        len(results[key]) == len(others[key])
        and all(np.array_equal(a, b) for a, b in zip(results[key], others[key]))
        for key in results)


def compare_evaluations(trainer, model, sampler, count, what):
    """Print the whole-evaluation times, default eval function vs one serve per batch."""
    with quiet():
        runs, serve, calls, results = evaluations(trainer, model, sampler, count)
        runs1, serve1, calls1, results1 = evaluations(per_batch(trainer), model, sampler, count)
    print('ModelTrainer evaluation of %d users (%s): median of %d %.2f s, of which model.serve '
          '%.2f s (%d calls); one call per batch %.2f s, model.serve %.2f s (%d calls): %.1fx; '
          'results identical: %s; AUC %.4f'
          % (len(results['AUC']), what, count, runs, serve, calls, runs1, serve1, calls1,
             runs1 / runs, identical(results, results1), float(np.mean(results['AUC']))))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default=DEFAULT_DATA)
    parser.add_argument('--steps', type=int, default=200, help='training steps per round')
    parser.add_argument('--rounds', type=int, default=15)
    args = parser.parse_args()

    raw = dataloader.load_citeulike(args.data)
    users, items = raw['total_users'], raw['total_items']
    train = Dataset(raw['train_data'], users, items, name='Train')
    np.random.seed(0)
    val = Dataset(raw['val_data'], users, items, name='Val', num_negatives=500)
    print('citeulike-a: %d users, %d items, %d train / %d val rows'
          % (users, items, len(raw['train_data']), len(raw['val_data'])))

    save_dir = tempfile.mkdtemp(prefix='tf1_train_bpr_')
    model = BPR(batch_size=BATCH, total_users=users, total_items=items, dim_user_embed=DIM,
                dim_item_embed=DIM, save_model_dir=save_dir, train=True, serve=True)
    trainer = ModelTrainer(model=model)
    train_sampler = RandomPairwiseSampler(batch_size=BATCH, dataset=train, num_process=5)
    val_sampler = EvaluationSampler(batch_size=BATCH, dataset=val)

    print_rates('training (batch %d, dim %d, Adam)' % (BATCH, DIM),
                training_rates(trainer, model, train_sampler, BATCH, args.steps, args.rounds))

    passes = [seconds(lambda: sampler_pass(val_sampler)) for _ in range(5)]
    print('EvaluationSampler pass over %d users x 501 items: first %.2f s, median of 5 %.2f s '
          '(goal <= 1.5 s; original 6.3 s)' % (users, passes[0], float(np.median(passes))))

    fixed = train_sampler.next_batch()
    model.train(fixed)
    sync = seconds(lambda: model.serve(fixed_serve(fixed)))
    for evaluators in ([AUC()], [AUC(), Recall(recall_at=list(range(10, 101, 10)))]):
        with quiet():  # sets the evaluators and resets the samplers; no training step
            trainer.train(total_iter=0, eval_iter=0, save_iter=0, train_sampler=train_sampler,
                          eval_samplers=[val_sampler], evaluators=evaluators)
        compare_evaluations(trainer, model, val_sampler, 3,
                            ' + '.join(e.name for e in evaluators))
    print('first serve after training (train-to-serve copy through %s/model.ckpt): %.2f s'
          % (save_dir, sync))
    train_sampler.close()
    val_sampler.close()


def fixed_serve(batch):
    """A serving batch of the training batch's users and positive items."""
    return {'user_id': batch['user_id'], 'item_id': batch['p_item_id']}


if __name__ == '__main__':
    main()

"""OpenRec 0.2 RNNRec through ModelTrainer at lastfm scale: training rate, evaluation pass time.

Generated lastfm-shaped histories (``openrec.data.make_sequence_data``: 992 users, 14598
items, 67 ``user_geo`` values, 50 to 65 item chains of 10 per user: 594,640 interactions,
like lastfm-1K's about 570,000; each history's newest fifth is the test data) and the setting
of ``examples/tf1/rnn_rec_lastfm.py``: ``RNNRec(batch_size=256, dim_item_embed=50,
max_seq_len=100, num_units=32)``, ``TemporalSampler(batch_size=256, max_seq_len=100,
num_process=1)``, ``TemporalEvaluationSampler(max_seq_len=100)``, ``AUC()`` and
``Recall(recall_at=[100, 500])``. In one run:

* graph-only rate (``model.train`` on one fixed batch) vs ModelTrainer rate
  (``ModelTrainer.train(total_iter=--steps, ...)`` with the sampler, stdout to
  /dev/null), in alternating rounds: the median rates, the median of the rounds'
  ratios and the ratio of the best rounds;
* one ``TemporalEvaluationSampler`` pass over all users on its own;
* one whole ModelTrainer evaluation of all users (``_evaluate``: sampler, serving of
  one ``[1, 14598]`` score row per user, metrics), with the seconds in ``model.serve``,
  default eval function vs one ``model.serve`` call per batch (see
  ``tf1_train_bpr.py``); RNNRec's scores change in the last bits with the number of
  rows per call (TensorFlow's matrix kernels), so the trainer's check makes it serve
  one user per call. Then the same with that check off (``_EVAL_SERVE_VERIFY``): the
  time chunked calls would take, and how far its metrics are from the exact ones.

Usage: ``python benchmarks/tf1_rnn_rec.py [--steps N] [--rounds N]``.
"""
import argparse
import os
import tempfile

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np  # noqa: E402

from openrec import ModelTrainer  # noqa: E402
from openrec.data import make_sequence_data  # noqa: E402
from openrec.tf1.recommenders import RNNRec  # noqa: E402
from openrec.tf1.utils import Dataset  # noqa: E402
from openrec.tf1.utils.evaluators import AUC, Recall  # noqa: E402
from openrec.tf1.utils.samplers import TemporalEvaluationSampler, TemporalSampler  # noqa: E402
import openrec.tf1.model_trainer as model_trainer  # noqa: E402
from tf1_train_bpr import (compare_evaluations, evaluations, identical, print_rates,  # noqa: E402
                          quiet, sampler_pass, seconds, training_rates)

USERS, ITEMS, BATCH, MAX_SEQ_LEN = 992, 14598, 256, 100


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=50, help='training steps per round')
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args()

    data = make_sequence_data(num_users=USERS, num_items=ITEMS, num_geo=67,
                              chains_per_user=(50, 65))
    train = Dataset(data['train'], USERS, ITEMS, sortby='ts', name='Train')
    test = Dataset(data['test'], USERS, ITEMS, sortby='ts', name='Test')
    print('generated lastfm-scale data: %d users, %d items, %d train / %d test rows, '
          'histories of %d to %d items' % (USERS, ITEMS, len(data['train']), len(data['test']),
                                           np.bincount(data['train']['user_id']).min(),
                                           np.bincount(data['train']['user_id']).max()))

    model = RNNRec(batch_size=BATCH, dim_item_embed=50, max_seq_len=MAX_SEQ_LEN, total_items=ITEMS,
                   num_units=32, save_model_dir=tempfile.mkdtemp(prefix='tf1_rnn_rec_'),
                   train=True, serve=True)
    trainer = ModelTrainer(model=model)
    train_sampler = TemporalSampler(batch_size=BATCH, max_seq_len=MAX_SEQ_LEN, dataset=train,
                                    num_process=1)
    test_sampler = TemporalEvaluationSampler(dataset=test, max_seq_len=MAX_SEQ_LEN)

    print_rates('training (batch %d, max_seq_len %d, GRU 32, softmax over %d items)'
                % (BATCH, MAX_SEQ_LEN, ITEMS),
                training_rates(trainer, model, train_sampler, BATCH, args.steps, args.rounds))

    passes = [seconds(lambda: sampler_pass(test_sampler)) for _ in range(5)]
    print('TemporalEvaluationSampler pass over %d users: first %.2f s, median of 5 %.2f s'
          % (USERS, passes[0], float(np.median(passes))))

    with quiet():  # sets the evaluators and resets the samplers; no training step
        trainer.train(total_iter=0, eval_iter=0, save_iter=0, train_sampler=train_sampler,
                      eval_samplers=[test_sampler],
                      evaluators=[AUC(), Recall(recall_at=[100, 500])])
    with quiet():
        seconds(lambda: trainer._evaluate(test_sampler))  # includes the train-to-serve copy
    results = compare_evaluations(trainer, model, test_sampler, 3,
                                  'AUC + Recall@100, 500 over %d items, after %d training steps'
                                  % (ITEMS, 2 * args.rounds * args.steps + 1))
    model_trainer._EVAL_SERVE_VERIFY, trainer._serve_per_batch = False, None
    with quiet():
        runs, serve, calls, unverified = evaluations(trainer, model, test_sampler, 3)
    changed = {key: (sum(not np.array_equal(a, b) for a, b in zip(unverified[key], results[key])),
                     float(np.max(np.abs(np.mean(unverified[key], axis=0)
                                         - np.mean(results[key], axis=0)))))
               for key in results}
    print('the same, chunked without the check: median of 3 %.2f s, model.serve %.2f s (%d '
          'calls); results identical: %s; users with another result, change of the printed '
          'mean: %s' % (runs, serve, calls, identical(unverified, results),
                        ', '.join('%s %d, %.3g' % ((key,) + value)
                                  for key, value in changed.items())))
    train_sampler.close()
    test_sampler.close()


if __name__ == '__main__':
    main()

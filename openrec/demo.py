"""``make demo``: both OpenRec APIs on the demo data set shipped in the package.

Part 1, the 0.1 API (``openrec.*``): BPR with a PairwiseSampler and
ImplicitModelTrainer, evaluating AUC and Recall@K on held-out interactions every 500
iterations (the trainer prints the loss and the metrics).

Part 2, the 0.2 API (``openrec.tf1.*``, as in OpenRec 0.3.0's example scripts): the BPR
recommender function trained by ``ModelTrainer`` with a RandomPairwiseSampler and
evaluated by an EvaluationSampler (the trainer prints the loss and the metrics).
Its negatives are every item the user has not in the held-out set, training items
included (the 0.2 protocol), so its figures are lower than part 1's, which excludes
the training items.

Each part ends with a line of final figures. Run ``python -m openrec.demo``.
"""
import os
import tempfile

import numpy as np

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

from openrec import ImplicitModelTrainer, ModelTrainer  # noqa: E402
from openrec.data import load_demo_data  # noqa: E402
from openrec.recommenders import BPR  # noqa: E402
from openrec.utils import ImplicitDataset  # noqa: E402
from openrec.utils.evaluators import AUC, Recall  # noqa: E402
from openrec.utils.samplers import PairwiseSampler  # noqa: E402
from openrec.tf1 import recommenders as tf1_recommenders  # noqa: E402
from openrec.tf1 import utils as tf1_utils  # noqa: E402
from openrec.tf1.utils import evaluators as tf1_evaluators, samplers as tf1_samplers  # noqa: E402

RESULT_LINE = 'held-out results after %d iterations: AUC %.4f, Recall@10 %.4f, Recall@50 %.4f'


def main(num_itr=2001, display_itr=500, batch_size=500):
    """Part 1: the 0.1 API. Returns the final ``{'AUC': ..., 'Recall': [R@10, R@50]}``."""
    train, test, max_user, max_item = load_demo_data()
    train_dataset = ImplicitDataset(raw_data=train, max_user=max_user, max_item=max_item,
                                    name='Train')
    test_dataset = ImplicitDataset(raw_data=test, max_user=max_user, max_item=max_item,
                                   name='Test')

    model = BPR(batch_size=batch_size, max_user=train_dataset.max_user(),
                max_item=train_dataset.max_item(), dim_embed=20, l2_reg=1e-4, opt='Adam')
    sampler = PairwiseSampler(batch_size=batch_size, dataset=train_dataset, num_process=2)
    model_trainer = ImplicitModelTrainer(batch_size=batch_size, test_batch_size=100,
                                         train_dataset=train_dataset, model=model,
                                         sampler=sampler)
    results = model_trainer.train(num_itr=num_itr, display_itr=display_itr,
                                  eval_datasets=[test_dataset],
                                  evaluators=[AUC(), Recall(recall_at=[10, 50])])

    final = results['Test']
    print('\n' + RESULT_LINE % (num_itr - 1, final['AUC'], final['Recall'][0], final['Recall'][1]))
    return final


def main_tf1(total_iter=2000, eval_iter=500, batch_size=500, save_model_dir=None):
    """Part 2: the 0.2 API. Returns the final ``{'AUC': ..., 'Recall': [R@10, R@50]}``.

    Checkpoints go to ``save_model_dir`` (default: a temporary directory, removed at
    the end).
    """
    if save_model_dir is None:
        with tempfile.TemporaryDirectory(prefix='openrec_demo_') as directory:
            return main_tf1(total_iter, eval_iter, batch_size, directory)
    train, test, total_users, total_items = load_demo_data()
    train_dataset = tf1_utils.Dataset(train, total_users, total_items, name='Train')
    test_dataset = tf1_utils.Dataset(test, total_users, total_items, name='Test')
    train_sampler = tf1_samplers.RandomPairwiseSampler(batch_size=batch_size,
                                                       dataset=train_dataset, num_process=2)
    test_sampler = tf1_samplers.EvaluationSampler(batch_size=batch_size, dataset=test_dataset)

    model = tf1_recommenders.BPR(batch_size=batch_size, total_users=train_dataset.total_users(),
                                 total_items=train_dataset.total_items(), dim_user_embed=20,
                                 dim_item_embed=20, l2_reg=1e-4, save_model_dir=save_model_dir,
                                 train=True, serve=True)
    model_trainer = ModelTrainer(model=model)
    model_trainer.train(total_iter=total_iter, eval_iter=eval_iter, save_iter=total_iter,
                        train_sampler=train_sampler, eval_samplers=[test_sampler],
                        evaluators=[tf1_evaluators.AUC(),
                                    tf1_evaluators.Recall(recall_at=[10, 50])])
    # ModelTrainer.train only prints; one more pass of the test stream gives the numbers
    results = model_trainer._evaluate(test_sampler)
    for sampler in (train_sampler, test_sampler):
        sampler.close()
    auc, recall = np.mean(results['AUC']), np.mean(results['Recall'], axis=0)
    print('\n' + RESULT_LINE % (total_iter, auc, recall[0], recall[1]))
    return {'AUC': float(auc), 'Recall': recall}


if __name__ == '__main__':
    print('== OpenRec 0.1 API: openrec.recommenders.BPR, ImplicitModelTrainer ==')
    main()
    print('\n== OpenRec 0.2 API: openrec.tf1.recommenders.BPR, ModelTrainer ==')
    main_tf1()

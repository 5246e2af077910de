"""``make demo``: the legacy OpenRec workflow on the demo data set shipped in the package.

Trains BPR with a PairwiseSampler and ImplicitModelTrainer, evaluating AUC and
Recall@K on held-out interactions every 500 iterations (the trainer prints the loss
and the metrics), then prints the final figures. Run ``python -m openrec.demo``.
"""
import os

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

from openrec import ImplicitModelTrainer  # noqa: E402
from openrec.data import load_demo_data  # noqa: E402
from openrec.recommenders import BPR  # noqa: E402
from openrec.utils import ImplicitDataset  # noqa: E402
from openrec.utils.evaluators import AUC, Recall  # noqa: E402
from openrec.utils.samplers import PairwiseSampler  # noqa: E402


def main(num_itr=2001, display_itr=500, batch_size=500):
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
    print('\nheld-out results after %d iterations: AUC %.4f, Recall@10 %.4f, Recall@50 %.4f'
          % (num_itr - 1, final['AUC'], final['Recall'][0], final['Recall'][1]))
    return final


if __name__ == '__main__':
    main()

"""Legacy workflows end to end: sampler + recommender + trainer + evaluators."""
import numpy as np

from openrec import ImplicitModelTrainer, ItrMLPModelTrainer
from openrec.data import load_demo_data
from openrec.recommenders import BPR, ItrMLP
from openrec.utils import Dataset, ImplicitDataset
from openrec.utils.evaluators import AUC, MSE, Recall
from openrec.utils.samplers import ExplicitSampler, PairwiseSampler


def test_bpr_training_beats_random_on_generated_data(capsys):
    train, test, max_user, max_item = load_demo_data()
    train_dataset = ImplicitDataset(train, max_user, max_item, name='Train')
    test_dataset = ImplicitDataset(test, max_user, max_item, name='Test')
    model = BPR(batch_size=500, max_user=max_user, max_item=max_item, dim_embed=16,
                l2_reg=1e-4, opt='Adam')
    sampler = PairwiseSampler(batch_size=500, dataset=train_dataset, num_process=1, seed=1)
    trainer = ImplicitModelTrainer(batch_size=500, test_batch_size=200,
                                   train_dataset=train_dataset, model=model, sampler=sampler)
    results = trainer.train(num_itr=401, display_itr=200, eval_datasets=[test_dataset],
                            evaluators=[AUC(), Recall(recall_at=[50])])
    out = capsys.readouterr().out
    assert '== Start training with FULL evaluation ==' in out
    assert '[Itr 200] loss:' in out and '[Itr 400] loss:' in out
    assert '..(dataset: Test) AUC' in out
    auc, recall = results['Test']['AUC'], results['Test']['Recall'][0]
    # random scores give AUC 0.5 and Recall@50 about 50/400
    assert auc > 0.75, auc
    assert recall > 0.4, recall


def test_itr_mlp_with_explicit_sampler_updates_embeddings(monkeypatch, capsys):
    rng = np.random.RandomState(0)
    n_users, n_items, dim = 60, 15, 4
    rows = np.array([(u, i, float(rng.rand() > 0.5)) for u in range(n_users)
                     for i in rng.choice(n_items, 3, replace=False)],
                    dtype=[('user_id', np.int32), ('item_id', np.int32), ('label', np.float32)])
    monkeypatch.setattr(ItrMLP, '_pretrain_steps', 20, raising=False)
    model = ItrMLP(batch_size=10, dim_embed=dim, max_user=n_users, max_item=n_items,
                   pretrained_user_embeddings=rng.rand(n_users, dim).astype(np.float32),
                   pretrained_item_embeddings=rng.rand(n_items, dim).astype(np.float32),
                   user_dims=[6, dim], item_dims=[6, dim], test_batch_size=10)
    user_table = model._get_module('user_vec')._embedding
    before = model.sess.run(user_table)
    dataset = Dataset(rows, n_users, n_items)
    # chronological: batch k holds rows 10k .. 10k+9, so the touched users are known
    sampler = ExplicitSampler(dataset, batch_size=10, chronological=True)
    trainer = ItrMLPModelTrainer(batch_size=10, test_batch_size=10, train_dataset=dataset,
                                 model=model, sampler=sampler)
    trainer.train(num_itr=6, display_itr=5, update_itr=5,
                  eval_datasets=[Dataset(rows[:10], n_users, n_items, name='Head')],
                  evaluators=[MSE()])
    out = capsys.readouterr().out
    assert '[Itr 5] loss:' in out and 'mse:' in out
    assert '..(dataset: Head) MSE' in out
    after = model.sess.run(user_table)
    changed = np.any(after != before, axis=1)
    # update_embeddings at itr 5 rewrote exactly the users of the six batches trained
    # (rows 0..59, users 0..19) and of the evaluation (a subset of them)
    np.testing.assert_array_equal(changed, np.arange(n_users) < 20)

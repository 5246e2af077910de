"""PMF on citeulike through ModelTrainer (OpenRec 0.3.0's tf1_examples/pmf_citeulike.py).

Trains on stratified pointwise batches (20% positives), evaluates AUC and Recall@10..100
on the validation and test users every eval_iter iterations, and saves the model in
pmf_recommender/. Usage:
python pmf_citeulike.py [--data DIR] [--total_iter N] [--eval_iter N] ...
"""
from openrec import ModelTrainer
from openrec.tf1.utils import Dataset
from openrec.tf1.recommenders import PMF
from openrec.tf1.utils.evaluators import AUC, Recall
from openrec.tf1.utils.samplers import StratifiedPointwiseSampler
from openrec.tf1.utils.samplers import EvaluationSampler
import dataloader

args = dataloader.settings(__doc__, total_iter=100000, eval_iter=10000, batch_size=1000,
                           dim_embed=50, num_negatives=500)
raw_data = dataloader.load_citeulike(args.data)
dim_embed = args.dim_embed
total_iter = args.total_iter
batch_size = args.batch_size
eval_iter = args.eval_iter
save_iter = eval_iter
total_users = raw_data['total_users']
total_items = raw_data['total_items']

train_dataset = Dataset(raw_data['train_data'], total_users, total_items, name='Train')
val_dataset = Dataset(raw_data['val_data'], total_users, total_items, name='Val',
                      num_negatives=args.num_negatives)
test_dataset = Dataset(raw_data['test_data'], total_users, total_items, name='Test',
                       num_negatives=args.num_negatives)

train_sampler = StratifiedPointwiseSampler(pos_ratio=0.2, batch_size=batch_size,
                                           dataset=train_dataset, num_process=5)
val_sampler = EvaluationSampler(batch_size=batch_size, dataset=val_dataset)
test_sampler = EvaluationSampler(batch_size=batch_size, dataset=test_dataset)

pmf_model = PMF(batch_size=batch_size, total_users=train_dataset.total_users(),
                total_items=train_dataset.total_items(), dim_user_embed=dim_embed,
                dim_item_embed=dim_embed, save_model_dir='pmf_recommender/', train=True, serve=True)

model_trainer = ModelTrainer(model=pmf_model)

auc_evaluator = AUC()
recall_evaluator = Recall(recall_at=[10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
model_trainer.train(total_iter=total_iter, eval_iter=eval_iter, save_iter=save_iter,
                    train_sampler=train_sampler, eval_samplers=[val_sampler, test_sampler],
                    evaluators=[auc_evaluator, recall_evaluator])

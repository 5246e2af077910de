"""BPR on citeulike through ModelTrainer (OpenRec 0.3.0's tf1_examples/bpr_citeulike.py).

Evaluates AUC on the validation and test users every eval_iter iterations, and saves
the model in bpr_recommender/. Usage:
python bpr_citeulike.py [--data DIR] [--total_iter N] [--eval_iter N] ...
"""
from openrec import ModelTrainer
from openrec.tf1.utils import Dataset
from openrec.tf1.recommenders import BPR
from openrec.tf1.utils.evaluators import AUC
from openrec.tf1.utils.samplers import RandomPairwiseSampler
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

train_sampler = RandomPairwiseSampler(batch_size=batch_size, dataset=train_dataset, num_process=5)
val_sampler = EvaluationSampler(batch_size=batch_size, dataset=val_dataset)
test_sampler = EvaluationSampler(batch_size=batch_size, dataset=test_dataset)

bpr_model = BPR(batch_size=batch_size, total_users=train_dataset.total_users(),
                total_items=train_dataset.total_items(), dim_user_embed=dim_embed,
                dim_item_embed=dim_embed, save_model_dir='bpr_recommender/', train=True, serve=True)

model_trainer = ModelTrainer(model=bpr_model)

auc_evaluator = AUC()
model_trainer.train(total_iter=total_iter, eval_iter=eval_iter, save_iter=save_iter,
                    train_sampler=train_sampler, eval_samplers=[val_sampler, test_sampler],
                    evaluators=[auc_evaluator])

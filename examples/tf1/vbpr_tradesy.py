"""VBPR on tradesy, served by FastDotProductServer (OpenRec 0.3.0's tf1_examples/vbpr_tradesy.py).

Items carry visual features; after each training phase the server extracts every user
and item vector once and scores the evaluation pairs from those caches. Evaluates AUC
and Recall@10..100 on the validation and test users every eval_iter iterations and
saves the model in vbpr_recommender/. Without --data it runs on the demo data with
item features computed from it. Usage:
python vbpr_tradesy.py [--data DIR] [--total_iter N] [--eval_iter N] ...
"""
from openrec import ModelTrainer
from openrec.tf1.utils import Dataset
from openrec.tf1.recommenders import VBPR
from openrec.tf1.utils.evaluators import AUC, Recall
from openrec.tf1.utils.samplers import VBPRPairwiseSampler, EvaluationSampler
from openrec import FastDotProductServer
import dataloader

args = dataloader.settings(__doc__, total_iter=100000, eval_iter=100, batch_size=10000,
                           num_negatives=1000)
raw_data = dataloader.load_tradesy(args.data)
batch_size = args.batch_size
total_iter = args.total_iter
eval_iter = args.eval_iter
save_iter = eval_iter
total_users = raw_data['total_users']
total_items = raw_data['total_items']
item_features = raw_data['item_features']

train_dataset = Dataset(raw_data['train_data'], total_users, total_items, name='Train')
val_dataset = Dataset(raw_data['val_data'], total_users, total_items, name='Val',
                      num_negatives=args.num_negatives)
test_dataset = Dataset(raw_data['test_data'], total_users, total_items, name='Test',
                       num_negatives=args.num_negatives)

train_sampler = VBPRPairwiseSampler(batch_size=batch_size, dataset=train_dataset,
                                    item_vfeature=item_features, num_process=5)
val_sampler = EvaluationSampler(batch_size=batch_size, dataset=val_dataset)
test_sampler = EvaluationSampler(batch_size=batch_size, dataset=test_dataset)

model = VBPR(batch_size=batch_size, dim_v=item_features.shape[1],
             total_users=train_dataset.total_users(), total_items=train_dataset.total_items(),
             dim_user_embed=50, dim_item_embed=25,
             save_model_dir='vbpr_recommender/', l2_reg_embed=0.001, l2_reg_mlp=0.001,
             train=True, serve=True)


def extract_user_lf_func(model, user_id):
    return model.serve_inspect_ports({'user_id': user_id},
                                     ports=[model.servegraph.usergraph['user_vec']])[0]


def extract_item_lf_func(model, item_id):
    return model.serve_inspect_ports({'item_id': item_id, 'item_vfeature': item_features[item_id]},
                                     ports=[model.servegraph.interactiongraph['item_vec']])[0]


def extract_item_bias_func(model, item_id):
    return model.serve_inspect_ports({'item_id': item_id, 'item_vfeature': item_features[item_id]},
                                     ports=[model.servegraph.interactiongraph['item_bias']])[0]


fastmodel = FastDotProductServer(model=model, batch_size=batch_size, dim_embed=50,
                                 total_users=train_dataset.total_users(),
                                 total_items=train_dataset.total_items(),
                                 extract_user_lf_func=extract_user_lf_func,
                                 extract_item_lf_func=extract_item_lf_func,
                                 extract_item_bias_func=extract_item_bias_func)

model_trainer = ModelTrainer(model=fastmodel)

auc_evaluator = AUC()
recall_evaluator = Recall(recall_at=[10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
model_trainer.train(total_iter=total_iter, eval_iter=eval_iter, save_iter=save_iter,
                    train_sampler=train_sampler, eval_samplers=[val_sampler, test_sampler],
                    evaluators=[auc_evaluator, recall_evaluator])

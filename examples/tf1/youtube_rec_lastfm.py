"""YouTubeRec on lastfm with user features (OpenRec 0.3.0's tf1_examples/youtube_rec_lastfm.py).

As vanilla_youtube_rec_lastfm.py, with each user's gender and geography embedded into
the MLP's input (user_feature). Evaluates AUC and Recall@100..500 of every test user's
next item among all items every eval_iter iterations, and saves the model in
youtube_recommender/. Without --data the histories and user features are generated
(openrec.data.make_sequence_data), sized by --num_users and --num_items. Usage:
python youtube_rec_lastfm.py [--data DIR] [--total_iter N] [--eval_iter N] ...
"""
from openrec import ModelTrainer
from openrec.tf1.utils import Dataset
from openrec.tf1.recommenders import YouTubeRec
from openrec.tf1.utils.evaluators import AUC, Recall
from openrec.tf1.utils.samplers import YouTubeSampler, YouTubeEvaluationSampler
import dataloader

args = dataloader.settings(__doc__, total_iter=100000, eval_iter=100, batch_size=100,
                           max_seq_len=20, num_users=dataloader.LASTFM_USERS,
                           num_items=dataloader.LASTFM_ITEMS)
raw_data = dataloader.load_lastfm(args.data, num_users=args.num_users, num_items=args.num_items)
total_users = raw_data['total_users']
total_items = raw_data['total_items']
train_data = raw_data['train_data']
test_data = raw_data['test_data']
user_feature = raw_data['user_feature']

max_seq_len = args.max_seq_len
batch_size = args.batch_size
total_iter = args.total_iter
eval_iter = args.eval_iter
save_iter = eval_iter

train_dataset = Dataset(train_data, total_users, total_items, sortby='ts', name='Train')
test_dataset = Dataset(test_data, total_users, total_items, sortby='ts', name='Test')

train_sampler = YouTubeSampler(user_feature=user_feature, batch_size=batch_size,
                               max_seq_len=max_seq_len, dataset=train_dataset, num_process=1)
test_sampler = YouTubeEvaluationSampler(user_feature=user_feature, dataset=test_dataset,
                                        max_seq_len=max_seq_len)

model = YouTubeRec(batch_size=batch_size, user_dict={'gender': 3, 'geo': 67},
                   item_dict={'id': total_items}, max_seq_len=max_seq_len,
                   dim_item_embed={'total': 50, 'id': 50},
                   dim_user_embed={'total': 30, 'geo': 20, 'gender': 10},
                   save_model_dir='youtube_recommender/', train=True, serve=True)

model_trainer = ModelTrainer(model=model)

auc_evaluator = AUC()
recall_evaluator = Recall(recall_at=[100, 200, 300, 400, 500])
model_trainer.train(total_iter=total_iter, eval_iter=eval_iter, save_iter=save_iter,
                    train_sampler=train_sampler, eval_samplers=[test_sampler],
                    evaluators=[auc_evaluator, recall_evaluator])

"""``make demo``: train matrix factorisation built from openrec modules on the demo data.

Two LatentFactor tables (users, items) and an item-bias table score ``u . v + b``;
the BPR loss ``-sum(log sigmoid(s(u, p) - s(u, n)))`` is minimised with Adam on
batches of (user, positive, sampled negative) triples, with a tqdm bar showing the
loss. At the end the held-out AUC is printed. Run ``python -m openrec.demo``.
"""
import numpy as np
import tensorflow.compat.v1 as tf
from tqdm import tqdm

from openrec.data import load_demo_data
from openrec.modules.extractions import LatentFactor


def heldout_auc(scores, train, test):
    """Mean per-user AUC of held-out items against items the user never interacted with."""
    seen = np.zeros(scores.shape, bool)
    seen[train['user_id'], train['item_id']] = True
    aucs = []
    for user in np.unique(test['user_id']):
        positives = test['item_id'][test['user_id'] == user]
        negatives = ~seen[user]
        negatives[positives] = False
        neg_scores = np.sort(scores[user, negatives])
        below = np.searchsorted(neg_scores, scores[user, positives], side='left')
        aucs.append(np.mean(below / float(len(neg_scores))))
    return float(np.mean(aucs))


def main(steps=2000, batch_size=256, dim=16, seed=0):
    train, test, max_user, max_item = load_demo_data()
    rng = np.random.RandomState(seed)
    with tf.Graph().as_default():
        tf.set_random_seed(seed)
        user_id = tf.placeholder(tf.int32, [None])
        p_item_id = tf.placeholder(tf.int32, [None])
        n_item_id = tf.placeholder(tf.int32, [None])
        user = LatentFactor([max_user, dim], ids=user_id, l2_reg=1e-4, scope='user')
        p_item = LatentFactor([max_item, dim], ids=p_item_id, l2_reg=1e-4, scope='item')
        n_item = LatentFactor([max_item, dim], ids=n_item_id, l2_reg=1e-4, scope='item', reuse=True)
        p_bias = LatentFactor([max_item, 1], init='zero', ids=p_item_id, scope='item_bias')
        n_bias = LatentFactor([max_item, 1], init='zero', ids=n_item_id, scope='item_bias', reuse=True)
        u = user.get_outputs()[0]
        x = (tf.reduce_sum(u * (p_item.get_outputs()[0] - n_item.get_outputs()[0]), 1)
             + tf.reshape(p_bias.get_outputs()[0] - n_bias.get_outputs()[0], [-1]))
        loss = (-tf.reduce_sum(tf.log_sigmoid(x)) + user.get_loss() + p_item.get_loss()
                + n_item.get_loss())
        train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
        all_items = LatentFactor([max_item, dim], scope='item', reuse=True).get_outputs()[0]
        all_bias = LatentFactor([max_item, 1], scope='item_bias', reuse=True).get_outputs()[0]
        all_users = LatentFactor([max_user, dim], scope='user', reuse=True).get_outputs()[0]
        scores = tf.matmul(all_users, all_items, transpose_b=True) + tf.transpose(all_bias)

        seen = np.zeros((max_user, max_item), bool)
        seen[train['user_id'], train['item_id']] = True
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print('held-out AUC before training: %.4f'
                  % heldout_auc(sess.run(scores), train, test))
            bar = tqdm(range(steps), desc='training MF (BPR loss)')
            for _ in bar:
                rows = train[rng.randint(len(train), size=batch_size)]
                negatives = rng.randint(max_item, size=batch_size)
                clash = seen[rows['user_id'], negatives]
                while clash.any():
                    negatives[clash] = rng.randint(max_item, size=int(clash.sum()))
                    clash = seen[rows['user_id'], negatives]
                _, value = sess.run([train_op, loss], {user_id: rows['user_id'],
                                                       p_item_id: rows['item_id'],
                                                       n_item_id: negatives})
                bar.set_postfix(loss='%.2f' % (value / batch_size))
            auc = heldout_auc(sess.run(scores), train, test)
    print('held-out AUC after training: %.4f' % auc)
    return auc


if __name__ == '__main__':
    main()

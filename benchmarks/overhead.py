"""Step-time overhead of openrec's BPR over the same graph written by hand.

``openrec.recommenders.BPR`` (LatentFactor x5, PairwiseLog, SGD) is compared with a
hand-written ``tf.compat.v1`` graph (``tf.get_variable``, ``tf.nn.embedding_lookup``,
the same loss and optimizer). Both start from the same variable values; the script
first checks that one step on the same batch gives the same loss and the same updated
tables, then times training steps in short interleaved rounds and prints the median of
the per-round step-time ratios openrec / hand (goal: <= 1.02).

Two openrec figures are printed: ``BPR.train(batch)`` (the public API, including the
Python feed mapping) and a raw ``sess.run`` of BPR's train op and loss (the graph only).

Run: ``python benchmarks/overhead.py [--rounds 120] [--steps 25] [--tf1]``.
"""
import argparse
import os
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

from openrec.recommenders import BPR  # noqa: E402

BATCH, USERS, ITEMS, DIM, L2_REG, LR = 256, 50000, 20000, 32, 1e-4, 0.005


def hand_bpr():
    """BPR's training step with plain tf.compat.v1 ops, in a graph of its own."""
    graph = tf.Graph()
    with graph.as_default():
        user_id = tf.placeholder(tf.int32, [BATCH])
        p_item_id = tf.placeholder(tf.int32, [BATCH])
        n_item_id = tf.placeholder(tf.int32, [BATCH])
        normal = tf.truncated_normal_initializer(stddev=0.01)
        users = tf.get_variable('user/embedding', [USERS, DIM], initializer=normal)
        items = tf.get_variable('item/embedding', [ITEMS, DIM], initializer=normal)
        biases = tf.get_variable('item_bias/embedding', [ITEMS, 1],
                                 initializer=tf.zeros_initializer())
        u = tf.nn.embedding_lookup(users, user_id)
        p = tf.nn.embedding_lookup(items, p_item_id)
        n = tf.nn.embedding_lookup(items, n_item_id)
        bp = tf.nn.embedding_lookup(biases, p_item_id)
        bn = tf.nn.embedding_lookup(biases, n_item_id)
        x = (tf.reduce_sum(u * p, axis=1, keepdims=True) + bp
             - tf.reduce_sum(u * n, axis=1, keepdims=True) - bn)
        loss = (L2_REG * (tf.nn.l2_loss(u) + tf.nn.l2_loss(p) + tf.nn.l2_loss(bp)
                          + tf.nn.l2_loss(n) + tf.nn.l2_loss(bn))
                - tf.reduce_sum(tf.log(tf.sigmoid(tf.maximum(x, -30.0)))))
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
    tables = {'user/embedding': users, 'item/embedding': items, 'item_bias/embedding': biases}
    return sess, tables, (user_id, p_item_id, n_item_id), train_op, loss


def variables_by_name(graph):
    with graph.as_default():
        return {v.op.name: v for v in tf.global_variables()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rounds', type=int, default=120)
    parser.add_argument('--steps', type=int, default=25, help='steps per round and runner')
    parser.add_argument('--tf1', action='store_true',
                        help='call tf.compat.v1.disable_v2_behavior() (reference variables)')
    args = parser.parse_args()
    if args.tf1:
        tf.disable_v2_behavior()

    rng = np.random.RandomState(0)
    values = {'user/embedding': rng.normal(0, 0.1, (USERS, DIM)).astype(np.float32),
              'item/embedding': rng.normal(0, 0.1, (ITEMS, DIM)).astype(np.float32),
              'item_bias/embedding': rng.normal(0, 0.1, (ITEMS, 1)).astype(np.float32)}
    batches = []
    for _ in range(32):
        batch = np.zeros(BATCH, [('user_id_input', np.int32), ('p_item_id_input', np.int32),
                                 ('n_item_id_input', np.int32)])
        batch['user_id_input'] = rng.randint(USERS, size=BATCH)
        batch['p_item_id_input'] = rng.randint(ITEMS, size=BATCH)
        batch['n_item_id_input'] = rng.randint(ITEMS, size=BATCH)
        batches.append(batch)

    model = BPR(batch_size=BATCH, max_user=USERS, max_item=ITEMS, dim_embed=DIM, l2_reg=L2_REG,
                opt='SGD', lr=LR)
    ours = variables_by_name(model.graph)
    hand_sess, hand_tables, hand_inputs, hand_train, hand_loss = hand_bpr()
    for name, value in values.items():
        with model.graph.as_default():
            ours[name].load(value, model.sess)
        with hand_sess.graph.as_default():
            hand_tables[name].load(value, hand_sess)

    def hand_step(batch):
        return hand_sess.run([hand_train, hand_loss], dict(zip(hand_inputs, (
            batch['user_id_input'], batch['p_item_id_input'], batch['n_item_id_input']))))[1]

    graph_fetches = [model._train_op, model._loss]

    def graph_step(batch):
        return model.sess.run(graph_fetches, model._input_mappings(batch, train=True))[1]

    # same numbers: one step from the same values on the same batch
    loss_ours, loss_hand = model.train(batches[0]), hand_step(batches[0])
    np.testing.assert_allclose(loss_ours, loss_hand, rtol=1e-6)
    for name in values:
        np.testing.assert_allclose(model.sess.run(ours[name]), hand_sess.run(hand_tables[name]),
                                   rtol=1e-6, atol=1e-7)
    print('same loss for the same values and batch: openrec %.6f, hand %.6f; updated tables '
          'equal' % (loss_ours, loss_hand))

    runners = {'openrec BPR.train': model.train, 'openrec graph (sess.run)': graph_step,
               'hand': hand_step}
    for run in runners.values():  # warm-up
        for batch in batches:
            run(batch)
    # Short interleaved rounds in rotating order: a load change on the machine hits
    # neighbouring rounds of every runner alike, and the per-round ratios cancel it.
    names = list(runners)
    times = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names[r % 3:] + names[:r % 3]:
            run = runners[name]
            start = time.perf_counter()
            for step in range(args.steps):
                run(batches[(r + step) % len(batches)])
            times[name].append((time.perf_counter() - start) / args.steps)
    hand = np.array(times['hand'])
    print('BPR training step, batch %d, %d users x %d items x %d, SGD, %s variables; %d '
          'interleaved rounds of %d steps' % (BATCH, USERS, ITEMS, DIM,
                                              'reference' if args.tf1 else 'resource',
                                              args.rounds, args.steps))
    for name in names:
        print('  %-26s median %.3f ms/step' % (name, 1e3 * np.median(times[name])))
    for name in names[:2]:
        ratios = np.array(times[name]) / hand
        print('ratio %s / hand: median %.3f (quartiles %.3f, %.3f)' % (
            name, np.median(ratios), np.percentile(ratios, 25), np.percentile(ratios, 75)))
    model.sess.close()
    hand_sess.close()


if __name__ == '__main__':
    main()

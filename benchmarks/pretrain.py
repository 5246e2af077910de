"""Identity pretraining of TemporalLatentFactor: the original's feed loop vs openrec's.

Builds ``TemporalLatentFactor(shape=[1000, 20], mlp_dims=[30, 30, 20])``, then from the
same initial variable values runs the 20000 Adam steps twice: once as the original
did (one ``sess.run`` per step, feeding a fresh numpy batch) and once with
``pretrain_mlp_as_identity``. Prints both times, their ratio and the identity error
(mean absolute error of the serving-mode MLP on fresh uniform(-0.5, 0.5) rows) after
each. Usage: ``python benchmarks/pretrain.py [--steps N]``.
"""
import argparse
import os
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402
from tqdm import tqdm  # noqa: E402

from openrec.modules.extractions import MultiLayerFC, TemporalLatentFactor  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=20000)
    args = parser.parse_args()
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int32, [None])
        module = TemporalLatentFactor(shape=[1000, 20], mlp_dims=[30, 30, 20], ids=ids)
        probe = tf.placeholder(tf.float32, [None, 20])
        with tf.variable_scope(module._scope, reuse=True):
            served = MultiLayerFC(probe, [30, 30, 20], relu_out=True, batch_norm=True,
                                  train=False, scope=module._scope + '/MLP', reuse=True)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        start = sess.run(module._pretrain_state)
        rows = np.random.RandomState(1).uniform(-0.5, 0.5, (1000, 20)).astype(np.float32)

        def identity_error():
            return float(np.abs(sess.run(served.get_outputs()[0], {probe: rows}) - rows).mean())

        print('identity error before pretraining: %.5f' % identity_error())

        np.random.seed(0)
        began = time.perf_counter()
        for _ in tqdm(range(args.steps), desc='original feed loop'):
            batch = np.random.uniform(-0.5, 0.5, (32, 20))
            sess.run(module._pretrain_op, {module._pretrain_input: batch})
        feed_seconds = time.perf_counter() - began
        feed_error = identity_error()

        sess.run(module._pretrain_store, dict(zip(module._pretrain_feeds, start)))
        module._pretrain_steps = args.steps
        np.random.seed(0)
        began = time.perf_counter()
        module.pretrain_mlp_as_identity(sess)
        fast_seconds = time.perf_counter() - began
        fast_error = identity_error()

    print('steps: %d' % args.steps)
    print('original feed loop:       %.2f s, identity error %.5f' % (feed_seconds, feed_error))
    print('pretrain_mlp_as_identity: %.2f s, identity error %.5f' % (fast_seconds, fast_error))
    print('speed-up ratio: %.1fx (goal >= 5x)' % (feed_seconds / fast_seconds))


if __name__ == '__main__':
    main()

"""Identity pretraining of TemporalLatentFactor: the original's feed loop vs openrec's, cold.

Each measurement runs in a fresh process, which imports TensorFlow and openrec, builds
``TemporalLatentFactor(shape=[1000, 20], mlp_dims=[30, 30, 20])`` (the ItrMLP set-up),
initialises it (graph seed 0) and seeds numpy's global RNG with 0, then times one of:

* ``feed``: the original's loop, one ``sess.run`` of the module's Adam step per step,
  each feeding a fresh ``np.random.uniform(-0.5, 0.5, (32, 20))`` batch;
* ``call``: ``pretrain_mlp_as_identity(sess)``, the public call, from a cold start:
  its first session call compiles the XLA loop, and that time is included.

Both run the same 20000 steps on the same batches. The two kinds alternate, so load
changes on a shared machine hit both alike; every pair prints its ratio, the load
average and the identity error after pretraining (mean absolute error of the
serving-mode MLP on 1000 fresh uniform(-0.5, 0.5) rows), and the module's build time
(it includes tracing the compiled loop, which the call does not time).

Usage: ``python benchmarks/pretrain.py [--rounds 3] [--steps 20000]``.
"""
import argparse
import json
import os
import subprocess
import sys
import time

# Measure the openrec beside this script, not an installed one, here and in subprocesses.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ['PYTHONPATH'] = os.pathsep.join(filter(None, [ROOT, os.environ.get('PYTHONPATH')]))

import numpy as np  # noqa: E402

SHAPE, MLP_DIMS = [1000, 20], [30, 30, 20]


def case(kind, steps):
    """Build, initialise and pretrain in this (fresh) process; print a JSON result line."""
    began = time.perf_counter()
    import tensorflow.compat.v1 as tf
    from openrec.modules.extractions import MultiLayerFC, TemporalLatentFactor
    result = {'kind': kind, 'import_s': time.perf_counter() - began}
    with tf.Graph().as_default():
        tf.set_random_seed(0)  # both kinds start from the same weights
        began = time.perf_counter()
        module = TemporalLatentFactor(shape=SHAPE, mlp_dims=MLP_DIMS,
                                      ids=tf.placeholder(tf.int32, [None]))
        result['build_s'] = time.perf_counter() - began
        probe = tf.placeholder(tf.float32, [None, SHAPE[1]])
        with tf.variable_scope(module._scope, reuse=True):
            served = MultiLayerFC(probe, MLP_DIMS, relu_out=True, batch_norm=True, train=False,
                                  scope=module._scope + '/MLP', reuse=True).get_outputs()[0]
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        np.random.seed(0)
        began, cpu = time.perf_counter(), time.process_time()
        if kind == 'feed':
            for _ in range(steps):
                batch = np.random.uniform(-0.5, 0.5, (32, SHAPE[1]))
                sess.run(module._pretrain_op, {module._pretrain_input: batch})
        else:
            module._pretrain_steps = steps
            module.pretrain_mlp_as_identity(sess)
        result['seconds'] = time.perf_counter() - began
        result['cpu_seconds'] = time.process_time() - cpu
        rows = np.random.RandomState(1).uniform(-0.5, 0.5, (1000, SHAPE[1])).astype(np.float32)
        result['identity_error'] = float(np.abs(sess.run(served, {probe: rows}) - rows).mean())
    print(json.dumps(result))


def run_case(kind, steps):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', CUDA_VISIBLE_DEVICES='')
    out = subprocess.run([sys.executable, os.path.abspath(__file__), '--case', kind,
                          '--steps', str(steps)], env=env, capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        raise RuntimeError('%s failed:\n%s' % (kind, out.stderr[-3000:]))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--case', choices=['feed', 'call'], help=argparse.SUPPRESS)
    parser.add_argument('--steps', type=int, default=20000)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    if args.case:
        case(args.case, args.steps)
        return

    print('%d identity-pretraining steps, TemporalLatentFactor(shape=%s, mlp_dims=%s); each '
          'figure from a fresh process' % (args.steps, SHAPE, MLP_DIMS))
    print('%5s %10s %10s %7s %12s %12s %8s  %s' % (
        'round', 'feed s', 'call s', 'ratio', 'error feed', 'error call', 'build s',
        'load avg (1, 5 min)'))
    ratios = []
    for index in range(args.rounds):
        feed, call = run_case('feed', args.steps), run_case('call', args.steps)
        ratios.append(feed['seconds'] / call['seconds'])
        print('%5d %10.2f %10.2f %6.1fx %12.5f %12.5f %8.2f  %.2f, %.2f' % (
            index + 1, feed['seconds'], call['seconds'], ratios[-1], feed['identity_error'],
            call['identity_error'], call['build_s'], *os.getloadavg()[:2]), flush=True)
    print('speed-up of pretrain_mlp_as_identity over the feed loop, cold: median %.1fx, '
          'lowest %.1fx (goal >= 10x)' % (float(np.median(ratios)), min(ratios)))
    print('machine: %d cores; openrec from %s' % (os.cpu_count(), ROOT))


if __name__ == '__main__':
    main()

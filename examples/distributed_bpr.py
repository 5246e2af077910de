"""Train BPR on TensorFlow's distributed runtime: parameter servers and workers.

The BPR training graph is assembled from openrec modules with the BPR recommender's
scopes (``user``, ``item``, ``item_bias``, ``pairwise_log``), under
``tf.compat.v1.train.replica_device_setter``: the three tables are partitioned in as
many parts as there are parameter servers, and the parts are spread over them. Each
worker trains asynchronously on its own batches from a ``PairwiseSampler`` through a
``MonitoredTrainingSession``; the chief (worker 0) initialises the variables and
writes the checkpoints. The checkpoint restores into the single-process
``openrec.recommenders.BPR`` for serving (partitioned variables are saved under their
full names with slice information).

One command per process, started in any order, e.g. for 2 parameter servers and
2 workers::

    CLUSTER='ps=10.0.0.1:2222,10.0.0.2:2222;worker=10.0.0.3:2222,10.0.0.4:2222'
    python examples/distributed_bpr.py --job ps --task 0 --cluster "$CLUSTER"
    python examples/distributed_bpr.py --job ps --task 1 --cluster "$CLUSTER"
    python examples/distributed_bpr.py --job worker --task 0 --cluster "$CLUSTER" \\
        --steps 2000 --checkpoint-dir /shared/bpr
    python examples/distributed_bpr.py --job worker --task 1 --cluster "$CLUSTER" \\
        --steps 2000 --checkpoint-dir /shared/bpr

Parameter servers serve until they are killed. To try everything on one machine
(loopback, free ports, every process ended at the end)::

    python examples/distributed_bpr.py --local 2,2 --steps 500 --checkpoint-dir /tmp/bpr
"""
import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import tensorflow.compat.v1 as tf

from openrec.data import load_demo_data
from openrec.modules.extractions import LatentFactor
from openrec.modules.interactions import PairwiseLog
from openrec.utils import ImplicitDataset
from openrec.utils.samplers import PairwiseSampler

DEFAULT_LR = {'SGD': 0.005, 'Adam': 0.001}  # the BPR recommender's defaults


# ----------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------

INTERACTIONS = np.dtype([('user_id', np.int32), ('item_id', np.int32)])


def planted_data(max_user, max_item, per_user=20, groups=8, seed=0):
    """Implicit feedback with planted taste groups.

    User ``u`` belongs to group ``u % groups`` and interacts with ``per_user`` distinct
    items of that group (items ``i`` with ``i % groups == u % groups``), so a ranking
    model learns the groups quickly. Deterministic for a given ``seed``: every worker
    generates the same data.
    """
    rng = np.random.RandomState(seed)
    group_items = [np.arange(g, max_item, groups) for g in range(groups)]
    users, items = [], []
    for user in range(max_user):
        pool = group_items[user % groups]
        chosen = rng.choice(pool, size=min(per_user, len(pool) - 1), replace=False)
        users.append(np.full(len(chosen), user))
        items.append(chosen)
    data = np.zeros(sum(len(i) for i in items), dtype=INTERACTIONS)
    data['user_id'] = np.concatenate(users)
    data['item_id'] = np.concatenate(items)
    return data


def load_data(args):
    """``(interactions, max_user, max_item)`` for ``--data``."""
    if args.data == 'planted':
        return planted_data(args.users, args.items, seed=args.seed), args.users, args.items
    if args.data == 'demo':
        train, _, max_user, max_item = load_demo_data()
        return train, max_user, max_item
    with np.load(args.data) as stored:
        data = np.zeros(len(stored['user_id']), dtype=INTERACTIONS)
        data['user_id'] = stored['user_id']
        data['item_id'] = stored['item_id']
        sizes = [int(stored[key]) if key in stored else int(data[field].max()) + 1
                 for key, field in (('max_user', 'user_id'), ('max_item', 'item_id'))]
    return data, sizes[0], sizes[1]


# ----------------------------------------------------------------------------------
# graph
# ----------------------------------------------------------------------------------

def build_bpr(batch_size, max_user, max_item, dim_embed, l2_reg=None, partitions=1):
    """The BPR recommender's training graph, from openrec modules.

    Same placeholders, modules, scopes and loss as ``openrec.recommenders.BPR``; with
    ``partitions > 1`` the three tables are split row-wise into that many parts.

    Returns
    -------
    dict
        ``user_id``, ``p_item_id``, ``n_item_id`` (placeholders) and ``loss``.
    """
    user_id = tf.placeholder(tf.int32, [batch_size], name='user_id_train')
    p_item_id = tf.placeholder(tf.int32, [batch_size], name='p_item_id_train')
    n_item_id = tf.placeholder(tf.int32, [batch_size], name='n_item_id_train')
    partitioner = tf.fixed_size_partitioner(partitions) if partitions > 1 else None
    with tf.variable_scope(tf.get_variable_scope(), partitioner=partitioner):
        user = LatentFactor(init='normal', ids=user_id, shape=[max_user, dim_embed],
                            l2_reg=l2_reg, scope='user')
        p_item = LatentFactor(init='normal', ids=p_item_id, shape=[max_item, dim_embed],
                              l2_reg=l2_reg, scope='item')
        p_item_bias = LatentFactor(init='zero', ids=p_item_id, shape=[max_item, 1],
                                   l2_reg=l2_reg, scope='item_bias')
        n_item = LatentFactor(init='normal', ids=n_item_id, shape=[max_item, dim_embed],
                              l2_reg=l2_reg, scope='item', reuse=True)
        n_item_bias = LatentFactor(init='zero', ids=n_item_id, shape=[max_item, 1],
                                   l2_reg=l2_reg, scope='item_bias', reuse=True)
    interaction = PairwiseLog(user=user.get_outputs()[0], p_item=p_item.get_outputs()[0],
                              n_item=n_item.get_outputs()[0],
                              p_item_bias=p_item_bias.get_outputs()[0],
                              n_item_bias=n_item_bias.get_outputs()[0], train=True,
                              scope='pairwise_log')
    modules = [user, p_item, p_item_bias, n_item, n_item_bias, interaction]
    loss = tf.add_n([tf.convert_to_tensor(m.get_loss(), tf.float32) for m in modules])
    return {'user_id': user_id, 'p_item_id': p_item_id, 'n_item_id': n_item_id, 'loss': loss}


def optimizer(opt, lr):
    """The BPR recommender's optimizer choice."""
    lr = DEFAULT_LR[opt] if lr is None else lr
    if opt == 'SGD':
        return tf.train.GradientDescentOptimizer(lr)
    return tf.train.AdamOptimizer(learning_rate=lr)


# ----------------------------------------------------------------------------------
# processes
# ----------------------------------------------------------------------------------

def parse_cluster(text):
    """``'ps=h:p,h:p;worker=h:p,...'`` -> ``{'ps': [...], 'worker': [...]}``."""
    jobs = {}
    for part in text.split(';'):
        if not part.strip():
            continue
        name, _, hosts = part.partition('=')
        if not hosts:
            raise ValueError('--cluster: expected job=host:port,..., got %r' % part)
        jobs[name.strip()] = [h.strip() for h in hosts.split(',') if h.strip()]
    if not jobs.get('ps') or not jobs.get('worker'):
        raise ValueError('--cluster must list a ps and a worker job, got %r' % text)
    return jobs


def run_ps(cluster, task):
    server = tf.train.Server(cluster, job_name='ps', task_index=task)
    print('ps %d serving %s' % (task, cluster.task_address('ps', task)), flush=True)
    server.join()  # forever: parameter servers are ended by killing them


def wait_for_chief(target, config, poll_secs=0.2):
    """Return once the chief has initialised every variable.

    A non-chief ``MonitoredTrainingSession`` would check only every 30 seconds.
    """
    not_ready = tf.report_uninitialized_variables()
    with tf.Session(target, config=config) as sess:
        while len(sess.run(not_ready)):
            time.sleep(poll_secs)


def run_worker(cluster, task, args):
    data, max_user, max_item = load_data(args)
    num_ps = cluster.num_tasks('ps')
    chief = task == 0
    server = tf.train.Server(cluster, job_name='worker', task_index=task)
    # Only the parameter servers and this worker: the other workers may come and go.
    config = tf.ConfigProto(device_filters=['/job:ps', '/job:worker/task:%d' % task])
    with tf.Graph().as_default():
        device = tf.train.replica_device_setter(
            cluster=cluster, worker_device='/job:worker/task:%d' % task)
        with tf.device(device):
            global_step = tf.train.get_or_create_global_step()
            model = build_bpr(args.batch_size, max_user, max_item, args.dim, args.l2_reg,
                              partitions=num_ps)
            train_op = optimizer(args.opt, args.lr).minimize(model['loss'], global_step=global_step)
        if chief and args.placement_json:
            with open(args.placement_json, 'w') as out:
                json.dump({v.op.name: v.device for v in tf.global_variables()}, out, indent=1,
                          sort_keys=True)
        if not chief:
            wait_for_chief(server.target, config)
        sampler = PairwiseSampler(ImplicitDataset(data, max_user, max_item), args.batch_size,
                                  num_process=1, seed=args.seed + task)
        log = open(args.loss_log, 'a') if args.loss_log else sys.stdout
        hooks = [tf.train.StopAtStepHook(last_step=args.steps)]
        saving = {} if args.checkpoint_steps is None else {'save_checkpoint_steps':
                                                           args.checkpoint_steps}
        steps, start = 0, time.time()
        try:
            with tf.train.MonitoredTrainingSession(
                    master=server.target, is_chief=chief, checkpoint_dir=args.checkpoint_dir,
                    hooks=hooks, save_summaries_steps=None, save_summaries_secs=None,
                    log_step_count_steps=0, config=config, **saving) as sess:
                while not sess.should_stop():
                    batch = sampler.next_batch()
                    _, loss, step = sess.run(
                        [train_op, model['loss'], global_step],
                        {model['user_id']: batch['user_id_input'],
                         model['p_item_id']: batch['p_item_id_input'],
                         model['n_item_id']: batch['n_item_id_input']})
                    steps += 1
                    print('%d\t%d\t%d\t%.6f\t%.6f' % (task, steps, step, loss, time.time()),
                          file=log, flush=True)
        finally:
            sampler.close()
            if log is not sys.stdout:
                log.close()
    print('worker %d: %d steps in %.1f s' % (task, steps, time.time() - start), flush=True)


def free_ports(count):
    """``count`` distinct free TCP ports on 127.0.0.1."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(('127.0.0.1', 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextlib.contextmanager
def local_cluster(num_ps, num_workers, worker_args, workdir, env=None):
    """Run this script as ``num_ps`` parameter servers and ``num_workers`` workers on loopback.

    Yields ``(ps_processes, worker_processes)``; each process writes its output to
    ``<workdir>/<job><task>.out``. On exit every process still running is killed
    through its own PID and reaped.
    """
    ports = free_ports(num_ps + num_workers)
    hosts = ['127.0.0.1:%d' % p for p in ports]
    spec = 'ps=%s;worker=%s' % (','.join(hosts[:num_ps]), ','.join(hosts[num_ps:]))
    env = dict(os.environ if env is None else env)
    env.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    env['CUDA_VISIBLE_DEVICES'] = ''
    started = {'ps': [], 'worker': []}
    try:
        for job, count in (('ps', num_ps), ('worker', num_workers)):
            for task in range(count):
                with open(os.path.join(workdir, '%s%d.out' % (job, task)), 'w') as out:
                    command = [sys.executable, os.path.abspath(__file__), '--job', job,
                               '--task', str(task), '--cluster', spec]
                    if job == 'worker':
                        command += list(worker_args)
                    started[job].append(subprocess.Popen(command, stdout=out,
                                                         stderr=subprocess.STDOUT, env=env))
        yield started['ps'], started['worker']
    finally:
        for proc in started['ps'] + started['worker']:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_all(processes, names, workdir, timeout):
    """Wait for ``processes`` (output in ``<workdir>/<name>.out``) to exit 0 within
    ``timeout`` seconds in total; raise with the output's tail otherwise."""
    deadline = time.time() + timeout
    for name, proc in zip(names, processes):
        try:
            code = proc.wait(timeout=max(deadline - time.time(), 0.1))
        except subprocess.TimeoutExpired:
            code = None
        if code != 0:
            with open(os.path.join(workdir, name + '.out')) as out:
                tail = out.read()[-3000:]
            raise RuntimeError('%s %s; its output ends with:\n%s' % (
                name, 'timed out' if code is None else 'exited with %d' % code, tail))


# ----------------------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--job', choices=['ps', 'worker'])
    parser.add_argument('--task', type=int, default=0)
    parser.add_argument('--cluster', help="e.g. 'ps=h0:2222,h1:2222;worker=h2:2222,h3:2222'")
    parser.add_argument('--local', metavar='PS,WORKERS',
                        help='run a whole cluster on this machine (loopback, free ports)')
    parser.add_argument('--steps', type=int, default=1000, help='stop at this global step')
    parser.add_argument('--data', default='planted',
                        help="'planted' (generated taste groups), 'demo' (openrec's demo data) "
                             "or an .npz with user_id, item_id [, max_user, max_item] arrays")
    parser.add_argument('--users', type=int, default=10000, help='users of planted data')
    parser.add_argument('--items', type=int, default=5000, help='items of planted data')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--dim', type=int, default=32, help='embedding dimensionality')
    parser.add_argument('--l2-reg', type=float, default=None)
    parser.add_argument('--opt', choices=['SGD', 'Adam'], default='SGD')
    parser.add_argument('--lr', type=float, default=None,
                        help='learning rate (default 0.005 for SGD, 0.001 for Adam)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--checkpoint-dir', default=None, help='where the chief saves')
    parser.add_argument('--checkpoint-steps', type=int, default=None,
                        help='save every N global steps (default: every 10 minutes and at the end)')
    parser.add_argument('--loss-log', default=None,
                        help='append "task step global_step loss time" lines here (default stdout)')
    parser.add_argument('--placement-json', default=None,
                        help='the chief writes {variable: device} here')
    parser.add_argument('--tf1', action='store_true',
                        help='call tf.compat.v1.disable_v2_behavior() (reference variables)')
    parser.add_argument('--timeout', type=float, default=600, help='--local: seconds to wait')
    args = parser.parse_args(argv)
    if args.local is None and (args.job is None or args.cluster is None):
        parser.error('give --job and --cluster (or --local PS,WORKERS)')
    return args


def worker_command_line(argv):
    """``argv`` without ``--local``, ``--timeout`` and their values (for the workers)."""
    forwarded, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ('--local', '--timeout'):
            skip = True
        elif not arg.startswith(('--local=', '--timeout=')):
            forwarded.append(arg)
    return forwarded


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.local is not None:
        num_ps, num_workers = (int(n) for n in args.local.split(','))
        workdir = args.checkpoint_dir or '.'
        os.makedirs(workdir, exist_ok=True)
        with local_cluster(num_ps, num_workers, worker_command_line(argv), workdir) as (_, workers):
            wait_all(workers, ['worker%d' % t for t in range(num_workers)], workdir, args.timeout)
        print('done; latest checkpoint: %s' % tf.train.latest_checkpoint(workdir))
        return
    if args.tf1:
        tf.disable_v2_behavior()
    cluster = tf.train.ClusterSpec(parse_cluster(args.cluster))
    if args.job == 'ps':
        run_ps(cluster, args.task)
    else:
        run_worker(cluster, args.task, args)


if __name__ == '__main__':
    main()

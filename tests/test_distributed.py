"""BPR on TensorFlow's distributed runtime: 2 parameter servers and 2 workers on loopback.

The cluster runs once per test session (``examples/distributed_bpr.py`` as four
subprocesses, free ports, bounded waits, every process killed by its PID at the end);
the tests then check the workers' losses, where the table parts lived, and that the
chief's checkpoint serves from a single-process ``openrec.recommenders.BPR``.
"""
import importlib.util
import json
import math
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from conftest import V1_MODE
from openrec.recommenders import BPR

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       'examples', 'distributed_bpr.py')
USERS, ITEMS, DIM, BATCH, STEPS, GROUPS = 2000, 1000, 16, 256, 300, 8
PS_DEVICES = {'/job:ps/task:0', '/job:ps/task:1'}


def _load_example():
    spec = importlib.util.spec_from_file_location('distributed_bpr', EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _load_example()


@pytest.fixture(scope='module')
def cluster_run(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp('cluster'))
    # SGD, BPR's default optimizer: asynchronous Adam's sparse slot updates race between
    # workers (TF1's behaviour, not openrec's), which can blow the loss up in a few steps.
    args = ['--steps', str(STEPS), '--users', str(USERS), '--items', str(ITEMS),
            '--dim', str(DIM), '--batch-size', str(BATCH), '--opt', 'SGD', '--lr', '0.4',
            '--checkpoint-dir', workdir, '--loss-log', os.path.join(workdir, 'loss.tsv'),
            '--placement-json', os.path.join(workdir, 'placement.json')]
    if V1_MODE:
        args.append('--tf1')
    with example.local_cluster(2, 2, args, workdir) as (ps, workers):
        example.wait_all(workers, ['worker0', 'worker1'], workdir, timeout=100)
        servers_alive = [p.poll() is None for p in ps]
    assert servers_alive == [True, True]  # parameter servers serve until killed ...
    assert [p.returncode for p in ps + workers] == [-9, -9, 0, 0]  # ... and are reaped
    return workdir


def test_loss_falls(cluster_run):
    log = np.loadtxt(os.path.join(cluster_run, 'loss.tsv'))
    tasks, global_steps, losses = log[:, 0], log[:, 2], log[:, 3]
    assert set(tasks) == {0, 1}
    for task in (0, 1):  # each worker ran its share of the steps
        assert np.sum(tasks == task) > STEPS // 5
    # Every logged run incremented the shared step once, and the workers stop only once it
    # reaches STEPS. The step fetched alongside an asynchronous update may be read before that
    # update (or the other worker's) lands, so the largest logged value can fall short of it.
    assert len(global_steps) >= STEPS
    assert global_steps.max() >= STEPS - 20
    losses = losses[np.argsort(global_steps, kind='stable')]
    # tiny initial embeddings: every row starts at ln 2 (the first steps of the two
    # asynchronous workers may already see each other's updates, the very first cannot)
    assert np.min(np.abs(losses[:5] - BATCH * math.log(2))) < 2.0
    assert losses[-50:].mean() < 0.8 * losses[:50].mean()


def test_parameter_servers_share_the_tables(cluster_run):
    with open(os.path.join(cluster_run, 'placement.json')) as f:
        placement = json.load(f)
    for table in ('user/embedding', 'item/embedding', 'item_bias/embedding'):
        parts = {name: device for name, device in placement.items()
                 if name.startswith(table + '/part_') and '/Adam' not in name}
        assert sorted(parts) == [table + '/part_0', table + '/part_1']
        assert set(parts.values()) == PS_DEVICES
        assert table not in placement  # no unpartitioned copy
    assert placement['global_step'] in PS_DEVICES
    assert set(placement.values()) == PS_DEVICES  # nothing lives on the workers


def test_checkpoint_restores_into_single_process_bpr(cluster_run):
    prefix = tf.train.latest_checkpoint(cluster_run)
    assert prefix is not None
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    assert shapes['user/embedding'] == [USERS, DIM]
    assert shapes['item/embedding'] == [ITEMS, DIM]
    assert shapes['item_bias/embedding'] == [ITEMS, 1]
    assert reader.get_tensor('global_step') >= STEPS
    user, item, bias = (reader.get_tensor(name) for name in
                        ('user/embedding', 'item/embedding', 'item_bias/embedding'))
    assert np.abs(user).max() > 0.05  # trained, not the initial values

    model = BPR(batch_size=BATCH, max_user=USERS, max_item=ITEMS, dim_embed=DIM, opt='SGD')
    model.load(prefix)
    with model.graph.as_default():
        restored = {v.op.name: v for v in tf.global_variables()}
    np.testing.assert_array_equal(model.sess.run(restored['user/embedding']), user)
    np.testing.assert_array_equal(model.sess.run(restored['item_bias/embedding']), bias)

    users = np.arange(0, USERS, 37, dtype=np.int32)
    items = np.arange(ITEMS, dtype=np.int32)
    scores = model.serve({'user_id_input': users, 'item_id_input': items})
    np.testing.assert_allclose(scores, user[users] @ item.T + bias.T, rtol=1e-5, atol=1e-5)
    # the planted taste groups were learnt: a user's group items score higher
    same_group = (users[:, None] % GROUPS) == (items[None, :] % GROUPS)
    assert scores[same_group].mean() > scores[~same_group].mean() + 0.3


ARRAY_WORKER = '''
import json, sys
import numpy as np
import tensorflow.compat.v1 as tf
from openrec.modules.extractions import LookUp, TemporalLatentFactor
if sys.argv[2] == 'v1':
    tf.disable_v2_behavior()
hosts = sys.argv[1].split(',')
cluster = tf.train.ClusterSpec({'ps': hosts[:2], 'worker': hosts[2:]})
server = tf.train.Server(cluster, job_name='worker', task_index=0)
table = np.arange(40, dtype=np.float32).reshape(10, 4)
with tf.Graph().as_default():
    setter = tf.train.replica_device_setter(cluster=cluster, worker_device='/job:worker/task:0')
    with tf.device(setter), tf.variable_scope(tf.get_variable_scope(),
                                              partitioner=tf.fixed_size_partitioner(2)):
        lookup = LookUp(table, ids=tf.constant([0, 4, 5, 9]), scope='fixed')
        temporal = TemporalLatentFactor(shape=[10, 4], mlp_dims=[4], ids=tf.constant([1]),
                                        init=table * 2, scope='t')
    parts = {v.op.name: v.device for v in tf.global_variables() if '/part_' in v.op.name}
    with tf.Session(server.target) as sess:
        sess.run(tf.global_variables_initializer())
        print(json.dumps({'parts': parts, 'rows': sess.run(lookup.get_outputs()[0]).tolist(),
                          'temporal': sess.run(temporal._embedding.as_tensor()).tolist()}))
'''


def test_array_tables_initialise_across_processes(tmp_path):
    """Partitioned LookUp/TemporalLatentFactor tables on two parameter-server processes,
    initialised from the array held by the worker that built the graph."""
    hosts = ['127.0.0.1:%d' % p for p in example.free_ports(3)]
    spec = 'ps=%s;worker=%s' % (','.join(hosts[:2]), hosts[2])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', CUDA_VISIBLE_DEVICES='')
    processes = []
    try:
        for task in (0, 1):
            processes.append(subprocess.Popen(
                [sys.executable, EXAMPLE, '--job', 'ps', '--task', str(task), '--cluster', spec],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        worker = subprocess.Popen(
            [sys.executable, '-c', ARRAY_WORKER, ','.join(hosts), 'v1' if V1_MODE else 'v2'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        processes.append(worker)
        out, err = worker.communicate(timeout=60)
    finally:
        for proc in processes:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert worker.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    table = np.arange(40, dtype=np.float32).reshape(10, 4)
    assert result['parts'] == {'fixed/embedding/part_0': '/job:ps/task:0',
                               'fixed/embedding/part_1': '/job:ps/task:1',
                               't/embedding/part_0': '/job:ps/task:0',
                               't/embedding/part_1': '/job:ps/task:1',
                               't/flag/part_0': '/job:ps/task:0', 't/flag/part_1': '/job:ps/task:1'}
    np.testing.assert_array_equal(result['rows'], table[[0, 4, 5, 9]])
    np.testing.assert_array_equal(result['temporal'], table * 2)

"""The OpenRec 0.2 example scripts (``examples/tf1``) end to end, and that their models learn.

Short versions of all seven scripts run unchanged, as ``__main__``, one after the other
in one subprocess (one TensorFlow start-up; in the reference-variable mode the
subprocess calls ``disable_v2_behavior()`` first), on the shipped demo data and on
generated lastfm-style histories. Their printed lines are compared in full (numbers
masked), their checkpoints listed, and their final AUCs checked: BPR on the demo data's
taste groups and the YouTube models on the generated histories end far above chance
(0.5); RNNRec, trained longer, clearly above a scorer that knows only each user's taste
group, so it has learnt the planted item chains.
"""
import importlib.util
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples', 'tf1')
ANSI = re.compile(r'\x1b\[[0-9;]*m')
NUMBER = r'-?\d+(?:\.\d+)?(?:e[-+]?\d+)?'
SEPARATOR = '=== example: %s ==='

# BPR and the sequence models train long enough to learn (see LEARNS and
# test_rnn_rec_learns_the_item_chains); the others only show that they run
CITEULIKE = ['--total_iter', '100', '--eval_iter', '50', '--batch_size', '500']
CITEULIKE_SHORT = ['--total_iter', '20', '--eval_iter', '10', '--batch_size', '500']
LASTFM_DATA = ['--batch_size', '100', '--max_seq_len', '20', '--num_users', '300',
               '--num_items', '200']
LASTFM = ['--total_iter', '100', '--eval_iter', '50'] + LASTFM_DATA
LASTFM_LONG = ['--total_iter', '500', '--eval_iter', '250'] + LASTFM_DATA
# users evaluated in every pass: every demo user has a validation and a test item; every
# generated history has at least two test items
DEMO_USERS, GENERATED_USERS = 600, 300
# script: (arguments, checkpoint directory, {evaluation data set: users evaluated},
#          {metric: number of values})
RUNS = {
    'bpr_citeulike': (CITEULIKE, 'bpr_recommender', {'Val': DEMO_USERS, 'Test': DEMO_USERS},
                      {'AUC': 1}),
    'pmf_citeulike': (CITEULIKE_SHORT, 'pmf_recommender', {'Val': DEMO_USERS, 'Test': DEMO_USERS},
                      {'AUC': 1, 'Recall': 10}),
    'ucml_citeulike': (CITEULIKE_SHORT, 'ucml_recommender', {'Val': DEMO_USERS, 'Test': DEMO_USERS},
                       {'AUC': 1}),
    'vbpr_tradesy': (CITEULIKE_SHORT, 'vbpr_recommender', {'Val': DEMO_USERS, 'Test': DEMO_USERS},
                     {'AUC': 1, 'Recall': 10}),
    'rnn_rec_lastfm': (LASTFM_LONG, 'rnn_recommender', {'Test': GENERATED_USERS},
                       {'AUC': 1, 'Recall': 2}),
    'vanilla_youtube_rec_lastfm': (LASTFM, 'vanilla_youtube_recommender',
                                   {'Test': GENERATED_USERS}, {'AUC': 1, 'Recall': 5}),
    'youtube_rec_lastfm': (LASTFM, 'youtube_recommender', {'Test': GENERATED_USERS},
                           {'AUC': 1, 'Recall': 5}),
}
# Final test AUC. Chance is 0.5; after these short runs BPR reaches about 0.8 and the
# YouTube models about 0.85, so 0.7 leaves a wide margin. That is no more than the taste
# groups give (a scorer knowing only each user's group reaches 0.877, see
# test_rnn_rec_learns_the_item_chains): these models see the history as a bag of items and
# are not shown to learn the chains; RNNRec is.
LEARNS = {'bpr_citeulike': 0.7, 'vanilla_youtube_rec_lastfm': 0.7, 'youtube_rec_lastfm': 0.7}

DRIVER = '''
import json, os, runpy, sys
if os.environ.get('OPENREC_TEST_GRAPH_MODE') == 'v1':
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
examples, runs = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, examples)
for script, argv in runs:
    print(%r %% script, flush=True)
    path = os.path.join(examples, script + '.py')
    sys.argv = [path] + argv
    runpy.run_path(path, run_name='__main__')
''' % SEPARATOR


def _run_scripts(cwd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               TF_CPP_MIN_LOG_LEVEL='2')
    for name in ('NO_COLOR', 'ANSI_COLORS_DISABLED'):
        env.pop(name, None)
    runs = [(script, args) for script, (args, _, _, _) in RUNS.items()]
    done = subprocess.run([sys.executable, '-c', DRIVER, EXAMPLES, json.dumps(runs)], cwd=str(cwd),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope='module')
def outputs(tmp_path_factory):
    """Run every script once; ``({script: its stdout}, working directory)``."""
    cwd = tmp_path_factory.mktemp('examples')
    stdout = _run_scripts(cwd)
    parts = re.split('^' + re.escape(SEPARATOR).replace('%s', '(\\w+)') + '\n', stdout, flags=re.M)
    assert parts[0] == ''
    return dict(zip(parts[1::2], parts[2::2])), cwd


def _option(args, name):
    return int(args[args.index('--' + name) + 1])


def _lines(stdout):
    """Printed lines without colour codes, split at ``\\r`` too, blank ones dropped."""
    return [line for line in re.split('[\r\n]', ANSI.sub('', stdout)) if line.strip()]


def _expected(script):
    """The lines a run prints, numbers as ``NUMBER`` patterns, progress lines left out."""
    args, _, datasets, metrics = RUNS[script]
    total_iter, eval_iter = _option(args, 'total_iter'), _option(args, 'eval_iter')
    lines = ['[Training starts, total_iter: %d, eval_iter: %d, save_iter: %d]'
             % (total_iter, eval_iter, eval_iter)]
    for step in range(eval_iter, total_iter + 1, eval_iter):
        lines += ['[iter %d] Model saved.' % step, '[iter %d] loss: %s' % (step, NUMBER)]
        for name in datasets:
            lines.append('..(dataset: %s) evaluation' % name)
            lines += ['..(dataset: %s) %s %s' % (name, metric, ' '.join([NUMBER] * count))
                      for metric, count in metrics.items()]
    return lines


def _metric(lines, dataset, metric):
    """Values of the last ``..(dataset: <dataset>) <metric> ...`` line."""
    prefix = '..(dataset: %s) %s ' % (dataset, metric)
    last = [line for line in lines if line.startswith(prefix)][-1]
    return [float(x) for x in last[len(prefix):].split()]


@pytest.mark.parametrize('script', sorted(RUNS))
def test_script_prints_the_trainer_lines(outputs, script):
    stdout = outputs[0][script]
    lines = _lines(stdout)
    progress = [line for line in lines if line.startswith(('..Trained for ', '...Evaluated '))]
    printed = [line for line in lines if line not in progress]
    expected = _expected(script)
    assert len(printed) == len(expected), printed
    for line, pattern in zip(printed, expected):
        regex = re.escape(pattern).replace(re.escape(NUMBER), NUMBER)
        assert re.fullmatch(regex, line), (line, pattern)

    args, _, datasets, metrics = RUNS[script]
    total_iter = _option(args, 'total_iter')
    assert progress[0] == '..Trained for 0 iterations.'
    assert '..Trained for %d iterations.' % (total_iter - 1) in progress
    # the last counter of each evaluation, just before its first metric line
    finished = [line for line, after in zip(lines, lines[1:])
                if line.startswith('...Evaluated ') and after.startswith('..(dataset:')]
    evaluations = total_iter // _option(args, 'eval_iter')
    assert finished == ['...Evaluated %d users' % n for n in datasets.values()] * evaluations
    # autorec's contract: the last token of the last stdout line is the last metric
    last_metric = list(metrics)[-1]
    assert stdout.endswith('\n')
    last_line = ANSI.sub('', stdout).split('\n')[-2]
    assert last_line.startswith('..(dataset: %s) %s ' % (list(datasets)[-1], last_metric))
    for name in datasets:
        auc, = _metric(lines, name, 'AUC')
        assert 0 <= auc <= 1
        if 'Recall' in metrics:
            recall = _metric(lines, name, 'Recall')
            assert all(0 <= r <= 1 for r in recall) and recall == sorted(recall)


@pytest.mark.parametrize('script', sorted(RUNS))
def test_script_saves_checkpoints(outputs, script):
    args, directory, _, _ = RUNS[script]
    files = set(os.listdir(os.path.join(str(outputs[1]), directory)))
    eval_iter = _option(args, 'eval_iter')
    steps = range(eval_iter, _option(args, 'total_iter') + 1, eval_iter)
    assert {'model.ckpt-%d.index' % step for step in steps} | {'checkpoint'} <= files
    # the train-to-serve copy of the first evaluation
    assert 'model.ckpt.index' in files


@pytest.mark.parametrize('script', sorted(LEARNS))
def test_model_learns(outputs, script):
    """Demo taste groups (BPR) and the generated users' tastes (YouTube models) are learnt."""
    auc, = _metric(_lines(outputs[0][script]), 'Test', 'AUC')
    assert auc > LEARNS[script], auc


# openrec.data.make_sequence_data's defaults, kept by dataloader.load_lastfm
CHAIN_LEN, NUM_GROUPS = 10, 4


def test_rnn_rec_learns_the_item_chains(outputs, dataloader):
    """RNNRec's test AUC is clearly above that of a scorer knowing only each user's taste group.

    The generator deals chains of CHAIN_LEN consecutive item ids to the NUM_GROUPS taste
    groups in turn; a user (group ``user_geo % NUM_GROUPS``) walks chains of the group.
    The group-only scorer ranks the items of the user's group (a quarter of the 200) above
    the others, ties in a seeded random order: each evaluated next item is in the group,
    so its AUC is about (150 + 49 / 2) / 199 = 0.877. Beyond that, the model must know
    which items follow the history: the chains.
    """
    args = RUNS['rnn_rec_lastfm'][0]
    data = dataloader.load_lastfm(num_users=_option(args, 'num_users'),
                                  num_items=_option(args, 'num_items'))
    total_items, geo = data['total_items'], data['user_feature']['user_geo']
    item_group = np.arange(total_items) // CHAIN_LEN % NUM_GROUPS
    train = data['train_data']
    assert np.mean(item_group[train['item_id']] == geo[train['user_id']] % NUM_GROUPS) > 0.9
    # TemporalEvaluationSampler ranks each user's newest test item among all items
    test = np.sort(data['test_data'], order=['user_id', 'ts'])
    newest = np.r_[test['user_id'][1:] != test['user_id'][:-1], True]
    users, positives = test['user_id'][newest], test['item_id'][newest]
    rng = np.random.RandomState(0)
    scores = ((item_group == geo[users][:, None] % NUM_GROUPS)
              + 0.5 * rng.rand(len(users), total_items))
    above = np.sum(scores > scores[np.arange(len(users)), positives][:, None], axis=1)
    baseline = np.mean(1 - above / (total_items - 1.0))
    assert len(users) == GENERATED_USERS and 0.86 < baseline < 0.89, baseline
    assert np.all(item_group[positives] == geo[users] % NUM_GROUPS)

    auc, = _metric(_lines(outputs[0]['rnn_rec_lastfm']), 'Test', 'AUC')
    assert auc > 0.93, (auc, baseline)


# --- dataloader ---------------------------------------------------------------------

@pytest.fixture(scope='module')
def dataloader():
    spec = importlib.util.spec_from_file_location('tf1_examples_dataloader',
                                                  os.path.join(EXAMPLES, 'dataloader.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pairs(rows):
    return sorted(zip(rows['user_id'].tolist(), rows['item_id'].tolist()))


def _per_user(rows, total_users):
    return np.bincount(rows['user_id'], minlength=total_users)


def test_citeulike_demo_split(dataloader):
    from openrec.data import load_demo_data
    train, held_out, total_users, total_items = load_demo_data()
    data = dataloader.load_citeulike()
    assert (data['total_users'], data['total_items']) == (total_users, total_items)
    np.testing.assert_array_equal(data['train_data'], train)
    # one validation item per user, the other held-out items for testing
    np.testing.assert_array_equal(_per_user(data['val_data'], total_users), 1)
    assert _pairs(np.concatenate([data['val_data'], data['test_data']])) == _pairs(held_out)
    again = dataloader.load_citeulike()
    np.testing.assert_array_equal(again['val_data'], data['val_data'])


def test_citeulike_users_dat(dataloader, tmp_path):
    libraries = [[3, 5, 9], [0, 1], [2, 4, 6, 8, 7], [1]]
    with open(str(tmp_path / 'users.dat'), 'w') as handle:
        for items in libraries:
            handle.write('%d %s\n' % (len(items), ' '.join(map(str, items))))
    data = dataloader.load_citeulike(str(tmp_path))
    assert data['total_users'] == 4 and data['total_items'] == 16980  # citeulike-a's items
    for name in ('train_data', 'val_data', 'test_data'):
        assert data[name].dtype == np.dtype(dataloader.PAIR_DTYPE)
    everything = np.concatenate([data['train_data'], data['val_data'], data['test_data']])
    assert _pairs(everything) == sorted((u, i) for u, items in enumerate(libraries) for i in items)
    # one validation and one test item for users with three or more items
    np.testing.assert_array_equal(_per_user(data['val_data'], 4), [1, 1, 1, 0])
    np.testing.assert_array_equal(_per_user(data['test_data'], 4), [1, 0, 1, 0])


def test_original_npy_files(dataloader, tmp_path):
    dtype = dataloader.PAIR_DTYPE
    splits = {'train': [(0, 3), (1, 7)], 'val': [(2, 1)], 'test': [(1, 9)]}
    for name, rows in splits.items():
        np.save(str(tmp_path / ('user_data_%s.npy' % name)), np.array(rows, dtype=dtype))
    np.save(str(tmp_path / 'item_features.npy'), np.full((10, 3), 32.671101))
    data = dataloader.load_citeulike(str(tmp_path))
    assert (data['total_users'], data['total_items']) == (3, 10)
    assert _pairs(data['val_data']) == [(2, 1)]
    data = dataloader.load_tradesy(str(tmp_path))
    np.testing.assert_allclose(data['item_features'], 1.0)

    sequence = [('user_id', np.int32), ('item_id', np.int32), ('ts', np.int64)]
    np.save(str(tmp_path / 'lastfm_train.npy'), np.array([(0, 5, 10)], dtype=sequence))
    np.save(str(tmp_path / 'lastfm_test.npy'), np.array([(0, 6, 11)], dtype=sequence))
    data = dataloader.load_lastfm(str(tmp_path))
    assert (data['total_users'], data['total_items']) == (992, 14598)
    assert 'user_feature' not in data and data['test_data']['ts'][0] == 11


def test_generated_data(dataloader):
    data = dataloader.load_lastfm(num_users=40, num_items=80)
    assert (data['total_users'], data['total_items']) == (40, 80)
    assert data['train_data'].dtype.names == ('user_id', 'item_id', 'ts')
    assert len(data['user_feature']) == 40 and data['user_feature']['user_geo'].max() < 67
    tradesy = dataloader.load_tradesy(dim_feature=7)
    assert tradesy['item_features'].shape == (tradesy['total_items'], 7)


def test_settings(dataloader, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['x.py', '--total_iter', '7', '--data', 'somewhere'])
    args = dataloader.settings('doc', total_iter=100000, eval_iter=100)
    assert (args.total_iter, args.eval_iter, args.data) == (7, 100, 'somewhere')
    monkeypatch.setattr(sys, 'argv', ['x.py', '--unknown', '1'])
    with pytest.raises(SystemExit):
        dataloader.settings('doc', total_iter=1)

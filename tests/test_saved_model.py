"""``export_saved_model`` of the 0.1 and 0.2 recommenders.

Models are exported here (in the suite's graph mode) and loaded in ONE fresh Python
process with TF2 eager behaviour that never imports openrec (``tf.saved_model.load``):
``serving_default`` must equal ``serve()`` and ``top_k`` a numpy top-k of ``serve()``'s
scores over every item. ``saved_model_cli show --all`` must list both signatures.
"""
import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from openrec.recommenders import BPR, ItrMLP, VisualBPR
from openrec.tf1.recommenders import BPR as BPR2
from openrec.tf1.recommenders import RNNRec, VBPR

U, I, D, T = 10, 12, 4, 5
K = 3
RNG = np.random.RandomState(12)
FEATURES = RNG.normal(size=(I, 7)).astype(np.float32)
USERS = np.array([7, 1, 4, 4, 0], np.int32)     # T rows: serve() of the 0.1 BPR needs exactly T
L = 5

CHILD = textwrap.dedent(r'''
    import json, sys
    import numpy as np
    import tensorflow as tf
    assert tf.executing_eagerly()
    cases_path, report_path = sys.argv[1:3]
    cases = json.load(open(cases_path))
    report = {}
    for name, case in cases.items():
        model = tf.saved_model.load(case['dir'])
        feeds = np.load(case['feeds'])
        out = {}
        entry = {'signatures': sorted(model.signatures.keys())}
        for signature in entry['signatures']:
            function = model.signatures[signature]
            entry[signature] = {
                'inputs': {k: [v.dtype.name, v.shape.as_list()]
                           for k, v in function.structured_input_signature[1].items()},
                'outputs': sorted(function.structured_outputs)}
            prefix = signature + '/'
            args = {k[len(prefix):]: tf.constant(feeds[k]) for k in feeds.files
                    if k.startswith(prefix)}
            for key, value in function(**args).items():
                out[prefix + key] = value.numpy()
        np.savez(case['results'], **out)
        report[name] = entry
    # the saved_model_cli console script is this main(); run here, no second TF start-up
    import contextlib, io
    from tensorflow.python.tools.saved_model_cli import main as saved_model_cli
    for name in ('legacy_bpr', 'tf1_bpr'):
        sys.argv = ['saved_model_cli', 'show', '--dir', cases[name]['dir'], '--all']
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown):
            try:
                saved_model_cli()
            except SystemExit as stop:
                assert not stop.code, stop.code
        report[name]['saved_model_cli'] = shown.getvalue()
    report['openrec_imported'] = any(m.split('.')[0] == 'openrec' for m in sys.modules)
    json.dump(report, open(report_path, 'w'))
''')


def set_values(graph, sess, seed):
    rng = np.random.RandomState(seed)
    with graph.as_default():
        for var in tf.trainable_variables():
            var.load(rng.normal(0, 0.5, var.shape.as_list()).astype(np.float32), sess)


def numpy_top_k(scores, k):
    ids = np.argsort(-scores, axis=1, kind='stable')[:, :k]
    return ids, np.take_along_axis(scores, ids, axis=1)


def legacy_bpr():
    rec = BPR(batch_size=8, max_user=U, max_item=I, dim_embed=D, test_batch_size=T)
    set_values(rec.graph, rec.sess, 0)
    scores = rec.serve({'user_id_input': USERS, 'item_id_input': np.arange(I)})
    items = np.array([3, 0, 11, 3], np.int32)
    # three users: the serving placeholder [test_batch_size] is lifted to [None]
    return rec, {'serving_default/user_id_input': USERS[:3], 'serving_default/item_id_input': items,
                 'top_k/user_id_input': USERS, 'top_k/k': np.int32(K)}, \
        scores[:3][:, items], scores


def legacy_visual_bpr():
    rec = VisualBPR(batch_size=8, max_user=U, max_item=I, dim_embed=D, dims=[6, D],
                    item_f_source=FEATURES)
    set_values(rec.graph, rec.sess, 1)
    items = np.array([5, 2, 9], np.int32)
    served = rec.serve({'user_id_input': USERS[:2], 'item_id_input': items})
    scores = rec.serve({'user_id_input': USERS, 'item_id_input': np.arange(I)})
    return rec, {'serving_default/user_id_input': USERS[:2], 'serving_default/item_id_input': items,
                 'top_k/user_id_input': USERS, 'top_k/k': np.int32(K)}, served, scores


def legacy_itr_mlp():
    embeddings = RNG.normal(0, 0.5, (U + I, D)).astype(np.float32)
    saved = ItrMLP._pretrain_steps
    ItrMLP._pretrain_steps = 20   # private knob: 20000 steps per side otherwise
    try:
        rec = ItrMLP(8, D, U, I, embeddings[:U], embeddings[U:], [6, D], [6, D],
                     test_batch_size=T)
    finally:
        ItrMLP._pretrain_steps = saved
    set_values(rec.graph, rec.sess, 2)
    # serve() takes exactly T users and T items: all items in chunks of T (padded)
    padded = np.arange(-(-I // T) * T) % I
    scores = np.concatenate([rec.serve({'user_id_input': USERS, 'item_id_input': padded[s:s + T]})
                             for s in range(0, len(padded), T)], axis=1)[:, :I]
    items = np.array([4, 9, 1, 0], np.int32)
    return rec, {'serving_default/user_id_input': USERS[:3], 'serving_default/item_id_input': items,
                 'top_k/user_id_input': USERS, 'top_k/k': np.int32(K)}, \
        scores[:3][:, items], scores


def trained(rec, batches):
    for batch in batches:
        rec.train(batch)
    return rec


def pair_scores(rec, users, extra=None):
    """serve() of every (user, item) pair, as [users, items]."""
    batch = {'user_id': np.repeat(users, I), 'item_id': np.tile(np.arange(I), len(users))}
    batch.update(extra or {})
    return rec.serve(batch)['outputs'][0].reshape(len(users), I)


def pair_batches(n, seed):
    rng = np.random.RandomState(seed)
    return [{'user_id': rng.randint(0, U, 8), 'p_item_id': rng.randint(0, I, 8),
             'n_item_id': rng.randint(0, I, 8)} for _ in range(n)]


def tf1_bpr(directory):
    rec = trained(BPR2(8, D, D, U, I, save_model_dir=directory, serve=True).build(),
                  pair_batches(3, 3))
    batch = {'user_id': np.array([1, 1, 6], np.int32), 'item_id': np.array([0, 11, 4], np.int32)}
    rec.serve(batch)
    rec.train(pair_batches(1, 4)[0])   # export syncs the trained values, as serve() does
    return rec, {'serving_default/user_id': batch['user_id'],
                 'serving_default/item_id': batch['item_id'],
                 'top_k/user_id': USERS, 'top_k/k': np.int32(K)}, None, None


def tf1_vbpr(directory):
    rec = VBPR(8, D + 2, D, FEATURES.shape[1], U, I, save_model_dir=directory, serve=True).build()
    batches = pair_batches(2, 5)
    for batch in batches:
        batch.update(p_item_vfeature=FEATURES[batch['p_item_id']],
                     n_item_vfeature=FEATURES[batch['n_item_id']])
    trained(rec, batches)
    items = np.array([2, 2, 8], np.int32)
    batch = {'user_id': np.array([3, 9, 0], np.int32), 'item_id': items,
             'item_vfeature': FEATURES[items]}
    served = rec.serve(batch)['outputs'][0]
    scores = pair_scores(rec, USERS, {'item_vfeature': np.tile(FEATURES, (len(USERS), 1))})
    return rec, {'serving_default/' + k: v for k, v in batch.items()} | {
        'top_k/user_id': USERS, 'top_k/k': np.int32(K)}, served, scores


def tf1_rnn(directory):
    rec = RNNRec(8, D, L, I, 6, save_model_dir=directory, serve=True).build()
    rng = np.random.RandomState(6)
    trained(rec, [{'seq_item_id': rng.randint(0, I, (8, L)), 'seq_len': rng.randint(0, L + 1, 8),
                   'label': rng.randint(0, I, 8)} for _ in range(2)])
    batch = {'seq_item_id': rng.randint(0, I, (4, L)).astype(np.int32),
             'seq_len': np.array([5, 1, 3, 0], np.int32)}
    served = rec.serve(batch)['outputs'][0]
    return rec, {'serving_default/' + k: v for k, v in batch.items()} | {
        'top_k/' + k: v for k, v in batch.items()} | {'top_k/k': np.int32(K)}, served, served


LEGACY = {'legacy_bpr': legacy_bpr, 'legacy_visual_bpr': legacy_visual_bpr,
          'legacy_itr_mlp': legacy_itr_mlp}
TF1 = {'tf1_bpr': tf1_bpr, 'tf1_vbpr': tf1_vbpr, 'tf1_rnn': tf1_rnn}


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """Export every model, run the child process once; ``(cases, report, results)``."""
    root = tmp_path_factory.mktemp('saved_models')
    cases, expected = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter('error')   # no model may lose its top_k signature
        for name, make in list(LEGACY.items()) + list(TF1.items()):
            rec, feeds, served, scores = (make() if name in LEGACY
                                          else make(str(root / (name + '_ckpt'))))
            directory = str(root / name)
            kwargs = {'item_inputs': {'item_vfeature': FEATURES}} if name == 'tf1_vbpr' else {}
            assert rec.export_saved_model(directory, **kwargs) == directory
            if name == 'tf1_bpr':   # after the export: the values the SavedModel holds
                served = rec.serve({'user_id': feeds['serving_default/user_id'],
                                    'item_id': feeds['serving_default/item_id']})['outputs'][0]
                scores = pair_scores(rec, USERS)
            expected[name] = (served, numpy_top_k(scores, K))
            np.savez(str(root / (name + '_feeds.npz')), **feeds)
            cases[name] = {'dir': directory, 'feeds': str(root / (name + '_feeds.npz')),
                           'results': str(root / (name + '_results.npz'))}
    with open(str(root / 'cases.json'), 'w') as f:
        json.dump(cases, f)
    (root / 'child.py').write_text(CHILD)
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'OPENREC_TEST_GRAPH_MODE')}
    env['TF_CPP_MIN_LOG_LEVEL'] = '2'
    subprocess.run([sys.executable, str(root / 'child.py'), str(root / 'cases.json'),
                    str(root / 'report.json')], cwd=str(root), env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open(str(root / 'report.json')) as f:
        report = json.load(f)
    results = {name: dict(np.load(case['results'])) for name, case in cases.items()}
    return cases, report, results, expected


def test_the_child_process_never_imported_openrec(exported):
    assert exported[1]['openrec_imported'] is False


@pytest.mark.parametrize('name', list(LEGACY) + list(TF1))
def test_serving_default_equals_serve(exported, name):
    _, report, results, expected = exported
    assert report[name]['signatures'] == ['serving_default', 'top_k']
    np.testing.assert_allclose(results[name]['serving_default/scores'], expected[name][0],
                               rtol=1e-5, atol=1e-6)
    assert report[name]['serving_default']['outputs'] == ['scores']


@pytest.mark.parametrize('name', list(LEGACY) + list(TF1))
def test_top_k_equals_a_numpy_top_k_of_serve(exported, name):
    _, report, results, expected = exported
    ids, scores = expected[name][1]
    assert results[name]['top_k/item_ids'].dtype == np.int32
    np.testing.assert_array_equal(results[name]['top_k/item_ids'], ids)
    np.testing.assert_allclose(results[name]['top_k/scores'], scores, rtol=1e-5, atol=1e-6)
    assert report[name]['top_k']['outputs'] == ['item_ids', 'scores']


def test_signature_inputs(exported):
    report = exported[1]
    for name in LEGACY:
        inputs = {'user_id_input': ['int32', [None]], 'item_id_input': ['int32', [None]]}
        assert report[name]['serving_default']['inputs'] == inputs, name
        assert report[name]['top_k']['inputs'] == {'user_id_input': ['int32', [None]],
                                                   'k': ['int32', []]}, name
    assert report['tf1_bpr']['serving_default']['inputs'] == {'user_id': ['int32', [None]],
                                                              'item_id': ['int32', [None]]}
    assert report['tf1_vbpr']['serving_default']['inputs'] == {
        'user_id': ['int32', [None]], 'item_id': ['int32', [None]],
        'item_vfeature': ['float32', [None, FEATURES.shape[1]]]}
    assert report['tf1_vbpr']['top_k']['inputs'] == {'user_id': ['int32', [None]],
                                                     'k': ['int32', []]}
    sequence = {'seq_item_id': ['int32', [None, L]], 'seq_len': ['int32', [None]]}
    assert report['tf1_rnn']['serving_default']['inputs'] == sequence
    assert report['tf1_rnn']['top_k']['inputs'] == dict(sequence, k=['int32', []])


@pytest.mark.parametrize('name', ['legacy_bpr', 'tf1_bpr'])
def test_saved_model_cli_lists_both_signatures(exported, name):
    out = exported[1][name]['saved_model_cli']
    user = 'user_id_input' if name == 'legacy_bpr' else 'user_id'
    assert "MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:" in out
    for signature in ('serving_default', 'top_k'):
        assert "signature_def['%s']:" % signature in out
    assert out.count("inputs['%s'] tensor_info:" % user) == 2
    assert out.count('shape: (-1)') >= 3     # the user input twice, the item input once
    assert "inputs['k'] tensor_info:" in out
    assert "outputs['item_ids'] tensor_info:" in out
    assert out.count('Method name is: tensorflow/serving/predict') == 2


def test_the_saved_model_holds_only_serving_variables(exported):
    from tensorflow.python.training import checkpoint_utils
    path = os.path.join(exported[0]['legacy_bpr']['dir'], 'variables', 'variables')
    names = sorted(name for name, _ in checkpoint_utils.list_variables(path))
    assert names == ['item/embedding', 'item_bias/embedding', 'user/embedding']
    path = os.path.join(exported[0]['legacy_visual_bpr']['dir'], 'variables', 'variables')
    shapes = dict(checkpoint_utils.list_variables(path))
    assert shapes['item_vfeature_table'] == list(FEATURES.shape)
    assert np.array_equal(checkpoint_utils.load_variable(path, 'item_vfeature_table'), FEATURES)


# ------------------------------------------------------------------------------------
# arguments
# ------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def small_bpr():
    return BPR(batch_size=4, max_user=U, max_item=I, dim_embed=D)


@pytest.mark.parametrize('bad, error, message', [
    (3, TypeError, 'export_dir must be a directory path (a str or os.PathLike), got 3'),
    (b'/tmp/x', TypeError,
     "export_dir must be a directory path (a str or os.PathLike), got b'/tmp/x'"),
    (None, TypeError, 'export_dir must be a directory path'),
    ('', ValueError, "export_dir must be a non-empty path, got ''"),
])
def test_bad_export_dir_types(small_bpr, bad, error, message):
    with pytest.raises(error) as info:
        small_bpr.export_saved_model(bad)
    assert message in str(info.value)


def test_non_empty_directory_and_file_are_rejected_untouched(small_bpr, tmp_path):
    full = tmp_path / 'full'
    full.mkdir()
    (full / 'keep.txt').write_text('x')
    with pytest.raises(ValueError, match='exists and is not empty'):
        small_bpr.export_saved_model(str(full))
    assert os.listdir(str(full)) == ['keep.txt']
    with pytest.raises(ValueError, match='exists and is not a directory'):
        small_bpr.export_saved_model(full / 'keep.txt')
    assert (full / 'keep.txt').read_text() == 'x'


def test_empty_directory_and_pathlike_are_accepted(small_bpr, tmp_path):
    (tmp_path / 'empty').mkdir()
    ops = len(small_bpr.graph.get_operations())
    assert small_bpr.export_saved_model(tmp_path / 'empty') == str(tmp_path / 'empty')
    assert len(small_bpr.graph.get_operations()) == ops    # the recommender's graph is untouched
    assert sorted(os.listdir(str(tmp_path / 'empty'))) == ['saved_model.pb', 'variables']
    # the recommender is unchanged: it still trains and serves
    small_bpr.train({'user_id_input': [0, 1, 2, 3], 'p_item_id_input': [0, 1, 2, 3],
                     'n_item_id_input': [4, 5, 6, 7]})
    assert small_bpr.serve({'user_id_input': [1], 'item_id_input': [2, 3]}).shape == (1, 2)


def _read_only(monkeypatch, directory):
    """Make ``directory`` read-only; as root (permission bits do not bind) os.access says so."""
    os.chmod(str(directory), 0o555)
    if os.access(str(directory), os.W_OK):
        access = os.access

        def fake(path, mode, *args, **kwargs):
            if os.path.abspath(path) == str(directory) and mode & os.W_OK:
                return False
            return access(path, mode, *args, **kwargs)
        monkeypatch.setattr(os, 'access', fake)


@pytest.mark.parametrize('api', ['0.1', '0.2'])
def test_unwritable_export_dir_is_rejected_before_anything_is_written(api, small_bpr, tmp_path,
                                                                      monkeypatch):
    if api == '0.1':
        rec = small_bpr
    else:
        rec = BPR2(4, D, D, U, I, save_model_dir=str(tmp_path / 'ckpt'), serve=True).build()
    ops = len(rec.graph.get_operations()) if api == '0.1' else None
    (tmp_path / 'file.txt').write_text('x')
    for export_dir in (tmp_path / 'file.txt' / 'model', tmp_path / 'file.txt' / 'a' / 'b'):
        with pytest.raises(ValueError) as info:
            rec.export_saved_model(str(export_dir))
        assert str(info.value) == ('export_dir %r cannot be created: %r is a file, not a '
                                   'directory' % (str(export_dir), str(tmp_path / 'file.txt')))
    assert (tmp_path / 'file.txt').read_text() == 'x'
    read_only = tmp_path / 'ro'
    read_only.mkdir()
    _read_only(monkeypatch, read_only)
    try:
        for export_dir in (read_only / 'model', read_only / 'a' / 'b', read_only):
            with pytest.raises(ValueError) as info:
                rec.export_saved_model(export_dir)
            assert str(info.value) == ('export_dir %r cannot be written: the directory %r is '
                                       'not writable' % (str(export_dir), str(read_only)))
        assert os.listdir(str(read_only)) == []
    finally:
        os.chmod(str(read_only), 0o755)
    if ops is not None:
        assert len(rec.graph.get_operations()) == ops
    monkeypatch.undo()
    # a corrected retry works
    assert rec.export_saved_model(read_only / 'model') == str(read_only / 'model')
    assert sorted(os.listdir(str(read_only / 'model'))) == ['saved_model.pb', 'variables']


def test_tf1_needs_the_serving_graph(tmp_path):
    rec = BPR2(4, D, D, U, I, save_model_dir=str(tmp_path / 'ckpt')).build()
    with pytest.raises(RuntimeError, match='serve graph is disabled'):
        rec.export_saved_model(str(tmp_path / 'out'))
    assert not (tmp_path / 'out').exists()
    unbuilt = BPR2(4, D, D, U, I, save_model_dir=str(tmp_path / 'ckpt'), serve=True)
    with pytest.raises(RuntimeError, match='serve graph is not built'):
        unbuilt.export_saved_model(str(tmp_path / 'out'))


def test_tf1_item_inputs_checks(tmp_path):
    rec = VBPR(4, D + 2, D, FEATURES.shape[1], U, I, save_model_dir=str(tmp_path / 'c'),
               serve=True).build()
    out = str(tmp_path / 'out')
    with pytest.raises(TypeError, match='item_inputs must be a dict'):
        rec.export_saved_model(out, item_inputs=[FEATURES])
    with pytest.raises(ValueError, match="item_inputs has fields that are not serving batch "
                                         "fields: features"):
        rec.export_saved_model(out, item_inputs={'features': FEATURES})
    with pytest.raises(ValueError, match=r"item_inputs\['item_vfeature'\] must have a row for "
                                         r"each of the 12 items, got 11"):
        rec.export_saved_model(out, item_inputs={'item_vfeature': FEATURES[:-1]})
    assert not os.path.exists(out)
    with pytest.warns(UserWarning, match=r'no top_k signature: the item fields item_vfeature '
                                         r'are not given: pass item_inputs'):
        rec.export_saved_model(out)
    assert sorted(os.listdir(out)) == ['saved_model.pb', 'variables']

"""Batches the OpenRec 0.2 Recommender cannot feed fail clearly, before the session runs.

A batch lacking a field the fetches need raised TensorFlow's InvalidArgumentError ("You
must feed a value for placeholder tensor ...") from the running session; values that
cannot be converted (string ids) raised numpy's "invalid literal for int()". Both are now
checked in Python (ValueError / TypeError naming batch_data, the field and the
placeholder), from a plan made once per graph, input mapping, batch fields and fetches.
"""
import os
import re

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from openrec.tf1.recommenders import BPR, PMF, RNNRec, Recommender
from openrec.tf1.recommenders import _feeding

B = 4
TRAIN = {'user_id': np.array([0, 1, 2, 3], np.int32), 'p_item_id': np.array([1, 2, 3, 4], np.int32),
         'n_item_id': np.array([5, 0, 1, 2], np.int32)}
SERVE = {'user_id': np.array([0, 1, 4]), 'item_id': np.array([5, 0, 2])}
INT_MESSAGE = ("batch_data field 'user_id' cannot be fed to placeholder inputgraph/user_id, which is "
               "int32 (integers; floats are truncated), got dtype %s")


def bpr(tmp_path, **kwargs):
    return BPR(batch_size=B, dim_user_embed=3, dim_item_embed=3, total_users=5, total_items=6,
               save_model_dir=str(tmp_path), serve=True, **kwargs).build()


def values(rec, side):
    """Every global variable's value in the ``side`` graph (Adam's slots and powers too)."""
    graph = rec.traingraph if side == 'train' else rec.servegraph
    sess = rec._tf_train_sess if side == 'train' else rec._tf_serve_sess
    with graph.tf_graph.as_default():
        variables = tf.global_variables()
        return dict(zip([v.name for v in variables], sess.run(variables)))


def assert_same(a, b):
    assert sorted(a) == sorted(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def count_plans(monkeypatch):
    """Count the graph walks (one per new feed plan)."""
    calls = []
    walk = _feeding.unfed_placeholders

    def counting(fetches, fed):
        calls.append(1)
        return walk(fetches, fed)
    monkeypatch.setattr(_feeding, 'unfed_placeholders', counting)
    return calls


# ---------------------------------------------------------------------------------------
# fields the run needs
# ---------------------------------------------------------------------------------------

def test_train_lacking_a_field_names_it_and_runs_nothing(tmp_path):
    rec = bpr(tmp_path)
    before = values(rec, 'train')
    partial = {'user_id': TRAIN['user_id'], 'p_item_id': TRAIN['p_item_id']}
    with pytest.raises(ValueError) as info:
        rec.train(partial)
    assert str(info.value) == (
        "batch_data lacks field 'n_item_id' (placeholder inputgraph/n_item_id) that train needs "
        "(batch_data fields: 'user_id', 'p_item_id')")
    assert not isinstance(info.value, tf.errors.OpError)
    assert_same(values(rec, 'train'), before)     # no Adam step (beta powers unchanged)
    assert rec._flag_updated is False
    # two fields missing, listed in the input mapping's order; structured arrays too
    only_user = np.zeros(B, dtype=[('user_id', np.int32)])
    with pytest.raises(ValueError, match=r"^batch_data lacks fields 'p_item_id' \(placeholder "
                       r"inputgraph/p_item_id\) and 'n_item_id' \(placeholder inputgraph/n_item_id\) "
                       r"that train needs \(batch_data fields: 'user_id'\)$"):
        rec.train(only_user)
    # the corrected batch trains
    loss = rec.train(TRAIN)['losses'][0]
    assert np.isfinite(loss) and rec._flag_updated is True


def test_only_what_the_fetches_need_is_required(tmp_path):
    rec = bpr(tmp_path)
    t, s = rec.traingraph, rec.servegraph
    user_only = {'user_id': TRAIN['user_id']}
    # no fetch at all: nothing is needed
    assert rec.train(user_only, operations_id=None, losses_id=None) == {'losses': [], 'outputs': []}
    user_vec = rec.train_inspect_ports(user_only, ports=t.usergraph['user_vec'])
    assert user_vec.shape == (B, 3)
    with pytest.raises(ValueError, match=r"^batch_data lacks field 'p_item_id' \(placeholder "
                       r"inputgraph/p_item_id\) that train_inspect_ports needs"):
        rec.train_inspect_ports(user_only, ports={'u': t.usergraph['user_vec'],
                                                  'p': [t.itemgraph['p_item_vec']]})
    # serving: the user vectors need user_id only; the scores need item_id too
    got = rec.serve_inspect_ports({'user_id': np.array([2, 2])}, ports=[s.usergraph['user_vec']])
    np.testing.assert_array_equal(got[0][0], got[0][1])
    with pytest.raises(ValueError, match=r"^batch_data lacks field 'item_id' \(placeholder "
                       r"inputgraph/item_id\) that serve needs \(batch_data fields: 'user_id'\)$"):
        rec.serve({'user_id': SERVE['user_id']})
    with pytest.raises(ValueError, match=r"lacks field 'user_id' .* that serve_inspect_ports needs"):
        rec.serve_inspect_ports({'item_id': SERVE['item_id']}, ports=s.usergraph['user_vec'])


def test_pmf_training_prediction_without_label(tmp_path):
    # PMF's training mapping has label; its prediction output does not need it, its loss does
    rec = PMF(batch_size=B, dim_user_embed=3, dim_item_embed=3, total_users=5, total_items=6,
              save_model_dir=str(tmp_path)).build()
    batch = {'user_id': TRAIN['user_id'], 'item_id': TRAIN['p_item_id']}
    out = rec.train(batch, operations_id=None, losses_id=None)
    assert out['losses'] == [] and out['outputs'][0].shape == (B,)
    with pytest.raises(ValueError, match=r"^batch_data lacks field 'label' \(placeholder "
                       r"inputgraph/label\) that train needs"):
        rec.train(batch)


def test_serve_lacking_a_field_does_not_synchronise(tmp_path):
    rec = bpr(tmp_path)
    rec.train(TRAIN)
    with pytest.raises(ValueError, match="lacks field 'item_id'"):
        rec.serve({'user_id': SERVE['user_id']})
    assert rec._flag_updated is True and not os.path.exists(str(tmp_path / 'model.ckpt.index'))
    assert rec.serve(SERVE)['outputs'][0].shape == (3,)
    assert rec._flag_updated is False and os.path.exists(str(tmp_path / 'model.ckpt.index'))


def test_input_mapping_id_none_with_fetches_that_need_inputs(tmp_path):
    rec = bpr(tmp_path)
    with pytest.raises(ValueError) as info:
        rec.serve(None, input_mapping_id=None)
    assert str(info.value) == (
        'serve(input_mapping_id=None) feeds nothing, but what it fetches needs placeholder '
        'inputgraph/item_id and placeholder inputgraph/user_id: pass batch_data and an '
        'input_mapping_id')
    # fetches that need no input still run without a mapping
    with rec.servegraph.tf_graph.as_default():
        table = [v for v in tf.global_variables() if v.name == 'itemgraph/item/embedding:0'][0]
    assert rec.serve_inspect_ports(None, ports=table, input_mapping_id=None).shape == (6, 3)


def test_sequence_model_lacking_seq_len(tmp_path):
    # RNNRec's dynamic RNN is a while loop (control flow v1 after disable_v2_behavior)
    rec = RNNRec(batch_size=2, dim_item_embed=3, max_seq_len=3, total_items=7, num_units=4,
                 save_model_dir=str(tmp_path), serve=True).build()
    batch = {'seq_item_id': np.array([[1, 2, 0], [3, 0, 0]]), 'seq_len': np.array([2, 1]),
             'label': np.array([4, 5])}
    with pytest.raises(ValueError, match=r"^batch_data lacks field 'seq_len' \(placeholder "
                       r"inputgraph/seq_len\) that train needs"):
        rec.train({'seq_item_id': batch['seq_item_id'], 'label': batch['label']})
    with pytest.raises(ValueError, match=r"lacks field 'seq_len' .* that serve needs"):
        rec.serve({'seq_item_id': batch['seq_item_id']})
    assert np.isfinite(rec.train(batch)['losses'][-1])


# ---------------------------------------------------------------------------------------
# custom graphs: pruning at fed tensors, defaults, unmapped placeholders, names
# ---------------------------------------------------------------------------------------

def custom(tmp_path):
    """user_vec = table[user_id] * scale (scale has a default); 'with_extra' also needs an
    unmapped placeholder ``extra``; mapping 'by_name' maps user_id by tensor name."""
    rec = Recommender(save_model_dir=str(tmp_path), train=True, serve=False)
    t = rec.traingraph

    @t.inputgraph(outs=['user_id', 'scale', 'extra'])
    def inputs(subgraph):
        subgraph['user_id'] = tf.placeholder(tf.int32, [None], name='user_id')
        subgraph['scale'] = tf.placeholder_with_default(1.0, [], name='scale')
        subgraph['extra'] = tf.placeholder(tf.float32, [None], name='extra')
        subgraph.register_global_input_mapping({'user_id': subgraph['user_id'],
                                                'scale': subgraph['scale']})
        subgraph.register_global_input_mapping({'user_id': 'inputgraph/user_id:0'}, 'by_name')

    @t.usergraph(ins=['user_id', 'scale', 'extra'], outs=['user_vec'])
    def user(subgraph):
        table = tf.get_variable('table', initializer=np.arange(10, dtype=np.float32).reshape(5, 2))
        subgraph['user_vec'] = tf.nn.embedding_lookup(table, subgraph['user_id']) * subgraph['scale']
        subgraph.register_global_output(subgraph['user_vec'])
        subgraph.register_global_output(tf.reduce_sum(subgraph['user_vec']), 'sum')
        subgraph.register_global_output(tf.reduce_sum(subgraph['extra']), 'with_extra')

    @t.connector
    def connect(graph):
        for key in ['user_id', 'scale', 'extra']:
            graph.usergraph[key] = graph.inputgraph[key]
    return rec.build()


def test_custom_graph_requirements(tmp_path):
    rec = custom(tmp_path)
    t = rec.traingraph
    ids = {'user_id': np.array([4, 0])}
    expected = np.array([[8, 9], [0, 1]], np.float32)
    # placeholder_with_default: not needed
    np.testing.assert_array_equal(rec.train(ids)['outputs'][0], expected)
    np.testing.assert_array_equal(rec.train(dict(ids, scale=2.0))['outputs'][0], 2 * expected)
    # a placeholder the fetches need that the mapping does not hold
    with pytest.raises(ValueError) as info:
        rec.train(ids, outputs_id='with_extra')
    assert str(info.value) == ("train needs placeholder inputgraph/extra, which no field of "
                               "input mapping 'default' feeds")
    # a fed intermediate tensor prunes what it depends on: user_id is then not needed
    with t.tf_graph.as_default():
        t.update_input_mapping({'user_vec': t.usergraph['user_vec']})
    vec = np.ones((3, 2), np.float32)
    assert rec.train({'user_vec': vec}, outputs_id='sum')['outputs'] == [6.0]
    with pytest.raises(ValueError, match=r"lacks field 'user_id' \(placeholder inputgraph/user_id\)"):
        rec.train({'scale': 1.0}, outputs_id='sum')
    # a mapping entry given as a tensor name is checked as the tensor
    np.testing.assert_array_equal(rec.train(ids, input_mapping_id='by_name')['outputs'][0], expected)
    with pytest.raises(ValueError, match=r"^batch_data lacks field 'user_id' \(placeholder "
                       r"inputgraph/user_id\) that train needs \(batch_data fields: none\)$"):
        rec.train({}, input_mapping_id='by_name')
    with pytest.raises(TypeError, match=re.escape(INT_MESSAGE % '<U1')):
        rec.train({'user_id': ['a', 'b']}, input_mapping_id='by_name')


def test_plan_is_made_once_per_mapping_fields_and_fetches(tmp_path, monkeypatch):
    rec = custom(tmp_path)
    t = rec.traingraph
    calls = count_plans(monkeypatch)
    ids = {'user_id': np.array([1])}
    for _ in range(3):
        rec.train(ids)
        rec.train({'user_id': np.array([2, 3])})          # same fields: same plan
    structured = np.zeros(2, dtype=[('user_id', np.int64)])
    rec.train(structured)                                 # same field names
    assert len(calls) == 1
    rec.train(dict(ids, scale=1.0))                       # other fields
    rec.train(ids, outputs_id='sum')                      # other fetches
    rec.train_inspect_ports(ids, ports=[t.usergraph['user_vec']])   # the default outputs
    assert len(calls) == 3
    for _ in range(2):
        rec.train_inspect_ports(ids, ports={'v': t.usergraph['user_vec'], 'u': t.inputgraph['user_id']})
    assert len(calls) == 4
    # a new output registered under the same identifier: new fetches, new plan
    with t.tf_graph.as_default():
        t.register_output(tf.reduce_sum(t.inputgraph['extra']))
    with pytest.raises(ValueError, match='inputgraph/extra'):
        rec.train(ids)
    assert len(calls) == 5
    # the mapping's entry replaced: the plan is remade for the new placeholder
    rec2 = custom(tmp_path)
    t2 = rec2.traingraph
    rec2.train(ids)
    with t2.tf_graph.as_default():
        t2.update_input_mapping({'user_id': t2.inputgraph['extra']})
    with pytest.raises(ValueError, match="^train needs placeholder inputgraph/user_id, which no "
                       "field of input mapping 'default' feeds$"):
        rec2.train(ids)
    assert len(calls) == 7
    assert len(rec._feed_plans) <= 64


# ---------------------------------------------------------------------------------------
# values that cannot be fed
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('ids, given', [
    (['a', 'b', 'c', 'd'], '<U1'),
    (np.array(['1', '2', '0', '3']), '<U1'),                  # digits too (numpy parsed them)
    (np.array([b'1', b'2', b'0', b'3']), '|S1'),
    ([None, 1, 2, 3], 'object (first element None of type NoneType)'),
    (np.array([0, 1, 2, 3], dtype=object), 'object (first element 0 of type int)'),
    (np.array([True, False, True, False]), 'bool'),
    (np.zeros(B, np.complex64), 'complex64'),
    (np.zeros(B, 'datetime64[D]'), 'datetime64[D]'),
])
def test_values_that_cannot_feed_integer_ids(tmp_path, ids, given):
    rec = bpr(tmp_path)
    before = values(rec, 'train')
    with pytest.raises(TypeError) as info:
        rec.train(dict(TRAIN, user_id=ids))
    assert str(info.value) == INT_MESSAGE % given
    assert_same(values(rec, 'train'), before)
    rec.train(TRAIN)
    with pytest.raises(TypeError, match='^' + re.escape(INT_MESSAGE % '')):     # before the sync, too
        rec.serve(dict(SERVE, user_id=ids[:3]))
    assert rec._flag_updated is True


def test_values_that_feed_as_given(tmp_path):
    rec = bpr(tmp_path)

    def losses(**fields):
        return rec.train(dict(TRAIN, **fields), operations_id=None)['losses']
    reference = losses()
    as_int = TRAIN['user_id']
    for given in [as_int.astype(np.int64), as_int.astype(np.uint8), as_int.tolist(),
                  as_int.astype(np.float64), as_int + 0.7]:        # floats are truncated
        np.testing.assert_array_equal(losses(user_id=given), reference)
    structured = np.zeros(B, dtype=[('user_id', np.float32), ('p_item_id', np.int64),
                                    ('n_item_id', np.uint16)])
    for name in TRAIN:
        structured[name] = TRAIN[name]
    np.testing.assert_array_equal(rec.train(structured, operations_id=None)['losses'], reference)


def test_booleans_feed_float_labels(tmp_path):
    rec = PMF(batch_size=B, dim_user_embed=3, dim_item_embed=3, total_users=5, total_items=6,
              save_model_dir=str(tmp_path)).build()
    batch = {'user_id': TRAIN['user_id'], 'item_id': TRAIN['p_item_id']}
    liked = np.array([True, False, False, True])
    as_bool = rec.train(dict(batch, label=liked), operations_id=None)['losses']
    as_float = rec.train(dict(batch, label=liked.astype(np.float32)), operations_id=None)['losses']
    np.testing.assert_array_equal(as_bool, as_float)
    with pytest.raises(TypeError, match=r"^batch_data field 'label' cannot be fed to placeholder "
                       r"inputgraph/label, which is float32 \(numbers or booleans\), got dtype <U3$"):
        rec.train(dict(batch, label=np.array(['yes', 'no', 'no', 'yes'])))


def test_generate_feed_dict_checks_values_too(tmp_path):
    rec = bpr(tmp_path)
    mapping = rec.traingraph.get_input_mapping()
    feed = rec._generate_feed_dict({'user_id': TRAIN['user_id']}, mapping)
    assert list(feed) == [mapping['user_id']] and feed[mapping['user_id']] is TRAIN['user_id']
    with pytest.raises(TypeError, match=re.escape(INT_MESSAGE % '<U1')):
        rec._generate_feed_dict({'user_id': ['a']}, mapping)

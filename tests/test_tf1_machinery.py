"""OpenRec 0.2 recommender machinery (``openrec.tf1.recommenders.recommender``).

Recommenders are declared here by hand with the decorators and raw ``tf.compat.v1`` ops
(a tiny BPR-like dot-product model), as the spec's clients do. In TF2-behaviour mode the
tests run with eager execution on at the top level: the machinery builds everything in
its own graphs (spec section 10).
"""
import collections
import collections.abc
import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from conftest import V1_MODE
from openrec.tf1.recommenders import Recommender
from openrec.tf1.recommenders import recommender as machinery

U, I, D, B = 5, 7, 3, 4
L2 = 0.1
PREFIX = 'openrec.tf1.recommender.'
SUBGRAPHS = ['inputgraph', 'usergraph', 'itemgraph', 'contextgraph', 'fusiongraph',
             'interactiongraph', 'optimizergraph']
TRAIN_VARS = {'usergraph/user/embedding': (U, D), 'itemgraph/item/embedding': (I, D)}


def close(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def l2(x):
    return 0.5 * np.sum(np.square(np.asarray(x, np.float64)))


def log_sigmoid(x):
    return -np.log1p(np.exp(-x))


# ---------------------------------------------------------------------------------------
# a hand-written BPR-like recommender
# ---------------------------------------------------------------------------------------

def toy(users=U, items=I, **kwargs):
    """Dot-product recommender: L2 on looked-up rows, pairwise log loss, Adam."""
    rec = Recommender(**kwargs)
    t, s = rec.traingraph, rec.servegraph

    @t.inputgraph(outs=['user_id', 'p_item_id', 'n_item_id'])
    def train_inputs(subgraph):
        for name in ['user_id', 'p_item_id', 'n_item_id']:
            subgraph[name] = tf.placeholder(tf.int32, shape=[B], name=name)
        subgraph.register_global_input_mapping(
            {name: subgraph[name] for name in ['user_id', 'p_item_id', 'n_item_id']})

    @s.inputgraph(outs=['user_id', 'item_id'])
    def serve_inputs(subgraph):
        for name in ['user_id', 'item_id']:
            subgraph[name] = tf.placeholder(tf.int32, shape=[None], name=name)
        subgraph.register_global_input_mapping(
            {name: subgraph[name] for name in ['user_id', 'item_id']})

    def lookup(scope, rows, ids, subgraph):
        with tf.variable_scope(scope):
            table = tf.get_variable('embedding', shape=[rows, D],
                                    initializer=tf.truncated_normal_initializer(stddev=0.5))
            vec = tf.nn.embedding_lookup(table, ids)
            subgraph.register_global_loss(L2 * tf.nn.l2_loss(vec))
        return vec

    @t.usergraph(ins=['user_id'], outs=['user_vec'])
    @s.usergraph(ins=['user_id'], outs=['user_vec'])
    def user(subgraph):
        subgraph['user_vec'] = lookup('user', users, subgraph['user_id'], subgraph)

    @t.itemgraph(ins=['p_item_id', 'n_item_id'], outs=['p_item_vec', 'n_item_vec'])
    def train_items(subgraph):
        subgraph['p_item_vec'] = lookup('item', items, subgraph['p_item_id'], subgraph)
        subgraph['n_item_vec'] = lookup('item', items, subgraph['n_item_id'], subgraph)

    @s.itemgraph(ins=['item_id'], outs=['item_vec'])
    def serve_items(subgraph):
        subgraph['item_vec'] = lookup('item', items, subgraph['item_id'], subgraph)

    @t.interactiongraph(ins=['user_vec', 'p_item_vec', 'n_item_vec'])
    def train_interaction(subgraph):
        diff = tf.reduce_sum(subgraph['user_vec'] * (subgraph['p_item_vec'] - subgraph['n_item_vec']),
                             axis=1)
        subgraph.register_global_loss(-tf.reduce_sum(tf.log_sigmoid(diff)))

    @s.interactiongraph(ins=['user_vec', 'item_vec'])
    def serve_interaction(subgraph):
        subgraph.register_global_output(
            tf.reduce_sum(subgraph['user_vec'] * subgraph['item_vec'], axis=1))

    @t.optimizergraph
    def optimizer(subgraph):
        total = tf.add_n(subgraph.get_global_losses())
        subgraph.register_global_operation(tf.train.AdamOptimizer(learning_rate=0.001).minimize(total))

    @t.connector
    def train_connect(graph):
        graph.usergraph['user_id'] = graph.inputgraph['user_id']
        graph.itemgraph['p_item_id'] = graph.inputgraph['p_item_id']
        graph.itemgraph['n_item_id'] = graph.inputgraph['n_item_id']
        graph.interactiongraph['user_vec'] = graph.usergraph['user_vec']
        graph.interactiongraph['p_item_vec'] = graph.itemgraph['p_item_vec']
        graph.interactiongraph['n_item_vec'] = graph.itemgraph['n_item_vec']

    @s.connector
    def serve_connect(graph):
        graph.usergraph['user_id'] = graph.inputgraph['user_id']
        graph.itemgraph['item_id'] = graph.inputgraph['item_id']
        graph.interactiongraph['user_vec'] = graph.usergraph['user_vec']
        graph.interactiongraph['item_vec'] = graph.itemgraph['item_vec']

    return rec


def side(rec, which):
    if which == 'train':
        return rec.traingraph.tf_graph, rec._tf_train_sess
    return rec.servegraph.tf_graph, rec._tf_serve_sess


def variables(rec, which):
    graph, _ = side(rec, which)
    with graph.as_default():
        return {v.op.name: v for v in tf.global_variables()}


def var_table(rec, which):
    graph, _ = side(rec, which)
    with graph.as_default():
        return {v.op.name: (tuple(v.shape.as_list()), v in tf.trainable_variables())
                for v in tf.global_variables()}


def get(rec, which, name):
    graph, sess = side(rec, which)
    with graph.as_default():
        return sess.run(variables(rec, which)[name])


def assign(rec, which, values):
    graph, sess = side(rec, which)
    found = variables(rec, which)
    with graph.as_default():
        for name, value in values.items():
            found[name].load(np.asarray(value, np.float32), sess)


def tables(seed, users=U, items=I):
    rng = np.random.RandomState(seed)
    return {'usergraph/user/embedding': rng.randn(users, D).astype(np.float32),
            'itemgraph/item/embedding': rng.randn(items, D).astype(np.float32)}


TRAIN_BATCH = {'user_id': np.array([0, 1, 4, 1]), 'p_item_id': np.array([2, 3, 6, 0]),
               'n_item_id': np.array([5, 5, 1, 2])}
SERVE_BATCH = {'user_id': np.array([3, 0, 4]), 'item_id': np.array([1, 6, 6])}


def expected_train_losses(values, batch=TRAIN_BATCH):
    u = values['usergraph/user/embedding'][batch['user_id']]
    p = values['itemgraph/item/embedding'][batch['p_item_id']]
    n = values['itemgraph/item/embedding'][batch['n_item_id']]
    return [L2 * l2(u), L2 * l2(p), L2 * l2(n),
            -np.sum(log_sigmoid(np.sum(u.astype(np.float64) * (p - n), axis=1)))]


def expected_scores(values, batch=SERVE_BATCH):
    return np.sum(values['usergraph/user/embedding'][batch['user_id']]
                  * values['itemgraph/item/embedding'][batch['item_id']], axis=1)


def count_ops(rec, which):
    return len(side(rec, which)[0].get_operations())


# ---------------------------------------------------------------------------------------
# names: placeholders, variables, collections (spec 2.6)
# ---------------------------------------------------------------------------------------

def test_names_of_placeholders_variables_and_collections(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    train_graph, serve_graph = rec.traingraph.tf_graph, rec.servegraph.tf_graph
    placeholders = lambda g: [(op.name, op.get_attr('dtype'), op.outputs[0].shape.as_list())
                              for op in g.get_operations() if op.type == 'Placeholder']
    assert placeholders(train_graph) == [('inputgraph/user_id', tf.int32, [B]),
                                         ('inputgraph/p_item_id', tf.int32, [B]),
                                         ('inputgraph/n_item_id', tf.int32, [B])]
    assert placeholders(serve_graph) == [('inputgraph/user_id', tf.int32, [None]),
                                         ('inputgraph/item_id', tf.int32, [None])]
    expected = {name: (shape, True) for name, shape in TRAIN_VARS.items()}
    assert var_table(rec, 'serve') == expected
    expected.update({'optimizergraph/beta1_power': ((), False),
                     'optimizergraph/beta2_power': ((), False)})
    for name, shape in TRAIN_VARS.items():
        expected['optimizergraph/%s/Adam' % name] = (shape, False)
        expected['optimizergraph/%s/Adam_1' % name] = (shape, False)
    assert var_table(rec, 'train') == expected

    names = lambda g, kind: [x.name for x in g.get_collection(PREFIX + kind + '.default')]
    assert names(train_graph, 'losses') == ['usergraph/user/mul:0', 'itemgraph/item/mul:0',
                                            'itemgraph/item_1/mul:0', 'interactiongraph/Neg:0']
    assert names(train_graph, 'operations') == ['optimizergraph/Adam']
    assert names(train_graph, 'outputs') == []
    assert names(serve_graph, 'losses') == ['usergraph/user/mul:0', 'itemgraph/item/mul:0']
    assert names(serve_graph, 'outputs') == ['interactiongraph/Sum:0']
    assert names(serve_graph, 'operations') == []
    # the getters return the same lists (copies), [] for unknown identifiers
    t = rec.traingraph
    assert [x.name for x in t.get_losses()] == names(train_graph, 'losses')
    assert t.get_operations()[0].name == 'optimizergraph/Adam'
    assert t.get_outputs() == [] and t.get_operations('unknown') == []
    t.get_losses().append('not stored')
    assert len(t.get_losses()) == 4
    assert rec.servegraph.get_outputs()[0].name == 'interactiongraph/Sum:0'


def test_build_order_scopes_and_connect_first():
    calls = []
    rec = Recommender(train=True, serve=False)
    t = rec.traingraph

    def recorder(name):
        def build(subgraph):
            scope = tf.get_variable_scope()
            calls.append((name, scope.name, scope.reuse, tf.get_default_graph() is t.tf_graph,
                          subgraph is getattr(t, name)))
            if name == 'usergraph':
                tf.get_variable('v', [2])
        return build

    for name in reversed(SUBGRAPHS):   # declaration order does not matter
        getattr(t, name)(recorder(name))
    t.connector(lambda graph: calls.append(('connect', graph is t)))
    t.connector.extend(lambda graph: calls.append(('connect2', graph is t)))
    assert rec.build() is rec
    assert calls == [('connect', True), ('connect2', True)] + [
        (name, name, tf.AUTO_REUSE, True, True) for name in SUBGRAPHS]
    assert [v.op.name for v in t.tf_graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)] \
        == ['usergraph/v']


def test_variable_scopes_are_reused_and_name_scopes_get_no_suffix():
    rec = Recommender()
    t = rec.traingraph
    made = {}

    @t.usergraph
    def first(subgraph):
        made['a'] = tf.get_variable('shared', [2])
        made['c'] = tf.constant(1.0, name='c')

    @t.usergraph.extend
    def second(subgraph):
        made['b'] = tf.get_variable('shared', [2])   # AUTO_REUSE: same variable

    t.connector(lambda graph: None)
    rec.build()
    assert made['a'] is made['b'] or made['a'].name == made['b'].name
    assert made['a'].name == 'usergraph/shared:0'
    assert made['c'].name == 'usergraph/c:0'
    assert len(t.tf_graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)) == 1


# ---------------------------------------------------------------------------------------
# train / serve: values and return structures
# ---------------------------------------------------------------------------------------

def test_train_and_serve_values_and_return_structures(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    values = tables(0)
    assign(rec, 'train', values)
    serve_values = tables(1)
    assign(rec, 'serve', serve_values)

    # Q18: before the first train, serving uses the serve graph's own values
    result = rec.serve(SERVE_BATCH)
    assert sorted(result) == ['losses', 'outputs']
    assert len(result['outputs']) == 1
    close(result['outputs'][0], expected_scores(serve_values))
    u = serve_values['usergraph/user/embedding'][SERVE_BATCH['user_id']]
    v = serve_values['itemgraph/item/embedding'][SERVE_BATCH['item_id']]
    close(result['losses'], [L2 * l2(u), L2 * l2(v)])
    assert not os.path.exists(os.path.join(str(tmp_path), 'model.ckpt.index'))

    result = rec.train(TRAIN_BATCH)
    assert sorted(result) == ['losses', 'outputs']
    # losses: one per registered loss, registration order, not summed; Q5: no outputs -> []
    assert len(result['losses']) == 4
    assert all(isinstance(x, np.float32) for x in result['losses'])
    close(result['losses'], expected_train_losses(values))
    assert result['outputs'] == []
    assert rec._flag_updated is True

    trained = {name: get(rec, 'train', name) for name in TRAIN_VARS}
    assert not np.allclose(trained['usergraph/user/embedding'], values['usergraph/user/embedding'])
    # train -> serve synchronisation through <save_model_dir>/model.ckpt
    result = rec.serve(SERVE_BATCH)
    assert rec._flag_updated is False
    close(result['outputs'][0], expected_scores(trained))
    for suffix in ['index', 'data-00000-of-00001', 'meta']:
        assert os.path.exists(os.path.join(str(tmp_path), 'model.ckpt.' + suffix))
    assert os.path.exists(os.path.join(str(tmp_path), 'checkpoint'))


def test_fetch_identifiers_and_none(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    values = tables(2)
    assign(rec, 'train', values)
    t = rec.traingraph

    @t.interactiongraph.extend
    def unused(subgraph):
        pass

    with t.tf_graph.as_default():
        # registered after the build, inside the graph: picked up by later calls
        user_vec = t.usergraph['user_vec']
        t.register_output(user_vec, identifier='vectors')
        t.register_loss(tf.reduce_sum(user_vec), identifier='sum')
        t.register_operation(tf.no_op(name='nothing'), identifier='noop')
    result = rec.train(TRAIN_BATCH, operations_id='noop', losses_id='sum', outputs_id='vectors')
    u = values['usergraph/user/embedding'][TRAIN_BATCH['user_id']]
    close(result['losses'], [u.sum()])
    assert len(result['outputs']) == 1
    close(result['outputs'][0], u)
    # nothing trained by the no-op
    close(get(rec, 'train', 'usergraph/user/embedding'), values['usergraph/user/embedding'])
    assert rec.train(TRAIN_BATCH, operations_id=None, losses_id=None, outputs_id=None) \
        == {'losses': [], 'outputs': []}
    # an input mapping of None feeds nothing (only fetches that need no input)
    assert rec.train(None, input_mapping_id=None, operations_id=None, losses_id=None,
                     outputs_id=None) == {'losses': [], 'outputs': []}
    # unknown identifiers: empty fetch lists
    assert rec.train(TRAIN_BATCH, operations_id='x', losses_id='y', outputs_id='z') \
        == {'losses': [], 'outputs': []}
    result = rec.serve(SERVE_BATCH, losses_id=None)
    assert result['losses'] == [] and len(result['outputs']) == 1
    with pytest.raises(KeyError):
        rec.train(TRAIN_BATCH, input_mapping_id='absent')


def test_operation_results_and_outputs_after_operations(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=False).build()
    values = tables(3)
    assign(rec, 'train', values)
    t = rec.traingraph
    with t.tf_graph.as_default():
        t.register_output(t.usergraph['user_vec'])
    result = rec.train(TRAIN_BATCH)
    close(result['losses'], expected_train_losses(values))
    assert len(result['outputs']) == 1
    close(result['outputs'][0], values['usergraph/user/embedding'][TRAIN_BATCH['user_id']])


def test_inspect_ports(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    values = tables(4)
    assign(rec, 'train', values)
    t, s = rec.T, rec.S
    assert t is rec.traingraph and s is rec.servegraph
    ports = {'u': t.usergraph['user_vec'], 'p': [t.itemgraph['p_item_vec']]}
    got = rec.train_inspect_ports(TRAIN_BATCH, ports=ports)
    close(got['u'], values['usergraph/user/embedding'][TRAIN_BATCH['user_id']])
    close(got['p'][0], values['itemgraph/item/embedding'][TRAIN_BATCH['p_item_id']])
    assert rec._flag_updated is False       # inspecting does not mark the model updated
    assert rec.train_inspect_ports(TRAIN_BATCH) == []
    # only the fields present are fed
    got = rec.train_inspect_ports({'user_id': TRAIN_BATCH['user_id']},
                                  ports=[t.usergraph['user_vec']])
    close(got[0], values['usergraph/user/embedding'][TRAIN_BATCH['user_id']])

    rec.train(TRAIN_BATCH)
    trained = {name: get(rec, 'train', name) for name in TRAIN_VARS}
    # serve_inspect_ports synchronises first, feeds only the given fields
    got = rec.serve_inspect_ports({'user_id': np.array([2, 2])}, ports=[s.usergraph['user_vec']])
    assert rec._flag_updated is False
    close(got[0], trained['usergraph/user/embedding'][[2, 2]])
    with s.tf_graph.as_default():
        table = variables(rec, 'serve')['itemgraph/item/embedding']
    got = rec.serve_inspect_ports(None, ports=table, input_mapping_id=None)
    close(got, trained['itemgraph/item/embedding'])


def test_train_inspect_ports_needs_a_mapping_id():
    # spec 3.4: unlike serve_inspect_ports, an input_mapping_id of None is not supported
    rec = toy().build()
    with pytest.raises(KeyError):
        rec.train_inspect_ports(TRAIN_BATCH, ports=[], input_mapping_id=None)


def test_sync_adds_one_restore_saver_however_many_syncs(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    train_ops, serve_ops = count_ops(rec, 'train'), count_ops(rec, 'serve')
    rec.train(TRAIN_BATCH)
    rec.serve(SERVE_BATCH)
    after_first = count_ops(rec, 'serve')
    assert after_first > serve_ops          # the restore saver
    for _ in range(3):
        rec.train(TRAIN_BATCH)
        trained = {name: get(rec, 'train', name) for name in TRAIN_VARS}
        close(rec.serve(SERVE_BATCH)['outputs'][0], expected_scores(trained))
        rec.train(TRAIN_BATCH)
        got = rec.serve_inspect_ports(SERVE_BATCH, ports=rec.S.usergraph['user_vec'])
        close(got, get(rec, 'train', 'usergraph/user/embedding')[SERVE_BATCH['user_id']])
    assert count_ops(rec, 'serve') == after_first
    assert count_ops(rec, 'train') == train_ops     # saving reuses the train saver


def test_feeding_batches():
    rec = toy(serve=False).build()
    values = tables(5)
    assign(rec, 'train', values)
    expected = expected_train_losses(values)

    class FrozenMapping(collections.abc.Mapping):
        def __init__(self, data):
            self._data = data

        def __getitem__(self, key):
            return self._data[key]

        def __iter__(self):
            return iter(self._data)

        def __len__(self):
            return len(self._data)

    structured = np.zeros(B, dtype=[('user_id', np.int64), ('p_item_id', np.int32),
                                    ('n_item_id', np.int64)])
    for name in structured.dtype.names:
        structured[name] = TRAIN_BATCH[name]
    for batch in [TRAIN_BATCH, collections.OrderedDict(TRAIN_BATCH), FrozenMapping(TRAIN_BATCH),
                  structured, structured.view(np.recarray),
                  {k: v.tolist() for k, v in TRAIN_BATCH.items()}]:
        close(rec.train(batch, operations_id=None)['losses'], expected)

    for bad in [[1, 2, 3], np.arange(4), structured[0], 'user_id', None]:
        with pytest.raises(TypeError, match='Invalid batch data format') as info:
            rec.train(bad)
        assert isinstance(info.value, AssertionError)
        assert 'batch_data' in str(info.value)
    batch = dict(TRAIN_BATCH, extra=np.zeros(B))
    with pytest.raises(ValueError, match="extra") as info:
        rec.train(batch)
    message = str(info.value)
    assert 'user_id' in message and 'p_item_id' in message and 'n_item_id' in message
    # a smaller batch fails TF's feed-shape check (static batch size), nothing was run
    with pytest.raises(ValueError, match='Cannot feed value of shape'):
        rec.train({k: v[:2] for k, v in TRAIN_BATCH.items()})
    close(get(rec, 'train', 'usergraph/user/embedding'), values['usergraph/user/embedding'])


# ---------------------------------------------------------------------------------------
# save / restore / init_model_dir
# ---------------------------------------------------------------------------------------

def test_save_numbered_and_nested_directories(tmp_path):
    directory = str(tmp_path / 'a' / 'b')
    rec = toy(save_model_dir=directory).build()
    assert rec.save() is None                      # Q16: parents created
    assert os.path.exists(os.path.join(directory, 'model.ckpt.index'))
    rec.save(global_step=7)
    assert os.path.exists(os.path.join(directory, 'model.ckpt-7.index'))
    other = str(tmp_path / 'x' / 'y' / 'z')
    rec.save(save_model_dir=other, global_step=2)
    assert os.path.exists(os.path.join(other, 'model.ckpt-2.index'))
    assert rec._tf_train_saver._max_to_keep == 10


def test_saver_rotation_keeps_ten(tmp_path):
    rec = toy(save_model_dir=str(tmp_path)).build()
    rec.save()
    for step in range(1, 11):
        rec.save(global_step=step)
    # Q15 (kept): the un-numbered checkpoint is rotated out after ten further saves
    assert not os.path.exists(os.path.join(str(tmp_path), 'model.ckpt.index'))
    assert os.path.exists(os.path.join(str(tmp_path), 'model.ckpt-1.index'))


def test_restore_both_sides(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    values = tables(6)
    assign(rec, 'train', values)
    rec.save()
    assign(rec, 'train', tables(7))
    assign(rec, 'serve', tables(8))
    assert rec.restore(restore_train=True, restore_serve=True) is None
    for name in TRAIN_VARS:
        close(get(rec, 'train', name), values[name])
        close(get(rec, 'serve', name), values[name])
    # numbered checkpoints are never read by restore (Q14): model.ckpt only
    assign(rec, 'train', tables(9))
    rec.save(global_step=3)
    rec.restore(restore_serve=True)
    close(get(rec, 'serve', 'usergraph/user/embedding'), values['usergraph/user/embedding'])
    # another directory
    rec.save(save_model_dir=str(tmp_path / 'other'))
    rec.restore(save_model_dir=str(tmp_path / 'other'), restore_serve=True)
    close(get(rec, 'serve', 'usergraph/user/embedding'),
          tables(9)['usergraph/user/embedding'])


def test_init_model_dir_optimistic_restore(tmp_path):
    directory = str(tmp_path)
    first = toy(save_model_dir=directory).build()
    for _ in range(3):
        first.train(TRAIN_BATCH)
    first.save()
    saved = {name: get(first, 'train', name) for name in variables(first, 'train')}
    assert saved['optimizergraph/beta1_power'] == pytest.approx(0.9 ** 4)

    second = toy(init_model_dir=directory, save_model_dir=str(tmp_path / 'second'),
                 serve=True).build()
    for name, value in saved.items():
        if name.endswith('_power'):
            # Q11 (kept): scalars are never restored, Adam's powers restart
            assert get(second, 'train', name) == pytest.approx(0.9 if 'beta1' in name else 0.999)
        else:
            close(get(second, 'train', name), value)
    for name in TRAIN_VARS:
        close(get(second, 'serve', name), saved[name])

    # shape mismatch: skipped silently, the other variables are restored
    third = toy(users=U + 1, init_model_dir=directory).build()
    close(get(third, 'train', 'itemgraph/item/embedding'), saved['itemgraph/item/embedding'])
    assert get(third, 'train', 'usergraph/user/embedding').shape == (U + 1, D)
    assert not np.allclose(saved['optimizergraph/itemgraph/item/embedding/Adam'], 0)
    close(get(third, 'train', 'optimizergraph/itemgraph/item/embedding/Adam'),
          saved['optimizergraph/itemgraph/item/embedding/Adam'])
    close(get(third, 'train', 'optimizergraph/usergraph/user/embedding/Adam'),
          np.zeros((U + 1, D)))


def test_restore_checkpoint_of_a_plain_saver(tmp_path):
    values = tables(10)
    graph = tf.Graph()
    with graph.as_default():
        made = [tf.get_variable(name, initializer=value) for name, value in values.items()]
        tf.get_variable('unrelated', initializer=np.ones(3, np.float32))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, os.path.join(str(tmp_path), 'model.ckpt'))
    assert len(made) == 2
    rec = toy(init_model_dir=str(tmp_path), serve=True).build()
    for name, value in values.items():
        close(get(rec, 'train', name), value)
        close(get(rec, 'serve', name), value)
    close(rec.serve(SERVE_BATCH)['outputs'][0], expected_scores(values))


def test_restore_errors(tmp_path):
    # missing checkpoint: TF's NotFoundError
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    with pytest.raises(tf.errors.NotFoundError):
        rec.restore(restore_train=True)
    # Q12: no variable of this graph in the checkpoint -> ValueError naming the path
    graph = tf.Graph()
    with graph.as_default():
        tf.get_variable('something/else', initializer=np.ones(3, np.float32))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, os.path.join(str(tmp_path), 'model.ckpt'))
    path = os.path.join(str(tmp_path), 'model.ckpt')
    with pytest.raises(ValueError, match='model.ckpt') as info:
        rec.restore(restore_serve=True)
    assert str(tmp_path) in str(info.value)
    # Q13: a disabled side
    train_only = toy(save_model_dir=str(tmp_path)).build()
    with pytest.raises((RuntimeError, ValueError), match='serve') as info:
        train_only.restore(restore_serve=True)
    assert isinstance(info.value, AssertionError)
    serve_only = toy(save_model_dir=str(tmp_path), train=False, serve=True).build()
    with pytest.raises((RuntimeError, ValueError), match='[Tt]rain') as info:
        serve_only.restore(restore_train=True)
    assert isinstance(info.value, AssertionError)
    assert os.path.exists(path + '.index')


def test_build_with_init_model_dir_missing_checkpoint(tmp_path):
    rec = toy(init_model_dir=str(tmp_path / 'nothing'))
    with pytest.raises(tf.errors.NotFoundError):
        rec.build()
    assert not rec.isbuilt()


# ---------------------------------------------------------------------------------------
# Recommender: construction, build, state errors, FIX rows
# ---------------------------------------------------------------------------------------

def test_constructor_defaults_and_private_names():
    rec = Recommender()
    assert rec._init_model_dir is None and rec._save_model_dir is None
    assert rec._train is True and rec._serve is False
    assert rec._flag_updated is False and rec._flag_isbuilt is False and not rec.isbuilt()
    assert rec.T is rec.traingraph and rec.S is rec.servegraph
    assert isinstance(rec.traingraph, machinery._RecommenderGraph)
    assert rec.traingraph.tf_graph is not rec.servegraph.tf_graph
    assert isinstance(rec.traingraph.tf_graph, tf.Graph)
    assert rec.traingraph.tf_graph.get_operations() == []
    for name in SUBGRAPHS:
        assert isinstance(getattr(rec.traingraph, name), machinery._SubGraph)
        assert getattr(rec.traingraph, name) is not getattr(rec.servegraph, name)
    assert isinstance(rec.traingraph.connector, machinery._Connector)
    with pytest.raises(AttributeError):
        rec.traingraph.tf_graph = tf.Graph()


def test_sentinel_rejects_positional_arguments():
    # Q2 FIX: the original silently shifted every argument
    with pytest.raises(TypeError, match='keyword'):
        Recommender('a', 'b', 'c')
    rec = Recommender(init_model_dir='b', save_model_dir='c')
    assert rec._init_model_dir == 'b' and rec._save_model_dir == 'c'


def test_built_sessions_savers_and_second_build(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True)
    assert rec.build() is rec and rec.isbuilt()
    assert rec._tf_train_sess.graph is rec.traingraph.tf_graph
    assert rec._tf_serve_sess.graph is rec.servegraph.tf_graph
    assert isinstance(rec._tf_train_saver, tf.train.Saver)
    assert isinstance(rec._tf_serve_saver, tf.train.Saver)
    assert rec._tf_train_sess._config.gpu_options.allow_growth
    ops = count_ops(rec, 'train'), count_ops(rec, 'serve')
    values = get(rec, 'train', 'usergraph/user/embedding')
    # Q6 FIX: a second build returns self and rebuilds nothing
    assert rec.build() is rec
    assert (count_ops(rec, 'train'), count_ops(rec, 'serve')) == ops
    close(get(rec, 'train', 'usergraph/user/embedding'), values)


def test_build_disabled_sides():
    rec = toy(train=False, serve=False)
    assert rec.build() is rec and rec.isbuilt()
    assert rec.traingraph.tf_graph.get_operations() == []
    rec = toy(train=False, serve=True).build()
    assert rec.servegraph.tf_graph.get_operations() != []
    assert rec.traingraph.tf_graph.get_operations() == []
    with pytest.raises(RuntimeError, match='^Train is disabled') as info:
        rec.train(TRAIN_BATCH)
    assert isinstance(info.value, AssertionError)
    with pytest.raises(RuntimeError, match='^Train is disabled'):
        rec.train_inspect_ports(TRAIN_BATCH)
    rec = toy(train=True, serve=False).build()
    with pytest.raises(RuntimeError, match='^serve is disabled') as info:
        rec.serve(SERVE_BATCH)
    assert isinstance(info.value, AssertionError)
    with pytest.raises(RuntimeError, match='^serve graph is disabled'):
        rec.serve_inspect_ports(SERVE_BATCH)


def test_state_errors_before_build():
    rec = toy(serve=True)
    for call, message in [(lambda: rec.train(TRAIN_BATCH), '^Train graph is not built'),
                          (lambda: rec.train_inspect_ports(TRAIN_BATCH), '^Train graph is not built'),
                          (lambda: rec.serve(SERVE_BATCH), '^serve graph is not built'),
                          (lambda: rec.serve_inspect_ports(SERVE_BATCH), '^serve graph is not built')]:
        with pytest.raises(RuntimeError, match=message) as info:
            call()
        assert isinstance(info.value, AssertionError)


def test_sync_without_save_model_dir():
    # Q9: the disk sync needs save_model_dir
    rec = toy(serve=True).build()
    rec.train(TRAIN_BATCH)
    with pytest.raises(ValueError, match='save_model_dir is not specified') as info:
        rec.serve(SERVE_BATCH)
    assert isinstance(info.value, AssertionError)
    with pytest.raises(ValueError, match='save_model_dir is not specified'):
        rec.serve_inspect_ports(SERVE_BATCH)
    rec._save_model_dir = None
    with pytest.raises((ValueError, TypeError), match='save_model_dir'):
        rec.save()


def test_graph_without_variables():
    # Q7 FIX: a clear error naming the graph instead of TF's "No variables to save"
    rec = Recommender()

    @rec.traingraph.inputgraph(outs=['x'])
    def inputs(subgraph):
        subgraph['x'] = tf.placeholder(tf.float32, [None], name='x')

    rec.traingraph.connector(lambda graph: None)
    with pytest.raises(ValueError, match='train') as info:
        rec.build()
    assert 'variable' in str(info.value)
    assert not rec.isbuilt()


def test_connection_not_specified():
    # Q8: kept requirement, raised as ValueError
    rec = Recommender()
    rec.traingraph.usergraph(lambda subgraph: tf.get_variable('v', [1]))
    with pytest.raises(ValueError, match='^Graph connection is not specified') as info:
        rec.build()
    assert isinstance(info.value, AssertionError)
    assert not rec.isbuilt()
    with pytest.raises(ValueError, match='^Graph connection is not specified'):
        rec.traingraph.connector.build()


def test_argument_checks():
    with pytest.raises(TypeError, match='train'):
        Recommender(train='yes')
    with pytest.raises(TypeError, match='serve'):
        Recommender(serve=None)
    with pytest.raises(TypeError, match='save_model_dir'):
        Recommender(save_model_dir=3)
    with pytest.raises(TypeError, match='init_model_dir'):
        Recommender(init_model_dir=['a'])


# ---------------------------------------------------------------------------------------
# subgraph declarations (spec 2.2)
# ---------------------------------------------------------------------------------------

def ports(subgraph):
    table, _ = subgraph.get_intrinsics()
    return {name: type(port).__name__ for name, port in table.items()}


def test_call_forms_and_return_values():
    sg = Recommender().traingraph.usergraph

    def f(subgraph):
        pass

    def g(subgraph):
        pass

    assert sg(f, ins=['a'], outs=['b']) is f
    table, funcs = sg.get_intrinsics()
    assert funcs == [f] and sorted(table) == ['a', 'b']
    decorator = sg(ins=['c'])
    assert callable(decorator) and sg.get_intrinsics()[1] == []   # discarded at once
    assert decorator(g) is g
    assert sg.get_intrinsics()[1] == [g] and sorted(sg.get_intrinsics()[0]) == ['c']
    # bare decorator: no ports
    assert sg(f) is f
    assert sg.get_intrinsics() == ({}, [f])
    # extend keeps ports and functions, bare or with ports
    assert sg.extend(g) is g
    assert sg.extend(outs=['d'])(g) is g
    assert sg.get_intrinsics()[1] == [f, g, g]
    assert sorted(sg.get_intrinsics()[0]) == ['d']


def test_port_kinds_and_redeclaration():
    sg = Recommender().traingraph.usergraph
    sg(ins=['a', 'both'], outs=['b', 'both'])
    kinds = ports(sg)
    assert kinds['a'] != kinds['b'] and kinds['both'] == kinds['b']
    out_kind, in_kind = kinds['b'], kinds['a']
    old = sg.get_intrinsics()[0]['b']
    sg.extend(ins=['b'])            # redeclared as a fresh in-port
    assert ports(sg)['b'] == in_kind
    sg.extend(outs=['b'])
    assert ports(sg)['b'] == out_kind and sg.get_intrinsics()[0]['b'] is not old
    # Q23 FIX: tuples accepted
    sg(ins=('x',), outs=('y',))
    assert ports(sg) == {'x': in_kind, 'y': out_kind}


def test_port_list_checks():
    sg = Recommender().traingraph.usergraph
    sg(ins=['keep'])
    for kwargs, message in [({'ins': 'user_id'}, r'^ins should be a list of strings\.'),
                            ({'outs': 'vec'}, '^outs should be a list of strings'),
                            ({'ins': None}, '^ins should be a list of strings'),
                            ({'ins': [1]}, 'ins'),
                            ({'outs': ['a', None]}, 'outs')]:
        for method in [sg, sg.extend]:
            with pytest.raises(TypeError, match=message) as info:
                method(**kwargs)
            assert isinstance(info.value, AssertionError)
    # nothing was discarded by the failed calls
    assert list(sg.get_intrinsics()[0]) == ['keep']


def test_port_access_rules_connect_and_build_modes():
    rec = Recommender()
    t = rec.traingraph
    t.inputgraph(outs=['out'])
    t.usergraph(ins=['in', 'loose'], outs=['mine'])
    sg = t.usergraph

    def raises(exc, message, func):
        with pytest.raises(exc, match=message) as info:
            func()
        assert isinstance(info.value, AssertionError)

    # connect mode
    for mode_subgraph in [t.inputgraph, sg]:
        raises(ValueError, r'^absent port is not found\.$', lambda: mode_subgraph['absent'])
        raises(ValueError, r'^absent port is not found\.$',
               lambda: mode_subgraph.__setitem__('absent', 1))
    assert t.inputgraph['out'] == (t.inputgraph, 'out')
    raises(RuntimeError, r'^\[Connect Error\] Getting a value from the in in-port$', lambda: sg['in'])
    raises(RuntimeError, r'^\[Connect Error\] Assigning a value to the mine out-port$',
           lambda: sg.__setitem__('mine', 1))
    with pytest.raises(TypeError) as info:
        sg['in'] = 'not a reference'
    assert isinstance(info.value, AssertionError)
    sg['in'] = t.inputgraph['out']
    sg['in'] = [t.inputgraph, 'out']        # any 2-item reference

    # build mode, before this subgraph is built
    for name in SUBGRAPHS:
        getattr(t, name).ready()
    raises(RuntimeError, r'^\[Build Error\] Getting a value from an unconstructed graph\.',
           lambda: sg['mine'])
    raises(RuntimeError, r'^\[Build Error\] Getting a value from an unconstructed graph\.',
           lambda: sg['in'])
    raises(RuntimeError, r'^\[Build Error\] Assigning a value to the in in-port$',
           lambda: sg.__setitem__('in', 1))
    sg['mine'] = 'early'                    # out-ports may be written before the build
    raises(ValueError, r'^absent port is not found\.$', lambda: sg['absent'])

    sg.build()
    assert sg['mine'] == 'early'
    assert sg['loose'] is None              # unconnected in-port
    # connected in-port: resolved at read time, applies the built check to the source
    raises(RuntimeError, r'unconstructed graph', lambda: sg['in'])
    t.inputgraph.build()
    assert t.inputgraph['out'] is None
    assert sg['in'] is None
    t.inputgraph['out'] = 5
    assert sg['in'] == 5
    t.inputgraph['out'] = 'later'
    assert sg['in'] == 'later'
    sg['mine'] = [1]
    assert sg['mine'] == [1]


def test_build_runs_functions_once_in_order_with_flag_set_first():
    sg = Recommender().traingraph.usergraph
    calls = []

    @sg(outs=['v'])
    def first(subgraph):
        subgraph['v'] = 1
        calls.append(('first', subgraph['v']))   # own ports readable while building
        return 'ignored'

    @sg.extend
    def second(subgraph):
        calls.append(('second', subgraph is sg))

    sg.ready()
    assert sg.build() is None
    sg.build()
    assert calls == [('first', 1), ('second', True)]


def test_reading_a_later_subgraph_while_building():
    rec = Recommender()
    t = rec.traingraph

    @t.usergraph(ins=['item_vec'])
    def user(subgraph):
        subgraph['item_vec']

    @t.itemgraph(outs=['item_vec'])
    def item(subgraph):
        subgraph['item_vec'] = tf.get_variable('v', [1])

    @t.connector
    def connect(graph):
        graph.usergraph['item_vec'] = graph.itemgraph['item_vec']

    with pytest.raises(RuntimeError, match=r'unconstructed graph') as info:
        rec.build()
    assert isinstance(info.value, AssertionError)
    assert not rec.isbuilt()


def test_stacked_decorators_serve_both_graphs():
    rec = Recommender(serve=True)
    t, s = rec.traingraph, rec.servegraph
    calls = []

    @t.usergraph(outs=['v'])
    @s.usergraph(outs=['v'])
    def user(subgraph):
        calls.append(subgraph)
        subgraph['v'] = tf.get_variable('v', [2])

    @t.connector
    @s.connector
    def connect(graph):
        calls.append(graph)

    assert t.usergraph.get_intrinsics()[1] == [user] == s.usergraph.get_intrinsics()[1]
    rec.build()
    assert calls == [t, t.usergraph, s, s.usergraph]
    assert t.usergraph['v'].name == s.usergraph['v'].name == 'usergraph/v:0'
    assert t.usergraph['v'].graph is t.tf_graph and s.usergraph['v'].graph is s.tf_graph


def test_redeclaration_replaces_a_parent_definition():
    rec = toy(serve=True)
    t = rec.traingraph

    @t.interactiongraph(ins=['user_vec', 'p_item_vec', 'n_item_vec'])
    def hinge(subgraph):
        diff = tf.reduce_sum(subgraph['user_vec'] * (subgraph['n_item_vec'] - subgraph['p_item_vec']),
                             axis=1)
        subgraph.register_global_loss(tf.reduce_sum(tf.maximum(diff + 1.0, 0.0), name='hinge'))

    rec.build()
    values = tables(11)
    assign(rec, 'train', values)
    u = values['usergraph/user/embedding'][TRAIN_BATCH['user_id']]
    p = values['itemgraph/item/embedding'][TRAIN_BATCH['p_item_id']]
    n = values['itemgraph/item/embedding'][TRAIN_BATCH['n_item_id']]
    losses = rec.train(TRAIN_BATCH)['losses']
    assert len(losses) == 4
    close(losses[3], np.sum(np.maximum(np.sum(u * (n - p), axis=1) + 1.0, 0.0)))


def test_function_checks():
    sg = Recommender().traingraph.usergraph
    for bad in [5, 'f']:
        with pytest.raises(TypeError, match='build_func'):
            sg(bad)
        with pytest.raises(TypeError, match='build_func'):
            sg.extend(bad)
        with pytest.raises(TypeError, match='connect_func'):
            Recommender().traingraph.connector(bad)


# ---------------------------------------------------------------------------------------
# connector (spec 2.5)
# ---------------------------------------------------------------------------------------

def test_connector_forms():
    connector = Recommender().traingraph.connector
    f, g = (lambda graph: None), (lambda graph: None)
    assert connector(f) is f
    assert connector.extend(g) is g
    assert connector.extend()(f) is f
    assert connector._connect_funcs == [f, g, f]
    decorator = connector()
    assert connector._connect_funcs == []      # cleared at once
    assert decorator(g) is g
    assert connector._connect_funcs == [g]


def test_connector_call_clears_the_list():
    rec = Recommender()
    t = rec.traingraph
    calls = []
    t.usergraph(lambda subgraph: tf.get_variable('v', [1]))
    t.connector(lambda graph: calls.append('first'))
    t.connector.extend(lambda graph: calls.append('second'))
    t.connector(lambda graph: calls.append('third'))
    rec.build()
    assert calls == ['third']


# ---------------------------------------------------------------------------------------
# aliasing (Q22) and registries (spec 2.4, 2.5)
# ---------------------------------------------------------------------------------------

def test_subgraph_assignment_aliases_port_tables():
    rec = Recommender(serve=True)
    t, s = rec.traingraph, rec.servegraph
    original = t.usergraph

    @s.usergraph(outs=['v'])
    def f(subgraph):
        pass

    t.usergraph = s.usergraph
    assert t.usergraph is original                  # the object is kept
    assert t.usergraph.get_intrinsics()[0] is s.usergraph.get_intrinsics()[0]
    assert t.usergraph.get_intrinsics()[1] is s.usergraph.get_intrinsics()[1]

    @t.usergraph.extend(outs=['w'])
    def g(subgraph):
        pass

    assert s.usergraph.get_intrinsics()[1] == [f, g] and 'w' in s.usergraph.get_intrinsics()[0]
    t.usergraph(f)                                  # __call__ ends the sharing
    assert s.usergraph.get_intrinsics()[1] == [f, g]
    assert t.usergraph.get_intrinsics() == ({}, [f])
    # other attributes assign normally
    connector = t.connector
    t.connector = s.connector
    assert t.connector is s.connector is not connector
    t.something = 1
    assert t.something == 1
    # copy() is the mechanism
    other = Recommender().traingraph.itemgraph
    assert other.copy(s.usergraph) is None
    assert other.get_intrinsics()[1] is s.usergraph.get_intrinsics()[1]


def test_input_mappings_register_update_get():
    rec = Recommender()
    t = rec.traingraph
    sg = t.usergraph
    mapping = {'a': 1}
    sg.register_global_input_mapping(mapping)
    assert t.get_input_mapping() is mapping
    assert sg.get_global_input_mapping() is mapping      # Q4 FIX
    sg.update_global_input_mapping({'b': 2})
    assert mapping == {'a': 1, 'b': 2}
    t.register_input_mapping({'c': 3}, identifier='other')
    t.update_input_mapping({'d': 4}, identifier='other')
    assert sg.get_global_input_mapping('other') == {'c': 3, 'd': 4}
    replacement = {'z': 0}
    t.register_input_mapping(replacement)
    assert t.get_input_mapping() is replacement
    with pytest.raises(KeyError):
        t.get_input_mapping('absent')
    with pytest.raises(KeyError):
        sg.update_global_input_mapping({'x': 1}, identifier='absent')
    with pytest.raises(KeyError):
        sg.get_global_input_mapping('absent')


def test_global_registration_inside_a_build_lands_in_the_own_graph():
    rec = Recommender()
    t = rec.traingraph
    seen = {}

    @t.usergraph
    def user(subgraph):
        v = tf.get_variable('v', [2])
        subgraph.register_global_operation(v.initializer if hasattr(v, 'initializer') else v)
        subgraph.register_global_loss(tf.reduce_sum(v), identifier='l')
        subgraph.register_global_output(v + 1, identifier='o')
        seen['ops'] = subgraph.get_global_operations()
        seen['losses'] = subgraph.get_global_losses('l')
        seen['outputs'] = subgraph.get_global_outputs('o')

    t.connector(lambda graph: None)
    rec.build()
    assert len(seen['ops']) == 1 and len(seen['losses']) == 1 and len(seen['outputs']) == 1
    assert t.get_losses('l') == seen['losses']
    assert t.tf_graph.get_collection(PREFIX + 'losses.l') == seen['losses']
    assert t.tf_graph.get_collection(PREFIX + 'outputs.o') == seen['outputs']
    assert t.usergraph.get_global_outputs('o') == seen['outputs']
    assert t.get_losses() == []


def test_registration_outside_a_build_uses_the_default_graph():
    # Q21 (kept): the collection calls use the current default graph
    rec = Recommender()
    graph = tf.Graph()
    with graph.as_default():
        marker = tf.constant(1.0)
        with pytest.warns(UserWarning):
            rec.traingraph.usergraph.register_global_loss(marker)
    assert graph.get_collection(PREFIX + 'losses.default') == [marker]
    assert rec.traingraph.get_losses() == []


def test_identifier_checks():
    t = Recommender().traingraph
    with pytest.raises(TypeError, match='identifier'):
        t.get_losses(3)
    with pytest.raises(TypeError, match='identifier'):
        t.register_operation(tf.no_op, identifier=None)


def test_user_default_graph_is_left_alone(graph, tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True).build()
    rec.train(TRAIN_BATCH)
    rec.serve(SERVE_BATCH)
    assert graph.get_operations() == []
    assert tf.get_default_graph() is graph


@pytest.mark.skipif(V1_MODE, reason='eager execution is disabled in this mode')
def test_eager_execution_on(tmp_path):
    assert tf.executing_eagerly()
    rec = toy(save_model_dir=str(tmp_path), serve=True)
    rec.build()
    assert tf.executing_eagerly()
    values = tables(12)
    assign(rec, 'train', values)
    close(rec.train(TRAIN_BATCH)['losses'], expected_train_losses(values))
    trained = {name: get(rec, 'train', name) for name in TRAIN_VARS}
    close(rec.serve(SERVE_BATCH)['outputs'][0], expected_scores(trained))
    rec.save(global_step=1)
    rec.restore(restore_train=True, restore_serve=True)
    close(get(rec, 'serve', 'itemgraph/item/embedding'), trained['itemgraph/item/embedding'])
    assert tf.executing_eagerly()


def test_collection_prefix_and_package_exports():
    import openrec.tf1.recommenders as package
    assert package.Recommender is Recommender
    assert Recommender.__module__ == 'openrec.tf1.recommenders.recommender'
    rec = toy().build()
    keys = rec.traingraph.tf_graph.get_all_collection_keys()
    assert PREFIX + 'losses.default' in keys and PREFIX + 'operations.default' in keys
    assert not any(k.startswith('openrec.recommender.') for k in keys)


def test_failed_build_can_be_retried(tmp_path):
    rec = toy(save_model_dir=str(tmp_path), serve=True)
    t = rec.traingraph
    first_graph = t.tf_graph
    declared = t.interactiongraph.get_intrinsics()[1][:]

    @t.interactiongraph.extend
    def broken(subgraph):
        raise RuntimeError('a bug in a build function')

    with pytest.raises(RuntimeError, match='a bug'):
        rec.build()
    assert not rec.isbuilt()
    assert t.tf_graph is not first_graph          # a fresh graph for the retry
    t.interactiongraph.get_intrinsics()[1][:] = declared
    rec.build()
    # names as in a first build (no _1 suffixes), everything usable
    assert var_table(rec, 'serve') == {name: (shape, True) for name, shape in TRAIN_VARS.items()}
    assert [x.name for x in t.get_operations()] == ['optimizergraph/Adam']
    values = tables(13)
    assign(rec, 'train', values)
    close(rec.train(TRAIN_BATCH)['losses'], expected_train_losses(values))


def test_restore_savers_are_cached_per_selection(tmp_path):
    rec = toy(save_model_dir=str(tmp_path / 'a'), serve=True).build()
    rec.save()
    rec.save(save_model_dir=str(tmp_path / 'b'))
    rec.restore(restore_serve=True)
    ops = count_ops(rec, 'serve')
    rec.restore(save_model_dir=str(tmp_path / 'b'), restore_serve=True)
    rec.restore(restore_serve=True)
    assert count_ops(rec, 'serve') == ops
    # another selection (a checkpoint holding only the user table) gets its own saver
    values = tables(14)
    graph = tf.Graph()
    with graph.as_default():
        tf.get_variable('usergraph/user/embedding', initializer=values['usergraph/user/embedding'])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, os.path.join(str(tmp_path / 'c'), 'model.ckpt'))
    before = get(rec, 'serve', 'itemgraph/item/embedding')
    rec.restore(save_model_dir=str(tmp_path / 'c'), restore_serve=True)
    assert count_ops(rec, 'serve') > ops
    close(get(rec, 'serve', 'usergraph/user/embedding'), values['usergraph/user/embedding'])
    close(get(rec, 'serve', 'itemgraph/item/embedding'), before)


def test_serve_only_with_init_model_dir(tmp_path):
    values = tables(15)
    trained = toy(save_model_dir=str(tmp_path)).build()
    assign(trained, 'train', values)
    trained.save()
    rec = toy(init_model_dir=str(tmp_path), train=False, serve=True).build()
    assert rec._tf_train_sess is None and rec.traingraph.tf_graph.get_operations() == []
    close(rec.serve(SERVE_BATCH)['outputs'][0], expected_scores(values))
    with pytest.raises(RuntimeError, match='^Train is disabled'):
        rec.save()


def test_signatures():
    import inspect
    sig = lambda f: str(inspect.signature(f))
    assert sig(Recommender) == \
        '(_sentinel=None, init_model_dir=None, save_model_dir=None, train=True, serve=False)'
    ids = "input_mapping_id='default', operations_id='default', losses_id='default', " \
          "outputs_id='default'"
    assert sig(Recommender.train) == sig(Recommender.serve) == '(self, batch_data, %s)' % ids
    assert sig(Recommender.train_inspect_ports) == sig(Recommender.serve_inspect_ports) == \
        "(self, batch_data, ports=[], input_mapping_id='default')"
    assert sig(Recommender.save) == '(self, save_model_dir=None, global_step=None)'
    assert sig(Recommender.restore) == \
        '(self, save_model_dir=None, restore_train=False, restore_serve=False)'
    assert sig(Recommender.build) == sig(Recommender.isbuilt) == '(self)'
    subgraph, connector = machinery._SubGraph, machinery._Connector
    assert sig(subgraph.__call__) == sig(subgraph.extend) == \
        '(self, build_func=None, ins=[], outs=[])'
    assert sig(connector.__call__) == sig(connector.extend) == '(self, connect_func=None)'
    for kind in ['operation', 'loss', 'output']:
        assert sig(getattr(subgraph, 'register_global_' + kind)) == \
            "(self, %s, identifier='default')" % kind
        assert sig(getattr(subgraph, 'get_global_%ss' % ('losse' if kind == 'loss' else kind))) \
            == "(self, identifier='default')"
    assert sig(subgraph.register_global_input_mapping) == \
        "(self, input_mapping, identifier='default')"
    assert sig(subgraph.update_global_input_mapping) == \
        "(self, update_input_mapping, identifier='default')"
    graph = machinery._RecommenderGraph
    assert sig(graph.register_input_mapping) == "(self, input_mapping, identifier='default')"
    assert sig(graph.update_input_mapping) == \
        "(self, update_input_mapping, identifier='default')"
    assert graph._SubGraph is subgraph and graph._Connector is connector


def test_variable_kind_follows_graph_mode():
    rec = toy().build()
    with rec.traingraph.tf_graph.as_default():
        var = tf.global_variables()[0]
    assert ('Resource' not in type(var).__name__) == V1_MODE

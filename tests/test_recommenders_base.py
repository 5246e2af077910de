"""Recommender base: registries, loss composition, own graph and session, validation."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _recommender_helpers import B, D, I, U, adam_slots, assign, close, get, l2, pair_batch, var_table
from conftest import V1_MODE
from openrec.modules.extractions import LatentFactor
from openrec.recommenders import (BPR, CDL, CML, GMF, NBPR, PMF, WCML, ConcatVisualBPR, ItrMLP,
                                  Recommender, UserPMF, UserVisualPMF, VisualBPR, VisualCML,
                                  VisualGMF, VisualPMF)


class Toy(Recommender):
    """One LatentFactor with an L2 loss: the loss is l2_reg * sum(rows ** 2) / 2."""

    def __init__(self, calls=None, **kwargs):
        self.calls = calls if calls is not None else []
        super(Toy, self).__init__(**kwargs)

    def _build_extra_inputs(self, train=True):
        self._add_input('ids', dtype='int32', shape=[None], train=train)
        self._add_input('nothing', dtype='none', train=train)

    def _build_extra_extractions(self, train=True):
        self._add_module('vec', LatentFactor([self._max_user, 3], ids=self._get_input('ids', train),
                                             l2_reg=1.0, scope='vec', reuse=not train),
                         train=train)

    def _build_default_fusions(self, train=True):
        self.calls.append(('fusion', train))

    def _build_default_interactions(self, train=True):
        self.calls.append(('interaction', train))

    def _input_mappings(self, batch_data, train):
        return {self._get_input('ids', train): batch_data['ids']}


def test_registries_and_placeholders():
    calls = []
    extra = lambda train: calls.append(('extra', train))
    toy = Toy(calls=calls, batch_size=2, max_user=5, max_item=5,
              extra_interactions_funcs=[extra], extra_fusions_funcs=[extra])
    assert calls == [('fusion', True), ('extra', True), ('interaction', True), ('extra', True),
                     ('fusion', False), ('extra', False), ('interaction', False), ('extra', False)]
    assert toy._get_input('ids').name == 'ids_train:0'
    assert toy._get_input('ids', train=False).name == 'ids_serving:0'
    assert toy._get_input('ids').dtype == tf.int32
    assert toy._get_input('nothing') is None and toy._get_input('nothing', train=False) is None
    with pytest.raises(KeyError):
        toy._get_input('absent')
    with pytest.raises(KeyError):
        toy._get_module('absent', train=False)
    # only the training module counts in the loss
    assert toy._loss_nodes == [toy._get_module('vec')]
    with toy.graph.as_default(), pytest.raises(ValueError, match="dtype must be one of .*'int32'.* got 'int31'"):
        toy._input('int31')
    for name, dtype in Recommender._str_to_dtype.items():
        assert dtype.name == name


def test_loss_and_sgd_step_and_module_queries():
    toy = Toy(batch_size=2, max_user=5, max_item=5, lr=0.1)
    table = np.arange(15, dtype=np.float32).reshape(5, 3) / 10
    assign(toy, {'vec/embedding': table})
    batch = {'ids': np.array([1, 3, 1])}
    close(toy.compute_module_loss('vec', batch), l2(table[[1, 3, 1]]))
    outputs = toy.compute_module_outputs('vec', batch, train=False)
    assert len(outputs) == 1
    close(outputs[0], table[[1, 3, 1]])
    loss = toy.train(batch)
    close(loss, l2(table[[1, 3, 1]]))
    expected = table.copy()
    expected[1] -= 0.1 * 2 * table[1]
    expected[3] -= 0.1 * table[3]
    close(get(toy, 'vec/embedding'), expected)


def test_float_losses_are_not_run():
    toy = Toy(batch_size=2, max_user=5, max_item=5)
    toy._add_module('constant', type('M', (), {'get_loss': lambda self: 0.0,
                                                'get_outputs': lambda self: []})(), train=False)
    assert toy.compute_module_loss('constant', None, train=False) == 0.0
    assert toy.compute_module_outputs('constant', None, train=False) == []


def test_bare_recommender_has_no_loss():
    with pytest.raises(ValueError, match='Recommender has no loss to minimize'):
        Recommender(batch_size=2, max_user=3, max_item=3)


def test_default_learning_rates_and_optimizers():
    assert BPR(B, U, I, D)._lr == 0.005
    adam = BPR(B, U, I, D, opt='Adam')
    assert adam._lr == 0.001
    assert BPR(B, U, I, D, opt='Adam', lr=0.3)._lr == 0.3
    base = {'user/embedding': (U, D), 'item/embedding': (I, D), 'item_bias/embedding': (I, 1)}
    expected = dict(base)
    expected.update(adam_slots(base))
    assert var_table(adam) == expected
    assert var_table(BPR(B, U, I, D, lr=0.5)) == base


def test_graph_and_session_properties_are_owned_and_read_only(graph):
    rec = BPR(B, U, I, D)
    assert isinstance(rec.graph, tf.Graph) and rec.graph is not graph
    assert rec.sess.graph is rec.graph
    assert graph.get_operations() == []
    with pytest.raises(AttributeError):
        rec.graph = graph
    with pytest.raises(AttributeError):
        rec.sess = None


def test_two_recommenders_live_in_one_process():
    first, second = BPR(B, U, I, D), PMF(B, D, U, I)
    third = BPR(B, U, I, D)
    assert len({id(first.graph), id(second.graph), id(third.graph)}) == 3
    batch = pair_batch(0)
    assert np.isfinite(first.train(batch)) and np.isfinite(third.train(batch))
    serving = {'user_id_input': np.arange(B), 'item_id_input': np.arange(I)}
    assert first.serve(serving).shape == (B, I)
    assert second.serve(serving).shape == (B, I)


@pytest.mark.skipif(V1_MODE, reason='eager execution is off in v1 mode')
def test_construction_with_eager_execution_on(tmp_path):
    assert tf.executing_eagerly()
    rec = BPR(B, U, I, D, test_batch_size=B)
    assert tf.executing_eagerly()
    loss = rec.train(pair_batch(1))
    assert np.isfinite(loss)
    assert rec.serve({'user_id_input': np.arange(B), 'item_id_input': np.arange(I)}).shape == (B, I)
    rec.save(str(tmp_path / 'model'), 1)
    rec.load(str(tmp_path / 'model-1'))


def test_init_dict_sets_start_values():
    user = np.full((U, D), 0.25, np.float32)
    rec = BPR(B, U, I, D, init_dict={'user/embedding/Initializer/truncated_normal:0': user})
    close(get(rec, 'user/embedding'), user)
    assert np.abs(get(rec, 'item/embedding')).max() <= 0.02


def test_sess_config_is_used():
    config = tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    rec = PMF(B, D, U, I, sess_config=config)
    assert rec.serve({'user_id_input': [0], 'item_id_input': [0, 1]}).shape == (1, 2)


# ----------------------------------------------------------------------------------
# validation: clear errors before anything is built
# ----------------------------------------------------------------------------------

F = np.zeros((I, 6), np.float32)
UF = np.zeros((U, 3), np.float32)
EMB_U, EMB_I = np.zeros((U, D), np.float32), np.zeros((I, D), np.float32)

BAD = [
    (BPR, dict(batch_size=0, max_user=U, max_item=I, dim_embed=D), ValueError, 'batch_size must be a positive int, got 0'),
    (BPR, dict(batch_size=2.0, max_user=U, max_item=I, dim_embed=D), TypeError, 'batch_size must be a positive int, got 2.0'),
    (BPR, dict(batch_size=B, max_user=-1, max_item=I, dim_embed=D), ValueError, 'max_user must be a positive int, got -1'),
    (BPR, dict(batch_size=B, max_user=U, max_item=0, dim_embed=D), ValueError, 'max_item must be a positive int, got 0'),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=0), ValueError, 'dim_embed must be a positive int, got 0'),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, test_batch_size=0), ValueError, 'test_batch_size must be a positive int'),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, opt='sgd'), ValueError, "opt must be one of 'SGD', 'Adam', got 'sgd'"),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, opt='RMSProp', lr=0.1), ValueError, "opt must be one of 'SGD', 'Adam', got 'RMSProp'"),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, opt=None), TypeError, "opt must be one of 'SGD', 'Adam', got None"),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, lr=0), ValueError, 'lr must be > 0, got 0'),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, lr='fast'), TypeError, 'lr must be a number'),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, l2_reg=-1.0), ValueError, 'l2_reg must be >= 0'),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, init_dict=[1]), TypeError, 'init_dict must be a dict'),
    (BPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, sess_config={}), TypeError, 'sess_config must be a tf.compat.v1.ConfigProto'),
    (Recommender, dict(batch_size=B, max_user=U, max_item=I, extra_fusions_funcs=[1]), TypeError, 'extra_fusions_funcs[0] must be callable'),
    (Recommender, dict(batch_size=B, max_user=U, max_item=I, extra_interactions_funcs=len), TypeError, 'extra_interactions_funcs must be a list of callables'),
    (CML, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, opt='adam'), ValueError, "opt must be one of"),
    (NBPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, neg_num=0), ValueError, 'neg_num must be a positive int, got 0'),
    (WCML, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, neg_num='5'), TypeError, "neg_num must be a positive int, got '5'"),
    (PMF, dict(batch_size=B, dim_embed=D, max_user=U, max_item=I, opt='Momentum'), ValueError, "opt must be one of 'SGD', 'Adam'"),
    (GMF, dict(batch_size=B, dim_embed=-2, max_user=U, max_item=I), ValueError, 'dim_embed must be a positive int, got -2'),
    (VisualBPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[5, 3], item_f_source=F), ValueError, 'dims[-1] must equal dim_embed (4), got 3'),
    (VisualBPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[D], item_f_source=F[0]), ValueError, 'item_f_source must be a 2-D array, got shape (6,)'),
    (VisualBPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[D], item_f_source=None), ValueError, 'item_f_source cannot be None'),
    (VisualCML, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[], item_f_source=F), ValueError, 'dims must not be empty'),
    (VisualCML, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[D], item_f_source=F, dropout_rate=1.0), ValueError, 'dropout_rate must be a dropout rate in [0, 1)'),
    (ConcatVisualBPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dim_ve=D, item_f_source=F), ValueError, 'dim_ve must be smaller than dim_embed (4), got 4'),
    (ConcatVisualBPR, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dim_ve=2, item_f_source=[['a']]), TypeError, 'item_f_source must be a numeric array'),
    (VisualPMF, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[D], item_f_source=F, l2_reg_mlp=-0.1), ValueError, 'l2_reg_mlp must be >= 0'),
    (VisualGMF, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[D, 5], item_f_source=F), ValueError, 'dims[-1] must equal dim_embed (4), got 5'),
    (UserPMF, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims=[D], user_f_source=np.zeros((2, 2, 2))), ValueError, 'user_f_source must be a 2-D array'),
    (UserVisualPMF, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims_user=[3], dims_item=[D], user_f_source=UF, item_f_source=F), ValueError, 'dims_user[-1] must equal dim_embed (4), got 3'),
    (UserVisualPMF, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, dims_user=[D], dims_item=[0], user_f_source=UF, item_f_source=F), ValueError, 'dims_item[0] must be a positive int, got 0'),
    (CDL, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, item_f=F, dims=[6, 5, D]), ValueError, 'l2_reconst cannot be None'),
    (CDL, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, item_f=F, dims=[5, D], l2_reconst=1.0), ValueError, 'dims[0] must equal the width of item_f (6), got 5'),
    (CDL, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, item_f=F, dims=[6, 5], l2_reconst=1.0), ValueError, 'dims[-1] must equal dim_embed (4), got 5'),
    (CDL, dict(batch_size=B, max_user=U, max_item=I, dim_embed=D, item_f=F, dims=[6], l2_reconst=1.0), ValueError, 'dims must have at least two entries'),
    (ItrMLP, dict(batch_size=B, dim_embed=D, max_user=U, max_item=I, pretrained_user_embeddings=EMB_U[:3], pretrained_item_embeddings=EMB_I, user_dims=[D], item_dims=[D]), ValueError, 'pretrained_user_embeddings.shape must equal (max_user, dim_embed) ((10, 4)), got (3, 4)'),
    (ItrMLP, dict(batch_size=B, dim_embed=D, max_user=U, max_item=I, pretrained_user_embeddings=EMB_U, pretrained_item_embeddings=EMB_I, user_dims=[D], item_dims=[5]), ValueError, 'item_dims[-1] must equal dim_embed (4), got 5'),
    (ItrMLP, dict(batch_size=B, dim_embed=D, max_user=U, max_item=I, pretrained_user_embeddings=EMB_U, pretrained_item_embeddings=EMB_I, user_dims=[D], item_dims=[D], opt='Adagrad'), ValueError, "opt must be one of 'SGD', 'Adam'"),
]


class NotBuilt(Exception):
    pass


@pytest.mark.parametrize('cls, kwargs, exc, message', BAD,
                         ids=['%s-%d' % (case[0].__name__, i) for i, case in enumerate(BAD)])
def test_bad_arguments_fail_before_building(graph, monkeypatch, cls, kwargs, exc, message):
    def build(self):
        raise NotBuilt()
    monkeypatch.setattr(Recommender, '_build_training_graph', build)
    monkeypatch.setattr(tf, 'Graph', lambda *a, **k: (_ for _ in ()).throw(NotBuilt()))
    with pytest.raises(exc) as info:
        cls(**kwargs)
    assert message in str(info.value)
    assert graph.get_operations() == []


def test_bad_init_dict_key_fails_and_closes_the_session(monkeypatch):
    sessions = []
    real = tf.Session

    def spy(*args, **kwargs):
        sessions.append(real(*args, **kwargs))
        return sessions[-1]
    monkeypatch.setattr(tf, 'Session', spy)
    with pytest.raises(TypeError, match=r"init_dict: Cannot interpret feed_dict key as Tensor: "
                                        r".*no_such_tensor.*\(keys are tensors or tensor names"):
        BPR(B, U, I, D, init_dict={'no_such_tensor:0': np.zeros(1)})
    assert len(sessions) == 1 and sessions[0]._closed
    with pytest.raises(ValueError, match=r"init_dict: Cannot feed value of shape \(5, 3\) for "
                                         r"Tensor .*user/embedding/Initializer/truncated_normal"):
        BPR(B, U, I, D, init_dict={'user/embedding/Initializer/truncated_normal:0': np.zeros((5, 3))})
    assert len(sessions) == 2 and sessions[1]._closed
    user = np.full((U, D), 0.5, np.float32)  # corrected retry
    rec = BPR(B, U, I, D, init_dict={'user/embedding/Initializer/truncated_normal:0': user})
    with rec.graph.as_default():
        table = [v for v in tf.global_variables() if v.op.name == 'user/embedding'][0]
    np.testing.assert_array_equal(rec.sess.run(table), user)


@pytest.mark.parametrize('batch, method, exc, message', [
    (None, 'train', TypeError, 'batch_data must be a dict or a numpy structured array'),
    ([1, 2], 'serve', TypeError, 'batch_data must be a dict or a numpy structured array'),
    ({'user_id_input': np.arange(B)}, 'train',
     ValueError, "batch_data has no field 'p_item_id_input', which BPR needs for training"),
    (np.zeros(3, dtype=[('user_id_input', np.int32)]), 'serve',
     ValueError, "batch_data has no field 'item_id_input', which BPR needs for serving"),
])
def test_bad_batches_name_the_missing_field(batch, method, exc, message):
    model = BPR(batch_size=B, max_user=U, max_item=I, dim_embed=D)
    with pytest.raises(exc, match=message):
        getattr(model, method)(batch)
    # the model still works afterwards
    ids = np.arange(B, dtype=np.int32) % I
    loss = model.train({'user_id_input': ids % U, 'p_item_id_input': ids, 'n_item_id_input': ids})
    assert np.isfinite(loss)


def _field_of(batch, name):   # a helper of the subclass: the lookup is one frame down
    return batch[name]


class OwnErrors(BPR):
    """A 0.1 subclass whose _input_mappings raises errors of its own."""

    def __init__(self, bug, **kwargs):
        self.bug = bug
        super(OwnErrors, self).__init__(**kwargs)

    def _input_mappings(self, batch_data, train):
        feed = super(OwnErrors, self)._input_mappings(batch_data, train)
        if self.bug == 'store':            # an input that was never registered
            feed[self._get_input('p_item_f')] = 0
        elif self.bug == 'own dict':       # the subclass's own table, int keys
            feed[self._get_input('user_id')] = {0: 0}[5]
        elif self.bug == 'own str dict':   # the subclass's own table, str keys
            feed[self._get_input('user_id')] = self._lookup({'user': 1}, 'item')
        elif self.bug == 'own array':      # the subclass's own structured array
            feed[self._get_input('user_id')] = self._lookup(np.zeros(B, [('a', np.int32)]), 'b')
        elif self.bug == 'own str dict here':   # the same, where the batch is at hand
            feed[self._get_input('user_id')] = {'user': 1}['item']
        elif self.bug == 'helper':         # a missing batch field, read by a helper
            feed[self._get_input('user_id')] = _field_of(batch_data, 'extra')
        return feed

    def _lookup(self, table, key):
        return table[key]


@pytest.mark.parametrize('bug, exc, message', [
    ('store', KeyError, "'p_item_f'"),
    ('own dict', KeyError, '5'),
    ('own str dict', KeyError, "'item'"),
    ('own array', ValueError, 'no field of name b'),
])
def test_errors_of_a_subclass_input_mappings_propagate(bug, exc, message):
    # only the lookup of a field the batch lacks is reported as such; a subclass's own
    # KeyError (e.g. from _get_input: 'p_item_f' is no field of the batch) goes through
    model = OwnErrors(bug, batch_size=B, max_user=U, max_item=I, dim_embed=D)
    with pytest.raises(exc) as info:
        model.train(pair_batch(0))
    assert type(info.value) is exc and message in str(info.value)
    assert 'batch_data has no field' not in str(info.value)


@pytest.mark.parametrize('batch_kind', ['dict', 'structured array'])
def test_missing_field_read_by_a_helper_is_named_with_its_cause(batch_kind):
    model = OwnErrors('helper', batch_size=B, max_user=U, max_item=I, dim_embed=D)
    batch = pair_batch(0)
    if batch_kind == 'structured array':
        rows = np.zeros(B, [(name, np.int32) for name in batch])
        for name in batch:
            rows[name] = batch[name]
        batch = rows
    with pytest.raises(ValueError, match="batch_data has no field 'extra', which OwnErrors "
                                         "needs for training") as info:
        model.train(batch)
    assert isinstance(info.value.__cause__, KeyError if batch_kind == 'dict' else ValueError)


def test_own_lookup_where_the_batch_is_at_hand_keeps_its_cause():
    # a str key missing from the subclass's own dict, in the frame holding the batch (and
    # absent from the batch): reported as a missing field, with the subclass's own
    # KeyError as the cause (the traceback shows its line)
    model = OwnErrors('own str dict here', batch_size=B, max_user=U, max_item=I, dim_embed=D)
    with pytest.raises(ValueError, match="batch_data has no field 'item'") as info:
        model.train(pair_batch(0))
    assert isinstance(info.value.__cause__, KeyError) and info.value.__cause__.args == ('item',)

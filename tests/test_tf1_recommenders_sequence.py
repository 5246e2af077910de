"""OpenRec 0.2 sequence recommenders RNNRec, VanillaYouTubeRec, YouTubeRec.

Variable tables, placeholders and collections as in the spec's sections 6.5-8
(configurations of section 7); losses and serving outputs against numpy (a numpy GRU,
lengths 0, 1, beyond ``max_seq_len`` and negative; the one-row squeeze of RNNRec);
argument checks, Q10 (dropout) and Q19 (YouTubeRec's dict keys); ModelTrainer training each
model on fixed batches of its real sampler as ``model.train`` does.
"""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _tf1_recommender_helpers import (build, close, collection_names, expected_tables, fetch, l2,
                                      load, placeholder_table, random_values, sigmoid,
                                      softmax_ce, variable_table)
from openrec.data import SEQUENCE_DTYPE, USER_FEATURE_DTYPE
from openrec.tf1 import ModelTrainer
from openrec.tf1.recommenders import RNNRec, VanillaYouTubeRec, YouTubeRec
from openrec.tf1.recommenders.youtube_rec import MissingKeyError
from openrec.tf1.utils import Dataset
from openrec.tf1.utils.evaluators import AUC
from openrec.tf1.utils.samplers import (TemporalEvaluationSampler, TemporalSampler,
                                        YouTubeEvaluationSampler, YouTubeSampler)
from test_tf1_model_trainer import FakeSampler, strip

B, DI, L, I, H = 4, 3, 6, 7, 2
L2_EMBED, L2_MLP = 0.1, 0.2
ITEM = 'itemgraph/item/embedding'
GRU = 'interactiongraph/RNNSoftmax/rnn/gru_cell/'
MLP = 'interactiongraph/MLPSoftmax/mlp_reg/'
GENDER, GEO = 'usergraph/user_gender/embedding', 'usergraph/user_geo/embedding'
YT_ARGS = dict(user_dict={'gender': 3, 'geo': 5}, item_dict={'id': I},
               dim_user_embed={'total': 6, 'geo': 4, 'gender': 2},
               dim_item_embed={'total': 3, 'id': 3}, max_seq_len=L)

RNG = np.random.RandomState(3)
TRAIN_BATCH = {'seq_item_id': RNG.randint(0, I, size=(B, L)),
               'seq_len': np.array([3, 1, 6, 0]), 'label': np.array([2, 5, 0, 6])}
# a length beyond max_seq_len runs every step; a negative one gives a zero state
SERVE_BATCH = {'seq_item_id': RNG.randint(0, I, size=(5, L)), 'seq_len': np.array([9, 5, -1, 2, 4])}
USER_TRAIN = {'user_gender': np.array([0, 2, 2, 1]), 'user_geo': np.array([4, 0, 3, 3])}
USER_SERVE = {'user_gender': np.array([1, 0, 2, 2, 0]), 'user_geo': np.array([0, 1, 2, 3, 4])}


# the small models of these tests: factory, positional and keyword arguments
MODELS = {'rnn': (RNNRec, (B, DI, L, I, H), dict(l2_reg=L2_EMBED)),
          'vanilla': (VanillaYouTubeRec, (B, DI, L, I),
                      dict(l2_reg_embed=L2_EMBED, l2_reg_mlp=L2_MLP)),
          'youtube': (YouTubeRec, (B,), dict(YT_ARGS, l2_reg_embed=L2_EMBED, l2_reg_mlp=L2_MLP))}


def make(name, tmp_path_factory):
    """A fresh build of the model ``name`` of MODELS, serving enabled."""
    factory, args, kwargs = MODELS[name]
    return build(factory, tmp_path_factory, *args, **kwargs)


@pytest.fixture(scope='module')
def rnn(tmp_path_factory):
    return make('rnn', tmp_path_factory)


@pytest.fixture(scope='module')
def vanilla(tmp_path_factory):
    return make('vanilla', tmp_path_factory)


@pytest.fixture(scope='module')
def youtube(tmp_path_factory):
    return make('youtube', tmp_path_factory)


def trained_values(rec, seed):
    """Random values set in the training graph; the first serve copies them (train -> serve)."""
    values = random_values(rec, seed)
    load(rec, 'train', values)
    return values


# ---------------------------------------------------------------------------------------
# numpy references (spec sections 4.4, 4.6, 6.5-6.7)
# ---------------------------------------------------------------------------------------

def gru_final_states(v, rows, lengths):
    """Final GRU state of each row: after step ``min(len, L) − 1``; zeros for ``len ≤ 0``."""
    states = []
    for row, length in zip(rows, lengths):
        h = np.zeros(H)
        for t in range(min(max(length, 0), L)):
            x = np.concatenate([row[t], h])
            gates = sigmoid(x @ v[GRU + 'gates/kernel'] + v[GRU + 'gates/bias'])
            r, u = gates[:H], gates[H:]
            c = np.tanh(np.concatenate([row[t], r * h]) @ v[GRU + 'candidate/kernel']
                        + v[GRU + 'candidate/bias'])
            h = u * h + (1 - u) * c
        states.append(h)
    return np.array(states)


def rnn_logits(v, batch):
    h = gru_final_states(v, v[ITEM][batch['seq_item_id']], batch['seq_len'])
    return h @ v['interactiongraph/RNNSoftmax/weights'].T + v['interactiongraph/RNNSoftmax/biases']


def history_mean(v, batch):
    """Masked sum of the item vectors divided by max_seq_len (kept from the original)."""
    mask = np.arange(L)[None, :] < np.asarray(batch['seq_len'])[:, None]
    return np.sum(v[ITEM][batch['seq_item_id']] * mask[..., None], axis=1) / L


def mlp_logits(v, x):
    return np.maximum(x @ v[MLP + 'FC__0'] + v[MLP + 'bias__0'], 0) @ v[MLP + 'FC__1']


def mlp_l2(v):
    return [L2_MLP * l2(v[MLP + name]) for name in ('FC__0', 'bias__0', 'FC__1')]


def youtube_input(v, batch):
    return np.concatenate([v[GENDER][batch['user_gender']], v[GEO][batch['user_geo']],
                           history_mean(v, batch)], axis=1)


# ---------------------------------------------------------------------------------------
# variables, placeholders, collections (spec 7.3-7.6, 8)
# ---------------------------------------------------------------------------------------

RNN_VARIABLES = [(ITEM, (I, DI)), (GRU + 'gates/kernel', (DI + H, 2 * H)),
                 (GRU + 'gates/bias', (2 * H,)), (GRU + 'candidate/kernel', (DI + H, H)),
                 (GRU + 'candidate/bias', (H,)), ('interactiongraph/RNNSoftmax/weights', (I, H)),
                 ('interactiongraph/RNNSoftmax/biases', (I,))]
VANILLA_VARIABLES = [(ITEM, (I, DI)), (MLP + 'FC__0', (DI, DI)), (MLP + 'bias__0', (DI,)),
                     (MLP + 'FC__1', (DI, I))]
YOUTUBE_VARIABLES = [(GENDER, (3, 2)), (GEO, (5, 4)), (ITEM, (I, DI)), (MLP + 'FC__0', (9, 9)),
                     (MLP + 'bias__0', (9,)), (MLP + 'FC__1', (9, I))]
SEQ_T = [('inputgraph/seq_item_id', 'int32', (B, L)), ('inputgraph/seq_len', 'int32', (B,)),
         ('inputgraph/label', 'int32', (B,))]
SEQ_S = [('inputgraph/seq_item_id', 'int32', (None, L)), ('inputgraph/seq_len', 'int32', (None,))]


@pytest.mark.parametrize('fixture, trainable, count, train_inputs, serve_inputs', [
    ('rnn', RNN_VARIABLES, 23, SEQ_T, SEQ_S),
    ('vanilla', VANILLA_VARIABLES, 14, SEQ_T, SEQ_S),
    ('youtube', YOUTUBE_VARIABLES, 20,
     SEQ_T + [('inputgraph/user_gender', 'int32', (B,)), ('inputgraph/user_geo', 'int32', (B,))],
     SEQ_S + [('inputgraph/user_gender', 'int32', (None,)),
              ('inputgraph/user_geo', 'int32', (None,))])])
def test_variables_and_placeholders(request, fixture, trainable, count, train_inputs,
                                    serve_inputs):
    rec = request.getfixturevalue(fixture)
    train, serve = expected_tables(trainable)
    assert variable_table(rec, 'train') == train and len(train) == count
    assert variable_table(rec, 'serve') == serve
    assert placeholder_table(rec, 'train') == train_inputs
    assert placeholder_table(rec, 'serve') == serve_inputs
    for graph, inputs in ((rec.traingraph, train_inputs), (rec.servegraph, serve_inputs)):
        assert sorted(graph.get_input_mapping()) == sorted(name[11:] for name, _, _ in inputs)


@pytest.mark.parametrize('fixture, train_losses, serve_losses', [
    ('rnn', 2, 1), ('vanilla', 5, 4), ('youtube', 7, 6)])
def test_collections(request, fixture, train_losses, serve_losses):
    rec = request.getfixturevalue(fixture)
    assert len(collection_names(rec, 'train', 'losses')) == train_losses
    assert collection_names(rec, 'train', 'operations') == ['optimizergraph/Adam']
    assert collection_names(rec, 'train', 'outputs') == []
    assert len(collection_names(rec, 'serve', 'losses')) == serve_losses
    assert len(collection_names(rec, 'serve', 'outputs')) == 1


def test_initial_values_of_the_rnn_variables(tmp_path):
    rec = RNNRec(B, DI, L, I, H, save_model_dir=str(tmp_path), train=False, serve=True).build()
    v = fetch(rec, 'serve')
    assert np.all(v[GRU + 'gates/bias'] == 1.0) and np.all(v[GRU + 'candidate/bias'] == 0.0)
    assert np.all(v['interactiongraph/RNNSoftmax/biases'] == 0.0)
    assert 0 < np.abs(v[ITEM]).max() < 0.02
    for name, (fan_in, fan_out) in [(GRU + 'gates/kernel', (DI + H, 2 * H)),
                                    (GRU + 'candidate/kernel', (DI + H, H)),
                                    ('interactiongraph/RNNSoftmax/weights', (I, H))]:
        assert 0 < np.abs(v[name]).max() <= np.sqrt(6.0 / (fan_in + fan_out))


# ---------------------------------------------------------------------------------------
# losses and outputs against numpy
# ---------------------------------------------------------------------------------------

def test_rnn_rec_losses_and_logits(rnn):
    v = trained_values(rnn, seed=1)
    result = rnn.train(TRAIN_BATCH, operations_id=None)
    rows = v[ITEM][TRAIN_BATCH['seq_item_id']]          # every B·L row, padding included
    ce = softmax_ce(rnn_logits(v, TRAIN_BATCH), TRAIN_BATCH['label'])
    close(result['losses'], [L2_EMBED * l2(rows), np.mean(ce)])
    served = rnn.serve(SERVE_BATCH)                     # copies the trained values first
    close(served['losses'], [L2_EMBED * l2(v[ITEM][SERVE_BATCH['seq_item_id']])])
    assert served['outputs'][0].shape == (5, I)
    close(served['outputs'][0], rnn_logits(v, SERVE_BATCH))
    assert np.all(gru_final_states(v, v[ITEM][SERVE_BATCH['seq_item_id']], [-1]) == 0)


def test_rnn_rec_squeezes_a_one_row_serving_batch(rnn):
    v = trained_values(rnn, seed=2)
    rnn.train(TRAIN_BATCH, operations_id=None)
    one = {key: value[1:2] for key, value in SERVE_BATCH.items()}
    output = rnn.serve(one)['outputs'][0]
    assert output.shape == (I,)
    close(output, rnn_logits(v, one)[0])


def test_vanilla_youtube_rec_losses_and_logits(vanilla):
    v = trained_values(vanilla, seed=3)
    result = vanilla.train(TRAIN_BATCH, operations_id=None)
    logits = mlp_logits(v, history_mean(v, TRAIN_BATCH))
    assert (np.maximum(history_mean(v, TRAIN_BATCH) @ v[MLP + 'FC__0'], 0) > 0).any()
    close(result['losses'], [L2_EMBED * l2(v[ITEM][TRAIN_BATCH['seq_item_id']])] + mlp_l2(v)
          + [np.mean(softmax_ce(logits, TRAIN_BATCH['label']))])
    served = vanilla.serve(SERVE_BATCH)
    close(served['losses'], [L2_EMBED * l2(v[ITEM][SERVE_BATCH['seq_item_id']])] + mlp_l2(v))
    assert served['outputs'][0].shape == (5, I)
    close(served['outputs'][0], mlp_logits(v, history_mean(v, SERVE_BATCH)))
    one = {key: value[:1] for key, value in SERVE_BATCH.items()}
    assert vanilla.serve(one)['outputs'][0].shape == (1, I)    # not squeezed


def test_vanilla_youtube_rec_dropout_only_in_training(tmp_path):
    rec = VanillaYouTubeRec(B, DI, L, I, dropout=0.5, save_model_dir=str(tmp_path),
                            serve=True).build()

    def dropout_ops(graph):
        return [op.name for op in graph.tf_graph.get_operations()
                if op.type == 'RandomUniform' and op.name.startswith('interactiongraph/')
                and '/Initializer/' not in op.name]
    assert dropout_ops(rec.traingraph) and not dropout_ops(rec.servegraph)
    v = trained_values(rec, seed=4)
    rec.train(TRAIN_BATCH, operations_id=None)
    close(rec.serve(SERVE_BATCH)['outputs'][0], mlp_logits(v, history_mean(v, SERVE_BATCH)))


def test_youtube_rec_losses_and_logits(youtube):
    v = trained_values(youtube, seed=5)
    batch = dict(TRAIN_BATCH, **USER_TRAIN)
    result = youtube.train(batch, operations_id=None)
    logits = mlp_logits(v, youtube_input(v, batch))
    close(result['losses'], [L2_EMBED * l2(v[GENDER][batch['user_gender']]),
                             L2_EMBED * l2(v[GEO][batch['user_geo']]),
                             L2_EMBED * l2(v[ITEM][batch['seq_item_id']])] + mlp_l2(v)
          + [np.mean(softmax_ce(logits, batch['label']))])
    serve_batch = dict(SERVE_BATCH, **USER_SERVE)
    served = youtube.serve(serve_batch)
    assert len(served['losses']) == 6
    assert served['outputs'][0].shape == (5, I)
    close(served['outputs'][0], mlp_logits(v, youtube_input(v, serve_batch)))


def test_youtube_rec_totals_are_not_checked_against_the_parts(tmp_path):
    rec = YouTubeRec(B, **dict(YT_ARGS, dim_user_embed={'total': 5, 'geo': 4, 'gender': 2}),
                     save_model_dir=str(tmp_path)).build()
    shapes = dict((name, shape) for name, shape, _ in variable_table(rec, 'train'))
    assert shapes[MLP + 'FC__0'] == (9, 8) and shapes[MLP + 'FC__1'] == (8, I)


def test_one_training_step_changes_every_trainable_variable_of_rnn_rec(tmp_path):
    rec = RNNRec(B, DI, L, I, H, save_model_dir=str(tmp_path / 'a')).build()
    before = trained_values(rec, seed=6)
    rec.train(TRAIN_BATCH)
    after = fetch(rec, 'train', list(before))
    for name in before:
        assert np.abs(after[name] - before[name]).max() > 1e-4, name
    rec.save()
    copy = RNNRec(B, DI, L, I, H, init_model_dir=str(tmp_path / 'a'),
                  save_model_dir=str(tmp_path / 'b'), serve=True).build()
    close(copy.serve(SERVE_BATCH)['outputs'][0], rnn_logits(after, SERVE_BATCH))


@pytest.mark.parametrize('name', sorted(MODELS))
def test_save_and_restore_into_a_new_model(name, tmp_path):
    """After a training step, save() and init_model_dir= give a new build the same
    variables (Adam's slots included) and the same scores; the original's optimistic
    restore skips scalars, so Adam's beta powers start again (spec Q11)."""
    user = name == 'youtube'
    train_batch = dict(TRAIN_BATCH, **USER_TRAIN) if user else TRAIN_BATCH
    serve_batch = dict(SERVE_BATCH, **USER_SERVE) if user else SERVE_BATCH
    factory, args, kwargs = MODELS[name]
    rec = factory(*args, save_model_dir=str(tmp_path / 'a'), serve=True, **kwargs).build()
    trained_values(rec, seed=8)
    rec.train(train_batch)
    rec.save()
    copy = factory(*args, init_model_dir=str(tmp_path / 'a'), save_model_dir=str(tmp_path / 'b'),
                   serve=True, **kwargs).build()
    saved, restored = fetch(rec, 'train'), fetch(copy, 'train')
    assert sorted(restored) == sorted(saved) and any('Adam' in n for n in saved)
    powers = {'optimizergraph/beta1_power': 0.9, 'optimizergraph/beta2_power': 0.999}
    for variable, initial in powers.items():
        assert saved.pop(variable) == np.float32(initial) ** 2   # after the one step
        assert restored.pop(variable) == np.float32(initial)
    for variable in saved:
        np.testing.assert_array_equal(restored[variable], saved[variable], err_msg=variable)
    np.testing.assert_array_equal(copy.serve(serve_batch)['outputs'][0],
                                  rec.serve(serve_batch)['outputs'][0])


# ---------------------------------------------------------------------------------------
# ModelTrainer with a fixed batch source
# ---------------------------------------------------------------------------------------

HISTORY_LENGTHS = [5, 2, 7, 3, 6]
USER_FEATURE = np.array([(1, 4), (0, 0), (2, 3), (2, 1), (0, 2)], dtype=USER_FEATURE_DTYPE)


def samplers(fixture):
    """The model's real training and evaluation samplers on short histories: user u
    listens to HISTORY_LENGTHS[u] distinct items, one per time step."""
    rng = np.random.RandomState(4)
    raw = np.array([(u, item, t) for u, n in enumerate(HISTORY_LENGTHS)
                    for t, item in enumerate(rng.permutation(I)[:n])], dtype=SEQUENCE_DTYPE)
    dataset = Dataset(raw[rng.permutation(len(raw))], len(HISTORY_LENGTHS), I, sortby='ts',
                      name='Seq')
    if fixture == 'youtube':
        return (YouTubeSampler(dataset, B, L, USER_FEATURE, num_process=1),
                YouTubeEvaluationSampler(dataset, L, USER_FEATURE))
    return TemporalSampler(dataset, B, L, num_process=1), TemporalEvaluationSampler(dataset, L)


def one_pass(sampler):
    """``[(positive item, one-row batch)]`` of the users of one evaluation pass."""
    users = []
    while True:
        positives, batch = sampler.next_batch()
        if batch is None:
            return users
        if len(batch):
            users.append((positives[0], batch))


def auc(scores, item):
    """AUC of one positive among all items: the share of the others scored at most as high."""
    scores = np.ravel(scores)
    return np.mean(np.delete(scores, item) <= scores[item])


@pytest.mark.parametrize('fixture', ['rnn', 'vanilla', 'youtube'])
def test_model_trainer_trains_as_model_train_does(capsys, tmp_path_factory, fixture):
    """ModelTrainer.train for 40 steps on four fixed batches of the real training sampler,
    evaluating after steps 20 and 40, against a twin with the same initial values that
    ``model.train`` steps through the same batches: same variables (Adam's included),
    printed losses the means of the steps' summed losses, printed AUCs those of the
    twin's scores at the same steps."""
    model, twin = make(fixture, tmp_path_factory), make(fixture, tmp_path_factory)
    # small values: 20 Adam steps reorder the scores, so each evaluation has its own AUC
    initial = random_values(model, seed=7, scale=0.05)
    for rec in (model, twin):
        load(rec, 'train', initial)
    train_sampler, eval_sampler = samplers(fixture)
    with train_sampler:
        batches = [train_sampler.next_batch() for _ in range(4)]
    steps = []  # the summed losses of the trainer's steps

    def recording_train(batch_data, train=model.train):
        result = train(batch_data)
        steps.append(np.sum(result['losses']))
        return result
    model.train = recording_train
    with eval_sampler:
        users = one_pass(eval_sampler)
        ModelTrainer(model).train(total_iter=40, eval_iter=20, save_iter=40,
                                  train_sampler=FakeSampler(batches, name='Train'),
                                  eval_samplers=[eval_sampler], evaluators=[AUC()])
    lines = strip(capsys.readouterr().out).replace('\r', '\n').split('\n')

    twin_steps, twin_aucs = [], []
    for step in range(40):
        twin_steps.append(np.sum(twin.train(batches[step % 4])['losses']))
        if step in (19, 39):
            twin_aucs.append(np.mean([auc(twin.serve(batch)['outputs'][0], item)
                                      for item, batch in users]))
    assert len(users) == len(HISTORY_LENGTHS) and twin_aucs[0] != twin_aucs[1]
    close(steps, twin_steps)
    trained, expected = fetch(model, 'train'), fetch(twin, 'train')
    for name in expected:
        close(trained[name], expected[name])
    assert [line for line in lines if ' loss: ' in line] == [
        '[iter %d] loss: %f' % (k + 20, sum(map(float, steps[k:k + 20])) / 20) for k in (0, 20)]
    printed = [line.split() for line in lines if line.startswith('..(dataset: Seq) AUC ')]
    assert [float(words[-1]) for words in printed] == pytest.approx(twin_aucs, rel=1e-12)


# ---------------------------------------------------------------------------------------
# argument checks, Q10, Q19
# ---------------------------------------------------------------------------------------

RNN_ARGS = dict(batch_size=B, dim_item_embed=DI, max_seq_len=L, total_items=I, num_units=H)
VANILLA_ARGS = dict(batch_size=B, dim_item_embed=DI, max_seq_len=L, total_items=I)
YOUTUBE_ARGS = dict(YT_ARGS, batch_size=B)


@pytest.mark.parametrize('factory, base, changes, error, name', [
    (RNNRec, RNN_ARGS, {'num_units': 0}, ValueError, 'num_units'),
    (RNNRec, RNN_ARGS, {'max_seq_len': 2.0}, TypeError, 'max_seq_len'),
    (RNNRec, RNN_ARGS, {'dim_item_embed': -3}, ValueError, 'dim_item_embed'),
    (RNNRec, RNN_ARGS, {'total_items': None}, TypeError, 'total_items'),
    (RNNRec, RNN_ARGS, {'batch_size': 0}, ValueError, 'batch_size'),
    (RNNRec, RNN_ARGS, {'l2_reg': -1}, ValueError, 'l2_reg'),
    (RNNRec, RNN_ARGS, {'serve': 'no'}, TypeError, 'serve'),
    (VanillaYouTubeRec, VANILLA_ARGS, {'dropout': 1.0}, ValueError, 'dropout'),
    (VanillaYouTubeRec, VANILLA_ARGS, {'dropout': -0.1}, ValueError, 'dropout'),
    (VanillaYouTubeRec, VANILLA_ARGS, {'dropout': '0.5'}, TypeError, 'dropout'),
    (VanillaYouTubeRec, VANILLA_ARGS, {'l2_reg_embed': -1}, ValueError, 'l2_reg_embed'),
    (VanillaYouTubeRec, VANILLA_ARGS, {'l2_reg_mlp': []}, TypeError, 'l2_reg_mlp'),
    (VanillaYouTubeRec, VANILLA_ARGS, {'max_seq_len': 0}, ValueError, 'max_seq_len'),
    (YouTubeRec, YOUTUBE_ARGS, {'dropout': 1.5}, ValueError, 'dropout'),
    (YouTubeRec, YOUTUBE_ARGS, {'max_seq_len': -1}, ValueError, 'max_seq_len'),
    (YouTubeRec, YOUTUBE_ARGS, {'l2_reg_mlp': -2.0}, ValueError, 'l2_reg_mlp'),
    (YouTubeRec, YOUTUBE_ARGS, {'user_dict': [3, 5]}, TypeError, 'user_dict'),
    (YouTubeRec, YOUTUBE_ARGS, {'user_dict': {'gender': 3, 'geo': 0}}, ValueError,
     r"user_dict\['geo'\]"),
    (YouTubeRec, YOUTUBE_ARGS, {'dim_item_embed': {'total': 3, 'id': 'x'}}, TypeError,
     r"dim_item_embed\['id'\]")])
def test_bad_arguments_are_rejected_at_the_call(factory, base, changes, error, name):
    with pytest.raises(error, match=name):
        factory(**dict(base, **changes))


@pytest.mark.parametrize('argument, key', [
    ('user_dict', 'gender'), ('user_dict', 'geo'), ('item_dict', 'id'),
    ('dim_user_embed', 'total'), ('dim_user_embed', 'geo'), ('dim_user_embed', 'gender'),
    ('dim_item_embed', 'total'), ('dim_item_embed', 'id')])
def test_q19_every_missing_key_raises_key_error_at_the_call(argument, key):
    value = dict(YOUTUBE_ARGS[argument])
    del value[key]
    with pytest.raises(KeyError) as info:
        YouTubeRec(**dict(YOUTUBE_ARGS, **{argument: value}))
    assert isinstance(info.value, (ValueError, MissingKeyError))
    assert str(info.value).startswith("%s has no key '%s'" % (argument, key))


def test_eager_execution_is_unaffected(tmp_path):
    # the recommenders build inside their own graphs, whatever the default mode
    rec = VanillaYouTubeRec(B, DI, L, I, save_model_dir=str(tmp_path)).build()
    assert np.isfinite(rec.train(TRAIN_BATCH)['losses'][0])
    assert tf.get_default_graph() is not rec.traingraph.tf_graph

"""OpenRec 0.2 recommender functions BPR, PMF, UCML, VBPR (``openrec.tf1.recommenders``).

Variable tables, placeholders and registered collections as in the spec's sections 6-8
(configurations of section 7); every loss and output against numpy from the variable
values; one Adam step against numpy; train-to-serve copy, save/restore, init_model_dir;
argument checks and the FIX rows Q17, Q18. The sequence recommenders are in
``test_tf1_recommenders_sequence.py``.
"""
import inspect
import os

import numpy as np
import pytest

import openrec.tf1.recommenders as recommenders
from _tf1_recommender_helpers import (build, close, collection_names, expected_tables, fetch, l2,
                                      load, placeholder_table, random_values, sigmoid,
                                      variable_table)
from openrec.tf1.recommenders import BPR, PMF, UCML, VBPR, Recommender

B, DU, DI, U, I, F = 4, 3, 3, 5, 7, 6
L2, L2_MLP = 0.1, 0.2
USER, ITEM, BIAS = 'usergraph/user/embedding', 'itemgraph/item/embedding', \
    'itemgraph/item_bias/embedding'
W, BW = 'itemgraph/item_MLP/FC__0', 'itemgraph/item_MLP/bias__0'

# duplicate ids on purpose: L2 terms and gradients count every occurrence
PAIR_BATCH = {'user_id': np.array([0, 1, 1, 4]), 'p_item_id': np.array([1, 2, 6, 2]),
              'n_item_id': np.array([5, 0, 3, 6])}
SERVE_BATCH = {'user_id': np.array([0, 1, 4, 4, 2]), 'item_id': np.array([1, 6, 3, 0, 5])}
PMF_BATCH = {'user_id': np.array([0, 1, 1, 4]), 'item_id': np.array([1, 2, 6, 2]),
             'label': np.array([1.0, 0.0, 1.0, 0.5], np.float32)}
RNG = np.random.RandomState(7)
P_FEATURES = RNG.standard_normal((B, F)).astype(np.float32)
N_FEATURES = RNG.standard_normal((B, F)).astype(np.float32)
S_FEATURES = RNG.standard_normal((5, F)).astype(np.float32)

SIGNATURES = {
    'BPR': "(batch_size, dim_user_embed, dim_item_embed, total_users, total_items, l2_reg=None, "
           "init_model_dir=None, save_model_dir='Recommender/', train=True, serve=False)",
    'PMF': "(batch_size, dim_user_embed, dim_item_embed, total_users, total_items, a=1.0, b=1.0, "
           "l2_reg=None, init_model_dir=None, save_model_dir='Recommender/', train=True, "
           "serve=False)",
    'UCML': "(batch_size, dim_user_embed, dim_item_embed, total_users, total_items, l2_reg=None, "
            "init_model_dir=None, save_model_dir='Recommender/', train=True, serve=False)",
    'VBPR': "(batch_size, dim_user_embed, dim_item_embed, dim_v, total_users, total_items, "
            "l2_reg_embed=None, l2_reg_mlp=None, init_model_dir=None, "
            "save_model_dir='Recommender/', train=True, serve=False)",
    'RNNRec': "(batch_size, dim_item_embed, max_seq_len, total_items, num_units, l2_reg=None, "
              "init_model_dir=None, save_model_dir='Recommender/', train=True, serve=False)",
    'VanillaYouTubeRec': "(batch_size, dim_item_embed, max_seq_len, total_items, "
                         "l2_reg_embed=None, l2_reg_mlp=None, dropout=None, init_model_dir=None, "
                         "save_model_dir='Vanilla_YouTubeRec/', train=True, serve=False)",
    'YouTubeRec': "(batch_size, user_dict, item_dict, dim_user_embed, dim_item_embed, "
                  "max_seq_len, l2_reg_embed=None, l2_reg_mlp=None, dropout=None, "
                  "init_model_dir=None, save_model_dir='YouTubeRec/', train=True, serve=False)",
}


@pytest.fixture(scope='module')
def bpr(tmp_path_factory):
    return build(BPR, tmp_path_factory, B, DU, DI, U, I, l2_reg=L2)


@pytest.fixture(scope='module')
def pmf(tmp_path_factory):
    return build(PMF, tmp_path_factory, B, DU, DI, U, I, a=2.0, b=0.5, l2_reg=L2)


@pytest.fixture(scope='module')
def ucml(tmp_path_factory):
    return build(UCML, tmp_path_factory, B, DU, DI, U, I, l2_reg=L2)


@pytest.fixture(scope='module')
def vbpr(tmp_path_factory):
    return build(VBPR, tmp_path_factory, B, 5, DI, F, U, I, l2_reg_embed=L2, l2_reg_mlp=L2_MLP)


def set_random_values(rec, seed=0, scale=0.5):
    """The same random values in both graphs; returns them."""
    values = random_values(rec, seed, scale)
    load(rec, 'train', values)
    load(rec, 'serve', values)
    return values


def vbpr_batch():
    return dict(PAIR_BATCH, p_item_vfeature=P_FEATURES, n_item_vfeature=N_FEATURES)


# ---------------------------------------------------------------------------------------
# numpy references (spec section 6)
# ---------------------------------------------------------------------------------------

def lookups(v, batch, lam, p_vec=None, n_vec=None):
    """u, p, q, β_p, β_q of a pairwise batch and the five L2 terms (in registration order)."""
    u = v[USER][batch['user_id']]
    p = v[ITEM][batch['p_item_id']] if p_vec is None else p_vec
    q = v[ITEM][batch['n_item_id']] if n_vec is None else n_vec
    bp, bq = v[BIAS][batch['p_item_id']], v[BIAS][batch['n_item_id']]
    l2_terms = [lam * l2(u), lam * l2(v[ITEM][batch['p_item_id']]), lam * l2(bp),
                lam * l2(v[ITEM][batch['n_item_id']]), lam * l2(bq)]
    return u, p, q, bp, bq, l2_terms


def bpr_log_loss(u, p, q, bp, bq):
    x = np.sum(u * p, axis=1, keepdims=True) + bp - np.sum(u * q, axis=1, keepdims=True) - bq
    return -np.sum(np.log(sigmoid(np.maximum(x, -30.0))))


def serve_l2(v, batch, lam):
    return [lam * l2(v[USER][batch['user_id']]), lam * l2(v[ITEM][batch['item_id']]),
            lam * l2(v[BIAS][batch['item_id']])]


def dot_scores(v, batch, item_vec=None):
    item_vec = v[ITEM][batch['item_id']] if item_vec is None else item_vec
    return np.sum(v[USER][batch['user_id']] * item_vec, axis=1) + v[BIAS][batch['item_id'], 0]


def visual(v, features):
    return features.astype(np.float64) @ v[W] + v[BW]


# ---------------------------------------------------------------------------------------
# package, signatures, what the functions return
# ---------------------------------------------------------------------------------------

def test_package_exports_in_the_original_import_order():
    assert recommenders.__all__ == ['Recommender', 'BPR', 'PMF', 'UCML', 'VBPR',
                                    'VanillaYouTubeRec', 'YouTubeRec', 'RNNRec']
    from openrec.tf1.recommenders.bpr import BPR as bpr_function
    from openrec.tf1.recommenders.rnn_rec import RNNRec
    from openrec.tf1.recommenders.youtube_rec import YouTubeRec
    assert bpr_function is BPR and RNNRec is recommenders.RNNRec
    assert YouTubeRec is recommenders.YouTubeRec


@pytest.mark.parametrize('name', sorted(SIGNATURES))
def test_signature(name):
    assert str(inspect.signature(getattr(recommenders, name))) == SIGNATURES[name]


@pytest.mark.parametrize('factory, args', [(BPR, (B, DU, DI, U, I)), (PMF, (B, DU, DI, U, I)),
                                           (UCML, (B, DU, DI, U, I)),
                                           (VBPR, (B, 5, DI, F, U, I))])
def test_returns_an_unbuilt_recommender_with_both_graphs_declared(factory, args):
    rec = factory(*args, train=False, serve=True)
    assert type(rec) is Recommender and not rec.isbuilt()
    # declarations are registered for the disabled graph too
    for graph in (rec.traingraph, rec.servegraph):
        for name in ('inputgraph', 'usergraph', 'itemgraph', 'interactiongraph'):
            assert getattr(graph, name).get_intrinsics()[1]
    assert rec.traingraph.optimizergraph.get_intrinsics()[1]
    assert not rec.servegraph.optimizergraph.get_intrinsics()[1]
    rec.build()
    assert rec._tf_train_sess is None and rec._tf_serve_sess is not None


# ---------------------------------------------------------------------------------------
# variables, placeholders, collections (spec 7.1, 7.2, 7.6, 8)
# ---------------------------------------------------------------------------------------

BPR_VARIABLES = [(USER, (U, DU)), (ITEM, (I, DI)), (BIAS, (I, 1))]
VBPR_VARIABLES = [(USER, (U, 5)), (ITEM, (I, DI)), (BIAS, (I, 1)), (W, (F, 2)), (BW, (2,))]


@pytest.mark.parametrize('fixture, trainable', [('bpr', BPR_VARIABLES), ('pmf', BPR_VARIABLES),
                                                ('ucml', BPR_VARIABLES),
                                                ('vbpr', VBPR_VARIABLES)])
def test_variable_tables(request, fixture, trainable):
    rec = request.getfixturevalue(fixture)
    train, serve = expected_tables(trainable)
    assert variable_table(rec, 'train') == train
    assert variable_table(rec, 'serve') == serve
    assert len(train) == {'vbpr': 17}.get(fixture, 11)


PAIR_T = [('inputgraph/user_id', 'int32', (B,)), ('inputgraph/p_item_id', 'int32', (B,)),
          ('inputgraph/n_item_id', 'int32', (B,))]
PAIR_S = [('inputgraph/user_id', 'int32', (None,)), ('inputgraph/item_id', 'int32', (None,))]


@pytest.mark.parametrize('fixture, train, serve', [
    ('bpr', PAIR_T, PAIR_S), ('ucml', PAIR_T, PAIR_S),
    ('pmf', [('inputgraph/user_id', 'int32', (B,)), ('inputgraph/item_id', 'int32', (B,)),
             ('inputgraph/label', 'float32', (B,))], PAIR_S),
    ('vbpr', PAIR_T + [('inputgraph/p_item_vfeature', 'float32', (B, F)),
                       ('inputgraph/n_item_vfeature', 'float32', (B, F))],
     PAIR_S + [('inputgraph/item_vfeature', 'float32', (None, F))])])
def test_placeholders_and_input_mappings(request, fixture, train, serve):
    rec = request.getfixturevalue(fixture)
    assert placeholder_table(rec, 'train') == train
    assert placeholder_table(rec, 'serve') == serve
    for side, expected in (('train', train), ('serve', serve)):
        graph = rec.traingraph if side == 'train' else rec.servegraph
        mapping = graph.get_input_mapping()
        assert {key: tensor.name for key, tensor in mapping.items()} == \
            {name.split('/')[1]: name + ':0' for name, _, _ in expected}
        for name, _, _ in expected:    # each placeholder is also an out-port of inputgraph
            assert graph.inputgraph[name.split('/')[1]] is mapping[name.split('/')[1]]


def test_batch_size_none_gives_unsized_training_placeholders(tmp_path):
    rec = BPR(None, DU, DI, U, I, save_model_dir=str(tmp_path)).build()
    assert [shape for _, _, shape in placeholder_table(rec, 'train')] == [(None,)] * 3
    result = rec.train({key: ids[:3] for key, ids in PAIR_BATCH.items()})
    assert len(result['losses']) == 1 and np.isfinite(result['losses'][0])


def test_bpr_collections(bpr):
    assert collection_names(bpr, 'train', 'losses') == [
        'usergraph/user/mul:0', 'itemgraph/item/mul:0', 'itemgraph/item_bias/mul:0',
        'itemgraph/item_1/mul:0', 'itemgraph/item_bias_1/mul:0', 'interactiongraph/Neg:0']
    assert collection_names(bpr, 'train', 'operations') == ['optimizergraph/Adam']
    assert collection_names(bpr, 'train', 'outputs') == []
    assert len(collection_names(bpr, 'serve', 'losses')) == 3
    assert collection_names(bpr, 'serve', 'outputs') == ['interactiongraph/add:0']
    assert collection_names(bpr, 'serve', 'operations') == []


def test_ucml_collections(ucml):
    assert len(collection_names(ucml, 'train', 'losses')) == 6
    assert collection_names(ucml, 'train', 'operations') == ['optimizergraph/Adam']
    censors = collection_names(ucml, 'train', 'operations', 'censor_embedding')
    assert len(censors) == 2
    assert censors[0].startswith('usergraph/') and censors[1].startswith('itemgraph/')
    assert len(collection_names(ucml, 'serve', 'outputs')) == 1


def test_pmf_and_vbpr_collection_lengths(pmf, vbpr):
    assert len(collection_names(pmf, 'train', 'losses')) == 4
    assert len(collection_names(pmf, 'train', 'outputs')) == 1
    assert len(collection_names(pmf, 'serve', 'losses')) == 3
    # five LF terms, the MLP's two terms twice (one MultiLayerFC call per item), log loss
    assert len(collection_names(vbpr, 'train', 'losses')) == 10
    assert collection_names(vbpr, 'train', 'losses')[5:9] == [
        'itemgraph/item_MLP/mul:0', 'itemgraph/item_MLP/mul_1:0', 'itemgraph/item_MLP_1/mul:0',
        'itemgraph/item_MLP_1/mul_1:0']
    assert len(collection_names(vbpr, 'serve', 'losses')) == 5


@pytest.mark.parametrize('factory, args, kwargs, train_losses, train_outputs, serve_losses', [
    (BPR, (B, DU, DI, U, I), {}, 1, 0, 0),
    (PMF, (B, DU, DI, U, I), {}, 1, 1, 0),
    (UCML, (B, DU, DI, U, I), {}, 1, 0, 0),
    (VBPR, (B, 5, DI, F, U, I), {}, 1, 0, 0),
    (VBPR, (B, 5, DI, F, U, I), {'l2_reg_mlp': 0.0}, 5, 0, 2),
    (VBPR, (B, 5, DI, F, U, I), {'l2_reg_embed': 0.0}, 6, 0, 3)])
def test_losses_registered_only_with_regularisation(tmp_path, factory, args, kwargs,
                                                    train_losses, train_outputs, serve_losses):
    rec = factory(*args, save_model_dir=str(tmp_path), serve=True, **kwargs).build()
    assert len(rec.traingraph.get_losses()) == train_losses
    assert len(rec.traingraph.get_outputs()) == train_outputs
    assert len(rec.servegraph.get_losses()) == serve_losses
    assert len(rec.servegraph.get_outputs()) == 1


# ---------------------------------------------------------------------------------------
# losses and outputs against numpy (spec section 6)
# ---------------------------------------------------------------------------------------

def test_bpr_losses_and_scores(bpr):
    v = set_random_values(bpr, seed=1)
    result = bpr.train(PAIR_BATCH, operations_id=None)
    u, p, q, bp, bq, l2_terms = lookups(v, PAIR_BATCH, L2)
    close(result['losses'], l2_terms + [bpr_log_loss(u, p, q, bp, bq)])
    assert result['outputs'] == []
    served = bpr.serve(SERVE_BATCH)
    close(served['losses'], serve_l2(v, SERVE_BATCH, L2))
    assert served['outputs'][0].shape == (5,)
    close(served['outputs'][0], dot_scores(v, SERVE_BATCH))


def test_bpr_one_user_against_many_items(bpr):
    v = set_random_values(bpr, seed=2)
    items = np.arange(I)
    scores = bpr.serve({'user_id': np.array([3]), 'item_id': items})['outputs'][0]
    close(scores, v[ITEM] @ v[USER][3] + v[BIAS][:, 0])


def test_pmf_weighted_squared_error_and_predictions(pmf):
    v = set_random_values(pmf, seed=3)
    result = pmf.train(PMF_BATCH, operations_id=None)
    u, item = v[USER][PMF_BATCH['user_id']], v[ITEM][PMF_BATCH['item_id']]
    bias = v[BIAS][PMF_BATCH['item_id']]
    prediction = np.sum(u * item, axis=1) + bias[:, 0]
    y = PMF_BATCH['label']
    weighted = np.sum(((2.0 - 0.5) * y + 0.5) * np.square(y - prediction))
    close(result['losses'], [L2 * l2(u), L2 * l2(item), L2 * l2(bias), weighted])
    close(result['outputs'], [prediction])    # the training graph registers its prediction
    served = pmf.serve(SERVE_BATCH)
    close(served['losses'], serve_l2(v, SERVE_BATCH, L2))
    close(served['outputs'][0], dot_scores(v, SERVE_BATCH))


def test_ucml_hinge_loss_and_distance_scores(ucml):
    v = set_random_values(ucml, seed=4)
    result = ucml.train(PAIR_BATCH, operations_id=None)
    u, p, q, bp, bq, l2_terms = lookups(v, PAIR_BATCH, L2)
    diff = (-np.sum((u - p) ** 2, axis=1, keepdims=True) + bp) - \
        (-np.sum((u - q) ** 2, axis=1, keepdims=True) + bq)
    hinge = np.maximum(1.0 - diff, 0.0)
    assert (hinge == 0).any() and (hinge > 0).any()   # both sides of the hinge are exercised
    close(result['losses'], l2_terms + [np.sum(hinge)])
    served = ucml.serve(SERVE_BATCH)
    close(served['losses'], serve_l2(v, SERVE_BATCH, L2))
    users, items = v[USER][SERVE_BATCH['user_id']], v[ITEM][SERVE_BATCH['item_id']]
    expected = -np.sum((users - items) ** 2, axis=1, keepdims=True) + \
        v[BIAS][SERVE_BATCH['item_id']]
    assert served['outputs'][0].shape == (5, 1)
    close(served['outputs'][0], expected)


def rows_with_norms(rng, norms, width):
    rows = rng.standard_normal((len(norms), width))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True) * np.array(norms)[:, None]) \
        .astype(np.float32)


def test_ucml_censor_operations_scale_only_the_batch_rows_into_the_unit_ball(ucml):
    rng = np.random.RandomState(5)
    users = rows_with_norms(rng, [2.0, 0.5, 1.5, 3.0, 0.8], DU)
    items = rows_with_norms(rng, [0.3, 1.7, 2.5, 0.9, 3.0, 1.2, 4.0], DI)
    biases = np.full((I, 1), 5.0, np.float32)
    load(ucml, 'train', {USER: users, ITEM: items, BIAS: biases})
    before = fetch(ucml, 'train')
    result = ucml.train(PAIR_BATCH, operations_id='censor_embedding', losses_id=None,
                        outputs_id=None)
    assert result == {'losses': [], 'outputs': []}
    after = fetch(ucml, 'train')
    expected_users = users.copy()
    for row in np.unique(PAIR_BATCH['user_id']):               # users 0, 1, 4
        expected_users[row] /= max(np.linalg.norm(users[row]), 1.0)
    expected_items = items.copy()
    for row in np.unique(np.concatenate([PAIR_BATCH['p_item_id'], PAIR_BATCH['n_item_id']])):
        expected_items[row] /= max(np.linalg.norm(items[row]), 1.0)
    close(after[USER], expected_users)
    close(after[ITEM], expected_items)
    assert np.linalg.norm(after[USER][3]) == pytest.approx(3.0, rel=1e-5)   # not in the batch
    assert np.linalg.norm(after[ITEM][4]) == pytest.approx(3.0, rel=1e-5)
    close(after[BIAS], biases)                                  # biases are never censored
    for name in after:
        if 'optimizergraph' in name:
            close(after[name], before[name])                    # censoring is not a training step


def test_vbpr_losses_and_scores_with_the_visual_projection(vbpr):
    v = set_random_values(vbpr, seed=6)
    batch = vbpr_batch()
    p_vec = np.concatenate([v[ITEM][batch['p_item_id']], visual(v, P_FEATURES)], axis=1)
    n_vec = np.concatenate([v[ITEM][batch['n_item_id']], visual(v, N_FEATURES)], axis=1)
    u, p, q, bp, bq, l2_terms = lookups(v, batch, L2, p_vec, n_vec)
    mlp_l2 = [L2_MLP * l2(v[W]), L2_MLP * l2(v[BW])]
    result = vbpr.train(batch, operations_id=None)
    close(result['losses'], l2_terms + mlp_l2 * 2 + [bpr_log_loss(u, p, q, bp, bq)])
    serve_batch = dict(SERVE_BATCH, item_vfeature=S_FEATURES)
    served = vbpr.serve(serve_batch)
    close(served['losses'], serve_l2(v, SERVE_BATCH, L2) + mlp_l2)
    item_vec = np.concatenate([v[ITEM][SERVE_BATCH['item_id']], visual(v, S_FEATURES)], axis=1)
    close(served['outputs'][0], dot_scores(v, SERVE_BATCH, item_vec))
    # the ports hold the widened item vectors (what FastDotProductServer extracts)
    ports = vbpr.serve_inspect_ports(serve_batch, ports=[
        vbpr.servegraph.usergraph['user_vec'], vbpr.servegraph.interactiongraph['item_vec'],
        vbpr.servegraph.interactiongraph['item_bias']])
    close(ports[0], v[USER][SERVE_BATCH['user_id']])
    close(ports[1], item_vec)
    close(ports[2], v[BIAS][SERVE_BATCH['item_id']])


def test_vbpr_equal_widths_give_an_empty_visual_part_and_plain_bpr(tmp_path_factory):
    rec = build(VBPR, tmp_path_factory, B, DI, DI, F, U, I, l2_reg_mlp=L2_MLP)
    train, serve = expected_tables(BPR_VARIABLES + [(W, (F, 0)), (BW, (0,))])
    assert variable_table(rec, 'train') == train and variable_table(rec, 'serve') == serve
    v = set_random_values(rec, seed=8)
    result = rec.train(vbpr_batch())
    u, p, q, bp, bq, _ = lookups(v, PAIR_BATCH, L2)
    close(result['losses'], [0.0] * 4 + [bpr_log_loss(u, p, q, bp, bq)])
    served = rec.serve(dict(SERVE_BATCH, item_vfeature=S_FEATURES))
    assert served['outputs'][0].shape == (5,)


# ---------------------------------------------------------------------------------------
# training: one Adam step against numpy (spec section 5)
# ---------------------------------------------------------------------------------------

def bpr_gradients(v, batch, lam):
    """Gradients of BPR's total loss (log loss + the five L2 terms) w.r.t. the three tables."""
    u, p, q, bp, bq, _ = lookups(v, batch, lam)
    x = np.sum(u * p, axis=1, keepdims=True) + bp - np.sum(u * q, axis=1, keepdims=True) - bq
    d = -sigmoid(-x)                                       # d(−ln σ(x))/dx, [n, 1]
    grads = {name: np.zeros_like(v[name], np.float64) for name in (USER, ITEM, BIAS)}
    np.add.at(grads[USER], batch['user_id'], d * (p - q) + lam * u)
    np.add.at(grads[ITEM], batch['p_item_id'], d * u + lam * p)
    np.add.at(grads[ITEM], batch['n_item_id'], -d * u + lam * q)
    np.add.at(grads[BIAS], batch['p_item_id'], d + lam * bp)
    np.add.at(grads[BIAS], batch['n_item_id'], -d + lam * bq)
    return grads


def test_bpr_one_adam_step_matches_numpy(tmp_path):
    rec = BPR(B, DU, DI, U, I, l2_reg=L2, save_model_dir=str(tmp_path)).build()
    v = random_values(rec, seed=9)
    load(rec, 'train', v)
    rec.train(PAIR_BATCH)
    after = fetch(rec, 'train')
    lr = 0.001 * np.sqrt(1 - 0.999) / (1 - 0.9)          # Adam's step size at t = 1
    for name, grad in bpr_gradients(v, PAIR_BATCH, L2).items():
        m, s = 0.1 * grad, 0.001 * grad ** 2
        close(after['optimizergraph/%s/Adam' % name], m)
        close(after['optimizergraph/%s/Adam_1' % name], s, rtol=1e-4, atol=1e-10)
        step = lr * m / (np.sqrt(s) + 1e-8)
        close(after[name] - v[name], -step, rtol=1e-3, atol=2e-7)
        untouched = np.all(grad == 0, axis=1)
        assert untouched.any() and np.all(after[name][untouched] == v[name][untouched])
    assert after['optimizergraph/beta1_power'] == pytest.approx(0.81)
    assert after['optimizergraph/beta2_power'] == pytest.approx(0.999 ** 2)


# ---------------------------------------------------------------------------------------
# train -> serve copy, save, restore, init_model_dir
# ---------------------------------------------------------------------------------------

def test_serving_after_training_uses_the_trained_values(tmp_path):
    rec = BPR(B, DU, DI, U, I, save_model_dir=str(tmp_path), serve=True).build()
    v = random_values(rec, seed=10)
    load(rec, 'train', v)
    own = rec.serve(SERVE_BATCH)['outputs'][0]     # before training: the serving graph's values
    assert np.abs(own - dot_scores(v, SERVE_BATCH)).max() > 1e-2
    rec.train(PAIR_BATCH, operations_id=None)
    close(rec.serve(SERVE_BATCH)['outputs'][0], dot_scores(v, SERVE_BATCH))
    assert os.path.exists(os.path.join(str(tmp_path), 'model.ckpt.index'))
    rec.train(PAIR_BATCH)                           # an Adam step, then a second copy
    trained = fetch(rec, 'train', [USER, ITEM, BIAS])
    close(rec.serve(SERVE_BATCH)['outputs'][0], dot_scores(trained, SERVE_BATCH))


def test_a_checkpoint_of_one_instance_restores_into_another(tmp_path):
    first = BPR(B, DU, DI, U, I, l2_reg=L2, save_model_dir=str(tmp_path / 'first')).build()
    load(first, 'train', random_values(first, seed=11))
    first.train(PAIR_BATCH)                         # non-zero Adam slots, beta powers 0.81
    first.save()
    saved = fetch(first, 'train')

    second = BPR(B, DU, DI, U, I, l2_reg=L2, init_model_dir=str(tmp_path / 'first'),
                 save_model_dir=str(tmp_path / 'second'), serve=True).build()
    restored = fetch(second, 'train')
    for name, value in saved.items():
        if 'beta' in name:      # scalars are not restored (kept from the original)
            assert restored[name] == pytest.approx({'1': 0.9, '2': 0.999}[name[-7]])
        else:
            close(restored[name], value, rtol=0, atol=0)
    served = fetch(second, 'serve')
    for name in (USER, ITEM, BIAS):
        close(served[name], saved[name], rtol=0, atol=0)
    close(second.serve(SERVE_BATCH)['outputs'][0], dot_scores(saved, SERVE_BATCH))

    third = BPR(B, DU, DI, U, I, save_model_dir=str(tmp_path / 'third'), serve=True).build()
    third.restore(save_model_dir=str(tmp_path / 'first'), restore_serve=True)
    close(fetch(third, 'serve')[ITEM], saved[ITEM], rtol=0, atol=0)


# ---------------------------------------------------------------------------------------
# argument checks (at the call, naming the argument) and the FIX rows
# ---------------------------------------------------------------------------------------

BPR_ARGS = dict(batch_size=B, dim_user_embed=DU, dim_item_embed=DI, total_users=U,
                total_items=I)
VBPR_ARGS = dict(BPR_ARGS, dim_user_embed=5, dim_v=F)


@pytest.mark.parametrize('factory, base, changes, error, name', [
    (BPR, BPR_ARGS, {'batch_size': 0}, ValueError, 'batch_size'),
    (BPR, BPR_ARGS, {'batch_size': 2.5}, TypeError, 'batch_size'),
    (BPR, BPR_ARGS, {'dim_user_embed': '3'}, TypeError, 'dim_user_embed'),
    (BPR, BPR_ARGS, {'dim_item_embed': 0}, ValueError, 'dim_item_embed'),
    (BPR, BPR_ARGS, {'total_users': None}, TypeError, 'total_users'),
    (BPR, BPR_ARGS, {'total_items': -1}, ValueError, 'total_items'),
    (BPR, BPR_ARGS, {'l2_reg': -0.1}, ValueError, 'l2_reg'),
    (BPR, BPR_ARGS, {'l2_reg': '0.1'}, TypeError, 'l2_reg'),
    (BPR, BPR_ARGS, {'train': 'yes'}, TypeError, 'train'),
    (BPR, BPR_ARGS, {'serve': 1}, TypeError, 'serve'),
    (BPR, BPR_ARGS, {'save_model_dir': 3}, TypeError, 'save_model_dir'),
    (BPR, BPR_ARGS, {'init_model_dir': ['a']}, TypeError, 'init_model_dir'),
    (PMF, BPR_ARGS, {'a': 'x'}, TypeError, 'a'),
    (PMF, BPR_ARGS, {'b': None}, ValueError, 'b'),
    (PMF, BPR_ARGS, {'total_users': 0}, ValueError, 'total_users'),
    (UCML, BPR_ARGS, {'dim_user_embed': 1.5}, TypeError, 'dim_user_embed'),
    (UCML, BPR_ARGS, {'l2_reg': -1}, ValueError, 'l2_reg'),
    (VBPR, VBPR_ARGS, {'dim_v': 0}, ValueError, 'dim_v'),
    (VBPR, VBPR_ARGS, {'l2_reg_embed': -1.0}, ValueError, 'l2_reg_embed'),
    (VBPR, VBPR_ARGS, {'l2_reg_mlp': 'a'}, TypeError, 'l2_reg_mlp'),
    (VBPR, VBPR_ARGS, {'batch_size': -4}, ValueError, 'batch_size'),
    (VBPR, VBPR_ARGS, {'total_items': 0}, ValueError, 'total_items')])
def test_bad_arguments_are_rejected_at_the_call(factory, base, changes, error, name):
    with pytest.raises(error, match=name):
        factory(**dict(base, **changes))


def test_q18_vbpr_user_narrower_than_item_is_rejected_at_the_call():
    with pytest.raises(ValueError, match=r'dim_user_embed.*dim_item_embed.*dim_user_embed=2 < '
                                         r'dim_item_embed=3'):
        VBPR(**dict(VBPR_ARGS, dim_user_embed=2))


@pytest.mark.parametrize('factory', [BPR, PMF, UCML])
@pytest.mark.parametrize('dim_item_embed', [2, 1])
def test_q17_different_widths_fail_at_build_naming_the_dimensions(tmp_path, factory,
                                                                  dim_item_embed):
    rec = factory(B, DU, dim_item_embed, U, I, save_model_dir=str(tmp_path), serve=True)
    with pytest.raises(ValueError, match='dim_user_embed must equal dim_item_embed'):
        rec.build()
    assert not rec.isbuilt()

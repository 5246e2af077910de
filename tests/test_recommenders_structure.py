"""Graph structure of every recommender against the spec tables.

Constructor signatures, input placeholders (store name -> placeholder name, dtype,
shape), the module registries in registration order (class, scope, reuse), which
modules count in the loss, post-training ops and optimizer settings.
"""
import inspect

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _recommender_helpers import B, D, I, U
import openrec.recommenders as recommenders
from openrec.modules import extractions, fusions, interactions
from openrec.recommenders import (BPR, CDL, CML, GMF, NBPR, PMF, WCML, ConcatVisualBPR, ItrMLP,
                                  UserPMF, UserVisualPMF, VisualBPR, VisualCML, VisualGMF,
                                  VisualPMF)

T, F, FU, K, VE = 3, 7, 5, 4, 2

SIGNATURES = {
    'Recommender': "(batch_size, max_user, max_item, extra_interactions_funcs=[], "
                   "extra_fusions_funcs=[], test_batch_size=None, l2_reg=None, opt='SGD', "
                   "lr=None, init_dict=None, sess_config=None)",
    'BPR': "(batch_size, max_user, max_item, dim_embed, test_batch_size=None, l2_reg=None, "
           "opt='SGD', lr=None, init_dict=None, sess_config=None)",
    'PMF': "(batch_size, dim_embed, max_user, max_item, test_batch_size=None, l2_reg=None, "
           "opt='SGD', sess_config=None)",
    'NBPR': "(batch_size, max_user, max_item, dim_embed, neg_num=5, test_batch_size=None, "
            "l2_reg=None, opt='SGD', lr=None, init_dict=None, sess_config=None)",
    'ConcatVisualBPR': "(batch_size, max_user, max_item, dim_embed, dim_ve, item_f_source, "
                       "item_serving_size=None, l2_reg=None, sess_config=None)",
    'VisualPMF': "(batch_size, max_user, max_item, dim_embed, dims, item_f_source, "
                 "test_batch_size=None, item_serving_size=None, dropout_rate=None, "
                 "l2_reg=None, l2_reg_mlp=None, opt='SGD', sess_config=None)",
    'CDL': "(batch_size, max_user, max_item, dim_embed, item_f, dims, dropout=None, "
           "test_batch_size=None, item_serving_size=None, l2_reg=None, l2_reg_mlp=None, "
           "l2_reconst=None, opt='SGD', sess_config=None)",
    'CML': "(batch_size, max_user, max_item, dim_embed, test_batch_size=None, l2_reg=None, "
           "opt='SGD', lr=None, init_dict=None, sess_config=None)",
    'WCML': "(batch_size, max_user, max_item, dim_embed, test_batch_size=None, l2_reg=None, "
            "opt='SGD', lr=None, init_dict=None, sess_config=None, neg_num=5)",
    'VisualBPR': "(batch_size, max_user, max_item, dim_embed, dims, item_f_source, "
                 "test_batch_size=None, item_serving_size=None, dropout_rate=None, "
                 "l2_reg=None, l2_reg_mlp=None, opt='Adam', sess_config=None)",
    'GMF': "(batch_size, dim_embed, max_user, max_item, test_batch_size=None, l2_reg=None, "
           "opt='SGD', sess_config=None)",
    'UserPMF': "(batch_size, max_user, max_item, dim_embed, dims, user_f_source, "
               "test_batch_size=None, item_serving_size=None, dropout_rate=None, "
               "l2_reg=None, l2_reg_mlp=None, opt='SGD', sess_config=None)",
    'UserVisualPMF': "(batch_size, max_user, max_item, dim_embed, dims_user, dims_item, "
                     "user_f_source, item_f_source, test_batch_size=None, "
                     "item_serving_size=None, dropout_rate=None, l2_reg=None, "
                     "l2_reg_mlp=None, opt='SGD', sess_config=None)",
    'ItrMLP': "(batch_size, dim_embed, max_user, max_item, pretrained_user_embeddings, "
              "pretrained_item_embeddings, user_dims, item_dims, test_batch_size=None, "
              "l2_reg=None, opt='SGD', sess_config=None)",
}
SIGNATURES['VisualCML'] = SIGNATURES['VisualBPR']
SIGNATURES['VisualGMF'] = SIGNATURES['VisualPMF']

EXPORTS = ['Recommender', 'BPR', 'PMF', 'NBPR', 'ConcatVisualBPR', 'VisualPMF', 'CDL', 'CML',
           'WCML', 'VisualBPR', 'VisualCML', 'GMF', 'VisualGMF', 'UserPMF', 'UserVisualPMF',
           'ItrMLP']


def test_exports_and_signatures():
    assert recommenders.__all__ == EXPORTS
    for name in EXPORTS:
        cls = getattr(recommenders, name)
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert '(%s)' % ', '.join(str(p) for p in params) == SIGNATURES[name], name


RNG = np.random.RandomState(3)
ITEM_F = RNG.rand(I, F).astype(np.float32)
USER_F = RNG.rand(U, FU).astype(np.float32)

MAKERS = {
    'BPR': lambda: BPR(B, U, I, D, test_batch_size=T),
    'CML': lambda: CML(B, U, I, D, test_batch_size=T),
    'NBPR': lambda: NBPR(B, U, I, D, neg_num=K, test_batch_size=T),
    'WCML': lambda: WCML(B, U, I, D, test_batch_size=T, neg_num=K),
    'VisualBPR': lambda: VisualBPR(B, U, I, D, [3, D], ITEM_F, test_batch_size=T),
    'VisualCML': lambda: VisualCML(B, U, I, D, [3, D], ITEM_F, test_batch_size=T),
    'ConcatVisualBPR': lambda: ConcatVisualBPR(B, U, I, D, VE, ITEM_F),
    'PMF': lambda: PMF(B, D, U, I, test_batch_size=T),
    'GMF': lambda: GMF(B, D, U, I, test_batch_size=T, opt='Adam'),
    'VisualPMF': lambda: VisualPMF(B, U, I, D, [3, D], ITEM_F, test_batch_size=T),
    'VisualGMF': lambda: VisualGMF(B, U, I, D, [3, D], ITEM_F),
    'UserPMF': lambda: UserPMF(B, U, I, D, [3, D], USER_F),
    'UserVisualPMF': lambda: UserVisualPMF(B, U, I, D, [3, D], [2, D], USER_F, ITEM_F),
    'CDL': lambda: CDL(B, U, I, D, ITEM_F, [F, 5, D], l2_reconst=1.0),
    'ItrMLP': lambda: ItrMLP(B, D, U, I, np.zeros((U, D), np.float32),
                             np.zeros((I, D), np.float32), [5, D], [5, D], test_batch_size=T),
}

# ---- inputs: {store name: (placeholder name, dtype, shape)} ----

PAIR_IN = {'user_id': ('user_id_train', 'int32', [B]),
           'p_item_id': ('p_item_id_train', 'int32', [B]),
           'n_item_id': ('n_item_id_train', 'int32', [B])}
PAIR_SERVE = {'user_id': ('user_id_serving', 'int32', [T]),
              'item_id': ('item_id_serving', 'int32', [None])}
NEG_IN = dict(PAIR_IN, n_item_id=('n_item_id_train', 'int32', [B, K]))
VIS_PAIR_IN = dict(PAIR_IN, p_item_vfeature=('p_item_vfeature_train', 'float32', [B, F]),
                   n_item_vfeature=('n_item_vfeature_train', 'float32', [B, F]))
# Q7: item_id declared again, item_id_serving_1 replaces item_id_serving in the store
VIS_PAIR_SERVE = dict(PAIR_SERVE, item_id=('item_id_serving_1', 'int32', [None]),
                      item_vfeature=('item_vfeature_serving', 'float32', [None, F]))
POINT_IN = {'user_id': ('user_id_train', 'int32', [B]),
            'item_id': ('item_id_train', 'int32', [B]),
            'labels': ('labels_train', 'float32', [B])}
POINT_SERVE = {'user_id': ('user_id_serving', 'int32', [None]),
               'item_id': ('item_id_serving', 'int32', [None])}
VIS_POINT_IN = dict(POINT_IN, item_vfeature=('item_vfeature_train', 'float32', [B, F]))
VIS_POINT_SERVE = dict(POINT_SERVE, item_id=('item_id_serving_1', 'int32', [None]),
                       item_vfeature=('item_vfeature_serving', 'float32', [None, F]))
USER_IN = {'user_feature': ('user_feature_train', 'float32', [B, FU])}
USER_SERVE = {'user_feature': ('user_feature_serving', 'float32', [None, FU])}

INPUTS = {
    'BPR': (PAIR_IN, PAIR_SERVE), 'CML': (PAIR_IN, PAIR_SERVE),
    'NBPR': (NEG_IN, PAIR_SERVE), 'WCML': (NEG_IN, PAIR_SERVE),
    'VisualBPR': (VIS_PAIR_IN, VIS_PAIR_SERVE), 'VisualCML': (VIS_PAIR_IN, VIS_PAIR_SERVE),
    'ConcatVisualBPR': (VIS_PAIR_IN, dict(VIS_PAIR_SERVE,
                                          user_id=('user_id_serving', 'int32', [None]))),
    'PMF': (POINT_IN, POINT_SERVE), 'GMF': (POINT_IN, POINT_SERVE),
    'VisualPMF': (VIS_POINT_IN, VIS_POINT_SERVE), 'VisualGMF': (VIS_POINT_IN, VIS_POINT_SERVE),
    'UserPMF': (dict(POINT_IN, **USER_IN), dict(POINT_SERVE, **USER_SERVE)),
    'UserVisualPMF': (dict(VIS_POINT_IN, **USER_IN), dict(VIS_POINT_SERVE, **USER_SERVE)),
    'CDL': (dict(POINT_IN, item_feature=('item_feature_train', 'float32', [B, F])),
            dict(POINT_SERVE, item_id=('item_id_serving_1', 'int32', [None]),
                 item_feature=('item_feature_serving', 'float32', [None, F]))),
    'ItrMLP': (POINT_IN, {'user_id': ('user_id_serving', 'int32', [T]),
                          'item_id': ('item_id_serving', 'int32', [T]), 'labels': None}),
}

# ---- modules, in registration order: (name, class, scope, reuse) ----
# Training modules all count in the loss; serving modules never do.

LF = 'LatentFactor'
PAIR_EXTRACT = [('user_vec', LF, 'user', False), ('p_item_vec', LF, 'item', False),
                ('p_item_bias', LF, 'item_bias', False), ('n_item_vec', LF, 'item', True),
                ('n_item_bias', LF, 'item_bias', True)]
PAIR_SERVE_EXTRACT = [('user_vec', LF, 'user', True), ('item_vec', LF, 'item', True),
                      ('item_bias', LF, 'item_bias', True)]


def pair(interaction, scope):
    return (PAIR_EXTRACT + [('interaction', interaction, scope, False)],
            PAIR_SERVE_EXTRACT + [('interaction', interaction, scope, True)])


def visual_pair(interaction, scope):
    mlp = 'MultiLayerFC'
    return (PAIR_EXTRACT + [('p_item_vf', mlp, 'item_visual_embed', False),
                            ('n_item_vf', mlp, 'item_visual_embed', True),
                            ('p_item_vec', 'Average', 'item_concat', False),
                            ('n_item_vec', 'Average', 'item_concat', True),
                            ('interaction', interaction, scope, False)],
            PAIR_SERVE_EXTRACT + [('item_vf', mlp, 'item_visual_embed', True),
                                  ('item_vec', 'Average', 'item_concat', True),
                                  ('interaction', interaction, scope, True)])


def point(interaction, scope, user=(), item=(), fusions=(), user_vec=LF, item_vec=LF):
    def graph(reuse):
        return ([('user_vec', user_vec, 'user', reuse)]
                + [m + (reuse,) for m in user]
                + [('item_vec', item_vec, 'item', reuse), ('item_bias', LF, 'item_bias', reuse)]
                + [m + (reuse,) for m in item]
                + [m + (reuse,) for m in fusions]
                + [('interaction', interaction, scope, reuse)])
    return graph(False), graph(True)


ITEM_MLP = ('item_vf', 'MultiLayerFC', 'item_MLP')
ITEM_AVG = ('item_vec', 'Average', 'item_average')
USER_MLP = ('user_f', 'MultiLayerFC', 'user_MLP')
USER_AVG = ('user_vec', 'Average', 'user_average')
MSE, GE = ('PointwiseMSE', 'PointwiseMSE'), ('PointwiseGeCE', 'PointwiseGeCE')

CONCAT_TRAIN = [('user_vec', LF, 'user', False)]
for _prefix, _reuse in (('p_', False), ('n_', True)):
    CONCAT_TRAIN += [(_prefix + 'item_lf', LF, 'item', _reuse),
                     (_prefix + 'item_vf', 'MultiLayerFC', 'item_MLP', _reuse),
                     (_prefix + 'item_bias', LF, 'item_bias', _reuse)]

MODULES = {
    'BPR': pair('PairwiseLog', 'pairwise_log'),
    'CML': pair('PairwiseEuDist', 'PairwiseEuDist'),
    'NBPR': pair('NsLog', 'pairwise_log'),
    'WCML': pair('NSEuDist', 'pairwise_log'),
    'VisualBPR': visual_pair('PairwiseLog', 'pairwise_log'),
    'VisualCML': visual_pair('PairwiseEuDist', 'PairwiseEuDist'),
    'ConcatVisualBPR': (
        CONCAT_TRAIN + [('p_item_vec', 'Concat', 'item_concat', False),
                        ('n_item_vec', 'Concat', 'item_concat', True),
                        ('interaction', 'PairwiseLog', 'pairwise_log', False)],
        [('user_vec', LF, 'user', True), ('item_lf', LF, 'item', True),
         ('item_vf', 'MultiLayerFC', 'item_MLP', True), ('item_bias', LF, 'item_bias', True),
         ('item_vec', 'Concat', 'item_concat', True),
         ('interaction', 'PairwiseLog', 'pairwise_log', True)]),
    'PMF': point(*MSE),
    'GMF': point(*GE),
    'VisualPMF': point(*MSE, item=[ITEM_MLP], fusions=[ITEM_AVG]),
    'VisualGMF': point(*GE, item=[ITEM_MLP], fusions=[ITEM_AVG]),
    'UserPMF': point(*MSE, user=[USER_MLP], fusions=[USER_AVG]),
    'UserVisualPMF': point(*MSE, user=[USER_MLP], item=[ITEM_MLP], fusions=[ITEM_AVG, USER_AVG]),
    'CDL': point(*MSE, item=[('item_f', 'SDAE', 'AutoEncoder')], fusions=[ITEM_AVG]),
    'ItrMLP': point(*MSE, user_vec='TemporalLatentFactor', item_vec='TemporalLatentFactor'),
}

# (optimizer, learning rate, number of post-training ops)
TRAINING = {name: ('SGD', 0.005, 0) for name in MAKERS}
TRAINING.update(CML=('SGD', 0.005, 2), WCML=('SGD', 0.005, 2), GMF=('Adam', 0.001, 0))


@pytest.fixture
def few_pretraining_steps(monkeypatch):
    monkeypatch.setattr(ItrMLP, '_pretrain_steps', 2)


def inputs(rec, train):
    store = rec._inputs_store['train' if train else 'serving']
    return {k: None if v is None else (v.op.name, v.dtype.name, v.shape.as_list())
            for k, v in store.items()}


def final_store(registrations):
    """Registration list -> store contents (a re-registered name keeps its first slot)."""
    store = {}
    for name, cls, scope, reuse in registrations:
        store[name] = (module_class(cls), scope, reuse)
    return store


def module_class(name):
    for package in (extractions, fusions, interactions):
        if hasattr(package, name):
            return getattr(package, name)
    raise KeyError(name)


def describe(module):
    return (type(module), module._scope, module._reuse)


@pytest.mark.parametrize('name', sorted(MAKERS))
def test_inputs_modules_loss_and_optimizer(few_pretraining_steps, name):
    rec = MAKERS[name]()
    train_inputs, serve_inputs = INPUTS[name]
    assert inputs(rec, True) == train_inputs
    assert inputs(rec, False) == serve_inputs
    placeholders = {op.name for op in rec.graph.get_operations() if op.type == 'Placeholder'
                    and op.name.endswith(('_train', '_serving', '_serving_1'))}
    expected = {v[0] for v in list(train_inputs.values()) + list(serve_inputs.values()) if v}
    if 'item_id_serving_1' in expected:
        expected.add('item_id_serving')   # Q7: the orphan first declaration
    assert placeholders == expected

    train_modules, serve_modules = MODULES[name]
    store = rec._modules_store
    assert {k: describe(m) for k, m in store['train'].items()} == final_store(train_modules)
    assert list(store['train']) == list(final_store(train_modules))
    assert {k: describe(m) for k, m in store['serving'].items()} == final_store(serve_modules)
    assert list(store['serving']) == list(final_store(serve_modules))
    # every training registration counts in the loss, in registration order
    assert [describe(m) for m in rec._loss_nodes] == [(module_class(cls), scope, reuse)
                                                      for _, cls, scope, reuse in train_modules]

    opt, lr, n_post = TRAINING[name]
    assert (rec._opt, rec._lr, len(rec._post_training_ops)) == (opt, lr, n_post)
    assert rec._scores is store['serving']['interaction'].get_outputs()[0]
    with rec.graph.as_default():
        adam = [v.op.name for v in tf.global_variables() if v.op.name == 'beta1_power']
    assert adam == (['beta1_power'] if opt == 'Adam' else [])


def test_forwarded_module_arguments():
    nbpr, wcml = NBPR(B, U, I, D, neg_num=K), WCML(B, U, I, D, neg_num=K)
    for rec in (nbpr, wcml):
        for train in (True, False):
            interaction = rec._get_module('interaction', train=train)
            # Q3 fixed: neg_num reaches the interaction; max_item always does
            assert (interaction._neg_num, interaction._max_item) == (K, I)
    visual = VisualBPR(B, U, I, D, [3, D], ITEM_F, dropout_rate=0.25, l2_reg_mlp=0.5, opt='Adam',
                       item_serving_size=4)
    # VisualBPR: dropout only in the training MLPs; opt ignored (Q4)
    assert [visual._get_module(n)._dropout_mid for n in ('p_item_vf', 'n_item_vf')] == [0.25, 0.25]
    assert visual._get_module('item_vf', train=False)._dropout_mid is None
    assert visual._get_module('item_vf', train=False)._l2_reg == 0.5
    assert (visual._opt, visual._lr) == ('SGD', 0.005)
    pmf = VisualPMF(B, U, I, D, [3, D], ITEM_F, dropout_rate=0.25)
    assert [pmf._get_module('item_vf', train=t)._dropout_mid for t in (True, False)] == [0.25, 0.25]
    for rec, names in ((visual, ['p_item_vec', 'n_item_vec']), (pmf, ['item_vec'])):
        for name in names:
            assert rec._get_module(name)._weight == 2.0

"""FastDotProductServer of the OpenRec 0.2 API (spec tf1_core.md section 5, Q33-Q36).

Its scores equal the wrapped BPR's and VBPR's own serving scores; the caches are
refreshed at the first serve and after training, batch by batch of ids.
"""
import inspect

import numpy as np
import pytest

import openrec
import openrec.tf1
from _tf1_recommender_helpers import (close, collection_names, fetch, load, placeholder_table,
                                      random_values, variable_table)
from openrec.tf1.fast_dot_product_server import FastDotProductServer, _FastDotProductRecommender
from openrec.tf1.recommenders import BPR, VBPR

B, D, U, I, F = 4, 3, 5, 7, 6
PAIR_BATCH = {'user_id': np.array([0, 1, 1, 4]), 'p_item_id': np.array([1, 2, 6, 2]),
              'n_item_id': np.array([5, 0, 3, 6])}
SERVE_BATCH = {'user_id': np.array([0, 1, 4, 4, 2, 3]), 'item_id': np.array([1, 6, 3, 0, 5, 2])}
FEATURES = np.random.RandomState(1).standard_normal((I, F)).astype(np.float32)


class Extractors(object):
    """Extract functions as OpenRec's VBPR example writes them; records every call's ids."""

    def __init__(self, features=None):
        self.calls = []
        self._features = features

    def _items(self, ids):
        batch = {'item_id': ids}
        if self._features is not None:
            batch['item_vfeature'] = self._features[ids]
        return batch

    def user(self, model, ids):
        self.calls.append(('user', list(ids)))
        return model.serve_inspect_ports({'user_id': ids},
                                         ports=[model.servegraph.usergraph['user_vec']])[0]

    def item(self, model, ids):
        self.calls.append(('item', list(ids)))
        return model.serve_inspect_ports(self._items(ids),
                                         ports=[model.servegraph.interactiongraph['item_vec']])[0]

    def bias(self, model, ids):
        self.calls.append(('bias', list(ids)))
        return model.serve_inspect_ports(self._items(ids),
                                         ports=[model.servegraph.interactiongraph['item_bias']])[0]


def bpr_server(tmp_path, bias=True, batch_size=2):
    model = BPR(B, D, D, U, I, save_model_dir=str(tmp_path), serve=True)
    ex = Extractors()
    server = FastDotProductServer(model=model, batch_size=batch_size, total_users=U,
                                  total_items=I, dim_embed=D, extract_user_lf_func=ex.user,
                                  extract_item_lf_func=ex.item,
                                  extract_item_bias_func=ex.bias if bias else None)
    return model, server, ex


def test_exports_and_signatures():
    assert openrec.FastDotProductServer is FastDotProductServer
    assert openrec.tf1.FastDotProductServer is FastDotProductServer
    assert str(inspect.signature(FastDotProductServer)) == (
        '(model, batch_size, total_users, total_items, dim_embed, extract_user_lf_func=None, '
        'extract_item_lf_func=None, extract_item_bias_func=None)')
    assert str(inspect.signature(_FastDotProductRecommender)) == \
        '(batch_size, dim_embed, total_users, total_items)'
    for method in ('train', 'serve'):
        assert str(inspect.signature(getattr(FastDotProductServer, method))) == (
            "(self, batch_data, input_mapping_id='default', operations_id='default', "
            "losses_id='default', outputs_id='default')")
    assert str(inspect.signature(FastDotProductServer.save)) == \
        '(self, save_model_dir=None, global_step=None)'


def test_fast_recommender_graph():
    rec = _FastDotProductRecommender(B, D, U, I).build()
    assert rec._tf_train_sess is None     # its training graph is never built
    assert placeholder_table(rec, 'serve') == [
        ('inputgraph/user_id', 'int32', (None,)), ('inputgraph/item_id', 'int32', (None,)),
        ('inputgraph/user_lf_cache', 'float32', (U, D)),
        ('inputgraph/item_lf_cache', 'float32', (I, D)),
        ('inputgraph/item_bias_cache', 'float32', (I, 1))]
    assert variable_table(rec, 'serve') == [
        ('usergraph/user/embedding', (U, D), True), ('itemgraph/item/embedding', (I, D), True),
        ('itemgraph/item_bias/embedding', (I, 1), True)]
    assert sorted(rec.servegraph.get_input_mapping('cache')) == ['item_bias_cache',
                                                                 'item_lf_cache', 'user_lf_cache']
    operations = collection_names(rec, 'serve', 'operations', 'cache')
    assert len(operations) == 3
    assert [name.split('/')[0] for name in operations] == ['usergraph', 'itemgraph', 'itemgraph']
    assert collection_names(rec, 'serve', 'losses') == []
    rng = np.random.RandomState(2)
    caches = {'user_lf_cache': rng.standard_normal((U, D)), 'item_lf_cache':
              rng.standard_normal((I, D)), 'item_bias_cache': rng.standard_normal((I, 1))}
    rec.serve(caches, input_mapping_id='cache', operations_id='cache', losses_id=None,
              outputs_id=None)
    values = fetch(rec, 'serve')
    close(values['usergraph/user/embedding'], caches['user_lf_cache'])
    close(values['itemgraph/item_bias/embedding'], caches['item_bias_cache'])
    scores = rec.serve(SERVE_BATCH)['outputs'][0]
    close(scores, np.sum(caches['user_lf_cache'][SERVE_BATCH['user_id']]
                         * caches['item_lf_cache'][SERVE_BATCH['item_id']], axis=1)
          + caches['item_bias_cache'][SERVE_BATCH['item_id'], 0])


def test_scores_equal_bpr_and_refresh_after_training(tmp_path):
    model, server, ex = bpr_server(tmp_path)
    assert not server.isbuilt()
    server.build()
    assert server.isbuilt() and model.isbuilt()
    # Q34: the first serve fills the caches (no training yet)
    first = server.serve(SERVE_BATCH)
    assert first['losses'] == [] and first['outputs'][0].shape == (6,)
    close(first['outputs'][0], model.serve(SERVE_BATCH)['outputs'][0])
    assert ex.calls == [('user', [0, 1]), ('user', [2, 3]), ('user', [4]),
                        ('item', [0, 1]), ('item', [2, 3]), ('item', [4, 5]), ('item', [6]),
                        ('bias', [0, 1]), ('bias', [2, 3]), ('bias', [4, 5]), ('bias', [6])]
    server.serve(SERVE_BATCH)
    assert len(ex.calls) == 11            # no refresh without training
    # give the biases non-zero values, then train through the server
    load(model, 'train', random_values(model, seed=3))
    result = server.train(PAIR_BATCH)
    assert len(result['losses']) == 1
    scores = server.serve(SERVE_BATCH)['outputs'][0]
    assert len(ex.calls) == 22
    close(scores, model.serve(SERVE_BATCH)['outputs'][0])
    trained = fetch(model, 'train')
    close(scores, np.sum(trained['usergraph/user/embedding'][SERVE_BATCH['user_id']]
                         * trained['itemgraph/item/embedding'][SERVE_BATCH['item_id']], axis=1)
          + trained['itemgraph/item_bias/embedding'][SERVE_BATCH['item_id'], 0])


def test_without_a_bias_function_the_biases_are_zero(tmp_path):
    model, server, ex = bpr_server(tmp_path, bias=False, batch_size=10)
    server.build()
    load(model, 'train', random_values(model, seed=4))
    server.train(PAIR_BATCH, operations_id=None)
    scores = server.serve(SERVE_BATCH)['outputs'][0]
    assert ex.calls == [('user', list(range(U))), ('item', list(range(I)))]
    v = fetch(model, 'train')
    close(scores, np.sum(v['usergraph/user/embedding'][SERVE_BATCH['user_id']]
                         * v['itemgraph/item/embedding'][SERVE_BATCH['item_id']], axis=1))


def test_scores_equal_vbpr(tmp_path):
    model = VBPR(B, 5, D, F, U, I, save_model_dir=str(tmp_path), serve=True)
    ex = Extractors(FEATURES)
    server = FastDotProductServer(model, 3, U, I, 5, ex.user, ex.item, ex.bias)
    server.build()
    load(model, 'train', random_values(model, seed=5))
    batch = dict(PAIR_BATCH, p_item_vfeature=FEATURES[PAIR_BATCH['p_item_id']],
                 n_item_vfeature=FEATURES[PAIR_BATCH['n_item_id']])
    server.train(batch)
    own = model.serve(dict(SERVE_BATCH, item_vfeature=FEATURES[SERVE_BATCH['item_id']]))
    close(server.serve(SERVE_BATCH)['outputs'][0], own['outputs'][0])


def test_q35_build_completes_around_a_built_model(tmp_path):
    model, server, _ = bpr_server(tmp_path)
    model.build()
    session = model._tf_train_sess
    assert model.isbuilt() and not server.isbuilt()
    server.build()
    assert server.isbuilt() and model._tf_train_sess is session   # the model is not rebuilt
    server.build()                                                 # nothing left to build
    assert server.isbuilt()


def test_q36_serving_batches_hold_exactly_user_id_and_item_id(tmp_path):
    _, server, _ = bpr_server(tmp_path)
    server.build()
    with pytest.raises(ValueError, match="'item_vfeature' is not in the input mapping"):
        server.serve(dict(SERVE_BATCH, item_vfeature=FEATURES[SERVE_BATCH['item_id']]))


def test_save_delegates_to_the_model(tmp_path):
    _, server, _ = bpr_server(tmp_path)
    server.build()
    server.save(global_step=3)
    assert (tmp_path / 'model.ckpt-3.index').exists()


def test_extract_functions_must_return_one_row_per_id(tmp_path):
    model = BPR(B, D, D, U, I, save_model_dir=str(tmp_path), serve=True)
    server = FastDotProductServer(model, 2, U, I, D, lambda m, ids: np.zeros((len(ids), D)),
                                  lambda m, ids: np.zeros((D, len(ids))))
    server.build()
    with pytest.raises(ValueError, match=r'extract_item_lf_func returned an array of shape '
                                         r'\(3, 2\) for 2 ids, expected \(2, 3\)'):
        server.serve(SERVE_BATCH)


@pytest.mark.parametrize('changes, error, message', [
    ({'extract_user_lf_func': None}, ValueError,
     r'Function for user embedding extraction not specified\. \(extract_user_lf_func'),
    ({'extract_item_lf_func': None}, ValueError,
     r'Function for item embedding extraction not specified\. \(extract_item_lf_func'),
    ({'extract_user_lf_func': 3}, TypeError, 'extract_user_lf_func'),
    ({'extract_item_bias_func': 'f'}, TypeError, 'extract_item_bias_func'),
    ({'batch_size': 0}, ValueError, 'batch_size'),
    ({'dim_embed': 2.0}, TypeError, 'dim_embed'),
    ({'total_users': -1}, ValueError, 'total_users'),
    ({'total_items': None}, TypeError, 'total_items'),
    ({'model': object()}, TypeError, 'model')])
def test_q33_bad_arguments(tmp_path, changes, error, message):
    arguments = dict(model=BPR(B, D, D, U, I, save_model_dir=str(tmp_path), serve=True),
                     batch_size=2, total_users=U, total_items=I, dim_embed=D,
                     extract_user_lf_func=lambda m, ids: None,
                     extract_item_lf_func=lambda m, ids: None)
    with pytest.raises(error, match=message) as info:
        FastDotProductServer(**dict(arguments, **changes))
    assert isinstance(info.value, AssertionError)     # the original's assert, still catchable

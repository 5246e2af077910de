"""``export_saved_model`` of every 0.1 and 0.2 recommender, loaded back in this process.

Each SavedModel is loaded with the TF1 loader into a fresh graph (this works in both
graph modes of the suite; ``test_saved_model.py`` loads in a fresh eager TF2 process):
``serving_default`` must equal ``serve()`` and ``top_k`` a numpy top-k of ``serve()``'s
scores against every item.
"""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import openrec.recommenders as legacy
import openrec.tf1.recommenders as tf1
from test_saved_model import (FEATURES, USERS, D, I, T, U, numpy_top_k, pair_batches,
                              pair_scores, set_values)

K = 4
RNG = np.random.RandomState(7)
ITEM_F = FEATURES
USER_F = RNG.normal(size=(U, 3)).astype(np.float32)
ITEMS = np.array([10, 2, 2, 7], np.int32)
L = 4

LEGACY = {
    'BPR': lambda: legacy.BPR(6, U, I, D, test_batch_size=T),
    'CML': lambda: legacy.CML(6, U, I, D, test_batch_size=T),
    'NBPR': lambda: legacy.NBPR(6, U, I, D, neg_num=3, test_batch_size=T),
    'WCML': lambda: legacy.WCML(6, U, I, D, test_batch_size=T),
    'PMF': lambda: legacy.PMF(6, D, U, I),
    'GMF': lambda: legacy.GMF(6, D, U, I),
    'VisualBPR': lambda: legacy.VisualBPR(6, U, I, D, [6, D], ITEM_F, test_batch_size=T),
    'VisualCML': lambda: legacy.VisualCML(6, U, I, D, [6, D], ITEM_F),
    'ConcatVisualBPR': lambda: legacy.ConcatVisualBPR(6, U, I, D, 2, ITEM_F),
    'VisualPMF': lambda: legacy.VisualPMF(6, U, I, D, [6, D], ITEM_F),
    'VisualGMF': lambda: legacy.VisualGMF(6, U, I, D, [6, D], ITEM_F),
    'UserPMF': lambda: legacy.UserPMF(6, U, I, D, [6, D], USER_F),
    'UserVisualPMF': lambda: legacy.UserVisualPMF(6, U, I, D, [6, D], [6, D], USER_F, ITEM_F),
    'CDL': lambda: legacy.CDL(6, U, I, D, ITEM_F, [ITEM_F.shape[1], 6, D], l2_reconst=0.1),
}
YOUTUBE = dict(user_dict={'gender': 3, 'geo': 5}, item_dict={'id': I},
               dim_user_embed={'total': 6, 'geo': 4, 'gender': 2},
               dim_item_embed={'total': 3, 'id': 3}, max_seq_len=L)
TF1 = {
    'BPR': lambda d: tf1.BPR(6, D, D, U, I, save_model_dir=d, serve=True),
    'PMF': lambda d: tf1.PMF(6, D, D, U, I, save_model_dir=d, serve=True),
    'UCML': lambda d: tf1.UCML(6, D, D, U, I, save_model_dir=d, serve=True),
    'VBPR': lambda d: tf1.VBPR(6, D + 2, D, ITEM_F.shape[1], U, I, save_model_dir=d, serve=True),
    'RNNRec': lambda d: tf1.RNNRec(6, D, L, I, 3, save_model_dir=d, serve=True),
    'VanillaYouTubeRec': lambda d: tf1.VanillaYouTubeRec(6, D, L, I, save_model_dir=d,
                                                         serve=True),
    'YouTubeRec': lambda d: tf1.YouTubeRec(6, save_model_dir=d, serve=True, **YOUTUBE),
}
SEQUENCE_BATCH = {'seq_item_id': RNG.randint(0, I, (3, L)).astype(np.int32),
                  'seq_len': np.array([4, 0, 2], np.int32),
                  'user_gender': np.array([2, 0, 1], np.int32),
                  'user_geo': np.array([4, 4, 0], np.int32)}


def run_signature(directory, name, feeds):
    """``{output: value}`` of a signature, through the TF1 SavedModel loader."""
    with tf.Graph().as_default() as graph, tf.Session(graph=graph) as sess:
        signature = tf.saved_model.loader.load(sess, ['serve'], directory).signature_def[name]
        assert sorted(signature.inputs) == sorted(feeds)
        return sess.run({k: v.name for k, v in signature.outputs.items()},
                        {signature.inputs[k].name: v for k, v in feeds.items()})


def check(directory, served, serve_feeds, scores, top_k_feeds):
    got = run_signature(directory, 'serving_default', serve_feeds)
    np.testing.assert_allclose(got['scores'], served, rtol=1e-5, atol=1e-6)
    got = run_signature(directory, 'top_k', dict(top_k_feeds, k=np.int32(K)))
    ids, values = numpy_top_k(scores, K)
    np.testing.assert_array_equal(got['item_ids'], ids)
    np.testing.assert_allclose(got['scores'], values, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('name', sorted(LEGACY))
def test_every_legacy_recommender(name, tmp_path):
    rec = LEGACY[name]()
    set_values(rec.graph, rec.sess, 3)
    scores = rec.serve({'user_id_input': USERS, 'item_id_input': np.arange(I)})
    served = rec.serve({'user_id_input': USERS, 'item_id_input': ITEMS})
    rec.export_saved_model(str(tmp_path / 'model'))
    check(str(tmp_path / 'model'), served[:2],
          {'user_id_input': USERS[:2], 'item_id_input': ITEMS}, scores,
          {'user_id_input': USERS})


@pytest.mark.parametrize('name', sorted(TF1))
def test_every_tf1_recommender(name, tmp_path):
    rec = TF1[name](str(tmp_path / 'ckpt')).build()
    sequence = name in ('RNNRec', 'VanillaYouTubeRec', 'YouTubeRec')
    if sequence:
        fields = list(rec.servegraph.get_input_mapping())
        batch = {f: SEQUENCE_BATCH[f] for f in fields}
        rng = np.random.RandomState(1)
        rec.train(dict({f: rng.randint(0, 2, (6, L) if f == 'seq_item_id' else 6)
                        for f in fields}, label=rng.randint(0, I, 6)))
        rec.export_saved_model(str(tmp_path / 'model'))
        served = rec.serve(batch)['outputs'][0]
        check(str(tmp_path / 'model'), served, batch, served, batch)
        return
    batches = pair_batches(2, 9)
    extra, kwargs = {}, {}
    for batch in batches:
        if name == 'PMF':   # PMF trains on (user, item, label) rows
            batch.update(item_id=batch.pop('p_item_id'),
                         label=np.float32(batch.pop('n_item_id') % 2))
        elif name == 'VBPR':
            batch.update(p_item_vfeature=ITEM_F[batch['p_item_id']],
                         n_item_vfeature=ITEM_F[batch['n_item_id']])
    if name == 'VBPR':
        extra = {'item_vfeature': np.tile(ITEM_F, (len(USERS), 1))}
        kwargs = {'item_inputs': {'item_vfeature': ITEM_F}}
    for batch in batches:
        rec.train({k: v[:6] for k, v in batch.items()})
    rec.export_saved_model(str(tmp_path / 'model'), **kwargs)   # after training: synced
    scores = pair_scores(rec, USERS, extra)
    batch = {'user_id': USERS[:3], 'item_id': ITEMS[:3]}
    if name == 'VBPR':
        batch['item_vfeature'] = ITEM_F[ITEMS[:3]]
    served = rec.serve(batch)['outputs'][0]
    check(str(tmp_path / 'model'), served, batch, scores, {'user_id': USERS})


class StaticBPR(legacy.BPR):
    """Serving scores reshaped to ``test_batch_size`` rows: the graph needs that size."""

    def _build_serving_graph(self):
        super(StaticBPR, self)._build_serving_graph()
        self._scores = tf.reshape(self._scores, [self._test_batch_size, -1])


def test_a_graph_needing_its_static_size_keeps_it(tmp_path):
    rec = StaticBPR(6, U, I, D, test_batch_size=T)
    set_values(rec.graph, rec.sess, 4)
    with pytest.warns(UserWarning, match='the serving graph needs its static batch size for '
                                         'user_id_input; the SavedModel keeps it'):
        rec.export_saved_model(str(tmp_path / 'model'))
    with tf.Graph().as_default() as graph, tf.Session(graph=graph) as sess:
        signatures = tf.saved_model.loader.load(sess, ['serve'], str(tmp_path / 'model'))
        dims = signatures.signature_def['serving_default'].inputs['user_id_input'].tensor_shape
        assert [d.size for d in dims.dim] == [T]
    full = {'user_id_input': USERS, 'item_id_input': np.arange(I)}
    scores = rec.serve(full)
    check(str(tmp_path / 'model'), scores, full, scores, {'user_id_input': USERS})

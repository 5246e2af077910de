"""Recommender.train_steps: k training steps in one session call equal k train calls."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _recommender_helpers import B, D, I, U, neg_batch, pair_batch, point_batch
from openrec.recommenders import BPR, CML, NBPR, ItrMLP, VisualBPR

from test_recommenders_structure import MAKERS

BATCHES = {'pair': pair_batch, 'neg': lambda seed: neg_batch(seed, neg_num=4),
           'point': point_batch}
KIND = {'BPR': 'pair', 'CML': 'pair', 'VisualBPR': 'pair', 'VisualCML': 'pair',
        'ConcatVisualBPR': 'pair', 'NBPR': 'neg', 'WCML': 'neg'}


def values(rec):
    with rec.graph.as_default():
        return {v.op.name: rec.sess.run(v) for v in tf.global_variables()}


def twins(make):
    """Two recommenders with the same variable values."""
    first, second = make(), make()
    with second.graph.as_default():
        for name, value in values(first).items():
            [var] = [v for v in tf.global_variables() if v.op.name == name]
            var.load(value, second.sess)
    return first, second


# one of each kind: SGD, Adam, post-training ops, negatives, MLPs on features, SDAE,
# TemporalLatentFactor's flags
@pytest.mark.parametrize('name', ['BPR', 'GMF', 'CML', 'NBPR', 'VisualBPR', 'CDL', 'ItrMLP'])
def test_same_updates_as_separate_calls(name, monkeypatch):
    """Losses and every variable (optimizer slots included) equal k train calls, exactly."""
    monkeypatch.setattr(ItrMLP, '_pretrain_steps', 50)
    batches = [BATCHES[KIND.get(name, 'point')](seed) for seed in range(5)]
    separate, chained = twins(MAKERS[name])
    expected = [separate.train(batch) for batch in batches]
    got = np.concatenate([chained.train_steps(batches[:3]), chained.train_steps(batches[3:])])
    assert got.dtype == np.float32 and got.shape == (5,)
    np.testing.assert_array_equal(got, expected)
    after, expected_after = values(chained), values(separate)
    assert sorted(after) == sorted(expected_after)
    for var_name, value in expected_after.items():
        np.testing.assert_array_equal(after[var_name], value, err_msg=var_name)
    # the steps moved something: the test can fail
    assert len(set(expected)) > 1


@pytest.mark.parametrize('opt', ['SGD', 'Adam'])
def test_chains_are_built_once_per_length(opt):
    rec = BPR(B, U, I, D, opt=opt)
    batches = [pair_batch(seed) for seed in range(4)]
    rec.train_steps(batches[:2])
    size = len(rec.graph.get_operations())
    rec.train_steps(batches[2:])
    assert len(rec.graph.get_operations()) == size
    rec.train_steps(batches[:3])
    assert len(rec.graph.get_operations()) > size
    # a chain of one step is one train call
    single, chained = twins(lambda: BPR(B, U, I, D, opt=opt))
    np.testing.assert_array_equal(chained.train_steps([batches[0]]), [single.train(batches[0])])


def test_post_training_ops_run_after_every_step():
    """CML censors the norms after each update: after every step of the chain too."""
    separate, chained = twins(lambda: CML(B, U, I, D, lr=5.0))
    batches = [pair_batch(seed) for seed in range(3)]
    for batch in batches:
        separate.train(batch)
    chained.train_steps(batches)
    norms = np.linalg.norm(values(chained)['user/embedding'], axis=1)
    assert norms.max() <= 1.0 + 1e-6
    np.testing.assert_array_equal(values(chained)['user/embedding'],
                                  values(separate)['user/embedding'])


def test_random_ops_are_refused():
    """Dropout's copies would not continue one random stream: refused, nothing built."""
    item_f = np.random.RandomState(0).rand(I, 7).astype(np.float32)
    rec = VisualBPR(B, U, I, D, [3, D], item_f, dropout_rate=0.5)
    size = len(rec.graph.get_operations())
    with pytest.raises(ValueError) as info:
        rec.train_steps([pair_batch(0), pair_batch(1)])
    assert 'stateful op' in str(info.value) and 'random' in str(info.value)
    assert len(rec.graph.get_operations()) == size
    rec.train(pair_batch(0))  # still trains


@pytest.mark.parametrize('batches, exc, words', [
    ([], ValueError, ['batches', 'at least one']),
    ((), ValueError, ['batches', 'at least one']),
    (None, TypeError, ['batches', 'list']),
    ({'user_id_input': np.zeros(B, np.int32)}, TypeError, ['batches', 'list']),
    ([{'user_id_input': np.zeros(B, np.int32)}], ValueError, ['p_item_id_input']),
])
def test_bad_batches(batches, exc, words):
    rec = BPR(B, U, I, D)
    size = len(rec.graph.get_operations())
    with pytest.raises(exc) as info:
        rec.train_steps(batches)
    for word in words:
        assert word in str(info.value)
    assert len(rec.graph.get_operations()) == size


def test_negative_sampling_inputs_are_stacked():
    """NBPR's [batch, neg_num] input becomes [k, batch, neg_num]."""
    rec = NBPR(B, U, I, D, neg_num=4)
    rec.train_steps([neg_batch(seed, neg_num=4) for seed in range(2)])
    stacked = [op for op in rec.graph.get_operations()
               if op.type == 'Placeholder' and op.name.startswith('train_steps')]
    assert sorted((op.name, op.outputs[0].shape.as_list()) for op in stacked) == [
        ('train_steps/n_item_id_train', [2, B, 4]), ('train_steps/p_item_id_train', [2, B]),
        ('train_steps/user_id_train', [2, B])]

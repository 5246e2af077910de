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


class PartitionedBPR(BPR):
    """BPR with its user and item tables split in row-wise parts (as a user could)."""

    def _build_user_extractions(self, train=True):
        with tf.variable_scope(tf.get_variable_scope(), partitioner=tf.fixed_size_partitioner(3)):
            super(PartitionedBPR, self)._build_user_extractions(train)

    def _build_item_extractions(self, train=True):
        with tf.variable_scope(tf.get_variable_scope(), partitioner=tf.fixed_size_partitioner(2)):
            super(PartitionedBPR, self)._build_item_extractions(train)


def duplicate_batches(steps):
    """Batches whose ids repeat within each batch and across batches (user 0, item 1 in all)."""
    rng = np.random.RandomState(5)
    return [{'user_id_input': np.array([0, 0] + list(rng.randint(U, size=B - 2)), np.int32),
             'p_item_id_input': np.array([1, 1] + list(rng.randint(I, size=B - 2)), np.int32),
             'n_item_id_input': np.array([2, 1] + list(rng.randint(I, size=B - 2)), np.int32)}
            for _ in range(steps)]


@pytest.mark.parametrize('partitioned', [False, True])
@pytest.mark.parametrize('opt', ['SGD', 'Adam'])
def test_sparse_updates_of_repeated_ids_in_order(opt, partitioned):
    """Sparse embedding updates of ids repeated within and across the k batches (SGD sums
    the repeats; Adam's sparse update reads the slots the previous step wrote): equal to
    k train calls, bit for bit, and different in another order (the test sees order)."""
    make = PartitionedBPR if partitioned else BPR
    separate, chained = twins(lambda: make(B, U, I, D, opt=opt, lr=0.5))
    reordered, _ = twins(lambda: make(B, U, I, D, opt=opt, lr=0.5))
    if partitioned:
        assert 'user/embedding/part_2' in values(chained)
    batches = duplicate_batches(4)
    before = values(chained)
    expected = [separate.train(batch) for batch in batches]
    np.testing.assert_array_equal(chained.train_steps(batches), expected)
    after, expected_after = values(chained), values(separate)
    assert sorted(after) == sorted(expected_after)
    for name, value in expected_after.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)
    user = 'user/embedding/part_0' if partitioned else 'user/embedding'
    assert np.abs(after[user][0] - before[user][0]).max() > 1e-3
    reordered.train_steps(batches[::-1])
    assert np.abs(values(reordered)[user][0] - after[user][0]).max() > 1e-6


def test_every_batch_is_checked_before_anything_runs():
    """A bad id in the last batch: train()'s error, no step taken, nothing built."""
    rec = BPR(B, U, I, D)
    batches = [pair_batch(seed) for seed in range(3)]
    batches[2]['p_item_id_input'] = batches[2]['p_item_id_input'].copy()
    batches[2]['p_item_id_input'][1] = I
    size, before = len(rec.graph.get_operations()), values(rec)
    with pytest.raises(ValueError) as info:
        rec.train_steps(batches)
    assert "batch_data['p_item_id_input']" in str(info.value) and 'max_item' in str(info.value)
    assert len(rec.graph.get_operations()) == size
    after = values(rec)
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)
    batches[1]['user_id_input'] = batches[1]['user_id_input'][:-1]  # the first error wins
    with pytest.raises(ValueError) as info:
        rec.train_steps(batches)
    assert "batch_data['user_id_input']" in str(info.value) and 'length 6' in str(info.value)


class AnyLengthBPR(BPR):
    """Training inputs of any length (as a subclass may declare them)."""

    def _build_user_inputs(self, train=True):
        self._add_input(name='user_id', dtype='int32', shape=[None], train=train)

    def _build_item_inputs(self, train=True):
        if train:
            self._add_input(name='p_item_id', dtype='int32', shape=[None])
            self._add_input(name='n_item_id', dtype='int32', shape=[None])
        else:
            self._add_input(name='item_id', dtype='int32', shape=[None], train=False)


def test_batches_of_different_lengths_are_refused():
    rec = AnyLengthBPR(B, U, I, D)
    size = len(rec.graph.get_operations())
    with pytest.raises(ValueError) as info:
        rec.train_steps([pair_batch(0), pair_batch(1, batch=B - 1)])
    assert 'same shapes' in str(info.value) and 'batches[1]' in str(info.value)
    assert 'user_id_train [5]' in str(info.value)
    assert len(rec.graph.get_operations()) == size
    # equal lengths (any) are stacked
    separate, chained = twins(lambda: AnyLengthBPR(B, U, I, D))
    batches = [pair_batch(seed, batch=3) for seed in range(2)]
    np.testing.assert_array_equal(chained.train_steps(batches),
                                  [separate.train(batch) for batch in batches])

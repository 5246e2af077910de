"""The 0.2 training samplers: batches, distributions, checks (tf1_samplers.md sections 2, 5, S2-S4, S7)."""
import collections
import random

import numpy as np
import pytest

import openrec.tf1.utils.samplers as samplers
from openrec.tf1.utils import Dataset
from openrec.tf1.utils.samplers import (RandomPairwiseSampler, RandomPointwiseSampler, Sampler,
                                        StratifiedPointwiseSampler, TemporalSampler, VBPREvaluationSampler,
                                        VBPRPairwiseSampler, YouTubeEvaluationSampler, YouTubeSampler)
from _tf1_sampler_helpers import PAIR, no_leaks, positives, rows, take, toy  # noqa: F401

I4, F4 = np.int32, np.float32
PAIRWISE = [('user_id', I4), ('p_item_id', I4), ('n_item_id', I4)]
POINTWISE = np.dtype([('user_id', I4), ('item_id', I4), ('label', F4)])


def stream(sampler, count):
    with sampler:
        batches = take(sampler, count)
    return np.concatenate(batches)


def close_to(observed, expected):
    """Counts within four standard deviations (streams are seeded: one worker, fixed seed)."""
    return abs(observed - expected) <= 4 * np.sqrt(expected) + 1


def check_batches(batches, dtype, batch_size):
    for batch in batches:
        assert type(batch) is np.ndarray and batch.dtype == np.dtype(dtype) and batch.shape == (batch_size,)
    assert len({id(b) for b in batches}) == len(batches)


def test_package_exports_in_order():
    assert [n for n in vars(samplers) if n[0].isupper()] == [
        'Sampler', 'RandomPairwiseSampler', 'VBPRPairwiseSampler', 'RandomPointwiseSampler',
        'StratifiedPointwiseSampler', 'EvaluationSampler', 'VBPREvaluationSampler', 'TemporalSampler',
        'TemporalEvaluationSampler', 'YouTubeSampler', 'YouTubeEvaluationSampler']


def test_factories_return_plain_samplers_and_reseed_the_caller():
    dataset, _ = toy()
    random.seed(7)
    expected = random.random()
    random.seed(0)
    sampler = RandomPairwiseSampler(dataset, 4, 2, 7)
    assert random.random() == expected
    assert type(sampler) is Sampler and sampler.name == 'Toy' and sampler._num_process == 2
    assert sampler._q is None and sampler._runner_list == [] and not sampler._start
    with pytest.raises(TypeError):
        isinstance(sampler, RandomPairwiseSampler)


def test_pairwise_rows_walk_epochs_and_negatives_are_uniform():
    dataset, raw = toy()
    pos = positives(raw)
    sampler = RandomPairwiseSampler(dataset=dataset, batch_size=7, num_process=1, seed=3)
    with sampler:
        batches = take(sampler, 9)
        assert len(sampler._runner_list) == 1
    check_batches(batches, PAIRWISE, 7)
    got = np.concatenate(batches)
    for epoch in range(3):  # each block of len(raw) rows is a permutation of the rows
        block = got[epoch * 21:(epoch + 1) * 21]
        assert sorted(zip(block['user_id'].tolist(), block['p_item_id'].tolist())) == sorted(raw.tolist())
    rows_ = stream(RandomPairwiseSampler(dataset, 500, num_process=1, seed=1), 30)
    counts = collections.Counter(zip(rows_['user_id'].tolist(), rows_['n_item_id'].tolist()))
    for u, items in pos.items():
        per_user = np.sum(rows_['user_id'] == u)
        negatives = [i for i in range(12) if i not in items]
        assert {n for (v, n) in counts if v == u} == set(negatives)  # never positive, every other id
        for n in negatives:
            assert close_to(counts[u, n], per_user / len(negatives))


def test_pairwise_streams_follow_seed_worker_and_reset():
    dataset, _ = toy()

    def first(seed, resets=1):
        sampler = RandomPairwiseSampler(dataset, 6, num_process=1, seed=seed)
        for _ in range(resets):
            sampler.reset()
        return stream(sampler, 3).tolist()
    assert first(5) == first(5) and first(5) != first(6) and first(5) != first(5, resets=2)
    sampler = RandomPairwiseSampler(dataset, 21, num_process=2, seed=5)
    sampler.reset()
    a, b = take(sampler, 2)
    sampler.close()
    assert a.tolist() != b.tolist()  # the two workers draw differently


def test_pairwise_negatives_from_pools_and_explicit_negatives():
    _, raw = toy()
    np.random.seed(4)
    pooled = Dataset(raw, 6, 12, num_negatives=3)
    got = stream(RandomPairwiseSampler(pooled, 300, num_process=1), 5)
    for u in range(6):
        drawn = set(got['n_item_id'][got['user_id'] == u].tolist())
        assert drawn == set(pooled.get_negative_items(u))
    labelled = rows([(0, 1, 1.0), (0, 2, 0.0), (1, 3, -1.0), (1, 4, 2.0), (1, 5, 0.0), (0, 6, 3.0)],
                    PAIR + [('label', F4)])
    explicit = Dataset(labelled, 2, 12, implicit_negative=False)
    got = stream(RandomPairwiseSampler(explicit, 60, num_process=1), 3)
    assert set(zip(got['user_id'].tolist(), got['p_item_id'].tolist())) == {(0, 1), (0, 2), (1, 3), (1, 4),
                                                                             (1, 5), (0, 6)}
    assert set(got['n_item_id'][got['user_id'] == 0].tolist()) == {2}
    assert set(got['n_item_id'][got['user_id'] == 1].tolist()) == {3, 5}


def test_pairwise_rejects_users_without_negatives():
    full = Dataset(rows([(0, i) for i in range(4)] + [(1, 0)]), 2, 4, name='Full')
    with pytest.raises(ValueError, match=r"dataset 'Full': user 0 has no negative item to sample \(its positives "
                                         r"cover every item of 0..3\); 4 row\(s\) affected"):
        RandomPairwiseSampler(full, 4)
    np.random.seed(0)
    with pytest.raises(ValueError, match=r'user 0 has no negative item to sample \(its num_negatives pool is empty'):
        RandomPairwiseSampler(Dataset(rows([(0, i) for i in range(4)] + [(1, 0)]), 2, 4, num_negatives=2), 4)
    labelled = rows([(0, 1, 1.0), (1, 2, 0.0)], PAIR + [('label', F4)])
    with pytest.raises(ValueError, match=r'user 0 has no negative item to sample \(it has no explicit negative'):
        RandomPairwiseSampler(Dataset(labelled, 2, 4, implicit_negative=False), 4)
    with pytest.raises(ValueError, match="dataset 'E' is empty"):
        RandomPairwiseSampler(Dataset(np.zeros(0, PAIR), 2, 4, name='E'), 4)


class CountingDataset(Dataset):
    """Overrides a sampled method: the samplers must call it (row by row, in processes)."""

    def sample_negative_items(self, user_id, num_samples=1):
        return [(super(CountingDataset, self).sample_negative_items(user_id, num_samples)[0] + 0)]


def test_pairwise_on_other_dataset_objects_runs_the_original_generator():
    _, raw = toy()
    dataset = CountingDataset(raw, 6, 12, name='Counting')
    pos = positives(raw)
    sampler = RandomPairwiseSampler(dataset, 7, num_process=1)
    with sampler:
        batches = take(sampler, 3)
        assert [type(w).__name__ for w in sampler._runner_list] == ['ForkProcess']
    check_batches(batches, PAIRWISE, 7)
    got = np.concatenate(batches)
    assert sorted(zip(got['user_id'][:21].tolist(), got['p_item_id'][:21].tolist())) == sorted(raw.tolist())
    assert all(n not in pos[u] for u, n in zip(got['user_id'].tolist(), got['n_item_id'].tolist()))


@pytest.mark.parametrize('width', [1, 3])
def test_vbpr_pairwise_features(width):
    dataset, raw = toy()
    features = np.arange(12 * width, dtype=np.float64).reshape(12, width) / 7.0
    sampler = VBPRPairwiseSampler(dataset, 5, features, num_process=1)
    batches = take(sampler, 4)
    sampler.close()
    dtype = PAIRWISE + [('p_item_vfeature', F4, (width,)), ('n_item_vfeature', F4, (width,))]
    check_batches(batches, dtype, 5)
    got = np.concatenate(batches)
    assert got['p_item_vfeature'].shape == (20, width)
    np.testing.assert_array_equal(got['p_item_vfeature'], features[got['p_item_id']].astype(F4))
    np.testing.assert_array_equal(got['n_item_vfeature'], features[got['n_item_id']].astype(F4))


def test_vbpr_pairwise_item_ids_must_index_the_features():
    raw = rows([(0, 1), (1, 11)])
    dataset = Dataset(raw, 2, 12, name='Big')
    raw['item_id'][1] = 12  # after the Dataset's own range check (raw_data is not copied)
    with pytest.raises(ValueError, match="item id 12 of dataset 'Big' is outside item_vfeature \\(12 rows\\)"):
        VBPRPairwiseSampler(dataset, 4, np.zeros((12, 2)))


def test_random_pointwise_labels_and_ranges():
    raw = toy()[1]
    dataset = Dataset(raw, 8, 12)  # users 6 and 7 have no row
    pos = positives(raw)
    got = stream(RandomPointwiseSampler(dataset=dataset, batch_size=1000, num_process=1, seed=2), 12)
    assert got.dtype == POINTWISE and len(got) == 12000
    labels = [float(i in pos.get(u, ())) for u, i in zip(got['user_id'].tolist(), got['item_id'].tolist())]
    assert got['label'].tolist() == labels
    assert set(got['user_id'].tolist()) == set(range(8)) and set(got['item_id'].tolist()) == set(range(12))
    assert close_to(got['label'].sum(), 12000 * 21 / 96)  # the density, in expectation


@pytest.mark.parametrize('pos_ratio, batch_size, num_pos', [(0.29, 100, 28), (0.57, 100, 56), (0.5, 7, 3),
                                                            (0, 10, 0), (1, 10, 10)])
def test_stratified_composition(pos_ratio, batch_size, num_pos):
    dataset, raw = toy()
    pos = positives(raw)
    batches = take(StratifiedPointwiseSampler(dataset, batch_size, pos_ratio, num_process=1), 6)
    check_batches(batches, POINTWISE, batch_size)
    for batch in batches:
        assert batch['label'].tolist() == [1.0] * num_pos + [0.0] * (batch_size - num_pos)
        for u, i, label in batch.tolist():
            assert (i in pos.get(u, ())) == bool(label)


def test_stratified_positives_walk_epochs_and_negatives_weigh_users():
    dataset, raw = toy()
    pos = positives(raw)
    got = stream(StratifiedPointwiseSampler(dataset, 1000, pos_ratio=0.021, num_process=1, seed=9), 20)
    positive_rows = got[got['label'] == 1]
    assert len(positive_rows) == 20 * 21
    for epoch in range(20):
        block = positive_rows[epoch * 21:(epoch + 1) * 21]
        assert sorted(block[['user_id', 'item_id']].tolist()) == sorted(raw.tolist())
    negatives = got[got['label'] == 0]
    non_positive = {u: 12 - len(pos.get(u, ())) for u in range(6)}
    total = sum(non_positive.values())
    for u in range(6):  # uniform over non-positive pairs: users weigh by their non-positive items
        assert close_to(np.sum(negatives['user_id'] == u), len(negatives) * non_positive[u] / total)


def test_stratified_rejects_impossible_draws():
    with pytest.raises(ValueError, match='pos_ratio must be a number in \\[0, 1\\], got 1.5'):
        StratifiedPointwiseSampler(toy()[0], 10, pos_ratio=1.5)
    with pytest.raises(ValueError, match='pos_ratio'):
        StratifiedPointwiseSampler(toy()[0], 10, pos_ratio=-0.5)
    full = Dataset(rows([(0, 0), (0, 1), (1, 0), (1, 1)]), 2, 2, name='Full')
    with pytest.raises(ValueError, match="dataset 'Full': every \\(user, item\\) pair is positive"):
        StratifiedPointwiseSampler(full, 10)
    with StratifiedPointwiseSampler(full, 10, pos_ratio=1) as sampler:  # no negatives needed
        assert take(sampler, 1)[0]['label'].tolist() == [1.0] * 10


def histories(n_users=6, seed=0):
    """User u owns items 10u .. 10u + n_u - 1 (n_u = u; user 1 has one item, user 0 none)."""
    rng = np.random.RandomState(seed)
    data = [(u, 10 * u + k, rng.randint(100)) for u in range(n_users) for k in range(u)]
    raw = np.array(data, dtype=PAIR + [('ts', np.int64)])
    return raw[rng.permutation(len(raw))]


def check_sequences(got, dataset, max_seq_len, sort=True):
    owners = collections.Counter()
    for row in got:
        label = int(row['label'])
        owner = label // 10
        items = [int(i) for i in dataset.get_positive_items(owner, sort=sort)]
        p = items.index(label)
        context = items[max(0, p - max_seq_len):p]
        assert p >= 1 and row['seq_len'] == len(context)
        assert row['seq_item_id'].tolist() == context + [0] * (max_seq_len - len(context))
        owners[owner] += 1
    return owners


@pytest.mark.parametrize('max_seq_len', [1, 3])
def test_temporal_rows(max_seq_len):
    raw = histories()
    dataset = Dataset(raw, 7, 60, sortby='ts')  # user 6 has no row
    batches = take(TemporalSampler(dataset=dataset, batch_size=400, max_seq_len=max_seq_len, num_process=1), 5)
    check_batches(batches, [('seq_item_id', I4, (max_seq_len,)), ('seq_len', I4), ('label', I4)], 400)
    owners = check_sequences(np.concatenate(batches), dataset, max_seq_len)
    assert set(owners) == {2, 3, 4, 5}  # users with two or more items, uniformly
    assert all(close_to(n, 500) for n in owners.values())


def test_temporal_requires_sortby_and_an_eligible_user():
    raw = histories()
    with pytest.raises(ValueError, match="sortby key is not specified. \\(dataset 'dataset'"):
        TemporalSampler(Dataset(raw, 6, 60), 10, 3)
    single = Dataset(raw[raw['user_id'] <= 1], 6, 60, sortby='ts', name='Single')
    with pytest.raises(ValueError, match="dataset 'Single': no user of 0..5 has two or more items"):
        TemporalSampler(single, 10, 3)
    with pytest.raises(ValueError, match='max_seq_len must be a positive int, got 0'):
        TemporalSampler(Dataset(raw, 6, 60, sortby='ts'), 10, 0)


class History(object):
    """Not a Dataset: an object with the members the sequence samplers call."""
    name = 'History'

    def __init__(self, raw):
        self._lists = {}
        for u, i, _ in sorted(raw.tolist(), key=lambda r: r[2]):
            self._lists.setdefault(u, []).append(i)

    def total_users(self):
        return 6

    def get_positive_items(self, user_id, sort=False):
        return list(self._lists.get(user_id, []))


def test_temporal_on_other_dataset_objects():
    raw = histories()
    dataset = History(raw)
    sampler = TemporalSampler(dataset, 50, 2, num_process=2)
    with sampler:
        got = np.concatenate(take(sampler, 4))
        assert [type(w).__name__ for w in sampler._runner_list] == ['ForkProcess'] * 2
    assert set(check_sequences(got, dataset, 2)) <= {2, 3, 4, 5}


USER_FEATURE = np.array([(u % 3, 10 + u) for u in range(6)], dtype=[('user_gender', np.int64),
                                                                     ('user_geo', np.int64)])


@pytest.mark.parametrize('sort', [True, False])
def test_youtube_rows(sort):
    raw = histories()
    dataset = Dataset(raw, 6, 60, sortby='ts' if sort else None)
    sampler = YouTubeSampler(dataset, 300, 4, USER_FEATURE, num_process=1, sort=sort)
    batches = take(sampler, 3)
    sampler.close()
    check_batches(batches, [('seq_item_id', I4, (4,)), ('seq_len', I4), ('label', I4), ('user_gender', I4),
                            ('user_geo', I4)], 300)
    got = np.concatenate(batches)
    check_sequences(got, dataset, 4, sort=sort)
    owners = got['label'] // 10
    assert got['user_gender'].tolist() == (owners % 3).tolist()
    assert got['user_geo'].tolist() == (10 + owners).tolist()


def test_youtube_user_feature_as_records_and_errors():
    raw = histories()
    dataset = Dataset(raw, 6, 60, sortby='ts')
    records = [{'user_gender': u % 3, 'user_geo': 10 + u} for u in range(6)]
    got = np.concatenate(take(YouTubeSampler(dataset, 40, 2, records, num_process=1), 2))
    assert got['user_geo'].tolist() == (10 + got['label'] // 10).tolist()
    with pytest.raises(ValueError, match="user_feature must have the fields user_gender, user_geo; missing"):
        YouTubeSampler(dataset, 10, 2, USER_FEATURE[['user_geo']])
    with pytest.raises(ValueError, match='user_feature has 4 rows; user 5 has no row'):
        YouTubeSampler(dataset, 10, 2, USER_FEATURE[:4])
    with pytest.raises(ValueError, match="user_feature\\[5\\] must be a record with fields"):
        YouTubeSampler(dataset, 10, 2, records[:5])
    with pytest.raises(TypeError, match='sort must be a bool'):
        YouTubeSampler(dataset, 10, 2, USER_FEATURE, sort='ts')


@pytest.mark.parametrize('factory, kwargs, error, message', [
    (RandomPairwiseSampler, dict(batch_size=0), ValueError, 'batch_size must be a positive int, got 0'),
    (RandomPairwiseSampler, dict(num_process=0), ValueError, 'num_process must be a positive int, got 0'),
    (RandomPairwiseSampler, dict(seed=[3]), TypeError, 'seed must be None, an int'),
    (RandomPairwiseSampler, dict(dataset=None), ValueError, 'Dataset is not specified'),
    (RandomPointwiseSampler, dict(dataset=object()), TypeError, 'dataset must provide total_users'),
    (RandomPointwiseSampler, dict(batch_size=2.0), TypeError, 'batch_size must be a positive int'),
    (VBPRPairwiseSampler, dict(item_vfeature=[[0.0]] * 12), TypeError, 'item_vfeature must be a 2-D numpy'),
    (VBPRPairwiseSampler, dict(item_vfeature=np.zeros(12)), ValueError, 'item_vfeature must be 2-D'),
    (VBPRPairwiseSampler, dict(item_vfeature=np.zeros((11, 2))), ValueError,
     "item_vfeature has 11 rows, fewer than total_items=12 of dataset 'Toy'"),
])
def test_bad_arguments(factory, kwargs, error, message):
    args = dict(dataset=toy()[0], batch_size=4)
    if factory is VBPRPairwiseSampler:
        args['item_vfeature'] = np.zeros((12, 2))
    args.update(kwargs)
    with pytest.raises(error, match=message):
        factory(**args)


@pytest.mark.parametrize('factory, kwargs, name', [
    (VBPRPairwiseSampler, dict(batch_size=2), 'item_vfeature'),
    (VBPREvaluationSampler, dict(batch_size=2), 'item_vfeature'),
    (YouTubeSampler, dict(batch_size=2, max_seq_len=3), 'user_feature'),
    (YouTubeEvaluationSampler, dict(max_seq_len=3), 'user_feature')])
def test_feature_samplers_need_their_features(factory, kwargs, name):
    kwargs = dict(kwargs, dataset=toy()[0], **{name: None})
    with pytest.raises(TypeError, match=r'^%s must be .*, got None$' % name):
        factory(**kwargs)


def test_a_raw_array_given_as_dataset_is_named_by_its_type():
    with pytest.raises(TypeError, match=r'^dataset must provide .*; a numpy\.ndarray object has no '):
        RandomPairwiseSampler(batch_size=2, dataset=toy()[1])

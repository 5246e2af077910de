"""The shipped lastfm-shaped sequence generator: shape, determinism, planted structure."""
import numpy as np
import pytest

from openrec.data import make_sequence_data


def test_fields_dtypes_and_determinism():
    a = make_sequence_data(num_users=40, num_items=80, seed=3)
    b = make_sequence_data(num_users=40, num_items=80, seed=3)
    c = make_sequence_data(num_users=40, num_items=80, seed=4)
    assert a['train'].dtype.names == ('user_id', 'item_id', 'ts')
    assert a['train'].dtype['user_id'] == np.int32 and a['train'].dtype['ts'] == np.int64
    assert a['user_feature'].dtype.names == ('user_gender', 'user_geo')
    assert len(a['user_feature']) == 40 and (a['total_users'], a['total_items']) == (40, 80)
    for key in ('train', 'test', 'user_feature'):
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a['train'], c['train'][:len(a['train'])])


def test_histories_are_distinct_time_ordered_and_split_by_time():
    d = make_sequence_data(num_users=60, num_items=120, seed=1)
    both = np.concatenate([d['train'], d['test']])
    assert len(np.unique(both[['user_id', 'item_id']])) == len(both)
    assert both['item_id'].min() >= 0 and both['item_id'].max() < 120
    for user in range(60):
        tr = d['train'][d['train']['user_id'] == user]
        te = d['test'][d['test']['user_id'] == user]
        assert len(te) >= 2 and len(tr) >= 1
        assert np.all(np.diff(tr['ts']) > 0) and np.all(np.diff(te['ts']) > 0)
        assert tr['ts'].max() < te['ts'].min()


def test_next_item_is_mostly_the_chain_successor_and_geo_sets_the_taste():
    d = make_sequence_data(num_users=100, num_items=200, chain_len=10, num_groups=4, seed=0)
    train = d['train']
    hits = total = 0
    for user in range(100):
        items = train['item_id'][train['user_id'] == user]
        succ = (items[:-1] // 10) * 10 + (items[:-1] % 10 + 1) % 10
        hits += np.sum(items[1:] == succ)
        total += len(items) - 1
        group = d['user_feature']['user_geo'][user] % 4
        # chains are dealt to groups in turn: chain c = item // 10 belongs to group c % 4
        assert np.mean((items // 10) % 4 == group) > 0.7
    assert hits / total > 0.75


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_items=30, chain_len=10, num_groups=4), 'num_items must be >= chain_len * num_groups = 40, got 30'),
    (dict(num_geo=2, num_groups=4), 'num_geo must be >= num_groups (4), got 2'),
    (dict(test_fraction=1.0), 'test_fraction must be in (0, 1), got 1.0'),
    (dict(num_users=0), 'num_users'),
])
def test_bad_sizes_are_rejected(kwargs, message):
    with pytest.raises(ValueError) as err:
        make_sequence_data(**kwargs)
    assert message in str(err.value)

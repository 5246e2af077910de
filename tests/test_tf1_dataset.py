"""The OpenRec 0.2 Dataset (tf1_core.md section 6, quirks Q37-Q47)."""
import inspect
import random

import numpy as np
import pytest

from openrec.tf1.utils import Dataset
from openrec.tf1.utils import dataset as dataset_module

FIELDS = [('user_id', np.int32), ('item_id', np.int32), ('ts', np.int64), ('label', np.float32)]


class Original(object):
    """The original's index, written as the spec states it (a loop over the rows)."""

    def __init__(self, raw, total_items, implicit_negative=True, num_negatives=None, sortby=None, asc=True):
        self.positive, self.negative = {}, {}
        for ind, entry in enumerate(raw):
            target = self.positive if implicit_negative or entry['label'] > 0 else self.negative
            target.setdefault(entry['user_id'], {})[entry['item_id']] = ind
        self.positive_sets = {u: set(d) for u, d in self.positive.items()}
        if implicit_negative:
            self.negative = {}
            if num_negatives is not None:
                for user in self.positive:
                    pool = self.negative[user] = {}
                    for item in np.random.permutation(total_items):
                        if item not in self.positive[user]:
                            pool[item] = True
                        if len(pool) == num_negatives:
                            break
        self.negative_sets = {u: set(d) for u, d in self.negative.items()}
        if sortby is not None:
            self.sorts = {u: sorted(list(s), key=lambda i, u=u: raw[self.positive[u][i]][sortby], reverse=not asc)
                          for u, s in self.positive_sets.items()}


def interactions(n_rows=120, n_users=9, n_items=25, seed=0):
    """Rows with duplicate pairs, unsorted users, tied timestamps and labels around 0."""
    rng = np.random.RandomState(seed)
    raw = np.zeros(n_rows, dtype=FIELDS)
    raw['user_id'] = rng.randint(n_users, size=n_rows)
    raw['item_id'] = rng.randint(n_items, size=n_rows)
    raw['ts'] = rng.randint(6, size=n_rows)
    raw['label'] = rng.randint(-1, 3, size=n_rows)
    return raw


def same_list(got, expected):
    assert [(type(x), x) for x in got] == [(type(x), x) for x in expected]


def test_signature_and_exports():
    assert str(inspect.signature(Dataset)) == (
        "(raw_data, total_users, total_items, implicit_negative=True, num_negatives=None, "
        "name='dataset', seed=100, sortby=None, asc=True)")
    assert dataset_module.Dataset is Dataset
    import openrec.tf1.utils as utils
    assert [n for n in vars(utils) if not n.startswith('_') and n not in ('dataset', 'samplers',
                                                                          'evaluators')] == ['Dataset']


def test_constructor_reseeds_the_global_random_module():
    random.seed(5)
    expected = random.random()
    random.seed(0)
    Dataset(interactions(), 9, 25, seed=5)
    assert random.random() == expected


@pytest.mark.parametrize('bad', [[(0, 1)], np.rec.array(interactions()), 'data'])
def test_raw_data_must_be_exactly_ndarray(bad):
    with pytest.raises(TypeError, match='Unsupported data input schema. Please use structured numpy array.'):
        Dataset(bad, 9, 25)


def test_memmap_is_rejected(tmp_path):
    raw = interactions()
    np.save(tmp_path / 'raw.npy', raw)
    with pytest.raises(TypeError, match='Unsupported data input schema'):
        Dataset(np.load(tmp_path / 'raw.npy', mmap_mode='r'), 9, 25)


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(raw_data=np.zeros(3, dtype=[('user_id', np.int32)])), ValueError, "missing 'item_id'"),
    (dict(raw_data=np.zeros(3)), ValueError, "missing 'user_id', 'item_id'"),
    (dict(raw_data=np.zeros((2, 2), dtype=FIELDS)), ValueError, 'raw_data must be a 1-D'),
    (dict(raw_data=np.zeros(3, dtype=[('user_id', np.float32), ('item_id', np.int32)])), TypeError,
     "'user_id' must hold integer ids"),
    (dict(implicit_negative=False, raw_data=np.zeros(3, dtype=FIELDS[:2])), ValueError, "missing 'label'"),
    (dict(sortby='time'), ValueError, "missing 'time'"),
    (dict(total_users=0), ValueError, 'total_users must be a positive int'),
    (dict(total_items=2.5), TypeError, 'total_items must be a positive int'),
    (dict(num_negatives=0), ValueError, 'num_negatives must be a positive int, got 0'),
    (dict(num_negatives=-3), ValueError, 'num_negatives'),
    (dict(implicit_negative=1), TypeError, 'implicit_negative must be a bool'),
    (dict(asc='yes'), TypeError, 'asc must be a bool'),
    (dict(name=3), TypeError, 'name must be a str'),
    (dict(seed=[1]), TypeError, 'seed must be None, an int'),
    (dict(sortby=1), TypeError, 'sortby must be a str or None'),
])
def test_bad_arguments(kwargs, error, message):
    args = dict(raw_data=interactions(), total_users=9, total_items=25)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        Dataset(**args)


@pytest.mark.parametrize('asc', [True, False])
def test_implicit_index_matches_the_original(asc):
    raw = interactions()
    ds = Dataset(raw, 9, 25, sortby='ts', asc=asc, name='Train')
    ref = Original(raw, 25, sortby='ts', asc=asc)
    assert ds.name == 'Train' and ds.total_users() == 9 and ds.total_items() == 25
    same_list(ds.warm_users(), list(ref.positive))
    assert len(ref.positive) == 9 and list(ref.positive) != sorted(ref.positive)  # first-appearance order
    for u in ref.positive:
        same_list(ds.get_positive_items(u), list(ref.positive_sets[u]))
        same_list(ds.get_positive_items(u, sort=True), ref.sorts[u])
        complement = [i for i in range(25) if i not in ref.positive_sets[u]]
        same_list(ds.get_negative_items(u), complement)
        for i in range(25):
            assert ds.is_positive(u, i) is (i in ref.positive_sets[u])


def test_sort_keeps_set_order_for_ties_and_last_duplicate_wins():
    raw = np.array([(0, 3, 5), (0, 1, 2), (0, 2, 2), (0, 3, 1), (0, 0, 9), (0, 9, 2)],
                   dtype=[('user_id', np.int32), ('item_id', np.int32), ('ts', np.int64)])
    ds = Dataset(raw, 1, 10, sortby='ts')
    # item 3's key is its last row's (ts 1); ties (ts 2) keep the set order 1, 2, 9
    assert ds.get_positive_items(0, sort=True) == [3, 1, 2, 9, 0]
    assert Dataset(raw, 1, 10, sortby='ts', asc=False).get_positive_items(0, sort=True) == [0, 1, 2, 9, 3]


def test_explicit_index_matches_the_original():
    raw = interactions(n_users=8)
    extra = np.zeros(3, dtype=FIELDS)
    extra['user_id'], extra['item_id'], extra['label'] = 8, [4, 1, 4], 2.0
    raw = np.concatenate([raw[:50], extra, raw[50:]])
    ds = Dataset(raw, 9, 25, implicit_negative=False, num_negatives=4, sortby='ts')
    ref = Original(raw, 25, implicit_negative=False, sortby='ts')
    same_list(ds.warm_users(), list(ref.positive))
    for u in range(9):
        same_list(ds.get_positive_items(u), list(ref.positive_sets.get(u, ())))
        same_list(ds.get_negative_items(u), list(ref.negative_sets.get(u, ())))
        for i in range(25):
            assert ds.is_positive(u, i) is (u in ref.positive_sets and i in ref.positive_sets[u])
    assert set(ref.negative) != set(ref.positive)  # some users have no explicit negative
    lonely = next(u for u in ref.positive if u not in ref.negative)
    assert ds.get_negative_items(lonely) == [] and ds.sample_negative_items(lonely) == []


@pytest.mark.parametrize('num_negatives', [1, 7, 30])
def test_negative_pools_follow_the_global_numpy_rng(num_negatives):
    raw = interactions()
    np.random.seed(11)
    ds = Dataset(raw, 9, 25, num_negatives=num_negatives, seed=3)
    after = np.random.rand()
    np.random.seed(11)
    ref = Original(raw, 25, num_negatives=num_negatives)
    assert np.random.rand() == after  # one permutation per user, nothing more
    for u in ref.positive:
        pool = ds.get_negative_items(u)
        same_list(pool, list(ref.negative_sets[u]))
        assert all(type(i) is np.int64 for i in pool)
        # Q39: a pool larger than the eligible items holds all of them
        assert len(pool) == min(num_negatives, 25 - len(ref.positive_sets[u]))
    assert ds.get_negative_items(100) == [] and ds.sample_negative_items(100) == []


def test_next_random_record_walks_epochs_like_the_original():
    raw = interactions(n_rows=13)
    ds = Dataset(raw, 9, 25, seed=4)
    got = [ds.next_random_record() for _ in range(30)]
    random.seed(4)
    expected = []
    while len(expected) < 30:
        ids = list(range(13))
        random.shuffle(ids)
        expected += [ids.pop() for _ in range(len(ids))]
    assert [r.tolist() for r in got] == [raw[i].tolist() for i in expected[:30]]
    assert isinstance(got[0], np.void) and got[0].dtype.names == ('user_id', 'item_id', 'ts', 'label')
    assert sorted(expected[:13]) == list(range(13))


def test_next_random_record_on_empty_data():
    ds = Dataset(np.zeros(0, dtype=FIELDS), 3, 4, name='Empty')
    assert ds.warm_users() == [] and ds.get_positive_items(0) == []
    with pytest.raises(ValueError, match="dataset 'Empty' is empty"):
        ds.next_random_record()


def test_sample_negative_items_rejection_matches_the_original():
    raw = interactions()
    ds = Dataset(raw, 9, 25, seed=8)
    ref = Original(raw, 25)
    got = [ds.sample_negative_items(u, n) for u, n in [(0, 1), (3, 4), (50, 2), (2, 0)]]
    random.seed(8)
    expected = []
    for u, n in [(0, 1), (3, 4), (50, 2), (2, 0)]:
        samples, j = set(), random.randint(0, 24)
        while len(samples) < n:
            if u not in ref.positive or j not in ref.positive_sets[u]:
                samples.add(j)
            j = random.randint(0, 24)
        expected.append(list(samples))
    assert got == expected
    assert all(type(i) is int for i in got[1])


def test_sample_from_pools_draws_from_the_set_as_a_sequence():
    raw = interactions()
    np.random.seed(2)
    ds = Dataset(raw, 9, 25, num_negatives=6, seed=1)
    user = ds.warm_users()[0]
    got = [ds.sample_negative_items(user, 3), ds.sample_positive_items(user, 2)]
    pool, positives = ds.get_negative_items(user), ds.get_positive_items(user)  # set orders
    random.seed(1)
    assert got == [random.sample(pool, 3), random.sample(positives, 2)]
    assert all(type(i) is np.int64 for i in got[0])
    assert ds.sample_positive_items(77) == []


def test_sample_more_than_available_raises():
    raw = np.array([(0, i) for i in range(4)] + [(1, 0)], dtype=FIELDS[:2])
    ds = Dataset(raw, 2, 5)
    assert ds.sample_negative_items(0) == [4]
    with pytest.raises(ValueError, match='user 0 has 1 negative item'):
        ds.sample_negative_items(0, 2)  # the original looped forever
    with pytest.raises(ValueError, match='user 7 has 5 negative item'):
        ds.sample_negative_items(7, 6)
    assert sorted(ds.sample_negative_items(7, 5)) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match='user 1 has 1 positive items, fewer than num_samples=2'):
        ds.sample_positive_items(1, 2)
    np.random.seed(0)
    pools = Dataset(raw, 2, 4, num_negatives=2)
    assert pools.get_negative_items(0) == []
    with pytest.raises(ValueError, match='user 0 has 0 negative items'):
        pools.sample_negative_items(0)
    with pytest.raises(TypeError, match='num_samples must be an int'):
        ds.sample_negative_items(1, 1.0)


def test_get_positive_items_sort_without_sortby():
    ds = Dataset(interactions(), 9, 25)
    with pytest.raises(ValueError, match='sortby key is not specified.') as info:
        ds.get_positive_items(0, sort=True)
    assert isinstance(info.value, AssertionError)


def test_accessors_return_copies():
    ds = Dataset(interactions(), 9, 25, sortby='ts')
    ds.get_positive_items(0, sort=True).append(-1)
    ds.get_positive_items(0).append(-1)
    assert -1 not in ds.get_positive_items(0, sort=True) and -1 not in ds.get_positive_items(0)


def test_get_negative_items_of_a_user_without_positives():
    ds = Dataset(interactions(n_users=3), 9, 25)
    assert ds.get_negative_items(8) == list(range(25))  # the original raised KeyError


def test_is_positive_and_warm_users_thresholds():
    raw = np.array([(4, 1), (2, 0), (4, 2), (4, 1), (2, 3), (7, 5)], dtype=FIELDS[:2])
    ds = Dataset(raw, 9, 6)
    assert ds.warm_users() == [4, 2, 7] and ds.warm_users(2) == [4, 2] and ds.warm_users(3) == []
    assert ds.is_positive(4, 2) is True and ds.is_positive(4, 3) is False
    assert ds.is_positive(99, 1) is False and ds.is_positive(4, 99) is False


def test_index_keys_are_numpy_scalars_of_the_field_dtypes():
    raw = np.array([(3, 1), (0, 2)], dtype=[('user_id', np.int64), ('item_id', np.int16)])
    ds = Dataset(raw, 4, 3)
    assert [type(u) for u in ds.warm_users()] == [np.int64, np.int64]
    assert type(ds.get_positive_items(3)[0]) is np.int16


# ids outside the tables (the original accepted them; training failed deep in TensorFlow)

@pytest.mark.parametrize('field, value, kwargs, message', [
    ('user_id', 9, {}, r"raw_data\['user_id'\] holds id 9 outside \[0, 9\) \(total_users = 9\)"),
    ('user_id', -1, {}, r"raw_data\['user_id'\] holds id -1 outside \[0, 9\) \(total_users = 9\)"),
    ('item_id', 25, {}, r"raw_data\['item_id'\] holds id 25 outside \[0, 25\) \(total_items = 25\)"),
    ('item_id', -3, dict(implicit_negative=False), r"raw_data\['item_id'\] holds id -3 outside"),
    ('item_id', 40, dict(sortby='ts', num_negatives=3), r"holds id 40 outside \[0, 25\)"),
])
def test_ids_outside_the_tables_are_rejected(field, value, kwargs, message):
    raw = interactions()
    raw[field][17] = value
    state = random.getstate()
    with pytest.raises(ValueError, match=message):
        Dataset(raw, 9, 25, **kwargs)
    assert random.getstate() == state  # rejected before anything else happens


def test_one_based_ids_name_the_bound():
    raw = interactions()
    raw['user_id'] += 1                      # 1..9 with total_users = 9
    with pytest.raises(ValueError, match=r"holds id 9 outside \[0, 9\) \(total_users = 9\)"):
        Dataset(raw, 9, 25)
    assert Dataset(raw, 10, 25).total_users() == 10


@pytest.mark.parametrize('dtype', [np.float64, np.bool_, 'U3', object])
def test_non_integer_id_fields_raise_type_error(dtype):
    raw = np.zeros(3, dtype=[('user_id', np.int32), ('item_id', dtype)])
    with pytest.raises(TypeError, match=r"raw_data field 'item_id' must hold integer ids, got dtype"):
        Dataset(raw, 9, 25)


def test_sub_array_id_field_is_rejected():
    raw = np.zeros(3, dtype=[('user_id', np.int32, (2,)), ('item_id', np.int32)])
    with pytest.raises(ValueError, match="'user_id' must hold one id per row, got dtype"):
        Dataset(raw, 9, 25)


@pytest.mark.parametrize('dtype', [np.int8, np.uint16, np.int64, np.uint64, '>i4'])
def test_every_valid_integer_dtype_and_the_bounds_themselves_pass(dtype):
    raw = np.zeros(4, dtype=[('user_id', dtype), ('item_id', dtype), ('label', np.float32),
                             ('ts', np.int64)])
    raw['user_id'] = [0, 8, 3, 8]
    raw['item_id'] = [24, 0, 7, 5]
    raw['label'] = [1, -1, 0, 2]
    for kwargs in [{}, dict(implicit_negative=False), dict(num_negatives=2), dict(sortby='ts')]:
        ds = Dataset(raw, 9, 25, **kwargs)
        assert ds.is_positive(8, 5)
    assert Dataset(np.zeros(0, dtype=raw.dtype), 1, 1).warm_users() == []
    # explicit negatives may hold any in-range item too
    explicit = Dataset(raw, 9, 25, implicit_negative=False)
    assert explicit.get_negative_items(8) == [0] and explicit.get_positive_items(8) == [5]

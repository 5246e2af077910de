"""Dataset and ImplicitDataset (utils spec sections 3-4)."""
import numpy as np
import pytest

from openrec.utils import Dataset, ImplicitDataset

DTYPE = [('user_id', np.int32), ('item_id', np.int64), ('timestamp', np.float64)]


def make_rows(pairs):
    rows = np.zeros(len(pairs), dtype=DTYPE)
    if pairs:
        rows['user_id'], rows['item_id'] = zip(*pairs)
    rows['timestamp'] = np.arange(len(pairs))
    return rows


def test_dataset_attributes_and_shuffle():
    raw = make_rows([(0, i) for i in range(50)])
    before = raw.copy()
    ds = Dataset(raw, max_user=7, max_item=60, name='train')
    assert ds.raw_data is raw and ds.data is None and ds.name == 'train'
    assert ds.max_user() == 7 and ds.max_item() == 60
    np.random.seed(0)
    assert ds.shuffle() is None
    assert ds.data is not raw
    np.testing.assert_array_equal(raw, before)  # raw_data untouched
    assert sorted(ds.data['item_id'].tolist()) == list(range(50))
    assert ds.data['item_id'].tolist() != list(range(50))
    first = ds.data
    ds.shuffle()
    assert ds.data is first  # later shuffles permute in place
    assert Dataset(raw, 1, 50).name == 'dataset'  # ids must fit max_user/max_item (issue 9)


@pytest.mark.parametrize('bad', [make_rows([(0, 1)]).view(np.recarray), [(0, 1)], None])
def test_dataset_rejects_non_ndarray(bad):
    with pytest.raises(TypeError, match='raw_data must be a numpy.ndarray'):
        Dataset(bad, 1, 1)


def test_dataset_validates_sizes_and_name():
    raw = make_rows([(0, 1)])
    with pytest.raises(ValueError, match='max_user must be a positive int, got 0'):
        Dataset(raw, 0, 5)
    with pytest.raises(TypeError, match='max_item must be a positive int'):
        Dataset(raw, 5, 2.5)
    with pytest.raises(TypeError, match='name must be a str'):
        Dataset(raw, 5, 5, name=3)


def test_implicit_dataset_maps():
    raw = make_rows([(3, 7), (1, 2), (3, 5), (1, 2), (4, 7)])
    ds = ImplicitDataset(raw, 5, 8, name='d')
    assert ds.contain_user(3) and ds.contain_user(np.int64(1)) and not ds.contain_user(0)
    assert ds.contain_item(5) and not ds.contain_item(3)
    items = ds.get_interactions_by_user_gb_item(3)
    assert items == {7, 5} and isinstance(items, set)
    assert all(isinstance(i, np.int64) for i in items)
    assert ds.get_interactions_by_user_gb_item(3) is items  # the live internal set
    assert ds.get_interactions_by_item_gb_user(7) == {3, 4}
    assert ds.get_interactions_by_user_gb_item(1) == {2}  # duplicate rows collapse
    users = ds.get_unique_user_list()
    np.testing.assert_array_equal(users, [3, 1, 4])  # first-appearance order
    assert users.dtype == np.int32
    np.testing.assert_array_equal(ds.get_unique_item_list(), [7, 2, 5])
    assert ds.get_unique_item_list().dtype == np.int64
    assert ds.unique_user_count() == 3 and ds.unique_item_count() == 3
    with pytest.raises(KeyError):
        ds.get_interactions_by_user_gb_item(0)
    with pytest.raises(KeyError):
        ds.get_interactions_by_item_gb_user(0)
    ds.shuffle()
    assert ds.get_interactions_by_user_gb_item(3) is items  # maps unaffected by shuffle


def test_implicit_dataset_empty_and_missing_fields():
    ds = ImplicitDataset(make_rows([]), 1, 1)
    assert ds.get_unique_user_list().dtype == np.float64 and ds.unique_user_count() == 0
    with pytest.raises(ValueError, match="missing 'item_id'"):
        ImplicitDataset(np.zeros(2, dtype=[('user_id', int)]), 1, 1)


# ---- issue 9: ids checked at construction ---------------------------------------------------

@pytest.mark.parametrize('cls', [Dataset, ImplicitDataset])
def test_ids_outside_the_tables_raise_naming_field_and_bound(cls):
    rows = make_rows([(0, 1), (3, 4), (2, 0)])
    cls(rows, max_user=4, max_item=5)  # ids 0..3 / 0..4 fit exactly
    with pytest.raises(ValueError, match=r"raw_data\['user_id'\] holds id 3 outside \[0, 3\) "
                                         r"\(max_user = 3\)"):
        cls(rows, max_user=3, max_item=5)
    with pytest.raises(ValueError, match=r"raw_data\['item_id'\] holds id 4 outside \[0, 4\) "
                                         r"\(max_item = 4\)"):
        cls(rows, max_user=4, max_item=4)
    negative = make_rows([(0, 1), (1, -2)])
    with pytest.raises(ValueError, match=r"raw_data\['item_id'\] holds id -2 outside \[0, 5\)"):
        cls(negative, max_user=4, max_item=5)
    # the error comes before anything is built; the corrected call works
    assert cls(rows, max_user=4, max_item=5).max_item() == 5


@pytest.mark.parametrize('cls', [Dataset, ImplicitDataset])
def test_ids_must_be_integers(cls):
    floats = np.array([(0, 1.0), (1, 2.5)], [('user_id', np.int32), ('item_id', np.float64)])
    with pytest.raises(ValueError, match=r"raw_data\['item_id'\] must hold integer ids, got 2.5"):
        cls(floats, 2, 5)
    nan = np.array([(0, np.nan)], [('user_id', np.int32), ('item_id', np.float32)])
    with pytest.raises(ValueError, match=r"raw_data\['item_id'\] must hold integer ids, got nan"):
        cls(nan, 2, 5)
    for dtype in (np.bool_, object, 'U3'):
        bad = np.zeros(2, [('user_id', dtype), ('item_id', np.int32)])
        with pytest.raises(TypeError, match=r"raw_data\['user_id'\] must hold integer ids, "
                                            r"got dtype"):
            cls(bad, 2, 5)
    # integral floats are accepted, as the original used them
    integral = np.array([(0, 1.0), (1, 4.0)], [('user_id', np.int32), ('item_id', np.float64)])
    assert cls(integral, 2, 5).raw_data is integral


def test_datasets_without_id_fields_are_still_accepted():
    other = np.zeros(3, [('sequence', np.int32)])
    assert Dataset(other, 1, 1).raw_data is other
    empty = make_rows([])
    assert ImplicitDataset(empty, 1, 1).unique_user_count() == 0

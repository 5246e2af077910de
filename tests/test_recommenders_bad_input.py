"""Bad input to the recommenders (issue 9, part 3): feature sources, batch lengths, ids.

Every error is raised in Python, before the session runs, and names the batch field (or
argument), what was expected and what was given; a corrected call then works.
"""
import numpy as np
import pytest

from _recommender_helpers import B, D, I, U, get, neg_batch, pair_batch, point_batch, serve_batch
from openrec.recommenders import (BPR, CDL, CML, GMF, NBPR, PMF, WCML, ConcatVisualBPR,
                                  UserPMF, UserVisualPMF, VisualBPR, VisualCML, VisualGMF,
                                  VisualPMF)

F = 3


def features(rows, width=F):
    return np.random.RandomState(rows).rand(rows, width).astype(np.float32)


# Every recommender taking a feature source, with the source given ``rows`` rows.
SOURCES = {
    'VisualBPR': ('item_f_source', 'max_item', I,
                  lambda src: VisualBPR(B, U, I, D, [D], src)),
    'VisualCML': ('item_f_source', 'max_item', I,
                  lambda src: VisualCML(B, U, I, D, [D], src)),
    'ConcatVisualBPR': ('item_f_source', 'max_item', I,
                        lambda src: ConcatVisualBPR(B, U, I, D, 2, src)),
    'VisualPMF': ('item_f_source', 'max_item', I,
                  lambda src: VisualPMF(B, U, I, D, [D], src)),
    'VisualGMF': ('item_f_source', 'max_item', I,
                  lambda src: VisualGMF(B, U, I, D, [D], src)),
    'UserPMF': ('user_f_source', 'max_user', U,
                lambda src: UserPMF(B, U, I, D, [D], src)),
    'UserVisualPMF(user)': ('user_f_source', 'max_user', U,
                            lambda src: UserVisualPMF(B, U, I, D, [D], [D], src, features(I))),
    'UserVisualPMF(item)': ('item_f_source', 'max_item', I,
                            lambda src: UserVisualPMF(B, U, I, D, [D], [D], features(U), src)),
    'CDL': ('item_f', 'max_item', I,
            lambda src: CDL(B, U, I, D, src, [F, D], l2_reconst=1.0)),
}


@pytest.mark.parametrize('name', sorted(SOURCES))
def test_feature_sources_need_a_row_per_id(name):
    arg, bound, count, make = SOURCES[name]
    for rows in (count - 1, 1):
        with pytest.raises(ValueError, match=r'%s must have a row for every id below %s = %d '
                                             r'\(it is indexed by them\), got %d rows'
                           % (arg, bound, count, rows)):
            make(features(rows))


def test_feature_sources_with_spare_rows_work_as_in_the_original():
    rec = VisualPMF(B, U, I, D, [D], features(I + 5))
    batch = point_batch(1)
    assert np.isfinite(rec.train(batch))
    assert rec.serve(serve_batch()).shape == (B, I)
    with pytest.raises(TypeError, match='max_item must be a positive int'):
        VisualPMF(B, U, 'many', D, [D], features(I))


# ---- batch lengths ----------------------------------------------------------------------------

def test_training_batch_of_the_wrong_length_names_field_and_batch_size():
    rec = BPR(B, U, I, D)
    batch = pair_batch(0)
    short = dict(batch, p_item_id_input=batch['p_item_id_input'][:4])
    with pytest.raises(ValueError, match=r"batch_data\['p_item_id_input'\] must have length 6 "
                                         r"\(batch_size\) for p_item_id_train of BPR, got shape "
                                         r"\[4\]"):
        rec.train(short)
    two_d = dict(batch, user_id_input=batch['user_id_input'].reshape(2, 3))
    with pytest.raises(ValueError, match=r"batch_data\['user_id_input'\] must have length 6 "
                                         r"\(batch_size\) .* got shape \[2, 3\]"):
        rec.train(two_d)
    assert np.isfinite(rec.train(batch))  # the corrected call works


def test_structured_array_batches_and_multi_dim_inputs():
    rec = NBPR(B, U, I, D, neg_num=3)
    batch = neg_batch(0, neg_num=3)
    wrong = dict(batch, n_item_id_inputs=batch['n_item_id_inputs'][:, :2])
    with pytest.raises(ValueError, match=r"batch_data\['n_item_id_inputs'\] must have shape "
                                         r"\[6, 3\] \(batch_size = 6\) for n_item_id_train of "
                                         r"NBPR, got shape \[6, 2\]"):
        rec.train(wrong)
    rows = np.zeros(5, [('user_id_input', np.int32), ('item_id_input', np.int32),
                        ('labels', np.float32)])
    pmf = PMF(B, D, U, I)
    with pytest.raises(ValueError, match=r"batch_data\['user_id_input'\] must have length 6 "
                                         r"\(batch_size\) for user_id_train of PMF, got shape "
                                         r"\[5\]"):
        pmf.train(rows)
    point = point_batch(2)
    with pytest.raises(ValueError, match=r"batch_data\['labels'\] must have length 6"):
        pmf.train(dict(point, labels=point['labels'][:5]))


def test_serving_batch_of_the_wrong_length_for_a_fixed_serving_input():
    rec = BPR(B, U, I, D, test_batch_size=4)
    with pytest.raises(ValueError, match=r"batch_data\['user_id_input'\] must have length 4 "
                                         r"\(test_batch_size\) for user_id_serving of BPR, got "
                                         r"shape \[6\]"):
        rec.serve(serve_batch(users=6))
    assert rec.serve(serve_batch(users=4)).shape == (4, I)
    # serving inputs of any size ([None]) take any length, but not another rank
    with pytest.raises(ValueError, match=r"batch_data\['item_id_input'\] must have shape "
                                         r"\[None\] .* got shape \[2, 6\]"):
        rec.serve({'user_id_input': np.arange(4), 'item_id_input': np.zeros((2, 6), np.int32)})


# ---- ids outside the tables -------------------------------------------------------------------

def test_ids_outside_the_tables_in_training_and_serving():
    rec = BPR(B, U, I, D)
    before = get(rec, 'user/embedding')
    batch = pair_batch(0)
    high = dict(batch, user_id_input=np.r_[batch['user_id_input'][:5], U].astype(np.int32))
    with pytest.raises(ValueError, match=r"batch_data\['user_id_input'\] \(fed to user_id_train\) "
                                         r"holds id 10 outside \[0, 10\) \(max_user = 10\)"):
        rec.train(high)
    negative = dict(batch, n_item_id_input=np.r_[-1, batch['n_item_id_input'][1:]])
    with pytest.raises(ValueError, match=r"batch_data\['n_item_id_input'\] \(fed to "
                                         r"n_item_id_train\) holds id -1 outside \[0, 12\) "
                                         r"\(max_item = 12\)"):
        rec.train(negative)
    np.testing.assert_array_equal(get(rec, 'user/embedding'), before)  # nothing ran
    with pytest.raises(ValueError, match=r"batch_data\['item_id_input'\] \(fed to "
                                         r"item_id_serving\) holds id 12 outside \[0, 12\)"):
        rec.serve({'user_id_input': np.arange(3), 'item_id_input': np.arange(I + 1)})
    # ids must be integers; integral floats and lists pass as before
    with pytest.raises(ValueError, match=r"batch_data\['p_item_id_input'\] \(fed to "
                                         r"p_item_id_train\) must hold integer ids, got 1.5"):
        rec.train(dict(batch, p_item_id_input=np.full(B, 1.5)))
    with pytest.raises(TypeError, match=r"batch_data\['p_item_id_input'\] .* must hold integer "
                                        r"ids, got dtype bool"):
        rec.train(dict(batch, p_item_id_input=np.ones(B, bool)))
    floats = dict(batch, p_item_id_input=batch['p_item_id_input'].astype(np.float64))
    assert rec.train(floats) == pytest.approx(rec.train(floats), rel=0.5)
    assert rec.serve({'user_id_input': [0, 9], 'item_id_input': list(range(I))}).shape == (2, I)


@pytest.mark.parametrize('cls', [CML, WCML, GMF])
def test_other_recommenders_check_ids_too(cls):
    if cls is WCML:
        rec, batch = WCML(B, U, I, D, neg_num=2), neg_batch(3, neg_num=2)
        field, value = 'n_item_id_inputs', np.full((B, 2), I)
    elif cls is CML:
        rec, batch = CML(B, U, I, D), pair_batch(3)
        field, value = 'p_item_id_input', np.full(B, I + 3)
    else:
        rec, batch = GMF(B, D, U, I), point_batch(3)
        field, value = 'item_id_input', np.full(B, -2)
    with pytest.raises(ValueError, match=r"batch_data\['%s'\] .* holds id %d outside \[0, 12\) "
                                         r"\(max_item = 12\)" % (field, value.flat[0])):
        rec.train(dict(batch, **{field: value}))
    assert np.isfinite(rec.train(batch))


@pytest.mark.parametrize('make, field, bound', [
    (lambda: VisualBPR(B, U, I, D, [D], features(I)), 'n_item_id_input', 'max_item'),
    (lambda: ConcatVisualBPR(B, U, I, D, 2, features(I)), 'p_item_id_input', 'max_item'),
    (lambda: VisualPMF(B, U, I, D, [D], features(I)), 'item_id_input', 'max_item'),
    (lambda: UserPMF(B, U, I, D, [D], features(U)), 'user_id_input', 'max_user'),
])
def test_feature_lookups_check_ids_before_indexing(make, field, bound):
    rec = make()
    batch = point_batch(4) if 'PMF' in type(rec).__name__ else pair_batch(4)
    limit = U if bound == 'max_user' else I
    # a high id used to be numpy's IndexError naming no field; a negative one wrapped
    # around silently to the last feature row
    for bad in (limit, -1):
        ids = batch[field].copy()
        ids[2] = bad
        with pytest.raises(ValueError, match=r"batch_data\['%s'\] holds id %d outside \[0, %d\) "
                                             r"\(%s = %d\)" % (field, bad, limit, bound, limit)):
            rec.train(dict(batch, **{field: ids}))
    served = serve_batch()
    served['user_id_input' if bound == 'max_user' else 'item_id_input'][0] = limit
    with pytest.raises(ValueError, match=r'holds id %d outside' % limit):
        rec.serve(served)
    assert np.isfinite(rec.train(batch))


def test_module_evaluation_checks_the_batch_too():
    rec = PMF(B, D, U, I)
    with pytest.raises(ValueError, match=r"batch_data\['item_id_input'\] \(fed to "
                                         r"item_id_train\) holds id 12"):
        rec.compute_module_outputs('item_vec', dict(point_batch(0), item_id_input=np.full(B, I)))
    assert rec.compute_module_outputs('item_vec', point_batch(0))[0].shape == (B, D)


# ---- other public methods ---------------------------------------------------------------------

def test_module_names_save_and_load_paths(tmp_path):
    rec = PMF(B, D, U, I)
    with pytest.raises(ValueError, match=r"name 'item_vf' is not a module of the training graph "
                                         r"of PMF; registered: 'user_vec', 'item_vec', "
                                         r"'item_bias', 'interaction'") as err:
        rec.compute_module_outputs('item_vf', point_batch(0))
    assert isinstance(err.value, KeyError)  # as the original's dictionary lookup
    with pytest.raises(KeyError, match="'nope' is not a module of the serving graph"):
        rec.compute_module_loss('nope', serve_batch(), train=False)
    with pytest.raises(TypeError, match='name must be a str'):
        rec.compute_module_loss(0, point_batch(0))
    with pytest.raises(TypeError, match='train must be a bool'):
        rec.compute_module_outputs('item_vec', point_batch(0), train='no')
    assert rec.compute_module_loss('interaction', serve_batch(), train=False) == 0.0
    for bad in (None, '', 3):
        with pytest.raises(TypeError, match='save_dir must be a non-empty str'):
            rec.save(bad, 1)
        with pytest.raises(TypeError, match='load_dir must be a non-empty str'):
            rec.load(bad)
    with pytest.raises(TypeError, match='step must be an int, got 1.5'):
        rec.save(str(tmp_path / 'ckpt'), 1.5)
    assert not list(tmp_path.iterdir())  # nothing written by the failed calls
    rec.save(tmp_path / 'ckpt', 2)  # a path object works too
    rec.load(str(tmp_path / 'ckpt-2'))


@pytest.mark.parametrize('make', [
    lambda s: VisualBPR(B, U, I, D, [D], features(I), item_serving_size=s),
    lambda s: VisualCML(B, U, I, D, [D], features(I), item_serving_size=s),
    lambda s: ConcatVisualBPR(B, U, I, D, 2, features(I), item_serving_size=s),
    lambda s: VisualPMF(B, U, I, D, [D], features(I), item_serving_size=s),
    lambda s: VisualGMF(B, U, I, D, [D], features(I), item_serving_size=s),
    lambda s: UserPMF(B, U, I, D, [D], features(U), item_serving_size=s),
    lambda s: UserVisualPMF(B, U, I, D, [D], [D], features(U), features(I), item_serving_size=s),
    lambda s: CDL(B, U, I, D, features(I), [F, D], l2_reconst=1.0, item_serving_size=s),
])
def test_unused_item_serving_size_is_still_checked(make):
    with pytest.raises(ValueError, match='item_serving_size must be a positive int, got 0'):
        make(0)
    with pytest.raises(TypeError, match="item_serving_size must be a positive int, got '5'"):
        make('5')

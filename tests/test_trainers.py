"""ImplicitModelTrainer and ItrMLPModelTrainer with fake numpy models (trainers spec)."""
import pickle
import threading

import numpy as np
import pytest

import openrec
from openrec import ImplicitModelTrainer, ItrMLPModelTrainer
from openrec.utils import Dataset, ImplicitDataset
from openrec.utils.evaluators import AUC, MSE, NDCG, Recall
from openrec.utils.samplers import PairwiseSampler, Sampler

N_USERS, N_ITEMS = 9, 30


class FakeModel(object):
    """train/serve/save/update_embeddings recording what the trainer does."""

    def __init__(self, scores=None, pairwise=False):
        rng = np.random.default_rng(5)
        self.scores = rng.integers(0, 12, (N_USERS, N_ITEMS)).astype(np.float32) \
            if scores is None else scores
        self.pairwise = pairwise
        self.events = []
        self.steps = 0

    def train(self, batch):
        self.steps += 1
        self.events.append(('train', self.steps - 1))
        return float(self.steps)  # loss of iteration i is i + 1

    def serve(self, feed):
        users = np.asarray(feed['user_id_input'])
        items = np.asarray(feed['item_id_input'])
        self.events.append(('serve', self.steps - 1, len(users), len(items)))
        return self.scores[users][:, items]

    def save(self, prefix, step):
        self.events.append(('save', prefix, step))

    def update_embeddings(self):
        self.events.append(('update', self.steps - 1))


class FakeSampler(object):
    def __init__(self):
        self.closed = 0

    def next_batch(self):
        return np.zeros(4)

    def close(self):
        self.closed += 1


def interactions(seed, per_user, users=range(N_USERS)):
    rng = np.random.default_rng(seed)
    rows = [(u, i) for u in users for i in rng.choice(N_ITEMS, per_user, replace=False)]
    return np.array(rows, dtype=[('user_id', np.int32), ('item_id', np.int32)])


def split():
    """Disjoint train/test/extra interactions (a user's items never repeat across them)."""
    rng = np.random.default_rng(0)
    train, test, extra = [], [], []
    for u in range(N_USERS):
        items = rng.permutation(N_ITEMS)
        train += [(u, i) for i in items[:6]]
        if u != 2:  # user 2 only in the extra dataset
            test += [(u, i) for i in items[6:6 + 1 + u % 3]]
        if u % 2 == 0:
            extra += [(u, i) for i in items[10:12]]
    dt = [('user_id', np.int32), ('item_id', np.int32)]
    return (ImplicitDataset(np.array(train, dt), N_USERS, N_ITEMS, name='train'),
            ImplicitDataset(np.array(test, dt), N_USERS, N_ITEMS, name='test'),
            ImplicitDataset(np.array(extra, dt), N_USERS, N_ITEMS, name='extra'))


def items_of(ds, u):
    return {int(i) for uu, i in ds.raw_data.tolist() if uu == u}


def reference_full(scores, train, evals, ds, ks):
    """Literal per-user loops of the original full evaluation."""
    aucs, recalls = [], []
    for u in ds.get_unique_user_list():
        excl = items_of(train, u).union(*[items_of(d, u) for d in evals])
        pos = sorted(items_of(ds, u))
        ranks = [sum(1 for j in range(N_ITEMS) if j not in excl and scores[u, j] > scores[u, p])
                 for p in pos]
        n = N_ITEMS - len(excl)
        aucs.append(np.mean([(n - r) / n for r in ranks]))
        recalls.append([sum(r <= k for r in ranks) / len(ranks) for k in ks])
    return np.mean(aucs), np.mean(recalls, axis=0)


def lines(capsys):
    return capsys.readouterr().out.splitlines()


def test_full_evaluation_lines_windows_and_results(capsys):
    train, test, extra = split()
    model, sampler = FakeModel(), FakeSampler()
    trainer = ImplicitModelTrainer(batch_size=4, test_batch_size=3, train_dataset=train,
                                   model=model, sampler=sampler)
    results = trainer.train(num_itr=12, display_itr=5, eval_datasets=[test, extra],
                            evaluators=[AUC(), Recall([1, 5])])
    auc, recall = reference_full(model.scores, train, [test, extra], test, [1, 5])
    auc_x, recall_x = reference_full(model.scores, train, [test, extra], extra, [1, 5])
    assert set(results) == {'test', 'extra'}
    assert results['test']['AUC'] == pytest.approx(auc, rel=1e-12)
    np.testing.assert_allclose(results['test']['Recall'], recall, rtol=1e-12)
    assert results['extra']['AUC'] == pytest.approx(auc_x, rel=1e-12)
    evaluation = ['..(dataset: test) evaluation',
                  '..(dataset: test) AUC %s' % results['test']['AUC'],
                  '..(dataset: test) Recall %s %s' % tuple(results['test']['Recall']),
                  '..(dataset: extra) evaluation',
                  '..(dataset: extra) AUC %s' % results['extra']['AUC'],
                  '..(dataset: extra) Recall %s %s' % tuple(results['extra']['Recall'])]
    assert lines(capsys) == (
        ['== Start training with FULL evaluation =='] +
        ['[Itr %d] Finished' % i for i in range(1, 6)] +
        ['[Itr 5] loss: %f' % (sum(range(1, 7)) / 5.0)] + evaluation +  # 6 losses / 5
        ['[Itr %d] Finished' % i for i in range(6, 11)] +
        ['[Itr 10] loss: %f' % (sum(range(7, 12)) / 5.0)] + evaluation +
        ['[Itr 11] Finished'])
    # evaluation only at itr 5 and 10, users served in chunks of test_batch_size, all items
    serves = [e for e in model.events if e[0] == 'serve']
    assert sorted({e[1] for e in serves}) == [5, 10]
    assert [e[2] for e in serves[:3]] == [3, 3, 2] and {e[3] for e in serves} == {N_ITEMS}
    assert sampler.closed == 0   # a user's sampler is never closed by the trainer (original)


def test_finished_cadence_and_no_evaluation_when_num_itr_le_display_itr(capsys):
    train, test, _ = split()
    model = FakeModel()
    trainer = ImplicitModelTrainer(4, 5, train, model, FakeSampler())
    assert trainer.train(num_itr=7, display_itr=20, eval_datasets=[test], evaluators=[AUC()]) == {}
    assert lines(capsys) == ['== Start training with FULL evaluation ==',
                             '[Itr 2] Finished', '[Itr 4] Finished', '[Itr 6] Finished']
    assert [e for e in model.events if e[0] != 'train'] == []
    model.steps = 0
    trainer.train(num_itr=3, display_itr=1)  # display_itr < 10 works: Finished every itr
    assert lines(capsys) == ['== Start training with FULL evaluation ==',
                             '[Itr 1] Finished', '[Itr 1] loss: 3.000000',
                             '[Itr 2] Finished', '[Itr 2] loss: 3.000000']


def test_item_serving_size_non_divisible_matches_full_scoring(capsys):
    train, test, _ = split()
    model = FakeModel()
    plain = ImplicitModelTrainer(4, 4, train, model, FakeSampler()).train(
        6, 5, [test], [AUC(), Recall([2]), NDCG([3])])
    model.events = []
    chunked = ImplicitModelTrainer(4, 4, train, model, FakeSampler(), item_serving_size=7).train(
        6, 5, [test], [AUC(), Recall([2]), NDCG([3])])
    for key in plain['test']:
        np.testing.assert_allclose(chunked['test'][key], plain['test'][key], rtol=1e-12)
    assert {e[3] for e in model.events if e[0] == 'serve'} == {7}  # 5 item chunks per user chunk
    assert len([e for e in model.events if e[0] == 'serve']) == 5 * 2


def test_non_rank_evaluator_prints_nan(capsys):
    train, test, _ = split()
    out = ImplicitModelTrainer(4, 4, train, FakeModel(), FakeSampler()).train(
        6, 5, [test], [MSE(), AUC()])
    assert np.isnan(out['test']['MSE']) and list(out['test']) == ['MSE', 'AUC']
    assert '..(dataset: test) MSE nan' in lines(capsys)


def test_sampled_evaluation(tmp_path, capsys):
    train, test, extra = split()
    model = FakeModel()
    prefix = str(tmp_path / 'ckpt')
    trainer = ImplicitModelTrainer(4, 2, train, model, FakeSampler(), eval_save_prefix=prefix)
    np.random.seed(123)
    out = trainer.train(num_itr=6, display_itr=5, eval_datasets=[test, extra],
                        evaluators=[AUC(), Recall([2])], num_negatives=4, seed=3)
    # reference negatives: np.random.seed(seed), then one permutation per user, ascending ids
    np.random.seed(3)
    negatives = {}
    for u in range(N_USERS):
        excl = items_of(train, u) | items_of(test, u) | items_of(extra, u)
        perm = np.random.permutation(N_ITEMS)
        negatives[u] = [int(i) for i in perm if i not in excl][:4]
    aucs = []
    for u in test.get_unique_user_list():
        pos = model.scores[u, list(test.get_interactions_by_user_gb_item(u))]
        neg = model.scores[u, negatives[u]]
        aucs.append(np.mean([(4 - np.sum(neg > p)) / 4.0 for p in pos]))
    assert out['test']['AUC'] == pytest.approx(np.mean(aucs), rel=1e-12)
    printed = lines(capsys)
    assert printed[:2] == ['[Subsampling negative items]',
                           '== Start training with sampled evaluation, sample size: 4 ==']
    assert printed[6:8] == ['[Itr 5] Finished', '[Itr 5] loss: %f' % (21 / 5.0)]
    assert ('save', prefix, 5) in model.events
    assert model.events.index(('save', prefix, 5)) < [e[0] for e in model.events].index('serve')
    with open(prefix + '_evaluate_partial.pickle', 'rb') as f:
        saved = pickle.load(f)  # last dataset evaluated (extra) survives
    assert saved['num_negatives'] == 4
    assert saved['users'] == extra.get_unique_user_list().tolist()
    u = saved['users'][0]
    assert saved['user_items'][u][:4] == negatives[u]
    np.testing.assert_array_equal(saved['results'][u], model.scores[u, saved['user_items'][u]])
    with pytest.raises(ValueError, match='num_negatives=30 exceeds the 21 items user 0 can have'):
        trainer.train(6, 5, [test, extra], [AUC()], num_negatives=30)


def test_train_argument_errors():
    train, test, _ = split()
    trainer = ImplicitModelTrainer(4, 4, train, FakeModel(), FakeSampler())
    with pytest.raises(ValueError, match='display_itr must be a positive int, got 0'):
        trainer.train(10, 0)
    with pytest.raises(ValueError, match='num_itr must be an int >= 0, got -1'):
        trainer.train(-1, 5)
    # datasets and evaluators are checked by capability (issue 9: the original only
    # called methods on them), so the messages name the missing methods
    with pytest.raises(TypeError, match=r'eval_datasets\[0\] must be a dataset providing '
                       r'get_unique_user_list\(\), get_interactions_by_user_gb_item\(\) \(like '
                       r'openrec.utils.ImplicitDataset\); got a ndarray without'):
        trainer.train(10, 5, [test.raw_data])
    with pytest.raises(TypeError, match=r'evaluators\[0\] must be an evaluator \(etype, name '
                       r'and compute\(\), like openrec.utils.evaluators.Evaluator\), got \'AUC\''):
        trainer.train(10, 5, [test], ['AUC'])
    with pytest.raises(TypeError, match=r'train_dataset must be a dataset providing max_item\(\), '
                       r'contain_user\(\), get_interactions_by_user_gb_item\(\) .*got a Dataset '
                       r'without contain_user\(\), get_interactions_by_user_gb_item\(\)'):
        ImplicitModelTrainer(4, 4, Dataset(train.raw_data, 9, 30), FakeModel(),
                             FakeSampler()).train(10, 5, [test])
    with pytest.raises(TypeError, match=r'train_dataset must be a dataset providing max_item\(\)'):
        ImplicitModelTrainer(4, 4, train.raw_data, FakeModel(), FakeSampler())
    with pytest.raises(TypeError, match=r'model must provide serve\(\)'):
        ImplicitModelTrainer(4, 4, train, object(), FakeSampler())
    serve_only = type('ServeOnly', (), {'serve': FakeModel.serve})()
    evaluating = ImplicitModelTrainer(4, 4, train, serve_only, None)  # evaluation by hand
    with pytest.raises(ValueError, match=r'train\(\) needs a sampler: the trainer was built '
                       r'with sampler=None'):
        evaluating.train(10, 5)
    evaluating._sampler = FakeSampler()
    with pytest.raises(TypeError, match=r'model must provide train\(\), serve\(\)'):
        evaluating.train(10, 5)
    with pytest.raises(TypeError, match=r'sampler must provide next_batch\(\)'):
        ImplicitModelTrainer(4, 4, train, FakeModel(), object())
    with pytest.raises(ValueError, match='item_serving_size must be a positive int'):
        ImplicitModelTrainer(4, 4, train, FakeModel(), FakeSampler(), item_serving_size=0)
    with pytest.raises(ValueError, match=r'seed must be below 2\*\*32'):
        trainer.train(10, 5, [test], [AUC()], num_negatives=3, seed=2 ** 32)
    with pytest.raises(TypeError, match='seed must be an int'):
        trainer.train(10, 5, [test], [AUC()], num_negatives=3, seed='1')
    # seed=None: fresh negatives, as np.random.seed(None) in the original
    assert set(trainer.train(6, 5, [test], [AUC()], num_negatives=3, seed=None)) == {test.name}


def test_sampler_left_open_on_error_and_worker_errors_propagate():
    train, _, _ = split()

    class Broken(FakeModel):
        def train(self, batch):
            raise ArithmeticError('model failed')
    sampler = FakeSampler()
    with pytest.raises(ArithmeticError):
        ImplicitModelTrainer(4, 4, train, Broken(), sampler).train(5, 2)
    assert sampler.closed == 0   # a user's sampler is never closed by the trainer (original)

    class Failing(Sampler):
        def _batch_source(self, rng):
            def batches():
                yield np.zeros(1)
                raise OSError('disk gone')
            return batches()
    failing = Failing(train, 4, num_process=1)
    trainer = ImplicitModelTrainer(4, 4, train, FakeModel(), failing)
    box = {}
    thread = threading.Thread(target=_capture, args=(trainer, box), daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), 'train() hung on a failed sampler'
    assert isinstance(box['raised'], RuntimeError)
    assert 'Failing worker failed: OSError: disk gone' in str(box['raised'])
    assert isinstance(box['raised'].__cause__, OSError)


def _capture(trainer, box):
    try:
        trainer.train(5, 2)
    except BaseException as exc:
        box['raised'] = exc


def test_real_sampler_stopped_after_train(capsys):
    train, test, _ = split()
    sampler = PairwiseSampler(train, 8, num_process=2)
    ImplicitModelTrainer(8, 4, train, FakeModel(), sampler).train(6, 5, [test], [AUC()])
    assert not [t for t in threading.enumerate() if t.name.startswith('PairwiseSampler-worker')]
    assert sampler.next_batch().shape == (8,)  # restarts for a later train() call
    sampler.close()


# ---- ItrMLPModelTrainer -------------------------------------------------------------------

def explicit(seed, n):
    rng = np.random.default_rng(seed)
    rows = np.zeros(n, dtype=[('user_id', np.int32), ('item_id', np.int32), ('label', np.float32)])
    rows['user_id'] = rng.integers(0, N_USERS, n)
    rows['item_id'] = rng.integers(0, N_ITEMS, n)
    rows['label'] = rng.integers(1, 6, n)
    return rows


class PairModel(FakeModel):
    def serve(self, feed):  # ItrMLP serves the all-pairs [T, T] matrix (users x items)
        return super(PairModel, self).serve(feed)


def test_itr_mlp_trainer(capsys):
    model, sampler = PairModel(), FakeSampler()
    test_rows = explicit(1, 23)
    test = Dataset(test_rows, N_USERS, N_ITEMS, name='test')  # data None -> raw_data
    trainer = ItrMLPModelTrainer(batch_size=4, test_batch_size=5,
                                 train_dataset=Dataset(explicit(0, 40), N_USERS, N_ITEMS),
                                 model=model, sampler=sampler)
    out = trainer.train(num_itr=12, display_itr=5, update_itr=5, eval_datasets=[test],
                        evaluators=[MSE()])
    used = test_rows[:20]  # 4 full batches of 5, trailing 3 rows dropped
    mse = np.mean((model.scores[used['user_id'], used['item_id']] - used['label']) ** 2)
    assert out == {'test': {'MSE': pytest.approx(mse, rel=1e-6)}}
    assert lines(capsys) == [
        '[Itr 5] loss: %f mse: %f' % (21 / 5.0, 21 * 2.0 / 20),
        '..(dataset: test) evaluation', '..(dataset: test) MSE %s' % out['test']['MSE'],
        '[Itr 10] loss: %f mse: %f' % (45 / 5.0, 45 * 2.0 / 20),
        '..(dataset: test) evaluation', '..(dataset: test) MSE %s' % out['test']['MSE']]
    kinds = [e[:2] for e in model.events if e[0] != 'train']
    # evaluation (4 serve calls of [5 users x 5 items]) before the update at shared multiples
    assert kinds == [('serve', 5)] * 4 + [('update', 5)] + [('serve', 10)] * 4 + [('update', 10)]
    assert {e[2:] for e in model.events if e[0] == 'serve'} == {(5, 5)}
    assert sampler.closed == 0   # a user's sampler is never closed by the trainer (original)
    model.events, model.steps = [], 0
    trainer.train(num_itr=8, display_itr=100, update_itr=3)
    assert [e for e in model.events if e[0] == 'update'] == [('update', 3), ('update', 6)]


def test_itr_mlp_trainer_errors():
    data = Dataset(explicit(0, 40), N_USERS, N_ITEMS)
    trainer = ItrMLPModelTrainer(4, 5, data, PairModel(), FakeSampler())
    with pytest.raises(ValueError, match='update_itr must be a positive int, got 0'):
        trainer.train(10, 5, 0)
    with pytest.raises(TypeError, match=r"evaluators\[0\] \(AUC\) has etype 'rank'"):
        trainer.train(10, 5, 5, [data], [AUC()])
    with pytest.raises(ValueError, match=r"eval_datasets\[0\] \('small'\) has 4 rows, fewer than "
                                         'test_batch_size=5'):
        trainer.train(10, 5, 5, [Dataset(explicit(0, 4), 9, 30, name='small')], [MSE()])
    with pytest.raises(ValueError, match="missing 'label'"):
        trainer.train(10, 5, 5, [Dataset(interactions(0, 3), 9, 30)], [MSE()])
    with pytest.raises(TypeError, match=r'model must provide train\(\), serve\(\), update_embeddings\(\)'):
        ItrMLPModelTrainer(4, 5, data, FakeSampler(), FakeSampler())


def test_top_level_exports_without_tensorflow_dependency():
    assert openrec.ImplicitModelTrainer is ImplicitModelTrainer
    assert openrec.ItrMLPModelTrainer is ItrMLPModelTrainer
    import subprocess
    import sys
    code = 'import sys, openrec; sys.exit(any(m.startswith("tensorflow") for m in sys.modules))'
    assert subprocess.call([sys.executable, '-c', code]) == 0


# ---- evaluation users beyond the model's user table (checked at train start) ---------------

def test_evaluation_user_ids_checked_against_the_model_max_user(capsys):
    train, test, _ = split()
    low = ImplicitDataset(interactions(1, 2, users=range(3)), N_USERS, N_ITEMS, name='low')
    model = FakeModel()
    model._max_user = 7   # a 0.1 Recommender's attribute: test has users 7 and 8
    trainer = ImplicitModelTrainer(4, 4, train, model, FakeSampler())
    for negatives in (None, 3):
        with pytest.raises(ValueError, match=r"^eval_datasets\[1\] \('test'\) user_id holds id 8 "
                           r"outside \[0, 7\) \(the model's max_user = 7\)$"):
            trainer.train(10, 5, [low, test], [AUC()], num_negatives=negatives)
    assert model.events == [] and capsys.readouterr().out == ''   # nothing ran
    model._max_user = N_USERS
    assert set(trainer.train(6, 5, [low, test], [AUC()])) == {'low', 'test'}
    capsys.readouterr()

    rows = explicit(0, 40)
    explicit_model = PairModel()
    explicit_model._max_user = 7
    itr = ItrMLPModelTrainer(4, 5, Dataset(explicit(0, 40), N_USERS, N_ITEMS), explicit_model,
                             FakeSampler())
    fine = Dataset(rows[rows['user_id'] < 7], N_USERS, N_ITEMS, name='fine')
    with pytest.raises(ValueError, match=r"^eval_datasets\[1\] \('bad'\) user_id holds id 8 "
                       r"outside \[0, 7\) \(the model's max_user = 7\)$"):
        itr.train(10, 5, 5, [fine, Dataset(rows, N_USERS, N_ITEMS, name='bad')], [MSE()])
    assert explicit_model.events == [] and capsys.readouterr().out == ''


def test_evaluation_user_ids_checked_against_a_recommender():
    from openrec.recommenders import BPR
    train, test, _ = split()
    model = BPR(batch_size=4, max_user=5, max_item=N_ITEMS, dim_embed=2)
    steps = []
    model.train = lambda batch: steps.append(batch) or 0.0
    sampler = PairwiseSampler(train, 4, num_process=1)
    try:
        with pytest.raises(ValueError, match=r"^eval_datasets\[0\] \('test'\) user_id holds id 8 "
                           r"outside \[0, 5\) \(the model's max_user = 5\)$"):
            ImplicitModelTrainer(4, 4, train, model, sampler).train(10, 5, [test], [AUC()])
        assert steps == []
    finally:
        sampler.close()

"""Issue 9, part 1: private members and extension hooks of the 0.1 API that legacy code uses.

a. evaluation driven by hand (``_eval_manager``, ``_exclude_positives``,
   ``_sample_negatives``, ``_evaluate_full``, ``_evaluate_partial``);
b. custom samplers through the original's ``_get_runner()`` process hook;
c. duck-typed datasets (capabilities, not classes);
d. seeded sampled evaluation: negatives drawn in the original's set/dict order.
"""
import functools
import gc
import multiprocessing
import threading

import numpy as np
import pytest

from openrec import ImplicitModelTrainer, ItrMLPModelTrainer
from openrec.utils import Dataset, ImplicitDataset
from openrec.utils.evaluators import AUC, MSE, ImplicitEvalManager, Recall
from openrec.utils.samplers import ExplicitSampler, PairwiseSampler, PointwiseSampler, Sampler
from test_utils_samplers import call_with_timeout as _call

DT = [('user_id', np.int32), ('item_id', np.int32)]


class TableModel(object):
    """serve() = rows of a fixed score table, ``S[users][:, items]``; save() is a no-op."""

    def __init__(self, scores):
        self.scores = scores
        self.steps = 0

    def train(self, batch):
        self.steps += 1
        return 0.0

    def serve(self, feed):
        return self.scores[np.asarray(feed['user_id_input'])][:, np.asarray(feed['item_id_input'])]

    def save(self, prefix, step):
        pass


class NullSampler(object):
    def next_batch(self):
        return None


# ---- a. evaluation by hand -------------------------------------------------------------------

def test_evaluate_full_by_hand_issue_example():
    train = ImplicitDataset(np.array([(0, 0)], DT), 1, 4, name='train')
    test = ImplicitDataset(np.array([(0, 2)], DT), 1, 4, name='test')
    model = TableModel(np.array([[0.1, 0.9, 0.3, 0.2]], np.float32))
    trainer = ImplicitModelTrainer(batch_size=1, test_batch_size=1, train_dataset=train,
                                   model=model, sampler=NullSampler())
    trainer._eval_manager = ImplicitEvalManager([AUC()])
    trainer._exclude_positives([train, test])
    assert trainer._excluded_positives == {0: {0, 2}}
    assert isinstance(trainer._excluded_positives[0], set)
    results = trainer._evaluate_full(test)
    # candidates 1 (0.9) and 3 (0.2); one is above the positive (0.3): AUC (2 - 1) / 2
    assert results == {'AUC': [0.5]}
    assert model.steps == 0  # train() never ran


def test_evaluate_partial_by_hand_without_sampler():
    rng = np.random.RandomState(1)
    scores = rng.rand(5, 12).astype(np.float32)
    train = ImplicitDataset(np.array([(u, (u + 1) % 12) for u in range(5)], DT), 5, 12)
    test = ImplicitDataset(np.array([(u, (u + 5) % 12) for u in range(5)]
                                    + [(1, 0), (3, 11)], DT), 5, 12, name='test')
    trainer = ImplicitModelTrainer(1, 2, train, TableModel(scores), None)  # no sampler needed
    trainer._eval_manager = ImplicitEvalManager([AUC(), Recall([1, 3])])
    trainer._num_negatives = 4
    trainer._exclude_positives([test])
    trainer._sample_negatives(seed=7)
    results = trainer._evaluate_partial(test)
    np.random.seed(7)
    for u in range(5):  # ids dense and small: the set order is ascending
        perm = np.random.permutation(12)
        excl = {(u + 1) % 12} | {int(i) for i in test.get_interactions_by_user_gb_item(u)}
        expected = [int(i) for i in perm if i not in excl][:4]
        assert [int(i) for i in trainer._sampled_negatives[u]] == expected
        pos = scores[u, sorted(excl - {(u + 1) % 12})]
        neg = scores[u, expected]
        assert results['AUC'][u] == pytest.approx(np.mean([(4 - np.sum(neg > p)) / 4 for p in pos]))
    assert list(results) == ['AUC', 'Recall'] and len(results['Recall']) == 5


def test_evaluate_full_uses_a_custom_managers_full_eval():
    train = ImplicitDataset(np.array([(0, 0), (1, 1)], DT), 2, 5)
    test = ImplicitDataset(np.array([(0, 3), (1, 4)], DT), 2, 5, name='test')
    calls = []

    class Manager(ImplicitEvalManager):
        def full_eval(self, pos_samples, excl_pos_samples, predictions):
            calls.append((list(pos_samples), set(excl_pos_samples), len(predictions)))
            return super(Manager, self).full_eval(pos_samples, excl_pos_samples, predictions)

    trainer = ImplicitModelTrainer(1, 5, train, TableModel(np.zeros((2, 5), np.float32)), None)
    trainer._eval_manager = Manager([AUC()])
    trainer._exclude_positives([test])
    assert trainer._evaluate_full(eval_dataset=test) == {'AUC': [1.0, 1.0]}
    assert calls == [([3], {0, 3}, 5), ([4], {1, 4}, 5)]


# ---- b. custom samplers through _get_runner() ------------------------------------------------

def _put_zeros(q):
    while True:
        q.put(np.zeros(2, [('user_id_input', np.int32)]))


class ZerosSampler(Sampler):
    """A 0.1 user sampler: the runner puts a zero batch forever."""

    def _get_runner(self):
        return multiprocessing.Process(target=_put_zeros, args=(self._q,))


class _CountingRunner(multiprocessing.Process):
    """The original's own style: a Process subclass holding the sampler's queue."""

    def __init__(self, dataset, batch_size, q, count):
        self._dataset, self._batch_size, self._q, self._count = dataset, batch_size, q, count
        super(_CountingRunner, self).__init__()

    def run(self):
        for i in range(self._count):
            batch = np.zeros(self._batch_size, [('user_id_input', np.int32)])
            batch['user_id_input'] = self._dataset.raw_data['user_id'][:self._batch_size] + i
            self._q.put(batch, block=True)


class CountingSampler(Sampler):
    def __init__(self, dataset, batch_size, count, num_process=1):
        self._count = count  # options set before the base constructor, as in 0.1
        super(CountingSampler, self).__init__(dataset, batch_size, num_process=num_process)

    def _get_runner(self):
        return _CountingRunner(self._dataset, self._batch_size, self._q, self._count)


def test_get_runner_hook_issue_example():
    ds = ImplicitDataset(np.array([(0, 1), (1, 2)], DT), 2, 3)
    sampler = ZerosSampler(ds, batch_size=2, num_process=3)
    try:
        assert sampler._dataset is ds and sampler._batch_size == 2
        assert len(sampler._runner_list) == 3
        assert all(isinstance(r, multiprocessing.Process) and r.daemon and r.is_alive()
                   for r in sampler._runner_list)
        batch = _call(sampler.next_batch)
        assert batch.dtype == np.dtype([('user_id_input', np.int32)])
        np.testing.assert_array_equal(batch['user_id_input'], [0, 0])
        runners = list(sampler._runner_list)
        sampler.close()
        assert [r.is_alive() for r in runners] == [False] * 3  # close() ends the processes
        assert sampler._runner_list == []
        sampler.close()  # idempotent
        # a closed sampler starts new workers from the hook on the next call
        np.testing.assert_array_equal(_call(sampler.next_batch)['user_id_input'], [0, 0])
        assert len(sampler._runner_list) == 3 and runners[0] not in sampler._runner_list
    finally:
        sampler.close()


def test_get_runner_hook_process_subclass_ends_with_error_not_hang():
    ds = ImplicitDataset(np.array([(4, 1), (7, 2), (9, 0)], DT), 10, 3)
    with CountingSampler(ds, batch_size=2, count=3) as sampler:
        got = [_call(sampler.next_batch)['user_id_input'].tolist() for _ in range(3)]
        assert got == [[4, 7], [5, 8], [6, 9]]
        with pytest.raises(RuntimeError, match=r'CountingSampler: all 1 workers from '
                           r'_get_runner\(\) have ended \(exit codes \[0\]\) and no batch is left'):
            _call(sampler.next_batch)
    assert sampler._runner_list == []


@pytest.mark.parametrize('trainer', ['ImplicitModelTrainer', 'ItrMLPModelTrainer'])
def test_get_runner_hook_keeps_its_place_across_train_calls(trainer):
    # a runner walking the data once in order, used by a script training epoch by epoch:
    # the original's runners were never stopped, so each train() continues the walk
    ds = ImplicitDataset(np.array([(0, 1), (1, 2)], DT), 2, 3)
    seen = []

    class Model(TableModel):
        def train(self, batch):
            seen.append(batch['user_id_input'].tolist())
            return super(Model, self).train(batch)

        def update_embeddings(self):
            pass
    sampler = CountingSampler(ds, batch_size=2, count=100)
    runners = list(sampler._runner_list)
    try:
        if trainer == 'ImplicitModelTrainer':
            run = ImplicitModelTrainer(2, 2, ds, Model(np.zeros((2, 3))), sampler).train
        else:
            run = functools.partial(ItrMLPModelTrainer(2, 2, ds, Model(np.zeros((2, 3))),
                                                       sampler).train, update_itr=10)
        for _ in range(3):
            run(num_itr=4, display_itr=10)
        assert seen == [[i, i + 1] for i in range(12)]   # not batches 0..3 three times
        assert sampler._runner_list == runners and runners[0].is_alive()
    finally:
        sampler.close()
    assert not runners[0].is_alive()


def test_get_runner_hook_runners_end_with_the_sampler():
    ds = ImplicitDataset(np.array([(0, 1), (1, 2)], DT), 2, 3)
    sampler = ZerosSampler(ds, batch_size=2, num_process=2)
    runners = list(sampler._runner_list)
    assert _call(sampler.next_batch).shape == (2,)
    del sampler
    gc.collect()   # garbage collection ends an unreferenced sampler's runners
    assert [r.is_alive() for r in runners] == [False, False]


def test_get_runner_hook_in_a_trainer_and_bad_hooks():
    train = ImplicitDataset(np.array([(0, 1), (1, 2)], DT), 2, 3)

    class Model(TableModel):
        def train(self, batch):
            assert batch['user_id_input'].tolist() == [0, 0]
            return super(Model, self).train(batch)
    model = Model(np.zeros((2, 3), np.float32))
    sampler = ZerosSampler(train, 2, num_process=1)
    runners = list(sampler._runner_list)
    ImplicitModelTrainer(2, 2, train, model, sampler).train(num_itr=4, display_itr=10)
    assert model.steps == 4
    assert sampler._runner_list == runners and runners[0].is_alive()  # left running (0.1)
    sampler.close()
    assert not runners[0].is_alive() and sampler._runner_list == []

    class NoRunner(Sampler):
        def _get_runner(self):
            return 'not a process'
    with pytest.raises(TypeError, match=r'NoRunner._get_runner\(\) must return an unstarted '
                       r"worker .*got 'not a process'"):
        NoRunner(train, 2)
    started = []

    class SecondFails(ZerosSampler):
        def _get_runner(self):
            if started:
                raise OSError('no more processes')
            runner = super(SecondFails, self)._get_runner()
            started.append(runner)
            return runner
    with pytest.raises(OSError, match='no more processes'):
        SecondFails(train, 2, num_process=2)
    started[0].join(5)
    assert not started[0].is_alive()  # the first worker was stopped, nothing leaks
    with pytest.raises(ValueError, match='batch_size must be a positive int, got 0'):
        ZerosSampler(train, 0)


def test_get_runner_returning_a_started_process():
    # the original: a bare AssertionError ('process has already started') from setting
    # daemon, and the user's non-daemon process kept the interpreter from exiting
    train = ImplicitDataset(np.array([(0, 1), (1, 2)], DT), 2, 3)
    returned = []

    class Started(ZerosSampler):
        def _get_runner(self):
            runner = super(Started, self)._get_runner()
            if len(returned) == 1:   # the second call returns a started process
                runner.start()
            returned.append(runner)
            return runner
    with pytest.raises(ValueError, match=r"Started._get_runner\(\) must return an unstarted "
                       r"worker \(the sampler sets daemon = True and starts it\), got "
                       r"<Process .*started>, already started: it was terminated; return the "
                       r"Process without calling start\(\)"):
        Started(train, 2, num_process=3)
    assert len(returned) == 2 and not returned[1].daemon   # detected before anything was set
    for runner in returned:
        runner.join(5)
    # the started process and the runner this constructor had started are both ended
    assert [r.is_alive() for r in returned] == [False, False]
    assert [r.exitcode for r in returned] == [-15, -15]
    assert multiprocessing.active_children() == []

    class EndedThread(Sampler):
        def _get_runner(self):
            runner = threading.Thread(target=lambda: None)
            runner.start()
            runner.join()
            return runner
    with pytest.raises(ValueError, match=r"EndedThread._get_runner\(\) must return an unstarted "
                       r"worker .*got <Thread\(.*stopped.*\)>, already started: it has already "
                       r"ended; return the Thread without calling start\(\)"):
        EndedThread(train, 2)


# ---- c. duck-typed datasets ------------------------------------------------------------------

RATINGS = np.array([(0, 1, 4.0), (1, 2, 1.0), (1, 0, 5.0)],
                   dtype=[('user_id', np.int32), ('item_id', np.int32), ('rating', np.float32)])


class PositiveRatings(Dataset):
    """A 0.1 user dataset: a Dataset subclass keeping ratings >= 3 as positives."""

    def __init__(self, raw_data, max_user, max_item, name='dataset'):
        super(PositiveRatings, self).__init__(raw_data, max_user, max_item, name=name)
        self._positives = {}
        for row in raw_data:
            if row['rating'] >= 3:
                self._positives.setdefault(row['user_id'], set()).add(row['item_id'])

    def contain_user(self, user_id):
        return user_id in self._positives

    def get_interactions_by_user_gb_item(self, user_id):
        return self._positives[user_id]

    def get_unique_user_list(self):
        return np.array(list(self._positives))

    def unique_user_count(self):
        return len(self._positives)


def test_duck_typed_dataset_issue_example(capsys):
    ds = PositiveRatings(RATINGS, 2, 3, name='ratings')
    model = TableModel(np.array([[0.5, 0.1, 0.7], [0.2, 0.9, 0.4]], np.float32))
    trainer = ImplicitModelTrainer(2, 2, ds, model, NullSampler())
    assert trainer.train(num_itr=11, display_itr=10, eval_datasets=[ds], evaluators=[]) \
        == {'ratings': {}}
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == ['[Itr 10] loss: 0.000000', '..(dataset: ratings) evaluation']
    # the subclass's positives decide the exclusions and the AUC: user 0 -> item 1,
    # user 1 -> item 0 (the 1.0 rating is not a positive, so item 2 is a candidate)
    results = trainer.train(num_itr=11, display_itr=10, eval_datasets=[ds], evaluators=[AUC()])
    assert trainer._excluded_positives == {0: {1}, 1: {0}}
    # user 0: positive 0.1 below 0.5 and 0.7 -> AUC 0; user 1: 0.2 below 0.9 and 0.4 -> 0
    assert results['ratings']['AUC'] == 0.0


def test_duck_typed_dataset_with_real_samplers():
    ds = PositiveRatings(RATINGS, 2, 3)
    sampler = PairwiseSampler(ds, batch_size=2, num_process=1, seed=3)
    try:
        seen = set()
        for _ in range(60):
            batch = _call(sampler.next_batch)
            for u, p, n in batch.tolist():
                assert n not in ds.get_interactions_by_user_gb_item(u)  # its positives
                seen.add((u, n))
        # the original rejected only the subclass's positives: user 1 (positive 0)
        # draws item 2 although it rated it, user 0 draws 0 and 2
        assert seen == {(0, 0), (0, 2), (1, 1), (1, 2)}
        assert ds.data is not None  # shuffle() was called, as the original did
    finally:
        sampler.close()
    with PointwiseSampler(ds, batch_size=4, pos_ratio=0.5, num_process=1) as pointwise:
        for _ in range(20):
            batch = _call(pointwise.next_batch)
            for u, i in zip(batch['user_id_input'][2:], batch['item_id_input'][2:]):
                assert u in (0, 1) and i not in ds.get_interactions_by_user_gb_item(u)

    class Unknown(PositiveRatings):
        def get_interactions_by_user_gb_item(self, user_id):
            if user_id == 1:
                raise KeyError(user_id)
            return super(Unknown, self).get_interactions_by_user_gb_item(user_id)
    with pytest.raises(ValueError, match=r'dataset.get_interactions_by_user_gb_item\(1\) raised '
                       r'KeyError'):
        PairwiseSampler(Unknown(RATINGS, 2, 3), batch_size=2)


def test_look_alike_objects_and_missing_capabilities():
    class LookAlike(object):  # not a Dataset at all: only what is called
        name = 'look-alike'
        raw_data = np.array([(0, 1, 2.0), (1, 0, 4.0), (1, 1, 1.0)],
                            dtype=[('user_id', np.int32), ('item_id', np.int32),
                                   ('label', np.float32)])
        data = None

        def max_item(self):
            return 2

    class Model(TableModel):
        def update_embeddings(self):
            pass
    model = Model(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    trainer = ItrMLPModelTrainer(2, 3, LookAlike(), model, NullSampler())
    out = trainer.train(num_itr=3, display_itr=2, update_itr=5, eval_datasets=[LookAlike()],
                        evaluators=[MSE()])
    # rows (0,1)->2.0, (1,0)->3.0, (1,1)->4.0 against labels 2, 4, 1
    assert out['look-alike']['MSE'] == pytest.approx(np.mean([0.0, 1.0, 9.0]))
    with pytest.raises(TypeError, match=r'dataset must be an openrec.utils.Dataset or a '
                       r'look-alike: .*got a LookAlike without shuffle\(\)'):
        PairwiseSampler(LookAlike(), 2)
    with pytest.raises(TypeError, match=r'got a list without rows, max_item\(\), shuffle\(\)'):
        PairwiseSampler([(0, 1)], 2)
    trainer = ImplicitModelTrainer(2, 2, LookAlike(), model, NullSampler())
    with pytest.raises(TypeError, match=r"eval_datasets\[0\] must be a dataset providing "
                       r"get_unique_user_list\(\), get_interactions_by_user_gb_item\(\) .*got a "
                       r"LookAlike without"):
        trainer.train(3, 2, [LookAlike()])


# ---- d. seeded sampled evaluation in the original's order ------------------------------------

def original_negatives(train, evals, max_item, num_negatives, seed):
    """The original's _exclude_positives and _sample_negatives, written out literally."""
    user_set = set()
    for dataset in evals:
        user_set = user_set.union(dataset.get_unique_user_list())
    excluded = {}
    for user in user_set:
        excluded[user] = (train.get_interactions_by_user_gb_item(user)
                          if train.contain_user(user) else set())
        for dataset in evals:
            if dataset.contain_user(user):
                excluded[user] = excluded[user].union(
                    dataset.get_interactions_by_user_gb_item(user))
    np.random.seed(seed)
    negatives = {}
    for user in excluded:
        subsamples = []
        for item in np.random.permutation(max_item):
            if item not in excluded[user]:
                subsamples.append(item)
            if len(subsamples) == num_negatives:
                break
        negatives[user] = subsamples
    return excluded, negatives


def sparse_case(users, max_user, max_item=50):
    train = ImplicitDataset(np.array([(u, (7 * u) % max_item) for u in users], DT),
                            max_user, max_item, name='train')
    test = ImplicitDataset(np.array([(u, (3 * u + 1) % max_item) for u in users], DT),
                           max_user, max_item, name='test')
    return train, test


def test_seeded_negatives_issue_example(capsys):
    train, test = sparse_case([5000, 3, 700, 260, 1, 4097, 300], 6000)
    scores = np.random.RandomState(0).rand(6000, 50).astype(np.float32)
    trainer = ImplicitModelTrainer(4, 3, train, TableModel(scores), NullSampler())
    results = trainer.train(num_itr=11, display_itr=10, eval_datasets=[test],
                            evaluators=[AUC()], num_negatives=5)
    assert [int(i) for i in trainer._sampled_negatives[3]] == [4, 27, 7, 49, 29]
    assert list(trainer._excluded_positives) == [1, 4097, 3, 260, 5000, 300, 700]
    assert results['test']['AUC'] == pytest.approx(0.457143, abs=5e-7)
    assert np.mean(trainer._evaluate_partial(test)['AUC']) == pytest.approx(0.457143, abs=5e-7)


@pytest.mark.parametrize('users', [
    [64 * k for k in range(1, 12)] + [5, 3],   # colliding hash slots
    [999983, 17, 262144, 8, 65536 + 8, 40, 1023, 1024, 4096 + 17],
    list(range(30, 0, -3)) + [10 ** 6 + 1],
])
def test_seeded_negatives_match_the_originals_loops(users):
    max_user = max(users) + 1
    train, test = sparse_case(users, max_user)
    extra = ImplicitDataset(np.array([(u, (u + 9) % 50) for u in users[::-2]], DT), max_user, 50,
                            name='extra')
    excluded, negatives = original_negatives(train, [test, extra], 50, 6, seed=4)
    scores = np.random.RandomState(2).rand(len(users), 50).astype(np.float32)
    index = {u: i for i, u in enumerate(users)}

    class Model(TableModel):
        def serve(self, feed):
            rows = [index[int(u)] for u in np.asarray(feed['user_id_input'])]
            return self.scores[rows][:, np.asarray(feed['item_id_input'])]
    trainer = ImplicitModelTrainer(4, 5, train, Model(scores), NullSampler())
    trainer._eval_manager = ImplicitEvalManager([AUC()])
    trainer._num_negatives = 6
    trainer._exclude_positives([test, extra])
    assert list(trainer._excluded_positives) == list(excluded)
    assert trainer._excluded_positives == excluded
    trainer._sample_negatives(seed=4)
    assert list(trainer._sampled_negatives) == list(negatives)
    for user in negatives:
        got = trainer._sampled_negatives[user]
        assert [int(i) for i in got] == [int(i) for i in negatives[user]]
    auc = trainer._evaluate_partial(extra)['AUC']
    expected = []
    for user in extra.get_unique_user_list():
        items = negatives[user] + list(extra.get_interactions_by_user_gb_item(user))
        s = scores[index[int(user)], items]
        expected.append(np.mean([(6 - np.sum(s[:6] > p)) / 6.0 for p in s[6:]]))
    np.testing.assert_allclose(auc, expected, rtol=1e-12)


def test_scoring_hooks_of_a_trainer_subclass_are_called():
    train, test = sparse_case([0, 1, 2], 3, max_item=12)
    scores = np.random.RandomState(5).rand(3, 12).astype(np.float32)
    calls = []

    class Trainer(ImplicitModelTrainer):
        def _score_partial_items(self, user, items):
            calls.append((int(user), [int(i) for i in items]))
            return super(Trainer, self)._score_partial_items(user, items)
    plain = ImplicitModelTrainer(1, 2, train, TableModel(scores), None)
    hooked = Trainer(1, 2, train, TableModel(scores), None)
    for trainer in (plain, hooked):
        trainer._eval_manager = ImplicitEvalManager([AUC()])
        trainer._num_negatives = 3
        trainer._exclude_positives([test])
        trainer._sample_negatives(seed=1)
    assert hooked._evaluate_partial(test) == plain._evaluate_partial(test)
    assert [u for u, _ in calls] == [0, 1, 2]  # one call per user, as the original
    assert calls[1][1] == [int(i) for i in hooked._sampled_negatives[1]] + [4]


# ---- bad input in trainers and samplers (issue 9, part 3) --------------------------------------

def test_trainer_rejects_evaluation_ids_it_cannot_score_before_training():
    train = ImplicitDataset(np.array([(0, 1), (1, 2)], DT), 2, 5, name='train')
    wide = ImplicitDataset(np.array([(0, 3), (1, 7)], DT), 2, 9, name='wide')
    model = TableModel(np.zeros((2, 5), np.float32))

    class Counting(NullSampler):
        calls = 0

        def next_batch(self):
            Counting.calls += 1
    trainer = ImplicitModelTrainer(2, 2, train, model, Counting())
    with pytest.raises(ValueError, match=r'user 1 has item id 7 in train_dataset or '
                       r'eval_datasets, outside \[0, max_item=5\) of train_dataset'):
        trainer.train(num_itr=20, display_itr=10, eval_datasets=[wide], evaluators=[AUC()])
    assert model.steps == 0 and Counting.calls == 0  # nothing ran
    saving = ImplicitModelTrainer(2, 2, train, model, Counting(),
                                  eval_save_prefix='/nonexistent-folder/model')
    with pytest.raises(ValueError, match=r"eval_save_prefix '/nonexistent-folder/model': the "
                       r"folder '/nonexistent-folder' does not exist"):
        saving.train(num_itr=20, display_itr=10)
    ok = ImplicitDataset(np.array([(0, 3), (1, 4)], DT), 2, 9, name='ok')
    assert trainer.train(11, 10, [ok], [AUC()])['ok']['AUC'] == 1.0  # a corrected retry works


def test_itr_mlp_trainer_rejects_evaluation_ids_outside_the_training_tables():
    rows = np.array([(0, 1, 3.0), (2, 1, 4.0)],
                    dtype=[('user_id', np.int32), ('item_id', np.int32), ('label', np.float32)])
    train = Dataset(rows[:1], 2, 2)

    class Model(TableModel):
        def update_embeddings(self):
            pass
    trainer = ItrMLPModelTrainer(1, 1, train, Model(np.zeros((3, 2), np.float32)), NullSampler())
    with pytest.raises(ValueError, match=r"eval_datasets\[0\] field 'user_id' holds id 2 outside "
                       r"\[0, 2\) \(train_dataset.max_user\(\) = 2\)"):
        trainer.train(3, 2, 5, [Dataset(rows, 3, 2)], [MSE()])
    text = np.array([(0, 1, 'x')], dtype=[('user_id', np.int32), ('item_id', np.int32),
                                          ('label', 'U1')])
    with pytest.raises(TypeError, match=r"eval_datasets\[0\] field 'label' must be numeric"):
        trainer.train(3, 2, 5, [Dataset(text, 2, 2)], [MSE()])


def test_samplers_check_the_ids_of_the_rows_they_walk():
    ds = ImplicitDataset(np.array([(0, 1), (1, 2), (1, 0)], DT), 2, 3)
    ds.data = np.array([(0, 1), (1, 5), (1, 0)], DT)  # set by the caller, never checked
    with pytest.raises(ValueError, match=r"dataset rows field 'item_id' holds id 5 outside "
                       r"\[0, 3\) \(dataset.max_item\(\) = 3\)"):
        PairwiseSampler(ds, 2)
    ds.data = None
    PairwiseSampler(ds, 2, num_process=1).close()  # a corrected retry works
    explicit = Dataset(np.array([(0, 1, 'a'), (1, 0, 'b'), (1, 1, 'c')],
                                dtype=[('user_id', np.int32), ('item_id', np.int32),
                                       ('label', 'U1')]), 2, 2)
    with pytest.raises(TypeError, match="field 'label' must be numeric, got dtype <U1"):
        ExplicitSampler(explicit, 2)

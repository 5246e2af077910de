"""TensorBoard scalars of the three trainers (``summary_dir``), read back from the event files.

The trainers run on the fake models and samplers of their own tests; every written
scalar is compared with the line the trainer printed for it.
"""
import os
import re

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from openrec import ImplicitModelTrainer, ItrMLPModelTrainer
from openrec._summaries import ScalarWriter
from openrec.tf1.model_trainer import ModelTrainer
from openrec.tf1.utils.evaluators import AUC, MSE, NDCG, Recall
from openrec.utils import Dataset
from test_tf1_model_trainer import VAL_USERS, eval_stream, strip, train_sampler
from test_tf1_model_trainer import FakeModel as FakeModel2
from test_tf1_model_trainer import FakeSampler as FakeSampler2
from test_trainers import N_ITEMS, N_USERS, FakeModel, FakeSampler, PairModel, explicit, split


def event_files(directory):
    return sorted(os.path.join(directory, n) for n in os.listdir(directory)
                  if n.startswith('events.out.tfevents.'))


def scalars(path):
    """``[(step, tag, value)]`` of an event file, in order (the version event first)."""
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version == 'brain.Event:2'
    return [(e.step, v.tag, v.simple_value) for e in events[1:] for v in e.summary.value]


def printed(lines, step_pattern):
    """``[(step, tag, value)]`` from printed lines, as the trainer writes them."""
    out, step = [], None
    for line in lines:
        match = re.match(step_pattern, line)
        if match:
            step = int(match.group(1))
            for name, value in re.findall(r'(loss|mse): (\S+)', line):
                out.append((step, 'Train/' + name, float(value)))
            continue
        match = re.match(r'\.\.\(dataset: (\w+)\) (\w+) (.*)$', line)
        if match and match.group(3) != '':
            dataset, metric, values = match.groups()
            values = values.split()
            cutoffs = {'Recall': ['1', '3'], 'NDCG': ['2']}.get(metric)
            if cutoffs is None:
                out.append((step, '%s/%s' % (dataset, metric), float(values[0])))
            else:
                out += [(step, '%s/%s@%s' % (dataset, metric, c), float(v))
                        for c, v in zip(cutoffs, values)]
    return out


def assert_same(written, expected):
    assert [(s, t) for s, t, _ in written] == [(s, t) for s, t, _ in expected]
    np.testing.assert_allclose([v for _, _, v in written],
                               np.float32([v for _, _, v in expected]), rtol=1e-6)


def open_files():
    fds = [os.path.join('/proc/self/fd', fd) for fd in os.listdir('/proc/self/fd')]
    return {os.path.realpath(fd) for fd in fds if os.path.islink(fd)}


@pytest.fixture
def writers(monkeypatch):
    """The ScalarWriters opened during the test, kept alive: the garbage collector would
    close the file of a writer the trainer dropped, so a closed file must be the trainer's
    doing."""
    opened = []
    init = ScalarWriter.__init__

    def record(self, logdir):
        init(self, logdir)
        opened.append(self)
    monkeypatch.setattr(ScalarWriter, '__init__', record)
    return opened


class FlushProbe(FakeModel):
    """Reads the event file during training: what an evaluation wrote must be there."""

    def __init__(self, directory):
        super(FlushProbe, self).__init__()
        self.directory = directory
        self.seen = []

    def train(self, batch):
        files = event_files(self.directory)
        steps = sorted({s for s, _, _ in scalars(files[0])}) if files else None
        self.seen.append((self.steps, steps))
        return super(FlushProbe, self).train(batch)


def test_implicit_trainer_writes_every_window_and_metric(tmp_path, capsys, writers):
    train, test, extra = split()
    directory = str(tmp_path / 'logs')
    model = FlushProbe(directory)
    trainer = ImplicitModelTrainer(4, 3, train, model, FakeSampler(), summary_dir=directory)
    trainer.train(num_itr=8, display_itr=3, eval_datasets=[test, extra],
                  evaluators=[AUC(), Recall(recall_at=[1, 3])])
    lines = capsys.readouterr().out.splitlines()
    files = event_files(directory)
    assert len(files) == 1
    written = scalars(files[0])
    assert [t for s, t, _ in written if s == 3] == [
        'Train/loss', 'test/AUC', 'test/Recall@1', 'test/Recall@3',
        'extra/AUC', 'extra/Recall@1', 'extra/Recall@3']
    assert sorted({s for s, _, _ in written}) == [3, 6]
    assert_same(written, printed(lines, r'\[Itr (\d+)\] loss'))
    assert written[0] == (3, 'Train/loss', pytest.approx((1 + 2 + 3 + 4) / 3.0))
    # flushed at each evaluation: step 4 (after the first one) already sees it
    assert dict(model.seen)[4] == [3] and dict(model.seen)[7] == [3, 6]
    assert files[0] not in open_files()    # closed


def test_nothing_changes_without_summary_dir(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train, test, _ = split()
    outputs = []
    for kwargs in ({}, {'summary_dir': None}, {'summary_dir': str(tmp_path / 'logs')}):
        trainer = ImplicitModelTrainer(4, 3, train, FakeModel(), FakeSampler(), **kwargs)
        result = trainer.train(num_itr=5, display_itr=2, eval_datasets=[test],
                               evaluators=[AUC(), Recall(recall_at=[1, 3])])
        outputs.append((capsys.readouterr().out, repr(result)))
    assert outputs[0] == outputs[1] == outputs[2]
    assert os.listdir(str(tmp_path)) == ['logs']


def test_writer_closed_when_train_fails_and_a_new_file_per_call(tmp_path, capsys, writers):
    train, test, _ = split()

    class Failing(FakeModel):
        def train(self, batch):
            if self.steps == 5:
                raise RuntimeError('step 5 fails')
            return super(Failing, self).train(batch)

    directory = str(tmp_path)
    trainer = ImplicitModelTrainer(4, 3, train, Failing(), FakeSampler(), summary_dir=directory)
    with pytest.raises(RuntimeError, match='step 5 fails'):
        trainer.train(num_itr=9, display_itr=2, eval_datasets=[test], evaluators=[AUC()])
    (first,) = event_files(directory)
    assert [(s, t) for s, t, _ in scalars(first)] == [
        (2, 'Train/loss'), (2, 'test/AUC'), (4, 'Train/loss'), (4, 'test/AUC')]
    assert first not in open_files()
    trainer._model = FakeModel()
    trainer.train(num_itr=3, display_itr=2, eval_datasets=[test], evaluators=[AUC()])
    files = event_files(directory)
    assert len(files) == 2 and first in files
    assert [(s, t) for s, t, _ in scalars([f for f in files if f != first][0])] == [
        (2, 'Train/loss'), (2, 'test/AUC')]
    capsys.readouterr()


def test_itr_mlp_trainer_writes_loss_mse_and_metrics(tmp_path, capsys):
    test = Dataset(explicit(1, 23), N_USERS, N_ITEMS, name='test')
    trainer = ItrMLPModelTrainer(4, 5, Dataset(explicit(0, 40), N_USERS, N_ITEMS), PairModel(),
                                 FakeSampler(), summary_dir=tmp_path)
    trainer.train(num_itr=12, display_itr=5, update_itr=5, eval_datasets=[test],
                  evaluators=[MSE()])
    lines = capsys.readouterr().out.splitlines()
    (path,) = event_files(str(tmp_path))
    written = scalars(path)
    assert [(s, t) for s, t, _ in written] == [
        (5, 'Train/loss'), (5, 'Train/mse'), (5, 'test/MSE'),
        (10, 'Train/loss'), (10, 'Train/mse'), (10, 'test/MSE')]
    assert_same(written, printed(lines, r'\[Itr (\d+)\] loss'))
    assert written[1][2] == pytest.approx(21 * 2.0 / 20)


def test_model_trainer_writes_at_the_cumulative_iteration(tmp_path, capsys):
    directory = str(tmp_path / 'tb')
    trainer = ModelTrainer(FakeModel2(), summary_dir=directory)
    evaluators = [AUC(), Recall([1, 3]), NDCG([2])]
    losses = train_sampler([(1.0, 2.0), (3.0,), (0.5,)])
    trainer.train(total_iter=6, eval_iter=3, save_iter=6, train_sampler=losses,
                  eval_samplers=[FakeSampler2(eval_stream(VAL_USERS), name='Val')],
                  evaluators=evaluators)
    trainer.train(total_iter=3, eval_iter=3, save_iter=6, train_sampler=losses,
                  eval_samplers=[FakeSampler2(eval_stream(VAL_USERS), name='Val')],
                  evaluators=evaluators)
    lines = strip(capsys.readouterr().out).replace('\r', '\n').splitlines()
    files = event_files(directory)
    assert len(files) == 2
    written = scalars(files[0]) + scalars(files[1])
    assert [(s, t) for s, t, _ in written][:5] == [
        (3, 'Train/loss'), (3, 'Val/AUC'), (3, 'Val/Recall@1'), (3, 'Val/Recall@3'),
        (3, 'Val/NDCG@2')]
    assert sorted({s for s, _, _ in written}) == [3, 6, 9]
    assert_same(written, printed(lines, r'.*\[iter (\d+)\] loss'))
    assert written[0][2] == pytest.approx((3.0 + 3.0 + 0.5) / 3)


@pytest.mark.parametrize('bad, error, match', [
    (3, TypeError, r'summary_dir must be a directory path \(a str or os.PathLike\) or None, got 3'),
    ('', ValueError, "summary_dir must be a non-empty path or None, got ''"),
])
def test_bad_summary_dir_rejected_by_each_constructor(bad, error, match, tmp_path):
    train, _, _ = split()
    with pytest.raises(error, match=match):
        ImplicitModelTrainer(4, 3, train, FakeModel(), FakeSampler(), summary_dir=bad)
    with pytest.raises(error, match=match):
        ItrMLPModelTrainer(4, 5, Dataset(explicit(0, 40), N_USERS, N_ITEMS), PairModel(),
                           FakeSampler(), summary_dir=bad)
    model = FakeModel2()
    with pytest.raises(error, match=match):
        ModelTrainer(model, summary_dir=bad)
    assert model.build_calls == 0
    (tmp_path / 'file').write_text('x')
    with pytest.raises(ValueError, match='exists and is not a directory'):
        ModelTrainer(model, summary_dir=tmp_path / 'file')


# ---- the same three behaviours for ItrMLPModelTrainer and the 0.2 ModelTrainer ---------------

class ItrMLPRun(object):
    """An ItrMLPModelTrainer on the fakes: evaluates at iterations ``every, 2 * every, ...``
    (counted from 0) strictly below ``steps``."""
    tags = ['Train/loss', 'Train/mse', 'test/MSE']
    step_pattern = r'\[Itr (\d+)\] loss'

    def __init__(self, **kwargs):
        self.model, self.sampler = PairModel(), FakeSampler()
        self.trainer = ItrMLPModelTrainer(4, 5, Dataset(explicit(0, 40), N_USERS, N_ITEMS),
                                          self.model, self.sampler, **kwargs)

    def train(self, steps, every):
        test = Dataset(explicit(1, 23), N_USERS, N_ITEMS, name='test')
        return self.trainer.train(num_itr=steps, display_itr=every, update_itr=every,
                                  eval_datasets=[test], evaluators=[MSE()])

    def train_calls(self):
        return self.model.steps

    @staticmethod
    def lines(out):
        return out.splitlines()


class ModelTrainerRun(object):
    """A 0.2 ModelTrainer on the fakes: evaluates at trained iterations ``every, 2 * every,
    ...`` (counted from 1, on over calls) up to ``steps``."""
    tags = ['Train/loss', 'Val/AUC', 'Val/Recall@1', 'Val/Recall@3']
    step_pattern = r'.*\[iter (\d+)\] loss'

    def __init__(self, **kwargs):
        self.model = FakeModel2()
        self.sampler = train_sampler([(1.0, 2.0), (3.0,), (0.5,)])
        self.trainer = ModelTrainer(self.model, **kwargs)

    def train(self, steps, every):
        return self.trainer.train(total_iter=steps, eval_iter=every, save_iter=steps,
                                  train_sampler=self.sampler,
                                  eval_samplers=[FakeSampler2(eval_stream(VAL_USERS), name='Val')],
                                  evaluators=[AUC(), Recall([1, 3])])

    def train_calls(self):
        return len(self.model.trained)

    @staticmethod
    def lines(out):
        return strip(out).replace('\r', '\n').splitlines()


each_trainer = pytest.mark.parametrize('kind', [ItrMLPRun, ModelTrainerRun],
                                       ids=['itr_mlp', 'model_trainer'])


def before_each_call(obj, method, hook):
    """``obj.method(...)`` calls ``hook()`` first (an instance attribute over the method)."""
    original = getattr(obj, method)

    def call(*args, **kwargs):
        hook()
        return original(*args, **kwargs)
    setattr(obj, method, call)


def written_steps(directory):
    """The steps in the event file of ``directory`` as a reader sees it now."""
    (path,) = event_files(directory)
    return sorted({s for s, _, _ in scalars(path)})


@pytest.mark.parametrize('kind, seen', [
    # ItrMLP evaluates after the train call of index 3 (and 6), ModelTrainer after index 2
    (ItrMLPRun, [[]] * 4 + [[3]] * 3 + [[3, 6]]),
    (ModelTrainerRun, [[]] * 3 + [[3]] * 3 + [[3, 6]] * 2),
], ids=['itr_mlp', 'model_trainer'])
def test_event_file_flushed_at_each_evaluation(kind, seen, tmp_path, capsys, writers):
    directory = str(tmp_path / 'logs')
    run = kind(summary_dir=directory)
    probed = []
    before_each_call(run.model, 'train', lambda: probed.append(written_steps(directory)))
    run.train(8, 3)
    lines = run.lines(capsys.readouterr().out)
    assert probed == seen
    (path,) = event_files(directory)
    written = scalars(path)
    assert [(s, t) for s, t, _ in written] == [(s, t) for s in (3, 6) for t in kind.tags]
    assert_same(written, printed(lines, kind.step_pattern))
    assert path not in open_files()


@each_trainer
@pytest.mark.parametrize('failing', ['model.train', 'sampler.next_batch', 'model.serve'])
def test_writer_closed_when_train_fails(kind, failing, tmp_path, capsys, writers):
    run = kind(summary_dir=tmp_path)
    owner, method = failing.split('.')
    # evaluations at 2, 4, ...: the 6th train step fails (in the sampler or the model), or
    # the second evaluation (after 5 train calls for ItrMLP, 4 for ModelTrainer) serving
    fails = (lambda: run.train_calls() >= 4) if method == 'serve' else \
        (lambda: run.train_calls() == 5)

    def hook():
        if fails():
            raise RuntimeError('%s fails' % failing)
    before_each_call(getattr(run, owner), method, hook)
    with pytest.raises(RuntimeError, match='%s fails' % failing):
        run.train(9, 2)
    (first,) = event_files(str(tmp_path))
    second_window = kind.tags if method != 'serve' else \
        [t for t in kind.tags if t.startswith('Train/')]   # written before the evaluation
    expected = [(2, t) for t in kind.tags] + [(4, t) for t in second_window]
    assert [(s, t) for s, t, _ in scalars(first)] == expected
    assert first not in open_files()
    with open(first, 'rb') as f:
        content = f.read()
    delattr(getattr(run, owner), method)   # the method of the class again
    run.train(3, 2)             # a new file; the closed one is not written again
    files = event_files(str(tmp_path))
    assert len(files) == 2 and first in files
    with open(first, 'rb') as f:
        assert f.read() == content
    (second,) = [f for f in files if f != first]
    assert [t for _, t, _ in scalars(second)] == kind.tags
    assert len(writers) == 2 and not open_files() & set(files)
    capsys.readouterr()


@each_trainer
def test_nothing_written_or_changed_without_summary_dir(kind, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outputs = []
    for kwargs in ({}, {'summary_dir': None}, {'summary_dir': str(tmp_path / 'logs')}):
        run = kind(**kwargs)
        result = run.train(5, 2)
        outputs.append((capsys.readouterr().out, repr(result)))
    assert outputs[0] == outputs[1] == outputs[2]
    assert os.listdir(str(tmp_path)) == ['logs']
    assert len(event_files(str(tmp_path / 'logs'))) == 1

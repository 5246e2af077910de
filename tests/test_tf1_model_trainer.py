"""OpenRec 0.2 ModelTrainer (tf1_core spec section 4, Q24-Q30; tf1_samplers section 6).

The model and samplers are small fakes implementing exactly the contracts the trainer
relies on; a literal transcription of the original trainer serves as the reference for
the printed bytes.
"""
import re
import sys
import warnings

import numpy as np
import pytest

import openrec
import openrec.tf1
import openrec.tf1.model_trainer as mt
from openrec.tf1.model_trainer import ModelTrainer
from openrec.tf1.utils.evaluators import AUC, MSE, NDCG, EvalManager, Precision, Recall

ANSI = re.compile('\x1b\\[[0-9;]*m')
ESC = '\x1b['


def strip(text):
    return ANSI.sub('', text)


# ---- fakes ----------------------------------------------------------------------------------

class FakeModel(object):
    """Model contract: isbuilt/build/train/serve/save. Batches are dicts.

    ``train`` returns the batch's ``losses`` (float32 each); ``serve`` returns the batch's
    ``scores`` as the one output (or ``n_outputs`` copies).
    """

    def __init__(self, built=False, n_outputs=1):
        self.built = built
        self.build_calls = 0
        self.saves = []
        self.trained = []
        self.served = 0
        self.n_outputs = n_outputs

    def isbuilt(self):
        return self.built

    def build(self):
        self.build_calls += 1
        self.built = True
        return self

    def train(self, batch_data):
        self.trained.append(batch_data)
        return {'losses': [np.float32(v) for v in batch_data['losses']], 'outputs': []}

    def serve(self, batch_data):
        self.served += 1
        scores = np.asarray(batch_data['scores'], dtype=np.float32)
        return {'losses': [], 'outputs': [scores] * self.n_outputs}

    def save(self, save_model_dir=None, global_step=None):
        self.saves.append(global_step)


class FakeSampler(object):
    """Cycles through a fixed list of items; counts resets and closes."""

    def __init__(self, items, name='Val'):
        self.items = list(items)
        self.name = name
        self.position = 0
        self.resets = 0
        self.closes = 0

    def reset(self):
        self.resets += 1
        self.position = 0

    def close(self):
        self.closes += 1

    def next_batch(self):
        item = self.items[self.position % len(self.items)]
        self.position += 1
        return item


def train_sampler(losses=((1.0,),)):
    return FakeSampler([{'losses': list(l)} for l in losses], name='Train')


def eval_stream(users, chunk_positives=None):
    """Items of one pass: per user, batches of scores (positions of the positives given
    with the first batch, as EvaluationSampler does when P <= B), then ([], [])."""
    items = []
    for positives, chunks in users:
        for k, scores in enumerate(chunks):
            items.append((positives if k == 0 else [], {'scores': np.asarray(scores)}))
        items.append(([], []))
    items.append((None, None))
    return items


VAL_USERS = [
    ([0], [[0.9, 0.1, 0.5, 0.5, 0.3, 0.95, 0.2]]),
    ([0, 1], [[0.2, 0.8], [0.5]]),          # the second chunk has one row (0-d squeeze)
    ([0], [[0.3], [0.1, 0.9]]),             # the first chunk has one row
]


def all_evaluators():
    return [AUC(), Recall([1, 2]), Precision([1, 2]), NDCG([1, 2]), MSE()]


# ---- literal transcription of the original trainer (reference for the printed bytes) ------

def ref_colored(text, color):
    return '\x1b[%dm%s\x1b[0m' % ({'red': 31, 'green': 32, 'blue': 34}[color], text)


class ReferenceTrainer(object):
    """OpenRec 0.2.5 ModelTrainer, with termcolor 1.1 codes and NumPy 1.x loss promotion."""

    def __init__(self, model):
        self._model = model
        self._trained_it = 0

    def _eval_func(self, model, batch_data):
        return np.squeeze(model.serve(batch_data)['outputs'])

    def train(self, total_iter, eval_iter, save_iter, train_sampler, start_iter=0,
              eval_samplers=[], evaluators=[]):
        acc_loss = np.float64(0)      # NumPy 1.x: 0 + float32 -> float64
        self._eval_manager = EvalManager(evaluators=evaluators)
        train_sampler.reset()
        for sampler in eval_samplers:
            sampler.reset()
        print(ref_colored('[Training starts, total_iter: %d, eval_iter: %d, save_iter: %d]'
                          % (total_iter, eval_iter, save_iter), 'blue'))
        for _iter in range(total_iter):
            batch_data = train_sampler.next_batch()
            loss = np.sum(self._model.train(batch_data)['losses'])
            acc_loss += np.float64(loss)
            self._trained_it += 1
            print('..Trained for %d iterations.' % _iter, end='\r')
            if (_iter + 1) % save_iter == 0:
                self._model.save(global_step=self._trained_it)
                print(' ' * len('..Trained for %d iterations.' % _iter), end='\r')
                print(ref_colored('[iter %d]' % self._trained_it, 'red'), 'Model saved.')
            if (_iter + 1) % eval_iter == 0:
                print(' ' * len('..Trained for %d iterations.' % _iter), end='\r')
                print(ref_colored('[iter %d]' % self._trained_it, 'red'),
                      'loss: %f' % (acc_loss / eval_iter))
                for sampler in eval_samplers:
                    print(ref_colored('..(dataset: %s) evaluation' % sampler.name, 'green'))
                    sys.stdout.flush()
                    eval_results = self._evaluate(sampler)
                    for key, result in eval_results.items():
                        with warnings.catch_warnings():
                            warnings.simplefilter('ignore', RuntimeWarning)
                            average_result = np.mean(result, axis=0)
                        if type(average_result) is np.ndarray:
                            print(ref_colored('..(dataset: %s)' % sampler.name, 'green'), key,
                                  ' '.join([str(s) for s in average_result]))
                        else:
                            print(ref_colored('..(dataset: %s)' % sampler.name, 'green'), key,
                                  average_result)
                acc_loss = 0

    def _evaluate(self, eval_sampler):
        metric_results = {}
        for evaluator in self._eval_manager.evaluators:
            metric_results[evaluator.name] = []
        completed_user_count = 0
        pos_items, batch_data = eval_sampler.next_batch()
        while batch_data is not None:
            all_scores = []
            all_pos_items = []
            while len(batch_data) > 0:
                all_scores.append(self._eval_func(self._model, batch_data))
                all_pos_items += pos_items
                pos_items, batch_data = eval_sampler.next_batch()
            result = self._eval_manager.full_eval(pos_samples=all_pos_items, excl_pos_samples=[],
                                                  predictions=np.concatenate(all_scores, axis=0))
            completed_user_count += 1
            print('...Evaluated %d users' % completed_user_count, end='\r')
            for key in result:
                metric_results[key].append(result[key])
            pos_items, batch_data = eval_sampler.next_batch()
        return metric_results


def per_batch_trainer(model, **kwargs):
    """A ModelTrainer whose eval function is the default one, called once per batch."""
    return ModelTrainer(model, eval_iter_func=lambda m, b: ModelTrainer._default_eval_iter_func(
        None, m, b), **kwargs)


def run(capsys, trainer, **kwargs):
    trainer.train(**kwargs)
    out = capsys.readouterr().out
    return out


# ---- printed output ---------------------------------------------------------------------------

def section_44_run(capsys, model=None):
    model = model or FakeModel()
    trainer = ModelTrainer(model)
    losses = [(1.5, 1.25), (0.5,), (1.0,), (2.0, 0.25), (0.125,), (4.0,)]
    out = run(capsys, trainer, total_iter=6, eval_iter=3, save_iter=2,
              train_sampler=train_sampler(losses),
              eval_samplers=[FakeSampler(eval_stream([u for u in VAL_USERS if len(u[1][0]) > 1]))],
              evaluators=all_evaluators())
    return trainer, model, out


def test_printed_lines_section_4_4(capsys, monkeypatch):
    monkeypatch.delenv('NO_COLOR', raising=False)
    monkeypatch.delenv('ANSI_COLORS_DISABLED', raising=False)
    trainer, model, out = section_44_run(capsys)
    # user 1: r = [1], N = 6; user 2 (scores [0.2, 0.8, 0.5], positives 0, 1): r = [1, 0], N = 1
    auc = np.mean([5 / 6, np.mean([0.0, 1.0])])
    recall = (np.array([1.0, 1.0]) + np.array([1.0, 1.0])) / 2
    precision = (np.array([1.0, 0.5]) + np.array([2.0, 1.0])) / 2
    ideal2 = 1 + 1 / np.log2(3)
    ndcg = (np.array([0.0, 1 / np.log2(3)]) + np.array([1.0 / ideal2, 1.0])) / 2
    blanks = ' ' * 27
    first_eval = ('\x1b[32m..(dataset: Val) evaluation\x1b[0m\n'
                  '...Evaluated 1 users\r...Evaluated 2 users\r'
                  '\x1b[32m..(dataset: Val)\x1b[0m AUC %s\n'
                  '\x1b[32m..(dataset: Val)\x1b[0m Recall %s\n'
                  '\x1b[32m..(dataset: Val)\x1b[0m Precision %s\n'
                  '\x1b[32m..(dataset: Val)\x1b[0m NDCG %s\n'
                  '\x1b[32m..(dataset: Val)\x1b[0m MSE nan\n'
                  % (auc, ' '.join(map(str, recall)), ' '.join(map(str, precision)),
                     ' '.join(map(str, ndcg))))
    expected = (
        '\x1b[34m[Training starts, total_iter: 6, eval_iter: 3, save_iter: 2]\x1b[0m\n'
        '..Trained for 0 iterations.\r..Trained for 1 iterations.\r' + blanks +
        '\r\x1b[31m[iter 2]\x1b[0m Model saved.\n'
        '..Trained for 2 iterations.\r' + blanks + '\r\x1b[31m[iter 3]\x1b[0m loss: %f\n'
        % ((2.75 + 0.5 + 1.0) / 3) + first_eval +
        '..Trained for 3 iterations.\r' + blanks + '\r\x1b[31m[iter 4]\x1b[0m Model saved.\n'
        '..Trained for 4 iterations.\r..Trained for 5 iterations.\r' + blanks +
        '\r\x1b[31m[iter 6]\x1b[0m Model saved.\n' + blanks +
        '\r\x1b[31m[iter 6]\x1b[0m loss: %f\n' % ((2.25 + 0.125 + 4.0) / 3) + first_eval)
    assert out == expected
    assert 'loss: 1.416667' in out and 'AUC %s\n' % auc in strip(out)
    assert model.saves == [2, 4, 6]
    assert trainer._trained_it == 6


def test_printed_lines_ansi_stripped(capsys):
    _, _, out = section_44_run(capsys)
    lines = strip(out).split('\n')
    assert lines[0] == '[Training starts, total_iter: 6, eval_iter: 3, save_iter: 2]'
    assert lines[1].split('\r')[-1] == '[iter 2] Model saved.'
    assert lines[2].split('\r')[-1] == '[iter 3] loss: 1.416667'
    assert lines[3] == '..(dataset: Val) evaluation'
    assert lines[4].split('\r')[-1] == '..(dataset: Val) AUC 0.6666666666666667'
    assert lines[5:9] == ['..(dataset: Val) Recall 1.0 1.0', '..(dataset: Val) Precision 1.5 0.75',
                          '..(dataset: Val) NDCG 0.3065735963827292 0.8154648767857288',
                          '..(dataset: Val) MSE nan']
    assert lines[-1] == ''
    # the last token of the last stdout line is the last metric (autorec parses it)
    assert strip(out).strip().split('\n')[-1].split()[-1] == 'nan'


def test_colour_codes_written_when_stdout_is_not_a_terminal(capsys, monkeypatch):
    monkeypatch.delenv('NO_COLOR', raising=False)
    monkeypatch.delenv('ANSI_COLORS_DISABLED', raising=False)
    monkeypatch.delenv('FORCE_COLOR', raising=False)
    assert not sys.stdout.isatty()
    trainer = ModelTrainer(FakeModel())
    out = run(capsys, trainer, total_iter=1, eval_iter=1, save_iter=1,
              train_sampler=train_sampler())
    assert out.count(ESC + '31m') == 2 and out.startswith(ESC + '34m[Training')
    for variable in ('NO_COLOR', 'ANSI_COLORS_DISABLED'):
        monkeypatch.setenv(variable, '1')
        out = run(capsys, trainer, total_iter=1, eval_iter=1, save_iter=1,
                  train_sampler=train_sampler())
        assert ESC not in out
        assert out.endswith(' loss: 1.000000\n') and '] Model saved.' in out
        monkeypatch.delenv(variable)


@pytest.mark.parametrize('seed', range(6))
def test_output_identical_to_original(capsys, seed):
    """Byte-identical stdout, saves and results on streams the original handles."""
    rng = np.random.RandomState(seed)
    users = []
    for _ in range(rng.randint(0, 7)):
        n_pos = rng.randint(0, 4)
        length = n_pos + rng.randint(0, 9)
        scores = rng.randint(0, 5, size=length).astype(np.float32) / 4
        cut = rng.randint(2, 6)
        chunks = [scores[i:i + cut] for i in range(0, length, cut)]
        if len(chunks[-1]) < 2:      # the original breaks on 1-row chunks (Q27)
            continue
        users.append((list(range(n_pos)) if seed % 2 else range(n_pos), chunks))
    losses = [tuple(rng.rand(rng.randint(1, 3)) * 3) for _ in range(5)]
    kwargs = dict(total_iter=rng.randint(0, 12), eval_iter=rng.randint(1, 5),
                  save_iter=rng.randint(1, 5))
    outs = []
    for cls in (ReferenceTrainer, ModelTrainer, per_batch_trainer):
        model = FakeModel(built=True)
        samplers = [FakeSampler(eval_stream(users), name='V%d' % seed),
                    FakeSampler(eval_stream(users[::-1]), name='W')]
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)
            cls(model).train(train_sampler=train_sampler(losses), eval_samplers=samplers,
                             evaluators=[AUC(), Recall([1, 3]), MSE(), NDCG([2])], **kwargs)
            cls(model).train(train_sampler=train_sampler(losses), eval_samplers=samplers,
                             evaluators=[Precision([1, 2])], **kwargs)
        outs.append((capsys.readouterr().out, model.saves, model.served))
    # the default function serves several users per call; a custom one is called per batch
    assert outs[1][:2] == outs[0][:2] and outs[1][2] <= outs[0][2]
    assert outs[2] == outs[0]


def test_second_train_continues_iterations(capsys):
    model = FakeModel()
    trainer = ModelTrainer(model)
    run(capsys, trainer, total_iter=6, eval_iter=3, save_iter=2, train_sampler=train_sampler())
    with pytest.warns(UserWarning, match='start_iter=3 is ignored'):
        out = strip(run(capsys, trainer, total_iter=3, eval_iter=2, save_iter=1,
                        train_sampler=train_sampler(), start_iter=3))
    assert [line.split('\r')[-1] for line in out.split('\n')[1:-1]] == [
        '[iter 7] Model saved.', '[iter 8] Model saved.', '[iter 8] loss: 1.000000',
        '[iter 9] Model saved.']
    assert '..Trained for 0 iterations.' in out      # the printed index is local
    assert model.saves == [2, 4, 6, 7, 8, 9]
    assert trainer._trained_it == 9


def test_unclosed_loss_window_is_dropped(capsys):
    trainer = ModelTrainer(FakeModel())
    out = run(capsys, trainer, total_iter=5, eval_iter=2, save_iter=10,
              train_sampler=train_sampler([(1.0,), (3.0,), (5.0,), (7.0,), (100.0,)]))
    assert re.findall(r'loss: \S+', out) == ['loss: 2.000000', 'loss: 6.000000']
    out = run(capsys, trainer, total_iter=2, eval_iter=2, save_iter=10,
              train_sampler=train_sampler([(1.0,), (2.0,)]))
    assert re.findall(r'loss: \S+', out) == ['loss: 1.500000']


# ---- loss accumulation (Q26) --------------------------------------------------------------------

def test_losses_summed_in_float32_and_accumulated_in_float64(capsys):
    trainer = ModelTrainer(FakeModel())
    big = float(2 ** 24)
    # per step: float32 sum (2**24 + 1 rounds to 2**24); across steps: float64 (keeps the 1)
    assert trainer._default_train_iter_func(FakeModel(), {'losses': [big, 1.0]}) == np.float32(big)
    assert isinstance(trainer._default_train_iter_func(FakeModel(), {'losses': [1.0, 2.0]}),
                      np.float32)
    out = run(capsys, trainer, total_iter=2, eval_iter=2, save_iter=5,
              train_sampler=train_sampler([(big, 1.0), (1.0,)]))
    assert 'loss: 8388608.500000' in out


def test_train_iter_func_must_return_one_number(capsys):
    model = FakeModel()
    trainer = ModelTrainer(model, train_iter_func=lambda m, b: None)
    sampler = train_sampler()
    with pytest.raises(TypeError, match='train_iter_func must return the loss'):
        trainer.train(total_iter=1, eval_iter=1, save_iter=1, train_sampler=sampler)
    assert sampler.closes == 1
    trainer = ModelTrainer(model, train_iter_func=lambda m, b: np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match='one number'):
        trainer.train(total_iter=1, eval_iter=1, save_iter=1, train_sampler=sampler)
    trainer = ModelTrainer(model, train_iter_func=lambda m, b: [2.5])
    assert 'loss: 2.500000' in run(capsys, trainer, total_iter=1, eval_iter=1, save_iter=1,
                                   train_sampler=sampler)


# ---- constructor --------------------------------------------------------------------------------

def test_constructor_builds_unbuilt_model_once():
    model = FakeModel()
    trainer = ModelTrainer(model)
    assert model.build_calls == 1 and trainer._trained_it == 0
    assert ModelTrainer(model) and model.build_calls == 1
    assert ModelTrainer(model=model, train_iter_func=None, eval_iter_func=None)
    assert isinstance(trainer._eval_manager, EvalManager)
    import inspect
    # the original's, plus the trailing summary_dir of issue 12 (TensorBoard scalars)
    assert str(inspect.signature(ModelTrainer)) == \
        '(model, train_iter_func=None, eval_iter_func=None, summary_dir=None)'
    assert str(inspect.signature(ModelTrainer.train)) == (
        '(self, total_iter, eval_iter, save_iter, train_sampler, start_iter=0, '
        'eval_samplers=[], evaluators=[])')
    assert openrec.ModelTrainer is openrec.tf1.ModelTrainer is ModelTrainer


def test_constructor_rejects_bad_arguments_before_building():
    model = FakeModel()
    with pytest.raises(TypeError, match='train_iter_func'):
        ModelTrainer(model, train_iter_func='f')
    with pytest.raises(TypeError, match='eval_iter_func'):
        ModelTrainer(model, eval_iter_func=3)
    assert model.build_calls == 0

    class NoServe(object):
        isbuilt = build = train = save = lambda *a: None
    with pytest.raises(TypeError, match=r'model must provide .*serve\(\)'):
        ModelTrainer(NoServe())
    assert ModelTrainer(NoServe(), eval_iter_func=lambda m, b: [0.0])
    with pytest.raises(TypeError, match='model'):
        ModelTrainer(object())


# ---- argument checks of train (Q25) -------------------------------------------------------------

@pytest.mark.parametrize('kwargs,error,match', [
    (dict(eval_iter=0), ValueError, 'eval_iter must be a positive int, got 0'),
    (dict(save_iter=0), ValueError, 'save_iter must be a positive int, got 0'),
    (dict(eval_iter=-2), ValueError, 'eval_iter'),
    (dict(save_iter=2.0), TypeError, 'save_iter'),
    (dict(eval_iter=True), TypeError, 'eval_iter'),
    (dict(total_iter=-1), ValueError, 'total_iter must be an int >= 0'),
    (dict(total_iter=1.5), TypeError, 'total_iter'),
    (dict(total_iter=0, eval_iter=-1), ValueError, 'eval_iter must be an int >= 0'),
    (dict(start_iter=-1), ValueError, 'start_iter'),
    (dict(train_sampler=object()), TypeError, 'train_sampler must provide reset'),
    (dict(eval_samplers=FakeSampler([])), TypeError, 'eval_samplers must be an iterable'),
    (dict(eval_samplers=[object()]), TypeError, r'eval_samplers\[0\]'),
    (dict(evaluators=AUC()), TypeError, 'evaluators must be an iterable'),
    (dict(evaluators=[AUC(), 'MSE']), TypeError, r'evaluators\[1\]'),
])
def test_train_rejects_bad_arguments_before_starting(capsys, kwargs, error, match):
    model = FakeModel()
    trainer = ModelTrainer(model)
    sampler, evaluation = train_sampler(), FakeSampler(eval_stream(VAL_USERS))
    arguments = dict(total_iter=2, eval_iter=1, save_iter=1, train_sampler=sampler,
                     eval_samplers=[evaluation], evaluators=[AUC()])
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        trainer.train(**arguments)
    assert (sampler.resets, evaluation.resets, model.trained, model.saves) == (0, 0, [], [])
    assert capsys.readouterr().out == ''


def test_eval_sampler_needs_a_name():
    class Nameless(object):
        reset = next_batch = lambda self: None
    with pytest.raises(TypeError, match=r'eval_samplers\[1\] must have a name'):
        ModelTrainer(FakeModel()).train(1, 1, 1, train_sampler(),
                                        eval_samplers=[FakeSampler([]), Nameless()])


def test_save_needed_only_when_a_save_happens(capsys):
    class NoSave(FakeModel):
        save = None
    trainer = ModelTrainer(NoSave())
    with pytest.raises(TypeError, match=r'save\(\)'):
        trainer.train(total_iter=2, eval_iter=1, save_iter=2, train_sampler=train_sampler())
    run(capsys, trainer, total_iter=2, eval_iter=1, save_iter=3, train_sampler=train_sampler())


def test_serve_only_client_total_iter_zero(capsys):
    """recboard's deploy_manager: train(0, 0, 0) to reset the sampler, then _evaluate."""
    model = FakeModel(built=True)
    sampler = FakeSampler(eval_stream(VAL_USERS))
    trainer = ModelTrainer(model=model)
    trainer.train(total_iter=0, eval_iter=0, save_iter=0, train_sampler=sampler,
                  eval_samplers=[sampler], evaluators=[AUC()])
    out = capsys.readouterr().out
    assert strip(out) == '[Training starts, total_iter: 0, eval_iter: 0, save_iter: 0]\n'
    assert sampler.resets == 2 and model.trained == [] and model.saves == []
    results = trainer._evaluate(sampler)
    assert list(results) == ['AUC']
    np.testing.assert_allclose(results['AUC'], [5 / 6, 0.5, 0.5])
    assert strip(capsys.readouterr().out) == \
        '...Evaluated 1 users\r...Evaluated 2 users\r...Evaluated 3 users\r'


# ---- evaluation (Q27-Q30) -----------------------------------------------------------------------

def test_one_row_batches_are_flattened(capsys):
    """Q27: 1-row chunks squeeze to 0-d; the original failed in np.concatenate."""
    trainer = ModelTrainer(FakeModel())
    trainer.train(0, 0, 0, train_sampler(), evaluators=all_evaluators())
    results = trainer._evaluate(FakeSampler(eval_stream(VAL_USERS)))
    np.testing.assert_allclose(results['AUC'], [5 / 6, 0.5, 0.5])
    np.testing.assert_allclose(results['Recall'], [[1, 1], [1, 1], [1, 1]])
    assert results['MSE'] == []
    model = FakeModel()
    assert trainer._default_eval_iter_func(model, {'scores': [0.5]}).shape == (1,)
    assert trainer._default_eval_iter_func(model, {'scores': [[0.5, 0.25]]}).tolist() == \
        [0.5, 0.25]
    assert trainer._default_eval_iter_func(model, {'scores': [0.5, 0.25]}).dtype == np.float32


def test_user_without_scores_is_skipped_with_a_warning(capsys):
    stream = eval_stream(VAL_USERS)
    stream.insert(0, ([], []))                 # a user whose first pair already ends it
    trainer = ModelTrainer(FakeModel())
    trainer.train(0, 0, 0, train_sampler(), evaluators=[AUC()])
    with pytest.warns(UserWarning, match="1 user.* of evaluation sampler 'Val' had no scored"):
        results = trainer._evaluate(FakeSampler(stream))
    np.testing.assert_allclose(results['AUC'], [5 / 6, 0.5, 0.5])
    assert strip(capsys.readouterr().out).endswith('...Evaluated 3 users\r')


def test_pass_ending_inside_a_user_is_an_error():
    stream = eval_stream(VAL_USERS)
    del stream[-2]                             # no ([], []) before (None, None)
    trainer = ModelTrainer(FakeModel())
    with pytest.raises(ValueError, match=r"'Val' ended its pass \(None, None\) inside a user"):
        trainer._evaluate(FakeSampler(stream))


def test_several_outputs_rejected_and_samplers_closed(capsys):
    """Q28: the original stacked the outputs into a wrong score vector, silently."""
    model = FakeModel(n_outputs=2)
    trainer = ModelTrainer(model)
    sampler, evaluation = train_sampler(), FakeSampler(eval_stream(VAL_USERS))
    with pytest.raises(ValueError, match='exactly one serve output.*returned 2 outputs'):
        trainer.train(1, 1, 5, sampler, eval_samplers=[evaluation], evaluators=[AUC()])
    assert (sampler.closes, evaluation.closes) == (1, 1)
    with pytest.raises(ValueError, match='returned 0 outputs'):
        trainer._default_eval_iter_func(FakeModel(n_outputs=0), {'scores': [1.0]})
    trainer = ModelTrainer(model, eval_iter_func=lambda m, b: m.serve(b)['outputs'][1])
    out = strip(run(capsys, trainer, total_iter=1, eval_iter=1, save_iter=5,
                    train_sampler=sampler, eval_samplers=[evaluation], evaluators=[AUC()]))
    assert out.endswith('..(dataset: Val) AUC %s\n' % np.mean([5 / 6, 0.5, 0.5]))


def test_non_rank_evaluators_print_nan_without_warning(capsys):
    """Q29."""
    trainer = ModelTrainer(FakeModel())
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = strip(run(capsys, trainer, total_iter=1, eval_iter=1, save_iter=1,
                        train_sampler=train_sampler(),
                        eval_samplers=[FakeSampler(eval_stream(VAL_USERS))],
                        evaluators=[MSE(), AUC()]))
    assert [line.split('\r')[-1] for line in out.split('\n')[-3:]] == [
        '..(dataset: Val) MSE nan',
                                    '..(dataset: Val) AUC %s' % np.mean([5 / 6, 0.5, 0.5]), '']


def test_pass_without_users_prints_nan(capsys):
    trainer = ModelTrainer(FakeModel())
    out = strip(run(capsys, trainer, total_iter=1, eval_iter=1, save_iter=1,
                    train_sampler=train_sampler(),
                    eval_samplers=[FakeSampler([(None, None)], name='Empty')],
                    evaluators=[AUC(), Recall([1, 5])]))
    assert out.split('\n')[-4:] == ['..(dataset: Empty) evaluation', '..(dataset: Empty) AUC nan',
                                    '..(dataset: Empty) Recall nan', '']


@pytest.mark.parametrize('container', ['generator', 'dict_values', 'tuple'])
def test_one_shot_iterables_of_samplers(capsys, container):
    """Q30: a generator used to be exhausted by the reset loop."""
    samplers = {'a': FakeSampler(eval_stream(VAL_USERS), name='A'),
                'b': FakeSampler(eval_stream(VAL_USERS[:1]), name='B')}
    given = {'generator': (s for s in samplers.values()), 'dict_values': samplers.values(),
             'tuple': tuple(samplers.values())}[container]
    trainer = ModelTrainer(FakeModel())
    out = strip(run(capsys, trainer, total_iter=2, eval_iter=1, save_iter=5,
                    train_sampler=train_sampler(), eval_samplers=given,
                    evaluators=(e for e in [AUC()])))
    assert re.findall(r'\(dataset: (\w)\) AUC (\S+)', out) == [
        ('A', str(np.mean([5 / 6, 0.5, 0.5]))), ('B', str(5 / 6))] * 2
    assert [s.resets for s in samplers.values()] == [1, 1]


def test_equal_evaluator_names_print_once():
    trainer = ModelTrainer(FakeModel())
    trainer.train(0, 0, 0, train_sampler(), evaluators=[Recall([1], name='m'), AUC(name='m')])
    assert trainer._evaluate(FakeSampler(eval_stream(VAL_USERS[:1]))) == {'m': [5 / 6]}


def test_sampler_protocol_across_passes():
    """Positions may come as ranges or lists; the next pass starts at the first user."""
    trainer = ModelTrainer(FakeModel())
    trainer.train(0, 0, 0, train_sampler(), evaluators=[AUC()])
    users = [(range(1), [[0.9, 0.1, 0.5]]), ([0, 2], [[0.9, 0.1], [0.5, 0.7]])]
    sampler = FakeSampler(eval_stream(users))
    first = trainer._evaluate(sampler)
    assert first == trainer._evaluate(sampler)
    assert sampler.position == 2 * len(sampler.items)
    np.testing.assert_allclose(first['AUC'], [1.0, 0.75])     # user 2: r = [0, 1], N = 2


def test_batched_ranking_equals_per_user(monkeypatch):
    """Users are ranked in chunks; the results equal one full_eval per user."""
    rng = np.random.RandomState(1)
    users = [(list(rng.choice(8, size=rng.randint(1, 4), replace=False)),
              [rng.randint(0, 4, size=5).astype(np.float32) / 4,
               rng.randint(0, 4, size=3 + i % 2).astype(np.float32)])
             for i in range(50)]
    calls = []

    class PerUser(EvalManager):
        def full_eval(self, pos_samples, excl_pos_samples, predictions):
            calls.append(len(predictions))
            return super(PerUser, self).full_eval(pos_samples, excl_pos_samples, predictions)

    trainer = ModelTrainer(FakeModel())
    trainer.train(0, 0, 0, train_sampler())
    evaluators = [AUC(), Recall([1, 2]), Precision([1]), NDCG([3])]
    trainer._eval_manager = PerUser(evaluators)
    want = trainer._evaluate(FakeSampler(eval_stream(users)))
    assert len(calls) == 50                       # a subclass's full_eval is honoured
    monkeypatch.setattr(mt, '_EVAL_CHUNK_USERS', 7)
    trainer._eval_manager = EvalManager(evaluators)
    got = trainer._evaluate(FakeSampler(eval_stream(users)))
    assert list(got) == list(want)
    for name in want:
        assert len(got[name]) == 50
        for g, w in zip(got[name], want[name]):
            np.testing.assert_array_equal(g, w)
            assert type(g) is type(w)


def test_custom_iteration_functions(capsys):
    seen = []

    def train_func(model, batch_data):
        seen.append(('train', model))
        return model.train(batch_data)['losses'][0] * 2

    def eval_func(model, batch_data):
        seen.append(('eval', model))
        return -np.asarray(batch_data['scores'])       # reversed ranking

    model = FakeModel()
    trainer = ModelTrainer(model=model, train_iter_func=train_func, eval_iter_func=eval_func)
    out = strip(run(capsys, trainer, total_iter=1, eval_iter=1, save_iter=1,
                    train_sampler=train_sampler([(1.5, 7.0)]),
                    eval_samplers=[FakeSampler(eval_stream(VAL_USERS[:1]))],
                    evaluators=[AUC()]))
    assert 'loss: 3.000000' in out and out.endswith('AUC %s\n' % (1 / 6))
    assert {s[1] for s in seen} == {model}

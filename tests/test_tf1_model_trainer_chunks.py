"""ModelTrainer's evaluation serving several users per ``model.serve`` call.

With the default eval function, ``_evaluate`` joins consecutive batches and splits the one
output by rows; results, printed lines and the users' order must equal one call per batch
(the original's), on real 0.2 models and samplers and on fakes; every case where one
call cannot stand for the per-batch calls falls back to them.
"""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import openrec.tf1.model_trainer as mt
from openrec.tf1 import FastDotProductServer
from openrec.tf1.model_trainer import ModelTrainer
from openrec.tf1.modules.extractions import LatentFactor
from openrec.tf1.recommenders import BPR, RNNRec
from openrec.tf1.recommenders._common import placeholders
from openrec.tf1.recommenders.recommender import Recommender
from openrec.tf1.utils import Dataset
from openrec.tf1.utils.evaluators import AUC, NDCG, EvalManager, Precision, Recall
from openrec.tf1.utils.samplers import EvaluationSampler, TemporalEvaluationSampler
from test_tf1_model_trainer import (VAL_USERS, FakeModel, FakeSampler, eval_stream,
                                    per_batch_trainer, train_sampler)

U, I = 9, 24
PAIR = [('user_id', np.int32), ('item_id', np.int32)]


class ServeCounter(object):
    """Wraps ``model.serve``: the rows of each call."""

    def __init__(self, model):
        self.rows = []
        self._serve = model.serve
        model.serve = self

    def __call__(self, batch_data, **kwargs):
        self.rows.append(len(batch_data) if isinstance(batch_data, np.ndarray)
                         else len(next(iter(batch_data.values()))))
        return self._serve(batch_data, **kwargs)


def evaluators():
    return [AUC(), Recall([1, 3]), Precision([2]), NDCG([1, 4])]


def no_training(model, batch_data):
    """A train function leaving the model as it is, so that two trainers see the same one."""
    return 0.0


def same_results(got, want):
    assert list(got) == list(want)
    for name in want:
        assert len(got[name]) == len(want[name])
        for g, w in zip(got[name], want[name]):
            np.testing.assert_array_equal(g, w)
            assert type(g) is type(w)


def compare(capsys, model, sampler, data_batches, passes=2):
    """Two evaluations through ``train`` and one ``_evaluate``, chunked and per batch.

    Returns the chunked trainer and the rows of its serve calls, after checking that
    stdout and results are identical and that the per-batch trainer served each of the
    ``data_batches`` batches of a pass once.
    """
    outs = []
    for make in (ModelTrainer, per_batch_trainer):
        trainer = make(model, train_iter_func=no_training)
        counter = ServeCounter(model)
        trainer.train(total_iter=passes, eval_iter=1, save_iter=passes + 1,
                      train_sampler=train_sampler(), eval_samplers=[sampler],
                      evaluators=evaluators())
        results = trainer._evaluate(sampler)
        del model.serve
        outs.append((capsys.readouterr().out, results, trainer, counter.rows))
    (out, results, trainer, rows), (out1, results1, _, rows1) = outs
    assert out == out1 and '...Evaluated 1 users\r' in out
    same_results(results, results1)
    assert len(rows1) == (passes + 1) * data_batches
    assert sum(rows) >= sum(rows1)                # the probes serve some rows twice
    return trainer, rows


# ---- real models and samplers ----------------------------------------------------------------

def item_data(seed=0):
    """User u has 1 + u % 6 positives (more than the batch size 3 for u % 6 >= 3), 5
    sampled negatives: 6 to 11 candidates, so some users end with a one-row batch."""
    raw = np.array([(u, (5 * u + k) % I) for u in range(U) for k in range(1 + u % 6)],
                   dtype=PAIR)
    np.random.seed(seed)
    return Dataset(raw, U, I, name='Val', num_negatives=5)


def item_batches(dataset, batch_size=3):
    return sum(-(-(len(dataset.get_positive_items(u)) + len(dataset.get_negative_items(u)))
                 // batch_size) for u in dataset.warm_users())


def trained_bpr(tmp_path):
    model = BPR(batch_size=4, dim_user_embed=3, dim_item_embed=3, total_users=U, total_items=I,
                save_model_dir=str(tmp_path), serve=True)
    model.build()
    for step in range(3):   # serving then copies the trained values (checkpoint round trip)
        model.train({'user_id': np.arange(4) + step, 'p_item_id': np.arange(4) * 2,
                     'n_item_id': np.arange(4) * 3 + 1})
    return model


@pytest.mark.parametrize('rows', [None, 7, 1])
def test_bpr_evaluation_sampler(capsys, tmp_path, monkeypatch, rows):
    """Chunks of all users, of a few batches (users split across calls), of one batch."""
    if rows is not None:
        monkeypatch.setattr(mt, '_EVAL_SERVE_ROWS', rows)
    model, dataset = trained_bpr(tmp_path), item_data()
    batches = item_batches(dataset)
    assert any((len(dataset.get_positive_items(u)) + 5) % 3 == 1 for u in range(U))
    with EvaluationSampler(batch_size=3, dataset=dataset) as sampler:
        trainer, served = compare(capsys, model, sampler, batches)
    assert trainer._serve_per_batch is None        # the chunks had the per-batch bits
    if rows is None:      # per pass: the first batch alone, then all others and the probes
        assert served == [3, 3 + (sum(len(dataset.get_positive_items(u)) + 5
                                      for u in range(U)) - 3) + 3] * 3
    elif rows == 7:
        assert 3 < len(served) < 3 * batches / 2
    else:
        assert len(served) == 3 * batches


def test_fast_dot_product_server(capsys, tmp_path):
    model = trained_bpr(tmp_path)

    def extract(port):
        return lambda m, ids: m.serve_inspect_ports(
            {'user_id': ids} if port == 'user_vec' else {'item_id': ids},
            ports=[getattr(m.servegraph, 'usergraph' if port == 'user_vec'
                           else 'interactiongraph')[port]])[0]
    server = FastDotProductServer(model, 4, U, I, 3, extract('user_vec'), extract('item_vec'),
                                  extract('item_bias'))
    dataset = item_data(1)
    with EvaluationSampler(batch_size=3, dataset=dataset) as sampler:
        trainer, served = compare(capsys, server, sampler, item_batches(dataset))
    assert trainer._serve_per_batch is None and len(served) == 6


def sequence_data():
    """14 users with 2 to 9 time-ordered items each (one is skipped: a single item)."""
    rng = np.random.RandomState(3)
    raw = [(u, int(i), t) for u in range(15) for t, i in
           enumerate(rng.choice(I, size=1 if u == 4 else 2 + u % 8, replace=False))]
    raw = np.array(raw, dtype=PAIR + [('ts', np.int64)])[rng.permutation(len(raw))]
    return Dataset(raw, 15, I, sortby='ts', name='Seq')


def test_rnn_rec_temporal_evaluation_sampler(capsys, tmp_path):
    """Chunked when the row count does not change the scores' bits, else one user per call.

    TensorFlow's matrix kernels may round differently for one row and for several; the
    check of the first joined call then makes every later pass serve batch by batch.
    """
    model = RNNRec(batch_size=4, dim_item_embed=3, max_seq_len=4, total_items=I, num_units=5,
                   save_model_dir=str(tmp_path), serve=True)
    model.build()
    with TemporalEvaluationSampler(dataset=sequence_data(), max_seq_len=4) as sampler:
        trainer, served = compare(capsys, model, sampler, 14)
    assert set(served) <= {1, 15}    # one user, or 13 users and the first user twice
    if trainer._serve_per_batch is model:
        assert served.count(15) == 1 and len(served) == 1 + 3 * 14
    else:
        assert served == [1, 15] * 3


def fixed_size_recommender(size):
    """Serving only, placeholders of exactly ``size`` rows: ``u·v`` per row."""
    rec = Recommender(train=False, serve=True)
    s = rec.servegraph

    @s.inputgraph(outs=['user_id', 'item_id'])
    def inputs(subgraph):
        placeholders(subgraph, [(name, tf.int32, [size]) for name in ['user_id', 'item_id']])

    @s.interactiongraph(ins=['user_id', 'item_id'])
    def scores(subgraph):
        _, u = LatentFactor(shape=[U, 3], id_=subgraph['user_id'], scope='user')
        _, v = LatentFactor(shape=[I, 3], id_=subgraph['item_id'], scope='item')
        subgraph.register_global_output(tf.reduce_sum(u * v, axis=1))

    @s.connector
    def connect(graph):
        graph.interactiongraph['user_id'] = graph.inputgraph['user_id']
        graph.interactiongraph['item_id'] = graph.inputgraph['item_id']

    return rec.build()


def test_fixed_size_serving_placeholder_falls_back(capsys):
    model = fixed_size_recommender(3)
    # 1 or 4 positives and 5 negatives: 6 or 9 candidates, batches of exactly 3 rows
    raw = np.array([(u, (5 * u + k) % I) for u in range(U) for k in range(1 + 3 * (u % 2))],
                   dtype=PAIR)
    np.random.seed(2)
    dataset = Dataset(raw, U, I, name='Val', num_negatives=5)
    with EvaluationSampler(batch_size=3, dataset=dataset) as sampler:
        trainer, served = compare(capsys, model, sampler, item_batches(dataset))
    assert trainer._serve_per_batch is model
    assert served.count(3) == len(served) - 1 and len(served) == 1 + 3 * item_batches(dataset)


# ---- fakes: fallbacks and order ----------------------------------------------------------------

def reference(capsys, stream, model_class=FakeModel, passes=2):
    """ModelTrainer's model and trainer after checking that stdout and results on
    ``stream`` equal those of one call per batch (the original's, but for Q27)."""
    outs = []
    for make in (per_batch_trainer, ModelTrainer):
        model = model_class(built=True)
        trainer = make(model)
        sampler = FakeSampler(stream)
        trainer.train(total_iter=passes, eval_iter=1, save_iter=9, eval_samplers=[sampler],
                      train_sampler=train_sampler(), evaluators=evaluators())
        results = trainer._evaluate(sampler)
        outs.append((capsys.readouterr().out, results, model, trainer))
    assert outs[1][0] == outs[0][0]
    same_results(outs[1][1], outs[0][1])
    return outs[1][2:]


class BatchCentred(FakeModel):
    """Scores minus the batch's mean: one row per score, but not each row on its own."""

    def serve(self, batch_data):
        out = super(BatchCentred, self).serve(batch_data)
        return dict(out, outputs=[o - np.float32(np.mean(o) if o.size else 0)
                                  for o in out['outputs']])


class RowVector(FakeModel):
    """Scores as one ``[1, n]`` row: the leading dimension is not the rows."""

    def serve(self, batch_data):
        out = super(RowVector, self).serve(batch_data)
        return dict(out, outputs=[o.reshape(1, -1) for o in out['outputs']])


# 12 users with 1 or 2 positives and 1 or 2 batches of 2 to 6 rows, then 0 or 2 (a batch
# {'scores': []} is data: non-empty dict)
USERS = [(list(range(1 + k % 2)), [np.arange(k, k + 2 + (k * 7) % 5, dtype=np.float32) / 8,
                                  np.arange((k + 1) % 4, dtype=np.float32) / 3][:1 + k % 2])
         for k in range(12)]


@pytest.mark.parametrize('rows', [None, 4])
@pytest.mark.parametrize('model_class', [BatchCentred, RowVector])
def test_outputs_not_split_by_rows_fall_back(capsys, monkeypatch, model_class, rows):
    """Whether the pass is one window or several: after the failed call, one per batch."""
    if rows:
        monkeypatch.setattr(mt, '_EVAL_SERVE_ROWS', rows)
    model, trainer = reference(capsys, eval_stream(USERS), model_class)
    assert trainer._serve_per_batch is model
    batches = sum(len(chunks) for _, chunks in USERS)
    assert model.served == 1 + 1 + 3 * batches - 1     # the failed call, per batch after it


def test_leading_dimension_checked_without_the_probe(capsys, monkeypatch):
    monkeypatch.setattr(mt, '_EVAL_SERVE_VERIFY', False)
    model, trainer = reference(capsys, eval_stream(USERS), RowVector)
    assert trainer._serve_per_batch is model
    assert model.served == 1 + 1 + 3 * sum(len(chunks) for _, chunks in USERS) - 1


def test_subclass_default_eval_function_called_per_batch(capsys):
    class Negating(ModelTrainer):
        def _default_eval_iter_func(self, model, batch_data):
            return -super(Negating, self)._default_eval_iter_func(model, batch_data)

    model = FakeModel(built=True)
    trainer = Negating(model)
    trainer.train(0, 0, 0, train_sampler(), evaluators=[AUC()])
    np.testing.assert_allclose(trainer._evaluate(FakeSampler(eval_stream(VAL_USERS)))['AUC'],
                               [1 / 6, 0.5, 0.5])
    assert model.served == 5


def test_several_outputs_fail_at_the_first_batch():
    model = FakeModel(built=True, n_outputs=2)
    trainer = ModelTrainer(model)
    with pytest.raises(ValueError, match='exactly one serve output.*returned 2 outputs'):
        trainer._evaluate(FakeSampler(eval_stream(USERS)))
    assert model.served == 1


def test_batches_that_cannot_be_joined_are_served_one_by_one(capsys, monkeypatch):
    """A window (here about 3 users) with a batch that cannot join the others is served
    batch by batch; the other windows in one call."""
    monkeypatch.setattr(mt, '_EVAL_SERVE_ROWS', 6)
    users = []
    for k, (positives, chunks) in enumerate(USERS):
        batches = [{'scores': chunk} for chunk in chunks]
        if k % 4 == 1:
            batches[0]['extra'] = np.zeros(len(chunks[0]))         # other keys
        if k % 4 == 2:
            batches[0] = {'scores': chunks[0].astype(np.float64)}  # another dtype
        if k == 7:
            batches[0] = {'scores': chunks[0].tolist()}             # lists join as arrays
        if k == 9:
            batches[0] = {'scores': chunks[0], 'one': 1.0}          # a scalar field
        users.append((positives, batches))
    stream = []
    for positives, batches in users:
        stream += [(positives if i == 0 else [], b) for i, b in enumerate(batches)] + [([], [])]
    model, trainer = reference(capsys, stream + [(None, None)])
    assert trainer._serve_per_batch is None
    assert model.served < 3 * sum(len(batches) for _, batches in users)


def test_structured_batches_and_row_budget(capsys, monkeypatch):
    """Rows of several scores each (``[n, 4]`` outputs): at most _EVAL_SERVE_SCORES per call."""
    monkeypatch.setattr(mt, '_EVAL_SERVE_SCORES', 12)
    dtype = np.dtype([('scores', np.float32, (4,))])
    rng = np.random.RandomState(0)
    users = [([int(rng.randint(4 * n))], [np.array([(row,) for row in rng.rand(n, 4)], dtype)])
             for n in (1, 2, 1, 1, 3, 1, 2, 1, 1, 1)]
    stream = []
    for positives, chunks in users:
        stream += [(positives, chunks[0]), ([], [])]

    class Recording(FakeModel):
        def serve(self, batch_data):
            self.sizes = getattr(self, 'sizes', []) + [len(batch_data)]
            return super(Recording, self).serve(batch_data)

    model, trainer = reference(capsys, stream + [(None, None)], Recording, passes=1)
    assert trainer._serve_per_batch is None
    # per pass: the first user alone (1 row of 4 scores: 3 rows per call), then the users
    # read until they hold 3 rows or more (a batch is never split), the first call with
    # the first row before and after them
    assert model.sizes == [1, 1 + (2 + 1) + 1, 1 + 3, 1 + 2, 1 + 1 + 1] * 2


def test_custom_eval_function_called_per_batch_in_order(capsys):
    """Each batch is scored before the next pair is read, as in the original."""
    events = []

    class Logging(FakeSampler):
        def next_batch(self):
            item = super(Logging, self).next_batch()
            events.append('next')
            return item

    def eval_func(model, batch_data):
        events.append('eval')
        return model.serve(batch_data)['outputs'][0]

    stream = eval_stream(USERS)
    trainer = ModelTrainer(FakeModel(), eval_iter_func=eval_func)
    trainer.train(0, 0, 0, train_sampler(), evaluators=[AUC()])
    trainer._evaluate(Logging(stream))
    expected = []
    for _, batch in stream:
        expected += ['next'] + (['eval'] if batch is not None and len(batch) else [])
    assert events == expected


def test_evaluation_only_client_and_reset_between_passes(capsys):
    """_evaluate right after train(0, 0, 0) (recboard), a sampler read directly after it."""
    model = FakeModel(built=True)
    sampler = FakeSampler(eval_stream(VAL_USERS))
    trainer = ModelTrainer(model)
    trainer.train(0, 0, 0, sampler, eval_samplers=[sampler], evaluators=[AUC()])
    np.testing.assert_allclose(trainer._evaluate(sampler)['AUC'], [5 / 6, 0.5, 0.5])
    assert sampler.next_batch() == sampler.items[0]
    trainer._eval_manager = EvalManager([AUC()])
    assert len(trainer._evaluate(FakeSampler(eval_stream(VAL_USERS)))['AUC']) == 3

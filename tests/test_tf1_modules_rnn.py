"""OpenRec 0.2 RNNSoftmax and the rebuilt TF1 GRU/LSTM cells (openrec._rnn_cells)."""
import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from _extraction_helpers import close, fails_cleanly, load, var, var_table
from _tf1_module_helpers import (Recorder, dynamic_rnn_final, gru_step, lstm_step, softmax_ce)
from openrec._rnn_cells import GRUCell, LSTMCell, LSTMStateTuple
from openrec.tf1.modules.interactions import RNNSoftmax

T, D, H, I = 6, 3, 2, 7
RNG = np.random.RandomState(5)
SEQ = RNG.normal(0, 1, (6, T, D)).astype(np.float32)
LENS = np.array([0, 1, 3, 6, 9, -1], np.int32)
LABELS = np.array([1, 6, 0, 3, 3, 2], np.int32)
S = 'interactiongraph/RNNSoftmax/'

GRU_TABLE = {S + 'rnn/gru_cell/gates/kernel': ((D + H, 2 * H), 'float32', True),
             S + 'rnn/gru_cell/gates/bias': ((2 * H,), 'float32', True),
             S + 'rnn/gru_cell/candidate/kernel': ((D + H, H), 'float32', True),
             S + 'rnn/gru_cell/candidate/bias': ((H,), 'float32', True),
             S + 'weights': ((I, H), 'float32', True),
             S + 'biases': ((I,), 'float32', True)}
LSTM_TABLE = {S + 'rnn/lstm_cell/kernel': ((D + H, 4 * H), 'float32', True),
              S + 'rnn/lstm_cell/bias': ((4 * H,), 'float32', True),
              S + 'weights': ((I, H), 'float32', True),
              S + 'biases': ((I,), 'float32', True)}


def build(cell_type='gru', train=True, rec=None, **kwargs):
    rec = rec or Recorder()
    seq = tf.placeholder(tf.float32, [None, T, D])
    seq_len = tf.placeholder(tf.int32, [None])
    label = tf.placeholder(tf.int32, [None]) if train else None
    with tf.variable_scope('interactiongraph', reuse=tf.AUTO_REUSE):
        result = RNNSoftmax(seq, I, seq_len, H, cell_type=cell_type, label=label, train=train,
                            subgraph=rec, scope='RNNSoftmax', **kwargs)
    assert result is None
    feed = {seq: SEQ, seq_len: LENS}
    if train:
        feed[label] = LABELS
    return rec, feed


def random_values(sess, rng, scale=0.8):
    values = {}
    for v in tf.trainable_variables():
        values[v.op.name] = rng.normal(0, scale, v.shape.as_list()).astype(np.float32)
        load(sess, v.op.name, values[v.op.name])
    return values


def reference_state(cell_type, values, seq=SEQ, lens=LENS):
    n = seq.shape[0]
    if cell_type == 'gru':
        p = S + 'rnn/gru_cell/'
        step = lambda x, h: gru_step(x, h, values[p + 'gates/kernel'], values[p + 'gates/bias'],
                                     values[p + 'candidate/kernel'], values[p + 'candidate/bias'])
        return dynamic_rnn_final(step, np.zeros((n, H)), seq.astype(np.float64), lens)
    p = S + 'rnn/lstm_cell/'
    step = lambda x, s: lstm_step(x, s, values[p + 'kernel'], values[p + 'bias'])
    return dynamic_rnn_final(step, (np.zeros((n, H)), np.zeros((n, H))),
                             seq.astype(np.float64), lens)[1]


def test_gru_variables_in_creation_order_and_initial_values(graph, sess):
    tf.set_random_seed(2)
    build()
    assert var_table() == GRU_TABLE
    assert [v.op.name for v in tf.global_variables()] == list(GRU_TABLE)
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(var(S + 'rnn/gru_cell/gates/bias')), np.ones(2 * H))
    np.testing.assert_array_equal(sess.run(var(S + 'rnn/gru_cell/candidate/bias')), np.zeros(H))
    np.testing.assert_array_equal(sess.run(var(S + 'biases')), np.zeros(I))
    for name, limit in (('rnn/gru_cell/gates/kernel', np.sqrt(6.0 / (D + 3 * H))),
                        ('rnn/gru_cell/candidate/kernel', np.sqrt(6.0 / (D + 2 * H))),
                        ('weights', np.sqrt(6.0 / (I + H)))):
        w = sess.run(var(S + name))
        assert np.abs(w).max() <= limit and np.abs(w).std() > 0.1 * limit


def test_lstm_variables_in_creation_order(graph, sess):
    build('lstm')
    assert [v.op.name for v in tf.global_variables()] == list(LSTM_TABLE)
    assert var_table() == LSTM_TABLE
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(var(S + 'rnn/lstm_cell/bias')), np.zeros(4 * H))


def test_glorot_bounds_of_a_wide_cell(graph, sess):
    tf.set_random_seed(3)
    seq = tf.placeholder(tf.float32, [None, 2, 40])
    RNNSoftmax(seq, 300, None, 60, label=tf.placeholder(tf.int32, [None]), subgraph=Recorder(),
               scope='wide')
    sess.run(tf.global_variables_initializer())
    for name, limit in (('wide/rnn/gru_cell/gates/kernel', np.sqrt(6.0 / (40 + 3 * 60))),
                        ('wide/rnn/gru_cell/candidate/kernel', np.sqrt(6.0 / (40 + 2 * 60))),
                        ('wide/weights', np.sqrt(6.0 / 360))):
        w = sess.run(var(name))
        assert limit * 0.99 < np.abs(w).max() <= limit, name
        close(w.std(), limit / np.sqrt(3), rtol=0.05)


@pytest.mark.parametrize('cell_type', ['gru', 'lstm'])
def test_training_loss_against_numpy(graph, sess, cell_type):
    rec, feed = build(cell_type)
    assert len(rec.losses) == 1 and rec.outputs == [] and rec.losses[0].shape.as_list() == []
    values = random_values(sess, np.random.RandomState(1))
    h = reference_state(cell_type, values)
    assert (h[[0, 5]] == 0).all() and (h[1:5] != 0).all()
    logits = h @ values[S + 'weights'].T + values[S + 'biases']
    close(sess.run(rec.losses[0], feed), softmax_ce(LABELS, logits).mean(), rtol=1e-5)


@pytest.mark.parametrize('cell_type', ['gru', 'lstm'])
def test_serving_logits_squeezed(graph, sess, cell_type):
    rec, feed = build(cell_type, train=False)
    assert rec.losses == [] and len(rec.outputs) == 1
    out = rec.outputs[0]
    assert out.shape.ndims is None
    values = random_values(sess, np.random.RandomState(2))
    h = reference_state(cell_type, values)
    close(sess.run(out, feed), h @ values[S + 'weights'].T + values[S + 'biases'], rtol=1e-5)
    one = {k: v[3:4] for k, v in feed.items()}
    got = sess.run(out, one)
    assert got.shape == (I,)
    close(got, (h[3:4] @ values[S + 'weights'].T + values[S + 'biases'])[0], rtol=1e-5)


@pytest.mark.parametrize('cell_class', [GRUCell, LSTMCell])
def test_cells_step_by_step(graph, sess, cell_class):
    """Every step's output and state of ``dynamic_rnn`` with variable-length rows."""
    cell = cell_class(H)
    lstm = cell_class is LSTMCell
    assert cell.output_size == H
    assert cell.state_size == (LSTMStateTuple(H, H) if lstm else H)
    seq = tf.placeholder(tf.float32, [None, T, D])
    seq_len = tf.placeholder(tf.int32, [None])
    with tf.variable_scope('c'):
        outputs, state = tf.nn.dynamic_rnn(cell, seq, sequence_length=seq_len, dtype=tf.float32)
    values = {v.op.name: RNG.normal(0, 0.8, v.shape.as_list()).astype(np.float32)
              for v in tf.trainable_variables()}
    for name, value in values.items():
        load(sess, name, value)
    lens = np.array([0, 1, 3, 6, 9, 2], np.int32)
    got_out, got_state = sess.run([outputs, state], {seq: SEQ, seq_len: lens})
    n = len(lens)
    if lstm:
        step = lambda x, s: lstm_step(x, s, values['c/rnn/lstm_cell/kernel'],
                                      values['c/rnn/lstm_cell/bias'])
        current = (np.zeros((n, H)), np.zeros((n, H)))
    else:
        p = 'c/rnn/gru_cell/'
        step = lambda x, h: gru_step(x, h, values[p + 'gates/kernel'], values[p + 'gates/bias'],
                                     values[p + 'candidate/kernel'], values[p + 'candidate/bias'])
        current = np.zeros((n, H))
    for t in range(T):
        new = step(SEQ[:, t].astype(np.float64), current)
        active = (t < lens)[:, None]
        new_h = new[1] if lstm else new
        close(got_out[:, t], np.where(active, new_h, 0.0), rtol=1e-5)
        current = (tuple(np.where(active, a, b) for a, b in zip(new, current)) if lstm
                   else np.where(active, new, current))
    if lstm:
        close(got_state.c, current[0], rtol=1e-5)
        close(got_state.h, current[1], rtol=1e-5)
    else:
        close(got_state, current, rtol=1e-5)


def test_all_rows_empty_runs_one_step_and_keeps_zeros(graph, sess):
    rec, feed = build(train=False)
    random_values(sess, np.random.RandomState(3))
    feed = {k: (np.zeros_like(v) if v.dtype == np.int32 else v) for k, v in feed.items()}
    logits = sess.run(rec.outputs[0], feed)
    close(logits, np.tile(sess.run(var(S + 'biases')), (len(LENS), 1)))


@pytest.mark.parametrize('cell_type', ['gru', 'lstm'])
def test_scope_sharing_and_shape_mismatch(graph, cell_type):
    build(cell_type)
    build(cell_type, train=False)
    assert var_table() == (GRU_TABLE if cell_type == 'gru' else LSTM_TABLE)
    wide = tf.placeholder(tf.float32, [None, T, D + 1])
    with tf.variable_scope('interactiongraph', reuse=tf.AUTO_REUSE):
        with pytest.raises(ValueError, match='Trying to share variable'):
            RNNSoftmax(wide, I, None, H, cell_type=cell_type, train=False, subgraph=Recorder(),
                       scope='RNNSoftmax')


@pytest.mark.parametrize('cell_type', ['gru', 'lstm'])
def test_adam_trains_cell_and_input_embedding_also_when_made_after_a_first_run(graph, sess,
                                                                               cell_type):
    flow_v2 = tf.control_flow_v2_enabled()
    ids = tf.placeholder(tf.int32, [4, T])
    seq_len = tf.placeholder(tf.int32, [4])
    label = tf.placeholder(tf.int32, [4])
    table = tf.get_variable('item/embedding', [I, D])
    rec = Recorder()
    RNNSoftmax(tf.nn.embedding_lookup(table, ids), I, seq_len, H, cell_type=cell_type,
               label=label, subgraph=rec, scope='RNNSoftmax')
    # a TF1 loop in both graph modes; the process-wide switch is restored
    assert tf.control_flow_v2_enabled() == flow_v2
    types = {op.type for op in graph.get_operations()}
    assert 'Enter' in types and not types & {'While', 'StatelessWhile', 'TensorArrayV3'}
    feed = {ids: RNG.randint(0, I, (4, T)), seq_len: [1, 3, 6, 8], label: [0, 2, 4, 6]}
    sess.run(tf.global_variables_initializer())
    before, loss0 = sess.run([tf.trainable_variables(), rec.losses[0]], feed)
    train_op = tf.train.AdamOptimizer(0.05).minimize(rec.losses[0])
    sess.run(tf.variables_initializer([v for v in tf.global_variables()
                                       if v not in tf.trainable_variables()]))
    for _ in range(10):
        sess.run(train_op, feed)
    after = sess.run(tf.trainable_variables())
    assert all(not np.allclose(a, b) for a, b in zip(after, before))
    assert sess.run(rec.losses[0], feed) < loss0


@pytest.mark.parametrize('cell_type', ['gru', 'lstm'])
def test_sampled_softmax_loss(graph, sess, cell_type):
    tf.set_random_seed(4)
    rec, feed = build(cell_type, softmax_samples=3)
    assert var_table() == (GRU_TABLE if cell_type == 'gru' else LSTM_TABLE)
    assert len(tf.global_variables()) == len(tf.trainable_variables())
    assert len(rec.losses) == 1 and rec.losses[0].shape.as_list() == []
    samplers = [op for op in graph.get_operations() if op.type == 'LogUniformCandidateSampler']
    assert len(samplers) == 1
    sampler = samplers[0]
    assert sampler.get_attr('num_sampled') == 3 and sampler.get_attr('range_max') == I
    assert sampler.get_attr('unique') and sampler.get_attr('num_true') == 1
    values = random_values(sess, np.random.RandomState(6))
    h = reference_state(cell_type, values)
    w, b = values[S + 'weights'].astype(np.float64), values[S + 'biases'].astype(np.float64)
    hits = 0
    for _ in range(5):
        loss, sampled, true_count, sampled_count = sess.run([rec.losses[0]] + sampler.outputs,
                                                            feed)
        # TF's sampled softmax: logits minus log expected counts, accidental hits removed,
        # softmax cross-entropy with the true class first
        true_logit = (h * w[LABELS]).sum(1) + b[LABELS] - np.log(true_count[:, 0])
        sampled_logits = h @ w[sampled].T + b[sampled] - np.log(sampled_count)
        hit = LABELS[:, None] == sampled[None, :]
        hits += hit.sum()
        sampled_logits[hit] = -np.finfo(np.float32).max
        logits = np.concatenate([true_logit[:, None], sampled_logits], 1)
        close(loss, softmax_ce(np.zeros(len(LABELS), int), logits).mean(), rtol=1e-5)
    assert hits > 0
    if cell_type == 'gru':  # trainable (all variables get gradients); one cell type suffices
        train = tf.train.AdamOptimizer(0.01).minimize(rec.losses[0])
        sess.run(tf.variables_initializer([v for v in tf.global_variables()
                                           if v not in tf.trainable_variables()]))
        before = sess.run(tf.trainable_variables())
        sess.run(train, feed)
        after = sess.run(tf.trainable_variables())
        assert all(not np.array_equal(x, y) for x, y in zip(before, after))


def test_bad_arguments_fail_cleanly_and_retry_works(graph):
    rec = Recorder()
    seq = tf.placeholder(tf.float32, [None, T, D])
    unknown = tf.placeholder(tf.float32, [None, T, None])
    seq_len = tf.placeholder(tf.int32, [None])
    matrix_len = tf.placeholder(tf.int32, [None, 2])
    label = tf.placeholder(tf.int32, [None])
    float_label = tf.placeholder(tf.float32, [None])

    def call(**change):
        args = dict(seq_item_vec=seq, total_items=I, seq_len=seq_len, num_units=H, label=label,
                    subgraph=rec, scope='r')
        args.update(change)
        return lambda: RNNSoftmax(**args)

    msg = fails_cleanly(graph, ValueError, ['scope', 'required'], call(scope=None))
    assert 'RNNSoftmax' in msg
    for bad in ('rnn', 'GRU', 3, None):
        msg = fails_cleanly(graph, ValueError, ['cell_type', "'gru'", "'lstm'"],
                            call(cell_type=bad))
        with pytest.raises(AssertionError):
            call(cell_type=bad)()
    assert 'Invalid RNN cell type' in msg
    for bad in (0, I + 1, 2.0, True, '3'):
        fails_cleanly(graph, ValueError, ['softmax_samples', 'total_items=7'],
                      call(softmax_samples=bad))
    fails_cleanly(graph, ValueError, ['label cannot be None'], call(label=None))
    fails_cleanly(graph, ValueError, ['subgraph'], call(subgraph=None))
    fails_cleanly(graph, TypeError, ['register_global_output'], call(subgraph=object(), train=False))
    fails_cleanly(graph, ValueError, ['seq_item_vec cannot be None'], call(seq_item_vec=None))
    fails_cleanly(graph, ValueError, ['seq_item_vec', 'last dimension'], call(seq_item_vec=unknown))
    fails_cleanly(graph, ValueError, ['seq_len', 'rank 1'], call(seq_len=matrix_len))
    fails_cleanly(graph, TypeError, ['label', 'integer'], call(label=float_label))
    fails_cleanly(graph, ValueError, ['total_items'], call(total_items=0))
    fails_cleanly(graph, ValueError, ['num_units'], call(num_units=-2))
    call(softmax_samples=I, train=True)()
    call(cell_type='lstm', scope='r2', train=False, label=None)()
    assert len(rec.losses) == 1 and len(rec.outputs) == 1

"""Helpers of the OpenRec 0.2 module-function tests (not a test module)."""
import numpy as np
import tensorflow.compat.v1 as tf


class Recorder(object):
    """The smallest ``subgraph``: records registrations in call order."""

    def __init__(self):
        self.losses, self.outputs = [], []

    def register_global_loss(self, tensor):
        self.losses.append(tensor)

    def register_global_output(self, tensor):
        self.outputs.append(tensor)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax_ce(labels, logits):
    """Per-row ``logsumexp(z) − z_y`` (float64)."""
    logits = np.asarray(logits, np.float64)
    top = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return lse - logits[np.arange(len(labels)), labels]


def sigmoid_ce(y, z):
    z = np.asarray(z, np.float64)
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def gru_step(x, h, wg, bg, wc, bc):
    """TF1 GRUCell: reset gate first, update second."""
    units = h.shape[1]
    gates = sigmoid(np.concatenate([x, h], 1) @ wg + bg)
    r, u = gates[:, :units], gates[:, units:]
    c = np.tanh(np.concatenate([x, r * h], 1) @ wc + bc)
    return u * h + (1 - u) * c


def lstm_step(x, state, w, b):
    """TF1 LSTMCell defaults (forget_bias 1.0); state ``(c, h)``."""
    c, h = state
    i, j, f, o = np.split(np.concatenate([x, h], 1) @ w + b, 4, axis=1)
    c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(j)
    return c, sigmoid(o) * np.tanh(c)


def dynamic_rnn_final(step, zero, inputs, lengths):
    """``dynamic_rnn`` final state: rows with ``t ≥ ℓ`` keep their state; T' = min(T, max(1, max ℓ))."""
    n, steps = inputs.shape[:2]
    state = zero
    bound = min(steps, max(1, int(np.max(lengths))))
    for t in range(bound):
        new = step(inputs[:, t], state)
        done = (t >= np.asarray(lengths))[:, None]
        state = tuple(np.where(done, old, nw) for old, nw in zip(state, new)) \
            if isinstance(state, tuple) else np.where(done, state, new)
    return state


def collection_names(key, graph=None):
    return [v.op.name for v in (graph or tf.get_default_graph()).get_collection(key)]

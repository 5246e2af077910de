"""Identity pretraining of TemporalLatentFactor's MLP as one compiled loop (private).

The original ran one ``sess.run`` of its Adam step per batch: about 1 ms each, almost
all of it per-op dispatch on tiny tensors. Here the same steps (same architecture,
loss, Adam update and batch-norm moving averages, float32) run as a ``while`` loop
compiled with XLA: one session call runs a whole chunk of steps on batches drawn in
numpy, reading the variables at its start and writing them back at its end.

The gradients are written out by hand rather than taken with ``tf.gradients``, and
the parameters and Adam slots live in flat buffers: XLA then compiles fewer, larger
kernels, which matters twice, since the compilation is part of every cold call and
each kernel costs about a microsecond per step.
"""
import weakref

import numpy as np
import tensorflow.compat.v1 as tf

BN_DECAY = 0.95
BN_EPSILON = 0.001
ADAM_LR, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON = 0.001, 0.9, 0.999, 1e-8
# per layer, in the order of ``state``: trainable W, b, beta, gamma, then moving mean, variance
PER_LAYER = 6
# graph -> {MLP and batch shapes: name of the first call of the compiled loop}. Names,
# not functions or ops, which would keep the graph alive.
_LOOP_CALLS = weakref.WeakKeyDictionary()


def _flat(tensors):
    return tf.concat([tf.reshape(t, [-1]) for t in tensors], 0)


def _unflat(flat, shapes):
    sizes = [int(np.prod(shape)) for shape in shapes]
    return [tf.reshape(part, shape) for part, shape in zip(tf.split(flat, sizes), shapes)]


def _with_ones(h):
    """``[h, 1]``: a bias row under ``W`` then acts as the bias, and gets its gradient."""
    return tf.concat([h, tf.ones_like(h[..., :1])], -1)


def _column_sums(*columns):
    # one reduction (one compiled kernel) for several column sums of the same batch
    return tf.split(tf.reduce_sum(tf.concat(columns, 1), 0), len(columns))


def _gradient(layers, x_with_ones):
    """The flat gradient of ``l2_loss(MLP(x) - x)`` and the batch statistics, for one batch.

    ``layers``: per layer ``(W_b, beta, gamma)``, ``W_b`` being ``W`` with the bias
    ``b`` as an extra last row. The MLP is TemporalLatentFactor's: per layer
    ``a = relu(h @ W + b)``, then batch normalization in training mode,
    ``(a - mean) / sqrt(var + eps) * gamma + beta`` with the batch's mean and biased
    variance. Returns the gradient flattened in the order W, b, beta, gamma of each
    layer, and per layer ``(mean, variance)``.
    """
    n = float(x_with_ones.shape[0])
    saved, stats, h = [], [], x_with_ones
    for i, (w_b, beta, gamma) in enumerate(layers):
        a = tf.nn.relu(tf.matmul(h, w_b))
        total, total_square = _column_sums(a, tf.square(a))
        mean = total / n
        variance = tf.maximum(total_square / n - tf.square(mean), 0.0)
        normalized = (a - mean) * tf.math.rsqrt(variance + BN_EPSILON)
        saved.append((h, a, normalized, variance))
        stats.append((mean, variance))
        h = normalized * gamma + beta
        if i + 1 < len(layers):
            h = _with_ones(h)
    grad_h = h - x_with_ones[:, :-1]
    grads = []
    for (w_b, _, gamma), (h_in, a, normalized, variance) in reversed(list(zip(layers, saved))):
        grad_beta, grad_gamma = _column_sums(grad_h, grad_h * normalized)
        # batch-norm backward through the batch statistics, then the ReLU
        grad_a = gamma * tf.math.rsqrt(variance + BN_EPSILON) * (
            grad_h - (grad_beta + normalized * grad_gamma) / n)
        grad_a = tf.where(a > 0, grad_a, tf.zeros_like(grad_a))
        grads = [tf.matmul(h_in, grad_a, transpose_a=True), grad_beta, grad_gamma] + grads
        grad_h = tf.matmul(grad_a, w_b, transpose_b=True)[:, :-1]
    return _flat(grads), stats


def _run_steps(batches, steps, params, m, v, moving, powers, shapes):
    """``steps`` Adam steps on ``batches[:steps]``, on flat ``params`` and slots.

    ``shapes``: per layer the shapes of ``W_b``, ``beta`` and ``gamma``, in the order
    of ``params``; ``moving`` holds the moving mean and variance of each layer,
    ``powers`` the Adam ``beta1_power`` and ``beta2_power``. Returns the updated
    ``params, m, v, moving, powers``.
    """
    batches = _with_ones(batches)
    bessel = float(batches.shape[1]) / (float(batches.shape[1]) - 1.0)

    def step(i, params, m, v, moving, powers):
        parts = _unflat(params, shapes)
        grad, stats = _gradient([parts[k:k + 3] for k in range(0, len(parts), 3)], batches[i])
        # tf.train.AdamOptimizer's dense update
        lr = ADAM_LR * tf.sqrt(1.0 - powers[1]) / (1.0 - powers[0])
        m = m + (grad - m) * (1.0 - ADAM_BETA1)
        v = v + (tf.square(grad) - v) * (1.0 - ADAM_BETA2)
        params = params - lr * m / (tf.sqrt(v) + ADAM_EPSILON)
        # batch norm's moving averages take the Bessel-corrected variance
        batch_stats = _flat([s for mean, var in stats for s in (mean, var * bessel)])
        moving = moving - (moving - batch_stats) * (1.0 - BN_DECAY)
        return i + 1, params, m, v, moving, powers * [ADAM_BETA1, ADAM_BETA2]

    loop = tf.while_loop(lambda i, *_: i < steps, step, (0, params, m, v, moving, powers))
    return loop[1:]


def identity_pretraining_op(state, batches, steps):
    """An op that runs ``steps`` identity-pretraining Adam steps and stores the result.

    Parameters
    ----------
    state : list of variables
        Per MLP layer ``W, b, beta, gamma, moving_mean, moving_variance``, then the
        Adam ``m`` slots and ``v`` slots of the trainable ones (in that order), then
        ``beta1_power``, ``beta2_power``.
    batches : float32 tensor
        ``[chunk, batch, dim]`` inputs; step ``i`` uses ``batches[i]``.
    steps : int32 scalar tensor
        Number of steps to run, at most ``chunk``.
    """
    n_layers = (len(state) - 2) // (PER_LAYER + 8)  # + 4 m and 4 v slots per layer
    layers = [state[PER_LAYER * k:PER_LAYER * (k + 1)] for k in range(n_layers)]
    trainable = [v for layer in layers for v in layer[:4]]
    moving = [v for layer in layers for v in layer[4:]]
    m_slots = state[PER_LAYER * n_layers:-2][:len(trainable)]
    v_slots = state[PER_LAYER * n_layers:-2][len(trainable):]
    shapes = []
    for w, _, beta, gamma in (layer[:4] for layer in layers):
        rows, columns = w.shape.as_list()
        shapes += [(rows + 1, columns), tuple(beta.shape.as_list()), tuple(gamma.shape.as_list())]
    # flat buffers are packed and unpacked outside the compiled loop, once per call
    out = _call_loop([batches, steps, _flat(trainable), _flat(m_slots), _flat(v_slots),
                      _flat(moving), tf.stack(state[-2:])], shapes)
    updates = []
    for variables, flat in zip((trainable, m_slots, v_slots, moving), out[:4]):
        updates += [tf.assign(var, value) for var, value in
                    zip(variables, _unflat(flat, [var.shape.as_list() for var in variables]))]
    updates += [tf.assign(state[-2], out[4][0]), tf.assign(state[-1], out[4][1])]
    return tf.group(*updates)


def _call_loop(args, shapes):
    """Call the compiled loop for MLPs of ``shapes`` on ``args`` (see ``_run_steps``).

    Modules of the same shapes in one graph (ItrMLP's user and item modules) call the
    same function, hence share one XLA compilation per session.
    """
    graph = tf.get_default_graph()
    calls = _LOOP_CALLS.setdefault(graph, {})
    key = (tuple(shapes), tuple(args[0].shape.as_list()))
    if key in calls:
        first = graph.get_operation_by_name(calls[key])
        return graph.create_op(first.type, args, [t.dtype for t in first.outputs],
                               attrs=dict(first.node_def.attr), op_def=first.op_def,
                               name='PartitionedCall').outputs
    out = tf.function(lambda *args: _run_steps(*args, shapes=shapes), jit_compile=True,
                      autograph=False)(*args)
    calls[key] = out[0].op.name
    return out

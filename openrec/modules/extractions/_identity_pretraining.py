"""Fast identity pretraining for TemporalLatentFactor's MLP (private).

The original ran one ``sess.run`` of its Adam step per batch, about 1 ms each, almost
all of it per-op dispatch on tiny tensors. The same steps (same architecture, loss,
Adam update and batch-norm moving averages, float32) run here in numpy on flat
parameter buffers; the caller reads the state from the graph's variables and writes
the result back in one session call each way.
"""
import numpy as np

BN_DECAY = 0.95
BN_EPSILON = 0.001
ADAM_LR, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON = 0.001, 0.9, 0.999, 1e-8
PARAMS = ('W', 'b', 'beta', 'gamma')


def _colsum(x, out):
    # the ufunc reduction itself: np.sum/np.mean wrappers cost more than the sum here
    return np.add.reduce(x, axis=0, out=out)


class _Flat(object):
    """Float32 arrays of the given shapes, stored as views of one flat buffer."""

    def __init__(self, arrays):
        sizes = [a.size for a in arrays]
        offsets = np.cumsum([0] + sizes)
        self.buffer = np.concatenate([np.ravel(a) for a in arrays]).astype(np.float32)
        self.views = [self.buffer[a:b].reshape(x.shape)
                      for a, b, x in zip(offsets, offsets[1:], arrays)]


def run_identity_pretraining(state, batches):
    """Run one Adam step of ``l2_loss(MLP(x) - x)`` per batch, updating ``state`` in place.

    The MLP is TemporalLatentFactor's: per layer ``relu(x @ W + b)`` then batch
    normalization in training mode (batch statistics; moving averages updated with
    decay 0.95 from the biased mean and the Bessel-corrected variance).

    Parameters
    ----------
    state : dict
        ``params``, ``m``, ``v``: lists (one per layer) of dicts of float32 arrays keyed
        by ``W``, ``b``, ``beta``, ``gamma``; ``moving``: per layer ``[mean, variance]``;
        ``powers``: ``[beta1_power, beta2_power]``. All replaced by updated copies.
    batches : ndarray
        ``[steps, batch, dim]`` float32 inputs, one Adam step each.
    """
    n_layers = len(state['params'])
    flat = {key: _Flat([layer[k] for layer in state[key] for k in PARAMS])
            for key in ('params', 'm', 'v')}
    grad = _Flat(flat['params'].views)
    moving = _Flat([s for layer in state['moving'] for s in layer])
    batch_stats = _Flat(moving.views)
    p = [flat['params'].views[4 * i:4 * i + 4] for i in range(n_layers)]
    g = [grad.views[4 * i:4 * i + 4] for i in range(n_layers)]
    stats = [batch_stats.views[2 * i:2 * i + 2] for i in range(n_layers)]
    m, v, params = flat['m'].buffer, flat['v'].buffer, flat['params'].buffer
    beta1_power, beta2_power = (np.float32(x) for x in state['powers'])
    n = batches.shape[1]
    bessel = np.float32(n / (n - 1.0))
    inv_n = np.float32(1.0 / n)

    for x in batches:
        cache, h = [], x
        for (w, b, beta, gamma), (mean, var) in zip(p, stats):
            a = h @ w
            a += b
            r = np.maximum(a, 0, out=a)
            _colsum(r, out=mean)
            mean *= inv_n
            d = r - mean
            _colsum(d * d, out=var)
            var *= inv_n
            inv = 1.0 / np.sqrt(var + BN_EPSILON)
            xhat = d * inv
            cache.append((h, r, xhat, inv))
            h = xhat * gamma + beta
            var *= bessel
        moving.buffer -= (moving.buffer - batch_stats.buffer) * (1 - BN_DECAY)

        dh = h - x
        for i in reversed(range(n_layers)):
            w, b, beta, gamma = p[i]
            gw, gb, gbeta, ggamma = g[i]
            h_in, r, xhat, inv = cache[i]
            _colsum(dh, out=gbeta)
            _colsum(dh * xhat, out=ggamma)
            dxhat = dh * gamma
            da = (inv / n) * (n * dxhat - gbeta * gamma - xhat * (ggamma * gamma))
            da *= r > 0
            np.matmul(h_in.T, da, out=gw)
            _colsum(da, out=gb)
            if i:
                dh = da @ w.T

        lr_t = ADAM_LR * np.sqrt(1 - beta2_power) / (1 - beta1_power)
        m += (grad.buffer - m) * (1 - ADAM_BETA1)
        v += (grad.buffer * grad.buffer - v) * (1 - ADAM_BETA2)
        params -= lr_t * m / (np.sqrt(v) + ADAM_EPSILON)
        beta1_power = np.float32(beta1_power * ADAM_BETA1)
        beta2_power = np.float32(beta2_power * ADAM_BETA2)

    for key in ('params', 'm', 'v'):
        state[key] = [dict(zip(PARAMS, flat[key].views[4 * i:4 * i + 4])) for i in range(n_layers)]
    state['moving'] = [moving.views[2 * i:2 * i + 2] for i in range(n_layers)]
    state['powers'] = [beta1_power, beta2_power]

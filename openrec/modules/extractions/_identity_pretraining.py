"""Fast identity pretraining for TemporalLatentFactor's MLP (private).

The original ran one ``sess.run`` of its Adam step per batch, about 1 ms each, almost
all of it per-op dispatch on tiny tensors. The same steps (same architecture, loss,
Adam update and batch-norm moving averages, float32) run here in numpy on flat
parameter buffers, and the final state -- parameters, Adam slots, Adam's beta powers,
moving statistics -- is written back into the graph's variables in one session call.
"""
import numpy as np

BN_DECAY = 0.95
BN_EPSILON = 0.001
ADAM = dict(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8)


class _Flat(object):
    """Named float32 arrays stored as views of one flat buffer."""

    def __init__(self, shapes):
        sizes = [int(np.prod(s)) for s in shapes]
        self.buffer = np.zeros(sum(sizes), np.float32)
        offsets = np.cumsum([0] + sizes)
        self.views = [self.buffer[a:b].reshape(s) for a, b, s in zip(offsets, offsets[1:], shapes)]


def run_identity_pretraining(layers, moving, adam_slots, beta_powers, batches):
    """Run Adam steps of ``l2_loss(MLP(x) - x)`` for every batch in ``batches``.

    Parameters
    ----------
    layers : list of dict
        Per layer the float32 arrays ``W``, ``b``, ``beta``, ``gamma``; updated in place.
    moving : list of dict
        Per layer ``mean`` and ``variance`` (moving statistics); updated in place.
    adam_slots : (list of dict, list of dict)
        Adam's ``m`` and ``v`` slots, keyed like ``layers``; updated in place.
    beta_powers : list of float
        ``[beta1_power, beta2_power]``; updated in place.
    batches : iterable of ndarray
        ``[32, dim]`` inputs, one Adam step each.
    """
    keys = ('W', 'b', 'beta', 'gamma')
    order = [(i, k) for i in range(len(layers)) for k in keys]
    shapes = [layers[i][k].shape for i, k in order]
    param, grad, slot_m, slot_v = (_Flat(shapes) for _ in range(4))
    for flat, source in ((param, layers), (slot_m, adam_slots[0]), (slot_v, adam_slots[1])):
        for view, (i, k) in zip(flat.views, order):
            view[...] = source[i][k]
    named = lambda flat: [dict(zip(keys, flat.views[4 * i:4 * i + 4])) for i in range(len(layers))]
    p, g = named(param), named(grad)
    b1, b2 = ADAM['beta1'], ADAM['beta2']
    beta1_power, beta2_power = np.float32(beta_powers[0]), np.float32(beta_powers[1])

    for x in batches:
        x = x.astype(np.float32)
        cache, h = [], x
        for lp, mv in zip(p, moving):
            a = h @ lp['W'] + lp['b']
            r = np.maximum(a, 0)
            mean = r.mean(axis=0)
            var = r.var(axis=0)
            inv = 1.0 / np.sqrt(var + BN_EPSILON)
            xhat = (r - mean) * inv
            n = r.shape[0]
            mv['mean'] -= (mv['mean'] - mean) * (1 - BN_DECAY)
            mv['variance'] -= (mv['variance'] - var * (n / (n - 1.0))) * (1 - BN_DECAY)
            cache.append((h, a, xhat, inv))
            h = lp['gamma'] * xhat + lp['beta']
        dh = h - x
        for lp, lg, (h_in, a, xhat, inv) in reversed(list(zip(p, g, cache))):
            n = xhat.shape[0]
            lg['beta'][...] = dh.sum(axis=0)
            lg['gamma'][...] = (dh * xhat).sum(axis=0)
            dxhat = dh * lp['gamma']
            dr = inv / n * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
            da = dr * (a > 0)
            np.matmul(h_in.T, da, out=lg['W'])
            lg['b'][...] = da.sum(axis=0)
            dh = da @ lp['W'].T
        lr_t = ADAM['lr'] * np.sqrt(1 - beta2_power) / (1 - beta1_power)
        slot_m.buffer += (grad.buffer - slot_m.buffer) * (1 - b1)
        slot_v.buffer += (grad.buffer * grad.buffer - slot_v.buffer) * (1 - b2)
        param.buffer -= lr_t * slot_m.buffer / (np.sqrt(slot_v.buffer) + ADAM['epsilon'])
        beta1_power = np.float32(beta1_power * b1)
        beta2_power = np.float32(beta2_power * b2)

    for flat, target in ((param, layers), (slot_m, adam_slots[0]), (slot_v, adam_slots[1])):
        for view, (i, k) in zip(flat.views, order):
            target[i][k][...] = view
    beta_powers[0], beta_powers[1] = beta1_power, beta2_power

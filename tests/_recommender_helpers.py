"""Small helpers shared by the recommender tests (not a test module)."""
import numpy as np
import tensorflow.compat.v1 as tf

RTOL, ATOL = 1e-4, 1e-6
U, I, D, B = 10, 12, 4, 6

def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def var_table(rec):
    """``{name: shape}`` of every global variable of a recommender's graph."""
    with rec.graph.as_default():
        return {v.op.name: tuple(v.shape.as_list()) for v in tf.global_variables()}


def trainable_names(rec):
    with rec.graph.as_default():
        return {v.op.name for v in tf.trainable_variables()}


def adam_slots(names):
    """Variable names the main Adam optimizer adds for the trainable ``names``."""
    slots = {'beta1_power': (), 'beta2_power': ()}
    for name, shape in names.items():
        slots[name + '/Adam'] = shape
        slots[name + '/Adam_1'] = shape
    return slots


def variable(rec, name):
    with rec.graph.as_default():
        found = [v for v in tf.global_variables() if v.op.name == name]
    assert len(found) == 1, name
    return found[0]


def get(rec, name):
    return rec.sess.run(variable(rec, name))


def assign(rec, values):
    """Load ``{variable name: array}`` into a recommender's variables."""
    with rec.graph.as_default():
        for name, value in values.items():
            v = variable(rec, name)
            v.load(np.asarray(value, dtype=v.dtype.base_dtype.as_numpy_dtype), rec.sess)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def l2(x):
    return 0.5 * np.sum(np.square(np.asarray(x, np.float64)))


def tables(seed, dim=D, users=U, items=I, scale=0.5):
    rng = np.random.RandomState(seed)
    return (rng.normal(0, scale, (users, dim)).astype(np.float32),
            rng.normal(0, scale, (items, dim)).astype(np.float32),
            rng.normal(0, scale, (items, 1)).astype(np.float32))


def pair_batch(seed, batch=B):
    rng = np.random.RandomState(seed)
    return {'user_id_input': rng.randint(U, size=batch).astype(np.int32),
            'p_item_id_input': rng.randint(I, size=batch).astype(np.int32),
            'n_item_id_input': rng.randint(I, size=batch).astype(np.int32)}


def neg_batch(seed, neg_num=5, batch=B):
    rng = np.random.RandomState(seed)
    return {'user_id_input': rng.randint(U, size=batch).astype(np.int32),
            'p_item_id_input': rng.randint(I, size=batch).astype(np.int32),
            'n_item_id_inputs': rng.randint(I, size=(batch, neg_num)).astype(np.int32)}


def point_batch(seed, batch=B):
    rng = np.random.RandomState(seed)
    return {'user_id_input': rng.randint(U, size=batch).astype(np.int32),
            'item_id_input': rng.randint(I, size=batch).astype(np.int32),
            'labels': rng.randint(2, size=batch).astype(np.float32)}


def serve_batch(users=B, items=I):
    return {'user_id_input': np.arange(users, dtype=np.int32) % U,
            'item_id_input': np.arange(items, dtype=np.int32)[::-1].copy() % I}


def mlp(rec, scope, x, layers):
    """MultiLayerFC defaults: ``x @ W + b`` per layer, ReLU between layers, linear output."""
    h = np.asarray(x, np.float32)
    for i in range(layers):
        h = h @ get(rec, '%s/FC__%d' % (scope, i)) + get(rec, '%s/bias__%d' % (scope, i))
        if i < layers - 1:
            h = np.maximum(h, 0)
    return h


def mlp_l2(rec, scope, layers):
    return sum(l2(get(rec, '%s/%s__%d' % (scope, kind, i)))
               for i in range(layers) for kind in ('FC', 'bias'))


def mlp_table(scope, widths):
    """Variable table of a MultiLayerFC on an input of width ``widths[0]``."""
    table = {}
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        table['%s/FC__%d' % (scope, i)] = (a, b)
        table['%s/bias__%d' % (scope, i)] = (b,)
    return table


def round_trip(tmp_path, make, batch, served):
    """Train, save, load into a fresh instance: serving and the next step agree."""
    rec = make()
    rec.train(batch)
    prefix = str(tmp_path / 'ckpt')
    rec.save(prefix, 1)
    fresh = make()
    fresh.load(prefix + '-1')
    close(fresh.serve(served), rec.serve(served))
    close(fresh.train(batch), rec.train(batch))


def copy_variables(source, target):
    """Give ``target`` the variable values of ``source`` (same variable names)."""
    with source.graph.as_default():
        import tensorflow.compat.v1 as v1
        values = {v.op.name: source.sess.run(v) for v in v1.global_variables()}
    assign(target, values)

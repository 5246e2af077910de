"""Helpers of the OpenRec 0.2 recommender tests: graph tables, variable values, numpy formulas."""
import numpy as np
import tensorflow.compat.v1 as tf

PREFIX = 'openrec.tf1.recommender.'


def build(factory, tmp_path_factory, *args, **kwargs):
    """``factory(*args, **kwargs).build()``, serving enabled, saving to a fresh directory."""
    kwargs.setdefault('save_model_dir', str(tmp_path_factory.mktemp(factory.__name__)))
    kwargs.setdefault('serve', True)
    return factory(*args, **kwargs).build()


def graph_of(rec, side):
    return rec.traingraph if side == 'train' else rec.servegraph


def session_of(rec, side):
    return rec._tf_train_sess if side == 'train' else rec._tf_serve_sess


def variable_table(rec, side):
    """``[(name, shape, trainable)]`` of the graph's global variables, in creation order."""
    with graph_of(rec, side).tf_graph.as_default():
        trainable = set(v.name for v in tf.trainable_variables())
        return [(v.name[:-2], tuple(v.shape.as_list()), v.name in trainable)
                for v in tf.global_variables()]


def expected_tables(trainable):
    """The (train, serve) variable tables of a recommender with these trainable variables.

    ``trainable``: ``[(name, shape)]`` in creation order; the training graph adds Adam's
    ``beta1_power``, ``beta2_power`` and an ``Adam``/``Adam_1`` pair per variable.
    """
    serve = [(name, tuple(shape), True) for name, shape in trainable]
    adam = [('optimizergraph/beta1_power', (), False), ('optimizergraph/beta2_power', (), False)]
    for name, shape in trainable:
        adam += [('optimizergraph/%s/Adam' % name, tuple(shape), False),
                 ('optimizergraph/%s/Adam_1' % name, tuple(shape), False)]
    return serve + adam, serve


def placeholder_table(rec, side):
    """``[(name, dtype, shape)]`` of the graph's placeholders, in creation order."""
    return [(op.name, op.outputs[0].dtype.name, tuple(op.outputs[0].shape.as_list()))
            for op in graph_of(rec, side).tf_graph.get_operations() if op.type == 'Placeholder']


def collection_names(rec, side, kind, identifier='default'):
    """Names of the tensors/operations of ``openrec.tf1.recommender.<kind>.<identifier>``."""
    return [x.name for x in graph_of(rec, side).tf_graph.get_collection(
        '%s%s.%s' % (PREFIX, kind, identifier))]


def _variables_by_name(rec, side):
    with graph_of(rec, side).tf_graph.as_default():
        return {v.name[:-2]: v for v in tf.global_variables()}


def load(rec, side, values):
    """Set variables ``{name: value}`` of one graph."""
    variables = _variables_by_name(rec, side)
    with graph_of(rec, side).tf_graph.as_default():
        for name, value in values.items():
            variables[name].load(np.asarray(value, np.float32), session_of(rec, side))


def fetch(rec, side, names=None):
    """``{name: value}`` of the graph's variables (all, or ``names``)."""
    variables = _variables_by_name(rec, side)
    names = list(variables) if names is None else names
    return dict(zip(names, session_of(rec, side).run([variables[n] for n in names])))


def random_values(rec, seed=0, scale=0.5):
    """Random values for every trainable variable (float32), as ``{name: array}``."""
    rng = np.random.RandomState(seed)
    side = 'train' if rec._tf_train_sess is not None else 'serve'
    return {name: (scale * rng.standard_normal(shape)).astype(np.float32)
            for name, shape, trainable in variable_table(rec, side) if trainable}


def close(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64),
                               rtol=rtol, atol=atol)


def l2(x):
    """TF's ``l2_loss``: half the sum of squares."""
    return 0.5 * np.sum(np.square(np.asarray(x, np.float64)))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax_ce(logits, labels):
    """Per-row sparse softmax cross-entropy ``logsumexp(z) − z_label``."""
    logits = np.asarray(logits, np.float64)
    top = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return lse - logits[np.arange(len(labels)), labels]

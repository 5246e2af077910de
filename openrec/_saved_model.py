"""SavedModel export of a serving graph, shared by the 0.1 and 0.2 recommenders (private).

A recommender's serving graph lives in a TF1 graph with a session. :func:`export` copies
the part of it that computes the scores into a new graph: the placeholders become inputs
named after the batch fields (first dimension ``None``), every variable read becomes a
resource variable holding its current value, and the ops in between are imported
unchanged (``tf.import_graph_def``), once for the ``serving_default`` signature and once,
fed with every item id, for ``top_k``. The result is written with
``tf.compat.v1.saved_model.Builder`` under the ``serve`` tag: TF Serving,
``saved_model_cli`` and ``tf.saved_model.load`` in eager TensorFlow 2 read it without
openrec.

The recommender methods describe their graphs with :class:`Input` and :class:`TopK`;
nothing here knows about a particular model.
"""
import collections
import collections.abc
import os
import re
import shutil
import warnings

import numpy as np
import tensorflow.compat.v1 as tf

from openrec._checks import ArgumentError, ArgumentTypeError

SERVE_TAG = 'serve'
_VARIABLE_OPS = ('VariableV2', 'Variable', 'VarHandleOp')
# ops that write variables: serving never needs them (ItrMLP's serving graph flags the
# ids it sees, for a later update_embeddings() of the training side)
_WRITE_OP = re.compile(r'^(Resource)?(Scatter|Assign|Apply|SparseApply)\w*$')
# ops an id placeholder may pass through before a table lookup
_PASS_THROUGH_OPS = ('Identity', 'Cast', 'Reshape', 'ExpandDims', 'Squeeze')
_GATHER_OPS = ('GatherV2', 'Gather', 'ResourceGather')


class Input(collections.namedtuple('Input', 'field placeholder table key')):
    """One serving placeholder and where its value comes from.

    ``field``: the signature input (the batch field) feeding it, or None if unknown;
    ``table`` (a ``[rows, ...]`` array) and ``key`` (a field of ids): the placeholder is
    fed ``table[<key field>]`` (features a 0.1 recommender looks up in Python).
    """

    def __new__(cls, field, placeholder, table=None, key=None):
        return super(Input, cls).__new__(cls, field, placeholder, table, key)


class TopK(collections.namedtuple('TopK', 'kind num_items item_field item_tables')):
    """How to score users against all ``num_items`` items.

    ``kind``: ``'columns'`` (feeding ``range(num_items)`` to ``item_field`` gives
    ``[users, items]`` scores), ``'pairs'`` (one score per row: every user row is repeated
    for every item, ``item_tables`` give the other item fields per item id) or ``'rows'``
    (the scores already hold one column per item; ``item_field`` is None).
    """

    def __new__(cls, kind, num_items, item_field=None, item_tables=None):
        return super(TopK, cls).__new__(cls, kind, num_items, item_field, item_tables or {})


def check_export_dir(export_dir):
    """A path where nothing exists yet, or an empty directory, that can be written;
    returned as a str."""
    path = export_dir
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise ArgumentTypeError('export_dir must be a directory path (a str or os.PathLike), '
                                'got %r' % (export_dir,))
    if not path:
        raise ArgumentError('export_dir must be a non-empty path, got %r' % (export_dir,))
    if tf.io.gfile.exists(path):
        if not tf.io.gfile.isdir(path):
            raise ArgumentError('export_dir %r exists and is not a directory: a SavedModel is '
                                'written into a new or empty directory' % path)
        if tf.io.gfile.listdir(path):
            raise ArgumentError('export_dir %r exists and is not empty: a SavedModel is written '
                                'into a new or empty directory (choose another path or empty '
                                'it)' % path)
    _check_writable(path)
    return path


def _check_writable(path):
    """The closest existing directory of a local ``path`` (itself or an ancestor, where the
    SavedModel writer creates the missing directories) must be writable."""
    if '://' in path:   # gs://, s3://, hdfs://, ...: the file system reports its own errors
        return
    existing = os.path.abspath(path)
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ArgumentError('export_dir %r cannot be created: %r is a file, not a directory'
                            % (path, existing))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ArgumentError('export_dir %r cannot be written: the directory %r is not writable'
                            % (path, existing))


def export(export_dir, graph, sess, inputs, outputs, top_k=None):
    """Write the SavedModel of ``outputs`` (computed in ``graph`` by ``sess``) to ``export_dir``.

    Parameters
    ----------
    export_dir : str
        Checked with :func:`check_export_dir` (by the caller, before anything else).
    graph, sess : tf.compat.v1.Graph, tf.compat.v1.Session
        The serving graph and the session holding its variable values.
    inputs : list of Input
        The serving placeholders; those the outputs do not depend on are left out.
    outputs : dict
        ``{signature output name: tensor of graph}`` (``serving_default``'s outputs).
    top_k : TopK, optional
        Adds the ``top_k`` signature (the first output must be the scores).

    Returns
    -------
    str
        ``export_dir``.
    """
    graph_def, needed = _serving_subgraph(graph, [t.op.name for t in outputs.values()])
    inputs = [i for i in inputs if i.placeholder.op.name in needed]
    for inp in inputs:
        if inp.field is None:
            raise ArgumentError('export_saved_model does not know which batch field feeds the '
                                'serving input %s' % inp.placeholder.op.name)
    fields = {i.field for i in inputs if i.table is None}
    for inp in inputs:
        if inp.table is not None and inp.key not in fields:
            raise ArgumentError('export_saved_model: %s is looked up by %s, which is not a serving '
                                'input' % (inp.field, inp.key))
    unknown = sorted(n.name for n in graph_def.node if n.op == 'Placeholder'
                     and n.name not in {i.placeholder.op.name for i in inputs})
    if unknown:
        raise ArgumentError('export_saved_model: the scores depend on placeholders that are '
                            'not serving inputs: %s' % ', '.join(unknown))
    variables = _source_variables(graph, graph_def)
    with graph.as_default():
        values = sess.run(list(variables.values()))
    for node in [n for n in graph_def.node if n.name in variables]:
        graph_def.node.remove(node)

    static = sorted(i.field for i in inputs if i.table is None and i.placeholder.shape.ndims
                    and i.placeholder.shape.as_list()[0] is not None)
    try:
        export_graph, export_sess, signatures = _export_graph(
            graph_def, variables, values, inputs, outputs, top_k, lift=True)
    except (ValueError, tf.errors.OpError):
        if not static:
            raise
        # the graph needs the inputs' static sizes (none of openrec's models does)
        warnings.warn('export_saved_model: the serving graph needs its static batch size for '
                      '%s; the SavedModel keeps it' % ', '.join(static), stacklevel=3)
        export_graph, export_sess, signatures = _export_graph(
            graph_def, variables, values, inputs, outputs, top_k, lift=False)
    with export_sess:
        _write(export_dir, export_graph, export_sess, signatures)
    return export_dir


def _serving_subgraph(graph, output_ops):
    """The GraphDef of what ``output_ops`` need, without control edges to variable writes."""
    graph_def = graph.as_graph_def()
    nodes = {node.name: node for node in graph_def.node}

    def writes(name, seen=()):
        node = nodes.get(name)
        if node is None or name in seen:
            return False
        if _WRITE_OP.match(node.op):
            return True
        # tf.group of writes: a NoOp whose inputs all write
        return node.op == 'NoOp' and node.input and all(
            writes(i.lstrip('^').split(':')[0], seen + (name,)) for i in node.input)

    for node in graph_def.node:
        # colocation with the source variables, which the export graph replaces
        if '_class' in node.attr:
            del node.attr['_class']
        node.device = ''
        kept = [i for i in node.input if not (i.startswith('^') and writes(i[1:]))]
        if len(kept) != len(node.input):
            del node.input[:]
            node.input.extend(kept)
    keep, todo = set(), list(output_ops)
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo.extend(i.lstrip('^').split(':')[0] for i in nodes[name].input)
    sub = tf.GraphDef()
    sub.versions.CopyFrom(graph_def.versions)
    sub.library.CopyFrom(graph_def.library)
    sub.node.extend(node for node in graph_def.node if node.name in keep)
    written = sorted(n.name for n in sub.node if _WRITE_OP.match(n.op))
    if written:
        raise ArgumentError('export_saved_model: the serving scores depend on ops that write '
                            'variables (%s); only read-only serving graphs can be exported'
                            % ', '.join(written))
    return sub, {node.name for node in sub.node}


def _source_variables(graph, graph_def):
    """``{op name: tf.Variable}`` of the variables the subgraph reads, in graph order."""
    by_op = {}
    for var in (graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
                + graph.get_collection(tf.GraphKeys.LOCAL_VARIABLES)):
        by_op.setdefault(var.op.name, var)
    variables = collections.OrderedDict()
    for node in graph_def.node:
        if node.op in _VARIABLE_OPS:
            if node.name not in by_op:
                raise ArgumentError('export_saved_model: the serving graph reads %s, which is not '
                                    'in a variable collection' % node.name)
            variables[node.name] = by_op[node.name]
    return variables


def _new_variable(name, value, dtype):
    """A non-trainable resource variable; its value is fed to the initializer later."""
    return tf.get_variable(name, shape=value.shape, dtype=dtype, trainable=False,
                           initializer=tf.zeros_initializer(), use_resource=True)


def _lifted(shape, lift):
    if shape.ndims is None:
        return None
    dims = shape.as_list()
    return ([None] + dims[1:]) if lift and dims else dims


def _export_graph(graph_def, variables, values, inputs, outputs, top_k, lift):
    """Build the export graph and a session holding the values; return the signatures."""
    graph = tf.Graph()
    with graph.as_default():
        loads = []
        var_map = {}
        for (name, source), value in zip(variables.items(), values):
            new = _new_variable(name, value, source.dtype.base_dtype)
            loads.append((new, value))
            # resource consumers take the handle; reference variables are read as values
            var_map[name + ':0'] = new.handle if source.op.type == 'VarHandleOp' else new.value()
        tables = {}
        for inp in inputs:
            if inp.table is not None and inp.field not in tables:
                tables[inp.field] = _table(inp.field, inp.table, loads)
        fields = collections.OrderedDict()
        for inp in inputs:
            if inp.table is None and inp.field not in fields:
                ph = inp.placeholder
                fields[inp.field] = tf.placeholder(ph.dtype, _lifted(ph.shape, lift),
                                                   name=inp.field)

        def run_import(scope, feeds):
            input_map = dict(var_map)
            for inp in inputs:
                value = (feeds[inp.field] if inp.table is None
                         else tf.gather(tables[inp.field], feeds[inp.key]))
                input_map[inp.placeholder.name] = value
            return tf.import_graph_def(graph_def, input_map=input_map, name=scope,
                                       return_elements=[t.name for t in outputs.values()])

        served = run_import('serve', fields)
        signatures = {'serving_default': _signature(fields, zip(outputs, served))}
        if top_k is not None:
            ids, scores, top_inputs = _top_k(top_k, fields, loads, run_import)
            signatures['top_k'] = _signature(top_inputs, [('item_ids', ids), ('scores', scores)])
    sess = tf.Session(graph=graph)
    try:
        with graph.as_default():
            for var, value in loads:
                sess.run(var.initializer, {var.initial_value: value})
        if lift:
            _probe(sess, graph, signatures['serving_default'], fields,
                   {inp.placeholder.shape.as_list()[0] for inp in inputs
                    if inp.table is None and inp.placeholder.shape.ndims})
    except BaseException:
        sess.close()
        raise
    return graph, sess, signatures


def _signature(inputs, outputs):
    """A predict SignatureDef of ``{key: tensor}`` inputs and ``[(key, tensor)]`` outputs."""
    def info(tensor):
        return tf.TensorInfo(name=tensor.name, dtype=tensor.dtype.as_datatype_enum,
                             tensor_shape=tensor.shape.as_proto())
    return tf.saved_model.signature_def_utils.build_signature_def(
        inputs={key: info(t) for key, t in inputs.items()},
        outputs={key: info(t) for key, t in outputs},
        method_name=tf.saved_model.signature_constants.PREDICT_METHOD_NAME)


def _table(field, array, loads):
    array = np.asarray(array)
    var = _new_variable('%s_table' % field, array, tf.as_dtype(array.dtype))
    loads.append((var, array))
    return var


def _top_k(top_k, fields, loads, run_import):
    """The ``top_k`` signature's tensors: item ids and scores ``[users, k]``, and its inputs."""
    n_items = top_k.num_items
    k = tf.placeholder(tf.int32, [], name='k')
    item_fields = {top_k.item_field} | set(top_k.item_tables)
    user_fields = collections.OrderedDict((f, t) for f, t in fields.items()
                                          if f not in item_fields)
    with tf.name_scope('top_k_inputs'):
        all_items = tf.range(n_items, dtype=fields[top_k.item_field].dtype
                             if top_k.item_field in fields else tf.int32)
        feeds = dict(user_fields)
        if top_k.kind == 'columns':
            feeds[top_k.item_field] = all_items
        elif top_k.kind == 'pairs':
            # every user row once per item, items cycling fastest: row u * I + i
            users = tf.shape(next(iter(user_fields.values())))[0]
            feeds = {f: tf.repeat(t, n_items, axis=0) for f, t in user_fields.items()}
            item_ids = tf.tile(all_items, [users])
            feeds[top_k.item_field] = item_ids
            for field, array in top_k.item_tables.items():
                feeds[field] = tf.gather(_table(field, array, loads), item_ids)
    scores = run_import('top_k', feeds)[0]
    scores = tf.reshape(scores, [-1, n_items])
    values, indices = tf.nn.top_k(scores, k=k, name='best_items')
    return indices, values, collections.OrderedDict(list(user_fields.items()) + [('k', k)])


def _probe(sess, graph, signature, fields, static_sizes):
    """Run ``serving_default`` once on a batch whose size differs from the static ones.

    Placeholders lifted to ``None`` must work for another size; if the graph needs its
    static sizes this raises, and the caller exports with them.
    """
    rows = 2 if 1 in static_sizes else 1
    feed = {}
    for field, ph in fields.items():
        if ph.shape.ndims is None or None in ph.shape.as_list()[1:]:
            continue
        feed[ph] = np.zeros([rows] + ph.shape.as_list()[1:], ph.dtype.as_numpy_dtype)
    if len(feed) == len(fields):
        sess.run([graph.get_tensor_by_name(info.name) for info in signature.outputs.values()],
                 feed)


def _write(export_dir, graph, sess, signatures):
    """Write the SavedModel; a failed write removes what it wrote."""
    existed = tf.io.gfile.exists(export_dir)
    try:
        with graph.as_default():
            builder = tf.saved_model.Builder(export_dir)
            builder.add_meta_graph_and_variables(sess, [SERVE_TAG], signature_def_map=signatures,
                                                 strip_default_attrs=True, clear_devices=True)
            builder.save()
    except BaseException:
        if tf.io.gfile.exists(export_dir):
            if existed:
                for name in tf.io.gfile.listdir(export_dir):
                    path = os.path.join(export_dir, name)
                    if tf.io.gfile.isdir(path):
                        tf.io.gfile.rmtree(path)
                    else:
                        tf.io.gfile.remove(path)
            else:
                shutil.rmtree(export_dir, ignore_errors=True)
        raise


def id_table_rows(placeholder):
    """Rows of the tables an id placeholder is looked up in (None if not one size).

    Follows the placeholder through identity-like ops to its gathers; their tables'
    first dimensions must agree.
    """
    rows, todo, seen = set(), [placeholder], set()
    while todo:
        tensor = todo.pop()
        for op in tensor.consumers():
            if op.name in seen:
                continue
            seen.add(op.name)
            if op.type in _PASS_THROUGH_OPS:
                todo.extend(op.outputs)
            elif op.type in _GATHER_OPS and op.inputs[1].name == tensor.name:
                params = op.inputs[0]
                if op.type == 'ResourceGather':
                    handle = params.op
                    while handle.type == 'Identity':
                        handle = handle.inputs[0].op
                    dims = (tf.TensorShape(handle.get_attr('shape'))
                            if handle.type == 'VarHandleOp' else tf.TensorShape(None))
                else:
                    dims = params.shape
                rows.add(tf.compat.dimension_value(dims[0]) if dims.ndims else None)
    return rows.pop() if len(rows) == 1 and None not in rows else None


# ----------------------------------------------------------------------------------
# the two APIs' recommenders
# ----------------------------------------------------------------------------------

# 0.1 serving inputs fed in Python from a feature array, by the ids of a batch field
_LEGACY_LOOKUPS = {'user_feature': ('_user_f_source', 'user_id_input'),
                   'item_vfeature': ('_item_f_source', 'item_id_input'),
                   'item_feature': ('_item_f_source', 'item_id_input')}


def export_legacy(rec, export_dir):
    """SavedModel of a 0.1 ``Recommender`` (``openrec.recommenders``)."""
    scores = getattr(rec, '_scores', None)
    if scores is None:
        raise ArgumentError('%s has no serving scores to export (a recommender sets _scores in '
                            '_build_serving_graph)' % type(rec).__name__)
    inputs = []
    for name, placeholder in rec._inputs_store['serving'].items():
        if placeholder is None:
            continue
        if name in ('user_id', 'item_id'):
            inputs.append(Input(name + '_input', placeholder))
        elif name in _LEGACY_LOOKUPS and getattr(rec, _LEGACY_LOOKUPS[name][0], None) is not None:
            attribute, key = _LEGACY_LOOKUPS[name]
            inputs.append(Input(name, placeholder, getattr(rec, attribute), key))
        else:
            inputs.append(Input(None, placeholder))
    top_k = TopK('columns', rec._max_item, 'item_id_input')
    return export(export_dir, rec.graph, rec.sess, inputs, {'scores': scores}, top_k)


def check_item_inputs(item_inputs):
    """``{batch field: array with one row per item id}`` or None; returned as a dict."""
    if item_inputs is None:
        return {}
    if not isinstance(item_inputs, collections.abc.Mapping):
        raise ArgumentTypeError('item_inputs must be a dict {serving batch field: array with one '
                                'row per item id} or None, got %r' % (item_inputs,))
    checked = {}
    for field, value in item_inputs.items():
        array = np.asarray(value)
        if not isinstance(field, str) or array.ndim < 1 or array.dtype.kind not in 'biuf':
            raise ArgumentTypeError('item_inputs must map field names to numeric arrays with one '
                                    'row per item id, got %r: %r' % (field, type(value).__name__))
        checked[field] = array
    return checked


def export_tf1(rec, export_dir, item_inputs):
    """SavedModel of a 0.2 ``Recommender`` (``openrec.tf1``), its serving graph built."""
    graph = rec.servegraph
    mapping = graph.get_input_mapping('default')
    unknown = sorted(set(item_inputs) - set(mapping))
    if unknown:
        raise ArgumentError('item_inputs has fields that are not serving batch fields: %s '
                            '(the serving fields: %s)' % (', '.join(unknown), ', '.join(mapping)))
    outputs = graph.get_outputs('default')
    if not outputs:
        raise ArgumentError('the serving graph registers no output to export')
    names = ['scores'] if len(outputs) == 1 else ['output_%d' % i for i in range(len(outputs))]
    top_k = _tf1_top_k(mapping, outputs, item_inputs)
    rec._sync_if_updated()   # the trained values, as serve() would use them
    inputs = [Input(field, placeholder) for field, placeholder in mapping.items()]
    with graph.tf_graph.as_default():
        return export(export_dir, graph.tf_graph, rec._tf_serve_sess, inputs,
                      collections.OrderedDict(zip(names, outputs)), top_k)


def _tf1_top_k(mapping, outputs, item_inputs):
    """The 0.2 models' ``top_k``: pairs (``user_id``, ``item_id``) or item columns."""
    def skip(why):
        warnings.warn('export_saved_model: no top_k signature: %s' % why, stacklevel=4)

    if len(outputs) != 1:
        return skip('the serving graph has %d outputs, not one of scores' % len(outputs))
    if 'item_id' not in mapping:
        items = _columns(outputs[0])
        if items is None:
            return skip('the scores have no static column count (one per item)')
        return TopK('rows', items)
    if 'user_id' not in mapping:
        return skip("the serving fields hold item_id but no user_id")
    items = id_table_rows(mapping['item_id'])
    if items is None:
        return skip('the number of items (the rows of the tables item_id is looked up in) is '
                    'not known')
    missing = sorted(set(mapping) - {'user_id', 'item_id'} - set(item_inputs))
    if missing:
        return skip('the item fields %s are not given: pass item_inputs={field: array with one '
                    'row per item id}' % ', '.join(missing))
    short = sorted(f for f, a in item_inputs.items() if len(a) < items)
    if short:
        raise ArgumentError('item_inputs[%r] must have a row for each of the %d items, got %d'
                            % (short[0], items, len(item_inputs[short[0]])))
    return TopK('pairs', items, 'item_id', item_inputs)


def _columns(scores):
    """Static column count of ``[rows, items]`` scores, looking through a squeeze."""
    tensor = scores
    while tensor.shape.ndims != 2 and tensor.op.type in ('Squeeze', 'Identity'):
        tensor = tensor.op.inputs[0]
    return tf.compat.dimension_value(tensor.shape[1]) if tensor.shape.ndims == 2 else None

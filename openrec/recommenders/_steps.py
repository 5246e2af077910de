"""Several training steps in one session call (private).

The ops one training step runs are cloned ``k`` times in the same graph: clone ``j``
reads its inputs from slice ``j`` of stacked placeholders, and every clone that reads
or writes a variable waits for step ``j - 1`` to end. One ``sess.run`` then performs
the ``k`` updates in order, each on the variables the previous one left, as ``k``
separate runs would; only the per-call overhead (Python, feeding, session set-up) is
paid once.
"""
import tensorflow.compat.v1 as tf

from openrec._checks import ArgumentError

# TF1 control flow keeps frame state that a plain op-by-op copy would not rebuild
_CONTROL_FLOW = {'Switch', 'RefSwitch', 'Merge', 'RefMerge', 'Enter', 'RefEnter', 'Exit',
                 'RefExit', 'NextIteration', 'RefNextIteration', 'LoopCond', 'ControlTrigger'}
# stateful ops that touch no variable and give the same result when cloned
_HARMLESS_STATEFUL = {'Assert', 'Print', 'PrintV2'}


def _reads_or_writes_state(op):
    return any(t.dtype == tf.resource or t.dtype._is_ref_dtype for t in op.inputs)


def _step_ops(targets, inputs):
    """The ops a step runs, in creation (topological) order, and which of them are per step.

    An op is per step when it feeds on an input, reads or writes a variable, is
    stateful, or depends on such an op; the others (constants, variable handles, ops
    computed from them only) are shared by all steps.
    """
    needed, stack = set(), [t if isinstance(t, tf.Operation) else t.op for t in targets]
    while stack:
        op = stack.pop()
        if op not in needed:
            needed.add(op)
            stack += [t.op for t in op.inputs] + list(op.control_inputs)
    ordered = sorted(needed, key=lambda op: op._id)
    per_step = set(t.op for t in inputs)
    for op in ordered:
        if op.type in _CONTROL_FLOW:
            raise ArgumentError('several steps per call cannot copy the TF1 control-flow op %r '
                                '(%s) of the training step' % (op.name, op.type))
        has_inputs = bool(op.inputs) or bool(op.control_inputs)
        if (op.op_def.is_stateful and has_inputs and op.type not in _HARMLESS_STATEFUL
                and not _reads_or_writes_state(op)):
            raise ArgumentError('several steps per call cannot copy the stateful op %r (%s) of '
                                'the training step: its copies would not continue its state '
                                '(e.g. random numbers) as separate calls do' % (op.name, op.type))
        if (op.op_def.is_stateful and has_inputs) or _reads_or_writes_state(op) or any(
                t.op in per_step for t in op.inputs) or any(c in per_step
                                                             for c in op.control_inputs):
            per_step.add(op)
    return [op for op in ordered if op in per_step and op not in
            set(t.op for t in inputs)], per_step


def chain_steps(targets, inputs, steps, name='train_steps'):
    """Clone the training step ``steps`` times, chained.

    Parameters
    ----------
    targets : list of tf.Tensor or tf.Operation
        What one step runs (train op, loss, post-training ops).
    inputs : list of tf.Tensor
        The step's input placeholders.
    steps : int
        Number of chained copies.

    Returns
    -------
    (list of tf.Tensor, list of list, tf.Operation)
        The stacked placeholders (``[steps] + shape`` of each input), per step the
        copies of ``targets``, and an op that ends after the last step.
    """
    graph = tf.get_default_graph()
    ops, per_step = _step_ops(targets, inputs)
    stateful = set(op for op in ops if op.op_def.is_stateful or _reads_or_writes_state(op))
    with tf.name_scope(name) as scope:
        stacked = [tf.placeholder(t.dtype, [steps] + t.shape.as_list(),
                                  name=t.op.name.split('/')[-1]) for t in inputs]
    copies, previous_end = [], None
    for j in range(steps):
        with tf.name_scope('%sstep_%d/' % (scope, j)):
            tensors = {t: s[j] for t, s in zip(inputs, stacked)}
            op_map = {}
            for op in ops:
                new_inputs = [tensors.get(t, t) for t in op.inputs]
                control = [op_map.get(c, c) for c in op.control_inputs]
                if op in stateful and previous_end is not None:
                    control.append(previous_end)
                with graph.device(op.device), tf.control_dependencies(None), \
                        tf.control_dependencies(control):
                    new = graph.create_op(op.type, new_inputs, [o.dtype for o in op.outputs],
                                          input_types=[t.dtype for t in op.inputs],
                                          name=op.name, attrs=dict(op.node_def.attr),
                                          op_def=op.op_def)
                op_map[op] = new
                tensors.update(zip(op.outputs, new.outputs))
            step_targets = [op_map.get(t, t) if isinstance(t, tf.Operation)
                            else tensors.get(t, t) for t in targets]
            previous_end = tf.group(*step_targets, name='end')
        copies.append(step_targets)
    return stacked, copies, previous_end

"""How the OpenRec 0.2 ``Recommender`` feeds batches to its graphs (private).

TensorFlow reports a batch that lacks a field the run needs as an ``InvalidArgumentError``
("You must feed a value for placeholder tensor ...") raised from inside the running
session, and a value it cannot convert (e.g. string ids) as numpy's ``invalid literal for
int()``, naming nothing. A :class:`FeedPlan` checks both in Python before the session
runs. It is built once per graph, input mapping, batch fields and fetches and cached by
the recommender, so a training step pays a dict lookup and one dtype-kind test per field.
"""
import collections.abc

import numpy as np
import tensorflow.compat.v1 as tf

from openrec._checks import ArgumentError, ArgumentTypeError
from openrec._tfutils import unfed_placeholders

# numpy dtype kinds fed to each family of tensor dtypes, and how to say it. TensorFlow
# casts the value (numpy's astype): float ids are truncated towards zero, as TF1 did.
# Strings (even of digits), objects, complex numbers, dates and booleans as ids are
# refused; booleans feed float tensors (labels 0/1).
_ACCEPTED = (('is_bool', 'biu', 'booleans or integers'),
             ('is_integer', 'iuf', 'integers; floats are truncated'),
             ('is_floating', 'biuf', 'numbers or booleans'),
             ('is_complex', 'biufc', 'numbers'))


def accepted_kinds(dtype):
    """``(numpy kinds, description)`` a tensor of ``dtype`` is fed, or None (not checked).

    Strings, resources and quantized dtypes are left to TensorFlow.
    """
    for family, kinds, description in _ACCEPTED:
        if getattr(dtype, family):
            return kinds, description
    return None


def batch_fields(batch_data):
    """The field names of a batch: a mapping's keys or a structured array's field names."""
    if isinstance(batch_data, np.ndarray) and batch_data.dtype.names is not None:
        return batch_data.dtype.names
    if isinstance(batch_data, collections.abc.Mapping):
        return tuple(batch_data)
    raise ArgumentTypeError(
        'Invalid batch data format: batch_data must be a dict (any mapping) or a numpy '
        'structured array, got %s' % (
            'a non-structured numpy array of dtype %s' % batch_data.dtype
            if isinstance(batch_data, np.ndarray) else type(batch_data).__name__))


def graph_element(tf_graph, fetch, tensor_only=False):
    """The tensor (or operation) of ``tf_graph`` that ``fetch``, an object or a name, stands
    for; None if it is none of them (TensorFlow then reports the problem itself).
    ``tf_graph`` None accepts tensors of any graph."""
    if isinstance(fetch, tf.Tensor) or (isinstance(fetch, tf.Operation) and not tensor_only):
        return fetch if tf_graph is None or fetch.graph is tf_graph else None
    if isinstance(fetch, str) and tf_graph is not None:
        try:
            return tf_graph.as_graph_element(fetch, allow_tensor=True,
                                             allow_operation=not tensor_only)
        except (KeyError, ValueError, TypeError):
            return None
    return None


def _label(tensor):
    return ('placeholder %s' % tensor.op.name if tensor.op.type == 'Placeholder'
            else 'tensor %s' % tensor.name)


def _series(names):
    names = list(names)
    return names[0] if len(names) == 1 else '%s and %s' % (', '.join(names[:-1]), names[-1])


class FeedPlan(object):
    """What feeding batches with given fields to one graph involves.

    For each field: the input-mapping entry it feeds (a tensor, or a tensor name) and
    the numpy dtype kinds that entry accepts. Checked at construction: every field has
    a mapping entry.

    Parameters
    ----------
    tf_graph : tf.Graph or None
        The graph run (None: mapping entries of any graph are checked).
    input_map : mapping
        ``{batch field: tensor}``, the graph's input mapping.
    fields : tuple
        The batch's field names (:func:`batch_fields`).
    fetches : list, optional
        The flat list of what the plan is checked for (see :meth:`require`); kept so the
        objects, whose ids key the recommender's plan cache, stay alive.
    """
    __slots__ = ('_entries', '_fetches')

    def __init__(self, tf_graph, input_map, fields, fetches=()):
        entries = []
        for field in fields:
            if field not in input_map:
                raise ArgumentError(
                    'batch_data field %r is not in the input mapping (its keys: %s)'
                    % (field, ', '.join(map(repr, input_map))))
            target = input_map[field]
            tensor = graph_element(tf_graph, target, tensor_only=True)
            accepted = None if tensor is None else accepted_kinds(tensor.dtype)
            entries.append((field, target, tensor, accepted))
        self._entries = entries
        self._fetches = fetches

    def require(self, tf_graph, input_map, method, input_mapping_id):
        """Raise ``ValueError`` if the fetches need a placeholder that no field feeds.

        The fetches are those given at construction (tensors, operations or names of
        ``tf_graph``); only what they depend on is required (a mapping entry without a
        field is not fed, which is fine when nothing fetched needs it).
        """
        fetched = [element for element in (graph_element(tf_graph, f) for f in self._fetches)
                   if element is not None]
        fed = [tensor for _, _, tensor, _ in self._entries if tensor is not None]
        unfed = unfed_placeholders(fetched, fed)
        if not unfed:
            return
        if input_mapping_id is None:
            raise ArgumentError(
                '%s(input_mapping_id=None) feeds nothing, but what it fetches needs %s: pass '
                'batch_data and an input_mapping_id' % (method, _series(map(_label, unfed))))
        # the fields feeding each unfed placeholder, in mapping order
        lacking, unfed_set = {}, set(unfed)
        for field, target in input_map.items():
            tensor = graph_element(tf_graph, target, tensor_only=True)
            if tensor in unfed_set:
                lacking.setdefault(tensor, []).append(repr(field))
        parts = []
        if lacking:
            parts.append('batch_data lacks %s %s that %s needs (batch_data fields: %s)'
                         % ('field' if len(lacking) == 1 else 'fields',
                            _series('%s (%s)' % (' or '.join(fields), _label(tensor))
                                    for tensor, fields in lacking.items()),
                            method, ', '.join(repr(e[0]) for e in self._entries) or 'none'))
        unmapped = [_label(tensor) for tensor in unfed if tensor not in lacking]
        if unmapped:
            parts.append('%s needs %s, which no field of input mapping %r feeds'
                         % (method, _series(unmapped), input_mapping_id))
        raise ArgumentError('; '.join(parts))

    def feed(self, batch_data, input_map=None):
        """The feed dict ``{mapping entry: batch_data[field]}``, values as given.

        Returns None, without checking further, if ``input_map`` is given and no longer
        maps a field to the plan's entry (the plan is stale and must be made again).

        Raises
        ------
        TypeError
            A value whose dtype the entry does not accept (see :func:`accepted_kinds`).
        """
        feed_dict = {}
        for field, target, tensor, accepted in self._entries:
            if input_map is not None and input_map.get(field) is not target:
                return None
            value = batch_data[field]
            if accepted is not None:
                kind = (value.dtype.kind if isinstance(value, np.ndarray)
                        else _kind(value, field, tensor))
                if kind not in accepted[0]:
                    _refuse(value, field, tensor, accepted[1])
            feed_dict[target] = value
        return feed_dict


def _kind(value, field, tensor):
    try:
        return np.asarray(value).dtype.kind
    except (TypeError, ValueError, NotImplementedError) as err:
        raise ArgumentTypeError('batch_data field %r cannot be fed to %s (%s): %s'
                                % (field, _label(tensor), tensor.dtype.name, err)) from None


def _refuse(value, field, tensor, description):
    array = np.asarray(value)
    given = 'dtype %s' % array.dtype
    if array.dtype.kind == 'O' and array.size:
        given += ' (first element %r of type %s)' % (array.flat[0], type(array.flat[0]).__name__)
    raise ArgumentTypeError('batch_data field %r cannot be fed to %s, which is %s (%s), got %s'
                            % (field, _label(tensor), tensor.dtype.name, description, given))

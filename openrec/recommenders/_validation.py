"""Python checks of what recommenders feed to their graphs (private).

TensorFlow only reports a batch of the wrong length as a feed-shape error on a
placeholder, and an id outside a table as a gather error (on CPU; on GPU it silently
reads zeros). These checks run on the fed numpy values before the session does, and
name the batch field, what was expected and what was given.
"""
import os

import numpy as np

from openrec._checks import (ArgumentError, ArgumentTypeError, check_bool, check_ids,
                             check_positive_int, check_str)
from openrec._tfutils import check_array

# Integer dtypes (either byte order) -> the unsigned dtype of the same width: viewed
# unsigned, a negative id exceeds every bound, so one argmax checks both ends.
_UNSIGNED = {np.dtype(t).newbyteorder(order): np.dtype('u%d' % np.dtype(t).itemsize
                                                        ).newbyteorder(order)
             for t in np.typecodes['AllInteger'] for order in '<>'}


def check_feature_source(source, name, rows, rows_name):
    """A ``[rows, F]`` float32 feature array indexed by the ids of a ``rows``-row table.

    More rows than ids are accepted (they are never read, as in the original); fewer
    would fail at the first batch holding a high id.
    """
    rows = check_positive_int(rows, rows_name)
    array = check_array(source, name, ndim=2)
    if len(array) < rows:
        raise ArgumentError('%s must have a row for every id below %s = %d (it is indexed by '
                            'them), got %d rows' % (name, rows_name, rows, len(array)))
    return array


def feature_rows(source, batch_data, field, bound, bound_name):
    """``source[batch_data[field]]`` with the ids checked against ``bound`` first (numpy
    would wrap negative ids silently and report a high id as an IndexError naming no
    field)."""
    ids = batch_data[field]
    ids = ids if type(ids) is np.ndarray else np.asarray(ids)
    if ids.dtype.kind not in 'iu' or (ids.size and (ids.min() < 0 or ids.max() >= bound)):
        check_ids(ids, 'batch_data[%r]' % field, bound, bound_name)  # raises, unless floats
    return source[ids]


def _table_rows(module):
    """Rows of the table a module looks its ``_ids`` up in (None if it has none)."""
    shape = getattr(module, '_shape', None)
    if isinstance(shape, (list, tuple)) and len(shape) == 2:
        return shape[0]
    embed = getattr(module, '_embed', None)
    return None if embed is None else len(embed)


def _modules(recommender, mode):
    """Every module built for ``mode``, members of fusions included."""
    seen, todo = [], list(recommender._modules_store[mode].values())
    if mode == 'train':
        todo += recommender._loss_nodes
    while todo:
        module = todo.pop()
        if any(module is m for m in seen):
            continue
        seen.append(module)
        todo += list(getattr(module, '_module_list', None) or ())
    return seen


class _Input(object):
    """What is checked for one placeholder: its fixed dimensions and its id table."""

    def __init__(self, name, placeholder, train):
        self.name = name
        self.placeholder = placeholder
        self.train = train
        dims = placeholder.shape.as_list() if placeholder.shape.ndims is not None else None
        self.ndims = None if dims is None else len(dims)
        self.fixed = () if dims is None else tuple((i, d) for i, d in enumerate(dims)
                                                   if d is not None)
        self.dims = dims
        self.shape = tuple(dims) if dims is not None and None not in dims else None
        self.rows = None
        self.rows_name = None

    def field(self, batch_data):
        """The batch field this input is fed from, by the openrec naming convention."""
        for field in (self.name + '_input', self.name + '_inputs', self.name):
            try:
                batch_data[field]
            except (KeyError, ValueError, IndexError, TypeError):
                continue
            return 'batch_data[%r]' % field
        return 'the value fed to %s' % self.placeholder.op.name

    def fail_shape(self, recommender, batch_data, shape):
        size_name = 'batch_size' if self.train else 'test_batch_size'
        dims = ', '.join('None' if d is None else str(d) for d in self.dims)
        if self.ndims == 1 and self.fixed:
            expected = 'length %d (%s)' % (self.dims[0], size_name)
        else:
            expected = 'shape [%s]' % dims
            if self.fixed and self.dims[0] == getattr(recommender, '_' + size_name):
                expected += ' (%s = %d)' % (size_name, self.dims[0])
        raise ArgumentError('%s must have %s for %s of %s, got shape %s'
                            % (self.field(batch_data), expected, self.placeholder.op.name,
                               type(recommender).__name__, list(shape)))

    def check_ids(self, batch_data, values):
        check_ids(values, '%s (fed to %s)' % (self.field(batch_data), self.placeholder.op.name),
                  self.rows, self.rows_name)


class FeedChecks(object):
    """The checks of a recommender's fed values, collected once from its built graph.

    Inputs with a static size (e.g. ``[batch_size]``) must be fed arrays of that shape;
    inputs that a table-lookup module (LatentFactor, LookUp, TemporalLatentFactor) takes
    as its ``ids`` must be fed integer ids inside that table.
    """

    def __init__(self, recommender):
        self._inputs = {}
        for mode in ('train', 'serving'):
            inputs = {}
            for name, placeholder in recommender._inputs_store[mode].items():
                if placeholder is not None:
                    inputs[placeholder] = _Input(name, placeholder, mode == 'train')
            for module in _modules(recommender, mode):
                ids, rows = getattr(module, '_ids', None), _table_rows(module)
                if rows is None or ids not in inputs:
                    continue
                checked = inputs[ids]
                if checked.rows is None or rows < checked.rows:
                    checked.rows = rows
                    checked.rows_name = ('max_user' if rows == recommender._max_user else
                                         'max_item' if rows == recommender._max_item else
                                         'rows of %s' % module._scope)
            # keyed by id(): Tensor.__hash__ is a Python call, and the graph keeps the
            # placeholders alive as long as the recommender
            self._inputs[mode == 'train'] = {id(p): c for p, c in inputs.items()
                                             if c.ndims is not None or c.rows is not None}

    def check(self, recommender, feed, batch_data, train):
        """Raise ``ValueError``/``TypeError`` for a fed value that cannot be right."""
        # The hot path of every training step: a few attribute reads and one argmax
        # per id input (argmax is a cheaper call than a ufunc reduction).
        inputs = self._inputs[train]
        for placeholder, value in feed.items():
            checked = inputs.get(id(placeholder))
            if checked is None:
                continue
            array = value if type(value) is np.ndarray else np.asarray(value)
            if checked.shape is not None:
                if array.shape != checked.shape:
                    checked.fail_shape(recommender, batch_data, array.shape)
            elif checked.ndims is not None:
                shape = array.shape
                if len(shape) != checked.ndims or any(shape[i] != d for i, d in checked.fixed):
                    checked.fail_shape(recommender, batch_data, shape)
            if checked.rows is not None and array.size:
                unsigned = _UNSIGNED.get(array.dtype)
                if unsigned is None:
                    checked.check_ids(batch_data, array)  # raises, unless integral floats
                else:
                    ids = array.view(unsigned)
                    if ids.item(ids.argmax()) >= checked.rows:
                        checked.check_ids(batch_data, array)


class UnknownModuleError(ArgumentError, KeyError):
    """A module name that is not registered (also a ``KeyError``, as the original raised)."""

    __str__ = BaseException.__str__  # KeyError's would quote the whole message


def registered_module(recommender, name, train):
    """The module registered as ``name`` in the training or serving graph."""
    check_str(name, 'name')
    store = recommender._modules_store['train' if check_bool(train, 'train') else 'serving']
    if name not in store:
        raise UnknownModuleError('name %r is not a module of the %s graph of %s; registered: %s'
                                 % (name, 'training' if train else 'serving',
                                    type(recommender).__name__, ', '.join(map(repr, store))))
    return store[name]


def check_path(path, name):
    """A checkpoint path prefix (``str`` or ``os.PathLike``), returned as ``str``."""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise ArgumentTypeError('%s must be a non-empty str (a checkpoint path prefix), got %r'
                                % (name, path))
    return path

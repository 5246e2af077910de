"""Argument checks shared by all of openrec (private).

Every message names the argument and what was expected. The error classes also
derive from :class:`AssertionError`, for code that caught the original's ``assert``
failures. No TensorFlow here: datasets, samplers, evaluators and trainers import this
module without loading TensorFlow; ``openrec._tfutils`` re-exports it for the modules.
"""
import numbers

import numpy as np


class ArgumentError(ValueError, AssertionError):
    """Bad argument value.

    Derives from :class:`AssertionError` too, so legacy code that caught the
    original's ``assert`` failures keeps working; unlike an ``assert`` it is never
    stripped by ``python -O``.
    """


class ArgumentTypeError(TypeError, AssertionError):
    """Argument of the wrong type (see :class:`ArgumentError`)."""


class StateError(RuntimeError, AssertionError):
    """A call that the object's current state does not allow (not built, disabled, ...).

    Derives from :class:`AssertionError` for the same reason as :class:`ArgumentError`.
    """


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(value, name, minimum=None):
    """Return ``int(value)``; ``value`` must be an integer ``>= minimum``."""
    expected = 'an int' if minimum is None else 'an int >= %d' % minimum
    if not _is_int(value):
        raise ArgumentTypeError('%s must be %s, got %r' % (name, expected, value))
    if minimum is not None and value < minimum:
        raise ArgumentError('%s must be %s, got %r' % (name, expected, value))
    return int(value)


def check_optional_positive_int(value, name):
    return None if value is None else check_positive_int(value, name)


def check_str(value, name, allow_none=False):
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        raise ArgumentTypeError('%s must be a str%s, got %r'
                                % (name, ' or None' if allow_none else '', value))
    return value


def check_fraction(value, name):
    """A real number in ``[0, 1]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError('%s must be a number in [0, 1], got %r' % (name, value))
    if not 0 <= value <= 1:
        raise ArgumentError('%s must be a number in [0, 1], got %r' % (name, value))
    return float(value)


def check_cutoffs(value, name, allow_zero=True, why_positive=''):
    """A non-empty sequence of rank cutoffs ``>= 0`` (``> 0`` unless ``allow_zero``;
    ``why_positive`` then says why in the message), returned as ``np.array``.

    Floats are accepted, as the original compared ranks with them unchanged.
    """
    if isinstance(value, (str, bytes)) or not hasattr(value, '__len__'):
        raise ArgumentTypeError('%s must be a sequence of numbers (e.g. [10, 50]), got %r'
                                % (name, value))
    arr = np.array(value)
    if (arr.ndim != 1 or arr.size == 0 or arr.dtype == np.bool_
            or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating))):
        raise ArgumentTypeError('%s must be a non-empty 1-D sequence of numbers, got %r'
                                % (name, value))
    bad = arr[~(arr >= 0 if allow_zero else arr > 0)]
    if bad.size:
        bound = ('cutoffs k >= 0 (numbers, e.g. [10, 50])' if allow_zero
                 else 'positive cutoffs k > 0 (%s)' % why_positive)
        raise ArgumentError('%s must hold %s, got %r in %r'
                            % (name, bound, bad[0].item(), value))
    return arr


def describe(obj):
    """``repr(obj)`` for error messages, or its type when the repr is long (a raw data
    array's type says more than its values)."""
    text = repr(obj)
    if len(text) > 60:
        return 'a %s.%s object' % (type(obj).__module__, type(obj).__qualname__)
    return text


def check_has_methods(obj, name, methods):
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing:
        raise ArgumentTypeError('%s must provide %s; %s has no %s'
                                % (name, ', '.join('%s()' % m for m in methods), describe(obj),
                                   ', '.join('%s()' % m for m in missing)))
    return obj


def check_list(value, name, item_check=None):
    """A list/tuple; ``item_check(item, item_name)`` validates each element."""
    if not isinstance(value, (list, tuple)):
        raise ArgumentTypeError('%s must be a list, got %r' % (name, value))
    if item_check is not None:
        for i, item in enumerate(value):
            item_check(item, '%s[%d]' % (name, i))
    return value


def check_fields(array, fields, name):
    """``array`` must be a structured array holding every field of ``fields``."""
    names = array.dtype.names or ()
    missing = [f for f in fields if f not in names]
    if missing:
        raise ArgumentError('%s must be a structured array with field(s) %s; missing %s '
                            '(fields present: %s)' % (name, ', '.join(map(repr, fields)),
                                                      ', '.join(map(repr, missing)),
                                                      ', '.join(map(repr, names)) or 'none'))
    return array


def check_not_none(value, name):
    if value is None:
        raise ArgumentError('%s cannot be None' % name)
    return value


def check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError('%s must be a bool, got %r' % (name, value))
    return bool(value)


def check_scope(scope, name='scope'):
    if scope is not None and not isinstance(scope, str):
        raise ArgumentTypeError('%s must be a str or None, got %r' % (name, scope))
    return scope


def check_positive_int(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError('%s must be a positive int, got %r' % (name, value))
    if value <= 0:
        raise ArgumentError('%s must be a positive int, got %r' % (name, value))
    return int(value)


def check_number(value, name, allow_none=True, positive=False, non_negative=False):
    if value is None:
        if allow_none:
            return None
        raise ArgumentError('%s cannot be None' % name)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError('%s must be a number%s, got %r'
                                % (name, ' or None' if allow_none else '', value))
    if positive and not value > 0:
        raise ArgumentError('%s must be > 0, got %r' % (name, value))
    if non_negative and not value >= 0:
        raise ArgumentError('%s must be >= 0, got %r' % (name, value))
    return value


def check_l2_reg(value, name='l2_reg'):
    return check_number(value, name, allow_none=True, non_negative=True)


def check_rate(value, name):
    """A dropout rate: None or a drop probability in [0, 1)."""
    if value is None:
        return None
    check_number(value, name, allow_none=False)
    if not 0 <= value < 1:
        raise ArgumentError('%s must be a dropout rate in [0, 1) or None, got %r' % (name, value))
    return value


def check_shape(shape, name='shape'):
    """A table shape: a pair ``[rows, dim]`` of positive ints."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, '__len__') or len(shape) != 2:
        raise ArgumentError('%s must be a pair [number of ids, embedding dimensionality] '
                            'of positive ints, got %r' % (name, shape))
    return [check_positive_int(s, '%s[%d]' % (name, i)) for i, s in enumerate(shape)]


def check_dims(dims, name='dims'):
    """Layer widths: a non-empty sequence of positive ints."""
    if dims is None:
        raise ArgumentError('%s cannot be None' % name)
    if isinstance(dims, (str, bytes)) or not hasattr(dims, '__len__'):
        raise ArgumentTypeError('%s must be a list of positive ints, got %r' % (name, dims))
    if len(dims) == 0:
        raise ArgumentError('%s must not be empty' % name)
    return [check_positive_int(d, '%s[%d]' % (name, i)) for i, d in enumerate(dims)]


def check_choice(value, name, choices):
    """One of a few allowed strings (case-sensitive)."""
    if not isinstance(value, str):
        raise ArgumentTypeError('%s must be one of %s, got %r'
                                % (name, ', '.join(repr(c) for c in choices), value))
    if value not in choices:
        raise ArgumentError('%s must be one of %s, got %r'
                            % (name, ', '.join(repr(c) for c in choices), value))
    return value


def check_width(value, name, expected, expected_name):
    """A width that must match another one, e.g. ``dims[-1] == dim_embed``."""
    if value != expected:
        raise ArgumentError('%s must equal %s (%r), got %r' % (name, expected_name, expected, value))
    return value


def check_ids(values, name, bound, bound_name):
    """Integer ids in ``[0, bound)``: ``values`` is an array (any shape) named ``name``.

    Integral floats pass (TensorFlow and numpy indexing took them, as in the original);
    ``bound_name`` says where the bound comes from (e.g. ``'max_user'``).
    """
    kind = values.dtype.kind
    if kind not in 'iuf':
        raise ArgumentTypeError('%s must hold integer ids, got dtype %s' % (name, values.dtype))
    if values.size == 0:
        return values
    if kind == 'f':
        odd = values[~(np.isfinite(values) & (values == np.floor(values)))]
        if odd.size:
            raise ArgumentError('%s must hold integer ids, got %r' % (name, odd.flat[0].item()))
    low, high = values.min(), values.max()
    if low < 0 or high >= bound:
        raise ArgumentError('%s holds id %r outside [0, %s) (%s = %d)'
                            % (name, (low if low < 0 else high).item(), bound, bound_name, bound))
    return values


def check_random_seed(seed, name='seed'):
    """A seed :func:`random.seed` accepts: None, int, float, str, bytes or bytearray."""
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, float, str, bytes, bytearray))):
        raise ArgumentTypeError('%s must be None, an int, a float, a str or bytes (a seed for '
                                'random.seed), got %r' % (name, seed))
    return seed

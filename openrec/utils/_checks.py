"""Argument checks for the TensorFlow-free parts of openrec (utils and trainers).

``openrec._tfutils`` imports TensorFlow, which datasets, samplers, evaluators and
trainers must not do; these checks mirror its conventions (the message names the
argument and what was expected; the error classes also derive from
:class:`AssertionError` for code that caught the original's ``assert`` failures).
"""
import numbers

import numpy as np


class ArgumentError(ValueError, AssertionError):
    """Bad argument value."""


class ArgumentTypeError(TypeError, AssertionError):
    """Argument of the wrong type."""


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


def check_positive_int(value, name):
    return check_int(value, name, minimum=1)


def check_optional_positive_int(value, name):
    return None if value is None else check_positive_int(value, name)


def check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError('%s must be a bool, got %r' % (name, value))
    return bool(value)


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


def check_cutoffs(value, name):
    """A non-empty sequence of ints (rank cutoffs), returned as ``np.array``."""
    if isinstance(value, (str, bytes)) or not hasattr(value, '__len__'):
        raise ArgumentTypeError('%s must be a sequence of ints (e.g. [10, 50]), got %r'
                                % (name, value))
    arr = np.array(value)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ArgumentTypeError('%s must be a non-empty 1-D sequence of ints, got %r'
                                % (name, value))
    return arr


def check_has_methods(obj, name, methods):
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing:
        raise ArgumentTypeError('%s must provide %s; %r has no %s'
                                % (name, ', '.join('%s()' % m for m in methods), obj,
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

import numpy as np

from openrec._checks import ArgumentTypeError, check_ids, check_positive_int, check_str


class Dataset(object):
    """A set of interactions held in a numpy structured array.

    Parameters
    ----------
    raw_data : numpy.ndarray
        Structured array, one row per interaction, with integer fields ``user_id`` and
        ``item_id`` (ids in ``0..max_user-1`` / ``0..max_item-1``); explicit-feedback
        consumers also read a numeric ``label`` field. Extra fields are ignored. Kept as
        given (not copied).
    max_user : int
        Number of users (table size for models); returned by :meth:`max_user`.
    max_item : int
        Number of items; bounds negative sampling and the trainers' scoring range.
    name : str, optional
        Name used in printed evaluation results.

    Raises
    ------
    TypeError
        If ``type(raw_data)`` is not exactly :class:`numpy.ndarray` (subclasses such as
        ``np.recarray`` or ``np.memmap`` are rejected, as in the original), or if
        ``max_user``/``max_item``/``name`` have the wrong type, or a ``user_id`` /
        ``item_id`` field is not numeric (e.g. bool, object or str).
    ValueError
        If ``max_user`` or ``max_item`` is not positive, or a ``user_id`` / ``item_id``
        field of ``raw_data`` holds an id outside ``[0, max_user)`` / ``[0, max_item)`` or
        a non-integral value (the original never checked: models then failed much later
        in a TensorFlow gather, or silently read zeros on GPU).

    Attributes
    ----------
    name : str
    raw_data : numpy.ndarray
        The array given, never modified.
    data : numpy.ndarray or None
        ``None`` until :meth:`shuffle` sets it to a shuffled copy of ``raw_data``.

    Notes
    -----
    Only the id fields are validated here (when present; a dataset without them is
    accepted as in the original); samplers and trainers check the fields they read when
    they are constructed. Integral float ids are accepted, as the original used them.
    """

    def __init__(self, raw_data, max_user, max_item, name='dataset'):
        if type(raw_data) is not np.ndarray:
            raise ArgumentTypeError('raw_data must be a numpy.ndarray (structured array, '
                                    'exactly np.ndarray, not a subclass), got %s'
                                    % type(raw_data).__name__)
        self._max_user = check_positive_int(max_user, 'max_user')
        self._max_item = check_positive_int(max_item, 'max_item')
        self.name = check_str(name, 'name')
        fields = raw_data.dtype.names or ()
        for field, bound_name in (('user_id', 'max_user'), ('item_id', 'max_item')):
            if field in fields:
                check_ids(raw_data[field], 'raw_data[%r]' % field,
                          getattr(self, '_' + bound_name), bound_name)
        self.raw_data = raw_data
        self.data = None

    def max_user(self):
        """Return ``max_user`` as given to the constructor."""
        return self._max_user

    def max_item(self):
        """Return ``max_item`` as given to the constructor."""
        return self._max_item

    def shuffle(self):
        """Shuffle :attr:`data` in place (global numpy RNG), copying ``raw_data`` first if needed.

        Returns
        -------
        None
        """
        if self.data is None:
            self.data = self.raw_data.copy()
        np.random.shuffle(self.data)

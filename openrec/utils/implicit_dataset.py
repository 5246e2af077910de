import numpy as np

from openrec._checks import check_fields
from openrec.utils.dataset import Dataset


def _first_appearance_unique(values):
    """Distinct values of a 1-D array in first-appearance order."""
    if len(values) == 0:
        return np.array([])
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


def _group_rows(keys):
    """``[(key, positions)]`` per distinct key of a 1-D array, keys in first-appearance order.

    ``positions`` are the key's row positions in row order (a stable sort); keys are numpy
    scalars of the array's dtype (they hash and compare like Python ints). Both APIs'
    datasets build their per-user (per-item) indexes from it.
    """
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind='stable')
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(order)]
    return [(sorted_keys[starts[group]], order[starts[group]:ends[group]])
            for group in np.argsort(order[starts], kind='stable')]


def _group_sets(keys, members):
    """``{key: set(members of that key)}``, keys in first-appearance order."""
    return {key: set(members[positions]) for key, positions in _group_rows(keys)}


class ImplicitDataset(Dataset):
    """A :class:`Dataset` of implicit feedback, with user/item interaction maps.

    Parameters
    ----------
    raw_data : numpy.ndarray
        Structured array with integer fields ``user_id`` and ``item_id``.
    max_user : int
        Number of users.
    max_item : int
        Number of items.
    name : str, optional
        Name used in printed evaluation results.

    Raises
    ------
    TypeError
        As :class:`Dataset`.
    ValueError
        As :class:`Dataset`, or if ``raw_data`` lacks a ``user_id`` or ``item_id`` field.

    Notes
    -----
    The maps (user -> set of items, item -> set of users) are built once from
    ``raw_data``; :meth:`shuffle` does not touch them. Duplicate rows collapse. Map keys
    and set members are numpy scalars of the field dtypes, in first-appearance order.
    The original built them with a Python loop; the port groups with numpy (same
    result).
    """

    def __init__(self, raw_data, max_user, max_item, name='dataset'):
        super(ImplicitDataset, self).__init__(raw_data=raw_data, max_user=max_user,
                                              max_item=max_item, name=name)
        check_fields(raw_data, ('user_id', 'item_id'), 'raw_data')
        users = np.asarray(raw_data['user_id']).ravel()
        items = np.asarray(raw_data['item_id']).ravel()
        self._user_item = _group_sets(users, items)
        self._item_user = _group_sets(items, users)

    def contain_user(self, user_id):
        """Whether ``user_id`` occurs in ``raw_data``."""
        return user_id in self._user_item

    def contain_item(self, item_id):
        """Whether ``item_id`` occurs in ``raw_data``."""
        return item_id in self._item_user

    def get_interactions_by_user_gb_item(self, user_id):
        """Return the set of items of ``user_id`` (the internal set itself, not a copy).

        Raises
        ------
        KeyError
            If the user does not occur in ``raw_data``.
        """
        return self._user_item[user_id]

    def get_interactions_by_item_gb_user(self, item_id):
        """Return the set of users of ``item_id`` (the internal set itself).

        Raises
        ------
        KeyError
            If the item does not occur in ``raw_data``.
        """
        return self._item_user[item_id]

    def get_unique_user_list(self):
        """Return a new 1-D array of the distinct user ids, in first-appearance order.

        Notes
        -----
        An empty dataset gives an empty float64 array (as the original).
        """
        return np.array(list(self._user_item.keys()))

    def get_unique_item_list(self):
        """Return a new 1-D array of the distinct item ids, in first-appearance order."""
        return np.array(list(self._item_user.keys()))

    def unique_user_count(self):
        """Number of distinct users present in ``raw_data`` (not ``max_user``)."""
        return len(self._user_item)

    def unique_item_count(self):
        """Number of distinct items present in ``raw_data`` (not ``max_item``)."""
        return len(self._item_user)

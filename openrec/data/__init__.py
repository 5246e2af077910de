"""Small data sets shipped with openrec (for the demo, examples and tests)."""
import os

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_demo_data():
    """Load the demo implicit-feedback data set shipped in the package.

    600 users, 400 items with planted taste groups (see ``tools/make_demo_data.py``);
    about a fifth of every user's items is held out.

    Returns
    -------
    train, test : numpy structured arrays
        Interactions with int32 fields ``user_id`` and ``item_id``.
    max_user, max_item : int
        Number of users and items (ids are ``0 .. max - 1``).
    """
    with np.load(os.path.join(_HERE, 'demo_implicit.npz')) as data:
        return data['train'], data['test'], int(data['max_user']), int(data['max_item'])

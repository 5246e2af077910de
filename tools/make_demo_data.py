"""Regenerate ``openrec/data/demo_implicit.npz``, the small data set ``make demo`` uses.

Implicit feedback with planted structure: 600 users and 400 items, each in one of 8
taste groups; a user picks most of their items from their group and a few at random.
Per user, a fifth of the items (at least one) is held out for testing. Deterministic
(seed 2017). Usage: ``python tools/make_demo_data.py``.
"""
import os

import numpy as np

N_USERS, N_ITEMS, N_GROUPS = 600, 400, 8


def make(seed=2017):
    rng = np.random.RandomState(seed)
    user_group = rng.randint(N_GROUPS, size=N_USERS)
    item_group = rng.randint(N_GROUPS, size=N_ITEMS)
    popularity = rng.pareto(1.5, size=N_ITEMS) + 1.0
    train, test = [], []
    for user in range(N_USERS):
        count = rng.randint(10, 40)
        in_group = np.flatnonzero(item_group == user_group[user])
        weights = popularity[in_group] / popularity[in_group].sum()
        n_in = min(len(in_group), int(round(count * 0.8)))
        items = set(rng.choice(in_group, size=n_in, replace=False, p=weights).tolist())
        while len(items) < count:
            items.add(int(rng.randint(N_ITEMS)))
        items = rng.permutation(sorted(items))
        n_test = max(1, len(items) // 5)
        test += [(user, item) for item in items[:n_test]]
        train += [(user, item) for item in items[n_test:]]
    dtype = [('user_id', np.int32), ('item_id', np.int32)]
    return np.array(train, dtype=dtype), np.array(test, dtype=dtype)


if __name__ == '__main__':
    train, test = make()
    path = os.path.join(os.path.dirname(__file__), '..', 'openrec', 'data', 'demo_implicit.npz')
    np.savez_compressed(path, train=train, test=test, max_user=N_USERS, max_item=N_ITEMS)
    print('%s: %d train and %d test interactions, %d bytes'
          % (os.path.normpath(path), len(train), len(test), os.path.getsize(path)))

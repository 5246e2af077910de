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


SEQUENCE_DTYPE = [('user_id', np.int32), ('item_id', np.int32), ('ts', np.int64)]
USER_FEATURE_DTYPE = [('user_gender', np.int32), ('user_geo', np.int32)]


def make_sequence_data(num_users=300, num_items=200, chain_len=10, num_groups=4, num_geo=8,
                       chains_per_user=(3, 5), noise=0.05, test_fraction=0.2, seed=0):
    """Generate lastfm-shaped listening histories with planted sequential structure.

    Items are cut into chains of ``chain_len`` consecutive ids; chains are dealt to
    ``num_groups`` taste groups in turn. A user's taste group is ``user_geo % num_groups``;
    the user walks through ``chains_per_user`` chains of that group, one after the other,
    each once around from a random start, and now and then (probability ``noise`` per
    step) listens to a random other item. So the next item is usually the successor of
    the current one in its chain, which sequence models can learn, and the user features
    tell which chains a user likes. Timestamps increase along each history; the last
    ``test_fraction`` of every history (at least two items) is held out for testing.
    Deterministic for a given ``seed``.

    Parameters
    ----------
    num_users, num_items : int
        Id ranges ``0 .. num_users - 1`` and ``0 .. num_items - 1``. ``num_items`` must be
        at least ``chain_len * num_groups``.
    chain_len : int
        Items per chain.
    num_groups, num_geo : int
        Taste groups and values of ``user_geo`` (``num_geo >= num_groups``);
        ``user_gender`` takes 3 values and carries no signal.
    chains_per_user : (int, int)
        Inclusive range of the number of chains a user walks through.
    noise : float
        Probability of a random item after each step, in ``[0, 1)``.
    test_fraction : float
        Share of each history held out, in ``(0, 1)``.
    seed : int
        Seed of the generator.

    Returns
    -------
    dict
        ``train``, ``test``: structured arrays with fields ``user_id`` (int32),
        ``item_id`` (int32), ``ts`` (int64), one row per interaction, no (user, item)
        pair twice; ``user_feature``: structured array indexed by user id with int32
        fields ``user_gender`` (0..2) and ``user_geo`` (0..num_geo-1); ``total_users``,
        ``total_items``: the id ranges.

    Raises
    ------
    ValueError
        If the sizes cannot hold the requested structure.
    """
    from openrec._checks import check_fraction, check_int, ArgumentError
    for name, value in (('num_users', num_users), ('num_items', num_items), ('chain_len', chain_len),
                        ('num_groups', num_groups), ('num_geo', num_geo)):
        check_int(value, name, minimum=1)
    if num_geo < num_groups:
        raise ArgumentError('num_geo must be >= num_groups (%d), got %d' % (num_groups, num_geo))
    if num_items < chain_len * num_groups:
        raise ArgumentError('num_items must be >= chain_len * num_groups = %d, got %d'
                            % (chain_len * num_groups, num_items))
    low, high = chains_per_user
    check_int(low, 'chains_per_user[0]', minimum=1)
    check_int(high, 'chains_per_user[1]', minimum=low)
    check_fraction(noise, 'noise')
    if not 0 < test_fraction < 1:
        raise ArgumentError('test_fraction must be in (0, 1), got %r' % (test_fraction,))
    rng = np.random.RandomState(seed)
    num_chains = num_items // chain_len
    chains = np.arange(num_chains * chain_len).reshape(num_chains, chain_len)
    group_chains = [np.arange(g, num_chains, num_groups) for g in range(num_groups)]
    features = np.zeros(num_users, dtype=USER_FEATURE_DTYPE)
    features['user_gender'] = rng.randint(3, size=num_users)
    features['user_geo'] = rng.randint(num_geo, size=num_users)
    train, test = [], []
    clock = 0
    for user in range(num_users):
        mine = group_chains[features['user_geo'][user] % num_groups]
        count = min(len(mine), rng.randint(low, high + 1))
        history = []
        for chain in rng.choice(mine, size=count, replace=False):
            history.extend(np.roll(chains[chain], -rng.randint(chain_len)).tolist())
        walked, seen = [], set()
        for item in history:
            if rng.rand() < noise:
                extra = int(rng.randint(num_items))
                if extra not in seen and extra not in history:
                    walked.append(extra)
                    seen.add(extra)
            walked.append(item)
            seen.add(item)
        clock += int(rng.randint(1000))
        stamps = clock + np.cumsum(rng.randint(1, 600, size=len(walked)))
        n_test = max(2, int(round(len(walked) * test_fraction)))
        rows = [(user, item, ts) for item, ts in zip(walked, stamps)]
        train += rows[:-n_test]
        test += rows[-n_test:]
    return {'train': np.array(train, dtype=SEQUENCE_DTYPE),
            'test': np.array(test, dtype=SEQUENCE_DTYPE),
            'user_feature': features, 'total_users': num_users, 'total_items': num_items}

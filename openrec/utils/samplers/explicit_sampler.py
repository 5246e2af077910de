import numpy as np

from openrec._checks import ArgumentTypeError, check_bool
from openrec.utils.samplers.sampler import Sampler, _walk

_EXPLICIT_DTYPE = np.dtype([('user_id_input', np.int32), ('item_id_input', np.int32),
                            ('labels', np.float32)])


def _explicit_batches(users, items, labels, batch_size, chronological, rng):
    for rows in _walk(len(users), batch_size, chronological, rng):
        batch = np.empty(len(rows), dtype=_EXPLICIT_DTYPE)
        batch['user_id_input'] = users[rows]
        batch['item_id_input'] = items[rows]
        batch['labels'] = labels[rows]
        yield batch


class ExplicitSampler(Sampler):
    """Batches of labelled (user, item, label) rows for explicit feedback (no negatives).

    Parameters
    ----------
    dataset : Dataset
        Rows with ``user_id``, ``item_id`` and a numeric ``label`` field.
    batch_size : int
        Rows per batch.
    num_process : int, optional
        Number of worker threads (forced to 1 when ``chronological``).
    chronological : bool, optional
        Walk the rows once in stored order with a single worker, then stop.

    Raises
    ------
    TypeError, ValueError
        For bad arguments, a missing field, or fewer rows than ``batch_size``.

    Notes
    -----
    Batch fields: ``user_id_input`` int32, ``item_id_input`` int32, ``labels`` float32
    (the row's ``label``). The rows walked are ``dataset.data``, or ``raw_data`` when
    ``data`` is ``None``; the dataset itself is not modified (the original shuffled in
    its worker processes). There is no ``seed`` argument (as in the original); each
    worker draws its permutations from its own fresh generator.

    Changed from the original (decided fix): when not chronological the sampler loops
    forever with a reshuffle per pass (the original stopped after one pass and its
    forked workers all emitted the same permutation, so ``next_batch`` then hung);
    each pass yields ``ceil(n / batch_size) - 1`` batches, like the other samplers.
    """

    def __init__(self, dataset, batch_size, num_process=5, chronological=False):
        self._check_common(dataset, batch_size, num_process, methods=())
        self._chronological = check_bool(chronological, 'chronological')
        self._seed = None
        if self._chronological:
            num_process = 1
        data = self._walk_data(dataset, ('user_id', 'item_id', 'label'), batch_size, 'batch_size')
        self._users, self._items = self._check_row_ids(dataset, data)
        if data['label'].dtype.kind not in 'iufb':
            raise ArgumentTypeError("dataset rows field 'label' must be numeric, got dtype %s"
                                    % data['label'].dtype)
        self._labels = np.array(data['label'], dtype=np.float32)
        super(ExplicitSampler, self).__init__(dataset=dataset, batch_size=batch_size,
                                              num_process=num_process)

    def _batch_source(self, rng):
        return _explicit_batches(self._users, self._items, self._labels, self._batch_size,
                                 self._chronological, rng)

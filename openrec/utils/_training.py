"""Mechanics shared by the two model trainers (private, TensorFlow-free)."""
import numbers
import sys
import warnings

import numpy as np
from tqdm import tqdm

from openrec._checks import (ArgumentError, ArgumentTypeError, check_has_methods, check_ids,
                             check_int, check_list, check_positive_int)


def echo(*parts):
    """``print(*parts)`` to stdout without breaking an active tqdm bar."""
    tqdm.write(' '.join(str(p) for p in parts), file=sys.stdout)
    sys.stdout.flush()


def check_loop(num_itr, display_itr):
    check_int(num_itr, 'num_itr', minimum=0)
    check_positive_int(display_itr, 'display_itr')


def check_dataset(value, name, methods, like='openrec.utils.ImplicitDataset'):
    """A dataset is checked by what is called on it (as the original only called
    methods), so subclasses and look-alikes of the openrec datasets work."""
    missing = [m for m in methods if not callable(getattr(value, m, None))]
    if missing:
        raise ArgumentTypeError('%s must be a dataset providing %s (like %s); got a %s '
                                'without %s' % (name, ', '.join('%s()' % m for m in methods),
                                                like, type(value).__name__,
                                                ', '.join('%s()' % m for m in missing)))
    return value


def check_datasets(eval_datasets, methods, like='openrec.utils.ImplicitDataset'):
    def item(value, name):
        check_dataset(value, name, methods, like)
        if not isinstance(getattr(value, 'name', None), str):
            raise ArgumentTypeError('%s must have a str attribute name (printed in results), '
                                    'got %r' % (name, getattr(value, 'name', None)))
    return check_list(eval_datasets, 'eval_datasets', item)


def check_evaluators(evaluators):
    def item(value, name):
        if not (hasattr(value, 'etype') and hasattr(value, 'name')
                and callable(getattr(value, 'compute', None))):
            raise ArgumentTypeError('%s must be an evaluator (etype, name and compute(), like '
                                    'openrec.utils.evaluators.Evaluator), got %r' % (name, value))
    return check_list(evaluators, 'evaluators', item)


def check_eval_users(model, eval_datasets, user_ids):
    """Evaluation users must have a row in a 0.1 recommender's user tables.

    ``model._max_user`` (set by :class:`openrec.recommenders.Recommender`) bounds the
    ids that ``user_ids(dataset)`` returns for each evaluation dataset; models without
    it are not checked. The original failed inside ``serve`` at the first evaluation,
    after training had run.
    """
    max_user = getattr(model, '_max_user', None)
    if not isinstance(max_user, numbers.Integral) or isinstance(max_user, bool):
        return
    for i, dataset in enumerate(eval_datasets):
        check_ids(np.asarray(user_ids(dataset)),
                  'eval_datasets[%d] (%r) user_id' % (i, getattr(dataset, 'name', None)),
                  max_user, "the model's max_user")


def check_sampler(sampler):
    """``None`` is accepted (evaluation-only use); :func:`require_sampler` checks it
    when training starts."""
    return None if sampler is None else check_has_methods(sampler, 'sampler', ('next_batch',))


def require_sampler(sampler, num_itr):
    if sampler is None and num_itr > 0:
        raise ArgumentError('train() needs a sampler: the trainer was built with sampler=None '
                            '(which only allows evaluation by hand)')


# disable=None: bars only on a terminal, so logs and captured output stay clean.
def iterations(num_itr):
    return tqdm(range(num_itr), desc='Training', leave=False, mininterval=0.5, file=sys.stderr,
                disable=None)


def progress(iterable, desc, total=None):
    return tqdm(iterable, desc=desc, total=total, leave=False, mininterval=0.5, file=sys.stderr,
                disable=None)


def report(dataset_name, results):
    """Print the macro average of each metric's per-user results; return ``{name: mean}``.

    An empty result list (e.g. a non-rank evaluator in implicit evaluation) averages to
    ``nan``, as in the original, without the numpy warning.
    """
    means = {}
    for name, values in results.items():
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)
            average = np.mean(values, axis=0)
        means[name] = average
        if isinstance(average, np.ndarray):
            echo('..(dataset: %s)' % dataset_name, name, ' '.join(str(v) for v in average))
        else:
            echo('..(dataset: %s)' % dataset_name, name, average)
    return means


def pause_sampler(sampler):
    """When ``train`` returns: stop the worker threads of an openrec built-in sampler
    (they restart on demand and continue their streams). Anything else is left as it is,
    as the original left every sampler: the runners of a ``_get_runner`` sampler keep
    their place across ``train`` calls, and a user sampler's ``close()`` is the user's."""
    pause = getattr(sampler, '_pause', None)
    if callable(pause):
        pause()

"""Mechanics shared by the two model trainers (private, TensorFlow-free)."""
import sys
import warnings

import numpy as np
from tqdm import tqdm

from openrec._checks import (ArgumentTypeError, check_has_methods, check_int, check_list,
                             check_positive_int)
from openrec.utils.dataset import Dataset
from openrec.utils.evaluators.evaluator import Evaluator


def echo(*parts):
    """``print(*parts)`` to stdout without breaking an active tqdm bar."""
    tqdm.write(' '.join(str(p) for p in parts), file=sys.stdout)
    sys.stdout.flush()


def check_loop(num_itr, display_itr):
    check_int(num_itr, 'num_itr', minimum=0)
    check_positive_int(display_itr, 'display_itr')


def check_datasets(eval_datasets, cls=Dataset):
    def item(value, name):
        if not isinstance(value, cls):
            raise ArgumentTypeError('%s must be an openrec.utils.%s, got %r'
                                    % (name, cls.__name__, value))
    return check_list(eval_datasets, 'eval_datasets', item)


def check_evaluators(evaluators):
    def item(value, name):
        if not isinstance(value, Evaluator):
            raise ArgumentTypeError('%s must be an openrec.utils.evaluators.Evaluator, got %r'
                                    % (name, value))
    return check_list(evaluators, 'evaluators', item)


def check_sampler(sampler):
    return check_has_methods(sampler, 'sampler', ('next_batch',))


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


def close_sampler(sampler):
    """Stop the sampler's workers if it can be closed (openrec samplers restart on demand)."""
    close = getattr(sampler, 'close', None)
    if callable(close):
        close()

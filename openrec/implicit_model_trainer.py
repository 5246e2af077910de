import os
import pickle

import numpy as np

from openrec._checks import (ArgumentError, check_has_methods,
                             check_int, check_optional_positive_int, check_positive_int,
                             check_str)
from openrec._summaries import NULL_WRITER, check_summary_dir, open_writer
from openrec.utils._training import (check_dataset, check_datasets, check_eval_users,
                                     check_evaluators, check_loop, check_sampler, echo,
                                     iterations, pause_sampler, progress, report,
                                     require_sampler)
from openrec.utils.evaluators.implicit_eval_manager import ImplicitEvalManager

# What the trainer calls on datasets (the original called only methods, never checked
# classes); contain_user and unique_user_count of evaluation datasets are used if present.
_TRAIN_DATASET_METHODS = ('max_item', 'contain_user', 'get_interactions_by_user_gb_item')
_EVAL_DATASET_METHODS = ('get_unique_user_list', 'get_interactions_by_user_gb_item')


class ImplicitModelTrainer(object):
    """Train an implicit-feedback recommender and evaluate it periodically.

    Parameters
    ----------
    batch_size : int
        Training batch size (stored, unused: the sampler sets the batch).
    test_batch_size : int
        Users scored per ``serve`` call in evaluation.
    train_dataset : ImplicitDataset
        Training interactions; ``max_item()`` is read once, here, and bounds scoring.
        Any object with the methods called on it works (as in the original):
        ``max_item()``, and for evaluation ``contain_user(user)`` and
        ``get_interactions_by_user_gb_item(user)``.
    model : object
        A recommender: ``train(batch)`` returns the loss, ``serve(dict)`` returns scores,
        ``save(prefix, step)`` checkpoints (needed only with ``eval_save_prefix``).
    sampler : object or None
        Provides ``next_batch()`` (e.g. :class:`~openrec.utils.samplers.PairwiseSampler`).
        ``None`` is accepted for evaluation by hand (see Notes); :meth:`train` then
        raises.
    item_serving_size : int, optional
        If set, items are scored in chunks of this many ids per ``serve`` call.
    eval_save_prefix : str, optional
        If set, the model is saved as ``<prefix>-<itr>`` at every evaluation and sampled
        evaluations are pickled to ``<prefix>_evaluate_partial.pickle``.
    summary_dir : str or os.PathLike, optional
        If set, :meth:`train` writes TensorBoard scalars to a new event file in this
        directory (created if missing): at every report, ``Train/loss`` (the printed
        loss) and each metric of each evaluated dataset as ``<dataset>/<metric>``, one
        scalar per cutoff ``<dataset>/<metric>@<cutoff>`` for metrics with cutoffs (e.g.
        ``Test/Recall@50``), all at the iteration printed. The file is flushed after each
        evaluation and closed when :meth:`train` returns or fails; each call writes a new
        file. None (default): nothing is written and TensorFlow is not used.

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or value.

    Notes
    -----
    ``summary_dir`` is not in the original. It is a constructor argument, like
    ``eval_save_prefix``, so that :meth:`train` keeps the original's signature; the writer
    lives for one :meth:`train` call.

    Port changes: item chunks are truncated along the item axis, so the score matrix is
    exactly ``(users, max_item)`` (the original truncated the user axis and, when
    ``max_item`` is not a multiple of ``item_serving_size``, ranked stale extra columns);
    ranking is vectorised over chunks of users with identical results.

    Evaluation by hand, as scripts evaluating a saved model did with the original: set
    ``trainer._eval_manager = ImplicitEvalManager([...])`` (and ``_num_negatives`` for
    sampled evaluation), call ``_exclude_positives(datasets)``, optionally
    ``_sample_negatives(seed)``, then ``_evaluate_full(dataset)`` or
    ``_evaluate_partial(dataset)``; each returns ``{metric name: per-user results}``.
    ``_excluded_positives`` (``{user: set of items}``) and ``_sampled_negatives``
    (``{user: list of items}``) are kept in the original's order (that of a Python set
    of the user ids), so a seeded sampled evaluation draws the original's negatives.
    Subclasses may override ``_score_full_items(users)`` and
    ``_score_partial_items(user, items)``.
    """

    def __init__(self, batch_size, test_batch_size, train_dataset, model, sampler,
                 item_serving_size=None, eval_save_prefix=None, summary_dir=None):
        self._batch_size = check_positive_int(batch_size, 'batch_size')
        self._test_batch_size = check_positive_int(test_batch_size, 'test_batch_size')
        check_dataset(train_dataset, 'train_dataset', ('max_item',))
        check_has_methods(model, 'model', ('serve',))
        self._sampler = check_sampler(sampler)
        self._item_serving_size = check_optional_positive_int(item_serving_size,
                                                              'item_serving_size')
        self._eval_save_prefix = check_str(eval_save_prefix, 'eval_save_prefix', allow_none=True)
        if self._eval_save_prefix:
            check_has_methods(model, 'model', ('serve', 'save'))
        self._train_dataset = train_dataset
        self._model = model
        self._max_item = check_positive_int(train_dataset.max_item(), 'train_dataset.max_item()')
        self._summary_dir = check_summary_dir(summary_dir)

    def train(self, num_itr, display_itr, eval_datasets=[], evaluators=[], num_negatives=None,
              seed=10):
        """Run ``num_itr`` training steps, evaluating every ``display_itr`` steps.

        Parameters
        ----------
        num_itr : int
            Number of training iterations.
        display_itr : int
            Report the loss and evaluate at iterations ``display_itr, 2 * display_itr, ...``
            strictly below ``num_itr``; "Finished" lines every
            ``max(1, display_itr // 10)`` iterations.
        eval_datasets : list of ImplicitDataset, optional
            Datasets evaluated at each evaluation point, in order. Any object with a
            ``name`` and the methods ``get_unique_user_list()`` and
            ``get_interactions_by_user_gb_item(user)`` works (``contain_user`` and
            ``unique_user_count`` are used when present, as in the original).
        evaluators : list of Evaluator, optional
            Metrics (rank evaluators; others only yield a ``nan`` line); anything with
            ``etype``, ``name`` and ``compute``.
        num_negatives : int, optional
            ``None``: full evaluation (every non-excluded item is a candidate). Otherwise
            sampled evaluation against ``num_negatives`` negatives per user, drawn once
            per call after ``np.random.seed(seed)``, one permutation per user in the
            original's user order (see the class Notes).
        seed : int, optional
            Seed of the global numpy RNG for the evaluation negatives (sampled mode).

        Returns
        -------
        dict
            ``{dataset name: {metric name: macro average over users}}`` from the last
            evaluation of each dataset (``{}`` if none happened). Averages are numpy
            scalars or arrays (one entry per cutoff), as printed.

        Raises
        ------
        TypeError, ValueError
            For bad arguments (``display_itr <= 0``, ``num_itr < 0``, ...), all checked
            before the first step (also a missing ``eval_save_prefix`` folder);
            ``ValueError`` too when an evaluation item id is outside
            ``[0, max_item)`` of ``train_dataset`` or an evaluation user id outside
            ``[0, max_user)`` of the model (an openrec ``Recommender``; the original
            failed at the first evaluation, after training) or, in sampled mode, a user
            has fewer than ``num_negatives``
            eligible negatives (the original silently mislabelled positives as
            negatives).
        RuntimeError
            From the sampler, if its workers fail.

        Notes
        -----
        Printed lines (plain text): the start banner ``== Start training with FULL
        evaluation ==`` or, in sampled mode, ``[Subsampling negative items]`` then
        ``== Start training with sampled evaluation, sample size: <num_negatives> ==``;
        ``[Itr i] Finished``, ``[Itr i] loss: <mean>``, and per dataset
        ``..(dataset: <name>) evaluation`` followed by one
        ``..(dataset: <name>) <metric> <values>`` line per metric.
        Kept from the original: the first loss window sums ``display_itr + 1`` losses
        (iterations ``0..display_itr``) but divides by ``display_itr``; there is no
        evaluation at iteration 0 nor after the last iteration. Evaluation never
        counts an item of the user's exclusion set as a competitor or negative: its
        train items plus its items in **every** dataset of ``eval_datasets``.

        Port change: ``display_itr < 10`` works (the original divided by
        ``display_itr // 10 == 0``). When ``train`` returns or fails, the worker threads
        of a built-in openrec sampler are stopped; the next call restarts them and
        continues the same streams. The runners of a ``Sampler`` subclass using the 0.1
        ``_get_runner()`` hook, and samplers of other classes, are left running, as in the
        original (a runner walking the data in order continues at the next call).
        """
        check_loop(num_itr, display_itr)
        require_sampler(self._sampler, num_itr)
        check_has_methods(self._model, 'model', ('train', 'serve'))
        check_datasets(eval_datasets, _EVAL_DATASET_METHODS)
        check_eval_users(self._model, eval_datasets, lambda d: d.get_unique_user_list())
        if eval_datasets:
            check_dataset(self._train_dataset, 'train_dataset', _TRAIN_DATASET_METHODS)
        check_evaluators(evaluators)
        num_negatives = check_optional_positive_int(num_negatives, 'num_negatives')
        if self._eval_save_prefix and num_itr > display_itr:
            folder = os.path.dirname(self._eval_save_prefix)
            if folder and not os.path.isdir(folder):
                raise ArgumentError('eval_save_prefix %r: the folder %r does not exist (the '
                                    'model is saved there at every evaluation)'
                                    % (self._eval_save_prefix, folder))
        if seed is not None:
            check_int(seed, 'seed', minimum=0)
            if seed >= 2 ** 32:
                raise ArgumentError('seed must be below 2**32 (np.random.seed), got %r' % (seed,))

        acc_loss = 0
        self._eval_manager = ImplicitEvalManager(evaluators=evaluators)
        self._num_negatives = num_negatives
        self._exclude_positives(eval_datasets)
        self._check_excluded(num_negatives)
        if num_negatives is None:
            echo('== Start training with FULL evaluation ==')
        else:
            self._sample_negatives(seed=seed)
            echo('== Start training with sampled evaluation, sample size: %d ==' % num_negatives)

        finished_every = max(1, display_itr // 10)
        last_results = {}
        summaries = NULL_WRITER
        try:
            summaries = open_writer(self._summary_dir)
            for itr in iterations(num_itr):
                batch_data = self._sampler.next_batch()
                acc_loss += self._model.train(batch_data)
                if itr > 0 and itr % finished_every == 0:
                    echo('[Itr %d] Finished' % itr)
                if itr > 0 and itr % display_itr == 0:
                    if self._eval_save_prefix:
                        self._model.save(self._eval_save_prefix, itr)
                    echo('[Itr %d]' % itr, 'loss: %f' % (acc_loss / display_itr))
                    summaries.scalar('Train/loss', acc_loss / display_itr, itr)
                    for dataset in eval_datasets:
                        echo('..(dataset: %s) evaluation' % dataset.name)
                        if num_negatives is None:
                            results = self._evaluate_full(eval_dataset=dataset)
                        else:
                            results = self._evaluate_partial(eval_dataset=dataset)
                        last_results[dataset.name] = report(dataset.name, results)
                        summaries.metrics(dataset.name, last_results[dataset.name], evaluators,
                                          itr)
                    summaries.flush()
                    acc_loss = 0
        finally:
            pause_sampler(self._sampler)
            summaries.close()
        return last_results

    # ------------------------------------------------------------------------------
    # Evaluation steps. Scripts that evaluate a saved model call these by hand, as with
    # the original: set ``_eval_manager`` (and ``_num_negatives`` for sampled
    # evaluation), then ``_exclude_positives(datasets)``, ``_sample_negatives(seed)``,
    # ``_evaluate_full(dataset)`` / ``_evaluate_partial(dataset)``.
    # ------------------------------------------------------------------------------

    def _exclude_positives(self, eval_datasets):
        """Set ``_excluded_positives``: ``{user: set of items}`` for every user of
        ``eval_datasets``, its train items and its items in every evaluation dataset.

        Parameters
        ----------
        eval_datasets : list of ImplicitDataset
            The datasets whose users are evaluated (all of them, also when only one is
            evaluated: their items never act as competitors or negatives).

        Notes
        -----
        The same container operations as the original, in the same order: the dict
        order (that of a Python set of the user ids, ascending only for small dense ids)
        decides which user gets which permutation in :meth:`_sample_negatives`.
        """
        user_set = set()
        for dataset in eval_datasets:
            user_set = user_set.union(dataset.get_unique_user_list())
        self._excluded_positives = {}
        for user in user_set:
            if self._train_dataset.contain_user(user):
                self._excluded_positives[user] = \
                    self._train_dataset.get_interactions_by_user_gb_item(user)
            else:
                self._excluded_positives[user] = set()
            for dataset in eval_datasets:
                if _contains_user(dataset, user):
                    self._excluded_positives[user] = self._excluded_positives[user].union(
                        dataset.get_interactions_by_user_gb_item(user))

    def _check_excluded(self, num_negatives):
        """Every train/evaluation item must be a scored id (the original failed with an
        IndexError at the first evaluation); sampled mode needs enough negatives."""
        for user, items in self._excluded_positives.items():
            items = _id_array(items)
            bad = items[(items < 0) | (items >= self._max_item)]
            if len(bad):
                raise ArgumentError('user %d has item id %d in train_dataset or eval_datasets, '
                                    'outside [0, max_item=%d) of train_dataset (the ids '
                                    'scored): it could not be evaluated'
                                    % (user, bad[0], self._max_item))
            eligible = self._max_item - len(items)
            if num_negatives is not None and eligible < num_negatives:
                raise ArgumentError('num_negatives=%d exceeds the %d items user %d can have as '
                                    'negatives (max_item=%d minus its train/evaluation items)'
                                    % (num_negatives, eligible, user, self._max_item))

    def _sample_negatives(self, seed):
        """Set ``_sampled_negatives``: ``{user: list of item ids}``.

        After ``np.random.seed(seed)`` (global numpy RNG), each user of
        ``_excluded_positives``, in its order, gets the first ``_num_negatives`` items of
        one ``np.random.permutation(max_item)`` that are not excluded (all of them if
        ``_num_negatives`` is None). Call :meth:`_exclude_positives` first.

        Parameters
        ----------
        seed : int or None
            Seed of the global numpy RNG.
        """
        echo('[Subsampling negative items]')
        np.random.seed(seed)
        self._sampled_negatives = {}
        for user, excluded in progress(self._excluded_positives.items(), desc='Negatives',
                                       total=len(self._excluded_positives)):
            perm = np.random.permutation(self._max_item)
            keep = perm[~np.isin(perm, _id_array(excluded))]
            self._sampled_negatives[user] = list(keep[:self._num_negatives])

    def _score_full_items(self, users):
        """Scores of ``users`` against every item id: shape ``(len(users), max_item)``."""
        if self._item_serving_size is None:
            scores = self._model.serve({'user_id_input': users,
                                        'item_id_input': np.arange(self._max_item)})
        else:
            chunks = []
            item_buffer = np.zeros(self._item_serving_size, dtype=np.int32)
            for start in range(0, self._max_item, self._item_serving_size):
                count = min(self._item_serving_size, self._max_item - start)
                item_buffer[:count] = np.arange(start, start + count)
                served = np.asarray(self._model.serve({'user_id_input': users,
                                                       'item_id_input': item_buffer}))
                chunks.append(served[:, :count])
            scores = np.concatenate(chunks, axis=1)
        scores = np.asarray(scores)
        if scores.shape != (len(users), self._max_item):
            raise ValueError('model.serve returned scores of shape %s; expected (%d users, '
                             'max_item=%d items)' % (scores.shape, len(users), self._max_item))
        return scores

    def _score_partial_items(self, user, items):
        """Scores of one user's ``items`` (a list of item ids)."""
        if self._item_serving_size is None:
            return np.asarray(self._model.serve({'user_id_input': [user],
                                                 'item_id_input': np.arange(self._max_item)})
                              )[0][np.array(items)]
        return np.asarray(self._model.serve({'user_id_input': [user],
                                             'item_id_input': np.array(items)}))[0]

    def _new_results(self):
        return {evaluator.name: [] for evaluator in self._eval_manager.evaluators}

    def _user_chunks(self, eval_dataset):
        users = eval_dataset.get_unique_user_list()
        count = (eval_dataset.unique_user_count() if callable(
            getattr(eval_dataset, 'unique_user_count', None)) else len(users))
        starts = range(0, count, self._test_batch_size)
        for start in progress(starts, desc='Evaluation (%s)' % eval_dataset.name):
            chunk = users[start:min(start + self._test_batch_size, count)]
            if len(chunk):
                yield chunk

    def _evaluate_full(self, eval_dataset):
        """Evaluate ``eval_dataset`` against every item that is not excluded.

        Users are scored in chunks of ``test_batch_size`` (:meth:`_score_full_items`);
        needs ``_eval_manager`` and :meth:`_exclude_positives`.

        Parameters
        ----------
        eval_dataset : ImplicitDataset
            The dataset evaluated (its users and positives).

        Returns
        -------
        dict
            ``{metric name: list of per-user results}``, keys in evaluator order.
        """
        results = self._new_results()
        manager = self._eval_manager
        batched = (type(manager).full_eval is ImplicitEvalManager.full_eval
                   and callable(getattr(manager, 'full_eval_batch', None)))
        for chunk in self._user_chunks(eval_dataset):
            scores = self._score_full_items(chunk)
            positives = [list(eval_dataset.get_interactions_by_user_gb_item(u)) for u in chunk]
            excluded = [self._excluded_positives[u] for u in chunk]
            if batched:
                per_user = manager.full_eval_batch(positives, excluded, scores)
            else:  # a custom manager's full_eval, called as the original did
                per_user = [manager.full_eval(pos_samples=p, excl_pos_samples=e,
                                              predictions=row)
                            for p, e, row in zip(positives, excluded, scores)]
            for user_results in per_user:
                for name, value in user_results.items():
                    results[name].append(value)
        return results

    def _partial_scores(self, users, user_items):
        # Scoring a chunk of users at once is much faster than one serve() per user; a
        # subclass overriding a scoring hook gets the original's per-user calls.
        cls = type(self)
        if (self._item_serving_size is None
                and cls._score_partial_items is ImplicitModelTrainer._score_partial_items
                and cls._score_full_items is ImplicitModelTrainer._score_full_items):
            all_scores = self._score_full_items(users)
            return [all_scores[i][np.array(items)] for i, items in enumerate(user_items)]
        return [self._score_partial_items(user, items) for user, items in zip(users, user_items)]

    def _evaluate_partial(self, eval_dataset):
        """Evaluate ``eval_dataset`` against each user's sampled negatives.

        Parameters and result as :meth:`_evaluate_full`. Needs ``_eval_manager``,
        ``_num_negatives``, :meth:`_exclude_positives` and :meth:`_sample_negatives`.
        With ``eval_save_prefix`` the scores are pickled to
        ``<eval_save_prefix>_evaluate_partial.pickle`` (as the original).

        Notes
        -----
        Each user's scores are split into negatives and positives at the number of
        negatives actually drawn for it (the original split at ``_num_negatives`` and
        counted positives as negatives when fewer were found; :meth:`train` rejects
        that case).
        """
        results = self._new_results()
        users = eval_dataset.get_unique_user_list()
        saved_items, saved_scores = {}, {}
        starts = range(0, len(users), self._test_batch_size)
        for start in progress(starts, desc='Evaluation (%s)' % eval_dataset.name):
            chunk = users[start:start + self._test_batch_size]
            chunk_items = [self._sampled_negatives[u]
                           + list(eval_dataset.get_interactions_by_user_gb_item(u))
                           for u in chunk]
            for user, items, scores in zip(chunk, chunk_items,
                                           self._partial_scores(chunk, chunk_items)):
                # split at the user's actual negative count (the original split at
                # _num_negatives, mislabelling positives when fewer were found)
                split = len(self._sampled_negatives[user])
                user_results = self._eval_manager.partial_eval(pos_scores=scores[split:],
                                                               neg_scores=scores[:split])
                for name, value in user_results.items():
                    results[name].append(value)
                saved_items[int(user)] = items
                saved_scores[int(user)] = scores
        if self._eval_save_prefix:
            with open(self._eval_save_prefix + '_evaluate_partial.pickle', 'wb') as f:
                pickle.dump({'num_negatives': self._num_negatives,
                             'users': [int(u) for u in users],
                             'user_items': saved_items,
                             'results': saved_scores}, f)
        return results


def _contains_user(dataset, user):
    contain = getattr(dataset, 'contain_user', None)
    if callable(contain):
        return contain(user)
    try:
        dataset.get_interactions_by_user_gb_item(user)
    except KeyError:
        return False
    return True


def _id_array(items):
    return (items if isinstance(items, np.ndarray)
            else np.fromiter(items, dtype=np.int64, count=len(items)))

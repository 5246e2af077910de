import numpy as np

from openrec._checks import (ArgumentError, ArgumentTypeError, check_fields,
                             check_has_methods, check_ids, check_positive_int)
from openrec._summaries import NULL_WRITER, check_summary_dir, open_writer
from openrec.utils._training import (check_dataset, check_datasets, check_eval_users,
                                     check_evaluators, check_loop, check_sampler, echo,
                                     iterations, pause_sampler, report, require_sampler)


def _pair_predictions(scores, count):
    """One prediction per (user_i, item_i) pair from ``serve``'s output.

    An all-pairs ``[T, T]`` matrix (users x items, as ItrMLP serves) contributes its
    diagonal; anything else is flattened.
    """
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[0] == scores.shape[1]:
        scores = np.diagonal(scores)
    return scores.reshape(-1)[:count]


class ItrMLPModelTrainer(object):
    """Train an explicit-feedback model with periodic embedding updates (ItrMLP).

    Parameters
    ----------
    batch_size : int
        Training batch size; used for the printed ``mse`` (see :meth:`train`).
    test_batch_size : int
        Rows per ``serve`` call in evaluation.
    train_dataset : Dataset
        Training data (``max_item()`` is read, otherwise unused; any object with that
        method works).
    model : object
        Provides ``train(batch)`` (returns the loss), ``serve(dict)`` and
        ``update_embeddings()``.
    sampler : object or None
        Provides ``next_batch()`` (e.g. :class:`~openrec.utils.samplers.ExplicitSampler`);
        ``None`` only allows ``train(num_itr=0, ...)``.
    summary_dir : str or os.PathLike, optional
        If set, :meth:`train` writes TensorBoard scalars to a new event file in this
        directory (created if missing): at every report, ``Train/loss`` and ``Train/mse``
        (the printed values) and each metric of each evaluated dataset as
        ``<dataset>/<metric>`` (e.g. ``Test/MSE``), all at the iteration printed. The file
        is flushed after each evaluation and closed when :meth:`train` returns or fails;
        each call writes a new file. None (default): nothing is written and TensorFlow is
        not used.

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or value.

    Notes
    -----
    ``summary_dir`` is not in the original: a trailing constructor argument, so that
    :meth:`train` keeps the original's signature (as :class:`ImplicitModelTrainer`).
    """

    def __init__(self, batch_size, test_batch_size, train_dataset, model, sampler,
                 summary_dir=None):
        self._batch_size = check_positive_int(batch_size, 'batch_size')
        self._test_batch_size = check_positive_int(test_batch_size, 'test_batch_size')
        check_dataset(train_dataset, 'train_dataset', ('max_item',), like='openrec.utils.Dataset')
        self._model = check_has_methods(model, 'model', ('train', 'serve', 'update_embeddings'))
        self._sampler = check_sampler(sampler)
        self._train_dataset = train_dataset
        self._max_item = train_dataset.max_item()
        self._summary_dir = check_summary_dir(summary_dir)

    def train(self, num_itr, display_itr, update_itr, eval_datasets=[], evaluators=[]):
        """Run ``num_itr`` training steps with periodic evaluation and embedding updates.

        Parameters
        ----------
        num_itr : int
            Number of training iterations.
        display_itr : int
            Report and evaluate at iterations ``display_itr, 2 * display_itr, ...`` strictly
            below ``num_itr``.
        update_itr : int
            Call ``model.update_embeddings()`` at iterations ``update_itr, 2 * update_itr,
            ...`` (after the evaluation when both fall on the same iteration).
        eval_datasets : list of Dataset, optional
            Datasets with ``user_id``, ``item_id`` and ``label`` fields, each with at least
            ``test_batch_size`` rows: any object with a ``name`` and its rows in ``data``
            (or ``raw_data``) works.
        evaluators : list of Evaluator, optional
            Regression evaluators (``compute(predictions, labels)``, e.g. ``MSE``).

        Returns
        -------
        dict
            ``{dataset name: {metric name: mean over evaluated rows}}`` from the last
            evaluation of each dataset (``{}`` if none happened).

        Raises
        ------
        TypeError
            For arguments of the wrong type, including a non-regression evaluator.
        ValueError
            For ``display_itr``/``update_itr <= 0``, ``num_itr < 0``, an evaluation
            dataset lacking a field, with fewer rows than ``test_batch_size`` or with ids
            outside ``train_dataset``'s ``[0, max_user)`` / ``[0, max_item)`` or (for an
            openrec ``Recommender``) the model's ``[0, max_user)``; all checked before
            the first step (the original failed at the first evaluation).
        RuntimeError
            From the sampler, if its workers fail.

        Notes
        -----
        Printed per evaluation: ``[Itr i] loss: <acc/display_itr> mse: <acc*2/(display_itr
        * batch_size)>`` (the ``mse`` assumes the loss is half the summed squared error of
        a batch), then per dataset a header and one line per metric. The first loss window
        sums ``display_itr + 1`` losses (kept from the original).

        Evaluation reads ``eval_dataset.data`` (``raw_data`` if ``data`` is ``None``; the
        original crashed) in order, in full batches of ``test_batch_size`` rows; trailing
        rows are not evaluated (kept). ``serve`` is expected to return one prediction per
        (user_i, item_i) pair; an all-pairs ``[T, T]`` matrix (ItrMLP's serving output,
        users by items) contributes its diagonal (the original broadcast it against the
        labels and printed a meaningless vector). ``serve`` is called once per batch (the
        original repeated the same call for every evaluator). When ``train`` returns or
        fails, the worker threads of a built-in openrec sampler are stopped (the next call
        continues their streams); ``_get_runner()`` samplers and samplers of other classes
        are left running, as in the original.
        """
        check_loop(num_itr, display_itr)
        require_sampler(self._sampler, num_itr)
        check_positive_int(update_itr, 'update_itr')
        check_datasets(eval_datasets, (), like='openrec.utils.Dataset')
        check_evaluators(evaluators)
        for i, evaluator in enumerate(evaluators):
            if evaluator.etype != 'regression':
                raise ArgumentTypeError(
                    'evaluators[%d] (%s) has etype %r; ItrMLPModelTrainer only computes '
                    'regression evaluators (compute(predictions, labels), e.g. MSE)'
                    % (i, evaluator.name, evaluator.etype))
        for i, dataset in enumerate(eval_datasets):
            data = self._eval_rows(dataset)
            if not isinstance(data, np.ndarray):
                raise ArgumentTypeError('eval_datasets[%d] must hold its rows in data (or '
                                        'raw_data) as a numpy structured array, got %r'
                                        % (i, type(data).__name__))
            check_fields(data, ('user_id', 'item_id', 'label'), 'eval_datasets[%d] data' % i)
            if len(data) < self._test_batch_size:
                raise ArgumentError('eval_datasets[%d] (%r) has %d rows, fewer than '
                                    'test_batch_size=%d: nothing would be evaluated'
                                    % (i, dataset.name, len(data), self._test_batch_size))
            self._check_eval_rows(data, i)
        check_eval_users(self._model, eval_datasets, lambda d: self._eval_rows(d)['user_id'])

        acc_loss = 0
        last_results = {}
        summaries = NULL_WRITER
        try:
            summaries = open_writer(self._summary_dir)
            for itr in iterations(num_itr):
                batch_data = self._sampler.next_batch()
                acc_loss += self._model.train(batch_data)
                if itr > 0 and itr % display_itr == 0:
                    mse = acc_loss * 2.0 / (display_itr * self._batch_size)
                    echo('[Itr %d]' % itr, 'loss: %f' % (acc_loss / display_itr), 'mse: %f' % mse)
                    summaries.scalar('Train/loss', acc_loss / display_itr, itr)
                    summaries.scalar('Train/mse', mse, itr)
                    for dataset in eval_datasets:
                        echo('..(dataset: %s) evaluation' % dataset.name)
                        last_results[dataset.name] = report(dataset.name,
                                                            self._evaluate(dataset, evaluators))
                        summaries.metrics(dataset.name, last_results[dataset.name], evaluators,
                                          itr)
                    summaries.flush()
                    acc_loss = 0
                if itr > 0 and itr % update_itr == 0:
                    self._model.update_embeddings()
        finally:
            pause_sampler(self._sampler)
            summaries.close()
        return last_results

    def _check_eval_rows(self, data, i):
        """Evaluated ids must lie in the training tables (``train_dataset``'s bounds)."""
        max_user = getattr(self._train_dataset, 'max_user', None)
        bounds = (('user_id', max_user() if callable(max_user) else np.iinfo(np.int32).max,
                   'train_dataset.max_user()'),
                  ('item_id', self._max_item, 'train_dataset.max_item()'))
        for field, bound, bound_name in bounds:
            check_ids(np.asarray(data[field]), 'eval_datasets[%d] field %r' % (i, field), bound,
                      bound_name)
        if data['label'].dtype.kind not in 'iufb':
            raise ArgumentTypeError("eval_datasets[%d] field 'label' must be numeric, got "
                                    "dtype %s" % (i, data['label'].dtype))

    @staticmethod
    def _eval_rows(dataset):
        data = getattr(dataset, 'data', None)
        return data if data is not None else getattr(dataset, 'raw_data', None)

    def _evaluate(self, eval_dataset, evaluators):
        data = self._eval_rows(eval_dataset)
        size = self._test_batch_size
        user_buffer = np.zeros(size, dtype=np.int32)
        item_buffer = np.zeros(size, dtype=np.int32)
        collected = {evaluator.name: [] for evaluator in evaluators}
        for start in range(0, (len(data) // size) * size, size):
            rows = data[start:start + size]
            user_buffer[:] = rows['user_id']
            item_buffer[:] = rows['item_id']
            predictions = _pair_predictions(
                self._model.serve({'user_id_input': user_buffer, 'item_id_input': item_buffer}),
                len(rows))
            for evaluator in evaluators:
                collected[evaluator.name].append(
                    evaluator.compute(predictions=predictions, labels=rows['label']))
        return {name: np.concatenate(values) for name, values in collected.items()}

import numpy as np

from openrec.utils.evaluators.evaluator import Evaluator


class MSE(Evaluator):
    """Squared errors of regression predictions.

    Parameters
    ----------
    name : str, optional
        Key of the metric in evaluation results.

    Notes
    -----
    :meth:`compute` returns the elementwise squared errors, **not** their mean (as in
    the original); trainers average them.
    """

    def __init__(self, name='MSE'):
        super(MSE, self).__init__(etype='regression', name=name)

    def compute(self, predictions, labels):
        """Return ``(predictions - labels) ** 2`` elementwise."""
        return np.square(np.asarray(predictions) - np.asarray(labels))

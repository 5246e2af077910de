from openrec._checks import check_str


class Evaluator(object):
    """Base class of the evaluation metrics.

    Parameters
    ----------
    etype : str
        ``'rank'`` (``compute(rank_above, negative_num)``, one user's ranking) or
        ``'regression'`` (``compute(predictions, labels)``).
    name : str
        Key of the metric in evaluation results.

    Attributes
    ----------
    etype : str
    name : str
    """

    def __init__(self, etype, name):
        self.etype = check_str(etype, 'etype')
        self.name = check_str(name, 'name')

    def compute(self):
        """Compute the metric (subclass hook); the base returns ``None``."""
        return None

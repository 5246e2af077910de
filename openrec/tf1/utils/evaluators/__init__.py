"""Evaluation metrics and ``EvalManager`` of the OpenRec 0.2 API.

The metric classes are those of :mod:`openrec.utils.evaluators` (OpenRec 0.2 shipped the
0.1 code unchanged); :class:`EvalManager` is the 0.2 manager, in which positives never
compete with each other. Exports in the original's order.
"""
from openrec.tf1.utils.evaluators.evaluator import Evaluator
from openrec.tf1.utils.evaluators.auc import AUC
from openrec.tf1.utils.evaluators.recall import Recall
from openrec.tf1.utils.evaluators.eval_manager import EvalManager
from openrec.tf1.utils.evaluators.mse import MSE
from openrec.tf1.utils.evaluators.ndcg import NDCG
from openrec.tf1.utils.evaluators.precision import Precision

__all__ = ['Evaluator', 'AUC', 'Recall', 'EvalManager', 'MSE', 'NDCG', 'Precision']

"""Evaluation metrics and the implicit-feedback evaluation manager."""
from openrec.utils.evaluators.evaluator import Evaluator
from openrec.utils.evaluators.auc import AUC
from openrec.utils.evaluators.recall import Recall
from openrec.utils.evaluators.precision import Precision
from openrec.utils.evaluators.ndcg import NDCG
from openrec.utils.evaluators.mse import MSE
from openrec.utils.evaluators.implicit_eval_manager import ImplicitEvalManager

from openrec._tf1_hints import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)   # OpenRec 0.2 names: say where they are

"""``AUC``, the area under the ROC curve (OpenRec 0.2 path).

OpenRec 0.2 shipped the 0.1 evaluator code unchanged, so this is the very class of
:mod:`openrec.utils.evaluators.auc`: one class, two import paths.
"""
from openrec.utils.evaluators.auc import AUC

__all__ = ['AUC']

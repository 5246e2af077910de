"""``Recall``, the recall at cutoffs (OpenRec 0.2 path).

OpenRec 0.2 shipped the 0.1 evaluator code unchanged, so this is the very class of
:mod:`openrec.utils.evaluators.recall`: one class, two import paths.
"""
from openrec.utils.evaluators.recall import Recall

__all__ = ['Recall']

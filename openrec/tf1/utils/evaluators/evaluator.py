"""``Evaluator``, the base class of the evaluation metrics (OpenRec 0.2 path).

OpenRec 0.2 shipped the 0.1 evaluator code unchanged, so this is the very class of
:mod:`openrec.utils.evaluators.evaluator`: one class, two import paths.
"""
from openrec.utils.evaluators.evaluator import Evaluator

__all__ = ['Evaluator']

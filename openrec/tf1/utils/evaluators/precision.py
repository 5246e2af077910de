"""``Precision``, the precision at cutoffs (OpenRec 0.2 path).

OpenRec 0.2 shipped the 0.1 evaluator code unchanged, so this is the very class of
:mod:`openrec.utils.evaluators.precision`: one class, two import paths.
"""
from openrec.utils.evaluators.precision import Precision

__all__ = ['Precision']

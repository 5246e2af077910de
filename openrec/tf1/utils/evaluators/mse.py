"""``MSE``, the squared errors of regression predictions (OpenRec 0.2 path).

OpenRec 0.2 shipped the 0.1 evaluator code unchanged, so this is the very class of
:mod:`openrec.utils.evaluators.mse`: one class, two import paths.
"""
from openrec.utils.evaluators.mse import MSE

__all__ = ['MSE']

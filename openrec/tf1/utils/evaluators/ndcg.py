"""``NDCG``, the normalised discounted cumulative gain at cutoffs (OpenRec 0.2 path).

OpenRec 0.2 shipped the 0.1 evaluator code unchanged, so this is the very class of
:mod:`openrec.utils.evaluators.ndcg`: one class, two import paths.
"""
from openrec.utils.evaluators.ndcg import NDCG

__all__ = ['NDCG']

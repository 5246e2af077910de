"""The OpenRec 0.2 API, at the import paths of OpenRec release 0.3.0 (``openrec.tf1``).

Recommenders are declared as subgraphs with decorators (:mod:`openrec.tf1.recommenders`),
trained by :class:`~openrec.tf1.model_trainer.ModelTrainer` with the function samplers of
:mod:`openrec.tf1.utils.samplers`, and served fast by
:class:`~openrec.tf1.fast_dot_product_server.FastDotProductServer`.

``ModelTrainer`` and ``FastDotProductServer`` are exported here (as in 0.3.0) and also from
the top-level ``openrec`` package (as in 0.2.x). Both are imported on first access, so
``import openrec.tf1`` (and ``openrec.tf1.legacy``, the 0.1 API) stays light.
"""
import importlib

__all__ = ['ModelTrainer', 'FastDotProductServer']

_LAZY = {
    'ModelTrainer': 'openrec.tf1.model_trainer',
    'FastDotProductServer': 'openrec.tf1.fast_dot_product_server',
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


def __dir__():
    return sorted(set(globals()) | set(__all__))

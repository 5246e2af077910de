"""openrec: OpenRec recommenders on TensorFlow 2.x (``tensorflow.compat.v1``, graph mode).

The OpenRec 0.1 API lives at ``openrec.*`` (as 0.1 had it), and also, as the same
module objects, at the later paths ``openrec.legacy.*`` (0.2.x) and ``openrec.tf1.legacy.*``
(0.3.0); the OpenRec 0.2 API at ``openrec.tf1.*`` (as release 0.3.0 had it). ``ModelTrainer`` and ``FastDotProductServer``
of the 0.2 API are also importable from here, as in OpenRec 0.2.x and in the 0.3.0 example
scripts; they are imported on first access.
"""
__version__ = '0.1.1'
from openrec.implicit_model_trainer import ImplicitModelTrainer
from openrec.itr_mlp_model_trainer import ItrMLPModelTrainer
from openrec._tf1_hints import module_getattr as _module_getattr

_TF1_NAMES = ('ModelTrainer', 'FastDotProductServer')
_no_attribute = _module_getattr(__name__)   # OpenRec 0.2 module names: say where they are


def __getattr__(name):
    if name in _TF1_NAMES:
        import openrec.tf1
        value = getattr(openrec.tf1, name)
        globals()[name] = value
        return value
    return _no_attribute(name)

"""The OpenRec 0.1 API at the import paths of OpenRec 0.2.x (``openrec.legacy``).

Every 0.1 module is importable here too, down to the submodules
(``openrec.legacy.recommenders.bpr``, ``openrec.legacy.utils.samplers``, ...), as the very
module object of ``openrec.*``: ``openrec.legacy.recommenders.BPR is
openrec.recommenders.BPR``. Nothing is imported before it is asked for.
"""
from openrec._legacy_paths import install

__getattr__ = install(__name__)

from openrec.legacy.implicit_model_trainer import ImplicitModelTrainer  # noqa: E402
from openrec.legacy.itr_mlp_model_trainer import ItrMLPModelTrainer  # noqa: E402

__all__ = ['ImplicitModelTrainer', 'ItrMLPModelTrainer']

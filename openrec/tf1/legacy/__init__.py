"""The OpenRec 0.1 API at the import paths of OpenRec 0.3.0 (``openrec.tf1.legacy``).

Every 0.1 module is importable here too, down to the submodules
(``openrec.tf1.legacy.modules.extractions.latent_factor``, ...), as the very module
object of ``openrec.*``: ``openrec.tf1.legacy.recommenders.BPR is
openrec.recommenders.BPR``. Nothing of the 0.2 API (the rest of ``openrec.tf1``) is
imported, and nothing of the 0.1 API before it is asked for.
"""
from openrec._legacy_paths import install

__getattr__ = install(__name__)

from openrec.tf1.legacy.implicit_model_trainer import ImplicitModelTrainer  # noqa: E402
from openrec.tf1.legacy.itr_mlp_model_trainer import ItrMLPModelTrainer  # noqa: E402

__all__ = ['ImplicitModelTrainer', 'ItrMLPModelTrainer']

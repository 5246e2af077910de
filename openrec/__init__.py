"""openrec: OpenRec 0.1 recommenders on TensorFlow 2.x (``tensorflow.compat.v1``, graph mode)."""
__version__ = '0.1.1'
from openrec.implicit_model_trainer import ImplicitModelTrainer
from openrec.itr_mlp_model_trainer import ItrMLPModelTrainer

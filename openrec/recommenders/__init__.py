"""Recommenders: complete models assembled from modules, each with its own graph and session."""
from openrec.recommenders.recommender import Recommender
from openrec.recommenders.bpr import BPR
from openrec.recommenders.pmf import PMF
from openrec.recommenders.nbpr import NBPR
from openrec.recommenders.concat_visual_bpr import ConcatVisualBPR
from openrec.recommenders.visual_pmf import VisualPMF
from openrec.recommenders.cdl import CDL
from openrec.recommenders.cml import CML
from openrec.recommenders.wcml import WCML
from openrec.recommenders.visual_bpr import VisualBPR
from openrec.recommenders.visual_cml import VisualCML
from openrec.recommenders.gmf import GMF
from openrec.recommenders.visual_gmf import VisualGMF
from openrec.recommenders.user_pmf import UserPMF
from openrec.recommenders.user_visual_pmf import UserVisualPMF
from openrec.recommenders.itr_mlp import ItrMLP

__all__ = ['Recommender', 'BPR', 'PMF', 'NBPR', 'ConcatVisualBPR', 'VisualPMF', 'CDL', 'CML',
           'WCML', 'VisualBPR', 'VisualCML', 'GMF', 'VisualGMF', 'UserPMF', 'UserVisualPMF',
           'ItrMLP']

from openrec._tf1_hints import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)   # OpenRec 0.2 names: say where they are

"""Interaction modules: score users against items and define the training losses.

``NsEuDist`` (spelled like ``NsLog``) is an alias of :class:`NSEuDist`, the original's name.
"""
from openrec.modules.interactions.interaction import Interaction
from openrec.modules.interactions.pairwise_log import PairwiseLog
from openrec.modules.interactions.pairwise_hinge import PairwiseHinge
from openrec.modules.interactions.pairwise_eu_dist import PairwiseEuDist
from openrec.modules.interactions.ns_log import NsLog
from openrec.modules.interactions.ns_eu_dist import NSEuDist, NsEuDist
from openrec.modules.interactions.pointwise_mse import PointwiseMSE
from openrec.modules.interactions.pointwise_ge_ce import PointwiseGeCE
from openrec.modules.interactions.pointwise_mlp_ce import PointwiseMLPCE
from openrec.modules.interactions.pointwise_ge_mlp_ce import PointwiseGeMLPCE

__all__ = ['Interaction', 'PairwiseLog', 'PairwiseHinge', 'PairwiseEuDist', 'NsLog', 'NsEuDist',
           'NSEuDist', 'PointwiseMSE', 'PointwiseGeCE', 'PointwiseMLPCE', 'PointwiseGeMLPCE']

from openrec._tf1_hints import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)   # OpenRec 0.2 names: say where they are

"""Background batch samplers for training."""
from openrec.utils.samplers.sampler import Sampler
from openrec.utils.samplers.pairwise_sampler import PairwiseSampler
from openrec.utils.samplers.n_pairwise_sampler import NPairwiseSampler
from openrec.utils.samplers.pointwise_sampler import PointwiseSampler
from openrec.utils.samplers.explicit_sampler import ExplicitSampler

from openrec._tf1_hints import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)   # OpenRec 0.2 names: say where they are

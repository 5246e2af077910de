"""Batch samplers of the OpenRec 0.2 API.

:class:`Sampler` runs a batch generator function in background workers; the other names
are factory functions returning ``Sampler`` instances for the built-in batch layouts.
"""
from openrec.tf1.utils.samplers.sampler import Sampler
from openrec.tf1.utils.samplers.random_pairwise_sampler import RandomPairwiseSampler
from openrec.tf1.utils.samplers.vbpr_pairwise_sampler import VBPRPairwiseSampler
from openrec.tf1.utils.samplers.random_pointwise_sampler import RandomPointwiseSampler
from openrec.tf1.utils.samplers.stratified_pointwise_sampler import StratifiedPointwiseSampler
from openrec.tf1.utils.samplers.evaluation_sampler import EvaluationSampler
from openrec.tf1.utils.samplers.vbpr_evaluation_sampler import VBPREvaluationSampler
from openrec.tf1.utils.samplers.temporal_sampler import TemporalSampler
from openrec.tf1.utils.samplers.temporal_evaluation_sampler import TemporalEvaluationSampler
from openrec.tf1.utils.samplers.youtube_sampler import YouTubeSampler
from openrec.tf1.utils.samplers.youtube_evaluation_sampler import YouTubeEvaluationSampler

"""Interaction functions of the OpenRec 0.2 API: losses and scores, registered on a subgraph."""
from openrec.tf1.modules.interactions.pairwise_log import PairwiseLog
from openrec.tf1.modules.interactions.pairwise_eu_dist import PairwiseEuDist
from openrec.tf1.modules.interactions.pointwise_mse import PointwiseMSE
from openrec.tf1.modules.interactions.mlp_softmax import MLPSoftmax
from openrec.tf1.modules.interactions.rnn_softmax import RNNSoftmax
from openrec.tf1.modules.interactions.pointwise_mlp_ce import PointwiseMLPCE

__all__ = ['PairwiseLog', 'PairwiseEuDist', 'PointwiseMSE', 'MLPSoftmax', 'RNNSoftmax',
           'PointwiseMLPCE']

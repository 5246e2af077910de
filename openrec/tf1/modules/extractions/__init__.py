"""Extraction functions of the OpenRec 0.2 API: embeddings and fully-connected layers."""
from openrec.tf1.modules.extractions.latent_factor import LatentFactor
from openrec.tf1.modules.extractions.multi_layer_fc import MultiLayerFC

__all__ = ['LatentFactor', 'MultiLayerFC']

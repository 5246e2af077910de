"""Extraction modules: map ids or features to representations."""
from openrec.modules.extractions.extraction import Extraction
from openrec.modules.extractions.look_up import LookUp
from openrec.modules.extractions.identity_mapping import IdentityMapping
from openrec.modules.extractions.latent_factor import LatentFactor
from openrec.modules.extractions.multi_layer_fc import MultiLayerFC
from openrec.modules.extractions.sdae import SDAE
from openrec.modules.extractions.temporal_latent_factor import TemporalLatentFactor

__all__ = ['Extraction', 'LookUp', 'IdentityMapping', 'LatentFactor', 'MultiLayerFC', 'SDAE',
           'TemporalLatentFactor']

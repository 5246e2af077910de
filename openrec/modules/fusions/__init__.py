"""Fusion modules: combine the outputs of other modules."""
from openrec.modules.fusions.fusion import Fusion
from openrec.modules.fusions.concat import Concat
from openrec.modules.fusions.average import Average

__all__ = ['Fusion', 'Concat', 'Average']

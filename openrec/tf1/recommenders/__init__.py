"""Recommenders of the OpenRec 0.2 API (``openrec.tf1.recommenders``).

:class:`Recommender` is the graph machinery; the recommenders themselves are functions
that declare a ``Recommender`` and return it unbuilt.
"""
# The original's order: ucml and vbpr import BPR, youtube_rec imports VanillaYouTubeRec,
# from this package.
from openrec.tf1.recommenders.recommender import Recommender
from openrec.tf1.recommenders.bpr import BPR
from openrec.tf1.recommenders.pmf import PMF
from openrec.tf1.recommenders.ucml import UCML
from openrec.tf1.recommenders.vbpr import VBPR
from openrec.tf1.recommenders.vanilla_youtube_rec import VanillaYouTubeRec
from openrec.tf1.recommenders.youtube_rec import YouTubeRec
from openrec.tf1.recommenders.rnn_rec import RNNRec

__all__ = ['Recommender', 'BPR', 'PMF', 'UCML', 'VBPR', 'VanillaYouTubeRec', 'YouTubeRec',
           'RNNRec']

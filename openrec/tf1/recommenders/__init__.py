"""Recommenders of the OpenRec 0.2 API (``openrec.tf1.recommenders``).

:class:`Recommender` is the graph machinery; the recommenders themselves are functions
that declare a ``Recommender`` and return it unbuilt.
"""
from openrec.tf1.recommenders.recommender import Recommender

# The original imports, in this order (ucml and vbpr import BPR, youtube_rec imports
# VanillaYouTubeRec from this package): Recommender, BPR, PMF, UCML, VBPR,
# VanillaYouTubeRec, YouTubeRec, RNNRec. The recommender functions are added by their own
# modules (bpr, pmf, ucml, vbpr, vanilla_youtube_rec, youtube_rec, rnn_rec).

"""Data utilities of the OpenRec 0.2 API: :class:`Dataset` (samplers and evaluators are
imported from :mod:`openrec.tf1.utils.samplers` and :mod:`openrec.tf1.utils.evaluators`)."""
from openrec.tf1.utils.dataset import Dataset

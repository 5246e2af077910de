"""Datasets; samplers and evaluators live in :mod:`openrec.utils.samplers` and
:mod:`openrec.utils.evaluators` (imported explicitly, as in the original)."""
from openrec.utils.dataset import Dataset
from openrec.utils.implicit_dataset import ImplicitDataset

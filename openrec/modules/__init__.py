"""OpenRec modules: the reusable building blocks of a recommender graph."""
from openrec.modules.module import Module

__all__ = ['Module']

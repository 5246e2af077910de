"""The Interaction base class."""
from openrec.modules.module import Module


class Interaction(Module):
    """A direct inheritance of the Module: the base of modules that score users against items.

    It builds nothing and owns no variables (outputs ``[]``, loss ``0.0``).

    Parameters
    ----------
    train : bool, optional
        Build the training graph (True) or the serving graph (False).
    l2_reg : float, optional
        Weight for L2 regularization, i.e., weight decay.
    scope : str, optional
        Scope for module variables (default: the class name).
    reuse : bool, optional
        Whether or not to reuse module variables.
    """

    def __init__(self, train=True, l2_reg=None, scope=None, reuse=False):
        super(Interaction, self).__init__(train=train, l2_reg=l2_reg, scope=scope, reuse=reuse)

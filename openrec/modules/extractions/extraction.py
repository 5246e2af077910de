"""The Extraction base class."""
from openrec.modules.module import Module


class Extraction(Module):
    """A direct inheritance of the Module.

    Parameters
    ----------
    train : bool, optional
        Build the training graph (True) or the serving graph (False).
    l2_reg : float, optional
        Weight for L2 regularization, i.e., weight decay.
    scope : str, optional
        Scope for module variables.
    reuse : bool, optional
        Whether or not to reuse module variables.
    """

    def __init__(self, train=True, l2_reg=None, scope=None, reuse=False):
        super(Extraction, self).__init__(train=train, l2_reg=l2_reg, scope=scope, reuse=reuse)

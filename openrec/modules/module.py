"""The Module base class."""
from openrec._tfutils import check_l2_reg, check_scope, require_graph_mode


class Module(object):
    """Base of every OpenRec building block: a piece of TF1 graph built at construction.

    The constructor stores its arguments and immediately builds the graph: first
    :meth:`_build_shared_graph`, then :meth:`_build_training_graph` if ``train`` is
    true, otherwise :meth:`_build_serving_graph`. Subclasses store their own
    arguments (and validate them) *before* calling this constructor. Building needs
    graph mode: inside ``with tf.compat.v1.Graph().as_default():`` or after
    ``tf.compat.v1.disable_v2_behavior()``.

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

    Raises
    ------
    ValueError
        If eager execution is active, or ``l2_reg`` is negative.
    TypeError
        If ``scope`` is not a string or ``l2_reg`` is not a number.
    """

    def __init__(self, train=True, l2_reg=None, scope=None, reuse=False):
        require_graph_mode(self.__class__.__name__)
        self._scope = self.__class__.__name__ if check_scope(scope) is None else scope
        self._reuse = reuse
        self._l2_reg = check_l2_reg(l2_reg)
        self._train = train
        self._loss = 0.0
        self._outputs = []

        self._build_shared_graph()
        if self._train:
            self._build_training_graph()
        else:
            self._build_serving_graph()

    def _build_shared_graph(self):
        """Build shared computational graphs across training and serving (may be overridden)."""
        pass

    def _build_training_graph(self):
        """Build training-specific computational graphs (may be overridden)."""
        pass

    def _build_serving_graph(self):
        """Build serving-specific computational graphs (may be overridden)."""
        pass

    def get_outputs(self):
        """Return the module's output tensors.

        Returns
        -------
        list of Tensor
            The outputs (empty for modules without outputs).
        """
        return self._outputs

    def get_loss(self):
        """Return the module's loss.

        Returns
        -------
        float or Tensor
            The Python float ``0.0`` for modules without a loss, else a scalar tensor.
        """
        return self._loss

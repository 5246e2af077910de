"""The WCML recommender."""
from openrec._tfutils import check_positive_int
from openrec.modules.interactions import NSEuDist
from openrec.recommenders.bpr import BPR
from openrec.recommenders.cml import CML
from openrec.recommenders.nbpr import NBPR
from openrec.recommenders.recommender import Recommender


class WCML(Recommender):
    """Weighted CML: Collaborative Metric Learning with ``neg_num`` negatives per row.

    For each row, ``s_k = max(1 - pos + neg_k, 0)`` with ``pos = -|u-p|^2 + b_p`` and
    ``neg_k = -|u-n_k|^2 + b_nk``; ``c`` is the number of non-zero ``s_k``,
    ``w = ln(floor(max_item * c / neg_num) + 1)`` and the loss is
    ``sum_rows w * max_k s_k`` plus the latent factors' L2 terms. After every step
    the batch's user and item embeddings are censored to norm at most 1, as
    :class:`CML`. Serving scores as CML.

    Inputs, batch fields (``n_item_id_inputs``), extractions and variables are those
    of :class:`NBPR`.

    Parameters
    ----------
    batch_size : int
        Training batch size.
    max_user : int
        Maximum number of users.
    max_item : int
        Maximum number of items.
    dim_embed : int
        Dimensionality of the user and item embeddings.
    test_batch_size : int, optional
        Number of users per serving batch (None: any).
    l2_reg : float, optional
        Weight for L2 regularization of the looked-up embeddings and biases.
    opt : str, optional
        ``'SGD'`` or ``'Adam'``.
    lr : float, optional
        Learning rate (default 0.005 for SGD, 0.001 for Adam).
    init_dict : dict, optional
        ``feed_dict`` for the variable initialization (see :class:`Recommender`).
    sess_config : tf.compat.v1.ConfigProto, optional
        Session configuration.
    neg_num : int, optional
        Number of negative items per training row (last argument, unlike NBPR).

    Raises
    ------
    ValueError
        If an argument has a bad value (checked before anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    The interaction (NSEuDist) lives in scope ``pairwise_log``, as in the original.
    Kept from the original, as BPR: the serving user input has the static size
    ``test_batch_size`` (a shorter last batch must be padded).
    Fixed defects as NBPR: ``neg_num`` is forwarded to the interaction (the original
    could only be built with 5) and ``n_item_id_inputs`` may be any array-like.
    """

    def __init__(self, batch_size, max_user, max_item, dim_embed, test_batch_size=None,
                 l2_reg=None, opt='SGD', lr=None, init_dict=None, sess_config=None, neg_num=5):
        self._dim_embed = check_positive_int(dim_embed, 'dim_embed')
        self._neg_num = check_positive_int(neg_num, 'neg_num')
        super(WCML, self).__init__(batch_size=batch_size, test_batch_size=test_batch_size,
                                   max_user=max_user, max_item=max_item, l2_reg=l2_reg,
                                   opt=opt, lr=lr, init_dict=init_dict, sess_config=sess_config)

    # Same inputs, mappings, extractions and norm censoring as NBPR / BPR / CML.
    _input_mappings = NBPR._input_mappings
    _build_user_inputs = BPR._build_user_inputs
    _build_item_inputs = NBPR._build_item_inputs
    _build_user_extractions = BPR._build_user_extractions
    _build_item_extractions = BPR._build_item_extractions
    _build_post_training_ops = CML._build_post_training_ops

    def _build_default_interactions(self, train=True):
        """``interaction``: NSEuDist in scope ``pairwise_log``."""
        if train:
            self._add_module('interaction',
                             NSEuDist(user=self._get_module('user_vec').get_outputs()[0],
                                      p_item=self._get_module('p_item_vec').get_outputs()[0],
                                      n_item=self._get_module('n_item_vec').get_outputs()[0],
                                      p_item_bias=self._get_module('p_item_bias').get_outputs()[0],
                                      n_item_bias=self._get_module('n_item_bias').get_outputs()[0],
                                      max_item=self._max_item, neg_num=self._neg_num,
                                      scope='pairwise_log', reuse=False, train=True))
        else:
            self._add_module('interaction',
                             NSEuDist(user=self._get_module('user_vec', train=False).get_outputs()[0],
                                      item=self._get_module('item_vec', train=False).get_outputs()[0],
                                      item_bias=self._get_module('item_bias', train=False).get_outputs()[0],
                                      max_item=self._max_item, neg_num=self._neg_num,
                                      scope='pairwise_log', reuse=True, train=False),
                             train=False)

    def _build_serving_graph(self):
        """Build the serving graph; ``_scores`` are the serving interaction's output."""
        super(WCML, self)._build_serving_graph()
        self._scores = self._get_module('interaction', train=False).get_outputs()[0]

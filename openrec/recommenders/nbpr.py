"""The NBPR recommender."""
import numpy as np

from openrec._tfutils import check_positive_int
from openrec.modules.interactions import NsLog
from openrec.recommenders.bpr import BPR


class NBPR(BPR):
    """BPR with ``neg_num`` negative items per row and a rank-based weight.

    For each row, ``d_k = (u.p + b_p) - (u.n_k + b_nk)``, ``c`` is the number of
    violating negatives (``d_k < 0``), ``w = ln(floor(max_item * c / neg_num) + 1)``
    and the loss is ``-sum_rows ln sigmoid(max(w * min_k d_k, -30))`` plus the latent
    factors' L2 terms. Serving scores as :class:`BPR`.

    Training batches have fields ``user_id_input``, ``p_item_id_input`` (``batch_size``
    ints) and ``n_item_id_inputs`` (plural: ``[batch_size, neg_num]`` ints, as an array,
    a nested list or an object column of per-row arrays); serving batches as BPR.

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
    neg_num : int, optional
        Number of negative items per training row.
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

    Raises
    ------
    ValueError
        If an argument has a bad value (checked before anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Variables as BPR; the interaction (NsLog) lives in scope ``pairwise_log``. Kept
    from the original, as BPR: the serving user input has the static size
    ``test_batch_size`` (a shorter last batch must be padded).
    Fixed defects: the original did not pass ``neg_num`` to the interaction, so only
    ``neg_num=5`` could be built; it is forwarded here (same results for 5). The
    original mapping called ``.tolist()`` on ``n_item_id_inputs``; any array-like is
    accepted here.
    """

    def __init__(self, batch_size, max_user, max_item, dim_embed, neg_num=5,
                 test_batch_size=None, l2_reg=None, opt='SGD', lr=None, init_dict=None,
                 sess_config=None):
        self._neg_num = check_positive_int(neg_num, 'neg_num')
        super(NBPR, self).__init__(batch_size=batch_size, max_user=max_user, max_item=max_item,
                                   dim_embed=dim_embed, test_batch_size=test_batch_size,
                                   l2_reg=l2_reg, opt=opt, lr=lr, init_dict=init_dict,
                                   sess_config=sess_config)

    def _input_mappings(self, batch_data, train):
        """Map ``user_id_input``, ``p_item_id_input``, ``n_item_id_inputs`` (training) or
        ``user_id_input``, ``item_id_input`` (serving) onto the placeholders."""
        if train:
            # An object column of per-row arrays becomes [batch_size, neg_num].
            negatives = np.array(np.asarray(batch_data['n_item_id_inputs']).tolist())
            return {self._get_input('user_id'): batch_data['user_id_input'],
                    self._get_input('p_item_id'): batch_data['p_item_id_input'],
                    self._get_input('n_item_id'): negatives}
        return {self._get_input('user_id', train=False): batch_data['user_id_input'],
                self._get_input('item_id', train=False): batch_data['item_id_input']}

    def _build_item_inputs(self, train=True):
        """``p_item_id`` int32 ``[batch_size]``, ``n_item_id`` ``[batch_size, neg_num]``;
        serving ``item_id`` ``[None]``."""
        if train:
            self._add_input(name='p_item_id', dtype='int32', shape=[self._batch_size])
            self._add_input(name='n_item_id', dtype='int32',
                            shape=[self._batch_size, self._neg_num])
        else:
            self._add_input(name='item_id', dtype='int32', shape=[None], train=False)

    def _build_default_interactions(self, train=True):
        """``interaction``: NsLog in scope ``pairwise_log``."""
        if train:
            self._add_module('interaction',
                             NsLog(user=self._get_module('user_vec').get_outputs()[0],
                                   max_item=self._max_item,
                                   p_item=self._get_module('p_item_vec').get_outputs()[0],
                                   n_item=self._get_module('n_item_vec').get_outputs()[0],
                                   p_item_bias=self._get_module('p_item_bias').get_outputs()[0],
                                   n_item_bias=self._get_module('n_item_bias').get_outputs()[0],
                                   neg_num=self._neg_num, scope='pairwise_log', reuse=False,
                                   train=True))
        else:
            self._add_module('interaction',
                             NsLog(user=self._get_module('user_vec', train=False).get_outputs()[0],
                                   max_item=self._max_item,
                                   item=self._get_module('item_vec', train=False).get_outputs()[0],
                                   item_bias=self._get_module('item_bias', train=False).get_outputs()[0],
                                   neg_num=self._neg_num, scope='pairwise_log', reuse=True,
                                   train=False),
                             train=False)

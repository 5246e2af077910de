"""The BPR recommender."""
from openrec._tfutils import check_positive_int
from openrec.modules.extractions import LatentFactor
from openrec.modules.interactions import PairwiseLog
from openrec.recommenders.recommender import Recommender


class BPR(Recommender):
    """Bayesian Personalized Ranking [1]_ with latent factors and item biases.

    Training rows are ``(user, positive item, negative item)`` triples; the loss is
    ``-sum(ln sigmoid(max(u.p + b_p - u.n - b_n, -30)))`` plus the latent factors'
    L2 terms. Serving scores every served user against every served item:
    ``U @ V.T + b.T``, shape ``[number of users, number of items]``.

    Training batches have fields ``user_id_input``, ``p_item_id_input`` and
    ``n_item_id_input`` (``batch_size`` ints each); serving batches ``user_id_input``
    (``test_batch_size`` ints, any number if it is None) and ``item_id_input``.

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

    Raises
    ------
    ValueError
        If an argument has a bad value (checked before anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Variables: ``user/embedding [max_user, dim_embed]``, ``item/embedding [max_item,
    dim_embed]``, ``item_bias/embedding [max_item, 1]``. The serving user input has the
    static size ``test_batch_size``: a shorter last batch must be padded (kept from
    the original).

    References
    ----------
    .. [1] Rendle, S., Freudenthaler, C., Gantner, Z. and Schmidt-Thieme, L., 2009.
       BPR: Bayesian personalized ranking from implicit feedback. In Proceedings of the
       twenty-fifth conference on uncertainty in artificial intelligence (pp. 452-461).
    """

    def __init__(self, batch_size, max_user, max_item, dim_embed, test_batch_size=None,
                 l2_reg=None, opt='SGD', lr=None, init_dict=None, sess_config=None):
        self._dim_embed = check_positive_int(dim_embed, 'dim_embed')
        super(BPR, self).__init__(batch_size=batch_size, test_batch_size=test_batch_size,
                                  max_user=max_user, max_item=max_item, l2_reg=l2_reg, opt=opt,
                                  lr=lr, init_dict=init_dict, sess_config=sess_config)

    def _input_mappings(self, batch_data, train):
        """Map ``user_id_input``, ``p_item_id_input``, ``n_item_id_input`` (training) or
        ``user_id_input``, ``item_id_input`` (serving) onto the placeholders."""
        if train:
            return {self._get_input('user_id'): batch_data['user_id_input'],
                    self._get_input('p_item_id'): batch_data['p_item_id_input'],
                    self._get_input('n_item_id'): batch_data['n_item_id_input']}
        return {self._get_input('user_id', train=False): batch_data['user_id_input'],
                self._get_input('item_id', train=False): batch_data['item_id_input']}

    def _build_user_inputs(self, train=True):
        """``user_id``: int32 ``[batch_size]`` / ``[test_batch_size]``."""
        if train:
            self._add_input(name='user_id', dtype='int32', shape=[self._batch_size])
        else:
            self._add_input(name='user_id', dtype='int32', shape=[self._test_batch_size],
                            train=False)

    def _build_item_inputs(self, train=True):
        """``p_item_id``, ``n_item_id``: int32 ``[batch_size]``; serving ``item_id``: ``[None]``."""
        if train:
            self._add_input(name='p_item_id', dtype='int32', shape=[self._batch_size])
            self._add_input(name='n_item_id', dtype='int32', shape=[self._batch_size])
        else:
            self._add_input(name='item_id', dtype='int32', shape=[None], train=False)

    def _build_user_extractions(self, train=True):
        """``user_vec``: LatentFactor in scope ``user``."""
        self._add_module('user_vec',
                         LatentFactor(l2_reg=self._l2_reg, init='normal',
                                      ids=self._get_input('user_id', train=train),
                                      shape=[self._max_user, self._dim_embed], scope='user',
                                      reuse=not train),
                         train=train)

    def _build_item_extractions(self, train=True):
        """Item LatentFactors (scope ``item``) and biases (scope ``item_bias``)."""
        if train:
            for prefix, reuse in (('p_', False), ('n_', True)):
                ids = self._get_input(prefix + 'item_id')
                self._add_module(prefix + 'item_vec',
                                 LatentFactor(l2_reg=self._l2_reg, init='normal', ids=ids,
                                              shape=[self._max_item, self._dim_embed],
                                              scope='item', reuse=reuse))
                self._add_module(prefix + 'item_bias',
                                 LatentFactor(l2_reg=self._l2_reg, init='zero', ids=ids,
                                              shape=[self._max_item, 1], scope='item_bias',
                                              reuse=reuse))
        else:
            ids = self._get_input('item_id', train=False)
            self._add_module('item_vec',
                             LatentFactor(l2_reg=self._l2_reg, init='normal', ids=ids,
                                          shape=[self._max_item, self._dim_embed], scope='item',
                                          reuse=True),
                             train=False)
            self._add_module('item_bias',
                             LatentFactor(l2_reg=self._l2_reg, init='zero', ids=ids,
                                          shape=[self._max_item, 1], scope='item_bias',
                                          reuse=True),
                             train=False)

    def _build_default_interactions(self, train=True):
        """``interaction``: PairwiseLog in scope ``pairwise_log``."""
        if train:
            self._add_module('interaction',
                             PairwiseLog(user=self._get_module('user_vec').get_outputs()[0],
                                         p_item=self._get_module('p_item_vec').get_outputs()[0],
                                         n_item=self._get_module('n_item_vec').get_outputs()[0],
                                         p_item_bias=self._get_module('p_item_bias').get_outputs()[0],
                                         n_item_bias=self._get_module('n_item_bias').get_outputs()[0],
                                         scope='pairwise_log', reuse=False, train=True))
        else:
            self._add_module('interaction',
                             PairwiseLog(user=self._get_module('user_vec', train=False).get_outputs()[0],
                                         item=self._get_module('item_vec', train=False).get_outputs()[0],
                                         item_bias=self._get_module('item_bias', train=False).get_outputs()[0],
                                         scope='pairwise_log', reuse=True, train=False),
                             train=False)

    def _build_serving_graph(self):
        """Build the serving graph; ``_scores`` are the serving interaction's output."""
        super(BPR, self)._build_serving_graph()
        self._scores = self._get_module('interaction', train=False).get_outputs()[0]

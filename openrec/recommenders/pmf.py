"""The PMF recommender."""
from openrec._tfutils import check_positive_int
from openrec.modules.extractions import LatentFactor
from openrec.modules.interactions import PointwiseMSE
from openrec.recommenders.recommender import Recommender


class PMF(Recommender):
    """Probabilistic Matrix Factorization [1]_ with item biases and a sigmoid link.

    Training rows are ``(user, item, label)``; the loss is
    ``1/2 sum((y - sigmoid(u.v + b))^2)`` plus the latent factors' L2 terms. Serving
    scores every served user against every served item: ``sigmoid(U @ V.T + b.T)``,
    shape ``[number of users, number of items]``.

    Training batches have fields ``user_id_input``, ``item_id_input`` (``batch_size``
    ints) and ``labels`` (``batch_size`` floats); serving batches ``user_id_input``
    and ``item_id_input`` (any lengths).

    Parameters
    ----------
    batch_size : int
        Training batch size.
    dim_embed : int
        Dimensionality of the user and item embeddings (second argument).
    max_user : int
        Maximum number of users.
    max_item : int
        Maximum number of items.
    test_batch_size : int, optional
        Stored but unused (serving inputs accept any length).
    l2_reg : float, optional
        Weight for L2 regularization of the looked-up embeddings and biases.
    opt : str, optional
        ``'SGD'`` (learning rate 0.005) or ``'Adam'`` (0.001).
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
    dim_embed]``, ``item_bias/embedding [max_item, 1]``; the interaction
    (PointwiseMSE, ``sigmoid=True``, ``a=b=1``) lives in scope ``PointwiseMSE``.
    There is no ``lr`` or ``init_dict`` argument (as in the original).

    References
    ----------
    .. [1] Mnih, A. and Salakhutdinov, R.R., 2008. Probabilistic matrix factorization.
       In Advances in neural information processing systems (pp. 1257-1264).
    """

    def __init__(self, batch_size, dim_embed, max_user, max_item, test_batch_size=None,
                 l2_reg=None, opt='SGD', sess_config=None):
        self._dim_embed = check_positive_int(dim_embed, 'dim_embed')
        super(PMF, self).__init__(batch_size=batch_size, max_user=max_user, max_item=max_item,
                                  test_batch_size=test_batch_size, l2_reg=l2_reg, opt=opt,
                                  sess_config=sess_config)

    def _input_mappings(self, batch_data, train):
        """Map ``user_id_input``, ``item_id_input`` and (training) ``labels``."""
        if train:
            return {self._get_input('user_id'): batch_data['user_id_input'],
                    self._get_input('item_id'): batch_data['item_id_input'],
                    self._get_input('labels'): batch_data['labels']}
        return {self._get_input('user_id', train=False): batch_data['user_id_input'],
                self._get_input('item_id', train=False): batch_data['item_id_input']}

    def _build_user_inputs(self, train=True):
        """``user_id``: int32 ``[batch_size]`` / ``[None]``."""
        if train:
            self._add_input(name='user_id', dtype='int32', shape=[self._batch_size])
        else:
            self._add_input(name='user_id', dtype='int32', shape=[None], train=False)

    def _build_item_inputs(self, train=True):
        """``item_id``: int32 ``[batch_size]`` / ``[None]``."""
        if train:
            self._add_input(name='item_id', dtype='int32', shape=[self._batch_size])
        else:
            self._add_input(name='item_id', dtype='int32', shape=[None], train=False)

    def _build_extra_inputs(self, train=True):
        """``labels``: float32 ``[batch_size]`` (training only)."""
        if train:
            self._add_input(name='labels', dtype='float32', shape=[self._batch_size])

    def _build_user_extractions(self, train=True):
        """``user_vec``: LatentFactor in scope ``user``."""
        self._add_module('user_vec',
                         LatentFactor(l2_reg=self._l2_reg, init='normal',
                                      ids=self._get_input('user_id', train=train),
                                      shape=[self._max_user, self._dim_embed], scope='user',
                                      reuse=not train),
                         train=train)

    def _build_item_extractions(self, train=True):
        """``item_vec`` (scope ``item``) and ``item_bias`` (scope ``item_bias``) LatentFactors."""
        ids = self._get_input('item_id', train=train)
        self._add_module('item_vec',
                         LatentFactor(l2_reg=self._l2_reg, init='normal', ids=ids,
                                      shape=[self._max_item, self._dim_embed], scope='item',
                                      reuse=not train),
                         train=train)
        self._add_module('item_bias',
                         LatentFactor(l2_reg=self._l2_reg, init='zero', ids=ids,
                                      shape=[self._max_item, 1], scope='item_bias',
                                      reuse=not train),
                         train=train)

    def _build_default_interactions(self, train=True):
        """``interaction``: PointwiseMSE in scope ``PointwiseMSE``."""
        self._add_pointwise_mse(train, labels=self._get_input('labels'))

    def _add_pointwise_mse(self, train, labels):
        # PMF's interaction: sigmoid scores, a = b = 1 (shared with ItrMLP)
        self._add_module('interaction',
                         PointwiseMSE(user=self._get_module('user_vec', train=train).get_outputs()[0],
                                      item=self._get_module('item_vec', train=train).get_outputs()[0],
                                      item_bias=self._get_module('item_bias', train=train).get_outputs()[0],
                                      labels=labels, a=1.0, b=1.0, sigmoid=True, train=train,
                                      scope='PointwiseMSE', reuse=not train),
                         train=train)

    def _build_serving_graph(self):
        """Build the serving graph; ``_scores`` are the serving interaction's output."""
        Recommender._build_serving_graph(self)
        self._scores = self._get_module('interaction', train=False).get_outputs()[0]

"""The ItrMLP recommender."""
from openrec._tfutils import check_array, check_dims, check_positive_int, check_width
from openrec.modules.extractions import LatentFactor, TemporalLatentFactor
from openrec.recommenders.pmf import PMF
from openrec.recommenders.recommender import Recommender


class ItrMLP(Recommender):
    """PMF on pretrained embeddings refined by MLPs (iterative temporal updates).

    User and item vectors are ``MLP(embedding[id])`` with fixed (non-trainable)
    pretrained embedding tables (:class:`~openrec.modules.extractions.TemporalLatentFactor`,
    batch normalization, ReLU output); only the MLPs and the item biases are
    trained, with PMF's loss ``1/2 sum((y - sigmoid(u.v + b))^2)``. Construction
    pretrains both MLPs towards the identity (20000 Adam steps each, a few seconds).
    :meth:`update_embeddings` writes ``MLP(row)`` back into the tables for the rows
    seen since the last update.

    Batches as :class:`PMF`. Serving scores are ``sigmoid(U @ V.T + b.T)`` for all
    served users against all served items, shape
    ``[test_batch_size, test_batch_size]``: the score of the i-th pair is on the
    diagonal.

    Parameters
    ----------
    batch_size : int
        Training batch size.
    dim_embed : int
        Dimensionality of the embeddings (second argument).
    max_user : int
        Maximum number of users.
    max_item : int
        Maximum number of items.
    pretrained_user_embeddings : numpy.ndarray
        ``[max_user, dim_embed]`` initial user table.
    pretrained_item_embeddings : numpy.ndarray
        ``[max_item, dim_embed]`` initial item table.
    user_dims : list of int
        User MLP widths; the last must equal ``dim_embed``.
    item_dims : list of int
        Item MLP widths; the last must equal ``dim_embed``.
    test_batch_size : int, optional
        Serving batch size (users and items); None accepts any.
    l2_reg : float, optional
        Weight for L2 regularization of the MLPs and the looked-up item biases.
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
    Variables, per side ``s`` in ``user``, ``item``: ``s/embedding`` (not trainable),
    ``s/flag``, ``s/s/MLP/{FC__i,bias__i,bn_i/...}``, the identity pretraining's Adam
    state (``s_1/beta1_power``, ``s_1/beta2_power``, ``s/s/s/MLP/.../Adam[_1]``); plus
    ``item_bias/embedding``. Kept from the original: serving also marks the served
    ids as touched (they are refreshed by the next :meth:`update_embeddings`); scores
    are the full ``[users, items]`` grid, not per pair; the serving user and item
    inputs have the static size ``test_batch_size`` (a shorter last batch must be
    padded); the pretraining draws from numpy's global random generator.
    """

    # Private knob (tests lower it); the original always ran 20000 steps per MLP.
    _pretrain_steps = 20000

    def __init__(self, batch_size, dim_embed, max_user, max_item, pretrained_user_embeddings,
                 pretrained_item_embeddings, user_dims, item_dims, test_batch_size=None,
                 l2_reg=None, opt='SGD', sess_config=None):
        self._dim_embed = check_positive_int(dim_embed, 'dim_embed')
        shapes = {'user': (check_positive_int(max_user, 'max_user'), self._dim_embed),
                  'item': (check_positive_int(max_item, 'max_item'), self._dim_embed)}
        self._pretrained = {}
        self._mlp_dims = {}
        for side, embeddings, dims in (('user', pretrained_user_embeddings, user_dims),
                                       ('item', pretrained_item_embeddings, item_dims)):
            name = 'pretrained_%s_embeddings' % side
            array = check_array(embeddings, name, ndim=2)
            check_width(array.shape, name + '.shape', shapes[side],
                        '(max_%s, dim_embed)' % side)
            self._pretrained[side] = array
            self._mlp_dims[side] = check_dims(dims, side + '_dims')
            check_width(self._mlp_dims[side][-1], side + '_dims[-1]', self._dim_embed,
                        'dim_embed')
        super(ItrMLP, self).__init__(batch_size=batch_size, max_user=max_user, max_item=max_item,
                                     test_batch_size=test_batch_size, l2_reg=l2_reg, opt=opt,
                                     sess_config=sess_config)

    _input_mappings = PMF._input_mappings

    def _build_user_inputs(self, train=True):
        """``user_id``: int32 ``[batch_size]`` / ``[test_batch_size]``."""
        self._add_input(name='user_id', dtype='int32',
                        shape=[self._batch_size if train else self._test_batch_size], train=train)

    def _build_item_inputs(self, train=True):
        """``item_id``: int32 ``[batch_size]`` / ``[test_batch_size]``."""
        self._add_input(name='item_id', dtype='int32',
                        shape=[self._batch_size if train else self._test_batch_size], train=train)

    def _build_extra_inputs(self, train=True):
        """``labels``: float32 ``[batch_size]``; registered as None for serving."""
        if train:
            self._add_input(name='labels', dtype='float32', shape=[self._batch_size])
        else:
            self._add_input(name='labels', dtype='none', train=False)

    def _temporal_latent_factor(self, side, train):
        return TemporalLatentFactor(init=self._pretrained[side],
                                    ids=self._get_input(side + '_id', train=train),
                                    mlp_dims=self._mlp_dims[side],
                                    shape=list(self._pretrained[side].shape),
                                    l2_reg=self._l2_reg, train=train, scope=side,
                                    reuse=not train)

    def _build_user_extractions(self, train=True):
        """``user_vec``: TemporalLatentFactor in scope ``user``."""
        self._add_module('user_vec', self._temporal_latent_factor('user', train), train=train)

    def _build_item_extractions(self, train=True):
        """``item_vec``: TemporalLatentFactor (scope ``item``); ``item_bias``: LatentFactor."""
        self._add_module('item_vec', self._temporal_latent_factor('item', train), train=train)
        self._add_module('item_bias',
                         LatentFactor(l2_reg=self._l2_reg, init='zero',
                                      ids=self._get_input('item_id', train=train),
                                      shape=[self._max_item, 1], scope='item_bias',
                                      reuse=not train),
                         train=train)

    def _build_default_interactions(self, train=True):
        """``interaction``: PointwiseMSE in scope ``PointwiseMSE``."""
        self._add_pointwise_mse(train, labels=self._get_input('labels', train=train))

    _add_pointwise_mse = PMF._add_pointwise_mse
    _build_serving_graph = PMF._build_serving_graph

    def _initialize(self, init_dict):
        """Initialize the variables, then pretrain the user and item MLPs into identities."""
        super(ItrMLP, self)._initialize(init_dict)
        with self._graph.as_default():
            for side in ('user', 'item'):
                print('[Pretrain %s MLP into identity]' % side)
                module = self._get_module(side + '_vec')
                module._pretrain_steps = self._pretrain_steps
                module.pretrain_mlp_as_identity(self._sess)

    def update_embeddings(self):
        """Write ``MLP(row)`` into the user and item tables for every touched row.

        Rows touched by :meth:`train` or :meth:`serve` since the last update are
        refreshed (serving-mode MLP), then their flags are cleared.
        """
        with self._graph.as_default():
            self._get_module('user_vec').forward_update_embeddings(self._sess)
            self._get_module('item_vec').forward_update_embeddings(self._sess)

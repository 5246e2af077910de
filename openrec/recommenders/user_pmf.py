"""The UserPMF recommender."""
from openrec._checks import check_optional_positive_int
from openrec._tfutils import check_dims, check_l2_reg, check_positive_int, check_rate, check_width
from openrec.modules.extractions import MultiLayerFC
from openrec.modules.fusions import Average
from openrec.recommenders._validation import check_feature_source, feature_rows
from openrec.recommenders.pmf import PMF


class UserPMF(PMF):
    """PMF whose user vectors add an MLP embedding of user features to a latent factor.

    A user's vector is ``lf + MLP(feature)`` (an :class:`~openrec.modules.fusions.Average`
    of the two with weight 2), where ``feature`` is its row in ``user_f_source``. Loss
    and serving scores as :class:`PMF`, plus the MLP's L2 terms.

    Batches as PMF; the user features are looked up from ``user_f_source`` with the
    batch's user ids.

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
    dims : list of int
        MLP layer widths; ``dims[-1]`` must equal ``dim_embed``.
    user_f_source : numpy.ndarray
        ``[max_user, F]`` user features, row ``u`` for user ``u`` (at least ``max_user``
        rows; a ValueError otherwise, where the original failed at the first high id).
    test_batch_size : int, optional
        Stored but unused (as PMF).
    item_serving_size : int, optional
        Stored but unused.
    dropout_rate : float, optional
        Dropout rate between MLP layers (training only).
    l2_reg : float, optional
        Weight for L2 regularization of the looked-up embeddings and biases.
    l2_reg_mlp : float, optional
        Weight for L2 regularization of the MLP variables.
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
    Variables: PMF's plus ``user_MLP/FC__i`` and ``user_MLP/bias__i``; the fusion scope
    is ``user_average``.
    """

    def __init__(self, batch_size, max_user, max_item, dim_embed, dims, user_f_source,
                 test_batch_size=None, item_serving_size=None, dropout_rate=None, l2_reg=None,
                 l2_reg_mlp=None, opt='SGD', sess_config=None):
        dim_embed = check_positive_int(dim_embed, 'dim_embed')
        self._user_dims = check_dims(dims)
        check_width(self._user_dims[-1], 'dims[-1]', dim_embed, 'dim_embed')
        self._user_f_source = check_feature_source(user_f_source, 'user_f_source', max_user,
                                                   'max_user')
        self._item_serving_size = check_optional_positive_int(item_serving_size,
                                                              'item_serving_size')
        self._dropout_rate = check_rate(dropout_rate, 'dropout_rate')
        self._l2_reg_mlp = check_l2_reg(l2_reg_mlp, 'l2_reg_mlp')
        super(UserPMF, self).__init__(batch_size=batch_size, dim_embed=dim_embed,
                                      max_user=max_user, max_item=max_item,
                                      test_batch_size=test_batch_size, l2_reg=l2_reg, opt=opt,
                                      sess_config=sess_config)

    def _input_mappings(self, batch_data, train):
        """PMF's mapping plus the users' features looked up in ``user_f_source``."""
        mapping = super(UserPMF, self)._input_mappings(batch_data, train)
        mapping.update(self._user_feature_mappings(batch_data, train))
        return mapping

    def _build_user_inputs(self, train=True):
        """PMF's user input plus ``user_feature``: float32 ``[batch_size, F]`` / ``[None, F]``."""
        super(UserPMF, self)._build_user_inputs(train)
        self._build_user_feature_inputs(train)

    def _build_user_extractions(self, train=True):
        """PMF's ``user_vec`` plus ``user_f``: MLP in scope ``user_MLP``."""
        super(UserPMF, self)._build_user_extractions(train)
        self._build_user_feature_extractions(train)

    def _build_default_fusions(self, train=True):
        """``user_vec`` = latent factor + user feature embedding, scope ``user_average``."""
        self._build_user_fusions(train)

    # The user-feature pieces, also used by UserVisualPMF.

    def _user_feature_mappings(self, batch_data, train):
        return {self._get_input('user_feature', train=train): feature_rows(
            self._user_f_source, batch_data, 'user_id_input', self._max_user, 'max_user')}

    def _build_user_feature_inputs(self, train):
        width = self._user_f_source.shape[1]
        self._add_input(name='user_feature', dtype='float32',
                        shape=[self._batch_size if train else None, width], train=train)

    def _build_user_feature_extractions(self, train):
        self._add_module('user_f',
                         MultiLayerFC(in_tensor=self._get_input('user_feature', train=train),
                                      dims=self._user_dims, l2_reg=self._l2_reg_mlp,
                                      dropout_mid=self._dropout_rate, train=train,
                                      scope='user_MLP', reuse=not train),
                         train=train)

    def _build_user_fusions(self, train):
        self._add_module('user_vec',
                         Average(module_list=[self._get_module('user_vec', train=train),
                                              self._get_module('user_f', train=train)],
                                 weight=2.0, scope='user_average', reuse=not train),
                         train=train)

"""The UserVisualPMF recommender."""
from openrec._tfutils import check_dims, check_positive_int, check_width
from openrec.recommenders._validation import check_feature_source
from openrec.recommenders.user_pmf import UserPMF
from openrec.recommenders.visual_pmf import VisualPMF


class UserVisualPMF(VisualPMF):
    """PMF with both user-feature (:class:`UserPMF`) and item-feature (:class:`VisualPMF`)
    embeddings added to the latent factors.

    Loss and serving scores as :class:`PMF`, plus both MLPs' L2 terms. Batches as PMF;
    features are looked up from ``user_f_source`` and ``item_f_source`` by id.

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
    dims_user : list of int
        User MLP layer widths; the last must equal ``dim_embed``.
    dims_item : list of int
        Item MLP layer widths; the last must equal ``dim_embed``.
    user_f_source : numpy.ndarray
        ``[max_user, F_user]`` user features, row ``u`` for user ``u`` (at least ``max_user``
        rows; a ValueError otherwise, where the original failed at the first high id).
    item_f_source : numpy.ndarray
        ``[max_item, F_item]`` item features, row ``i`` for item ``i`` (at least ``max_item``
        rows; a ValueError otherwise, where the original failed at the first high id).
    test_batch_size : int, optional
        Stored but unused (as PMF).
    item_serving_size : int, optional
        Stored but unused.
    dropout_rate : float, optional
        Dropout rate between MLP layers (training only), both MLPs.
    l2_reg : float, optional
        Weight for L2 regularization of the looked-up embeddings and biases.
    l2_reg_mlp : float, optional
        Weight for L2 regularization of both MLPs' variables.
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
    Variables: PMF's plus ``user_MLP/{FC__i,bias__i}`` and ``item_MLP/{FC__i,bias__i}``.
    Kept from the original: the serving ``item_id`` input is declared twice.
    """

    def __init__(self, batch_size, max_user, max_item, dim_embed, dims_user, dims_item,
                 user_f_source, item_f_source, test_batch_size=None, item_serving_size=None,
                 dropout_rate=None, l2_reg=None, l2_reg_mlp=None, opt='SGD', sess_config=None):
        dim_embed = check_positive_int(dim_embed, 'dim_embed')
        self._user_dims = check_dims(dims_user, 'dims_user')
        check_width(self._user_dims[-1], 'dims_user[-1]', dim_embed, 'dim_embed')
        self._user_f_source = check_feature_source(user_f_source, 'user_f_source', max_user,
                                                   'max_user')
        check_width(check_dims(dims_item, 'dims_item')[-1], 'dims_item[-1]', dim_embed,
                    'dim_embed')
        super(UserVisualPMF, self).__init__(batch_size=batch_size, max_user=max_user,
                                            max_item=max_item, dim_embed=dim_embed,
                                            dims=dims_item, item_f_source=item_f_source,
                                            test_batch_size=test_batch_size,
                                            item_serving_size=item_serving_size,
                                            dropout_rate=dropout_rate, l2_reg=l2_reg,
                                            l2_reg_mlp=l2_reg_mlp, opt=opt,
                                            sess_config=sess_config)

    def _input_mappings(self, batch_data, train):
        """VisualPMF's mapping plus the users' features."""
        mapping = super(UserVisualPMF, self)._input_mappings(batch_data, train)
        mapping.update(UserPMF._user_feature_mappings(self, batch_data, train))
        return mapping

    def _build_user_inputs(self, train=True):
        """PMF's user input plus ``user_feature`` (as UserPMF)."""
        super(UserVisualPMF, self)._build_user_inputs(train)
        UserPMF._build_user_feature_inputs(self, train)

    def _build_user_extractions(self, train=True):
        """PMF's ``user_vec`` plus ``user_f`` (as UserPMF, scope ``user_MLP``)."""
        super(UserVisualPMF, self)._build_user_extractions(train)
        UserPMF._build_user_feature_extractions(self, train)

    def _build_default_fusions(self, train=True):
        """VisualPMF's ``item_average`` fusion, then UserPMF's ``user_average`` fusion."""
        super(UserVisualPMF, self)._build_default_fusions(train)
        UserPMF._build_user_fusions(self, train)

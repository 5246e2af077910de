"""The VisualPMF recommender."""
from openrec._checks import check_optional_positive_int
from openrec._tfutils import check_dims, check_l2_reg, check_positive_int, check_rate, check_width
from openrec.modules.extractions import MultiLayerFC
from openrec.modules.fusions import Average
from openrec.recommenders._validation import check_feature_source, feature_rows
from openrec.recommenders.pmf import PMF


class VisualPMF(PMF):
    """PMF whose item vectors add an MLP embedding of visual features to a latent factor.

    An item's vector is ``lf + MLP(feature)`` (an :class:`~openrec.modules.fusions.Average`
    of the two with weight 2), where ``feature`` is its row in ``item_f_source``. Loss
    and serving scores as :class:`PMF`, plus the MLP's L2 terms.

    Batches as PMF; the visual features are looked up from ``item_f_source`` with the
    batch's item ids.

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
    item_f_source : numpy.ndarray
        ``[max_item, F]`` item features, row ``i`` for item ``i`` (at least ``max_item``
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
    Variables: PMF's plus ``item_MLP/FC__i`` and ``item_MLP/bias__i``; the fusion scope
    is ``item_average``. Kept from the original: the serving ``item_id`` input is
    declared twice (``item_id_serving_1`` is the live one).
    """

    # Names shared with CDL, which borrows the input, mapping and fusion builders.
    _item_feature_input = 'item_vfeature'
    _item_feature_module = 'item_vf'

    def __init__(self, batch_size, max_user, max_item, dim_embed, dims, item_f_source,
                 test_batch_size=None, item_serving_size=None, dropout_rate=None, l2_reg=None,
                 l2_reg_mlp=None, opt='SGD', sess_config=None):
        dim_embed = check_positive_int(dim_embed, 'dim_embed')
        self._dims = check_dims(dims)
        check_width(self._dims[-1], 'dims[-1]', dim_embed, 'dim_embed')
        self._item_f_source = check_feature_source(item_f_source, 'item_f_source', max_item,
                                                   'max_item')
        self._item_serving_size = check_optional_positive_int(item_serving_size,
                                                              'item_serving_size')
        self._dropout_rate = check_rate(dropout_rate, 'dropout_rate')
        self._l2_reg_mlp = check_l2_reg(l2_reg_mlp, 'l2_reg_mlp')
        super(VisualPMF, self).__init__(batch_size=batch_size, dim_embed=dim_embed,
                                        max_user=max_user, max_item=max_item,
                                        test_batch_size=test_batch_size, l2_reg=l2_reg, opt=opt,
                                        sess_config=sess_config)

    def _input_mappings(self, batch_data, train):
        """PMF's mapping plus the items' features looked up in ``item_f_source``."""
        mapping = PMF._input_mappings(self, batch_data, train)
        if not train:
            mapping[self._get_input('item_id', train=False)] = batch_data['item_id_input']
        mapping[self._get_input(self._item_feature_input, train=train)] = feature_rows(
            self._item_f_source, batch_data, 'item_id_input', self._max_item, 'max_item')
        return mapping

    def _build_item_inputs(self, train=True):
        """PMF's item input plus float32 item features ``[batch_size, F]``; serving:
        ``item_id`` (again) and the features ``[None, F]``."""
        PMF._build_item_inputs(self, train)
        width = self._item_f_source.shape[1]
        if train:
            self._add_input(name=self._item_feature_input, dtype='float32',
                            shape=[self._batch_size, width])
        else:
            self._add_input(name='item_id', dtype='int32', shape=[None], train=False)
            self._add_input(name=self._item_feature_input, dtype='float32', shape=[None, width],
                            train=False)

    def _build_item_extractions(self, train=True):
        """PMF's item modules plus ``item_vf``: MLP in scope ``item_MLP``."""
        super(VisualPMF, self)._build_item_extractions(train)
        self._add_module('item_vf',
                         MultiLayerFC(in_tensor=self._get_input('item_vfeature', train=train),
                                      dims=self._dims, l2_reg=self._l2_reg_mlp,
                                      dropout_mid=self._dropout_rate, train=train,
                                      scope='item_MLP', reuse=not train),
                         train=train)

    def _build_default_fusions(self, train=True):
        """``item_vec`` = latent factor + item feature embedding, scope ``item_average``."""
        self._add_module('item_vec',
                         Average(module_list=[self._get_module('item_vec', train=train),
                                              self._get_module(self._item_feature_module,
                                                               train=train)],
                                 weight=2.0, scope='item_average', reuse=not train),
                         train=train)

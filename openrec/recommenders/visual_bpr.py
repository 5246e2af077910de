"""The VisualBPR recommender."""
from openrec._checks import check_optional_positive_int
from openrec._tfutils import check_dims, check_l2_reg, check_positive_int, check_rate, check_width
from openrec.modules.extractions import MultiLayerFC
from openrec.modules.fusions import Average
from openrec.recommenders._validation import check_feature_source
from openrec.recommenders.bpr import BPR
from openrec.recommenders.concat_visual_bpr import ConcatVisualBPR


class VisualBPR(BPR):
    """BPR whose item vectors add an MLP embedding of visual features to a latent factor.

    An item's vector is ``lf + MLP(feature)`` (an :class:`~openrec.modules.fusions.Average`
    of the two with weight 2), where ``feature`` is its row in ``item_f_source``. Loss
    and serving scores as :class:`BPR`, plus the MLP's L2 terms.

    Batches as BPR; the visual features are looked up from ``item_f_source`` with the
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
        Number of users per serving batch (None: any).
    item_serving_size : int, optional
        Ignored (see Notes).
    dropout_rate : float, optional
        Dropout rate between MLP layers (training only).
    l2_reg : float, optional
        Weight for L2 regularization of the looked-up embeddings and biases.
    l2_reg_mlp : float, optional
        Weight for L2 regularization of the MLP variables.
    opt : str, optional
        Ignored (see Notes).
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
    Variables: BPR's plus ``item_visual_embed/FC__i`` and ``item_visual_embed/bias__i``.
    Kept from the original (results depend on them): ``opt`` and
    ``item_serving_size`` are ignored, training always uses SGD with learning rate
    0.005; the MLP's L2 loss is counted twice (positive and negative items share it);
    the ``item_MLP`` gradient scaling rule matches no variable here, so it does
    nothing; the serving ``item_id`` input is declared twice (``item_id_serving_1`` is
    the live one); as BPR, the serving user input has the static size
    ``test_batch_size`` (a shorter last batch must be padded).
    """

    def __init__(self, batch_size, max_user, max_item, dim_embed, dims, item_f_source,
                 test_batch_size=None, item_serving_size=None, dropout_rate=None, l2_reg=None,
                 l2_reg_mlp=None, opt='Adam', sess_config=None):
        dim_embed = check_positive_int(dim_embed, 'dim_embed')
        self._dims = check_dims(dims)
        check_width(self._dims[-1], 'dims[-1]', dim_embed, 'dim_embed')
        self._item_f_source = check_feature_source(item_f_source, 'item_f_source', max_item,
                                                   'max_item')
        self._item_serving_size = check_optional_positive_int(item_serving_size,
                                                              'item_serving_size')
        self._dropout_rate = check_rate(dropout_rate, 'dropout_rate')
        self._l2_reg_mlp = check_l2_reg(l2_reg_mlp, 'l2_reg_mlp')
        super(VisualBPR, self).__init__(batch_size=batch_size, max_user=max_user,
                                        max_item=max_item, l2_reg=l2_reg,
                                        test_batch_size=test_batch_size, dim_embed=dim_embed,
                                        sess_config=sess_config)

    # Same visual-feature inputs, mappings and gradient rule as ConcatVisualBPR.
    _input_mappings = ConcatVisualBPR._input_mappings
    _item_features = ConcatVisualBPR._item_features
    _build_item_inputs = ConcatVisualBPR._build_item_inputs
    _grad_post_processing = ConcatVisualBPR._grad_post_processing

    def _build_item_extractions(self, train=True):
        """BPR's item modules plus ``p_item_vf`` / ``n_item_vf`` (serving ``item_vf``): MLPs
        in scope ``item_visual_embed``."""
        super(VisualBPR, self)._build_item_extractions(train)
        if train:
            for prefix, reuse in (('p_', False), ('n_', True)):
                self._add_module(prefix + 'item_vf',
                                 MultiLayerFC(in_tensor=self._get_input(prefix + 'item_vfeature'),
                                              dims=self._dims, dropout_mid=self._dropout_rate,
                                              l2_reg=self._l2_reg_mlp, scope='item_visual_embed',
                                              reuse=reuse, train=True))
        else:
            self._add_module('item_vf',
                             MultiLayerFC(in_tensor=self._get_input('item_vfeature', train=False),
                                          dims=self._dims, l2_reg=self._l2_reg_mlp,
                                          scope='item_visual_embed', reuse=True, train=False),
                             train=False)

    def _build_default_fusions(self, train=True):
        """``p_item_vec`` / ``n_item_vec`` (serving ``item_vec``) = latent factor + MLP,
        scope ``item_concat``."""
        roles = (('p_', False), ('n_', True)) if train else (('', True),)
        for prefix, reuse in roles:
            self._add_module(prefix + 'item_vec',
                             Average(module_list=[self._get_module(prefix + 'item_vec', train=train),
                                                  self._get_module(prefix + 'item_vf', train=train)],
                                     weight=2.0, scope='item_concat', reuse=reuse),
                             train=train)

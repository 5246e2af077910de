"""The ConcatVisualBPR recommender."""
from openrec._checks import check_optional_positive_int
from openrec._tfutils import ArgumentError, check_positive_int
from openrec.modules.extractions import LatentFactor, MultiLayerFC
from openrec.modules.fusions import Concat
from openrec.recommenders._validation import check_feature_source, feature_rows
from openrec.recommenders.bpr import BPR


class ConcatVisualBPR(BPR):
    """BPR whose item vectors concatenate a latent factor and a projected visual feature.

    An item's vector is ``[lf, vf]``: a ``dim_embed - dim_ve`` latent factor next to a
    ``dim_ve`` linear projection (with bias) of its row in ``item_f_source``. Loss and
    serving scores as :class:`BPR`, trained with SGD (learning rate 0.005).

    Batches as BPR; the visual features are looked up from ``item_f_source`` with the
    batch's item ids. Serving takes any number of users.

    Parameters
    ----------
    batch_size : int
        Training batch size.
    max_user : int
        Maximum number of users.
    max_item : int
        Maximum number of items.
    dim_embed : int
        Dimensionality of the user and (concatenated) item embeddings.
    dim_ve : int
        Width of the visual part, ``0 < dim_ve < dim_embed``.
    item_f_source : numpy.ndarray
        ``[max_item, F]`` item features, row ``i`` for item ``i`` (at least ``max_item``
        rows; a ValueError otherwise, where the original failed at the first high id).
    item_serving_size : int, optional
        Unused (kept for the signature).
    l2_reg : float, optional
        Weight for L2 regularization of the looked-up latent factors and biases (the
        projection is not regularized).
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
    dim_embed - dim_ve]``, ``item_MLP/FC__0 [F, dim_ve]``, ``item_MLP/bias__0 [dim_ve]``,
    ``item_bias/embedding [max_item, 1]``. Kept from the original: gradients of
    variables whose name contains ``item_MLP`` are divided by ``batch_size``; the
    serving ``item_id`` input is declared twice (``item_id_serving_1`` is the live one).
    """

    def __init__(self, batch_size, max_user, max_item, dim_embed, dim_ve, item_f_source,
                 item_serving_size=None, l2_reg=None, sess_config=None):
        dim_embed = check_positive_int(dim_embed, 'dim_embed')
        self._dim_ve = check_positive_int(dim_ve, 'dim_ve')
        if self._dim_ve >= dim_embed:
            raise ArgumentError('dim_ve must be smaller than dim_embed (%d), got %d'
                                % (dim_embed, self._dim_ve))
        self._item_f_source = check_feature_source(item_f_source, 'item_f_source', max_item,
                                                   'max_item')
        self._item_serving_size = check_optional_positive_int(item_serving_size,
                                                              'item_serving_size')
        super(ConcatVisualBPR, self).__init__(batch_size=batch_size, max_user=max_user,
                                              max_item=max_item, dim_embed=dim_embed,
                                              l2_reg=l2_reg, sess_config=sess_config)

    def _input_mappings(self, batch_data, train):
        """BPR's mapping plus the items' visual features looked up in ``item_f_source``."""
        mapping = BPR._input_mappings(self, batch_data, train)
        if train:
            for role in ('p_', 'n_'):
                mapping[self._get_input(role + 'item_vfeature')] = self._item_features(
                    batch_data, role + 'item_id_input')
        else:
            mapping[self._get_input('item_id', train=False)] = batch_data['item_id_input']
            mapping[self._get_input('item_vfeature', train=False)] = self._item_features(
                batch_data, 'item_id_input')
        return mapping

    def _item_features(self, batch_data, field):
        return feature_rows(self._item_f_source, batch_data, field, self._max_item, 'max_item')

    def _build_item_inputs(self, train=True):
        """BPR's item inputs plus float32 ``p_item_vfeature``, ``n_item_vfeature``
        ``[batch_size, F]``; serving ``item_id`` (again) and ``item_vfeature`` ``[None, F]``."""
        BPR._build_item_inputs(self, train)
        width = self._item_f_source.shape[1]
        if train:
            self._add_input(name='p_item_vfeature', dtype='float32',
                            shape=[self._batch_size, width])
            self._add_input(name='n_item_vfeature', dtype='float32',
                            shape=[self._batch_size, width])
        else:
            self._add_input(name='item_id', dtype='int32', shape=[None], train=False)
            self._add_input(name='item_vfeature', dtype='float32', shape=[None, width],
                            train=False)

    def _build_item_extractions(self, train=True):
        """Per item role: latent factor (``item``), projection (``item_MLP``), bias (``item_bias``)."""
        roles = (('p_', False), ('n_', True)) if train else (('', True),)
        for prefix, reuse in roles:
            ids = self._get_input(prefix + 'item_id', train=train)
            self._add_module(prefix + 'item_lf',
                             LatentFactor(l2_reg=self._l2_reg, init='normal', ids=ids,
                                          shape=[self._max_item, self._dim_embed - self._dim_ve],
                                          scope='item', reuse=reuse),
                             train=train)
            self._add_module(prefix + 'item_vf',
                             MultiLayerFC(in_tensor=self._get_input(prefix + 'item_vfeature',
                                                                    train=train),
                                          dims=[self._dim_ve], scope='item_MLP', reuse=reuse),
                             train=train)
            self._add_module(prefix + 'item_bias',
                             LatentFactor(l2_reg=self._l2_reg, init='zero', ids=ids,
                                          shape=[self._max_item, 1], scope='item_bias',
                                          reuse=reuse),
                             train=train)

    def _build_default_fusions(self, train=True):
        """``p_item_vec`` / ``n_item_vec`` (serving ``item_vec``) = Concat of latent factor
        and projection, scope ``item_concat``."""
        roles = (('p_', False), ('n_', True)) if train else (('', True),)
        for prefix, reuse in roles:
            self._add_module(prefix + 'item_vec',
                             Concat(module_list=[self._get_module(prefix + 'item_lf', train=train),
                                                 self._get_module(prefix + 'item_vf', train=train)],
                                    scope='item_concat', reuse=reuse),
                             train=train)

    def _grad_post_processing(self, grad_var_list):
        """Divide the gradients of variables named ``*item_MLP*`` by ``batch_size``."""
        return self._scale_gradients(grad_var_list, 'item_MLP', 1.0 / self._batch_size)

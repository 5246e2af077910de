"""The CDL recommender."""
from openrec._checks import check_optional_positive_int
from openrec._tfutils import (ArgumentError, check_dims, check_l2_reg, check_number,
                              check_positive_int, check_rate, check_width)
from openrec.modules.extractions import SDAE
from openrec.recommenders._validation import check_feature_source
from openrec.recommenders.pmf import PMF
from openrec.recommenders.visual_pmf import VisualPMF


class CDL(PMF):
    """Collaborative Deep Learning [1]_: PMF with item vectors from a denoising autoencoder.

    An item's vector is ``lf + code`` (an :class:`~openrec.modules.fusions.Average` of
    the two with weight 2), where ``code`` is the bottleneck of a stacked denoising
    autoencoder (SDAE) applied to its row in ``item_f``. The loss is PMF's plus the
    SDAE's (L2 terms and ``l2_reconst`` times the reconstruction error). Serving
    scores as :class:`PMF`.

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
    item_f : numpy.ndarray
        ``[max_item, F]`` item features, row ``i`` for item ``i`` (at least ``max_item``
        rows; a ValueError otherwise, where the original failed at the first high id).
    dims : list of int
        SDAE widths: ``dims[0]`` must equal ``F`` and ``dims[-1]`` must equal
        ``dim_embed``.
    dropout : float, optional
        SDAE dropout rate (training only).
    test_batch_size : int, optional
        Stored but unused (as PMF).
    item_serving_size : int, optional
        Stored but unused.
    l2_reg : float, optional
        Weight for L2 regularization of the looked-up embeddings and biases.
    l2_reg_mlp : float, optional
        Weight for L2 regularization of the SDAE variables.
    l2_reconst : float
        Weight of the reconstruction loss; required despite the None default.
    opt : str, optional
        ``'SGD'`` (learning rate 0.005) or ``'Adam'`` (0.001).
    sess_config : tf.compat.v1.ConfigProto, optional
        Session configuration.

    Raises
    ------
    ValueError
        If an argument has a bad value, including ``l2_reconst=None`` (checked before
        anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Variables: PMF's plus ``AutoEncoder/encoder/{FC__i,bias__i}`` and
    ``AutoEncoder/decoder/{FC__i,bias__i}``; the fusion scope is ``item_average``.
    Fixed defects: the original could never be built (``l2_reconst=None`` failed
    inside TensorFlow and any other value re-created the autoencoder's variables for
    serving). Here ``l2_reconst`` must be given and the serving autoencoder reuses the
    training variables; it runs in serving mode (no dropout). Kept: the serving
    ``item_id`` input is declared twice.

    References
    ----------
    .. [1] Wang, H., Wang, N. and Yeung, D.Y., 2015, August. Collaborative deep
       learning for recommender systems. In Proceedings of the 21th ACM SIGKDD
       International Conference on Knowledge Discovery and Data Mining
       (pp. 1235-1244).
    """

    _item_feature_input = 'item_feature'
    _item_feature_module = 'item_f'

    def __init__(self, batch_size, max_user, max_item, dim_embed, item_f, dims, dropout=None,
                 test_batch_size=None, item_serving_size=None, l2_reg=None, l2_reg_mlp=None,
                 l2_reconst=None, opt='SGD', sess_config=None):
        dim_embed = check_positive_int(dim_embed, 'dim_embed')
        self._item_f_source = check_feature_source(item_f, 'item_f', max_item, 'max_item')
        self._dims = check_dims(dims)
        if len(self._dims) < 2:
            raise ArgumentError('dims must have at least two entries [feature width, ..., '
                                'dim_embed], got %r' % (dims,))
        check_width(self._dims[0], 'dims[0]', self._item_f_source.shape[1], 'the width of item_f')
        check_width(self._dims[-1], 'dims[-1]', dim_embed, 'dim_embed')
        self._dropout = check_rate(dropout, 'dropout')
        self._item_serving_size = check_optional_positive_int(item_serving_size,
                                                              'item_serving_size')
        self._l2_reg_mlp = check_l2_reg(l2_reg_mlp, 'l2_reg_mlp')
        if l2_reconst is None:
            raise ArgumentError('l2_reconst cannot be None: give the weight of the SDAE '
                                'reconstruction loss, e.g. l2_reconst=1.0')
        self._l2_reconst = check_number(l2_reconst, 'l2_reconst', non_negative=True)
        super(CDL, self).__init__(batch_size=batch_size, dim_embed=dim_embed, max_user=max_user,
                                  max_item=max_item, test_batch_size=test_batch_size,
                                  l2_reg=l2_reg, opt=opt, sess_config=sess_config)

    # Same feature input, mapping and fusion as VisualPMF (feature ``item_feature``,
    # module ``item_f``).
    _input_mappings = VisualPMF._input_mappings
    _build_item_inputs = VisualPMF._build_item_inputs
    _build_default_fusions = VisualPMF._build_default_fusions

    def _build_item_extractions(self, train=True):
        """PMF's item modules plus ``item_f``: SDAE in scope ``AutoEncoder``."""
        super(CDL, self)._build_item_extractions(train)
        self._add_module('item_f',
                         SDAE(in_tensor=self._get_input('item_feature', train=train),
                              dims=self._dims, l2_reg=self._l2_reg_mlp,
                              l2_reconst=self._l2_reconst, dropout=self._dropout, train=train,
                              scope='AutoEncoder', reuse=not train),
                         train=train)

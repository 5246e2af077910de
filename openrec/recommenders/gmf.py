"""The GMF recommender."""
from openrec.modules.interactions import PointwiseGeCE
from openrec.recommenders.pmf import PMF


class GMF(PMF):
    """Generalized Matrix Factorization [1]_ trained with a sigmoid cross-entropy.

    Same constructor, inputs and extractions as :class:`PMF`. The logit of a pair is
    ``(u * v) @ h + b`` with a learned ``h`` (``[dim_embed, 1]``, no bias); the loss is
    the sum of sigmoid cross-entropies with the labels plus the latent factors' L2
    terms. Serving returns the raw logits for every served user and item,
    ``[number of users, number of items]`` (no sigmoid).

    Parameters
    ----------
    batch_size, dim_embed, max_user, max_item, test_batch_size, l2_reg, opt, sess_config
        As :class:`PMF`.

    Raises
    ------
    ValueError
        If an argument has a bad value (checked before anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Variables: PMF's plus ``PointwiseGeCE/gmf_reg/FC__0 [dim_embed, 1]``. Kept from the
    original: ``l2_reg`` is also handed to the interaction, which never adds it to the
    loss, so ``h`` is not regularized.

    References
    ----------
    .. [1] He, X., Liao, L., Zhang, H., Nie, L., Hu, X. and Chua, T.S., 2017, April.
       Neural collaborative filtering. In Proceedings of the 26th International
       Conference on World Wide Web (pp. 173-182).
    """

    def _build_default_interactions(self, train=True):
        """``interaction``: PointwiseGeCE in scope ``PointwiseGeCE``."""
        self._add_module('interaction',
                         PointwiseGeCE(user=self._get_module('user_vec', train=train).get_outputs()[0],
                                       item=self._get_module('item_vec', train=train).get_outputs()[0],
                                       item_bias=self._get_module('item_bias', train=train).get_outputs()[0],
                                       l2_reg=self._l2_reg, labels=self._get_input('labels'),
                                       train=train, scope='PointwiseGeCE', reuse=not train),
                         train=train)

"""The CML recommender."""
import tensorflow.compat.v1 as tf

from openrec.modules.interactions import PairwiseEuDist
from openrec.recommenders.bpr import BPR


class CML(BPR):
    """Collaborative Metric Learning [1]_: users and items in one metric space.

    Same constructor, inputs and extractions as :class:`BPR`; the interaction is a
    hinge on squared Euclidean distances,
    ``sum(max(1 - [(-|u-p|^2 + b_p) - (-|u-n|^2 + b_n)], 0))`` plus the latent
    factors' L2 terms. After every training step the user and item embeddings of the
    rows seen in the batch are censored to norm at most 1 (biases are not). Serving
    scores are ``2 U @ V.T + b.T - |v|^2`` (per item column), which rank items like
    ``-|u-v|^2 + b``.

    Parameters
    ----------
    batch_size, max_user, max_item, dim_embed, test_batch_size, l2_reg, opt, lr, init_dict, sess_config
        As :class:`BPR`.

    Raises
    ------
    ValueError
        If an argument has a bad value (checked before anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Variables as BPR. The interaction lives in scope ``PairwiseEuDist``. Kept from the
    original: the class overrides ``_build_interactions`` itself, not
    ``_build_default_interactions``, so extra interaction functions would never run;
    as BPR, the serving user input has the static size ``test_batch_size`` (a shorter
    last batch must be padded).

    References
    ----------
    .. [1] Hsieh, C.K., Yang, L., Cui, Y., Lin, T.Y., Belongie, S. and Estrin, D.,
       2017, April. Collaborative metric learning. In Proceedings of the 26th
       International Conference on World Wide Web (pp. 193-201).
    """

    def _build_interactions(self, train=True):
        """``interaction``: PairwiseEuDist in scope ``PairwiseEuDist``."""
        if train:
            self._add_module('interaction',
                             PairwiseEuDist(user=self._get_module('user_vec').get_outputs()[0],
                                            p_item=self._get_module('p_item_vec').get_outputs()[0],
                                            n_item=self._get_module('n_item_vec').get_outputs()[0],
                                            p_item_bias=self._get_module('p_item_bias').get_outputs()[0],
                                            n_item_bias=self._get_module('n_item_bias').get_outputs()[0],
                                            scope='PairwiseEuDist', reuse=False, train=True))
        else:
            self._add_module('interaction',
                             PairwiseEuDist(user=self._get_module('user_vec', train=False).get_outputs()[0],
                                            item=self._get_module('item_vec', train=False).get_outputs()[0],
                                            item_bias=self._get_module('item_bias', train=False).get_outputs()[0],
                                            scope='PairwiseEuDist', reuse=True, train=False),
                             train=False)

    def _build_post_training_ops(self):
        """Censor the batch's user and item embeddings (``item/embedding``) to norm <= 1."""
        unique_user_id, _ = tf.unique(self._get_input('user_id'))
        # reshape: WCML shares this with [batch_size, neg_num] negatives.
        unique_item_id, _ = tf.unique(tf.concat([self._get_input('p_item_id'),
                                                 tf.reshape(self._get_input('n_item_id'), [-1])],
                                                axis=0))
        return [self._get_module('user_vec').censor_l2_norm_op(censor_id_list=unique_user_id),
                self._get_module('p_item_vec').censor_l2_norm_op(censor_id_list=unique_item_id)]

"""The VisualCML recommender."""
from openrec.recommenders.cml import CML
from openrec.recommenders.visual_bpr import VisualBPR


class VisualCML(VisualBPR):
    """:class:`VisualBPR` with CML's metric-learning interaction.

    Same constructor, inputs, extractions and fusions as VisualBPR; the interaction
    is :class:`CML`'s (scope ``PairwiseEuDist``) and serving scores are CML's.

    Parameters
    ----------
    batch_size, max_user, max_item, dim_embed, dims, item_f_source, test_batch_size, item_serving_size, dropout_rate, l2_reg, l2_reg_mlp, opt, sess_config
        As :class:`VisualBPR`.

    Raises
    ------
    ValueError
        If an argument has a bad value (checked before anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Variables as VisualBPR. Kept from the original: unlike CML there is no norm
    censoring after training steps; ``opt`` and ``item_serving_size`` are ignored
    (always SGD, learning rate 0.005), as in VisualBPR.
    """

    _build_default_interactions = CML._build_interactions

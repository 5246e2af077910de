"""The VisualGMF recommender."""
from openrec.recommenders.gmf import GMF
from openrec.recommenders.visual_pmf import VisualPMF


class VisualGMF(VisualPMF):
    """:class:`VisualPMF` with GMF's interaction.

    Same constructor, inputs, extractions and fusion as VisualPMF; the interaction is
    :class:`GMF`'s (scope ``PointwiseGeCE``) and serving returns GMF's raw logits.

    Parameters
    ----------
    batch_size, max_user, max_item, dim_embed, dims, item_f_source, test_batch_size, item_serving_size, dropout_rate, l2_reg, l2_reg_mlp, opt, sess_config
        As :class:`VisualPMF`.

    Raises
    ------
    ValueError
        If an argument has a bad value (checked before anything is built).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Variables: VisualPMF's plus ``PointwiseGeCE/gmf_reg/FC__0 [dim_embed, 1]``, which
    is not regularized (as GMF).
    """

    _build_default_interactions = GMF._build_default_interactions

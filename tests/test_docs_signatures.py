"""Signatures and documented members match the original OpenRec 0.1 API page.

The expected strings are copied from the rendered reference page of
``openrec.modules.extractions`` (shared/seed/extractions_api_reference.txt); the test
does not read that file, so it runs wherever the repository is checked out.
"""
import inspect

import pytest

import openrec.modules
import openrec.modules.extractions as extractions

CLASS_SIGNATURES = {
    'Extraction': "(train=True, l2_reg=None, scope=None, reuse=False)",
    'LookUp': "(embed, ids=None, scope=None, reuse=False)",
    'IdentityMapping': "(value, scope=None, reuse=False)",
    'LatentFactor': "(shape, init='normal', ids=None, l2_reg=None, scope=None, reuse=False)",
    'MultiLayerFC': "(in_tensor, dims, relu_in=False, relu_mid=True, relu_out=False, "
                    "dropout_in=None, dropout_mid=None, dropout_out=None, bias_in=True, "
                    "bias_mid=True, bias_out=True, batch_norm=False, train=True, l2_reg=None, "
                    "scope=None, reuse=False)",
    'SDAE': "(in_tensor, dims, dropout=None, l2_reconst=1.0, train=True, l2_reg=None, "
            "scope=None, reuse=False)",
    'TemporalLatentFactor': "(shape, mlp_dims, ids, init='normal', mlp_pretrain=True, "
                            "l2_reg=None, train=True, scope=None, reuse=False)",
}

# members documented on the page, with their signatures (without self)
MEMBERS = {
    'LookUp': {'_build_shared_graph': "()"},
    'IdentityMapping': {'_build_shared_graph': "()"},
    'LatentFactor': {'_build_shared_graph': "()",
                     'censor_l2_norm_op': "(censor_id_list=None, max_norm=1)"},
    'MultiLayerFC': {'_build_shared_graph': "()"},
    'SDAE': {'_build_shared_graph': "()"},
    'TemporalLatentFactor': {'_build_shared_graph': "()", '_build_training_graph': "()",
                             'forward_update_embeddings': "(sess)",
                             'pretrain_mlp_as_identity': "(sess)"},
}

# first lines of the page's descriptions (the docstrings may go on)
SUMMARIES = {
    'Extraction': "A direct inheritance of the Module.",
    'LookUp': "The LookUp module maps (embeds) input ids into fixed representations.",
    'IdentityMapping': "The IdentityMapping module executes an identity function.",
    'LatentFactor': "The LatentFactor module maps (embeds) input ids into latent "
                    "representations.",
    'MultiLayerFC': "The MultiLayerFC module implements multi-layer perceptrons",
    'SDAE': "The SDAE module implements Stacked Denoising Autoencoders",
}


@pytest.mark.parametrize('name', sorted(CLASS_SIGNATURES))
def test_class_signature(name):
    assert str(inspect.signature(getattr(extractions, name))) == CLASS_SIGNATURES[name]


def test_module_signature():
    assert str(inspect.signature(openrec.modules.Module)) == \
        "(train=True, l2_reg=None, scope=None, reuse=False)"
    for method in ('get_outputs', 'get_loss', '_build_shared_graph', '_build_training_graph',
                   '_build_serving_graph'):
        assert str(inspect.signature(getattr(openrec.modules.Module, method))) == "(self)"


@pytest.mark.parametrize('name', sorted(MEMBERS))
def test_documented_members(name):
    cls = getattr(extractions, name)
    for member, signature in MEMBERS[name].items():
        method = getattr(cls, member)
        assert callable(method)
        assert str(inspect.signature(method)).replace('(self, ', '(').replace('(self)', '()') \
            == signature, (name, member)
        assert inspect.getdoc(method), (name, member)


@pytest.mark.parametrize('name', sorted(MEMBERS))
def test_documented_members_are_overridden_where_the_page_shows_them(name):
    cls = getattr(extractions, name)
    for member in MEMBERS[name]:
        if member.startswith('_build'):
            assert member in vars(cls), (name, member)


@pytest.mark.parametrize('name', sorted(SUMMARIES))
def test_class_docstrings(name):
    doc = ' '.join(inspect.getdoc(getattr(extractions, name)).split())
    assert doc.startswith(SUMMARIES[name])
    assert 'Parameters' in inspect.getdoc(getattr(extractions, name))


@pytest.mark.parametrize('name', sorted(CLASS_SIGNATURES))
def test_every_argument_is_documented(name):
    cls = getattr(extractions, name)
    doc = inspect.getdoc(cls)
    for parameter in inspect.signature(cls).parameters:
        assert '\n%s :' % parameter in doc, (name, parameter)

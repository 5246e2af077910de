"""Hints for OpenRec 0.2 names looked up at the 0.1 paths (private, TensorFlow-free).

OpenRec 0.2.x shipped its new API at ``openrec.*``; here ``openrec.*`` is the 0.1 API and
the 0.2 API lives at ``openrec.tf1.*`` (OpenRec 0.3.0's paths). A 0.2.x script run
unchanged asks a 0.1 package for a name that only the 0.2 API has
(``openrec.utils.samplers.RandomPairwiseSampler``): the error then says where that name
is. Only names that exist in the 0.2 package (and not in the 0.1 one) get the hint;
everything else fails as usual.

Two ways to ask, two hooks:

- attribute access (``openrec.recommenders.RNNRec``, ``getattr``, ``hasattr``): the
  package's module ``__getattr__`` (:func:`module_getattr`) raises ``AttributeError``
  with the hint, so ``hasattr`` is False as before;
- ``from openrec.recommenders import RNNRec`` and ``import openrec.recommenders.rnn_rec``:
  Python turns a failed attribute lookup of a from-import into a generic "cannot import
  name" error, but first tries to import ``<package>.<name>`` as a submodule; a finder
  at the end of ``sys.meta_path`` (asked only when no other finder found that module)
  raises the hint then: ``ImportError`` for a class or function, ``ModuleNotFoundError``
  for a module.

The table is static, so that no lookup imports TensorFlow or the 0.2 API;
``tests/test_tf1_hints.py`` checks it against the packages.
"""
import importlib.abc
import sys

# {0.1 package: (names only its 0.2 counterpart exports, submodules only it has)}
TF1_ONLY = {
    'openrec': ((), ('fast_dot_product_server', 'model_trainer')),
    'openrec.recommenders': (
        ('RNNRec', 'UCML', 'VBPR', 'VanillaYouTubeRec', 'YouTubeRec'),
        ('rnn_rec', 'ucml', 'vanilla_youtube_rec', 'vbpr', 'youtube_rec')),
    'openrec.modules.interactions': (('MLPSoftmax', 'RNNSoftmax'),
                                     ('mlp_softmax', 'rnn_softmax')),
    'openrec.utils.samplers': (
        ('EvaluationSampler', 'RandomPairwiseSampler', 'RandomPointwiseSampler',
         'StratifiedPointwiseSampler', 'TemporalEvaluationSampler', 'TemporalSampler',
         'VBPREvaluationSampler', 'VBPRPairwiseSampler', 'YouTubeEvaluationSampler',
         'YouTubeSampler'),
        ('evaluation_sampler', 'random_pairwise_sampler', 'random_pointwise_sampler',
         'stratified_pointwise_sampler', 'temporal_evaluation_sampler', 'temporal_sampler',
         'vbpr_evaluation_sampler', 'vbpr_pairwise_sampler', 'youtube_evaluation_sampler',
         'youtube_sampler')),
    'openrec.utils.evaluators': (('EvalManager',), ('eval_manager',)),
}


def hint(package, name):
    """Where the 0.2 name ``name`` of ``package`` lives, or None if it is not one."""
    names, submodules = TF1_ONLY.get(package, ((), ()))
    new_package = 'openrec.tf1' + package[len('openrec'):]
    if name in names:
        how = 'from %s import %s' % (new_package, name)
    elif name in submodules:
        how = 'import %s.%s' % (new_package, name)
    else:
        return None
    return ('%s belongs to the OpenRec 0.2 API, which is at openrec.tf1.* here (the paths of '
            'OpenRec 0.3.0; OpenRec 0.2.x had it at openrec.*, where openrec keeps the 0.1 '
            'API): %s' % (name, how))


def module_getattr(package):
    """The module ``__getattr__`` of a 0.1 package: the hint for 0.2 names, else the
    usual ``AttributeError``."""
    def __getattr__(name):
        message = 'module %r has no attribute %r' % (package, name)
        found = hint(package, name)
        raise AttributeError(message if found is None else '%s: %s' % (message, found))
    return __getattr__


class _HintFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: asked only for modules nothing else found."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition('.')
        found = hint(package, name)
        if found is None:
            return None
        if name in TF1_ONLY[package][1]:
            raise ModuleNotFoundError('No module named %r: %s' % (fullname, found),
                                      name=fullname)
        # not ModuleNotFoundError: a from-import would swallow that one and report a
        # generic "cannot import name"
        raise ImportError('cannot import name %r from %r: %s' % (name, package, found),
                          name=package)


if not any(isinstance(finder, _HintFinder) for finder in sys.meta_path):
    sys.meta_path.append(_HintFinder())

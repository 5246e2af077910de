"""OpenRec 0.2 names asked of the 0.1 packages (0.2.x scripts run unchanged): the error
says where the name is (``openrec/_tf1_hints.py``)."""
import importlib
import pickle
import pkgutil
import sys
import types

import pytest

import openrec
import openrec.legacy
import openrec.modules.interactions
import openrec.recommenders
import openrec.tf1.legacy
import openrec.utils.evaluators
import openrec.utils.samplers
from openrec._tf1_hints import TF1_ONLY

PREFIXES = ('openrec', 'openrec.legacy', 'openrec.tf1.legacy')


def hint(name, how):
    return ('%s belongs to the OpenRec 0.2 API, which is at openrec.tf1.* here (the paths of '
            'OpenRec 0.3.0; OpenRec 0.2.x had it at openrec.*, where openrec keeps the 0.1 '
            'API): %s' % (name, how))


def public(module):
    names = set(dir(module)) | set(getattr(module, '__all__', ()))
    return {n for n in names if not n.startswith('_')
            and not isinstance(getattr(module, n, None), types.ModuleType)}


def submodules(module):
    return {m.name for m in pkgutil.iter_modules(module.__path__) if not m.name.startswith('_')}


def test_the_table_is_what_only_the_0_2_packages_have():
    # every 0.1 package whose 0.2 counterpart has more names or submodules is listed, exactly
    found = {}
    for suffix in ('', '.recommenders', '.modules', '.modules.extractions',
                   '.modules.interactions', '.modules.fusions', '.utils', '.utils.samplers',
                   '.utils.evaluators'):
        old = importlib.import_module('openrec' + suffix)
        new = importlib.import_module('openrec.tf1' + suffix)
        names = tuple(sorted(n for n in public(new) if not hasattr(old, n)))  # lazy ones too
        modules = tuple(sorted(submodules(new) - submodules(old)))
        if names or modules:
            found['openrec' + suffix] = (names, modules)
    assert found == TF1_ONLY


@pytest.mark.parametrize('package, name, how', [
    ('openrec.utils.samplers', 'RandomPairwiseSampler',
     'from openrec.tf1.utils.samplers import RandomPairwiseSampler'),
    ('openrec.recommenders', 'RNNRec', 'from openrec.tf1.recommenders import RNNRec'),
    ('openrec.recommenders', 'UCML', 'from openrec.tf1.recommenders import UCML'),
    ('openrec.utils.evaluators', 'EvalManager',
     'from openrec.tf1.utils.evaluators import EvalManager'),
    ('openrec.modules.interactions', 'MLPSoftmax',
     'from openrec.tf1.modules.interactions import MLPSoftmax'),
    ('openrec.recommenders', 'youtube_rec', 'import openrec.tf1.recommenders.youtube_rec'),
    ('openrec', 'model_trainer', 'import openrec.tf1.model_trainer'),
])
def test_attribute_access_names_the_0_2_path(package, name, how):
    module = sys.modules[package]
    message = "module %r has no attribute %r: %s" % (package, name, hint(name, how))
    # the 0.1 subpackages are one module object under the three prefixes (the top-level
    # packages openrec.legacy and openrec.tf1.legacy are modules of their own)
    prefixes = ('openrec',) if package == 'openrec' else PREFIXES
    for prefix in prefixes:
        aliased = importlib.import_module(prefix + package[len('openrec'):])
        with pytest.raises(AttributeError) as info:
            getattr(aliased, name)
        assert str(info.value) == message
    assert not hasattr(module, name) and name not in dir(module)


def test_other_names_fail_as_usual_and_0_1_names_are_untouched():
    for module, name in ((openrec.recommenders, 'Nope'), (openrec.utils.samplers, 'sampler_x'),
                         (openrec, 'RNNRec'), (openrec.utils.evaluators, '__wrapped__')):
        with pytest.raises(AttributeError) as info:
            getattr(module, name)
        assert str(info.value) == 'module %r has no attribute %r' % (module.__name__, name)
    # names both APIs have stay the 0.1 objects; the lazy 0.2 exports of openrec still work
    assert openrec.recommenders.BPR.__module__ == 'openrec.recommenders.bpr'
    assert openrec.modules.interactions.PairwiseLog.__module__ == \
        'openrec.modules.interactions.pairwise_log'
    assert openrec.ModelTrainer.__module__ == 'openrec.tf1.model_trainer'
    assert hasattr(openrec.utils.samplers, 'PairwiseSampler')


def test_from_imports_carry_the_hint():
    message = ("cannot import name 'RandomPairwiseSampler' from 'openrec.utils.samplers': "
               + hint('RandomPairwiseSampler',
                      'from openrec.tf1.utils.samplers import RandomPairwiseSampler'))
    for prefix in PREFIXES:
        with pytest.raises(ImportError) as info:
            exec('from %s.utils.samplers import RandomPairwiseSampler' % prefix, {})
        assert str(info.value) == message
        assert not isinstance(info.value, ModuleNotFoundError)
    for code in ('from openrec.recommenders.rnn_rec import RNNRec',
                 'import openrec.recommenders.rnn_rec'):
        with pytest.raises(ModuleNotFoundError) as info:
            exec(code, {})
        assert str(info.value) == ("No module named 'openrec.recommenders.rnn_rec': "
                                   + hint('rnn_rec', 'import openrec.tf1.recommenders.rnn_rec'))
        assert info.value.name == 'openrec.recommenders.rnn_rec'
    assert 'openrec.recommenders.rnn_rec' not in sys.modules
    # names that are in neither API: Python's own messages
    with pytest.raises(ImportError, match=r"^cannot import name 'Nope' from "
                                          r"'openrec\.recommenders' \("):
        exec('from openrec.recommenders import Nope', {})
    with pytest.raises(ModuleNotFoundError, match=r"^No module named "
                                                  r"'openrec\.recommenders\.nope'$"):
        importlib.import_module('openrec.recommenders.nope')


def test_star_imports_pickles_and_finders_are_unaffected():
    namespace = {}
    exec('from openrec.utils.samplers import *', namespace)
    assert {'Sampler', 'PairwiseSampler', 'NPairwiseSampler', 'PointwiseSampler',
            'ExplicitSampler'} <= set(namespace)
    assert not {n for n in namespace if 'module_getattr' in n or n in TF1_ONLY[
        'openrec.utils.samplers'][0]}
    namespace = {}
    exec('from openrec.recommenders import *', namespace)
    assert sorted(n for n in namespace if n != '__builtins__') == \
        sorted(openrec.recommenders.__all__)
    auc = openrec.utils.evaluators.AUC(name='a')
    assert pickle.loads(pickle.dumps(auc)).name == 'a'
    assert pickle.loads(pickle.dumps(openrec.utils.samplers.PairwiseSampler)) is \
        openrec.utils.samplers.PairwiseSampler
    # the hint finder comes after the finders of installed modules (it was appended; other
    # libraries may append finders of their own later): it never shadows a module they find
    kinds = [type(f).__name__ if not isinstance(f, type) else f.__name__ for f in sys.meta_path]
    assert kinds.count('_HintFinder') == 1
    assert kinds.index('_HintFinder') > kinds.index('PathFinder')
    assert importlib.util.find_spec('openrec.recommenders.bpr').name == 'openrec.recommenders.bpr'
    assert importlib.import_module('openrec.tf1.legacy.recommenders.bpr') is \
        sys.modules['openrec.recommenders.bpr']

"""The 0.1 API under the import paths of OpenRec 0.2.x and 0.3.0 (issue 9, part 2)."""
import importlib
import os
import pkgutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import openrec

PREFIXES = ('openrec', 'openrec.legacy', 'openrec.tf1.legacy')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Public names of the 0.1 API by package, from the specs' import tables.
PUBLIC = {
    '': ['ImplicitModelTrainer', 'ItrMLPModelTrainer'],
    '.implicit_model_trainer': ['ImplicitModelTrainer'],
    '.itr_mlp_model_trainer': ['ItrMLPModelTrainer'],
    '.recommenders': ['Recommender', 'BPR', 'PMF', 'NBPR', 'ConcatVisualBPR', 'VisualPMF', 'CDL',
                      'CML', 'WCML', 'VisualBPR', 'VisualCML', 'GMF', 'VisualGMF', 'UserPMF',
                      'UserVisualPMF', 'ItrMLP'],
    '.modules': ['Module'],
    '.modules.extractions': ['Extraction', 'LookUp', 'IdentityMapping', 'LatentFactor',
                             'MultiLayerFC', 'SDAE', 'TemporalLatentFactor'],
    '.modules.interactions': ['Interaction', 'PairwiseLog', 'PairwiseHinge', 'PairwiseEuDist',
                              'NsLog', 'NSEuDist', 'PointwiseMSE', 'PointwiseGeCE',
                              'PointwiseMLPCE', 'PointwiseGeMLPCE'],
    '.modules.fusions': ['Fusion', 'Concat', 'Average'],
    '.utils': ['Dataset', 'ImplicitDataset'],
    '.utils.samplers': ['Sampler', 'PairwiseSampler', 'NPairwiseSampler', 'PointwiseSampler',
                        'ExplicitSampler'],
    '.utils.evaluators': ['Evaluator', 'AUC', 'Recall', 'Precision', 'NDCG', 'MSE',
                          'ImplicitEvalManager'],
}


def legacy_module_names():
    """Every module of the 0.1 API, relative to ``openrec`` (``.recommenders.bpr``, ...)."""
    names = ['.implicit_model_trainer', '.itr_mlp_model_trainer']
    for package in ('modules', 'recommenders', 'utils'):
        names.append('.' + package)
        pkg = importlib.import_module('openrec.' + package)
        names += [info.name[len('openrec'):] for info in
                  pkgutil.walk_packages(pkg.__path__, prefix='openrec.%s.' % package)]
    return names


def test_every_module_is_the_same_object_under_the_three_prefixes():
    names = legacy_module_names()
    assert '.modules.extractions.latent_factor' in names and '.utils.samplers.sampler' in names
    assert len(names) > 60
    for name in names:
        canonical = importlib.import_module('openrec' + name)
        for prefix in PREFIXES[1:]:
            alias = importlib.import_module(prefix + name)
            assert alias is canonical, prefix + name
            assert sys.modules[prefix + name] is canonical
        # the module keeps its own identity (spec, name, file): no second copy
        assert canonical.__name__ == canonical.__spec__.name == 'openrec' + name


@pytest.mark.parametrize('prefix', PREFIXES)
def test_every_public_name_under_each_prefix(prefix):
    for package, names in PUBLIC.items():
        module = importlib.import_module(prefix + package)
        reference = importlib.import_module('openrec' + package)
        for name in names:
            assert getattr(module, name) is getattr(reference, name), (prefix + package, name)


def test_classes_agree_across_paths():
    from openrec.legacy.recommenders import BPR as BPR_02
    from openrec.recommenders import BPR
    from openrec.tf1.legacy.recommenders.bpr import BPR as BPR_03
    from openrec.tf1.legacy.utils import ImplicitDataset as ImplicitDataset_03
    from openrec.utils import ImplicitDataset
    assert BPR is BPR_02 is BPR_03
    assert BPR.__module__ == 'openrec.recommenders.bpr'
    ds = ImplicitDataset_03(np.array([(0, 1)], [('user_id', np.int32), ('item_id', np.int32)]),
                            2, 2)
    assert isinstance(ds, ImplicitDataset)
    # packages also give their 0.1 subpackages as attributes
    import openrec.legacy
    import openrec.tf1.legacy
    assert openrec.legacy.utils is openrec.utils
    assert openrec.tf1.legacy.utils.evaluators is openrec.utils.evaluators
    with pytest.raises(AttributeError):
        openrec.legacy.tf1


def test_missing_modules_are_reported_under_the_name_asked_for():
    with pytest.raises(ModuleNotFoundError, match=r"'openrec\.legacy\.recommenders\.nope'"):
        importlib.import_module('openrec.legacy.recommenders.nope')
    with pytest.raises(ModuleNotFoundError, match=r"'openrec\.tf1\.legacy\.tf1'"):
        importlib.import_module('openrec.tf1.legacy.tf1')


def run_fresh(code):
    """Run ``code`` in a fresh interpreter from the repository root; return its stdout."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3')
    out = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_light_imports_stay_light_and_0_2_api_is_not_imported():
    out = run_fresh("""
        import sys
        import openrec.legacy, openrec.tf1.legacy
        from openrec.tf1.legacy import ImplicitModelTrainer, ItrMLPModelTrainer
        from openrec.legacy import ImplicitModelTrainer
        from openrec.tf1.legacy.utils import ImplicitDataset
        from openrec.tf1.legacy.utils.samplers import PairwiseSampler
        from openrec.legacy.utils.evaluators import AUC
        print('tensorflow' in sys.modules)
        import openrec.tf1.legacy.recommenders, openrec.tf1.legacy.modules.extractions
        print(sorted(m for m in sys.modules
                     if m.startswith('openrec.tf1') and not m.startswith('openrec.tf1.legacy')))
    """)
    assert out.split('\n')[:2] == ['False', "['openrec.tf1']"]


def test_legacy_example_script_from_openrec_tf1_legacy():
    # In the style of OpenRec 0.3.0's legacy examples (bpr_citeulike.py), on the demo data.
    out = run_fresh("""
        import numpy as np
        from openrec.tf1.legacy import ImplicitModelTrainer
        from openrec.tf1.legacy.utils import ImplicitDataset
        from openrec.tf1.legacy.recommenders import BPR
        from openrec.tf1.legacy.utils.evaluators import AUC, Recall
        from openrec.tf1.legacy.utils.samplers import PairwiseSampler
        from openrec.data import load_demo_data

        raw_train, raw_test, max_user, max_item = load_demo_data()
        train_dataset = ImplicitDataset(raw_data=raw_train, max_user=max_user,
                                        max_item=max_item, name='Train')
        test_dataset = ImplicitDataset(raw_data=raw_test, max_user=max_user,
                                       max_item=max_item, name='Test')
        bpr_model = BPR(batch_size=200, max_user=train_dataset.max_user(),
                        max_item=train_dataset.max_item(), dim_embed=8, opt='Adam')
        sampler = PairwiseSampler(batch_size=200, dataset=train_dataset, num_process=1)
        model_trainer = ImplicitModelTrainer(batch_size=200, test_batch_size=100,
                                             train_dataset=train_dataset, model=bpr_model,
                                             sampler=sampler)
        auc_evaluator = AUC()
        recall_evaluator = Recall(recall_at=[10, 20])
        model_trainer.train(num_itr=21, display_itr=20, eval_datasets=[test_dataset],
                            evaluators=[auc_evaluator, recall_evaluator])
    """)
    lines = out.splitlines()
    assert lines[0] == '== Start training with FULL evaluation =='
    assert lines[-4].startswith('[Itr 20] loss: ')
    assert lines[-3:-1] == ['..(dataset: Test) evaluation', lines[-2]]
    assert lines[-2].startswith('..(dataset: Test) AUC 0.')
    assert lines[-1].startswith('..(dataset: Test) Recall 0.')

"""Every code block of the guides ``docs/getting_started.rst`` and ``docs/migrating.rst`` runs.

The blocks are read from the .rst files. Each Python block of a page runs on its own, in a
fresh Python process (a new user's: TF2 eager behaviour, this checkout's openrec), in
page order, all in one directory that starts empty (a block may read the files an
earlier one wrote, as the pages say); the variables in capitals that the pages mark as
lengths (``NUM_ITR = 2001  # ...``) are shortened. The blocks that export a SavedModel
then run a second time (an export must be re-runnable). Shell blocks: ``pip install -e
.`` runs with ``--dry-run --no-deps --no-build-isolation`` from the repository root and
``make test`` with ``make -n``. The processes are the same in both graph modes of the
suite, so they run once.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import V1_MODE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = ['getting_started.rst', 'migrating.rst']
# the shortened lengths (each must appear in its page: a renamed one fails the test)
SHORT = {'getting_started.rst': {'NUM_ITR': 201, 'DISPLAY_ITR': 100, 'TOTAL_ITER': 200,
                                 'EVAL_ITER': 100},
         'migrating.rst': {'NUM_ITR': 41, 'DISPLAY_ITR': 20, 'TOTAL_ITER': 40}}

pytestmark = pytest.mark.skipif(V1_MODE, reason='the pages run in a fresh process of their '
                                                'own, the same in both graph modes')


def blocks(page):
    """``[(language, code)]`` of the page's code blocks, in order."""
    lines = open(os.path.join(ROOT, 'docs', page)).read().splitlines()
    found, i = [], 0
    while i < len(lines):
        match = re.match(r'\.\. code-block:: (\w+)\s*$', lines[i])
        literal = lines[i].rstrip().endswith('::') and not lines[i].lstrip().startswith('..')
        assert not literal, '%s:%d: a literal block (::) would not be run; use code-block' % (
            page, i + 1)
        i += 1
        if not match:
            continue
        body = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith('   ')):
            body.append(lines[i][3:])
            i += 1
        found.append((match.group(1), '\n'.join(body).strip() + '\n'))
    return found


def shortened(code, short, seen):
    def replace(match):
        seen.add(match.group(1))
        return '%s = %d' % (match.group(1), short[match.group(1)])
    pattern = r'^(%s) = \d+(?=\s*#)' % '|'.join(short)
    return re.sub(pattern, replace, code, flags=re.M)


def test_pages_have_only_python_and_shell_blocks():
    for page in PAGES:
        kinds = [kind for kind, _ in blocks(page)]
        assert set(kinds) <= {'python', 'sh'}, page
        assert kinds.count('python') >= 3, page


def test_shell_blocks_install_from_a_checkout():
    commands = [(page, line) for page in PAGES for kind, code in blocks(page) if kind == 'sh'
                for line in code.splitlines() if line.strip()]
    assert commands == [('getting_started.rst', 'python -m pip install -e .'),
                        ('getting_started.rst', 'make test')]
    page = open(os.path.join(ROOT, 'docs', 'getting_started.rst')).read()
    assert ('The package named ``openrec`` on PyPI is the original OpenRec, the TensorFlow 1\n'
            '   library') in page
    pytest.importorskip('setuptools')   # pip builds the metadata here, without isolation
    result = subprocess.run([sys.executable, '-m', 'pip', 'install', '--dry-run', '--no-deps',
                             '--no-build-isolation', '--no-index', '-e', '.'], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Would install openrec' in result.stdout
    if shutil.which('make'):
        # -B: show the set-up recipe even where .venv is already installed (as under make test)
        result = subprocess.run(['make', '-n', '-B', 'test'], cwd=ROOT, capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stderr
        assert "pip install -e '.[test,docs]'" in result.stdout
        assert '-m pytest -q -n 2 tests' in result.stdout


def run_block(code, directory, env, label):
    result = subprocess.run([sys.executable, '-c', code], cwd=str(directory), env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, '%s failed:\n%s' % (label, result.stderr[-3000:])
    return result.stdout


@pytest.fixture(scope='module')
def ran(tmp_path_factory):
    """Run both pages block by block; ``{page: (stdout of every block, directory)}``."""
    out = {}
    env = {k: v for k, v in os.environ.items() if k != 'OPENREC_TEST_GRAPH_MODE'}
    env.update(PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL='2', NO_COLOR='1')
    for page in PAGES:
        seen = set()
        codes = [shortened(code, SHORT[page], seen) for kind, code in blocks(page)
                 if kind == 'python']
        assert seen == set(SHORT[page]), 'marked lengths missing from %s' % page
        directory = tmp_path_factory.mktemp(page.split('.')[0])
        stdout = [run_block(code, directory, env, '%s block %d' % (page, i))
                  for i, code in enumerate(codes)]
        for i, code in enumerate(codes):
            if 'export_saved_model(' in code:   # again, over the first export
                stdout.append(run_block(code, directory, env, '%s block %d, run again'
                                        % (page, i)))
        out[page] = (''.join(stdout), directory)
    return out


def test_getting_started_trains_evaluates_and_exports(ran):
    stdout, directory = ran['getting_started.rst']
    assert '[Itr 200] loss:' in stdout and '[iter 200] loss:' in stdout
    assert "{'AUC': " in stdout
    for name in ('bpr', 'bpr_tf1'):
        assert sorted(os.listdir(str(directory / 'export' / name))) == ['saved_model.pb',
                                                                       'variables']
        assert any(f.startswith('events.out.tfevents.')
                   for f in os.listdir(str(directory / 'runs' / name)))
    arrays = re.findall(r'^\[\[[\d\s\[\]]+\]\]$', stdout, flags=re.M)
    # each export block printed its 2 users x 10 best items twice (ran twice)
    assert len(arrays) == 4 and all(len(a.split('\n')) == 2 for a in arrays)
    assert arrays[0] == arrays[2]   # the 0.1 model, restored from its checkpoint again


def test_migrating_scripts_and_checkpoints(ran):
    stdout, directory = ran['migrating.rst']
    assert "['beta1_power', 'beta2_power', 'item/embedding', 'item/embedding/Adam']" in stdout
    assert os.path.exists(str(directory / 'bpr_recommender' / 'model.ckpt.index'))
    assert os.path.exists(str(directory / 'bpr_model-20.index'))

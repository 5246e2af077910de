"""The 0.2 part of ``make demo`` (``openrec.demo.main_tf1``) end to end, in the suite's mode."""
import re

import numpy as np

from openrec import demo

ANSI = re.compile(r'\x1b\[[0-9;]*m')


def test_demo_tf1_part(tmp_path, capsys):
    final = demo.main_tf1(total_iter=40, eval_iter=20, batch_size=500, save_model_dir=str(tmp_path))
    out = ANSI.sub('', capsys.readouterr().out)
    lines = [line for line in re.split('[\r\n]', out) if line.strip()]
    printed = [line for line in lines if not line.startswith(('..Trained', '...Evaluated'))]
    assert printed[0] == '[Training starts, total_iter: 40, eval_iter: 20, save_iter: 40]'
    assert printed[-5:-1] == [printed[-5], '..(dataset: Test) evaluation', printed[-3], printed[-2]]
    assert printed[-5].startswith('[iter 40] loss: ')
    # the closing pass of the test stream gives the figures of the last evaluation
    auc = float(printed[-3].split()[-1])
    recall = [float(x) for x in printed[-2].split()[-2:]]
    assert printed[-3].startswith('..(dataset: Test) AUC ')
    assert printed[-2].startswith('..(dataset: Test) Recall ')
    np.testing.assert_allclose(final['AUC'], auc, rtol=1e-12)
    np.testing.assert_allclose(final['Recall'], recall, rtol=1e-12)
    assert printed[-1] == demo.RESULT_LINE % (40, auc, recall[0], recall[1])
    assert 0.5 < auc <= 1  # 40 steps already beat chance on the demo's taste groups
    assert (tmp_path / 'model.ckpt-40.index').exists()

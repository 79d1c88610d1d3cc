"""The bundled mmaction2 baselines train, resume and test through tools/train.py and tools/test.py."""
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch

from vpd_mm.baselines import make_demo_actions

CONFIGS = ['configs/baselines/stgcn_joint_demo-actions-2d.py', 'configs/baselines/tsn_r18_demo-actions-rgb.py']


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp('baselines')
    make_demo_actions(str(root / 'data' / 'demo_actions'), train_per_class=2, val_per_class=1, num_frames=16,
                      size=64)
    return root


def _run(repo_root, cwd, *args):
    env = dict(os.environ, PYTHONPATH=repo_root)
    out = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, f'{args}\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}'
    return out.stdout + out.stderr


@pytest.mark.parametrize('config', CONFIGS)
def test_train_resume_test(repo_root, workspace, config):
    cfg = osp.join(repo_root, config)
    work = workspace / osp.splitext(osp.basename(config))[0]
    fast = ['train_dataloader.num_workers=0', 'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0']
    _run(repo_root, workspace, osp.join(repo_root, 'tools/train.py'), cfg, '--work-dir', str(work),
         '--cfg-options', 'train_cfg.max_epochs=1', *fast)
    assert (work / 'epoch_1.pth').is_file()
    # a vpd_mm training checkpoint passes torch's safe loading
    torch.load(work / 'epoch_1.pth', weights_only=True)

    log = _run(repo_root, workspace, osp.join(repo_root, 'tools/train.py'), cfg, '--work-dir', str(work),
               '--resume', '--cfg-options', 'train_cfg.max_epochs=2', *fast)
    assert 'resumed epoch: 1' in log
    assert (work / 'epoch_2.pth').is_file()

    dump = work / 'results.pkl'
    log = _run(repo_root, workspace, osp.join(repo_root, 'tools/test.py'), cfg, str(work / 'epoch_2.pth'),
               '--work-dir', str(work), '--dump', str(dump), '--cfg-options', *fast)
    assert 'acc/top1' in log
    results = pickle.load(open(dump, 'rb'))
    assert len(results) == 4  # one validation clip per class
    assert all(r['pred_score'].shape == (4, ) for r in results)


def test_test_tool_names_missing_checkpoint(repo_root, workspace):
    env = dict(os.environ, PYTHONPATH=repo_root)
    out = subprocess.run([sys.executable, osp.join(repo_root, 'tools/test.py'), osp.join(repo_root, CONFIGS[0]),
                          'missing.pth'], cwd=workspace, env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert 'checkpoint not found: missing.pth' in out.stderr

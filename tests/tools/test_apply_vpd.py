"""Train a tiny VPD student with tools/train.py (and --resume), then embed crops with tools/apply_vpd.py."""
import glob
import importlib.util
import os
import os.path as osp
import runpy
import subprocess
import sys

import numpy as np
import pytest

from vpd_mm.datasets.synthetic_crop_store import (synthetic_crops, write_synthetic_crop_video,
                                                  write_synthetic_teacher)
from vpd_mm.utils.vpd_files import load_embeddings

DIM, FRAMES = 6, 30


@pytest.fixture(scope='module')
def workspace(tmp_path_factory, repo_root):
    root = tmp_path_factory.mktemp('vpd')
    for i, vid in enumerate(['a', 'b']):
        frames = np.arange(FRAMES) if vid == 'a' else np.setdiff1d(np.arange(FRAMES), [7])  # b: no box on 7
        write_synthetic_crop_video(str(root / 'crops' / vid), frames, size=32, seed=i)
        write_synthetic_teacher(
            str(root / 'teacher' / f'{vid}.emb.pkl'),
            frames,
            dim=DIM,
            crops=synthetic_crops(len(frames), 32, i))
    demo = osp.join(repo_root, 'configs', 'vpd', '2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py')
    data = dict(crop_root=str(root / 'crops'), teacher_dirs=[str(root / 'teacher')], min_kp_score=0.5)
    (root / 'tiny.py').write_text(f"""
_base_ = [{demo!r}]
model = dict(backbone=dict(base_channels=4, out_channels={DIM}))
train_pipeline = [
    dict(type='LoadFlowCrop'), dict(type='FlowCropColorJitter'),
    dict(type='FlowCropRandomResizedCrop', size=16), dict(type='FlowCropFlip', prob=0.5),
    dict(type='PackDistillationInputs')]
val_pipeline = [
    dict(type='LoadFlowCrop'), dict(type='FlowCropResize', size=16), dict(type='PackDistillationInputs')]
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(**{data!r}, num_samples_per_epoch=16, pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=dict(**{data!r}, num_samples_per_epoch=8, pipeline=val_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
""")
    return root


def _train(repo_root, cwd, *args):
    env = dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1')
    out = subprocess.run([sys.executable, osp.join(repo_root, 'tools', 'train.py'), *args],
                         cwd=cwd,
                         env=env,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, f'{args}\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}'
    return out.stdout + out.stderr


def _train_in_process(monkeypatch, repo_root, *args):
    monkeypatch.setattr(sys, 'argv', ['train.py', *args])
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.chdir(osp.dirname(args[0]))
    runpy.run_path(osp.join(repo_root, 'tools', 'train.py'), run_name='__main__')


def _apply_tool():
    path = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools', 'apply_vpd.py')
    spec = importlib.util.spec_from_file_location('apply_vpd_tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_train_resume_and_apply(repo_root, workspace, capsys, monkeypatch):
    cfg, work = str(workspace / 'tiny.py'), workspace / 'work'
    log = _train(repo_root, workspace, cfg, '--work-dir', str(work))
    assert 'distill/objective' in log and 'loss_distill' in log
    assert (work / 'epoch_1.pth').is_file()
    assert len(glob.glob(str(work / 'best_distill_objective_epoch_1.pth'))) == 1
    # resume in this process (saves an interpreter start-up; same tools/train.py code path)
    _train_in_process(monkeypatch, repo_root, cfg, '--work-dir', str(work), '--resume', '--cfg-options',
                      'train_cfg.max_epochs=2')
    logs = sorted(glob.glob(str(work / '*' / '*.log')), key=osp.getmtime)
    assert len(logs) == 2 and 'resumed epoch: 1' in open(logs[-1]).read()
    assert (work / 'epoch_2.pth').is_file()

    tool = _apply_tool()
    out_dir = workspace / 'features'
    argv = [
        cfg,
        str(work / 'epoch_2.pth'),
        str(workspace / 'crops'), '-o',
        str(out_dir), '--batch-size', '16'
    ]
    tool.main(argv)
    assert '2 written' in capsys.readouterr().out
    for vid in ('a', 'b'):
        records = load_embeddings(out_dir / f'{vid}.emb.pkl')
        frames = [r[0] for r in records]
        assert frames == list(np.load(workspace / 'crops' / vid /
                                      'frames.npy'))  # every crop frame, 7 absent in b
        emb = np.stack([r[1] for r in records])
        assert emb.shape == (len(frames), 2, DIM) and np.isfinite(emb).all()
        assert not np.allclose(emb[:, 0], emb[:, 1])  # the mirrored view is a different input
        assert records[0][2] == {}
    first = load_embeddings(out_dir / 'a.emb.pkl')[3][1]
    tool.main(argv + ['--resume'])
    assert '0 written, 2 skipped' in capsys.readouterr().out
    os.remove(out_dir / 'a.emb.pkl')
    tool.main(argv + ['--resume', '--batch-size', '7'])
    assert '1 written, 1 skipped' in capsys.readouterr().out
    np.testing.assert_allclose(load_embeddings(out_dir / 'a.emb.pkl')[3][1], first, atol=1e-5)


def test_apply_vpd_names_a_missing_checkpoint(workspace):
    with pytest.raises(FileNotFoundError, match='missing.pth: checkpoint not found'):
        _apply_tool().main([str(workspace / 'tiny.py'), 'missing.pth', str(workspace / 'crops'), '-o', 'x'])


def test_a_work_dir_resolves_to_its_latest_runs_best_checkpoint(workspace):
    import shutil
    import time

    from vpd_mm.apis.vpd_student import resolve_checkpoint
    work = workspace / 'work'
    recorded = resolve_checkpoint(str(work))  # test_train_resume_and_apply trained here
    assert osp.basename(recorded).startswith('best_distill_objective_epoch_')
    # a best checkpoint left by an earlier run (newer file time) is not taken
    stale = work / 'best_distill_objective_epoch_99.pth'
    shutil.copy(work / 'epoch_1.pth', stale)
    os.utime(stale, (time.time() + 10, time.time() + 10))
    try:
        assert resolve_checkpoint(str(work)) == recorded
    finally:
        os.remove(stale)
    assert resolve_checkpoint(str(work / 'epoch_2.pth')) == str(work / 'epoch_2.pth')
    (workspace / 'empty').mkdir(exist_ok=True)
    with pytest.raises(FileNotFoundError, match='no best_.*and no last_checkpoint'):
        resolve_checkpoint(str(workspace / 'empty'))

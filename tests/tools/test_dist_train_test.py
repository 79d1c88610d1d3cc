"""Distributed training and testing on 2 CPU processes (gloo) through tools/dist_train.sh / dist_test.sh.

For a VPD student, VIPE* and the BiGRU recogniser: both ranks train (each takes half of every
epoch), rank 0's checkpoint loads in a single process (tools/test.py), and tools/dist_test.sh on 2
processes gives the one-process metrics and per-sample results on a test set of odd size (mmengine's
collect_results drops the padding, duplicates nothing).
"""
import glob
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest

from vpd_mm.pipeline.stage import free_port

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _run(cmd, cwd, timeout=420):
    env = dict(
        os.environ,
        PYTHONPATH=ROOT,
        OMP_NUM_THREADS='1',
        PYTHON=sys.executable,
        PORT=str(free_port()),
        MPLBACKEND='Agg')
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f'{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}'
    return proc.stdout + proc.stderr


def dist_train(config, work, cwd, *args):
    return _run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), config, '2', '--work-dir', work, *args], cwd)


def single_test(config, ckpt, work, cwd):
    dump = osp.join(work, 'results.pkl')
    _run([
        sys.executable,
        osp.join(ROOT, 'tools', 'test.py'), config, ckpt, '--work-dir', work, '--dump', dump
    ], cwd)
    return _test_metrics(work), pickle.load(open(dump, 'rb'))


def dist_test(config, ckpt, work, cwd):
    dump = osp.join(work, 'results.pkl')
    _run([
        'bash',
        osp.join(ROOT, 'tools', 'dist_test.sh'), config, ckpt, '2', '--work-dir', work, '--dump', dump
    ], cwd)
    return _test_metrics(work), pickle.load(open(dump, 'rb'))


def _test_metrics(work):
    """The metrics of a test run (mmengine's LoggerHook writes ``<timestamp>/<timestamp>.json``)."""
    paths = [p for p in glob.glob(osp.join(work, '*', '*.json')) if osp.basename(osp.dirname(p)) in p]
    assert len(paths) == 1, sorted(glob.glob(osp.join(work, '**'), recursive=True))
    return json.load(open(paths[0]))


def _train_log(work):
    logs = glob.glob(osp.join(work, '*', '*.log'))
    assert len(logs) == 1, logs
    return open(logs[0]).read()


def _assert_same_samples(one, two, keys):
    """The dumps hold the same samples in the same order with the same values."""
    assert len(one) == len(two)
    for a, b in zip(one, two):
        for key in keys:
            np.testing.assert_allclose(
                np.asarray(a[key], np.float64),
                np.asarray(b[key], np.float64),
                rtol=1e-5,
                atol=1e-6,
                err_msg=key)


def _assert_same_metrics(one, two):
    metrics = sorted(k for k in one if '/' in k)  # e.g. acc/top1; not data_time, time
    assert metrics and metrics == sorted(k for k in two if '/' in k)
    for key in metrics:
        assert two[key] == pytest.approx(one[key], rel=1e-5, abs=1e-6), key


def _check(tmp_path, config, keys, test_size, iters_per_rank):
    work = str(tmp_path / 'train')
    dist_train(config, work, str(tmp_path))
    log = _train_log(work)
    assert 'Distributed launcher: pytorch' in log and 'Distributed training: True' in log
    # each rank trains half of the epoch: with one process it would be twice the iterations
    assert f'Epoch(train) [1][{iters_per_rank}/{iters_per_rank}]' in log, log[-3000:]
    ckpt = osp.join(work, 'epoch_1.pth')
    one_metrics, one = single_test(config, ckpt, str(tmp_path / 'test1'), str(tmp_path))
    two_metrics, two = dist_test(config, ckpt, str(tmp_path / 'test2'), str(tmp_path))
    assert len(one) == test_size  # odd: one rank's share is padded, the padding is dropped
    _assert_same_samples(one, two, keys)
    _assert_same_metrics(one_metrics, two_metrics)
    return one_metrics


def test_vpd_student(tmp_path):
    from vpd_mm.datasets.synthetic_crop_store import (synthetic_crops, write_synthetic_crop_video,
                                                      write_synthetic_teacher)
    for i, vid in enumerate(['a', 'b']):
        frames = np.arange(24)
        write_synthetic_crop_video(str(tmp_path / 'crops' / vid), frames, size=32, seed=i)
        write_synthetic_teacher(
            str(tmp_path / 'teacher' / f'{vid}.emb.pkl'),
            frames,
            dim=6,
            crops=synthetic_crops(len(frames), 32, i))
    demo = osp.join(ROOT, 'configs', 'vpd', '2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py')
    data = dict(crop_root=str(tmp_path / 'crops'), teacher_dirs=[str(tmp_path / 'teacher')], min_kp_score=0.5)
    (tmp_path / 'student.py').write_text(f"""
_base_ = [{demo!r}]
model = dict(backbone=dict(base_channels=4, out_channels=6))
train_pipeline = [
    dict(type='LoadFlowCrop'), dict(type='FlowCropRandomResizedCrop', size=16),
    dict(type='FlowCropFlip', prob=0.5), dict(type='PackDistillationInputs')]
test_pipeline = [
    dict(type='LoadFlowCrop'), dict(type='FlowCropResize', size=16), dict(type='PackDistillationInputs')]
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                        dataset=dict(**{data!r}, num_samples_per_epoch=16, pipeline=train_pipeline))
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=dict(**{data!r}, num_samples_per_epoch=7, pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
""")
    metrics = _check(tmp_path, str(tmp_path / 'student.py'), ['loss', 'loss_pose', 'loss_motion'], 7, 2)
    assert 'distill/objective' in metrics

    # tools/apply_vpd.py with the rank-0 checkpoint: 2 processes (a video each) embed what one does
    from vpd_mm.utils.vpd_files import load_embeddings
    args = [
        str(tmp_path / 'student.py'),
        str(tmp_path / 'train' / 'epoch_1.pth'),
        str(tmp_path / 'crops'), '--no-progress'
    ]
    out = _run([sys.executable,
                osp.join(ROOT, 'tools', 'apply_vpd.py'), *args, '-o',
                str(tmp_path / 'one')], str(tmp_path))
    assert '2 written' in out
    out = _run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2', '--master_addr=127.0.0.1',
        f'--master_port={free_port()}',
        osp.join(ROOT, 'tools', 'apply_vpd.py'), *args, '-o',
        str(tmp_path / 'two'), '--launcher', 'pytorch'
    ], str(tmp_path))
    assert '2 written' in out and '2 processes' in out
    for vid in ('a', 'b'):
        one, two = load_embeddings(tmp_path / 'one' / f'{vid}.emb.pkl'), load_embeddings(tmp_path / 'two' /
                                                                                         f'{vid}.emb.pkl')
        assert [r[0] for r in one] == [r[0] for r in two] == list(range(24))
        # one process embeds both videos in one batch, two a video each: equal up to float rounding
        np.testing.assert_allclose(np.stack([r[1] for r in one]), np.stack([r[1] for r in two]), atol=1e-5)


def test_vipe_star(tmp_path):
    from vpd_mm.datasets.pose3d_readers import save_pose3d_corpus
    from vpd_mm.pose.synthetic3d import random_pose_sequences
    corpus = str(tmp_path / 'corpus')
    save_pose3d_corpus(corpus, random_pose_sequences(6, 20))
    (tmp_path / 'vipe.py').write_text(f"""
_base_ = [{osp.join(ROOT, 'configs', 'vipe', 'vipe-star_synthsport-3d.py')!r}]
sources = [dict(format='corpus', root={corpus!r}, name='tiny')]
model = dict(backbone=dict(width=32, num_blocks=1), head=dict(hidden_channels=(16, )))
train_dataloader = dict(batch_size=5, num_workers=0, persistent_workers=False,
                        dataset=dict(sources=sources, samples_per_epoch=20, val_fraction=0.2))
val_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                      dataset=dict(sources=sources, samples_per_epoch=9, val_fraction=0.2))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
""")
    metrics = _check(tmp_path, str(tmp_path / 'vipe.py'),
                     ['loss', 'loss_contrastive', 'loss_recon', 'embedding'], 9, 2)
    assert 'vipe/objective' in metrics


def test_bigru_recogniser(tmp_path):
    from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
    make_synthetic_feature_dataset(str(tmp_path / 'data'), videos_per_split=(4, 2, 3))  # 9 test actions
    base = osp.join(ROOT, 'configs', 'recognition', 'bigru_synthsport-mini_gt-joints.py')
    loader = "batch_size=4, dataset=dict(data_root={root!r}, feature_dirs=['features/synthetic'])"
    loader = loader.format(root=str(tmp_path / 'data'))
    (tmp_path / 'bigru.py').write_text(f"""
_base_ = [{base!r}]
model = dict(backbone=dict(in_channels=6, hidden_channels=16), cls_head=dict(in_channels=32, num_classes=3))
train_dataloader = dict({loader})
val_dataloader = dict({loader})
test_dataloader = dict({loader})
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=1, by_epoch=True, convert_to_iter_based=True)]
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
""")
    # 12 train actions x 2 flips = 24 samples: 3 iterations of 4 per rank
    metrics = _check(tmp_path, str(tmp_path / 'bigru.py'), ['pred_score'], 9, 3)
    assert 'acc/top1' in metrics

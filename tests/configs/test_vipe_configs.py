import glob
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config

from vpd_mm.datasets.pose3d_readers import save_pose3d_corpus
from vpd_mm.pose.synthetic3d import random_pose_sequences


def test_vipe_configs_follow_the_paper(repo_root):
    for path in glob.glob(osp.join(repo_root, 'configs', 'vipe', '*.py')):
        cfg = Config.fromfile(path)
        assert cfg.default_scope == 'mmaction' and 'vpd_mm' in cfg.custom_imports['imports']
        assert cfg.optim_wrapper.optimizer.type == 'AdamW' and cfg.optim_wrapper.optimizer.lr == 1e-4
        assert cfg.train_dataloader.batch_size == 100
        assert cfg.model.loss_contrastive.margin == 1.0
        assert cfg.default_hooks.checkpoint.save_best == 'vipe/objective'
        assert cfg.default_hooks.checkpoint.rule == 'less'
        assert cfg.val_evaluator.type == 'VIPEValLoss'


def test_train_tool_then_apply(tmp_path, repo_root):
    corpus = str(tmp_path / 'corpus')
    save_pose3d_corpus(corpus, random_pose_sequences(6, 20))
    cfg_path = tmp_path / 'tiny_vipe.py'
    cfg_path.write_text(f"""
_base_ = [{osp.join(repo_root, 'configs', 'vipe', 'vipe-star_synthsport-3d.py')!r}]
sources = [dict(format='corpus', root={corpus!r}, name='tiny')]
model = dict(backbone=dict(width=32, num_blocks=1), head=dict(hidden_channels=(16, )))
train_dataloader = dict(batch_size=10, num_workers=0, persistent_workers=False,
                        dataset=dict(sources=sources, samples_per_epoch=20, val_fraction=0.2))
val_dataloader = dict(batch_size=10, num_workers=0, persistent_workers=False,
                      dataset=dict(sources=sources, samples_per_epoch=20, val_fraction=0.2))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
""")
    work = str(tmp_path / 'work')
    proc = subprocess.run(
        [sys.executable,
         osp.join(repo_root, 'tools', 'train.py'),
         str(cfg_path), '--work-dir', work],
        capture_output=True,
        text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    best = glob.glob(osp.join(work, 'best_vipe_objective_epoch_*.pth'))
    assert len(best) == 1, sorted(glob.glob(osp.join(work, '*')))
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))

    from vpd_mm.pose.vipe_embeddings import load_vipe_model
    model = load_vipe_model(best[0])
    assert model.embedding_dim == 32 and model.backbone.blocks[0].layers[0].in_features == 32


def _fake_msr(root, seqs):
    """Write COCO-17 sequences as MSR Action3D Kinect files (the inverse of KINECT20_TO_COCO)."""
    from vpd_mm.datasets.pose3d_readers import KINECT20_TO_COCO
    os.makedirs(root)
    for i, (_, coco) in enumerate(seqs):
        kinect = np.zeros((len(coco), 20, 4), np.float32)
        kinect[..., 3] = 1
        for c, k in enumerate(KINECT20_TO_COCO):
            if c == 0 or c > 4:  # nose and body; eyes/ears are copies of the head
                kinect[:, k, :3] = coco[:, c]
        lines = ''.join(f'{x} {y} {z} {s}\n' for x, y, z, s in kinect.reshape(-1, 4))
        with open(osp.join(root, f'a{i % 3 + 1:02d}_s{i % 10 + 1:02d}_e01_skeleton3D.txt'), 'w') as f:
            f.write(lines)


def test_multi_dataset_config_builds_from_registry(tmp_path, repo_root):
    """configs/vipe/vipe-star_synthsport+msr.py: a ConcatDataset of SynthSport and MSR, one head each."""
    import torch
    from mmaction.registry import DATASETS, MODELS
    from mmengine.dataset import ConcatDataset, default_collate
    from mmengine.registry import init_default_scope

    import vpd_mm  # noqa: F401
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'vipe', 'vipe-star_synthsport+msr.py'))
    synth, msr = str(tmp_path / 'synth'), str(tmp_path / 'msr')
    save_pose3d_corpus(synth, random_pose_sequences(6, 20))
    _fake_msr(msr, random_pose_sequences(10, 15, seed=1))  # subjects 1-10, one sequence each
    init_default_scope('mmaction')
    parts = {}
    for key in ('train_dataloader', 'val_dataloader'):
        ds_cfg = cfg[key].dataset
        assert ds_cfg.type == 'ConcatDataset' and len(ds_cfg.datasets) == 2
        ds_cfg.datasets[0].sources[0].root = synth
        ds_cfg.datasets[1].sources[0].root = msr
        assert ds_cfg.datasets[1].sources[0].format == 'msr_action3d'
        parts[key] = DATASETS.build(ds_cfg)
    train, val = parts['train_dataloader'], parts['val_dataloader']
    assert isinstance(train, ConcatDataset) and len(train) == cfg.train_samples
    assert [len(d) for d in train.datasets] == [cfg.train_samples // 2, cfg.train_samples // 2]
    # MSR subjects 9 and 10 are held out: the validation part, never trained on
    assert sorted(n.rsplit('/', 1)[1].split('_')[1] for n in val.datasets[1].seq_names) == ['s09', 's10']
    assert not any('_s09_' in n or '_s10_' in n for n in train.datasets[1].seq_names)
    assert train.datasets[0].metainfo['dataset_indices'] == [0]
    assert train.datasets[1].metainfo['dataset_indices'] == [1]
    items = [train[0], train[1], train[len(train) - 1], train[len(train) - 2]]
    assert [int(it['data_samples']['dataset_idx']) for it in items] == [0, 0, 1, 1]
    model = MODELS.build(cfg.model)
    assert len(model.head.outputs) == 2
    batch = model.data_preprocessor(default_collate(items), training=True)
    losses = model(**batch, mode='loss')
    assert set(losses) == {'loss_contrastive', 'loss_recon'}
    assert all(torch.isfinite(v) for v in losses.values())
    losses['loss_recon'].backward()  # both decoder heads get gradients
    assert all(out.weight.grad is not None and out.weight.grad.abs().sum() > 0 for out in model.head.outputs)

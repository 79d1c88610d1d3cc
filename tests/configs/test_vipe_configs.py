import glob
import os.path as osp
import subprocess
import sys

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

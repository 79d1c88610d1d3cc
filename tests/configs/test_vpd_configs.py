import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401
from mmaction.registry import MODELS

init_default_scope('mmaction')
PAPER = [
    'vi-vpd_r34_synthsport.py', '2d-vpd_r34_synthsport.py', 'concat-vpd_r34_synthsport.py',
    'vi-vpd_r34_synthsport_no-motion.py', 'vi-vpd_r34_synthsport_rgb-only.py'
]
DEMOS = ['2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py', 'vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py']
DEMO_ABLATIONS = [
    'vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo_no-motion.py', 'vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo_rgb-only.py'
]
DEMO_VARIANTS = [
    '2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo_rotate.py',
    '2d-vpd_r18-w16-128px_synthsport-mini_cpu-demo.py',
    'vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo_paper-input.py',
]


def load(repo_root, name):
    return Config.fromfile(osp.join(repo_root, 'configs', 'vpd', name))


def test_every_vpd_config_is_listed(repo_root):
    names = {osp.basename(p) for p in glob.glob(osp.join(repo_root, 'configs', 'vpd', '*.py'))}
    assert names == set(PAPER) | set(DEMOS) | set(DEMO_ABLATIONS) | set(DEMO_VARIANTS)


@pytest.mark.parametrize('name', PAPER)
def test_paper_settings(repo_root, name):
    cfg = load(repo_root, name)
    assert cfg.default_scope == 'mmaction' and 'vpd_mm' in cfg.custom_imports['imports']
    bb = cfg.model.backbone
    assert (bb.type, bb.depth, bb.base_channels) == ('StudentResNet', 34, 64)
    assert cfg.optim_wrapper.optimizer.type == 'AdamW' and cfg.optim_wrapper.optimizer.lr == 5e-4
    assert cfg.train_dataloader.batch_size == 100 and cfg.train_cfg.max_epochs == 1000
    train, val = cfg.train_dataloader.dataset, cfg.val_dataloader.dataset
    assert train.num_samples_per_epoch == 20000 and val.num_samples_per_epoch == 4000 and val.test_mode
    assert train.val_fraction == val.val_fraction == 0.2 and train.split == 'train' and val.split == 'val'
    assert train.min_kp_score == 0.5
    assert train.teacher_dirs == val.teacher_dirs == cfg.test_dataloader.dataset.teacher_dirs
    assert cfg.train_dataloader.sampler.type == 'EpochSubsetSampler'
    rrc = next(t for t in train.pipeline if t.type == 'FlowCropRandomResizedCrop')
    assert rrc.size == 128 and tuple(rrc.scale) == (0.5, 1.0) and tuple(rrc.ratio) == (0.9, 1.1)
    jitter = next(t for t in train.pipeline if t.type == 'FlowCropColorJitter')
    assert (jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue) == (0.2, 0.2, 0.05, 0.05)
    assert any(t.type == 'FlowCropFlip' and t.prob == 0.5 for t in train.pipeline)
    assert cfg.model.data_preprocessor.to_rgb is False
    assert len(cfg.model.data_preprocessor.mean) == bb.in_channels
    assert cfg.default_hooks.checkpoint.save_best == 'distill/objective'
    assert cfg.default_hooks.checkpoint.rule == 'less'
    assert cfg.val_evaluator.type == 'DistillationValLoss'
    dims = {'vi': 32, '2d': 39, 'concat': 71}[name.split('-')[0]]
    assert bb.out_channels == dims
    flow = bb.in_channels == 5
    assert ('rgb-only' not in name) == flow
    assert all(t.with_flow == flow for t in (train.pipeline[0], val.pipeline[0]))
    assert cfg.model.with_motion == ('no-motion' not in name)
    model = MODELS.build(cfg.model)
    assert model.embedding_dim == dims


@pytest.mark.parametrize('name', DEMOS)
def test_cpu_demo_config_is_small(repo_root, name):
    cfg = load(repo_root, name)
    bb = cfg.model.backbone
    dims = {'vi': 32, '2d': 39}[name.split('-')[0]]
    assert (bb.depth, bb.base_channels, bb.in_channels, bb.out_channels) == (18, 16, 5, dims)
    assert cfg.train_dataloader.dataset.pipeline[2].size == 64 and cfg.val_dataloader.dataset.pipeline[
        1].size == 64
    assert cfg.train_dataloader.num_workers <= 1 and cfg.train_cfg.max_epochs <= 20
    MODELS.build(cfg.model)


@pytest.mark.parametrize('name', DEMO_ABLATIONS)
def test_cpu_demo_ablations_change_one_thing(repo_root, name):
    cfg, base = load(repo_root, name), load(repo_root, DEMOS[1])
    flow = 'rgb-only' not in name
    assert cfg.model.backbone.in_channels == (5 if flow else 3)
    assert len(cfg.model.data_preprocessor.mean) == cfg.model.backbone.in_channels
    assert cfg.model.with_motion == ('no-motion' not in name)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        pipeline, base_pipeline = cfg[loader].dataset.pipeline, base[loader].dataset.pipeline
        assert pipeline[0].with_flow == flow
        assert pipeline[1:] == base_pipeline[1:]
    assert cfg.train_dataloader.dataset.teacher_dirs == base.train_dataloader.dataset.teacher_dirs
    assert cfg.train_cfg == base.train_cfg
    MODELS.build(cfg.model)


def test_cpu_demo_rotate_adds_only_the_rotation(repo_root):
    cfg, base = load(repo_root, DEMO_VARIANTS[0]), load(repo_root, DEMOS[0])
    pipeline = list(cfg.train_dataloader.dataset.pipeline)
    rotate = [i for i, t in enumerate(pipeline) if t.type == 'FlowCropRandomRotate']
    assert len(rotate) == 1 and pipeline[rotate[0] - 1].type == 'FlowCropFlip'
    assert pipeline[rotate[0]].max_angle == 180 and pipeline[rotate[0]].prob == 0.5
    del pipeline[rotate[0]]
    assert pipeline == base.train_dataloader.dataset.pipeline
    cfg.train_dataloader.dataset.pipeline = cfg.train_pipeline = pipeline
    assert cfg.to_dict() == base.to_dict()  # the validation pipeline, teacher, model ... are the demo's


def test_cpu_demo_128px_changes_only_the_input_size(repo_root):
    cfg, base = load(repo_root, DEMO_VARIANTS[1]), load(repo_root, DEMOS[0])
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    train, val, test = (cfg[k].dataset.pipeline for k in loaders)
    assert train[2].type == 'FlowCropRandomResizedCrop' and train[2].size == 128
    assert val[1].type == test[1].type == 'FlowCropResize' and val[1].size == test[1].size == 128
    for pipeline in (train, val, test):
        pipeline[2 if pipeline is train else 1].size = 64
    cfg.input_size = 64
    cfg.train_pipeline, cfg.val_pipeline = train, val
    assert cfg.to_dict() == base.to_dict()  # model, teacher, schedule ... are the demo's


def test_cpu_demo_paper_input_changes_only_conv1_init_and_flow_scaling(repo_root):
    cfg, base = load(repo_root, DEMO_VARIANTS[2]), load(repo_root, DEMOS[1])
    assert cfg.model.backbone.conv1_init == 'paper'
    pre = cfg.model.data_preprocessor
    assert pre.mean[3:] == [127.5, 127.5] and pre.std[3:] == [255.0, 255.0]  # q / 255 - 0.5
    base_pre = base.model.data_preprocessor
    assert pre.mean[:3] == base_pre.mean[:3] and pre.std[:3] == base_pre.std[:3]
    cfg.model.backbone.pop('conv1_init')
    cfg.model.data_preprocessor = base.model.data_preprocessor
    for key in ('paper_flow_mean', 'paper_flow_std'):
        cfg.pop(key)
    assert cfg.to_dict() == base.to_dict()
    MODELS.build(load(repo_root, DEMO_VARIANTS[2]).model)  # builds

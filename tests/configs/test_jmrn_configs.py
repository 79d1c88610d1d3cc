import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS, TRANSFORMS
from mmengine.config import Config

from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401

init_default_scope('mmaction')  # as the Runner does; BaseModel builds its data preprocessor in scope

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'jmrn', '*.py')))


def test_configs_found():
    assert len(CONFIGS) >= 5


def run_pipeline(pipeline, results):
    for step in pipeline:
        results = TRANSFORMS.build(step)(results)
    return results


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_pipeline_and_model(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmaction' and 'vpd_mm' in cfg.custom_imports['imports']
    v = cfg.model.backbone.num_joints
    rng = np.random.default_rng(0)
    sample = dict(keypoint=rng.uniform(40, 200, (1, 6, v, 2)).astype(np.float32),
                  keypoint_score=np.ones((1, 6, v), np.float32), total_frames=6, img_shape=(240, 320),
                  label=1, frame_dir='x', start_index=0, modality='Pose')
    packed = run_pipeline(cfg.train_dataloader.dataset.pipeline, dict(sample))
    x = packed['inputs']
    assert x.shape[:2] == (v, 3) and x.dtype == torch.float32
    test_packed = run_pipeline(cfg.test_dataloader.dataset.pipeline, dict(sample))
    assert test_packed['inputs'].shape == x.shape
    model = MODELS.build(cfg.model)
    if '_paper' in path:  # full-width model: building it checks the config, a forward is too slow here
        return
    model.init_weights()
    data = model.data_preprocessor(dict(inputs=[x, test_packed['inputs']],
                                        data_samples=[packed['data_samples'], test_packed['data_samples']]),
                                   training=True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_cls'])
    assert ('loss_joint_con' in losses) == ('contrastive_loss' in cfg.model)

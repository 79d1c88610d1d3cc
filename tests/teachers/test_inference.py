import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from vpd_mm.teachers import BatchedDetector, BatchedPoseEstimator, load_config, save_random_checkpoint
from vpd_mm.teachers.random_init import random_teachers, strip_pretrained


@pytest.fixture(scope='module')
def teachers(tmp_path_factory):
    # randomly initialised checkpoints of the project's default teacher configs (shared by test files)
    return random_teachers(str(tmp_path_factory.getbasetemp() / 'vpd_random_teachers'))


def _frames(n=3, h=96, w=128):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (h, w, 3), dtype=np.uint8) for _ in range(n)]


def test_load_config_package_names_and_errors():
    cfg = load_config('mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py', {'model.test_cfg.max_per_img': 7})
    assert cfg.default_scope == 'mmdet' and cfg.model.test_cfg.max_per_img == 7
    with pytest.raises(FileNotFoundError, match='nope.py: config file not found'):
        load_config('nope.py')


def test_strip_pretrained():
    cfg = dict(
        backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='http://x')),
        head=dict(init_cfg=[dict(type='Normal'), dict(type='Pretrained', checkpoint='y')]))
    out = strip_pretrained(cfg)
    assert out['backbone']['init_cfg'] is None and out['head']['init_cfg'] == [dict(type='Normal')]


def test_official_rtmdet_random_checkpoint_detects_in_batches(tmp_path):
    opts = {
        'test_dataloader.dataset.pipeline.1.scale': (128, 128),
        'test_dataloader.dataset.pipeline.2.size': (128, 128),
        'model.test_cfg.score_thr': 0.0
    }
    cfg, ckpt = save_random_checkpoint(
        'mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py', str(tmp_path), cfg_options=opts)
    meta = torch.load(ckpt, map_location='cpu')['meta']
    assert meta['random_init'] and meta['dataset_meta']['classes'][0] == 'person'
    with DefaultScope.overwrite_default_scope('mmaction'):
        det = BatchedDetector(cfg, ckpt, score_thr=0.0, max_per_frame=4, batch_size=2, min_size=0)
        assert det.person_class == 0  # COCO: class 'person'
        out = det(_frames(3))
        assert DefaultScope.get_current_instance().scope_name == 'mmaction'  # caller's scope untouched
    assert len(out) == 3
    for d in out:
        assert d.dtype == np.float32 and d.shape[1] == 5 and len(d) <= 4
        assert (np.diff(d[:, 4]) <= 0).all()  # sorted by score
        assert (d[:, [0, 2]] >= 0).all() and (d[:, [0, 2]] <= 128).all() and (d[:, [1, 3]] <= 96).all()
    strict = BatchedDetector(cfg, ckpt, score_thr=0.5)
    assert all(len(d) == 0 for d in strict(_frames(2)))  # random weights score ~0.01


def test_detector_without_person_class(tmp_path, teachers):
    ckpt = torch.load(teachers['det_checkpoint'], map_location='cpu')
    ckpt['meta']['dataset_meta'] = dict(classes=['car', 'dog'])
    path = str(tmp_path / 'cars.pth')
    torch.save(ckpt, path)
    with pytest.raises(ValueError, match='no "person" class'):
        BatchedDetector(teachers['det_config'], path)
    assert BatchedDetector(teachers['det_config'], path, person_class=1).person_class == 1
    with pytest.raises(FileNotFoundError, match='missing.pth: checkpoint file not found'):
        BatchedDetector(teachers['det_config'], str(tmp_path / 'missing.pth'))


def test_pose_batches_across_frames_equal_single_calls(teachers):
    frames = _frames(3)
    boxes = np.array([[10, 5, 60, 90], [40, 10, 100, 80], [0, 0, 128, 96], [20, 20, 50, 70.0]])
    imgs = [frames[0], frames[0], frames[1], frames[2]]
    big = BatchedPoseEstimator(teachers['pose_config'], teachers['pose_checkpoint'], batch_size=3)
    one = BatchedPoseEstimator(teachers['pose_config'], teachers['pose_checkpoint'], batch_size=1)
    batched, single = big(imgs, boxes), one(imgs, boxes)
    assert batched.shape == (4, 17, 3) and np.isfinite(batched).all()
    np.testing.assert_allclose(batched, single, rtol=1e-4, atol=1e-3)
    # the prediction depends on the box: the same frame with two boxes gives two different poses
    assert np.abs(batched[0, :, :2] - batched[1, :, :2]).max() > 1
    assert big([], np.zeros((0, 4))).shape == (0, 17, 3)
    with pytest.raises(ValueError, match='one image per box'):
        big(imgs[:2], boxes)

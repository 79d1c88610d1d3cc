import numpy as np
import pytest
import torch

import vpd_mm  # noqa: F401
from mmaction.registry import DATASETS
from vpd_mm.datasets.pose3d_readers import save_pose3d_corpus
from vpd_mm.pose.canonical3d import max_bone_angle, pose3d_targets
from vpd_mm.pose.normalize import normalize_coco_pose
from vpd_mm.pose.synthetic3d import random_pose_sequences

PIPELINE = [
    dict(type='SampleHardNegative3D', min_angle=45.0, max_tries=10),
    dict(type='RandomFlipPose3D', prob=0.5),
    dict(type='Canonical3DTargets'),
    dict(type='RandomCameraViews', num_views=2),
    dict(type='PackVIPEInputs'),
]


@pytest.fixture
def corpus(tmp_path):
    save_pose3d_corpus(str(tmp_path), random_pose_sequences(10, 30))
    return str(tmp_path)


def _build(corpus, **kwargs):
    cfg = dict(
        type='Pose3DDataset', sources=[dict(format='corpus', root=corpus, name='tiny')], pipeline=PIPELINE)
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_splits_and_lengths(corpus):
    train, val = _build(corpus, split='train'), _build(corpus, split='val', test_mode=True)
    assert len(train.sequences) == 9 and len(val.sequences) == 1
    assert not set(train.seq_names) & set(val.seq_names)
    assert len(train) == 9 * 30
    assert len(_build(corpus, split='train', frame_stride=4)) == 9 * 8
    assert len(_build(corpus, split='train', samples_per_epoch=17)) == 17
    assert train.metainfo['dataset_names'] == ['tiny']


def test_items_are_consistent(corpus):
    ds = _build(corpus, split='all', test_mode=True)
    item = ds[5]
    assert item['inputs'].shape == (3, 39) and item['inputs'].dtype == torch.float32
    assert item['data_samples']['target3d'].shape == (91, )
    # validation items are deterministic
    torch.testing.assert_close(ds[5]['inputs'], item['inputs'])
    # raw results: target matches the (possibly flipped) anchor, views are projections of it
    results = ds.pipeline.transforms[0](ds.get_data_info(5))
    for t in ds.pipeline.transforms[1:4]:
        results = t(results)
    np.testing.assert_allclose(results['target3d'], pose3d_targets(results['joints3d']), atol=1e-6)
    if results['neg_valid']:
        assert max_bone_angle(results['joints3d'], results['neg_joints3d']) >= 45.0
    assert results['poses2d'].shape == (3, 17, 3)
    np.testing.assert_allclose(
        ds.pipeline.transforms[4](results)['inputs'].numpy(),
        normalize_coco_pose(results['poses2d']),
        atol=1e-6)


def test_negatives_found_and_flip_rate(corpus):
    ds = _build(corpus, split='all', test_mode=True)
    items = [ds[i] for i in range(0, len(ds), 3)]
    valid = np.mean([it['data_samples']['neg_valid'].item() for it in items])
    assert valid > 0.5
    flips = []
    for i in range(100):
        r = ds.get_data_info(i)
        flips.append(ds.pipeline.transforms[1](ds.pipeline.transforms[0](r))['flip'])
    assert 0.3 < np.mean(flips) < 0.7


def test_bad_inputs(corpus, tmp_path):
    with pytest.raises(ValueError, match='at least one source'):
        _build(corpus, sources=[])
    with pytest.raises(FileNotFoundError, match='not found'):
        _build(corpus, sources=[dict(format='corpus', root=str(tmp_path / 'missing'))])
    bad = tmp_path / 'nan'
    seqs = random_pose_sequences(2, 5)
    save_pose3d_corpus(str(bad), seqs)
    arr = seqs[0][1].copy()
    arr[2, 3] = np.nan
    np.savez(bad / 'seq000.npz', joints3d=arr)
    with pytest.raises(ValueError, match=r'seq000.npz.*NaN'):
        _build(corpus, sources=[dict(format='corpus', root=str(bad))])
    from mmaction.registry import TRANSFORMS
    pack = TRANSFORMS.build(dict(type='PackVIPEInputs'))
    with pytest.raises(ValueError, match=r'\(\.\.\., 17, 3\)'):
        pack(dict(poses2d=np.zeros((3, 13, 3)), seq_name='s', frame_idx=0))

import os.path as osp

import numpy as np
import pytest

from vpd_mm.datasets.pose3d_readers import (H36M17_TO_COCO, H36M32_TO_H36M17, SMPL_TO_COCO,
                                            load_msr_action3d_dir, load_pose3d_corpus, load_pose3d_source,
                                            save_pose3d_corpus, split_sequences)
from vpd_mm.pose.synthetic3d import random_pose_sequences

BODY = list(range(5, 17))  # joints every format has exactly


def test_corpus_roundtrip_and_errors(tmp_path):
    seqs = random_pose_sequences(3, 7)
    save_pose3d_corpus(str(tmp_path), seqs)
    loaded = load_pose3d_corpus(str(tmp_path))
    assert [n for n, _ in loaded] == ['seq000', 'seq001', 'seq002']
    np.testing.assert_allclose(loaded[1][1], seqs[1][1])
    (tmp_path / 'seq001.npz').unlink()
    with pytest.raises(FileNotFoundError, match='seq001.npz'):
        load_pose3d_corpus(str(tmp_path))
    bad = tmp_path / 'bad'
    bad.mkdir()
    np.savez(bad / 'x.npz', joints3d=np.zeros((4, 15, 3)))
    with pytest.raises(ValueError, match=r'x.npz.*\(\.\.\., 17, 3\)'):
        load_pose3d_corpus(str(bad))
    np.savez(bad / 'x.npz', joints3d=np.full((4, 17, 3), np.nan))
    with pytest.raises(ValueError, match='NaN'):
        load_pose3d_corpus(str(bad))


def _z_up_mm(coco):
    """COCO y-up metres -> z-up millimetres (x, y, z) -> (x, -z, y)."""
    return np.stack([coco[..., 0], -coco[..., 2], coco[..., 1]], -1) * 1000


def test_h36m_and_amass_readers_map_to_coco(tmp_path):
    coco = random_pose_sequences(1, 5)[0][1]
    h36m17 = np.zeros((5, 17, 3), np.float32)
    for c, h in enumerate(H36M17_TO_COCO):
        if c in BODY:
            h36m17[:, h] = coco[:, c]
    h36m32 = np.zeros((5, 32, 3), np.float32)
    h36m32[:, list(H36M32_TO_H36M17)] = h36m17
    (tmp_path / 'h36m').mkdir()
    np.save(tmp_path / 'h36m' / 'S1_walk.npy', _z_up_mm(h36m32))
    np.savez(tmp_path / 'h36m' / 'S1_sit.npz', positions_3d=_z_up_mm(h36m17))
    out = dict(load_pose3d_source(dict(format='h36m', root=str(tmp_path / 'h36m'))))
    assert sorted(out) == ['S1_sit', 'S1_walk']
    for seq in out.values():
        np.testing.assert_allclose(seq[:, BODY], coco[:, BODY], atol=1e-4)

    smpl = np.zeros((5, 24, 3), np.float32)
    for c, s in enumerate(SMPL_TO_COCO):
        if c in BODY:
            smpl[:, s] = coco[:, c]
    (tmp_path / 'amass').mkdir()
    np.savez(tmp_path / 'amass' / 'cmu_01.npz', joints=_z_up_mm(smpl) / 1000)
    (name, seq), = load_pose3d_source(dict(format='amass', root=str(tmp_path / 'amass')))
    assert name == 'cmu_01'
    np.testing.assert_allclose(seq[:, BODY], coco[:, BODY], atol=1e-5)
    np.save(tmp_path / 'amass' / 'short.npy', smpl[:, :10])
    with pytest.raises(ValueError, match=r'short.npy.*J >= 22'):
        load_pose3d_source(dict(format='amass', root=str(tmp_path / 'amass')))
    with pytest.raises(ValueError, match='unknown 3D pose format'):
        load_pose3d_source(dict(format='bvh', root=str(tmp_path)))


def test_split_is_deterministic_and_disjoint():
    names = [f's{i}' for i in range(20)]
    val = split_sequences(names, 'val', 0.1)
    train = split_sequences(names, 'train', 0.1)
    assert len(val) == 2 and sorted(val + train) == list(range(20))
    assert split_sequences(list(reversed(names)), 'val', 0.1) == sorted(19 - i for i in val)
    assert len(split_sequences(names[:2], 'val', 0.01)) == 1
    with pytest.raises(ValueError):
        split_sequences(names, 'test', 0.1)


def test_msr_action3d(shared_data):
    root = osp.join(shared_data, 'msr_action3d', 'MSRAction3DSkeletonReal3D')
    if not osp.isdir(root):
        pytest.skip('MSR Action3D not available')
    import glob
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:  # read a few files only (the whole set takes seconds)
        for f in sorted(glob.glob(osp.join(root, 'a01_s01_*')))[:2]:
            shutil.copy(f, tmp)
        seqs = load_msr_action3d_dir(tmp)
    assert len(seqs) == 2
    name, joints = seqs[0]
    assert name == 'a01_s01_e01' and joints.shape[1:] == (17, 3) and len(joints) > 10
    assert (joints[:, 0, 1] > joints[:, 15, 1] + 1.0).all()  # head well above the ankles: y is up

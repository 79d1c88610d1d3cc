import os.path as osp

import numpy as np
import pytest

from vpd_mm.datasets.pose3d_readers import (H36M17_TO_COCO, H36M32_TO_H36M17, SMPL_TO_COCO,
                                            load_msr_action3d_dir, load_msr_action3d_skeleton,
                                            load_pose3d_corpus, load_pose3d_source, msr_action3d_ids,
                                            save_pose3d_corpus, split_sequences)
from vpd_mm.pose import COCO17_NAMES
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
    # facing the camera (z = depth), the "right" shoulder is at larger x: not mirrored (right-handed)
    assert (joints[:, 6, 0] > joints[:, 5, 0]).mean() > 0.9


#: MSR Action3D Kinect joints (0-based, data README) -> the COCO-17 joint each one must become
MSR_KINECT_TO_COCO_NAME = {
    19: 'nose', 0: 'left_shoulder', 1: 'right_shoulder', 7: 'left_elbow', 8: 'right_elbow', 9: 'left_wrist',
    10: 'right_wrist', 4: 'left_hip', 5: 'right_hip', 13: 'left_knee', 14: 'right_knee', 15: 'left_ankle',
    16: 'right_ankle'
}


def _write_kinect(path, frames):
    """Write ``(T, 20, 4)`` Kinect joints as an MSR Action3D text file (one joint per line)."""
    path.write_text(''.join(f'{x:.6f} {y:.6f} {z:.6f} {c:.6f}\n' for x, y, z, c in frames.reshape(-1, 4)))


def test_msr_reader_joint_map(tmp_path):
    kinect = np.zeros((3, 20, 4), np.float32)
    kinect[..., :3] = np.arange(20)[None, :, None] * np.array([0.01, 0.02, 0.03]) + 1.0
    kinect[..., :3] += np.arange(3)[:, None, None] * 0.1  # frames differ
    kinect[..., 3] = 1
    kinect[1, :, :3] = 0  # an untracked frame: dropped
    path = tmp_path / 'a03_s07_e02_skeleton3D.txt'
    _write_kinect(path, kinect)
    coco = load_msr_action3d_skeleton(str(path))
    assert coco.shape == (2, 17, 3)
    by_name = dict(zip(COCO17_NAMES, np.moveaxis(coco, 1, 0)))
    for k, name in MSR_KINECT_TO_COCO_NAME.items():
        np.testing.assert_allclose(by_name[name], kinect[[0, 2], k, :3], atol=1e-6, err_msg=name)
    for name in ('left_eye', 'right_eye', 'left_ear', 'right_ear'):  # no Kinect joint: the head's
        np.testing.assert_allclose(by_name[name], kinect[[0, 2], 19, :3], atol=1e-6)
    (name, seq), = load_msr_action3d_dir(str(tmp_path))
    assert name == 'a03_s07_e02' and msr_action3d_ids(name) == (3, 7, 2)
    np.testing.assert_allclose(seq, coco)
    with pytest.raises(ValueError, match='not an MSR Action3D name'):
        msr_action3d_ids('walk_01')


def test_msr_reader_errors_name_file_and_line(tmp_path):
    good = np.ones((2, 20, 4), np.float32)
    path = tmp_path / 'a01_s01_e01_skeleton3D.txt'
    _write_kinect(path, good)
    lines = path.read_text().splitlines()

    def write(new_lines):
        path.write_text('\n'.join(new_lines) + '\n')
        return str(path)

    bad = list(lines)
    bad[2] = '0.1 0.2 oops 1.0'
    with pytest.raises(ValueError, match=r'a01_s01_e01_skeleton3D.txt, line 3: not numbers'):
        load_msr_action3d_skeleton(write(bad))
    bad = list(lines)
    bad[24] = '0.1 0.2 0.3'
    with pytest.raises(ValueError,
                       match=r'a01_s01_e01_skeleton3D.txt, line 25: expected 4 numbers.*3 fields'):
        load_msr_action3d_skeleton(write(bad))
    bad = list(lines)
    bad[5] = '0.1 nan 0.3 1'
    with pytest.raises(ValueError, match=r'line 6: non-finite'):
        load_msr_action3d_skeleton(write(bad))
    # wrong joint count: 2 frames of 20 joints plus one joint line too many / a frame of 19 joints
    with pytest.raises(ValueError,
                       match=r'skeleton3D.txt, line 41: the last frame has 1 joint lines, expected 20'):
        load_msr_action3d_skeleton(write(lines + ['1 1 1 1']))
    with pytest.raises(ValueError, match=r'line 21: the last frame has 19 joint lines, expected 20'):
        load_msr_action3d_skeleton(write(lines[:-1]))
    with pytest.raises(ValueError, match='empty file'):
        load_msr_action3d_skeleton(write([]))
    # the directory reader names the bad file too
    write(lines[:-1])
    with pytest.raises(ValueError, match='a01_s01_e01_skeleton3D.txt, line 21'):
        load_pose3d_source(dict(format='msr_action3d', root=str(tmp_path)))


def test_split_by_regex_holds_subjects_out():
    names = [f'a{a:02d}_s{s:02d}_e01' for a in (1, 2) for s in range(1, 11)]
    val = split_sequences(names, 'val', 0.5, val_regex='_s(09|10)_')
    train = split_sequences(names, 'train', 0.5, val_regex='_s(09|10)_')
    assert [names[i] for i in val] == ['a01_s09_e01', 'a01_s10_e01', 'a02_s09_e01', 'a02_s10_e01']
    assert sorted(val + train) == list(range(len(names)))

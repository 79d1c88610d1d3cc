import os.path as osp

import numpy as np
import pytest

from vpd_mm.pose import normalize_coco_pose
from vpd_mm.pose.pose_features import (load_pose_sequence, make_joint_features, write_joint_embeddings)
from vpd_mm.utils.vpd_files import load_embeddings, save_boxes, save_coco_keypoints


def _pose(rng, offset):
    kp = np.zeros((17, 3), np.float32)
    kp[:, :2] = rng.uniform(0, 50, (17, 2)) + offset
    kp[:, 2] = rng.uniform(0.2, 1.0, 17)
    return kp


def _write_pose_dir(d, rng, with_boxes=True):
    athlete = [_pose(rng, 100) for _ in range(4)]
    other = [_pose(rng, 400) for _ in range(4)]
    frames = []
    for f in range(4):
        people = [(0.9, [400, 400, 50, 50], other[f]), (0.5, [100, 100, 50, 50], athlete[f])]
        frames.append((f, people))
    frames.append((4, []))  # no detection
    save_coco_keypoints(osp.join(d, 'coco_keypoints.json.gz'), frames)
    if with_boxes:
        # frame 3 is not tracked -> dropped
        save_boxes(osp.join(d, 'boxes.json'), [(f, [102, 98, 50, 52]) for f in range(3)])
    return np.round(np.stack(athlete), 3), np.round(np.stack(other), 3)


def test_load_pose_sequence_picks_tracked_person(tmp_path):
    athlete, _ = _write_pose_dir(str(tmp_path), np.random.default_rng(0))
    frames, kps = load_pose_sequence(tmp_path)
    assert frames.tolist() == [0, 1, 2]
    np.testing.assert_allclose(kps, athlete[:3], atol=1e-3)


def test_load_pose_sequence_without_boxes_takes_best_score(tmp_path):
    _, other = _write_pose_dir(str(tmp_path), np.random.default_rng(1), with_boxes=False)
    frames, kps = load_pose_sequence(tmp_path)
    assert frames.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(kps, other, atol=1e-3)


def test_load_pose_sequence_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='coco_keypoints'):
        load_pose_sequence(tmp_path)
    save_coco_keypoints(osp.join(tmp_path, 'coco_keypoints.json.gz'), [(0, [])])
    with pytest.raises(ValueError, match='no frame'):
        load_pose_sequence(tmp_path)


def test_write_joint_embeddings(tmp_path):
    pose_dir = tmp_path / 'v0'
    pose_dir.mkdir()
    athlete, _ = _write_pose_dir(str(pose_dir), np.random.default_rng(2))
    out = tmp_path / 'out' / 'v0.emb.pkl'
    assert write_joint_embeddings(pose_dir, out) == 3
    records = load_embeddings(out)
    assert [r[0] for r in records] == [0, 1, 2]
    for (frame, emb, meta), kp in zip(records, athlete[:3]):
        assert emb.shape == (2, 39)
        np.testing.assert_allclose(emb[0], normalize_coco_pose(kp), atol=1e-5)
        np.testing.assert_allclose(emb[1], normalize_coco_pose(kp, flip=True), atol=1e-5)
        assert meta['kp_score'] == pytest.approx(kp[:, 2].mean(), abs=1e-5)
    # the flipped view is not the original one
    assert not np.allclose(records[0][1][0], records[0][1][1])


def test_make_joint_features_resumes(tmp_path):
    rng = np.random.default_rng(3)
    for vid in ('a', 'b'):
        (tmp_path / 'pose' / vid).mkdir(parents=True)
        _write_pose_dir(str(tmp_path / 'pose' / vid), rng)
    (tmp_path / 'pose' / 'not_a_video').mkdir()
    status = make_joint_features(tmp_path / 'pose', tmp_path / 'feat', progress=False)
    assert status == {'a': 'written', 'b': 'written'}
    status = make_joint_features(tmp_path / 'pose', tmp_path / 'feat', progress=False)
    assert status == {'a': 'skipped', 'b': 'skipped'}
    assert osp.isfile(tmp_path / 'feat' / 'a.emb.pkl')

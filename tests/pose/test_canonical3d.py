import numpy as np
import pytest

from vpd_mm.pose.canonical3d import (NUM_TARGET_FEATURES, canonical_bone_directions, canonicalize_pose3d,
                                     flip_pose3d, is_different_pose, max_bone_angle, pose3d_targets,
                                     rotation_y, sample_hard_negative, torso_yaw)
from vpd_mm.pose.synthetic3d import random_pose_sequence


def _standing_pose():
    """Facing +z, left side at +x, arms down, y up."""
    p = np.zeros((17, 3), np.float32)
    p[0] = [0, 1.6, 0.1]
    p[1:5] = p[0]
    p[5], p[6] = [0.2, 1.4, 0], [-0.2, 1.4, 0]
    p[7], p[8] = [0.22, 1.1, 0], [-0.22, 1.1, 0]
    p[9], p[10] = [0.24, 0.8, 0], [-0.24, 0.8, 0]
    p[11], p[12] = [0.1, 0.9, 0], [-0.1, 0.9, 0]
    p[13], p[14] = [0.1, 0.5, 0], [-0.1, 0.5, 0]
    p[15], p[16] = [0.1, 0.05, 0], [-0.1, 0.05, 0]
    return p


def test_standing_pose_targets_by_hand():
    pose = _standing_pose()
    assert torso_yaw(pose) == pytest.approx(0.0, abs=1e-6)
    t = pose3d_targets(pose).reshape(13, 7)
    assert t.shape == (13, 7) and NUM_TARGET_FEATURES == 91
    # bone 3 = left knee -> left ankle: straight down, parallel to its parent (thigh): angle term -0.5
    np.testing.assert_allclose(t[3, :3], [0, -1, 0], atol=1e-6)
    assert t[3, 3] == pytest.approx(-0.5, abs=1e-3)
    # bone 0 = hip centre -> left hip: +x, perpendicular to the spine: angle term 0
    np.testing.assert_allclose(t[0, :3], [1, 0, 0], atol=1e-6)
    assert t[0, 3] == pytest.approx(0.0, abs=1e-6)
    # unit direction of the left ankle from the hip centre
    d = pose[15] - (pose[11] + pose[12]) / 2
    np.testing.assert_allclose(t[3, 4:], d / np.linalg.norm(d), atol=1e-6)


@pytest.mark.parametrize('yaw', [0.3, -2.0, np.pi])
def test_canonicalisation_is_yaw_and_translation_invariant(yaw):
    pose = random_pose_sequence(5, np.random.default_rng(1))
    moved = np.einsum('ij,tkj->tki', rotation_y(yaw), pose) + np.float32([2.0, 0.3, -1.0])
    np.testing.assert_allclose(canonicalize_pose3d(moved), canonicalize_pose3d(pose), atol=1e-5)
    np.testing.assert_allclose(pose3d_targets(moved), pose3d_targets(pose), atol=1e-5)
    # the canonical torso normal faces +z
    assert np.abs(torso_yaw(canonicalize_pose3d(pose))).max() < 1e-5


def test_targets_change_with_pose_and_flip():
    pose = _standing_pose()
    raised = pose.copy()
    raised[9] = [0.5, 1.4, 0]  # left forearm raised sideways
    assert np.abs(pose3d_targets(raised) - pose3d_targets(pose)).max() > 0.5
    old, new = pose[9] - pose[7], raised[9] - raised[7]
    expected = np.degrees(np.arccos(old @ new / np.linalg.norm(old) / np.linalg.norm(new)))
    assert expected > 120
    assert max_bone_angle(pose, raised) == pytest.approx(expected, abs=1e-3)
    # mirrored pose: left/right swapped back by flipping twice
    np.testing.assert_allclose(flip_pose3d(flip_pose3d(raised)), raised)
    assert not np.allclose(pose3d_targets(flip_pose3d(raised)), pose3d_targets(raised))


def test_hard_negative_rule():
    pose = _standing_pose()
    bent = pose.copy()
    # rotate the left forearm by 44 / 46 degrees about the z axis around the elbow
    for angle, expected in ((44.0, False), (46.0, True)):
        a = np.radians(angle)
        v = pose[9] - pose[7]
        bent[9] = pose[7] + [v[0] * np.cos(a) - v[1] * np.sin(a), v[0] * np.sin(a) + v[1] * np.cos(a), v[2]]
        assert bool(is_different_pose(pose, bent)) is expected

    seq = np.stack([pose] * 6 + [bent])  # only the last frame differs
    rng = np.random.default_rng(0)
    found = [sample_hard_negative(seq, 0, rng, max_tries=10) for _ in range(50)]
    assert all(f in (None, 6) for f, _ in found)
    assert any(f == 6 for f, _ in found) and any(f is None for f, _ in found)  # P(miss) = (5/6)^10 ~ 0.16
    assert all(tries == 10 for f, tries in found if f is None)
    # precomputed bone directions give the same answers
    dirs = canonical_bone_directions(seq)
    assert sample_hard_negative(seq, 0, np.random.default_rng(3), bone_dirs=dirs) == \
        sample_hard_negative(seq, 0, np.random.default_rng(3))
    # never the anchor itself, one-frame sequences have no negative
    assert sample_hard_negative(seq[6:7], 0, rng) == (None, 0)


def test_bad_3d_input_raises():
    pose = _standing_pose()
    pose[4, 1] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        pose3d_targets(pose, name='myseq')
    with pytest.raises(ValueError, match=r'\(\.\.\., 17, 3\)'):
        canonicalize_pose3d(np.zeros((17, 2)))

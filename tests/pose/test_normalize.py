"""VPD's normalized-joint feature against values worked out by hand (REFERENCE.md sections 1 and 4b)."""
import numpy as np
import pytest

from vpd_mm.pose import normalize_coco_pose, pose_confidence, torso_size
from vpd_mm.pose.pose_features import joint_embedding_records

# COCO-17 [x, y, score]. Torso: shoulders (0, 0), (14, 0), hips (0, 48), (14, 48): the largest torso
# distance is the diagonal sqrt(14^2 + 48^2) = 50, so the scale is 0.5 / 50 = 1/100 and the hip midpoint
# (7, 48) is the origin. Eyes and ears (1-4) are dropped from the feature.
POSE = np.array([
    [7, -20, 0.9],  # 0 nose
    [100, 100, 0.1], [100, 100, 0.1], [100, 100, 0.1], [100, 100, 0.1],  # 1-4 eyes, ears
    [0, 0, 1.0], [14, 0, 0.8],  # 5, 6 shoulders (left, right)
    [-10, 20, 0.7], [24, 20, 0.6],  # 7, 8 elbows
    [-12, 40, 0.5], [30, 38, 0.4],  # 9, 10 wrists
    [0, 48, 1.0], [14, 48, 1.0],  # 11, 12 hips
    [2, 80, 0.9], [12, 80, 0.9],  # 13, 14 knees
    [3, 110, 0.3], [11, 110, 0.2],  # 15, 16 ankles
], np.float32)

# ((x - 7) / 100, (y - 48) / 100, score - 0.5) for joints 0, 5, ..., 16
EXPECTED = [
    (0.00, -0.68, 0.4),
    (-0.07, -0.48, 0.5), (0.07, -0.48, 0.3),
    (-0.17, -0.28, 0.2), (0.17, -0.28, 0.1),
    (-0.19, -0.08, 0.0), (0.23, -0.10, -0.1),
    (-0.07, 0.00, 0.5), (0.07, 0.00, 0.5),
    (-0.05, 0.32, 0.4), (0.05, 0.32, 0.4),
    (-0.04, 0.62, -0.2), (0.04, 0.62, -0.3),
]
# mirrored: left and right swapped, x negated
EXPECTED_FLIP = [
    (0.00, -0.68, 0.4),
    (-0.07, -0.48, 0.3), (0.07, -0.48, 0.5),
    (-0.17, -0.28, 0.1), (0.17, -0.28, 0.2),
    (-0.23, -0.10, -0.1), (0.19, -0.08, 0.0),
    (-0.07, 0.00, 0.5), (0.07, 0.00, 0.5),
    (-0.05, 0.32, 0.4), (0.05, 0.32, 0.4),
    (-0.04, 0.62, -0.3), (0.04, 0.62, -0.2),
]


def test_feature_matches_hand_computed_values():
    np.testing.assert_allclose(normalize_coco_pose(POSE), np.ravel(EXPECTED), atol=1e-6)
    assert torso_size(POSE) == pytest.approx(50.0)


def test_flipped_feature_matches_hand_computed_values():
    np.testing.assert_allclose(normalize_coco_pose(POSE, flip=True), np.ravel(EXPECTED_FLIP), atol=1e-6)


def test_invert_vertical_negates_y_only():
    expected = np.array(EXPECTED) * [1, -1, 1]
    np.testing.assert_allclose(normalize_coco_pose(POSE, invert_vertical=True), expected.ravel(), atol=1e-6)


def test_translation_and_scale_do_not_change_the_feature():
    moved = POSE.copy()
    moved[:, :2] = moved[:, :2] * 3.0 + [250.0, -40.0]
    np.testing.assert_allclose(
        normalize_coco_pose(np.stack([POSE, moved])), [np.ravel(EXPECTED)] * 2, atol=1e-5)


def test_degenerate_torso_is_scaled_by_half_and_has_zero_confidence():
    """Coinciding torso joints: the published code's guard sets the torso distance to 1 (scale 0.5 / 1)
    instead of dividing by ~0; the frame's confidence is 0."""
    pose = POSE.copy()
    pose[[5, 6, 11, 12], :2] = [50, 60]
    pose[0, :2] = [50, 40]  # nose 20 px above the hips -> y = -20 * 0.5
    pose[13, :2] = [54, 80]  # left knee -> (4 * 0.5, 20 * 0.5)
    feat = normalize_coco_pose(pose).reshape(13, 3)
    np.testing.assert_allclose(feat[0], [0.0, -10.0, 0.4], atol=1e-6)
    np.testing.assert_allclose(feat[1], [0.0, 0.0, 0.5], atol=1e-6)  # left shoulder on the hips
    np.testing.assert_allclose(feat[9], [2.0, 10.0, 0.4], atol=1e-6)
    assert np.abs(feat).max() < 100  # not ~1e8
    assert torso_size(pose) == 0.0
    np.testing.assert_allclose(pose_confidence(np.stack([POSE, pose])), [9.6 / 17, 0.0], atol=1e-6)


def test_teacher_records_mark_degenerate_frames_low_confidence():
    bad = POSE.copy()
    bad[[5, 6, 11, 12], :2] = [50, 60]
    records = joint_embedding_records(np.array([3, 4]), np.stack([POSE, bad]))
    assert [r[0] for r in records] == [3, 4]
    assert records[0][2]['kp_score'] == pytest.approx(9.6 / 17, abs=1e-6)
    assert records[1][2]['kp_score'] == 0.0
    np.testing.assert_allclose(records[0][1], [np.ravel(EXPECTED), np.ravel(EXPECTED_FLIP)], atol=1e-6)

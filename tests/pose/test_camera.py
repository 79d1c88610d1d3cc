import numpy as np
import pytest

from vpd_mm.pose.camera import camera_rotation, project_orthographic, random_camera_rotations, random_views
from vpd_mm.pose.normalize import normalize_coco_pose
from vpd_mm.pose.synthetic3d import random_pose_sequence


def test_rotations_are_orthonormal_and_in_range():
    rng = np.random.default_rng(0)
    rot = random_camera_rotations(rng, 500)
    assert rot.shape == (500, 3, 3)
    np.testing.assert_allclose(rot @ rot.transpose(0, 2, 1), np.broadcast_to(np.eye(3), rot.shape), atol=1e-9)
    np.testing.assert_allclose(np.linalg.det(rot), 1.0, atol=1e-9)
    # the world up axis seen by the camera: tilt from image-up stays within elevation+roll (<= 60 deg)
    up_cam = rot[:, :, 1]
    tilt = np.degrees(np.arccos(np.clip(up_cam[:, 1], -1, 1)))
    assert tilt.max() <= 60.0 + 1e-6 and tilt.max() > 30.0


def test_projection_identity_camera():
    pose = random_pose_sequence(1, np.random.default_rng(0))[0]
    xy = project_orthographic(pose, camera_rotation(0.0, 0.0, 0.0))
    centre = (pose[11] + pose[12]) / 2
    np.testing.assert_allclose(xy[:, 0], pose[:, 0] - centre[0], atol=1e-6)
    np.testing.assert_allclose(xy[:, 1], -(pose[:, 1] - centre[1]), atol=1e-6)  # image y points down
    # yaw by 90 degrees: world z becomes camera x
    xy90 = project_orthographic(pose, camera_rotation(np.pi / 2, 0.0, 0.0))
    np.testing.assert_allclose(xy90[:, 0], pose[:, 2] - centre[2], atol=1e-6)


def test_random_views_shapes_and_ranges():
    rng = np.random.default_rng(1)
    pose = random_pose_sequence(1, rng)[0]
    views = random_views(pose, rng, num_views=4)
    assert views.shape == (4, 17, 3) and views.dtype == np.float32
    assert (views[..., 2] >= 0.5).all() and (views[..., 2] <= 1.0).all()
    # projections preserve hip centring, and bone lengths cannot grow
    np.testing.assert_allclose((views[:, 11, :2] + views[:, 12, :2]) / 2, 0, atol=1e-6)
    assert np.linalg.norm(views[:, 7, :2] - views[:, 5, :2], axis=-1).max() <= 0.3 + 1e-5
    assert not np.allclose(views[0], views[1])
    assert normalize_coco_pose(views).shape == (4, 39)


def test_camera_bad_input():
    with pytest.raises(ValueError, match='NaN'):
        random_views(np.full((17, 3), np.nan), np.random.default_rng(0))
    with pytest.raises(ValueError, match='one pose'):
        random_views(np.zeros((2, 17, 3)), np.random.default_rng(0))


def test_vertical_inversion_of_normalized_joints():
    rng = np.random.default_rng(2)
    views = random_views(random_pose_sequence(1, rng)[0], rng, 2)
    plain = normalize_coco_pose(views).reshape(2, 13, 3)
    inv = normalize_coco_pose(views, invert_vertical=True).reshape(2, 13, 3)
    np.testing.assert_allclose(inv[..., 1], -plain[..., 1], atol=1e-6)
    np.testing.assert_allclose(inv[..., [0, 2]], plain[..., [0, 2]], atol=1e-6)

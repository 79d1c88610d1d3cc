"""Random-camera projection of 3D poses, VIPE*'s view augmentation (REFERENCE.md section 1).

A camera is a rotation ``R = Rz(roll) @ Rx(elevation) @ Ry(yaw)`` of the hip-centred world pose
(y up); the orthographic projection keeps camera x and y and turns y downwards, like image pixels.
Angles are drawn as yaw ~ U(-pi, pi), elevation ~ U(-pi/6, pi/6), roll ~ U(-pi/6, pi/6), and each
projected joint gets a confidence ~ U(0.5, 1), giving COCO-17 ``[x, y, score]`` poses that
:func:`vpd_mm.pose.normalize_coco_pose` accepts.
"""
from typing import Tuple

import numpy as np

from .canonical3d import check_pose3d, rotation_y

YAW_RANGE = (-np.pi, np.pi)
ELEVATION_RANGE = (-np.pi / 6, np.pi / 6)
ROLL_RANGE = (-np.pi / 6, np.pi / 6)
SCORE_RANGE = (0.5, 1.0)


def rotation_x(angle: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` about the x axis."""
    angle = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack(
        [np.stack([one, zero, zero], -1),
         np.stack([zero, c, -s], -1),
         np.stack([zero, s, c], -1)], -2)


def rotation_z(angle: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` about the z (viewing) axis."""
    angle = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack(
        [np.stack([c, -s, zero], -1),
         np.stack([s, c, zero], -1),
         np.stack([zero, zero, one], -1)], -2)


def camera_rotation(yaw: np.ndarray, elevation: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """``Rz(roll) @ Rx(elevation) @ Ry(yaw)`` as ``(..., 3, 3)`` matrices."""
    return rotation_z(roll) @ rotation_x(elevation) @ rotation_y(yaw)


def random_camera_rotations(rng: np.random.Generator,
                            num: int,
                            yaw_range: Tuple[float, float] = YAW_RANGE,
                            elevation_range: Tuple[float, float] = ELEVATION_RANGE,
                            roll_range: Tuple[float, float] = ROLL_RANGE) -> np.ndarray:
    """Draw ``num`` random camera rotations ``(num, 3, 3)``."""
    return camera_rotation(
        rng.uniform(*yaw_range, size=num), rng.uniform(*elevation_range, size=num),
        rng.uniform(*roll_range, size=num))


def project_orthographic(joints: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """Orthographic image coordinates of hip-centred 3D poses.

    Args:
        joints: ``(..., 17, 3)`` world joints (y up).
        rotation: ``(..., 3, 3)`` camera rotations, broadcastable against ``joints[..., 0, 0]``.

    Returns:
        ``(..., 17, 2)`` float32 ``[x, y]`` with y pointing down (image convention), in metres.
    """
    joints = check_pose3d(joints).astype(np.float64)
    centred = joints - (joints[..., 11:12, :] + joints[..., 12:13, :]) / 2
    cam = np.einsum('...ij,...kj->...ki', np.asarray(rotation, dtype=np.float64), centred)
    return np.stack([cam[..., 0], -cam[..., 1]], axis=-1).astype(np.float32)


def random_views(joints: np.ndarray,
                 rng: np.random.Generator,
                 num_views: int = 2,
                 score_range: Tuple[float, float] = SCORE_RANGE,
                 **angle_ranges) -> np.ndarray:
    """Project one 3D pose from ``num_views`` random cameras with random confidences.

    Args:
        joints: ``(17, 3)`` world joints (y up).
        rng: Random generator.
        num_views: Number of cameras.
        score_range: Range of the uniform per-joint confidences.
        **angle_ranges: ``yaw_range``, ``elevation_range``, ``roll_range`` overrides.

    Returns:
        ``(num_views, 17, 3)`` float32 COCO poses ``[x, y, score]``.
    """
    joints = check_pose3d(joints)
    if joints.ndim != 2:
        raise ValueError(f'random_views expects one pose (17, 3), got {joints.shape}')
    xy = project_orthographic(joints[None], random_camera_rotations(rng, num_views, **angle_ranges))
    scores = rng.uniform(*score_range, size=(num_views, joints.shape[0], 1))
    return np.concatenate([xy, scores.astype(np.float32)], axis=-1)


__all__ = [
    'YAW_RANGE', 'ELEVATION_RANGE', 'ROLL_RANGE', 'SCORE_RANGE', 'rotation_x', 'rotation_z',
    'camera_rotation', 'random_camera_rotations', 'project_orthographic', 'random_views'
]

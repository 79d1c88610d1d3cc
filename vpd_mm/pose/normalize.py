"""The "normalized 2D joints" pose feature of VPD (REFERENCE.md section 1).

A COCO-17 pose ``[x, y, score]`` is centred on the hip midpoint, scaled so that the largest
pairwise distance among the torso joints is 0.5, its scores are shifted by -0.5 and the 13 VPD
joints are kept: 39 numbers. A horizontal flip swaps left/right joints and negates x.

A degenerate pose whose four torso joints coincide (largest torso distance 0) is scaled by 0.5, as
the published code does (its "scale 1" guard); such a frame carries no usable pose, so
:func:`pose_confidence` gives it confidence 0 (the students' confidence gate then skips it).
"""
from typing import Optional

import numpy as np

from .coco import NUM_COCO_JOINTS, TORSO_JOINTS, VPD13_JOINTS, flip_permutation

_FLIP = np.asarray(flip_permutation())


def check_joint_array(joints: np.ndarray, name: str, what: str) -> np.ndarray:
    """Validate a COCO-17 joint array of shape ``(..., 17, 3)`` and return it as float32.

    Args:
        joints: The array.
        name: Name used in error messages (file, frame, ...).
        what: What the last axis holds, for the message (e.g. ``'[x, y, score]'``).

    Raises:
        ValueError: Wrong shape or non-finite values (the message names ``name``).
    """
    joints = np.asarray(joints, dtype=np.float32)
    if joints.ndim < 2 or joints.shape[-2:] != (NUM_COCO_JOINTS, 3):
        raise ValueError(f'{name}: expected {what} of shape (..., 17, 3), got {joints.shape}')
    if not np.isfinite(joints).all():
        bad = np.argwhere(~np.isfinite(joints).all(axis=-1))
        raise ValueError(f'{name}: {len(bad)} joint(s) are NaN/inf, first at index {bad[0].tolist()}')
    return joints


def check_coco_pose(pose: np.ndarray, name: str = 'pose') -> np.ndarray:
    """Validate a COCO-17 2D pose array ``(..., 17, 3)`` of ``[x, y, score]`` (see :func:`check_joint_array`)."""
    return check_joint_array(pose, name, '2D poses [x, y, score]')


def flip_coco_pose(pose: np.ndarray, image_width: Optional[float] = None) -> np.ndarray:
    """Mirror COCO-17 poses ``(..., 17, 3)`` horizontally, swapping left and right joints.

    Args:
        pose: Poses in pixel or normalised coordinates.
        image_width: If given, x becomes ``image_width - x``; otherwise x is negated.
    """
    out = np.array(pose, dtype=np.float32, copy=True)[..., _FLIP, :]
    out[..., 0] = (image_width - out[..., 0]) if image_width is not None else -out[..., 0]
    return out


def torso_size(pose: np.ndarray) -> np.ndarray:
    """Largest pairwise distance among the torso joints (shoulders, hips) of ``(..., 17, 3)`` poses.

    Returns:
        float32 array of shape ``pose.shape[:-2]``; 0 where the four torso joints coincide.
    """
    torso = np.asarray(pose, dtype=np.float32)[..., TORSO_JOINTS, :2]
    dists = np.linalg.norm(torso[..., :, None, :] - torso[..., None, :, :], axis=-1)
    return dists.reshape(*dists.shape[:-2], -1).max(axis=-1)


def pose_confidence(pose: np.ndarray) -> np.ndarray:
    """Per-pose confidence of ``(..., 17, 3)`` poses: the mean keypoint score, 0 for a degenerate torso.

    This is the ``kp_score`` of the teacher feature files; a pose whose torso joints coincide cannot be
    normalised to a meaningful feature, so it counts as unreliable whatever its scores.
    """
    pose = np.asarray(pose, dtype=np.float32)
    return np.where(torso_size(pose) == 0, 0.0, pose[..., 2].mean(axis=-1))


def normalize_coco_pose(pose: np.ndarray, flip: bool = False, name: str = 'pose',
                        invert_vertical: bool = False) -> np.ndarray:
    """Normalise COCO-17 poses to VPD's 39-d joint feature.

    Args:
        pose: ``(17, 3)`` or ``(N, 17, 3)`` array of ``[x, y, score]``.
        flip: Return the feature of the horizontally flipped pose instead.
        name: Name used in error messages (e.g. the file and frame).
        invert_vertical: Also turn the pose upside down (negate y), the optional extra view VPD
            embeds for diving-style data. Applied after ``flip``.

    Returns:
        ``(39,)`` or ``(N, 39)`` float32 array. A pose whose torso joints coincide is scaled by 0.5
        (the published code's guard) instead of dividing by zero.
    """
    pose = check_coco_pose(pose, name)
    single = pose.ndim == 2
    pose = pose.reshape(-1, NUM_COCO_JOINTS, 3)
    if flip:
        pose = flip_coco_pose(pose)
    xy = pose[..., :2]
    centre = (xy[:, 11] + xy[:, 12]) / 2
    size = torso_size(pose)
    scale = np.where(size == 0, 1.0, size).astype(np.float32) / 0.5
    xy = (xy - centre[:, None]) / scale[:, None, None]
    if invert_vertical:
        xy = xy * np.asarray([1.0, -1.0], dtype=xy.dtype)
    feat = np.concatenate([xy, pose[..., 2:3] - 0.5], axis=-1)[:, VPD13_JOINTS]
    feat = feat.reshape(len(pose), -1).astype(np.float32)
    return feat[0] if single else feat

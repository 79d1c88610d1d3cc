"""3D pose canonicalisation and the per-bone reconstruction targets of VIPE* (REFERENCE.md section 1).

World 3D poses are COCO-17 joint arrays ``(..., 17, 3)`` in metres with **y up**. Canonicalisation
centres a pose on its hip midpoint and rotates it about the vertical axis so that the torso normal
faces the depth axis (+z); the result does not depend on where the person faced.

The reconstruction target describes each of the 13 bones of :data:`VIPE_BONES` (one per VPD joint)
with 7 numbers: the unit offset from the parent joint (3), a bone angle term (1) -- the angle to the
parent bone scaled to ``[-0.5, 0.5]`` as ``arccos(cos) / pi - 0.5`` -- and the unit direction of
the child joint from the hip midpoint (3); 13 x 7 = 91 numbers.
"""
from typing import Optional, Tuple

import numpy as np

from .coco import NUM_COCO_JOINTS, flip_permutation
from .normalize import check_joint_array

#: Pseudo-joints appended after the 17 COCO joints: the hip midpoint and the shoulder midpoint.
HIP_CENTRE = NUM_COCO_JOINTS
NECK = NUM_COCO_JOINTS + 1

#: ``(parent, child)`` bones; one per VPD joint (nose + shoulders..ankles), rooted at the hip midpoint.
VIPE_BONES: Tuple[Tuple[int, int], ...] = (
    (HIP_CENTRE, 11),
    (HIP_CENTRE, 12),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),  # legs
    (11, 5),
    (12, 6),
    (5, 7),
    (7, 9),
    (6, 8),
    (8, 10),  # torso sides, arms
    (NECK, 0))  # head
#: Reference bone of each bone for the angle term (index into VIPE_BONES, -1 = the spine
#: hip-midpoint -> shoulder-midpoint).
VIPE_BONE_PARENTS: Tuple[int, ...] = (-1, -1, 0, 2, 1, 4, 0, 1, 6, 8, 7, 10, -1)
NUM_VIPE_BONES = len(VIPE_BONES)
FEATURES_PER_BONE = 7
NUM_TARGET_FEATURES = NUM_VIPE_BONES * FEATURES_PER_BONE

_EPS = 1e-8
_FLIP = np.asarray(flip_permutation())


def check_pose3d(joints: np.ndarray, name: str = 'joints3d') -> np.ndarray:
    """Validate COCO-17 3D joints ``(..., 17, 3)`` and return them as float32.

    Raises:
        ValueError: Wrong shape or non-finite values (the message names ``name``).
    """
    return check_joint_array(joints, name, '3D joints')


def _with_pseudo_joints(joints: np.ndarray) -> np.ndarray:
    hip = (joints[..., 11, :] + joints[..., 12, :]) / 2
    neck = (joints[..., 5, :] + joints[..., 6, :]) / 2
    return np.concatenate([joints, hip[..., None, :], neck[..., None, :]], axis=-2)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), _EPS)


def torso_yaw(joints: np.ndarray) -> np.ndarray:
    """Yaw angle (about +y) of the torso normal, ``atan2(n_x, n_z)``, for poses ``(..., 17, 3)``.

    The torso normal is ``across x up`` with ``across`` the mean left-minus-right vector of the
    shoulders and hips and ``up`` the hip-midpoint-to-shoulder-midpoint vector.
    """
    joints = np.asarray(joints, dtype=np.float64)
    across = (joints[..., 5, :] - joints[..., 6, :] + joints[..., 11, :] - joints[..., 12, :]) / 2
    up = (joints[..., 5, :] + joints[..., 6, :] - joints[..., 11, :] - joints[..., 12, :]) / 2
    normal = np.cross(across, up)
    return np.arctan2(normal[..., 0], normal[..., 2])


def rotation_y(angle: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` about the vertical (+y) axis by ``angle`` radians."""
    angle = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack(
        [np.stack([c, zero, s], -1),
         np.stack([zero, one, zero], -1),
         np.stack([-s, zero, c], -1)], -2)


def canonicalize_pose3d(joints: np.ndarray, name: str = 'joints3d') -> np.ndarray:
    """Centre poses on the hip midpoint and rotate them about y so the torso normal faces +z.

    Args:
        joints: ``(17, 3)`` or ``(N, 17, 3)`` world joints, y up.
        name: Name used in error messages.

    Returns:
        float32 array of the input's shape.
    """
    joints = check_pose3d(joints, name).astype(np.float64)
    centred = joints - (joints[..., 11:12, :] + joints[..., 12:13, :]) / 2
    rot = rotation_y(-torso_yaw(centred))  # maps the normal (sin a, ., cos a) onto +z
    return np.einsum('...ij,...kj->...ki', rot, centred).astype(np.float32)


def bone_directions(joints: np.ndarray) -> np.ndarray:
    """Unit parent-to-child vectors ``(..., 13, 3)`` of :data:`VIPE_BONES` (no validation)."""
    ext = _with_pseudo_joints(np.asarray(joints, dtype=np.float64))
    parents = [p for p, _ in VIPE_BONES]
    children = [c for _, c in VIPE_BONES]
    return _unit(ext[..., children, :] - ext[..., parents, :])


def pose3d_targets(joints: np.ndarray, canonicalize: bool = True, name: str = 'joints3d') -> np.ndarray:
    """Per-bone reconstruction targets of VIPE*.

    Args:
        joints: ``(17, 3)`` or ``(N, 17, 3)`` world joints, y up.
        canonicalize: Canonicalise the poses first (see :func:`canonicalize_pose3d`).
        name: Name used in error messages.

    Returns:
        ``(91,)`` or ``(N, 91)`` float32: per bone ``[unit offset (3), angle term (1),
        unit direction from the hip midpoint (3)]``.
    """
    joints = canonicalize_pose3d(joints, name) if canonicalize else check_pose3d(joints, name)
    ext = _with_pseudo_joints(joints.astype(np.float64))
    dirs = bone_directions(joints)
    spine = _unit(ext[..., NECK, :] - ext[..., HIP_CENTRE, :])[..., None, :]
    ref = np.concatenate([dirs, spine], axis=-2)[..., list(VIPE_BONE_PARENTS), :]  # -1 picks the spine
    cos = np.clip((dirs * ref).sum(-1, keepdims=True), -1.0, 1.0)
    angle = np.arccos(cos) / np.pi - 0.5
    from_hip = _unit(ext[..., [c for _, c in VIPE_BONES], :] - ext[..., HIP_CENTRE:HIP_CENTRE + 1, :])
    feat = np.concatenate([dirs, angle, from_hip], axis=-1)
    return feat.reshape(*feat.shape[:-2], NUM_TARGET_FEATURES).astype(np.float32)


def max_bone_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Largest angle (degrees) between corresponding bone directions of canonicalised poses.

    Args:
        a: ``(..., 17, 3)`` poses.
        b: ``(..., 17, 3)`` poses, broadcastable against ``a``.
    """
    cos = (bone_directions(canonicalize_pose3d(a, 'a')) *
           bone_directions(canonicalize_pose3d(b, 'b'))).sum(-1)
    return np.degrees(np.arccos(np.clip(cos.min(-1), -1.0, 1.0)))


def is_different_pose(a: np.ndarray, b: np.ndarray, min_angle: float = 45.0) -> np.ndarray:
    """VIPE*'s negative rule: some bone direction differs by at least ``min_angle`` degrees."""
    return max_bone_angle(a, b) >= min_angle


def canonical_bone_directions(joints: np.ndarray, name: str = 'joints3d') -> np.ndarray:
    """Bone directions ``(..., 13, 3)`` of canonicalised poses, the quantity the negative rule compares."""
    return bone_directions(canonicalize_pose3d(joints, name)).astype(np.float32)


def sample_hard_negative(sequence: np.ndarray,
                         index: int,
                         rng: np.random.Generator,
                         min_angle: float = 45.0,
                         max_tries: int = 10,
                         bone_dirs: Optional[np.ndarray] = None) -> Tuple[Optional[int], int]:
    """Draw a different pose from the same sequence.

    Tries up to ``max_tries`` random frames other than ``index`` (in draw order) and returns the
    first one whose canonical bone directions differ from the anchor's by at least ``min_angle``
    degrees for some bone.

    Args:
        sequence: ``(T, 17, 3)`` poses of one sequence.
        index: Frame of the anchor pose.
        rng: Random generator.
        min_angle: Bone angle threshold in degrees.
        max_tries: Number of candidates to try.
        bone_dirs: Precomputed :func:`canonical_bone_directions` of ``sequence`` (faster).

    Returns:
        ``(frame or None, tries used)``; ``None`` when no candidate qualified.
    """
    num = len(sequence)
    if not 0 <= index < num:
        raise IndexError(f'anchor frame {index} outside a sequence of {num} frames')
    if num < 2 or max_tries < 1:
        return None, 0
    candidates = rng.integers(0, num - 1, size=max_tries)
    candidates = candidates + (candidates >= index)  # never the anchor itself
    if bone_dirs is None:
        dirs = canonical_bone_directions(np.asarray(sequence)[np.concatenate([[index], candidates])])
        anchor, cand = dirs[0], dirs[1:]
    else:
        anchor, cand = bone_dirs[index], bone_dirs[candidates]
    cos_min = (cand * anchor).sum(-1).min(-1)
    ok = np.nonzero(cos_min <= np.cos(np.radians(min_angle)) + 1e-7)[0]
    if len(ok):
        return int(candidates[ok[0]]), int(ok[0]) + 1
    return None, max_tries


def flip_pose3d(joints: np.ndarray) -> np.ndarray:
    """Mirror 3D poses ``(..., 17, 3)`` left-right: swap L/R joints and negate x."""
    out = np.array(joints, dtype=np.float32, copy=True)[..., _FLIP, :]
    out[..., 0] = -out[..., 0]
    return out


__all__ = [
    'VIPE_BONES', 'VIPE_BONE_PARENTS', 'NUM_VIPE_BONES', 'FEATURES_PER_BONE', 'NUM_TARGET_FEATURES',
    'check_pose3d', 'torso_yaw', 'rotation_y', 'canonicalize_pose3d', 'bone_directions', 'pose3d_targets',
    'max_bone_angle', 'is_different_pose', 'canonical_bone_directions', 'sample_hard_negative', 'flip_pose3d'
]

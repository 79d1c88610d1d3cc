"""COCO-17 keypoint layout shared by every vpd_mm component."""
from typing import List, Tuple

COCO17_NAMES: Tuple[str, ...] = (
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder',
    'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle')
NUM_COCO_JOINTS = 17

#: (left, right) index pairs swapped by a horizontal flip.
COCO17_FLIP_PAIRS: Tuple[Tuple[int, int], ...] = ((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12),
                                                  (13, 14), (15, 16))

#: Bones as (parent, child) pairs, for drawing and for per-bone features.
COCO17_SKELETON: Tuple[Tuple[int, int], ...] = ((0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7),
                                                (7, 9), (6, 8), (8, 10), (5, 11), (6, 12), (11, 12),
                                                (11, 13), (13, 15), (12, 14), (14, 16))

#: The 13 joints VPD keeps (nose + shoulders..ankles; eyes and ears dropped).
VPD13_JOINTS: Tuple[int, ...] = (0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)

#: Torso joints used for scale normalisation (shoulders and hips).
TORSO_JOINTS: Tuple[int, ...] = (5, 6, 11, 12)


def flip_permutation(num_joints: int = NUM_COCO_JOINTS) -> List[int]:
    """Index permutation that swaps left and right COCO-17 joints."""
    if num_joints != NUM_COCO_JOINTS:
        raise ValueError(f'flip_permutation expects {NUM_COCO_JOINTS} COCO joints, got {num_joints}')
    perm = list(range(num_joints))
    for left, right in COCO17_FLIP_PAIRS:
        perm[left], perm[right] = right, left
    return perm

"""Joint layouts used by the JMRN pipeline: names, L/R flip pairs and the six PAA joint groups.

The six groups of pose-aware augmentation (JMRN, REFERENCE.md section 5) are head, torso, left arm,
right arm, left leg and right leg; the torso is the anchor and is never moved, so it is not listed in
``groups`` (joints in no group stay where they are).
"""
from typing import Dict, List, Tuple

from vpd_mm.pose import COCO17_FLIP_PAIRS, COCO17_NAMES, COCO17_SKELETON

#: JHMDB puppet joints in the order of the GT files (DD-Net pickles, ``joint_positions.mat``).
JHMDB15_NAMES: Tuple[str, ...] = (
    'neck', 'belly', 'face', 'right_shoulder', 'left_shoulder', 'right_hip', 'left_hip',
    'right_elbow', 'left_elbow', 'right_knee', 'left_knee', 'right_wrist', 'left_wrist',
    'right_ankle', 'left_ankle')
JHMDB15_LEFT: Tuple[int, ...] = (4, 6, 8, 10, 12, 14)
JHMDB15_RIGHT: Tuple[int, ...] = (3, 5, 7, 9, 11, 13)
JHMDB15_SKELETON: Tuple[Tuple[int, int], ...] = ((0, 2), (0, 1), (0, 3), (0, 4), (3, 7), (7, 11),
                                                 (4, 8), (8, 12), (1, 5), (1, 6), (5, 9), (9, 13),
                                                 (6, 10), (10, 14))
JHMDB15_GROUPS: Dict[str, Tuple[int, ...]] = dict(
    head=(2, ), left_arm=(8, 12), right_arm=(7, 11), left_leg=(10, 14), right_leg=(9, 13))
JHMDB15_TORSO: Tuple[int, ...] = (0, 1, 3, 4, 5, 6)
#: head -> arms -> torso -> legs, right before left (for plots)
JHMDB15_PLOT_ORDER: Tuple[int, ...] = (2, 0, 3, 4, 7, 8, 11, 12, 1, 5, 6, 9, 10, 13, 14)

COCO17_LEFT: Tuple[int, ...] = tuple(p[0] for p in COCO17_FLIP_PAIRS)
COCO17_RIGHT: Tuple[int, ...] = tuple(p[1] for p in COCO17_FLIP_PAIRS)
COCO17_GROUPS: Dict[str, Tuple[int, ...]] = dict(
    head=(0, 1, 2, 3, 4), left_arm=(7, 9), right_arm=(8, 10), left_leg=(13, 15), right_leg=(14, 16))
COCO17_TORSO: Tuple[int, ...] = (5, 6, 11, 12)

#: name -> dict(names, left, right, groups, torso, skeleton, plot_order)
JOINT_LAYOUTS: Dict[str, dict] = dict(
    jhmdb15=dict(names=JHMDB15_NAMES, left=JHMDB15_LEFT, right=JHMDB15_RIGHT, groups=JHMDB15_GROUPS,
                 torso=JHMDB15_TORSO, skeleton=JHMDB15_SKELETON, plot_order=JHMDB15_PLOT_ORDER),
    coco17=dict(names=COCO17_NAMES, left=COCO17_LEFT, right=COCO17_RIGHT, groups=COCO17_GROUPS,
                torso=COCO17_TORSO, skeleton=COCO17_SKELETON,
                plot_order=tuple(range(len(COCO17_NAMES)))),
)


def get_joint_layout(name: str) -> dict:
    """Return the layout dict registered under ``name`` (``'jhmdb15'`` or ``'coco17'``)."""
    if name not in JOINT_LAYOUTS:
        raise KeyError(f'unknown joint layout {name!r}; known: {sorted(JOINT_LAYOUTS)}')
    return JOINT_LAYOUTS[name]


def lr_permutation(num_joints: int, left: Tuple[int, ...], right: Tuple[int, ...]) -> List[int]:
    """Index permutation that swaps every ``left[i]`` with ``right[i]``."""
    if len(left) != len(right):
        raise ValueError(f'left and right joint lists differ in length: {left} vs {right}')
    perm = list(range(num_joints))
    for lft, rgt in zip(left, right):
        if not (0 <= lft < num_joints and 0 <= rgt < num_joints):
            raise ValueError(f'flip pair ({lft}, {rgt}) out of range for {num_joints} joints')
        perm[lft], perm[rgt] = rgt, lft
    return perm

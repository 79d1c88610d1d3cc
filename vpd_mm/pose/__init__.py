from .coco import (COCO17_FLIP_PAIRS, COCO17_NAMES, COCO17_SKELETON, NUM_COCO_JOINTS, TORSO_JOINTS,
                   VPD13_JOINTS, flip_permutation)
from .normalize import check_coco_pose, flip_coco_pose, normalize_coco_pose, pose_confidence, torso_size

__all__ = [
    'COCO17_NAMES', 'COCO17_FLIP_PAIRS', 'COCO17_SKELETON', 'NUM_COCO_JOINTS', 'TORSO_JOINTS',
    'VPD13_JOINTS', 'flip_permutation', 'check_coco_pose', 'flip_coco_pose', 'normalize_coco_pose',
    'pose_confidence', 'torso_size'
]

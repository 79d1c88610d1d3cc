"""NNS-DTW recognition on JHMDB ground-truth joints (a sanity check of the DTW pipeline).

The DD-Net pickles in ``../shared/data/jhmdb_gt`` hold ``(T, 15, 2)`` JHMDB joints and 14 class
names per split. Each pose is mapped onto COCO-17 slots (``vpd_mm.datasets.jhmdb_features``) and
turned into VPD's 39-d "normalized joints" feature (centred on the hip midpoint, torso scaled to
0.5, 13 joints, score 1 - 0.5) for the original and the horizontally flipped pose; the training
videos are the gallery and the test videos the queries of 1-NN DTW classification, with the published
code's fallbacks (:func:`~vpd_mm.evaluation.functional.knn.dtw_1nn_classify`).
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from vpd_mm.datasets.jhmdb import load_ddnet

from .knn import dtw_1nn_classify
from .retrieval import top1_accuracy


def load_jhmdb_gt_split(root: str, split: int = 1) -> Dict[str, Tuple[List[np.ndarray], List[str]]]:
    """Read ``GT_{train,test}_{split}.pkl`` -> ``{'train': (poses, labels), 'test': (poses, labels)}``.

    Raises:
        FileNotFoundError / ValueError: Missing pickle, or one without ``pose``/``label`` lists of equal
            length (the message names the file).
    """
    out = {}
    for part in ('train', 'test'):
        out[part] = load_ddnet(osp.join(root, f'GT_{part}_{split}.pkl'))
    return out


def jhmdb_pose_features(pose: np.ndarray, name: str = 'pose') -> np.ndarray:
    """``(T, 15, 2)`` JHMDB joints -> ``(T, 2, 39)`` VPD normalized-joint features ``[orig, flipped]``."""
    from vpd_mm.datasets.jhmdb_features import jhmdb_to_coco17
    from vpd_mm.pose import normalize_coco_pose
    coco = jhmdb_to_coco17(pose)
    return np.stack([normalize_coco_pose(coco, name=name),
                     normalize_coco_pose(coco, flip=True, name=name)],
                    axis=1)


def jhmdb_nns_top1(
    root: str,
    split: int = 1,
    step_patterns: Sequence[str] = ('symmetricP2', 'symmetric2'),
    flips: Sequence[bool] = (True, False),
    fallbacks: Optional[dict] = None
) -> Dict[Tuple[str, bool], float]:
    """1-NN DTW top-1 on one JHMDB split (train = gallery, test = queries).

    Args:
        fallbacks: If given, filled with ``{(step_pattern, use_flips): {'primary', 'fallback',
            'majority'}}``: how many test clips each rule classified.

    Returns:
        ``{(step_pattern, use_flips): top-1 accuracy}``.
    """
    data = load_jhmdb_gt_split(root, split)
    feats = {
        part: [jhmdb_pose_features(p, name=f'GT_{part}_{split}.pkl item {i}') for i, p in enumerate(poses)]
        for part, (poses, _) in data.items()
    }
    results = {}
    for pattern in step_patterns:
        for use_flips in flips:
            knn = dtw_1nn_classify(
                feats['test'], feats['train'], data['train'][1], step_pattern=pattern, use_flips=use_flips)
            results[(pattern, use_flips)] = top1_accuracy(knn.pred, data['test'][1])
            if fallbacks is not None:
                fallbacks[(pattern, use_flips)] = knn.counts()
    return results

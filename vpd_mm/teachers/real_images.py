"""Score pose teachers on annotated still images (COCO-17 keypoint sets): PCK and per-joint errors, with
ground-truth boxes and with the teacher's own person finder.

Sets in COCO keypoint format (``images`` / ``annotations`` with 17 ``keypoints`` triplets and a
``bbox``): the real-image samples of ``../shared/data/real_pose_images`` (:data:`REAL_SETS`: COCO,
OCHuman, Human3.6M, Human-Art) or any other, e.g. SynthSport's ``generic/annotations/
person_keypoints_val.json``. Images are found by file name anywhere under the set's folder.

Metrics, over the GT-labelled joints (visibility > 0) of people with at least ``min_joints`` of them:

* PCK@t (bbox): the prediction lies within ``t`` x the GT box's longer side of the GT joint;
* PCK@t (torso): within ``t`` x the GT torso size (mean of the two shoulder-hip diagonals);
* per-joint: median error / box side (capped at 1; a missed person counts 1) and PCK@0.2 (bbox) for each COCO joint.

With ``boxes='detected'`` each image goes through the teacher's person finder; each GT person takes
the unmatched detection that overlaps it most (intersection over the smaller box >= 0.5, see
:func:`overlap_matrix`), its pose is the finder's keypoints when it
gives them, else the top-down estimate on the detected box; a GT person left without a detection
counts every joint as wrong (``found`` reports the fraction matched).
"""
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
from tqdm import tqdm

from .registry import BOX_COLUMNS

#: The 17-joint sets of ``real_pose_images``: folder -> (annotation file, joint layout).
REAL_SETS = {
    'coco': ('test_coco.json', 'coco17'),
    'ochuman': ('test_ochuman.json', 'coco17'),
    'h36m': ('h36m_coco.json', 'h36m17'),
    'humanart': ('test_humanart.json', 'coco17'),
}
COCO17_NAMES = ('nose', 'l_eye', 'r_eye', 'l_ear', 'r_ear', 'l_shoulder', 'r_shoulder', 'l_elbow', 'r_elbow',
                'l_wrist', 'r_wrist', 'l_hip', 'r_hip', 'l_knee', 'r_knee', 'l_ankle', 'r_ankle')
#: Human3.6M-17 joint (pelvis, R hip, R knee, R ankle, L hip, ..., R wrist) of each COCO-17 limb joint
#: (shoulders..ankles); its nose / eyes / ears have no Human3.6M counterpart and are left unlabelled. (The
#: same order as ``vpd_mm.datasets.pose3d_readers.H36M17_TO_COCO``; mmpose's test file stores the
#: joints in this standard order although its category lists other names.)
H36M17_TO_COCO_LIMBS = {5: 11, 6: 14, 7: 12, 8: 15, 9: 13, 10: 16, 11: 4, 12: 1, 13: 5, 14: 2, 15: 6, 16: 3}
LAYOUTS = ('coco17', 'h36m17')


def to_coco17(kp: np.ndarray, layout: str) -> np.ndarray:
    """``(17, 3)`` GT joints of ``layout`` in COCO-17 order (joints without a counterpart: visibility 0)."""
    if layout == 'coco17':
        return kp
    if layout != 'h36m17':
        raise ValueError(f'unknown joint layout {layout!r}; known: {LAYOUTS}')
    out = np.zeros((17, 3), np.float32)
    for coco, h36m in H36M17_TO_COCO_LIMBS.items():
        out[coco] = kp[h36m]
    return out


@dataclass
class AnnotatedImage:
    """One image and its labelled people.

    Attributes:
        path: Image file.
        boxes: ``(P, 4)`` GT ``xyxy`` boxes.
        keypoints: ``(P, 17, 3)`` GT ``[x, y, visibility]`` (visibility 0 = not labelled).
    """
    path: str
    boxes: np.ndarray
    keypoints: np.ndarray


def _find_images(root: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.lower().endswith(('.jpg', '.jpeg', '.png')):
                out.setdefault(f, osp.join(d, f))
    return out


def load_coco_keypoint_set(ann_file: str, image_root: Optional[str] = None, min_joints: int = 1,
                           layout: str = 'coco17') -> List[AnnotatedImage]:
    """Read a 17-keypoint annotation file in COCO format, keypoints returned in COCO-17 order.

    Args:
        ann_file: COCO keypoint json.
        image_root: Folder searched (recursively) for the images by file name; default: the json's folder.
        min_joints: People with fewer labelled joints are left out (crowd regions always are).
        layout: Joint order of the file: ``'coco17'`` or ``'h36m17'`` (Human3.6M, mapped by
            :func:`to_coco17`).

    Raises:
        ValueError: The file is not COCO keypoint json, a person has no 17 keypoints, or an image
            file is missing (the message names the file).
    """
    with open(ann_file) as f:
        data = json.load(f)
    if not isinstance(data, dict) or not {'images', 'annotations'} <= set(data):
        raise ValueError(f'{ann_file}: not a COCO keypoint file (needs "images" and "annotations")')
    files = _find_images(image_root or osp.dirname(osp.abspath(ann_file)))
    people: Dict[int, list] = {}
    for a in data['annotations']:
        if a.get('iscrowd'):
            continue
        kp = np.asarray(a.get('keypoints', []), np.float32)
        if kp.size != 51:
            raise ValueError(f'{ann_file}: annotation {a.get("id")} has {kp.size // 3} keypoints, expected the 17 '
                             'of COCO')
        kp = to_coco17(kp.reshape(17, 3), layout)
        if (kp[:, 2] > 0).sum() < min_joints:
            continue
        x, y, w, h = [float(v) for v in a['bbox']]
        people.setdefault(a['image_id'], []).append((np.array([x, y, x + w, y + h], np.float32), kp))
    out = []
    for img in data['images']:
        if img['id'] not in people:
            continue
        name = osp.basename(img['file_name'])
        if name not in files:
            raise ValueError(f'{ann_file}: image {img["file_name"]} not found under {image_root or osp.dirname(ann_file)}')
        boxes, kps = zip(*people[img['id']])
        out.append(AnnotatedImage(files[name], np.stack(boxes), np.stack(kps)))
    return out


def _torso(kp: np.ndarray) -> float:
    return float(0.5 * (np.linalg.norm(kp[5, :2] - kp[12, :2]) + np.linalg.norm(kp[6, :2] - kp[11, :2])))


def overlap_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over the smaller box's area of ``(N, 4)`` x ``(M, 4)`` xyxy boxes: 1 when one box
    lies inside the other (annotation boxes are often padded or square, a finder's box tight)."""
    a, b = np.asarray(a, np.float64).reshape(-1, 4), np.asarray(b, np.float64).reshape(-1, 4)
    w = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return w * h / np.maximum(np.minimum(area_a[:, None], area_b[None, :]), 1e-9)


def predict_poses(teacher, image: np.ndarray, gt_boxes: np.ndarray, boxes: str, min_overlap: float = 0.5):
    """Poses of an image's GT people by ``teacher`` (a :class:`~vpd_mm.teachers.PoseTeacher`).

    Returns:
        ``(pred (P, 17, 3), found (P,) bool)``; rows of people without a detection are zero.
    """
    n = len(gt_boxes)
    if boxes == 'gt':
        return teacher.pose_estimator([image] * n, gt_boxes), np.ones(n, bool)
    if boxes != 'detected':
        raise ValueError(f"boxes must be 'gt' or 'detected', got {boxes!r}")
    finder = teacher.person_finder
    if hasattr(finder, 'reset'):
        finder.reset()
    dets = np.asarray(finder([image])[0], np.float32)
    pred, found = np.zeros((n, 17, 3), np.float32), np.zeros(n, bool)
    if len(dets) == 0:
        return pred, found
    overlap = overlap_matrix(gt_boxes, dets[:, :4])
    taken = set()
    for g in np.argsort(-overlap.max(1), kind='stable'):
        order = [d for d in np.argsort(-overlap[g], kind='stable') if d not in taken and overlap[g, d] >= min_overlap]
        if not order:
            continue
        d = order[0]
        taken.add(d)
        found[g] = True
        if dets.shape[1] > BOX_COLUMNS:
            pred[g] = dets[d, BOX_COLUMNS:].reshape(17, 3)
        else:
            pred[g] = teacher.pose_estimator([image], dets[d:d + 1, :4])[0]
    return pred, found


def score_teacher(teacher, images: Sequence[AnnotatedImage], boxes: str = 'gt', thresholds=(0.1, 0.2),
                  progress: bool = False) -> dict:
    """PCK and per-joint errors of a teacher on annotated images (module docstring).

    Returns:
        ``{people, joints, found, pck_bbox: {t: v}, pck_torso: {t: v}, per_joint: {name: {labelled, median_error, pck_0_2}}}``.
    """
    errs, torso_errs, vis, found_all = [], [], [], []
    for item in tqdm(images, desc=f'images ({boxes} boxes)', disable=not progress, leave=False):
        image = cv2.imread(item.path, cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f'{item.path}: cannot read the image')
        pred, found = predict_poses(teacher, image, item.boxes, boxes)
        for g in range(len(item.boxes)):
            gt = item.keypoints[g]
            side = float(max(item.boxes[g, 2] - item.boxes[g, 0], item.boxes[g, 3] - item.boxes[g, 1], 1.0))
            dist = np.linalg.norm(pred[g, :, :2] - gt[:, :2], axis=1)
            dist = np.where(found[g] & np.isfinite(dist), dist, np.inf)
            errs.append(dist / side)
            torso = _torso(gt) if (gt[[5, 6, 11, 12], 2] > 0).all() else 0.0
            # no torso size (a torso joint unlabelled): NaN, left out; a missed person: inf, wrong
            torso_errs.append(dist / torso if torso > 1 else np.full(17, np.nan))
            vis.append(gt[:, 2] > 0)
            found_all.append(found[g])
    if not errs:
        raise ValueError('no labelled people to score')
    e, te, v = np.stack(errs), np.stack(torso_errs), np.stack(vis)
    tv = v & ~np.isnan(te)
    out = dict(
        people=len(e),
        joints=int(v.sum()),
        found=float(np.mean(found_all)),
        pck_bbox={str(t): float((e[v] <= t).mean()) for t in thresholds},
        pck_torso={str(t): float((te[tv] <= t).mean()) if tv.any() else None for t in thresholds},
        per_joint={})
    for j, name in enumerate(COCO17_NAMES):
        m = v[:, j]
        if m.any():
            ej = e[m, j]
            out['per_joint'][name] = dict(
                labelled=int(m.sum()),
                median_error=float(np.median(np.minimum(ej, 1.0))),
                pck_0_2=float((ej <= 0.2).mean()))
    return out

"""Per-video pose sequences and the "normalized 2D joints" embedding files built from them.

A VPD pose directory (REFERENCE.md section 3) holds ``coco_keypoints.json.gz`` (every detected
person per frame) and usually ``boxes.json`` (the tracked athlete, one box per frame). The athlete's
pose in a frame is the detection whose box overlaps the ``boxes.json`` box most.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np

from vpd_mm.utils.fileio import PathLike
from vpd_mm.utils.vpd_files import load_boxes, load_coco_keypoints, save_embeddings

from .normalize import normalize_coco_pose, pose_confidence

BOXES_FILE = 'boxes.json'
KEYPOINTS_FILE = 'coco_keypoints.json.gz'
#: File name suffix of the per-video embedding pickles written by vpd_mm tools.
EMBEDDING_SUFFIX = '.emb.pkl'


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one ``[x, y, w, h]`` box with ``(N, 4)`` boxes."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[0] + box[2], boxes[:, 0] + boxes[:, 2])
    y2 = np.minimum(box[1] + box[3], boxes[:, 1] + boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = box[2] * box[3] + boxes[:, 2] * boxes[:, 3] - inter
    return inter / np.maximum(union, 1e-9)


def _pick_person(people: List[Tuple[float, np.ndarray, np.ndarray]],
                 track_box: Optional[np.ndarray]) -> np.ndarray:
    if len(people) == 1:
        return people[0][2]
    if track_box is not None:
        ious = box_iou(track_box, np.stack([p[1] for p in people]))
        return people[int(np.argmax(ious))][2]
    return max(people, key=lambda p: p[0])[2]


def load_pose_sequence(pose_dir: PathLike) -> Tuple[np.ndarray, np.ndarray]:
    """Read the athlete's COCO-17 pose in every frame of a VPD pose directory.

    When ``boxes.json`` exists, only its frames are used (the tracked athlete) and, in frames with
    several detections, the detection with the highest IoU with the tracked box is taken. Without
    ``boxes.json`` the highest-scoring detection is taken. Frames without any detection are skipped.

    Args:
        pose_dir: Directory holding ``coco_keypoints.json.gz`` and optionally ``boxes.json``.

    Returns:
        ``(frames (T,) int64, keypoints (T, 17, 3) float32 [x, y, score])`` sorted by frame.

    Raises:
        FileNotFoundError: ``coco_keypoints.json.gz`` is missing.
        ValueError: No frame holds a usable pose, or a pose is malformed / non-finite.
    """
    pose_dir = os.fspath(pose_dir)
    kp_path = osp.join(pose_dir, KEYPOINTS_FILE)
    if not osp.isfile(kp_path):
        raise FileNotFoundError(f'{kp_path}: keypoint file not found')
    keypoints = load_coco_keypoints(kp_path)
    box_path = osp.join(pose_dir, BOXES_FILE)
    boxes: Optional[Dict[int, np.ndarray]] = load_boxes(box_path) if osp.isfile(box_path) else None

    frames, poses = [], []
    for frame in sorted(keypoints):
        people = keypoints[frame]
        if not people:
            continue
        track_box = None
        if boxes is not None:
            if frame not in boxes:
                continue
            track_box = boxes[frame]
        poses.append(_pick_person(people, track_box))
        frames.append(frame)
    if not frames:
        raise ValueError(f'{pose_dir}: no frame holds a pose of the tracked person')
    poses = np.stack(poses).astype(np.float32)
    if not np.isfinite(poses).all():
        bad = frames[int(np.argwhere(~np.isfinite(poses).all(axis=(1, 2)))[0, 0])]
        raise ValueError(f'{kp_path}: frame {bad} has NaN/inf keypoints')
    return np.asarray(frames, dtype=np.int64), poses


def joint_embedding_records(frames: np.ndarray,
                            keypoints: np.ndarray,
                            name: str = 'pose') -> List[Tuple[int, np.ndarray, dict]]:
    """Build VPD embedding records ``(frame, (2, 39) [orig, flipped], {'kp_score'})``.

    ``kp_score`` is :func:`~vpd_mm.pose.normalize.pose_confidence`: the mean keypoint score, 0 where the
    torso joints coincide.
    """
    orig = normalize_coco_pose(keypoints, name=name)
    flipped = normalize_coco_pose(keypoints, flip=True, name=name)
    scores = pose_confidence(keypoints)
    return [(int(f), np.stack([o, fl]), {
        'kp_score': float(s)
    }) for f, o, fl, s in zip(frames, orig, flipped, scores)]


def write_joint_embeddings(pose_dir: PathLike, out_path: PathLike) -> int:
    """Write the "normalized 2D joints" embedding pickle of one video.

    Each frame gets a ``(2, 39)`` array (original and horizontally flipped view, see
    :func:`vpd_mm.pose.normalize_coco_pose`) and meta ``{'kp_score': mean keypoint score}`` (0 for a
    degenerate torso, see :func:`~vpd_mm.pose.normalize.pose_confidence`).

    Args:
        pose_dir: VPD pose directory of the video.
        out_path: Destination pickle (written atomically).

    Returns:
        The number of frames written.
    """
    frames, keypoints = load_pose_sequence(pose_dir)
    records = joint_embedding_records(frames, keypoints, name=osp.join(os.fspath(pose_dir), KEYPOINTS_FILE))
    save_embeddings(out_path, records)
    return len(records)


def find_pose_dirs(pose_root: PathLike) -> List[str]:
    """Names of the sub-directories of ``pose_root`` that hold a ``coco_keypoints.json.gz``."""
    pose_root = os.fspath(pose_root)
    if not osp.isdir(pose_root):
        raise FileNotFoundError(f'{pose_root}: pose root directory not found')
    return sorted(d for d in os.listdir(pose_root) if osp.isfile(osp.join(pose_root, d, KEYPOINTS_FILE)))


def make_joint_features(pose_root: PathLike,
                        out_dir: PathLike,
                        overwrite: bool = False,
                        progress: bool = True) -> Dict[str, str]:
    """Write ``OUT_DIR/<video>.emb.pkl`` for every video directory under ``pose_root``.

    Existing outputs are skipped unless ``overwrite`` (resumable: files are written atomically).

    Returns:
        ``{video: 'written' | 'skipped'}``.
    """
    videos = find_pose_dirs(pose_root)
    if not videos:
        raise ValueError(f'{pose_root}: no <video>/{KEYPOINTS_FILE} found')
    status = {}
    iterator = videos
    if progress:
        from tqdm import tqdm
        iterator = tqdm(videos, desc='joint features', unit='video')
    for vid in iterator:
        out_path = osp.join(os.fspath(out_dir), vid + EMBEDDING_SUFFIX)
        if osp.isfile(out_path) and not overwrite:
            status[vid] = 'skipped'
            continue
        write_joint_embeddings(osp.join(os.fspath(pose_root), vid), out_path)
        status[vid] = 'written'
    return status

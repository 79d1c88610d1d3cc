"""Readers and writers of the per-video VPD file formats (REFERENCE.md section 3).

* ``boxes.json``: ``[[frame, [x, y, w, h]], ...]`` -- the tracked athlete, one box per frame.
* ``coco_keypoints.json.gz``: ``[[frame, [[det_score, [x, y, w, h], [[x, y, s] * 17]], ...]], ...]``.
* embedding pickle: a list of ``(frame_num, ndarray (D,) or (2, D), meta dict)`` sorted by frame;
  row 0 of a ``(2, D)`` array is the original view, row 1 the horizontally flipped one.

All readers validate what they read and raise ``ValueError`` naming the file and the problem.
"""
import os
import os.path as osp
import pickle
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .fileio import PathLike, atomic_write_json, atomic_write_pickle, load_json

EmbeddingRecord = Tuple[int, np.ndarray, dict]


def save_boxes(path: PathLike, boxes: Sequence[Tuple[int, Sequence[float]]]) -> None:
    """Write ``boxes.json`` from ``(frame, [x, y, w, h])`` pairs."""
    atomic_write_json(path, [[int(f), [float(v) for v in box]] for f, box in boxes])


def load_boxes(path: PathLike) -> Dict[int, np.ndarray]:
    """Read ``boxes.json`` into ``{frame: array([x, y, w, h])}``."""
    data = load_json(path)
    out: Dict[int, np.ndarray] = {}
    try:
        for frame, box in data:
            box = np.asarray(box, dtype=np.float32)
            if box.shape != (4, ) or not np.isfinite(box).all():
                raise ValueError(f'frame {frame}: box must be 4 finite numbers, got {box.tolist()}')
            out[int(frame)] = box
    except (TypeError, ValueError) as e:
        raise ValueError(f'{path}: bad boxes.json entry: {e}') from e
    return out


def save_coco_keypoints(path: PathLike, frames: Sequence[Tuple[int, Sequence[Tuple[float, Sequence[float],
                                                                                  np.ndarray]]]]) -> None:
    """Write ``coco_keypoints.json.gz``.

    Args:
        path: Destination (gzip-compressed JSON).
        frames: ``(frame, [(det_score, [x, y, w, h], keypoints (17, 3)), ...])`` per frame.
    """
    out = []
    for frame, people in frames:
        out.append([int(frame), [[float(s), [float(v) for v in box], np.round(np.asarray(kp, np.float64), 3).tolist()]
                                 for s, box, kp in people]])
    atomic_write_json(path, out)


def load_coco_keypoints(path: PathLike) -> Dict[int, List[Tuple[float, np.ndarray, np.ndarray]]]:
    """Read ``coco_keypoints.json.gz`` into ``{frame: [(det_score, box (4,), keypoints (17, 3))]}``."""
    data = load_json(path)
    out = {}
    try:
        for frame, people in data:
            rows = []
            for score, box, kp in people:
                kp = np.asarray(kp, dtype=np.float32)
                if kp.shape != (17, 3):
                    raise ValueError(f'frame {frame}: keypoints must be (17, 3), got {kp.shape}')
                rows.append((float(score), np.asarray(box, dtype=np.float32), kp))
            out[int(frame)] = rows
    except (TypeError, ValueError) as e:
        raise ValueError(f'{path}: bad coco_keypoints entry: {e}') from e
    return out


def save_embeddings(path: PathLike, records: Sequence[EmbeddingRecord]) -> None:
    """Write a VPD embedding pickle after validating it (sorted frames, consistent shapes, finite)."""
    records = [(int(f), np.asarray(e, dtype=np.float32), dict(m)) for f, e, m in records]
    _check_embeddings(path, records)
    atomic_write_pickle(path, records)


def load_embeddings(path: PathLike) -> List[EmbeddingRecord]:
    """Read and validate a VPD embedding pickle."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path}: embedding file not found')
    try:
        with open(path, 'rb') as f:
            records = pickle.load(f)
    except Exception as e:  # noqa: BLE001 - any unpickling failure means a corrupt file
        raise ValueError(f'{path}: not a readable embedding pickle ({e})') from e
    if not isinstance(records, list):
        raise ValueError(f'{path}: embedding pickle must hold a list, got {type(records).__name__}')
    records = [(int(f), np.asarray(e, dtype=np.float32), m) for f, e, m in records]
    _check_embeddings(path, records)
    return records


def embeddings_to_array(records: Sequence[EmbeddingRecord]) -> Tuple[np.ndarray, np.ndarray]:
    """Stack records into ``(frames (N,), features (N, V, D))`` where V is 1 or 2 views."""
    frames = np.asarray([r[0] for r in records], dtype=np.int64)
    feats = np.stack([r[1].reshape(-1, r[1].shape[-1]) for r in records]) if records else np.zeros((0, 1, 0),
                                                                                                  np.float32)
    return frames, feats


def _check_embeddings(path: PathLike, records: Sequence[EmbeddingRecord]) -> None:
    if not records:
        raise ValueError(f'{path}: embedding file holds no frames')
    shape = records[0][1].shape
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[0] != 2):
        raise ValueError(f'{path}: embeddings must be (D,) or (2, D), got {shape} at frame {records[0][0]}')
    prev = None
    for frame, emb, meta in records:
        if emb.shape != shape:
            raise ValueError(f'{path}: frame {frame} has shape {emb.shape}, expected {shape}')
        if not np.isfinite(emb).all():
            raise ValueError(f'{path}: frame {frame} has NaN/inf features')
        if not isinstance(meta, dict):
            raise ValueError(f'{path}: frame {frame} meta must be a dict, got {type(meta).__name__}')
        if prev is not None and frame <= prev:
            raise ValueError(f'{path}: frames must be strictly increasing, got {frame} after {prev}')
        prev = frame


BOXES_FILE = 'boxes.json'
KEYPOINTS_FILE = 'coco_keypoints.json.gz'


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

"""Per-video pose sequences and the "normalized 2D joints" embedding files built from them.

A VPD pose directory (REFERENCE.md section 3) holds ``coco_keypoints.json.gz`` (every detected
person per frame) and usually ``boxes.json`` (the tracked athlete, one box per frame). The athlete's
pose in a frame is the detection whose box overlaps the ``boxes.json`` box most
(:func:`vpd_mm.utils.vpd_files.load_pose_sequence`, re-exported here).
"""
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

from vpd_mm.utils.fileio import PathLike
from vpd_mm.utils.vpd_files import (  # noqa: F401 (BOXES_FILE, KEYPOINTS_FILE, box_iou: re-exported)
    BOXES_FILE, KEYPOINTS_FILE, box_iou, load_pose_sequence, save_embeddings)

from .normalize import normalize_coco_pose, pose_confidence

#: File name suffix of the per-video embedding pickles written by vpd_mm tools.
EMBEDDING_SUFFIX = '.emb.pkl'


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

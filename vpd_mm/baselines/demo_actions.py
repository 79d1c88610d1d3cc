"""DemoActions: a tiny labelled skeleton + video set for smoke-testing the mmaction2 baselines.

It exists so the ST-GCN and TSN baseline configs train, resume and test on a fresh machine in
seconds, before any real or SynthSport data is present. Four classes of clearly different
whole-body motion are generated from a COCO-17 2D template; each clip is written both as an
mmaction2 ``PoseDataset`` pickle entry and as a small rendered .mp4 (body drawn as thick limbs).

Layout written under ``root``::

    demo_actions_2d.pkl            PoseDataset pickle, splits 'train' / 'val'
    videos/<name>.mp4              rendered clips
    videos_train.txt / videos_val.txt   "<name>.mp4 <label>"
"""
import os
import os.path as osp
from typing import Dict, List

import cv2
import numpy as np

from vpd_mm.pose import COCO17_SKELETON
from vpd_mm.utils import atomic_write_pickle, atomic_write_text

DEMO_ACTION_CLASSES = ('wave_left_arm', 'wave_right_arm', 'squat', 'jumping_jack')

# Standing COCO-17 template in a unit box, x right, y down (nose at the top).
_TEMPLATE = np.array([[0.50, 0.12], [0.47, 0.10], [0.53, 0.10], [0.44, 0.12], [0.56, 0.12], [0.40, 0.25],
                      [0.60, 0.25], [0.36, 0.40], [0.64, 0.40], [0.34, 0.55], [0.66, 0.55], [0.44, 0.55],
                      [0.56, 0.55], [0.44, 0.73], [0.56, 0.73], [0.44, 0.92], [0.56, 0.92]], np.float32)


def _pose_sequence(label: int, num_frames: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-box poses ``(T, 17, 2)`` for one clip of class ``label``."""
    t = np.linspace(0, 1, num_frames, dtype=np.float32)
    phase = 2 * np.pi * (rng.uniform(1.5, 2.5) * t + rng.uniform(0, 1))
    s = (np.sin(phase) + 1) / 2  # 0..1
    poses = np.repeat(_TEMPLATE[None], num_frames, axis=0)
    if label in (0, 1):  # raise and wave one arm
        side = (7, 9) if label == 0 else (8, 10)
        sign = -1 if label == 0 else 1
        shoulder = poses[:, 5 if label == 0 else 6]
        for j, length in zip(side, (0.15, 0.30)):
            angle = np.pi / 2 + sign * (0.3 + 0.9 * s)
            poses[:, j, 0] = shoulder[:, 0] + sign * length * np.abs(np.cos(angle))
            poses[:, j, 1] = shoulder[:, 1] - length * np.sin(0.3 + 0.9 * s)
    elif label == 2:  # squat: everything above the knees moves down
        poses[:, :13, 1] += 0.25 * s[:, None]
        poses[:, 13:15, 0] += np.array([-0.06, 0.06]) * s[:, None]
    else:  # jumping jack: arms up and legs apart together
        for j, sign in ((7, -1), (9, -1), (8, 1), (10, 1)):
            reach = 0.15 if j in (7, 8) else 0.30
            poses[:, j, 0] = 0.5 + sign * (0.10 + reach * np.cos(np.pi / 2 * s))
            poses[:, j, 1] = 0.25 - reach * np.sin(np.pi / 2 * s) + 0.15 * (1 - s)
        for j, sign in ((13, -1), (15, -1), (14, 1), (16, 1)):
            poses[:, j, 0] += sign * (0.05 if j in (13, 14) else 0.12) * s
        poses[:, :, 1] -= 0.05 * s[:, None]
    poses += rng.normal(0, 0.005, poses.shape).astype(np.float32)
    return poses


def _render(poses_px: np.ndarray, size: int, rng: np.random.Generator) -> List[np.ndarray]:
    background = rng.integers(40, 200, 3).tolist()
    colour = rng.integers(0, 255, 3).tolist()
    frames = []
    for pose in poses_px:
        img = np.full((size, size, 3), background, np.uint8)
        for a, b in COCO17_SKELETON:
            cv2.line(img, tuple(int(v) for v in pose[a]), tuple(int(v) for v in pose[b]), colour,
                     max(2, size // 24), cv2.LINE_AA)
        cv2.circle(img, tuple(int(v) for v in pose[0]), max(3, size // 14), colour, -1, cv2.LINE_AA)
        frames.append(img)
    return frames


def _write_video(path: str, frames: List[np.ndarray], fps: int) -> None:
    tmp = osp.join(osp.dirname(path), '.tmp_' + osp.basename(path))
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps, frames[0].shape[1::-1])
    if not writer.isOpened():
        raise RuntimeError(f'{path}: OpenCV cannot open an mp4v writer')
    for frame in frames:
        writer.write(frame)
    writer.release()
    os.replace(tmp, path)


def make_demo_actions(root: str,
                      train_per_class: int = 12,
                      val_per_class: int = 3,
                      num_frames: int = 32,
                      size: int = 96,
                      fps: int = 25,
                      seed: int = 0) -> Dict[str, str]:
    """Generate DemoActions under ``root``; returns the paths of the annotation files.

    Args:
        root: Output directory.
        train_per_class: Training clips per class.
        val_per_class: Validation clips per class.
        num_frames: Frames per clip.
        size: Video side in pixels (square).
        fps: Video frame rate.
        seed: Random seed; the same seed gives the same skeletons.
    """
    if train_per_class < 1 or val_per_class < 1 or num_frames < 2 or size < 32:
        raise ValueError('make_demo_actions needs >= 1 clip per class and split, >= 2 frames, size >= 32')
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'videos'), exist_ok=True)
    annotations, split, lists = [], {'train': [], 'val': []}, {'train': [], 'val': []}
    for subset, count in (('train', train_per_class), ('val', val_per_class)):
        for label, name in enumerate(DEMO_ACTION_CLASSES):
            for i in range(count):
                clip = f'{subset}_{name}_{i:03d}'
                scale = rng.uniform(0.6, 0.85) * size
                offset = rng.uniform(0.05, 0.95 - scale / size, 2) * size
                poses = _pose_sequence(label, num_frames, rng) * scale + offset
                annotations.append(dict(frame_dir=clip, label=label, img_shape=(size, size),
                                        original_shape=(size, size), total_frames=num_frames,
                                        keypoint=poses[None].astype(np.float32),
                                        keypoint_score=np.ones((1, num_frames, 17), np.float32)))
                split[subset].append(clip)
                _write_video(osp.join(root, 'videos', clip + '.mp4'), _render(poses, size, rng), fps)
                lists[subset].append(f'{clip}.mp4 {label}')
    paths = dict(skeleton=osp.join(root, 'demo_actions_2d.pkl'))
    atomic_write_pickle(paths['skeleton'], dict(split=split, annotations=annotations))
    for subset, lines in lists.items():
        paths[f'videos_{subset}'] = osp.join(root, f'videos_{subset}.txt')
        atomic_write_text(paths[f'videos_{subset}'], '\n'.join(lines) + '\n')
    return paths

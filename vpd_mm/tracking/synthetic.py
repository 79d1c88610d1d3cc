"""Synthetic detections of a gymnast among distractors (tests and demos of the tracking stack)."""
from typing import Dict, List, Tuple

import numpy as np

W, H = 320, 240


def _box(cx, cy, w, h):
    return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])


def athlete_boxes(T: int) -> np.ndarray:
    """(T, 4) xyxy: a gymnast near the centre, somersaulting (tumbling box) on three passes."""
    out = []
    for t in range(T):
        cx = 160 + 50 * np.sin(t / 25)
        cy, w, h = 130.0, 30.0, 100.0
        for s in (30, 80, 125):  # flight phases: jump up, box becomes a tuck and rotates
            if s <= t < s + 16:
                ph = (t - s) / 16
                cy = 130 - 45 * np.sin(np.pi * ph)
                w, h = 30 + 35 * np.sin(np.pi * ph), 100 - 45 * np.sin(np.pi * ph)
        out.append(_box(cx, cy, w, h))
    return np.array(out)


def make_scene(T: int = 160,
               seed: int = 0) -> Tuple[List[Tuple[int, np.ndarray]], np.ndarray, Dict[str, object]]:
    """Detections per frame with misses, distractors, a crossing and false positives.

    Returns:
        ``(detections [(frame, (N, 5))], athlete GT (T, 4) xyxy, info)``; ``info['poses']`` maps
        frame -> (N, 17, 3) poses aligned with the detections (athlete inverted in the air).
    """
    rng = np.random.default_rng(seed)
    gt = athlete_boxes(T)
    misses = set(range(55, 62)) | {100, 101, 140}
    dets, poses = [], {}
    for t in range(T):
        rows, kps = [], []
        if t not in misses:
            rows.append(np.r_[gt[t] + rng.normal(0, 1.5, 4), rng.uniform(0.6, 0.95)])
            inv = any(s + 4 <= t < s + 12 for s in (30, 80, 125))
            kps.append(_pose(gt[t], inverted=inv))
        # distractor 1: large coach standing still at the right edge (larger than the athlete)
        coach = _box(290, 140, 45, 125)
        rows.append(np.r_[coach + rng.normal(0, 1.0, 4), rng.uniform(0.7, 0.99)])
        kps.append(_pose(coach, inverted=False))
        # distractor 2: a walker crossing the athlete's path (passes it while it is missed)
        walker = _box(40 + 2.2 * t, 135, 28, 95)
        if 0 < walker[0] and walker[2] < W:
            rows.append(np.r_[walker + rng.normal(0, 1.5, 4), rng.uniform(0.6, 0.9)])
            kps.append(_pose(walker, inverted=False))
        # false positives: single-frame clutter
        if rng.random() < 0.15:
            fx, fy = rng.uniform(20, 300), rng.uniform(20, 220)
            rows.append(np.r_[_box(fx, fy, 20, 40), rng.uniform(0.5, 0.7)])
            kps.append(_pose(_box(fx, fy, 20, 40), inverted=False))
        perm = rng.permutation(len(rows))  # detection order carries no identity
        dets.append((t, np.array(rows)[perm]))
        poses[t] = np.array(kps)[perm]
    return dets, gt, dict(poses=poses, misses=misses)


def _pose(box: np.ndarray, inverted: bool) -> np.ndarray:
    """A crude COCO-17 pose filling the box, upright or upside down."""
    x1, y1, x2, y2 = box
    # relative heights of head(0-4), shoulders(5,6), elbows, wrists, hips(11,12), knees, ankles(15,16)
    rel_y = np.array([0.05] * 5 + [0.2, 0.2, 0.35, 0.35, 0.5, 0.5, 0.55, 0.55, 0.75, 0.75, 0.95, 0.95])
    rel_x = np.array(
        [0.5, 0.45, 0.55, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85, 0.4, 0.6, 0.4, 0.6, 0.4, 0.6])
    if inverted:
        rel_y = 1 - rel_y
    kp = np.stack([x1 + rel_x * (x2 - x1), y1 + rel_y * (y2 - y1), np.full(17, 0.9)], axis=1)
    return kp


def render_boxes_video(path: str,
                       boxes_per_frame: List[List[Tuple[np.ndarray, Tuple[int, int, int]]]],
                       size: Tuple[int, int] = (W, H),
                       fps: float = 25.0,
                       background: int = 90) -> None:
    """Write a video of filled coloured boxes ("people") on a grey background with OpenCV.

    Args:
        path: Output ``.avi`` (MJPG) or ``.mp4`` (mp4v) file.
        boxes_per_frame: Per frame, ``(xyxy box, BGR colour)`` pairs.
        size: ``(width, height)``.
        fps: Frame rate.
        background: Grey level of the background.
    """
    import cv2
    fourcc = cv2.VideoWriter_fourcc(*('MJPG' if path.lower().endswith('.avi') else 'mp4v'))
    writer = cv2.VideoWriter(path, fourcc, fps, size)
    if not writer.isOpened():
        raise OSError(f'{path}: cannot open a video writer')
    try:
        for items in boxes_per_frame:
            img = np.full((size[1], size[0], 3), background, np.uint8)
            for box, colour in items:
                x1, y1, x2, y2 = np.round(box).astype(int)
                cv2.rectangle(img, (x1, y1), (x2, y2), colour, thickness=-1)
            writer.write(img)
    finally:
        writer.release()

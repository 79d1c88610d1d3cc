"""Box helpers shared by the tracker, the athlete selector and the teacher evaluation.

Formats: ``xyxy`` = ``[x1, y1, x2, y2]``, ``xywh`` = ``[x, y, w, h]`` (VPD ``boxes.json``),
``cxcywh`` = ``[centre x, centre y, w, h]`` (the tracker's state). All functions take and return
float64 arrays of shape ``(..., 4)``.
"""
from typing import Tuple

import numpy as np


def xyxy_to_xywh(boxes: np.ndarray) -> np.ndarray:
    """``[x1, y1, x2, y2]`` -> ``[x, y, w, h]``."""
    b = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([b[..., :2], b[..., 2:4] - b[..., :2]], axis=-1)


def xywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    """``[x, y, w, h]`` -> ``[x1, y1, x2, y2]``."""
    b = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([b[..., :2], b[..., :2] + b[..., 2:4]], axis=-1)


def xyxy_to_cxcywh(boxes: np.ndarray) -> np.ndarray:
    """``[x1, y1, x2, y2]`` -> ``[cx, cy, w, h]``."""
    b = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([(b[..., :2] + b[..., 2:4]) / 2, b[..., 2:4] - b[..., :2]], axis=-1)


def cxcywh_to_xyxy(boxes: np.ndarray) -> np.ndarray:
    """``[cx, cy, w, h]`` -> ``[x1, y1, x2, y2]``."""
    b = np.asarray(boxes, dtype=np.float64)
    return np.concatenate([b[..., :2] - b[..., 2:4] / 2, b[..., :2] + b[..., 2:4] / 2], axis=-1)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of ``(N, 4)`` and ``(M, 4)`` ``xyxy`` boxes -> ``(N, M)``."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=-1)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0, None), axis=-1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0, None), axis=-1)
    union = area_a[:, None] + area_b[None, :] - inter
    return inter / np.maximum(union, 1e-9)


def interpolate_boxes(frames: np.ndarray, boxes: np.ndarray,
                      max_gap: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill short gaps of a box sequence by linear interpolation of centre and size.

    Args:
        frames: ``(T,)`` strictly increasing frame numbers.
        boxes: ``(T, 4)`` ``xyxy`` boxes.
        max_gap: Longest run of missing frames that is filled; longer gaps stay missing.

    Returns:
        ``(frames (T',), boxes (T', 4), filled (T',) bool)`` with the inserted frames flagged.
    """
    frames = np.asarray(frames, dtype=np.int64)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if len(frames) < 2 or max_gap <= 0:
        return frames, boxes, np.zeros(len(frames), bool)
    out_f, out_b, out_fill = [frames[:1]], [boxes[:1]], [np.zeros(1, bool)]
    state = xyxy_to_cxcywh(boxes)
    for i in range(1, len(frames)):
        gap = int(frames[i] - frames[i - 1]) - 1
        if 0 < gap <= max_gap:
            t = np.arange(1, gap + 1) / (gap + 1)
            mid = state[i - 1] + t[:, None] * (state[i] - state[i - 1])
            out_f.append(frames[i - 1] + np.arange(1, gap + 1))
            out_b.append(cxcywh_to_xyxy(mid))
            out_fill.append(np.ones(gap, bool))
        out_f.append(frames[i:i + 1])
        out_b.append(boxes[i:i + 1])
        out_fill.append(np.zeros(1, bool))
    return np.concatenate(out_f), np.concatenate(out_b), np.concatenate(out_fill)


def smooth_boxes(frames: np.ndarray, boxes: np.ndarray, sigma: float) -> np.ndarray:
    """Smooth centre and size of a box sequence over time, segment by segment.

    Each value is replaced by a Gaussian-weighted local linear fit (a first-order
    Savitzky-Golay-like filter): jitter is averaged out while constant-velocity motion passes
    through unchanged, also at the ends of a segment (no lag, no shrinking towards the interior).
    Frames that are not consecutive start a new segment, so boxes are never smoothed across a gap.

    Args:
        frames: ``(T,)`` strictly increasing frame numbers.
        boxes: ``(T, 4)`` ``xyxy`` boxes.
        sigma: Kernel standard deviation in frames; ``<= 0`` returns the boxes unchanged.

    Returns:
        ``(T, 4)`` smoothed ``xyxy`` boxes.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if sigma <= 0 or len(boxes) < 2:
        return boxes.copy()
    frames = np.asarray(frames, dtype=np.int64)
    radius = max(1, int(round(3 * sigma)))
    d = radius - np.arange(2 * radius + 1)  # offset (neighbour - centre) of each kernel tap
    w = np.exp(-0.5 * (d / sigma)**2)
    state = xyxy_to_cxcywh(boxes)
    out = np.empty_like(state)
    breaks = np.flatnonzero(np.diff(frames) != 1) + 1
    for seg in np.split(np.arange(len(frames)), breaks):
        n = len(seg)

        def conv(x, k):
            return np.convolve(x, k)[radius:radius + n]

        ones = np.ones(n)
        s0, s1, s2 = conv(ones, w), conv(ones, w * d), conv(ones, w * d * d)
        det = s0 * s2 - s1 * s1
        for k in range(4):
            y = state[seg, k]
            t0, t1 = conv(y, w), conv(y, w * d)
            ok = det > 1e-9 * np.maximum(s0 * s2, 1e-12)
            out[seg, k] = np.where(ok, (s2 * t0 - s1 * t1) / np.where(ok, det, 1.0), t0 / s0)
    return cxcywh_to_xyxy(out)

"""SORT-style multi-person tracker: Kalman prediction + Hungarian IoU association, offline."""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from .boxes import cxcywh_to_xyxy, iou_matrix, xyxy_to_cxcywh
from .kalman import BoxKalmanFilter
from .registry import TRACKERS

#: Per-frame detections: ``(frame, (N, 5) array [x1, y1, x2, y2, score])``.
FrameDetections = Tuple[int, np.ndarray]


@dataclass
class Track:
    """One tracked person: the detections assigned to it, in frame order.

    Attributes:
        track_id: Id, unique within one tracker run (in order of birth).
        frames: ``(T,)`` frames in which a detection was assigned.
        boxes: ``(T, 4)`` the assigned detection boxes, ``xyxy``.
        scores: ``(T,)`` their detection scores.
        det_indices: ``(T,)`` their row in that frame's detection array.
    """
    track_id: int
    frames: np.ndarray
    boxes: np.ndarray
    scores: np.ndarray
    det_indices: np.ndarray

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def start(self) -> int:
        """First frame."""
        return int(self.frames[0])

    @property
    def end(self) -> int:
        """Last frame (inclusive)."""
        return int(self.frames[-1])


@dataclass
class _LiveTrack:
    track_id: int
    kf: BoxKalmanFilter
    last_frame: int
    frames: List[int] = field(default_factory=list)
    boxes: List[np.ndarray] = field(default_factory=list)
    scores: List[float] = field(default_factory=list)
    det_indices: List[int] = field(default_factory=list)

    def add(self, frame: int, det: np.ndarray, index: int) -> None:
        self.kf.update(xyxy_to_cxcywh(det[:4]))
        self.last_frame = frame
        self.frames.append(frame)
        self.boxes.append(det[:4].astype(np.float64))
        self.scores.append(float(det[4]))
        self.det_indices.append(index)

    def freeze(self) -> Track:
        return Track(self.track_id, np.asarray(self.frames, np.int64),
                     np.asarray(self.boxes, np.float64).reshape(-1, 4), np.asarray(self.scores, np.float64),
                     np.asarray(self.det_indices, np.int64))


@TRACKERS.register_module()
class SortTracker:
    """Offline SORT/ByteTrack-style tracker over a whole video's detections.

    Per frame, every live track's constant-velocity Kalman filter predicts its box, then detections
    are assigned in three Hungarian stages: (1) confident detections (``score >= high_thr``) by IoU
    ``>= iou_thr``, (2) the remaining tracks with low-score detections (``low_thr <= score <
    high_thr``) by IoU ``>= low_iou_thr``, (3) the remaining tracks with the remaining confident
    detections by centre distance (relative to the predicted box size) ``<= max_center_dist``, which
    keeps fast, shape-changing athletes (somersaults) on their track. Confident detections left over
    start new tracks (birth); a track not matched for more than ``max_age`` frames ends (death);
    tracks with fewer than ``min_hits`` detections are dropped. Frames need not be consecutive
    (detection every k-th frame): the filter predicts over the elapsed frames.

    Args:
        iou_thr: Minimum IoU for stage 1.
        low_iou_thr: Minimum IoU for stage 2.
        max_center_dist: Maximum centre distance for stage 3, in units of
            ``sqrt(w * h)`` of the predicted box; ``0`` disables stage 3.
        high_thr: Score of confident detections (match in stage 1, start tracks).
        low_thr: Detections below this are ignored.
        max_age: Frames a track survives without a detection.
        min_hits: Detections a track needs to be kept.
        pos_std: Kalman position noise (fraction of box height per frame).
        vel_std: Kalman velocity noise (fraction of box height per frame).
    """

    def __init__(self,
                 iou_thr: float = 0.3,
                 low_iou_thr: float = 0.5,
                 max_center_dist: float = 0.6,
                 high_thr: float = 0.5,
                 low_thr: float = 0.1,
                 max_age: int = 15,
                 min_hits: int = 3,
                 pos_std: float = 1 / 20,
                 vel_std: float = 1 / 160):
        if not 0 <= low_thr <= high_thr:
            raise ValueError(f'need 0 <= low_thr <= high_thr, got low_thr={low_thr}, high_thr={high_thr}')
        if max_age < 1 or min_hits < 1:
            raise ValueError(f'max_age and min_hits must be >= 1, got {max_age}, {min_hits}')
        self.iou_thr = iou_thr
        self.low_iou_thr = low_iou_thr
        self.max_center_dist = max_center_dist
        self.high_thr = high_thr
        self.low_thr = low_thr
        self.max_age = max_age
        self.min_hits = min_hits
        self.pos_std = pos_std
        self.vel_std = vel_std

    def __call__(self, detections: Sequence[FrameDetections]) -> List[Track]:
        """Track people through a video.

        Args:
            detections: ``(frame, (N, 5) [x1, y1, x2, y2, score])`` per processed frame, in
                increasing frame order (frames without any detection may be omitted).

        Returns:
            The kept tracks, ordered by id.
        """
        live: List[_LiveTrack] = []
        done: List[_LiveTrack] = []
        next_id = 0
        prev_frame: Optional[int] = None
        for frame, dets in detections:
            frame = int(frame)
            dets = np.asarray(dets, dtype=np.float64).reshape(-1, 5)
            if prev_frame is not None and frame <= prev_frame:
                raise ValueError(
                    f'detections must be in increasing frame order, got frame {frame} after {prev_frame}')
            # death: tracks that missed more than max_age frames
            still = []
            for t in live:
                (still if frame - t.last_frame <= self.max_age else done).append(t)
            live = still
            dt = 1.0 if prev_frame is None else float(frame - prev_frame)
            pred = np.array([cxcywh_to_xyxy(t.kf.predict(dt)) for t in live]).reshape(-1, 4)
            prev_frame = frame

            keep = dets[:, 4] >= self.low_thr
            high = np.flatnonzero(keep & (dets[:, 4] >= self.high_thr))
            low = np.flatnonzero(keep & (dets[:, 4] < self.high_thr))
            free_tracks = np.arange(len(live))
            matches, free_tracks, free_high = self._match_iou(pred, dets, free_tracks, high, self.iou_thr)
            m2, free_tracks, _ = self._match_iou(pred, dets, free_tracks, low, self.low_iou_thr)
            m3, free_tracks, free_high = self._match_center(pred, dets, free_tracks, free_high)
            for ti, di in matches + m2 + m3:
                live[ti].add(frame, dets[di], int(di))
            for di in free_high:  # birth
                t = _LiveTrack(next_id,
                               BoxKalmanFilter(xyxy_to_cxcywh(dets[di, :4]), self.pos_std, self.vel_std),
                               frame)
                t.frames.append(frame)
                t.boxes.append(dets[di, :4].copy())
                t.scores.append(float(dets[di, 4]))
                t.det_indices.append(int(di))
                live.append(t)
                next_id += 1
        done += live
        tracks = [
            t.freeze() for t in sorted(done, key=lambda t: t.track_id) if len(t.frames) >= self.min_hits
        ]
        return tracks

    @staticmethod
    def _assign(cost: np.ndarray, ok: np.ndarray) -> List[Tuple[int, int]]:
        if cost.size == 0 or not ok.any():
            return []
        cost = np.where(ok, cost, 1e6)
        rows, cols = linear_sum_assignment(cost)
        return [(int(r), int(c)) for r, c in zip(rows, cols) if ok[r, c]]

    def _match_iou(self, pred, dets, tracks, det_ids, thr):
        if len(tracks) == 0 or len(det_ids) == 0:
            return [], tracks, det_ids
        iou = iou_matrix(pred[tracks], dets[det_ids, :4])
        pairs = self._assign(1 - iou, iou >= thr)
        return self._split(pairs, tracks, det_ids)

    def _match_center(self, pred, dets, tracks, det_ids):
        if self.max_center_dist <= 0 or len(tracks) == 0 or len(det_ids) == 0:
            return [], tracks, det_ids
        p = xyxy_to_cxcywh(pred[tracks])
        d = xyxy_to_cxcywh(dets[det_ids, :4])
        scale = np.sqrt(np.maximum(p[:, 2] * p[:, 3], 1.0))
        dist = np.linalg.norm(p[:, None, :2] - d[None, :, :2], axis=-1) / scale[:, None]
        pairs = self._assign(dist, dist <= self.max_center_dist)
        return self._split(pairs, tracks, det_ids)

    @staticmethod
    def _split(pairs, tracks, det_ids):
        matched = [(int(tracks[r]), int(det_ids[c])) for r, c in pairs]
        used_t = {r for r, _ in pairs}
        used_d = {c for _, c in pairs}
        free_t = np.array([t for i, t in enumerate(tracks) if i not in used_t], dtype=np.int64)
        free_d = np.array([d for i, d in enumerate(det_ids) if i not in used_d], dtype=np.int64)
        return matched, free_t, free_d


def tracks_by_frame(tracks: Sequence[Track]) -> Dict[int, List[Tuple[int, int]]]:
    """``{frame: [(track index, detection index), ...]}`` for looking tracks up by frame."""
    out: Dict[int, List[Tuple[int, int]]] = {}
    for ti, t in enumerate(tracks):
        for f, d in zip(t.frames, t.det_indices):
            out.setdefault(int(f), []).append((ti, int(d)))
    return out

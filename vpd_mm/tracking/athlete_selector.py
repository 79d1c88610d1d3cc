"""Athlete selection: which tracked person is the athlete, frame by frame.

VPD (supplement) picks the athlete among the tracked people with simple heuristics: the largest,
the most central and the most moving person and, for acrobatic sports, the one whose pose is upside
down. :class:`HeuristicAthleteSelector` scores every track with a weighted sum of these cues and
then chains non-overlapping tracks into one athlete timeline (a tracker splits a somersaulting
athlete into several tracks), gap-fills and smooths it.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .boxes import interpolate_boxes, smooth_boxes, xyxy_to_cxcywh
from .registry import ATHLETE_SELECTORS
from .sort_tracker import Track

#: COCO-17 indices used by the upside-down cue.
_SHOULDERS = (5, 6)
_HIPS = (11, 12)
_HEAD = (0, 1, 2, 3, 4)
_ANKLES = (15, 16)


@dataclass
class AthleteTrack:
    """The athlete's box in every frame where it was found.

    Attributes:
        frames: ``(T,)`` increasing frame numbers.
        boxes: ``(T, 4)`` final (gap-filled, smoothed) ``xyxy`` boxes.
        raw_boxes: ``(T, 4)`` the assigned detection box (the interpolated box where filled).
        filled: ``(T,)`` True where no detection was assigned (interpolated across a gap).
        det_indices: ``(T,)`` the detection's row in that frame (``-1`` where filled).
        scores: ``(T,)`` detection score (``0`` where filled).
        track_ids: ids of the chained tracks, in time order.
        track_scores: per track id, the heuristic cues and the combined score (for logs).
    """
    frames: np.ndarray
    boxes: np.ndarray
    raw_boxes: np.ndarray
    filled: np.ndarray
    det_indices: np.ndarray
    scores: np.ndarray
    track_ids: List[int] = field(default_factory=list)
    track_scores: Dict[int, Dict[str, float]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frames)

    @classmethod
    def empty(cls, track_scores: Optional[Dict[int, Dict[str, float]]] = None) -> 'AthleteTrack':
        """No athlete found."""
        z = np.zeros((0, 4))
        return cls(
            np.zeros(0, np.int64), z, z.copy(), np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0), [],
            track_scores or {})


def pose_inversion(keypoints: np.ndarray, score_thr: float = 0.3) -> np.ndarray:
    """How upside down COCO-17 poses are: +1 head/shoulders below hips/ankles, -1 upright, 0 unknown.

    Args:
        keypoints: ``(N, 17, 3)`` ``[x, y, score]`` in image coordinates (y down).
        score_thr: Joints below this score are ignored.

    Returns:
        ``(N,)`` values in ``[-1, 1]``: the sign of (upper body y - lower body y), from the
        shoulder/hip pair, else the head/ankle pair; 0 where neither pair is confident.
    """
    kp = np.asarray(keypoints, dtype=np.float64).reshape(-1, 17, 3)
    out = np.zeros(len(kp))
    for upper, lower in ((_SHOULDERS, _HIPS), (_HEAD, _ANKLES)):
        u = kp[:, list(upper)]
        lo = kp[:, list(lower)]
        uw = u[..., 2] >= score_thr
        lw = lo[..., 2] >= score_thr
        ok = (out == 0) & uw.any(1) & lw.any(1)
        uy = (u[..., 1] * uw).sum(1) / np.maximum(uw.sum(1), 1)
        ly = (lo[..., 1] * lw).sum(1) / np.maximum(lw.sum(1), 1)
        out[ok] = np.sign(uy[ok] - ly[ok])
    return out


@ATHLETE_SELECTORS.register_module()
class HeuristicAthleteSelector:
    """Pick the athlete's tracks with weighted heuristics and chain them into one timeline.

    Cues per track (each in ``[0, 1]``, higher = more athlete-like):

    * ``size``: median ``sqrt(w * h)``, relative to the large tracks.
    * ``centrality``: ``1 - mean distance of the box centre from the image centre / half diagonal``.
    * ``motion``: mean per-frame change of centre (in box heights) and of ``log w``, ``log h``
      (shape changes of a somersault), relative to the most moving tracks.
    * ``inverted``: fraction of the track's posed frames (rows with any positive joint score)
      where the pose is upside down (:func:`pose_inversion`); needs poses, else 0.
    * ``duration``: track length relative to the longest track.
    * ``confidence``: mean detection score, relative to the confident tracks (separates a
      well-fitting athlete box from the looser duplicates a weak detector adds around it).

    ``size``, ``motion`` and ``confidence`` are divided by the length-weighted 90th percentile over
    the video's tracks and clipped to 1 (robust to one odd track); ``motion`` and ``inverted`` are
    shrunk towards 0 for short tracks (``prior_frames``). The track score is
    ``sum(w_k * cue_k) / sum(w_k)``. Tracks scoring below
    ``min_rel_score * best score`` are never used. The timeline is the chain of tracks, ordered in
    time and overlapping by at most ``max_overlap`` frames, that maximises
    ``sum(len * (score - min_rel_score * best)) - link_penalty * excess jumps`` (dynamic
    programming), where a link's excess jump is how far, in box heights, the next track starts from
    where the previous one ended beyond ``max_speed`` box heights per elapsed frame. Gaps of at most
    ``max_gap`` frames are then filled by linear interpolation and the boxes are Gaussian-smoothed
    (``smooth_sigma`` frames).

    Args:
        weights: Cue weights; missing cues keep their defaults
            (``size=1, centrality=1, motion=1, inverted=1, duration=0.5, confidence=1``).
        min_rel_score: Minimum score relative to the best track.
        max_overlap: Frames two chained tracks may overlap (the later one wins).
        max_speed: Plausible athlete displacement per frame in box heights.
        link_penalty: Cost (in frames of a perfect track) of a jump of one box height.
        max_gap: Longest gap (frames) filled by interpolation.
        smooth_sigma: Gaussian smoothing of the boxes over time (frames); 0 disables.
        pose_score_thr: Joint score threshold of the upside-down cue.
        prior_frames: Evidence cues (motion, inverted) are sums over a track divided by
            ``frames + prior_frames``, so a track of a few frames cannot look very athletic.
        min_best_len: The best score that sets the ``min_rel_score`` bar is taken over tracks
            of at least this many detections (all tracks if none is that long).
    """

    DEFAULT_WEIGHTS = dict(size=1.0, centrality=1.0, motion=1.0, inverted=1.0, duration=0.5, confidence=1.0)

    def __init__(self,
                 weights: Optional[Mapping[str, float]] = None,
                 min_rel_score: float = 0.75,
                 max_overlap: int = 5,
                 max_speed: float = 0.5,
                 link_penalty: float = 25.0,
                 max_gap: int = 25,
                 smooth_sigma: float = 1.0,
                 pose_score_thr: float = 0.3,
                 prior_frames: int = 10,
                 min_best_len: int = 10):
        w = dict(self.DEFAULT_WEIGHTS)
        for k, v in (weights or {}).items():
            if k not in w:
                raise KeyError(f'unknown athlete cue {k!r}; known cues: {sorted(w)}')
            w[k] = float(v)
        if sum(w.values()) <= 0 or min(w.values()) < 0:
            raise ValueError(f'cue weights must be >= 0 with a positive sum, got {w}')
        self.weights = w
        self.min_rel_score = min_rel_score
        self.max_overlap = max_overlap
        self.max_speed = max_speed
        self.link_penalty = link_penalty
        self.max_gap = max_gap
        self.smooth_sigma = smooth_sigma
        self.pose_score_thr = pose_score_thr
        self.prior_frames = prior_frames
        self.min_best_len = min_best_len

    # ----------------------------------------------------------------------------------- cues
    def track_cues(self,
                   tracks: Sequence[Track],
                   image_size: Tuple[int, int],
                   poses: Optional[Mapping[int, np.ndarray]] = None) -> List[Dict[str, float]]:
        """The heuristic cues and combined score of every track.

        Args:
            tracks: Tracks of one video.
            image_size: ``(width, height)`` of the frames.
            poses: Optional ``{frame: (N, 17, 3)}`` poses of that frame's detections (rows =
                detection indices), for the upside-down cue.

        Returns:
            One dict per track with the cue values and ``score``.
        """
        if not tracks:
            return []
        W, H = image_size
        centre = np.array([W / 2, H / 2])
        half_diag = 0.5 * np.hypot(W, H)
        raw = []
        for t in tracks:
            s = xyxy_to_cxcywh(t.boxes)
            size = float(np.median(np.sqrt(np.maximum(s[:, 2] * s[:, 3], 0))))
            central = float(np.clip(1 - np.mean(np.linalg.norm(s[:, :2] - centre, axis=1)) / half_diag, 0, 1))
            if len(t) > 1:
                dt = np.diff(t.frames).astype(np.float64)
                h = np.maximum(s[:, 3], 1.0)
                dc = np.linalg.norm(np.diff(s[:, :2], axis=0), axis=1) / (0.5 * (h[1:] + h[:-1]))
                dshape = np.abs(np.diff(np.log(np.maximum(s[:, 2:], 1.0)), axis=0)).sum(1)
                # evidence from a few frames is shrunk towards 0: short clutter tracks jump a lot
                motion = float(np.sum((dc + dshape) / dt) / (len(dt) + self.prior_frames))
            else:
                motion = 0.0
            inverted = 0.0
            if poses is not None:
                kps = [
                    poses[int(f)][int(d)] for f, d in zip(t.frames, t.det_indices)
                    if int(f) in poses and int(d) < len(poses[int(f)])
                ]
                kps = [k for k in kps if (k[:, 2] > 0).any()]  # all-zero rows: no pose estimated
                if kps:
                    inv = pose_inversion(np.stack(kps), self.pose_score_thr)
                    inverted = float((inv > 0).sum() / (len(inv) + self.prior_frames))
            raw.append(
                dict(
                    size=size,
                    centrality=central,
                    motion=motion,
                    inverted=inverted,
                    duration=float(len(t)),
                    confidence=float(np.mean(t.scores))))
        # relative cues: divided by a length-weighted 90th percentile over the tracks (robust to a
        # single odd track), clipped to [0, 1]
        lengths = np.array([len(t) for t in tracks], np.float64)
        ref = {
            k: _weighted_quantile(np.array([r[k] for r in raw]), lengths, 0.9)
            for k in ('size', 'motion', 'confidence')
        }
        ref['duration'] = float(lengths.max())
        cues = []
        wsum = sum(self.weights.values())
        for r in raw:
            c = dict(r)
            for k, m in ref.items():
                c[k] = float(min(r[k] / m, 1.0)) if m > 0 else 0.0
            c['score'] = sum(self.weights[k] * c[k] for k in self.weights) / wsum
            cues.append(c)
        return cues

    # ------------------------------------------------------------------------------- selection
    def __call__(self,
                 tracks: Sequence[Track],
                 image_size: Tuple[int, int],
                 poses: Optional[Mapping[int, np.ndarray]] = None) -> AthleteTrack:
        """Select the athlete's timeline.

        Args:
            tracks: Tracks of one video (:class:`~vpd_mm.tracking.SortTracker` output).
            image_size: ``(width, height)``.
            poses: Optional ``{frame: (N, 17, 3)}`` poses of each frame's detections.

        Returns:
            The athlete track (empty when there are no tracks).
        """
        cues = self.track_cues(tracks, image_size, poses)
        track_scores = {t.track_id: c for t, c in zip(tracks, cues)}
        if not tracks:
            return AthleteTrack.empty(track_scores)
        chain = self._best_chain(tracks, np.array([c['score'] for c in cues]))
        return self._assemble([tracks[i] for i in chain], track_scores)

    def _best_chain(self, tracks: Sequence[Track], scores: np.ndarray) -> List[int]:
        lengths = np.array([len(t) for t in tracks])
        long = lengths >= min(self.min_best_len, lengths.max())
        floor = self.min_rel_score * scores[long].max()  # a few-frame track cannot set the bar
        order = sorted(range(len(tracks)), key=lambda i: (tracks[i].start, tracks[i].end))
        n = len(order)
        starts = np.array([tracks[i].start for i in order])
        ends = np.array([tracks[i].end for i in order])
        values = np.array([len(tracks[i]) * (scores[i] - floor) for i in order])
        usable = scores[order] >= floor
        s_end = [xyxy_to_cxcywh(tracks[i].boxes[-1]) for i in order]
        s_start = [xyxy_to_cxcywh(tracks[i].boxes[0]) for i in order]
        best = np.full(n, -np.inf)
        prev = np.full(n, -1)
        for j in range(n):
            if not usable[j]:
                continue
            best[j] = values[j]
            for i in range(j):
                if not usable[i] or best[i] == -np.inf or ends[i] - starts[j] >= self.max_overlap or \
                        ends[i] >= ends[j] or starts[i] >= starts[j]:
                    continue
                gap = max(starts[j] - ends[i], 1)
                h = 0.5 * (s_end[i][3] + s_start[j][3])
                jump = np.linalg.norm(s_end[i][:2] - s_start[j][:2]) / max(h, 1.0)
                cost = self.link_penalty * max(0.0, jump - self.max_speed * gap)
                cand = best[i] + values[j] - cost
                if cand > best[j]:
                    best[j], prev[j] = cand, i
        j = int(np.argmax(best))
        chain = []
        while j >= 0:
            chain.append(order[j])
            j = int(prev[j])
        return chain[::-1]

    def _assemble(self, chain: Sequence[Track], track_scores: Dict[int, Dict[str, float]]) -> AthleteTrack:
        frames, boxes, dets, scores = [], [], [], []
        for k, t in enumerate(chain):
            keep = np.ones(len(t), bool)
            if k + 1 < len(chain):
                keep = t.frames < chain[k + 1].start  # the later track wins an overlap
            frames.append(t.frames[keep])
            boxes.append(t.boxes[keep])
            dets.append(t.det_indices[keep])
            scores.append(t.scores[keep])
        frames = np.concatenate(frames)
        boxes = np.concatenate(boxes)
        dets_by_frame = dict(zip(frames.tolist(), np.concatenate(dets).tolist()))
        score_by_frame = dict(zip(frames.tolist(), np.concatenate(scores).tolist()))
        f_all, raw, filled = interpolate_boxes(frames, boxes, self.max_gap)
        smoothed = smooth_boxes(f_all, raw, self.smooth_sigma)
        det_idx = np.array([-1 if fl else dets_by_frame[int(f)] for f, fl in zip(f_all, filled)], np.int64)
        sc = np.array([0.0 if fl else score_by_frame[int(f)] for f, fl in zip(f_all, filled)], np.float64)
        return AthleteTrack(f_all, smoothed, raw, filled, det_idx, sc, [t.track_id for t in chain],
                            track_scores)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` where each value counts ``weights`` times."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, q * cum[-1])])

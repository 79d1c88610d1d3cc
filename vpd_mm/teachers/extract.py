"""Per-video teacher extraction: decode, detect, track, select the athlete, estimate poses, write.

Writes, per video, the VPD pose directory of ``CONTRACT_VPD.md`` / REFERENCE.md section 3::

    <pose_root>/<vid>/boxes.json              tracked athlete [[frame, [x, y, w, h]], ...]
    <pose_root>/<vid>/coco_keypoints.json.gz  every frame: all confident detections + the athlete
    <pose_root>/<vid>/meta.json               written LAST: marks the video finished
    <pose_root>/<vid>/skipped.json            instead, for a bad input: {"reason": ...}

Passes over a video: (1) decode + detect (batched over frames, every ``det_interval``-th frame),
(2) track all people, (3) estimate the pose of every confident detection (score >=
``pose_score_thr``, batched over boxes and frames; the upside-down cue of the athlete selector and
``coco_keypoints.json.gz`` need them), (4) select the athlete, gap-fill and smooth its boxes,
(5) estimate the athlete's pose again on its final box where that differs from its detection
(interpolated frames, weak detections without a pose, or IoU < ``refine_iou``). Frames are
decoded once and kept in memory when they fit ``max_cache_mb``.

With given boxes (``boxes_from``, e.g. SynthSport's GT ``pose/`` dir) detection and tracking are
skipped and the pose is estimated on the given athlete box of every frame.
"""
import logging
import os
import os.path as osp
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from tqdm import tqdm

from vpd_mm.tracking import AthleteTrack, iou_matrix, xywh_to_xyxy, xyxy_to_xywh
from vpd_mm.utils.fileio import atomic_write_json, load_json
from vpd_mm.utils.vpd_files import load_boxes, save_boxes, save_coco_keypoints

from .registry import BOX_COLUMNS, KEYPOINT_COLUMNS
from .video import VideoFrames

logger = logging.getLogger(__name__)

META_FILE = 'meta.json'
SKIPPED_FILE = 'skipped.json'
FORMAT_VERSION = 1

Detector = Callable[[Sequence[np.ndarray]], List[np.ndarray]]
_FINDER_WIDTHS = (BOX_COLUMNS, BOX_COLUMNS + KEYPOINT_COLUMNS)
PoseEstimator = Callable[[Sequence[np.ndarray], np.ndarray], np.ndarray]


class SkipVideo(Exception):
    """A video that cannot give valid pose files (no person, boxes that do not fit the video...)."""


@dataclass
class ExtractOptions:
    """Settings of the extraction loop that are not part of a model.

    Attributes:
        det_interval: Detect on every k-th frame only (the tracker and the athlete's gap filling
            bridge the frames in between; keep the selector's ``max_gap >= det_interval``).
        refine_iou: Re-estimate the athlete's pose on its final box where the box's IoU with the
            assigned detection is below this (always on interpolated frames).
        pose_score_thr: Detections scoring at least this get a pose and are written to
            ``coco_keypoints.json.gz``; weaker ones only help the tracker (the athlete always
            gets a pose, on its final box where its detection is weak).
        max_cache_mb: Keep decoded frames in memory up to this size, else decode again per pass.
        default_fps: fps written when the container reports none.
    """
    det_interval: int = 1
    refine_iou: float = 0.9
    pose_score_thr: float = 0.3
    max_cache_mb: float = 2048
    default_fps: float = 25.0


def _pbar(total: Optional[int], desc: str, progress: bool) -> tqdm:
    return tqdm(total=total, desc=desc, unit='frame', leave=False, disable=not progress, dynamic_ncols=True)


def estimate_poses(frames: VideoFrames,
                   jobs: Mapping[int, np.ndarray],
                   pose: PoseEstimator,
                   batch_size: int,
                   desc: str = 'pose',
                   progress: bool = False) -> Dict[int, np.ndarray]:
    """Run the pose model on boxes of many frames, batching boxes across frames.

    Args:
        frames: The video.
        jobs: ``{frame: (n, 4) xyxy boxes}``.
        pose: Pose estimator ``(images, boxes) -> (N, 17, 3)``.
        batch_size: Boxes per call of ``pose``.

    Returns:
        ``{frame: (n, 17, 3)}`` for every frame of ``jobs``.
    """
    wanted = sorted(f for f, b in jobs.items() if len(b))
    out = {f: np.zeros((0, 17, 3), np.float32) for f in jobs}
    imgs: List[np.ndarray] = []
    boxes: List[np.ndarray] = []
    keys: List[Tuple[int, int]] = []

    def flush():
        if not boxes:
            return
        res = pose(imgs, np.stack(boxes))
        for (f, j), kp in zip(keys, res):
            out[f][j] = kp
        imgs.clear()
        boxes.clear()
        keys.clear()

    with _pbar(len(wanted), desc, progress) as bar:
        for f, img in frames.frames(wanted):
            b = np.asarray(jobs[f], np.float32).reshape(-1, 4)
            out[f] = np.zeros((len(b), 17, 3), np.float32)
            for j, box in enumerate(b):
                imgs.append(img)
                boxes.append(box)
                keys.append((f, j))
            if len(boxes) >= batch_size:
                flush()
            bar.update(1)
        flush()
    missing = [f for f in wanted if f >= (frames.num_frames or 0)]
    if missing:
        raise SkipVideo(
            f'{frames.path}: boxes for frames {missing[:5]}... but the video has {frames.num_frames} '
            'frames')
    return out


def _finder_rows(d, frame: int, path: str) -> np.ndarray:
    """One frame's person-finder output as a checked ``(N, 5)`` or ``(N, 56)`` float32 array."""
    d = np.asarray(d, np.float32)
    if d.size == 0:
        return np.zeros((0, d.shape[-1] if d.ndim == 2 and d.shape[-1] in _FINDER_WIDTHS else 5), np.float32)
    if d.ndim != 2 or d.shape[1] not in _FINDER_WIDTHS:
        raise ValueError(f'{path} frame {frame}: the person finder returned an array of shape {d.shape}; '
                         f'expected (N, 5) boxes + scores or (N, 56) with 17 keypoints (x, y, score)')
    bad = ~np.isfinite(d[:, :BOX_COLUMNS]).all(1)
    if bad.any():
        logger.warning('%s frame %d: dropped %d person boxes with NaN/inf coordinates', path, frame, int(bad.sum()))
        d = d[~bad]
    if d.shape[1] > BOX_COLUMNS:  # non-finite keypoints are unknown joints: score 0
        kp = d[:, BOX_COLUMNS:].reshape(-1, 17, 3)
        unknown = ~np.isfinite(kp).all(2)
        kp[unknown] = 0.0
        d[:, BOX_COLUMNS:] = kp.reshape(len(d), -1)
    return d


def _detect(frames: VideoFrames, detector: Optional[Detector], batch_size: int, interval: int, progress: bool,
            vid: str) -> Dict[int, np.ndarray]:
    """Pass 1: decode every frame (fills the cache), detect on every ``interval``-th frame.

    Returns:
        ``{frame: (N, 5) or (N, 56)}``: the finder's rows (with keypoints when it gives them).
    """
    dets: Dict[int, np.ndarray] = {}
    imgs, idxs = [], []

    def flush():
        if imgs:
            for i, d in zip(idxs, detector(imgs)):
                dets[i] = _finder_rows(d, i, frames.path)
            imgs.clear()
            idxs.clear()

    total = frames.info.num_frames or None
    with _pbar(total, f'{vid} decode+detect' if detector else f'{vid} decode', progress) as bar:
        for i, img in frames:
            if detector is not None and i % interval == 0:
                imgs.append(img)
                idxs.append(i)
                if len(imgs) >= batch_size:
                    flush()
            bar.update(1)
        if detector is not None:
            flush()
    return dets


def _given_boxes(boxes_dir: str, vid: str, num_frames: int, video: str) -> Dict[int, np.ndarray]:
    d = osp.join(boxes_dir, vid)
    path = osp.join(d, 'boxes.json')
    if not osp.isfile(path):
        raise SkipVideo(f'{path}: no given boxes for video {vid}')
    try:
        boxes = load_boxes(path)
    except ValueError as e:  # malformed file: the message names it
        raise SkipVideo(str(e)) from e
    if not boxes:
        raise SkipVideo(f'{path}: holds no boxes')
    meta_path = osp.join(d, META_FILE)
    if osp.isfile(meta_path):
        given_n = load_json(meta_path).get('num_frames')
        if given_n is not None and int(given_n) != num_frames:
            raise SkipVideo(
                f'frame-count mismatch: {video} decodes to {num_frames} frames but {meta_path} says '
                f'{int(given_n)}')
    last = max(boxes)
    if last >= num_frames or min(boxes) < 0:
        raise SkipVideo(f'frame-count mismatch: {path} has boxes up to frame {last} but {video} decodes to '
                        f'{num_frames} frames')
    bad = [f for f, b in boxes.items() if b[2] <= 0 or b[3] <= 0]
    if bad:
        raise SkipVideo(f'{path}: empty boxes (w or h <= 0) at frames {bad[:5]}')
    return boxes


def extract_video(vid: str,
                  video_path: str,
                  pose_root: str,
                  pose: PoseEstimator,
                  pose_batch_size: int = 32,
                  detector: Optional[Detector] = None,
                  det_batch_size: int = 8,
                  tracker: Optional[Callable] = None,
                  selector: Optional[Callable] = None,
                  boxes_from: Optional[str] = None,
                  options: Optional[ExtractOptions] = None,
                  extra_meta: Optional[dict] = None,
                  progress: bool = False) -> dict:
    """Extract the VPD pose files of one video.

    Args:
        vid: Video id (output folder name).
        video_path: The video.
        pose_root: Output ``pose`` folder; writes ``<pose_root>/<vid>/``.
        pose: Pose estimator ``(images, xyxy boxes) -> (N, 17, 3)``
            (e.g. :class:`~vpd_mm.teachers.BatchedPoseEstimator`).
        pose_batch_size: Boxes per pose call.
        detector: Person finder ``(images) -> [(N, 5) xyxy+score or (N, 56) with keypoints]`` (a
            ``PERSON_FINDERS`` component, e.g. :class:`~vpd_mm.teachers.BatchedDetector`); where it
            gives keypoints they are the detections' poses (``pose`` then only re-estimates the
            athlete's final box where it differs); not needed with ``boxes_from``.
        det_batch_size: Frames per detector call.
        tracker: ``tracker([(frame, dets)]) -> tracks`` (a registered tracker).
        selector: ``selector(tracks, (w, h), poses) -> AthleteTrack`` (a registered selector).
        boxes_from: Folder of given per-video ``<vid>/boxes.json`` (skips detection/tracking).
        options: Loop settings.
        extra_meta: Extra items for ``meta.json`` (e.g. the teacher models used).
        progress: Show per-pass progress bars.

    Returns:
        The ``meta.json`` contents.

    Raises:
        VideoDecodeError: The video cannot be decoded.
        SkipVideo: No usable person / boxes that do not fit the video.
    """
    opts = options or ExtractOptions()
    out_dir = osp.join(pose_root, vid)
    for name in (META_FILE, SKIPPED_FILE):  # redoing a video: it is unfinished until meta.json is back
        if osp.isfile(osp.join(out_dir, name)):
            os.remove(osp.join(out_dir, name))
    if boxes_from is None and (detector is None or tracker is None or selector is None):
        raise ValueError('extract_video needs a detector, a tracker and an athlete selector, or boxes_from')

    frames = VideoFrames(video_path, opts.max_cache_mb)
    W, H = frames.info.width, frames.info.height
    dets = _detect(frames, None if boxes_from else detector, det_batch_size, max(1, opts.det_interval),
                   progress, vid)
    n = int(frames.num_frames)
    meta = dict(fps=frames.info.fps or opts.default_fps, num_frames=n, width=W, height=H)
    if not frames.info.fps:
        meta['fps_unknown'] = True
        logger.warning('%s: container reports no fps, writing %.1f', video_path, opts.default_fps)
    if frames.info.num_frames and frames.info.num_frames != n:
        logger.warning('%s: container reports %d frames but %d decode (truncated or corrupt tail?)',
                       video_path, frames.info.num_frames, n)
    meta.update(
        video=osp.abspath(video_path), reported_frames=int(frames.info.num_frames), version=FORMAT_VERSION)

    if boxes_from is not None:
        given = _given_boxes(boxes_from, vid, n, video_path)
        jobs = {f: xywh_to_xyxy(b)[None] for f, b in given.items()}
        kps = estimate_poses(frames, jobs, pose, pose_batch_size, f'{vid} pose', progress)
        people = {f: [] for f in range(n)}
        for f, b in given.items():
            people[f] = [(1.0, b.tolist(), kps[f][0])]
        boxes_out = sorted((f, b.tolist()) for f, b in given.items())
        meta.update(source='boxes', boxes_from=osp.abspath(boxes_from), athlete_frames=len(given))
    else:
        boxes_out, people = _detect_track_pose(vid, frames, dets, pose, pose_batch_size, tracker, selector,
                                               opts, meta, progress)
    meta.update(extra_meta or {})
    save_boxes(osp.join(out_dir, 'boxes.json'), boxes_out)
    save_coco_keypoints(osp.join(out_dir, 'coco_keypoints.json.gz'), [(f, people[f]) for f in range(n)])
    atomic_write_json(osp.join(out_dir, META_FILE), meta, indent=1)
    return meta


def _detect_track_pose(vid, frames, rows, pose, pose_batch_size, tracker, selector, opts, meta, progress):
    n, W, H = meta['num_frames'], meta['width'], meta['height']
    dets = {f: d[:, :BOX_COLUMNS] for f, d in rows.items()}
    # keypoints the person finder gave with its boxes (BlazePose, YOLO-pose): no top-down pass for them
    given_kps = {f: d[:, BOX_COLUMNS:].reshape(-1, 17, 3) for f, d in rows.items() if d.shape[1] > BOX_COLUMNS}
    num_dets = sum(len(d) for d in dets.values())
    if num_dets == 0:
        raise SkipVideo(f'{frames.path}: no person detected in any of {len(dets)} processed frames')
    tracks = tracker([(f, dets[f]) for f in sorted(dets)])
    # poses of the confident detections (rows of the others stay zero: unknown)
    posed = {f: d[:, 4] >= opts.pose_score_thr for f, d in dets.items()}
    est = estimate_poses(frames, {
        f: d[posed[f], :4]
        for f, d in dets.items() if f not in given_kps
    }, pose, pose_batch_size, f'{vid} pose', progress)
    det_poses = {}
    for f, d in dets.items():
        det_poses[f] = np.zeros((len(d), 17, 3), np.float32)
        det_poses[f][posed[f]] = given_kps[f][posed[f]] if f in given_kps else est[f]
    athlete: AthleteTrack = selector(tracks, (W, H), det_poses)
    if len(athlete) == 0:
        raise SkipVideo(f'{frames.path}: {num_dets} detections but no person tracked long enough to be the '
                        f'athlete ({len(tracks)} tracks)')
    keep = (athlete.frames >= 0) & (athlete.frames < n)
    a_frames, a_boxes = athlete.frames[keep], athlete.boxes[keep]
    a_dets, a_filled, a_scores = athlete.det_indices[keep], athlete.filled[keep], athlete.scores[keep]
    refine = {}
    for f, box, d, filled in zip(a_frames.tolist(), a_boxes, a_dets.tolist(), a_filled):
        if filled or not posed[f][d] or iou_matrix(box, dets[f][d, :4])[0, 0] < opts.refine_iou:
            refine[f] = box[None]
    refined = estimate_poses(frames, refine, pose, pose_batch_size, f'{vid} athlete',
                             progress) if refine else {}

    people = {f: [] for f in range(n)}
    row_of = {}  # (frame, detection index) -> row in people[frame]
    for f, d in dets.items():
        for j in np.flatnonzero(posed[f]).tolist():
            row_of[(f, j)] = len(people[f])
            people[f].append((float(d[j, 4]), xyxy_to_xywh(d[j, :4]).tolist(), det_poses[f][j]))
    for f, box, d, s in zip(a_frames.tolist(), a_boxes, a_dets.tolist(), a_scores.tolist()):
        if f not in refined:
            continue
        entry = (float(s), xyxy_to_xywh(box).tolist(), refined[f][0])
        if (f, d) in row_of:
            people[f][row_of[(f, d)]] = entry
        else:
            people[f].append(entry)
    boxes_out = [(int(f), xyxy_to_xywh(b).tolist()) for f, b in zip(a_frames, a_boxes)]
    meta.update(
        source='detector',
        det_frames=len(dets),
        detections=num_dets,
        posed_detections=int(sum(p.sum() for p in posed.values())),
        tracks=len(tracks),
        athlete_tracks=[int(t) for t in athlete.track_ids],
        athlete_frames=int(keep.sum()),
        filled_frames=int(a_filled.sum()),
        refined_frames=len(refined),
        det_interval=opts.det_interval)
    return boxes_out, people

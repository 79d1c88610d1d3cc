"""Per-video extraction of athlete crops, previous-frame crops and quantised flow.

``extract_video_crops`` streams one video (bounded memory: a ring of ``prev_step + 1`` decoded
frames, a small batch of pending crop pairs, and memory-mapped / per-frame output files) and writes
one store directory (:mod:`vpd_mm.crops.store`). ``extract_crops`` runs it over many videos with
resume, a process pool and per-video skips: any problem with one video's input ends in
``<CROP_ROOT>/<vid>/skipped.json`` ``{"reason": ...}`` and a logged warning, never in a crash of
the batch nor in a partial store (``meta.json`` is written last and only on success).
"""
import collections
import logging
import math
import multiprocessing
import os
import os.path as osp
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import numpy as np
from tqdm import tqdm

from vpd_mm.utils.fileio import atomic_write_json, load_json
from vpd_mm.utils.threads import use_one_thread

from .flow import BaseFlowBackend, build_flow_backend
from .geometry import check_box, crop_square
from .quantize import FLOW_CLIP, quantize_flow
from .store import META_FILE, SKIPPED_FILE, STORE_FORMATS, clear_video_dir, make_writer
from .video import VIDEO_EXTENSIONS, VideoReadError, VideoStream

logger = logging.getLogger('vpd_mm.crops')

STORE_VERSION = 1
TARGET_FPS = 25.0


class CropInputError(ValueError):
    """A video's inputs cannot give a correct store; the message names the file and the problem."""


@dataclass
class CropConfig:
    """Settings of one extraction run (recorded in every ``meta.json``).

    Args:
        crop_size: Side S of the square crops.
        pad_frac: Padding per side as a fraction of the box's longer side.
        min_pad: Minimum padding per side in pixels.
        flow: Flow backend config (``dict(type='DISFlow', ...)``, see :mod:`vpd_mm.crops.flow`).
        save_prev: Also store the previous-frame crop.
        fmt: Store layout, ``'npy'`` (packed arrays) or ``'png'`` (paper's PNG per frame).
        target_fps: Frame rate at which "t-1" is taken (``prev_step = round(fps / target_fps)``).
        batch_size: Crop pairs per flow-backend call and quantisation (default: the backend's
            preferred size, at least 16).
    """
    crop_size: int = 128
    pad_frac: float = 0.1
    min_pad: float = 25
    flow: dict = field(default_factory=lambda: dict(type='DISFlow'))
    save_prev: bool = False
    fmt: str = 'npy'
    target_fps: float = TARGET_FPS
    batch_size: Optional[int] = None

    def __post_init__(self) -> None:
        if self.fmt not in STORE_FORMATS:
            raise ValueError(f'format must be one of {STORE_FORMATS}, got {self.fmt!r}')
        if int(self.crop_size) < 8:
            raise ValueError(f'crop_size must be >= 8, got {self.crop_size}')


def prev_step_for_fps(fps: float, target_fps: float = TARGET_FPS) -> int:
    """Frames between t-1 and t so that t-1 is taken at ``target_fps`` (at least 1)."""
    return max(1, int(round(fps / target_fps)))


def load_video_boxes(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Read and validate a ``boxes.json``.

    Returns:
        ``(frames (N,) int64 ascending, boxes (N, 4) float64)``.

    Raises:
        CropInputError: missing / unreadable file, malformed rows, negative or duplicate frame
            numbers, or degenerate boxes (NaN / inf, ``w <= 0`` or ``h <= 0``); the message names
            the file, the problem and the first offending frames.
    """
    try:
        data = load_json(path)
    except (FileNotFoundError, ValueError) as e:
        raise CropInputError(f'boxes file: {e}') from e
    if not isinstance(data, list):
        raise CropInputError(
            f'{path}: boxes.json must be a list of [frame, [x, y, w, h]], got {type(data).__name__}')
    frames, boxes, bad = [], [], []
    for i, row in enumerate(data):
        try:
            frame, box = row
            if isinstance(frame, bool) or not float(frame).is_integer():
                raise ValueError(f'frame number must be an integer, got {frame!r}')
            frame = int(frame)
            if frame < 0:
                raise ValueError(f'negative frame number {frame}')
            box = np.asarray([np.nan if v is None else v for v in box], dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise CropInputError(f'{path}: row {i} is not [frame, [x, y, w, h]]: {e}') from e
        try:
            check_box(box)
        except ValueError as e:
            bad.append(f'frame {frame}: {e}')
        frames.append(frame)
        boxes.append(box)
    if bad:
        raise CropInputError(f'{path}: {len(bad)} degenerate box(es), e.g. ' + '; '.join(bad[:3]))
    frames = np.asarray(frames, dtype=np.int64)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    order = np.argsort(frames, kind='stable')
    frames, boxes = frames[order], boxes[order]
    dup = frames[1:][np.diff(frames) == 0]
    if len(dup):
        raise CropInputError(f'{path}: duplicate frame numbers, e.g. {dup[:5].tolist()}')
    return frames, boxes


class _Timer:

    def __init__(self) -> None:
        self.seconds: Dict[str, float] = collections.defaultdict(float)

    def add(self, name: str, start: float) -> float:
        now = time.perf_counter()
        self.seconds[name] += now - start
        return now


def extract_video_crops(video_path: str,
                        boxes_path: str,
                        video_dir: str,
                        cfg: CropConfig,
                        flow_backend: Optional[BaseFlowBackend] = None,
                        pose_meta_path: Optional[str] = None,
                        progress: bool = True) -> dict:
    """Write the crop store of one video.

    Args:
        video_path: The video file.
        boxes_path: Its ``boxes.json`` (tracked athlete). Frames without a box get no row.
        video_dir: Output directory ``<CROP_ROOT>/<vid>``; previous contents are replaced.
        cfg: Extraction settings.
        flow_backend: Built backend (built from ``cfg.flow`` if None).
        pose_meta_path: The pose directory's ``meta.json`` (optional): its ``num_frames`` must match
            the decoded video and its ``fps`` is preferred over the container's.
        progress: Show a per-frame progress bar.

    Returns:
        The ``meta.json`` dict written.

    Raises:
        CropInputError / VideoReadError: bad input; ``video_dir`` is left without store files.
    """
    clear_video_dir(video_dir)
    frames, boxes = load_video_boxes(boxes_path)
    if len(frames) == 0:
        raise CropInputError(f'{boxes_path}: no boxes (the athlete was never found)')
    pose_meta = _load_pose_meta(pose_meta_path)
    flow_backend = flow_backend if flow_backend is not None else build_flow_backend(cfg.flow)

    expected = pose_meta.get('num_frames')
    if expected is not None and frames[-1] >= expected:
        raise CropInputError(f'{boxes_path}: frame-count mismatch: boxes up to frame {int(frames[-1])} but '
                             f'{pose_meta_path} says the video has {expected} frames')
    with VideoStream(video_path) as stream:
        fps, fps_source = _choose_fps(stream, pose_meta, video_path)
        prev_step = prev_step_for_fps(fps, cfg.target_fps)
        writer = make_writer(cfg.fmt, video_dir, len(frames), cfg.crop_size, cfg.save_prev)
        try:
            decoded, no_prev, timer = _crop_and_flow(stream, frames, boxes, prev_step, cfg, flow_backend,
                                                     writer, progress, osp.basename(video_dir))
            if decoded == 0:
                raise CropInputError(f'{video_path}: no decodable frames (corrupt or empty video)')
            beyond = int((frames >= decoded).sum())
            if beyond:
                raise CropInputError(f'{boxes_path}: frame-count mismatch: {beyond} box(es) for frames '
                                     f'{decoded}..{int(frames[-1])} beyond the {decoded} decodable frames of '
                                     f'{video_path}')
            if expected is not None and decoded != expected:
                raise CropInputError(f'{video_path}: frame-count mismatch: decoded {decoded} frames but '
                                     f'{pose_meta_path} says {expected}')
            start = time.perf_counter()
            writer.commit()
            timer.add('write', start)
        except BaseException:
            writer.abort()
            raise
        if stream.frame_count is not None and stream.frame_count != decoded:
            logger.warning('%s: container says %d frames, %d decoded', video_path, stream.frame_count,
                           decoded)
        meta = dict(
            crop_size=int(cfg.crop_size),
            pad_frac=float(cfg.pad_frac),
            min_pad=float(cfg.min_pad),
            flow=getattr(flow_backend, 'short_name', type(flow_backend).__name__),
            flow_cfg=flow_backend.config(),
            prev_step=prev_step,
            target_fps=float(cfg.target_fps),
            fps=fps,
            fps_source=fps_source,
            num_frames=int(decoded),
            container_frame_count=stream.frame_count,
            width=stream.width,
            height=stream.height,
            num_rows=int(len(frames)),
            no_prev_frames=no_prev,
            has_prev=bool(cfg.save_prev),
            format=cfg.fmt,
            flow_quantization=dict(
                clip=FLOW_CLIP, median_subtracted=True, rounding='nearest', dequantize='q * 41 / 255 - 20'),
            boxes_file=osp.abspath(boxes_path),
            video_file=osp.abspath(video_path),
            timings_s={k: round(v, 3) for k, v in timer.seconds.items()},
            version=STORE_VERSION,
        )
    atomic_write_json(osp.join(video_dir, META_FILE), meta, indent=1)
    return meta


def _load_pose_meta(path: Optional[str]) -> dict:
    if not path or not osp.isfile(path):
        return {}
    try:
        meta = load_json(path)
    except ValueError as e:
        raise CropInputError(f'pose meta: {e}') from e
    if not isinstance(meta, dict):
        raise CropInputError(f'{path}: pose meta.json must be an object')
    out = {}
    if meta.get('num_frames') is not None:
        try:
            out['num_frames'] = int(meta['num_frames'])
        except (TypeError, ValueError) as e:
            raise CropInputError(f'{path}: num_frames is not an integer: {meta["num_frames"]!r}') from e
    fps = meta.get('fps')
    if isinstance(fps, (int, float)) and math.isfinite(fps) and fps > 0:
        out['fps'] = float(fps)
    return out


def _choose_fps(stream: VideoStream, pose_meta: dict, video_path: str) -> Tuple[float, str]:
    if 'fps' in pose_meta:
        return pose_meta['fps'], 'pose_meta'
    if stream.fps is not None:
        return stream.fps, 'container'
    logger.warning('%s: no usable frame rate in the container or pose meta.json; assuming %g fps', video_path,
                   TARGET_FPS)
    return TARGET_FPS, 'assumed'


def _crop_and_flow(stream: VideoStream, frames: np.ndarray, boxes: np.ndarray, prev_step: int,
                   cfg: CropConfig, backend: BaseFlowBackend, writer, progress: bool,
                   desc: str) -> Tuple[int, List[int], _Timer]:
    """Decode, crop, compute flow and write rows; returns (decoded frames, no-prev frames, timer)."""
    timer = _Timer()
    batch_size = cfg.batch_size or max(16, getattr(backend, 'preferred_batch_size', 1))
    ring = collections.deque(maxlen=prev_step + 1)
    pending: List[tuple] = []  # (row, frame, cur_rgb, prev_rgb, has_prev)
    no_prev: List[int] = []
    row, decoded = 0, 0

    def flush() -> None:
        start = time.perf_counter()
        idx = [i for i, p in enumerate(pending) if p[4]]
        flows = np.zeros((len(pending), cfg.crop_size, cfg.crop_size, 2), np.float32)
        if idx:
            flows[idx] = backend.batch(
                np.stack([pending[i][3] for i in idx]), np.stack([pending[i][2] for i in idx]))
        q = quantize_flow(flows)
        start = timer.add('flow', start)
        for (r, f, cur, prev, _), fq in zip(pending, q):
            writer.write(r, f, cur, fq, prev)
        timer.add('write', start)
        pending.clear()

    bar = tqdm(total=len(frames), desc=desc, unit='fr', leave=False, disable=not progress, dynamic_ncols=True)
    it = iter(stream)
    start = time.perf_counter()
    for index, bgr in it:
        start = timer.add('decode', start)
        decoded = index + 1
        ring.append(bgr)
        if row < len(frames) and frames[row] == index:
            box = boxes[row]
            cur = np.ascontiguousarray(
                crop_square(bgr, box, cfg.crop_size, cfg.pad_frac, cfg.min_pad)[..., ::-1])
            has_prev = index >= prev_step
            if has_prev:
                prev = np.ascontiguousarray(
                    crop_square(ring[0], box, cfg.crop_size, cfg.pad_frac, cfg.min_pad)[..., ::-1])
            else:
                prev = cur
                no_prev.append(int(index))
            pending.append((row, int(index), cur, prev, has_prev))
            row += 1
            start = timer.add('crop', start)
            if len(pending) >= batch_size:
                flush()
            bar.update(1)
            start = time.perf_counter()
    timer.add('decode', start)
    if pending:
        flush()
    bar.close()
    return decoded, no_prev, timer


# ------------------------------------------------------------------------------------------------
# Many videos
# ------------------------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(flow_cfg: dict) -> None:
    use_one_thread(environ=False, numba=False)
    _WORKER['backend'] = build_flow_backend(flow_cfg)


def _run_task(task: dict) -> Tuple[str, dict]:
    """Extract one video; any failure becomes a ``skipped.json`` (never raises except on interrupt)."""
    vid, video_dir = task['vid'], task['video_dir']
    try:
        backend = task.get('backend') or _WORKER.get('backend')
        start = time.perf_counter()
        meta = extract_video_crops(
            task['video'],
            task['boxes'],
            video_dir,
            task['cfg'],
            backend,
            task['pose_meta'],
            progress=task['progress'])
        return vid, dict(status='done', frames=meta['num_rows'], seconds=time.perf_counter() - start)
    except (CropInputError, VideoReadError) as e:
        reason = str(e)
    except Exception as e:  # noqa: BLE001 - a bug or an unforeseen input must not stop the batch
        reason = f'unexpected error: {type(e).__name__}: {e}'
        logger.error('%s: %s\n%s', vid, reason, traceback.format_exc())
    try:
        _write_skip(task, reason)
    except OSError as e:  # pragma: no cover - disk full etc.
        reason += f' (and {SKIPPED_FILE} could not be written: {e})'
    return vid, dict(status='skipped', reason=reason)


def extract_crops(videos: Mapping[str, str],
                  pose_root: str,
                  crop_root: str,
                  cfg: CropConfig,
                  workers: int = 1,
                  resume: bool = False,
                  progress: bool = True) -> Dict[str, dict]:
    """Extract the crop stores of many videos.

    Args:
        videos: ``{vid: video_path}``; boxes are read from ``<pose_root>/<vid>/boxes.json``.
        pose_root: Directory of VPD pose directories (``<vid>/boxes.json`` [, ``meta.json``]).
        crop_root: Output root; each video gets ``<crop_root>/<vid>/``.
        cfg: Extraction settings.
        workers: Processes (a pool over videos) when > 1.
        resume: Skip videos whose ``<crop_root>/<vid>/meta.json`` exists (others, including
            previously skipped ones, are redone).
        progress: Show progress bars.

    Returns:
        ``{vid: {'status': 'done' | 'resumed' | 'skipped', ...}}``; skips carry a ``reason``.
    """
    backend = build_flow_backend(cfg.flow)  # fail fast on a bad flow config (e.g. missing RAFT weights)
    cfg = CropConfig(**{**asdict(cfg), 'flow': backend.config()})
    results: Dict[str, dict] = {}
    tasks = []
    for vid, path in sorted(videos.items()):
        video_dir = osp.join(crop_root, vid)
        if resume and osp.isfile(osp.join(video_dir, META_FILE)):
            results[vid] = dict(status='resumed')
            continue
        pose_dir = osp.join(pose_root, vid)
        tasks.append(
            dict(
                vid=vid,
                video=path,
                boxes=osp.join(pose_dir, 'boxes.json'),
                video_dir=video_dir,
                pose_meta=osp.join(pose_dir, 'meta.json'),
                cfg=cfg,
                progress=progress and workers <= 1))
        pose_skip = osp.join(pose_dir, SKIPPED_FILE)
        if not osp.isfile(tasks[-1]['boxes']) and osp.isfile(pose_skip):
            reason = f'{pose_skip}: pose extraction skipped this video'
            try:
                reason += f' ({load_json(pose_skip).get("reason")})'
            except (ValueError, AttributeError):
                pass
            tasks[-1]['boxes_reason'] = reason
    if results:
        logger.info('resume: %d finished video(s) skipped', len(results))
    bar = tqdm(total=len(tasks), desc='videos', unit='video', disable=not progress, dynamic_ncols=True)

    def record(vid: str, res: dict) -> None:
        results[vid] = res
        if res['status'] == 'skipped':
            logger.warning('%s: skipped: %s', vid, res['reason'])
        bar.update(1)

    for task in [t for t in tasks if 'boxes_reason' in t]:
        _write_skip(task, task['boxes_reason'])
        record(task['vid'], dict(status='skipped', reason=task['boxes_reason']))
    tasks = [t for t in tasks if 'boxes_reason' not in t]
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            record(*_run_task(dict(task, backend=backend)))
    else:
        # Not 'fork': a child forked from this process deadlocks in OpenCV's (and torch's) thread
        # pools once they have been used here. The fork server is a fresh process that imports this
        # module once (a few seconds) and forks the workers before any pool exists.
        ctx = multiprocessing.get_context('forkserver')
        ctx.set_forkserver_preload([__name__])
        pool = ctx.Pool(min(workers, len(tasks)), initializer=_init_worker, initargs=(cfg.flow, ))
        try:
            for vid, res in pool.imap_unordered(_run_task, tasks):
                record(vid, res)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    bar.close()
    return dict(sorted(results.items()))


INDEX_FILE = 'index.json'


def write_crop_index(crop_root: str, videos: Mapping[str, str]) -> dict:
    """Write ``<crop_root>/index.json``: the state of every video's store, read from the disk.

    Written once all videos are processed (by rank 0 after a barrier in a distributed run), so it is
    the same for one process, N processes and a resumed job: ``{"videos": {vid: {"status": "done",
    "num_rows", "num_frames"} | {"status": "skipped", "reason"} | {"status": "missing"}}, "counts": ...}``.

    Args:
        crop_root: The crop root.
        videos: ``{vid: video_path}`` of the run.

    Returns:
        The index written.
    """
    entries = {}
    for vid in sorted(videos):
        video_dir = osp.join(crop_root, vid)
        meta_path, skip_path = osp.join(video_dir, META_FILE), osp.join(video_dir, SKIPPED_FILE)
        if osp.isfile(meta_path):
            meta = load_json(meta_path)
            entries[vid] = dict(status='done', num_rows=meta['num_rows'], num_frames=meta['num_frames'])
        elif osp.isfile(skip_path):
            entries[vid] = dict(status='skipped', reason=load_json(skip_path).get('reason'))
        else:
            entries[vid] = dict(status='missing')
    counts = {s: sum(e['status'] == s for e in entries.values()) for s in ('done', 'skipped', 'missing')}
    index = dict(videos=entries, counts=counts)
    atomic_write_json(osp.join(crop_root, INDEX_FILE), index, indent=1)
    return index


def _write_skip(task: dict, reason: str) -> None:
    clear_video_dir(task['video_dir'])
    atomic_write_json(
        osp.join(task['video_dir'], SKIPPED_FILE),
        dict(reason=reason, video=osp.abspath(task['video']), boxes_file=osp.abspath(task['boxes'])),
        indent=1)


def find_videos(spec: str) -> Dict[str, str]:
    """``{vid: path}`` from a video file, a directory of videos, or a ``.txt`` list (one path a line,
    relative paths are taken from the list's directory, ``#`` starts a comment line).

    The video id is the file name without extension (it names the pose and crop directories).
    """
    if osp.isdir(spec):
        paths = [osp.join(spec, n) for n in sorted(os.listdir(spec)) if n.lower().endswith(VIDEO_EXTENSIONS)]
    elif spec.endswith('.txt'):
        if not osp.isfile(spec):
            raise FileNotFoundError(f'{spec}: video list not found')
        base = osp.dirname(osp.abspath(spec))
        with open(spec, encoding='utf-8') as f:
            paths = [ln.strip() for ln in f if ln.strip() and not ln.lstrip().startswith('#')]
        paths = [p if osp.isabs(p) else osp.join(base, p) for p in paths]
    elif osp.isfile(spec):
        paths = [spec]
    else:
        raise FileNotFoundError(f'{spec}: no such video file, directory or .txt list')
    out: Dict[str, str] = {}
    for p in paths:
        vid = osp.splitext(osp.basename(p))[0]
        if vid in out:
            raise ValueError(f'{spec}: two videos share the id {vid!r}: {out[vid]} and {p}')
        out[vid] = p
    if not out:
        raise ValueError(f'{spec}: no videos found (extensions {", ".join(VIDEO_EXTENSIONS)})')
    return out

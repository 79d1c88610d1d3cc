"""Teacher extraction over many videos: resume, skips of bad inputs, worker processes, PoseDataset
pickles.

Output layout of ``out_root``::

    pose/<vid>/{boxes.json, coco_keypoints.json.gz, meta.json | skipped.json}
    mmaction/pose_videos.pkl          PoseDataset, one entry per video (frame_dir = vid)
    mmaction/stgcn_teacher2d.pkl      PoseDataset per element (with SynthSport annotations)
    extract_settings.json             models and settings; a resume with other settings is refused
    .extract.lock                     pid of the run writing the folder (a second run is refused)
    extract_summary.json              finished / skipped / failed videos of the last run

With ``workers > 1`` the videos are shared among worker processes (``forkserver``), each with its
own models (built once, one torch thread); every video is still written by one process, atomically
and exactly as a single-process run writes it. The lock, the settings, the summary and the
pickles stay with the calling process.
"""
import contextlib
import inspect
import json
import logging
import multiprocessing
import os
import os.path as osp
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from tqdm import tqdm

from mmengine.dist import get_dist_info

from vpd_mm.utils.dist import gather_results, shard
from vpd_mm.utils.fileio import atomic_write_json, load_json
from vpd_mm.utils.threads import use_one_thread

from .extract import META_FILE, SKIPPED_FILE, ExtractOptions, SkipVideo
from .pose_dataset import write_pose_datasets
from .pose_teacher import build_pose_teacher, load_teacher_config, teacher_settings
from .registry import PERSON_FINDERS, POSE_ESTIMATORS
from .video import VideoDecodeError

logger = logging.getLogger(__name__)

SETTINGS_FILE = 'extract_settings.json'
LOCK_FILE = '.extract.lock'
SUMMARY_FILE = 'extract_summary.json'


@contextlib.contextmanager
def output_lock(out_root: str, name: str = LOCK_FILE) -> Iterator[None]:
    """Hold ``out_root/<name>`` (this process's id) so two runs never write one folder (in a distributed
    run each rank holds its own lock, ``.extract.lock.rank<r>`` beyond rank 0).

    Raises:
        RuntimeError: Another live process on this machine holds the lock.
    """
    path = osp.join(out_root, name)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            try:
                with open(path) as f:
                    pid = int(f.read().strip() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and pid != os.getpid() and _alive(pid):
                raise RuntimeError(
                    f'{out_root} is being written by another extraction (pid {pid}, lock {path}); '
                    'wait for it or use another output folder')
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)  # stale lock of a killed run
    else:
        raise RuntimeError(f'{path}: cannot take the output lock')
    with os.fdopen(fd, 'w') as f:
        f.write(str(os.getpid()))
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_settings(out_root: str, settings: dict, resume: bool) -> None:
    path = osp.join(out_root, SETTINGS_FILE)
    if resume and osp.isfile(path):
        old = load_json(path)
        diff = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
        if diff:
            raise ValueError(
                f'{path}: --resume with other settings than the finished videos used ({", ".join(diff)}'
                f'); use another output folder or --overwrite')
    atomic_write_json(path, settings, indent=1)


# ------------------------------------------------------------------------------------------------
# One video, in whichever process runs it
# ------------------------------------------------------------------------------------------------


class VideoResult(NamedTuple):
    """Outcome of one video: ``status`` is ``'done'``, ``'skipped'`` (bad input, ``skipped.json``
    written) or ``'failed'`` (unexpected error, retried by the next resume); ``message`` is the
    reason or error, ``details`` a traceback of a failure."""
    status: str
    message: str = ''
    details: str = ''


@dataclass
class _RunSpec:
    """Everything a process needs to extract videos (picklable: each worker gets a copy).

    ``cwd`` is the caller's working directory: a worker works from it, so relative paths (videos,
    configs) resolve, and read in messages, exactly as in the calling process.
    """
    cwd: str
    pose_root: str
    teacher: dict
    device: str
    boxes_from: Optional[str]
    extra_meta: dict = field(default_factory=dict)


class _VideoExtractor:
    """The teacher of one process (built once), applied to one video at a time."""

    def __init__(self, spec: _RunSpec):
        self.spec = spec
        self.teacher = build_pose_teacher(spec.teacher, spec.device, with_person_finder=spec.boxes_from is None)

    def __call__(self, vid: str, path: str, progress: bool = False) -> VideoResult:
        """Extract one video; a bad input gets ``skipped.json``, nothing but an interrupt raises."""
        spec = self.spec
        try:
            self.teacher.extract_video(vid, path, spec.pose_root, spec.boxes_from, spec.extra_meta, progress)
        except (VideoDecodeError, SkipVideo) as e:
            _write_skip(spec.pose_root, vid, path, str(e))
            return VideoResult('skipped', str(e))
        except Exception as e:  # noqa: BLE001 - one broken video must not stop the batch
            return VideoResult('failed', f'{type(e).__name__}: {e}', traceback.format_exc())
        return VideoResult('done')


def _write_skip(pose_root: str, vid: str, path: str, reason: str) -> None:
    """``skipped.json`` for a bad video, without stale pose files of an earlier run."""
    for name in ('boxes.json', 'coco_keypoints.json.gz'):
        if osp.isfile(osp.join(pose_root, vid, name)):
            os.remove(osp.join(pose_root, vid, name))
    atomic_write_json(osp.join(pose_root, vid, SKIPPED_FILE), dict(reason=reason, video=path))


# ------------------------------------------------------------------------------------------------
# Worker processes
# ------------------------------------------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(spec: _RunSpec, parent_pid: int, abort, log_level: int) -> None:
    """Set up a worker: one thread, the caller's directory, exit with the caller or on ``abort``."""
    use_one_thread(environ=False, numba=False)  # byte-identical to a one-process run with one thread
    os.chdir(spec.cwd)
    logging.basicConfig(level=log_level, format='%(levelname)s %(name)s [worker %(process)d]: %(message)s')
    _WORKER.update(spec=spec, extractor=None)

    def watch() -> None:  # a killed or interrupted caller must not leave workers behind
        while _alive(parent_pid) and not abort.is_set():
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name='watch-parent', daemon=True).start()


def _run_in_worker(vid: str, path: str) -> VideoResult:
    """Extract one video in a worker; its models are built by its first video (an error there
    raises: it would fail every video)."""
    if _WORKER['extractor'] is None:
        _WORKER['extractor'] = _VideoExtractor(_WORKER['spec'])
    return _WORKER['extractor'](vid, path)


def _run_serial(todo: Sequence[Tuple[str, str]], spec: _RunSpec, bar: tqdm, progress: bool,
                record: Callable[[str, VideoResult], None]) -> None:
    """All videos in this process (with per-video progress bars)."""
    extractor = _VideoExtractor(spec)
    for vid, path in todo:
        bar.set_postfix_str(vid)
        record(vid, extractor(vid, path, progress))


def _run_workers(todo: Sequence[Tuple[str, str]], spec: _RunSpec, workers: int,
                 record: Callable[[str, VideoResult], None]) -> None:
    """The videos on ``workers`` processes, at most one queued video per worker.

    A worker that dies (killed, out of memory, a crash in a decoder) fails the videos in progress
    (the next resume retries them) and the rest go on in new workers.
    """
    # Not 'fork' (OpenCV's and torch's thread pools deadlock in a child forked after their use): the
    # fork server imports the stack once, then forks the workers (tools/extract_crops.py does so too)
    ctx = multiprocessing.get_context('forkserver')
    ctx.set_forkserver_preload([__name__] + _preload_modules(spec.teacher))
    queue = list(reversed(todo))
    while queue:
        _run_pool(ctx, queue, spec, workers, record)


def _run_pool(ctx, queue: List[Tuple[str, str]], spec: _RunSpec, workers: int,
              record: Callable[[str, VideoResult], None]) -> None:
    """Feed the videos of ``queue`` (popped from its end) to one pool until all are done or a
    worker dies."""
    abort = ctx.Event()
    pool = ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(spec, os.getpid(), abort, logging.getLogger().getEffectiveLevel()))
    running: Dict[Future, str] = {}
    broken = False
    try:
        while running or (queue and not broken):
            while queue and not broken and len(running) < workers:
                vid, path = queue[-1]
                try:
                    running[pool.submit(_run_in_worker, vid, path)] = vid
                    queue.pop()
                except BrokenProcessPool:  # a worker died since the last result: a new pool takes it
                    broken = True
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=running.get):
                try:
                    res = fut.result()
                except BrokenProcessPool as e:
                    broken = True
                    res = VideoResult('failed', f'worker process died ({e})')
                record(running.pop(fut), res)
    except BaseException:
        abort.set()  # the workers exit at once; their unfinished videos have no meta.json
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------------------------------------
# The batch
# ------------------------------------------------------------------------------------------------


def extract_poses(videos: Sequence[Tuple[str, str]],
                  out_root: str,
                  teacher: Union[str, dict],
                  device: str = 'cpu',
                  boxes_from: Optional[str] = None,
                  resume: bool = False,
                  overwrite: bool = False,
                  retry_skipped: bool = False,
                  annotations: Optional[str] = None,
                  cfg_options: Optional[dict] = None,
                  progress: bool = True,
                  workers: int = 1) -> Optional[dict]:
    """Extract VPD pose files for many videos with one pose teacher and write the PoseDataset pickles.

    Bad inputs (undecodable video, no person, boxes that do not fit the video) get
    ``pose/<vid>/skipped.json`` and a logged warning; an unexpected error in one video is logged
    with its traceback and the batch goes on (that video is retried by the next ``resume``).

    Args:
        videos: ``(vid, path)`` pairs (:func:`~vpd_mm.teachers.video.list_videos`).
        out_root: Output folder (layout in the module docstring).
        teacher: Teacher config (``configs/teachers/blazepose-full_coco17.py``, a dict; see
            :mod:`~vpd_mm.teachers.pose_teacher`).
        device: Torch device of the teacher's models.
        boxes_from: Folder of given ``<vid>/boxes.json`` (no person finder, tracker or selector).
        resume: Skip finished (``meta.json``) and skipped (``skipped.json``) videos.
        overwrite: Redo finished videos.
        retry_skipped: With ``resume``, retry videos that were skipped.
        annotations: SynthSport root for the per-element pickle.
        cfg_options: Teacher config overrides (``{'extract.det_interval': 2}``).
        progress: Show progress bars (with workers: one bar over the videos).
        workers: Processes over videos (each builds its own teacher, one torch thread each); the
            files are the same as with one.

    In a distributed run (``tools/extract_poses.py --launcher pytorch|slurm``, mmengine's process
    group) each rank takes every N-th video of the sorted list (:func:`~vpd_mm.utils.dist.shard`),
    skips its finished ones on ``resume`` and writes each video atomically, as one process does; after
    all ranks are done (a barrier) rank 0 writes the pickles and the summary over all videos.

    Returns:
        Summary ``{finished, skipped: {vid: reason}, failed: {vid: error}, pickles}`` (``None`` on the
        ranks other than 0 of a distributed run).

    Raises:
        FileExistsError: ``out_root`` holds results and neither ``resume`` nor ``overwrite`` is set.
        ValueError: A bad teacher config, or ``resume`` with settings that differ from the recorded ones.
        RuntimeError: Another live extraction holds ``out_root`` (:func:`output_lock`).
    """
    if workers < 1:
        raise ValueError(f'workers must be >= 1, got {workers}')
    rank, world_size = get_dist_info()
    all_videos, videos = list(videos), shard(list(videos)) if world_size > 1 else list(videos)
    teacher = load_teacher_config(teacher, cfg_options)
    if boxes_from is None:
        _check_tracking(teacher)
    pose_root = osp.join(out_root, 'pose')
    recorded = teacher_settings(teacher)
    if boxes_from is not None:  # no finder, tracker or selector runs
        recorded = dict(pose_estimator=recorded['pose_estimator'], extract=recorded['extract'])
    settings = load_json_roundtrip(
        dict(format_version=2, teacher=recorded, boxes_from=osp.abspath(boxes_from) if boxes_from else None))

    done = [v for v, _ in videos if osp.isfile(osp.join(pose_root, v, META_FILE))]
    skipped_before = [v for v, _ in videos if osp.isfile(osp.join(pose_root, v, SKIPPED_FILE))]
    if (done or skipped_before) and not (resume or overwrite):
        raise FileExistsError(
            f'{out_root} already holds results for {len(done) + len(skipped_before)} of these '
            'videos; pass --resume to keep them or --overwrite to redo them')
    os.makedirs(out_root, exist_ok=True)
    with output_lock(out_root, LOCK_FILE if rank == 0 else f'{LOCK_FILE}.rank{rank}'):
        _check_settings(out_root, settings, resume and not overwrite)

        if overwrite or not resume:
            todo = list(videos)
        else:
            skip = set(done) | (set() if retry_skipped else set(skipped_before))
            todo = [(v, p) for v, p in videos if v not in skip]
        if len(todo) < len(videos):
            logger.info('resume: %d of %d videos already done, %d to go',
                        len(videos) - len(todo), len(videos), len(todo))

        spec = _RunSpec(
            cwd=os.getcwd(),
            pose_root=pose_root,
            teacher=teacher,
            device=device,
            boxes_from=boxes_from,
            extra_meta=dict(teacher={k: settings['teacher'][k] for k in ('person_finder', 'pose_estimator')
                                     if k in settings['teacher']}))
        failed = _extract_all(todo, spec, workers, progress and rank == 0)
        # every rank's videos (a barrier: the other ranks' files are complete after it)
        processed = gather_results({v: failed.get(v, '') for v, _ in todo})
        if processed is None:  # not rank 0: rank 0 writes the pickles and the summary
            return None
        failed = {v: err for v, err in processed.items() if err}
        videos = all_videos

        finished = [v for v, _ in videos if osp.isfile(osp.join(pose_root, v, META_FILE))]
        all_skipped = {
            v: load_json(osp.join(pose_root, v, SKIPPED_FILE))['reason']
            for v, _ in videos if v not in finished and osp.isfile(osp.join(pose_root, v, SKIPPED_FILE))
        }
        pickles = {}
        if finished:
            pickles = write_pose_datasets(pose_root, osp.join(out_root, 'mmaction'), finished, annotations)
        summary = dict(
            finished=finished,
            skipped=all_skipped,
            failed=failed,
            pickles=pickles,
            processed_this_run=list(processed))
        atomic_write_json(osp.join(out_root, SUMMARY_FILE), summary, indent=1)
        return summary


def _check_tracking(teacher: dict) -> None:
    """Refuse a ``det_interval`` every track would die in; warn where the selector leaves gaps."""
    from vpd_mm.tracking import HeuristicAthleteSelector, SortTracker
    tracker_cfg, selector_cfg = teacher['tracker'], teacher['athlete_selector']
    interval = teacher['extract'].get('det_interval', ExtractOptions.det_interval)
    max_age = tracker_cfg.get('max_age', inspect.signature(SortTracker).parameters['max_age'].default)
    if tracker_cfg.get('type') == 'SortTracker' and interval > max_age:
        raise ValueError(
            f'det_interval={interval} is longer than the tracker\'s max_age={max_age}: '
            'every track would die between two detected frames; raise tracker max_age')
    max_gap = selector_cfg.get('max_gap',
                               inspect.signature(HeuristicAthleteSelector).parameters['max_gap'].default)
    if interval > max_gap:
        logger.warning('det_interval=%d > athlete selector max_gap=%d: frames between detections stay empty',
                       interval, max_gap)


def _extract_all(todo: Sequence[Tuple[str, str]], spec: _RunSpec, workers: int,
                 progress: bool) -> Dict[str, str]:
    """Extract the ``todo`` videos (in this process or on workers) with one progress bar over them.

    Returns:
        ``{vid: error}`` of the failed videos, in ``todo`` order.
    """
    results: Dict[str, VideoResult] = {}
    paths = dict(todo)
    bar = tqdm(total=len(todo), desc='videos', unit='video', disable=not progress, dynamic_ncols=True)

    def record(vid: str, res: VideoResult) -> None:
        results[vid] = res
        if res.status == 'skipped':
            logger.warning('skipped %s: %s', vid, res.message)
        elif res.status == 'failed':
            logger.error('failed %s (%s), going on with the next video: %s\n%s', vid, paths[vid], res.message,
                         res.details)
        bar.update(1)

    try:
        if todo and (workers <= 1 or len(todo) <= 1):
            _run_serial(todo, spec, bar, progress, record)
        elif todo:
            _run_workers(todo, spec, min(workers, len(todo)), record)
    finally:
        bar.close()
    return {v: results[v].message for v, _ in todo if v in results and results[v].status == 'failed'}


def load_json_roundtrip(obj):
    """``obj`` as it reads back from JSON (tuples -> lists), so recorded settings compare equal."""
    return json.loads(json.dumps(obj))


def _preload_modules(teacher: dict) -> List[str]:
    """Modules the fork server imports once for the workers: those of the teacher's parts (and mmdet /
    mmpose's APIs for the OpenMMLab ones)."""
    mods = [f'{__package__}.pose_teacher']
    for part, registry in (('person_finder', PERSON_FINDERS), ('pose_estimator', POSE_ESTIMATORS)):
        cls = registry.get(teacher[part]['type']) if isinstance(teacher[part]['type'], str) else None
        if cls is not None and cls.__module__ not in mods:
            mods.append(cls.__module__)
            if cls.__module__.endswith('.inference'):
                mods += ['mmdet.apis', 'mmpose.apis']
    return list(dict.fromkeys(mods))

"""Teacher extraction over many videos: resume, skips of bad inputs, PoseDataset pickles.

Output layout of ``out_root``::

    pose/<vid>/{boxes.json, coco_keypoints.json.gz, meta.json | skipped.json}
    mmaction/pose_videos.pkl          PoseDataset, one entry per video (frame_dir = vid)
    mmaction/stgcn_teacher2d.pkl      PoseDataset per element (with SynthSport annotations)
    extract_settings.json             models and settings; a resume with other settings is refused
    .extract.lock                     pid of the run writing the folder (a second run is refused)
    extract_summary.json              finished / skipped / failed videos of the last run
"""
import contextlib
import copy
import inspect
import json
import logging
import os
import os.path as osp
import traceback
from typing import Dict, Iterator, Optional, Sequence, Tuple

from tqdm import tqdm

from vpd_mm.tracking import ATHLETE_SELECTORS, TRACKERS
from vpd_mm.utils.fileio import atomic_write_json, load_json

from .extract import META_FILE, SKIPPED_FILE, ExtractOptions, SkipVideo, extract_video
from .pose_dataset import write_pose_datasets
from .video import VideoDecodeError

logger = logging.getLogger(__name__)

SETTINGS_FILE = 'extract_settings.json'
LOCK_FILE = '.extract.lock'
SUMMARY_FILE = 'extract_summary.json'
DEFAULT_TRACKER = dict(type='SortTracker')
DEFAULT_SELECTOR = dict(type='HeuristicAthleteSelector')


def _file_id(path: Optional[str]) -> Optional[dict]:
    if path is None:
        return None
    if '::' in path and not osp.isfile(path):
        return dict(path=path)
    return dict(path=osp.abspath(path), size=osp.getsize(path) if osp.isfile(path) else None)


@contextlib.contextmanager
def output_lock(out_root: str) -> Iterator[None]:
    """Hold ``out_root/.extract.lock`` (this process's id) so two runs never write one folder.

    Raises:
        RuntimeError: Another live process on this machine holds the lock.
    """
    path = osp.join(out_root, LOCK_FILE)
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


def extract_poses(videos: Sequence[Tuple[str, str]],
                  out_root: str,
                  pose_config: str,
                  pose_checkpoint: Optional[str],
                  det_config: Optional[str] = None,
                  det_checkpoint: Optional[str] = None,
                  device: str = 'cpu',
                  det_batch_size: int = 8,
                  pose_batch_size: int = 32,
                  det_score_thr: float = 0.1,
                  det_cat_id: Optional[int] = None,
                  max_people: int = 10,
                  tracker: Optional[dict] = None,
                  athlete_selector: Optional[dict] = None,
                  boxes_from: Optional[str] = None,
                  options: Optional[ExtractOptions] = None,
                  resume: bool = False,
                  overwrite: bool = False,
                  retry_skipped: bool = False,
                  annotations: Optional[str] = None,
                  det_cfg_options: Optional[dict] = None,
                  pose_cfg_options: Optional[dict] = None,
                  progress: bool = True) -> dict:
    """Extract VPD pose files for many videos and write the PoseDataset pickles.

    Bad inputs (undecodable video, no person, boxes that do not fit the video) get
    ``pose/<vid>/skipped.json`` and a logged warning; an unexpected error in one video is logged
    with its traceback and the batch goes on (that video is retried by the next ``resume``).

    Args:
        videos: ``(vid, path)`` pairs (:func:`~vpd_mm.teachers.video.list_videos`).
        out_root: Output folder (layout in the module docstring).
        pose_config: mmpose top-down config. pose_checkpoint: its weights.
        det_config: mmdet config (not needed with ``boxes_from``). det_checkpoint: its weights.
        device: Torch device of both models.
        det_batch_size: Frames per detector call. pose_batch_size: Boxes per pose call.
        det_score_thr: Minimum detection score (weaker ones are dropped; those below
            ``options.pose_score_thr`` only help the tracker). det_cat_id: Person class index
            (default: by name).
        max_people: At most this many detections per frame.
        tracker: Tracker config (``TRACKERS``); default ``SortTracker``.
        athlete_selector: Selector config (``ATHLETE_SELECTORS``); default ``HeuristicAthleteSelector``.
        boxes_from: Folder of given ``<vid>/boxes.json`` (skip detection and tracking).
        options: Loop settings.
        resume: Skip finished (``meta.json``) and skipped (``skipped.json``) videos.
        overwrite: Redo finished videos.
        retry_skipped: With ``resume``, retry videos that were skipped.
        annotations: SynthSport root for the per-element pickle.
        det_cfg_options, pose_cfg_options: Config overrides.
        progress: Show progress bars.

    Returns:
        Summary ``{finished, skipped: {vid: reason}, failed: {vid: error}, pickles}``.

    Raises:
        FileExistsError: ``out_root`` holds results and neither ``resume`` nor ``overwrite`` is set.
        ValueError: ``resume`` with settings that differ from the recorded ones.
        RuntimeError: Another live extraction holds ``out_root`` (:func:`output_lock`).
    """
    options = options or ExtractOptions()
    tracker_cfg = copy.deepcopy(tracker or DEFAULT_TRACKER)
    selector_cfg = copy.deepcopy(athlete_selector or DEFAULT_SELECTOR)
    if boxes_from is None and det_config is None:
        raise ValueError('a detector config is needed unless boxes are given (boxes_from)')
    if boxes_from is None:
        from vpd_mm.tracking import HeuristicAthleteSelector, SortTracker
        max_age = tracker_cfg.get('max_age', inspect.signature(SortTracker).parameters['max_age'].default)
        if tracker_cfg.get('type') == 'SortTracker' and options.det_interval > max_age:
            raise ValueError(
                f'det_interval={options.det_interval} is longer than the tracker\'s max_age={max_age}: '
                'every track would die between two detected frames; raise tracker max_age')
        max_gap = selector_cfg.get('max_gap',
                                   inspect.signature(HeuristicAthleteSelector).parameters['max_gap'].default)
        if options.det_interval > max_gap:
            logger.warning(
                'det_interval=%d > athlete selector max_gap=%d: frames between detections stay empty',
                options.det_interval, max_gap)
    pose_root = osp.join(out_root, 'pose')
    settings = dict(
        format_version=1,
        pose_config=_file_id(pose_config),
        pose_checkpoint=_file_id(pose_checkpoint),
        pose_cfg_options=pose_cfg_options or {},
        boxes_from=osp.abspath(boxes_from) if boxes_from else None)
    if boxes_from is None:
        settings.update(
            det_config=_file_id(det_config),
            det_checkpoint=_file_id(det_checkpoint),
            det_cfg_options=det_cfg_options or {},
            det_score_thr=det_score_thr,
            det_cat_id=det_cat_id,
            max_people=max_people,
            tracker=tracker_cfg,
            athlete_selector=selector_cfg,
            det_interval=options.det_interval,
            refine_iou=options.refine_iou,
            pose_score_thr=options.pose_score_thr)
    settings = load_json_roundtrip(settings)

    done = [v for v, _ in videos if osp.isfile(osp.join(pose_root, v, META_FILE))]
    skipped_before = [v for v, _ in videos if osp.isfile(osp.join(pose_root, v, SKIPPED_FILE))]
    if (done or skipped_before) and not (resume or overwrite):
        raise FileExistsError(
            f'{out_root} already holds results for {len(done) + len(skipped_before)} of these '
            'videos; pass --resume to keep them or --overwrite to redo them')
    os.makedirs(out_root, exist_ok=True)
    with output_lock(out_root):
        _check_settings(out_root, settings, resume and not overwrite)

        if overwrite or not resume:
            todo = list(videos)
        else:
            skip = set(done) | (set() if retry_skipped else set(skipped_before))
            todo = [(v, p) for v, p in videos if v not in skip]
        if len(todo) < len(videos):
            logger.info('resume: %d of %d videos already done, %d to go',
                        len(videos) - len(todo), len(videos), len(todo))

        skipped: Dict[str, str] = {}
        failed: Dict[str, str] = {}
        if todo:
            models = _build_models(pose_config, pose_checkpoint, det_config, det_checkpoint, device,
                                   det_batch_size, pose_batch_size, det_score_thr, det_cat_id, max_people,
                                   boxes_from, det_cfg_options, pose_cfg_options)
            trk = None if boxes_from else TRACKERS.build(tracker_cfg)
            sel = None if boxes_from else ATHLETE_SELECTORS.build(selector_cfg)
            extra = dict(
                teacher=dict(
                    det_config=settings.get('det_config'),
                    pose_config=settings['pose_config'],
                    det_checkpoint=settings.get('det_checkpoint'),
                    pose_checkpoint=settings['pose_checkpoint']))
            bar = tqdm(todo, desc='videos', unit='video', disable=not progress, dynamic_ncols=True)
            for vid, path in bar:
                bar.set_postfix_str(vid)
                try:
                    extract_video(vid, path, pose_root, models['pose'], pose_batch_size, models.get('det'),
                                  det_batch_size, trk, sel, boxes_from, options, extra, progress)
                except (VideoDecodeError, SkipVideo) as e:
                    skipped[vid] = str(e)
                    for name in ('boxes.json', 'coco_keypoints.json.gz'):  # no stale files of an earlier run
                        if osp.isfile(osp.join(pose_root, vid, name)):
                            os.remove(osp.join(pose_root, vid, name))
                    atomic_write_json(osp.join(pose_root, vid, SKIPPED_FILE), dict(reason=str(e), video=path))
                    logger.warning('skipped %s: %s', vid, e)
                except Exception as e:  # noqa: BLE001 - one broken video must not stop the batch
                    failed[vid] = f'{type(e).__name__}: {e}'
                    logger.error('failed %s (%s), going on with the next video:\n%s', vid, path,
                                 traceback.format_exc())
            bar.close()

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
            processed_this_run=[v for v, _ in todo])
        atomic_write_json(osp.join(out_root, SUMMARY_FILE), summary, indent=1)
        return summary


def load_json_roundtrip(obj):
    """``obj`` as it reads back from JSON (tuples -> lists), so recorded settings compare equal."""
    return json.loads(json.dumps(obj))


def _build_models(pose_config, pose_checkpoint, det_config, det_checkpoint, device, det_batch_size,
                  pose_batch_size, det_score_thr, det_cat_id, max_people, boxes_from, det_cfg_options,
                  pose_cfg_options) -> dict:
    from .inference import BatchedDetector, BatchedPoseEstimator
    models = dict(
        pose=BatchedPoseEstimator(pose_config, pose_checkpoint, device, pose_batch_size, pose_cfg_options))
    if boxes_from is None:
        models['det'] = BatchedDetector(
            det_config,
            det_checkpoint,
            device,
            det_score_thr,
            det_cat_id,
            max_people,
            batch_size=det_batch_size,
            cfg_options=det_cfg_options)
    return models

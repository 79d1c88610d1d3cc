"""The pose teacher: a person finder, a top-down pose estimator, a tracker and an athlete selector,
built from one teacher config and applied to videos.

A teacher config (``configs/teachers/*.py`` with a ``person_finder``) holds::

    person_finder = dict(type='BlazePosePersonFinder')             # PERSON_FINDERS
    pose_estimator = dict(type='BlazePoseEstimator')               # POSE_ESTIMATORS
    tracker = dict(type='SortTracker')                             # optional (vpd_mm.tracking)
    athlete_selector = dict(type='HeuristicAthleteSelector')       # optional
    extract = dict(det_interval=1, refine_iou=0.9, pose_score_thr=0.3, det_batch_size=8, pose_batch_size=32)

``config`` / ``checkpoint`` entries of the parts (mmdet / mmpose files) are resolved against the
working directory, then against the repository root, so the shipped configs work from anywhere.
"""
import copy
import os
import os.path as osp
from typing import Any, Dict, Optional, Union

from mmengine.config import Config

from vpd_mm.tracking import ATHLETE_SELECTORS, TRACKERS

from .extract import ExtractOptions, extract_video
from .registry import PERSON_FINDERS, POSE_ESTIMATORS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_TRACKER = dict(type='SortTracker')
DEFAULT_SELECTOR = dict(type='HeuristicAthleteSelector')
#: ``extract`` keys that are not :class:`ExtractOptions` fields.
_BATCH_KEYS = ('det_batch_size', 'pose_batch_size')
_FILE_KEYS = ('config', 'checkpoint')


def _resolve(path: str) -> str:
    if '::' in path or osp.isabs(path) or osp.exists(path):
        return path
    in_repo = osp.join(REPO_ROOT, path)
    return in_repo if osp.exists(in_repo) else path


def load_teacher_config(config: Union[str, os.PathLike, dict, Config],
                        cfg_options: Optional[dict] = None) -> Dict[str, Any]:
    """A teacher config as a plain dict with every part present and its files resolved.

    Args:
        config: Teacher config file (``configs/teachers/blazepose-full_coco17.py``), a dict or a Config.
        cfg_options: ``{dotted key: value}`` overrides (e.g. ``{'extract.det_interval': 2}``).

    Returns:
        ``{person_finder, pose_estimator, tracker, athlete_selector, extract}``.

    Raises:
        FileNotFoundError: The config file does not exist.
        ValueError: The config has no ``person_finder`` / ``pose_estimator``, an unknown ``extract``
            key, or a part names a config / checkpoint file that does not exist.
    """
    if isinstance(config, (str, os.PathLike)):
        path = _resolve(os.fspath(config))
        if not osp.isfile(path):
            raise FileNotFoundError(f'{config}: teacher config not found')
        cfg, name = Config.fromfile(path), path
    else:
        cfg, name = Config(copy.deepcopy(dict(config))), 'teacher config'
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    missing = [k for k in ('person_finder', 'pose_estimator') if not cfg.get(k)]
    if missing:
        raise ValueError(f'{name}: a teacher config needs {" and ".join(missing)} (see configs/teachers/'
                         'blazepose-full_coco17.py)')
    out = dict(
        person_finder=cfg.person_finder.to_dict(),
        pose_estimator=cfg.pose_estimator.to_dict(),
        tracker=dict(cfg.get('tracker') or DEFAULT_TRACKER),
        athlete_selector=dict(cfg.get('athlete_selector') or DEFAULT_SELECTOR),
        extract=dict(cfg.get('extract') or {}))
    fields = set(ExtractOptions.__dataclass_fields__) | set(_BATCH_KEYS)
    unknown = sorted(set(out['extract']) - fields)
    if unknown:
        raise ValueError(f'{name}: unknown extract option(s) {unknown}; known: {sorted(fields)}')
    for part in ('person_finder', 'pose_estimator'):
        for key in _FILE_KEYS:
            value = out[part].get(key)
            if value is None:
                continue
            out[part][key] = _resolve(str(value))
            if '::' not in out[part][key] and not osp.isfile(out[part][key]):
                raise ValueError(f'{name}: {part}.{key} {value!r} does not exist')
    return out


def teacher_settings(teacher: Dict[str, Any]) -> Dict[str, Any]:
    """The teacher as recorded in ``extract_settings.json``: its dict with each file's size beside its
    path, so a resume with changed weights is noticed."""
    rec = copy.deepcopy(teacher)
    for part in ('person_finder', 'pose_estimator'):
        for key in _FILE_KEYS:
            path = rec[part].get(key)
            if path and osp.isfile(path):
                rec[part][key] = dict(path=osp.abspath(path), size=osp.getsize(path))
    return rec


class PoseTeacher:
    """Applies a person finder, tracker, athlete selector and top-down pose estimator to videos,
    writing VPD pose files (:func:`~vpd_mm.teachers.extract.extract_video`).

    Args:
        pose_estimator: A ``POSE_ESTIMATORS`` component (built).
        person_finder: A ``PERSON_FINDERS`` component (built); ``None`` when boxes are given.
        tracker: A ``TRACKERS`` component; athlete_selector: an ``ATHLETE_SELECTORS`` component.
        options: Loop settings.
        det_batch_size: Frames per finder call. pose_batch_size: Boxes per estimator call.
    """

    def __init__(self,
                 pose_estimator,
                 person_finder=None,
                 tracker=None,
                 athlete_selector=None,
                 options: Optional[ExtractOptions] = None,
                 det_batch_size: int = 8,
                 pose_batch_size: int = 32):
        self.pose_estimator = pose_estimator
        self.person_finder = person_finder
        self.tracker = tracker
        self.athlete_selector = athlete_selector
        self.options = options or ExtractOptions()
        self.det_batch_size = det_batch_size
        self.pose_batch_size = pose_batch_size

    def extract_video(self,
                      vid: str,
                      video_path: str,
                      pose_root: str,
                      boxes_from: Optional[str] = None,
                      extra_meta: Optional[dict] = None,
                      progress: bool = False) -> dict:
        """Write ``pose_root/<vid>/{boxes.json, coco_keypoints.json.gz, meta.json}`` for one video.

        Returns:
            The ``meta.json`` contents.

        Raises:
            VideoDecodeError: The video cannot be decoded.
            SkipVideo: No usable person / boxes that do not fit the video.
        """
        if boxes_from is None and self.person_finder is None:
            raise ValueError('this teacher was built without a person finder: give boxes_from')
        if boxes_from is None and hasattr(self.person_finder, 'reset'):
            self.person_finder.reset()  # a video-mode finder must not follow the last video's person
        return extract_video(vid, video_path, pose_root, self.pose_estimator, self.pose_batch_size,
                             self.person_finder, self.det_batch_size, self.tracker, self.athlete_selector,
                             boxes_from, self.options, extra_meta, progress)


def build_pose_teacher(config: Union[str, os.PathLike, dict, Config],
                       device: str = 'cpu',
                       cfg_options: Optional[dict] = None,
                       with_person_finder: bool = True) -> PoseTeacher:
    """Build a :class:`PoseTeacher` from a teacher config.

    Example:
        >>> from vpd_mm.teachers import build_pose_teacher
        >>> teacher = build_pose_teacher('configs/teachers/blazepose-full_coco17.py')
        >>> type(teacher.person_finder).__name__, type(teacher.pose_estimator).__name__
        ('BlazePosePersonFinder', 'BlazePoseEstimator')

    Args:
        config: Teacher config (path, dict or Config; see the module docstring), or an already
            loaded one (:func:`load_teacher_config`).
        device: Torch device given to every part that takes one.
        cfg_options: Config overrides.
        with_person_finder: Build the person finder, tracker and selector (not needed when the
            athlete's boxes are given).
    """
    teacher = config if _is_loaded(config) and not cfg_options else load_teacher_config(config, cfg_options)
    ext = dict(teacher['extract'])
    batch = {k: ext.pop(k) for k in _BATCH_KEYS if k in ext}
    pose = POSE_ESTIMATORS.build(teacher['pose_estimator'], default_args=dict(device=device))
    finder = tracker = selector = None
    if with_person_finder:
        finder = PERSON_FINDERS.build(teacher['person_finder'], default_args=dict(device=device))
        tracker = TRACKERS.build(teacher['tracker'])
        selector = ATHLETE_SELECTORS.build(teacher['athlete_selector'])
    return PoseTeacher(pose, finder, tracker, selector, ExtractOptions(**ext), **batch)


def _is_loaded(config) -> bool:
    return isinstance(config, dict) and set(config) == {
        'person_finder', 'pose_estimator', 'tracker', 'athlete_selector', 'extract'}

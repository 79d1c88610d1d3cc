"""Trimmed actions as sequences of per-frame features read from VPD embedding pickles."""
import logging
import os
import os.path as osp
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.registry import DATASETS
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from vpd_mm.utils.fileio import load_json
from vpd_mm.utils.vpd_files import embeddings_to_array, load_embeddings

#: Default suffix of embedding pickles (``<video>.emb.pkl``); ``<video>.pkl`` is tried as well.
EMBEDDING_SUFFIXES = ('.emb.pkl', '.pkl')
VIEW_MODES = ('stack', 'samples', 'orig')


def _as_list(x) -> List:
    if x is None:
        return []
    return [x] if isinstance(x, (str, os.PathLike)) else list(x)


def find_feature_file(feature_dir: str, video: str, suffixes: Sequence[str] = EMBEDDING_SUFFIXES) -> str:
    """Path of ``<feature_dir>/<video><suffix>`` for the first suffix that exists.

    Raises:
        FileNotFoundError: None exists (the message names the video and the paths tried).
    """
    tried = [osp.join(feature_dir, video + s) for s in suffixes]
    for path in tried:
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'video {video!r}: no feature file, tried {tried}')


def video_length(data_root: Optional[str], video: str) -> Optional[int]:
    """Frame count from ``<data_root>/pose/<video>/meta.json`` when it exists, else None."""
    meta = osp.join(data_root or '', 'pose', video, 'meta.json')
    if not osp.isfile(meta):
        return None
    return int(load_json(meta)['num_frames'])


def check_action_interval(name: str, start: int, end: int, frames: np.ndarray, num_frames: Optional[int]) -> None:
    """Raise ``ValueError`` naming the action if ``[start, end)`` is not inside its video.

    The bound is the video's frame count where known (:func:`video_length`): teacher / student features
    miss the frames where the athlete was not tracked, and those frames are simply left out. Without
    it the bound is the range the features cover.
    """
    if num_frames is not None:
        if start < 0 or end <= start or end > num_frames:
            raise ValueError(f'{name}: interval [{start}, {end}) is outside the video, which has '
                             f'{num_frames} frames')
    elif start < 0 or end <= start or start > frames[-1] or end > frames[-1] + 1:
        raise ValueError(f'{name}: interval [{start}, {end}) is outside the video, whose features cover '
                         f'frames [{frames[0]}, {frames[-1] + 1})')


def load_video_features(feature_dirs: Sequence[str],
                        video: str,
                        suffixes: Sequence[str] = EMBEDDING_SUFFIXES) -> Tuple[np.ndarray, np.ndarray]:
    """Load and concatenate one video's features from several sources.

    Frames are aligned by frame number: only frames present in every source are kept. A source
    with one view is repeated to two views when another source has two ([orig, flipped]).

    Returns:
        ``(frames (N,), features (N, V, sum of D))``.
    """
    sources = []
    for d in feature_dirs:
        path = find_feature_file(d, video, suffixes)
        frames, feats = embeddings_to_array(load_embeddings(path))
        sources.append((path, frames, feats))
    if len(sources) == 1:
        return sources[0][1], sources[0][2]
    common = sources[0][1]
    for _, frames, _ in sources[1:]:
        common = np.intersect1d(common, frames)
    if len(common) == 0:
        raise ValueError(f'video {video!r}: the feature sources {[s[0] for s in sources]} share no frame')
    num_views = max(s[2].shape[1] for s in sources)
    parts = []
    for path, frames, feats in sources:
        feats = feats[np.searchsorted(frames, common)]
        if feats.shape[1] != num_views:
            feats = np.repeat(feats, num_views, axis=1)
        parts.append(feats)
    return common, np.concatenate(parts, axis=-1)


def resample_indices(frames: np.ndarray, start: int, end: int, step: float) -> np.ndarray:
    """Indices into ``frames`` nearest to the times ``start, start + step, ...`` below ``end``."""
    times = np.arange(start, end, step)
    idx = np.clip(np.searchsorted(frames, times), 1,
                  len(frames) - 1) if len(frames) > 1 else np.zeros(len(times), np.int64)
    if len(frames) > 1:
        left = frames[idx - 1]
        idx = np.where(np.abs(times - left) <= np.abs(frames[idx] - times), idx - 1, idx)
    return idx.astype(np.int64)


@DATASETS.register_module()
class FeatureSequenceDataset(BaseDataset):
    """Trimmed actions read from per-video feature files (VPD embedding pickles).

    Each annotated action (an interval of a video) becomes one sample whose ``features`` are the
    per-frame features of the frames in ``[start, end)``, shape ``(T, V, D)`` with ``V`` views
    (1, or 2 for [original, horizontally flipped]).

    Annotation format (SynthSport's ``annotations/elements.json``, see docs/data_formats.md)::

        [{"id": 7, "video": "v003", "start": 120, "end": 171, "label": 2, "class_name": "axel"}, ...]

    ``start``/``end`` (end exclusive) may be omitted: the action is then the whole video (clip
    datasets such as JHMDB). An optional ``fps`` per entry overrides ``source_fps``.

    Args:
        ann_file: The annotation JSON.
        feature_dirs: One directory or several with ``<video>.emb.pkl`` files. Several sources are
            concatenated along the feature axis after aligning their frames.
        split_file: Optional ``{"train": [videos], "val": [...], "test": [...]}`` JSON.
        split: Which split of ``split_file`` to keep (``None``: every annotated action).
        fewshot_file: Optional ``{"k": [[element ids] per trial]}`` JSON (``annotations/fewshot.json``).
        fewshot_k: Keep only the few-shot subset with k examples per class ...
        fewshot_trial: ... and this trial index (0-based).
        dataset_info_file: Optional ``dataset.json`` providing ``classes`` and ``fps``.
        classes: Class names (index = label). Default: from ``dataset_info_file``, else from the
            annotations' ``class_name`` values.
        source_fps: Frame rate of the feature files (default: ``dataset_info_file``'s ``fps``).
        target_fps: Resample to this frame rate (nearest frame). ``None`` keeps every frame.
        view_mode: ``'stack'`` keeps all views in one sample (testing: predictions are summed over
            views), ``'samples'`` makes every view its own sample (training: both flips are
            samples), ``'orig'`` keeps only the original view.
        feature_suffixes: File name suffixes tried for each video.
        min_frames: Actions with fewer (resampled) frames raise an error (see ``on_empty``).
        on_empty: ``'error'`` (default) or ``'skip'``: leave such actions out with a logged
            warning naming them. Teacher features of an action where the athlete was never tracked
            are empty; ``'skip'`` drops it for every feature set that shares those frames.
        exclude_ids: Action ids to leave out (compared as strings), e.g. the actions another feature
            set has no frames for, so that feature sets are scored on the same actions (the
            downstream tools fill it in).
        data_root: Prefix for relative ``ann_file``/``feature_dirs``/``*_file`` paths.
        pipeline: Transforms, e.g. ``[dict(type='PackFeatureInputs')]``.
        test_mode: mmengine's flag.
    """

    def __init__(self,
                 ann_file: str,
                 feature_dirs: Union[str, Sequence[str]],
                 split_file: Optional[str] = None,
                 split: Optional[str] = None,
                 fewshot_file: Optional[str] = None,
                 fewshot_k: Optional[int] = None,
                 fewshot_trial: int = 0,
                 dataset_info_file: Optional[str] = None,
                 classes: Optional[Sequence[str]] = None,
                 source_fps: Optional[float] = None,
                 target_fps: Optional[float] = None,
                 view_mode: str = 'stack',
                 feature_suffixes: Sequence[str] = EMBEDDING_SUFFIXES,
                 min_frames: int = 1,
                 on_empty: str = 'error',
                 exclude_ids: Optional[Sequence] = None,
                 data_root: Optional[str] = None,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 test_mode: bool = False,
                 **kwargs) -> None:
        if view_mode not in VIEW_MODES:
            raise ValueError(f'view_mode must be one of {VIEW_MODES}, got {view_mode!r}')
        root = data_root or ''
        self.feature_dirs = [osp.join(root, d) for d in _as_list(feature_dirs)]
        if not self.feature_dirs:
            raise ValueError('FeatureSequenceDataset: feature_dirs is empty')
        self.split_file = osp.join(root, split_file) if split_file else None
        self.split = split
        self.fewshot_file = osp.join(root, fewshot_file) if fewshot_file else None
        self.fewshot_k = fewshot_k
        self.fewshot_trial = fewshot_trial
        self.dataset_info_file = osp.join(root, dataset_info_file) if dataset_info_file else None
        self.source_fps = source_fps
        self.target_fps = target_fps
        self.view_mode = view_mode
        self.feature_suffixes = tuple(feature_suffixes)
        self.min_frames = max(1, int(min_frames))
        if on_empty not in ('error', 'skip'):
            raise ValueError(f"on_empty must be 'error' or 'skip', got {on_empty!r}")
        self.on_empty = on_empty
        self.skipped_empty: List[str] = []
        self.exclude_ids = {str(i) for i in exclude_ids or ()}
        self._class_names = list(classes) if classes is not None else None
        super().__init__(
            ann_file=ann_file,
            data_root=data_root or '',
            pipeline=list(pipeline),
            test_mode=test_mode,
            **kwargs)

    # ------------------------------------------------------------------ annotations
    def _dataset_info(self) -> dict:
        if not self.dataset_info_file:
            return {}
        if not osp.isfile(self.dataset_info_file):
            raise FileNotFoundError(f'{self.dataset_info_file}: dataset info file not found')
        return load_json(self.dataset_info_file)

    def _load_elements(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'{self.ann_file}: annotation file not found')
        elements = load_json(self.ann_file)
        if not isinstance(elements, list):
            raise ValueError(f'{self.ann_file}: expected a list of actions, got {type(elements).__name__}')
        for i, el in enumerate(elements):
            missing = [k for k in ('id', 'video') if k not in el
                       ] + ([] if 'label' in el or 'class_name' in el else ['label'])
            if missing:
                raise ValueError(f'{self.ann_file}: action #{i} lacks keys {missing}')
        seen: Dict[str, int] = {}
        for i, el in enumerate(elements):
            if str(el['id']) in seen:
                raise ValueError(f'{self.ann_file}: actions #{seen[str(el["id"])]} and #{i} share the id '
                                 f'{el["id"]!r} (action ids must be unique)')
            seen[str(el['id'])] = i
        return elements

    def _select(self, elements: List[dict]) -> List[dict]:
        if self.split is not None:
            if not self.split_file:
                raise ValueError(f'split={self.split!r} given without split_file')
            splits = load_json(self.split_file)
            if self.split not in splits:
                raise KeyError(f'{self.split_file}: no split {self.split!r} (has {sorted(splits)})')
            videos = set(map(str, splits[self.split]))
            unknown = sorted(videos - {str(el['video']) for el in elements})
            if unknown:
                raise ValueError(f'{self.split_file}: split {self.split!r} lists {len(unknown)} video(s) with no '
                                 f'action in {self.ann_file}, e.g. {unknown[:5]} (a missing or renamed clip?)')
            elements = [el for el in elements if str(el['video']) in videos]
        if self.fewshot_k is not None:
            if not self.fewshot_file:
                raise ValueError('fewshot_k given without fewshot_file')
            subsets = load_json(self.fewshot_file)
            key = str(self.fewshot_k)
            if key not in subsets:
                raise KeyError(f'{self.fewshot_file}: no subset for k={key} (has {sorted(subsets, key=int)})')
            trials = subsets[key]
            if not 0 <= self.fewshot_trial < len(trials):
                raise IndexError(f'{self.fewshot_file}: k={key} has {len(trials)} trials, '
                                 f'asked for trial {self.fewshot_trial}')
            wanted = list(trials[self.fewshot_trial])
            by_id = {el['id']: el for el in elements}
            unknown = [i for i in wanted if i not in by_id]
            if unknown:
                raise KeyError(f'{self.fewshot_file}: k={key} trial {self.fewshot_trial} names actions '
                               f'{unknown[:5]} that are not in {self.ann_file}' +
                               (f' split {self.split!r}' if self.split else ''))
            elements = [by_id[i] for i in wanted]
        if self.exclude_ids:
            elements = [el for el in elements if str(el['id']) not in self.exclude_ids]
        return elements

    def _resolve_classes(self, elements: List[dict], info: dict) -> List[str]:
        if self._class_names is not None:
            return self._class_names
        if 'classes' in info:
            return list(info['classes'])
        names = {}
        for el in self._load_elements():
            if 'class_name' in el and 'label' in el:
                names.setdefault(int(el['label']), el['class_name'])
            elif 'class_name' in el:
                names.setdefault(el['class_name'], el['class_name'])
        if all(isinstance(k, int) for k in names):
            return [names[k] for k in sorted(names)]
        return sorted(set(names.values()))

    def _label_of(self, el: dict, classes: List[str]) -> int:
        if 'label' in el:
            label = int(el['label'])
            if not 0 <= label < len(classes):
                raise ValueError(
                    f'{self.ann_file}: action {el["id"]} (video {el["video"]}) has unknown class '
                    f'label {label}; {len(classes)} classes known')
            if 'class_name' in el and el['class_name'] != classes[label]:
                raise ValueError(f'{self.ann_file}: action {el["id"]} (video {el["video"]}) has class_name '
                                 f'{el["class_name"]!r} but label {label} is {classes[label]!r}')
            return label
        if el['class_name'] not in classes:
            raise ValueError(f'{self.ann_file}: action {el["id"]} (video {el["video"]}) has unknown class '
                             f'{el["class_name"]!r}')
        return classes.index(el['class_name'])

    # ------------------------------------------------------------------ loading
    def load_data_list(self) -> List[dict]:
        """Read the annotations and every needed feature file; validate and cut the actions."""
        info = self._dataset_info()
        elements = self._select(self._load_elements())
        classes = self._resolve_classes(elements, info)
        self._metainfo['classes'] = tuple(classes)
        default_fps = self.source_fps or info.get('fps')

        by_video: Dict[str, List[dict]] = defaultdict(list)
        for el in elements:
            by_video[str(el['video'])].append(el)
        data_list = []
        for video in sorted(by_video):
            try:
                frames, feats = load_video_features(self.feature_dirs, video, self.feature_suffixes)
            except FileNotFoundError as e:
                ids = [el['id'] for el in by_video[video]]
                raise FileNotFoundError(
                    f'{e} (needed by annotated actions {ids[:10]} of {self.ann_file})') from e
            for el in by_video[video]:
                data_list.extend(self._make_samples(el, video, frames, feats, classes, default_fps))
        if self.skipped_empty:
            print_log(f'{self.__class__.__name__} ({self.split or "all"}): left out {len(self.skipped_empty)} '
                      f'action(s) with fewer than {self.min_frames} feature frame(s): '
                      f'{self.skipped_empty[:20]}', logger='current', level=logging.WARNING)
        data_list.sort(key=lambda d: (str(d['element_id']), d['view']))
        return data_list

    def _make_samples(self, el: dict, video: str, frames: np.ndarray, feats: np.ndarray, classes: List[str],
                      default_fps: Optional[float]) -> List[dict]:
        name = f'action {el["id"]} (video {video})'
        label = self._label_of(el, classes)
        start = int(el.get('start', frames[0]))
        end = int(el.get('end', frames[-1] + 1))
        check_action_interval(name, start, end, frames, video_length(self.data_root, video))
        lo, hi = np.searchsorted(frames, start), np.searchsorted(frames, end)
        sel_frames, sel = frames[lo:hi], feats[lo:hi]
        fps = el.get('fps', default_fps)
        if len(sel_frames) and self.target_fps and fps and abs(fps - self.target_fps) > 1e-6:
            idx = resample_indices(sel_frames, start, end, fps / self.target_fps)
            sel_frames, sel = sel_frames[idx], sel[idx]
        if len(sel_frames) < self.min_frames and self.on_empty == 'skip':
            self.skipped_empty.append(str(el['id']))
            return []
        if len(sel_frames) < self.min_frames:
            raise ValueError(
                f'{name}: empty sequence, {len(sel_frames)} feature frame(s) in [{start}, {end}) '
                f'(at least {self.min_frames} needed)')
        if not np.isfinite(sel).all():
            bad = sel_frames[int(np.argwhere(~np.isfinite(sel).all(axis=(1, 2)))[0, 0])]
            raise ValueError(f'{name}: NaN/inf features at frame {bad}')
        base = dict(
            element_id=el['id'],
            video=video,
            start=start,
            end=end,
            label=label,
            frame_inds=sel_frames.astype(np.int64),
            num_frames=len(sel_frames))
        num_views = sel.shape[1]
        if self.view_mode == 'stack':
            return [dict(base, features=np.ascontiguousarray(sel), view=-1)]
        views = [0] if self.view_mode == 'orig' else range(num_views)
        return [dict(base, features=np.ascontiguousarray(sel[:, v:v + 1]), view=v) for v in views]

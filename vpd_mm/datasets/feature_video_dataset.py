"""Untrimmed videos as per-frame feature sequences with per-frame action labels (detection)."""
import os.path as osp
from collections import defaultdict
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
from mmaction.registry import DATASETS
from mmengine.dataset import BaseDataset

from vpd_mm.utils.fileio import load_json

from .feature_sequence_dataset import (EMBEDDING_SUFFIXES, _as_list, check_action_interval, load_video_features,
                                       video_length)


@DATASETS.register_module()
class FeatureVideoDataset(BaseDataset):
    """Whole videos with binary per-frame targets (inside any annotated action = 1).

    Each sample is one video: ``features (T, V, D)``, ``frame_labels (T,)`` float 0/1,
    ``frame_inds (T,)`` and ``gt_intervals (K, 2)`` (the actions' ``[start, end)`` frames).
    Training pipelines crop random windows (:class:`RandomFeatureWindow`) and pick a random view
    (:class:`SelectFeatureView`); with mmengine's ``InfiniteSampler`` that gives the paper's
    random 250-frame windows.

    Args:
        ann_file: Action annotations (``annotations/elements.json`` format).
        feature_dirs: Feature directory or directories (concatenated, see
            :class:`FeatureSequenceDataset`).
        split_file: Optional ``splits.json``.
        split: Split to use; ignored when ``videos`` is given.
        videos: Explicit video list (e.g. the folds of a cross-validation).
        feature_suffixes: File suffixes tried per video.
        data_root: Prefix for relative paths.
        pipeline: Transforms.
        test_mode: mmengine's flag.
    """

    def __init__(self,
                 ann_file: str,
                 feature_dirs: Union[str, Sequence[str]],
                 split_file: Optional[str] = None,
                 split: Optional[str] = None,
                 videos: Optional[Sequence[str]] = None,
                 feature_suffixes: Sequence[str] = EMBEDDING_SUFFIXES,
                 data_root: Optional[str] = None,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 test_mode: bool = False,
                 **kwargs) -> None:
        root = data_root or ''
        self.feature_dirs = [osp.join(root, d) for d in _as_list(feature_dirs)]
        self.split_file = osp.join(root, split_file) if split_file else None
        self.split = split
        self.videos = None if videos is None else [str(v) for v in videos]
        self.feature_suffixes = tuple(feature_suffixes)
        super().__init__(
            ann_file=ann_file, data_root=root, pipeline=list(pipeline), test_mode=test_mode, **kwargs)

    def _video_list(self, elements: List[dict]) -> List[str]:
        if self.videos is not None:
            return self.videos
        if self.split is not None:
            if not self.split_file:
                raise ValueError(f'split={self.split!r} given without split_file')
            splits = load_json(self.split_file)
            if self.split not in splits:
                raise KeyError(f'{self.split_file}: no split {self.split!r} (has {sorted(splits)})')
            return [str(v) for v in splits[self.split]]
        return sorted({str(el['video']) for el in elements})

    def load_data_list(self) -> List[dict]:
        """Load every video's features and build its per-frame targets."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'{self.ann_file}: annotation file not found')
        elements = load_json(self.ann_file)
        by_video = defaultdict(list)
        for el in elements:
            by_video[str(el['video'])].append(el)
        data_list = []
        for video in self._video_list(elements):
            frames, feats = load_video_features(self.feature_dirs, video, self.feature_suffixes)
            labels = np.zeros(len(frames), np.float32)
            intervals = []
            num_frames = video_length(self.data_root, video)
            for el in by_video.get(video, []):
                start, end = int(el['start']), int(el['end'])
                # frames of the action without features (athlete not tracked) have no target; the GT
                # interval stays whole for the evaluation
                check_action_interval(f'action {el["id"]} (video {video})', start, end, frames, num_frames)
                labels[(frames >= start) & (frames < end)] = 1
                intervals.append((start, end))
            data_list.append(
                dict(
                    video=video,
                    features=feats,
                    frame_labels=labels,
                    frame_inds=frames,
                    gt_intervals=np.asarray(sorted(intervals), np.int64).reshape(-1, 2),
                    num_frames=len(frames)))
        if not data_list:
            raise ValueError(f'{self.ann_file}: no video selected')
        return data_list

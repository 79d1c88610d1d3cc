"""Athlete crops + optical flow with teacher pose-feature targets: the VPD student's data (REFERENCE §2)."""
import copy
import json
import logging
import os
import os.path as osp
import zlib
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmaction.registry import DATASETS, TRANSFORMS
from mmengine.dataset import Compose
from mmengine.logging import print_log
from torch.utils.data import Dataset

from ..utils.vpd_files import embeddings_to_array, load_embeddings
from .crop_store_reader import list_crop_videos, open_crop_video

EMBEDDING_SUFFIX = '.emb.pkl'
SPLITS = ('train', 'val', 'all')


def resolve_video_list(videos: Union[None, str, Sequence[str]], crop_root: str) -> List[str]:
    """The video ids a dataset uses.

    Args:
        videos: None (every finished video of ``crop_root``), a list of ids, or a split file: ``.txt``
            (one id per line), ``.json`` holding a list, or ``file.json:key`` for a dict of lists
            (e.g. SynthSport's ``annotations/splits.json:train``).
        crop_root: Crop store root.
    """
    if videos is None:
        finished = list_crop_videos(crop_root)
        others = sorted(
            d for d in os.listdir(crop_root)
            if osp.isdir(osp.join(crop_root, d)) and d not in set(finished)) if osp.isdir(crop_root) else []
        if others:
            print_log(
                f'{crop_root}: {len(others)} video directories without meta.json (unfinished or skipped) are '
                f'ignored: {others[:5]}{" ..." if len(others) > 5 else ""}',
                logger='current',
                level=logging.WARNING)
        return finished
    if isinstance(videos, str):
        path, _, key = videos.partition(':') if not osp.isfile(videos) else (videos, '', '')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: video split file not found')
        if path.endswith('.json'):
            with open(path) as f:
                data = json.load(f)
            if isinstance(data, dict):
                if not key or key not in data:
                    raise ValueError(
                        f'{path}: the split file holds a dict with keys {sorted(data)}; name one '
                        f'as "{path}:KEY"')
                data = data[key]
            if not isinstance(data, list):
                raise ValueError(f'{path}: expected a list of video ids')
            return [str(v) for v in data]
        with open(path) as f:
            return [line.strip() for line in f if line.strip() and not line.startswith('#')]
    return [str(v) for v in videos]


def frame_split_hash(video: str, frames: np.ndarray) -> np.ndarray:
    """Deterministic pseudo-uniform numbers in [0, 1) per ``(video, frame)`` (stable across runs/machines)."""
    h = np.uint64((zlib.crc32(video.encode('utf-8')) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF)
    x = np.atleast_1d(np.asarray(frames,
                                 dtype=np.uint64)) * np.uint64(0x9E3779B97F4A7C15) + h  # wraps mod 2**64
    x ^= x >> np.uint64(31)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(29)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


@DATASETS.register_module()
class FlowAugmentedCropDataset(Dataset):
    """Frames of athlete crops (RGB + flow) with the teacher's pose features as distillation targets.

    An item is one frame ``t`` of one video. Its raw info (:meth:`get_data_info`) holds ``crop_dir``,
    ``crop_store`` (the opened :func:`~vpd_mm.datasets.crop_store_reader.open_crop_video` store),
    ``video``, ``frame``, ``prev_frame`` (``t - prev_step``), ``sample_idx`` and, with teachers,
    ``target`` and ``prev_target``: float32 ``(2, D)`` teacher features ``[original, flipped]`` of
    frames ``t`` and ``t - prev_step`` (several teachers are concatenated along D: Concat-VPD). The
    pipeline (``LoadFlowCrop``, augmentations, ``PackDistillationInputs``) turns it into model inputs.

    Frame selection (the weak-supervision gate of the paper), per video:

    * frames with a crop but no teacher embedding are dropped (e.g. a teacher file shorter than the
      video), frames with a teacher embedding but no crop are skipped (no box); both are counted
      and logged;
    * frame ``t`` is kept only if the teacher's ``kp_score`` >= ``min_kp_score`` (the minimum over
      teachers) and frame ``t - prev_step`` has a teacher embedding (the motion target).

    Validation holds out ``val_fraction`` of the kept **frames** (paper), chosen by a fixed hash of
    ``(video, frame)``, so the split does not change when videos are added or removed;
    ``split_by='video'`` holds out whole videos instead (stricter, neighbouring frames are near
    duplicates).

    Epoch length: in training, the dataset holds every kept frame and
    :class:`~vpd_mm.datasets.EpochSubsetSampler` draws ``num_samples_per_epoch`` fresh random frames
    per epoch (deterministic per epoch, so resume and DDP are correct). With ``test_mode`` the dataset
    itself is a fixed, evenly spaced subset of ``num_samples_per_epoch`` frames (stable validation).

    Without ``teacher_dirs`` (inference, ``tools/apply_vpd.py``) every frame of the crop store is an
    item and no targets are given.

    Bad input: a video with crops but no teacher file raises ``FileNotFoundError`` naming the file;
    no frame passing the gate raises ``ValueError`` naming the videos and the threshold.

    Args:
        crop_root: Crop store root (``<crop_root>/<vid>/``).
        teacher_dirs: Directories of teacher embedding files ``<vid>.emb.pkl``; several are
            concatenated (Concat-VPD). Empty: inference mode.
        pipeline: Transform configs.
        videos: Video ids, a split file or None (all finished videos); see :func:`resolve_video_list`.
        split: ``'train'``, ``'val'`` or ``'all'``.
        val_fraction: Held-out fraction for ``'val'``. Defaults to 0.2.
        split_by: ``'frame'`` (paper) or ``'video'``.
        min_kp_score: Confidence gate on the teacher's ``kp_score``. Defaults to 0.5 (paper; 0.7 for
            tennis).
        prev_step: Frames between ``t - 1`` and ``t``; None reads ``meta.json["prev_step"]`` of each
            video (the step the flow was computed with).
        num_samples_per_epoch: Frames per epoch (see above); None = all.
        test_mode: Deterministic fixed subset (validation / test).
    """

    def __init__(self,
                 crop_root: str,
                 teacher_dirs: Union[str, Sequence[str]] = (),
                 pipeline: Sequence[Union[dict, callable]] = (),
                 videos: Union[None, str, Sequence[str]] = None,
                 split: str = 'train',
                 val_fraction: float = 0.2,
                 split_by: str = 'frame',
                 min_kp_score: float = 0.5,
                 prev_step: Optional[int] = None,
                 num_samples_per_epoch: Optional[int] = None,
                 test_mode: bool = False) -> None:
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        if split_by not in ('frame', 'video'):
            raise ValueError(f"split_by must be 'frame' or 'video', got {split_by!r}")
        if not 0 <= val_fraction < 1:
            raise ValueError(f'val_fraction must be in [0, 1), got {val_fraction}')
        if prev_step is not None and prev_step < 1:
            raise ValueError(f'prev_step must be >= 1, got {prev_step}')
        if not osp.isdir(crop_root):
            raise FileNotFoundError(f'{crop_root}: crop store root not found')
        self.crop_root = crop_root
        self.teacher_dirs = [teacher_dirs] if isinstance(teacher_dirs, str) else list(teacher_dirs or [])
        self.split, self.val_fraction, self.split_by = split, float(val_fraction), split_by
        self.min_kp_score = float(min_kp_score)
        self.prev_step = prev_step
        self.num_samples_per_epoch = num_samples_per_epoch
        self.test_mode = test_mode
        self.pipeline = Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])
        self.videos = resolve_video_list(videos, crop_root)
        if not self.videos:
            raise ValueError(f'{crop_root}: no finished crop videos (<vid>/meta.json) to read')
        self._load()

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        self.stores, self.video_names = [], []
        vids, frames, prev_frames, tidx, pidx, target_chunks = [], [], [], [], [], []
        totals: Dict[str, int] = dict(crop_frames=0, no_teacher=0, no_crop=0, low_score=0, no_prev=0, kept=0)
        all_low: List[str] = []
        offset = 0
        for vid in self.videos:
            store = open_crop_video(osp.join(self.crop_root, vid))
            crop_frames = np.asarray(store.frames, dtype=np.int64)
            step = self.prev_step or store.meta.get('prev_step')
            if step is None:
                raise KeyError(f'{store.video_dir}/meta.json: no "prev_step"; pass prev_step to the dataset')
            step = int(step)
            totals['crop_frames'] += len(crop_frames)
            if not self.teacher_dirs:
                keep = crop_frames
                t_rows = p_rows = None
            else:
                t_frames, t_feats, t_score = self._load_teachers(vid)
                has_crop = np.isin(t_frames, crop_frames)
                has_teacher = np.isin(crop_frames, t_frames)
                has_prev = np.isin(t_frames - step, t_frames)
                good = t_score >= self.min_kp_score
                counts = dict(
                    crop_frames=len(crop_frames),
                    no_teacher=int((~has_teacher).sum()),
                    no_crop=int((~has_crop).sum()),
                    low_score=int((has_crop & ~good).sum()),
                    no_prev=int((has_crop & good & ~has_prev).sum()))
                sel = has_crop & good & has_prev
                counts['kept'] = int(sel.sum())
                for k in ('no_teacher', 'no_crop', 'low_score', 'no_prev', 'kept'):
                    totals[k] += counts[k]
                if counts['no_teacher'] or counts['no_crop']:
                    print_log(
                        f'FlowAugmentedCropDataset: {vid}: {counts["no_teacher"]} of {len(crop_frames)} crop '
                        f'frames have no teacher embedding (dropped); {counts["no_crop"]} teacher frames '
                        f'have no crop (skipped)',
                        logger='current',
                        level=logging.WARNING)
                if has_crop.any() and not (has_crop & good).any():
                    all_low.append(vid)
                keep = t_frames[sel]
                t_rows = offset + np.nonzero(sel)[0]
                p_rows = offset + np.searchsorted(t_frames, keep - step)
                target_chunks.append(t_feats)
                offset += len(t_frames)
            in_split = self._split_mask(vid, keep)
            self.stores.append(store)
            self.video_names.append(vid)
            vids.append(np.full(int(in_split.sum()), len(self.stores) - 1, np.int32))
            frames.append(keep[in_split])
            prev_frames.append(keep[in_split] - step)
            if t_rows is not None:
                tidx.append(t_rows[in_split])
                pidx.append(p_rows[in_split])
        self.stats = totals
        if self.teacher_dirs:
            if all_low:
                print_log(
                    f'FlowAugmentedCropDataset: every frame of {all_low} has teacher kp_score < '
                    f'{self.min_kp_score}',
                    logger='current',
                    level=logging.WARNING)
            if totals['kept'] == 0:
                if totals['low_score'] and len(all_low) == len(self.videos):
                    raise ValueError(
                        f'FlowAugmentedCropDataset: all frames of videos {self.videos} are below the '
                        f'confidence threshold min_kp_score={self.min_kp_score} '
                        f'(teachers {self.teacher_dirs})')
                raise ValueError(
                    f'FlowAugmentedCropDataset: no frame of videos {self.videos} passes the gate '
                    f'(min_kp_score={self.min_kp_score}, t - prev_step with a teacher embedding, crop '
                    f'present): {totals}')
            self._targets = np.concatenate(target_chunks).astype(np.float32)
            self._tidx = np.concatenate(tidx).astype(np.int64)
            self._pidx = np.concatenate(pidx).astype(np.int64)
        else:
            self._targets = None
        self._vid = np.concatenate(vids)
        self._frame = np.concatenate(frames).astype(np.int64)
        self._prev_frame = np.concatenate(prev_frames).astype(np.int64)
        if not len(self._vid):
            raise ValueError(
                f'FlowAugmentedCropDataset: split {self.split!r} (val_fraction={self.val_fraction}, '
                f'split_by={self.split_by!r}) of videos {self.videos} holds no frames')
        if self.test_mode and self.num_samples_per_epoch:
            n = min(int(self.num_samples_per_epoch), len(self._vid))
            self._subset = (np.arange(n, dtype=np.int64) * len(self._vid)) // n
        else:
            self._subset = None
        print_log(
            f'FlowAugmentedCropDataset({self.split}): {len(self._vid)} frames of {len(self.videos)} videos ' +
            (f'(gate kp_score >= {self.min_kp_score}; {totals})' if self.teacher_dirs else '(no teacher)'),
            logger='current')

    def _load_teachers(self, vid: str):
        """``(frames (M,), features (M, 2, D_total), kp_score (M,))`` over the teachers' common frames."""
        per_teacher = []
        for tdir in self.teacher_dirs:
            path = osp.join(tdir, vid + EMBEDDING_SUFFIX)
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'{path}: teacher embedding file missing for video {vid!r}, which has crops '
                    f'in {osp.join(self.crop_root, vid)}')
            records = load_embeddings(path)
            t_frames, feats = embeddings_to_array(records)
            if feats.shape[1] != 2:
                raise ValueError(
                    f'{path}: the student needs (2, D) [original, flipped] teacher features, got '
                    f'{records[0][1].shape}')
            try:
                score = np.asarray([float(m['kp_score']) for _, _, m in records], np.float64)
            except KeyError:
                raise KeyError(
                    f'{path}: teacher records lack meta["kp_score"] (the confidence gate)') from None
            per_teacher.append((path, t_frames, feats, score))
        common = per_teacher[0][1]
        for _, f, _, _ in per_teacher[1:]:
            common = np.intersect1d(common, f)
        feats, score = [], np.full(len(common), np.inf)
        for path, f, x, s in per_teacher:
            rows = np.searchsorted(f, common)
            if len(f) != len(common):
                print_log(
                    f'FlowAugmentedCropDataset: {path}: {len(f) - len(common)} frames missing from the other '
                    f'teachers are dropped',
                    logger='current',
                    level=logging.WARNING)
            feats.append(x[rows])
            score = np.minimum(score, s[rows])
        return common, np.concatenate(feats, axis=-1), score

    def _split_mask(self, vid: str, frames: np.ndarray) -> np.ndarray:
        if self.split == 'all' or self.val_fraction == 0:
            return np.ones(len(frames), bool) if self.split != 'val' else np.zeros(len(frames), bool)
        if self.split_by == 'frame':
            is_val = frame_split_hash(vid, frames) < self.val_fraction
        else:
            is_val = np.full(len(frames), float(frame_split_hash(vid, np.zeros(1))[0]) < self.val_fraction)
        return is_val if self.split == 'val' else ~is_val

    # ------------------------------------------------------------------ access
    @property
    def metainfo(self) -> dict:
        """Dataset meta information (embedding size, teachers, split, gate)."""
        return dict(
            embedding_dim=self.embedding_dim,
            teacher_dirs=list(self.teacher_dirs),
            split=self.split,
            min_kp_score=self.min_kp_score,
            num_frames=self.num_frames,
            videos=list(self.video_names))

    @property
    def embedding_dim(self) -> Optional[int]:
        """Size of the (concatenated) teacher features, None without teachers."""
        return None if self._targets is None else int(self._targets.shape[-1])

    @property
    def num_frames(self) -> int:
        """Number of frames in the split (before any fixed ``test_mode`` subset)."""
        return len(self._vid)

    def full_init(self) -> None:
        """Nothing to do: data are indexed in ``__init__`` (kept for mmengine's Runner)."""

    def __len__(self) -> int:
        return len(self._subset) if self._subset is not None else len(self._vid)

    def get_data_info(self, idx: int) -> dict:
        """The raw item ``idx`` before the pipeline."""
        if not 0 <= idx < len(self):
            raise IndexError(f'index {idx} out of range for {len(self)} items')
        k = int(self._subset[idx]) if self._subset is not None else idx
        v = int(self._vid[k])
        store = self.stores[v]
        info = dict(
            crop_dir=store.video_dir,
            crop_store=store,
            video=self.video_names[v],
            frame=int(self._frame[k]),
            prev_frame=int(self._prev_frame[k]),
            sample_idx=idx)
        if self._targets is not None:
            info['target'] = self._targets[self._tidx[k]].copy()
            info['prev_target'] = self._targets[self._pidx[k]].copy()
        return info

    def __getitem__(self, idx: int) -> dict:
        return self.pipeline(copy.copy(self.get_data_info(idx)))

"""mmaction2 ``PoseDataset`` pickles from VPD pose directories (teacher or GT poses).

Format (REFERENCE.md section 6): ``{'split': {name: [frame_dir, ...]}, 'annotations': [{frame_dir,
total_frames, img_shape, original_shape, label, keypoint (1, T, 17, 2) float32, keypoint_score
(1, T, 17) float32}]}``. Frames where the athlete was not found get zero keypoints and scores.
"""
import logging
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from vpd_mm.utils.vpd_files import load_pose_sequence
from vpd_mm.utils.fileio import PathLike, atomic_write_pickle, load_json

logger = logging.getLogger(__name__)


def athlete_pose_array(pose_dir: PathLike, num_frames: int) -> Tuple[np.ndarray, np.ndarray]:
    """The athlete's pose in every frame of a video, zeros where it was not found.

    Returns:
        ``(keypoint (T, 17, 2) float32, keypoint_score (T, 17) float32)`` with ``T = num_frames``.
    """
    frames, kps = load_pose_sequence(pose_dir)
    if len(frames) and frames.max() >= num_frames:
        raise ValueError(f'{pose_dir}: pose at frame {frames.max()} but the video has {num_frames} frames')
    kp = np.zeros((num_frames, 17, 2), np.float32)
    sc = np.zeros((num_frames, 17), np.float32)
    kp[frames] = kps[..., :2]
    sc[frames] = kps[..., 2]
    return kp, sc


def _annotation(frame_dir: str, kp: np.ndarray, sc: np.ndarray, label: int, shape: Tuple[int, int]) -> dict:
    return dict(
        frame_dir=frame_dir,
        label=int(label),
        img_shape=shape,
        original_shape=shape,
        total_frames=int(len(kp)),
        keypoint=kp[None].astype(np.float32),
        keypoint_score=sc[None].astype(np.float32))


def build_pose_datasets(pose_root: PathLike,
                        vids: Sequence[str],
                        annotations_root: Optional[PathLike] = None) -> Dict[str, dict]:
    """Build the per-video and (with SynthSport annotations) per-element PoseDataset dicts.

    Args:
        pose_root: Folder holding ``<vid>/`` pose directories (with ``meta.json``).
        vids: Videos to include (finished ones).
        annotations_root: A SynthSport root with ``annotations/{elements,splits,fewshot}.json``;
            adds the per-element dataset with the split keys of SynthSport's
            ``mmaction/stgcn_gt2d.pkl`` (``train``/``val``/``test``/``train_k{K}_s{S}``).

    Returns:
        ``{'videos': dataset}`` and, with annotations, also ``{'elements': dataset}``. Video labels
        are ``-1``; video splits are SynthSport's video splits, else ``{'all': [...]}``.
    """
    per_video, arrays = [], {}
    for vid in vids:
        d = osp.join(pose_root, vid)
        meta = load_json(osp.join(d, 'meta.json'))
        n = int(meta['num_frames'])
        shape = (int(meta['height']), int(meta['width']))
        kp, sc = athlete_pose_array(d, n)
        arrays[vid] = (kp, sc, shape)
        per_video.append(_annotation(vid, kp, sc, -1, shape))
    out = {}
    if annotations_root is None:
        out['videos'] = dict(split={'all': list(vids)}, annotations=per_video)
        return out
    ann = osp.join(annotations_root, 'annotations')
    elements = load_json(osp.join(ann, 'elements.json'))
    splits = load_json(osp.join(ann, 'splits.json'))
    fewshot = load_json(osp.join(ann, 'fewshot.json')) if osp.isfile(osp.join(ann, 'fewshot.json')) else {}
    split_of = {v: s for s, vs in splits.items() for v in vs}
    out['videos'] = dict(
        split={
            s: [v for v in vs if v in arrays]
            for s, vs in splits.items()
        }, annotations=per_video)
    per_elem: List[dict] = []
    missing = sorted({e['video'] for e in elements if e['video'] not in arrays})
    if missing:
        logger.warning(
            '%d annotated videos have no teacher poses (skipped or not given), their elements are left '
            'out: %s', len(missing), ', '.join(missing[:10]))
    for e in elements:
        if e['video'] not in arrays:
            continue
        kp, sc, shape = arrays[e['video']]
        start, end = int(e['start']), int(e['end'])
        if not 0 <= start < end <= len(kp):
            raise ValueError(
                f'{osp.join(ann, "elements.json")}: element {e["id"]} [{start}, {end}) is outside '
                f'video {e["video"]} ({len(kp)} frames)')
        per_elem.append(_annotation(e['id'], kp[start:end], sc[start:end], e['label'], shape))
    have = {a['frame_dir'] for a in per_elem}
    by_video = {e['id']: e['video'] for e in elements}
    split = {
        s: [e for e in (a['frame_dir'] for a in per_elem) if split_of.get(by_video[e]) == s]
        for s in ('train', 'val', 'test')
    }
    for k, subsets in fewshot.items():
        for i, ids in enumerate(subsets):
            split[f'train_k{k}_s{i}'] = [x for x in ids if x in have]
    out['elements'] = dict(split=split, annotations=per_elem)
    return out


def write_pose_datasets(pose_root: PathLike,
                        out_dir: PathLike,
                        vids: Sequence[str],
                        annotations_root: Optional[PathLike] = None) -> Dict[str, str]:
    """Write ``pose_videos.pkl`` (and ``stgcn_teacher2d.pkl`` per element) into ``out_dir``.

    Returns:
        ``{'videos': path, ['elements': path]}``.
    """
    names = dict(videos='pose_videos.pkl', elements='stgcn_teacher2d.pkl')
    paths = {}
    for key, ds in build_pose_datasets(pose_root, vids, annotations_root).items():
        paths[key] = osp.join(out_dir, names[key])
        atomic_write_pickle(paths[key], ds)
    return paths

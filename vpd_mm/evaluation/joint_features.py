"""Accuracy of "normalized 2D joints" features (a teacher's or a 2D-VPD student's) against the GT's.

Both sides are VPD joint features (:func:`vpd_mm.pose.normalize_coco_pose`): 13 joints x
``(x, y, score - 0.5)`` around the hip centre, scaled so that the largest torso distance is 0.5. Per
frame present in both files (original view), on the GT joints marked visible (GT ``score - 0.5 > 0``):

* ``error``: mean joint distance in those units (reported: the median over the frames, as a teacher's
  features blow up on a few frames with a collapsed torso);
* ``pck``: fraction of joints within ``thr`` (default 0.1, i.e. a fifth of the largest torso distance).

Frames are grouped by SynthSport frame type (:func:`vpd_mm.teachers.evaluate.frame_types`). The student
needs no pose estimate at all, so this compares the teacher and its student on the same frames, and
shows where the student recovers poses the teacher gets wrong (fast, blurred, inverted athletes).
"""
import os
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np

from vpd_mm.datasets.feature_sequence_dataset import find_feature_file
from vpd_mm.teachers.evaluate import FRAME_TYPES, frame_types
from vpd_mm.utils.fileio import PathLike, load_json
from vpd_mm.utils.vpd_files import embeddings_to_array, load_embeddings

NUM_JOINTS = 13


def _joints(path: str) -> Dict[int, np.ndarray]:
    frames, feats = embeddings_to_array(load_embeddings(path))
    if feats.shape[-1] != 3 * NUM_JOINTS:
        raise ValueError(f'{path}: {feats.shape[-1]}-d features, expected normalized 2D joints '
                         f'({3 * NUM_JOINTS}-d)')
    joints = feats[:, 0].reshape(len(frames), NUM_JOINTS, 3)
    if not np.isfinite(joints).all():
        bad = frames[~np.isfinite(joints).all(axis=(1, 2))][:5].tolist()
        raise ValueError(f'{path}: non-finite features at frames {bad}')
    return dict(zip(frames.tolist(), joints))


def evaluate_video(feature_dirs: Dict[str, PathLike], gt_dir: PathLike, data_root: PathLike, vid: str,
                   thr: float = 0.1, fast_thr: float = 10.0, blur_thr: float = 5.0) -> dict:
    """Per-frame ``{name: (error (N,), pck (N,))}`` on the frames every source has, and their types."""
    gt = _joints(find_feature_file(os.fspath(gt_dir), vid))
    preds = {name: _joints(find_feature_file(os.fspath(d), vid)) for name, d in feature_dirs.items()}
    info = load_json(osp.join(data_root, 'gt', vid, 'frame_info.json'))
    types = frame_types(info, fast_thr, blur_thr)
    frames = sorted(set(gt).intersection(*[set(p) for p in preds.values()]))
    frames = [f for f in frames if f < len(info['limb_speed']) and (gt[f][:, 2] > 0).any()]
    out = dict(frames=np.asarray(frames, np.int64), types={k: v[frames] for k, v in types.items()})
    for name, pred in preds.items():
        err, pck = np.zeros(len(frames)), np.zeros(len(frames))
        for i, f in enumerate(frames):
            vis = gt[f][:, 2] > 0
            d = np.linalg.norm(pred[f][vis, :2] - gt[f][vis, :2], axis=1)
            err[i], pck[i] = d.mean(), (d <= thr).mean()
        out[name] = (err, pck)
    return out


def evaluate_joint_features(feature_dirs: Dict[str, PathLike], gt_dir: PathLike, data_root: PathLike,
                            vids: Optional[Sequence[str]] = None, thr: float = 0.1, fast_thr: float = 10.0,
                            blur_thr: float = 5.0) -> dict:
    """``{'frames': {type: count}, name: {type: {'pck', 'error'}}}`` over ``vids`` (default: every GT file).

    Frame means (each frame weighs the same) on the frames that every source and the GT have.
    """
    if vids is None:
        if not osp.isdir(gt_dir):
            raise FileNotFoundError(f'{gt_dir}: GT feature folder not found')
        vids = sorted(f.split('.')[0] for f in os.listdir(gt_dir) if f.endswith('.pkl'))
    if not vids:
        raise FileNotFoundError(f'{gt_dir}: no GT feature files')
    parts = [evaluate_video(feature_dirs, gt_dir, data_root, vid, thr, fast_thr, blur_thr) for vid in vids]
    masks = {t: np.concatenate([p['types'][t] for p in parts]) for t in FRAME_TYPES}
    masks = dict(all=np.ones_like(masks['calm']), **masks)
    result = dict(thr=thr, videos=len(vids), frames={t: int(m.sum()) for t, m in masks.items()})
    for name in feature_dirs:
        err = np.concatenate([p[name][0] for p in parts])
        pck = np.concatenate([p[name][1] for p in parts])
        result[name] = {
            t: dict(pck=float(pck[m].mean()) if m.any() else None, error=float(np.median(err[m])) if m.any() else None)
            for t, m in masks.items()
        }
    return result


def format_joint_feature_table(result: dict) -> str:
    """Markdown: PCK (%) and mean error per source (rows) and frame type (columns)."""
    types = list(result['frames'])
    lines = [f'PCK@{result["thr"]} (normalized joint units, %) / median joint error, {result["videos"]} videos',
             '', '| features | ' + ' | '.join(f'{t} ({result["frames"][t]})' for t in types) + ' |',
             '|---|' + '---|' * len(types)]
    for name, rows in result.items():
        if isinstance(rows, dict) and 'all' in rows and isinstance(rows['all'], dict):
            cells = [f'{100 * rows[t]["pck"]:.1f} / {rows[t]["error"]:.3f}' if rows[t]['pck'] is not None else '-'
                     for t in types]
            lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'

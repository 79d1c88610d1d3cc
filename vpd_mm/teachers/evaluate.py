"""Evaluate teacher pose files against SynthSport's ground truth.

Per frame of every video with GT (``ROOT/pose/<vid>/`` GT athlete boxes and joints,
``ROOT/gt/<vid>/frame_info.json`` flags):

* Tracking: IoU of the predicted athlete box (``boxes.json``) with the GT athlete box, 0 where the
  athlete was not found; mean IoU, fraction of frames with IoU > 0.5, coverage. Identity switches:
  the number of times the predicted box leaves the athlete (a frame with IoU < ``off_iou`` = 0.1
  after frames with IoU >= 0.5; frames in between keep the previous state), i.e. jumps to another
  person or to clutter; ``off_athlete_frames`` counts the frames spent there.
* Pose: PCK@``pck_thr`` of the athlete's pose (the ``coco_keypoints`` entry matching
  ``boxes.json``, as :func:`vpd_mm.pose.pose_features.load_pose_sequence` reads it) on the GT
  joints marked visible (``v = 1``). Main normaliser: the GT box's longer side (mmpose's
  ``PCKAccuracy(norm_item='bbox')``); also reported: the torso size (mean of left-shoulder/right-hip
  and right-shoulder/left-hip distances). Frames without a predicted pose count all their visible
  joints as wrong.
* Frame types: ``fast`` (``limb_speed > fast_thr`` px/frame), ``inverted``, ``blurred``
  (``blur > blur_thr`` px), ``occluded`` (any joint hidden by an occluder/distractor) and ``calm``
  (none of these); a frame can be of several types.
* Keypoint scores: the athlete's mean keypoint score per frame: quantiles and a histogram on
  ``[0, 1]`` (scores above 1 fall into the last bin).
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from vpd_mm.tracking import iou_matrix, xywh_to_xyxy
from vpd_mm.utils.fileio import PathLike, atomic_write_json, load_json
from vpd_mm.utils.vpd_files import load_boxes, load_coco_keypoints, load_pose_sequence

FRAME_TYPES = ('calm', 'fast', 'inverted', 'blurred', 'occluded')
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def frame_types(info: dict, fast_thr: float, blur_thr: float) -> Dict[str, np.ndarray]:
    """Boolean masks per frame type from a SynthSport ``frame_info.json`` dict."""
    fast = np.asarray(info['limb_speed'], np.float64) > fast_thr
    inv = np.asarray(info['inverted'], bool)
    blur = np.asarray(info['blur'], np.float64) > blur_thr
    occ = np.asarray(info['occluded'], np.float64) > 0
    return dict(calm=~(fast | inv | blur | occ), fast=fast, inverted=inv, blurred=blur, occluded=occ)


def _torso(kp: np.ndarray) -> float:
    return float(0.5 * (np.linalg.norm(kp[5, :2] - kp[12, :2]) + np.linalg.norm(kp[6, :2] - kp[11, :2])))


def evaluate_video(pred_dir: PathLike,
                   gt_root: PathLike,
                   vid: str,
                   pck_thr: float = 0.2,
                   fast_thr: float = 10.0,
                   blur_thr: float = 5.0,
                   off_iou: float = 0.1) -> Dict[str, np.ndarray]:
    """Per-frame arrays of one video (see the module docstring for the definitions).

    Returns:
        ``{iou, found, correct_bbox, correct_torso, visible, kp_score, types: {...}, switches}``
        with per-frame arrays over the GT frames (``correct_*`` / ``visible`` are ``(T, 17)``).
    """
    gt_boxes = load_boxes(osp.join(gt_root, 'pose', vid, 'boxes.json'))
    gt_kps = load_coco_keypoints(osp.join(gt_root, 'pose', vid, 'coco_keypoints.json.gz'))
    info = load_json(osp.join(gt_root, 'gt', vid, 'frame_info.json'))
    types = frame_types(info, fast_thr, blur_thr)
    n = len(info['limb_speed'])
    pred_boxes = load_boxes(osp.join(pred_dir, 'boxes.json'))
    try:
        pf, pk = load_pose_sequence(pred_dir)
    except ValueError:
        pf, pk = np.zeros(0, np.int64), np.zeros((0, 17, 3), np.float32)
    pred_pose = dict(zip(pf.tolist(), pk))
    frames = np.array(sorted(f for f in gt_boxes if f < n), np.int64)
    iou = np.zeros(len(frames))
    found = np.zeros(len(frames), bool)
    correct_b = np.zeros((len(frames), 17), bool)
    correct_t = np.zeros((len(frames), 17), bool)
    visible = np.zeros((len(frames), 17), bool)
    kp_score = np.full(len(frames), np.nan)
    for i, f in enumerate(frames.tolist()):
        g = xywh_to_xyxy(gt_boxes[f])
        if f in pred_boxes:
            iou[i] = iou_matrix(xywh_to_xyxy(pred_boxes[f]), g)[0, 0]
            found[i] = True
        if f in gt_kps and gt_kps[f]:
            gk = gt_kps[f][0][2]
            visible[i] = gk[:, 2] > 0
            if f in pred_pose:
                d = np.linalg.norm(pred_pose[f][:, :2] - gk[:, :2], axis=1)
                correct_b[i] = d <= pck_thr * max(gt_boxes[f][2], gt_boxes[f][3])
                correct_t[i] = d <= pck_thr * max(_torso(gk), 1.0)
        if f in pred_pose:
            kp_score[i] = float(pred_pose[f][:, 2].mean())
    # identity switches: on-athlete -> off-athlete transitions
    state, switches, off = None, 0, 0
    for v, fd in zip(iou, found):
        if not fd:
            continue
        if v >= 0.5:
            state = 'on'
        elif v < off_iou:
            off += 1
            if state == 'on':
                switches += 1
            state = 'off'
    return dict(
        frames=frames,
        iou=iou,
        found=found,
        correct_bbox=correct_b,
        correct_torso=correct_t,
        visible=visible,
        kp_score=kp_score,
        switches=switches,
        off_frames=off,
        types={
            k: v[frames]
            for k, v in types.items()
        })


def _summary(parts: Sequence[dict]) -> dict:
    cat = {
        k: np.concatenate([p[k] for p in parts])
        for k in ('iou', 'found', 'correct_bbox', 'correct_torso', 'visible', 'kp_score')
    }
    types = {k: np.concatenate([p['types'][k] for p in parts]) for k in FRAME_TYPES}
    vis = cat['visible']

    def pck(correct, mask):
        v = vis[mask]
        return float((correct[mask] & v).sum() / v.sum()) if v.sum() else None

    all_mask = np.ones(len(cat['iou']), bool)
    out = dict(
        frames=int(len(cat['iou'])),
        tracking=dict(
            mean_iou=float(cat['iou'].mean()),
            iou_gt_0_5=float((cat['iou'] > 0.5).mean()),
            coverage=float(cat['found'].mean()),
            id_switches=int(sum(p['switches'] for p in parts)),
            off_athlete_frames=int(sum(p['off_frames'] for p in parts))),
        pck_bbox=pck(cat['correct_bbox'], all_mask),
        pck_torso=pck(cat['correct_torso'], all_mask),
        by_type={})
    for k in FRAME_TYPES:
        m = types[k]
        s = cat['kp_score'][m]
        s = s[np.isfinite(s)]
        out['by_type'][k] = dict(
            frames=int(m.sum()),
            pck_bbox=pck(cat['correct_bbox'], m),
            pck_torso=pck(cat['correct_torso'], m),
            mean_iou=float(cat['iou'][m].mean()) if m.any() else None,
            mean_kp_score=float(s.mean()) if len(s) else None)
    s = cat['kp_score'][np.isfinite(cat['kp_score'])]
    hist, edges = np.histogram(np.clip(s, 0, 1), bins=10, range=(0, 1))
    out['kp_score'] = dict(
        mean=float(s.mean()) if len(s) else None,
        quantiles={str(q): float(np.quantile(s, q))
                   for q in QUANTILES} if len(s) else {},
        histogram=dict(edges=edges.round(3).tolist(), counts=hist.astype(int).tolist()))
    return out


def evaluate_teacher(pred_pose_root: PathLike,
                     gt_root: PathLike,
                     vids: Optional[Sequence[str]] = None,
                     pck_thr: float = 0.2,
                     fast_thr: float = 10.0,
                     blur_thr: float = 5.0,
                     out_file: Optional[PathLike] = None) -> dict:
    """Evaluate the teacher pose files of ``pred_pose_root/<vid>/`` against SynthSport GT.

    Args:
        pred_pose_root: Folder of predicted pose dirs (``OUT/pose``).
        gt_root: SynthSport root (``pose/``, ``gt/``).
        vids: Videos to evaluate; default: every GT video.
        pck_thr: PCK threshold (fraction of the normaliser).
        fast_thr: ``limb_speed`` threshold of fast frames (px/frame).
        blur_thr: ``blur`` threshold of blurred frames (px).
        out_file: Optional JSON destination (written atomically).

    Returns:
        ``{settings, overall, per_video, missing_videos}``; ``overall`` covers the finished videos
        only, ``missing_videos`` lists GT videos without a finished prediction (skipped or absent).
    """
    gt_pose = osp.join(gt_root, 'pose')
    if not osp.isdir(gt_pose):
        raise FileNotFoundError(f'{gt_pose}: SynthSport GT pose folder not found')
    if vids is None:
        vids = [v for v in os.listdir(gt_pose) if osp.isdir(osp.join(gt_pose, v))]
    vids = sorted(vids)
    parts: List[dict] = []
    per_video, missing = {}, []
    for vid in vids:
        pred_dir = osp.join(pred_pose_root, vid)
        if not osp.isfile(osp.join(pred_dir, 'meta.json')):
            missing.append(vid)
            continue
        p = evaluate_video(pred_dir, gt_root, vid, pck_thr, fast_thr, blur_thr)
        parts.append(p)
        per_video[vid] = _summary([p])
    result = dict(
        settings=dict(
            pck_thr=pck_thr,
            fast_thr=fast_thr,
            blur_thr=blur_thr,
            joints='GT visible (v=1)',
            pck_bbox_norm='GT box longer side',
            pck_torso_norm='GT torso (shoulder-hip diagonals)',
            id_switch='IoU>=0.5 -> IoU<0.1 transitions'),
        overall=_summary(parts) if parts else None,
        per_video=per_video,
        missing_videos=missing)
    if out_file is not None:
        atomic_write_json(out_file, result, indent=1)
    return result


def _fmt(v, pct=True):
    if v is None:
        return '-'
    return f'{100 * v:.1f}' if pct else f'{v:.3f}'


def format_report(result: dict) -> str:
    """A markdown table of :func:`evaluate_teacher`'s result."""
    o = result['overall']
    if o is None:
        return f'no finished videos to evaluate (missing: {", ".join(result["missing_videos"])})'
    t = o['tracking']
    lines = [
        f'Teacher vs SynthSport GT: {o["frames"]} frames, {len(result["per_video"])} videos' +
        (f' (missing: {", ".join(result["missing_videos"])})' if result['missing_videos'] else ''),
        '',
        '| tracking | mean IoU | IoU>0.5 % | coverage % | id switches | off-athlete frames |',
        '|---|---|---|---|---|---|',
        f'| athlete box | {t["mean_iou"]:.3f} | {_fmt(t["iou_gt_0_5"])} | {_fmt(t["coverage"])} | '
        f'{t["id_switches"]} | {t["off_athlete_frames"]} |',
        '',
        f'| frames (PCK@{result["settings"]["pck_thr"]}) | n | PCK bbox % | PCK torso % | mean IoU | '
        'mean kp score |',
        '|---|---|---|---|---|---|',
        f'| all | {o["frames"]} | {_fmt(o["pck_bbox"])} | {_fmt(o["pck_torso"])} | {t["mean_iou"]:.3f} | '
        f'{_fmt(o["kp_score"]["mean"], False)} |',
    ]
    for k, v in o['by_type'].items():
        lines.append(f'| {k} | {v["frames"]} | {_fmt(v["pck_bbox"])} | {_fmt(v["pck_torso"])} | '
                     f'{_fmt(v["mean_iou"], False)} | {_fmt(v["mean_kp_score"], False)} |')
    q = o['kp_score']['quantiles']
    h = o['kp_score']['histogram']
    lines += [
        '', 'mean keypoint score quantiles: ' + ', '.join(f'q{float(k):.2f}={v:.3f}' for k, v in q.items()),
        'histogram [0,1] 10 bins: ' + ' '.join(str(c) for c in h['counts'])
    ]
    return '\n'.join(lines)

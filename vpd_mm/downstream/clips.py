"""What the teacher (and the students) extracted from unlabelled clips: skeleton overlays, the teacher's
confidence over time and per-clip figures, as a report section (``task='clips'``).

For videos without labels nothing can be scored; this shows what a user needs to trust the stages:
was the athlete found, where, with which pose and how confidently, and did every feature set embed
its frames.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from vpd_mm.pose.draw import draw_pose
from vpd_mm.pose.pose_features import EMBEDDING_SUFFIX, load_pose_sequence
from vpd_mm.utils.fileio import atomic_save_figure, atomic_write_json, load_json
from vpd_mm.utils.vpd_files import load_boxes, load_embeddings

#: Mean keypoint score below which a frame counts as unsure (the students' default gate is 0.5).
UNSURE_SCORE = 0.5


def _frames_at(path: str, wanted: Sequence[int]) -> Dict[int, np.ndarray]:
    want, out = set(wanted), {}
    cap = cv2.VideoCapture(path)
    i = 0
    try:
        while want - set(out):
            ok = cap.grab()
            if not ok:
                break
            if i in want:
                ok, img = cap.retrieve()
                if ok:
                    out[i] = img
            i += 1
    finally:
        cap.release()
    return out


def clip_summary(vid: str, video: str, pose_dir: str, feature_dirs: Dict[str, str]) -> dict:
    """Figures of one clip: frames, athlete frames, keypoint scores, embedded frames per feature set."""
    meta_path, skip_path = osp.join(pose_dir, 'meta.json'), osp.join(pose_dir, 'skipped.json')
    if not osp.isfile(meta_path):
        reason = load_json(skip_path)['reason'] if osp.isfile(skip_path) else 'no pose files (not extracted)'
        return dict(video=vid, skipped=reason)
    meta = load_json(meta_path)
    frames, poses = load_pose_sequence(pose_dir)
    scores = poses[..., 2].mean(1)
    out = dict(
        video=vid,
        frames=int(meta['num_frames']),
        size=f"{meta['width']}x{meta['height']}",
        fps=float(meta['fps']),
        athlete_frames=int(len(frames)),
        found=float(len(frames) / max(1, meta['num_frames'])),
        bridged_frames=int(meta.get('filled_frames', 0)),
        mean_kp_score=float(scores.mean()),
        unsure_frames=int((scores < UNSURE_SCORE).sum()),
        features={})
    for name, d in feature_dirs.items():
        path = osp.join(d, f'{vid}{EMBEDDING_SUFFIX}')
        out['features'][name] = len(load_embeddings(path)) if osp.isfile(path) else 0
    return out


def clip_overlays(video: str, pose_dir: str, num: int = 4, height: int = 160) -> List[np.ndarray]:
    """``num`` evenly spaced athlete frames with the teacher's skeleton and box drawn, ``height`` px high."""
    frames, poses = load_pose_sequence(pose_dir)
    boxes = load_boxes(osp.join(pose_dir, 'boxes.json'))
    pick = frames[np.linspace(0, len(frames) - 1, num).round().astype(int)] if len(frames) else []
    images = _frames_at(video, [int(f) for f in pick])
    out = []
    for f in pick:
        img = images.get(int(f))
        if img is None:
            continue
        i = int(np.searchsorted(frames, f))
        thick = max(1, round(img.shape[0] / 300))
        drawn = draw_pose(img, poses[i], boxes.get(int(f)), score_thr=UNSURE_SCORE, thickness=thick)
        scale = height / img.shape[0]
        drawn = cv2.resize(drawn, (max(1, round(img.shape[1] * scale)), height), interpolation=cv2.INTER_AREA)
        cv2.putText(drawn, f'frame {int(f)}  score {poses[i, :, 2].mean():.2f}', (4, 14), cv2.FONT_HERSHEY_SIMPLEX,
                    0.4, (255, 255, 255), 1, cv2.LINE_AA)
        out.append(drawn)
    return out


def clips_figure(rows: List[Tuple[str, List[np.ndarray], Optional[Tuple[np.ndarray, np.ndarray]]]], path: str) -> None:
    """One PNG: per clip, its overlays and the teacher's mean keypoint score over time."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(rows), 2, figsize=(13, 2.3 * len(rows)), squeeze=False,
                             gridspec_kw=dict(width_ratios=[3, 1.2]))
    for (vid, overlays, series), (ax_img, ax_plot) in zip(rows, axes):
        if overlays:
            ax_img.imshow(cv2.cvtColor(np.concatenate(overlays, axis=1), cv2.COLOR_BGR2RGB))
        ax_img.set_title(vid, fontsize=9, loc='left')
        ax_img.axis('off')
        if series is not None:
            frames, score = series
            ax_plot.plot(frames, score, lw=1)
            ax_plot.axhline(UNSURE_SCORE, color='grey', lw=0.8, ls='--')
        ax_plot.set_ylim(0, 1.02)
        ax_plot.set_xlabel('frame', fontsize=8)
        ax_plot.set_ylabel('mean kp score', fontsize=8)
        ax_plot.tick_params(labelsize=7)
    fig.tight_layout()
    atomic_save_figure(fig, path, dpi=80)


def clips_report(videos: Sequence[Tuple[str, str]], pose_root: str, out_dir: str,
                 feature_dirs: Optional[Dict[str, str]] = None, overlays: int = 4) -> dict:
    """Write ``out_dir/clips.json`` (``task='clips'``) and ``out_dir/clips.png``.

    Args:
        videos: ``(vid, path)`` pairs.
        pose_root: The teacher's ``pose/`` folder.
        out_dir: Output folder.
        feature_dirs: ``{name: folder of <vid>.emb.pkl}`` feature sets whose coverage is counted.
        overlays: Overlay frames per clip.

    Returns:
        The summary written to ``clips.json``.
    """
    feature_dirs = dict(feature_dirs or {})
    rows, fig_rows = [], []
    for vid, path in videos:
        pose_dir = osp.join(pose_root, vid)
        summary = clip_summary(vid, path, pose_dir, feature_dirs)
        rows.append(summary)
        if 'skipped' in summary:
            fig_rows.append((f"{vid}: skipped ({summary['skipped'][:80]})", [], None))
            continue
        frames, poses = load_pose_sequence(pose_dir)
        fig_rows.append((f"{vid} ({summary['size']}, {summary['frames']} frames, athlete in "
                         f"{100 * summary['found']:.0f} %)", clip_overlays(path, pose_dir, overlays),
                         (frames, poses[..., 2].mean(1))))
    plot = osp.join(out_dir, 'clips.png')
    clips_figure(fig_rows, plot)
    result = dict(task='clips', clips=rows, unsure_score=UNSURE_SCORE, plot=plot)
    atomic_write_json(osp.join(out_dir, 'clips.json'), result, indent=1)
    return result


def clips_markdown(result: dict) -> str:
    """Table of the per-clip figures."""
    names = sorted({n for r in result['clips'] for n in r.get('features', {})})
    lines = ['| clip | size | frames | athlete found | bridged | mean kp score | unsure frames | ' +
             ' | '.join(f'{n} frames' for n in names) + ' |', '|---|' + '---|' * (6 + len(names))]
    for r in result['clips']:
        if 'skipped' in r:
            lines.append(f"| {r['video']} | skipped: {r['skipped']} |" + ' |' * (5 + len(names)))
            continue
        lines.append(f"| {r['video']} | {r['size']} | {r['frames']} | {100 * r['found']:.1f} % | {r['bridged_frames']} | "
                     f"{r['mean_kp_score']:.2f} | {r['unsure_frames']} | " +
                     ' | '.join(str(r['features'][n]) for n in names) + ' |')
    return '\n'.join(lines) + (f"\n\nUnsure: mean keypoint score below {result['unsure_score']} (the students' "
                               'default confidence gate). The figure shows the teacher\'s skeleton on evenly '
                               'spaced frames and its confidence over time.\n')

"""Tiny synthetic crop stores and teacher files in the contract formats, for tests and benchmarks.

:func:`write_synthetic_crop_video` writes ``rgb.npy``, ``flow.npy``, ``frames.npy`` (and optionally
``mask.npy``) and ``meta.json`` last, as CONTRACT_VPD.md specifies; :func:`write_synthetic_teacher`
writes an embedding pickle ``(frame, (2, D) [original, flipped], {'kp_score'})``. The content is
random but reproducible; the "teacher" features are a fixed random projection of the crop's
colour statistics, so a student can learn them.
"""
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np

from ..crops.quantize import FLOW_ZERO_LEVEL
from ..utils.fileio import atomic_write_json
from ..utils.vpd_files import save_embeddings


def synthetic_crops(num_frames: int, size: int, seed: int = 0) -> np.ndarray:
    """``(N, S, S, 3)`` uint8 crops: a coloured blob that moves over a noisy background."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    out = rng.integers(0, 60, (num_frames, size, size, 3), dtype=np.uint8)
    for i in range(num_frames):
        cy, cx = size * (0.5 + 0.3 * np.sin(0.2 * i + seed)), size * (0.5 + 0.3 * np.cos(0.13 * i))
        blob = ((yy - cy)**2 + (xx - cx)**2) < (size / 4)**2
        out[i][blob] = (np.array([200, 120, 40]) + 50 * np.sin([0.1 * i, 0.05 * i, 0.07 * i])).astype(
            np.uint8)
    return out


def write_synthetic_crop_video(video_dir: str,
                               frames: Sequence[int],
                               size: int = 32,
                               prev_step: int = 1,
                               with_mask: bool = False,
                               seed: int = 0,
                               write_meta: bool = True) -> None:
    """Write one finished video directory of the crop store (``meta.json`` last)."""
    frames = np.asarray(frames, dtype=np.int64)
    os.makedirs(video_dir, exist_ok=True)
    rng = np.random.default_rng(seed + 1)
    rgb = synthetic_crops(len(frames), size, seed)
    flow = np.clip(FLOW_ZERO_LEVEL + rng.normal(0, 8, (len(frames), size, size, 2)), 0, 255).astype(np.uint8)
    np.save(osp.join(video_dir, 'rgb.npy'), rgb)
    np.save(osp.join(video_dir, 'flow.npy'), flow)
    np.save(osp.join(video_dir, 'frames.npy'), frames)
    if with_mask:
        np.save(osp.join(video_dir, 'mask.npy'), (rgb[..., 0] > 100).astype(np.uint8))
    if write_meta:
        num = int(frames.max()) + 1 if len(frames) else 0
        atomic_write_json(
            osp.join(video_dir, 'meta.json'),
            dict(
                crop_size=size,
                pad_frac=0.1,
                min_pad=25,
                flow='dis',
                prev_step=prev_step,
                fps=25.0,
                num_frames=num,
                boxes_file='boxes.json',
                version=1,
                format='npy',
                num_rows=len(frames),
                no_prev_frames=[int(f) for f in frames if f - prev_step < 0]))


def write_synthetic_teacher(path: str,
                            frames: Sequence[int],
                            dim: int = 8,
                            kp_score: Optional[Sequence[float]] = None,
                            crops: Optional[np.ndarray] = None,
                            seed: int = 0) -> None:
    """Write a teacher embedding pickle for ``frames``.

    Args:
        path: Output ``<vid>.emb.pkl``.
        frames: Frame numbers.
        dim: Feature size D.
        kp_score: Per-frame ``kp_score`` (default 1.0).
        crops: Optional ``(N, S, S, 3)`` crops of those frames: features are then a fixed projection of
            their per-quadrant mean colours (flipped: of the mirrored crop), otherwise random.
        seed: Random seed.
    """
    frames = np.asarray(frames, dtype=np.int64)
    rng = np.random.default_rng(seed)
    if crops is None:
        feats = rng.normal(size=(len(frames), 2, dim)).astype(np.float32)
    else:
        proj = np.random.default_rng(1234).normal(size=(12, dim)).astype(np.float32) / 100

        def stats(c):
            h, w = c.shape[1] // 2, c.shape[2] // 2
            q = [c[:, :h, :w], c[:, :h, w:], c[:, h:, :w], c[:, h:, w:]]
            return np.concatenate([x.reshape(len(c), -1, 3).mean(1) for x in q], axis=1).astype(np.float32)

        feats = np.stack([stats(crops) @ proj, stats(crops[:, :, ::-1]) @ proj], axis=1)
    scores = np.ones(len(frames)) if kp_score is None else np.asarray(kp_score, np.float64)
    save_embeddings(path, [(int(f), feats[i], {'kp_score': float(scores[i])}) for i, f in enumerate(frames)])

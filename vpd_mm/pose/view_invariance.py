"""Cross-view pose retrieval: how view-invariant is a 2D pose feature?

For N different held-out 3D poses, each pose is projected from two independent random cameras
(:mod:`vpd_mm.pose.camera`). A query is view A of pose i; the candidates are view B of all N poses;
the query is correct when view B of pose i is its nearest candidate (Euclidean distance in the
feature space). The accuracy is averaged over all queries of all groups of N poses.
"""
from typing import Callable, Dict, List, Sequence

import numpy as np

from .camera import random_camera_rotations, project_orthographic
from .canonical3d import canonical_bone_directions
from .normalize import normalize_coco_pose

FeatureFn = Callable[[np.ndarray], np.ndarray]


def sample_distinct_poses(sequences: Sequence[np.ndarray],
                          num: int,
                          rng: np.random.Generator,
                          min_angle: float = 45.0,
                          max_draws_factor: int = 50) -> np.ndarray:
    """Draw up to ``num`` poses, each differing from all earlier ones by VIPE*'s negative rule.

    Frames are drawn uniformly over all frames of ``sequences``; a draw is kept when some bone
    direction differs by at least ``min_angle`` degrees from every kept pose, so that "the other
    view of the same pose" is well defined.

    Returns:
        ``(M, 17, 3)`` poses, ``M <= num``.
    """
    lengths = np.asarray([len(s) for s in sequences])
    if lengths.sum() == 0:
        raise ValueError('sample_distinct_poses: no frames')
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    cos_thr = np.cos(np.radians(min_angle))
    kept: List[np.ndarray] = []
    kept_dirs = np.zeros((0, 13, 3), np.float32)
    for _ in range(num * max_draws_factor):
        if len(kept) >= num:
            break
        k = int(rng.integers(offsets[-1]))
        s = int(np.searchsorted(offsets, k, side='right') - 1)
        pose = np.asarray(sequences[s][k - offsets[s]], np.float32)
        dirs = canonical_bone_directions(pose)
        if len(kept_dirs) and not ((kept_dirs * dirs).sum(-1).min(-1) <= cos_thr).all():
            continue
        kept.append(pose)
        kept_dirs = np.concatenate([kept_dirs, dirs[None]])
    return np.stack(kept)


def two_view_poses(poses: np.ndarray, rng: np.random.Generator, random_scores: bool = False) -> np.ndarray:
    """Project each pose ``(N, 17, 3)`` from two random cameras: ``(2, N, 17, 3)`` COCO [x, y, score]."""
    views = []
    for _ in range(2):
        xy = project_orthographic(poses, random_camera_rotations(rng, len(poses)))
        score = rng.uniform(
            0.5, 1.0, size=xy.shape[:-1] + (1, )) if random_scores else np.ones(xy.shape[:-1] + (1, ))
        views.append(np.concatenate([xy, score.astype(np.float32)], -1))
    return np.stack(views)


def retrieval_accuracy(query: np.ndarray, gallery: np.ndarray) -> float:
    """Fraction of rows i of ``query`` whose nearest row of ``gallery`` (Euclidean) is row i."""
    query, gallery = np.asarray(query, np.float64), np.asarray(gallery, np.float64)
    if query.shape != gallery.shape or query.ndim != 2:
        raise ValueError(f'query and gallery must both be (N, D), got {query.shape} and {gallery.shape}')
    d = (query**2).sum(1)[:, None] - 2 * query @ gallery.T + (gallery**2).sum(1)[None]
    return float((d.argmin(1) == np.arange(len(query))).mean())


def distance_ratio(query: np.ndarray, gallery: np.ndarray) -> float:
    """Mean distance of row i of ``query`` to row i of ``gallery`` (same pose, other view) divided by
    the mean distance to the other rows (different poses): 0 is perfectly view-invariant, about 1 is a
    feature that cannot tell the pose from the view."""
    query, gallery = np.asarray(query, np.float64), np.asarray(gallery, np.float64)
    if query.shape != gallery.shape or query.ndim != 2 or len(query) < 2:
        raise ValueError(f'query and gallery must both be (N >= 2, D), got {query.shape} and {gallery.shape}')
    d = np.sqrt(np.maximum((query**2).sum(1)[:, None] - 2 * query @ gallery.T + (gallery**2).sum(1)[None], 0))
    same = np.diag(d)
    other = (d.sum() - same.sum()) / (d.size - len(d))
    return float(same.mean() / max(other, 1e-12))


def normalized_joints_feature(poses2d: np.ndarray) -> np.ndarray:
    """The "normalized 2D joints" baseline feature (39-d) of ``(N, 17, 3)`` poses."""
    return normalize_coco_pose(poses2d)


def view_invariance(poses: np.ndarray,
                    features: Dict[str, FeatureFn],
                    rng: np.random.Generator,
                    num_candidates: int = 100,
                    random_scores: bool = False) -> Dict[str, float]:
    """Cross-view retrieval accuracy of each feature on the same random views.

    Args:
        poses: ``(M, 17, 3)`` distinct 3D poses (y up), see :func:`sample_distinct_poses`.
        features: Name -> function mapping ``(N, 17, 3)`` 2D poses to ``(N, D)`` features.
        rng: Random generator (cameras).
        num_candidates: Group size N (candidates per query); ``M // N`` groups are evaluated.
        random_scores: Random confidences U(0.5, 1) instead of 1.

    Returns:
        Name -> accuracy, ``'<name>/distance_ratio'`` -> :func:`distance_ratio` (mean over the
        groups), plus ``'num_queries'`` and ``'num_candidates'``.
    """
    num_groups = len(poses) // num_candidates
    if num_groups < 1:
        raise ValueError(f'need at least num_candidates={num_candidates} poses, got {len(poses)}')
    views = two_view_poses(poses[:num_groups * num_candidates], rng, random_scores)
    out: Dict[str, float] = {}
    for name, fn in features.items():
        fa, fb = np.asarray(fn(views[0])), np.asarray(fn(views[1]))
        accs = [
            retrieval_accuracy(fa[g * num_candidates:(g + 1) * num_candidates],
                               fb[g * num_candidates:(g + 1) * num_candidates]) for g in range(num_groups)
        ]
        out[name] = float(np.mean(accs))
        out[f'{name}/distance_ratio'] = float(
            np.mean([
                distance_ratio(fa[g * num_candidates:(g + 1) * num_candidates],
                               fb[g * num_candidates:(g + 1) * num_candidates]) for g in range(num_groups)
            ]))
    out['num_queries'] = num_groups * num_candidates
    out['num_candidates'] = num_candidates
    return out

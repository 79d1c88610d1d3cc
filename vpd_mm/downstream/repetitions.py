"""Repetition counting from per-frame features: without training (periodicity) and with a per-frame BiGRU.

* :func:`count_by_periodicity`: the features' autocorrelation (the mean of the self-similarity
  matrix's diagonals) gives the repetition period; the repetitions are the peaks, at least 0.6 periods
  apart, of the first principal component of the smoothed features. No label is used.
* :func:`plan_spotting` / :func:`submit_spotting` / :func:`spotting_predictions`: repetition
  boundaries spotted by the project's per-frame BiGRU detector
  (:class:`~vpd_mm.models.recognizers.FrameBiGRUDetector`, trained with the mmengine Runner through
  :func:`vpd_mm.downstream.detection.run_fold`) cross-validated over clips: every clip is predicted by
  the model that did not train on it. Frames within ``radius`` of a marker are the positives; the
  events are the activation's peaks, the count the peaks above ``count_threshold``.

Both return per-clip predictions ``{clip: dict(count, frames, scores)}``; :func:`counting_summary`
scores them against the markers (:mod:`vpd_mm.evaluation.functional.repetitions`).
"""
import copy
import os.path as osp
import pickle
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config

from vpd_mm.evaluation.functional.bootstrap import bootstrap_ci
from vpd_mm.evaluation.functional.repetitions import count_metrics, event_ap, find_peaks
from vpd_mm.utils.fileio import atomic_write_json

from .run_pool import RunPool


def fill_frames(frames: np.ndarray, feats: np.ndarray, num_frames: int) -> np.ndarray:
    """Features on every frame ``0 .. num_frames - 1``: linear interpolation between the frames that
    have features, held constant before the first and after the last.

    Args:
        frames: ``(N,)`` sorted frame numbers.
        feats: ``(N, D)`` features.

    Returns:
        ``(num_frames, D)``.
    """
    frames = np.asarray(frames, np.float64)
    feats = np.asarray(feats, np.float64)
    grid = np.arange(num_frames, dtype=np.float64)
    return np.stack([np.interp(grid, frames, feats[:, d]) for d in range(feats.shape[1])], axis=1)


def autocorrelation(x: np.ndarray) -> np.ndarray:
    """Autocorrelation ``(T,)`` of a centred multivariate signal ``(T, D)``: lag ``l`` is the sum over ``t``
    of ``<x_t, x_{t+l}>`` (the sum of the self-similarity matrix's ``l``-th diagonal) over the lag-0 value.

    This is the biased estimate (no division by the ``T - l`` terms), which favours the shortest
    period over its multiples."""
    x = np.asarray(x, np.float64)
    t = len(x)
    spec = np.fft.rfft(x, n=2 * t, axis=0)
    ac = np.fft.irfft((spec * spec.conj()).real, n=2 * t, axis=0)[:t].sum(axis=1)
    return ac / ac[0] if ac[0] > 1e-12 else np.zeros(t)


def estimate_period(ac: np.ndarray, min_lag: int, max_lag: int) -> Optional[int]:
    """Lag of the highest local maximum of the autocorrelation in ``[min_lag, max_lag]``, or None."""
    max_lag = min(max_lag, len(ac) - 2)
    if max_lag < min_lag:
        return None
    peaks = find_peaks(ac[:max_lag + 1])
    peaks = peaks[(peaks >= min_lag) & (peaks <= max_lag)]
    if not len(peaks):
        return None
    return int(peaks[np.argmax(ac[peaks])])


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return x
    kernel = np.hanning(width + 2)[1:-1]
    kernel /= kernel.sum()
    pad = width // 2
    xp = np.pad(x, ((pad, width - 1 - pad), (0, 0)), mode='edge')
    return np.stack([np.convolve(xp[:, d], kernel, mode='valid') for d in range(x.shape[1])], axis=1)


def count_by_periodicity(frames: np.ndarray,
                         feats: np.ndarray,
                         num_frames: int,
                         fps: float,
                         min_period_s: float = 0.6,
                         max_period_s: float = 6.0,
                         min_prominence: float = 0.25) -> dict:
    """Count repetitions in one clip without training.

    The features (original view) are filled to every frame (:func:`fill_frames`) and centred; the
    period ``P`` is the strongest autocorrelation peak between ``min_period_s`` and ``max_period_s``
    (at most half the clip). The first principal component, smoothed over ``P / 4``, is the motion
    signal; the repetitions are its peaks at least ``0.6 P`` apart whose height above the signal's
    median is at least ``min_prominence`` times its 5-95 % range (the clip's first and last frames are
    never one: the motion may go on beyond them). Of the signal and its negation (the
    component's sign is arbitrary) the one with the larger mean peak height is kept. Without a period
    (clip too short or not periodic) the count is 0.

    Args:
        frames: ``(N,)`` frame numbers with features.
        feats: ``(N, D)`` or ``(N, V, D)`` (view 0 is used).
        num_frames: Frames of the clip.
        fps: Its frame rate.

    Returns:
        ``dict(count, frames (event frames), scores, period)`` (``period`` in frames, or None).
    """
    feats = np.asarray(feats, np.float64)
    if feats.ndim == 3:
        feats = feats[:, 0]
    empty = dict(count=0, frames=[], scores=[], period=None)
    if len(frames) < 2:
        return empty
    x = fill_frames(frames, feats, num_frames)
    x = x - x.mean(axis=0)
    period = estimate_period(
        autocorrelation(x), int(round(min_period_s * fps)),
        min(int(round(max_period_s * fps)), num_frames // 2))
    if period is None:
        return empty
    # band-pass: smooth over a quarter period, remove what changes slower than two periods (drift,
    # changes of view or of position)
    x = _smooth(x, max(1, period // 4)) - _smooth(x, 2 * period + 1)
    _, _, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    best = None
    for sign in (1.0, -1.0):
        s = sign * (x @ vt[0])
        lo, hi = np.percentile(s, [5, 95])
        height = (s - np.median(s)) / max(hi - lo, 1e-12)
        peaks = find_peaks(height, min_distance=0.6 * period, threshold=min_prominence)
        peaks = peaks[(peaks > 0) &
                      (peaks < len(height) - 1)]  # a clip's first or last frame: not a confirmed top
        score = float(height[peaks].mean()) if len(peaks) else -np.inf
        if best is None or score > best[0]:
            best = (score, peaks, height)
    _, peaks, height = best
    return dict(
        count=int(len(peaks)),
        frames=[int(p) for p in peaks],
        scores=[float(height[p]) for p in peaks],
        period=int(period))


def counting_summary(predictions: Dict[str, dict],
                     markers: Dict[str, Sequence[int]],
                     tolerances: Sequence[int] = (5, 10),
                     bootstrap: int = 1000,
                     seed: int = 0) -> dict:
    """Count and event metrics of per-clip predictions against the markers (clips in both).

    Returns:
        ``dict(mae, mae_ci (95 % bootstrap over clips), obo, obo_ci, exact, n, ap@<tol> per tolerance,
        per_clip={clip: [pred, true]})``.
    """
    clips = sorted(set(predictions) & set(markers))
    if not clips:
        raise ValueError('no clip has both a prediction and markers')
    pred = np.array([predictions[c]['count'] for c in clips], np.float64)
    gt = np.array([len(markers[c]) for c in clips], np.float64)
    out = count_metrics(pred, gt)
    err = np.abs(pred - gt)
    out['mae_ci'] = bootstrap_ci(err, bootstrap, seed)
    out['obo_ci'] = bootstrap_ci((err <= 1).astype(np.float64), bootstrap, seed)
    events = {c: (predictions[c]['frames'], predictions[c]['scores']) for c in clips}
    for tol in tolerances:
        out[f'ap@{tol}'] = event_ap(events, {c: markers[c] for c in clips}, tol)
    out['per_clip'] = {c: [int(p), int(g)] for c, p, g in zip(clips, pred, gt)}
    return out


# ---------------------------------------------------------------- BiGRU boundary spotting


def marker_targets(markers: Dict[str, Sequence[int]], coverage: Dict[str, Tuple[int, int]],
                   radius: int) -> List[dict]:
    """``FeatureVideoDataset`` actions ``[m - radius, m + radius + 1)`` around every marker, clipped to the
    frames ``[first, last + 1)`` that have features (markers outside them give no target)."""
    out = []
    for vid in sorted(markers):
        if vid not in coverage:
            continue
        first, last = coverage[vid]
        for i, m in enumerate(markers[vid]):
            start, end = max(first, m - radius), min(last + 1, m + radius + 1)
            if end > start:
                out.append(dict(id=f'{vid}#{i}', video=vid, start=int(start), end=int(end)))
    return out


def activation_events(activation: np.ndarray, frame_inds: np.ndarray, min_distance: int,
                      count_threshold: float) -> dict:
    """Events (peaks of a per-frame activation, scored by it) and the count of those above the threshold."""
    activation = np.asarray(activation, np.float64)
    frame_inds = np.asarray(frame_inds)
    peaks = find_peaks(activation, min_distance=min_distance)
    frames = frame_inds[peaks]
    # peaks closer in frame numbers than min_distance across a gap of untracked frames: keep the strongest
    keep = find_peaks_at(frames, activation[peaks], min_distance)
    frames, scores = frames[keep], activation[peaks][keep]
    return dict(
        count=int(np.sum(scores >= count_threshold)),
        frames=[int(f) for f in frames],
        scores=[float(s) for s in scores])


def find_peaks_at(positions: np.ndarray, scores: np.ndarray, min_distance: float) -> np.ndarray:
    """Indices of ``positions`` kept by greedy suppression (strongest first) within ``min_distance``."""
    keep: List[int] = []
    for i in np.argsort(-np.asarray(scores), kind='stable'):
        if all(abs(positions[i] - positions[j]) >= min_distance for j in keep):
            keep.append(int(i))
    return np.asarray(sorted(keep), np.int64)


class SpottingPlan(NamedTuple):
    """The cross-validation folds of one feature set's boundary spotting."""
    work_dir: str
    caches: List[str]  # fold<i>/test_activations.pkl, one per fold
    jobs: List[tuple]  # (name, cfg, train clips, fold work dir, cache) of the folds still to train


def plan_spotting(config: Config,
                  feature_dirs: Sequence[str],
                  markers: Dict[str, Sequence[int]],
                  coverage: Dict[str, Tuple[int, int]],
                  work_dir: str,
                  in_channels: int,
                  folds: int = 5,
                  radius: int = 3) -> SpottingPlan:
    """Plan the cross-validated BiGRU boundary spotting of one feature set.

    Clips are dealt to folds in sorted order (clip ``i`` to fold ``i % folds``); fold ``i``'s model trains
    on the other folds' clips and predicts its own, so every clip is predicted by a model that did not
    see it. Frames within ``radius`` of a marker are the positives (``work_dir/targets.json``). Folds
    whose activations are cached are not planned again (resume).

    Args:
        config: A detection config (``configs/detection/bigru-spot_workout-reps.py``).
        feature_dirs: The feature set (absolute folders).
        markers: ``{clip: marker frames}`` of the clips to spot in.
        coverage: ``{clip: (first, last)}`` feature frames of each clip (clips without features are left out).
        work_dir: Where the folds write.
        in_channels: Feature size.
    """
    clips = sorted(c for c in markers if c in coverage)
    if len(clips) < 2:
        raise ValueError(f'boundary spotting needs at least 2 clips with markers and features, got {clips}')
    num_folds = max(2, min(folds, len(clips)))
    fold_of = {c: i % num_folds for i, c in enumerate(clips)}
    ann_file = osp.join(work_dir, 'targets.json')
    atomic_write_json(ann_file, marker_targets({c: markers[c] for c in clips}, coverage, radius), indent=1)
    caches = [osp.join(work_dir, f'fold{i}', 'test_activations.pkl') for i in range(num_folds)]
    jobs = []
    for i, cache in enumerate(caches):
        if osp.isfile(cache):
            continue
        cfg = copy.deepcopy(config)
        cfg.model.backbone.in_channels = int(in_channels)
        train = [c for c in clips if fold_of[c] != i]
        for key, videos in (('train_dataloader', train), ('test_dataloader',
                                                          [c for c in clips if fold_of[c] == i])):
            cfg[key].dataset.update(
                ann_file=ann_file,
                feature_dirs=list(feature_dirs),
                data_root=None,
                split_file=None,
                split=None,
                videos=videos)
        cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
        cfg.train_cfg.pop('val_interval', None)
        jobs.append((f'{osp.basename(work_dir)}_fold{i}', cfg, train, osp.join(work_dir, f'fold{i}'), cache))
    return SpottingPlan(work_dir, caches, jobs)


def submit_spotting(plan: SpottingPlan, pool: RunPool) -> None:
    """Train the plan's missing folds in ``pool`` (:func:`vpd_mm.downstream.detection.run_fold`)."""
    from .detection import run_fold
    for name, cfg, train, fold_dir, cache in plan.jobs:
        pool.submit(name, run_fold, cfg, train, [], fold_dir, 0.0, cache)


def spotting_predictions(plan: SpottingPlan,
                         min_distance: int = 10,
                         count_threshold: float = 0.5) -> Dict[str, dict]:
    """Per-clip events and counts from the folds' cached activations (:func:`activation_events`)."""
    out = {}
    for cache in plan.caches:
        if not osp.isfile(cache):
            raise FileNotFoundError(f'{cache}: fold activations missing (its training failed or did not run)')
        with open(cache, 'rb') as f:
            for r in pickle.load(f):
                out[r['video']] = activation_events(r['activation'], r['frame_inds'], min_distance,
                                                    count_threshold)
    return out

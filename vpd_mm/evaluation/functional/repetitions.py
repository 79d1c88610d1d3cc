"""Repetition counting metrics and event spotting helpers (numpy in, numpy out).

* :func:`count_metrics`: mean absolute count error, off-by-one accuracy and exact accuracy.
* :func:`event_ap`: average precision of scored event frames against ground-truth event frames, a
  prediction being a hit when it lies within ``tolerance`` frames of a not yet matched event.
* :func:`find_peaks`: local maxima of a 1D signal, greedily suppressed within ``min_distance``.
"""
from typing import Dict, Mapping, Optional, Sequence, Tuple

import numpy as np


def count_metrics(pred: Sequence[float], gt: Sequence[float]) -> Dict[str, float]:
    """Counting errors of predicted vs true repetition counts (one value per clip).

    Returns:
        ``mae`` (mean ``|pred - gt|``), ``obo`` (share of clips with ``|pred - gt| <= 1``), ``exact``
        (share with ``pred == gt``), ``n`` (clips).
    """
    pred, gt = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    if pred.shape != gt.shape or pred.ndim != 1 or pred.size == 0:
        raise ValueError(f'pred {pred.shape} and gt {gt.shape} must be equal, non-empty 1D arrays')
    err = np.abs(pred - gt)
    return dict(
        mae=float(err.mean()), obo=float(np.mean(err <= 1)), exact=float(np.mean(err == 0)), n=int(pred.size))


def match_events(pred_frames: np.ndarray, gt_frames: np.ndarray, tolerance: float) -> np.ndarray:
    """Greedy matching of predictions (in the given order) to the nearest unmatched GT event.

    Returns:
        bool array, True for each prediction within ``tolerance`` frames of a GT event not matched by an
        earlier prediction.
    """
    gt = np.asarray(gt_frames, np.float64).reshape(-1)
    used = np.zeros(len(gt), bool)
    hits = np.zeros(len(pred_frames), bool)
    for i, f in enumerate(np.asarray(pred_frames, np.float64).reshape(-1)):
        if not len(gt):
            break
        dist = np.where(used, np.inf, np.abs(gt - f))
        j = int(np.argmin(dist))
        if dist[j] <= tolerance:
            used[j] = True
            hits[i] = True
    return hits


def average_precision(hits: np.ndarray, num_gt: int) -> float:
    """Area under the interpolated precision-recall curve of a ranked list of hits (``num_gt`` positives)."""
    if num_gt == 0:
        return float('nan')
    hits = np.asarray(hits, np.float64)
    if hits.size == 0:
        return 0.0
    ctp = np.cumsum(hits)
    recall = ctp / num_gt
    precision = ctp / np.arange(1, len(hits) + 1)
    mprec = np.concatenate([[0.0], precision, [0.0]])
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mprec = np.maximum.accumulate(mprec[::-1])[::-1]
    idx = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[idx] - mrec[idx - 1]) * mprec[idx]))


def event_ap(predictions: Mapping[str, Tuple[Sequence[float], Sequence[float]]],
             ground_truth: Mapping[str, Sequence[float]], tolerance: float) -> float:
    """Average precision of event spotting over several videos.

    The predictions of all videos are ranked by score; each is a hit when it lies within ``tolerance``
    frames of a ground-truth event of its video that no higher-scored prediction matched (the nearest
    such event). AP is the area under the interpolated precision-recall curve, as for temporal
    detection (:func:`vpd_mm.evaluation.metrics.temporal_detection_metric.detection_ap`).

    Args:
        predictions: ``{video: (frames (P,), scores (P,))}``.
        ground_truth: ``{video: frames (K,)}``; videos without events count for false positives only.
        tolerance: Largest ``|predicted - true|`` frame distance of a hit.

    Returns:
        AP in [0, 1]; NaN when there is no ground-truth event.
    """
    num_gt = sum(len(np.asarray(g).reshape(-1)) for g in ground_truth.values())
    flat = []
    for vid, (frames, scores) in predictions.items():
        frames, scores = np.asarray(frames, np.float64).reshape(-1), np.asarray(scores,
                                                                                np.float64).reshape(-1)
        if frames.shape != scores.shape:
            raise ValueError(f'video {vid!r}: {frames.size} event frames but {scores.size} scores')
        flat += [(float(s), vid, float(f)) for f, s in zip(frames, scores)]
    flat.sort(key=lambda x: -x[0])
    gt = {vid: np.asarray(g, np.float64).reshape(-1) for vid, g in ground_truth.items()}
    used = {vid: np.zeros(len(g), bool) for vid, g in gt.items()}
    hits = np.zeros(len(flat), bool)
    for i, (_, vid, f) in enumerate(flat):
        g = gt.get(vid)
        if g is None or not len(g):
            continue
        dist = np.where(used[vid], np.inf, np.abs(g - f))
        j = int(np.argmin(dist))
        if dist[j] <= tolerance:
            used[vid][j] = True
            hits[i] = True
    return average_precision(hits, num_gt)


def find_peaks(signal: Sequence[float],
               min_distance: float = 1,
               threshold: Optional[float] = None) -> np.ndarray:
    """Indices of local maxima of ``signal``, strongest first, none within ``min_distance`` of a stronger one.

    A local maximum is a sample, or the first sample of a plateau, above both neighbours (outside the
    signal counts as lower). ``threshold`` drops maxima below it.

    Returns:
        int array of indices, sorted ascending.
    """
    x = np.asarray(signal, np.float64).reshape(-1)
    if x.size == 0:
        return np.zeros(0, np.int64)
    cand, i, n = [], 0, x.size
    while i < n:
        j = i
        while j + 1 < n and x[j + 1] == x[i]:  # a plateau: x[i..j]
            j += 1
        if (i == 0 or x[i - 1] < x[i]) and (j == n - 1 or x[j + 1] < x[i]):
            cand.append(i)
        i = j + 1
    cand = np.asarray(cand, np.int64)
    if threshold is not None:
        cand = cand[x[cand] >= threshold]
    keep = []
    for i in cand[np.argsort(-x[cand], kind='stable')]:
        if all(abs(int(i) - j) >= min_distance for j in keep):
            keep.append(int(i))
    return np.asarray(sorted(keep), np.int64)

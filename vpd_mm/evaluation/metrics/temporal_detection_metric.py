"""Temporal action detection from per-frame activations: proposals and AP at several tIoUs.

Proposals follow the paper's published code (REFERENCE.md section 4b): runs of activation >= 0.2
lasting at least 5 frames (its ``p1 - p0 > 3`` on inclusive ends), scored by their mean activation and
resized about their centre into 0.67-1.33 x the mean training action length.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric


#: Shortest proposal of the published code: ``p1 - p0 > 3`` on inclusive run ends = 5 frames.
MIN_PROPOSAL_LENGTH = 5


def activation_runs(activation: np.ndarray,
                    threshold: float = 0.2,
                    min_length: int = MIN_PROPOSAL_LENGTH) -> List[Tuple[int, int]]:
    """``[start, end)`` index runs where ``activation >= threshold`` lasting ``>= min_length``."""
    above = np.concatenate([[False], np.asarray(activation) >= threshold, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return [(int(s), int(e)) for s, e in zip(edges[::2], edges[1::2]) if e - s >= min_length]


def generate_proposals(
    activation: np.ndarray,
    frame_inds: Optional[np.ndarray] = None,
    threshold: float = 0.2,
    min_length: int = MIN_PROPOSAL_LENGTH,
    mean_length: Optional[float] = None,
    length_range: Tuple[float, float] = (0.67, 1.33)) -> np.ndarray:
    """Action proposals from a per-frame activation (REFERENCE.md section 4).

    A proposal is a run of ``activation >= threshold`` of at least ``min_length`` frames (5, the
    published code's rule; runs separated by a frame below the threshold stay separate, as there). When
    ``mean_length`` (the mean training action length, in frames) is given, each run is resized about
    its centre so its length lies in ``length_range * mean_length``. Its score is the run's mean
    activation.

    Args:
        activation: ``(T,)`` values in [0, 1].
        frame_inds: ``(T,)`` frame number of each value (default ``arange(T)``).

    Returns:
        ``(P, 3)`` float array of ``[start, end, score]`` in frame numbers (end exclusive).
    """
    activation = np.asarray(activation, dtype=np.float64)
    frame_inds = np.arange(len(activation)) if frame_inds is None else np.asarray(frame_inds)
    out = []
    for s, e in activation_runs(activation, threshold, min_length):
        start, end = float(frame_inds[s]), float(frame_inds[e - 1] + 1)
        if mean_length:
            length = np.clip(end - start, length_range[0] * mean_length, length_range[1] * mean_length)
            centre = (start + end) / 2
            start, end = centre - length / 2, centre + length / 2
        out.append((start, end, float(activation[s:e].mean())))
    return np.asarray(out, dtype=np.float64).reshape(-1, 3)


def interval_iou(interval: Sequence[float], intervals: np.ndarray) -> np.ndarray:
    """Temporal IoU of one ``[start, end)`` with ``(K, 2)`` intervals."""
    intervals = np.asarray(intervals, dtype=np.float64).reshape(-1, 2)
    inter = np.clip(
        np.minimum(interval[1], intervals[:, 1]) - np.maximum(interval[0], intervals[:, 0]), 0, None)
    union = (interval[1] - interval[0]) + (intervals[:, 1] - intervals[:, 0]) - inter
    return inter / np.maximum(union, 1e-9)


def detection_ap(proposals: Dict[str, np.ndarray], ground_truth: Dict[str, np.ndarray], tiou: float) -> float:
    """Average precision of scored proposals against ground truth at one tIoU threshold.

    Proposals of all videos are ranked by score; each is a true positive when it overlaps a not yet
    matched ground-truth interval of its video with IoU >= ``tiou`` (best IoU first). AP is the
    area under the monotone (interpolated) precision-recall curve.

    Args:
        proposals: ``{video: (P, 3) [start, end, score]}``.
        ground_truth: ``{video: (K, 2) [start, end)}``.
    """
    num_gt = sum(len(np.asarray(g).reshape(-1, 2)) for g in ground_truth.values())
    if num_gt == 0:
        return float('nan')
    flat = [(float(p[2]), vid, p[:2]) for vid, props in proposals.items()
            for p in np.asarray(props).reshape(-1, 3)]
    if not flat:
        return 0.0
    flat.sort(key=lambda x: -x[0])
    used = {vid: np.zeros(len(np.asarray(g).reshape(-1, 2)), bool) for vid, g in ground_truth.items()}
    tp = np.zeros(len(flat))
    for i, (_, vid, interval) in enumerate(flat):
        gt = np.asarray(ground_truth.get(vid, np.zeros((0, 2)))).reshape(-1, 2)
        if len(gt) == 0:
            continue
        ious = interval_iou(interval, gt)
        ious[used[vid]] = -1
        best = int(np.argmax(ious))
        if ious[best] >= tiou:
            tp[i] = 1
            used[vid][best] = True
    ctp = np.cumsum(tp)
    recall = ctp / num_gt
    precision = ctp / np.arange(1, len(flat) + 1)
    mprec = np.concatenate([[0.0], precision, [0.0]])
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mprec = np.maximum.accumulate(mprec[::-1])[::-1]
    idx = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[idx] - mrec[idx - 1]) * mprec[idx]))


@METRICS.register_module()
class TemporalDetectionMetric(BaseMetric):
    """AP of activation-run proposals at temporal IoU thresholds (default 0.3 ... 0.7).

    Reads from each data sample ``pred_activation (T,)`` and the metainfo ``frame_inds (T,)``,
    ``gt_intervals (K, 2)`` and ``video`` (as packed by :class:`PackFeatureInputs` from
    :class:`FeatureVideoDataset`).

    Args:
        tious: tIoU thresholds.
        threshold: Activation threshold of a run (0.2).
        min_length: Shortest run in frames (5, the published code's ``p1 - p0 > 3``).
        mean_length: Mean training action length in frames; proposals are resized into
            ``length_range * mean_length``. ``None`` keeps runs as they are.
        length_range: See above (0.67, 1.33).
    """
    default_prefix = 'detection'

    def __init__(self,
                 tious: Sequence[float] = (0.3, 0.4, 0.5, 0.6, 0.7),
                 threshold: float = 0.2,
                 min_length: int = MIN_PROPOSAL_LENGTH,
                 mean_length: Optional[float] = None,
                 length_range: Tuple[float, float] = (0.67, 1.33),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.tious = tuple(float(t) for t in tious)
        self.threshold = threshold
        self.min_length = min_length
        self.mean_length = mean_length
        self.length_range = tuple(length_range)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store each sample's activation, frame numbers, ground-truth intervals and video name.

        Args:
            data_batch: Unused.
            data_samples: Predicted samples with ``pred_activation`` ``(T,)`` and the metainfo ``frame_inds``
                (default ``arange(T)``), ``gt_intervals`` ``(K, 2)`` and ``video``.
        """
        for ds in data_samples:
            act = np.asarray(ds['pred_activation'], dtype=np.float32)
            frame_inds = np.asarray(ds.get('frame_inds', np.arange(len(act))))[:len(act)]
            self.results.append(
                dict(
                    video=str(ds.get('video', len(self.results))),
                    activation=act,
                    frame_inds=frame_inds,
                    gt_intervals=np.asarray(ds.get('gt_intervals', np.zeros((0, 2)))).reshape(-1, 2)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """AP of the activation-run proposals of all videos at every tIoU (see :func:`evaluate_detection`).

        Returns:
            ``AP@<tIoU>`` per threshold (e.g. ``AP@0.5``), their mean ``mAP`` and ``num_proposals``.
        """
        return evaluate_detection(results, self.tious, self.threshold, self.min_length, self.mean_length,
                                  self.length_range)


def evaluate_detection(
    results: List[dict],
    tious: Sequence[float] = (0.3, 0.4, 0.5, 0.6, 0.7),
    threshold: float = 0.2,
    min_length: int = MIN_PROPOSAL_LENGTH,
    mean_length: Optional[float] = None,
    length_range: Tuple[float, float] = (0.67, 1.33)) -> Dict[str, float]:
    """AP per tIoU and their mean for ``[{video, activation, frame_inds, gt_intervals}]``.

    A result's own ``mean_length`` (e.g. its cross-validation fold's) replaces ``mean_length``.
    """
    proposals, gt = {}, {}
    for r in results:
        proposals[r['video']] = generate_proposals(r['activation'], r['frame_inds'], threshold, min_length,
                                                   r.get('mean_length', mean_length), length_range)
        gt[r['video']] = r['gt_intervals']
    metrics = {f'AP@{t:.1f}': detection_ap(proposals, gt, t) for t in tious}
    metrics['mAP'] = float(np.mean(list(metrics.values())))
    metrics['num_proposals'] = float(sum(len(p) for p in proposals.values()))
    return metrics

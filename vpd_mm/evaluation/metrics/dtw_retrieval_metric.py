"""Leave-one-out DTW nearest-neighbour accuracy and retrieval precision@k (VPD's NNS protocol)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from ..functional.dtw import STEP_PATTERNS
from ..functional.knn import RETRIEVAL_VIEWS, dtw_1nn_classify, retrieval_cost_matrix
from ..functional.retrieval import retrieval_precision_at_k, top1_accuracy

_ID_KEYS = ('video_id', 'id', 'frame_dir', 'filename', 'sample_idx')


def _get(sample: Any, key: str, default=None):
    if isinstance(sample, dict):
        return sample.get(key, default)
    return getattr(sample, key, default)


def _to_numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _unwrap(value: Any, name: str) -> Any:
    """The array inside a one-field container (``InstanceData`` or its ``to_dict()``), else ``value``.

    mmaction2's ``ActionDataSample.features`` only accepts ``InstanceData``, so a model may store the
    sequence as e.g. ``InstanceData(sequence=tensor)``.
    """
    if isinstance(value, BaseDataElement):
        value = value.to_dict()
    if isinstance(value, dict):
        arrays = {k: v for k, v in value.items() if hasattr(v, 'shape')}
        if len(arrays) != 1:
            raise ValueError(f'DTWRetrievalMetric: {name}: expected one array in the feature container, '
                             f'got fields {sorted(value)}')
        value = next(iter(arrays.values()))
    return value


@METRICS.register_module()
class DTWRetrievalMetric(BaseMetric):
    """DTW nearest-neighbour top-1 and precision@k over the evaluated set, leave-one-out.

    Every evaluated sequence is a query against all the others (REFERENCE.md sections 4 and 4b): the
    cost is the length-normalised DTW alignment cost of unit-normalised frame features (Euclidean
    local cost). NN top-1 is the accuracy of the label of the lowest-cost other sequence, the minimum
    over all flip combinations when samples carry a flipped view; a query that no other sequence can
    be aligned with under ``symmetricP2`` is searched again with ``symmetric2``, then given the
    majority class (the published code's fallbacks; a log line counts them). precision@k is the mean
    fraction of the k lowest-cost others that share the query's label, ranked by one DTW of the views
    side by side (``retrieval_views='concat'``, the published code) or by the minimum over the view
    combinations (``'min'``).

    Required keys of each data sample (dict or data element):

    - ``features`` (``feature_key``): tensor or array ``(T, V, D)`` with ``V`` = 1 or 2 views
      (``[orig, flipped]``), or ``(T, D)``; also accepted inside a one-field ``InstanceData`` (which is
      what ``ActionDataSample.features`` must hold) or its ``to_dict()``.
    - ``gt_label`` (``label_key``): int, or a tensor / array holding one int.

    Args:
        step_pattern: ``'symmetricP2'`` (paper) or ``'symmetric2'``.
        use_flips: Use both views when samples have 2 (else view 0 only).
        retrieval_views: ``'concat'`` or ``'min'`` (see above), for precision@k.
        ks: Cut-offs of precision@k (fewer available neighbours: all are used, with a warning).
        unit_norm: Unit-normalise frame features first (paper setting).
        feature_key: Data-sample key of the feature sequence.
        label_key: Data-sample key of the class label.
        collect_device: ``'cpu'`` or ``'gpu'`` (distributed collection).
        prefix: Prefix of the metric names (default ``'dtw'``).

    Returns (from :meth:`compute_metrics`):
        ``{'nn_top1', 'precision@1', 'precision@10', 'precision@50'}`` as fractions.
    """

    default_prefix: Optional[str] = 'dtw'

    def __init__(self,
                 step_pattern: str = 'symmetricP2',
                 use_flips: bool = True,
                 retrieval_views: str = 'concat',
                 ks: Sequence[int] = (1, 10, 50),
                 unit_norm: bool = True,
                 feature_key: str = 'features',
                 label_key: str = 'gt_label',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if step_pattern not in STEP_PATTERNS:
            raise ValueError(f'unknown step pattern {step_pattern!r}; supported: {sorted(STEP_PATTERNS)}')
        if retrieval_views not in RETRIEVAL_VIEWS:
            raise ValueError(f'retrieval_views must be one of {RETRIEVAL_VIEWS}, got {retrieval_views!r}')
        ks = tuple(int(k) for k in ks)
        if not ks or min(ks) < 1:
            raise ValueError(f'ks must be positive integers, got {ks}')
        self.step_pattern = step_pattern
        self.use_flips = use_flips
        self.retrieval_views = retrieval_views
        self.ks = ks
        self.unit_norm = unit_norm
        self.feature_key = feature_key
        self.label_key = label_key

    def _describe(self, sample: Any, index: int) -> str:
        for key in _ID_KEYS:
            value = _get(sample, key)
            if value is not None:
                return f'data sample {index} ({key}={value!r})'
        return f'data sample {index} (#{len(self.results)} in the evaluated set)'

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Store the feature sequence and label of every data sample as numpy arrays."""
        for index, sample in enumerate(data_samples):
            name = self._describe(sample, index)
            feats = _get(sample, self.feature_key)
            if feats is None:
                raise KeyError(f'DTWRetrievalMetric: {name} has no {self.feature_key!r}')
            feats = _to_numpy(_unwrap(feats, name))
            feats = np.array(
                feats, dtype=feats.dtype if feats.dtype in (np.float32, np.float64) else np.float64)
            if feats.ndim == 2:
                feats = feats[:, None, :]
            if feats.ndim != 3 or feats.shape[1] not in (1, 2):
                raise ValueError(
                    f'DTWRetrievalMetric: {name}: {self.feature_key!r} must be (T, V, D) with V in '
                    f'(1, 2) or (T, D), got shape {feats.shape}')
            if feats.shape[0] == 0:
                raise ValueError(f'DTWRetrievalMetric: {name}: empty feature sequence (T=0)')
            if not np.isfinite(feats).all():
                raise ValueError(f'DTWRetrievalMetric: {name}: features contain NaN/inf')
            label = _get(sample, self.label_key)
            if label is None:
                raise KeyError(f'DTWRetrievalMetric: {name} has no {self.label_key!r}')
            label = _to_numpy(label).reshape(-1)
            if label.size != 1:
                raise ValueError(f'DTWRetrievalMetric: {name}: expected one label, got {label.tolist()}')
            self.results.append(dict(features=feats, label=int(label[0]), name=name))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Leave-one-out NN top-1 and precision@k over all processed samples."""
        if len(results) < 2:
            raise ValueError(f'DTWRetrievalMetric: needs at least 2 evaluated sequences, got {len(results)}')
        first = results[0]
        for item in results[1:]:
            if item['features'].shape[2] != first['features'].shape[2]:
                raise ValueError(
                    f'DTWRetrievalMetric: feature dim {item["features"].shape[2]} of {item["name"]} '
                    f'differs from {first["features"].shape[2]} of {first["name"]}')
            if self.use_flips and item['features'].shape[1] != first['features'].shape[1]:
                raise ValueError(
                    f'DTWRetrievalMetric: {item["name"]} has {item["features"].shape[1]} view(s), '
                    f'{first["name"]} has {first["features"].shape[1]}; use_flips needs the same')
        seqs = [item['features'] for item in results]
        if not self.use_flips:
            seqs = [s[:, :1] for s in seqs]
        labels = np.array([item['label'] for item in results])
        knn = dtw_1nn_classify(seqs, None, labels, step_pattern=self.step_pattern, unit_norm=self.unit_norm,
                               exclude_self=True)
        counts = knn.counts()
        if counts['fallback'] or counts['majority']:
            print_log(f'DTWRetrievalMetric: of {len(seqs)} queries, {counts["fallback"]} had no '
                      f'{self.step_pattern} path to any other and were searched with symmetric2, '
                      f'{counts["majority"]} got the majority class', logger='current')
        metrics = {'nn_top1': top1_accuracy(knn.pred, labels)}
        cost = retrieval_cost_matrix(seqs, self.retrieval_views, self.step_pattern, unit_norm=self.unit_norm)
        for k, value in retrieval_precision_at_k(cost, labels, ks=self.ks, exclude_self=True).items():
            metrics[f'precision@{k}'] = value
        return metrics

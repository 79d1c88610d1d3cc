"""Late fusion of class scores dumped by ``tools/test.py --dump`` (mmengine ``DumpResults`` pickles).

A dump is a list with one dict per test sample (``ActionDataSample.to_dict()``): ``pred_score``
``(num_classes,)``, ``gt_label`` and the packed meta keys (e.g. ``frame_dir`` or ``filename``).
"""
import os.path as osp
import pickle
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np


@dataclass
class ScoreDump:
    """Scores of one model on one test set.

    Attributes:
        scores (np.ndarray): ``(N, num_classes)`` as dumped.
        labels (np.ndarray): ``(N,)`` ground-truth labels.
        ids (list[str] | None): Sample ids (basename of ``frame_dir``/``filename`` without extension)
            or None when the dump has neither.
        path (str): Where it was loaded from.
    """
    scores: np.ndarray
    labels: np.ndarray
    ids: Optional[List[str]]
    path: str


def _to_numpy(x) -> np.ndarray:
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _sample_id(item: dict) -> Optional[str]:
    for key in ('frame_dir', 'filename'):
        if item.get(key) is not None:
            return osp.splitext(osp.basename(str(item[key])))[0]
    return None


def load_score_dump(path: str) -> ScoreDump:
    """Load a ``tools/test.py --dump`` pickle; raises ValueError naming the file when malformed."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'score dump not found: {path}')
    with open(path, 'rb') as f:
        items = pickle.load(f)
    if not isinstance(items, list) or not items:
        raise ValueError(f'{path}: expected a non-empty list of per-sample dicts (tools/test.py --dump)')
    scores, labels, ids = [], [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or 'pred_score' not in item or 'gt_label' not in item:
            raise ValueError(f'{path}: sample {i} lacks pred_score/gt_label')
        score = _to_numpy(item['pred_score']).astype(np.float64)
        if score.ndim != 1:
            score = score.reshape(-1, score.shape[-1]).mean(0)
        scores.append(score)
        labels.append(int(_to_numpy(item['gt_label']).reshape(-1)[0]))
        ids.append(_sample_id(item))
    if len({s.shape for s in scores}) != 1:
        raise ValueError(f'{path}: samples have different numbers of classes')
    scores = np.stack(scores)
    if not np.isfinite(scores).all():
        raise ValueError(f'{path}: non-finite scores')
    if any(i is None for i in ids) or len(set(ids)) != len(ids):
        ids = None
    return ScoreDump(scores, np.asarray(labels), ids, path)


def to_probabilities(scores: np.ndarray, mode: str = 'auto') -> np.ndarray:
    """``'softmax'``, ``'none'`` or ``'auto'`` (softmax unless rows already are distributions)."""
    if mode not in ('auto', 'softmax', 'none'):
        raise ValueError(f"normalisation mode must be 'auto', 'softmax' or 'none', got {mode!r}")
    is_prob = (scores >= 0).all() and np.allclose(scores.sum(1), 1.0, atol=1e-3)
    if mode == 'none' or (mode == 'auto' and is_prob):
        return scores
    z = scores - scores.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def align_dumps(dumps: Sequence[ScoreDump], match: str = 'auto') -> List[ScoreDump]:
    """Reorder every dump to the sample order of the first one.

    Args:
        dumps (Sequence[ScoreDump]): Dumps of the same test set.
        match (str): ``'id'``: by sample id (all dumps need ids); ``'order'``: by position (for
            models whose datasets name the clips differently but list them in the same order);
            ``'auto'``: by id when every dump has ids, else by position. In every mode the aligned
            ground-truth label sequences must be identical.

    Raises:
        ValueError: when the test sets differ (ids, length, labels or number of classes).
    """
    if match not in ('auto', 'id', 'order'):
        raise ValueError(f"match must be 'auto', 'id' or 'order', got {match!r}")
    ref = dumps[0]
    if match == 'id':
        missing = [d.path for d in dumps if d.ids is None]
        if missing:
            raise ValueError(f'match=id but {missing} have no unique sample ids (frame_dir/filename)')
    out = [ref]
    for d in dumps[1:]:
        if match != 'order' and ref.ids is not None and d.ids is not None:
            if set(ref.ids) != set(d.ids):
                missing = sorted(set(ref.ids) ^ set(d.ids))[:3]
                raise ValueError(f'{d.path} and {ref.path} cover different samples, e.g. {missing}')
            pos = {k: i for i, k in enumerate(d.ids)}
            order = np.array([pos[k] for k in ref.ids])
            d = ScoreDump(d.scores[order], d.labels[order], list(ref.ids), d.path)
        elif len(d.labels) != len(ref.labels):
            raise ValueError(f'{d.path} has {len(d.labels)} samples, {ref.path} has {len(ref.labels)} '
                             '(and no sample ids to match them)')
        if not np.array_equal(d.labels, ref.labels):
            raise ValueError(f'{d.path} and {ref.path} disagree on ground-truth labels after alignment')
        if d.scores.shape[1] != ref.scores.shape[1]:
            raise ValueError(f'{d.path} has {d.scores.shape[1]} classes, {ref.path} has '
                             f'{ref.scores.shape[1]}')
        out.append(d)
    return out


def late_fusion(dumps: Sequence[ScoreDump], weights: Optional[Sequence[float]] = None,
                normalize: str = 'auto', match: str = 'auto') -> np.ndarray:
    """Weighted mean of the (probability-normalised) scores of aligned dumps: ``(N, num_classes)``.

    Samples are aligned with :func:`align_dumps` (``match``) to the order of the first dump.
    """
    if not dumps:
        raise ValueError('late_fusion needs at least one score dump')
    weights = np.ones(len(dumps)) if weights is None else np.asarray(weights, dtype=np.float64)
    if weights.shape != (len(dumps), ) or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f'need {len(dumps)} non-negative weights with a positive sum, got {weights}')
    dumps = align_dumps(dumps, match)
    fused = sum(w * to_probabilities(d.scores, normalize) for w, d in zip(weights, dumps))
    return fused / weights.sum()


def top1_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows whose argmax equals the label."""
    return float((scores.argmax(1) == labels).mean())

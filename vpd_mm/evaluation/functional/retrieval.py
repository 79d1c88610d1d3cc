"""Nearest-neighbour and retrieval scores from a cost matrix (lower cost = more similar)."""
import warnings
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np


def _check_cost(cost: np.ndarray, query_labels: Sequence, ref_labels: Optional[Sequence],
                exclude_self: bool) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2 or cost.shape[0] == 0 or cost.shape[1] == 0:
        raise ValueError(f'cost must be a non-empty (Q, R) matrix, got shape {cost.shape}')
    if np.isnan(cost).any():
        raise ValueError('cost matrix contains NaN')
    query_labels = np.asarray(query_labels)
    ref_labels = query_labels if ref_labels is None else np.asarray(ref_labels)
    if len(query_labels) != cost.shape[0]:
        raise ValueError(f'{len(query_labels)} query labels for {cost.shape[0]} cost rows')
    if len(ref_labels) != cost.shape[1]:
        raise ValueError(f'{len(ref_labels)} ref labels for {cost.shape[1]} cost columns')
    if exclude_self and cost.shape[0] != cost.shape[1]:
        raise ValueError(f'exclude_self needs a square cost matrix, got {cost.shape}')
    if exclude_self and cost.shape[1] < 2:
        raise ValueError('exclude_self needs at least 2 items')
    return cost, query_labels, ref_labels


def rank_refs(cost: np.ndarray, exclude_self: bool = False) -> np.ndarray:
    """Reference indices of every query sorted by cost (stable: ties keep index order).

    Returns:
        int array ``(Q, R)``, or ``(Q, R - 1)`` without the query itself when ``exclude_self``.
    """
    cost = np.asarray(cost, dtype=np.float64)
    order = np.argsort(cost, axis=1, kind='stable')
    if exclude_self:
        keep = order != np.arange(cost.shape[0])[:, None]
        order = order[keep].reshape(cost.shape[0], cost.shape[1] - 1)
    return order


def nn_from_cost_matrix(cost: np.ndarray,
                        ref_labels: Sequence,
                        exclude_self: bool = False,
                        unmatched_label=-1) -> Tuple[np.ndarray, np.ndarray]:
    """1-NN predictions from a cost matrix (ties: lowest reference index).

    Args:
        cost: ``(Q, R)`` costs; ``+inf`` marks pairs that cannot be aligned.
        ref_labels: ``R`` labels.
        exclude_self: Ignore the diagonal (leave-one-out over a square matrix).
        unmatched_label: Prediction where every cost of a query is ``+inf`` (warned).

    Returns:
        ``(predictions, index)``; index -1 for unmatched queries.
    """
    cost, _, ref_labels = _check_cost(cost, np.zeros(len(cost)), ref_labels, exclude_self)
    if exclude_self:
        cost = cost.copy()
        np.fill_diagonal(cost, np.inf)
    idx = np.argmin(cost, axis=1)
    missing = ~np.isfinite(cost[np.arange(len(cost)), idx])
    idx = np.where(missing, -1, idx)
    pred = ref_labels[np.maximum(idx, 0)]
    if missing.any():
        warnings.warn(f'{int(missing.sum())} of {len(idx)} queries have no finite cost to any reference; '
                      f'predicted {unmatched_label!r}')
    return fill_unmatched(pred, missing, unmatched_label), idx


def fill_unmatched(pred: np.ndarray, missing: np.ndarray, unmatched_label) -> np.ndarray:
    """Return ``pred`` with ``unmatched_label`` where ``missing`` (widening the dtype if needed)."""
    if not missing.any():
        return pred
    try:
        dtype = np.result_type(pred, np.asarray(unmatched_label))
    except TypeError:
        dtype = object
    pred = pred.astype(dtype, copy=True)
    pred[missing] = unmatched_label
    return pred


def top1_accuracy(predictions: Sequence, labels: Sequence) -> float:
    """Fraction of ``predictions`` equal to ``labels``."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if predictions.shape != labels.shape or predictions.size == 0:
        raise ValueError(
            f'predictions {predictions.shape} and labels {labels.shape} must be equal, non-empty')
    return float(np.mean(predictions == labels))


def retrieval_precision_at_k(cost: np.ndarray,
                             query_labels: Sequence,
                             ref_labels: Optional[Sequence] = None,
                             ks: Sequence[int] = (1, 10, 50),
                             exclude_self: bool = False,
                             per_query: bool = False) -> Dict[int, Union[float, np.ndarray]]:
    """Mean precision@k of ranking the references of every query by cost.

    precision@k of a query is the fraction of its ``k`` lowest-cost references (ties in index
    order) whose label equals the query's. When fewer than ``k`` references are available, all of
    them are used (and a warning says so).

    Args:
        cost: ``(Q, R)`` costs.
        query_labels: ``Q`` labels.
        ref_labels: ``R`` labels; ``None`` = ``query_labels`` (square matrix).
        ks: Cut-offs.
        exclude_self: Leave the query itself out of its own ranking (square matrix).
        per_query: Return every query's precision@k (for intervals) instead of the mean.

    Returns:
        ``{k: precision@k}`` in [0, 1] (``(Q,)`` arrays with ``per_query``).
    """
    cost, query_labels, ref_labels = _check_cost(cost, query_labels, ref_labels, exclude_self)
    ks = [int(k) for k in ks]
    if not ks or min(ks) < 1:
        raise ValueError(f'ks must be positive integers, got {ks}')
    order = rank_refs(cost, exclude_self)
    hits = ref_labels[order] == query_labels[:, None]
    available = order.shape[1]
    result = {}
    for k in ks:
        k_eff = min(k, available)
        if k_eff < k:
            warnings.warn(f'precision@{k}: only {available} references per query; using all of them')
        per = hits[:, :k_eff].mean(axis=1)
        result[k] = per if per_query else float(per.mean())
    return result

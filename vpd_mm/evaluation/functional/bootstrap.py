"""Percentile-bootstrap intervals of per-item scores: a mean, and a paired difference of two methods."""
from typing import List

import numpy as np


def _resample_indices(size: int, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, size, size=(n, size))


def _percentiles(means: np.ndarray, level: float) -> List[float]:
    lo, hi = np.percentile(means, [50 * (1 - level), 100 - 50 * (1 - level)])
    return [float(lo), float(hi)]


def bootstrap_ci(values: np.ndarray, n: int = 1000, seed: int = 0, level: float = 0.95) -> List[float]:
    """Percentile bootstrap interval of the mean of ``values`` (resampling the items).

    Returns:
        ``[low, high]``; ``[nan, nan]`` for no values.
    """
    values = np.asarray(values, np.float64)
    if values.size == 0:
        return [float('nan'), float('nan')]
    return _percentiles(values[_resample_indices(values.size, n, seed)].mean(axis=1), level)


def percent_interval(values: np.ndarray, n: int = 1000, seed: int = 0, level: float = 0.95) -> dict:
    """``{'value', 'ci', 'n'}``: the mean of per-item scores (e.g. 1 = correct, 0 = wrong) in percent
    with its bootstrap interval (:func:`bootstrap_ci`)."""
    values = np.asarray(values, np.float64)
    mean = 100.0 * float(values.mean()) if values.size else float('nan')
    return dict(value=mean, ci=[100.0 * v for v in bootstrap_ci(values, n, seed, level)], n=int(values.size))


def paired_difference(a: np.ndarray, b: np.ndarray, n: int = 1000, seed: int = 0,
                      level: float = 0.95) -> dict:
    """``{'value', 'ci', 'n'}``: mean of ``a - b`` in percentage points, the same items resampled for
    both (a paired bootstrap: what two methods share, e.g. easy actions, cancels out).

    Raises:
        ValueError: ``a`` and ``b`` score different numbers of items.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f'paired_difference: {a.shape} vs {b.shape} scores; a pair must score the same '
                         'items')
    return percent_interval(a - b, n, seed, level)

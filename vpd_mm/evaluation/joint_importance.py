"""Per-class joint importance from JMRN's joint-selector weights (the paper's joint-importance plot).

``JMRNRecognizer.predict`` stores ``joint_weights`` ``(J,)`` on every data sample, so a
``tools/test.py --dump`` pickle holds them next to ``gt_label``.
"""
import os.path as osp
import pickle
from typing import Optional, Sequence, Tuple

import numpy as np


def load_joint_weights(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Read ``(N, J)`` joint weights and ``(N,)`` labels from a ``tools/test.py --dump`` pickle."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'dump not found: {path}')
    with open(path, 'rb') as f:
        items = pickle.load(f)
    if not isinstance(items, list) or not items:
        raise ValueError(f'{path}: expected a non-empty list of per-sample dicts')
    weights, labels = [], []
    for i, item in enumerate(items):
        if 'joint_weights' not in item:
            raise ValueError(f'{path}: sample {i} has no joint_weights (was it dumped from a '
                             'JMRNRecognizer with a JMRN backbone?)')
        w = item['joint_weights']
        w = w.detach().cpu().numpy() if hasattr(w, 'detach') else np.asarray(w)
        weights.append(w.reshape(-1).astype(np.float64))
        lab = item['gt_label']
        lab = lab.detach().cpu().numpy() if hasattr(lab, 'detach') else np.asarray(lab)
        labels.append(int(lab.reshape(-1)[0]))
    return np.stack(weights), np.asarray(labels)


def normalize_clip_weights(weights: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Divide every clip's ``(J,)`` weights by their mean (so every row has mean 1).

    The selector's weights scale the compressed joint features before a 1x1 conv + BatchNorm, which
    largely absorbs a common scale of all joints of a clip; what selects joints is how a clip's
    weights are distributed over its joints. Without this, classes whose clips get uniformly
    higher (or lower) weights show all-positive (all-negative) bars in the relative plot.
    """
    if weights.ndim != 2:
        raise ValueError(f'expected weights (N, J), got {weights.shape}')
    mean = weights.mean(1, keepdims=True)
    if (mean <= eps).any():
        raise ValueError('a clip has (near) zero joint weights; cannot normalise by its mean')
    return weights / mean


def class_joint_importance(weights: np.ndarray, labels: np.ndarray,
                           num_classes: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Mean joint weight per class.

    Returns:
        tuple: ``(num_classes, J)`` means (NaN for classes without samples) and ``(num_classes,)``
        sample counts.
    """
    if weights.ndim != 2 or labels.shape != (weights.shape[0], ):
        raise ValueError(f'expected weights (N, J) and labels (N,), got {weights.shape}, {labels.shape}')
    num_classes = int(labels.max()) + 1 if num_classes is None else num_classes
    means = np.full((num_classes, weights.shape[1]), np.nan)
    counts = np.bincount(labels, minlength=num_classes)
    for c in range(num_classes):
        if counts[c]:
            means[c] = weights[labels == c].mean(0)
    return means, counts


def plot_joint_importance(means: np.ndarray, class_names: Sequence[str], joint_names: Sequence[str],
                          out_file: str, classes: Optional[Sequence[str]] = None,
                          counts: Optional[np.ndarray] = None, mode: str = 'relative',
                          reference: Optional[np.ndarray] = None,
                          joint_order: Optional[Sequence[int]] = None,
                          value_label: str = 'joint weight') -> None:
    """Per-class joint-importance bar charts (one panel per class), saved as a PNG.

    The selector weights of a trained JMRN share a large class-independent part (some joints are
    weighted up for every action), so the absolute per-class means look alike across classes.
    ``mode='relative'`` (default) therefore plots every class mean minus ``reference`` (the mean
    weight of every joint over all clips), red for joints the class weights up and blue for joints
    it weights down; ``mode='absolute'`` plots the class means themselves on a zoomed axis, with
    ``reference`` as black ticks.

    Args:
        means (np.ndarray): ``(num_classes, J)`` class means (NaN rows for empty classes).
        class_names (Sequence[str]): Names in label order.
        joint_names (Sequence[str]): ``J`` names.
        out_file (str): PNG path (written atomically).
        classes (Sequence[str], optional): Classes to plot (default all).
        counts (np.ndarray, optional): Clips per class, shown in the titles and used to weight
            the default ``reference``.
        mode (str): ``'relative'`` or ``'absolute'``.
        reference (np.ndarray, optional): ``(J,)`` mean over all clips; defaults to the mean of the
            class means weighted by ``counts`` (i.e. the mean over all clips) or unweighted.
        joint_order (Sequence[int], optional): Joint indices from top to bottom (a permutation,
            e.g. a layout's ``plot_order``); default the given order.
        value_label (str): What ``means`` hold, for the axis labels (e.g. ``'weight / clip mean'``).
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from vpd_mm.utils.fileio import atomic_save_figure
    if means.shape != (len(class_names), len(joint_names)):
        raise ValueError(f'means {means.shape} does not match {len(class_names)} classes x '
                         f'{len(joint_names)} joints')
    if mode not in ('relative', 'absolute'):
        raise ValueError(f"mode must be 'relative' or 'absolute', got {mode!r}")
    classes = list(classes) if classes else list(class_names)
    unknown = [c for c in classes if c not in class_names]
    if unknown:
        raise ValueError(f'unknown classes {unknown}; known: {list(class_names)}')
    filled = ~np.isnan(means).any(1)
    if not filled.any():
        raise ValueError('no class has any clip: nothing to plot')
    if reference is None:
        w = np.ones(len(means)) if counts is None else np.asarray(counts, float)
        w = np.where(filled, w, 0.0)
        reference = (np.nan_to_num(means) * w[:, None]).sum(0) / w.sum()
    reference = np.asarray(reference, float)
    if reference.shape != (len(joint_names), ):
        raise ValueError(f'reference must have shape ({len(joint_names)},), got {reference.shape}')
    if joint_order is not None:
        joint_order = [int(j) for j in joint_order]
        if sorted(joint_order) != list(range(len(joint_names))):
            raise ValueError(f'joint_order must be a permutation of 0..{len(joint_names) - 1}, '
                             f'got {joint_order}')
        means, reference = means[:, joint_order], reference[joint_order]
        joint_names = [joint_names[j] for j in joint_order]
    idx = [list(class_names).index(c) for c in classes]
    values = means[idx] - reference if mode == 'relative' else means[idx]
    finite = values[np.isfinite(values)]
    if mode == 'relative':
        half = max(float(np.abs(finite).max()) if finite.size else 0.0, 1e-3) * 1.1
        xlim = (-half, half)
    else:
        lo = min(float(finite.min()) if finite.size else 0.0, float(reference.min()))
        hi = max(float(finite.max()) if finite.size else 1.0, float(reference.max()))
        pad = max(0.05 * (hi - lo), 0.01)
        xlim = (max(0.0, lo - pad), hi + pad)
    ncols = min(3, len(classes))
    nrows = int(np.ceil(len(classes) / ncols))
    panel_h = 0.22 * len(joint_names) + 1.2
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, panel_h * nrows + 0.6), squeeze=False)
    order = np.arange(len(joint_names))
    for ax in axes.flat[len(classes):]:
        ax.axis('off')
    for ax, name, c, vals in zip(axes.flat, classes, idx, values):
        title = name if counts is None else f'{name} (n={int(counts[c])})'
        ax.set_title(title, fontsize=9)
        ax.set_yticks(order)
        ax.set_yticklabels(joint_names, fontsize=7)
        ax.set_ylim(len(joint_names) - 0.5, -0.5)
        ax.set_xlim(*xlim)
        ax.tick_params(axis='x', labelsize=7)
        if np.isnan(vals).all():
            ax.text(0.5, 0.5, 'no clips', transform=ax.transAxes, ha='center', va='center')
            continue
        if mode == 'relative':
            ax.barh(order, vals, color=np.where(vals >= 0, 'tab:red', 'tab:blue'))
            ax.axvline(0.0, color='black', linewidth=0.8)
            ax.set_xlabel(f'{value_label}: class mean - all-clip mean', fontsize=8)
        else:
            ax.barh(order, vals, color='tab:blue')
            ax.scatter(reference, order, marker='|', color='black', s=60, zorder=3,
                       label='all clips')
            ax.set_xlabel(f'class mean {value_label}', fontsize=8)
    if mode == 'relative':
        fig.suptitle(f'JMRN joint selector per class ({value_label}), relative to the mean over all '
                     f'clips ({reference.min():.2f}-{reference.max():.2f})', fontsize=10)
    else:
        fig.suptitle(f'JMRN joint selector per class ({value_label}; ticks: mean over all clips)',
                     fontsize=10)
    fig.tight_layout()
    atomic_save_figure(fig, out_file, dpi=110)

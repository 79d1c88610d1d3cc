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
                          counts: Optional[np.ndarray] = None) -> None:
    """Bar chart of the mean selector weight of every joint, one panel per class, saved as a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from vpd_mm.utils.fileio import atomic_write_bytes
    if means.shape != (len(class_names), len(joint_names)):
        raise ValueError(f'means {means.shape} does not match {len(class_names)} classes x '
                         f'{len(joint_names)} joints')
    classes = list(classes) if classes else list(class_names)
    unknown = [c for c in classes if c not in class_names]
    if unknown:
        raise ValueError(f'unknown classes {unknown}; known: {list(class_names)}')
    ncols = min(3, len(classes))
    nrows = int(np.ceil(len(classes) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.4 * nrows), squeeze=False)
    order = np.arange(len(joint_names))
    for ax in axes.flat[len(classes):]:
        ax.axis('off')
    for ax, name in zip(axes.flat, classes):
        c = list(class_names).index(name)
        ax.barh(order, means[c], color='tab:blue')
        ax.set_yticks(order)
        ax.set_yticklabels(joint_names, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        title = name if counts is None else f'{name} (n={int(counts[c])})'
        ax.set_title(title, fontsize=9)
        ax.set_xlabel('mean joint weight', fontsize=8)
    fig.suptitle('JMRN joint-selector weights per class')
    fig.tight_layout()
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=110)
    plt.close(fig)
    atomic_write_bytes(out_file, buf.getvalue())

"""Measure how fine-grained a generated SynthSport is.

* Pose: 1-NN on GT 2D joints of the trimmed elements (VPD-normalised joints via
  :func:`vpd_mm.pose.normalize_coco_pose`, resampled to a fixed length; a query is also compared
  in its horizontally flipped version, the lower distance wins), and 1-NN over DTW alignment cost
  of the per-frame normalised joints (both query flips, lowest cost wins).
* Appearance: 1-NN and nearest class mean on per-clip appearance statistics (clip length, mean box
  size and aspect, mean / std colour of the frames and of the athlete box) -- these should stay near
  chance if the classes differ only in pose and motion.

Both are evaluated leave-one-video-out over all elements and on the train -> val+test split.
"""
import os.path as osp
from typing import Dict, List, Sequence

import cv2
import numpy as np

from vpd_mm.pose import normalize_coco_pose
from vpd_mm.utils.fileio import load_json
from vpd_mm.utils.vpd_files import load_coco_keypoints


def resample(seq: np.ndarray, length: int) -> np.ndarray:
    """Linearly resample ``(T, D)`` to ``(length, D)``."""
    t = np.linspace(0, len(seq) - 1, length)
    i0 = np.floor(t).astype(int)
    i1 = np.minimum(i0 + 1, len(seq) - 1)
    w = (t - i0)[:, None]
    return seq[i0] * (1 - w) + seq[i1] * w


def pose_features(root: str, elements: Sequence[dict], length: int = 32) -> np.ndarray:
    """``(N, 2, length * 39)``: normalised joint sequences of each element, original and flipped."""
    out, cache = [], {}
    for e in elements:
        if e['video'] not in cache:
            cache = {e['video']: load_coco_keypoints(osp.join(root, 'pose', e['video'], 'coco_keypoints.json.gz'))}
        kp = np.stack([cache[e['video']][f][0][2] for f in range(e['start'], e['end'])]).copy()
        kp[..., 2] = 1.0  # GT positions are exact even where occluded
        feats = [resample(normalize_coco_pose(kp, flip=fl), length).ravel() for fl in (False, True)]
        out.append(np.stack(feats))
    return np.asarray(out, np.float32)


def pose_sequences(root: str, elements: Sequence[dict]) -> List[np.ndarray]:
    """Per element ``(2, T, 39)``: normalised joints per frame, original and flipped."""
    out, cache = [], {}
    for e in elements:
        if e['video'] not in cache:
            cache = {e['video']: load_coco_keypoints(osp.join(root, 'pose', e['video'], 'coco_keypoints.json.gz'))}
        kp = np.stack([cache[e['video']][f][0][2] for f in range(e['start'], e['end'])]).copy()
        kp[..., 2] = 1.0
        out.append(np.stack([normalize_coco_pose(kp, flip=fl) for fl in (False, True)]))
    return out


def dtw_costs(query: np.ndarray, gallery: Sequence[np.ndarray]) -> np.ndarray:
    """Length-normalised DTW costs (Euclidean local cost, steps (1,0), (0,1), (1,1)) of ``query (T, D)``
    against every gallery sequence, batched over the gallery."""
    lens = np.asarray([len(g) for g in gallery])
    m = lens.max()
    gal = np.zeros((len(gallery), m, query.shape[1]), np.float32)
    for i, g in enumerate(gallery):
        gal[i, :len(g)] = g
    local = np.sqrt(((query[None, :, None, :] - gal[:, None, :, :]) ** 2).sum(-1))  # (G, T, M)
    acc = np.full((len(gallery), len(query) + 1, m + 1), np.inf, np.float32)
    acc[:, 0, 0] = 0
    for i in range(1, len(query) + 1):
        row = local[:, i - 1]
        diag_up = np.minimum(acc[:, i - 1, :-1], acc[:, i - 1, 1:])  # from (i-1, j-1) or (i-1, j)
        cur = acc[:, i]
        for j in range(1, m + 1):
            cur[:, j] = row[:, j - 1] + np.minimum(diag_up[:, j - 1], cur[:, j - 1])
    return acc[np.arange(len(gallery)), -1, lens] / (len(query) + lens)


def dtw_predict(gallery: Sequence[np.ndarray], g_labels: np.ndarray, query: Sequence[np.ndarray]) -> np.ndarray:
    """1-NN over DTW cost; gallery items ``(2, T, D)`` use view 0, queries try both views."""
    g0 = [g[0] for g in gallery]
    out = []
    for q in query:
        cost = np.minimum(dtw_costs(q[0], g0), dtw_costs(q[1], g0))
        out.append(g_labels[int(cost.argmin())])
    return np.asarray(out)


def appearance_features(root: str, elements: Sequence[dict]) -> np.ndarray:
    """``(N, F)`` per-clip appearance statistics (no pose information beyond the box)."""
    rows, boxes_cache = [], {}
    for e in elements:
        if e['video'] not in boxes_cache:
            boxes_cache = {e['video']: dict((int(f), b) for f, b in
                                            load_json(osp.join(root, 'pose', e['video'], 'boxes.json')))}
        boxes = np.asarray([boxes_cache[e['video']][f] for f in range(e['start'], e['end'])], np.float64)
        cap = cv2.VideoCapture(osp.join(root, 'mmaction', 'clips', e['id'] + '.mp4'))
        means, stds, box_means = [], [], []
        i = 0
        while True:
            ok, img = cap.read()
            if not ok:
                break
            means.append(img.reshape(-1, 3).mean(0))
            stds.append(img.reshape(-1, 3).std(0))
            x, y, w, h = (int(round(v)) for v in boxes[min(i, len(boxes) - 1)])
            crop = img[max(y, 0):y + max(h, 1), max(x, 0):x + max(w, 1)]
            box_means.append(crop.reshape(-1, 3).mean(0) if crop.size else means[-1])
            i += 1
        cap.release()
        if not means:
            raise ValueError(f"{e['id']}: clip has no decodable frames")
        rows.append(np.concatenate([[e['end'] - e['start'], boxes[:, 2].mean(), boxes[:, 3].mean(),
                                     (boxes[:, 2] * boxes[:, 3]).mean(), (boxes[:, 2] / boxes[:, 3]).mean()],
                                    np.mean(means, 0), np.mean(stds, 0), np.mean(box_means, 0)]))
    return np.asarray(rows, np.float64)


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(0)) / (x.std(0) + 1e-9)


def nn_predict(gallery: np.ndarray, g_labels: np.ndarray, query: np.ndarray) -> np.ndarray:
    """1-NN labels. ``gallery (G, D)``; ``query (Q, V, D)`` with V views (minimum distance over views)."""
    if query.ndim == 2:
        query = query[:, None]
    d = ((query[:, :, None, :] - gallery[None, None]) ** 2).sum(-1).min(1)
    return g_labels[d.argmin(1)]


def ncm_predict(gallery: np.ndarray, g_labels: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Nearest class mean labels."""
    classes = np.unique(g_labels)
    means = np.stack([gallery[g_labels == c].mean(0) for c in classes])
    d = ((query[:, None] - means[None]) ** 2).sum(-1)
    return classes[d.argmin(1)]


def _take(x, mask):
    return x[mask] if isinstance(x, np.ndarray) else [v for v, m in zip(x, mask) if m]


def _lovo(fn, x_gal, x_query, y, groups) -> float:
    correct = 0
    for g in np.unique(groups):
        q, gal = groups == g, groups != g
        if not gal.any():
            continue
        correct += int((fn(_take(x_gal, gal), y[gal], _take(x_query, q)) == y[q]).sum())
    return correct / len(y)


def _split(fn, x_gal, x_query, y, train, test) -> float:
    if not train.any() or not test.any():
        return float('nan')
    return float((fn(_take(x_gal, train), y[train], _take(x_query, test)) == y[test]).mean())


def check_dataset(root: str, dtw: bool = True) -> Dict[str, float]:
    """Compute the pose vs appearance top-1 accuracies of a generated dataset (fractions in [0, 1])."""
    meta = load_json(osp.join(root, 'dataset.json'))
    elements = load_json(osp.join(root, 'annotations', 'elements.json'))
    splits = load_json(osp.join(root, 'annotations', 'splits.json'))
    if len(elements) < 2:
        raise ValueError(f'{root}: need at least 2 elements to measure anything, found {len(elements)}')
    y = np.asarray([e['label'] for e in elements])
    groups = np.asarray([e['video'] for e in elements])
    train = np.isin(groups, splits['train'])
    test = np.isin(groups, splits['val'] + splits['test'])
    pose = pose_features(root, elements)
    app = _standardise(appearance_features(root, elements))
    pose_gal = pose[:, 0]
    res = dict(num_elements=len(elements), num_classes=len(meta['classes']),
               chance=float(np.bincount(y).max() / len(y)),
               pose_1nn_lovo=_lovo(nn_predict, pose_gal, pose, y, groups),
               pose_1nn_split=_split(nn_predict, pose_gal, pose, y, train, test),
               appearance_1nn_lovo=_lovo(nn_predict, app, app, y, groups),
               appearance_ncm_lovo=_lovo(ncm_predict, app, app, y, groups),
               appearance_1nn_split=_split(nn_predict, app, app, y, train, test),
               duration_1nn_lovo=_lovo(nn_predict, app[:, :1], app[:, :1], y, groups))
    if dtw:
        seqs = pose_sequences(root, elements)
        res.update(pose_dtw_lovo=_lovo(dtw_predict, seqs, seqs, y, groups),
                   pose_dtw_split=_split(dtw_predict, seqs, seqs, y, train, test))
    return res


def format_report(res: Dict[str, float]) -> List[str]:
    """Human-readable lines of :func:`check_dataset` results."""
    pct = lambda v: f'{100 * v:5.1f} %'  # noqa: E731
    return [f"elements: {res['num_elements']}, classes: {res['num_classes']}, "
            f"chance (majority class): {pct(res['chance'])}",
            f"GT 2D pose 1-NN       top-1: {pct(res['pose_1nn_lovo'])} (leave-one-video-out), "
            f"{pct(res['pose_1nn_split'])} (train -> val+test)"] + ([
            f"GT 2D pose 1-NN DTW   top-1: {pct(res['pose_dtw_lovo'])} (leave-one-video-out), "
            f"{pct(res['pose_dtw_split'])} (train -> val+test)"] if 'pose_dtw_lovo' in res else []) + [
            f"appearance 1-NN       top-1: {pct(res['appearance_1nn_lovo'])} (leave-one-video-out), "
            f"{pct(res['appearance_1nn_split'])} (train -> val+test)",
            f"appearance class-mean top-1: {pct(res['appearance_ncm_lovo'])} (leave-one-video-out)",
            f"clip length 1-NN      top-1: {pct(res['duration_1nn_lovo'])} (leave-one-video-out)"]

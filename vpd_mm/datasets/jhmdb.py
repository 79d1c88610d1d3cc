"""Convert the DD-Net JHMDB GT-joint pickles into one mmaction2 ``PoseDataset`` pickle.

The DD-Net files (``GT_{train,test}_{1,2,3}.pkl``: ``{'pose': [(T, 15, 2)], 'label': [str]}``) hold
JHMDB's normalised ``pos_world``-style coordinates, which are the 320x240 image coordinates centred on
the image centre and divided by half the image width (x in about [-1, 1], y in about [-0.75, 0.75]).
They are mapped back to pixels of a fixed canvas: ``x_px = cx + scale * x``, ``y_px = cy + scale * y``
(defaults: 320x240 canvas, scale 160), so joints outside the frame stay outside it.

The files carry no video names; a clip is identified by its exact joint array, which is how one clip
is recognised across the three splits (train of one split = test of another). Sample ids are
``'<class>_<index>'`` in first-seen order.
"""
import hashlib
import os.path as osp
import pickle
from typing import Dict, List, Sequence, Tuple

import numpy as np

from vpd_mm.datasets.joint_layouts import JHMDB15_NAMES

JHMDB_CANVAS: Tuple[int, int] = (320, 240)  # (W, H) of the JHMDB videos
JHMDB_SCALE: float = 160.0


def jhmdb_to_pixels(pose: np.ndarray, canvas: Tuple[int, int] = JHMDB_CANVAS,
                    scale: float = JHMDB_SCALE) -> np.ndarray:
    """Map normalised ``(T, 15, 2)`` JHMDB joints to pixel coordinates of a ``canvas=(W, H)`` image."""
    pose = np.asarray(pose, dtype=np.float64)
    if pose.ndim != 3 or pose.shape[1:] != (len(JHMDB15_NAMES), 2):
        raise ValueError(f'JHMDB pose must have shape (T, 15, 2), got {pose.shape}')
    if not np.isfinite(pose).all():
        raise ValueError('JHMDB pose contains NaN/inf coordinates')
    centre = np.array([canvas[0] / 2.0, canvas[1] / 2.0])
    return (centre + scale * pose).astype(np.float32)


def load_ddnet(path: str) -> Tuple[list, list]:
    """Read one DD-Net JHMDB pickle (``GT_{train,test}_{split}.pkl``) into ``(poses, labels)``.

    Raises:
        FileNotFoundError / ValueError naming ``path`` for a missing or malformed file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'JHMDB GT pickle not found: {path}')
    with open(path, 'rb') as f:
        data = pickle.load(f)
    if not isinstance(data, dict) or 'pose' not in data or 'label' not in data:
        raise ValueError(f"{path}: expected a dict with 'pose' and 'label' lists (DD-Net format)")
    if len(data['pose']) != len(data['label']):
        raise ValueError(f"{path}: {len(data['pose'])} poses but {len(data['label'])} labels")
    return list(data['pose']), [str(x) for x in data['label']]


def holdout_split(ids: Sequence[str], labels: Sequence[int], fraction: float,
                  seed: int = 0) -> Tuple[List[str], List[str]]:
    """Stratified, seeded split of ``ids`` into ``(fit, holdout)`` (both keep the input order).

    ``round(fraction * n_c)`` clips of every class ``c`` (at least one when ``n_c >= 2``) go to the
    held-out part. Used to tune on JHMDB without touching its test split (JHMDB has no val split).
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f'holdout fraction must be in (0, 1), got {fraction}')
    rng = np.random.default_rng(seed)
    held = set()
    labels = np.asarray(labels)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        k = int(round(fraction * len(members)))
        k = max(k, 1) if len(members) >= 2 else 0
        held.update(int(i) for i in rng.choice(members, size=k, replace=False))
    fit = [x for i, x in enumerate(ids) if i not in held]
    return fit, [x for i, x in enumerate(ids) if i in held]


def convert_jhmdb(src_dir: str, splits: Sequence[int] = (1, 2, 3),
                  canvas: Tuple[int, int] = JHMDB_CANVAS, scale: float = JHMDB_SCALE,
                  holdout_fraction: float = 0.2, holdout_seed: int = 0) -> Dict:
    """Build the PoseDataset dict from ``src_dir/GT_{train,test}_{s}.pkl``.

    Besides ``train{s}`` / ``test{s}``, every split gets ``train{s}_fit`` and ``train{s}_holdout``:
    a stratified ``holdout_fraction`` of ``train{s}`` held out for tuning (see
    :func:`holdout_split`; the DD-Net files have no video names, so clips cut from the same HMDB
    source video may fall on both sides, which makes the held-out accuracy optimistic).

    Returns:
        dict: ``{'split': {'train1': [...], 'test1': [...], 'train1_fit': [...],
        'train1_holdout': [...], ...}, 'annotations': [...], 'classes': [names],
        'joint_names': [...], 'meta': {...}}``; each annotation has ``frame_dir, total_frames,
        img_shape, original_shape, label, keypoint (1, T, 15, 2) float32, keypoint_score (1, T, 15)``.

    Raises:
        FileNotFoundError / ValueError: a missing or malformed file, NaN joints, a clip in both the
        train and test part of a split, or a clip seen with two different labels.
    """
    raw = {}
    for s in splits:
        for part in ('train', 'test'):
            raw[(s, part)] = load_ddnet(osp.join(src_dir, f'GT_{part}_{s}.pkl'))
    classes = sorted({lab for poses, labels in raw.values() for lab in labels})
    by_hash: Dict[str, dict] = {}
    annotations, split_lists = [], {}
    counters = {c: 0 for c in classes}
    for (s, part), (poses, labels) in raw.items():
        ids = []
        for i, (pose, label) in enumerate(zip(poses, labels)):
            where = f'GT_{part}_{s}.pkl item {i}'
            try:
                kp = jhmdb_to_pixels(pose, canvas, scale)
            except ValueError as err:
                raise ValueError(f'{osp.join(src_dir, f"GT_{part}_{s}.pkl")} item {i}: {err}') from err
            key = hashlib.sha1(np.ascontiguousarray(np.asarray(pose, np.float64)).tobytes()).hexdigest()
            if key in by_hash:
                anno = by_hash[key]
                if anno['label'] != classes.index(label):
                    raise ValueError(f'{where}: clip {anno["frame_dir"]} seen with labels '
                                     f'{classes[anno["label"]]!r} and {label!r}')
            else:
                name = f'{label}_{counters[label]:04d}'
                counters[label] += 1
                t = kp.shape[0]
                anno = dict(frame_dir=name, total_frames=t, img_shape=(canvas[1], canvas[0]),
                            original_shape=(canvas[1], canvas[0]), label=classes.index(label),
                            keypoint=kp[None], keypoint_score=np.ones((1, t, kp.shape[1]), np.float32))
                by_hash[key] = anno
                annotations.append(anno)
            ids.append(anno['frame_dir'])
        split_lists[f'{part}{s}'] = ids
    for s in splits:
        both = set(split_lists[f'train{s}']) & set(split_lists[f'test{s}'])
        if both:
            raise ValueError(f'split {s}: {len(both)} clips are in both train and test, e.g. '
                             f'{sorted(both)[:3]}')
    label_of = {a['frame_dir']: a['label'] for a in annotations}
    for s in splits:
        train = split_lists[f'train{s}']
        fit, held = holdout_split(train, [label_of[x] for x in train], holdout_fraction,
                                  holdout_seed + s)
        split_lists[f'train{s}_fit'], split_lists[f'train{s}_holdout'] = fit, held
    meta = dict(source=osp.abspath(src_dir), canvas_wh=list(canvas), scale=scale,
                mapping='x_px = W/2 + scale*x, y_px = H/2 + scale*y',
                holdout=dict(fraction=holdout_fraction, seed=holdout_seed,
                             note='train{s}_holdout: stratified part of train{s}, seed + s'))
    return dict(split=split_lists, annotations=annotations, classes=classes,
                joint_names=list(JHMDB15_NAMES), meta=meta)

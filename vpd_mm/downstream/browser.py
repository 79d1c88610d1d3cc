"""A static results browser: query actions, their DTW neighbours per feature set, a confusion matrix.

:func:`build_browser` reads the labelled actions of a recognition config (every action of the
training, validation and test splits, as :func:`vpd_mm.downstream.nns.run_nns` pools them for
retrieval), ranks, for every feature set (e.g. teacher and student features), all other actions of
every action by the cost ``tools/nns.py`` retrieves with
(:func:`~vpd_mm.evaluation.functional.knn.retrieval_cost_matrix`: symmetricP2 DTW of unit-normalised
features, length-normalised; the two views side by side, ``views='concat'``, or the lowest cost over
the view combinations, ``views='min'``) and writes a page that opens from disk (``file://``, no
server, nothing fetched):

* ``index.html``, ``browser.css``, ``browser.js``: the page (copied from ``browser_assets/``);
* ``browser_data.js``: ``window.VPD_BROWSER_DATA = {...}``, the data below plus the previews;
* ``browser.json``: the same data without the previews, for scripts.

Data (``browser.json``)::

    {"title", "classes": [name], "k", "pool", "views",
     "actions": [{"id", "video", "start", "end", "label", "split"}],
     "feature_sets": {name: {"neighbours": [[action index] * k] per action,
                             "costs": [[DTW cost or null (no admissible path)] * k] per action,
                             "loo_1nn", "P@1", "P@<k>": %, "confusion": [[count] * C] * C}}}

The confusion matrix (and ``loo_1nn``, its accuracy) is leave-one-out 1-NN over the pool by the same
cost (row = true class, column = the class of the nearest other action); it is not ``tools/nns.py``'s
``nn_top1`` (test actions against training actions). Previews (``pose_root`` / ``video_dir``): per
action, ``preview_frames`` evenly spaced frames of the action, each a square crop around the tracked
athlete (a JPEG sprite) with the teacher's 2D skeleton in crop coordinates (uint8, 255 = joint not
visible).
"""
import base64
import copy
import glob
import json
import os
import os.path as osp
import warnings
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.utils import ProgressBar

from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text

from .runner_utils import _dataset_cfg, build_dataset, set_feature_dirs

ASSET_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'browser_assets')
ASSET_FILES = ('index.html', 'browser.css', 'browser.js')
POOL_KEYS = dict(all=('train_dataloader', 'val_dataloader', 'test_dataloader'), test=('test_dataloader', ))
#: Keypoints below this score are drawn as missing.
MIN_KP_SCORE = 0.2
_MISSING = 255


def pool_actions(cfg: Config, pool: str = 'all') -> Tuple[List[dict], List[np.ndarray], List[str]]:
    """Every labelled action of the pool's splits, once (first split wins), sorted by video and start.

    Args:
        cfg: Recognition config whose dataloaders define the splits (feature dirs already set).
        pool: ``'all'`` (training, validation and test splits) or ``'test'``.

    Returns:
        ``(actions [{id, video, start, end, label, split}], features [(T, V, D)], classes)``.

    Raises:
        ValueError: Unknown pool, or splits naming different classes.
    """
    if pool not in POOL_KEYS:
        raise ValueError(f'pool must be one of {sorted(POOL_KEYS)}, got {pool!r}')
    actions, feats, seen, classes = [], [], set(), None
    for key in POOL_KEYS[pool]:
        if cfg.get(key, None) is None:
            continue
        dataset = build_dataset(_dataset_cfg(cfg[key]), pipeline=[], view_mode='stack', fewshot_k=None)
        names = list(dataset.metainfo['classes'])
        if classes is None:
            classes = names
        elif names != classes:
            raise ValueError(f'{key} names classes {names}, the first split {classes}; they cannot be pooled')
        split = key.replace('_dataloader', '')
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            if info['element_id'] in seen:
                continue
            seen.add(info['element_id'])
            actions.append(
                dict(
                    id=info['element_id'],
                    video=str(info['video']),
                    start=int(info['start']),
                    end=int(info['end']),
                    label=int(info['label']),
                    split=split))
            feats.append(np.asarray(info['features'], np.float32))
    if classes is None:
        raise ValueError(f'the config has none of the dataloaders {POOL_KEYS[pool]}')
    order = sorted(
        range(len(actions)), key=lambda i: (actions[i]['video'], actions[i]['start'], str(actions[i]['id'])))
    return [actions[i] for i in order], [feats[i] for i in order], classes


def rank_neighbours(cost: np.ndarray, k: int) -> Tuple[np.ndarray, np.ndarray]:
    """The ``k`` lowest-cost other actions of every action of a square cost matrix.

    Ties keep index order (:func:`~vpd_mm.evaluation.functional.retrieval.rank_refs`).

    Returns:
        ``(indices (N, k') int64, costs (N, k') float64)`` with ``k' = min(k, N - 1)``.
    """
    from vpd_mm.evaluation.functional.retrieval import rank_refs
    order = rank_refs(cost, exclude_self=True)[:, :k]
    return order, np.take_along_axis(cost, order, axis=1)


def confusion_1nn(cost: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Leave-one-out 1-NN confusion counts ``(C, C)``: row = true class, column = nearest's class.

    Actions with no finite cost to any other action are left out.
    """
    order, costs = rank_neighbours(cost, 1)
    conf = np.zeros((num_classes, num_classes), np.int64)
    for i, (j, c) in enumerate(zip(order[:, 0], costs[:, 0])):
        if np.isfinite(c):
            conf[labels[i], labels[j]] += 1
    return conf


def feature_set_summary(feats: Sequence[np.ndarray],
                        labels: np.ndarray,
                        num_classes: int,
                        k: int,
                        views: str = 'concat') -> dict:
    """Neighbours, costs, scores and confusion matrix of one feature set (see the module doc).

    Args:
        feats: Per action ``(T, V, D)`` features.
        labels: ``(N,)`` class indices.
        num_classes: Number of classes.
        k: Neighbours kept per action.
        views: How two actions with views are compared, as ``tools/nns.py`` retrieves
            (:func:`~vpd_mm.evaluation.functional.knn.retrieval_cost_matrix`): ``'concat'`` or ``'min'``.
    """
    from vpd_mm.evaluation.functional import retrieval_precision_at_k
    from vpd_mm.evaluation.functional.knn import retrieval_cost_matrix
    if len(feats) < 2:
        raise ValueError(f'the browser needs at least 2 actions, got {len(feats)}')
    cost = retrieval_cost_matrix(feats, views=views, exclude_self=True)
    order, costs = rank_neighbours(cost, k)
    conf = confusion_1nn(cost, labels, num_classes)
    ks = sorted({1, min(k, len(feats) - 1)})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        prec = retrieval_precision_at_k(cost, labels, ks=tuple(ks), exclude_self=True)
    out = dict(
        neighbours=order.tolist(),
        costs=[[float(c) if np.isfinite(c) else None for c in row] for row in costs],
        loo_1nn=100.0 * float(np.trace(conf)) / max(1, int(conf.sum())),
        confusion=conf.tolist())
    out.update({f'P@{kk}': 100.0 * float(prec[kk]) for kk in ks})
    return out


# ---------------------------------------------------------------------------------------- previews
def find_video(video_dir: str, vid: str) -> Optional[str]:
    """``video_dir/<vid>.<ext>`` for a known video extension, or ``None``."""
    from vpd_mm.crops.video import VIDEO_EXTENSIONS
    for path in sorted(glob.glob(osp.join(glob.escape(video_dir), glob.escape(vid) + '.*'))):
        if osp.splitext(path)[1].lower() in VIDEO_EXTENSIONS:
            return path
    return None


def _preview_frames(start: int, end: int, available: np.ndarray, num: int) -> List[int]:
    """Up to ``num`` evenly spaced frames of ``[start, end)`` among ``available`` (sorted)."""
    inside = available[(available >= start) & (available < end)]
    if len(inside) == 0:
        return []
    idx = np.unique(np.round(np.linspace(0, len(inside) - 1, min(num, len(inside)))).astype(np.int64))
    return inside[idx].tolist()


def _skeleton_bytes(kps: np.ndarray, x0: float, y0: float, side: float) -> bytes:
    """COCO-17 keypoints ``(17, 3)`` in frame pixels -> 34 bytes of crop coordinates (0..250)."""
    xy = (kps[:, :2] - np.array([x0, y0])) / side * 250.0
    ok = (kps[:, 2] >= MIN_KP_SCORE) & (xy >= 0).all(axis=1) & (xy <= 250).all(axis=1)
    out = np.where(ok[:, None], np.round(xy), _MISSING).astype(np.uint8)
    return out.tobytes()


def action_previews(actions: Sequence[dict],
                    pose_root: Optional[str],
                    video_dir: Optional[str],
                    frames: int = 12,
                    size: int = 64,
                    quality: int = 70) -> List[Optional[dict]]:
    """Per action ``{'n', 'skeleton' (base64), 'sprite' (base64 JPEG data URL or None), 'seconds'}``.

    Frames are taken where the athlete was tracked (``pose_root/<vid>/boxes.json``); an action with
    no tracked frame, or any action without a pose root, gets ``None``. Without a video the preview
    is the skeleton alone.

    Args:
        actions: As returned by :func:`pool_actions`.
        pose_root: Folder of VPD pose directories (``<vid>/boxes.json``, ``coco_keypoints.json.gz``).
        video_dir: Folder of the videos (``<vid>.mp4`` etc.), or ``None``.
        frames: Preview frames per action.
        size: Side of each preview crop, pixels.
        quality: JPEG quality of the sprites.
    """
    from vpd_mm.crops.geometry import crop_square, square_box
    from vpd_mm.pose.pose_features import load_pose_sequence
    from vpd_mm.utils.vpd_files import load_boxes
    out: List[Optional[dict]] = [None] * len(actions)
    if not pose_root:
        return out
    by_video: Dict[str, List[int]] = defaultdict(list)
    for i, a in enumerate(actions):
        by_video[a['video']].append(i)
    bar = ProgressBar(len(by_video))
    for vid, indices in sorted(by_video.items()):
        pose_dir = osp.join(pose_root, vid)
        box_path = osp.join(pose_dir, 'boxes.json')
        if not osp.isfile(box_path):
            bar.update()
            continue
        boxes = load_boxes(box_path)
        try:
            pose_frames, poses = load_pose_sequence(pose_dir)
        except (FileNotFoundError, ValueError):
            pose_frames, poses = np.zeros(0, np.int64), np.zeros((0, 17, 3), np.float32)
        pose_of = dict(zip(pose_frames.tolist(), poses))
        available = np.asarray(sorted(boxes), np.int64)
        picks = {
            i: _preview_frames(actions[i]['start'], actions[i]['end'], available, frames)
            for i in indices
        }
        wanted = sorted({f for fs in picks.values() for f in fs})
        images: Dict[int, np.ndarray] = {}
        video = find_video(video_dir, vid) if video_dir else None
        if video is not None and wanted:
            from vpd_mm.teachers.video import iter_frames
            for f, img in iter_frames(video, wanted):
                images[f] = crop_square(img, boxes[f], size)
        for i in indices:
            fs = picks[i]
            if not fs:
                continue
            skel = b''
            for f in fs:
                x0, y0, side = square_box(boxes[f])
                kps = pose_of.get(f)
                skel += _skeleton_bytes(kps, x0, y0, side) if kps is not None else bytes([_MISSING]) * 34
            sprite = None
            if all(f in images for f in fs):
                ok, jpg = cv2.imencode('.jpg', np.concatenate([images[f] for f in fs], axis=1),
                                       [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
                if ok:
                    sprite = 'data:image/jpeg;base64,' + base64.b64encode(jpg.tobytes()).decode('ascii')
            out[i] = dict(n=len(fs), skeleton=base64.b64encode(skel).decode('ascii'), sprite=sprite)
        bar.update()
    return out


# ---------------------------------------------------------------------------------------- the page
def build_browser(config: Union[str, Config],
                  feature_sets: Dict[str, Sequence[str]],
                  out_dir: str,
                  pose_root: Optional[str] = None,
                  video_dir: Optional[str] = None,
                  k: int = 10,
                  pool: str = 'all',
                  views: str = 'concat',
                  preview_frames: int = 12,
                  preview_size: int = 64,
                  title: str = 'vpd_mm results browser') -> dict:
    """Write the results browser of ``feature_sets`` on ``config``'s actions into ``out_dir``.

    Args:
        config: Recognition config (or its path) whose datasets define the actions.
        feature_sets: ``{name: feature dirs}`` (relative to the datasets' ``data_root``); empty
            dirs = the config's own.
        out_dir: Output folder (``index.html`` and the files it loads).
        pose_root: VPD pose directories for the skeleton previews (``None``: no previews).
        video_dir: Videos for the clip previews (``None``: skeletons only).
        k: Neighbours listed per action and feature set.
        pool: ``'all'`` or ``'test'`` (see :func:`pool_actions`).
        views: ``'concat'`` or ``'min'`` (see :func:`feature_set_summary`).
        preview_frames: Preview frames per action.
        preview_size: Preview crop side, pixels.
        title: Page title.

    Returns:
        The data written to ``browser.json`` (with ``'index'``: the page's path).

    Raises:
        ValueError: No feature set, ``k < 1``, or the feature sets cover different actions.
    """
    if not feature_sets:
        raise ValueError('build_browser: no feature set given')
    if k < 1:
        raise ValueError(f'k must be >= 1, got {k}')
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    loaded = {}
    for name, dirs in feature_sets.items():
        cfg = copy.deepcopy(base)
        if dirs:
            set_feature_dirs(cfg, dirs)
        loaded[name] = pool_actions(cfg, pool)
    # Feature sets may leave out different actions (no feature frame): keep the common ones.
    common = set.intersection(*[{a['id'] for a in acts} for acts, _, _ in loaded.values()])
    first = next(iter(loaded.values()))
    actions = [a for a in first[0] if a['id'] in common]
    classes = first[2]
    for name, (acts, _, names) in loaded.items():
        if names != classes:
            raise ValueError(f'feature set {name!r} names classes {names}, the first set {classes}')
    labels = np.asarray([a['label'] for a in actions], np.int64)
    data = dict(
        title=title,
        classes=list(classes),
        k=int(min(k,
                  len(actions) - 1)),
        pool=pool,
        views=views,
        actions=actions,
        feature_sets={})
    for name, (acts, feats, _) in loaded.items():
        keep = [f for a, f in zip(acts, feats) if a['id'] in common]
        data['feature_sets'][name] = feature_set_summary(keep, labels, len(classes), k, views)
    previews = action_previews(actions, pose_root, video_dir, preview_frames, preview_size)
    os.makedirs(out_dir, exist_ok=True)
    atomic_write_json(osp.join(out_dir, 'browser.json'), data)
    page_data = dict(
        data, previews=previews, preview_size=int(preview_size), fps=float(_dataset_fps(base) or 25.0))
    atomic_write_text(
        osp.join(out_dir, 'browser_data.js'),
        'window.VPD_BROWSER_DATA = ' + json.dumps(page_data, separators=(',', ':')) + ';\n')
    for name in ASSET_FILES:
        src = osp.join(ASSET_DIR, name)
        with open(src, encoding='utf-8') as f:
            text = f.read()
        if name == 'index.html':
            text = text.replace('{{TITLE}}', _html_escape(title))
        atomic_write_text(osp.join(out_dir, name), text)
    data['index'] = osp.join(out_dir, 'index.html')
    return data


def _dataset_fps(cfg: Config) -> Optional[float]:
    """Frame rate of the annotations' frame numbers (``source_fps``, else the dataset info's ``fps``)."""
    ds = _dataset_cfg(cfg['test_dataloader'])
    if ds.get('source_fps'):
        return float(ds['source_fps'])
    info = ds.get('dataset_info_file')
    if info:
        path = osp.join(ds.get('data_root') or '', info)
        if osp.isfile(path):
            with open(path) as f:
                return json.load(f).get('fps')
    return None


def _html_escape(text: str) -> str:
    import html
    return html.escape(text)


__all__ = ['build_browser', 'pool_actions', 'rank_neighbours', 'confusion_1nn', 'action_previews']

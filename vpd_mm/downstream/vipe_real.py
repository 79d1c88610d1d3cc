"""VIPE* judged on real poses: JHMDB GT 2D joints (three splits) and MSR Action3D held-out subjects.

JHMDB (:func:`evaluate_jhmdb`): for each split, the clips' normalized 2D joints and the embeddings of
each VIPE* checkpoint are written in the VPD embedding format
(:mod:`vpd_mm.datasets.jhmdb_features`), then evaluated with the project's downstream suite: DTW
1-NN top-1 (train = gallery, test = queries) and retrieval precision@k
(:func:`vpd_mm.downstream.nns.run_nns`, all clips of the split pooled, or the test clips only), and
the few-shot BiGRU and
NNS-DTW at k clips per class (:func:`vpd_mm.downstream.fewshot.run_fewshot`).

MSR Action3D cross-view (:func:`msr_cross_view`): two random cameras A and B are drawn (VIPE*'s
camera distribution, orthographic) and every held-out sequence is seen by both; queries are the
sequences seen by camera A, the gallery the *other* held-out sequences seen by camera B; DTW 1-NN
action top-1. The same queries against the gallery seen by camera A (same view) give the reference a
view-invariant feature should reach. Repeated with new camera pairs. :func:`msr_pose_invariance`
measures the same per pose:
finding the other view of a pose among 100 poses, and the distance ratio.
"""
import copy
import os.path as osp
import re
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config

from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text, load_json

JOINTS = 'joints'
DOC_BEGIN = '<!-- vipe_real:begin (written by tools/analysis/eval_vipe_real.py) -->'
DOC_END = '<!-- vipe_real:end -->'


def feature_set_name(model_name: str) -> str:
    """Feature-set (and folder) name of a VIPE* model: ``vipe_<name>`` with ``+`` spelled ``-``."""
    return 'vipe_' + re.sub(r'[^A-Za-z0-9_.-]', '-', model_name)


def jhmdb_split_config(config: str, data_root: str) -> Config:
    """The JHMDB BiGRU recognition config pointed at one split's feature folder, with its few-shot file."""
    cfg = Config.fromfile(config)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key]['dataset']['data_root'] = data_root
    cfg.train_dataloader.dataset.fewshot_file = 'annotations/fewshot.json'
    cfg.data_root = data_root
    return cfg


def _checkpoint_stamp(path: str) -> dict:
    import hashlib
    with open(path, 'rb') as f:
        return dict(checkpoint=osp.abspath(path), sha1=hashlib.sha1(f.read()).hexdigest())


def prepare_jhmdb_split(src: str, out_dir: str, split: int, models: Dict[str, object], checkpoints: Dict[str,
                                                                                                         str],
                        fewshot_k: Sequence[int], trials: int) -> Dict[str, List[str]]:
    """Write one split's joint features, few-shot subsets and one VIPE* feature set per model.

    A VIPE* folder is rewritten when its checkpoint changed (``source.json`` records the checkpoint's
    SHA-1); otherwise existing files are kept.

    Returns:
        ``{feature set name: [feature dir]}`` (relative to ``out_dir``), joints first.
    """
    from vpd_mm.datasets.jhmdb_features import write_jhmdb_features, write_jhmdb_vipe_features
    write_jhmdb_features(src, out_dir, split, fewshot_k=fewshot_k, fewshot_trials=trials)
    sets = {JOINTS: ['features']}
    for name, model in models.items():
        folder = feature_set_name(name)
        stamp = _checkpoint_stamp(checkpoints[name])
        stamp_path = osp.join(out_dir, folder, 'source.json')
        same = osp.isfile(stamp_path) and load_json(stamp_path).get('sha1') == stamp['sha1']
        write_jhmdb_vipe_features(src, out_dir, model, split, folder, overwrite=not same)
        atomic_write_json(stamp_path, stamp)
        sets[folder] = [folder]
    return sets


def _cached_nns(cfg: Config, sets: Dict[str, List[str]], data_root: str, out_dir: str, ks: Sequence[int],
                pool: str) -> dict:
    """:func:`vpd_mm.downstream.nns.run_nns`, or its earlier summary when its inputs (feature files,
    annotations, settings) are unchanged (``inputs.json`` holds their digest)."""
    from vpd_mm.utils.fileio import content_digest

    from .nns import run_nns
    paths = [osp.join(data_root, 'annotations')
             ] + [osp.join(data_root, d) for dirs in sets.values() for d in dirs]
    digest = content_digest(paths) + f'|{sorted(sets.items())}|{list(ks)}|{pool}'
    stamp, summary = osp.join(out_dir, 'inputs.json'), osp.join(out_dir, 'nns.json')
    if osp.isfile(stamp) and osp.isfile(summary) and load_json(stamp).get('digest') == digest:
        return load_json(summary)
    result = run_nns(cfg, sets, out_dir, ks=ks, retrieval_pool=pool)
    atomic_write_json(stamp, dict(digest=digest))
    return result


def evaluate_jhmdb(src: str,
                   work_dir: str,
                   checkpoints: Dict[str, str],
                   config: str = 'configs/recognition/bigru_jhmdb-split1_gt-joints.py',
                   splits: Sequence[int] = (1, 2, 3),
                   retrieval_ks: Sequence[int] = (1, 5),
                   retrieval_pool: str = 'all',
                   fewshot_k: Sequence[int] = (1, 3, 5),
                   trials: int = 3,
                   epochs: Optional[int] = None,
                   workers: int = 1,
                   device: str = 'cpu',
                   nns: bool = True,
                   fewshot_methods: Sequence[str] = ('bigru', 'nns')) -> dict:
    """Normalized joints vs VIPE* checkpoints on the JHMDB GT joints of each split.

    NNS and retrieval run for every split first, then the few-shot runs (the long part).

    Args:
        src: Folder with the DD-Net pickles ``GT_{train,test}_{1,2,3}.pkl``.
        work_dir: Output folder (``split<s>/`` data, ``nns/`` and ``fewshot/`` results per split).
        checkpoints: ``{name: VIPE* checkpoint}``.
        config: BiGRU recognition config of JHMDB (its data root is replaced per split).
        splits: JHMDB splits.
        retrieval_ks: Precision@k cut-offs.
        retrieval_pool: ``'all'`` (every clip of the split ranks all others, the published code) or
            ``'test'`` (the test clips among themselves).
        fewshot_k: Clips per class of the few-shot runs (none: no few-shot runs).
        trials: Few-shot subsets per k.
        epochs: Override the BiGRU epochs.
        workers: Processes for the BiGRU trainings.
        device: Torch device for embedding.
        nns: Run DTW 1-NN and retrieval (off: few-shot only).
        fewshot_methods: Few-shot methods, of ``('bigru', 'nns')``.

    Returns:
        ``{'splits': {s: {'nns': nns summary or None, 'fewshot': few-shot summary or None}},
        'feature_sets': [...], ...}``.
    """
    from vpd_mm.pose.vipe_embeddings import load_vipe_model

    from .fewshot import run_fewshot
    models = {name: load_vipe_model(path, device=device) for name, path in checkpoints.items()}
    out = dict(
        splits={},
        checkpoints=dict(checkpoints),
        fewshot_k=list(fewshot_k),
        trials=trials,
        retrieval_pool=retrieval_pool)
    prepared = {}
    for split in splits:
        root = osp.join(work_dir, f'split{split}')
        sets = prepare_jhmdb_split(src, root, split, models, checkpoints, fewshot_k or (1, ), trials)
        prepared[split] = (sets, jhmdb_split_config(config, root))
        out['feature_sets'] = list(sets)
        out['splits'][str(split)] = dict(nns=None, fewshot=None)
        if nns:
            out['splits'][str(split)]['nns'] = _cached_nns(prepared[split][1], sets, root,
                                                           osp.join(work_dir, 'nns', f'split{split}'),
                                                           retrieval_ks, retrieval_pool)
    for split in splits if fewshot_k else ():
        sets, cfg = prepared[split]
        out['splits'][str(split)]['fewshot'] = run_fewshot(
            copy.deepcopy(cfg),
            sets,
            list(fewshot_k),
            trials,
            osp.join(work_dir, 'fewshot', f'split{split}'),
            epochs=epochs,
            methods=tuple(fewshot_methods),
            baselines={},
            workers=workers)
    return out


def _sequence_views(joints: np.ndarray, rotation: np.ndarray, feature: Callable[[np.ndarray],
                                                                                np.ndarray]) -> np.ndarray:
    """``(T, 17, 3)`` 3D poses seen by one camera -> ``(T, 2, D)`` [original, flipped] features."""
    from vpd_mm.pose.camera import project_orthographic
    xy = project_orthographic(joints, rotation[None])
    pose2d = np.concatenate([xy, np.ones(xy.shape[:-1] + (1, ), np.float32)], -1)
    return np.stack([feature(pose2d, False), feature(pose2d, True)], axis=1)


def msr_cross_view(msr_root: str,
                   checkpoints: Dict[str, str],
                   val_regex: str = '_s(09|10)_',
                   repeats: int = 5,
                   seed: int = 0,
                   device: str = 'cpu') -> dict:
    """Cross-view DTW 1-NN action recognition on held-out MSR Action3D subjects (see module doc).

    Args:
        msr_root: Folder of ``*_skeleton3D.txt`` files.
        checkpoints: ``{name: VIPE* checkpoint}`` (normalized 2D joints are always evaluated).
        val_regex: Held-out sequences (the ones the VIPE* training held out).
        repeats: Camera pairs drawn; mean and std over them are reported.
        seed: Seed of the cameras.
        device: Torch device for embedding.

    Returns:
        ``{'cross_view': {feature set: {'mean', 'std', 'values'}}, 'same_view': {...}, 'num_sequences',
        'num_classes', 'repeats'}`` (top-1 in %).
    """
    from vpd_mm.datasets.pose3d_readers import msr_action3d_ids
    from vpd_mm.evaluation.functional import nn_search
    from vpd_mm.pose.camera import random_camera_rotations
    from vpd_mm.pose.normalize import normalize_coco_pose
    from vpd_mm.pose.vipe_embeddings import load_vipe_model

    names, joints = _msr_held_out(msr_root, val_regex)
    labels = np.asarray([msr_action3d_ids(n)[0] for n in names])

    def joint_feature(pose2d, flip):
        return normalize_coco_pose(pose2d, flip=flip)

    features = {JOINTS: joint_feature}
    for name, path in checkpoints.items():
        model = load_vipe_model(path, device=device)
        features[feature_set_name(name)] = (
            lambda pose2d, flip, model=model: model.embed(normalize_coco_pose(pose2d, flip=flip)))
    rng = np.random.default_rng(seed)
    cross = {name: [] for name in features}
    same = {name: [] for name in features}
    n = len(joints)
    for _ in range(repeats):
        cam_a, cam_b = random_camera_rotations(rng, 2)
        for name, fn in features.items():
            view_a = [_sequence_views(j, cam_a, fn) for j in joints]
            view_b = [_sequence_views(j, cam_b, fn) for j in joints]
            for gallery, acc in ((view_b, cross[name]), (view_a, same[name])):
                # query i ranks every other sequence j != i (its own sequence is left out)
                idx, _ = nn_search(view_a, gallery, exclude_self=True, use_flips=True)
                acc.append(100.0 * float(np.mean((idx >= 0) & (labels[np.maximum(idx, 0)] == labels))))
    summarize = lambda d: {
        k: dict(mean=float(np.mean(v)), std=float(np.std(v)), values=v)
        for k, v in d.items()
    }  # noqa: E731
    return dict(
        cross_view=summarize(cross),
        same_view=summarize(same),
        num_sequences=n,
        num_classes=int(len(np.unique(labels))),
        repeats=repeats,
        val_regex=val_regex)


def _msr_held_out(msr_root: str, val_regex: str):
    from vpd_mm.datasets.pose3d_readers import load_msr_action3d_dir, split_sequences
    seqs = load_msr_action3d_dir(msr_root)
    keep = split_sequences([n for n, _ in seqs], 'val', 0.0, val_regex)
    if len(keep) < 2:
        raise ValueError(f'{msr_root}: {len(keep)} sequences match {val_regex!r}; need at least 2')
    return [seqs[i][0] for i in keep], [seqs[i][1] for i in keep]


def msr_pose_invariance(msr_root: str,
                        checkpoints: Dict[str, str],
                        val_regex: str = '_s(09|10)_',
                        num_poses: int = 2000,
                        num_candidates: int = 100,
                        repeats: int = 5,
                        seed: int = 0,
                        device: str = 'cpu') -> dict:
    """Per-pose view invariance on held-out MSR frames (:func:`vpd_mm.pose.view_invariance.view_invariance`).

    Distinct poses (some bone >= 45 degrees apart) are drawn from the held-out sequences, each is seen
    by two random cameras; reported per feature set: the top-1 accuracy of finding the other view of
    the same pose among ``num_candidates`` poses (%), and the distance ratio (same pose, two views /
    different poses; 0 = invariant), means over ``repeats`` camera draws.
    """
    from vpd_mm.pose.normalize import normalize_coco_pose
    from vpd_mm.pose.view_invariance import normalized_joints_feature, sample_distinct_poses, view_invariance
    from vpd_mm.pose.vipe_embeddings import load_vipe_model
    _, joints = _msr_held_out(msr_root, val_regex)
    rng = np.random.default_rng(seed)
    poses = sample_distinct_poses(joints, num_poses, rng)
    features = {JOINTS: normalized_joints_feature}
    for name, path in checkpoints.items():
        model = load_vipe_model(path, device=device)
        features[feature_set_name(name)] = lambda p, model=model: model.embed(normalize_coco_pose(p))
    runs = [view_invariance(poses, features, rng, min(num_candidates, len(poses))) for _ in range(repeats)]
    out = {
        name:
        dict(
            top1=100.0 * float(np.mean([r[name] for r in runs])),
            distance_ratio=float(np.mean([r[f'{name}/distance_ratio'] for r in runs])))
        for name in features
    }
    return dict(
        features=out, num_poses=len(poses), num_candidates=min(num_candidates, len(poses)), repeats=repeats)


def _mean_std(values: Sequence[float]) -> str:
    """``mean ± std`` of the values present (not NaN); with some missing, how many were averaged."""
    values = np.asarray(values, np.float64)
    done = values[~np.isnan(values)]
    if not len(done):
        return '-'
    text = f'{done.mean():.1f} ± {done.std():.1f}'
    return text if len(done) == len(values) else f'{text} ({len(done)} of {len(values)} splits)'


def jhmdb_table(result: dict, labels: Optional[Dict[str, str]] = None) -> str:
    """Markdown: rows = feature sets; columns = per-split values and mean ± std over the splits."""
    labels = labels or {}
    splits = sorted(result['splits'], key=int)
    metrics = []
    if result['splits'][splits[0]].get('nns'):
        first = result['splits'][splits[0]]['nns']['results']
        metrics += [('nns', 'nn_top1', 'DTW 1-NN top-1')]
        metrics += [('nns', key, f'retrieval {key}') for key in next(iter(first.values()))
                    if key.startswith('P@')]
    fewshot_k = result['fewshot_k'] if any(part.get('fewshot') for part in result['splits'].values()) else []
    rows = {
        row
        for part in result['splits'].values() for row in ((part.get('fewshot') or {}).get('results') or {})
    }
    for method, title in (('bigru', 'BiGRU'), ('nns', 'NNS-DTW')):
        if any(row.endswith('/' + method) for row in rows):
            metrics += [('fewshot', f'/{method}:{k}', f'{title} k={k}') for k in fewshot_k]
    head = '| features | metric | ' + ' | '.join(f'split {s}' for s in splits) + ' | mean ± std |'
    lines = [head, '|---|---|' + '---|' * (len(splits) + 1)]
    for fs in result['feature_sets']:
        for source, key, title in metrics:
            vals = []
            for s in splits:
                part = (result['splits'][s].get(source) or {}).get('results', {})
                if source == 'nns':
                    vals.append(part[fs][key] if fs in part else np.nan)
                else:
                    method, k = key[1:].split(':')
                    cell = part.get(f'{fs}/{method}', {}).get(k)
                    vals.append(np.nan if cell is None else cell['mean'])
            lines.append(f'| {labels.get(fs, fs)} | {title} | ' +
                         ' | '.join('-' if np.isnan(v) else f'{v:.1f}'
                                    for v in vals) + f' | {_mean_std(vals)} |')
    return '\n'.join(lines) + '\n'


def msr_table(result: dict, invariance: dict, labels: Optional[Dict[str, str]] = None) -> str:
    """Markdown: per-pose view invariance and cross-/same-view DTW 1-NN on the held-out MSR data."""
    labels = labels or {}
    lines = [
        '| features | pose: other view found, top-1 | pose: distance ratio same / different | '
        'sequence: cross-view DTW 1-NN | sequence: same-view DTW 1-NN |', '|---|---|---|---|---|'
    ]
    for fs, cell in result['cross_view'].items():
        inv = invariance['features'][fs]
        lines.append(f'| {labels.get(fs, fs)} | {inv["top1"]:.1f} | {inv["distance_ratio"]:.3f} | '
                     f'{cell["mean"]:.1f} ± {cell["std"]:.1f} | '
                     f'{result["same_view"][fs]["mean"]:.1f} ± {result["same_view"][fs]["std"]:.1f} |')
    return '\n'.join(lines) + '\n'


def update_doc(path: str, text: str) -> None:
    """Replace the block between :data:`DOC_BEGIN` and :data:`DOC_END` in ``path`` with ``text``.

    Raises:
        ValueError: ``path`` lacks the markers (the message names them).
    """
    with open(path) as f:
        doc = f.read()
    begin, end = doc.find(DOC_BEGIN), doc.find(DOC_END)
    if begin < 0 or end < begin:
        raise ValueError(f'{path}: no "{DOC_BEGIN}" ... "{DOC_END}" block to replace')
    atomic_write_text(path, doc[:begin + len(DOC_BEGIN)] + '\n' + text.rstrip('\n') + '\n' + doc[end:])

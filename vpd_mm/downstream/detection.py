"""Temporal action detection with per-frame BiGRUs: the paper's ensemble, or cross-validated by video.

Ensemble (the paper's): the training videos are split into ``folds`` folds; model ``i`` trains
(mmengine Runner) on all folds but ``i`` and is validated on fold ``i``. On the test videos the
models' per-frame activations are averaged and turned into proposals scored by AP at tIoU 0.3-0.7
(:class:`~vpd_mm.evaluation.metrics.temporal_detection_metric.TemporalDetectionMetric`).

Cross-validated (``cross_validate=True``, for small datasets): every annotated video (all splits) is
dealt into ``folds`` folds (:func:`~vpd_mm.downstream.crossval.deal_folds`); model ``i`` trains on the
other folds and predicts its own, so every video is detected by a model that never saw it, and AP is
computed over all of them, with a 95 % bootstrap interval over the videos.

Per-fold activations are cached, so an interrupted run resumes with the next fold.
"""
import copy
import os.path as osp
import pickle
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config

from vpd_mm.evaluation.metrics.temporal_detection_metric import evaluate_detection
from vpd_mm.utils.fileio import atomic_write_json, atomic_write_pickle, atomic_write_text, load_json

from .run_pool import RunPool, raise_failures
from .runner_utils import _dataset_cfg, build_dataset, build_runner, init_registries, set_feature_dirs


def mean_action_length(ann_file: str, videos: Sequence[str]) -> float:
    """Mean ``end - start`` (frames) of the annotated actions in ``videos``."""
    videos = set(map(str, videos))
    lengths = [el['end'] - el['start'] for el in load_json(ann_file) if str(el['video']) in videos]
    if not lengths:
        raise ValueError(f'{ann_file}: no action in the training videos')
    return float(np.mean(lengths))


def predict_activations(model, dataset) -> List[dict]:
    """Run a :class:`FrameBiGRUDetector` on every video of ``dataset`` (pipeline must pack)."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(len(dataset)):
            item = dataset[i]
            data = model.data_preprocessor(dict(inputs=[item['inputs']], data_samples=[item['data_samples']]))
            ds = model(**data, mode='predict')[0]
            out.append(
                dict(
                    video=str(ds.metainfo['video']),
                    activation=ds.pred_activation.numpy(),
                    frame_inds=np.asarray(ds.metainfo['frame_inds']),
                    gt_intervals=np.asarray(ds.metainfo['gt_intervals']).reshape(-1, 2)))
    return out


def _train_fold(cfg: Config, train_videos: List[str], val_videos: List[str], work_dir: str, mean_len: float):
    cfg = copy.deepcopy(cfg)
    _dataset_cfg(cfg.train_dataloader).update(videos=train_videos)
    if cfg.get('val_dataloader', None) is not None and val_videos:
        _dataset_cfg(cfg.val_dataloader).update(videos=val_videos)
        cfg.val_evaluator.mean_length = mean_len
    else:
        cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
        cfg.train_cfg.pop('val_interval', None)
    runner = build_runner(cfg, work_dir)
    runner.train()
    return runner.model


def run_fold(cfg: Config, train_videos: List[str], val_videos: List[str], work_dir: str, mean_len: float,
             cache: str) -> str:
    """Train one fold's model and write its test-split activations to ``cache`` (atomically).

    A top-level function of picklable arguments, so that folds can run in :class:`RunPool` workers.
    The test split is loaded first, so that bad test data fails before the training.
    """
    test_set = build_dataset(_dataset_cfg(cfg.test_dataloader))
    model = _train_fold(cfg, train_videos, val_videos, work_dir, mean_len)
    atomic_write_pickle(cache, predict_activations(model, test_set))
    return cache


def run_detection(config: Union[str, Config],
                  work_dir: str = 'work_dirs/detection',
                  folds: int = 5,
                  feature_dirs: Optional[Sequence[str]] = None,
                  iters: Optional[int] = None,
                  progress: bool = True,
                  workers: int = 1,
                  cross_validate: bool = False,
                  bootstrap: int = 1000) -> Dict:
    """Train the cross-validated ensemble, evaluate it on the test split and write the results.

    Args:
        config: Detection config (``configs/detection/``) or a loaded config.
        work_dir: Output folder; each fold's test activations are cached in ``fold{i}/``, so a rerun
            trains only the missing folds.
        folds: Cross-validation folds (ensemble size), at most the number of training videos.
        feature_dirs: Replace the config's feature folders.
        iters: Override the training iterations per fold.
        progress: Show progress bars.
        workers: Folds trained at a time, each in a single-threaded process (``1``: in this process).
        cross_validate: Detect in every annotated video with the model of its fold (see the module
            docstring) instead of the ensemble on the test split.
        bootstrap: Resamples of the cross-validated AP's interval (over the videos).

    Writes ``work_dir/detection.json`` and ``detection.md``; returns the result dict.
    """
    init_registries()
    cfg = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    if feature_dirs:
        set_feature_dirs(cfg, feature_dirs)
    if iters is not None:
        cfg.train_cfg.max_iters = iters
        cfg.train_cfg.val_interval = iters
        if 'checkpoint' in cfg.get('default_hooks', {}):
            cfg.default_hooks.checkpoint.interval = iters
    if cross_validate:
        return _cross_validated(cfg, work_dir, folds, progress, workers, bootstrap)
    train_set = build_dataset(_dataset_cfg(cfg.train_dataloader), pipeline=[])
    videos = [train_set.get_data_info(i)['video'] for i in range(len(train_set))]
    num_folds = max(1, min(folds, len(videos)))
    fold_videos = [list(map(str, f)) for f in np.array_split(np.asarray(videos, dtype=object), num_folds)]
    mean_len = mean_action_length(train_set.ann_file, videos)
    _fit_input_size(cfg, train_set)

    caches = [osp.join(work_dir, f'fold{i}', 'test_activations.pkl') for i in range(num_folds)]
    with RunPool(workers, progress, desc='detection folds') as pool:
        for i, cache in enumerate(caches):
            if osp.isfile(cache):
                continue
            train_videos = [v for j, f in enumerate(fold_videos) for v in f if j != i or num_folds == 1]
            val_videos = fold_videos[i] if num_folds > 1 else []
            pool.submit(f'fold{i}', run_fold, cfg, train_videos, val_videos, osp.join(work_dir, f'fold{i}'),
                        mean_len, cache)
        _, failures = pool.wait()
    raise_failures(failures, 'detection folds', work_dir)
    fold_results = []
    for cache in caches:
        with open(cache, 'rb') as f:
            fold_results.append(pickle.load(f))

    ensemble = []
    for per_video in zip(*fold_results):
        act = np.mean([r['activation'] for r in per_video], axis=0)
        ensemble.append(dict(per_video[0], activation=act))
    kwargs = _metric_kwargs(cfg)
    metrics = evaluate_detection(ensemble, mean_length=mean_len, **kwargs)
    single = [evaluate_detection(r, mean_length=mean_len, **kwargs)['mAP'] for r in fold_results]
    result = dict(
        task='detection',
        folds=num_folds,
        mean_train_length=mean_len,
        num_test_videos=len(ensemble),
        ensemble=metrics,
        single_model_mAP=single)
    atomic_write_json(osp.join(work_dir, 'detection.json'), result, indent=1)
    atomic_write_text(osp.join(work_dir, 'detection.md'), detection_markdown(result))
    return result


def _fit_input_size(cfg: Config, dataset) -> None:
    cfg.model.backbone.in_channels = int(dataset.get_data_info(0)['features'].shape[-1])


def _metric_kwargs(cfg: Config) -> dict:
    """The proposal and AP settings of the config's test evaluator."""
    metric_cfg = dict(cfg.get('test_evaluator', {}))
    return {k: metric_cfg[k] for k in ('tious', 'threshold', 'min_length', 'length_range') if k in metric_cfg}


def _all_videos(cfg: Config) -> List[str]:
    """The annotated videos of every split of ``cfg`` (each once, sorted); fits the model's input size."""
    videos = set()
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key, None) is not None:
            dataset = build_dataset(_dataset_cfg(cfg[key]), pipeline=[])
            videos.update(str(dataset.get_data_info(i)['video']) for i in range(len(dataset)))
    _fit_input_size(cfg, dataset)
    return sorted(videos)


def _cross_validated(cfg: Config, work_dir: str, folds: int, progress: bool, workers: int,
                     bootstrap: int) -> Dict:
    """Every video detected by the model of its fold; AP over all of them with a bootstrap interval."""
    from .crossval import deal_folds, fold_training_videos
    fold_videos = deal_folds(_all_videos(cfg), folds)
    train_cfg = _dataset_cfg(cfg.train_dataloader)
    ann_file = osp.join(train_cfg.get('data_root') or '', train_cfg.ann_file)
    caches, mean_lens = [], []
    with RunPool(workers, progress, desc='detection folds') as pool:
        for i, videos in enumerate(fold_videos):
            train = fold_training_videos(fold_videos, i)
            fold_cfg = copy.deepcopy(cfg)
            for key, fold in (('train_dataloader', train), ('test_dataloader', videos)):
                _dataset_cfg(fold_cfg[key]).update(videos=fold)
            mean_lens.append(mean_action_length(ann_file, train))
            caches.append(osp.join(work_dir, f'fold{i}', 'cv_activations.pkl'))
            if osp.isfile(caches[-1]) and _cached_videos(caches[-1]) == videos:
                continue
            pool.submit(f'fold{i}', run_fold, fold_cfg, train, [], osp.join(work_dir, f'fold{i}'),
                        mean_lens[-1], caches[-1])
        _, failures = pool.wait()
    raise_failures(failures, 'detection folds', work_dir)
    pooled = []
    for cache, mean_len in zip(caches, mean_lens):
        with open(cache, 'rb') as f:
            pooled += [dict(r, mean_length=mean_len) for r in pickle.load(f)]
    kwargs = _metric_kwargs(cfg)
    metrics = evaluate_detection(pooled, **kwargs)
    result = dict(task='detection', mode='cross-validated', folds=len(fold_videos),
                  fold_videos=fold_videos, num_test_videos=len(pooled),
                  num_actions=int(sum(len(r['gt_intervals']) for r in pooled)),
                  mean_train_length=float(np.mean(mean_lens)), cross_validated=metrics,
                  intervals=_video_bootstrap(pooled, kwargs, bootstrap))
    atomic_write_json(osp.join(work_dir, 'detection.json'), result, indent=1)
    atomic_write_text(osp.join(work_dir, 'detection.md'), detection_markdown(result))
    return result


def _cached_videos(cache: str) -> List[str]:
    with open(cache, 'rb') as f:
        return sorted(r['video'] for r in pickle.load(f))


def _video_bootstrap(pooled: List[dict], kwargs: dict, n: int, seed: int = 0) -> Dict[str, List[float]]:
    """95 % percentile intervals of every AP, resampling the videos (a video drawn twice counts twice)."""
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n):
        sample = [dict(pooled[j], video=f'{pooled[j]["video"]}#{k}')
                  for k, j in enumerate(rng.integers(0, len(pooled), len(pooled)))]
        draws.append(evaluate_detection(sample, **kwargs))
    keys = [k for k in draws[0] if k.startswith('AP@') or k == 'mAP']
    return {k: [float(v) for v in np.percentile([d[k] for d in draws], [2.5, 97.5])] for k in keys}


def detection_markdown(result: Dict) -> str:
    """Markdown table of AP per tIoU for the ensemble, or for every video cross-validated."""
    if result.get('mode') == 'cross-validated':
        return _cross_validated_markdown(result)
    m = result['ensemble']
    keys = [k for k in m if k.startswith('AP@')] + ['mAP']
    lines = [
        '# Temporal action detection (AP, %)', '',
        f"{result['folds']}-fold ensemble, {result['num_test_videos']} test videos, mean training action "
        f"length {result['mean_train_length']:.1f} frames.", '', '| model | ' + ' | '.join(keys) + ' |',
        '|---|' + '---|' * len(keys), '| ensemble | ' + ' | '.join(f'{100 * m[k]:.1f}' for k in keys) + ' |'
    ]
    for i, v in enumerate(result['single_model_mAP']):
        lines.append(f'| fold {i} model | ' + ' | '.join('-' for _ in keys[:-1]) + f' | {100 * v:.1f} |')
    return '\n'.join(lines) + '\n'


def _cross_validated_markdown(result: Dict) -> str:
    m, ci = result['cross_validated'], result['intervals']
    keys = [k for k in m if k.startswith('AP@')] + ['mAP']
    return '\n'.join([
        '# Temporal action detection (AP, %)', '',
        f"{result['folds']}-fold cross-validation by video: each of the {result['num_test_videos']} videos "
        f"({result['num_actions']} actions) is detected by the model that did not train on it. "
        '[95 % bootstrap interval over the videos]', '',
        '| model | ' + ' | '.join(keys) + ' |', '|---|' + '---|' * len(keys),
        '| cross-validated | ' + ' | '.join(
            f'{100 * m[k]:.1f} [{100 * ci[k][0]:.1f}, {100 * ci[k][1]:.1f}]' for k in keys) + ' |'
    ]) + '\n'

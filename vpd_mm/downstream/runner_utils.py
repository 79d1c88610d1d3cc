"""Small helpers to build, adapt and run mmengine Runners from vpd_mm configs."""
import copy
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config


def parse_feature_sets(items: Optional[Sequence[str]],
                       default_name: str = 'features') -> Dict[str, List[str]]:
    """``['gt=a+b', 'c']`` -> ``{'gt': ['a', 'b'], 'c': ['c']}``; none -> the config's own dirs."""
    if not items:
        return {default_name: []}
    out = {}
    for item in items:
        name, _, dirs = item.partition('=')
        if not dirs:
            name, dirs = osp.basename(item.rstrip('/')), item
        out[name] = [d for d in dirs.split('+') if d]
    return out


def init_registries() -> None:
    """Import vpd_mm (registration) and make ``mmaction`` the default registry scope."""
    import vpd_mm  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')


def set_feature_dirs(cfg: Config, feature_dirs: Sequence[str]) -> None:
    """Point every dataloader's dataset at ``feature_dirs``."""
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key, None)
        if loader is not None:
            _dataset_cfg(loader)['feature_dirs'] = list(feature_dirs)


def _dataset_cfg(loader: dict) -> dict:
    ds = loader['dataset']
    while 'dataset' in ds and 'type' in ds and ds['type'] in ('RepeatDataset', 'ConcatDataset'):
        ds = ds['dataset']
    return ds


def build_dataset(dataset_cfg: dict, **overrides):
    """Build a dataset from a config dict with some keys replaced."""
    init_registries()
    from mmaction.registry import DATASETS
    cfg = copy.deepcopy(dict(dataset_cfg))
    cfg.update(overrides)
    return DATASETS.build(cfg)


def dataset_actions(dataset) -> Tuple[List[np.ndarray], np.ndarray, List[str]]:
    """``([features (T, V, D)], labels (N,), [element ids])`` of a :class:`FeatureSequenceDataset`.

    One pass over the samples (no pipeline).
    """
    feats, labels, ids = [], [], []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        feats.append(np.asarray(info['features'], np.float32))
        labels.append(int(info['label']))
        ids.append(info['element_id'])
    return feats, np.asarray(labels, np.int64), ids


def skipped_actions(datasets) -> set:
    """Ids (as strings) of the actions the datasets left out for lack of feature frames.

    :class:`FeatureSequenceDataset` with ``on_empty='skip'`` records them in ``skipped_empty``.
    """
    out = set()
    for dataset in datasets:
        out.update(str(i) for i in getattr(dataset, 'skipped_empty', []))
    return out


def _natural_key(value: str):
    return (0, int(value), '') if str(value).isdigit() else (1, 0, str(value))


def dropped_summary(dropped: set, skipped: Dict[str, set]) -> dict:
    """``{'count', 'ids', 'by_feature_set'}``: the actions left out of every feature set, and why."""
    return dict(count=len(dropped), ids=sorted(dropped, key=_natural_key),
                by_feature_set={name: len(ids) for name, ids in skipped.items()})


def drop_actions(actions: Tuple[List[np.ndarray], np.ndarray, List], dropped: set):
    """:func:`dataset_actions` output without the actions whose id (as a string) is in ``dropped``."""
    feats, labels, ids = actions
    keep = [i for i, element_id in enumerate(ids) if str(element_id) not in dropped]
    return [feats[i] for i in keep], np.asarray(labels)[keep], [ids[i] for i in keep]


def dataset_features(dataset) -> Tuple[List[np.ndarray], np.ndarray]:
    """``([features (T, V, D)], labels (N,))`` of a :class:`FeatureSequenceDataset` (no pipeline)."""
    feats, labels, _ = dataset_actions(dataset)
    return feats, labels


def fit_model_to_data(cfg: Config, dataset=None) -> Tuple[int, int]:
    """Set the model's input size and class count from the training data; return them."""
    if dataset is None:
        dataset = build_dataset(_dataset_cfg(cfg.train_dataloader), pipeline=[])
    dim = int(dataset.get_data_info(0)['features'].shape[-1])
    num_classes = len(dataset.metainfo['classes'])
    cfg.model.backbone.in_channels = dim
    if 'cls_head' in cfg.model:
        cfg.model.cls_head.num_classes = num_classes
    return dim, num_classes


def set_epochs(cfg: Config, epochs: int) -> None:
    """Change the epoch count consistently (train loop, validation, cosine schedule, checkpoint)."""
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs
    for sched in cfg.get('param_scheduler', []) or []:
        if sched.get('type') == 'CosineAnnealingLR':
            sched['T_max'] = epochs - sched.get('begin', 0)
            if 'end' in sched:
                sched['end'] = epochs
    if 'checkpoint' in cfg.get('default_hooks', {}):
        cfg.default_hooks.checkpoint.interval = epochs


def build_runner(cfg: Config, work_dir: str, name: Optional[str] = None):
    """Build an mmengine Runner for ``cfg`` in ``work_dir`` with a unique experiment name.

    Several runs in one process (few-shot trials, cross-validation folds) each need their own
    experiment and visualizer name, or mmengine refuses to create the second one.
    """
    init_registries()
    from mmengine.runner import Runner
    cfg.work_dir = work_dir
    cfg.experiment_name = f'{name or osp.basename(work_dir)}_{time.time_ns()}'
    if cfg.get('visualizer', None) is not None:
        cfg.visualizer.name = cfg.experiment_name
    return Runner.from_cfg(cfg)


def train_and_test(cfg: Config, work_dir: str, name: Optional[str] = None) -> Dict[str, float]:
    """Train with the mmengine Runner, then evaluate on ``test_dataloader``; return the test metrics."""
    runner = build_runner(copy.deepcopy(cfg), work_dir, name)
    runner.train()
    metrics = runner.test()
    return {k: float(v) for k, v in metrics.items() if np.isscalar(v)}

"""Full-data DTW nearest-neighbour classification and retrieval per feature set.

NNS: every test action is classified by its 1-NN training action under DTW (paper settings, all
flip combinations; the DTW engine is :mod:`vpd_mm.evaluation.functional`). Retrieval: every labelled
action (training, validation and test splits together, as the paper's published code pools them)
ranks all other labelled actions; precision@k for k = 1, 10, 50. ``retrieval_pool='test'`` restricts
the pool to the test split.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.config import Config

from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text

from .fewshot import nns_top1
from .runner_utils import _dataset_cfg, build_dataset, dataset_actions, set_feature_dirs

RETRIEVAL_POOLS = ('all', 'test')


def retrieval_scores(feats, labels, ks: Sequence[int] = (1, 10, 50)) -> Dict[str, float]:
    """Precision@k (%) of leave-one-out DTW retrieval within ``feats``."""
    from vpd_mm.evaluation.functional import flip_dtw_cost_matrix, retrieval_precision_at_k
    cost = flip_dtw_cost_matrix(feats, exclude_self=True)
    out = retrieval_precision_at_k(cost, labels, ks=tuple(ks), exclude_self=True)
    return {f'P@{k}': 100.0 * float(out[k]) for k in ks}


def split_datasets(cfg: Config, keys: Sequence[str]) -> Dict[str, object]:
    """``{dataloader key: its whole (not few-shot) dataset}``, one sample per action (views stacked).

    Each key is built once; keys missing from ``cfg`` are left out.
    """
    return {
        key: build_dataset(_dataset_cfg(cfg[key]), pipeline=[], view_mode='stack', fewshot_k=None)
        for key in dict.fromkeys(keys) if cfg.get(key, None) is not None
    }


def labelled_actions(datasets: Dict[str, object],
                     actions: Optional[Dict[str, tuple]] = None) -> Tuple[List[np.ndarray], np.ndarray]:
    """Features and labels of every action of ``{key: dataset}``, each action once.

    Splits that share actions (e.g. a config validating on its test split) are deduplicated by
    action id.

    Args:
        datasets: ``{dataloader key: dataset}`` (see :func:`split_datasets`).
        actions: ``{key: dataset_actions(dataset)}`` already read, so no split is read twice; the
            splits missing from it are read here.

    Raises:
        ValueError: The splits name different classes.
    """
    feats, labels, seen, classes = [], [], set(), None
    for key, dataset in datasets.items():
        if classes is None:
            classes = list(dataset.metainfo['classes'])
        elif list(dataset.metainfo['classes']) != classes:
            raise ValueError(f'{key} names classes {list(dataset.metainfo["classes"])}, the first split '
                             f'{classes}; their labels cannot be pooled')
        split = actions[key] if actions and key in actions else dataset_actions(dataset)
        for x, y, element_id in zip(*split):
            if element_id not in seen:
                seen.add(element_id)
                feats.append(x)
                labels.append(y)
    return feats, np.asarray(labels, np.int64)


def run_nns(config: Union[str, Config],
            feature_sets: Dict[str, Sequence[str]],
            work_dir: str = 'work_dirs/nns',
            ks: Sequence[int] = (1, 10, 50),
            test_split_key: str = 'test_dataloader',
            retrieval_pool: str = 'all') -> dict:
    """Run NNS and retrieval for each feature set; write ``nns.json`` and ``nns.md`` in ``work_dir``.

    Args:
        config: Recognition config (or its path) whose datasets define the data.
        feature_sets: ``{name: feature dirs}``; empty dirs = the config's own.
        work_dir: Output folder.
        ks: Retrieval cut-offs.
        test_split_key: Config key of the test dataloader.
        retrieval_pool: ``'all'`` (every action of the training, validation and test splits is a
            query and ranks all the others; the paper's published code) or ``'test'`` (the test
            actions only).

    Returns:
        The summary written to ``nns.json``.
    """
    if retrieval_pool not in RETRIEVAL_POOLS:
        raise ValueError(f'retrieval_pool must be one of {RETRIEVAL_POOLS}, got {retrieval_pool!r}')
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    pool_keys = ('train_dataloader', 'val_dataloader', test_split_key) if retrieval_pool == 'all' else (
        test_split_key, )
    results = {}
    for name, dirs in feature_sets.items():
        cfg = copy.deepcopy(base)
        if dirs:
            set_feature_dirs(cfg, dirs)
        datasets = split_datasets(cfg, ('train_dataloader', test_split_key, *pool_keys))
        actions = {key: dataset_actions(dataset) for key, dataset in datasets.items()}
        (tr_x, tr_y, _), (te_x, te_y, _) = actions['train_dataloader'], actions[test_split_key]
        pool = {key: datasets[key] for key in pool_keys if key in datasets}
        pool_x, pool_y = labelled_actions(pool, actions)
        row = dict(nn_top1=nns_top1(tr_x, tr_y, te_x, te_y))
        row.update(retrieval_scores(pool_x, pool_y, ks))
        results[name] = row
    summary = dict(task='nns', metric='%', num_train=len(tr_y), num_test=len(te_y),
                   retrieval_pool=retrieval_pool, num_retrieval=len(pool_y), results=results)
    atomic_write_json(osp.join(work_dir, 'nns.json'), summary, indent=1)
    from .report import nns_markdown
    atomic_write_text(
        osp.join(work_dir, 'nns.md'), '# DTW nearest neighbour (top-1 %) and retrieval '
        '(precision@k %)\n\n' + nns_markdown(summary))
    return summary

"""Full-data DTW nearest-neighbour classification and retrieval per feature set.

The rules are the paper's published code's (REFERENCE.md section 4b; docs/protocol.md):

* NNS: every test action is classified by its 1-NN training action under ``symmetricP2`` DTW, the
  minimum over all flip combinations; a test action with no admissible path to any training action
  is searched again with ``symmetric2``, then given the majority class
  (:func:`~vpd_mm.evaluation.functional.knn.dtw_1nn_classify`). The summary counts both fallbacks.
* Retrieval: every labelled action (training, validation and test splits together, as the published
  code pools them) ranks all other labelled actions by ONE DTW of its two views side by side
  (``retrieval_views='concat'``; ``'min'``: the minimum over the view combinations); precision@k for
  k = 1, 10, 50. ``retrieval_pool='test'`` restricts the pool to the test split.
* Feature sets are compared on the same actions: an action left out of one feature set (no feature
  frame, ``on_empty='skip'``) is left out of all of them, and the summary lists it.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.config import Config

from vpd_mm.evaluation.functional.bootstrap import percent_interval
from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text

from .fewshot import nns_classify
from .runner_utils import (_dataset_cfg, build_dataset, dataset_actions, drop_actions, dropped_summary,
                           set_feature_dirs, skipped_actions)
from .summaries import nns_markdown

RETRIEVAL_POOLS = ('all', 'test')


def retrieval_scores(feats, labels, ks: Sequence[int] = (1, 10, 50),
                     views: str = 'concat', per_query: bool = False) -> Dict[str, Union[float, np.ndarray]]:
    """Precision@k (%) of leave-one-out DTW retrieval within ``feats``.

    Args:
        feats: Sequences ``(T, V, D)``.
        labels: Their labels.
        ks: Cut-offs.
        views: ``'concat'`` (one DTW of the views side by side, the published code) or ``'min'``
            (minimum over the view combinations); see
            :func:`~vpd_mm.evaluation.functional.knn.retrieval_cost_matrix`.
        per_query: Every query's precision@k in [0, 1] (``(Q,)`` arrays) instead of the mean in %.
    """
    from vpd_mm.evaluation.functional import retrieval_precision_at_k
    from vpd_mm.evaluation.functional.knn import retrieval_cost_matrix
    cost = retrieval_cost_matrix(feats, views=views)
    out = retrieval_precision_at_k(cost, labels, ks=tuple(ks), exclude_self=True, per_query=per_query)
    return {f'P@{k}': out[k] if per_query else 100.0 * float(out[k]) for k in ks}


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
            retrieval_pool: str = 'all',
            retrieval_views: str = 'concat',
            bootstrap: int = 2000,
            seed: int = 0,
            nn: bool = True) -> dict:
    """Run NNS and retrieval for each feature set; write ``nns.json`` and ``nns.md`` in ``work_dir``.

    All feature sets are scored on the same actions: the actions any of them left out (the datasets'
    ``on_empty='skip'``) are left out of every one (``summary['dropped_actions']``).

    Args:
        config: Recognition config (or its path) whose datasets define the data.
        feature_sets: ``{name: feature dirs}``; empty dirs = the config's own.
        work_dir: Output folder.
        ks: Retrieval cut-offs.
        test_split_key: Config key of the test dataloader.
        retrieval_pool: ``'all'`` (every action of the training, validation and test splits is a
            query and ranks all the others; the paper's published code) or ``'test'`` (the test
            actions only).
        retrieval_views: ``'concat'`` (the published code) or ``'min'``; see :func:`retrieval_scores`.
        bootstrap: Resamples of the 95 % bootstrap intervals (over the test actions for NNS, over
            the queries for retrieval; ``summary['intervals']``).
        seed: The bootstrap's seed.
        nn: Classify the test split (``nn_top1``); ``False`` runs the retrieval alone (e.g. where
            :mod:`~vpd_mm.downstream.crossval` classifies every action).

    Returns:
        The summary written to ``nns.json``.
    """
    if retrieval_pool not in RETRIEVAL_POOLS:
        raise ValueError(f'retrieval_pool must be one of {RETRIEVAL_POOLS}, got {retrieval_pool!r}')
    from vpd_mm.evaluation.functional.knn import RETRIEVAL_VIEWS
    if retrieval_views not in RETRIEVAL_VIEWS:
        raise ValueError(f'retrieval_views must be one of {RETRIEVAL_VIEWS}, got {retrieval_views!r}')
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    pool_keys = ('train_dataloader', 'val_dataloader', test_split_key) if retrieval_pool == 'all' else (
        test_split_key, )
    loaded, skipped = {}, {}
    for name, dirs in feature_sets.items():
        cfg = copy.deepcopy(base)
        if dirs:
            set_feature_dirs(cfg, dirs)
        datasets = split_datasets(cfg, ('train_dataloader', test_split_key, *pool_keys))
        loaded[name] = (datasets, {key: dataset_actions(dataset) for key, dataset in datasets.items()})
        skipped[name] = skipped_actions(datasets.values())
    dropped = set().union(*skipped.values())
    results, intervals, fallbacks = {}, {}, {}
    for name, (datasets, actions) in loaded.items():
        actions = {key: drop_actions(split, dropped) for key, split in actions.items()}
        (tr_x, tr_y, _), (te_x, te_y, _) = actions['train_dataloader'], actions[test_split_key]
        pool = {key: datasets[key] for key in pool_keys if key in datasets}
        pool_x, pool_y = labelled_actions(pool, actions)
        scores = {}
        if nn:
            knn = nns_classify(tr_x, tr_y, te_x)
            counts = knn.counts()
            fallbacks[name] = dict(symmetric2=counts['fallback'], majority=counts['majority'])
            scores['nn_top1'] = (knn.pred == te_y).astype(np.float64)
        scores.update(retrieval_scores(pool_x, pool_y, ks, retrieval_views, per_query=True))
        scores = {key: percent_interval(values, bootstrap, seed) for key, values in scores.items()}
        results[name] = {key: s['value'] for key, s in scores.items()}
        intervals[name] = {key: s['ci'] for key, s in scores.items()}
    summary = dict(task='nns', metric='%', retrieval_pool=retrieval_pool, retrieval_views=retrieval_views,
                   num_retrieval=len(pool_y), dropped_actions=dropped_summary(dropped, skipped),
                   results=results, intervals=intervals, bootstrap=bootstrap)
    if nn:
        summary.update(num_train=len(tr_y), num_test=len(te_y), nn_fallbacks=fallbacks)
    atomic_write_json(osp.join(work_dir, 'nns.json'), summary, indent=1)
    atomic_write_text(
        osp.join(work_dir, 'nns.md'), '# DTW nearest neighbour (top-1 %) and retrieval '
        '(precision@k %)\n\n' + nns_markdown(summary))
    return summary

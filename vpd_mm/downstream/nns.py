"""Full-data DTW nearest-neighbour classification and retrieval per feature set.

NNS: every test action is classified by its 1-NN training action under DTW (paper settings, all
flip combinations; the DTW engine is :mod:`vpd_mm.evaluation.functional`). Retrieval: every test
action ranks all other test actions; precision@k for k = 1, 10, 50.
"""
import copy
import os.path as osp
from typing import Dict, Sequence, Union

import numpy as np
from mmengine.config import Config

from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text

from .fewshot import nns_top1
from .runner_utils import _dataset_cfg, build_dataset, dataset_features, set_feature_dirs


def retrieval_scores(feats, labels, ks: Sequence[int] = (1, 10, 50)) -> Dict[str, float]:
    """Precision@k (%) of leave-one-out DTW retrieval within ``feats``."""
    from vpd_mm.evaluation.functional import flip_dtw_cost_matrix, retrieval_precision_at_k
    cost = flip_dtw_cost_matrix(feats, exclude_self=True)
    out = retrieval_precision_at_k(cost, labels, ks=tuple(ks), exclude_self=True)
    return {f'P@{k}': 100.0 * float(out[k]) for k in ks}


def run_nns(config: Union[str, Config],
            feature_sets: Dict[str, Sequence[str]],
            work_dir: str = 'work_dirs/nns',
            ks: Sequence[int] = (1, 10, 50),
            test_split_key: str = 'test_dataloader') -> dict:
    """Run NNS and retrieval for each feature set; write ``nns.json`` and ``nns.md`` in ``work_dir``."""
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    results = {}
    for name, dirs in feature_sets.items():
        cfg = copy.deepcopy(base)
        if dirs:
            set_feature_dirs(cfg, dirs)
        train = build_dataset(
            _dataset_cfg(cfg.train_dataloader), pipeline=[], view_mode='stack', fewshot_k=None)
        test = build_dataset(_dataset_cfg(cfg[test_split_key]), pipeline=[], view_mode='stack')
        tr_x, tr_y = dataset_features(train)
        te_x, te_y = dataset_features(test)
        row = dict(nn_top1=nns_top1(tr_x, tr_y, te_x, te_y))
        row.update(retrieval_scores(te_x, te_y, ks))
        results[name] = row
    summary = dict(task='nns', metric='%', num_train=len(tr_y), num_test=len(te_y), results=results)
    atomic_write_json(osp.join(work_dir, 'nns.json'), summary, indent=1)
    from .report import nns_markdown
    atomic_write_text(
        osp.join(work_dir, 'nns.md'), '# DTW nearest neighbour (top-1 %) and retrieval '
        '(precision@k %)\n\n' + nns_markdown(summary))
    return summary

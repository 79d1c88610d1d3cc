"""Few-shot recognition protocol: BiGRU (mmengine Runner) and DTW nearest neighbour per k.

For each feature set, each ``k`` and each trial, the BiGRU config is trained on the fixed few-shot
subset (``annotations/fewshot.json``: k examples per class, trial = subset index) and evaluated on
the full test split; NNS-DTW classifies the same test split against the same subset. ``k='all'``
uses the full training split (one trial). Results are cached per run (resumable).
"""
import copy
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.config import Config

from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text, load_json

from .runner_utils import (_dataset_cfg, build_dataset, dataset_features, fit_model_to_data, set_epochs,
                           set_feature_dirs, train_and_test)

K = Union[int, str]


def nns_top1(train_feats: List[np.ndarray], train_labels: np.ndarray, test_feats: List[np.ndarray],
             test_labels: np.ndarray) -> float:
    """Top-1 (%) of 1-NN DTW classification (paper settings, all flip combinations)."""
    from vpd_mm.evaluation.functional import nn_classify
    pred = np.asarray(nn_classify(test_feats, train_feats, train_labels))
    return float(100.0 * np.mean(pred == np.asarray(test_labels)))


def _subset_overrides(k: K, trial: int) -> dict:
    return dict(
        fewshot_k=None, fewshot_trial=0) if str(k) == 'all' else dict(
            fewshot_k=int(k), fewshot_trial=trial)


def run_fewshot(config: Union[str, Config],
                feature_sets: Dict[str, Sequence[str]],
                ks: Sequence[K] = (4, 8, 16, 32, 64),
                trials: int = 5,
                work_dir: str = 'work_dirs/fewshot',
                epochs: Optional[int] = None,
                methods: Sequence[str] = ('bigru', 'nns'),
                progress: bool = True) -> dict:
    """Run the protocol; write ``work_dir/runs/*.json`` per run and return the summary dict.

    Args:
        config: BiGRU recognition config (``configs/recognition/*.py``).
        feature_sets: ``{name: [feature dirs]}``; an empty list keeps the config's dirs.
        ks: Shots per class; ``'all'`` for the full training split.
        trials: Subsets per k (the fixed subsets 0..trials-1).
        work_dir: Output folder.
        epochs: Override the config's epoch count.
        methods: Subset of ``('bigru', 'nns')``.
    """
    base = Config.fromfile(config) if isinstance(config, str) else copy.deepcopy(config)
    if epochs is not None:
        set_epochs(base, epochs)
    runs = [(fs, k, t) for fs in feature_sets for k in ks for t in range(1 if str(k) == 'all' else trials)]
    iterator = runs
    if progress:
        from tqdm import tqdm
        iterator = tqdm(runs, desc='few-shot runs', unit='run')
    test_cache: Dict[str, tuple] = {}
    for fs, k, trial in iterator:
        out = osp.join(work_dir, 'runs', f'{fs}_k{k}_t{trial}.json')
        done = load_json(out) if osp.isfile(out) else {}
        if all(m in done for m in methods):
            continue
        cfg = copy.deepcopy(base)
        if feature_sets[fs]:
            set_feature_dirs(cfg, feature_sets[fs])
        _dataset_cfg(cfg.train_dataloader).update(_subset_overrides(k, trial))
        train_set = build_dataset(_dataset_cfg(cfg.train_dataloader), pipeline=[], view_mode='stack')
        fit_model_to_data(cfg, train_set)
        result = dict(done, feature_set=fs, k=str(k), trial=trial, num_train=len(train_set))
        if 'nns' in methods and 'nns' not in done:
            if fs not in test_cache:
                test_cache[fs] = dataset_features(
                    build_dataset(_dataset_cfg(cfg.test_dataloader), pipeline=[], view_mode='stack'))
            tr_x, tr_y = dataset_features(train_set)
            result['nns'] = nns_top1(tr_x, tr_y, *test_cache[fs])
        if 'bigru' in methods and 'bigru' not in done:
            metrics = train_and_test(
                cfg, osp.join(work_dir, 'work', f'{fs}_k{k}_t{trial}'), name=f'{fs}_k{k}_t{trial}')
            top1 = [v for key, v in metrics.items() if key.endswith('top1')]
            if not top1:
                raise KeyError(f'test metrics {sorted(metrics)} hold no top-1 accuracy')
            result['bigru'] = 100.0 * top1[0]
            result['bigru_metrics'] = metrics
        atomic_write_json(out, result, indent=1)
    summary = summarize_fewshot(work_dir, feature_sets, ks, trials, methods)
    write_fewshot_outputs(summary, work_dir)
    return summary


def summarize_fewshot(work_dir: str, feature_sets, ks, trials: int, methods) -> dict:
    """Mean/std top-1 per (feature set, method, k) from the cached run files."""
    table = {}
    for fs in feature_sets:
        for m in methods:
            rows = {}
            for k in ks:
                vals = []
                for t in range(1 if str(k) == 'all' else trials):
                    path = osp.join(work_dir, 'runs', f'{fs}_k{k}_t{t}.json')
                    if osp.isfile(path) and m in load_json(path):
                        vals.append(load_json(path)[m])
                if vals:
                    rows[str(k)] = dict(
                        mean=float(np.mean(vals)), std=float(np.std(vals)), n=len(vals), values=vals)
            table[f'{fs}/{m}'] = rows
    return dict(task='fewshot', metric='top-1 (%)', ks=[str(k) for k in ks], trials=trials, results=table)


def fewshot_markdown(summary: dict) -> str:
    """Markdown table: one row per (feature set / method), one column per k (mean ± std)."""
    ks = summary['ks']
    lines = ['| features / method | ' + ' | '.join(f'k={k}' for k in ks) + ' |', '|---|' + '---|' * len(ks)]
    for name, rows in summary['results'].items():
        cells = [f"{rows[k]['mean']:.1f} ± {rows[k]['std']:.1f}" if k in rows else '-' for k in ks]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def plot_fewshot(summary: dict, path: str) -> None:
    """Accuracy vs k, one curve per feature set and method (like the paper's Figure 3)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    ks = [k for k in summary['ks'] if k != 'all']
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, rows in summary['results'].items():
        xs = [int(k) for k in ks if k in rows]
        if not xs:
            continue
        mean = np.array([rows[str(k)]['mean'] for k in xs])
        std = np.array([rows[str(k)]['std'] for k in xs])
        line, = ax.plot(xs, mean, marker='o', label=name)
        ax.fill_between(xs, mean - std, mean + std, alpha=0.2, color=line.get_color())
    ax.set_xscale('log', base=2)
    ax.set_xticks([int(k) for k in ks])
    ax.set_xticklabels(ks)
    ax.set_xlabel('examples per class (k)')
    ax.set_ylabel('top-1 accuracy (%)')
    ax.set_title('Few-shot action recognition')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = path + '.tmp.png'
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    os.replace(tmp, path)


def write_fewshot_outputs(summary: dict, work_dir: str) -> None:
    """``fewshot.json``, ``fewshot.md`` and ``fewshot.png`` in ``work_dir``."""
    summary = dict(summary, plot='fewshot.png')
    plot_fewshot(summary, osp.join(work_dir, 'fewshot.png'))
    atomic_write_json(osp.join(work_dir, 'fewshot.json'), summary, indent=1)
    atomic_write_text(
        osp.join(work_dir, 'fewshot.md'), '# Few-shot recognition, top-1 (%)\n\n' + fewshot_markdown(summary))

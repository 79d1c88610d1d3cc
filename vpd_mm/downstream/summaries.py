"""Markdown tables and plots of the downstream summaries (formatting only, no computation).

Each function takes a summary dict as the downstream tools write it (``task`` = ``nns``, ``fewshot``,
``recognition``; see :mod:`vpd_mm.downstream.nns` and :mod:`vpd_mm.downstream.fewshot`) and returns
Markdown, or writes the summary's files. :mod:`vpd_mm.downstream.report` gathers them into one report.
"""
import os.path as osp
from typing import Optional

import numpy as np

from vpd_mm.utils.fileio import atomic_save_figure, atomic_write_json, atomic_write_text


def _retrieval_caption(result: dict) -> str:
    """Who ranks whom in an NNS summary's retrieval."""
    if result.get('retrieval_pool') == 'all':
        return (f"each of the {result['num_retrieval']} labelled actions (training, validation and test) "
                'ranks all the others')
    return 'each test action ranks the other test actions'


def nns_markdown(result: dict) -> str:
    """Table of NNS top-1 and retrieval precision@k per feature set."""
    keys = sorted({k
                   for r in result['results'].values()
                   for k in r},
                  key=lambda k: (not k.startswith('nn'), k))
    lines = ['| features | ' + ' | '.join(keys) + ' |', '|---|' + '---|' * len(keys)]
    intervals = result.get('intervals', {})
    for name, r in result['results'].items():
        ci = intervals.get(name, {})
        cells = [value_with_interval(r[k], ci.get(k)) if k in r else '-' for k in keys]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    text = '\n'.join(lines) + '\n'
    if intervals:
        over = 'over the test actions for nn_top1, over the queries for P@k' if 'num_test' in result else (
            'over the queries')
        text += f'\n[95 % bootstrap interval {over}]\n'
    captions = []
    if 'num_test' in result:
        captions.append(f"nn_top1: each of the {result['num_test']} test actions takes the class of its "
                        f"nearest of the {result.get('num_train', '?')} training actions.")
    if 'num_retrieval' in result:
        captions.append(f'P@k: {_retrieval_caption(result)}{_views_caption(result)}; share of the k nearest '
                        'with its class (all of them when fewer than k).')
    if captions:
        text += '\n' + ' '.join(captions) + '\n'
    fallbacks = {name: f for name, f in result.get('nn_fallbacks', {}).items() if any(f.values())}
    if fallbacks:
        counts = '; '.join(f"{name}: {f.get('symmetric2', 0)} / {f.get('majority', 0)}"
                           for name, f in fallbacks.items())
        text += ('\nTest actions with no symmetricP2 path to any training action, searched again with '
                 f'symmetric2 / given the majority class: {counts}.\n')
    text += dropped_note(result.get('dropped_actions'))
    return text


def value_with_interval(value: float, ci=None) -> str:
    """``'12.5'`` or, with an interval, ``'12.5 [4.2, 25.0]'``."""
    return f'{value:.1f}' if ci is None else f'{value:.1f} [{ci[0]:.1f}, {ci[1]:.1f}]'


def _views_caption(result: dict) -> str:
    views = result.get('retrieval_views')
    if views == 'concat':
        return ' by one DTW of its two views side by side (the published code)'
    if views == 'min':
        return ' by the lowest DTW cost over the view combinations'
    return ''


def recognition_markdown(result: dict) -> str:
    """Table of full-data recognition numbers ``{method: {metric: value}}``."""
    keys = sorted({k for r in result['results'].values() for k in r})
    lines = ['| method | ' + ' | '.join(keys) + ' |', '|---|' + '---|' * len(keys)]
    for name, r in result['results'].items():
        lines.append(f'| {name} | ' + ' | '.join(f'{r[k]:.1f}' if k in r else '-' for k in keys) + ' |')
    return '\n'.join(lines) + '\n'


def fewshot_markdown(summary: dict) -> str:
    """Markdown table: one row per (feature set / method) or baseline, one column per k (mean ± std)."""
    ks = summary['ks']
    lines = ['| features / method | ' + ' | '.join(f'k={k}' for k in ks) + ' |', '|---|' + '---|' * len(ks)]
    shared = False
    for name, rows in summary['results'].items():
        cells = [f"{rows[k]['mean']:.1f} ± {rows[k]['std']:.1f}" if k in rows else '-' for k in ks]
        shared |= any(c.get('trained', c['n']) < c['n'] for c in rows.values())
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    text = '\n'.join(lines) + '\n'
    if shared:
        text += ('\nMean ± std over the trials. Trials whose training subset equals an earlier one (same '
                 'actions; on small data the subsets of large k are the whole training split) reuse that '
                 'training run.\n')
    fallbacks = [(name, k, c['fallbacks'])
                 for name, rows in summary['results'].items()
                 for k, c in rows.items()
                 if any(c.get('fallbacks', {}).values())]
    if fallbacks:
        counts = '; '.join(f"{name} k={k}: {f.get('symmetric2', 0)} / {f.get('majority', 0)}"
                           for name, k, f in fallbacks)
        text += ('\nNNS test actions with no symmetricP2 path to any training action (searched again with '
                 f'symmetric2 / given the majority class), summed over the trials: {counts}.\n')
    text += dropped_note(summary.get('dropped_actions'))
    return text


def dropped_note(dropped: Optional[dict]) -> str:
    """A Markdown note naming the actions left out of every feature set (``''`` when none)."""
    if not dropped or not dropped.get('count'):
        return ''
    ids = dropped['ids']
    shown = ', '.join(map(str, ids[:20])) + (', ...' if len(ids) > 20 else '')
    by_set = ', '.join(f'{name} {n}' for name, n in dropped.get('by_feature_set', {}).items())
    return (f"\n{dropped['count']} action(s) have no feature frame in some feature set ({by_set}) and are "
            f'left out of every feature set, so that all are scored on the same actions: {shown}.\n')


def full_data_summary(summary: dict) -> Optional[dict]:
    """The ``k='all'`` column as a full-data recognition result (``task='recognition'``), if run."""
    results = {
        name: {
            'top-1': rows['all']['mean']
        }
        for name, rows in summary['results'].items() if 'all' in rows
    }
    if not results:
        return None
    return dict(task='recognition', metric='top-1 (%)', results=results)


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
    atomic_save_figure(fig, path, dpi=120)


def write_fewshot_outputs(summary: dict, work_dir: str) -> None:
    """``fewshot.json``, ``fewshot.md`` and ``fewshot.png`` in ``work_dir``; with ``k='all'`` also the
    full-data table ``recognition.json`` and ``recognition.md``."""
    summary = dict(summary, plot='fewshot.png')
    plot_fewshot(summary, osp.join(work_dir, 'fewshot.png'))
    atomic_write_json(osp.join(work_dir, 'fewshot.json'), summary, indent=1)
    atomic_write_text(
        osp.join(work_dir, 'fewshot.md'), '# Few-shot recognition, top-1 (%)\n\n' + fewshot_markdown(summary))
    full = full_data_summary(summary)
    if full is not None:
        atomic_write_json(osp.join(work_dir, 'recognition.json'), full, indent=1)
        atomic_write_text(
            osp.join(work_dir, 'recognition.md'),
            '# Recognition, full training data, top-1 (%)\n\n' + recognition_markdown(full))

"""Few-shot action recognition protocol (the paper's Figure 3): BiGRU, NNS-DTW and mmaction2 baselines.

Usage::

    python tools/fewshot.py CONFIG --k 4 8 16 32 64 [all] --trials 5 [--features NAME=DIR[+DIR...] ...]
        [--epochs N] [--max-iters N] [--methods bigru nns] [--baselines [CFG ...]] [--baseline-k K ...]
        [--baseline-epochs N] [--workers N] [--work-dir DIR]

For every feature set, k and trial the BiGRU of CONFIG (configs/recognition/) is trained with the
mmengine Runner on the fixed few-shot subset (annotations/fewshot.json) and tested on the full test
split; NNS-DTW classifies the same test split against the same subset. The mmaction2 baselines
(default: CONFIG's ``fewshot_baselines``, e.g. ST-GCN on 2D poses and TSN on clips) are trained on the
same subsets (a pose pickle's split key train_k{K}_s{S}, or a generated list file) and tested on their
test split; ``--baselines`` with no config skips them, ``--baseline-k`` gives them fewer ks. CONFIG may
also be a baseline config itself (then only that baseline runs). ``--k all`` adds the full training
split and the full-data table (recognition.json/.md).

Writes WORK_DIR/fewshot.{json,md,png} (mean/std top-1 per k, one curve per feature set and method or
baseline) and per-run files in WORK_DIR/runs (finished runs are skipped: resumable; trials with an
identical training subset reuse one training run). Feature dirs are relative to the config's data_root;
``+`` concatenates sources. ``--max-iters N`` caps a BiGRU run at about N training steps (fewer epochs
for large k). A run file records a digest of its inputs (config, feature files, annotations): results
whose inputs changed since are computed again. ``--workers N`` trains N runs at a time (BiGRU and
baselines), each in its own single-threaded process, with the same result per run as ``--workers 1``;
NNS-DTW runs first, in the main process. A failed run is named at the end and leaves the other runs'
files; Ctrl-C can be resumed.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='BiGRU recognition config (or an mmaction2 baseline config)')
    parser.add_argument(
        '--k', nargs='+', default=['4', '8', '16', '32', '64'], help='shots per class (or "all")')
    parser.add_argument('--trials', type=int, default=5, help='fixed subsets per k')
    parser.add_argument('--features', nargs='*', help='feature sets NAME=DIR[+DIR...] (default: config\'s)')
    parser.add_argument('--epochs', type=int, help='override the BiGRU config\'s epoch count')
    parser.add_argument(
        '--max-iters', type=int, help='cap a BiGRU run at about this many training steps (fewer epochs for large k)')
    parser.add_argument('--methods', nargs='+', default=['bigru', 'nns'], choices=['bigru', 'nns'])
    parser.add_argument(
        '--baselines',
        nargs='*',
        help='mmaction2 baseline configs trained on the same subsets (default: the config\'s '
        '`fewshot_baselines`; give the flag without configs to skip them)')
    parser.add_argument('--baseline-k', nargs='+', help='ks for the baselines (default: --k)')
    parser.add_argument('--baseline-epochs', type=int, help='override the baselines\' epoch count')
    parser.add_argument(
        '--workers', type=int, default=1, help='processes training runs in parallel (1: in this process)')
    parser.add_argument('--work-dir', default='work_dirs/fewshot', help='output folder')
    return parser.parse_args(argv)


def _ks(values):
    return None if values is None else [k if k == 'all' else int(k) for k in values]


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config

    from vpd_mm.downstream.fewshot import baseline_name, is_feature_config, run_fewshot
    from vpd_mm.downstream.runner_utils import parse_feature_sets
    from vpd_mm.downstream.summaries import fewshot_markdown, full_data_summary, recognition_markdown
    cfg = Config.fromfile(args.config)
    if is_feature_config(cfg):
        name = osp.splitext(osp.basename(args.config))[0].split('_')[-1]
        feature_sets = parse_feature_sets(args.features, name)
        baselines = cfg.get('fewshot_baselines', []) if args.baselines is None else args.baselines
        config = cfg
    else:  # a baseline config on its own
        feature_sets, config = {}, None
        baselines = [args.config] + list(args.baselines or [])
    for path in baselines:
        if not osp.isfile(path):
            raise FileNotFoundError(f'baseline config {path} not found')
    summary = run_fewshot(
        config,
        feature_sets,
        _ks(args.k),
        args.trials,
        args.work_dir,
        args.epochs,
        args.methods,
        baselines={baseline_name(p): p
                   for p in baselines},
        baseline_ks=_ks(args.baseline_k),
        baseline_epochs=args.baseline_epochs,
        workers=args.workers,
        max_iters=args.max_iters)
    print(fewshot_markdown(summary))
    full = full_data_summary(summary)
    if full is not None:
        print('Full training data, top-1 (%):\n' + recognition_markdown(full))
    print(f'written: {osp.join(args.work_dir, "fewshot.json")}, fewshot.md, fewshot.png' +
          (', recognition.json, recognition.md' if 'all' in summary['ks'] else ''))


if __name__ == '__main__':
    main()

"""Few-shot action recognition protocol (the paper's Figure 3) with BiGRU and NNS-DTW.

Usage::

    python tools/fewshot.py CONFIG --k 4 8 16 32 64 --trials 5 [--features NAME=DIR[+DIR...] ...]
        [--epochs N] [--methods bigru nns] [--work-dir DIR]

For every feature set, k and trial the BiGRU of CONFIG (configs/recognition/) is trained with the
mmengine Runner on the fixed few-shot subset (annotations/fewshot.json) and tested on the full test
split; NNS-DTW classifies the same test split against the same subset. ``--k all`` adds the full
training split. Writes WORK_DIR/fewshot.{json,md,png} (mean/std top-1 per k, one curve per feature
set and method) and per-run files in WORK_DIR/runs (finished runs are skipped: resumable).
Feature dirs are relative to the config's data_root; ``+`` concatenates sources.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='BiGRU recognition config')
    parser.add_argument(
        '--k', nargs='+', default=['4', '8', '16', '32', '64'], help='shots per class (or "all")')
    parser.add_argument('--trials', type=int, default=5, help='fixed subsets per k')
    parser.add_argument('--features', nargs='*', help='feature sets NAME=DIR[+DIR...] (default: config\'s)')
    parser.add_argument('--epochs', type=int, help='override the config\'s epoch count')
    parser.add_argument('--methods', nargs='+', default=['bigru', 'nns'], choices=['bigru', 'nns'])
    parser.add_argument('--work-dir', default='work_dirs/fewshot', help='output folder')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.downstream.fewshot import fewshot_markdown, run_fewshot
    from vpd_mm.downstream.runner_utils import parse_feature_sets
    ks = [k if k == 'all' else int(k) for k in args.k]
    name = osp.splitext(osp.basename(args.config))[0].split('_')[-1]
    summary = run_fewshot(args.config, parse_feature_sets(args.features, name), ks, args.trials,
                          args.work_dir, args.epochs, args.methods)
    print(fewshot_markdown(summary))
    print(f'written: {osp.join(args.work_dir, "fewshot.json")}, fewshot.md, fewshot.png')


if __name__ == '__main__':
    main()

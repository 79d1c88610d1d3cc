"""Recognition cross-validated by video: every labelled action is a test action once, with intervals.

Usage::

    python tools/crossval.py CONFIG [--features NAME=DIR[+DIR...] ...] [--folds 4] [--methods nns bigru]
        [--epochs N] [--max-iters N] [--class-groups GROUP=CLASS,CLASS ...]
        [--pairs STUDENT:TEACHER ...] [--reference 'student: where it was found'] [--workers N]
        [--work-dir DIR]

CONFIG's datasets (configs/recognition/) define the actions: those of the training, validation and
test splits together. Their videos are dealt into --folds folds; each fold's actions are classified by
models that never saw their videos: NNS-DTW against the other folds' actions (the paper's rule) and the
CONFIG's BiGRU trained on them (mmengine Runner). Top-1 over all actions comes with a 95 % bootstrap
interval; each --pairs STUDENT:TEACHER gets the paired difference, its interval and a verdict, and
--reference (who won a longer run, and where it is documented) a sentence whether this run agrees.
--class-groups merges classes into coarser ones. Fold predictions are cached in WORK_DIR/runs with a
digest of their inputs (resumable; changed inputs are recomputed); --workers N trains N folds at a
time, each in a single-threaded process. Writes WORK_DIR/crossval.json and crossval.md and prints
the table.

Example (SynthSport mini, the main job's setting)::

    python tools/crossval.py configs/recognition/bigru_synthsport-mini_gt-joints.py \\
        --features joints=features/gt_joints --folds 4 --epochs 100 --max-iters 300
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def _group(text: str):
    name, _, members = text.partition('=')
    if not name or not members:
        raise argparse.ArgumentTypeError(f'expected GROUP=CLASS,CLASS..., got {text!r}')
    return name, [m for m in members.split(',') if m]


def _pair(text: str):
    student, _, teacher = text.partition(':')
    if not student or not teacher:
        raise argparse.ArgumentTypeError(f'expected STUDENT:TEACHER, got {text!r}')
    return student, teacher


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='BiGRU recognition config providing the datasets')
    parser.add_argument('--features', nargs='*', help='feature sets NAME=DIR[+DIR...] (default: config\'s)')
    parser.add_argument('--folds', type=int, default=4, help='folds of videos (the number of videos: leave '
                        'one video out)')
    parser.add_argument('--methods', nargs='+', default=['nns', 'bigru'], choices=['nns', 'bigru'])
    parser.add_argument('--epochs', type=int, help='override the BiGRU config\'s epoch count')
    parser.add_argument('--max-iters', type=int, help='cap a BiGRU training at about this many steps')
    parser.add_argument('--class-groups', nargs='+', type=_group, metavar='GROUP=CLASS,CLASS',
                        help='score coarser classes, each class in one group')
    parser.add_argument('--pairs', nargs='+', type=_pair, default=[], metavar='STUDENT:TEACHER',
                        help='feature-set pairs to compare (paired bootstrap)')
    parser.add_argument('--reference', help="who won a longer run and where: 'student: SynthSport standard, "
                        "docs/results.md'")
    parser.add_argument('--bootstrap', type=int, default=2000, help='bootstrap resamples')
    parser.add_argument('--seed', type=int, default=0, help='seed of the folds and the bootstrap')
    parser.add_argument('--workers', type=int, default=1,
                        help='BiGRU trainings at a time (1: in this process)')
    parser.add_argument('--work-dir', default='work_dirs/crossval', help='output folder')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.downstream.crossval import crossval_markdown, run_crossval
    from vpd_mm.downstream.runner_utils import parse_feature_sets
    if not osp.isfile(args.config):
        sys.exit(f'error: config file not found: {args.config}')
    name = osp.splitext(osp.basename(args.config))[0].split('_')[-1]
    try:
        summary = run_crossval(args.config, parse_feature_sets(args.features, name), args.work_dir,
                               args.folds, args.methods, args.epochs, args.max_iters,
                               dict(args.class_groups or []), args.pairs, args.reference, args.bootstrap,
                               args.seed, args.workers)
    except ValueError as err:
        sys.exit(f'error: {err}')
    print(crossval_markdown(summary))
    print(f'written: {osp.join(args.work_dir, "crossval.json")}, crossval.md')


if __name__ == '__main__':
    main()

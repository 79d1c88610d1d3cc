"""Temporal action detection with a cross-validated ensemble of per-frame BiGRUs.

Usage::

    python tools/detect.py CONFIG [--folds 5] [--iters N] [--features DIR[+DIR...]] [--work-dir DIR] [--workers 2]
                           [--cross-validate]

Splits the training videos of CONFIG (configs/detection/) into folds, trains one model per fold
(mmengine Runner, validated on its held-out fold), averages their per-frame activations on the test
videos, makes proposals (runs of activation >= 0.2 of >= 3 frames, resized to 0.67-1.33x the mean
training action length) and reports AP at tIoU 0.3-0.7. With --cross-validate every annotated
video (all splits) is dealt into the folds and detected by the model that did not train on it: AP over
all videos, with a 95 % bootstrap interval over them (for datasets with few test videos). Writes
WORK_DIR/detection.{json,md}; finished folds are reused (resumable).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='detection config')
    parser.add_argument('--folds', type=int, default=5, help='cross-validation folds (ensemble size)')
    parser.add_argument('--iters', type=int, help='override training iterations per fold')
    parser.add_argument('--features', help='feature dirs DIR[+DIR...] relative to data_root')
    parser.add_argument('--work-dir', default='work_dirs/detection', help='output folder')
    parser.add_argument(
        '--workers', type=int, default=1, help='folds trained at a time, one single-threaded process each')
    parser.add_argument(
        '--cross-validate', action='store_true',
        help='detect in every annotated video (all splits) with the model of its fold, AP over all of them '
        'with a 95 %% bootstrap interval over the videos (small datasets), instead of the ensemble on the '
        'test split')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.downstream.detection import detection_markdown, run_detection
    dirs = args.features.split('+') if args.features else None
    result = run_detection(args.config, args.work_dir, args.folds, dirs, args.iters, workers=args.workers,
                           cross_validate=args.cross_validate)
    print(detection_markdown(result))
    print(f'written: {osp.join(args.work_dir, "detection.json")}, detection.md')


if __name__ == '__main__':
    main()

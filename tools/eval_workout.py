"""Recognition, retrieval, few-shot and repetition counting on workout clips, per feature set.

Usage::

    python tools/eval_workout.py ROOT --features NAME=DIR[+DIR...] [...] [--work-dir DIR]
        [--tasks nns fewshot fewshot_bigru count spot] [--pairs STUDENT=TEACHER ...] [--workers 2]
        [--overwrite] [--stage-stamps JOB_WORK_DIR/stages]

ROOT is a data root written by tools/prepare_workout.py; feature folders (VPD embedding pickles, one
per clip) are relative to it. Per feature set: leave-one-out DTW 1-NN top-1 and retrieval P@1/P@5 with
95 % bootstrap intervals (nns); few-shot 1-NN (fewshot) and BiGRU (fewshot_bigru) over the root's
subsets; repetition counting without training (count) and by cross-validated per-frame BiGRU boundary
spotting (spot): mean absolute count error, off-by-one accuracy, event AP at +-5 and +-10 frames. Writes
WORK_DIR/workout.json and workout.md; finished trainings are reused on a rerun (--overwrite: redo them).
See vpd_mm/downstream/workout.py.
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('root', help='workout data root (tools/prepare_workout.py)')
    parser.add_argument(
        '--features', nargs='+', required=True, help='feature sets NAME=DIR[+DIR...], under ROOT')
    parser.add_argument('--work-dir', default='work_dirs/workout', help='output folder')
    parser.add_argument(
        '--tasks',
        nargs='+',
        default=['nns', 'fewshot', 'fewshot_bigru', 'count', 'spot'],
        choices=['nns', 'fewshot', 'fewshot_bigru', 'count', 'spot'])
    parser.add_argument('--recognition-config', default='configs/recognition/bigru_workout.py')
    parser.add_argument('--spotting-config', default='configs/detection/bigru-spot_workout-reps.py')
    parser.add_argument('--step-pattern', default='symmetric2', choices=['symmetric2', 'symmetricP2'])
    parser.add_argument(
        '--folds', type=int, default=5, help='cross-validation folds of the boundary spotting')
    parser.add_argument('--pairs', nargs='*', default=[], help='STUDENT=TEACHER rows compared in the summary')
    parser.add_argument('--workers', type=int, default=1, help='trainings at a time, one process each')
    parser.add_argument('--overwrite', action='store_true', help='redo the finished trainings')
    parser.add_argument(
        '--stage-stamps',
        help='a job\'s stage stamps (WORK_DIR/stages of tools/run_vpd.py): write '
        'their times, and this one\'s, to WORK_DIR/stages.json for the report')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    from vpd_mm.downstream.runner_utils import parse_feature_sets
    from vpd_mm.downstream.workout import run_workout_eval, stage_times, workout_markdown
    from vpd_mm.utils.fileio import atomic_write_json
    sets = {
        name: [osp.join(args.root, d) for d in dirs]
        for name, dirs in parse_feature_sets(args.features).items()
    }
    pairs = dict(p.split('=', 1) for p in args.pairs)
    summary = run_workout_eval(
        args.root,
        sets,
        args.work_dir,
        args.tasks,
        args.recognition_config,
        args.spotting_config,
        args.step_pattern,
        folds=args.folds,
        pairs=pairs,
        workers=args.workers,
        overwrite=args.overwrite)
    print(workout_markdown(summary))
    if args.stage_stamps:
        times = stage_times(args.stage_stamps, {'workout': time.time() - start})
        atomic_write_json(osp.join(args.work_dir, 'stages.json'), times, indent=1)
    print(f'written: {osp.join(args.work_dir, "workout.json")}, workout.md')


if __name__ == '__main__':
    main()

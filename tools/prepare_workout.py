"""Make a vpd_mm data root from labelled workout clips (``videos/<class>/*.mp4`` + repetition markers).

Usage::

    python tools/prepare_workout.py SOURCE -o OUT [--max-frames 300] [--k 1 2 4] [--trials 5] [--seed 0]

SOURCE is laid out as ``../shared/data/workout_videos`` (class = folder, clip id = file name, optional
``labels/<class>/<clip>.csv`` with per-frame repetition markers). OUT gets ``videos/<clip>.mp4`` (links to
the source videos, nothing is copied), ``annotations/{clips,fewshot,splits,repetitions}.json`` (the
evaluation protocol: one action per clip, its first ``--max-frames`` frames; few-shot subsets of k clips
per class; the temporal events) and ``dataset.json``. Videos that do not decode are listed in
``dataset.json`` (``skipped``) and left out; the exit status is then 3 (1 when no clip decodes). See
vpd_mm/datasets/workout_videos.py.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='workout data root (videos/<class>/*.mp4, labels/<class>/*.csv)')
    parser.add_argument('-o', '--out', required=True, help='data root to write')
    parser.add_argument(
        '--max-frames', type=int, default=300, help='frames per clip for recognition / retrieval (0: all)')
    parser.add_argument('--k', type=int, nargs='+', default=[1, 2, 4], help='few-shot clips per class')
    parser.add_argument('--trials', type=int, default=5, help='few-shot subsets per k')
    parser.add_argument('--seed', type=int, default=0, help='seed of the first subset (trial t: seed + t)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.datasets.workout_videos import write_workout_root
    from vpd_mm.utils.exit_status import batch_exit_status
    info = write_workout_root(args.source, args.out, args.max_frames or None, args.k, args.trials, args.seed)
    per_class = ', '.join(f'{c} {n}' for c, n in info['clips_per_class'].items())
    print(
        f"{info['num_clips']} clips ({per_class}); without markers: {info['clips_without_markers'] or 'none'}"
    )
    for s in info['skipped']:
        print(f"skipped {s['path']}: {s['reason']}")
    print(f'written: {args.out}')
    return batch_exit_status(info['num_clips'], len(info['skipped']))


if __name__ == '__main__':
    sys.exit(main())

"""NNS-DTW top-1 on JHMDB ground-truth joints (train = gallery, test = queries).

Each clip's ``(T, 15, 2)`` JHMDB joints are mapped onto COCO-17 slots and turned into VPD's 39-d
normalized joint feature (centre = hip midpoint, torso scaled to 0.5) for the original and the
mirrored pose; 1-NN over the length-normalised DTW cost of unit-normalised features, with and
without the minimum over flip combinations. Chance is 1/14.

Example::

    python tools/analysis/nns_jhmdb.py ../shared/data/jhmdb_gt --split 1 -o work_dirs/nns_jhmdb/split1.json

Prints one line per (step pattern, flips) and, with ``-o``, writes them as JSON (atomically).
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        'root',
        nargs='?',
        default=osp.join(
            osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))), 'shared', 'data', 'jhmdb_gt'),
        help='folder with GT_{train,test}_N.pkl '
        '(default: ../shared/data/jhmdb_gt)')
    parser.add_argument('--split', type=int, default=1, choices=(1, 2, 3))
    parser.add_argument(
        '--step-patterns',
        nargs='+',
        default=['symmetricP2', 'symmetric2'],
        choices=['symmetricP2', 'symmetric2'])
    parser.add_argument('-o', '--out', help='write the results to this JSON file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.evaluation.functional.jhmdb_nns import jhmdb_nns_top1
    from vpd_mm.utils.fileio import atomic_write_json

    start = time.perf_counter()
    results = jhmdb_nns_top1(args.root, args.split, step_patterns=args.step_patterns, flips=(True, False))
    seconds = time.perf_counter() - start
    rows = []
    print(f'JHMDB split {args.split} GT joints, NNS-DTW top-1 (chance {100 / 14:.1f} %)')
    for (pattern, flips), top1 in results.items():
        print(f'  {pattern:<12} flips={"yes" if flips else "no ":<3}  top-1 = {100 * top1:.2f} %')
        rows.append(dict(step_pattern=pattern, flips=flips, top1=top1))
    print(f'  ({seconds:.1f} s including numba compilation)')
    if args.out:
        atomic_write_json(
            args.out,
            dict(dataset='jhmdb_gt', split=args.split, feature='vpd_normalized_joints_39', results=rows),
            indent=2)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()

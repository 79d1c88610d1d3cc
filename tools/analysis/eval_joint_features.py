"""Accuracy of normalized-2D-joint features (teacher, 2D-VPD student) against SynthSport's GT, by frame type.

Usage::

    python tools/analysis/eval_joint_features.py DATA_ROOT --features NAME=DIR [NAME=DIR ...] [--gt DIR]
        [--thr 0.1] [-o JSON]

DIRs (and ``--gt``, default ``features/joints``: tools/make_joint_features.py on ``DATA_ROOT/pose``)
are relative to DATA_ROOT unless absolute. On the frames every source and the GT have, it prints per
frame type (calm / fast / inverted / blurred / occluded, ``DATA_ROOT/gt/<vid>/frame_info.json``) the
PCK of the features' joints on the GT-visible joints (threshold in normalized units: the largest torso
distance is 0.5) and the mean joint error, e.g. to see where a 2D-VPD student beats its teacher::

    python tools/analysis/eval_joint_features.py data/synthsport_standard \\
        --features teacher_2d=features/teacher_2d vpd_2d=features/vpd_2d
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('data_root', help='SynthSport root (gt/<vid>/frame_info.json)')
    p.add_argument('--features', nargs='+', required=True, help='NAME=DIR feature folders to evaluate')
    p.add_argument('--gt', default='features/joints', help='GT joint features (default: features/joints)')
    p.add_argument('--vids', nargs='+', help='videos (default: every GT feature file)')
    p.add_argument('--thr', type=float, default=0.1, help='PCK threshold in normalized joint units')
    p.add_argument('-o', '--out', help='write the result as JSON here')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from vpd_mm.evaluation.joint_features import evaluate_joint_features, format_joint_feature_table
    from vpd_mm.utils.fileio import atomic_write_json

    def path(p):
        return p if osp.isabs(p) else osp.join(args.data_root, p)

    dirs = {}
    for item in args.features:
        name, sep, folder = item.partition('=')
        if not sep:
            name, folder = osp.basename(item.rstrip('/')), item
        dirs[name] = path(folder)
    result = evaluate_joint_features(dirs, path(args.gt), args.data_root, args.vids, args.thr)
    print(format_joint_feature_table(result))
    if args.out:
        atomic_write_json(args.out, result, indent=1)
        print(f'written: {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

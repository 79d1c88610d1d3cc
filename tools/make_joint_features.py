"""Write the VPD "normalized 2D joints" embedding of every video of a pose root.

Usage::

    python tools/make_joint_features.py POSE_ROOT -o OUT_DIR [--overwrite]

POSE_ROOT holds one VPD pose directory per video (``<vid>/coco_keypoints.json.gz`` and
optionally ``<vid>/boxes.json``), e.g. SynthSport's ``pose/`` or the teacher's output. For each
video ``OUT_DIR/<vid>.emb.pkl`` gets, per frame, a ``(2, 39)`` array [original, flipped] and
meta ``{'kp_score': mean keypoint score}``. Finished outputs are skipped (resumable).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('pose_root', help='directory with one VPD pose directory per video')
    parser.add_argument('-o', '--out-dir', required=True, help='output directory for <vid>.emb.pkl files')
    parser.add_argument('--overwrite', action='store_true', help='rewrite existing outputs')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.pose.pose_features import make_joint_features
    status = make_joint_features(args.pose_root, args.out_dir, overwrite=args.overwrite)
    written = sum(v == 'written' for v in status.values())
    print(f'{written} written, {len(status) - written} skipped (already present) -> {args.out_dir}')


if __name__ == '__main__':
    main()

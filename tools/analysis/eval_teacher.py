"""Evaluate teacher pose files (tools/extract_poses.py output) against SynthSport ground truth.

Usage::

    python tools/analysis/eval_teacher.py PRED --gt ROOT [-o JSON] [--pck-thr 0.2] [--fast-thr 10] [--blur-thr 5]

PRED is the extraction output folder (holding ``pose/``) or a pose folder itself. Reports tracking
accuracy of the athlete box (mean IoU with the GT box, % frames with IoU > 0.5, coverage, identity
switches = on-athlete -> off-athlete jumps), teacher PCK@0.2 on GT-visible joints normalised by the
GT box's longer side (and by the torso size), overall and by frame type (calm / fast / inverted /
blurred / occluded, from ``ROOT/gt/<vid>/frame_info.json``), and the distribution of the athlete's
mean keypoint score. Writes JSON (default ``PRED/teacher_eval.json``) and prints a table.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('pred', help='extraction output folder (with pose/) or a pose folder')
    p.add_argument('--gt', required=True, help='SynthSport root (pose/, gt/)')
    p.add_argument('-o', '--out', help='JSON result (default PRED/teacher_eval.json)')
    p.add_argument('--vids', nargs='+', help='videos to evaluate (default: all GT videos)')
    p.add_argument('--pck-thr', type=float, default=0.2, help='PCK threshold')
    p.add_argument(
        '--fast-thr', type=float, default=10.0, help='limb_speed (px/frame) above which a frame is fast')
    p.add_argument(
        '--blur-thr', type=float, default=5.0, help='blur length (px) above which a frame is blurred')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from vpd_mm.teachers import evaluate_teacher, format_report
    pose_root = osp.join(args.pred, 'pose') if osp.isdir(osp.join(args.pred, 'pose')) else args.pred
    out = args.out or osp.join(args.pred, 'teacher_eval.json')
    result = evaluate_teacher(pose_root, args.gt, args.vids, args.pck_thr, args.fast_thr, args.blur_thr, out)
    print(format_report(result))
    print(f'written: {out}')
    return 0 if result['overall'] is not None else 1


if __name__ == '__main__':
    sys.exit(main())

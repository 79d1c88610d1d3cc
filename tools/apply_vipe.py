"""Embed the athlete's 2D poses of every video with a trained VIPE* model.

Usage::

    python tools/apply_vipe.py POSE_DIR CKPT -o OUT_DIR [--joints-out DIR] [--config CFG]
                               [--invert-vertical] [--device cpu] [--overwrite]

POSE_DIR holds one VPD pose directory per video (``<vid>/coco_keypoints.json.gz`` and optionally
``<vid>/boxes.json``; e.g. SynthSport's ``pose/`` or the teacher's output), or is one such directory.
For each video ``OUT_DIR/<vid>.emb.pkl`` gets, per frame, a ``(2, D)`` array [original, flipped]
of VIPE* embeddings and meta ``{'kp_score': mean keypoint score}``. ``--joints-out`` also writes
the "normalized 2D joints" features (``(2, 39)`` per frame) in the same format. ``--invert-vertical``
additionally embeds the upside-down pose and concatenates it (``(2, 2D)``, for diving-style data).
CKPT is a ``tools/train.py`` checkpoint of a ``configs/vipe/`` config (its config is read from the
checkpoint unless ``--config`` is given). Finished outputs are skipped (resumable).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('pose_dir', help='directory with one VPD pose directory per video')
    parser.add_argument('checkpoint', help='VIPE* checkpoint (.pth) from tools/train.py')
    parser.add_argument('-o', '--out-dir', required=True, help='output directory for <vid>.emb.pkl files')
    parser.add_argument('--joints-out', help='also write normalized 2D joint features to this directory')
    parser.add_argument('--config', help='config file (default: the one stored in the checkpoint)')
    parser.add_argument(
        '--invert-vertical',
        action='store_true',
        help='also embed the vertically inverted pose and concatenate (diving)')
    parser.add_argument('--device', default='cpu', help='torch device, e.g. cpu or cuda:0')
    parser.add_argument('--overwrite', action='store_true', help='rewrite existing outputs')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.pose.vipe_embeddings import apply_vipe, load_vipe_model
    model = load_vipe_model(args.checkpoint, args.config, args.device)
    status = apply_vipe(args.pose_dir, model, args.out_dir, args.joints_out, args.invert_vertical,
                        args.overwrite)
    written = sum(v == 'written' for v in status.values())
    print(f'{written} written, {len(status) - written} skipped (already present) -> {args.out_dir}')


if __name__ == '__main__':
    main()

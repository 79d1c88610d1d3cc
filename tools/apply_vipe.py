"""Embed the athlete's 2D poses of every video with a trained VIPE* model.

Usage::

    python tools/apply_vipe.py POSE_DIR CKPT -o OUT_DIR [--joints-out DIR] [--config CFG]
                               [--invert-vertical] [--device cpu] [--overwrite]
                               [--launcher none|pytorch|slurm]

POSE_DIR holds one VPD pose directory per video (``<vid>/coco_keypoints.json.gz`` and optionally
``<vid>/boxes.json``; e.g. SynthSport's ``pose/`` or the teacher's output), or is one such directory.
For each video ``OUT_DIR/<vid>.emb.pkl`` gets, per frame, a ``(2, D)`` array [original, flipped]
of VIPE* embeddings and meta ``{'kp_score': mean keypoint score}``. ``--joints-out`` also writes
the "normalized 2D joints" features (``(2, 39)`` per frame) in the same format. ``--invert-vertical``
additionally embeds the upside-down pose and concatenates it (``(2, 2D)``, for diving-style data).
CKPT is a ``tools/train.py`` checkpoint of a ``configs/vipe/`` config (its config is read from the
checkpoint unless ``--config`` is given). Finished outputs are skipped (resumable).

Distributed (``python -m torch.distributed.run --nproc_per_node N tools/apply_vipe.py ... --launcher
pytorch``, or ``tools/slurm_extract.sh``): each rank embeds every N-th video of the sorted list (with
``--device cuda`` on its own GPU, ``cuda:LOCAL_RANK``); rank 0 prints the summary once all are done.
The files are the same as a one-process run's.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    from vpd_mm.utils.dist import add_launcher_args
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
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    add_launcher_args(parser)
    return parser.parse_args(argv)


def main(argv=None):
    """Run the tool; returns ``{vid: 'written' | 'skipped'}`` (of all ranks on rank 0, None elsewhere)."""
    args = parse_args(argv)
    from tqdm import tqdm

    from vpd_mm.pose.vipe_embeddings import apply_vipe, list_pose_dirs, load_vipe_model
    from vpd_mm.utils.dist import close, gather_results, init_launcher, rank_device, shard
    dirs = list_pose_dirs(args.pose_dir)
    rank, world_size = init_launcher(args.launcher)
    mine = shard(dirs)
    status = {}
    if mine:
        model = load_vipe_model(args.checkpoint, args.config, rank_device(args.device))
        for vid, pose_dir in tqdm(mine.items(), desc='apply_vipe', disable=args.no_progress or rank != 0):
            # a video's own pose directory: apply_vipe embeds just that video
            status.update(apply_vipe(pose_dir, model, args.out_dir, args.joints_out, args.invert_vertical,
                                     args.overwrite, progress=False))
    status = gather_results(status)
    close()
    if status is None:
        return None
    written = sum(v == 'written' for v in status.values())
    print(f'{written} written, {len(status) - written} skipped (already present) -> {args.out_dir}'
          + (f' ({world_size} processes)' if world_size > 1 else ''))
    return status


if __name__ == '__main__':
    main()

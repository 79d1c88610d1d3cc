"""Embed every frame of a crop store with a trained VPD student.

Usage::

    python tools/apply_vpd.py CONFIG CKPT CROP_ROOT -o OUT_DIR [--batch-size 256] [--device cpu|cuda]
                              [--num-workers 0] [--amp] [--videos V [V ...]] [--resume]
                              [--launcher none|pytorch|slurm]

CONFIG is the ``configs/vpd/`` config the checkpoint was trained with (its test pipeline gives the
input size and channels), CKPT a ``tools/train.py`` checkpoint (e.g. ``best_distill_objective_*.pth``),
CROP_ROOT a crop + flow store (``tools/extract_crops.py``). For each video ``OUT_DIR/<vid>.emb.pkl``
gets, per frame with a crop, a ``(2, D)`` array [original, horizontally mirrored input] and an empty
meta dict -- the teacher embedding files' format, ready for the downstream tools. Frames are
batched (each batch is embedded together with its mirror) and run on the GPU with
``--device cuda``. ``--resume`` skips videos whose output exists; otherwise outputs are rewritten.

Distributed (``python -m torch.distributed.run --nproc_per_node N tools/apply_vpd.py ... --launcher
pytorch``, or ``tools/slurm_extract.sh``): each rank embeds every N-th video of the sorted list (with
``--device cuda`` on its own GPU, ``cuda:LOCAL_RANK``); rank 0 prints the summary once all are done.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    from vpd_mm.utils.dist import add_launcher_args
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='configs/vpd/ config of the student')
    parser.add_argument('checkpoint', help='student checkpoint (.pth) from tools/train.py, or its work dir (best_*.pth, else the last checkpoint)')
    parser.add_argument('crop_root', help='crop + flow store root (<crop_root>/<vid>/meta.json)')
    parser.add_argument('-o', '--out-dir', required=True, help='output directory for <vid>.emb.pkl files')
    parser.add_argument('--batch-size', type=int, default=256, help='frames per forward pass (default 256)')
    parser.add_argument('--device', default='cpu', help='torch device, e.g. cpu or cuda:0 (default cpu)')
    parser.add_argument('--num-workers', type=int, default=0, help='data loader worker processes (default 0)')
    parser.add_argument('--amp', action='store_true', help='float16 autocast (CUDA only)')
    parser.add_argument('--videos', nargs='+', help='only these video ids (default: every finished video)')
    parser.add_argument('--resume', action='store_true', help='skip videos whose output file exists')
    parser.add_argument(
        '--decoded-pose',
        action='store_true',
        help='write the student\'s estimate of its teacher\'s features (motion decoder p_t) instead of the '
        'embedding, e.g. for tools/analysis/eval_joint_features.py')
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    add_launcher_args(parser)
    return parser.parse_args(argv)


def main(argv=None):
    """Run the tool; returns ``{vid: status}`` (of all ranks on rank 0, None elsewhere)."""
    args = parse_args(argv)
    from vpd_mm.apis.vpd_student import apply_vpd, load_vpd_model
    from vpd_mm.datasets.flow_augmented_crop_dataset import resolve_video_list
    from vpd_mm.utils.dist import close, gather_results, init_launcher, rank_device, shard

    videos = resolve_video_list(args.videos, args.crop_root)
    if not videos:
        raise SystemExit(f'error: {args.crop_root}: no finished crop videos (<vid>/meta.json)')
    rank, world_size = init_launcher(args.launcher)
    mine = shard(videos)
    status = {}
    if mine:
        model, cfg = load_vpd_model(args.config, args.checkpoint, rank_device(args.device))
        status = apply_vpd(
            model,
            cfg,
            args.crop_root,
            args.out_dir,
            videos=mine,
            batch_size=args.batch_size,
            num_workers=args.num_workers,
            resume=args.resume,
            amp=args.amp,
            progress=not args.no_progress and rank == 0,
            decode_pose=args.decoded_pose)
    status = gather_results(status)
    close()
    if status is None:
        return None
    counts = {s: sum(v == s for v in status.values()) for s in ('written', 'skipped', 'empty')}
    print(
        f'{counts["written"]} written, {counts["skipped"]} skipped (already present), '
        f'{counts["empty"]} empty '
        f'-> {args.out_dir}' + (f' ({world_size} processes)' if world_size > 1 else ''))
    return status


if __name__ == '__main__':
    main()

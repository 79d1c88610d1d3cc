"""Extract square athlete crops, optional previous-frame crops and quantised optical flow.

Usage::

    python tools/extract_crops.py VIDEOS POSE_ROOT -o CROP_ROOT [--crop-size 128]
        [--flow dis|tvl1|raft] [--dis-preset medium] [--raft-weights F] [--raft-model auto]
        [--device cpu] [--save-prev] [--format npy|png] [--workers N] [--resume]
        [--launcher none|pytorch|slurm]

VIDEOS is a video file, a directory of videos or a .txt list of paths; the video id (file name
without extension) selects ``POSE_ROOT/<vid>/boxes.json`` (tracked athlete, e.g. written by
tools/extract_poses.py or SynthSport's GT ``pose/``) and names the output ``CROP_ROOT/<vid>/``
(the ``<OUT>/crops`` directory of CONTRACT_VPD.md): ``rgb.npy``, ``flow.npy``, [``prev.npy``],
``frames.npy`` and ``meta.json`` (written last) -- or PNG per frame with ``--format png``.

Crops follow VPD: the box made square about its centre, padded by 10 % of its side (at least
25 px) per side, zero fill outside the frame, resized to S; the previous crop is the same box on
frame t - round(fps / 25). Flow (prev crop -> crop) has its median subtracted, is clipped to
+-20 px and stored as uint8 (``q * 41 / 255 - 20`` dequantises). RAFT needs ``--raft-weights``
(torchvision's raft_small / raft_large state dict); nothing is ever downloaded.

A video with bad input (corrupt or empty file, missing boxes.json, degenerate boxes, boxes beyond
the video's end) is skipped with ``CROP_ROOT/<vid>/skipped.json`` {"reason": ...} and a warning;
the batch goes on. With --resume, videos whose meta.json exists are not redone. Exit status
(``vpd_mm.utils.exit_status``): 0 when every video finished, 3 when some finished and the others were
skipped (the summary lists them with their reasons), 1 when none finished, 2 on a bad command line. At the end
``CROP_ROOT/index.json`` lists every video of VIDEOS: finished (rows, frames) or skipped (reason).

Distributed: ``python -m torch.distributed.run --nproc_per_node N tools/extract_crops.py ...
--launcher pytorch`` (or ``tools/slurm_extract.sh``) gives each rank every N-th video of the sorted
list; rank 0 writes ``index.json`` once all ranks are done. The stores are the same files as a
one-process run's (``meta.json`` differs only in its ``timings_s``); a killed job relaunched with
``--resume`` does not redo finished videos.
"""
import argparse
import logging
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    from vpd_mm.utils.dist import add_launcher_args
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('videos', help='video file, directory of videos, or .txt list of video paths')
    parser.add_argument(
        'pose_root', help='directory with one VPD pose directory (<vid>/boxes.json) per video')
    parser.add_argument(
        '-o', '--out', required=True, help='crop root: receives one <vid>/ directory per video')
    parser.add_argument('--crop-size', type=int, default=128, help='side of the square crops (default 128)')
    parser.add_argument('--pad-frac', type=float, default=0.1, help='padding per side, fraction of the side')
    parser.add_argument('--min-pad', type=float, default=25, help='minimum padding per side in pixels')
    parser.add_argument(
        '--flow', choices=['dis', 'tvl1', 'raft'], default='dis', help='flow backend (default dis)')
    parser.add_argument(
        '--dis-preset',
        choices=['ultrafast', 'fast', 'medium'],
        default='medium',
        help='DIS preset (default medium; see benchmarks/crop_store.py --compare-flow)')
    parser.add_argument('--raft-weights', help='torchvision RAFT state dict file (required with --flow raft)')
    parser.add_argument(
        '--raft-model',
        choices=['auto', 'small', 'large'],
        default='auto',
        help='RAFT architecture of the weights file (default: detect)')
    parser.add_argument('--device', default='cpu', help='torch device for RAFT (e.g. cuda)')
    parser.add_argument('--save-prev', action='store_true', help='also store the previous-frame crop')
    parser.add_argument(
        '--format',
        choices=['npy', 'png'],
        default='npy',
        help='store layout: packed per-video arrays (default) or the paper\'s PNG per frame')
    parser.add_argument('--workers', type=int, default=1, help='processes over videos (default 1)')
    parser.add_argument('--resume', action='store_true', help='skip videos whose meta.json already exists')
    parser.add_argument('--no-progress', action='store_true', help='hide progress bars')
    add_launcher_args(parser)
    args = parser.parse_args(argv)
    if args.flow == 'raft' and not args.raft_weights:
        parser.error('--flow raft needs --raft-weights FILE (weights are never downloaded)')
    return args


def flow_config(args) -> dict:
    """Flow backend config from the command line."""
    if args.flow == 'dis':
        return dict(type='DISFlow', preset=args.dis_preset)
    if args.flow == 'tvl1':
        return dict(type='TVL1Flow')
    return dict(type='RAFTFlow', weights=args.raft_weights, model=args.raft_model, device=args.device)


def main(argv=None) -> int:
    """Run the tool; returns its exit status (:mod:`vpd_mm.utils.exit_status`; 0 on ranks other than 0)."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
    from vpd_mm.crops import CropConfig, extract_crops, find_videos, write_crop_index
    from vpd_mm.utils.dist import close, gather_results, init_launcher, shard
    from vpd_mm.utils.exit_status import batch_exit_status
    cfg = CropConfig(
        crop_size=args.crop_size,
        pad_frac=args.pad_frac,
        min_pad=args.min_pad,
        flow=flow_config(args),
        save_prev=args.save_prev,
        fmt=args.format)
    videos = find_videos(args.videos)
    rank, world_size = init_launcher(args.launcher)
    mine = shard(videos)
    results = extract_crops(
        mine,
        args.pose_root,
        args.out,
        cfg,
        workers=args.workers,
        resume=args.resume,
        progress=not args.no_progress and rank == 0) if mine else {}
    results = gather_results(results)  # every rank finished its share
    if results is None:
        close()
        return 0
    write_crop_index(args.out, videos)
    close()
    done = [r for r in results.values() if r['status'] == 'done']
    frames = sum(r['frames'] for r in done)
    seconds = sum(r['seconds'] for r in done)
    counts = {s: sum(r['status'] == s for r in results.values()) for s in ('done', 'resumed', 'skipped')}
    rate = frames / seconds if seconds else 0.0
    print(f'{counts["done"]} done ({frames} frames, {rate:.1f} frames/s per process'
          f'{f", {world_size} processes" if world_size > 1 else ""}), '
          f'{counts["resumed"]} already finished, {counts["skipped"]} skipped -> {args.out}')
    for vid, r in results.items():
        if r['status'] == 'skipped':
            print(f'  skipped {vid}: {r["reason"]}')
    return batch_exit_status(counts['done'] + counts['resumed'], counts['skipped'], world_size=world_size)


if __name__ == '__main__':
    sys.exit(main())

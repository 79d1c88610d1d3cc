"""Poses, per-frame features and DTW search for video clips (vpd_mm.apis.VPDInferencer).

Usage::

    python tools/infer.py VIDEO [VIDEO ...] [--teacher configs/teachers/blazepose-full_coco17.py]
        [--features joints|vipe|student] [--student-config CFG] [--student-checkpoint CKPT_OR_WORK_DIR]
        [--device cpu] [--batch-size 64] [--cache-dir DIR | --no-cache] [--vis-out DIR]
        [--search K] [-o OUT.json]

Embeds every video (the teacher finds, tracks and poses the athlete; the features are the student's,
the teacher's normalized 2D joints or its VIPE* embeddings), prints per video the frames with an
athlete and the feature shape, and with ``--search K`` the K nearest other videos of the first one by
DTW. ``--vis-out`` writes ``<vid>.mp4`` overlays (box + skeleton); ``-o`` a JSON summary. Results are
cached by the video's content and the models (``--cache-dir``, default ``~/.cache/vpd_mm/infer``), so a
second call is immediate.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    from vpd_mm.apis.inferencer import DEFAULT_CACHE, DEFAULT_TEACHER, FEATURE_KINDS
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('videos', nargs='+', help='video files')
    parser.add_argument('--teacher', default=DEFAULT_TEACHER, help='pose-teacher config (configs/teachers/)')
    parser.add_argument(
        '--features',
        choices=FEATURE_KINDS,
        help="default: 'student' with --student-checkpoint, else 'joints'")
    parser.add_argument('--student-config', help='VPD config of the student')
    parser.add_argument('--student-checkpoint', help='student checkpoint or its tools/train.py work dir')
    parser.add_argument('--vipe-checkpoint', default=None, help='VIPE* checkpoint for --features vipe')
    parser.add_argument('--device', default='cpu', help='cpu, cuda or cuda:N')
    parser.add_argument('--batch-size', type=int, default=64, help='student frames per forward pass')
    parser.add_argument('--cache-dir', default=DEFAULT_CACHE, help='result cache (default %(default)s)')
    parser.add_argument('--no-cache', action='store_true', help='compute everything, keep nothing')
    parser.add_argument('--vis-out', help='write <vid>.mp4 overlay videos (box + skeleton) here')
    parser.add_argument('--search', type=int, metavar='K', help='print the K nearest videos of the first one')
    parser.add_argument('-o', '--out', help='JSON summary file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.apis import VPDInferencer
    from vpd_mm.utils.fileio import atomic_write_json
    kwargs = dict(
        teacher=args.teacher,
        features=args.features,
        student_config=args.student_config,
        student_checkpoint=args.student_checkpoint,
        device=args.device,
        batch_size=args.batch_size,
        cache_dir=None if args.no_cache else args.cache_dir)
    if args.vipe_checkpoint:
        kwargs['vipe_checkpoint'] = args.vipe_checkpoint
    inferencer = VPDInferencer(**kwargs)
    results = inferencer(args.videos, vis_out=args.vis_out)
    summary = dict(features=inferencer.features, teacher=inferencer.teacher_config, clips=[])
    for r in results:
        line = (f"{r['video']}: athlete in {len(r['frames'])} of {r['num_frames']} frames, "
                f"{r['feature_kind']} features {tuple(r['features'].shape)}" +
                (' (cached)' if r['cached'] else ''))
        print(line)
        summary['clips'].append(
            dict(
                video=r['video'],
                key=r['key'],
                cached=r['cached'],
                fps=r['fps'],
                num_frames=r['num_frames'],
                tracked_frames=len(r['frames']),
                feature_shape=list(r['features'].shape),
                cache_dir=r['cache_dir']))
    if args.search:
        if len(results) < 2:
            raise SystemExit('--search needs at least two videos (the first is the query)')
        hits = inferencer.search(results[0], results[1:], k=args.search)
        print(f"nearest to {results[0]['video']} (DTW):")
        for rank, hit in enumerate(hits, 1):
            print(f"  {rank}. {hit['video']}  {hit['distance']:.4f}")
        summary['search'] = dict(query=results[0]['video'], hits=hits)
    if args.vis_out:
        print(f'overlays: {args.vis_out}')
    if args.out:
        atomic_write_json(args.out, summary, indent=1)
        print(f'written: {args.out}')


if __name__ == '__main__':
    main()

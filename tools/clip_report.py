"""Show what the teacher (and students) extracted from unlabelled clips: skeleton overlays, the teacher's
confidence over time, per-clip figures (a ``clips`` section for tools/report.py).

Usage::

    python tools/clip_report.py VIDEOS POSE_ROOT -o OUT_DIR [--features NAME=DIR ...] [--overlays 4]

VIDEOS is a folder of videos, a video or a list file (as for tools/extract_poses.py); POSE_ROOT the
teacher's ``pose/`` folder. Writes ``OUT_DIR/clips.json`` and ``OUT_DIR/clips.png``; then
``python tools/report.py OUT_DIR -o REPORT`` makes the HTML page.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('videos', help='folder of videos, a video, or a text file listing videos')
    p.add_argument('pose_root', help="the teacher's pose/ folder (tools/extract_poses.py -o OUT: OUT/pose)")
    p.add_argument('-o', '--out', required=True, help='output folder')
    p.add_argument('--features', nargs='+', default=[], metavar='NAME=DIR',
                   help='feature folders whose per-clip frame counts are shown')
    p.add_argument('--overlays', type=int, default=4, help='overlay frames per clip')
    args = p.parse_args(argv)
    for spec in args.features:
        if '=' not in spec:
            p.error(f'--features takes NAME=DIR, got {spec!r}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    from vpd_mm.downstream.clips import clips_markdown, clips_report
    from vpd_mm.teachers import list_videos
    result = clips_report(list_videos(args.videos), args.pose_root, args.out,
                          dict(spec.split('=', 1) for spec in args.features), args.overlays)
    print(clips_markdown(result))
    print(f"written: {osp.join(args.out, 'clips.json')}, {result['plot']}")
    return 0


if __name__ == '__main__':
    sys.exit(main())

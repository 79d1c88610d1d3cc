#!/usr/bin/env python
"""Generate the SynthSport benchmark (videos, GT, annotations, generic pose data, 3D corpus).

Examples::

    python tools/make_synthsport.py --size mini -o data/synthsport_mini
    python tools/make_synthsport.py --size standard -o data/synthsport --workers 2
    python tools/make_synthsport.py --size custom --videos 4 --elements-per-video 3 \\
        --generic-images 100 --corpus 10 -o /tmp/ss

Re-running the same command resumes: finished videos and image chunks are skipped. The same
``--seed`` and size give byte-identical files. The layout is described in docs/data_formats.md.
"""
import argparse
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('-o', '--out', required=True, help='output root directory')
    p.add_argument('--size', default='mini', choices=['mini', 'standard', 'custom'],
                   help='preset (mini: tests/demo, standard: the benchmark); custom starts from mini and '
                   'takes the flags below')
    p.add_argument('--seed', type=int, default=0, help='random seed (same seed -> same bytes)')
    p.add_argument('--videos', type=int, help='number of routine videos')
    p.add_argument('--elements-per-video', type=int, help='elements per routine')
    p.add_argument('--generic-images', type=int, help='generic everyday-pose images for teacher training')
    p.add_argument('--corpus', type=int, help='3D pose corpus sequences')
    p.add_argument('--width', type=int, help='frame width (default 320)')
    p.add_argument('--height', type=int, help='frame height (default 240)')
    p.add_argument('--fps', type=int, help='frame rate (default 25)')
    p.add_argument('--workers', type=int, default=2, help='worker processes (default 2)')
    p.add_argument('--no-progress', action='store_true', help='no progress bar')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from vpd_mm.synthsport import generate_dataset, make_config
    overrides = dict(videos=args.videos, elements_per_video=args.elements_per_video,
                     generic_images=args.generic_images, corpus=args.corpus, width=args.width, height=args.height,
                     fps=args.fps)
    if args.size != 'custom' and any(v is not None for v in overrides.values()):
        print(f'error: --size {args.size} is a preset; use --size custom to change '
              + ', '.join(k for k, v in overrides.items() if v is not None), file=sys.stderr)
        return 2
    try:
        cfg = make_config(args.size, args.seed, **overrides)
        t0 = time.time()
        meta = generate_dataset(args.out, cfg, workers=args.workers, progress=not args.no_progress)
    except ValueError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(f"SynthSport {meta['size']} -> {args.out}: {meta['num_videos']} videos, {meta['num_elements']} elements, "
          f"{len(meta['classes'])} classes, generic images {meta['generic_images']}, "
          f"3D sequences {meta['corpus_sequences']} in {time.time() - t0:.1f} s")
    return 0


if __name__ == '__main__':
    sys.exit(main())

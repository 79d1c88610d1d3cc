#!/usr/bin/env python
"""SynthSport rendering speed: CPU ms per video frame and per generic image (one process).

    python benchmarks/synthsport_speed.py [--elements 3] [--images 20]
"""
import argparse
import tempfile
import time


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--elements', type=int, default=3, help='elements in the benchmark routine')
    p.add_argument('--images', type=int, default=20, help='generic images to render')
    args = p.parse_args()
    from vpd_mm.synthsport.generate import generate_video, generic_image, make_config
    from vpd_mm.utils.fileio import load_json
    cfg = make_config('custom', 0, videos=1, elements_per_video=args.elements, generic_images=args.images)
    with tempfile.TemporaryDirectory() as root:
        t0 = time.process_time()
        generate_video(root, cfg, 0, list(range(args.elements)))
        dt = time.process_time() - t0
        n = load_json(f'{root}/pose/v0000/meta.json')['num_frames']
    print(f'video: {n} frames {cfg.width}x{cfg.height} in {dt:.2f} s CPU = {1000 * dt / n:.1f} ms/frame')
    t0 = time.process_time()
    for i in range(args.images):
        generic_image(cfg, i)
    dt = time.process_time() - t0
    print(f'generic images: {args.images} in {dt:.2f} s CPU = {1000 * dt / max(args.images, 1):.1f} ms/image')


if __name__ == '__main__':
    main()

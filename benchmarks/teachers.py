#!/usr/bin/env python
"""Pose-teacher speed on real clips: frames per second of each teacher, whole (person finder + tracking +
athlete selection + pose + writing the pose files) and its person finder alone, side by side.

    OMP_NUM_THREADS=1 python benchmarks/teachers.py [--clips ../shared/data/real_videos/clean_and_jerk.mp4
        ../shared/data/real_videos/ntu_S001C001P001R001A001_rgb.avi] [--frames 100]
        [--teachers configs/teachers/blazepose-full_coco17.py configs/teachers/rtmdet-nano_rtmpose-t_synthsport.py]

Default clips: a 340x256 one (the issue's target: BlazePose >= 25 frames/s in video mode on 2 cores)
and a 1920x1080 one. Each teacher runs in this one process with one thread per library call as
configured (OMP_NUM_THREADS); the ratio column is each teacher's whole-teacher rate over the first
teacher's. Frames are decoded before timing the finder alone; the whole-teacher figure includes
decoding, like tools/extract_poses.py.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
import time

import cv2

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
REAL = osp.join(osp.dirname(REPO), 'shared', 'data', 'real_videos')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--clips', nargs='+', default=[osp.join(REAL, 'clean_and_jerk.mp4'),
                                                  osp.join(REAL, 'ntu_S001C001P001R001A001_rgb.avi')])
    p.add_argument('--frames', type=int, default=100, help='first frames of each clip timed')
    p.add_argument('--teachers', nargs='+', default=['configs/teachers/blazepose-full_coco17.py',
                                                     'configs/teachers/rtmdet-nano_rtmpose-t_synthsport.py'])
    p.add_argument('--device', default='cpu')
    return p.parse_args()


def _cut(src: str, frames: int, out_dir: str):
    cap = cv2.VideoCapture(src)
    imgs = []
    while len(imgs) < frames:
        ok, img = cap.read()
        if not ok:
            break
        imgs.append(img)
    cap.release()
    if not imgs:
        raise SystemExit(f'{src}: no decodable frame')
    path = osp.join(out_dir, osp.splitext(osp.basename(src))[0] + '.avi')
    h, w = imgs[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 25, (w, h))
    for img in imgs:
        writer.write(img)
    writer.release()
    return path, imgs


def main():
    args = parse_args()
    from vpd_mm.teachers import build_pose_teacher
    from vpd_mm.teachers.extract import SkipVideo
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        clips = [_cut(c, args.frames, tmp) for c in args.clips]
        for config in args.teachers:
            teacher = build_pose_teacher(config, args.device)
            name = osp.splitext(osp.basename(config))[0]
            for path, imgs in clips:
                size = f'{imgs[0].shape[1]}x{imgs[0].shape[0]}'
                if hasattr(teacher.person_finder, 'reset'):
                    teacher.person_finder.reset()
                teacher.person_finder(imgs[:2])  # warm-up
                if hasattr(teacher.person_finder, 'reset'):
                    teacher.person_finder.reset()
                t = time.perf_counter()
                dets = teacher.person_finder(imgs)
                finder_fps = len(imgs) / (time.perf_counter() - t)
                found = sum(len(d) > 0 for d in dets) / len(imgs)
                t = time.perf_counter()
                try:
                    meta = teacher.extract_video('clip', path, osp.join(tmp, name))
                    athlete = meta['athlete_frames'] / meta['num_frames']
                except SkipVideo as e:
                    athlete = 0.0
                    print(f'{name} on {osp.basename(path)}: skipped ({e})')
                whole_fps = len(imgs) / (time.perf_counter() - t)
                rows.append((name, osp.basename(path), size, finder_fps, whole_fps, found, athlete))
    base = {(r[1]): r[4] for r in rows if r[0] == rows[0][0]}
    print(f'\nFrames per second, first {args.frames} frames, OMP_NUM_THREADS='
          f'{os.environ.get("OMP_NUM_THREADS", "unset")}, {os.cpu_count()} cores')
    print('| teacher | clip | size | finder alone fps | whole teacher fps | vs first teacher | frames with a person '
          '| athlete frames |')
    print('|---|---|---|---|---|---|---|---|')
    for name, clip, size, ffps, wfps, found, athlete in rows:
        print(f'| {name} | {clip} | {size} | {ffps:.1f} | {wfps:.1f} | {wfps / base[clip]:.2f}x | {100 * found:.0f} % | '
              f'{100 * athlete:.0f} % |')


if __name__ == '__main__':
    main()

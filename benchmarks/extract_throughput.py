#!/usr/bin/env python
"""Teacher extraction throughput, stage by stage: decode, detection, tracking, pose, crop + flow.

    OMP_NUM_THREADS=1 python benchmarks/extract_throughput.py [--videos data/synthsport_mini/videos]
        [--frames 300] [--device cpu] [--batch-size 32] [--det-batch-size 8] [--flow dis]
        [--det-config C --det-checkpoint F --pose-config C --pose-checkpoint F]

Takes the first ``--frames`` frames of the videos (in order) and times each stage separately in
one process, printing frames per second (wall clock). Models default to the project's teachers
(configs/teachers + checkpoints/teachers); when the checkpoints are absent, randomly initialised
weights of the same configs are used (same cost, meaningless output; the tracking and pose stages
then run on SynthSport's GT athlete boxes since a random detector finds no one). Pose is timed on
every detected person (what tools/extract_poses.py does) and reported per frame and per box,
batched and with batch size 1. Crop + flow uses vpd_mm.crops (square 128 px crops of frame t and
t-1, OpenCV DIS flow, 8-bit quantisation).
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
import time

import numpy as np

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--videos', default=osp.join(REPO, 'data', 'synthsport_mini', 'videos'))
    p.add_argument('--frames', type=int, default=300, help='frames to time (from the first videos)')
    p.add_argument(
        '--det-config', default=osp.join(REPO, 'configs/teachers/rtmdet-nano_synthsport-generic.py'))
    p.add_argument(
        '--det-checkpoint', default=osp.join(REPO, 'checkpoints/teachers/rtmdet-nano_synthsport-generic.pth'))
    p.add_argument(
        '--pose-config', default=osp.join(REPO, 'configs/teachers/rtmpose-t_synthsport-generic.py'))
    p.add_argument(
        '--pose-checkpoint', default=osp.join(REPO, 'checkpoints/teachers/rtmpose-t_synthsport-generic.pth'))
    p.add_argument(
        '--pose-cfg-options',
        nargs='*',
        default=[],
        help='k=v overrides (e.g. model.test_cfg.flip_test=False)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--batch-size', type=int, default=32, help='boxes per pose forward pass')
    p.add_argument('--det-batch-size', type=int, default=8, help='frames per detector forward pass')
    p.add_argument('--det-score-thr', type=float, default=0.1, help='detections kept (for tracking)')
    p.add_argument('--pose-score-thr', type=float, default=0.3, help='detections that get a pose')
    p.add_argument('--flow', default='dis', help='flow backend of vpd_mm.crops (dis, tvl1, raft)')
    return p.parse_args()


def _rate(n, dt):
    return n / dt if dt > 0 else float('inf')


def main():
    args = parse_args()
    import torch

    from vpd_mm.teachers import BatchedDetector, BatchedPoseEstimator, iter_frames, list_videos
    from vpd_mm.teachers.random_init import random_teachers
    from vpd_mm.tracking import ATHLETE_SELECTORS, TRACKERS, xywh_to_xyxy, xyxy_to_xywh
    from vpd_mm.utils.vpd_files import load_boxes

    pose_opts = {}
    for kv in args.pose_cfg_options:
        k, v = kv.split('=', 1)
        pose_opts[k] = {'True': True, 'False': False}.get(v, v)
    notes = []
    det_cfg, det_ckpt = args.det_config, args.det_checkpoint
    pose_cfg, pose_ckpt = args.pose_config, args.pose_checkpoint
    tmp = tempfile.mkdtemp(prefix='vpd_bench_')
    random_det = not osp.isfile(det_ckpt)
    random_pose = not osp.isfile(pose_ckpt)
    if random_det or random_pose:
        rnd = random_teachers(tmp, det_cfg, pose_cfg)
        if random_det:
            det_cfg, det_ckpt = rnd['det_config'], rnd['det_checkpoint']
            notes.append(f'detector: RANDOM weights ({args.det_checkpoint} not found)')
        if random_pose:
            pose_cfg, pose_ckpt = rnd['pose_config'], rnd['pose_checkpoint']
            notes.append(f'pose: RANDOM weights ({args.pose_checkpoint} not found)')

    # ------------------------------------------------------------------ decode
    videos = list_videos(args.videos)
    frames, owners = [], []
    t0 = time.perf_counter()
    for vid, path in videos:
        for i, img in iter_frames(path):
            frames.append(img)
            owners.append((vid, i))
            if len(frames) >= args.frames:
                break
        if len(frames) >= args.frames:
            break
    t_decode = time.perf_counter() - t0
    n = len(frames)
    h, w = frames[0].shape[:2]
    rows = [('decode (OpenCV)', _rate(n, t_decode), f'{w}x{h}')]

    # --------------------------------------------------------------- detection
    det = BatchedDetector(det_cfg, det_ckpt, args.device, args.det_score_thr, batch_size=args.det_batch_size)
    det(frames[:args.det_batch_size])  # warm-up
    t0 = time.perf_counter()
    dets = det(frames)
    t_det = time.perf_counter() - t0
    per_frame = np.mean([len(d) for d in dets])
    rows.append((f'detection (batch {args.det_batch_size})', _rate(n,
                                                                   t_det), f'{per_frame:.2f} people/frame'))
    sub = frames[:min(16, n)]
    det.batch_size = 1
    t0 = time.perf_counter()
    det(sub)
    rows.append(('detection (batch 1)', _rate(len(sub), time.perf_counter() - t0), f'{len(sub)} frames'))

    # GT athlete boxes stand in for detections when the detector finds nobody (random weights)
    if per_frame == 0:
        gt_root = osp.join(osp.dirname(osp.abspath(args.videos)), 'pose')
        cache = {}
        dets = []
        for vid, i in owners:
            if vid not in cache:
                p = osp.join(gt_root, vid, 'boxes.json')
                cache[vid] = load_boxes(p) if osp.isfile(p) else {}
            b = cache[vid].get(i)
            dets.append(np.r_[xywh_to_xyxy(b),
                              0.9][None].astype(np.float32) if b is not None else np.zeros((0, 5)))
        notes.append('tracking/pose/crops ran on GT athlete boxes (the detector found nobody)')

    # ---------------------------------------------------------------- tracking
    by_video = {}
    for (vid, i), d in zip(owners, dets):
        by_video.setdefault(vid, []).append((i, d))
    tracker = TRACKERS.build(dict(type='SortTracker'))
    selector = ATHLETE_SELECTORS.build(dict(type='HeuristicAthleteSelector'))
    t0 = time.perf_counter()
    athletes = {}
    for vid, seq in by_video.items():
        athletes[vid] = selector(tracker(seq), (w, h))
    t_track = time.perf_counter() - t0
    rows.append(('tracking + athlete selection', _rate(n, t_track), f'{len(by_video)} videos'))

    # -------------------------------------------------------------------- pose
    pose = BatchedPoseEstimator(pose_cfg, pose_ckpt, args.device, args.batch_size, pose_opts)
    confident = [d[d[:, 4] >= args.pose_score_thr] for d in dets]
    imgs = [f for f, d in zip(frames, confident) for _ in range(len(d))]
    boxes = np.concatenate([d[:, :4] for d in confident] + [np.zeros((0, 4))])
    if len(boxes):
        pose(imgs[:4], boxes[:4])  # warm-up
        t0 = time.perf_counter()
        pose(imgs, boxes)
        t_pose = time.perf_counter() - t0
        rows.append((f'pose, people >= {args.pose_score_thr} (batch {args.batch_size})', _rate(n, t_pose),
                     f'{len(boxes)} boxes, {_rate(len(boxes), t_pose):.1f} boxes/s'))
        k = min(16, len(boxes))
        pose.batch_size = 1
        t0 = time.perf_counter()
        pose(imgs[:k], boxes[:k])
        dt = time.perf_counter() - t0
        rows.append(('pose (batch 1)', float('nan'), f'{_rate(k, dt):.1f} boxes/s'))
    flip = pose.model.cfg.model.get('test_cfg', {}).get('flip_test', False)
    notes.append(f'pose flip_test={flip}')

    # ------------------------------------------------------------- crop + flow
    try:
        from vpd_mm.crops import build_flow_backend, crop_square, quantize_flow
    except ImportError as e:  # the crops package belongs to another component
        rows.append(('crop + flow', float('nan'), f'vpd_mm.crops not importable ({e})'))
    else:
        flow = build_flow_backend(args.flow)
        athlete_box = {}
        for vid, a in athletes.items():
            for f, b in zip(a.frames, a.boxes):
                athlete_box[(vid, int(f))] = xyxy_to_xywh(b)
        pairs = [(k, idx) for idx, k in enumerate(owners)
                 if k in athlete_box and idx > 0 and owners[idx - 1][0] == k[0]]
        t0 = time.perf_counter()
        for (vid, f), idx in pairs:
            box = athlete_box[(vid, f)]
            cur = crop_square(frames[idx][..., ::-1], box, 128)
            prev = crop_square(frames[idx - 1][..., ::-1], box, 128)
            quantize_flow(flow(np.ascontiguousarray(prev), np.ascontiguousarray(cur)))
        t_crop = time.perf_counter() - t0
        rows.append(
            (f'crop 128 + prev crop + {args.flow} flow + quantise', _rate(len(pairs),
                                                                          t_crop), f'{len(pairs)} frames'))

    print(f'\nTeacher extraction throughput: {n} frames of {args.videos}, device {args.device}, '
          f'torch threads {torch.get_num_threads()}, OMP_NUM_THREADS={os.environ.get("OMP_NUM_THREADS")}')
    print(f'detector {osp.relpath(det_cfg, REPO) if det_cfg.startswith(REPO) else det_cfg}; '
          f'pose {osp.relpath(pose_cfg, REPO) if pose_cfg.startswith(REPO) else pose_cfg}')
    print('\n| stage | frames/s | ms/frame | notes |\n|---|---|---|---|')
    for name, fps, note in rows:
        ms = f'{1000 / fps:.1f}' if np.isfinite(fps) and fps > 0 else '-'
        fps_s = f'{fps:.1f}' if np.isfinite(fps) else '-'
        print(f'| {name} | {fps_s} | {ms} | {note} |')
    for note in notes:
        print(f'note: {note}')


if __name__ == '__main__':
    main()

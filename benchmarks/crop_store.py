"""Crop + flow store benchmark on SynthSport mini: packed npy vs the paper's PNG per frame.

For each layout: extraction (DIS flow) of the mini videos with the GT boxes, printing write time
(store writes alone, and the whole extraction), disk size (apparent bytes and allocated blocks,
file count) and random-access read throughput (frames/s, RGB uint8 + dequantised float32 flow) in
one process and through a torch DataLoader with 2 workers. Reads run on a warm page cache (the
files were just written); the machine is shared, so compare figures of one run with each other.

With ``--compare-flow`` it also prints the speed and accuracy of the flow backends on 128x128
crops: end-point error against a known synthetic flow (real crops warped by a smooth field plus a
local "athlete" motion) and the photometric error of real consecutive crop pairs warped by the
estimated flow.

Usage::

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/crop_store.py [--mini data/synthsport_mini]
        [--videos 12] [--work-dir /tmp/vpd_crop_store_bench] [--read-samples 3000] [--compare-flow]
"""
import argparse
import os
import os.path as osp
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--mini', default='data/synthsport_mini', help='SynthSport root with videos/ and pose/')
    p.add_argument('--videos', type=int, default=12, help='number of videos to use (default all 12)')
    p.add_argument(
        '--work-dir', default='/tmp/vpd_crop_store_bench', help='scratch directory (removed after)')
    p.add_argument('--crop-size', type=int, default=128)
    p.add_argument('--dis-preset', default='medium')
    p.add_argument('--formats', nargs='+', default=['npy', 'png'])
    p.add_argument('--read-samples', type=int, default=3000, help='random frames read per measurement')
    p.add_argument('--batch-size', type=int, default=64, help='DataLoader batch size')
    p.add_argument('--loader-workers', type=int, default=2)
    p.add_argument('--compare-flow', action='store_true', help='also compare flow backends / DIS presets')
    p.add_argument('--flow-pairs', type=int, default=100, help='crop pairs for --compare-flow')
    p.add_argument('--skip-store', action='store_true', help='only --compare-flow')
    p.add_argument('--keep', action='store_true', help='keep the work dir')
    return p.parse_args(argv)


def disk_usage(root: str):
    """(apparent bytes, allocated bytes, files) under root."""
    apparent = allocated = files = 0
    for dirpath, _, names in os.walk(root):
        for n in names:
            st = os.stat(osp.join(dirpath, n))
            apparent += st.st_size
            allocated += st.st_blocks * 512
            files += 1
    return apparent, allocated, files


class StoreDataset:
    """Minimal torch-style dataset over (store, frame) pairs returning the 5-channel student input."""

    def __init__(self, stores, index):
        self.stores, self.index = stores, index

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        import torch
        vid, frame = self.index[i]
        s = self.stores[vid]
        return torch.from_numpy(s.rgb(frame)), torch.from_numpy(s.flow(frame))


def bench_store(args, fmt, videos, pose_root):
    from vpd_mm.crops import CropConfig, extract_crops, open_crop_stores
    root = osp.join(args.work_dir, fmt)
    shutil.rmtree(root, ignore_errors=True)
    cfg = CropConfig(crop_size=args.crop_size, flow=dict(type='DISFlow', preset=args.dis_preset), fmt=fmt)
    t0 = time.perf_counter()
    res = extract_crops(videos, pose_root, root, cfg, workers=1, progress=False)
    total = time.perf_counter() - t0
    stores = open_crop_stores(root)
    frames = sum(len(s) for s in stores.values())
    timings = {}
    for s in stores.values():
        for k, v in s.meta['timings_s'].items():
            timings[k] = timings.get(k, 0) + v
    apparent, allocated, files = disk_usage(root)
    bad = {v: r for v, r in res.items() if r['status'] != 'done'}
    assert not bad, bad
    print(f'\n[{fmt}] {len(stores)} videos, {frames} frames')
    print(f'  extraction: {total:.1f} s = {frames / total:.1f} frames/s  (stage seconds: ' +
          ', '.join(f'{k} {v:.1f}' for k, v in sorted(timings.items())) + ')')
    print(f'  store write: {timings["write"]:.2f} s = {frames / timings["write"]:.0f} frames/s '
          f'({1e3 * timings["write"] / frames:.3f} ms/frame)')
    print(
        f'  disk: {apparent / 2**20:.1f} MiB apparent, {allocated / 2**20:.1f} MiB allocated, {files} files, '
        f'{apparent / frames / 1024:.1f} KiB/frame')

    rng = np.random.default_rng(0)
    index = [(v, int(f)) for v, s in stores.items() for f in s.frames]
    picks = [index[i] for i in rng.integers(0, len(index), args.read_samples)]
    for v, f in picks[:200]:  # warm-up (opens maps)
        stores[v].get(f)
    t0 = time.perf_counter()
    for v, f in picks:
        out = stores[v].get(f)
    single = args.read_samples / (time.perf_counter() - t0)
    assert out['rgb'].shape == (args.crop_size, args.crop_size, 3) and out['flow'].dtype == np.float32
    print(f'  random read, 1 process: {single:.0f} frames/s (rgb uint8 + dequantised flow)')

    import torch
    from torch.utils.data import DataLoader
    ds = StoreDataset(stores, picks)
    loader = DataLoader(
        ds,
        batch_size=args.batch_size,
        shuffle=True,
        num_workers=args.loader_workers,
        persistent_workers=True)
    it = iter(loader)
    next(it)  # start-up of the workers is not counted
    n, t0 = 0, time.perf_counter()
    for rgb, flow in it:
        n += len(rgb)
    loader_rate = n / (time.perf_counter() - t0)
    for _ in loader:  # second epoch: workers already warm
        pass
    print(
        f'  DataLoader ({args.loader_workers} workers, batch {args.batch_size}): {loader_rate:.0f} frames/s')
    del torch
    return dict(
        fmt=fmt,
        frames=frames,
        total=total,
        write=timings['write'],
        apparent=apparent,
        allocated=allocated,
        files=files,
        read1=single,
        read_loader=loader_rate)


def compare_flow(args, videos, pose_root):
    """Speed / accuracy of flow backends on real 128x128 crops."""
    import cv2
    from vpd_mm.crops import CropConfig, build_flow_backend, extract_crops, open_crop_stores
    root = osp.join(args.work_dir, 'flowpairs')
    shutil.rmtree(root, ignore_errors=True)
    vids = dict(list(videos.items())[:3])
    cfg = CropConfig(crop_size=args.crop_size, flow=dict(type='DISFlow', preset='ultrafast'), save_prev=True)
    extract_crops(vids, pose_root, root, cfg, progress=False)
    stores = open_crop_stores(root)
    rng = np.random.default_rng(1)
    pairs = []
    for v, s in stores.items():
        for f in rng.choice(s.frames[1:], args.flow_pairs // len(stores) + 1, replace=False):
            pairs.append((s.prev(int(f)), s.rgb(int(f))))
    pairs = pairs[:args.flow_pairs]
    size = args.crop_size
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)

    def synthetic_field(k):
        r = np.random.default_rng(100 + k)
        g = np.zeros((size, size, 2), np.float32)
        for c in range(2):  # smooth global field, |g| ~ 1-2 px
            low = r.normal(0, 1.5, (3, 3)).astype(np.float32)
            g[..., c] = cv2.resize(low, (size, size), interpolation=cv2.INTER_CUBIC)
        cx, cy = r.uniform(0.35, 0.65, 2) * size  # local "athlete" motion up to ~8 px
        blob = np.exp(-((xx - cx)**2 + (yy - cy)**2) / (2 * (0.15 * size)**2))
        g += blob[..., None] * r.uniform(-8, 8, 2).astype(np.float32)
        return g

    backends = [('DIS ultrafast', dict(type='DISFlow', preset='ultrafast')),
                ('DIS fast', dict(type='DISFlow', preset='fast')),
                ('DIS medium', dict(type='DISFlow', preset='medium')), ('TV-L1', dict(type='TVL1Flow'))]
    print(f'\nflow backends on {len(pairs)} real {size}x{size} crop pairs of SynthSport mini')
    print('  backend         ms/pair   EPE synthetic (px)   photometric |I1 - warp(I2)| real   (zero flow)')
    zero_photo = np.mean([np.abs(p.astype(np.float32) - c.astype(np.float32)).mean() for p, c in pairs])
    for name, bcfg in backends:
        b = build_flow_backend(bcfg)
        n = len(pairs) if 'TV' not in name else min(len(pairs), 20)
        b(*pairs[0])
        t0 = time.perf_counter()
        flows = [b(p, c) for p, c in pairs[:n]]
        ms = 1e3 * (time.perf_counter() - t0) / n
        photo = []
        for (p, c), f in zip(pairs[:n], flows):
            warped = cv2.remap(
                c, xx + f[..., 0], yy + f[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            photo.append(np.abs(p.astype(np.float32) - warped.astype(np.float32))[8:-8, 8:-8].mean())
        epe = []
        for k, (p, _) in enumerate(pairs[:n]):
            g = synthetic_field(k)
            cur = cv2.remap(
                p, xx - g[..., 0], yy - g[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            f = b(cur, p)  # cur(y) = prev(y - g(y)) => flow cur -> prev is exactly -g
            epe.append(np.linalg.norm(f + g, axis=-1)[8:-8, 8:-8].mean())
        print(f'  {name:14s} {ms:8.2f}   {np.mean(epe):10.3f}           {np.mean(photo):10.2f}'
              f'                  ({zero_photo:.2f})')


def main(argv=None):
    args = parse_args(argv)
    import cv2
    cv2.setNumThreads(1)
    from vpd_mm.crops import find_videos
    videos = dict(list(find_videos(osp.join(args.mini, 'videos')).items())[:args.videos])
    pose_root = osp.join(args.mini, 'pose')
    os.makedirs(args.work_dir, exist_ok=True)
    try:
        if args.compare_flow:
            compare_flow(args, videos, pose_root)
        if not args.skip_store:
            rows = [bench_store(args, fmt, videos, pose_root) for fmt in args.formats]
            print('\nsummary (frames/s; MiB)')
            print('  format  extract  write   disk(apparent/allocated)  files   read 1-proc  read DataLoader')
            for r in rows:
                print(f'  {r["fmt"]:6s} {r["frames"] / r["total"]:8.1f} {r["frames"] / r["write"]:7.0f}   '
                      f'{r["apparent"] / 2**20:8.1f} / {r["allocated"] / 2**20:8.1f}     {r["files"]:6d}  '
                      f'{r["read1"]:10.0f}  {r["read_loader"]:12.0f}')
    finally:
        if not args.keep:
            shutil.rmtree(args.work_dir, ignore_errors=True)


if __name__ == '__main__':
    main()

"""VPD student training speed: data-loader images/s and training images/s (CPU, and GPU when present).

Usage::

    python benchmarks/student_train.py [--config CFG ...] [--crop-root DIR --teacher-dir DIR]
                                       [--steps 5] [--batch-size 32] [--loader-batches 20]
                                       [--workers 0 2] [--device cpu cuda]

Without ``--crop-root`` a synthetic 128x128 crop store and teacher files in the contract formats are
written to a temporary directory. For each config (default: the CPU demo config and the paper's
ResNet-34 / 128 px config):

* data loader: the training pipeline (load, colour jitter, RandomResizedCrop, flip, pack) through a
  ``DataLoader`` with ``default_collate``, for each ``--workers`` value;
* training: forward + backward + AdamW on a pre-built batch (no data loading), per device; on CUDA
  also with float16 autocast (AMP) + channels_last.

Set ``OMP_NUM_THREADS`` to the cores you want torch to use (1 on the shared 2-core machine).
"""
import argparse
import os.path as osp
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIGS = [
    osp.join(REPO, 'configs', 'vpd', '2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py'),
    osp.join(REPO, 'configs', 'vpd', 'vi-vpd_r34_synthsport.py'),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', nargs='+', default=DEFAULT_CONFIGS, help='configs/vpd configs to measure')
    parser.add_argument('--crop-root', help='crop store (default: synthetic, written to a temp dir)')
    parser.add_argument('--teacher-dir', help='teacher embedding dir matching --crop-root')
    parser.add_argument('--min-kp-score', type=float, default=None, help='gate override for --crop-root data')
    parser.add_argument('--steps', type=int, default=5, help='timed train steps per device (after 2 warm-up)')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=None,
        help='batch size (default: the config\'s; CPU training steps use 32)')
    parser.add_argument('--loader-batches', type=int, default=20, help='timed data-loader batches')
    parser.add_argument(
        '--workers', type=int, nargs='+', default=[0], help='data-loader worker counts to try')
    parser.add_argument(
        '--device', nargs='+', default=None, help='devices (default: cpu, and cuda if available)')
    return parser.parse_args(argv)


def make_synthetic_store(root: str, dim: int, videos: int = 2, frames: int = 300, size: int = 128):
    """Write a synthetic crop store + teacher files; returns ``(crop_root, teacher_dir)``."""
    import numpy as np

    from vpd_mm.datasets.synthetic_crop_store import (synthetic_crops, write_synthetic_crop_video,
                                                      write_synthetic_teacher)
    crop_root, teacher_dir = osp.join(root, 'crops'), osp.join(root, 'teacher')
    for v in range(videos):
        fr = np.arange(frames)
        write_synthetic_crop_video(osp.join(crop_root, f'v{v}'), fr, size=size, seed=v)
        write_synthetic_teacher(
            osp.join(teacher_dir, f'v{v}.emb.pkl'), fr, dim=dim, crops=synthetic_crops(frames, size, v))
    return crop_root, teacher_dir


def loader_rate(dataset, batch_size: int, workers: int, batches: int) -> float:
    """Images/s of a shuffled DataLoader over ``dataset`` (first batch excluded: worker start-up)."""
    import torch
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader, RandomSampler

    sampler = RandomSampler(
        dataset,
        replacement=True,
        num_samples=batch_size * (batches + 1),
        generator=torch.Generator().manual_seed(0))
    loader = DataLoader(
        dataset, batch_size=batch_size, sampler=sampler, num_workers=workers, collate_fn=default_collate)
    it = iter(loader)
    next(it)
    t0 = time.perf_counter()
    n = sum(len(b['inputs']) for b in it)
    return n / (time.perf_counter() - t0)


def train_rate(cfg, batch, device: str, steps: int, amp: bool = False, channels_last: bool = False) -> float:
    """Images/s of ``train_step`` on a fixed batch."""
    import torch
    from mmaction.registry import MODELS
    from mmengine.optim import build_optim_wrapper

    torch.manual_seed(0)
    model_cfg = cfg.model.copy()
    model_cfg['channels_last'] = channels_last
    model_cfg['data_preprocessor'] = dict(model_cfg['data_preprocessor'], channels_last=channels_last)
    model = MODELS.build(model_cfg).to(device)  # PyTorch's default init: enough for timing
    optim_cfg = dict(cfg.optim_wrapper)
    if amp:
        optim_cfg.update(type='AmpOptimWrapper', loss_scale='dynamic')
    optim = build_optim_wrapper(model, optim_cfg)
    model.train()
    for _ in range(2):
        model.train_step(batch, optim)
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        model.train_step(batch, optim)
    if device.startswith('cuda'):
        torch.cuda.synchronize()
    return steps * len(batch['inputs']) / (time.perf_counter() - t0)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmengine.config import Config
    from mmengine.dataset import default_collate
    from mmengine.registry import init_default_scope

    import vpd_mm  # noqa: F401
    from mmaction.registry import DATASETS
    init_default_scope('mmaction')

    devices = args.device or (['cpu'] + (['cuda'] if torch.cuda.is_available() else []))
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, devices {devices}')
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.config:
            cfg = Config.fromfile(path)
            name = osp.splitext(osp.basename(path))[0]
            ds_cfg = cfg.train_dataloader.dataset.copy()
            dim = cfg.model.backbone.out_channels
            if args.crop_root:
                ds_cfg.update(crop_root=args.crop_root, teacher_dirs=[args.teacher_dir])
                if args.min_kp_score is not None:
                    ds_cfg.update(min_kp_score=args.min_kp_score)
            else:
                crop_root, teacher_dir = make_synthetic_store(osp.join(tmp, f'd{dim}'), dim)
                ds_cfg.update(crop_root=crop_root, teacher_dirs=[teacher_dir], min_kp_score=0.0)
            ds_cfg.update(split='all', num_samples_per_epoch=None)
            dataset = DATASETS.build(ds_cfg)
            size = cfg.train_dataloader.dataset.pipeline[2].get('size')
            print(
                f'\n== {name}: depth {cfg.model.backbone.depth}, width {cfg.model.backbone.base_channels}, '
                f'{cfg.model.backbone.in_channels} channels, {size} px, D={dim}, {dataset.num_frames} frames')
            bs = args.batch_size or cfg.train_dataloader.batch_size
            for w in args.workers:
                rate = loader_rate(dataset, bs, w, args.loader_batches)
                print(f'data loader         batch {bs:4d} workers {w}        : {rate:8.1f} images/s')
            for device in devices:
                bs = args.batch_size or (cfg.train_dataloader.batch_size if device.startswith('cuda') else 32)
                batch = default_collate([dataset[i % len(dataset)] for i in range(bs)])
                rate = train_rate(cfg, batch, device, args.steps)
                print(f'training      {device:5s} batch {bs:4d} fp32             : {rate:8.1f} images/s')
                if device.startswith('cuda'):
                    rate = train_rate(cfg, batch, device, args.steps, amp=True, channels_last=True)
                    print(f'training      {device:5s} batch {bs:4d} AMP+channels_last: {rate:8.1f} images/s')


if __name__ == '__main__':
    main()

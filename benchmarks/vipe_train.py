"""VIPE* training speed: data pipeline and optimisation step throughput (samples/s).

Usage::

    python benchmarks/vipe_train.py [--config configs/vipe/vipe-star_synthsport-3d.py]
                                    [--corpus DIR] [--steps 20] [--batch-size 100] [--device cpu cuda]

Without ``--corpus`` a synthetic 3D corpus (``vpd_mm.pose.synthetic3d``) is written to a temporary
directory. Printed: pipeline items/s (one process; the Runner spreads it over ``num_workers``) and
train-step samples/s (forward + backward + AdamW on a pre-built batch; one sample = 3 poses) per
device; CUDA is measured when available.
"""
import argparse
import os.path as osp
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

DEFAULT_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'vipe', 'vipe-star_synthsport-3d.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--corpus', help='3D pose corpus directory (default: synthetic)')
    parser.add_argument('--steps', type=int, default=20, help='timed train steps per device')
    parser.add_argument('--pipeline-items', type=int, default=500, help='timed pipeline items')
    parser.add_argument('--batch-size', type=int, default=100)
    parser.add_argument(
        '--device', nargs='+', default=None, help='devices (default: cpu, and cuda if available)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    import torch
    from mmengine.config import Config
    from mmengine.dataset import default_collate
    from mmengine.optim import build_optim_wrapper

    import vpd_mm  # noqa: F401
    from mmaction.registry import DATASETS, MODELS
    from vpd_mm.datasets.pose3d_readers import save_pose3d_corpus
    from vpd_mm.pose.synthetic3d import random_pose_sequences

    cfg = Config.fromfile(args.config)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if corpus is None:
            corpus = tmp
            save_pose3d_corpus(tmp, random_pose_sequences(20, 300))
        ds_cfg = cfg.train_dataloader.dataset.copy()
        ds_cfg.update(sources=[dict(format='corpus', root=corpus)], split='all', samples_per_epoch=None)
        dataset = DATASETS.build(ds_cfg)
        np.random.seed(0)
        n = min(args.pipeline_items, len(dataset))
        t0 = time.perf_counter()
        items = [dataset[i % len(dataset)] for i in np.random.permutation(len(dataset))[:n]]
        pipe_rate = n / (time.perf_counter() - t0)
        print(
            f'pipeline: {pipe_rate:.0f} items/s (1 process, {n} items, corpus={args.corpus or "synthetic"})')
        batch = default_collate([items[i % len(items)] for i in range(args.batch_size)])

    devices = args.device or (['cpu'] + (['cuda'] if torch.cuda.is_available() else []))
    for device in devices:
        torch.manual_seed(0)
        model = MODELS.build(cfg.model).to(device)
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        model.train()
        for _ in range(3):  # warm-up
            model.train_step(batch, optim)
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(args.steps):
            log = model.train_step(batch, optim)
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        name = torch.cuda.get_device_name(device) if device.startswith(
            'cuda') else f'cpu ({torch.get_num_threads()} threads)'
        print(
            f'train step [{name}]: {args.steps * args.batch_size / dt:.0f} samples/s '
            f'(batch {args.batch_size}, {1000 * dt / args.steps:.1f} ms/step, loss {log["loss"].item():.3f})')


if __name__ == '__main__':
    main()

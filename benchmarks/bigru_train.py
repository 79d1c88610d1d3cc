"""BiGRU recognizer training speed (samples/s) on synthetic feature sequences.

Usage::

    python benchmarks/bigru_train.py [--batch 50] [--frames 100] [--dim 39] [--iters 20] [--device cpu]
                                     [--same-length]

Runs the full mmengine training step (padding data preprocessor, BiGRU, head, loss, AdamW update)
of ``FeatureSequenceRecognizer`` on random variable-length sequences (frames/2 .. frames) and prints
samples/s after a warm-up (wall clock, and per CPU-second of the process), for the default BiGRU
(the padded batch) and, in the same run, for ``packed=True`` (torch's packed-sequence path, the
implementation before): their ratio is the speed-up. ``--same-length`` gives every sequence
``frames`` frames, as the detector's training windows.
"""
import argparse
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--batch', type=int, default=50)
    parser.add_argument(
        '--frames', type=int, default=100, help='longest sequence (lengths vary down to half)')
    parser.add_argument('--dim', type=int, default=39, help='feature size')
    parser.add_argument('--classes', type=int, default=10)
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--threads', type=int, default=0, help='torch CPU threads (0: default)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--same-length', action='store_true', help='all sequences `frames` long')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmaction.structures import ActionDataSample
    from mmengine.optim import OptimWrapper

    from vpd_mm.downstream.runner_utils import init_registries
    init_registries()
    from mmaction.registry import MODELS
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    def batch():
        low = args.frames if args.same_length else args.frames // 2
        lengths = torch.randint(low, args.frames + 1, (args.batch, ))
        inputs = [torch.randn(1, int(t), args.dim) for t in lengths]
        samples = [ActionDataSample().set_gt_label(int(torch.randint(args.classes, ()))) for _ in lengths]
        return dict(inputs=inputs, data_samples=samples)

    data = [batch() for _ in range(4)]
    rates = {}
    for packed in (False, True):
        torch.manual_seed(0)
        model = MODELS.build(
            dict(
                type='FeatureSequenceRecognizer',
                backbone=dict(type='BiGRU', in_channels=args.dim, packed=packed),
                cls_head=dict(type='BiGRUHead', num_classes=args.classes, in_channels=256))).to(args.device)
        rates['packed' if packed else 'padded'] = _time(args, model, data, OptimWrapper, torch)
    print(f"padded / packed: {rates['padded'] / rates['packed']:.2f}x the samples/s")


def _time(args, model, data, OptimWrapper, torch) -> float:
    """Train ``model`` on ``data`` after a warm-up; print and return samples/s."""
    model.train()
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    path = 'packed' if model.backbone.packed else 'padded'
    for i in range(args.warmup):
        model.train_step(data[i % 4], optim)
    if args.device.startswith('cuda'):
        torch.cuda.synchronize()
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(args.iters):
        model.train_step(data[i % 4], optim)
    if args.device.startswith('cuda'):
        torch.cuda.synchronize()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f'{path}: device={args.device} threads={torch.get_num_threads()} batch={args.batch} '
          f'frames<={args.frames} dim={args.dim}: {args.iters * args.batch / elapsed:.1f} samples/s '
          f'({elapsed / args.iters * 1000:.1f} ms/step wall)')
    if args.device == 'cpu':
        # On a shared machine the wall clock includes waiting for the cpu; the process CPU time does not
        # (with 1 thread it is what the step costs on one free core).
        print(f'process CPU time: {cpu / args.iters * 1000:.1f} ms/step, {args.iters * args.batch / cpu:.1f} '
              f'samples per CPU-second; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus')
    return args.iters * args.batch / elapsed


if __name__ == '__main__':
    main()

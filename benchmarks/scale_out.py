#!/usr/bin/env python
"""Scale-out throughput: the heavy stages on 1 process and on N (torch.distributed.run, gloo / NCCL).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/scale_out.py [--data-root DIR] [--videos 8] [--nproc 1 2]
        [--stages poses crops train] [--train-samples 256] [--batch-size 32] [--device cpu]
        [--work-dir DIR]

Without ``--data-root`` a SynthSport of ``--videos`` routines (3 elements each) is generated into the
work dir. For every process count N (``--nproc``; 1 runs the plain tool, N > 1
``python -m torch.distributed.run --standalone --nproc_per_node N TOOL ... --launcher pytorch``):

* ``poses``: ``tools/extract_poses.py`` with the project's teachers (videos/s, wall clock of the whole
  command, start-up included); measured only when the tool takes ``--launcher``;
* ``crops``: ``tools/extract_crops.py`` on SynthSport's GT boxes, 64 px, DIS flow (videos/s, wall
  clock); the N-process stores are compared with the 1-process ones (``meta.json`` without timings);
* ``train``: the CPU demo 2D-VPD student (``configs/vpd/2d-vpd_r18-w16-64px_..._cpu-demo.py``) on those
  crops and the GT normalized joints, one epoch of ``--train-samples`` frames, total batch
  ``--batch-size`` (``batch / N`` per process, so the steps are the same), no validation; samples/s =
  total batch / median step time after 2 warm-up steps (mmengine's ``time`` of rank 0, unsmoothed;
  DDP steps are synchronous), so start-up is left out. Every process runs with one BLAS thread
  (``OMP_NUM_THREADS`` = ``MKL_NUM_THREADS``, default 1).

Prints one table with the ratio of each N to N = 1. On a 2-core machine 2 processes can at most
double the throughput; ``--device cuda`` with ``--nproc 1`` measures one GPU (NCCL for N > 1).
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

STUDENT = osp.join(REPO, 'configs', 'vpd', '2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-root', help='a SynthSport root (videos/, pose/); default: generate one')
    p.add_argument('--videos', type=int, default=8, help='routines to generate without --data-root')
    p.add_argument('--nproc', type=int, nargs='+', default=[1, 2], help='process counts to compare')
    p.add_argument(
        '--stages', nargs='+', default=['poses', 'crops', 'train'], choices=['poses', 'crops', 'train'])
    p.add_argument('--train-samples', type=int, default=256, help='frames of the timed training epoch')
    p.add_argument(
        '--batch-size', type=int, default=32, help='total training batch (divided among processes)')
    p.add_argument('--device', default='cpu', help='cpu or cuda (poses, training)')
    p.add_argument('--work-dir', default=osp.join(REPO, 'work_dirs', 'benchmark_scale_out'))
    return p.parse_args(argv)


def launch(tool, args, nproc):
    """The command line of ``tool`` on ``nproc`` processes."""
    if nproc == 1:
        return [sys.executable, tool, *args]
    return [
        sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={nproc}', tool,
        *args, '--launcher', 'pytorch'
    ]


def timed(cmd, log):
    """Run ``cmd`` (output to ``log``); returns the wall-clock seconds."""
    # one BLAS thread a process in every run (mmengine sets MKL_NUM_THREADS=1 in distributed runs only)
    threads = os.environ.get('OMP_NUM_THREADS', '1')
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    start = time.perf_counter()
    with open(log, 'w') as f:
        proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=f, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f'failed ({proc.returncode}): {" ".join(cmd)}; log: {log}')
    return seconds


def tool_takes_launcher(tool):
    out = subprocess.run([sys.executable, tool, '--help'],
                         cwd=REPO,
                         env=dict(os.environ, PYTHONPATH=REPO),
                         capture_output=True,
                         text=True)
    return '--launcher' in out.stdout


def same_stores(a, b):
    """Whether two crop roots hold the same files (``meta.json`` compared without ``timings_s``)."""

    def files(root):
        out = {}
        for base, _, names in os.walk(root):
            for name in names:
                path = osp.join(base, name)
                data = open(path, 'rb').read()
                if name == 'meta.json':
                    data = json.dumps({
                        k: v
                        for k, v in json.loads(data).items() if k != 'timings_s'
                    }).encode()
                out[osp.relpath(path, root)] = data
        return out

    return files(a) == files(b)


def step_seconds(work):
    """Step times (s) of a training run from mmengine's ``vis_data/scalars.json``, warm-up dropped."""
    paths = sorted(p for p in _walk(work) if p.endswith(osp.join('vis_data', 'scalars.json')))
    rows = [json.loads(line) for line in open(paths[-1]) if line.strip()]
    times = [r['time'] for r in rows if 'time' in r and 'loss' in r]
    return times[2:] if len(times) > 4 else times


def _walk(root):
    for base, _, names in os.walk(root):
        for name in names:
            yield osp.join(base, name)


def main(argv=None):
    args = parse_args(argv)
    work = osp.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    data = osp.abspath(args.data_root) if args.data_root else osp.join(work, 'data')
    if not args.data_root:
        timed([
            sys.executable, 'tools/make_synthsport.py', '-o', data, '--size', 'custom', '--videos',
            str(args.videos), '--elements-per-video', '3', '--generic-images', '4', '--corpus', '4',
            '--no-progress'
        ], osp.join(work, 'generate.log'))
    videos = osp.join(data, 'videos')
    num_videos = len([n for n in os.listdir(videos) if not n.startswith('.')])
    rows = []
    if 'poses' in args.stages:
        tool = osp.join(REPO, 'tools', 'extract_poses.py')
        if tool_takes_launcher(tool) or args.nproc == [1]:
            for n in args.nproc:
                out = osp.join(work, f'poses_{n}')
                sec = timed(
                    launch(tool, [videos, '-o', out, '--device', args.device, '--no-progress'], n),
                    osp.join(work, f'poses_{n}.log'))
                rows.append(('poses', n, sec, num_videos / sec, 'videos/s', ''))
        else:
            print('poses: tools/extract_poses.py does not take --launcher yet; not measured')
    if 'crops' in args.stages or not osp.isdir(osp.join(work, f'crops_{args.nproc[0]}')):
        for n in args.nproc:
            out = osp.join(work, f'crops_{n}')
            if osp.isdir(out):
                subprocess.run(['rm', '-rf', out], check=True)
            sec = timed(
                launch(
                    osp.join(REPO, 'tools', 'extract_crops.py'),
                    [videos, osp.join(data, 'pose'), '-o', out, '--crop-size', '64', '--no-progress'], n),
                osp.join(work, f'crops_{n}.log'))
            note = '' if n == args.nproc[0] else ('stores identical' if same_stores(
                osp.join(work, f'crops_{args.nproc[0]}'), out) else 'STORES DIFFER')
            if 'crops' in args.stages:
                rows.append(('crops', n, sec, num_videos / sec, 'videos/s', note))
    if 'train' in args.stages:
        teacher = osp.join(work, 'gt_joints')
        if not osp.isdir(teacher):
            timed([sys.executable, 'tools/make_joint_features.py',
                   osp.join(data, 'pose'), '-o', teacher], osp.join(work, 'joints.log'))
        crops = osp.join(work, f'crops_{args.nproc[0]}')
        for n in args.nproc:
            if args.batch_size % n:
                raise SystemExit(f'--batch-size {args.batch_size} does not divide among {n} processes')
            out = osp.join(work, f'train_{n}')
            if osp.isdir(out):
                subprocess.run(['rm', '-rf', out], check=True)
            options = [
                f'train_dataloader.dataset.crop_root={crops}',
                f'train_dataloader.dataset.teacher_dirs=[{teacher}]',
                f'train_dataloader.dataset.num_samples_per_epoch={args.train_samples}',
                f'train_dataloader.batch_size={args.batch_size // n}', 'train_dataloader.num_workers=0',
                'train_dataloader.persistent_workers=False', 'train_cfg.max_epochs=1',
                'default_hooks.logger.interval=1', 'log_processor.window_size=1',
                'default_hooks.checkpoint.save_best=None'
            ]
            sec = timed(
                launch(
                    osp.join(REPO, 'tools', 'train.py'),
                    [STUDENT, '--work-dir', out, '--no-validate', '--cfg-options', *options], n),
                osp.join(work, f'train_{n}.log'))
            steps = step_seconds(out)
            step = statistics.median(steps)
            rows.append(('train', n, sec, args.batch_size / step, 'samples/s',
                         f'{len(steps)} steps of {args.batch_size} ({args.batch_size // n} a process), '
                         f'median {step:.3f} s'))
    base = {stage: rate for stage, n, _, rate, _, _ in rows if n == args.nproc[0]}
    print(f'\nscale-out on {os.cpu_count()} CPUs, device {args.device}, {num_videos} videos ({data})')
    print(f'| stage | processes | wall s | throughput | vs {args.nproc[0]} process(es) | note |')
    print('|---|---|---|---|---|---|')
    for stage, n, sec, rate, unit, note in rows:
        print(f'| {stage} | {n} | {sec:.1f} | {rate:.2f} {unit} | {rate / base[stage]:.2f}x | {note} |')


if __name__ == '__main__':
    main()

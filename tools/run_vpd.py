"""The VPD main job: videos -> teachers -> crops + flow -> students -> downstream -> report.

Usage::

    python tools/run_vpd.py [PIPELINE_CONFIG] [--quick] [--data-root DIR] [--work-dir DIR]
                            [--device cpu|cuda] [--dry-run] [--cfg-options k=v ...]
                            [--launcher none|pytorch|slurm] [--nproc N]

PIPELINE_CONFIG defaults to ``configs/pipeline/vpd_synthsport-mini.py`` (``--quick``:
``configs/pipeline/vpd_synthsport-quick.py``, a tiny variant used by the test suite). Every stage is
a vpd_mm tool run as its own process (mmdet/mmpose switch the default scope, so the teacher step
runs alone); the stages are listed in vpd_mm/pipeline/vpd_pipeline.py. A stage whose command and
inputs did not change since it finished is skipped; a killed stage resumes where it stopped; a stage
whose inputs changed rewrites its outputs. For your own videos put them in ``DIR/videos/`` and pass
``--data-root DIR --cfg-options generate=None``. Stage timings go to ``WORK_DIR/run_vpd.json``.

``--launcher pytorch --nproc N`` runs the heavy stages (crops, VIPE* features, student training and
features) on N processes of this machine through ``torch.distributed.run`` (gloo on CPU, NCCL on
GPUs); ``--launcher slurm --nproc N``, inside a slurm allocation (``salloc`` / ``sbatch``), through
``srun --ntasks N``. The other stages run as before. See docs/scale_out.md.
"""
import argparse
import os
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

DEFAULT = 'configs/pipeline/vpd_synthsport-mini.py'
QUICK = 'configs/pipeline/vpd_synthsport-quick.py'


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', nargs='?', help=f'pipeline config (default {DEFAULT})')
    parser.add_argument('--quick', action='store_true', help=f'the small test variant ({QUICK})')
    parser.add_argument('--data-root', help='override the config\'s data_root')
    parser.add_argument('--work-dir', help='override the config\'s work_dir')
    parser.add_argument('--device', help='cpu or cuda[:N] for the teachers and students')
    parser.add_argument('--dry-run', action='store_true', help='print the stages, run nothing')
    parser.add_argument(
        '--jobs',
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help='stages that may run at once when they do not depend on each other (default: CPUs, at most 4); '
        'their output goes to WORK_DIR/stages/logs/')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override pipeline settings')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm'],
        default='none',
        help='how the distributed stages run: one process (none), torch.distributed.run on this machine '
        '(pytorch) or srun (slurm)')
    parser.add_argument(
        '--nproc',
        type=int,
        default=None,
        help='processes of a distributed stage (default: the GPUs of this machine, at least 1; with slurm '
        'SLURM_NTASKS)')
    args = parser.parse_args(argv)
    if args.nproc is None:
        args.nproc = default_nproc(args.launcher)
    if args.nproc < 1:
        parser.error(f'--nproc must be at least 1, got {args.nproc}')
    return args


def default_nproc(launcher: str) -> int:
    """Processes of a distributed stage when ``--nproc`` is not given."""
    if launcher == 'slurm' and os.environ.get('SLURM_NTASKS'):
        return int(os.environ['SLURM_NTASKS'])
    if launcher == 'none':
        return 1
    import torch
    return max(1, torch.cuda.device_count())


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config

    from vpd_mm.pipeline.stage import StageRunner
    from vpd_mm.pipeline.vpd_pipeline import build_vpd_stages
    from vpd_mm.utils.fileio import atomic_write_json
    from vpd_mm.utils.workdir_lock import WorkDirInUseError, hold_work_dir

    if args.config and args.quick:
        raise SystemExit('give either a config or --quick, not both')
    cfg = Config.fromfile(osp.join(ROOT, args.config or (QUICK if args.quick else DEFAULT)))
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    for key in ('data_root', 'work_dir', 'device'):
        if getattr(args, key):
            cfg[key] = getattr(args, key)
    # Small models on few cores: one BLAS thread per process is fastest (see docs/installation.md).
    env = {'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'), 'MPLBACKEND': 'Agg',
           'PYTHONPATH': ROOT + os.pathsep + os.environ.get('PYTHONPATH', '')}
    stages = build_vpd_stages(cfg, env, nproc=args.nproc if args.launcher != 'none' else 1)
    runner = StageRunner(osp.join(cfg.work_dir, 'stages'), python=sys.executable, cwd=ROOT, dry_run=args.dry_run,
                         launcher=args.launcher, nproc=args.nproc)
    start = time.time()
    try:
        with hold_work_dir(osp.join(ROOT, cfg.work_dir), 'tools/run_vpd.py'):
            records = runner.run(stages, jobs=args.jobs)
    except WorkDirInUseError as err:
        raise SystemExit(f'run_vpd: refused: {err}')
    except RuntimeError as err:
        raise SystemExit(f'run_vpd: {err}. Fix the cause and run the same command again: finished stages '
                         'are skipped and the failed one resumes.')
    if not args.dry_run:
        total = time.time() - start
        atomic_write_json(osp.join(ROOT, cfg.work_dir, 'run_vpd.json'),
                          dict(config=args.config or (QUICK if args.quick else DEFAULT), seconds=round(total, 1),
                               launcher=args.launcher, nproc=args.nproc, stages=records), indent=1)
        report = osp.join(cfg.work_dir, 'report', 'report.html')
        print(f'run_vpd: finished in {total / 60:.1f} min' + (f'; report: {report}' if osp.isfile(report) else ''))


if __name__ == '__main__':
    main()

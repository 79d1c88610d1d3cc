#!/usr/bin/env python
"""Train a model with the mmengine Runner (mmaction2's ``tools/train.py`` flags).

Works for vpd_mm, mmaction2, mmpose and mmdet configs (the config's ``default_scope`` picks the
registries). Checkpoints are written so that torch's safe loading reads them back.

Examples::

    python tools/train.py configs/baselines/stgcn_demo.py --work-dir work_dirs/stgcn
    python tools/train.py configs/baselines/stgcn_demo.py --work-dir work_dirs/stgcn --resume
    bash tools/dist_train.sh configs/baselines/stgcn_demo.py 8 --work-dir work_dirs/stgcn

Distributed (``--launcher pytorch`` from ``tools/dist_train.sh``, ``--launcher slurm`` from
``tools/slurm_train.sh``): NCCL on GPUs; without CUDA the gloo backend and DDP on CPU
(``env_cfg.dist_cfg.backend`` picks another backend). Batch sizes in configs are per process.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # the checkout provides vpd_mm

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model (mmengine Runner)')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or without a value from the latest checkpoint in '
        'the work dir')
    parser.add_argument('--amp', action='store_true', help='enable automatic-mixed-precision training')
    parser.add_argument('--no-validate', action='store_true', help='do not evaluate during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the actual batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument('--diff-rank-seed', action='store_true', help='different seed per rank')
    parser.add_argument('--deterministic', action='store_true', help='deterministic cuDNN')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs (e.g. train_cfg.max_epochs=2)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main() -> None:
    args = parse_args()
    import vpd_mm  # noqa: F401  (compatibility fixes + registration)
    from vpd_mm.apis import merge_train_args
    from vpd_mm.utils.config_check import check_config_or_exit
    from vpd_mm.utils.workdir_lock import WorkDirInUseError, hold_work_dir_rank0
    from vpd_mm.utils.dist import close, configure_runner_dist

    if not osp.isfile(args.config):
        sys.exit(f'error: config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    check_config_or_exit(cfg, args.config, args.cfg_options)  # a mistyped key, named with the nearest valid one
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg = merge_train_args(cfg, args.config, work_dir=args.work_dir, resume=args.resume, amp=args.amp,
                           no_validate=args.no_validate, auto_scale_lr=args.auto_scale_lr,
                           seed=args.seed, diff_rank_seed=args.diff_rank_seed,
                           deterministic=args.deterministic, launcher=args.launcher)
    cfg = configure_runner_dist(cfg, args.launcher)
    try:
        with hold_work_dir_rank0(cfg.work_dir, 'tools/train.py'):  # a second run on this work dir is refused
            runner = Runner.from_cfg(cfg)
            runner.train()
            close()  # leave the process group before exit (gloo aborts at exit otherwise)
    except WorkDirInUseError as e:
        sys.exit(f'error: refused: {e}')


if __name__ == '__main__':
    main()

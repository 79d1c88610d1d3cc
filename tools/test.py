#!/usr/bin/env python
"""Test a checkpoint with the mmengine Runner (mmaction2's ``tools/test.py`` flags).

The checkpoint is read with torch's safe loading (``weights_only=True``); see
``vpd_mm/compat`` and ``PlainCheckpointHook`` for why training checkpoints pass it.

Examples::

    python tools/test.py configs/baselines/stgcn_demo.py work_dirs/stgcn/epoch_2.pth
    python tools/test.py CONFIG CKPT --dump results.pkl
    bash tools/dist_test.sh CONFIG CKPT 8 --dump results.pkl

Distributed: each rank tests every N-th sample and mmengine's ``collect_results`` puts them back in
dataset order on rank 0 (the padding that makes the shares equal is dropped), so the metrics and the
``--dump`` are those of a one-process run. NCCL on GPUs, gloo without CUDA.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # the checkout provides vpd_mm

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a checkpoint (mmengine Runner)')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the directory to save the file containing evaluation metrics')
    parser.add_argument('--dump', type=str, help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs (e.g. test_dataloader.batch_size=4)')
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
    from vpd_mm.apis import ensure_plugin_hooks
    from vpd_mm.apis.runner_cfg import default_work_dir
    from vpd_mm.apis.checkpoint_match import check_checkpoint_or_exit
    from vpd_mm.utils.config_check import check_config_or_exit
    from vpd_mm.utils.dist import close, configure_runner_dist

    for path, what in ((args.config, 'config file'), (args.checkpoint, 'checkpoint')):
        if not osp.isfile(path):
            sys.exit(f'error: {what} not found: {path}')
    cfg = Config.fromfile(args.config)
    check_config_or_exit(cfg, args.config, args.cfg_options)  # a mistyped key, named with the nearest valid one
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = default_work_dir(args.config)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            sys.exit(f'error: --dump must be a .pkl or .pickle file, got {args.dump}')
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, (list, tuple)) else [cfg.test_evaluator]
        cfg.test_evaluator = [*evaluators, dict(type='DumpResults', out_file_path=args.dump)]
    cfg = ensure_plugin_hooks(cfg)
    cfg = configure_runner_dist(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    check_checkpoint_or_exit(runner.model, args.checkpoint, args.config)  # another architecture: refused
    runner.test()
    close()  # leave the process group before exit (gloo aborts at exit otherwise)


if __name__ == '__main__':
    main()

"""Distributed runs of the tools: launch, share the videos out by rank, gather on rank 0.

Every heavy tool runs the same way on 1 process, on N processes of one machine
(``python -m torch.distributed.run --nproc_per_node N TOOL ... --launcher pytorch``) or under slurm
(``srun ... TOOL ... --launcher slurm``); see ``docs/scale_out.md``. The process group is mmengine's
(:func:`mmengine.dist.init_dist`), so ``mmengine.dist.get_dist_info`` and mmengine's collectives see it.
Without a GPU the backend is gloo, with GPUs NCCL (:func:`dist_backend`).

A per-video tool plugs in with four calls::

    add_launcher_args(parser)                        # --launcher none|pytorch|slurm|mpi
    rank, world_size = init_launcher(args.launcher)  # (0, 1) with --launcher none
    mine = shard(videos)                             # this rank's videos: sorted, then [rank::world_size]
    ...                                              # process `mine` (resumable, atomic per-video files)
    results = gather_results(results)                # barrier; the merged dict on rank 0, None elsewhere
    if results is not None: ...                      # rank 0 writes the index / summary

The share of a rank depends only on the sorted list and the world size, so a relaunched job (any
world size) finds every finished video through the tool's own ``--resume`` check.
"""
import argparse
import logging
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from mmengine.dist import all_gather_object, get_dist_info, init_dist, is_distributed
from mmengine.dist import barrier as _barrier

logger = logging.getLogger('vpd_mm.dist')

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')
#: How long a rank may wait for the others at a barrier of an extraction tool (videos are shared
#: out before the work starts, so one rank may finish hours before the slowest).
EXTRACT_TIMEOUT_S = 48 * 3600

T = TypeVar('T')


def add_launcher_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add mmaction2's ``--launcher`` and ``--local_rank`` / ``--local-rank`` options to ``parser``."""
    parser.add_argument(
        '--launcher',
        choices=LAUNCHERS,
        default='none',
        help='job launcher: none (one process), pytorch (torch.distributed.run / tools/dist_*.sh), '
        'slurm (srun), mpi')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)
    return parser


def dist_backend(requested: Optional[str] = None) -> str:
    """The torch.distributed backend to use.

    Args:
        requested: ``None`` (choose), or a backend name (e.g. a config's ``env_cfg.dist_cfg.backend``).

    Returns:
        ``requested`` if given and usable; NCCL with CUDA and gloo without when nothing is requested;
        gloo (with a warning) when NCCL is requested on a machine without CUDA.
    """
    import torch
    cuda = torch.cuda.is_available()
    if requested is None:
        return 'nccl' if cuda else 'gloo'
    if requested == 'nccl' and not cuda:
        logger.warning('no CUDA device: torch.distributed backend gloo instead of nccl')
        return 'gloo'
    return requested


def init_launcher(launcher: str,
                  backend: Optional[str] = None,
                  timeout_s: Optional[float] = EXTRACT_TIMEOUT_S) -> Tuple[int, int]:
    """Join the process group of ``launcher`` (mmengine's :func:`~mmengine.dist.init_dist`).

    Args:
        launcher: ``'none'`` (one process: nothing to do), ``'pytorch'`` (the ``RANK`` / ``LOCAL_RANK``
            / ``WORLD_SIZE`` / ``MASTER_*`` variables of ``torch.distributed.run``), ``'slurm'``
            (``SLURM_PROCID`` etc. of ``srun``; ``MASTER_PORT`` defaults to 29500) or ``'mpi'``.
        backend: See :func:`dist_backend`.
        timeout_s: Collective timeout (barriers wait this long for the slowest rank).

    Returns:
        ``(rank, world_size)``.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
    if launcher == 'none' or is_distributed():
        return get_dist_info()
    env = dict(
        pytorch=('RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'),
        slurm=('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST'),
        mpi=('OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_LOCAL_RANK'))[launcher]
    missing = [k for k in env if k not in os.environ]
    if missing:
        how = dict(
            pytorch='python -m torch.distributed.run --nproc_per_node N TOOL ... (or tools/dist_*.sh)',
            slurm='srun (e.g. tools/slurm_extract.sh)',
            mpi='mpirun')[launcher]
        raise RuntimeError(f'--launcher {launcher}: environment variable(s) {", ".join(missing)} not set; '
                           f'start the tool with {how}')
    backend = dist_backend(backend)
    kwargs = {} if timeout_s is None else dict(timeout=timeout_s)  # seconds; mmengine makes the timedelta
    _cpu_safe_set_device()
    init_dist(launcher, backend=backend, **kwargs)
    rank, world_size = get_dist_info()
    logger.info('rank %d of %d (%s, %s backend)', rank, world_size, launcher, backend)
    return rank, world_size


def _cpu_safe_set_device() -> None:
    """mmengine's launchers call ``torch.cuda.set_device(local_rank)``; without CUDA that is skipped."""
    import torch
    if torch.cuda.is_available() or getattr(torch.cuda.set_device, '_vpd_mm_cpu_safe', False):
        return
    original = torch.cuda.set_device

    def set_device(device) -> None:
        if torch.cuda.is_available():
            original(device)

    set_device._vpd_mm_cpu_safe = True
    torch.cuda.set_device = set_device


def rank_device(device: str) -> str:
    """This rank's device: plain ``'cuda'`` becomes ``'cuda:LOCAL_RANK'`` in a distributed run."""
    if device == 'cuda' and is_distributed():
        return f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}'
    return device


def shard(items: Union[Sequence[T], Mapping[str, T]],
          rank: Optional[int] = None,
          world_size: Optional[int] = None) -> Union[List[T], Dict[str, T]]:
    """This rank's share of ``items``: sorted, then every ``world_size``-th from ``rank`` on.

    Args:
        items: A sequence (sorted by value) or a mapping such as ``{vid: path}`` (sorted by key).
        rank / world_size: Default to the current process group's (``(0, 1)`` without one).

    Returns:
        A list, or a dict for a mapping, in sorted order.
    """
    if rank is None or world_size is None:
        rank, world_size = get_dist_info()
    if not 0 <= rank < world_size:
        raise ValueError(f'rank {rank} not in [0, {world_size})')
    if isinstance(items, Mapping):
        keys = sorted(items)[rank::world_size]
        return {k: items[k] for k in keys}
    return sorted(items)[rank::world_size]


def barrier() -> None:
    """Wait for every rank (nothing to do in a single process)."""
    _barrier()


def gather_results(part: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """Merge every rank's ``{key: result}`` on rank 0 (a barrier for all ranks).

    Returns:
        The merged dict sorted by key on rank 0, ``None`` on the other ranks.

    Raises:
        RuntimeError: Two ranks returned the same key (their shares overlapped).
    """
    parts: List[Mapping[str, Any]] = all_gather_object(dict(part)) if is_distributed() else [dict(part)]
    rank, _ = get_dist_info()
    if rank != 0:
        return None
    merged: Dict[str, Any] = {}
    for r, p in enumerate(parts):
        twice = sorted(set(p) & set(merged))
        if twice:
            raise RuntimeError(f'rank {r} returned results for keys another rank also did: {twice[:5]}')
        merged.update(p)
    return dict(sorted(merged.items()))


def is_main_process() -> bool:
    """Whether this is rank 0 (always true in a single process)."""
    return get_dist_info()[0] == 0


def close() -> None:
    """Leave the process group (after the last collective), so that the process exits cleanly.

    Every rank first waits for the others: rank 0 may still be writing (the best checkpoint, the
    log) when the other ranks finish, and a gloo group shut down on one side while its peer still
    works can abort that process ("terminate called without an active exception").
    """
    if is_distributed():
        import torch.distributed as torch_dist
        torch_dist.barrier()
        torch_dist.destroy_process_group()


def configure_runner_dist(cfg, launcher: str):
    """Fit a Runner config to the launcher: the backend and, without CUDA, a CPU-capable DDP wrapper.

    ``env_cfg.dist_cfg.backend`` goes through :func:`dist_backend` (NCCL asked for on a machine
    without CUDA becomes gloo). Without CUDA, DDP must not get ``device_ids`` (mmengine passes
    ``[LOCAL_RANK]``), so ``model_wrapper_cfg`` gets ``device_ids=None`` unless the config sets it.

    Args:
        cfg: mmengine Config (changed in place).
        launcher: ``tools/train.py``'s ``--launcher``.

    Returns:
        ``cfg``.
    """
    if launcher == 'none':
        return cfg
    import torch
    env_cfg = cfg.get('env_cfg', None) or {}
    dist_cfg = dict(env_cfg.get('dist_cfg', None) or {})
    dist_cfg['backend'] = dist_backend(dist_cfg.get('backend'))
    cfg.env_cfg = dict(env_cfg, dist_cfg=dist_cfg)
    if not torch.cuda.is_available():
        wrapper = dict(cfg.get('model_wrapper_cfg', None) or dict(type='MMDistributedDataParallel'))
        if 'find_unused_parameters' not in wrapper and cfg.get('find_unused_parameters', None) is not None:
            wrapper['find_unused_parameters'] = cfg.find_unused_parameters
        wrapper.setdefault('device_ids', None)
        cfg.model_wrapper_cfg = wrapper
    if launcher == 'slurm' or not torch.cuda.is_available():
        _cpu_safe_set_device()
    return cfg

"""Config handling shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp
from typing import Optional

from mmengine.config import Config

PLAIN_HOOK = 'PlainCheckpointHook'
RANDOMNESS_HOOK = 'ResumeRandomnessHook'


def ensure_plugin_hooks(cfg: Config) -> Config:
    """Add :class:`~vpd_mm.engine.hooks.PlainCheckpointHook` and
    :class:`~vpd_mm.engine.hooks.ResumeRandomnessHook` when the config lacks them.

    Checkpoints written without the first cannot be read back with torch's safe loading; without the
    second a resumed training draws other random numbers than an uninterrupted one. The train and test
    tools add them to any config (mmaction2's, mmpose's, mmdet's or ours).
    """
    hooks = list(cfg.get('custom_hooks', None) or [])
    for name in (PLAIN_HOOK, RANDOMNESS_HOOK):
        if not any(isinstance(h, dict) and h.get('type') in (name, f'mmaction.{name}') for h in hooks):
            # Registered in mmaction's registry; the scope prefix makes it resolvable from mmpose/mmdet
            # configs too (their default_scope differs).
            hooks.append(dict(type=f'mmaction.{name}'))
    cfg.custom_hooks = hooks
    imports = cfg.get('custom_imports', None) or dict(imports=[], allow_failed_imports=False)
    if 'vpd_mm' not in imports.get('imports', []):
        imports = dict(imports=list(imports.get('imports', [])) + ['vpd_mm'],
                       allow_failed_imports=imports.get('allow_failed_imports', False))
    cfg.custom_imports = imports
    return cfg


def default_work_dir(config_path: str) -> str:
    """``./work_dirs/<config name>``, mmaction2's default."""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def merge_train_args(cfg: Config,
                     config_path: str,
                     work_dir: Optional[str] = None,
                     resume: Optional[str] = None,
                     amp: bool = False,
                     no_validate: bool = False,
                     auto_scale_lr: bool = False,
                     seed: Optional[int] = None,
                     diff_rank_seed: bool = False,
                     deterministic: bool = False,
                     launcher: str = 'none') -> Config:
    """Apply ``tools/train.py``'s command-line options to ``cfg`` (same semantics as mmaction2).

    Args:
        resume: ``None`` (no resume), ``'auto'`` (latest checkpoint in the work dir) or a path.
    """
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = default_work_dir(config_path)
    if amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp needs an OptimWrapper config, got {optim_wrapper}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif resume is not None:
        if not osp.isfile(resume):
            raise FileNotFoundError(f'--resume {resume}: checkpoint not found')
        cfg.resume = True
        cfg.load_from = resume
    if no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs `auto_scale_lr.base_batch_size` in the config')
        cfg.auto_scale_lr.enable = True
    if seed is not None:
        cfg.randomness = dict(seed=seed, diff_rank_seed=diff_rank_seed, deterministic=deterministic)
    return ensure_plugin_hooks(cfg)

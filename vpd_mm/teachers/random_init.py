"""Randomly initialised mmdet / mmpose checkpoints, for tests and benchmarks without any download.

Official weights cannot be downloaded here; a checkpoint saved from a freshly initialised model has
the same architecture, file format and cost, so the extraction chain and its speed can be checked
with any official config.
"""
import contextlib
import importlib
import io
import os
import os.path as osp
from typing import Any, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from .inference import ConfigType, load_config


def strip_pretrained(cfg: Any) -> Any:
    """Remove every ``init_cfg`` of type ``Pretrained`` (nested anywhere) so nothing downloads."""
    if isinstance(cfg, dict):
        out = {}
        for k, v in cfg.items():
            if k == 'init_cfg' and isinstance(v, dict) and v.get('type') == 'Pretrained':
                out[k] = None
                continue
            if k == 'init_cfg' and isinstance(v, (list, tuple)):
                v = [c for c in v if not (isinstance(c, dict) and c.get('type') == 'Pretrained')] or None
            out[k] = strip_pretrained(v)
        return type(cfg)(out) if not isinstance(cfg, Config) else out
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(strip_pretrained(c) for c in cfg)
    return cfg


def save_random_checkpoint(config: ConfigType,
                           out_dir: str,
                           name: Optional[str] = None,
                           cfg_options: Optional[dict] = None,
                           seed: int = 0) -> Tuple[str, str]:
    """Build a model from an mmdet / mmpose config with random weights and save it.

    Args:
        config: Config path or ``'mmdet::...'`` / ``'mmpose::...'`` name.
        out_dir: Folder receiving ``<name>.py`` (the resolved config, pretrained init removed)
            and ``<name>.pth`` (``{'state_dict', 'meta': {'dataset_meta', 'random_init': True}}``).
        name: File stem; defaults to the config's file stem.
        cfg_options: Config overrides applied before building (e.g. a smaller test input size).
        seed: Torch seed of the initialisation.

    Returns:
        ``(config path, checkpoint path)``.
    """
    cfg = load_config(config, cfg_options)
    cfg.model = strip_pretrained(cfg.model.to_dict() if hasattr(cfg.model, 'to_dict') else cfg.model)
    scope = cfg.get('default_scope', None)
    if scope not in ('mmdet', 'mmpose'):
        raise ValueError(f'{config}: default_scope must be mmdet or mmpose, got {scope!r}')
    name = name or osp.splitext(osp.basename(os.fspath(config).split('::')[-1]))[0]
    os.makedirs(out_dir, exist_ok=True)
    cfg_path, ckpt_path = osp.join(out_dir, name + '.py'), osp.join(out_dir, name + '.pth')
    registry = importlib.import_module(f'{scope}.registry').MODELS
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(scope):
        model = registry.build(cfg.model)
        with contextlib.redirect_stdout(io.StringIO()):  # the per-parameter init summary is long
            model.init_weights()
    meta = dict(random_init=True)
    if scope == 'mmdet':
        from mmdet.evaluation import get_classes
        classes = (cfg.get('metainfo') or {}).get('classes') or get_classes('coco')
        meta['dataset_meta'] = dict(classes=list(classes))
    torch.save(dict(state_dict=model.state_dict(), meta=meta), ckpt_path)
    cfg.dump(cfg_path)
    return cfg_path, ckpt_path


#: The project's default teacher configs (CONTRACT_VPD.md), relative to the repository root.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_DET_CONFIG = osp.join(REPO_ROOT, 'configs', 'teachers', 'rtmdet-nano_synthsport-generic.py')
DEFAULT_POSE_CONFIG = osp.join(REPO_ROOT, 'configs', 'teachers', 'rtmpose-t_synthsport-generic.py')


def random_teachers(out_dir: str,
                    det_config: ConfigType = DEFAULT_DET_CONFIG,
                    pose_config: ConfigType = DEFAULT_POSE_CONFIG,
                    det_cfg_options: Optional[dict] = None,
                    pose_cfg_options: Optional[dict] = None) -> dict:
    """Randomly initialised detector + pose checkpoints in ``out_dir`` (reused when present).

    Returns:
        ``{det_config, det_checkpoint, pose_config, pose_checkpoint}`` paths.
    """
    out = {}
    for kind, cfg, opts in (('det', det_config, det_cfg_options), ('pose', pose_config, pose_cfg_options)):
        cfg_path, ckpt = osp.join(out_dir, f'random_{kind}.py'), osp.join(out_dir, f'random_{kind}.pth')
        if not (osp.isfile(cfg_path) and osp.isfile(ckpt)):
            cfg_path, ckpt = save_random_checkpoint(cfg, out_dir, f'random_{kind}', opts)
        out[f'{kind}_config'], out[f'{kind}_checkpoint'] = cfg_path, ckpt
    return out

"""Refuse a checkpoint that does not fit the model it is loaded into.

mmengine loads ``load_from`` (``tools/test.py``'s CHECKPOINT) with ``strict=False`` and only logs the
keys that did not fit, so a checkpoint of another architecture is tested with the mismatched layers
left at their random initialisation. :func:`check_checkpoint_matches` compares names and shapes
first and refuses such a checkpoint, naming it.
"""
from typing import Dict, List

import torch


def _strip(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    return {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}


def checkpoint_mismatch(model: torch.nn.Module, checkpoint: str) -> List[str]:
    """What does not fit: shape mismatches, and missing / unexpected keys when there are both (a partial
    checkpoint, e.g. a backbone only, has missing keys only and fits). Empty when it fits."""
    from vpd_mm.compat import load_checkpoint_file
    ckpt = load_checkpoint_file(checkpoint, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    state = _strip({k: v for k, v in state.items() if isinstance(v, torch.Tensor)})
    model = getattr(model, 'module', model)
    own = model.state_dict()
    shapes = [f'size mismatch for {k}: {tuple(state[k].shape)} in the checkpoint, {tuple(v.shape)} in the model'
              for k, v in own.items() if k in state and tuple(state[k].shape) != tuple(v.shape)]
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    problems = shapes[:5]
    if missing and unexpected or not set(own) & set(state):
        problems += [f'{len(missing)} weights missing (e.g. {missing[:3]})',
                     f'{len(unexpected)} unexpected (e.g. {unexpected[:3]})']
    return problems


def check_checkpoint_matches(model: torch.nn.Module, checkpoint: str, config: str) -> None:
    """Raise ``ValueError`` naming ``checkpoint`` and ``config`` when the weights do not fit the model."""
    problems = checkpoint_mismatch(model, checkpoint)
    if problems:
        raise ValueError(f'{checkpoint}: does not match the model of {config} (another architecture or '
                         f'settings?): ' + '; '.join(problems))


def check_checkpoint_or_exit(model: torch.nn.Module, checkpoint: str, config: str) -> None:
    """:func:`check_checkpoint_matches` for the command-line tools: a mismatch ends the tool with its message."""
    import pickle
    try:
        check_checkpoint_matches(model, checkpoint, config)
    except (ValueError, OSError, pickle.UnpicklingError) as e:
        raise SystemExit(f'error: {e}') from None

"""Registry, base class and builder of the optical-flow backends.

A backend maps a pair of RGB uint8 crops ``(prev, cur)`` of shape ``(S, S, 3)`` to the raw float32
flow ``(S, S, 2)`` from ``prev`` to ``cur``: ``prev[y, x] ~ cur[y + v, x + u]`` with channel 0 =
u (x, positive to the right) and 1 = v (y, positive downwards). Median subtraction, clipping and
quantisation are not the backend's job (see :mod:`vpd_mm.crops.quantize`).

Backends are registered in :data:`FLOW_BACKENDS` and built from a config dict::

    flow = build_flow_backend(dict(type='DISFlow', preset='medium'))
    uv = flow(prev_rgb, cur_rgb)   # (S, S, 2) float32
"""
from typing import Dict, Union

import numpy as np
from mmengine.registry import Registry

FLOW_BACKENDS = Registry('flow backend')

#: Short names used on the command line and in ``meta.json["flow"]``.
FLOW_ALIASES: Dict[str, str] = {'dis': 'DISFlow', 'tvl1': 'TVL1Flow', 'raft': 'RAFTFlow'}


class BaseFlowBackend:
    """Base class: subclasses implement :meth:`compute` (one pair) or :meth:`compute_batch`."""

    #: Short name written into ``meta.json["flow"]``.
    short_name = 'base'
    #: Number of pairs the extraction loop should group per :meth:`batch` call.
    preferred_batch_size = 1

    def __call__(self, prev_rgb: np.ndarray, cur_rgb: np.ndarray) -> np.ndarray:
        """Flow from ``prev_rgb`` to ``cur_rgb`` (both ``(H, W, 3)`` uint8 RGB) as ``(H, W, 2)`` float32."""
        _check_pair(prev_rgb, cur_rgb, batched=False)
        return self.compute(prev_rgb, cur_rgb)

    def batch(self, prev_rgb: np.ndarray, cur_rgb: np.ndarray) -> np.ndarray:
        """Flow of ``(B, H, W, 3)`` pairs as ``(B, H, W, 2)`` float32."""
        _check_pair(prev_rgb, cur_rgb, batched=True)
        if len(prev_rgb) == 0:
            return np.zeros(prev_rgb.shape[:3] + (2, ), np.float32)
        return self.compute_batch(prev_rgb, cur_rgb)

    def compute(self, prev_rgb: np.ndarray, cur_rgb: np.ndarray) -> np.ndarray:
        """One pair (inputs already checked)."""
        return self.compute_batch(prev_rgb[None], cur_rgb[None])[0]

    def compute_batch(self, prev_rgb: np.ndarray, cur_rgb: np.ndarray) -> np.ndarray:
        """A batch of pairs (inputs already checked); the default loops over :meth:`compute`."""
        return np.stack([self.compute(p, c) for p, c in zip(prev_rgb, cur_rgb)])

    def config(self) -> dict:
        """Config dict that rebuilds this backend (recorded in ``meta.json``)."""
        return dict(type=type(self).__name__)


def _check_pair(prev: np.ndarray, cur: np.ndarray, batched: bool) -> None:
    ndim = 4 if batched else 3
    for name, img in (('prev', prev), ('cur', cur)):
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != ndim or img.shape[-1] != 3:
            shape = 'B, H, W, 3' if batched else 'H, W, 3'
            raise ValueError(f'{name} must be a uint8 ({shape}) RGB array, got '
                             f'{getattr(img, "dtype", type(img))} {getattr(img, "shape", "")}')
    if prev.shape != cur.shape:
        raise ValueError(f'prev and cur shapes differ: {prev.shape} vs {cur.shape}')


def build_flow_backend(cfg: Union[dict, str]) -> BaseFlowBackend:
    """Build a flow backend from ``dict(type=..., **kwargs)`` or a short name (``'dis'``, ...).

    Registry lookup happens without mmengine's default-scope switching, so this works the same
    inside and outside a Runner.
    """
    if isinstance(cfg, str):
        cfg = dict(type=cfg)
    cfg = dict(cfg)
    if 'type' not in cfg:
        raise ValueError(f'flow backend config needs a "type", got {cfg}')
    name = cfg.pop('type')
    name = FLOW_ALIASES.get(name, name)
    cls = FLOW_BACKENDS.get(name)
    if cls is None:
        raise KeyError(f'unknown flow backend {name!r}; registered: {sorted(FLOW_BACKENDS.module_dict)} '
                       f'(aliases {sorted(FLOW_ALIASES)})')
    return cls(**cfg)

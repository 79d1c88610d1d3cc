"""RAFT optical flow (torchvision's model) from a user-supplied weights file; never downloads."""
import os
from typing import Optional

import numpy as np

from .base import FLOW_BACKENDS, BaseFlowBackend


@FLOW_BACKENDS.register_module()
class RAFTFlow(BaseFlowBackend):
    """RAFT (Teed & Deng 2020), the paper's flow, via ``torchvision.models.optical_flow``.

    The model is built with ``weights=None`` (nothing is downloaded) and the state dict is loaded
    from ``weights``: e.g. torchvision's ``raft_small_C_T_V2-01064c6d.pth`` /
    ``raft_large_C_T_SKHT_V2-ff5fadd5.pth`` copied by hand, or a ``{'state_dict': ...}`` checkpoint.
    Crop sides must be multiples of 8 and at least 128 (the VPD default 128 works).

    Args:
        weights: Path of the weights file (required).
        model: ``'small'``, ``'large'`` or ``'auto'`` (try both architectures against the file).
        device: Torch device, e.g. ``'cpu'`` or ``'cuda'``.
        num_flow_updates: RAFT refinement iterations (torchvision's default 12).
        batch_size: Pairs per forward pass in the extraction loop.
    """

    short_name = 'raft'

    def __init__(self,
                 weights: Optional[str] = None,
                 model: str = 'auto',
                 device: str = 'cpu',
                 num_flow_updates: int = 12,
                 batch_size: int = 16) -> None:
        if not weights:
            raise ValueError('RAFTFlow needs a weights file (--raft-weights); weights are never downloaded')
        weights = os.fspath(weights)
        if not os.path.isfile(weights):
            raise FileNotFoundError(f'{weights}: RAFT weights file not found')
        if model not in ('auto', 'small', 'large'):
            raise ValueError(f'RAFTFlow model must be "auto", "small" or "large", got {model!r}')
        import torch
        self.weights, self.device, self.num_flow_updates = weights, device, int(num_flow_updates)
        self.preferred_batch_size = int(batch_size)
        state = _load_state_dict(weights)
        self.model_name, self._net = _build_matching_model(state, model, weights)
        self._net.to(torch.device(device)).eval()

    def compute_batch(self, prev_rgb: np.ndarray, cur_rgb: np.ndarray) -> np.ndarray:
        """RAFT flow of ``(B, H, W, 3)`` uint8 RGB pairs as ``(B, H, W, 2)`` float32, ``batch_size`` pairs per pass.

        Raises:
            ValueError: ``H`` or ``W`` is not a multiple of 8 or is below 128.
        """
        import torch
        h, w = prev_rgb.shape[1:3]
        if h % 8 or w % 8 or min(h, w) < 128:
            raise ValueError(
                f'RAFT needs image sides divisible by 8 and at least 128 (its 4-level correlation '
                f'pyramid at 1/8 resolution), got {h}x{w}')
        out = []
        with torch.inference_mode():
            for i in range(0, len(prev_rgb), self.preferred_batch_size):
                a = self._to_tensor(prev_rgb[i:i + self.preferred_batch_size])
                b = self._to_tensor(cur_rgb[i:i + self.preferred_batch_size])
                flow = self._net(a, b, num_flow_updates=self.num_flow_updates)[-1]
                out.append(flow.permute(0, 2, 3, 1).float().cpu().numpy())
        return np.concatenate(out).astype(np.float32, copy=False)

    def _to_tensor(self, imgs: np.ndarray):
        import torch
        x = torch.from_numpy(np.ascontiguousarray(imgs)).to(self.device).permute(0, 3, 1, 2).float()
        return x / 127.5 - 1.0  # torchvision's OpticalFlow preset: [0, 1] then normalise(0.5, 0.5)

    def config(self) -> dict:
        """Config dict that rebuilds this backend (with the resolved ``model`` name)."""
        return dict(
            type='RAFTFlow',
            weights=self.weights,
            model=self.model_name,
            device=str(self.device),
            num_flow_updates=self.num_flow_updates,
            batch_size=self.preferred_batch_size)

    def __getstate__(self):
        return self.config()

    def __setstate__(self, state):
        state = dict(state)
        state.pop('type')
        self.__init__(**state)


def _load_state_dict(path: str) -> dict:
    import torch
    try:
        obj = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - any failure means an unusable file
        raise ValueError(f'{path}: cannot load RAFT weights ({type(e).__name__}: {e})') from e
    for key in ('state_dict', 'model'):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
    if not isinstance(obj, dict) or not obj:
        raise ValueError(f'{path}: RAFT weights must be a state dict, got {type(obj).__name__}')
    return {k[len('module.'):] if k.startswith('module.') else k: v for k, v in obj.items()}


def _build_matching_model(state: dict, model: str, path: str):
    from torchvision.models.optical_flow import raft_large, raft_small
    builders = {'small': raft_small, 'large': raft_large}
    names = ['small', 'large'] if model == 'auto' else [model]
    errors = []
    for name in names:
        net = builders[name](weights=None, progress=False)
        try:
            net.load_state_dict(state, strict=True)
        except RuntimeError as e:
            errors.append(f'raft_{name}: {str(e).splitlines()[0]}')
            continue
        return name, net
    raise ValueError(f'{path}: weights do not match torchvision RAFT ({"; ".join(errors)})')

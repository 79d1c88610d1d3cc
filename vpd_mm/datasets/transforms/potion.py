"""PoTion-style aggregation of per-frame joint heatmaps into per-joint motion maps.

Choutas et al., "PoTion: Pose MoTion Representation for Action Recognition" (CVPR 2018), used as the
input of JMRN (REFERENCE.md section 5): every joint's heatmaps over the *whole* clip are summed with
``C`` piecewise-linear temporal weightings (for ``C = 3``: "early", "middle", "late"), giving one
``C x H x W`` motion map per joint whose colour encodes when the joint was where.
"""
from typing import Dict, Optional

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


def potion_temporal_weights(num_frames: int, num_channels: int = 3) -> np.ndarray:
    """The PoTion piecewise-linear temporal weightings.

    Frame ``t`` of ``T`` sits at ``s = t / (T - 1)`` in ``[0, 1]``; channel ``c`` is the hat function
    centred at ``c / (C - 1)`` with half-width ``1 / (C - 1)``. For ``C = 3``: ``max(0, 1 - 2s)``,
    ``1 - |2s - 1|`` and ``max(0, 2s - 1)``. The weights of a frame sum to 1.

    Args:
        num_frames (int): ``T >= 1``. A single frame gets weight 1 on the first channel.
        num_channels (int): ``C >= 2``.

    Returns:
        np.ndarray: ``(T, C)`` float32 weights.
    """
    if num_frames < 1:
        raise ValueError(f'PoTion needs at least one frame, got num_frames={num_frames}')
    if num_channels < 2:
        raise ValueError(f'PoTion needs num_channels >= 2, got {num_channels}')
    s = np.zeros(1) if num_frames == 1 else np.arange(num_frames) / (num_frames - 1)
    centres = np.arange(num_channels) / (num_channels - 1)
    weights = np.clip(1.0 - np.abs(s[:, None] - centres[None]) * (num_channels - 1), 0.0, None)
    return weights.astype(np.float32)


def potion_aggregate(heatmaps: np.ndarray, num_channels: int = 3, normalize: bool = True,
                     eps: float = 1e-6) -> np.ndarray:
    """Aggregate ``(T, K, H, W)`` heatmaps into ``(K, C, H, W)`` PoTion motion maps.

    Args:
        heatmaps (np.ndarray): Per-frame per-joint heatmaps, non-negative and finite.
        num_channels (int): Number of temporal weightings ``C``.
        normalize (bool): Divide every (joint, channel) map by its spatial maximum (PoTion's
            normalisation, so every map peaks at 1 whatever the clip length). A map that is all
            zero (joint never visible) stays zero.
        eps (float): Maps whose maximum is below ``eps`` count as empty.

    Returns:
        np.ndarray: ``(K, C, H, W)`` float32.

    Raises:
        ValueError: on a wrong number of dimensions, an empty clip or non-finite values.
    """
    heatmaps = np.asarray(heatmaps)
    if heatmaps.ndim != 4:
        raise ValueError('PoTion expects heatmaps of shape (T, K, H, W), got shape '
                         f'{tuple(heatmaps.shape)}')
    if heatmaps.shape[0] == 0:
        raise ValueError(f'PoTion got an empty clip: heatmaps of shape {tuple(heatmaps.shape)}')
    if not np.isfinite(heatmaps).all():
        raise ValueError('PoTion got non-finite (NaN/inf) heatmap values')
    t, k, h, w = heatmaps.shape
    weights = potion_temporal_weights(t, num_channels)
    # (C, T) @ (T, K*H*W): a BLAS matmul, ~10x faster than the equivalent einsum
    maps = (weights.T @ heatmaps.astype(np.float32, copy=False).reshape(t, -1))
    maps = maps.reshape(num_channels, k, h, w).transpose(1, 0, 2, 3)
    if normalize:
        peak = maps.max(axis=(2, 3), keepdims=True)
        maps = np.where(peak > eps, maps / np.maximum(peak, eps), 0.0)
    return np.ascontiguousarray(maps, dtype=np.float32)


@TRANSFORMS.register_module()
class PoTion(BaseTransform):
    """Turn a clip's per-joint heatmaps into per-joint PoTion motion maps.

    Put it after mmaction2's ``GeneratePoseTarget`` (which writes ``(T, K, H, W)`` heatmaps to
    ``imgs``, or to ``heatmap_imgs`` when ``imgs`` holds RGB frames) or after a transform that loads
    heatmaps saved by mmpose into one of these keys. The whole clip is aggregated (decode every
    frame, e.g. ``PoseDecode`` without a frame sampler).

    Required Keys:

        - imgs or heatmap_imgs (``in_key``): ``(T, K, H, W)`` heatmaps

    Modified Keys:

        - imgs or heatmap_imgs (``in_key``): ``(K, C, H, W)`` float32 motion maps

    Args:
        num_channels (int): Number of temporal weightings ``C``. Defaults to 3.
        normalize (bool): Per (joint, channel) max normalisation. Defaults to True.
        in_key (str, optional): ``'imgs'`` or ``'heatmap_imgs'``. Defaults to ``'heatmap_imgs'`` when
            present, else ``'imgs'``.
    """

    def __init__(self, num_channels: int = 3, normalize: bool = True,
                 in_key: Optional[str] = None) -> None:
        if num_channels < 2:
            raise ValueError(f'num_channels must be >= 2, got {num_channels}')
        if in_key not in (None, 'imgs', 'heatmap_imgs'):
            raise ValueError(f"in_key must be None, 'imgs' or 'heatmap_imgs', got {in_key!r}")
        self.num_channels = num_channels
        self.normalize = normalize
        self.in_key = in_key

    def transform(self, results: Dict) -> Dict:
        """Aggregate the heatmaps of ``results`` in place (see the class docstring)."""
        key = self.in_key
        if key is None:
            key = 'heatmap_imgs' if 'heatmap_imgs' in results else 'imgs'
        if key not in results:
            raise KeyError(f'PoTion needs heatmaps in results[{key!r}] (run GeneratePoseTarget '
                           f'first); keys present: {sorted(results)}')
        try:
            results[key] = potion_aggregate(results[key], self.num_channels, self.normalize)
        except ValueError as err:
            name = results.get('frame_dir', results.get('filename', '?'))
            raise ValueError(f'{err} (sample {name!r}, key {key!r})') from err
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_channels={self.num_channels}, '
                f'normalize={self.normalize}, in_key={self.in_key!r})')

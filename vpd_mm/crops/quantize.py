"""8-bit flow quantisation of VPD (REFERENCE.md section 3, CONTRACT_VPD.md "Crops + flow store").

``q = uint8(round((clip(f - median(f), -20, 20) + 20) * 255 / 41))`` and ``f ~ q * 41 / 255 - 20``.

The paper truncates (``astype(uint8)``); we round to the nearest level, which halves the worst-case
error to ``41 / 255 / 2 ~ 0.08`` px and leaves the dequantisation formula unchanged, so readers of
either variant are compatible. Zero flow is stored as level 124, i.e. dequantises to -0.063 px.
"""
import numpy as np

FLOW_CLIP = 20.0
FLOW_LEVELS_SCALE = 255.0 / 41.0  # levels per pixel of flow
FLOW_STEP = 41.0 / 255.0  # pixels of flow per level
FLOW_MAX_ABS_ERROR = FLOW_STEP / 2  # round-trip error bound inside [-20, 20]
FLOW_ZERO_LEVEL = int(round(FLOW_CLIP * FLOW_LEVELS_SCALE))  # the level zero flow is stored as (124)


def subtract_median(flow: np.ndarray) -> np.ndarray:
    """Subtract the per-image, per-channel median of a ``(..., H, W, 2)`` flow (camera motion)."""
    flow = np.asarray(flow, dtype=np.float32)
    return flow - np.median(flow, axis=(-3, -2), keepdims=True)


def quantize_flow(flow: np.ndarray,
                  subtract_median_first: bool = True,
                  clip: float = FLOW_CLIP) -> np.ndarray:
    """Quantise a float flow ``(..., H, W, 2)`` to uint8 levels.

    Args:
        flow: Optical flow in pixels, channel 0 = x (u), 1 = y (v).
        subtract_median_first: Subtract the per-image median first (VPD does; set False for flow
            that is already median-free).
        clip: Clip range in pixels; the 8-bit code assumes the VPD value 20.

    Returns:
        uint8 array of the same shape.
    """
    flow = np.asarray(flow, dtype=np.float32)
    if flow.shape[-1] != 2 or flow.ndim < 3:
        raise ValueError(f'flow must be (..., H, W, 2), got {flow.shape}')
    if not np.isfinite(flow).all():
        raise ValueError('flow has NaN/inf values')
    if subtract_median_first:
        flow = subtract_median(flow)
    levels = (np.clip(flow, -clip, clip) + FLOW_CLIP) * FLOW_LEVELS_SCALE
    return np.clip(np.rint(levels), 0, 255).astype(np.uint8)


def dequantize_flow(q: np.ndarray) -> np.ndarray:
    """Inverse of :func:`quantize_flow`: uint8 levels -> float32 pixels (``q * 41 / 255 - 20``)."""
    q = np.asarray(q)
    if q.dtype != np.uint8:
        raise ValueError(f'quantised flow must be uint8, got {q.dtype}')
    return q.astype(np.float32) * np.float32(FLOW_STEP) - np.float32(FLOW_CLIP)

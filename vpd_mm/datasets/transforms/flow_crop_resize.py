"""Deterministic resize of an RGB + flow crop."""
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

GEOMETRIC_KEYS = ('img', 'flow', 'mask')


def to_hw(size: Union[int, Sequence[int]]) -> Tuple[int, int]:
    """``int`` or ``(h, w)`` -> ``(h, w)``."""
    if isinstance(size, int):
        return size, size
    h, w = size
    return int(h), int(w)


def crop_and_resize(results: dict,
                    hw: Tuple[int, int],
                    box: Optional[Tuple[int, int, int, int]] = None) -> dict:
    """Crop ``box`` ``(y, x, h, w)`` (None: all) of ``img`` / ``flow`` / ``mask`` and resize to ``hw``.

    Bilinear for image and flow, nearest for the mask. Flow values are not rescaled (the paper treats
    flow channels like image channels).
    """
    h, w = hw
    for key in GEOMETRIC_KEYS:
        arr = results.get(key)
        if arr is None:
            continue
        if box is not None:
            y, x, bh, bw = box
            arr = arr[y:y + bh, x:x + bw]
        if arr.shape[:2] != (h, w):
            interp = cv2.INTER_NEAREST if key == 'mask' else cv2.INTER_LINEAR
            arr = cv2.resize(np.ascontiguousarray(arr), (w, h), interpolation=interp)
            if arr.ndim == 2 and key != 'mask':  # cv2 drops a trailing channel axis of size 1
                arr = arr[..., None]
        results[key] = np.ascontiguousarray(arr)
    results['img_shape'] = (h, w)
    return results


@TRANSFORMS.register_module()
class FlowCropResize(BaseTransform):
    """Resize ``img`` and ``flow`` (bilinear) and ``mask`` (nearest) to ``size``.

    Required Keys: ``img``; optional ``flow``, ``mask``.

    Modified Keys: ``img``, ``flow``, ``mask``, ``img_shape``.

    Args:
        size: Output size, ``int`` or ``(h, w)``.
    """

    def __init__(self, size: Union[int, Sequence[int]]) -> None:
        self.size = to_hw(size)

    def transform(self, results: dict) -> dict:
        """Resize ``img``, ``flow`` and ``mask`` to ``size`` (see :func:`crop_and_resize`).

        Returns:
            The results dict with the resized arrays and ``img_shape`` = ``size``.
        """
        return crop_and_resize(results, self.size)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size})'

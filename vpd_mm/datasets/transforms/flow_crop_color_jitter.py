"""Colour jitter of the RGB crop (the flow is left alone)."""
import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

_LEVELS = np.arange(256, dtype=np.float32)
_GRAY = (0.299, 0.587, 0.114)


def _lut(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


@TRANSFORMS.register_module()
class FlowCropColorJitter(BaseTransform):
    """torchvision-style ColorJitter of the uint8 RGB ``img``; ``flow`` is not touched.

    Factors are drawn uniformly: brightness and contrast in ``[1 - b, 1 + b]``, saturation in
    ``[1 - s, 1 + s]``, hue shift in ``[-h, h]`` of the hue circle; the four operations are applied in
    a random order, each clipped to [0, 255] (REFERENCE.md §2: 0.2, 0.2, 0.05, 0.05). Computed in
    uint8 with OpenCV look-up tables (hue in OpenCV's 180-step uint8 HSV), ~0.1 ms per 128 px crop.

    Required Keys: ``img`` uint8 ``(H, W, 3)`` RGB.

    Modified Keys: ``img``.

    Args:
        brightness: Brightness jitter strength.
        contrast: Contrast jitter strength.
        saturation: Saturation jitter strength.
        hue: Hue jitter, at most 0.5.
    """

    def __init__(self,
                 brightness: float = 0.2,
                 contrast: float = 0.2,
                 saturation: float = 0.05,
                 hue: float = 0.05) -> None:
        for name, v in dict(brightness=brightness, contrast=contrast, saturation=saturation).items():
            if v < 0:
                raise ValueError(f'{name} must be >= 0, got {v}')
        if not 0 <= hue <= 0.5:
            raise ValueError(f'hue must be in [0, 0.5], got {hue}')
        self.brightness, self.contrast, self.saturation, self.hue = brightness, contrast, saturation, hue

    def transform(self, results: dict) -> dict:
        """Apply brightness, contrast, saturation and hue jitter to ``img`` in a random order.

        Returns:
            The results dict with the jittered uint8 ``(H, W, 3)`` ``img``; ``flow`` is unchanged.

        Raises:
            ValueError: ``img`` is not a uint8 ``(H, W, 3)`` array.
        """
        img = results['img']
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(
                f'FlowCropColorJitter needs a uint8 (H, W, 3) RGB image, got {img.dtype} {img.shape}')
        for op in np.random.permutation(4):
            if op == 0 and self.brightness:
                b = np.random.uniform(max(0.0, 1 - self.brightness), 1 + self.brightness)
                img = cv2.LUT(img, _lut(_LEVELS * b))
            elif op == 1 and self.contrast:
                c = np.random.uniform(max(0.0, 1 - self.contrast), 1 + self.contrast)
                r, g, b_, _ = cv2.mean(img)
                m = _GRAY[0] * r + _GRAY[1] * g + _GRAY[2] * b_
                img = cv2.LUT(img, _lut((_LEVELS - m) * c + m))
            elif op == 2 and self.saturation:
                s = np.random.uniform(max(0.0, 1 - self.saturation), 1 + self.saturation)
                gray = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
                img = cv2.addWeighted(img, s, gray, 1 - s, 0)
            elif op == 3 and self.hue:
                shift = int(round(np.random.uniform(-self.hue, self.hue) * 180))
                if shift:
                    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)  # uint8: H in [0, 180)
                    lut = np.stack([(np.arange(256) + shift) % 180, np.arange(256), np.arange(256)], axis=-1)
                    hsv = cv2.LUT(hsv, lut.astype(np.uint8).reshape(256, 1, 3))
                    img = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
        results['img'] = img
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}, '
                f'saturation={self.saturation}, hue={self.hue})')

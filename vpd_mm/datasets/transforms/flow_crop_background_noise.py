"""Gaussian noise on the background (outside the athlete mask) of the RGB crop."""
from typing import Dict, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class FlowCropBackgroundNoise(BaseTransform):
    """With probability ``prob``, add ``N(0, std)`` noise to the RGB ``img`` where ``mask == 0``.

    Makes the student ignore the background (REFERENCE.md §2: "Gaussian noise on the background where
    a mask exists"). Items without a ``mask`` pass through unchanged. ``std`` is in uint8 levels; the
    paper gives no value, 25.5 (10 % of the range) is our default. For speed, the noise is a random
    window (and sign) of a per-process bank of Gaussian samples twice the image size.

    Required Keys: ``img`` uint8 ``(H, W, 3)``; optional ``mask`` ``(H, W)`` (non-zero = athlete).

    Modified Keys: ``img``.

    Args:
        std: Noise standard deviation in uint8 levels.
        prob: Probability of adding noise to an item that has a mask.
    """

    def __init__(self, std: float = 25.5, prob: float = 0.5) -> None:
        if std < 0:
            raise ValueError(f'std must be >= 0, got {std}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.std, self.prob = float(std), prob
        self._banks: Dict[Tuple[int, ...], np.ndarray] = {}

    def _noise(self, shape: Tuple[int, ...]) -> np.ndarray:
        bank = self._banks.get(shape)
        if bank is None:
            rng = np.random.default_rng(np.random.randint(2**31))
            bank = np.rint(rng.standard_normal((2 * shape[0], 2 * shape[1]) + shape[2:]) * self.std)
            bank = self._banks[shape] = np.clip(bank, -255, 255).astype(np.int16)
        y, x = np.random.randint(0, shape[0] + 1), np.random.randint(0, shape[1] + 1)
        window = bank[y:y + shape[0], x:x + shape[1]]
        return -window if np.random.rand() < 0.5 else window

    def transform(self, results: dict) -> dict:
        """With probability ``prob``, add Gaussian noise to ``img`` where ``mask == 0``.

        Items without a ``mask`` (or with ``std == 0``) are returned unchanged.

        Returns:
            The results dict with the noised uint8 ``img``.

        Raises:
            ValueError: ``mask`` does not have the image's height and width.
        """
        mask = results.get('mask')
        if mask is None or not self.std or np.random.rand() >= self.prob:
            return results
        img = results['img']
        if mask.shape != img.shape[:2]:
            raise ValueError(
                f'FlowCropBackgroundNoise: mask {mask.shape} does not match image {img.shape[:2]}')
        out = img.astype(np.int16)
        np.add(out, self._noise(img.shape), out=out, where=(mask == 0)[..., None])
        results['img'] = np.clip(out, 0, 255).astype(np.uint8)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(std={self.std}, prob={self.prob})'

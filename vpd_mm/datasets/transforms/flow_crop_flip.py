"""Chirality-preserving horizontal flip of an RGB + flow crop and its distillation targets."""
import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

# Mirroring negates the x-flow. In the store's 8-bit code (f = q * 41 / 255 - 20) the nearest level
# of -f is 249 - q (zero flow sits at level 124.39): the exact negation about level 124.5, off by
# 0.11 level = 0.018 px. The data preprocessor uses 124.5 as the flow mean so that the flip of a
# normalised input is exactly a sign change (PoseDistillationRecognizer's test-time flip).
FLOW_FLIP_SUM = 249
FLOW_FLIP_CENTER = FLOW_FLIP_SUM / 2
_NEGATE_X_LUT = np.stack([np.clip(FLOW_FLIP_SUM - np.arange(256), 0, 255),
                          np.arange(256)], axis=-1).astype(np.uint8).reshape(256, 1, 2)


def flip_flow(flow: np.ndarray) -> np.ndarray:
    """Mirror a quantised uint8 ``(H, W, 2)`` flow left-right and negate its x channel (``q -> 249 - q``)."""
    return cv2.LUT(cv2.flip(flow, 1), _NEGATE_X_LUT)


@TRANSFORMS.register_module()
class FlowCropFlip(BaseTransform):
    """With probability ``prob``: mirror the crop, negate the x-flow and use the flipped teacher target.

    The teacher files give ``(2, D)`` targets ``[original, flipped]`` (for VIPE* the flipped row is
    the embedding of the mirrored 2D pose, i.e. left and right swapped), so a mirrored image is
    paired with the teacher's features of the mirrored pose and the student learns chirality
    rather than invariance. The rows of ``target`` and ``prev_target`` are swapped, so row 0 is
    always the target of the image as it now is (two flips cancel).

    Required Keys: ``img``; optional ``flow`` (quantised uint8, x = channel 0), ``mask``, ``target``,
    ``prev_target``.

    Modified Keys: ``img``, ``flow``, ``mask``, ``target``, ``prev_target``.

    Added Keys: ``flip`` (bool, toggled when flipped).

    Args:
        prob: Flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """With probability ``prob``, mirror ``img`` / ``flow`` / ``mask`` and swap the rows of the targets.

        See the class docstring for the keys.

        Returns:
            The results dict with the mirrored arrays, the rows of ``target`` / ``prev_target`` swapped and
            ``flip`` toggled (from ``False`` when absent).

        Raises:
            ValueError: A target to swap is not ``(2, D)``.
        """
        flipped = bool(results.get('flip', False))
        if np.random.rand() < self.prob:
            results['img'] = cv2.flip(results['img'], 1)
            if results.get('flow') is not None:
                results['flow'] = flip_flow(results['flow'])
            if results.get('mask') is not None:
                results['mask'] = cv2.flip(results['mask'], 1)
            for key in ('target', 'prev_target'):
                if key in results:
                    t = np.asarray(results[key])
                    if t.ndim != 2 or t.shape[0] != 2:
                        raise ValueError(
                            f'FlowCropFlip: {key} must be (2, D) [original, flipped], got {t.shape}')
                    results[key] = np.ascontiguousarray(t[::-1])
            flipped = not flipped
        results['flip'] = flipped
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'

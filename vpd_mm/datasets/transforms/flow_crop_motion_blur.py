"""Random linear motion blur of the RGB crop (the flow is left alone)."""
import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


def motion_blur_kernel(length: int, angle: float) -> np.ndarray:
    """Normalised ``(length, length)`` kernel of a line of ``length`` pixels at ``angle`` degrees."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    centre = ((length - 1) / 2.0, (length - 1) / 2.0)
    rot = cv2.getRotationMatrix2D(centre, angle, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length), flags=cv2.INTER_LINEAR)
    return kernel / kernel.sum()


@TRANSFORMS.register_module()
class FlowCropMotionBlur(BaseTransform):
    """Blur the uint8 RGB ``img`` along a random line, as a fast-moving athlete is blurred on video.

    The weak-supervision gate keeps the frames where the teacher is confident, mostly calm and sharp
    ones; blurring some of them teaches the student the blurred appearance its teacher fails on, with a
    target that is still right (the pose did not change). The flow is not touched. Not in the paper's
    augmentation list (REFERENCE.md §2): an option of this project, off unless configured.

    Required Keys: ``img`` uint8 ``(H, W, 3)`` RGB.

    Modified Keys: ``img``.

    Args:
        prob: Probability of blurring a sample.
        length: ``(min, max)`` blur length in pixels of the crop as loaded (uniform integer).
    """

    def __init__(self, prob: float = 0.3, length: tuple = (3, 9)) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        lo, hi = length
        if not 2 <= lo <= hi:
            raise ValueError(f'length must be (min, max) with 2 <= min <= max, got {length}')
        self.prob, self.length = prob, (int(lo), int(hi))

    def transform(self, results: dict) -> dict:
        """With probability ``prob``, blur ``img`` with a line kernel of random length and angle.

        Returns:
            The results dict with the (possibly) blurred uint8 ``img``; ``flow`` is unchanged.

        Raises:
            ValueError: ``img`` is not a uint8 ``(H, W, 3)`` array.
        """
        img = results['img']
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(
                f'FlowCropMotionBlur needs a uint8 (H, W, 3) RGB image, got {img.dtype} {img.shape}')
        if np.random.rand() < self.prob:
            kernel = motion_blur_kernel(np.random.randint(self.length[0], self.length[1] + 1),
                                        np.random.uniform(0.0, 180.0))
            results['img'] = cv2.filter2D(img, -1, kernel, borderType=cv2.BORDER_REFLECT)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob}, length={self.length})'

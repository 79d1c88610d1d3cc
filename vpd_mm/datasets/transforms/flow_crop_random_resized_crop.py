"""RandomResizedCrop applied identically to the RGB crop, its flow and its mask."""
import math
from typing import Sequence, Tuple, Union

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .flow_crop_resize import crop_and_resize, to_hw


@TRANSFORMS.register_module()
class FlowCropRandomResizedCrop(BaseTransform):
    """Crop a random region (area fraction ``scale``, aspect ratio ``ratio``) and resize it to ``size``.

    torchvision's RandomResizedCrop sampling (10 tries, then a centre crop), the same region for
    ``img``, ``flow`` (all 5 channels, REFERENCE.md §2: scale 0.5-1, ratio 0.9-1.1) and ``mask``.
    Flow values are not rescaled.

    Required Keys: ``img``; optional ``flow``, ``mask``.

    Modified Keys: ``img``, ``flow``, ``mask``, ``img_shape``.

    Added Keys: ``crop_bbox`` ``(x1, y1, x2, y2)`` of the region in the input.

    Args:
        size: Output size, ``int`` or ``(h, w)``.
        scale: Range of the region's area fraction.
        ratio: Range of the region's width / height.
    """

    def __init__(
        self,
        size: Union[int, Sequence[int]],
        scale: Tuple[float, float] = (0.5, 1.0),
        ratio: Tuple[float, float] = (0.9, 1.1)
    ) -> None:
        if not 0 < scale[0] <= scale[1] <= 1:
            raise ValueError(f'scale must satisfy 0 < min <= max <= 1, got {scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must satisfy 0 < min <= max, got {ratio}')
        self.size = to_hw(size)
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)

    def sample_region(self, h: int, w: int) -> Tuple[int, int, int, int]:
        """``(y, x, height, width)`` of a random region of an ``h x w`` image."""
        area = h * w
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target = area * np.random.uniform(*self.scale)
            aspect = math.exp(np.random.uniform(*log_ratio))
            cw = int(round(math.sqrt(target * aspect)))
            ch = int(round(math.sqrt(target / aspect)))
            if 0 < cw <= w and 0 < ch <= h:
                y = int(np.random.randint(0, h - ch + 1))
                x = int(np.random.randint(0, w - cw + 1))
                return y, x, ch, cw
        aspect = w / h
        if aspect < self.ratio[0]:
            cw, ch = w, int(round(w / self.ratio[0]))
        elif aspect > self.ratio[1]:
            ch, cw = h, int(round(h * self.ratio[1]))
        else:
            cw, ch = w, h
        return (h - ch) // 2, (w - cw) // 2, ch, cw

    def transform(self, results: dict) -> dict:
        """Crop one random region of ``img`` (and ``flow`` / ``mask``) and resize it to ``size``.

        See the class docstring for the keys.

        Returns:
            The results dict with the cropped and resized arrays, ``img_shape`` and ``crop_bbox``
            ``(x1, y1, x2, y2)``.
        """
        y, x, ch, cw = self.sample_region(*results['img'].shape[:2])
        results['crop_bbox'] = (x, y, x + cw, y + ch)
        return crop_and_resize(results, self.size, (y, x, ch, cw))

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, scale={self.scale}, ratio={self.ratio})'

"""Crop a pose clip to the extent of its joints (numpy-2-safe stand-in for mmaction2's PoseCompact)."""
from typing import Dict

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .pose_aware_augmentation import check_keypoints


@TRANSFORMS.register_module()
class PoseClipCrop(BaseTransform):
    """Translate keypoints into a box around all confident joints of the whole clip.

    The box is the joints' bounding box over every frame and person, enlarged by ``padding`` and
    made square (``square=True``) around its centre; it may extend past the image (the canvas is
    virtually padded). mmaction2 1.2's ``PoseCompact`` does the same but uses ``np.Inf``, which
    numpy 2 removed. One box per clip keeps the motion inside the clip intact.

    Required Keys:

        - keypoint: ``(M, T, V, 2)`` finite
        - img_shape
        - keypoint_score (optional): joints with score <= ``score_thr`` are ignored for the box

    Modified Keys:

        - keypoint (shifted by the box origin)
        - img_shape (the box size ``(h, w)``)

    Added Keys:

        - crop_box: ``(x0, y0, x1, y1)`` in the input coordinates

    Args:
        padding (float): Relative enlargement of the box. Defaults to 0.25.
        square (bool): Make the box square. Defaults to True.
        min_size (float): Boxes smaller than this (pixels) are grown to it. Defaults to 10.
        score_thr (float): Score threshold for joints used to fit the box. Defaults to 0.
    """

    def __init__(self, padding: float = 0.25, square: bool = True, min_size: float = 10.0,
                 score_thr: float = 0.0) -> None:
        if padding < 0 or min_size <= 0:
            raise ValueError(f'padding must be >= 0 and min_size > 0, got {padding}, {min_size}')
        self.padding = padding
        self.square = square
        self.min_size = min_size
        self.score_thr = score_thr

    def transform(self, results: Dict) -> Dict:
        """Crop ``results`` (see the class docstring)."""
        kp = results['keypoint']
        check_keypoints(kp, f"keypoint of sample {results.get('frame_dir', '?')!r}")
        valid = np.ones(kp.shape[:3], bool)
        if 'keypoint_score' in results:
            valid = results['keypoint_score'] > self.score_thr
        if not valid.any():
            return results  # nothing to fit: keep the full frame
        pts = kp[..., :2][valid]
        lo, hi = pts.min(0), pts.max(0)
        centre = (lo + hi) / 2
        half = np.maximum((hi - lo) / 2 * (1 + self.padding), self.min_size / 2)
        if self.square:
            half[:] = half.max()
        x0, y0 = np.floor(centre - half)
        x1, y1 = np.ceil(centre + half)
        kp = kp.astype(np.float32, copy=True)
        kp[..., 0] -= x0
        kp[..., 1] -= y0
        results['keypoint'] = kp
        results['img_shape'] = (int(y1 - y0), int(x1 - x0))
        results['crop_box'] = np.array([x0, y0, x1, y1], np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(padding={self.padding}, square={self.square}, '
                f'min_size={self.min_size}, score_thr={self.score_thr})')

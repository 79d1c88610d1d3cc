"""Random-camera 2D views of 3D poses for VIPE*."""
from typing import Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...pose.camera import ELEVATION_RANGE, ROLL_RANGE, SCORE_RANGE, YAW_RANGE, random_views


@TRANSFORMS.register_module()
class RandomCameraViews(BaseTransform):
    """Project the anchor from ``num_views`` random cameras and the negative from one more.

    Orthographic projection, yaw / elevation / roll drawn uniformly from the given ranges, per-joint
    confidences uniform in ``score_range`` (see :mod:`vpd_mm.pose.camera`).

    Required Keys: ``joints3d``, ``rng``; optional ``neg_joints3d``.

    Added Keys: ``poses2d`` ``(num_views [+ 1], 17, 3)`` float32 COCO ``[x, y, score]``; the last
    row is the negative's view when ``neg_joints3d`` exists.

    Args:
        num_views: Views of the anchor. Defaults to 2.
        yaw_range, elevation_range, roll_range: Angle ranges in radians.
        score_range: Confidence range. Defaults to (0.5, 1).
    """

    def __init__(self,
                 num_views: int = 2,
                 yaw_range: Tuple[float, float] = YAW_RANGE,
                 elevation_range: Tuple[float, float] = ELEVATION_RANGE,
                 roll_range: Tuple[float, float] = ROLL_RANGE,
                 score_range: Tuple[float, float] = SCORE_RANGE) -> None:
        if num_views < 1:
            raise ValueError(f'num_views must be >= 1, got {num_views}')
        self.num_views = num_views
        self.ranges = dict(
            yaw_range=tuple(yaw_range), elevation_range=tuple(elevation_range), roll_range=tuple(roll_range))
        self.score_range = tuple(score_range)

    def transform(self, results: dict) -> dict:
        """Project ``joints3d`` from ``num_views`` random cameras and ``neg_joints3d`` (if present) from one.

        Returns:
            The results dict with ``poses2d`` ``(num_views [+ 1], 17, 3)``; the last view is the negative's
            when ``neg_joints3d`` exists.
        """
        rng = results['rng']
        views = [random_views(results['joints3d'], rng, self.num_views, self.score_range, **self.ranges)]
        if 'neg_joints3d' in results:
            views.append(random_views(results['neg_joints3d'], rng, 1, self.score_range, **self.ranges))
        results['poses2d'] = np.concatenate(views, axis=0)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_views={self.num_views}, {self.ranges}, '
                f'score_range={self.score_range})')

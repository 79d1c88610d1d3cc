"""Pose-aware augmentation (PAA) of JMRN on 2D keypoints, before heatmaps are rendered."""
from typing import Dict, Optional, Sequence

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from vpd_mm.datasets.joint_layouts import get_joint_layout, lr_permutation


def check_keypoints(keypoint: np.ndarray, where: str = 'keypoint') -> None:
    """Raise a ValueError unless ``keypoint`` is a finite ``(M, T, V, 2|3)`` array."""
    if not isinstance(keypoint, np.ndarray) or keypoint.ndim != 4 or keypoint.shape[-1] not in (2, 3):
        shape = getattr(keypoint, 'shape', type(keypoint).__name__)
        raise ValueError(f'{where} must be an array of shape (M, T, V, 2) or (M, T, V, 3), got {shape}')
    if not np.isfinite(keypoint[..., :2]).all():
        bad = np.argwhere(~np.isfinite(keypoint[..., :2]).all(-1))[0].tolist()
        raise ValueError(f'{where} contains NaN/inf coordinates (first at person, frame, joint = {bad}); '
                         'fill or drop missing joints and give them keypoint_score 0')


@TRANSFORMS.register_module()
class PoseAwareAugmentation(BaseTransform):
    """JMRN's pose-aware augmentation: global shift, group-wise shifts, L/R-aware horizontal flip.

    1. Global translation: one ``(dx, dy)`` uniform in ``[-beta, beta]`` pixels for the whole clip.
    2. Group-wise translation: one ``(dx, dy)`` uniform in ``[-gamma, gamma]`` per joint group (head,
       left/right arm, left/right leg); torso joints belong to no group and stay fixed.
    3. With probability ``flip_ratio``: ``x -> (W - 1) - x`` and left/right joints swapped (so the
       heatmaps rendered afterwards are exactly the mirrored, L/R-swapped originals).

    The same jitter is used for every frame and every person of the clip. Offsets are in pixels of
    the current ``img_shape``; place the transform after ``Resize`` to give them in heatmap pixels.

    Required Keys:

        - keypoint: ``(M, T, V, 2)`` float, finite
        - img_shape: ``(H, W)``
        - keypoint_score (optional): ``(M, T, V)``, permuted with the joints on flip

    Modified Keys:

        - keypoint
        - keypoint_score (optional)

    Added Keys:

        - flip (bool), flip_direction ('horizontal' when flipped)
        - paa_global_shift: ``(2,)`` float32 global ``(dx, dy)``
        - paa_group_shifts: ``(G, 2)`` float32 per-group ``(dx, dy)``, groups in ``groups`` order

    Args:
        beta (float): Max global shift in pixels. Defaults to 0 (off).
        gamma (float): Max group shift in pixels. Defaults to 0 (off).
        flip_ratio (float): Probability of a horizontal flip. Defaults to 0.5.
        layout (str, optional): A layout of :mod:`vpd_mm.datasets.joint_layouts` (``'jhmdb15'``,
            ``'coco17'``) giving ``groups``, ``left_kp`` and ``right_kp`` unless those are given.
        groups (Sequence[Sequence[int]] | dict, optional): Joint groups moved independently.
        left_kp (Sequence[int], optional): Left joints, swapped with ``right_kp`` on flip.
        right_kp (Sequence[int], optional): Right joints.
        seed (int, optional): Seed of a private random generator (tests); default uses numpy's
            global generator, which the mmengine worker seeding controls.
    """

    def __init__(self, beta: float = 0.0, gamma: float = 0.0, flip_ratio: float = 0.5,
                 layout: Optional[str] = None, groups=None, left_kp: Optional[Sequence[int]] = None,
                 right_kp: Optional[Sequence[int]] = None, seed: Optional[int] = None) -> None:
        if beta < 0 or gamma < 0:
            raise ValueError(f'beta and gamma must be >= 0, got beta={beta}, gamma={gamma}')
        if not 0.0 <= flip_ratio <= 1.0:
            raise ValueError(f'flip_ratio must be in [0, 1], got {flip_ratio}')
        spec = get_joint_layout(layout) if layout is not None else {}
        groups = spec.get('groups', ()) if groups is None else groups
        if isinstance(groups, dict):
            groups = list(groups.values())
        self.groups = [tuple(int(j) for j in g) for g in groups]
        self.left_kp = tuple(spec.get('left', ()) if left_kp is None else left_kp)
        self.right_kp = tuple(spec.get('right', ()) if right_kp is None else right_kp)
        if len(self.left_kp) != len(self.right_kp):
            raise ValueError(f'left_kp and right_kp differ in length: {self.left_kp} vs {self.right_kp}')
        if flip_ratio > 0 and not self.left_kp:
            raise ValueError('flip_ratio > 0 needs left_kp/right_kp (or a layout) to swap L/R joints')
        self.beta = float(beta)
        self.gamma = float(gamma)
        self.flip_ratio = float(flip_ratio)
        self.layout = layout
        self.rng = np.random.default_rng(seed) if seed is not None else None

    def _uniform(self, low: float, high: float, size) -> np.ndarray:
        if self.rng is not None:
            return self.rng.uniform(low, high, size)
        return np.random.uniform(low, high, size)

    def _rand(self) -> float:
        return float(self.rng.random()) if self.rng is not None else float(np.random.rand())

    def transform(self, results: Dict) -> Dict:
        """Augment ``results['keypoint']`` (see the class docstring)."""
        kp = results['keypoint']
        check_keypoints(kp, f"keypoint of sample {results.get('frame_dir', '?')!r}")
        num_joints = kp.shape[2]
        for group in self.groups:
            if any(not 0 <= j < num_joints for j in group):
                raise ValueError(f'PAA joint group {group} out of range for {num_joints} joints')
        kp = kp.astype(np.float32, copy=True)

        global_shift = self._uniform(-self.beta, self.beta, 2).astype(np.float32)
        kp[..., :2] += global_shift
        group_shifts = self._uniform(-self.gamma, self.gamma, (len(self.groups), 2)).astype(np.float32)
        for group, shift in zip(self.groups, group_shifts):
            kp[:, :, list(group), :2] += shift

        flip = self.flip_ratio > 0 and self._rand() < self.flip_ratio
        if flip:
            _, img_w = results['img_shape']
            perm = lr_permutation(num_joints, self.left_kp, self.right_kp)
            kp[..., 0] = (img_w - 1) - kp[..., 0]
            kp = kp[:, :, perm]
            if 'keypoint_score' in results:
                results['keypoint_score'] = results['keypoint_score'][:, :, perm]
            results['flip_direction'] = 'horizontal'
        results['flip'] = flip
        results['keypoint'] = kp
        results['paa_global_shift'] = global_shift
        results['paa_group_shifts'] = group_shifts.reshape(len(self.groups), 2)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(beta={self.beta}, gamma={self.gamma}, '
                f'flip_ratio={self.flip_ratio}, groups={self.groups}, left_kp={self.left_kp}, '
                f'right_kp={self.right_kp})')

"""In-plane rotation of an RGB + flow crop together with its normalized 2D joint targets."""
import cv2
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...crops.quantize import FLOW_ZERO_LEVEL
from .flow_crop_flip import FLOW_FLIP_CENTER


def rotate_joint_features(feat: np.ndarray, rot: np.ndarray, num_joints: int) -> np.ndarray:
    """Rotate the ``(x, y)`` of normalized joint features ``(..., num_joints * 3)`` by ``rot``.

    The features are centred on the hip midpoint and scaled by the torso size, both unchanged by a
    rotation about any point, so rotating the image rotates every joint's ``(x, y)`` by ``rot``; the
    score column is kept.
    """
    out = np.array(feat, dtype=np.float32, copy=True)
    joints = out.reshape(out.shape[:-1] + (num_joints, 3))
    joints[..., :2] = joints[..., :2] @ rot.T
    return out


def rotate_flow(flow: np.ndarray, affine: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Turn the vectors of a quantised uint8 ``(H, W, 2)`` flow by ``rot``, then warp it by ``affine``.

    The vectors turn about level 124.5 (see :data:`FLOW_FLIP_CENTER`); pixels from outside the crop
    get the store's zero-flow level. (Turning the vectors commutes with the bilinear warp.)
    """
    h, w = flow.shape[:2]
    vec = (flow.astype(np.float32) - FLOW_FLIP_CENTER) @ rot.T + FLOW_FLIP_CENTER
    turned = np.clip(np.rint(vec), 0, 255).astype(np.uint8)
    return cv2.warpAffine(turned, affine, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(FLOW_ZERO_LEVEL,) * 2)


@TRANSFORMS.register_module()
class FlowCropRandomRotate(BaseTransform):
    """With probability ``prob``, rotate the crop, its flow and its 2D joint targets by one random angle.

    The confidence gate keeps the frames a 2D pose teacher gets right, which are mostly upright: the
    teacher fails on inverted athletes. Rotating a confident frame and its target pose together
    shows the student inverted (and tilted) athletes with a pose that is still right (on SynthSport
    the CPU demo student's inverted-frame error fell, but its upright frames paid for it: see
    docs/results.md). The image turns about the crop centre (pixels from outside are zero, as the
    crop store pads), the flow field turns and so do its vectors, and the targets' joints turn about
    the hip centre. Row 0 of a ``(2, D)`` target (the image as it is) turns by the angle and row 1
    (the mirrored image's pose, see :class:`FlowCropFlip`) by its negative, so the pair stays
    consistent for a later flip. Not in the paper's augmentation list (REFERENCE.md §2): an option
    of this project, off unless configured, and only for normalized 2D joint targets (2D-VPD): a
    VIPE* target cannot be turned without its model.

    Required Keys: ``img`` uint8 ``(H, W, 3)``; optional ``flow`` (quantised uint8, x = channel 0),
    ``mask``, ``target``, ``prev_target`` (``(2, D)`` or ``(D,)`` with ``D = num_joints * 3``).

    Modified Keys: ``img``, ``flow``, ``mask``, ``target``, ``prev_target``.

    Added Keys: ``rotation`` (the angle in degrees, 0 when not rotated).

    Args:
        prob: Probability of rotating a sample.
        max_angle: Angles are uniform in ``[-max_angle, max_angle]`` degrees (180: any angle).
        num_joints: Joints per target (13 for VPD's normalized 2D joints).
    """

    def __init__(self, prob: float = 0.5, max_angle: float = 180.0, num_joints: int = 13) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        if not 0 < max_angle <= 180:
            raise ValueError(f'max_angle must be in (0, 180] degrees, got {max_angle}')
        if num_joints < 1:
            raise ValueError(f'num_joints must be positive, got {num_joints}')
        self.prob, self.max_angle, self.num_joints = prob, float(max_angle), int(num_joints)

    def _check_target(self, key: str, target: np.ndarray, results: dict) -> None:
        dim = self.num_joints * 3
        if target.shape[-1] != dim or target.ndim not in (1, 2) or (target.ndim == 2 and len(target) != 2):
            where = f"{results.get('video', '?')} frame {results.get('frame', '?')}"
            raise ValueError(
                f'FlowCropRandomRotate turns normalized 2D joint targets ({self.num_joints} joints x '
                f'[x, y, score] = {dim} values, as (D,) or (2, D)); the {key} of {where} has shape '
                f'{target.shape}. Rotation is for 2D-VPD teachers only (not VIPE* or concatenations).')

    def transform(self, results: dict) -> dict:
        """With probability ``prob``, rotate the crop, its flow, mask and joint targets by one random angle.

        See the class docstring for the keys.

        Returns:
            The results dict with the rotated arrays and targets and ``rotation`` (degrees, 0.0 if not rotated).

        Raises:
            ValueError: A ``target`` / ``prev_target`` is not ``(D,)`` or ``(2, D)`` with ``D = num_joints * 3``.
        """
        targets = {key: np.asarray(results[key]) for key in ('target', 'prev_target') if key in results}
        for key, target in targets.items():
            self._check_target(key, target, results)
        angle = 0.0
        if np.random.rand() < self.prob:
            angle = float(np.random.uniform(-self.max_angle, self.max_angle))
            img = results['img']
            h, w = img.shape[:2]
            # positive angles turn the picture counter-clockwise as displayed (image y points down)
            affine = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, 1.0)
            rot = affine[:, :2].astype(np.float32)  # its linear part turns vectors and joint offsets
            results['img'] = cv2.warpAffine(img, affine, (w, h), flags=cv2.INTER_LINEAR,
                                            borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            if results.get('flow') is not None:
                results['flow'] = rotate_flow(results['flow'], affine, rot)
            if results.get('mask') is not None:
                results['mask'] = cv2.warpAffine(results['mask'], affine, (w, h), flags=cv2.INTER_NEAREST,
                                                 borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            for key, target in targets.items():
                turned = rotate_joint_features(target, rot, self.num_joints)
                if target.ndim == 2:  # the mirrored image's pose turns the other way
                    turned[1] = rotate_joint_features(target[1], rot.T, self.num_joints)
                results[key] = turned
        results['rotation'] = angle
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, max_angle={self.max_angle}, '
                f'num_joints={self.num_joints})')

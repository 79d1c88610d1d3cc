"""Random left/right flip of VIPE*'s 3D poses."""
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...pose.canonical3d import flip_pose3d


@TRANSFORMS.register_module()
class RandomFlipPose3D(BaseTransform):
    """Mirror the 3D anchor (and negative) pose left/right with probability ``prob``.

    Flipping the 3D pose before :class:`RandomCameraViews` and :class:`Canonical3DTargets` flips
    the 2D views and the 3D target together (a mirrored pose seen by a mirrored camera is the
    mirrored image; the camera distribution is mirror-symmetric).

    Required Keys: ``joints3d``, ``rng``; optional ``neg_joints3d``.

    Modified Keys: ``joints3d``, ``neg_joints3d``.

    Added Keys: ``flip`` (bool).

    Args:
        prob: Flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """With probability ``prob``, mirror ``joints3d`` (and ``neg_joints3d``) left/right.

        Returns:
            The results dict with the (possibly) flipped poses and ``flip`` (bool).
        """
        flip = bool(results['rng'].random() < self.prob)
        if flip:
            results['joints3d'] = flip_pose3d(results['joints3d'])
            if 'neg_joints3d' in results:
                results['neg_joints3d'] = flip_pose3d(results['neg_joints3d'])
        results['flip'] = flip
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'

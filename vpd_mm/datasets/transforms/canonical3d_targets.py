"""Canonical 3D reconstruction targets of VIPE*."""
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...pose.canonical3d import pose3d_targets


@TRANSFORMS.register_module()
class Canonical3DTargets(BaseTransform):
    """Compute the 91-d per-bone target of the anchor pose (:func:`vpd_mm.pose.canonical3d.pose3d_targets`).

    Required Keys: ``joints3d``.

    Added Keys: ``target3d`` (91,) float32.
    """

    def transform(self, results: dict) -> dict:
        """Compute the canonical 3D target of ``joints3d``.

        Returns:
            The results dict with ``target3d`` ``(91,)`` float32.
        """
        results['target3d'] = pose3d_targets(
            results['joints3d'], name=str(results.get('seq_name', 'joints3d')))
        return results

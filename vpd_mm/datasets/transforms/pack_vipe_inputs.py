"""Pack VIPE* training items into model inputs."""
import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...pose.normalize import normalize_coco_pose


@TRANSFORMS.register_module()
class PackVIPEInputs(BaseTransform):
    """Normalise the 2D views (39-d VPD joint features) and pack the targets.

    Batches of these items collate with mmengine's ``default_collate``.

    Required Keys: ``poses2d`` ``(V, 17, 3)``; optional ``target3d``, ``neg_valid``, ``dataset_idx``.

    Added Keys: ``inputs`` float32 tensor ``(V, 39)``; ``data_samples`` dict of tensors
    ``target3d`` (91,), ``neg_valid`` () and ``dataset_idx`` () (those present in the results).
    """

    def transform(self, results: dict) -> dict:
        """Normalise ``poses2d`` ``(V, 17, 3)`` into 39-d joint features and pack the targets.

        Returns:
            A new dict with ``inputs`` float32 tensor ``(V, 39)`` and ``data_samples``, a dict of tensors:
            ``target3d`` (when present), ``neg_valid`` (default 0) and ``dataset_idx`` (long, default 0).
        """
        name = str(results.get('seq_name', 'poses2d'))
        feats = normalize_coco_pose(results['poses2d'], name=f'{name} frame {results.get("frame_idx")}')
        samples = {}
        if 'target3d' in results:
            samples['target3d'] = torch.from_numpy(np.asarray(results['target3d'], dtype=np.float32))
        samples['neg_valid'] = torch.tensor(float(results.get('neg_valid', 0.0)))
        samples['dataset_idx'] = torch.tensor(int(results.get('dataset_idx', 0)), dtype=torch.long)
        return dict(inputs=torch.from_numpy(feats), data_samples=samples)

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
    ``target3d`` (T,), ``neg_valid`` () and ``dataset_idx`` () (those present in the results).
    """

    def transform(self, results: dict) -> dict:
        name = str(results.get('seq_name', 'poses2d'))
        feats = normalize_coco_pose(results['poses2d'], name=f'{name} frame {results.get("frame_idx")}')
        samples = {}
        if 'target3d' in results:
            samples['target3d'] = torch.from_numpy(np.asarray(results['target3d'], dtype=np.float32))
        samples['neg_valid'] = torch.tensor(float(results.get('neg_valid', 0.0)))
        samples['dataset_idx'] = torch.tensor(int(results.get('dataset_idx', 0)), dtype=torch.long)
        return dict(inputs=torch.from_numpy(feats), data_samples=samples)

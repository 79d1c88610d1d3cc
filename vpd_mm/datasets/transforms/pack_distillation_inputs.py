"""Pack a crop and its teacher targets into the student's inputs."""
from typing import Sequence

import cv2
import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class PackDistillationInputs(BaseTransform):
    """Make ``inputs`` a uint8 ``(C, H, W)`` tensor and ``data_samples`` a dict of targets and meta.

    Channels: ``[R, G, B]`` of ``img`` then ``[flow x, flow y]`` of ``flow`` when present (5 channels;
    3 for the RGB-only ablation). Batches collate with mmengine's ``default_collate`` into one
    ``(N, C, H, W)`` uint8 tensor (the data preprocessor converts and normalises it on the device)
    and a dict of batched targets.

    Required Keys: ``img`` uint8 ``(H, W, 3)``; optional ``flow`` uint8 ``(H, W, 2)``, ``target`` /
    ``prev_target`` ``(2, D)`` (row 0 is packed: the target of the image as it is, see
    :class:`FlowCropFlip`) or ``(D,)``, and the ``meta_keys``.

    Added Keys: ``inputs``; ``data_samples`` dict with ``target`` / ``prev_target`` float32 ``(D,)``
    when present and the ``meta_keys`` present in the results.

    Args:
        meta_keys: Scalar or string keys copied into ``data_samples``.
    """

    def __init__(self, meta_keys: Sequence[str] = ('video', 'frame', 'flip', 'sample_idx')) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        """Stack the planes of ``img`` and ``flow`` into one tensor and collect the targets and meta keys.

        Returns:
            A new dict with ``inputs`` uint8 tensor ``(C, H, W)`` (5 channels, 3 without ``flow``) and
            ``data_samples``: ``target`` / ``prev_target`` float32 ``(D,)`` (row 0 of a ``(2, D)`` target)
            and the ``meta_keys`` present in the results.

        Raises:
            ValueError: ``img`` is not 3-D, or ``flow`` is not 3-D with the image's height and width.
        """
        img, flow = results['img'], results.get('flow')
        if img.ndim != 3 or (flow is not None and (flow.ndim != 3 or flow.shape[:2] != img.shape[:2])):
            raise ValueError(
                f'PackDistillationInputs: img must be (H, W, C) and flow (H, W, 2) of the same size, '
                f'got {img.shape} and {None if flow is None else flow.shape}')
        planes = list(cv2.split(img)) + (list(cv2.split(flow)) if flow is not None else [])
        inputs = torch.from_numpy(np.stack(planes))  # (C, H, W), a contiguous copy
        samples = {}
        for key in ('target', 'prev_target'):
            if key in results:
                t = np.asarray(results[key], dtype=np.float32)
                samples[key] = torch.from_numpy(np.ascontiguousarray(t[0] if t.ndim == 2 else t))
        for key in self.meta_keys:
            if key in results:
                samples[key] = results[key]
        return dict(inputs=inputs, data_samples=samples)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'

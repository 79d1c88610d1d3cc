"""Batch variable-length feature sequences by zero padding."""
from typing import Dict, List

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseDataPreprocessor


@MODELS.register_module()
class FeatureSequenceDataPreprocessor(BaseDataPreprocessor):
    """Pad a list of ``(V, T_i, D)`` sequences to one ``(N, V, T_max, D)`` tensor.

    Each data sample's metainfo gets ``num_frames = T_i`` (the unpadded length), which the
    sequence models use for packing and masking. Frame-level targets (``gt_frame_labels``) are
    padded alike by the models that use them.
    """

    def forward(self, data: Dict, training: bool = False) -> Dict:
        """Zero-pad the batch's ``(V, T_i, D)`` inputs into one tensor and record each ``num_frames``.

        Args:
            data: ``inputs`` (a list or stacked tensor of ``(V, T_i, D)``) and optional ``data_samples``.
            training: Unused.

        Returns:
            Dict with ``inputs`` float32 ``(N, V, T_max, D)`` and ``data_samples`` (metainfo ``num_frames = T_i``).

        Raises:
            ValueError: The batch is empty or the inputs' ``V`` / ``D`` differ.
        """
        data = self.cast_data(data)
        inputs: List[torch.Tensor] = data['inputs']
        if isinstance(inputs, torch.Tensor):
            inputs = list(inputs)
        if not inputs:
            raise ValueError('FeatureSequenceDataPreprocessor: empty batch')
        num_views, dim = inputs[0].shape[0], inputs[0].shape[2]
        for x in inputs:
            if x.ndim != 3 or x.shape[0] != num_views or x.shape[2] != dim:
                raise ValueError(f'FeatureSequenceDataPreprocessor: inputs must all be (V={num_views}, T, '
                                 f'D={dim}), got {tuple(x.shape)}')
        max_len = max(x.shape[1] for x in inputs)
        batch = inputs[0].new_zeros((len(inputs), num_views, max_len, dim), dtype=torch.float32)
        for i, x in enumerate(inputs):
            batch[i, :, :x.shape[1]] = x
        data_samples = data.get('data_samples', None)
        if data_samples is not None:
            for ds, x in zip(data_samples, inputs):
                ds.set_metainfo(dict(num_frames=int(x.shape[1])))
        return dict(inputs=batch, data_samples=data_samples)

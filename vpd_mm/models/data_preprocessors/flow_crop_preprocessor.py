"""Normalise batches of uint8 RGB + flow crops on the device."""
from typing import Optional, Sequence, Union

import torch
from mmaction.models import ActionDataPreprocessor
from mmaction.registry import MODELS


@MODELS.register_module()
class FlowCropDataPreprocessor(ActionDataPreprocessor):
    """mmaction2's :class:`ActionDataPreprocessor` (``NCHW``) for RGB + flow crops, with a fast path.

    Accepts ``inputs`` as one ``(N, C, H, W)`` tensor (``default_collate``, one host-to-device copy
    per batch) or a list of ``(C, H, W)`` tensors (``pseudo_collate``); casts to float32 and
    normalises with per-channel ``mean`` / ``std`` (5 values for RGB + flow). ``data_samples`` pass
    through (a dict of batched targets, or a list of data samples).

    ``to_rgb`` must stay False: the crops are stored RGB, and mmaction2's ``[2, 1, 0]`` reordering
    would drop the flow channels (REFERENCE.md §6); it is rejected unless there are exactly 3 channels.

    Args:
        mean: Per-channel means (uint8 scale), e.g. ImageNet's RGB means plus 124.5 for the flow
            channels (the flip centre of the 8-bit flow code, see ``FlowCropFlip``).
        std: Per-channel standard deviations.
        to_rgb: Reverse the first three channels (only for 3-channel BGR inputs).
        channels_last: Return the batch in ``torch.channels_last`` memory format (faster convolutions
            on GPUs with tensor cores).
    """

    def __init__(self,
                 mean: Optional[Sequence[Union[float, int]]] = None,
                 std: Optional[Sequence[Union[float, int]]] = None,
                 to_rgb: bool = False,
                 channels_last: bool = False) -> None:
        if to_rgb and (mean is None or len(mean) != 3):
            raise ValueError(
                'FlowCropDataPreprocessor: to_rgb=True would reorder/drop channels of RGB + flow '
                'inputs; keep to_rgb=False (crops are stored RGB)')
        if (mean is None) != (std is None) or (mean is not None and len(mean) != len(std)):
            raise ValueError(f'mean and std must both be given with one value per channel, got {mean}, {std}')
        super().__init__(mean=mean, std=std, to_rgb=to_rgb, to_float32=True, format_shape='NCHW')
        self.channels_last = channels_last

    def preprocess(self, inputs, data_samples, training: bool = False):
        """Stack the inputs, cast them to float32 and normalise them with ``mean`` / ``std`` (when given).

        Args:
            inputs: A uint8 ``(N, C, H, W)`` tensor or a list of ``(C, H, W)`` tensors.
            data_samples: Passed through unchanged.
            training: Unused.

        Returns:
            The float32 ``(N, C, H, W)`` batch (``channels_last`` if set) and ``data_samples``.
        """
        batch = inputs if isinstance(inputs, torch.Tensor) else torch.stack(list(inputs))
        if batch.ndim != 4:
            raise ValueError(
                f'FlowCropDataPreprocessor expects (N, C, H, W) inputs, got {tuple(batch.shape)}')
        if self._enable_normalize and batch.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f'FlowCropDataPreprocessor: inputs have {batch.shape[1]} channels but mean/std give '
                f'{self.mean.shape[0]} (RGB + flow = 5, RGB only = 3)')
        if self.to_rgb:
            batch = batch[:, [2, 1, 0]]
        batch = batch.float()
        if self._enable_normalize:
            batch = (batch - self.mean) / self.std
        if self.channels_last:
            batch = batch.contiguous(memory_format=torch.channels_last)
        return batch, data_samples

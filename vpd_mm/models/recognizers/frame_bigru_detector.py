"""Per-frame action/background classifier for temporal action detection."""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModel

from ..backbones.bigru import length_mask
from .feature_sequence_recognizer import sequence_lengths


@MODELS.register_module()
class FrameBiGRUDetector(BaseModel):
    """A BiGRU without pooling and a per-frame binary head (REFERENCE.md section 4, detection).

    ``loss`` is the binary cross-entropy against ``data_sample.gt_frame_labels`` on valid frames.
    ``predict`` stores ``pred_activation`` ``(T,)`` (sigmoid, averaged over the input views) on
    every data sample; :class:`TemporalDetectionMetric` turns activations into proposals.

    Args:
        backbone: e.g. ``dict(type='BiGRU', in_channels=39, pool=None)``.
        head: e.g. ``dict(type='FrameBinaryHead', in_channels=256)``.
        data_preprocessor: Default :class:`FeatureSequenceDataPreprocessor`.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor or dict(type='mmaction.FeatureSequenceDataPreprocessor'),
            init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)

    def frame_logits(self, inputs: torch.Tensor, data_samples: Optional[List] = None) -> torch.Tensor:
        """``(N, V, T, D)`` -> ``(N, V, T)`` logits."""
        n, v, t, d = inputs.shape
        lengths = sequence_lengths(data_samples, t, n, inputs.device).repeat_interleave(v)
        return self.head(self.backbone(inputs.reshape(n * v, t, d), lengths)).reshape(n, v, t)

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None, mode: str = 'tensor'):
        """Run :meth:`loss`, :meth:`predict` or :meth:`frame_logits` as ``mode`` asks.

        Args:
            inputs: ``(N, V, T, D)`` padded feature sequences.
            data_samples: Data samples (``num_frames``; ``gt_frame_labels`` for ``'loss'``).
            mode: ``'loss'`` (dict of losses), ``'predict'`` (data samples) or ``'tensor'`` (``(N, V, T)`` logits).

        Raises:
            RuntimeError: Unknown ``mode``.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.frame_logits(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}"; use "loss", "predict" or "tensor"')

    def loss(self, inputs: torch.Tensor, data_samples: List) -> Dict[str, torch.Tensor]:
        """Binary cross-entropy of every view's frame logits against ``gt_frame_labels`` on unpadded frames.

        Returns:
            ``dict(loss_frame=...)`` with a scalar tensor.
        """
        logits = self.frame_logits(inputs, data_samples)
        n, v, t = logits.shape
        targets = logits.new_zeros((n, t))
        for i, ds in enumerate(data_samples):
            labels = ds.gt_frame_labels
            targets[i, :len(labels)] = labels.to(logits.device)
        mask = length_mask(sequence_lengths(data_samples, t, n, logits.device), t)
        mask = mask[:, None].expand(n, v, t)
        loss = F.binary_cross_entropy_with_logits(logits[mask], targets[:, None].expand(n, v, t)[mask])
        return dict(loss_frame=loss)

    def predict(self, inputs: torch.Tensor, data_samples: List) -> List:
        """Set ``pred_activation`` ``(T,)`` on each sample: the frames' sigmoid activations averaged over views.

        Returns:
            The data samples, activations cut to ``num_frames`` and moved to the CPU.
        """
        act = torch.sigmoid(self.frame_logits(inputs, data_samples)).mean(dim=1)
        for ds, a in zip(data_samples, act):
            length = int(ds.metainfo.get('num_frames', a.shape[0]))
            ds.pred_activation = a[:length].detach().cpu()
        return data_samples

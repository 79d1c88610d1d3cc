"""VPD's classification head on pooled BiGRU features."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmaction.models.heads.base import BaseHead
from mmaction.registry import MODELS
from torch import nn


class _BatchNorm1d(nn.BatchNorm1d):
    """BatchNorm that uses its running statistics for a training batch of one sample."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and x.shape[0] == 1:
            return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0,
                                self.eps)
        return super().forward(x)


@MODELS.register_module()
class BiGRUHead(BaseHead):
    """BN - Dropout - FC(hidden) - ReLU - BN - Dropout - FC(classes) (REFERENCE.md section 4).

    Several views of a sample (e.g. original and flipped) arrive as consecutive rows and are
    combined by ``average_clips`` (``'prob'``: mean of softmax, i.e. the sum up to a factor).

    Args:
        num_classes: Number of classes.
        in_channels: Pooled feature size (256 for the default BiGRU).
        hidden_channels: Width of the hidden FC layer.
        dropout: Dropout probability of both dropout layers.
        kwargs: :class:`mmaction.models.heads.BaseHead` options (``loss_cls``, ``topk``,
            ``average_clips``...).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int = 256,
                 hidden_channels: int = 256,
                 dropout: float = 0.5,
                 average_clips: Optional[str] = 'prob',
                 topk=(1, ),
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, average_clips=average_clips, topk=topk, **kwargs)
        self.mlp = nn.Sequential(
            _BatchNorm1d(in_channels), nn.Dropout(dropout), nn.Linear(in_channels, hidden_channels),
            nn.ReLU(), _BatchNorm1d(hidden_channels), nn.Dropout(dropout),
            nn.Linear(hidden_channels, num_classes))

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """``(B, in_channels)`` -> ``(B, num_classes)`` logits."""
        return self.mlp(x)

"""Classification head of JMRN / PoTion: dropout + FC on the pooled clip feature."""
import torch
import torch.nn as nn
from mmaction.models.heads.base import BaseHead
from mmaction.registry import MODELS
from mmengine.model.weight_init import normal_init


@MODELS.register_module()
class JMRNHead(BaseHead):
    """Dropout + linear classifier on a ``(N, in_channels)`` feature.

    Accepts the backbone output directly: a tensor ``(N, C)`` or ``(N, C, H, W)`` (average pooled),
    or a :class:`~vpd_mm.models.backbones.jmrn.JMRNOutput` (its ``feat`` is used).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Feature width.
        dropout_ratio (float): Dropout before the FC. Defaults to 0.5.
        init_std (float): Std of the FC's normal init. Defaults to 0.01.
        **kwargs: ``loss_cls``, ``topk``, ``label_smooth_eps``, ``average_clips``... of mmaction2's
            ``BaseHead``; ``average_clips`` defaults to ``'prob'`` (``pred_score`` = softmax).
    """

    def __init__(self, num_classes: int, in_channels: int, dropout_ratio: float = 0.5,
                 init_std: float = 0.01, **kwargs) -> None:
        kwargs.setdefault('average_clips', 'prob')
        super().__init__(num_classes, in_channels, **kwargs)
        self.init_std = init_std
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 else nn.Identity()
        self.fc_cls = nn.Linear(in_channels, num_classes)

    def init_weights(self) -> None:
        """Normal init of the classifier."""
        normal_init(self.fc_cls, std=self.init_std)

    def forward(self, x, **kwargs) -> torch.Tensor:
        """Class scores ``(N, num_classes)``."""
        if hasattr(x, 'feat'):
            x = x.feat
        if x.dim() == 4:
            x = x.mean(dim=(2, 3))
        if x.dim() != 2 or x.shape[1] != self.in_channels:
            raise ValueError(f'JMRNHead expects features (N, {self.in_channels}), got {tuple(x.shape)}')
        return self.fc_cls(self.dropout(x))

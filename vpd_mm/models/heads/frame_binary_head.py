"""Per-frame binary classifier on BiGRU outputs (temporal detection)."""
import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn


@MODELS.register_module()
class FrameBinaryHead(BaseModule):
    """Dropout - FC(hidden) - ReLU - Dropout - FC(1) applied to every frame.

    Args:
        in_channels: Per-frame feature size.
        hidden_channels: Hidden width.
        dropout: Dropout probability.
    """

    def __init__(self,
                 in_channels: int = 256,
                 hidden_channels: int = 256,
                 dropout: float = 0.5,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.mlp = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(in_channels, hidden_channels), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden_channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T, C)`` -> ``(B, T)`` logits."""
        return self.mlp(x).squeeze(-1)

"""VIPE*'s pose encoder: a fully connected residual network (REFERENCE.md section 1)."""
import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


class _ResidualFCBlock(nn.Module):
    """``x + (Linear-BN-ReLU-Dropout) x 2``."""

    def __init__(self, width: int, dropout: float) -> None:
        super().__init__()
        layers = []
        for _ in range(2):
            layers += [
                nn.Linear(width, width),
                nn.BatchNorm1d(width),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout)
            ]
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.layers(x)


@MODELS.register_module()
class VIPEStarEncoder(BaseModule):
    """Embed normalised 2D poses (39-d VPD joint features) into a ``out_channels``-d space.

    ``Linear(in, width)-BN-ReLU``, ``num_blocks`` residual blocks, then ``Linear(width, out)``.

    Args:
        in_channels: Input feature size. Defaults to 39 (13 joints x [x, y, score]).
        out_channels: Embedding size. Defaults to 32 (the paper's tables use 64).
        width: Hidden width. Defaults to 1024.
        num_blocks: Residual blocks. Defaults to 2.
        dropout: Dropout inside the blocks. Defaults to 0.2.
        init_cfg: mmengine initialisation config.
    """

    def __init__(self,
                 in_channels: int = 39,
                 out_channels: int = 32,
                 width: int = 1024,
                 num_blocks: int = 2,
                 dropout: float = 0.2,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.stem = nn.Sequential(nn.Linear(in_channels, width), nn.BatchNorm1d(width), nn.ReLU(inplace=True))
        self.blocks = nn.Sequential(*[_ResidualFCBlock(width, dropout) for _ in range(num_blocks)])
        self.out = nn.Linear(width, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed ``(N, in_channels)`` (or ``(N, 13, 3)``) poses into ``(N, out_channels)``."""
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.in_channels:
            raise ValueError(f'VIPEStarEncoder expects {self.in_channels} input features per pose, got '
                             f'{x.shape[1]}')
        return self.out(self.blocks(self.stem(x)))

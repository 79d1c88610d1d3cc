"""VPD's motion decoder D: student embedding -> [pose features, their change since t - 1]."""
from typing import Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class MotionDecoderHead(BaseModule):
    """MLP ``d -> 128 -> 128 -> 2d`` (ReLU between layers) regressing ``[p_t, p_t - p_{t-1}]``.

    Used only in training and discarded afterwards (REFERENCE.md §2).

    Args:
        in_channels: Student embedding size d.
        out_channels: Output size; None = ``2 * in_channels``.
        hidden_channels: Hidden widths. Defaults to ``(128, 128)``.
        init_cfg: mmengine initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = None,
                 hidden_channels: Sequence[int] = (128, 128),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = 2 * in_channels if out_channels is None else out_channels
        layers, prev = [], in_channels
        for width in hidden_channels:
            layers += [nn.Linear(prev, width), nn.ReLU(inplace=True)]
            prev = width
        layers.append(nn.Linear(prev, self.out_channels))
        self.mlp = nn.Sequential(*layers)

    def forward(self, emb: torch.Tensor) -> torch.Tensor:
        """``(N, d)`` -> ``(N, out_channels)``."""
        if emb.ndim != 2 or emb.shape[1] != self.in_channels:
            raise ValueError(f'MotionDecoderHead expects (N, {self.in_channels}), got {tuple(emb.shape)}')
        return self.mlp(emb)

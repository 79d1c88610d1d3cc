"""PoTion baseline backbone: a small CNN on all joints' motion maps stacked as channels."""
from typing import Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule

from .jmrn import check_joint_maps, conv_bn_relu


@MODELS.register_module()
class PoTionNet(BaseModule):
    """PoTion classifier backbone (Choutas et al. 2018), the baseline of JMRN's Table 1.

    The ``(N, J, C, H, W)`` motion maps are stacked into ``J * C`` channels and go through blocks of
    two 3x3 convs (the first of each block with stride 2), then global average pooling.

    Args:
        num_joints (int): ``J``.
        in_channels (int): Channels per joint (PoTion ``C``). Defaults to 3.
        block_channels (Sequence[int]): Width of each block. Defaults to (128, 256, 512).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, num_joints: int, in_channels: int = 3,
                 block_channels: Sequence[int] = (128, 256, 512), init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_joints = num_joints
        self.in_channels = in_channels
        layers, width = [], num_joints * in_channels
        for out_ch in block_channels:
            layers += [conv_bn_relu(width, out_ch, stride=2), conv_bn_relu(out_ch, out_ch)]
            width = out_ch
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(1)]
        self.net = nn.Sequential(*layers)
        self.out_channels = width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, J, C, H, W)`` -> ``(N, out_channels)``."""
        check_joint_maps(x, self.num_joints, self.in_channels, type(self).__name__)
        return self.net(x.flatten(1, 2))

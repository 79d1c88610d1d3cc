"""JMRN backbone: shared joint-motion extractor, joint selector and inter-joint reasoning."""
from typing import NamedTuple, Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


class JMRNOutput(NamedTuple):
    """What :class:`JMRN` returns.

    Attributes:
        feat (Tensor): ``(N, C)`` pooled clip feature for the classification head.
        joint_feats (Tensor): ``(N, J, c_dim)`` pooled per-joint compressed features ``c_j``
            (before weighting), the input of the joint-contrastive loss.
        joint_weights (Tensor): ``(N, J)`` joint-selector weights in ``[0, 1]``.
    """
    feat: torch.Tensor
    joint_feats: torch.Tensor
    joint_weights: torch.Tensor


def conv_bn_relu(in_ch: int, out_ch: int, kernel: int = 3, stride: int = 1) -> nn.Sequential:
    """``kernel x kernel`` conv (same padding, no bias) + BatchNorm + ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(out_ch), nn.ReLU(inplace=True))


def check_joint_maps(x: torch.Tensor, num_joints: int, in_channels: int, name: str) -> None:
    """Raise a ValueError unless ``x`` is a finite ``(N, J, C, H, W)`` tensor of the right J and C."""
    if x.dim() != 5 or x.shape[1] != num_joints or x.shape[2] != in_channels:
        raise ValueError(f'{name} expects per-joint motion maps of shape (N, {num_joints}, '
                         f'{in_channels}, H, W), got {tuple(x.shape)}')
    if not torch.isfinite(x).all():
        raise ValueError(f'{name} got non-finite (NaN/inf) input values')


@MODELS.register_module()
class JMRN(BaseModule):
    """Joint-Motion Reasoning Network backbone (REFERENCE.md section 5).

    Each joint's ``C x H x W`` motion map goes through one CNN shared by all joints (3x3 convs
    ``in->e0 s2, e0->e1, e1->e2 s2, e2->e3``) giving ``r_j``; a 1x1 conv compresses it to ``c_j``
    (``c_dim``). The joint selector concatenates all ``r_j``, applies a 1x1 conv (``selector_channels``),
    global average pooling, a linear layer to ``J`` and a sigmoid: weights ``w_j``. The weighted
    ``w_j c_j`` are concatenated and reasoned over with a 1x1 conv and two 3x3 convs (the second with
    stride 2), then average pooled; the classifier FC lives in the head.

    Args:
        num_joints (int): ``J``.
        in_channels (int): Channels of a motion map (PoTion ``C``). Defaults to 3.
        extractor_channels (Sequence[int]): The four extractor widths. Defaults to (128, 128, 256, 256).
        c_dim (int): Compressed per-joint width. Defaults to 128.
        selector_channels (int): Width of the selector's 1x1 conv. Defaults to 256.
        reasoning_channels (Sequence[int]): Widths of the 1x1 conv and the two 3x3 convs of the
            reasoning module. Defaults to (256, 256, 512).
        use_selector (bool): False gives every joint weight 1 (ablation). Defaults to True.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, num_joints: int, in_channels: int = 3,
                 extractor_channels: Sequence[int] = (128, 128, 256, 256), c_dim: int = 128,
                 selector_channels: int = 256, reasoning_channels: Sequence[int] = (256, 256, 512),
                 use_selector: bool = True, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(extractor_channels) != 4:
            raise ValueError(f'extractor_channels needs 4 widths, got {extractor_channels}')
        if len(reasoning_channels) != 3:
            raise ValueError(f'reasoning_channels needs 3 widths, got {reasoning_channels}')
        self.num_joints = num_joints
        self.in_channels = in_channels
        self.c_dim = c_dim
        self.use_selector = use_selector
        e0, e1, e2, e3 = extractor_channels
        self.extractor = nn.Sequential(
            conv_bn_relu(in_channels, e0, stride=2), conv_bn_relu(e0, e1),
            conv_bn_relu(e1, e2, stride=2), conv_bn_relu(e2, e3))
        self.compress = nn.Sequential(nn.Conv2d(e3, c_dim, 1, bias=False), nn.BatchNorm2d(c_dim),
                                      nn.ReLU(inplace=True))
        if use_selector:
            self.selector = nn.Sequential(
                conv_bn_relu(num_joints * e3, selector_channels, kernel=1), nn.AdaptiveAvgPool2d(1),
                nn.Flatten(1), nn.Linear(selector_channels, num_joints))
        r0, r1, r2 = reasoning_channels
        self.reasoning = nn.Sequential(
            conv_bn_relu(num_joints * c_dim, r0, kernel=1), conv_bn_relu(r0, r1),
            conv_bn_relu(r1, r2, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(1))
        self.out_channels = r2

    def forward(self, x: torch.Tensor) -> JMRNOutput:
        """Encode ``(N, J, C, H, W)`` per-joint motion maps; see :class:`JMRNOutput`."""
        check_joint_maps(x, self.num_joints, self.in_channels, type(self).__name__)
        n, j, c, h, w = x.shape
        r = self.extractor(x.reshape(n * j, c, h, w))  # (N*J, e3, h', w')
        cj = self.compress(r)  # (N*J, c_dim, h', w')
        hp, wp = r.shape[-2:]
        if self.use_selector:
            weights = torch.sigmoid(self.selector(r.reshape(n, j * r.shape[1], hp, wp)))
        else:
            weights = x.new_ones(n, j)
        cj = cj.reshape(n, j, self.c_dim, hp, wp)
        weighted = (cj * weights[:, :, None, None, None]).reshape(n, j * self.c_dim, hp, wp)
        feat = self.reasoning(weighted)
        return JMRNOutput(feat=feat, joint_feats=cj.mean(dim=(3, 4)), joint_weights=weights)

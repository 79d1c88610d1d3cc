"""The VPD student's image encoder F: a ResNet on RGB + optical-flow crops (REFERENCE.md §2)."""
from typing import Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.logging import print_log
from mmengine.model import BaseModule

_STAGE_BLOCKS = {10: (1, 1, 1, 1), 18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}
CONV1_INITS = ('ours', 'paper')


class BasicBlock(nn.Module):
    """ResNet basic block (two 3x3 convs), torchvision's parameter names."""

    def __init__(self, in_channels: int, channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or in_channels != channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, channels, 1, stride, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Two 3x3 conv + BN stages, plus the (downsampled) identity, then ReLU.

        Args:
            x: ``(N, in_channels, H, W)`` features.

        Returns:
            ``(N, channels, ceil(H / stride), ceil(W / stride))`` features.
        """
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


@MODELS.register_module()
class StudentResNet(BaseModule):
    """ResNet-10/18/34 with ``in_channels`` inputs (RGB + x/y flow = 5) and a linear embedding output.

    Layout and parameter names follow torchvision's ``resnet18/34`` (``conv1``, ``bn1``,
    ``layer1``-``layer4``, ``fc``), widths scaled by ``base_channels`` (64 in the paper; e.g. 16 for a
    CPU demo). Output: global average pooling then ``fc`` to ``out_channels`` (= the teacher's feature
    size); ``out_channels=None`` returns the pooled features.

    First convolution (``conv1_init``): ``'ours'`` initialises the ``in_channels`` kernels independently
    (Kaiming) and, when RGB weights (torchvision / ImageNet or an RGB-only student) are loaded into a
    5-channel model, keeps the RGB kernels and fills the flow channels with their mean
    (``flow_init='mean'``). ``'paper'`` is the published student's rule (REFERENCE.md section 4b): every
    input channel gets the mean of the RGB kernels, both from scratch (the mean of three Kaiming-initialised
    RGB kernels) and on loading RGB weights. A mismatched ``fc`` is left at its initialisation
    (mmengine's ``load_checkpoint`` reports it).

    Args:
        depth: 10, 18 or 34.
        in_channels: Input channels (5 = RGB + flow, 3 = RGB only).
        base_channels: Width of the first stage (stages: 1x, 2x, 4x, 8x).
        out_channels: Embedding size, or None for the pooled features.
        flow_init: ``'mean'`` (mean of the RGB kernels) or ``'zero'`` for the extra input channels when a
            3-channel ``conv1`` is loaded (``conv1_init='ours'`` only).
        conv1_init: ``'ours'`` (independent kernels) or ``'paper'`` (the mean RGB kernel in every channel).
        zero_init_residual: Zero-initialise the last BN of every block (torchvision's option; off as in
            torchvision's default).
        init_cfg: mmengine initialisation config (e.g. ``dict(type='Pretrained', checkpoint=...)``).
    """

    def __init__(self,
                 depth: int = 34,
                 in_channels: int = 5,
                 base_channels: int = 64,
                 out_channels: Optional[int] = None,
                 flow_init: str = 'mean',
                 conv1_init: str = 'ours',
                 zero_init_residual: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in _STAGE_BLOCKS:
            raise ValueError(f'StudentResNet depth must be one of {sorted(_STAGE_BLOCKS)}, got {depth}')
        if flow_init not in ('mean', 'zero'):
            raise ValueError(f"flow_init must be 'mean' or 'zero', got {flow_init!r}")
        if conv1_init not in CONV1_INITS:
            raise ValueError(f'conv1_init must be one of {CONV1_INITS}, got {conv1_init!r}')
        if conv1_init == 'paper' and in_channels < 3:
            raise ValueError(
                f"conv1_init='paper' averages the RGB kernels: needs in_channels >= 3, got {in_channels}")
        self.depth, self.in_channels, self.base_channels = depth, in_channels, base_channels
        self.flow_init = flow_init
        self.conv1_init = conv1_init
        self.zero_init_residual = zero_init_residual
        self.conv1 = nn.Conv2d(in_channels, base_channels, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(base_channels)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        prev = base_channels
        for i, blocks in enumerate(_STAGE_BLOCKS[depth]):
            width = base_channels * 2**i
            layers = [BasicBlock(prev, width, 1 if i == 0 else 2)]
            layers += [BasicBlock(width, width) for _ in range(blocks - 1)]
            setattr(self, f'layer{i + 1}', nn.Sequential(*layers))
            prev = width
        self.feat_channels = prev
        self.out_channels = out_channels if out_channels is not None else prev
        self.fc = nn.Linear(prev, out_channels) if out_channels is not None else None
        self._register_load_state_dict_pre_hook(self._adapt_conv1)

    def init_weights(self) -> None:
        """Kaiming conv init and unit BN (torchvision's), then ``init_cfg``."""
        if not (self.init_cfg and self.init_cfg.get('type') == 'Pretrained'):
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
            if self.zero_init_residual:
                for m in self.modules():
                    if isinstance(m, BasicBlock):
                        nn.init.zeros_(m.bn2.weight)
            if self.conv1_init == 'paper':
                with torch.no_grad():
                    w = self.conv1.weight
                    w.copy_(w[:, :3].mean(dim=1, keepdim=True).expand_as(w))
        super().init_weights()

    def _adapt_conv1(self, state_dict, prefix, *args) -> None:
        """Expand a 3-channel ``conv1.weight`` to ``in_channels`` (RGB weights into the RGB + flow model)."""
        key = prefix + 'conv1.weight'
        w = state_dict.get(key)
        if w is None or w.ndim != 4 or w.shape[1] == self.in_channels or w.shape[
                1] != 3 or self.in_channels < 3:
            return
        extra = self.in_channels - 3
        if self.conv1_init == 'paper':
            state_dict[key] = w.mean(dim=1, keepdim=True).expand(-1, self.in_channels, -1, -1).contiguous()
            print_log(
                f'StudentResNet: {key} loaded from 3 RGB channels; all {self.in_channels} input channels '
                "get the mean of the RGB kernels (conv1_init='paper')",
                logger='current')
            return
        fill = w.mean(dim=1, keepdim=True) if self.flow_init == 'mean' else torch.zeros_like(w[:, :1])
        state_dict[key] = torch.cat([w, fill.expand(-1, extra, -1, -1)], dim=1)
        print_log(
            f'StudentResNet: {key} loaded from 3 RGB channels; {extra} extra input channel(s) '
            f'initialised with the {self.flow_init} of the RGB kernels',
            logger='current')

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` -> pooled ``(N, feat_channels)``."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C, H, W)`` -> ``(N, out_channels)`` embedding."""
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'StudentResNet expects (N, {self.in_channels}, H, W) inputs, got {tuple(x.shape)}')
        feat = self.forward_features(x)
        return self.fc(feat) if self.fc is not None else feat

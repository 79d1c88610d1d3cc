import torch
from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401
from mmaction.registry import MODELS

init_default_scope('mmaction')


def test_mlp_d_128_128_2d():
    head = MODELS.build(dict(type='MotionDecoderHead', in_channels=39))
    linears = [m for m in head.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(39, 128), (128, 128), (128, 78)]
    assert head(torch.randn(4, 39)).shape == (4, 78)
    assert sum(isinstance(m, torch.nn.ReLU) for m in head.modules()) == 2

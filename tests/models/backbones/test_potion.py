import pytest
import torch
from mmaction.registry import MODELS

import vpd_mm  # noqa: F401


def test_potion_net_forward_backward():
    net = MODELS.build(dict(type='PoTionNet', num_joints=5, block_channels=(8, 16)))
    x = torch.rand(2, 5, 3, 16, 16, requires_grad=True)
    y = net(x)
    assert y.shape == (2, 16) and net.out_channels == 16
    y.sum().backward()
    assert x.grad.abs().sum() > 0


def test_potion_net_rejects_wrong_joint_count():
    net = MODELS.build(dict(type='PoTionNet', num_joints=5, block_channels=(8, )))
    with pytest.raises(ValueError, match='PoTionNet expects'):
        net(torch.rand(2, 6, 3, 8, 8))

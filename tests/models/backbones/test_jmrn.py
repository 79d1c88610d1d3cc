import pytest
import torch
from mmaction.registry import MODELS

import vpd_mm  # noqa: F401

SMALL = dict(type='JMRN', num_joints=5, extractor_channels=(4, 4, 8, 8), c_dim=4, selector_channels=8,
             reasoning_channels=(8, 8, 16))


def test_forward_shapes_and_weights_in_unit_interval():
    torch.manual_seed(0)
    net = MODELS.build(SMALL)
    out = net(torch.rand(3, 5, 3, 16, 16) * 10)
    assert out.feat.shape == (3, 16)
    assert out.joint_feats.shape == (3, 5, 4)
    assert out.joint_weights.shape == (3, 5)
    assert (out.joint_weights >= 0).all() and (out.joint_weights <= 1).all()
    # input-conditioned: different clips get different weights
    assert not torch.allclose(out.joint_weights[0], out.joint_weights[1])


def test_selector_extremes_stay_in_unit_interval():
    net = MODELS.build(SMALL)
    with torch.no_grad():
        net.selector[-1].bias.fill_(1e4)
    w = net(torch.rand(2, 5, 3, 8, 8)).joint_weights
    assert torch.all(w <= 1) and torch.all(w >= 0) and torch.allclose(w, torch.ones_like(w))


def test_without_selector_weights_are_one():
    net = MODELS.build(dict(SMALL, use_selector=False))
    w = net(torch.rand(2, 5, 3, 8, 8)).joint_weights
    assert torch.equal(w, torch.ones(2, 5))


def test_backward_reaches_extractor_and_selector():
    net = MODELS.build(SMALL)
    out = net(torch.rand(2, 5, 3, 8, 8))
    (out.feat.sum() + out.joint_weights.sum()).backward()
    assert net.extractor[0][0].weight.grad.abs().sum() > 0
    assert net.selector[-1].weight.grad.abs().sum() > 0


@pytest.mark.parametrize('shape', [(2, 4, 3, 8, 8), (2, 5, 2, 8, 8), (5, 3, 8, 8)])
def test_wrong_input_shape_raises(shape):
    net = MODELS.build(SMALL)
    with pytest.raises(ValueError, match=r'\(N, 5, 3, H, W\)'):
        net(torch.rand(*shape))


def test_nan_input_raises():
    net = MODELS.build(SMALL)
    x = torch.rand(2, 5, 3, 8, 8)
    x[1, 2, 0, 3, 3] = float('nan')
    with pytest.raises(ValueError, match='non-finite'):
        net(x)

import pytest
import torch
from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401
from mmaction.registry import MODELS

init_default_scope('mmaction')


def build(**kw):
    return MODELS.build(dict(type='StudentResNet', **kw))


@pytest.mark.parametrize('depth,blocks', [(18, [2, 2, 2, 2]), (34, [3, 4, 6, 3])])
def test_depths_widths_and_output(depth, blocks):
    net = build(depth=depth, in_channels=5, base_channels=8, out_channels=39)
    assert [len(getattr(net, f'layer{i}')) for i in range(1, 5)] == blocks
    assert net.layer4[0].conv1.out_channels == 64 and net.conv1.in_channels == 5
    out = net(torch.randn(2, 5, 32, 32))
    assert out.shape == (2, 39)
    assert build(depth=depth, in_channels=3, base_channels=4)(torch.randn(1, 3, 64, 64)).shape == (1, 32)


def test_wrong_channel_count_is_rejected():
    with pytest.raises(ValueError, match=r'expects \(N, 5, H, W\)'):
        build(depth=18, base_channels=4)(torch.randn(1, 3, 16, 16))
    with pytest.raises(ValueError, match='depth'):
        build(depth=50)


def test_loading_rgb_weights_initialises_flow_kernels_from_their_mean():
    rgb = build(depth=18, in_channels=3, base_channels=8, out_channels=6)
    five = build(depth=18, in_channels=5, base_channels=8, out_channels=6)
    five.load_state_dict(rgb.state_dict())
    w3, w5 = rgb.conv1.weight.detach(), five.conv1.weight.detach()
    torch.testing.assert_close(w5[:, :3], w3)
    torch.testing.assert_close(w5[:, 3], w3.mean(dim=1))
    torch.testing.assert_close(w5[:, 4], w3.mean(dim=1))
    torch.testing.assert_close(five.layer3[1].conv2.weight, rgb.layer3[1].conv2.weight)
    zero = build(depth=18, in_channels=5, base_channels=8, out_channels=6, flow_init='zero')
    zero.load_state_dict(rgb.state_dict())
    assert zero.conv1.weight[:, 3:].abs().sum() == 0


def test_torchvision_resnet_weights_load_by_name():
    torchvision = pytest.importorskip('torchvision')
    tv = torchvision.models.resnet18(weights=None)  # random weights, nothing is downloaded
    net = build(depth=18, in_channels=5, base_channels=64, out_channels=None)
    state = {k: v for k, v in tv.state_dict().items() if not k.startswith('fc.')}
    net.load_state_dict(state, strict=True)  # every parameter name matches
    torch.testing.assert_close(net.conv1.weight[:, 3], tv.conv1.weight.mean(dim=1))
    torch.testing.assert_close(net.layer4[1].bn2.running_var, tv.layer4[1].bn2.running_var)


def test_paper_conv1_init_puts_the_mean_rgb_kernel_in_every_channel():
    torch.manual_seed(0)
    paper = build(depth=18, base_channels=16, out_channels=6, conv1_init='paper')
    paper.init_weights()
    w = paper.conv1.weight.detach()
    for c in range(1, 5):
        torch.testing.assert_close(w[:, c], w[:, 0])
    # the mean of three independent Kaiming kernels: 1/sqrt(3) of their spread
    ours = build(depth=18, base_channels=16, out_channels=6)
    ours.init_weights()
    w_ours = ours.conv1.weight.detach()
    assert not torch.allclose(w_ours[:, 0], w_ours[:, 3])
    ratio = (w[:, 0].std() / w_ours.std()).item()
    assert 0.45 < ratio < 0.7, ratio


def test_paper_conv1_init_on_rgb_weights_replaces_every_channel_with_their_mean():
    rgb = build(depth=18, in_channels=3, base_channels=8, out_channels=6)
    paper = build(depth=18, in_channels=5, base_channels=8, out_channels=6, conv1_init='paper')
    paper.load_state_dict(rgb.state_dict())
    mean = rgb.conv1.weight.detach().mean(dim=1)
    for c in range(5):
        torch.testing.assert_close(paper.conv1.weight[:, c], mean)
    with pytest.raises(ValueError, match='conv1_init must be one of'):
        build(depth=18, conv1_init='imagenet')

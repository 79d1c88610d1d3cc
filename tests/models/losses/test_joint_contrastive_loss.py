import math

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.logging import MessageHub

import vpd_mm  # noqa: F401
from vpd_mm.models.losses.joint_contrastive_loss import supervised_contrastive_loss


def test_supcon_hand_checked_tiny_batch():
    # z0 = z1 = e1 (label 0), z2 = e2 (label 1), tau = 1:
    # anchors 0 and 1: -log(e^1 / (e^1 + e^0)) = log(1 + e^-1); anchor 2 has no positive -> skipped
    z = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    loss = supervised_contrastive_loss(z, torch.tensor([0, 0, 1]), temperature=1.0)
    assert loss.item() == pytest.approx(math.log(1 + math.exp(-1)), rel=1e-6)
    # tau = 0.5 doubles the logits: log(1 + e^-2)
    loss = supervised_contrastive_loss(z, torch.tensor([0, 0, 1]), temperature=0.5)
    assert loss.item() == pytest.approx(math.log(1 + math.exp(-2)), rel=1e-6)


def test_supcon_two_positives_hand_checked():
    # 4 samples: labels [0,0,0,1], z0=z1=e1, z2=e2, z3=e2; tau=1
    z = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    e = math.e
    # anchor 0: others sims [1, 0, 0] -> denom e+2; positives 1 (sim 1) and 2 (sim 0)
    l0 = -0.5 * (math.log(e / (e + 2)) + math.log(1 / (e + 2)))
    # anchor 2: others sims [0, 0, 1] -> denom 2+e; positives 0, 1 (sim 0)
    l2 = -math.log(1 / (e + 2))
    expected = (l0 + l0 + l2) / 3  # anchor 3 has no positive
    loss = supervised_contrastive_loss(z, torch.tensor([0, 0, 0, 1]), 1.0)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_no_positive_pair_gives_zero_with_graph():
    z = torch.nn.functional.normalize(torch.rand(3, 4, requires_grad=True), dim=1)
    loss = supervised_contrastive_loss(z, torch.tensor([0, 1, 2]), 0.3)
    assert loss.item() == 0.0 and loss.requires_grad


def identity_loss(**kw):
    loss = MODELS.build(dict(type='JointContrastiveLoss', in_channels=2, num_joints=3, hidden_channels=2,
                             out_channels=2, temperature=1.0, loss_weight=0.5, **kw))
    with torch.no_grad():
        for conv in (loss.projection[0], loss.projection[2]):
            conv.weight.copy_(torch.eye(conv.weight.shape[0]).reshape(conv.weight.shape[0], -1, 1)
                              if conv.groups == 1 else torch.eye(2).repeat(3, 1)[:, :, None])
            conv.bias.zero_()
    return loss


@pytest.mark.parametrize('shared', [True, False])
def test_module_sums_joints_and_applies_lambda(shared):
    loss_mod = identity_loss(shared_projection=shared)
    # every joint has the tiny batch above (scaled: L2 norm removes the scale)
    feats = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0]])[:, None].repeat(1, 3, 1)
    loss = loss_mod(feats, torch.tensor([0, 0, 1]), epoch=5)
    assert loss.item() == pytest.approx(0.5 * 3 * math.log(1 + math.exp(-1)), rel=1e-5)


def test_warmup_ramps_the_weight():
    loss_mod = identity_loss(warmup_epochs=4)
    assert loss_mod.current_weight(0) == 0.0
    assert loss_mod.current_weight(2) == pytest.approx(0.25)
    assert loss_mod.current_weight(9) == pytest.approx(0.5)
    hub = MessageHub.get_instance('jcl_warmup_test')
    hub.update_info('epoch', 1)
    assert loss_mod.current_weight() == pytest.approx(0.125)


def test_backward_and_bad_shapes():
    loss_mod = MODELS.build(dict(type='JointContrastiveLoss', in_channels=4, num_joints=3))
    feats = torch.rand(6, 3, 4, requires_grad=True)
    loss = loss_mod(feats, torch.tensor([0, 0, 1, 1, 2, 2]))
    loss.backward()
    assert torch.isfinite(feats.grad).all() and feats.grad.abs().sum() > 0
    with pytest.raises(ValueError, match=r'\(N, 3, 4\)'):
        loss_mod(torch.rand(6, 2, 4), torch.zeros(6))
    with pytest.raises(ValueError, match='temperature'):
        MODELS.build(dict(type='JointContrastiveLoss', in_channels=4, num_joints=3, temperature=0))

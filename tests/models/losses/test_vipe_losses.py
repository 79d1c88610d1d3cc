import pytest
import torch
from mmaction.registry import MODELS

import vpd_mm  # noqa: F401


def test_contrastive_loss_hand_checked():
    loss = MODELS.build(dict(type='VIPEContrastiveLoss', margin=1.0))
    anchor = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    positive = torch.tensor([[3.0, 4.0], [1.0, 1.0], [0.0, 0.5]])  # distances 5, 0, 0.5
    negative = torch.tensor([[0.6, 0.8], [1.0, 3.0], [0.0, 0.3]])  # distances 1 (0 push), 2 (0), 0.3 (0.7)
    per = loss(anchor, positive, negative, reduction='none')
    torch.testing.assert_close(per, torch.tensor([5.0, 0.0, 0.5 + 0.7]))
    assert loss(anchor, positive, negative).item() == pytest.approx(6.2 / 3)
    # an invalid negative is ignored
    per = loss(anchor, positive, negative, torch.tensor([1.0, 1.0, 0.0]), reduction='none')
    torch.testing.assert_close(per, torch.tensor([5.0, 0.0, 0.5]))
    # gradient pulls positives together
    a = anchor.clone().requires_grad_()
    loss(a, positive).backward()
    assert a.grad[0].tolist() == pytest.approx([-0.6 / 3, -0.8 / 3])
    with pytest.raises(ValueError, match='negative'):
        loss(anchor, positive, negative[:2])


def test_reconstruction_loss_hand_checked():
    loss = MODELS.build(dict(type='VIPEReconstructionLoss', loss_weight=2.0))
    pred = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    target = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    torch.testing.assert_close(loss(pred, target, reduction='none'), torch.tensor([26.0, 2.0]))
    assert loss(pred, target).item() == pytest.approx(14.0)
    with pytest.raises(ValueError, match='shape'):
        loss(pred, target[:, :2])

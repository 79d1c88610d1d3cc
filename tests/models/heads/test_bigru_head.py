import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from torch import nn

import vpd_mm  # noqa: F401


def test_head_layers_and_shapes():
    head = MODELS.build(dict(type='BiGRUHead', num_classes=5, in_channels=256))
    kinds = [type(m).__name__ for m in head.mlp]
    assert kinds == ['_BatchNorm1d', 'Dropout', 'Linear', 'ReLU', '_BatchNorm1d', 'Dropout', 'Linear']
    assert head.mlp[1].p == 0.5 and head.mlp[2].out_features == 256 and head.mlp[6].out_features == 5
    head.train()
    assert head(torch.randn(4, 256)).shape == (4, 5)
    assert head(torch.randn(1, 256)).shape == (1, 5)  # a batch of one does not break BatchNorm


def test_head_sums_views_at_test():
    torch.manual_seed(0)
    head = MODELS.build(dict(type='BiGRUHead', num_classes=3, in_channels=8)).eval()
    feats = torch.randn(4, 8)  # 2 samples x 2 views, views consecutive
    samples = [ActionDataSample().set_gt_label(0), ActionDataSample().set_gt_label(1)]
    preds = head.predict(feats, samples)
    prob = head(feats).softmax(-1).reshape(2, 2, 3).mean(1)
    for p, expected in zip(preds, prob):
        torch.testing.assert_close(p.pred_score, expected)
        assert int(p.pred_label) == int(expected.argmax())


def test_frame_binary_head():
    head = MODELS.build(dict(type='FrameBinaryHead', in_channels=16)).eval()
    assert head(torch.randn(2, 9, 16)).shape == (2, 9)
    assert isinstance(head.mlp[-1], nn.Linear) and head.mlp[-1].out_features == 1

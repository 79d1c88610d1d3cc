import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401

init_default_scope('mmaction')  # as the Runner does; BaseModel builds its data preprocessor in scope

BACKBONE = dict(type='JMRN', num_joints=4, extractor_channels=(4, 4, 8, 8), c_dim=4, selector_channels=8,
                reasoning_channels=(8, 8, 16))


def build(contrastive=True, backbone=BACKBONE, in_channels=16):
    cfg = dict(type='JMRNRecognizer', backbone=backbone,
               cls_head=dict(type='JMRNHead', num_classes=3, in_channels=in_channels, topk=(1, )))
    if contrastive:
        cfg['contrastive_loss'] = dict(type='JointContrastiveLoss', in_channels=4, num_joints=4,
                                       out_channels=4, temperature=0.3, loss_weight=0.05)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def batch(n=4):
    inputs = [torch.rand(4, 3, 12, 12) for _ in range(n)]
    samples = [ActionDataSample().set_gt_label(i % 2) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def test_train_step_forward_backward_with_contrastive_loss():
    torch.manual_seed(0)
    model = build()
    data = model.data_preprocessor(batch(), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) >= {'loss_cls', 'loss_joint_con', 'top1_acc'}
    assert losses['loss_joint_con'].item() > 0
    (losses['loss_cls'] + losses['loss_joint_con']).backward()
    assert model.contrastive_loss.projection[0].weight.grad.abs().sum() > 0
    assert model.backbone.extractor[0][0].weight.grad.abs().sum() > 0


def test_predict_stores_joint_weights_per_sample():
    model = build().eval()
    data = model.data_preprocessor(batch(3), training=False)
    with torch.no_grad():
        preds = model(**data, mode='predict')
        direct = model.get_joint_weights(data['inputs'])
    assert len(preds) == 3
    for i, p in enumerate(preds):
        assert p.pred_score.shape == (3, )
        assert p.pred_score.sum().item() == pytest.approx(1.0, abs=1e-5)
        assert p.joint_weights.shape == (4, )
        assert torch.allclose(p.joint_weights, direct[i])
        assert ((p.joint_weights >= 0) & (p.joint_weights <= 1)).all()
    assert 'joint_weights' in preds[0].to_dict()


def test_potion_backbone_works_without_and_fails_with_contrastive_loss():
    potion = dict(type='PoTionNet', num_joints=4, block_channels=(8, 16))
    model = build(contrastive=False, backbone=potion)
    data = model.data_preprocessor(batch(), training=True)
    assert 'loss_cls' in model(**data, mode='loss')
    with pytest.raises(TypeError, match='per-joint features'):
        build(contrastive=True, backbone=potion)(**data, mode='loss')
    with pytest.raises(TypeError, match='no joint selector'):
        model.get_joint_weights(data['inputs'])

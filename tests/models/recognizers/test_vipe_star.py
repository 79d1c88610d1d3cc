import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.dataset import default_collate
from mmengine.optim import build_optim_wrapper

import vpd_mm  # noqa: F401
from vpd_mm.datasets import Pose3DDataset
from vpd_mm.datasets.pose3d_readers import save_pose3d_corpus
from vpd_mm.pose.synthetic3d import random_pose_sequences

TINY_MODEL = dict(
    type='VIPEStar',
    backbone=dict(type='VIPEStarEncoder', in_channels=39, out_channels=8, width=32, num_blocks=1),
    head=dict(type='VIPEStarHead', in_channels=8, out_channels=91, hidden_channels=(16, ), num_datasets=2),
    loss_contrastive=dict(type='VIPEContrastiveLoss', margin=1.0))
PIPELINE = [
    dict(type='SampleHardNegative3D'),
    dict(type='RandomFlipPose3D'),
    dict(type='Canonical3DTargets'),
    dict(type='RandomCameraViews'),
    dict(type='PackVIPEInputs'),
]


def _batch(tmp_path, num=6):
    for i in range(2):
        save_pose3d_corpus(str(tmp_path / f'c{i}'), random_pose_sequences(3, 20, seed=i))
    ds = Pose3DDataset(
        sources=[dict(format='corpus', root=str(tmp_path / f'c{i}'), name=f'c{i}') for i in range(2)],
        pipeline=PIPELINE,
        split='all',
        test_mode=True)
    return default_collate([ds[i] for i in range(0, len(ds), len(ds) // num)][:num])


def test_encoder_and_head_shapes():
    enc = MODELS.build(dict(type='VIPEStarEncoder', out_channels=16, width=64))
    x = torch.randn(5, 39)
    assert enc(x).shape == (5, 16)
    assert enc(x.reshape(5, 13, 3)).shape == (5, 16)
    with pytest.raises(ValueError, match='39 input features'):
        enc(torch.randn(5, 40))
    head = MODELS.build(dict(type='VIPEStarHead', in_channels=16, num_datasets=3))
    emb = torch.randn(4, 16)
    idx = torch.tensor([0, 2, 1, 2])
    out = head(emb, idx)
    assert out.shape == (4, 91)
    # each sample uses its own dataset's output layer
    hidden = head.shared(emb)
    torch.testing.assert_close(out[1], head.outputs[2](hidden[1]))
    torch.testing.assert_close(out[2], head.outputs[1](hidden[2]))
    with pytest.raises(ValueError, match='dataset indices'):
        head(emb, torch.tensor([0, 3, 0, 0]))


def test_model_trains_one_step_and_predicts(tmp_path):
    torch.manual_seed(0)
    model = MODELS.build(TINY_MODEL)
    data = _batch(tmp_path)
    assert data['inputs'].shape == (6, 3, 39)
    assert set(data['data_samples']) == {'target3d', 'neg_valid', 'dataset_idx'}
    assert set(data['data_samples']['dataset_idx'].tolist()) == {0, 1}
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='AdamW', lr=1e-2)))
    model.train()
    log0 = model.train_step(data, optim)
    assert set(log0) == {'loss', 'loss_contrastive', 'loss_recon'}
    assert torch.isfinite(log0['loss']) and log0['loss_recon'] > 0
    for _ in range(5):
        log = model.train_step(data, optim)
    assert log['loss'] < log0['loss']

    model.eval()
    preds = model.val_step(data)
    assert len(preds) == 6 and preds[0]['embedding'].shape == (8, )
    p = preds[0]
    assert p['loss'] == pytest.approx(p['loss_contrastive'] + p['loss_recon'])
    # per-sample validation losses average to the batch loss
    with torch.no_grad():
        losses = model(**model.data_preprocessor(data, False), mode='loss')
    assert np.mean([q['loss_recon'] for q in preds]) == pytest.approx(losses['loss_recon'].item(), rel=1e-5)
    emb = model.embed(data['inputs'][:, 0].numpy())
    np.testing.assert_allclose(emb, np.stack([q['embedding'] for q in preds]), rtol=1e-5, atol=1e-6)
    assert model(data['inputs'], mode='tensor').shape == (6, 3, 8)
    with pytest.raises(ValueError, match=r'\(N, 3, F\)'):
        model(data['inputs'][:, :2], data['data_samples'], mode='loss')
    with pytest.raises(ValueError, match='Invalid mode'):
        model(data['inputs'], mode='bogus')

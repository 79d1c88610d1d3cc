import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate
from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401
from mmaction.registry import MODELS, TRANSFORMS

init_default_scope('mmaction')
D = 6
PRE = dict(
    type='FlowCropDataPreprocessor',
    mean=[120.0, 110.0, 100.0, 124.5, 124.5],
    std=[60.0, 60.0, 60.0, 12.44, 12.44])


def build(with_motion=True, in_channels=5, **kw):
    pre = dict(PRE) if in_channels == 5 else dict(PRE, mean=PRE['mean'][:3], std=PRE['std'][:3])
    return MODELS.build(
        dict(
            type='PoseDistillationRecognizer',
            backbone=dict(
                type='StudentResNet', depth=18, in_channels=in_channels, base_channels=4, out_channels=D),
            with_motion=with_motion,
            data_preprocessor=pre,
            **kw))


def items(n=4, size=16, seed=0, flip=False, with_flow=True):
    rng = np.random.default_rng(seed)
    pack = TRANSFORMS.build(dict(type='PackDistillationInputs'))
    flipper = TRANSFORMS.build(dict(type='FlowCropFlip', prob=1.0))
    out = []
    for i in range(n):
        r = dict(
            img=rng.integers(0, 256, (size, size, 3), dtype=np.uint8),
            target=rng.normal(size=(2, D)).astype(np.float32),
            prev_target=rng.normal(size=(2, D)).astype(np.float32),
            video='v',
            frame=i)
        if with_flow:
            r['flow'] = rng.integers(0, 250, (size, size, 2), dtype=np.uint8)
        if flip:
            r = flipper(r)
        out.append(pack(r))
    return default_collate(out)


def test_loss_is_summed_squared_error_on_pose_and_motion():
    model = build()
    data = model.data_preprocessor(items(), True)
    losses = model(**data, mode='loss')
    emb = model.extract_feat(data['inputs'])
    pred = model.motion_head(emb)
    t, p = data['data_samples']['target'], data['data_samples']['prev_target']
    expected = ((pred - torch.cat([t, t - p], 1))**2).sum(1).mean()
    torch.testing.assert_close(losses['loss_distill'], expected)
    torch.testing.assert_close(losses['pose_sse'] + losses['motion_sse'], expected.detach())
    assert [m.out_features for m in model.motion_head.modules()
            if isinstance(m, torch.nn.Linear)] == [128, 128, 2 * D]


def test_no_motion_ablation_regresses_the_pose_features_directly():
    model = build(with_motion=False)
    assert model.motion_head is None
    data = model.data_preprocessor(items(), True)
    losses = model(**data, mode='loss')
    emb = model.extract_feat(data['inputs'])
    torch.testing.assert_close(losses['loss_distill'],
                               ((emb - data['data_samples']['target'])**2).sum(1).mean())
    assert losses['motion_sse'] == 0


def test_test_time_flip_matches_the_training_flip():
    model = build().eval()
    plain = model.data_preprocessor(items(seed=1))
    mirrored = model.data_preprocessor(items(seed=1, flip=True))
    with torch.no_grad():
        both = model.embed_with_flip(plain['inputs'])
        torch.testing.assert_close(both[:, 1], model.extract_feat(mirrored['inputs']), atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(both[:, 0], model.extract_feat(plain['inputs']), atol=1e-5, rtol=1e-4)
        assert not torch.allclose(both[:, 0], both[:, 1])
        out = model(plain['inputs'], {'video': ['v'] * 4, 'frame': torch.arange(4)}, mode='predict')
    assert len(out) == 4 and out[2]['embedding'].shape == (
        2, D) and out[2]['frame'] == 2 and out[2]['video'] == 'v'
    np.testing.assert_allclose(out[1]['embedding'], both[1].numpy(), atol=1e-5)


def test_decoded_pose_is_the_motion_decoders_estimate_of_the_teacher():
    model = build().eval()
    data = model.data_preprocessor(items(seed=2))
    mirrored = model.data_preprocessor(items(seed=2, flip=True))
    with torch.no_grad():
        decoded = model.embed_with_flip(data['inputs'], decode_pose=True)
        torch.testing.assert_close(decoded[:, 0], model.motion_head(model.extract_feat(data['inputs']))[:, :D])
        torch.testing.assert_close(
            decoded[:, 1], model.motion_head(model.extract_feat(mirrored['inputs']))[:, :D], atol=1e-5, rtol=1e-4)
        # without a motion decoder the embedding is the estimate
        plain = build(with_motion=False).eval()
        torch.testing.assert_close(
            plain.embed_with_flip(data['inputs'], decode_pose=True), plain.embed_with_flip(data['inputs']))


def test_predict_with_targets_gives_per_sample_losses():
    model = build().eval()
    data = model.data_preprocessor(items())
    with torch.no_grad():
        out = model(**data, mode='predict')
        mean = model(**data, mode='loss')['loss_distill']
    assert set(out[0]) == {'loss', 'loss_pose', 'loss_motion', 'video', 'frame'}
    assert np.isclose(np.mean([o['loss'] for o in out]), float(mean), rtol=1e-5)


def test_rgb_only_ablation():
    model = build(in_channels=3).eval()
    assert model.flow_x_channel is None
    data = model.data_preprocessor(items(with_flow=False))
    assert data['inputs'].shape[1] == 3
    with torch.no_grad():
        both = model.embed_with_flip(data['inputs'])
        mirrored = model.data_preprocessor(items(with_flow=False, flip=True))
        torch.testing.assert_close(both[:, 1], model.extract_feat(mirrored['inputs']), atol=1e-5, rtol=1e-4)


def test_teacher_size_mismatch_is_a_clear_error():
    model = MODELS.build(
        dict(
            type='PoseDistillationRecognizer',
            data_preprocessor=PRE,
            backbone=dict(type='StudentResNet', depth=18, base_channels=4, out_channels=D + 1)))
    with pytest.raises(ValueError, match='teacher features are'):
        model(**model.data_preprocessor(items(), True), mode='loss')


def test_a_few_steps_reduce_the_loss():
    torch.manual_seed(0)
    model = build()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    data = model.data_preprocessor(items(n=8), True)
    first = None
    for _ in range(25):
        loss = model(**data, mode='loss')['loss_distill']
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.5 * first

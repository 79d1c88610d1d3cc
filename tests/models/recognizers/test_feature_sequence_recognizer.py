import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.optim import OptimWrapper

import vpd_mm  # noqa: F401


def _model(dim=5, classes=3):
    return MODELS.build(dict(type='FeatureSequenceRecognizer',
                             backbone=dict(type='BiGRU', in_channels=dim, hidden_channels=8),
                             cls_head=dict(type='BiGRUHead', num_classes=classes, in_channels=16,
                                           hidden_channels=16)))


def _batch(lengths, views, dim=5):
    return dict(inputs=[torch.randn(views, t, dim) for t in lengths],
                data_samples=[ActionDataSample().set_gt_label(i % 3) for i in range(len(lengths))])


def test_train_step_reduces_loss():
    torch.manual_seed(0)
    model = _model()
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-2))
    data = _batch([4, 7, 5, 6], views=1)
    first = model.train_step(data, optim)['loss_cls'].item()
    for _ in range(30):
        last = model.train_step(data, optim)['loss_cls'].item()
    assert last < first * 0.5
    # two views per sample in training also work (labels shared)
    assert 'loss_cls' in model.train_step(_batch([4, 6], views=2), optim)


def test_predict_sums_views_and_attaches_features():
    torch.manual_seed(0)
    model = _model().eval()
    data = _batch([4, 7], views=2)
    preds = model.test_step(data)
    # flip-sum: the prediction is the mean of both views' probabilities
    for i, (x, p) in enumerate(zip(data['inputs'], preds)):
        single = [model.test_step(dict(inputs=[x[v:v + 1]], data_samples=[ActionDataSample().set_gt_label(0)]))[0]
                  for v in range(2)]
        torch.testing.assert_close(p.pred_score, (single[0].pred_score + single[1].pred_score) / 2)
        # features carry the unpadded input as (T, V, D) for DTW metrics
        torch.testing.assert_close(p.features.sequence, x.transpose(0, 1))
    assert preds[0].features.sequence.shape == (4, 2, 5)


def test_detector_loss_and_predict():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='FrameBiGRUDetector', backbone=dict(type='BiGRU', in_channels=3, hidden_channels=8,
                                                                      pool=None),
                              head=dict(type='FrameBinaryHead', in_channels=16, hidden_channels=8)))
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=5e-2))
    samples = []
    inputs = []
    for t in (16, 14):
        labels = torch.zeros(t)
        labels[5:10] = 1
        x = torch.randn(1, t, 3)
        x[0, 5:10, 0] += 3  # the action is visible in the features
        ds = ActionDataSample()
        ds.gt_frame_labels = labels
        samples.append(ds)
        inputs.append(x)
    data = dict(inputs=inputs, data_samples=samples)
    first = model.train_step(data, optim)['loss_frame'].item()
    for _ in range(40):
        last = model.train_step(data, optim)['loss_frame'].item()
    assert last < first * 0.6
    model.eval()
    out = model.test_step(data)
    act = out[1].pred_activation
    assert act.shape == (14, )
    assert act[5:10].mean() > 0.5 > act[10:].mean()

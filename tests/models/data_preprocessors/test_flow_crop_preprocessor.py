import pytest
import torch
from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401
from mmaction.models import ActionDataPreprocessor
from mmaction.registry import MODELS

init_default_scope('mmaction')
MEAN, STD = [10.0, 20.0, 30.0, 124.5, 124.5], [2.0, 4.0, 5.0, 12.5, 25.0]


def build(**kw):
    return MODELS.build(dict(type='FlowCropDataPreprocessor', mean=MEAN, std=STD, **kw))


def test_normalises_stacked_or_listed_uint8_batches():
    pre = build()
    assert isinstance(pre, ActionDataPreprocessor)
    x = torch.randint(0, 250, (3, 5, 4, 4), dtype=torch.uint8)
    out = pre(dict(inputs=x, data_samples=dict(target=torch.ones(3, 2))))
    expected = (x.float() - torch.tensor(MEAN).view(5, 1, 1)) / torch.tensor(STD).view(5, 1, 1)
    torch.testing.assert_close(out['inputs'], expected)
    assert out['data_samples']['target'].shape == (3, 2)
    listed = pre(dict(inputs=list(x), data_samples=None))
    torch.testing.assert_close(listed['inputs'], expected)
    cl = build(channels_last=True)(dict(inputs=x, data_samples=None))['inputs']
    assert cl.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(cl, expected)


def test_rejects_channel_mismatch_and_to_rgb():
    with pytest.raises(ValueError, match='inputs have 3 channels but mean/std give 5'):
        build()(dict(inputs=torch.zeros(1, 3, 4, 4, dtype=torch.uint8), data_samples=None))
    with pytest.raises(ValueError, match='keep to_rgb=False'):
        build(to_rgb=True)

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

import vpd_mm  # noqa: F401


def test_pads_and_records_lengths():
    pre = MODELS.build(dict(type='FeatureSequenceDataPreprocessor'))
    a, b = torch.randn(2, 3, 4), torch.randn(2, 6, 4)
    samples = [ActionDataSample(), ActionDataSample()]
    out = pre(dict(inputs=[a, b], data_samples=samples))
    assert out['inputs'].shape == (2, 2, 6, 4)
    torch.testing.assert_close(out['inputs'][0, :, :3], a)
    assert out['inputs'][0, :, 3:].abs().sum() == 0
    assert [s.metainfo['num_frames'] for s in out['data_samples']] == [3, 6]
    with pytest.raises(ValueError, match='inputs must all be'):
        pre(dict(inputs=[a, torch.randn(1, 3, 4)], data_samples=samples))

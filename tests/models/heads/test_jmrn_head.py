import pytest
import torch
from mmaction.registry import MODELS

import vpd_mm  # noqa: F401
from vpd_mm.models.backbones.jmrn import JMRNOutput


def test_head_accepts_tensor_map_and_jmrn_output():
    head = MODELS.build(dict(type='JMRNHead', num_classes=4, in_channels=6, dropout_ratio=0.0))
    head.init_weights()
    x = torch.rand(3, 6)
    out = JMRNOutput(feat=x, joint_feats=torch.rand(3, 2, 2), joint_weights=torch.rand(3, 2))
    assert head(x).shape == (3, 4)
    assert torch.equal(head(out), head(x))
    assert torch.allclose(head(x[:, :, None, None].expand(3, 6, 2, 2)), head(x), atol=1e-6)
    with pytest.raises(ValueError, match=r'\(N, 6\)'):
        head(torch.rand(3, 5))

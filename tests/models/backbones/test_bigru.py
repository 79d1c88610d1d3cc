import pytest
import torch
from mmaction.registry import MODELS

import vpd_mm  # noqa: F401


def test_bigru_structure_and_pooling():
    m = MODELS.build(dict(type='BiGRU', in_channels=7))
    assert m.gru.num_layers == 2 and m.gru.hidden_size == 128 and m.gru.bidirectional
    assert m.dropout.p == pytest.approx(0.2) and m.out_channels == 256
    m.eval()
    x = torch.randn(3, 12, 7)
    out = m(x)
    assert out.shape == (3, 256)
    frames = MODELS.build(dict(type='BiGRU', in_channels=7, pool=None))
    frames.load_state_dict(m.state_dict())
    frames.eval()
    per_frame = frames(x)
    assert per_frame.shape == (3, 12, 256)
    torch.testing.assert_close(per_frame.max(dim=1).values, out)


def test_bigru_padding_is_ignored():
    torch.manual_seed(0)
    m = MODELS.build(dict(type='BiGRU', in_channels=4, hidden_channels=8)).eval()
    short = torch.randn(1, 5, 4)
    padded = torch.cat([short, torch.full((1, 7, 4), 100.0)], dim=1)
    batch = torch.cat([padded, torch.randn(1, 12, 4)])
    out = m(batch, torch.tensor([5, 12]))
    torch.testing.assert_close(out[0], m(short)[0])
    # without lengths the padding changes the result
    assert not torch.allclose(m(padded)[0], out[0])
    with pytest.raises(ValueError, match='expects'):
        m(torch.randn(2, 5, 3))

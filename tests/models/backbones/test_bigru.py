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


@pytest.mark.parametrize('layers,bidirectional', [(2, True), (1, False)])
def test_padded_batch_equals_the_packed_gru(layers, bidirectional):
    """The fast path over the padded batch gives the packed GRU's outputs and gradients."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    torch.manual_seed(0)
    model = MODELS.build(dict(type='BiGRU', in_channels=5, hidden_channels=8, num_layers=layers,
                              bidirectional=bidirectional, input_dropout=0.0, pool=None)).train()
    x = torch.randn(4, 9, 5, requires_grad=True)
    lengths = torch.tensor([9, 3, 6, 1])
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    want = pad_packed_sequence(model.gru(packed)[0], batch_first=True, total_length=9)[0]
    got = model(x, lengths)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)
    assert (got[1, 3:] == 0).all()  # padding frames are zeros, as pad_packed_sequence gives them
    grads = [torch.autograd.grad(out.square().sum(), [x, model.gru.weight_hh_l0])
             for out in (want, model(x, lengths))]
    for g_want, g_got in zip(*grads):
        torch.testing.assert_close(g_got, g_want, rtol=1e-4, atol=1e-6)

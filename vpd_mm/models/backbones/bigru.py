"""Bidirectional GRU over per-frame features (VPD's downstream sequence model)."""
from typing import Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def length_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """``(B, max_len)`` bool mask, True on valid frames."""
    return torch.arange(max_len, device=lengths.device)[None] < lengths[:, None]


@MODELS.register_module()
class BiGRU(BaseModule):
    """Input dropout, then a (bi)directional multi-layer GRU, optionally max-pooled over time.

    REFERENCE.md section 4: 2 layers, hidden 128, bidirectional, input dropout 0.2, temporal max-pool.

    Args:
        in_channels: Feature size ``D`` per frame.
        hidden_channels: GRU hidden size per direction.
        num_layers: Stacked GRU layers.
        input_dropout: Dropout applied to the input features.
        bidirectional: Run the GRU both ways (output size ``2 * hidden_channels``).
        pool: ``'max'`` returns ``(B, C)`` (max over valid frames); ``None`` returns per-frame
            outputs ``(B, T, C)`` (zeros on padding).
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 128,
                 num_layers: int = 2,
                 input_dropout: float = 0.2,
                 bidirectional: bool = True,
                 pool: Optional[str] = 'max',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if pool not in ('max', None):
            raise ValueError(f'pool must be "max" or None, got {pool!r}')
        self.in_channels = in_channels
        self.out_channels = hidden_channels * (2 if bidirectional else 1)
        self.pool = pool
        self.dropout = nn.Dropout(input_dropout)
        self.gru = nn.GRU(
            in_channels,
            hidden_channels,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional)

    def forward(self, x: torch.Tensor, lengths: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Run on ``x (B, T, D)`` with valid lengths ``(B,)`` (default: all T)."""
        if x.ndim != 3 or x.shape[-1] != self.in_channels:
            raise ValueError(f'BiGRU expects (B, T, {self.in_channels}), got {tuple(x.shape)}')
        batch, max_len = x.shape[:2]
        if lengths is None:
            lengths = torch.full((batch, ), max_len, dtype=torch.long, device=x.device)
        lengths = lengths.to(device=x.device, dtype=torch.long)
        x = self.dropout(x)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=max_len)
        if self.pool is None:
            return out
        out = out.masked_fill(~length_mask(lengths, max_len)[..., None], float('-inf'))
        return out.max(dim=1).values

"""VIPE* training losses (REFERENCE.md section 1).

* :class:`VIPEContrastiveLoss`: two views of the same 3D pose are pulled together by their
  Euclidean distance; a different pose is pushed past ``margin`` (hinge), counted only when the
  hard-negative search found one.
* :class:`VIPEReconstructionLoss`: summed squared error between decoded and canonical 3D features.

Both return the mean over samples (``reduction='mean'``) or per-sample values (``'none'``).
"""
from typing import Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'none':
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


@MODELS.register_module()
class VIPEContrastiveLoss(nn.Module):
    """``d(a, p) + valid * max(0, margin - d(a, n))`` per sample, d = Euclidean distance.

    Args:
        margin: Distance a negative must exceed. Defaults to 1.0.
        loss_weight: Multiplier of the loss. Defaults to 1.0.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
    """

    def __init__(self, margin: float = 1.0, loss_weight: float = 1.0, reduction: str = 'mean') -> None:
        super().__init__()
        self.margin = margin
        self.loss_weight = loss_weight
        self.reduction = reduction

    def forward(self,
                anchor: torch.Tensor,
                positive: torch.Tensor,
                negative: Optional[torch.Tensor] = None,
                neg_valid: Optional[torch.Tensor] = None,
                reduction: Optional[str] = None) -> torch.Tensor:
        """Compute the loss.

        Args:
            anchor: ``(N, D)`` embeddings of view 1.
            positive: ``(N, D)`` embeddings of view 2 of the same poses.
            negative: ``(N, D)`` embeddings of different poses, or None.
            neg_valid: ``(N,)`` 1/0 (or bool) weights of the negatives; all valid if None.
            reduction: Overrides ``self.reduction``.
        """
        if anchor.shape != positive.shape or anchor.ndim != 2:
            raise ValueError(f'anchor and positive must both be (N, D), got {tuple(anchor.shape)} and '
                             f'{tuple(positive.shape)}')
        loss = torch.linalg.vector_norm(anchor - positive, dim=1)
        if negative is not None:
            if negative.shape != anchor.shape:
                raise ValueError(f'negative must be {tuple(anchor.shape)}, got {tuple(negative.shape)}')
            push = torch.relu(self.margin - torch.linalg.vector_norm(anchor - negative, dim=1))
            if neg_valid is not None:
                push = push * neg_valid.to(push.dtype).reshape(-1)
            loss = loss + push
        return self.loss_weight * _reduce(loss, reduction or self.reduction)


@MODELS.register_module()
class VIPEReconstructionLoss(nn.Module):
    """Summed squared error over the feature dimension, per sample.

    Args:
        loss_weight: Multiplier of the loss. Defaults to 1.0.
        reduction: ``'mean'``, ``'sum'`` or ``'none'``.
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.reduction = reduction

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                reduction: Optional[str] = None) -> torch.Tensor:
        """Compute the loss for ``pred`` and ``target`` of the same shape ``(N, ...)``."""
        if pred.shape != target.shape:
            raise ValueError(f'pred {tuple(pred.shape)} and target {tuple(target.shape)} differ in shape')
        loss = (pred - target).pow(2).reshape(pred.shape[0], -1).sum(dim=1)
        return self.loss_weight * _reduce(loss, reduction or self.reduction)

"""VIPE*'s 3D pose decoder with one output layer per training dataset (REFERENCE.md section 1)."""
from typing import Sequence

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class VIPEStarHead(BaseModule):
    """Decode embeddings into canonical 3D pose features: shared MLP + per-dataset linear heads.

    ``in -> hidden[0] -> ... -> hidden[-1]`` (Linear-ReLU each), then the linear layer of the
    sample's dataset. Several 3D corpora with different skeleton conventions can share the encoder
    this way (the paper trains on Human3.6M, 3DPeople, AMASS, ...).

    Args:
        in_channels: Embedding size.
        out_channels: Target size per dataset (91 for :func:`vpd_mm.pose.canonical3d.pose3d_targets`).
        hidden_channels: Widths of the shared layers. Defaults to ``(512, 512)``.
        num_datasets: Number of per-dataset output layers. Defaults to 1.
        loss_recon: Reconstruction loss config.
        init_cfg: mmengine initialisation config.
    """

    def __init__(self,
                 in_channels: int = 32,
                 out_channels: int = 91,
                 hidden_channels: Sequence[int] = (512, 512),
                 num_datasets: int = 1,
                 loss_recon: dict = dict(type='VIPEReconstructionLoss'),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_datasets < 1:
            raise ValueError(f'num_datasets must be >= 1, got {num_datasets}')
        layers, prev = [], in_channels
        for width in hidden_channels:
            layers += [nn.Linear(prev, width), nn.ReLU(inplace=True)]
            prev = width
        self.shared = nn.Sequential(*layers)
        self.outputs = nn.ModuleList([nn.Linear(prev, out_channels) for _ in range(num_datasets)])
        self.num_datasets = num_datasets
        self.out_channels = out_channels
        self.loss_recon = MODELS.build(loss_recon)

    def forward(self, emb: torch.Tensor, dataset_idx: torch.Tensor = None) -> torch.Tensor:
        """Decode ``(N, in)`` embeddings into ``(N, out)`` using each sample's dataset head.

        Args:
            emb: Embeddings.
            dataset_idx: ``(N,)`` integer dataset index per sample; all 0 if None.
        """
        hidden = self.shared(emb)
        if dataset_idx is None or self.num_datasets == 1:
            if dataset_idx is not None and int(dataset_idx.max()) > 0:
                raise ValueError(f'dataset index {int(dataset_idx.max())} but the head has 1 dataset')
            return self.outputs[0](hidden)
        dataset_idx = dataset_idx.reshape(-1).long()
        if int(dataset_idx.min()) < 0 or int(dataset_idx.max()) >= self.num_datasets:
            raise ValueError(f'dataset indices must lie in [0, {self.num_datasets}), got '
                             f'{sorted(set(dataset_idx.tolist()))}')
        all_out = torch.stack([head(hidden) for head in self.outputs], dim=1)  # (N, K, out)
        return all_out[torch.arange(len(hidden), device=hidden.device), dataset_idx]

    def loss(self,
             emb: torch.Tensor,
             target: torch.Tensor,
             dataset_idx: torch.Tensor = None,
             reduction: str = None) -> torch.Tensor:
        """Reconstruction loss of the decoded ``emb`` against ``target`` ``(N, out)``."""
        return self.loss_recon(self(emb, dataset_idx), target, reduction=reduction)

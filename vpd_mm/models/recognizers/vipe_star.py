"""VIPE*: the view-invariant pose embedding model trained on 3D poses (REFERENCE.md section 1)."""
from typing import Dict, List, Optional

import numpy as np
import torch
from mmaction.registry import MODELS

from .mode_dispatch_model import ModeDispatchModel


@MODELS.register_module()
class VIPEStar(ModeDispatchModel):
    """Encoder + 3D decoder heads + contrastive loss, as an mmengine model.

    Batches come from :class:`vpd_mm.datasets.Pose3DDataset` with ``PackVIPEInputs``:

    * ``inputs``: ``(N, 3, F)`` normalised 2D poses ``[view 1, view 2 of the same 3D pose, a view of
      a different pose]`` (F = 39 VPD joint features).
    * ``data_samples``: dict of ``target3d`` ``(N, T)`` canonical 3D features of the pose,
      ``neg_valid`` ``(N,)`` and ``dataset_idx`` ``(N,)``.

    Modes: ``'loss'`` returns ``loss_contrastive`` and ``loss_recon`` (the decoder reconstructs the 3D
    target from both views); ``'predict'`` returns one dict per sample with its ``embedding`` (view 1)
    and per-sample losses (for validation-loss model selection, see ``VIPEValLoss``); ``'tensor'``
    embeds ``(N, F)`` or ``(N, V, F)`` inputs.

    Args:
        backbone: Encoder config (``VIPEStarEncoder``).
        head: Decoder config (``VIPEStarHead``).
        loss_contrastive: Contrastive loss config.
        data_preprocessor: mmengine data preprocessor config (defaults to moving data to the device).
        init_cfg: mmengine initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 loss_contrastive: dict = dict(type='VIPEContrastiveLoss', margin=1.0),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.loss_contrastive = MODELS.build(loss_contrastive)

    @property
    def embedding_dim(self) -> int:
        """Size of the embeddings."""
        return self.backbone.out_channels

    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Embed ``(N, F)`` or ``(N, V, F)`` poses into ``(N, D)`` / ``(N, V, D)``."""
        if inputs.ndim == 2:
            return self.backbone(inputs)
        if inputs.ndim != 3:
            raise ValueError(f'VIPEStar inputs must be (N, F) or (N, V, F), got {tuple(inputs.shape)}')
        n, v = inputs.shape[:2]
        return self.backbone(inputs.reshape(n * v, -1)).reshape(n, v, -1)

    def _losses(self, inputs: torch.Tensor, data_samples: dict, reduction: str) -> Dict[str, torch.Tensor]:
        if inputs.ndim != 3 or inputs.shape[1] != 3:
            raise ValueError(f'VIPEStar training inputs must be (N, 3, F) [view1, view2, negative], got '
                             f'{tuple(inputs.shape)}')
        for key in ('target3d', 'neg_valid'):
            if key not in data_samples:
                raise KeyError(f'VIPEStar data_samples lack {key!r}; build batches with PackVIPEInputs')
        emb = self.extract_feat(inputs)
        target = data_samples['target3d'].to(emb.dtype)
        idx = data_samples.get('dataset_idx')
        loss_con = self.loss_contrastive(
            emb[:, 0], emb[:, 1], emb[:, 2], data_samples['neg_valid'], reduction=reduction)
        loss_rec = (
            self.head.loss(emb[:, 0], target, idx, reduction=reduction) +
            self.head.loss(emb[:, 1], target, idx, reduction=reduction))
        return dict(loss_contrastive=loss_con, loss_recon=loss_rec, embedding=emb[:, 0])

    def loss(self, inputs: torch.Tensor, data_samples: dict) -> Dict[str, torch.Tensor]:
        """Training losses (batch means)."""
        out = self._losses(inputs, data_samples, 'mean')
        out.pop('embedding')
        return out

    def predict(self, inputs: torch.Tensor, data_samples: Optional[dict] = None) -> List[dict]:
        """Per-sample embeddings, and per-sample losses when ``data_samples`` carry targets."""
        if data_samples is None or inputs.ndim != 3 or inputs.shape[1] != 3:
            emb = self.extract_feat(inputs)
            return [dict(embedding=e.detach().cpu().numpy()) for e in emb]
        out = self._losses(inputs, data_samples, 'none')
        emb = out['embedding'].detach().cpu().numpy()
        con = out['loss_contrastive'].detach().cpu().numpy()
        rec = out['loss_recon'].detach().cpu().numpy()
        return [
            dict(
                embedding=emb[i],
                loss_contrastive=float(con[i]),
                loss_recon=float(rec[i]),
                loss=float(con[i] + rec[i])) for i in range(len(emb))
        ]

    @torch.no_grad()
    def embed(self, features: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Embed normalised pose features ``(N, F)`` (numpy) in eval mode; returns ``(N, D)`` float32."""
        features = np.asarray(features, dtype=np.float32)
        if features.ndim != 2:
            raise ValueError(f'embed expects (N, F) features, got {features.shape}')
        was_training = self.training
        self.eval()
        device = next(self.parameters()).device
        out = [
            self.backbone(torch.from_numpy(features[i:i + batch_size]).to(device)).cpu().numpy()
            for i in range(0, len(features), batch_size)
        ]
        self.train(was_training)
        return np.concatenate(out, axis=0) if out else np.zeros((0, self.embedding_dim), np.float32)

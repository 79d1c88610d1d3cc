"""Joint-contrastive loss of JMRN: a supervised contrastive loss on every joint's feature."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.logging import MessageHub


def supervised_contrastive_loss(z: torch.Tensor, labels: torch.Tensor,
                                temperature: float) -> torch.Tensor:
    """Supervised contrastive loss (Khosla et al. 2020, "L_out") of L2-normalised embeddings.

    For anchor ``i`` with positives ``P(i) = {p != i : y_p = y_i}``::

        L_i = -1/|P(i)| sum_{p in P(i)} log( exp(z_i.z_p / tau) / sum_{a != i} exp(z_i.z_a / tau) )

    averaged over the anchors that have at least one positive. A batch without any positive pair
    gives 0 (still connected to the graph).

    Args:
        z (Tensor): ``(N, D)`` embeddings, already L2-normalised.
        labels (Tensor): ``(N,)`` integer labels.
        temperature (float): ``tau > 0``.

    Returns:
        Tensor: scalar loss.
    """
    if z.dim() != 2 or labels.shape != (z.shape[0], ):
        raise ValueError(f'expected z (N, D) and labels (N,), got {tuple(z.shape)} and '
                         f'{tuple(labels.shape)}')
    n = z.shape[0]
    logits = z @ z.t() / temperature
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float('-inf'))
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    pos = (labels[:, None] == labels[None, :]) & ~self_mask
    num_pos = pos.sum(1)
    has_pos = num_pos > 0
    if not has_pos.any():
        return z.sum() * 0.0
    pos_log_prob = log_prob.masked_fill(~pos, 0.0).sum(1)
    return -(pos_log_prob[has_pos] / num_pos[has_pos]).mean()


@MODELS.register_module()
class JointContrastiveLoss(nn.Module):
    """JMRN's joint-contrastive loss with its per-joint projection heads.

    Every joint ``j`` has its own MLP projection (``in -> hidden -> out``, ReLU) followed by L2
    normalisation; the supervised contrastive loss of every joint over the batch (positives = same
    action label) is summed over joints and multiplied by ``loss_weight`` (lambda). During the first
    ``warmup_epochs`` epochs the weight ramps linearly from 0 (epoch 0) to ``loss_weight``; the epoch
    is read from mmengine's MessageHub (``'epoch'`` info, set by the runner) unless given.

    The module owns trainable parameters, so it must be a sub-module of the model (the JMRN
    recognizer builds it from its ``contrastive_loss`` config).

    Args:
        in_channels (int): Per-joint feature width (JMRN ``c_dim``).
        num_joints (int): ``J``.
        hidden_channels (int): MLP hidden width. Defaults to ``in_channels``.
        out_channels (int): Projection width. Defaults to 128.
        temperature (float): tau. Defaults to 0.3.
        loss_weight (float): lambda. Defaults to 0.05.
        warmup_epochs (int): Linear warm-up length in epochs; 0 disables. Defaults to 0.
        shared_projection (bool): One MLP shared by all joints instead of one per joint.
    """

    def __init__(self, in_channels: int, num_joints: int, hidden_channels: Optional[int] = None,
                 out_channels: int = 128, temperature: float = 0.3, loss_weight: float = 0.05,
                 warmup_epochs: int = 0, shared_projection: bool = False) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        hidden = hidden_channels or in_channels
        groups = 1 if shared_projection else num_joints
        mult = 1 if shared_projection else num_joints
        # grouped 1x1 convs over (N, J*C, 1) == an independent MLP per joint
        self.projection = nn.Sequential(
            nn.Conv1d(mult * in_channels, mult * hidden, 1, groups=groups), nn.ReLU(inplace=True),
            nn.Conv1d(mult * hidden, mult * out_channels, 1, groups=groups))
        self.in_channels = in_channels
        self.num_joints = num_joints
        self.out_channels = out_channels
        self.shared_projection = shared_projection
        self.temperature = temperature
        self.loss_weight = loss_weight
        self.warmup_epochs = warmup_epochs

    def project(self, joint_feats: torch.Tensor) -> torch.Tensor:
        """``(N, J, in)`` -> L2-normalised ``(N, J, out)`` embeddings."""
        if joint_feats.dim() != 3 or joint_feats.shape[1:] != (self.num_joints, self.in_channels):
            raise ValueError(f'JointContrastiveLoss expects joint features (N, {self.num_joints}, '
                             f'{self.in_channels}), got {tuple(joint_feats.shape)}')
        n, j, c = joint_feats.shape
        if self.shared_projection:
            z = self.projection(joint_feats.reshape(n * j, c, 1)).reshape(n, j, -1)
        else:
            z = self.projection(joint_feats.reshape(n, j * c, 1)).reshape(n, j, -1)
        return F.normalize(z, dim=-1)

    def current_weight(self, epoch: Optional[int] = None) -> float:
        """lambda after warm-up at ``epoch`` (MessageHub's epoch when None; full weight if unknown)."""
        if self.warmup_epochs <= 0:
            return self.loss_weight
        if epoch is None:
            epoch = MessageHub.get_current_instance().get_info('epoch')
        if epoch is None:
            return self.loss_weight
        return self.loss_weight * min(1.0, epoch / self.warmup_epochs)

    def forward(self, joint_feats: torch.Tensor, labels: torch.Tensor,
                epoch: Optional[int] = None) -> torch.Tensor:
        """Weighted joint-contrastive loss of a batch.

        Args:
            joint_feats (Tensor): ``(N, J, in_channels)`` per-joint features.
            labels (Tensor): ``(N,)`` action labels.
            epoch (int, optional): Current epoch for the warm-up (0-based).

        Returns:
            Tensor: scalar ``lambda_t * sum_j L_supcon(joint j)``.
        """
        z = self.project(joint_feats)
        labels = labels.reshape(-1).to(z.device)
        loss = sum(supervised_contrastive_loss(z[:, j], labels, self.temperature)
                   for j in range(self.num_joints))
        return loss * self.current_weight(epoch)

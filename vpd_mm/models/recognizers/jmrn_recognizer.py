"""Recognizer for JMRN / PoTion: per-joint motion maps in, scores (+ joint weights) out."""
from typing import Optional

import torch
from mmaction.models.recognizers.base import BaseRecognizer
from mmaction.registry import MODELS
from mmaction.utils import OptConfigType, SampleList

from vpd_mm.models.backbones.jmrn import JMRNOutput


@MODELS.register_module()
class JMRNRecognizer(BaseRecognizer):
    """Recognizer for ``(N, J, C, H, W)`` per-joint motion maps (PoTion transform output).

    Unlike mmaction2's Recognizer2D/3D it keeps the backbone's per-joint outputs: in ``loss`` the
    optional joint-contrastive loss gets the per-joint features and the labels; in ``predict`` every
    data sample gets a ``joint_weights`` field (``(J,)`` selector weights), so ``tools/test.py --dump``
    stores them for the per-class joint-importance plot (``tools/analysis/jmrn_joint_importance.py``).

    Args:
        backbone (dict): :class:`JMRN` or :class:`PoTionNet` config.
        cls_head (dict): Head config (e.g. :class:`JMRNHead`).
        contrastive_loss (dict, optional): :class:`JointContrastiveLoss` config (needs a JMRN
            backbone); its loss is logged as ``loss_joint_con``.
        train_cfg, test_cfg, data_preprocessor: As in mmaction2's ``BaseRecognizer``.
    """

    def __init__(self, backbone: dict, cls_head: dict, contrastive_loss: Optional[dict] = None,
                 train_cfg: OptConfigType = None, test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None) -> None:
        super().__init__(backbone=backbone, cls_head=cls_head, train_cfg=train_cfg,
                         test_cfg=test_cfg, data_preprocessor=data_preprocessor)
        self.contrastive_loss = MODELS.build(contrastive_loss) if contrastive_loss else None

    def extract_feat(self, inputs: torch.Tensor, stage: str = 'backbone', **kwargs):
        """Backbone output (``stage='backbone'``) or class scores (``stage='head'``), plus ``{}``."""
        out = self.backbone(inputs)
        if stage == 'head':
            out = self.cls_head(out)
        return out, dict()

    def loss(self, inputs: torch.Tensor, data_samples: SampleList, **kwargs) -> dict:
        """Classification loss (+ ``loss_joint_con`` when a contrastive loss is configured)."""
        out = self.backbone(inputs)
        losses = self.cls_head.loss(out, data_samples)
        if self.contrastive_loss is not None:
            if not isinstance(out, JMRNOutput):
                raise TypeError('contrastive_loss needs a backbone returning per-joint features '
                                f'(JMRNOutput, e.g. JMRN); {type(self.backbone).__name__} returned '
                                f'{type(out).__name__}')
            labels = torch.stack([ds.gt_label for ds in data_samples]).reshape(-1)
            losses['loss_joint_con'] = self.contrastive_loss(out.joint_feats, labels)
        return losses

    def predict(self, inputs: torch.Tensor, data_samples: SampleList, **kwargs) -> SampleList:
        """Scores per sample (``pred_score``) and, for JMRN, ``joint_weights`` ``(J,)``."""
        out = self.backbone(inputs)
        predictions = self.cls_head.predict(out, data_samples)
        if isinstance(out, JMRNOutput):
            weights = out.joint_weights.detach()
            weights = weights.reshape(len(predictions), -1, weights.shape[-1]).mean(1)
            for sample, w in zip(predictions, weights):
                sample.set_field(w, 'joint_weights')
        return predictions

    @torch.no_grad()
    def get_joint_weights(self, inputs: torch.Tensor) -> torch.Tensor:
        """Joint-selector weights ``(N, J)`` in ``[0, 1]`` for ``(N, J, C, H, W)`` motion maps."""
        out = self.backbone(inputs)
        if not isinstance(out, JMRNOutput):
            raise TypeError(f'{type(self.backbone).__name__} has no joint selector')
        return out.joint_weights

"""Video Pose Distillation: a student CNN regressing the teacher's pose features from crops + flow."""
from typing import Dict, List, Optional

import torch
from mmaction.registry import MODELS

from ...datasets.transforms.flow_crop_flip import FLOW_FLIP_CENTER
from .mode_dispatch_model import ModeDispatchModel


@MODELS.register_module()
class PoseDistillationRecognizer(ModeDispatchModel):
    """VPD student (REFERENCE.md §2): encoder F (e.g. :class:`StudentResNet`) + motion decoder D.

    Training target of frame ``t``: the teacher features ``p_t`` and ``p_t - p_{t-1}``. With motion,
    ``D(F(x_t))`` regresses ``[p_t, p_t - p_{t-1}]``; without (``with_motion=False``, the no-motion
    ablation) ``F(x_t)`` regresses ``p_t``. Loss: squared error summed over feature dimensions,
    averaged over the batch (``loss_distill``; ``pose_sse`` / ``motion_sse`` are logged). The RGB-only
    ablation is a 3-channel backbone and data pipeline; nothing changes here.

    Batches come from :class:`~vpd_mm.datasets.FlowAugmentedCropDataset` with
    ``PackDistillationInputs`` and ``default_collate``: ``inputs`` ``(N, C, H, W)`` (normalised by
    the data preprocessor), ``data_samples`` a dict with ``target`` and ``prev_target`` ``(N, D)``.

    Modes: ``'loss'``; ``'predict'`` returns one dict per sample -- with targets, the per-sample
    losses ``loss``, ``loss_pose``, ``loss_motion`` (validation, see ``DistillationValLoss``), without
    targets the ``embedding`` ``(2, D)`` of the input and of its mirror image ``[original,
    flipped]`` --, plus ``video`` / ``frame`` when given; ``'tensor'`` returns ``F(x)`` ``(N, D)``.

    Args:
        backbone: Student encoder config; its ``out_channels`` is the embedding size D (= teacher's).
        motion_head: Motion decoder config (``in_channels`` defaults to D). Unused without motion.
        with_motion: Regress ``[p_t, p_t - p_{t-1}]`` through the decoder (paper) or ``p_t`` directly.
        flow_x_channel: Input channel of the x-flow, negated by the test-time mirror (None: no flow).
        channels_last: Keep the backbone and inputs in ``torch.channels_last`` (GPU speed).
        data_preprocessor: e.g. ``FlowCropDataPreprocessor`` with 5 means / stds.
        init_cfg: mmengine initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 motion_head: Optional[dict] = dict(type='MotionDecoderHead', hidden_channels=(128, 128)),
                 with_motion: bool = True,
                 flow_x_channel: Optional[int] = 3,
                 channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.embedding_dim = int(self.backbone.out_channels)
        self.with_motion = with_motion
        self.motion_head = None
        if with_motion:
            if not motion_head:
                raise ValueError('with_motion=True needs a motion_head config')
            head = dict(motion_head)
            head.setdefault('in_channels', self.embedding_dim)
            head.setdefault('out_channels', 2 * self.embedding_dim)
            self.motion_head = MODELS.build(head)
            if self.motion_head.out_channels != 2 * self.embedding_dim:
                raise ValueError(f'motion_head must output 2 x {self.embedding_dim}, got '
                                 f'{self.motion_head.out_channels}')
        in_channels = getattr(self.backbone, 'in_channels', None)
        self.flow_x_channel = flow_x_channel if in_channels is None or (
            flow_x_channel is not None and flow_x_channel < in_channels) else None
        self.channels_last = channels_last
        if channels_last:
            self.backbone.to(memory_format=torch.channels_last)

    # ------------------------------------------------------------------ features
    def extract_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Student embeddings ``(N, D)`` of normalised ``(N, C, H, W)`` inputs."""
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        return self.backbone(inputs)

    def flip_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """Mirror normalised inputs left-right and negate the x-flow, as ``FlowCropFlip`` does on uint8.

        In the uint8 code the mirror maps flow level ``q`` to ``2 c - q`` (``c = 124.5``); after the
        preprocessor's ``(q - mean) / std`` that is ``2 (c - mean) / std - x``.
        """
        out = torch.flip(inputs, dims=[3])
        c = self.flow_x_channel
        if c is not None:
            mean, std = 0.0, 1.0
            pre = self.data_preprocessor
            if getattr(pre, '_enable_normalize', False):
                mean, std = float(pre.mean.flatten()[c]), float(pre.std.flatten()[c])
            out = out.clone()
            out[:, c] = 2 * (FLOW_FLIP_CENTER - mean) / std - out[:, c]
        return out

    def embed_with_flip(self, inputs: torch.Tensor, decode_pose: bool = False) -> torch.Tensor:
        """``(N, 2, D)`` embeddings ``[original, mirrored]`` of normalised inputs (one forward pass).

        Args:
            inputs: ``(N, 5, H, W)`` normalised RGB + flow crops.
            decode_pose: Return the motion decoder's estimate of the teacher's features ``p_t`` instead
                of the embedding (a diagnostic: how well the student reproduces its teacher).
        """
        n = inputs.shape[0]
        emb = self.extract_feat(torch.cat([inputs, self.flip_inputs(inputs)]))
        if decode_pose and self.motion_head is not None:
            emb = self.motion_head(emb)[:, :self.embedding_dim]
        return torch.stack([emb[:n], emb[n:]], dim=1)

    # ------------------------------------------------------------------ losses
    def _targets(self, data_samples) -> tuple:
        if not isinstance(data_samples, dict) or 'target' not in data_samples:
            raise KeyError(
                'PoseDistillationRecognizer needs data_samples["target"] (and "prev_target"); build '
                'batches with PackDistillationInputs and default_collate')
        target = data_samples['target'].float()
        if target.ndim != 2 or target.shape[1] != self.embedding_dim:
            raise ValueError(f'teacher features are {tuple(target.shape)} but the student embeds into '
                             f'{self.embedding_dim} dims: set the backbone out_channels to the teacher size')
        prev = data_samples.get('prev_target')
        if self.with_motion and prev is None:
            raise KeyError(
                'with_motion=True needs data_samples["prev_target"] (the teacher at t - prev_step)')
        return target, None if prev is None else prev.float()

    def sample_errors(self, inputs: torch.Tensor, data_samples: dict) -> Dict[str, torch.Tensor]:
        """Per-sample summed squared errors ``pose`` and ``motion`` ``(N,)``."""
        target, prev = self._targets(data_samples)
        emb = self.extract_feat(inputs).float()
        if self.with_motion:
            pred = self.motion_head(emb).float()
            d = self.embedding_dim
            pose = ((pred[:, :d] - target)**2).sum(dim=1)
            motion = ((pred[:, d:] - (target - prev))**2).sum(dim=1)
        else:
            pose = ((emb - target)**2).sum(dim=1)
            motion = torch.zeros_like(pose)
        return dict(pose=pose, motion=motion)

    def loss(self, inputs: torch.Tensor, data_samples: dict) -> Dict[str, torch.Tensor]:
        """``loss_distill`` (batch mean of the summed squared error) and the two parts for logging."""
        err = self.sample_errors(inputs, data_samples)
        return dict(
            loss_distill=(err['pose'] + err['motion']).mean(),
            pose_sse=err['pose'].detach().mean(),
            motion_sse=err['motion'].detach().mean())

    def predict(self, inputs: torch.Tensor, data_samples: Optional[dict] = None) -> List[dict]:
        """Per-sample losses (with targets) or ``[original, flipped]`` embeddings (without)."""
        meta = {}
        if isinstance(data_samples, dict):
            meta = {k: data_samples[k] for k in ('video', 'frame') if k in data_samples}
        meta = {k: (v.tolist() if isinstance(v, torch.Tensor) else list(v)) for k, v in meta.items()}
        n = inputs.shape[0]
        if isinstance(data_samples, dict) and 'target' in data_samples:
            err = self.sample_errors(inputs, data_samples)
            pose, motion = err['pose'].detach().cpu().numpy(), err['motion'].detach().cpu().numpy()
            out = [
                dict(loss=float(pose[i] + motion[i]), loss_pose=float(pose[i]), loss_motion=float(motion[i]))
                for i in range(n)
            ]
        else:
            emb = self.embed_with_flip(inputs).detach().float().cpu().numpy()
            out = [dict(embedding=emb[i]) for i in range(n)]
        for k, values in meta.items():
            for d, v in zip(out, values):
                d[k] = v
        return out


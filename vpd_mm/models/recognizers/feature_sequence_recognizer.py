"""Action recognizer on per-frame feature sequences (VPD's BiGRU recognizer)."""
from typing import Dict, List, Optional, Tuple

import torch
from mmaction.models.recognizers.base import BaseRecognizer
from mmaction.registry import MODELS
from mmengine.structures import InstanceData


def sequence_lengths(data_samples: Optional[List], max_len: int, batch: int, device) -> torch.Tensor:
    """Unpadded lengths from the samples' ``num_frames`` metainfo (default: ``max_len``)."""
    if data_samples is None:
        return torch.full((batch, ), max_len, dtype=torch.long, device=device)
    return torch.as_tensor([min(int(ds.metainfo.get('num_frames', max_len)), max_len) for ds in data_samples],
                           dtype=torch.long,
                           device=device)


@MODELS.register_module()
class FeatureSequenceRecognizer(BaseRecognizer):
    """Classify ``(N, V, T, D)`` feature sequences; the ``V`` views' predictions are combined.

    Every view is run through the backbone as its own sequence. In training the views of a sample
    share its label (the dataset's ``view_mode='samples'`` gives one view per sample, as in the
    paper). At test time the head's ``average_clips`` combines the views (flip-sum).

    With ``test_cfg=dict(attach_features=True)`` (default) :meth:`predict` also stores each
    sample's input sequence as ``data_sample.features.sequence`` ``(T, V, D)``, so DTW metrics
    (``DTWRetrievalMetric``) can be evaluated in the same test run.

    Args:
        backbone: Sequence backbone taking ``(B, T, D)`` and lengths, e.g. :class:`BiGRU`.
        cls_head: Classification head, e.g. :class:`BiGRUHead`.
        data_preprocessor: Default :class:`FeatureSequenceDataPreprocessor`.
    """

    def __init__(self,
                 backbone: dict,
                 cls_head: dict,
                 neck: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='mmaction.FeatureSequenceDataPreprocessor')
        super().__init__(
            backbone=backbone,
            cls_head=cls_head,
            neck=neck,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor)

    def extract_feat(self,
                     inputs: torch.Tensor,
                     stage: str = 'backbone',
                     data_samples=None,
                     test_mode: bool = False,
                     **kwargs) -> Tuple[torch.Tensor, Dict]:
        """``(N, V, T, D)`` -> pooled backbone features ``(N * V, C)``, views consecutive."""
        if inputs.ndim != 4:
            raise ValueError(f'{type(self).__name__} expects (N, V, T, D) inputs, got {tuple(inputs.shape)}')
        n, v, t, d = inputs.shape
        expected = getattr(self.backbone, 'in_channels', None)
        if expected is not None and d != expected:  # features of another kind than the config was written for
            meta = data_samples[0].metainfo if data_samples else {}
            where = f'action {meta.get("element_id")} (video {meta.get("video")})' if meta else 'the batch'
            raise ValueError(f'{where}: features have {d} values per frame but the config\'s '
                             f'model.backbone.in_channels is {expected}: the feature files do not match the config')
        lengths = sequence_lengths(data_samples, t, n, inputs.device).repeat_interleave(v)
        feats = self.backbone(inputs.reshape(n * v, t, d), lengths)
        if self.with_neck:
            feats, _ = self.neck(feats)
        return feats, {}

    def loss(self, inputs: torch.Tensor, data_samples: List, **kwargs) -> Dict:
        """Classification losses; each of the ``V`` views counts as a sample with its sequence's label.

        Args:
            inputs: ``(N, V, T, D)`` padded feature sequences.
            data_samples: ``N`` data samples with ``gt_label`` (and ``num_frames``).

        Returns:
            The head's dict of losses.
        """
        feats, _ = self.extract_feat(inputs, data_samples=data_samples)
        views = inputs.shape[1]
        samples = [ds for ds in data_samples for _ in range(views)] if views > 1 else data_samples
        return self.cls_head.loss(feats, samples, **kwargs)

    def predict(self, inputs: torch.Tensor, data_samples: List, **kwargs) -> List:
        """Predict the classes of ``(N, V, T, D)`` sequences, the head combining the views.

        With ``test_cfg['attach_features']`` (default True) each sample also gets ``features.sequence``
        ``(T, V, D)``, its unpadded input on the CPU.

        Returns:
            The head's ``N`` data samples with predictions.
        """
        feats, _ = self.extract_feat(inputs, data_samples=data_samples, test_mode=True)
        predictions = self.cls_head.predict(feats, data_samples, **kwargs)
        if (self.test_cfg or {}).get('attach_features', True):
            for ds, x in zip(predictions, inputs):
                length = int(ds.metainfo.get('num_frames', x.shape[1]))
                # ActionDataSample.features only accepts InstanceData
                ds.features = InstanceData(sequence=x[:, :length].transpose(0, 1).detach().cpu())
        return predictions

    def _forward(self, inputs: torch.Tensor, stage: str = 'backbone', **kwargs):
        feats, _ = self.extract_feat(inputs, stage=stage)
        return feats if stage == 'backbone' else self.cls_head(feats)

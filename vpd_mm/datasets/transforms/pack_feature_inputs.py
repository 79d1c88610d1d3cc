"""Pack a feature sequence into the ``inputs`` / ``data_samples`` pair of mmaction2's Runner."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class PackFeatureInputs(BaseTransform):
    """Pack per-frame features for :class:`FeatureSequenceRecognizer` / :class:`FrameBiGRUDetector`.

    Required Keys:

        - features (np.ndarray): ``(T, V, D)`` float features, ``V`` views.

    Optional Keys:

        - label (int): Action class, becomes ``data_sample.gt_label``.
        - frame_labels (np.ndarray): ``(T,)`` per-frame targets, becomes
          ``data_sample.gt_frame_labels`` (temporal detection).
        - gt_intervals (np.ndarray): ``(K, 2)`` ground-truth ``[start, end)`` frames, kept as
          metainfo ``gt_intervals`` (temporal detection).
        - The ``meta_keys`` present in the results.

    Added Keys:

        - inputs (torch.Tensor): ``(V, T, D)`` float32.
        - data_samples (ActionDataSample): with ``gt_label``, ``gt_frame_labels`` and the metainfo
          ``meta_keys`` plus ``num_frames`` (= T).

    Args:
        meta_keys: Keys copied into the data sample's metainfo when present.
    """

    def __init__(
        self,
        meta_keys: Sequence[str] = ('element_id', 'video', 'start', 'end', 'view', 'frame_inds',
                                    'gt_intervals')
    ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        """Pack ``features`` ``(T, V, D)`` into ``inputs`` and an :class:`ActionDataSample`.

        See the class docstring for the keys.

        Returns:
            A new dict with ``inputs`` float32 tensor ``(V, T, D)`` and ``data_samples`` (``gt_label``,
            ``gt_frame_labels`` float32 when given, metainfo ``meta_keys`` and ``num_frames``).

        Raises:
            KeyError: ``features`` is missing.
            ValueError: ``features`` is not a non-empty ``(T, V, D)`` array.
        """
        if 'features' not in results:
            raise KeyError('PackFeatureInputs: results lack "features" (T, V, D)')
        feats = np.asarray(results['features'], dtype=np.float32)
        if feats.ndim != 3 or feats.shape[0] == 0:
            raise ValueError(f'PackFeatureInputs: features must be non-empty (T, V, D), got {feats.shape} '
                             f'for {results.get("element_id", results.get("video", "?"))}')
        inputs = torch.from_numpy(np.ascontiguousarray(feats.transpose(1, 0, 2)))
        data_sample = ActionDataSample()
        if 'label' in results:
            data_sample.set_gt_label(int(results['label']))
        if 'frame_labels' in results:
            data_sample.set_field(
                torch.as_tensor(np.asarray(results['frame_labels']), dtype=torch.float32), 'gt_frame_labels')
        meta = {k: results[k] for k in self.meta_keys if k in results}
        meta['num_frames'] = feats.shape[0]
        data_sample.set_metainfo(meta)
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'

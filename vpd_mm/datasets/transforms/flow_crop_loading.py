"""Load one frame's athlete crop and quantised flow from the crop store."""
from typing import Dict

from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..crop_store_reader import open_crop_video, read_crop_mask


@TRANSFORMS.register_module()
class LoadFlowCrop(BaseTransform):
    """Read the RGB crop and the quantised flow of ``frame`` from the crop store.

    ``img`` is the uint8 RGB crop; ``flow`` the uint8 ``(S, S, 2)`` x/y flow in the store's 8-bit code
    (``q * 41 / 255 - 20`` pixels, CONTRACT_VPD.md), kept as is until the data preprocessor
    normalises it on the device. The augmentations treat both alike (geometry) or ``img`` only
    (colour); ``PackDistillationInputs`` stacks them into ``[R, G, B, flow x, flow y]`` channels.
    The store is memory-mapped: reading copies one row.

    Required Keys: ``frame`` and ``crop_store`` (an opened store, as
    :class:`~vpd_mm.datasets.FlowAugmentedCropDataset` gives) or ``crop_dir`` (opened and cached
    per process).

    Added Keys: ``img`` uint8 ``(S, S, 3)`` RGB, ``flow`` uint8 ``(S, S, 2)`` (``with_flow``),
    ``img_shape``, ``ori_shape``, ``mask`` uint8 ``(S, S)`` (only with ``with_mask`` and a
    ``mask.npy`` in the video directory).

    Args:
        with_flow: Append the two flow channels (False: the RGB-only ablation).
        with_mask: Load the athlete mask when the store has one.
    """

    def __init__(self, with_flow: bool = True, with_mask: bool = True) -> None:
        self.with_flow = with_flow
        self.with_mask = with_mask
        self._stores: Dict[str, object] = {}

    def __getstate__(self):
        state = self.__dict__.copy()
        state['_stores'] = {}
        return state

    def _store(self, results: dict):
        store = results.get('crop_store')
        if store is not None:
            return store
        crop_dir = results['crop_dir']
        if crop_dir not in self._stores:
            self._stores[crop_dir] = open_crop_video(crop_dir)
        return self._stores[crop_dir]

    def transform(self, results: dict) -> dict:
        """Read the crop, flow and mask of ``frame`` from ``crop_store`` (or the store of ``crop_dir``).

        Returns:
            The results dict with ``img`` uint8 ``(S, S, 3)`` RGB, ``flow`` uint8 ``(S, S, 2)`` (``with_flow``),
            ``img_shape`` / ``ori_shape`` ``(S, S)`` and ``mask`` (``with_mask`` and the store has one).
        """
        store = self._store(results)
        frame = int(results['frame'])
        img = store.rgb(frame)
        results['img'] = img
        if self.with_flow:
            results['flow'] = store.flow_quantized(frame)
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        if self.with_mask:
            mask = read_crop_mask(store, store.row(frame))
            if mask is not None:
                results['mask'] = mask
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(with_flow={self.with_flow}, with_mask={self.with_mask})'

"""The student's single access point to the crop + flow store (CONTRACT_VPD.md "Crops + flow store").

Everything the student reads from ``<CROP_ROOT>/<vid>/`` goes through :func:`open_crop_video` and
:func:`list_crop_videos`, which wrap :class:`vpd_mm.crops.CropStore` (memory-mapped, pickles without its
maps, so DataLoader workers open their own). A different store can be plugged in here only.

Besides the contract files, a video directory may hold an optional ``mask.npy``: uint8 ``(N, S, S)``,
non-zero on the athlete, one row per row of ``frames.npy``. :func:`read_crop_mask` returns it (used by
:class:`~vpd_mm.datasets.transforms.FlowCropBackgroundNoise`).
"""
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

MASK_FILE = 'mask.npy'

# process-local cache of opened masks (memory maps; None = the video has no mask): {path: array}
_MASKS: Dict[str, Optional[np.ndarray]] = {}


def open_crop_video(video_dir: str):
    """Open one finished video directory of the crop store.

    Returns:
        A :class:`vpd_mm.crops.CropStore` (``frames``, ``meta``, ``crop_size``, ``row(frame)``,
        ``rgb(frame)`` uint8 ``(S, S, 3)`` RGB, ``flow_quantized(frame)`` uint8 ``(S, S, 2)``).

    Raises:
        FileNotFoundError: ``meta.json`` missing (unfinished or skipped video).
    """
    from vpd_mm.crops import CropStore
    return CropStore(video_dir)


def list_crop_videos(crop_root: str) -> List[str]:
    """Sorted ids of the finished videos (``<vid>/meta.json`` present) of ``crop_root``."""
    from vpd_mm.crops import finished_videos
    return finished_videos(crop_root)


def read_crop_mask(store, row: int) -> Optional[np.ndarray]:
    """Athlete mask ``(S, S)`` uint8 of ``row`` of ``store``, or None when the video has no ``mask.npy``."""
    path = osp.join(store.video_dir, MASK_FILE)
    if path not in _MASKS:
        mm = np.load(path, mmap_mode='r') if osp.isfile(path) else None
        expected = (len(store.frames), store.crop_size, store.crop_size)
        if mm is not None and (mm.shape != expected or mm.dtype != np.uint8):
            raise ValueError(f'{path}: expected uint8 {expected}, got {mm.dtype} {mm.shape}')
        _MASKS[path] = mm
    mm = _MASKS[path]
    return None if mm is None else np.array(mm[row])

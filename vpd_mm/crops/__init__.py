"""Athlete crops, previous-frame crops and optical flow for the VPD student (REFERENCE.md section 3).

* :func:`crop_square` -- padded square crop with zero fill.
* :mod:`.flow` -- registered flow backends (``DISFlow`` default, ``TVL1Flow``, ``RAFTFlow``) and
  :func:`build_flow_backend`.
* :func:`quantize_flow` / :func:`dequantize_flow` -- VPD's 8-bit flow code.
* :func:`extract_video_crops` / :func:`extract_crops` -- the streaming per-video extraction;
  :func:`write_crop_index` -- ``index.json``, the state of every video's store.
* :class:`CropStore` -- memory-mapped random access for the student's data loader.
"""
from .extract import (CropConfig, CropInputError, extract_crops, extract_video_crops, find_videos,
                      load_video_boxes, prev_step_for_fps, write_crop_index)
from .flow import (FLOW_ALIASES, FLOW_BACKENDS, BaseFlowBackend, DISFlow, RAFTFlow, TVL1Flow,
                   build_flow_backend)
from .geometry import check_box, crop_square, square_box
from .quantize import FLOW_CLIP, FLOW_MAX_ABS_ERROR, dequantize_flow, quantize_flow, subtract_median
from .store import CropStore, finished_videos, open_crop_stores
from .video import VideoReadError, VideoStream

__all__ = [
    'CropConfig', 'CropInputError', 'extract_crops', 'extract_video_crops', 'find_videos', 'load_video_boxes',
    'prev_step_for_fps', 'write_crop_index', 'FLOW_ALIASES', 'FLOW_BACKENDS', 'BaseFlowBackend', 'DISFlow', 'RAFTFlow',
    'TVL1Flow', 'build_flow_backend', 'check_box', 'crop_square', 'square_box', 'FLOW_CLIP',
    'FLOW_MAX_ABS_ERROR', 'dequantize_flow', 'quantize_flow', 'subtract_median', 'CropStore',
    'finished_videos', 'open_crop_stores', 'VideoReadError', 'VideoStream'
]

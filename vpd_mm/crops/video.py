"""Streaming video decoding with OpenCV (one frame in memory at a time)."""
import math
import os
import os.path as osp
from typing import Iterator, Optional, Tuple

import cv2
import numpy as np

VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg', '.mpeg')


class VideoReadError(ValueError):
    """A video cannot be opened or decoded; the message names the file."""


class VideoStream:
    """Sequential BGR frames of a video file.

    Args:
        path: Video file.

    Attributes:
        fps: Container frame rate, or ``None`` if the container does not give a usable one.
        frame_count: Container frame count (may be approximate), or ``None``.
        width, height: Frame size.

    Raises:
        VideoReadError: missing, empty or unopenable file.
    """

    def __init__(self, path: str) -> None:
        self.path = os.fspath(path)
        if not osp.isfile(self.path):
            raise VideoReadError(f'{self.path}: video file not found')
        if osp.getsize(self.path) == 0:
            raise VideoReadError(f'{self.path}: video file is empty (0 bytes)')
        self._cap = cv2.VideoCapture(self.path)
        if not self._cap.isOpened():
            self._cap.release()
            raise VideoReadError(f'{self.path}: cannot open video (corrupt or unsupported container)')
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps: Optional[float] = float(fps) if fps and math.isfinite(fps) and 0 < fps < 1000 else None
        count = self._cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count: Optional[int] = int(count) if count and math.isfinite(count) and count > 0 else None
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def __iter__(self) -> Iterator[Tuple[int, np.ndarray]]:
        """Yield ``(frame_index, bgr_uint8 (H, W, 3))`` until the stream ends."""
        index = 0
        while True:
            ok, frame = self._cap.read()
            if not ok or frame is None:
                return
            yield index, frame
            index += 1

    def close(self) -> None:
        """Release the OpenCV capture."""
        self._cap.release()

    def __enter__(self) -> 'VideoStream':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

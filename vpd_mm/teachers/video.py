"""Video decoding for the teacher stack, with errors that name the file and the problem.

Frames are BGR ``uint8`` arrays (OpenCV's and mmdet/mmpose's convention). A :class:`VideoFrames`
decodes the video once and keeps the frames in memory when they fit a budget, so the detection,
pose and refinement passes do not decode again; larger videos are decoded again per pass.
"""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Tuple

import cv2
import numpy as np

#: File name extensions treated as videos when a folder is given.
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg', '.mpeg', '.wmv')


class VideoDecodeError(RuntimeError):
    """A video cannot be opened or decoded (missing, empty, corrupt); the message names the file."""


@dataclass
class VideoInfo:
    """Container metadata of a video (``num_frames`` as reported by the container)."""
    path: str
    fps: float
    num_frames: int
    width: int
    height: int


def probe_video(path: str) -> VideoInfo:
    """Open a video and read its metadata and first frame.

    Raises:
        VideoDecodeError: The file is missing, empty, cannot be opened or has no decodable frame.
    """
    if not osp.isfile(path):
        raise VideoDecodeError(f'{path}: video file not found')
    if osp.getsize(path) == 0:
        raise VideoDecodeError(f'{path}: video file is empty (0 bytes)')
    cap = cv2.VideoCapture(path)
    try:
        if not cap.isOpened():
            raise VideoDecodeError(f'{path}: cannot open video (corrupt or unsupported format)')
        ok, frame = cap.read()
        if not ok or frame is None:
            raise VideoDecodeError(f'{path}: no decodable frame (corrupt or empty video)')
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        h, w = frame.shape[:2]
    finally:
        cap.release()
    if not np.isfinite(fps) or fps <= 0:
        fps = 0.0
    return VideoInfo(path, fps, max(count, 0), int(w), int(h))


def iter_frames(path: str, wanted: Optional[Iterable[int]] = None) -> Iterator[Tuple[int, np.ndarray]]:
    """Decode a video sequentially, yielding ``(frame index, BGR frame)``.

    Args:
        path: Video file.
        wanted: Only yield these frame indices (all frames are still decoded up to the last one
            wanted, since codecs decode sequentially); ``None`` yields every frame.

    Raises:
        VideoDecodeError: The video cannot be opened or its first frame cannot be decoded.
    """
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        cap.release()
        raise VideoDecodeError(f'{path}: cannot open video (corrupt or unsupported format)')
    want = None if wanted is None else set(int(i) for i in wanted)
    last = None if want is None else (max(want) if want else -1)
    idx = 0
    try:
        while last is None or idx <= last:
            ok = cap.grab()
            if not ok:
                break
            if want is None or idx in want:
                ok, frame = cap.retrieve()
                if not ok or frame is None:
                    break
                yield idx, frame
            idx += 1
    finally:
        cap.release()
    if idx == 0:
        raise VideoDecodeError(f'{path}: no decodable frame (corrupt or empty video)')


class VideoFrames:
    """A video's frames, decoded once and cached in memory when they fit ``max_cache_mb``.

    Args:
        path: Video file.
        max_cache_mb: Memory budget of the frame cache; videos whose reported size exceeds it are
            decoded again for every pass instead.

    Attributes:
        info: The container metadata (:func:`probe_video`).
        num_frames: Frames actually decoded (known after the first full pass, else ``None``).
    """

    def __init__(self, path: str, max_cache_mb: float = 2048):
        self.path = os.fspath(path)
        self.info = probe_video(self.path)
        need_mb = self.info.num_frames * self.info.width * self.info.height * 3 / 2**20
        self._cache: Optional[List[np.ndarray]] = [] if 0 < need_mb <= max_cache_mb else None
        self.num_frames: Optional[int] = None

    @property
    def cached(self) -> bool:
        """Whether frames are kept in memory."""
        return self._cache is not None

    def __iter__(self) -> Iterator[Tuple[int, np.ndarray]]:
        """All frames ``(index, BGR frame)``; the first full pass fixes :attr:`num_frames`."""
        return self.frames()

    def frames(self, wanted: Optional[Iterable[int]] = None) -> Iterator[Tuple[int, np.ndarray]]:
        """Frames ``(index, BGR frame)``, all or only ``wanted`` ones, in increasing order."""
        if self.num_frames is not None and self._cache is not None:
            idx = range(self.num_frames) if wanted is None else sorted(set(int(i) for i in wanted))
            for i in idx:
                if 0 <= i < self.num_frames:
                    yield i, self._cache[i]
            return
        if self.num_frames is None:  # first pass: decode everything, fill the cache
            n = 0
            if self._cache is not None:
                self._cache = []  # an interrupted earlier pass may have left a partial cache
            want = None if wanted is None else set(int(i) for i in wanted)
            for i, frame in iter_frames(self.path):
                if self._cache is not None:
                    self._cache.append(frame)
                n = i + 1
                if want is None or i in want:
                    yield i, frame
            self.num_frames = n
            return
        yield from iter_frames(self.path, range(self.num_frames) if wanted is None else wanted)


def list_videos(source: str) -> List[Tuple[str, str]]:
    """Resolve a folder of videos, a single video or a text file listing videos.

    A list file holds one path per line (blank lines and ``#`` comments ignored); relative paths
    are taken relative to the list file's folder.

    Returns:
        ``(video id, path)`` sorted by id; the id is the file name without its extension.

    Raises:
        FileNotFoundError: ``source`` does not exist.
        ValueError: No videos found, or two videos share an id.
    """
    if osp.isdir(source):
        paths = sorted(
            osp.join(source, f) for f in os.listdir(source)
            if f.lower().endswith(VIDEO_EXTENSIONS) and not f.startswith('.'))
        if not paths:
            raise ValueError(f'{source}: folder holds no video files ({", ".join(VIDEO_EXTENSIONS)})')
    elif osp.isfile(source):
        if source.lower().endswith(VIDEO_EXTENSIONS):
            paths = [source]
        else:
            base = osp.dirname(osp.abspath(source))
            with open(source, encoding='utf-8') as f:
                lines = [ln.strip() for ln in f]
            paths = [
                ln if osp.isabs(ln) else osp.join(base, ln) for ln in lines if ln and not ln.startswith('#')
            ]
            if not paths:
                raise ValueError(f'{source}: video list is empty')
    else:
        raise FileNotFoundError(f'{source}: no such video, folder or video list')
    out = {}
    for p in paths:
        vid = osp.splitext(osp.basename(p))[0]
        if vid in out:
            raise ValueError(f'{source}: two videos share the id {vid!r}: {out[vid]} and {p}')
        out[vid] = p
    return sorted(out.items())

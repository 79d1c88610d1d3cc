"""On-disk store of crops and quantised flow (CONTRACT_VPD.md "Crops + flow store").

Two layouts of one video directory ``<CROP_ROOT>/<vid>/``, both finished by ``meta.json`` (written
last; ``meta["format"]`` names the layout) and both holding ``frames.npy`` (int64, sorted):

* ``'npy'`` (default, the contract): ``rgb.npy`` uint8 (N, S, S, 3) RGB, ``flow.npy`` uint8
  (N, S, S, 2) quantised flow (channel 0 = x), optional ``prev.npy`` uint8 (N, S, S, 3). Read
  through ``np.load(mmap_mode='r')``: random access costs one page-cache copy.
* ``'png'`` (the paper's): ``<n>.png`` (RGB crop), ``<n>.flow.png`` (one 3-channel PNG whose
  R, G, B channels are quantised x, y flow and 0 -- as read by PIL / torchvision; ``cv2.imread``
  returns them as B=0, G=y, R=x), optional ``<n>.prev.png``.

:class:`CropStore` reads either layout and returns RGB uint8 ``(S, S, 3)`` and dequantised float32
flow ``(S, S, 2)``.
"""
import glob
import os
import os.path as osp
import uuid
from typing import Dict, Iterable, List, Optional

import cv2
import numpy as np

from vpd_mm.utils.fileio import atomic_open, load_json
from .quantize import dequantize_flow

STORE_FORMATS = ('npy', 'png')
META_FILE = 'meta.json'
SKIPPED_FILE = 'skipped.json'
_NPY_ARRAYS = ('rgb', 'flow', 'prev')


def clear_video_dir(video_dir: str) -> None:
    """Remove every store file (and ``meta.json`` / ``skipped.json``, first) from ``video_dir``.

    Only files this module writes are touched; the directory itself is kept.
    """
    if not osp.isdir(video_dir):
        return
    for name in (META_FILE, SKIPPED_FILE):
        if osp.exists(osp.join(video_dir, name)):
            os.remove(osp.join(video_dir, name))
    patterns = [f'{a}.npy' for a in _NPY_ARRAYS] + ['frames.npy', '*.png', '.*.tmp']
    for pattern in patterns:
        for path in glob.glob(osp.join(glob.escape(video_dir), pattern)):
            os.remove(path)


class _Writer:
    """Common part of the two writers: frames.npy and temp-file bookkeeping."""

    def __init__(self, video_dir: str, num_rows: int, size: int, save_prev: bool) -> None:
        self.video_dir, self.num_rows, self.size, self.save_prev = video_dir, int(num_rows), int(
            size), save_prev
        os.makedirs(video_dir, exist_ok=True)
        self.frames = np.full(self.num_rows, -1, dtype=np.int64)
        self._tag = uuid.uuid4().hex[:8]

    def _tmp(self, name: str) -> str:
        return osp.join(self.video_dir, f'.{name}.{self._tag}.tmp')

    def write(self,
              row: int,
              frame: int,
              rgb: np.ndarray,
              flow_q: np.ndarray,
              prev: Optional[np.ndarray] = None) -> None:
        """Store one row: RGB crop, quantised flow (uint8 (S, S, 2)) and optionally the prev crop."""
        self.frames[row] = frame
        self._write(row, frame, rgb, flow_q, prev)

    def _write(self, row, frame, rgb, flow_q, prev):
        raise NotImplementedError

    def commit(self) -> None:
        """Finish the data files (everything except ``meta.json``)."""
        if (self.frames < 0).any() or (np.diff(self.frames) <= 0).any():
            raise RuntimeError(f'{self.video_dir}: rows not all written or frames not ascending')
        with atomic_open(osp.join(self.video_dir, 'frames.npy'), 'wb') as f:
            np.save(f, self.frames)

    def abort(self) -> None:
        """Remove whatever this writer wrote."""
        clear_video_dir(self.video_dir)


class NpyCropWriter(_Writer):
    """Packed per-video arrays, written through memory maps at temporary names then renamed."""

    format = 'npy'

    def __init__(self, video_dir: str, num_rows: int, size: int, save_prev: bool = False) -> None:
        super().__init__(video_dir, num_rows, size, save_prev)
        shapes = {'rgb': 3, 'flow': 2, 'prev': 3}
        names = ['rgb', 'flow'] + (['prev'] if save_prev else [])
        self._maps = {
            n:
            np.lib.format.open_memmap(
                self._tmp(f'{n}.npy'),
                mode='w+',
                dtype=np.uint8,
                shape=(self.num_rows, self.size, self.size, shapes[n]))
            for n in names
        }
        try:  # reserve the disk space now: a full disk is an OSError here, not a SIGBUS on a later write
            for mm in self._maps.values():
                with open(mm.filename, 'rb+') as f:
                    os.posix_fallocate(f.fileno(), 0, os.fstat(f.fileno()).st_size)
        except OSError:
            self.abort()
            raise

    def _write(self, row, frame, rgb, flow_q, prev):
        self._maps['rgb'][row] = rgb
        self._maps['flow'][row] = flow_q
        if self.save_prev:
            self._maps['prev'][row] = prev

    def commit(self) -> None:
        """Flush and fsync the memory maps, rename them to their ``.npy`` names, then write ``frames.npy``."""
        for name, mm in self._maps.items():
            mm.flush()
            with open(mm.filename, 'rb+') as f:
                os.fsync(f.fileno())
        tmp_names = {n: mm.filename for n, mm in self._maps.items()}
        self._maps = {}
        for name, tmp in tmp_names.items():
            os.replace(tmp, osp.join(self.video_dir, f'{name}.npy'))
        super().commit()

    def abort(self) -> None:
        """Drop the memory maps and remove whatever this writer wrote."""
        self._maps = {}
        super().abort()


class PngCropWriter(_Writer):
    """The paper's PNG-per-frame layout; each file is written to a temporary name and renamed."""

    format = 'png'

    def _put(self, name: str, img: np.ndarray) -> None:
        ok, buf = cv2.imencode('.png', img)
        if not ok:
            raise RuntimeError(f'{osp.join(self.video_dir, name)}: PNG encoding failed')
        tmp = self._tmp(name)
        with open(tmp, 'wb') as f:
            f.write(buf.tobytes())
        os.replace(tmp, osp.join(self.video_dir, name))

    def _write(self, row, frame, rgb, flow_q, prev):
        self._put(f'{frame}.png', rgb[..., ::-1])
        bgr = np.zeros(flow_q.shape[:2] + (3, ), np.uint8)
        bgr[..., 2] = flow_q[..., 0]  # R = x
        bgr[..., 1] = flow_q[..., 1]  # G = y
        self._put(f'{frame}.flow.png', bgr)
        if self.save_prev:
            self._put(f'{frame}.prev.png', prev[..., ::-1])


def make_writer(fmt: str, video_dir: str, num_rows: int, size: int, save_prev: bool = False) -> _Writer:
    """Writer for layout ``fmt`` (``'npy'`` or ``'png'``)."""
    if fmt == 'npy':
        return NpyCropWriter(video_dir, num_rows, size, save_prev)
    if fmt == 'png':
        return PngCropWriter(video_dir, num_rows, size, save_prev)
    raise ValueError(f'unknown crop store format {fmt!r}; choose from {STORE_FORMATS}')


class CropStore:
    """Random access by frame number to one finished video directory of either layout.

    Arrays are memory-mapped lazily (on first access in each process), so a store can be built in
    the main process and shared with ``DataLoader`` workers (it pickles without its maps).

    Args:
        video_dir: ``<CROP_ROOT>/<vid>`` with a ``meta.json``.

    Raises:
        FileNotFoundError: no ``meta.json`` (unfinished or skipped video; the message says which).
        ValueError: inconsistent files (shapes, frame list), naming the file.
    """

    def __init__(self, video_dir: str) -> None:
        self.video_dir = osp.abspath(video_dir)
        meta_path = osp.join(self.video_dir, META_FILE)
        if not osp.isfile(meta_path):
            skipped = osp.join(self.video_dir, SKIPPED_FILE)
            why = f' (skipped: {load_json(skipped).get("reason")})' if osp.isfile(skipped) else ''
            raise FileNotFoundError(f'{meta_path}: not a finished crop store{why}')
        self.meta: dict = load_json(meta_path)
        self.format: str = self.meta.get('format', 'npy')
        if self.format not in STORE_FORMATS:
            raise ValueError(f'{meta_path}: unknown format {self.format!r}')
        self.crop_size: int = int(self.meta['crop_size'])
        frames_path = osp.join(self.video_dir, 'frames.npy')
        self.frames: np.ndarray = _load_npy(frames_path)
        if self.frames.ndim != 1 or (np.diff(self.frames) <= 0).any():
            raise ValueError(f'{frames_path}: frame numbers must be a strictly ascending 1-d array')
        self.has_prev = bool(self.meta.get('has_prev', False))
        self._maps: Dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.frames)

    def __contains__(self, frame: int) -> bool:
        i = np.searchsorted(self.frames, frame)
        return bool(i < len(self.frames) and self.frames[i] == frame)

    def __getstate__(self):
        state = self.__dict__.copy()
        state['_maps'] = {}
        return state

    def row(self, frame: int) -> int:
        """Row index of ``frame``; ``KeyError`` if the frame has no crop (no box)."""
        i = int(np.searchsorted(self.frames, frame))
        if i >= len(self.frames) or self.frames[i] != frame:
            raise KeyError(f'{self.video_dir}: no crop for frame {frame}')
        return i

    def _array(self, name: str) -> np.ndarray:
        mm = self._maps.get(name)
        if mm is None:
            path = osp.join(self.video_dir, f'{name}.npy')
            mm = _load_npy(path, mmap_mode='r')
            channels = 2 if name == 'flow' else 3
            if mm.shape != (len(
                    self.frames), self.crop_size, self.crop_size, channels) or mm.dtype != np.uint8:
                raise ValueError(
                    f'{path}: expected uint8 {(len(self.frames), self.crop_size, self.crop_size, channels)}'
                    f', got {mm.dtype} {mm.shape}')
            self._maps[name] = mm
        return mm

    def _png(self, name: str) -> np.ndarray:
        path = osp.join(self.video_dir, name)
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f'{path}: missing or unreadable PNG')
        return img

    def rgb(self, frame: int) -> np.ndarray:
        """RGB uint8 ``(S, S, 3)`` crop of ``frame``."""
        i = self.row(frame)
        if self.format == 'npy':
            return np.array(self._array('rgb')[i])
        return np.ascontiguousarray(self._png(f'{frame}.png')[..., ::-1])

    def prev(self, frame: int) -> np.ndarray:
        """RGB uint8 ``(S, S, 3)`` crop of frame ``t - prev_step`` in the box of ``frame``."""
        if not self.has_prev:
            raise KeyError(f'{self.video_dir}: store was written without --save-prev')
        i = self.row(frame)
        if self.format == 'npy':
            return np.array(self._array('prev')[i])
        return np.ascontiguousarray(self._png(f'{frame}.prev.png')[..., ::-1])

    def flow_quantized(self, frame: int) -> np.ndarray:
        """Quantised uint8 ``(S, S, 2)`` flow of ``frame`` (channel 0 = x)."""
        i = self.row(frame)
        if self.format == 'npy':
            return np.array(self._array('flow')[i])
        bgr = self._png(f'{frame}.flow.png')
        return np.ascontiguousarray(bgr[..., [2, 1]])

    def flow(self, frame: int) -> np.ndarray:
        """Dequantised float32 ``(S, S, 2)`` flow of ``frame`` in crop pixels (prev -> crop)."""
        return dequantize_flow(self.flow_quantized(frame))

    def get(self, frame: int, with_prev: bool = False) -> dict:
        """``dict(frame, rgb, flow[, prev])`` of one frame."""
        out = dict(frame=int(frame), rgb=self.rgb(frame), flow=self.flow(frame))
        if with_prev:
            out['prev'] = self.prev(frame)
        return out


def _load_npy(path: str, mmap_mode: Optional[str] = None) -> np.ndarray:
    """``np.load`` of one store file; a missing, truncated or corrupt file raises ``ValueError`` naming it."""
    if not osp.isfile(path):
        raise ValueError(f'{path}: missing crop store file (the store was damaged after it was finished; '
                         'extract the video again)')
    try:
        return np.load(path, mmap_mode=mmap_mode)
    except (ValueError, OSError, EOFError) as e:
        raise ValueError(f'{path}: truncated or corrupt crop store file ({e}); extract the video again') from e


def finished_videos(crop_root: str) -> List[str]:
    """Sorted ids of the video directories of ``crop_root`` that hold a ``meta.json``."""
    if not osp.isdir(crop_root):
        return []
    return sorted(d for d in os.listdir(crop_root) if osp.isfile(osp.join(crop_root, d, META_FILE)))


def open_crop_stores(crop_root: str, videos: Optional[Iterable[str]] = None) -> Dict[str, CropStore]:
    """``{vid: CropStore}`` for ``videos`` (default: every finished video of ``crop_root``)."""
    videos = finished_videos(crop_root) if videos is None else list(videos)
    return {vid: CropStore(osp.join(crop_root, vid)) for vid in videos}

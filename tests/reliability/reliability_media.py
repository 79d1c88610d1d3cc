"""Bad and unusual video files for the reliability suite, written with OpenCV (no ffmpeg needed).

:func:`make_vfr_mp4` turns a constant-frame-rate MP4 written by ``cv2.VideoWriter`` into a variable
frame rate one by rewriting its sample durations (the ``stts`` box): the first half of the frames
last one tick, the second half two, as a phone camera that halves its rate in low light does.
"""
import os
import struct
from typing import List, Sequence

import cv2
import numpy as np

_CONTAINERS = {b'moov', b'trak', b'mdia', b'minf', b'stbl', b'edts', b'dinf'}


def write_video(path: str, frames: Sequence[np.ndarray], fps: float = 25.0, fourcc: str = 'mp4v') -> str:
    """Write BGR uint8 frames with ``cv2.VideoWriter``; return ``path``."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f'{path}: cv2.VideoWriter cannot write {fourcc}')
    for frame in frames:
        writer.write(np.ascontiguousarray(frame))
    writer.release()
    return path


def read_frames(path: str, limit: int = 10**9) -> List[np.ndarray]:
    """Decode up to ``limit`` BGR frames."""
    cap = cv2.VideoCapture(path)
    out = []
    while len(out) < limit:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(frame)
    cap.release()
    return out


def _boxes(data: bytes, start: int, end: int):
    """``(type, offset, size, header)`` of the boxes in ``data[start:end]``."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack('>I4s', data[pos:pos + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack('>Q', data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        yield kind, pos, size, header
        pos += size


def _scaled_duration(box: bytes, offset: int, scale: float) -> bytes:
    """``box`` (a version-0 ``mvhd`` / ``tkhd`` / ``mdhd``) with its 32-bit duration at ``offset`` scaled."""
    if box[8] != 0:  # version 1 (64-bit times): left alone, the tiny test files never need it
        return box
    duration = struct.unpack('>I', box[offset:offset + 4])[0]
    return box[:offset] + struct.pack('>I', int(round(duration * scale))) + box[offset + 4:]


def _rewrite(data: bytes, start: int, end: int, stts: bytes, delta: int, scale: float) -> bytes:
    """The boxes of ``data[start:end]`` with the ``stts`` box replaced, durations scaled by ``scale``, the
    edit list dropped (it would cut the longer track), container sizes adjusted; chunk offsets (``stco``)
    move by ``delta`` when the media data follows the ``moov`` box."""
    out = b''
    for kind, pos, size, header in _boxes(data, start, end):
        box = data[pos:pos + size]
        if kind == b'stts':
            out += stts
        elif kind == b'edts':
            continue
        elif kind in (b'mvhd', b'mdhd'):  # version 0: 4 flags, 4 created, 4 modified, 4 timescale, duration
            out += _scaled_duration(box, 8 + 16, scale)
        elif kind == b'tkhd':  # version 0: 4 flags, 4 created, 4 modified, 4 track id, 4 reserved, duration
            out += _scaled_duration(box, 8 + 20, scale)
        elif kind in _CONTAINERS:
            body = _rewrite(data, pos + header, pos + size, stts, delta, scale)
            out += struct.pack('>I4s', 8 + len(body), kind) + body
        elif kind == b'stco' and delta:
            version_flags, count = struct.unpack('>II', data[pos + 8:pos + 16])
            offsets = np.frombuffer(data[pos + 16:pos + 16 + 4 * count], '>u4').astype(np.int64) + delta
            out += data[pos:pos + 16] + offsets.astype('>u4').tobytes()
        else:
            out += data[pos:pos + size]
    return out


def make_vfr_mp4(src: str, dst: str) -> str:
    """Copy the MP4 ``src`` to ``dst`` with variable frame durations (1 tick, then 2 ticks per frame)."""
    data = open(src, 'rb').read()
    boxes = list(_boxes(data, 0, len(data)))
    moov = [b for b in boxes if b[0] == b'moov']
    if len(moov) != 1:
        raise ValueError(f'{src}: expected one moov box')
    # the one video track's stts: [(count, delta)]
    stts_pos = data.find(b'stts', moov[0][1])
    size = struct.unpack('>I', data[stts_pos - 4:stts_pos])[0]
    count = struct.unpack('>I', data[stts_pos + 8:stts_pos + 12])[0]
    entries = np.frombuffer(data[stts_pos + 12:stts_pos + 12 + 8 * count], '>u4').reshape(-1, 2)
    frames, tick = int(entries[:, 0].sum()), int(entries[0, 1])
    first = frames // 2
    body = struct.pack('>III', 0, 2, first) + struct.pack('>I', tick) + struct.pack('>II', frames - first, 2 * tick)
    stts = struct.pack('>I4s', 8 + len(body), b'stts') + body
    scale = (first + 2 * (frames - first)) / frames
    media_after = any(b[0] == b'mdat' and b[1] > moov[0][1] for b in boxes)
    new_moov = _rewrite(data, moov[0][1] + moov[0][3], moov[0][1] + moov[0][2], stts, 0, scale)
    growth = 8 + len(new_moov) - moov[0][2]
    if media_after and growth:  # the media data moves: rewrite again with the chunk offsets moved
        new_moov = _rewrite(data, moov[0][1] + moov[0][3], moov[0][1] + moov[0][2], stts, growth, scale)
    out = b''
    for kind, pos, bsize, header in boxes:
        if kind == b'moov':
            out += struct.pack('>I4s', 8 + len(new_moov), kind) + new_moov
        else:
            out += data[pos:pos + bsize]
    with open(dst, 'wb') as f:
        f.write(out)
    return dst


def truncate_half(src: str, dst: str) -> str:
    """``dst`` = the first half of the bytes of ``src`` (a download or copy cut off)."""
    data = open(src, 'rb').read()
    with open(dst, 'wb') as f:
        f.write(data[:len(data) // 2])
    return dst


def frame_timestamps_ms(path: str) -> List[float]:
    """Presentation times (ms) of every frame as OpenCV reports them."""
    cap = cv2.VideoCapture(path)
    out = []
    while cap.grab():
        out.append(cap.get(cv2.CAP_PROP_POS_MSEC))
    cap.release()
    return out


def file_size(path: str) -> int:
    return os.path.getsize(path)

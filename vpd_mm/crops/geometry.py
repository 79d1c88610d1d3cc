"""Square athlete crops (REFERENCE.md section 3).

The tracked box ``[x, y, w, h]`` is made square about its centre (side ``max(w, h)``), every side
is padded by ``max(pad_frac * side, min_pad)`` pixels, pixels outside the frame are zero-filled and
the square is resized to ``size x size``. The previous-frame crop uses the SAME box on frame t-1.

Coordinates are continuous: pixel ``i`` covers ``[i, i + 1)``, so a box ``[x, y, w, h]`` covers
columns ``x .. x + w``. The square is snapped to whole pixels (its corner and side are rounded)
before resizing, which keeps crops of integer boxes exact.
"""
from typing import Sequence, Tuple

import cv2
import numpy as np


def check_box(box: Sequence[float]) -> np.ndarray:
    """Return ``box`` as a float64 ``(4,)`` array; raise ``ValueError`` if it is degenerate.

    Args:
        box: ``[x, y, w, h]``.

    Raises:
        ValueError: not 4 numbers, a NaN / inf value, or ``w <= 0`` / ``h <= 0``.
    """
    arr = np.asarray(box, dtype=np.float64)
    if arr.shape != (4, ):
        raise ValueError(f'box must be [x, y, w, h], got shape {arr.shape}')
    if not np.isfinite(arr).all():
        raise ValueError(f'box has NaN/inf values: {arr.tolist()}')
    if arr[2] <= 0 or arr[3] <= 0:
        raise ValueError(f'box has non-positive width or height: {arr.tolist()}')
    return arr


def square_box(box: Sequence[float], pad_frac: float = 0.1, min_pad: float = 25) -> Tuple[int, int, int]:
    """Padded square, in whole pixels, around a ``[x, y, w, h]`` box.

    Args:
        box: ``[x, y, w, h]`` in frame pixels.
        pad_frac: Padding on each side as a fraction of the square's side.
        min_pad: Minimum padding on each side, in pixels.

    Returns:
        ``(x0, y0, side)``: top-left corner and side of the square; it may extend past the frame.
    """
    x, y, w, h = check_box(box)
    side = max(w, h)
    side = side + 2 * max(pad_frac * side, min_pad)
    cx, cy = x + w / 2, y + h / 2
    n = max(1, int(round(side)))
    return int(round(cx - n / 2)), int(round(cy - n / 2)), n


def crop_square(frame: np.ndarray,
                box: Sequence[float],
                size: int,
                pad_frac: float = 0.1,
                min_pad: float = 25) -> np.ndarray:
    """Square crop of ``frame`` around ``box``, zero-filled outside the frame, resized to ``size``.

    Args:
        frame: ``(H, W)`` or ``(H, W, C)`` uint8 image (channel order is kept).
        box: ``[x, y, w, h]``.
        size: Output side in pixels.
        pad_frac: Padding on each side as a fraction of the side (10 % in VPD).
        min_pad: Minimum padding per side in pixels (25 in VPD).

    Returns:
        ``(size, size[, C])`` array of ``frame``'s dtype. Downscaling uses area interpolation,
        upscaling bilinear.
    """
    x0, y0, n = square_box(box, pad_frac, min_pad)
    height, width = frame.shape[:2]
    canvas = np.zeros((n, n) + frame.shape[2:], dtype=frame.dtype)
    fx0, fy0 = max(x0, 0), max(y0, 0)
    fx1, fy1 = min(x0 + n, width), min(y0 + n, height)
    if fx1 > fx0 and fy1 > fy0:
        canvas[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0] = frame[fy0:fy1, fx0:fx1]
    if n == size:
        return canvas
    interp = cv2.INTER_AREA if n > size else cv2.INTER_LINEAR
    return cv2.resize(canvas, (size, size), interpolation=interp)

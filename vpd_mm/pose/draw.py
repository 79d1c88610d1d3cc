"""Drawing poses on frames (overlays for reports, contact sheets and the inferencer)."""
from typing import Optional

import cv2
import numpy as np

from .coco import COCO17_SKELETON

_LEFT = {1, 3, 5, 7, 9, 11, 13, 15}


def draw_pose(img: np.ndarray, kp: np.ndarray, box: Optional[np.ndarray] = None, score_thr: float = 0.0,
              thickness: int = 1) -> np.ndarray:
    """Draw a COCO-17 skeleton and the person's box on a copy of a BGR image.

    Left limbs are orange, right limbs cyan; joints scoring above ``score_thr`` are filled red dots,
    the others (occluded, unsure) hollow white circles.

    Args:
        img: BGR ``(H, W, 3)`` uint8 image.
        kp: ``(17, 3)`` ``[x, y, score]`` in the image's pixels.
        box: ``(4,)`` ``[x, y, w, h]`` box, drawn green.
        score_thr: Joints scoring at most this are drawn hollow.
        thickness: Line thickness in pixels (use 2-3 on 1080p frames).
    """
    out = img.copy()
    for a, b in COCO17_SKELETON:
        col = (0, 165, 255) if b in _LEFT else (255, 255, 0)
        cv2.line(out, (int(round(kp[a, 0])), int(round(kp[a, 1]))), (int(round(kp[b, 0])), int(round(kp[b, 1]))),
                 col, thickness, cv2.LINE_AA)
    for j in range(17):
        c = (int(round(kp[j, 0])), int(round(kp[j, 1])))
        cv2.circle(out, c, 1 + thickness, (0, 0, 255) if kp[j, 2] > score_thr else (255, 255, 255),
                   -1 if kp[j, 2] > score_thr else 1,
                   cv2.LINE_AA)
    if box is not None:
        x, y, w, h = (int(round(v)) for v in box)
        cv2.rectangle(out, (x, y), (x + w, y + h), (0, 255, 0), thickness)
    return out

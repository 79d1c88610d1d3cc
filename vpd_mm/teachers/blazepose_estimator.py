"""BlazePose-full as a top-down pose estimator: one person per given box."""
from typing import Sequence

import cv2
import numpy as np

from .blazepose import make_pose_solution, run_blazepose, zero_outside
from .registry import POSE_ESTIMATORS


@POSE_ESTIMATORS.register_module()
class BlazePoseEstimator:
    """COCO-17 keypoints of the person in each box, by MediaPipe BlazePose-full (offline, CPU).

    Each box is made square about its centre, grown by ``padding``, cut out of the frame (zero-filled
    outside it) and resized to ``input_size``; BlazePose runs on that crop in static-image mode (its
    own detector finds the person inside the crop) and the landmarks are mapped back to frame pixels.
    Scores are BlazePose's per-landmark visibility, 0 for joints outside the frame; a crop where
    BlazePose finds nobody gets zeros.

    Args:
        padding: Side of the square crop over the box's longer side.
        input_size: Side of the resized crop in pixels.
        min_detection_confidence: BlazePose's person-detection threshold inside the crop.
        model_complexity: Must be 1 (BlazePose-full, the bundled model).
        device: Ignored (BlazePose runs on the CPU); accepted so configs can pass one device to all parts.
    """

    def __init__(self,
                 padding: float = 1.25,
                 input_size: int = 256,
                 min_detection_confidence: float = 0.3,
                 model_complexity: int = 1,
                 device: str = 'cpu'):
        if padding <= 0 or input_size < 32:
            raise ValueError(f'padding must be > 0 and input_size >= 32, got {padding}, {input_size}')
        self.padding = float(padding)
        self.input_size = int(input_size)
        self.solution = make_pose_solution(
            static_image_mode=True,
            model_complexity=model_complexity,
            min_detection_confidence=min_detection_confidence)

    def crop(self, image: np.ndarray, box: np.ndarray):
        """The square crop of one box and its ``(x0, y0, scale)`` (frame = x0 + crop / scale)."""
        x1, y1, x2, y2 = [float(v) for v in box]
        side = max(x2 - x1, y2 - y1, 1.0) * self.padding
        scale = self.input_size / side
        x0, y0 = (x1 + x2) / 2 - side / 2, (y1 + y2) / 2 - side / 2
        mat = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]], np.float32)
        patch = cv2.warpAffine(image, mat, (self.input_size, self.input_size), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
        return patch, (x0, y0, scale)

    def __call__(self, images: Sequence[np.ndarray], boxes: np.ndarray) -> np.ndarray:
        """Estimate one pose per ``(image, box)`` pair.

        Args:
            images: BGR uint8 frames, one per box.
            boxes: ``(N, 4)`` xyxy boxes in frame pixels.

        Returns:
            ``(N, 17, 3)`` float32 ``[x, y, score]`` in frame pixels.
        """
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        if len(images) != len(boxes):
            raise ValueError(f'need one image per box, got {len(images)} images and {len(boxes)} boxes')
        out = np.zeros((len(boxes), 17, 3), np.float32)
        for i, (img, box) in enumerate(zip(images, boxes)):
            if not np.isfinite(box).all():
                continue
            patch, (x0, y0, scale) = self.crop(img, box)
            kp = run_blazepose(self.solution, patch)
            if kp is None:
                continue
            kp[:, 0] = kp[:, 0] / scale + x0
            kp[:, 1] = kp[:, 1] / scale + y0
            out[i] = zero_outside(kp, (img.shape[1], img.shape[0]))  # the crop's padding is outside the frame
        return out

    def close(self) -> None:
        """Release the MediaPipe graph."""
        self.solution.close()

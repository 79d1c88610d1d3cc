"""Registries of the pose teacher's two model parts.

A pose teacher is a *person finder* (frames -> person boxes, optionally with keypoints) followed by a
top-down *pose estimator* (frames + boxes -> COCO-17 keypoints), glued by a tracker and an athlete
selector (:mod:`vpd_mm.tracking`). They are not mmaction2 models, so, like the tracking components,
they get their own mmengine registries (scope ``vpd_mm``)::

    from vpd_mm.teachers import PERSON_FINDERS, POSE_ESTIMATORS
    finder = PERSON_FINDERS.build(dict(type='BlazePosePersonFinder'))
    pose = POSE_ESTIMATORS.build(dict(type='MMPoseEstimator', config=..., checkpoint=...))

Contracts (a new backend is one class in one file, registered here, and a config line):

* person finder: ``finder(images: Sequence[BGR uint8 (H, W, 3)]) -> List[np.ndarray]``, per frame an
  ``(N, 5)`` float32 array ``[x1, y1, x2, y2, score]`` sorted by score, or ``(N, 56)`` when the model
  also gives keypoints (``[..., 17 x (x, y, score)]`` in COCO-17 order, e.g. BlazePose, YOLO-pose);
  a finder that keeps state across frames (video / tracking mode) has a ``reset()`` method, called
  before every video, and is given the frames of one video in order.
* pose estimator: ``pose(images: Sequence[BGR frame], boxes: (N, 4) xyxy) -> (N, 17, 3)`` float32
  ``[x, y, score]`` in frame pixels, one image per box.
"""
from mmengine.registry import Registry

from vpd_mm.tracking.registry import build_plain

#: Person finders: ``finder(images) -> [(N, 5) or (N, 56)]``.
PERSON_FINDERS = Registry('person finder', scope='vpd_mm', build_func=build_plain, locations=['vpd_mm.teachers'])
#: Top-down pose estimators: ``pose(images, boxes) -> (N, 17, 3)``.
POSE_ESTIMATORS = Registry(
    'pose estimator', scope='vpd_mm', build_func=build_plain, locations=['vpd_mm.teachers'])

#: Columns of a finder's per-frame array: box + score, then (optionally) 17 keypoints x (x, y, score).
BOX_COLUMNS = 5
KEYPOINT_COLUMNS = 17 * 3

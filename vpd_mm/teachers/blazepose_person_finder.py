"""BlazePose-full on the whole frame in video (tracking) mode: one person per frame, with keypoints."""
from typing import List, Sequence

import numpy as np

from .blazepose import box_from_keypoints, make_pose_solution, run_blazepose
from .registry import PERSON_FINDERS


@PERSON_FINDERS.register_module()
class BlazePosePersonFinder:
    """Finds the (one) person BlazePose locks on to, frame by frame, and gives its keypoints too.

    MediaPipe's video mode runs BlazePose's person detector only until a person is found and then
    follows that person with the landmark model alone (the landmarks of one frame give the region of
    the next), which is fast (~25-45 frames/s on one core at 340x256 to 1080p) and keeps the same
    person through a two-person clip until it is lost. The box is the keypoints' extent grown by
    ``box_margin``; its score is the mean visibility of the 17 COCO keypoints. Frames without a
    person get no detection (the tracker and athlete selector bridge short gaps).

    The finder keeps state across frames: :meth:`reset` is called before every video and it must be
    given the frames of one video in order (``det_interval=1``).

    Args:
        min_detection_confidence: BlazePose's person-detection threshold.
        min_tracking_confidence: Below this landmark confidence the person is searched for again.
        box_margin: Growth of the keypoints' extent on each side (fraction of its size).
        min_score: Detections whose score is below this are dropped.
        model_complexity: Must be 1 (BlazePose-full, the bundled model).
        device: Ignored (CPU only).
    """

    def __init__(self,
                 min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5,
                 box_margin: float = 0.15,
                 min_score: float = 0.05,
                 model_complexity: int = 1,
                 device: str = 'cpu'):
        self.kwargs = dict(
            static_image_mode=False,
            model_complexity=model_complexity,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence)
        self.box_margin = box_margin
        self.min_score = min_score
        self.solution = make_pose_solution(**self.kwargs)

    def reset(self) -> None:
        """Forget the person followed so far (a new video starts)."""
        self.solution.close()
        self.solution = make_pose_solution(**self.kwargs)

    def __call__(self, images: Sequence[np.ndarray]) -> List[np.ndarray]:
        """Find the person in consecutive BGR frames.

        Returns:
            Per frame a ``(0, 56)`` or ``(1, 56)`` float32 array: ``[x1, y1, x2, y2, score]`` and the
            17 COCO keypoints ``(x, y, score)`` flattened.
        """
        out = []
        for img in images:
            row = np.zeros((0, 56), np.float32)
            kp = run_blazepose(self.solution, img)
            if kp is not None:
                box = box_from_keypoints(kp, (img.shape[1], img.shape[0]), self.box_margin)
                score = float(kp[:, 2].mean())
                if box is not None and score >= self.min_score:
                    row = np.concatenate([box, [score], kp.reshape(-1)]).astype(np.float32)[None]
            out.append(row)
        return out

    def close(self) -> None:
        """Release the MediaPipe graph."""
        self.solution.close()

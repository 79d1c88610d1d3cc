"""Hard-negative sampling for VIPE*'s contrastive loss."""
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...pose.canonical3d import sample_hard_negative


@TRANSFORMS.register_module()
class SampleHardNegative3D(BaseTransform):
    """Pick a different pose of the same sequence as the negative.

    Up to ``max_tries`` random frames are tried; the first whose canonical bone directions differ
    from the anchor's by at least ``min_angle`` degrees for some bone is taken. When none qualifies
    a random frame of the sequence is taken with ``neg_valid = 0`` (the loss ignores it).

    Required Keys: ``joints3d``, ``sequence``, ``frame_idx``, ``rng``; optional ``bone_dirs``.

    Added Keys: ``neg_joints3d`` (17, 3), ``neg_frame_idx``, ``neg_valid`` (float 0/1).

    Args:
        min_angle: Bone angle threshold in degrees. Defaults to 45.
        max_tries: Candidates to try. Defaults to 10.
    """

    def __init__(self, min_angle: float = 45.0, max_tries: int = 10) -> None:
        self.min_angle = min_angle
        self.max_tries = max_tries

    def transform(self, results: dict) -> dict:
        """Sample a hard-negative frame of ``sequence`` for the anchor frame ``frame_idx``.

        See the class docstring for the keys.

        Returns:
            The results dict with ``neg_joints3d`` ``(17, 3)`` float32, ``neg_frame_idx`` and ``neg_valid``
            (0.0 when no candidate qualified and a random frame of the sequence was taken).
        """
        seq, idx, rng = results['sequence'], results['frame_idx'], results['rng']
        frame, _ = sample_hard_negative(seq, idx, rng, self.min_angle, self.max_tries,
                                        results.get('bone_dirs'))
        if frame is None:
            frame = int(rng.integers(len(seq)))
            results['neg_valid'] = 0.0
        else:
            results['neg_valid'] = 1.0
        results['neg_frame_idx'] = frame
        results['neg_joints3d'] = np.asarray(seq[frame], dtype=np.float32)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(min_angle={self.min_angle}, max_tries={self.max_tries})'

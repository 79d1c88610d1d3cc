"""Random fixed-length window of an untrimmed feature sequence (temporal detection training)."""
from typing import Dict

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class RandomFeatureWindow(BaseTransform):
    """Crop ``window`` consecutive frames at a random position.

    Sequences shorter than ``window`` are kept whole.

    Required Keys:

        - features (np.ndarray): ``(T, V, D)``.

    Optional Keys:

        - frame_labels (np.ndarray): ``(T,)``, cropped alike.
        - frame_inds (np.ndarray): ``(T,)``, cropped alike.

    Modified Keys:

        - features, frame_labels, frame_inds

    Added Keys:

        - window_start (int): First kept index.

    Args:
        window: Window length in frames (250 in the paper).
    """

    def __init__(self, window: int = 250) -> None:
        if window < 1:
            raise ValueError(f'window must be >= 1, got {window}')
        self.window = int(window)

    def transform(self, results: Dict) -> Dict:
        """Crop ``features``, ``frame_labels`` and ``frame_inds`` to ``window`` frames from a random start.

        Returns:
            The results dict with the cropped arrays and ``window_start`` (int).
        """
        length = results['features'].shape[0]
        start = np.random.randint(0, max(length - self.window, 0) + 1)
        sl = slice(start, start + self.window)
        for key in ('features', 'frame_labels', 'frame_inds'):
            if key in results:
                results[key] = results[key][sl]
        results['window_start'] = int(start)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(window={self.window})'

"""OpenCV TV-L1 optical flow (optional, slow, from opencv-contrib's ``cv2.optflow``)."""
import cv2
import numpy as np

from .base import FLOW_BACKENDS, BaseFlowBackend


@FLOW_BACKENDS.register_module()
class TVL1Flow(BaseFlowBackend):
    """Dual TV-L1 flow (Zach et al. 2007) via ``cv2.optflow.DualTVL1OpticalFlow_create``.

    Smoother and more robust than DIS on low texture but ~50-100x slower on CPU.

    Args:
        **kwargs: Passed to ``cv2.optflow.DualTVL1OpticalFlow_create`` (``tau``, ``lambda_``, ``theta``,
            ``nscales``, ``warps``, ``epsilon``, ``innnerIterations`` [sic], ``outerIterations``,
            ``scaleStep``, ``gamma``, ``medianFiltering``); OpenCV's defaults otherwise.
    """

    short_name = 'tvl1'

    def __init__(self, **kwargs) -> None:
        optflow = getattr(cv2, 'optflow', None)
        if optflow is None or not hasattr(optflow, 'DualTVL1OpticalFlow_create'):
            raise ImportError('TVL1Flow needs cv2.optflow (opencv-contrib-python); it is not available')
        self.kwargs = dict(kwargs)
        try:
            self._tvl1 = optflow.DualTVL1OpticalFlow_create(**self.kwargs)
        except (TypeError, cv2.error) as e:
            raise ValueError(f'TVL1Flow: bad arguments {self.kwargs}: {e}') from e

    def compute(self, prev_rgb: np.ndarray, cur_rgb: np.ndarray) -> np.ndarray:
        """TV-L1 flow ``(H, W, 2)`` float32 from ``prev_rgb`` to ``cur_rgb`` (uint8 RGB, compared in grayscale)."""
        prev = cv2.cvtColor(prev_rgb, cv2.COLOR_RGB2GRAY)
        cur = cv2.cvtColor(cur_rgb, cv2.COLOR_RGB2GRAY)
        return self._tvl1.calc(prev, cur, None).astype(np.float32, copy=False)

    def config(self) -> dict:
        """Config dict that rebuilds this backend (``type`` plus the TV-L1 keyword arguments)."""
        return dict(type='TVL1Flow', **self.kwargs)

    def __getstate__(self):
        return self.kwargs

    def __setstate__(self, state):
        self.__init__(**state)

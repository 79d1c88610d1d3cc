"""OpenCV DIS optical flow (the default backend)."""
import cv2
import numpy as np

from .base import FLOW_BACKENDS, BaseFlowBackend

_PRESETS = {
    'ultrafast': cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    'fast': cv2.DISOPTICAL_FLOW_PRESET_FAST,
    'medium': cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}


@FLOW_BACKENDS.register_module()
class DISFlow(BaseFlowBackend):
    """Dense Inverse Search flow (Kroeger et al. 2016) from ``cv2.DISOpticalFlow``.

    Runs on the grayscale crops. Speed / quality on 128x128 crops of SynthSport mini is measured by
    ``benchmarks/crop_store.py --compare-flow``; ``'medium'`` is the default because it is several
    times more accurate than ``'ultrafast'`` / ``'fast'`` at a cost (a few ms per pair) that is small
    next to decoding and storing.

    Args:
        preset: ``'ultrafast'``, ``'fast'`` or ``'medium'``.
        finest_scale: Optional override of the finest pyramid level (0 = full resolution).
        variational_refinement_iterations: Optional override.
    """

    short_name = 'dis'

    def __init__(self,
                 preset: str = 'medium',
                 finest_scale: int = None,
                 variational_refinement_iterations: int = None) -> None:
        if preset not in _PRESETS:
            raise ValueError(f'DISFlow preset must be one of {sorted(_PRESETS)}, got {preset!r}')
        self.preset = preset
        self.finest_scale = finest_scale
        self.variational_refinement_iterations = variational_refinement_iterations
        self._dis = cv2.DISOpticalFlow_create(_PRESETS[preset])
        if finest_scale is not None:
            self._dis.setFinestScale(int(finest_scale))
        if variational_refinement_iterations is not None:
            self._dis.setVariationalRefinementIterations(int(variational_refinement_iterations))

    def compute(self, prev_rgb: np.ndarray, cur_rgb: np.ndarray) -> np.ndarray:
        """DIS flow ``(H, W, 2)`` float32 from ``prev_rgb`` to ``cur_rgb`` (uint8 RGB, compared in grayscale)."""
        prev = cv2.cvtColor(prev_rgb, cv2.COLOR_RGB2GRAY)
        cur = cv2.cvtColor(cur_rgb, cv2.COLOR_RGB2GRAY)
        return self._dis.calc(prev, cur, None).astype(np.float32, copy=False)

    def config(self) -> dict:
        """Config dict that rebuilds this backend (``preset`` and the overrides that were set)."""
        cfg = dict(type='DISFlow', preset=self.preset)
        if self.finest_scale is not None:
            cfg['finest_scale'] = self.finest_scale
        if self.variational_refinement_iterations is not None:
            cfg['variational_refinement_iterations'] = self.variational_refinement_iterations
        return cfg

    def __getstate__(self):  # cv2 objects do not pickle; rebuild from the config
        return self.config()

    def __setstate__(self, state):
        state = dict(state)
        state.pop('type')
        self.__init__(**state)

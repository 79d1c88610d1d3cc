"""Constant-velocity Kalman filter on ``[cx, cy, w, h]`` boxes (SORT / DeepSORT style)."""
import numpy as np


class BoxKalmanFilter:
    """Kalman filter with state ``[cx, cy, w, h, vcx, vcy, vw, vh]`` and box measurements.

    Process and measurement noise scale with the box height, as in DeepSORT, so the filter behaves
    the same for near and far people.

    Args:
        box: Initial ``[cx, cy, w, h]`` measurement.
        pos_std: Position noise as a fraction of the box height (per frame).
        vel_std: Velocity noise as a fraction of the box height (per frame).
    """

    def __init__(self, box: np.ndarray, pos_std: float = 1 / 20, vel_std: float = 1 / 160):
        box = np.asarray(box, dtype=np.float64)
        self.pos_std = pos_std
        self.vel_std = vel_std
        self.x = np.concatenate([box, np.zeros(4)])
        h = max(box[3], 1.0)
        std = np.r_[np.full(4, 2 * pos_std * h), np.full(4, 10 * vel_std * h)]
        self.P = np.diag(std**2)
        self._H = np.hstack([np.eye(4), np.zeros((4, 4))])

    @property
    def box(self) -> np.ndarray:
        """Current ``[cx, cy, w, h]`` estimate (width and height kept >= 1)."""
        b = self.x[:4].copy()
        b[2:] = np.maximum(b[2:], 1.0)
        return b

    def predict(self, dt: float = 1.0) -> np.ndarray:
        """Advance the state by ``dt`` frames and return the predicted box."""
        F = np.eye(8)
        F[:4, 4:] = dt * np.eye(4)
        h = max(self.x[3], 1.0)
        q = np.r_[np.full(4, self.pos_std * h), np.full(4, self.vel_std * h)]**2 * max(dt, 1.0)
        self.x = F @ self.x
        self.P = F @ self.P @ F.T + np.diag(q)
        return self.box

    def update(self, box: np.ndarray) -> np.ndarray:
        """Correct the state with a measured ``[cx, cy, w, h]`` box and return the estimate."""
        z = np.asarray(box, dtype=np.float64)
        h = max(z[3], 1.0)
        R = np.diag(np.full(4, self.pos_std * h)**2)
        S = self._H @ self.P @ self._H.T + R
        K = np.linalg.solve(S, self._H @ self.P).T
        self.x = self.x + K @ (z - self._H @ self.x)
        self.P = (np.eye(8) - K @ self._H) @ self.P
        return self.box

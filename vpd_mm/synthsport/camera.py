"""Perspective cameras: named views, a pan/tilt/zoom camera that follows the athlete.

Convention (OpenCV): ``x_cam = R @ X_world + t``; ``[u, v, 1] ~ K @ x_cam``; camera axes x right,
y down, z forward; world y up.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

#: Named camera views: (azimuth relative to the routine line, elevation range (deg), distance range (m)).
VIEWS: Dict[str, Tuple[float, Tuple[float, float], Tuple[float, float]]] = {
    'side': (90.0, (3.0, 12.0), (9.0, 13.0)),
    'diagonal': (45.0, (5.0, 15.0), (9.0, 13.0)),
    'front': (5.0, (4.0, 12.0), (10.0, 14.0)),
    'high': (120.0, (22.0, 35.0), (10.0, 14.0)),
}
VIEW_NAMES = tuple(VIEWS)


@dataclass
class CameraTrack:
    """Per-frame cameras: intrinsics ``K (T,3,3)``, rotation ``R (T,3,3)``, translation ``t (T,3)``."""
    K: np.ndarray
    R: np.ndarray
    t: np.ndarray
    view: str

    @property
    def centers(self) -> np.ndarray:
        """Camera centres in world coordinates ``(T, 3)``."""
        return -np.einsum('tji,tj->ti', self.R, self.t)

    def project(self, frame: int, points: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Project world points ``(N, 3)`` at ``frame``; returns pixels ``(N, 2)`` and depths ``(N,)``."""
        cam = points @ self.R[frame].T + self.t[frame]
        z = cam[:, 2]
        uv = cam[:, :2] / np.maximum(z, 1e-6)[:, None]
        k = self.K[frame]
        return np.stack([k[0, 0] * uv[:, 0] + k[0, 2], k[1, 1] * uv[:, 1] + k[1, 2]], -1), z

    def to_json(self) -> dict:
        """JSON-serialisable dict of the view name, the convention and the rounded ``K``, ``R`` and ``t``."""
        return dict(view=self.view, convention='x_cam = R @ X_world + t; [u, v, 1] ~ K @ x_cam; '
                    'camera x right, y down, z forward; world y up, metres',
                    K=np.round(self.K, 5).tolist(), R=np.round(self.R, 7).tolist(), t=np.round(self.t, 6).tolist())


def look_at(center: np.ndarray, target: np.ndarray) -> np.ndarray:
    """World-to-camera rotation ``(3, 3)`` of a camera at ``center`` looking at ``target`` (no roll)."""
    fwd = target - center
    fwd = fwd / np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right) + 1e-12
    down = np.cross(fwd, right)
    return np.stack([right, down, fwd])


def _smooth(x: np.ndarray, alpha: float) -> np.ndarray:
    """Critically damped-ish follow: two passes of exponential smoothing (causal, so the camera lags)."""
    out = x.copy()
    for _ in range(2):
        for i in range(1, len(out)):
            out[i] = out[i - 1] + alpha * (out[i] - out[i - 1])
    return out


def follow_camera(target: np.ndarray, rng: np.random.Generator, width: int, height: int, line_angle: float,
                  view: str, mat_center=(0.0, 0.0), subject_height: float = 1.75) -> CameraTrack:
    """A fixed-position camera that pans, tilts and zooms to follow ``target`` ``(T, 3)``.

    Args:
        target: Point to follow per frame (the athlete's pelvis).
        rng: Random generator (view jitter, framing, follow lag).
        width, height: Image size.
        line_angle: Direction of the routine line (rad).
        view: One of :data:`VIEW_NAMES`.
    """
    if view not in VIEWS:
        raise ValueError(f'unknown camera view {view!r}, expected one of {VIEW_NAMES}')
    az_deg, elev_rng, dist_rng = VIEWS[view]
    az = line_angle + np.deg2rad(az_deg + rng.uniform(-12, 12)) * (1 if rng.random() < 0.5 else -1)
    elev = np.deg2rad(rng.uniform(*elev_rng))
    dist = rng.uniform(*dist_rng)
    center = np.array([mat_center[0] + dist * np.cos(elev) * np.sin(az), 1.0 + dist * np.sin(elev),
                       mat_center[1] + dist * np.cos(elev) * np.cos(az)])
    look = target.astype(np.float64).copy()
    look[:, 1] = 0.5 * look[:, 1] + 0.45
    look = _smooth(look, rng.uniform(0.12, 0.3))
    frac = rng.uniform(0.38, 0.55)  # standing subject height as a fraction of the image height
    d = np.linalg.norm(look - center, axis=1)
    focal = _smooth(frac * height * d / subject_height, rng.uniform(0.05, 0.15))
    n = len(target)
    K = np.zeros((n, 3, 3))
    K[:, 0, 0] = K[:, 1, 1] = focal
    K[:, 0, 2], K[:, 1, 2], K[:, 2, 2] = width / 2, height / 2, 1.0
    R = np.stack([look_at(center, p) for p in look])
    t = -np.einsum('tij,j->ti', R, center)
    return CameraTrack(K, R, t, view)


def static_camera(rng: np.random.Generator, target: np.ndarray, width: int, height: int,
                  subject_height: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A single random camera framing a standing person at ``target`` (generic images)."""
    az = rng.uniform(-np.pi, np.pi)
    elev = np.deg2rad(rng.uniform(-5, 30))
    dist = rng.uniform(3.0, 9.0)
    center = target + dist * np.array([np.cos(elev) * np.sin(az), np.sin(elev), np.cos(elev) * np.cos(az)])
    center[1] = max(center[1], 0.3)
    frac = rng.uniform(0.35, 0.85)
    focal = frac * height * dist / subject_height
    look = target + np.array([rng.uniform(-0.3, 0.3), rng.uniform(-0.25, 0.25), rng.uniform(-0.3, 0.3)]) * (
        subject_height / frac / 2.5)
    R = look_at(center, look)
    K = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1.0]])
    return K, R, -R @ center

"""Random but plausible COCO-17 3D pose sequences, for tests, benchmarks and smoke runs.

Limbs swing sinusoidally with random amplitudes, frequencies and phases; the torso bends and the
whole body turns about the vertical axis. Metres, y up, feet near y = 0.
"""
from typing import List, Tuple

import numpy as np

from .canonical3d import rotation_y

_LIMBS = {  # (parent, child): length in metres
    'l_upper_arm': (5, 7, 0.30),
    'l_forearm': (7, 9, 0.26),
    'r_upper_arm': (6, 8, 0.30),
    'r_forearm': (8, 10, 0.26),
    'l_thigh': (11, 13, 0.45),
    'l_shin': (13, 15, 0.42),
    'r_thigh': (12, 14, 0.45),
    'r_shin': (14, 16, 0.42)
}


def _direction(theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Unit vectors at angle ``theta`` from straight down (-y), azimuth ``phi`` about y."""
    return np.stack([np.sin(theta) * np.sin(phi), -np.cos(theta), np.sin(theta) * np.cos(phi)], -1)


def random_pose_sequence(num_frames: int, rng: np.random.Generator, fps: float = 30.0) -> np.ndarray:
    """One ``(num_frames, 17, 3)`` float32 sequence."""
    t = np.arange(num_frames) / fps

    def wave(lo: float, hi: float) -> np.ndarray:
        mid, amp = rng.uniform(lo, hi), rng.uniform(0, (hi - lo) / 2)
        return mid + amp * np.sin(2 * np.pi * rng.uniform(0.2, 1.5) * t + rng.uniform(0, 2 * np.pi))

    joints = np.zeros((num_frames, 17, 3))
    lean = wave(-0.6, 0.6)
    lean_dir = rng.uniform(-np.pi, np.pi)
    up = _direction(np.pi - np.abs(lean), np.full(num_frames, lean_dir) + (lean < 0) * np.pi)
    joints[:, 11] = [0.1, 0, 0]
    joints[:, 12] = [-0.1, 0, 0]
    neck = 0.5 * up
    joints[:, 5] = neck + [0.18, 0, 0]
    joints[:, 6] = neck + [-0.18, 0, 0]
    head_dir = up + 0.3 * _direction(np.full(num_frames, np.pi / 2), wave(-0.5, 0.5))
    joints[:, 0] = neck + 0.22 * head_dir / np.linalg.norm(head_dir, axis=-1, keepdims=True)
    joints[:, 1:5] = joints[:, :1]
    for name, (parent, child, length) in _LIMBS.items():
        if 'arm' in name:
            theta, phi = wave(0.0, 2.8), wave(-1.5, 1.5) + (0.6 if name.startswith('l') else -0.6)
        else:
            theta, phi = wave(0.0, 1.6), wave(-0.4, 0.4)
        joints[:, child] = joints[:, parent] + length * _direction(theta, phi)
    yaw = rng.uniform(-np.pi, np.pi) + np.cumsum(rng.normal(0, 0.02, num_frames))
    joints = np.einsum('tij,tkj->tki', rotation_y(yaw), joints)
    joints[..., 1] -= joints[..., 1].min(axis=1, keepdims=True)
    return joints.astype(np.float32)


def random_pose_sequences(num_sequences: int, num_frames: int, seed: int = 0) -> List[Tuple[str, np.ndarray]]:
    """``[(name, (num_frames, 17, 3))]`` named ``seq000``, ``seq001``, ..."""
    rng = np.random.default_rng(seed)
    return [(f'seq{i:03d}', random_pose_sequence(num_frames, rng)) for i in range(num_sequences)]

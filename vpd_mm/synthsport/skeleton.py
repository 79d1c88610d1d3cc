"""Articulated 3D human: body proportions and forward kinematics.

The body is driven by a small set of joint-angle parameters (see :data:`PARAMS`). Body frame:
``y`` up along the spine, ``z`` forward (facing direction), ``x`` towards the athlete's LEFT
(right-handed world, metres). The root is the pelvis centre; its world orientation is
``R = Ry(heading) @ Rx(salto) @ Ry(twist)`` so a positive ``salto`` is a forward somersault and
``twist`` rotates about the body's long axis.

Besides the 17 COCO joints the kinematics return a few extra points used by the renderer
(:data:`EXTRA_POINTS`).
"""
from dataclasses import dataclass
from typing import Dict

import numpy as np

#: Per-frame motion parameters (angles in radians, root position in metres).
PARAMS = ('px', 'py', 'pz', 'heading', 'salto', 'twist', 'spine', 'spine_side', 'head', 'lsf', 'lsa', 'le',
          'rsf', 'rsa', 're', 'lhf', 'lha', 'lk', 'rhf', 'rha', 'rk', 'toe')
#: Points returned after the 17 COCO joints.
EXTRA_POINTS = ('neck', 'head_c', 'pelvis', 'l_hand', 'r_hand', 'l_toe', 'r_toe')
NUM_POINTS = 17 + len(EXTRA_POINTS)
P_NECK, P_HEAD, P_PELVIS, P_LHAND, P_RHAND, P_LTOE, P_RTOE = range(17, NUM_POINTS)


@dataclass
class Body:
    """Bone lengths and radii of one person (metres)."""
    hip_half: float = 0.09
    torso: float = 0.50
    shoulder_half: float = 0.18
    neck: float = 0.17
    head_r: float = 0.105
    upper_arm: float = 0.29
    forearm: float = 0.26
    hand: float = 0.08
    thigh: float = 0.43
    shin: float = 0.42
    ankle_h: float = 0.08
    foot: float = 0.19
    girth: float = 1.0

    @property
    def height(self) -> float:
        """Standing height (ankle height + legs + torso + neck + head)."""
        return self.ankle_h + self.shin + self.thigh + self.torso + self.neck + self.head_r


def sample_body(rng: np.random.Generator, height_range=(1.50, 1.95)) -> Body:
    """Draw a body with a random height and varied proportions (each segment +-7 %)."""
    base = Body()
    scale = rng.uniform(*height_range) / base.height
    kw = {}
    for name in ('hip_half', 'torso', 'shoulder_half', 'neck', 'head_r', 'upper_arm', 'forearm', 'hand', 'thigh',
                 'shin', 'ankle_h', 'foot'):
        kw[name] = getattr(base, name) * scale * rng.uniform(0.93, 1.07)
    # arms and legs of one person share a common length factor
    limb = rng.uniform(0.95, 1.05)
    for name in ('upper_arm', 'forearm', 'thigh', 'shin'):
        kw[name] *= limb
    kw['girth'] = float(rng.uniform(0.85, 1.2))
    return Body(**{k: float(v) for k, v in kw.items()})


def _rx(a: np.ndarray) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def _ry(a: np.ndarray) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def _rz(a: np.ndarray) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


def _vec(x, y, z, n):
    return np.stack(np.broadcast_arrays(np.asarray(x, float) * np.ones(n), np.asarray(y, float) * np.ones(n),
                                        np.asarray(z, float) * np.ones(n)), -1)


def _mv(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.einsum('tij,tj->ti', m, v)


def _limb(flex, abd, bend, side, n, backward_bend=False):
    """Directions of the proximal and distal segment of a limb (in the parent frame)."""
    d = np.cos(abd)[:, None] * _vec(0, -np.cos(flex), np.sin(flex), n) + np.sin(abd)[:, None] * _vec(side, 0, 0, n)
    nrm = _vec(0, np.sin(flex), np.cos(flex), n)
    sgn = -1.0 if backward_bend else 1.0
    d2 = np.cos(bend)[:, None] * d + sgn * np.sin(bend)[:, None] * nrm
    return d, d2, nrm


def root_rotation(params: Dict[str, np.ndarray]) -> np.ndarray:
    """World orientation ``(T, 3, 3)`` of the pelvis."""
    return _ry(params['heading']) @ _rx(params['salto']) @ _ry(params['twist'])


def forward_kinematics(params: Dict[str, np.ndarray], body: Body) -> np.ndarray:
    """Compute world points ``(T, NUM_POINTS, 3)``: 17 COCO joints then :data:`EXTRA_POINTS`."""
    p = {k: np.atleast_1d(np.asarray(params[k], dtype=np.float64)) for k in PARAMS}
    n = len(p['px'])
    pts = np.zeros((n, NUM_POINTS, 3))
    ru = _rx(p['spine']) @ _rz(p['spine_side'])
    rh = ru @ _rx(p['head'])
    neck = _mv(ru, _vec(0, body.torso, 0, n))
    head_c = neck + _mv(rh, _vec(0, body.neck, 0.02, n))
    hr = body.head_r
    pts[:, 0] = head_c + _mv(rh, _vec(0, -0.1 * hr, 0.95 * hr, n))
    for j, sx in ((1, 1), (2, -1)):
        pts[:, j] = head_c + _mv(rh, _vec(sx * 0.33 * hr, 0.28 * hr, 0.8 * hr, n))
    for j, sx in ((3, 1), (4, -1)):
        pts[:, j] = head_c + _mv(rh, _vec(sx * 0.9 * hr, 0.0, -0.05 * hr, n))
    for side, sh, el, wr, hand, f, a, e in ((1, 5, 7, 9, P_LHAND, 'lsf', 'lsa', 'le'),
                                            (-1, 6, 8, 10, P_RHAND, 'rsf', 'rsa', 're')):
        shoulder = neck + _mv(ru, _vec(side * body.shoulder_half, -0.04, 0, n))
        d, d2, _ = _limb(p[f], side * 0 + p[a], p[e], side, n)
        pts[:, sh] = shoulder
        pts[:, el] = shoulder + _mv(ru, d) * body.upper_arm
        pts[:, wr] = pts[:, el] + _mv(ru, d2) * body.forearm
        pts[:, hand] = pts[:, wr] + _mv(ru, d2) * body.hand
    toe = p['toe'][:, None]
    for side, hp, kn, an, tp, f, a, k in ((1, 11, 13, 15, P_LTOE, 'lhf', 'lha', 'lk'),
                                          (-1, 12, 14, 16, P_RTOE, 'rhf', 'rha', 'rk')):
        hip = _vec(side * body.hip_half, -0.05, 0, n)
        d, d2, nrm = _limb(p[f], p[a], p[k], side, n, backward_bend=True)
        pts[:, hp] = hip
        pts[:, kn] = hip + d * body.thigh
        pts[:, an] = pts[:, kn] + d2 * body.shin
        fwd = np.sin(p[k])[:, None] * d + np.cos(p[k])[:, None] * nrm
        foot = (1 - toe) * fwd + toe * (0.35 * fwd + d2)
        foot /= np.linalg.norm(foot, axis=-1, keepdims=True) + 1e-9
        pts[:, tp] = pts[:, an] + foot * body.foot
    pts[:, P_NECK] = neck
    pts[:, P_HEAD] = head_c
    pts[:, P_PELVIS] = 0.0
    rot = root_rotation(p)
    root = np.stack([p['px'], p['py'], p['pz']], -1)
    return np.einsum('tij,tpj->tpi', rot, pts) + root[:, None]


def ground_offset(params: Dict[str, np.ndarray], body: Body) -> np.ndarray:
    """Pelvis height ``(T,)`` that puts the lowest foot point on the floor (``y = 0``)."""
    p = {k: np.asarray(v, dtype=np.float64).copy() for k, v in params.items()}
    p['py'] = np.zeros_like(p['px'])
    pts = forward_kinematics(p, body)
    low = np.minimum(pts[:, [15, 16], 1].min(1) - body.ankle_h * 0.8, pts[:, [P_LTOE, P_RTOE], 1].min(1) - 0.03)
    return -low

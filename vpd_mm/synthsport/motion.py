"""Parametric motion library: sport elements, everyday motions and routine composition.

Every motion is a :class:`Segment` of per-frame joint-angle parameters (see
:data:`vpd_mm.synthsport.skeleton.PARAMS`) plus root displacements. :func:`compose` concatenates
segments (blending joint angles across boundaries), integrates the root path and puts the feet on
the floor, except during flight phases which follow a ballistic parabola.

Element classes (:data:`CLASSES`) combine direction (front / back), body shape in flight (tuck /
pike / straight) and rotation (1 or 2 somersaults; straight also with 1 or 2 twists). Their
durations are drawn from one distribution shared by all classes.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .skeleton import PARAMS, Body, ground_offset

ANGLES = ('spine', 'spine_side', 'head', 'lsf', 'lsa', 'le', 'rsf', 'rsa', 're', 'lhf', 'lha', 'lk', 'rhf', 'rha',
          'rk', 'toe')
_MIRROR = {'lsf': 'rsf', 'lsa': 'rsa', 'le': 're', 'lhf': 'rhf', 'lha': 'rha', 'lk': 'rk'}
_MIRROR.update({v: k for k, v in list(_MIRROR.items())})
GRAVITY = 9.81


@dataclass(frozen=True)
class ElementClass:
    """One fine-grained element class."""
    name: str
    direction: int  # +1 forward, -1 backward
    shape: str  # tuck / pike / straight
    saltos: int
    twists: int


def _make_classes() -> Tuple[ElementClass, ...]:
    out = []
    for direction, dname in ((1, 'front'), (-1, 'back')):
        for shape in ('tuck', 'pike', 'straight'):
            for saltos in (1, 2):
                out.append(ElementClass(f'{dname}_{shape}_{saltos}s', direction, shape, saltos, 0))
        for twists in (1, 2):
            out.append(ElementClass(f'{dname}_straight_1s_{twists}t', direction, 'straight', 1, twists))
    return tuple(out)


#: The 16 element classes; the list index is the label.
CLASSES: Tuple[ElementClass, ...] = _make_classes()
CLASS_NAMES: Tuple[str, ...] = tuple(c.name for c in CLASSES)


@dataclass
class Segment:
    """A piece of motion of ``n`` frames."""
    angles: Dict[str, np.ndarray]
    fwd: np.ndarray  # forward displacement per frame along the heading (m)
    dheading: np.ndarray  # heading increment per frame (rad)
    salto: np.ndarray
    twist: np.ndarray
    flight: np.ndarray  # bool, ballistic frames
    bob: np.ndarray  # extra pelvis height (m), e.g. running
    label: int = -1  # element label, -1 for non-element motion
    kind: str = ''
    flight_height: float = 0.0

    @property
    def n(self) -> int:
        """Number of frames."""
        return len(self.fwd)


def smoothstep(x: np.ndarray) -> np.ndarray:
    """Cubic ease in/out on [0, 1] (clipped)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def keys(n: int, points: Sequence[Tuple[float, float]]) -> np.ndarray:
    """Smoothstep interpolation of ``(s, value)`` keys over ``n`` frames (s in [0, 1])."""
    s = np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(1)
    out = np.full(n, float(points[0][1]))
    for (s0, v0), (s1, v1) in zip(points[:-1], points[1:]):
        m = (s >= s0) & (s <= s1)
        out[m] = v0 + (v1 - v0) * smoothstep((s[m] - s0) / max(s1 - s0, 1e-9))
    out[s > points[-1][0]] = points[-1][1]
    return out


def _segment(n: int, pose: Dict[str, float], kind: str) -> Segment:
    angles = {a: np.full(n, float(pose.get(a, 0.0))) for a in ANGLES}
    z = np.zeros(n)
    return Segment(angles, z.copy(), z.copy(), z.copy(), z.copy(), np.zeros(n, bool), z.copy(), kind=kind)


def mirror_segment(seg: Segment) -> Segment:
    """Swap left and right limbs (handedness) and negate lateral quantities."""
    ang = {k: seg.angles[_MIRROR.get(k, k)].copy() for k in ANGLES}
    ang['spine_side'] = -ang['spine_side']
    return Segment(ang, seg.fwd, -seg.dheading, seg.salto, -seg.twist, seg.flight, seg.bob, seg.label, seg.kind,
                   seg.flight_height)


STAND_POSES = {
    'sides': dict(lsf=0.05, lsa=0.12, le=0.15, rsf=0.05, rsa=0.12, re=0.15, lk=0.05, rk=0.05),
    'behind': dict(lsf=-0.35, lsa=0.08, le=0.3, rsf=-0.35, rsa=0.08, re=0.3, lk=0.05, rk=0.05),
    'front': dict(lsf=0.45, lsa=-0.15, le=1.7, rsf=0.45, rsa=-0.15, re=1.7, lk=0.05, rk=0.05),
    'open': dict(lsf=0.1, lsa=0.45, le=0.2, rsf=0.1, rsa=0.45, re=0.2, lk=0.05, rk=0.05, lha=0.08, rha=0.08),
}


def stand(rng: np.random.Generator, fps: float, seconds: float, variant: Optional[str] = None) -> Segment:
    """Standing with a slight sway."""
    n = max(2, int(round(seconds * fps)))
    variant = variant or str(rng.choice(list(STAND_POSES)))
    seg = _segment(n, STAND_POSES[variant], 'stand')
    t = np.arange(n) / fps
    seg.angles['spine_side'] += 0.03 * np.sin(2 * np.pi * t / rng.uniform(2.5, 5) + rng.uniform(0, 6.3))
    seg.angles['head'] += 0.1 * np.sin(2 * np.pi * t / rng.uniform(3, 6) + rng.uniform(0, 6.3))
    seg.angles['spine'] += 0.03 * np.sin(2 * np.pi * t / rng.uniform(3, 6))
    return seg


def gait(rng: np.random.Generator, fps: float, seconds: float, run: bool = False, speed_scale: float = 1.0) -> Segment:
    """Walking or running forward along the heading."""
    n = max(2, int(round(seconds * fps)))
    t = np.arange(n) / fps
    if run:
        freq, amp, speed = rng.uniform(1.3, 1.5), rng.uniform(0.55, 0.7), rng.uniform(3.0, 4.5)
    else:
        freq, amp, speed = rng.uniform(0.8, 1.0), rng.uniform(0.28, 0.4), rng.uniform(1.0, 1.5)
    speed *= speed_scale
    phi = 2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi)
    seg = _segment(n, {}, 'run' if run else 'walk')
    a = seg.angles
    a['lhf'] = 0.05 + amp * np.sin(phi)
    a['rhf'] = 0.05 - amp * np.sin(phi)
    kmax = 1.6 if run else 0.8
    a['lk'] = 0.1 + kmax * np.maximum(0, np.cos(phi)) ** 1.5
    a['rk'] = 0.1 + kmax * np.maximum(0, -np.cos(phi)) ** 1.5
    arm = (0.8 if run else 0.45) * amp / 0.5
    a['lsf'] = -arm * np.sin(phi) + (0.3 if run else 0.0)
    a['rsf'] = arm * np.sin(phi) + (0.3 if run else 0.0)
    a['lsa'][:] = a['rsa'][:] = 0.12
    a['le'][:] = a['re'][:] = 1.4 if run else 0.3
    a['spine'][:] = 0.2 if run else 0.05
    a['spine_side'] = 0.04 * np.sin(phi)
    seg.fwd[:] = speed / fps
    if run:
        seg.bob = 0.06 * np.abs(np.sin(phi))
    return seg


def turn(rng: np.random.Generator, fps: float, angle: float) -> Segment:
    """Step around on the spot, changing the heading by ``angle``."""
    seconds = rng.uniform(0.8, 1.3) * abs(angle) / np.pi + 0.3
    seg = stand(rng, fps, seconds, 'sides')
    n = seg.n
    t = np.arange(n) / fps
    phi = 2 * np.pi * 1.6 * t
    seg.angles['lhf'] += 0.25 * np.maximum(0, np.sin(phi))
    seg.angles['lk'] += 0.5 * np.maximum(0, np.sin(phi))
    seg.angles['rhf'] += 0.25 * np.maximum(0, -np.sin(phi))
    seg.angles['rk'] += 0.5 * np.maximum(0, -np.sin(phi))
    seg.dheading = np.diff(smoothstep(np.linspace(0, 1, n + 1))) * angle
    seg.kind = 'turn'
    return seg


def salute(rng: np.random.Generator, fps: float) -> Segment:
    """Arms raised in a V (both, or one arm) and lowered again."""
    n = int(round(rng.uniform(1.0, 1.8) * fps))
    seg = stand(rng, fps, n / fps, 'sides')
    up = keys(n, [(0, 0.05), (0.3, 2.7), (0.7, 2.7), (1, 0.05)])
    ab = keys(n, [(0, 0.12), (0.3, 0.5), (0.7, 0.5), (1, 0.12)])
    sides = ('l', 'r') if rng.random() < 0.6 else (str(rng.choice(['l', 'r'])), )
    for s in sides:
        seg.angles[s + 'sf'], seg.angles[s + 'sa'] = up, ab
    seg.kind = 'salute'
    return seg


def element(cls: ElementClass, label: int, rng: np.random.Generator, fps: float) -> Segment:
    """One sport element: take-off, flight (shape + somersaults + twists), landing.

    All classes draw the phase durations from the same distributions, so duration says nothing
    about the class. Variation: amplitude, timing, travel distance, arm style, twist direction.
    """
    n_p = int(round(rng.uniform(0.32, 0.5) * fps))
    n_f = int(round(rng.uniform(0.8, 1.2) * fps))
    n_l = int(round(rng.uniform(0.32, 0.5) * fps))
    amp = rng.uniform(0.85, 1.1)
    d = cls.direction
    jit = lambda: rng.uniform(-0.1, 0.1)  # noqa: E731
    arch = 0.05 if d > 0 else -0.2
    open_pose = dict(spine=arch, spine_side=0.0, head=0.0, lsf=2.9 + jit(), lsa=0.15, le=0.1, rsf=2.9 + jit(),
                     rsa=0.15, re=0.1, lhf=0.0, lha=0.03, lk=0.05, rhf=0.0, rha=0.03, rk=0.05, toe=1.0)
    # --- take-off
    pre = _segment(n_p, {}, 'element')
    a = pre.angles
    dip = rng.uniform(0.5, 0.62)
    for k in ('lk', 'rk'):
        a[k] = keys(n_p, [(0, 0.05), (dip, 0.95 * amp), (0.9, 0.15), (1, 0.05)])
    for k in ('lhf', 'rhf'):
        a[k] = keys(n_p, [(0, 0.02), (dip, 0.75 * amp), (0.9, 0.1), (1, 0.0)])
    a['spine'] = keys(n_p, [(0, 0.0), (dip, 0.45 if d > 0 else 0.3), (1, arch)])
    for s in 'lr':
        a[s + 'sf'] = keys(n_p, [(0, 0.05), (dip * 0.9, -0.6), (1, open_pose[s + 'sf'])])
        a[s + 'sa'][:] = 0.15
        a[s + 'e'] = keys(n_p, [(0, 0.1), (dip, 0.3), (1, 0.1)])
    a['head'] = keys(n_p, [(0, 0.0), (1, 0.0)])
    a['toe'] = keys(n_p, [(0, 0.0), (0.8, 0.0), (1, 1.0)])
    a['lha'][:] = a['rha'][:] = 0.03
    theta0 = d * rng.uniform(0.2, 0.3)
    pre.salto = keys(n_p, [(0, 0.0), (0.6, 0.0), (1, theta0)])
    pre.fwd[:] = rng.uniform(0.1, 0.4) / n_p * (1 if d > 0 else 0.3)
    # --- flight
    fl = _segment(n_f, {}, 'element')
    s = np.linspace(0, 1, n_f)
    ea, eb = rng.uniform(0.12, 0.22), rng.uniform(0.18, 0.28)
    o = smoothstep(s / ea) * smoothstep((1 - s) / eb)
    if cls.shape == 'tuck':
        shaped = dict(spine=0.6 * amp, head=0.3, lsf=0.9, lsa=0.15, le=0.9, lhf=2.0 * amp, lk=2.3 * amp, toe=1.0)
        inertia = 0.6
    elif cls.shape == 'pike':
        shaped = dict(spine=0.9 * amp, head=0.3, lsf=1.9, lsa=0.1, le=0.2, lhf=1.5 * amp, lk=0.05, toe=1.0)
        inertia = 0.45
    else:
        if cls.twists:
            shaped = dict(spine=0.0, head=0.0, lsf=0.45, lsa=-0.2, le=2.3, lhf=0.0, lk=0.0, toe=1.0)
        else:
            style = rng.integers(3)
            arms = [dict(lsf=2.9, lsa=0.2, le=0.1), dict(lsf=0.1, lsa=0.35, le=0.1), dict(lsf=0.2, lsa=1.4, le=0.1)]
            shaped = dict(spine=arch, head=0.0, lhf=0.0, lk=0.0, toe=1.0, **arms[int(style)])
        inertia = 0.05
    for k in ('sf', 'sa', 'e'):
        shaped['r' + k] = shaped['l' + k]
    for k in ('hf', 'k'):
        shaped['r' + k] = shaped['l' + k]
    for k in ANGLES:
        base = open_pose.get(k, 0.0)
        target = shaped.get(k, base) + (jit() if k in shaped and k != 'toe' else 0.0)
        fl.angles[k] = base + o * (target - base)
    rate = 1.0 / (1.0 - inertia * o)
    prog = np.concatenate([[0.0], np.cumsum((rate[1:] + rate[:-1]) / 2)])
    prog = (prog / prog[-1]) ** rng.uniform(0.9, 1.1)
    theta1 = d * (2 * np.pi * cls.saltos - rng.uniform(0.3, 0.4))
    fl.salto = theta0 + (theta1 - theta0) * prog
    twist_total = 2 * np.pi * cls.twists
    fl.twist = twist_total * smoothstep((s - rng.uniform(0.08, 0.16)) / rng.uniform(0.65, 0.78))
    fl.flight[:] = True
    fl.fwd[:] = d * rng.uniform(0.4, 1.2) / n_f
    # ballistic apex height, scaled down (0.55) to keep the athlete in a followable frame
    fl.flight_height = 0.55 * GRAVITY * ((n_f + 1) / fps) ** 2 / 8
    # --- landing
    la = _segment(n_l, {}, 'element')
    a = la.angles
    deep = rng.uniform(0.3, 0.4)
    for k in ('lk', 'rk'):
        a[k] = keys(n_l, [(0, 0.05), (deep, 0.9 * amp), (1, 0.1)])
    for k in ('lhf', 'rhf'):
        a[k] = keys(n_l, [(0, 0.0), (deep, 0.8 * amp), (1, 0.05)])
    a['spine'] = keys(n_l, [(0, arch), (deep, 0.5), (1, 0.05)])
    fin_f, fin_a = (2.7, 0.5) if rng.random() < 0.5 else (0.1, 0.2)
    for sd in 'lr':
        a[sd + 'sf'] = keys(n_l, [(0, open_pose[sd + 'sf']), (deep, 1.5), (1, fin_f)])
        a[sd + 'sa'] = keys(n_l, [(0, 0.15), (deep, 0.7), (1, fin_a)])
        a[sd + 'e'][:] = 0.1
    a['toe'] = keys(n_l, [(0, 1.0), (0.15, 0.0), (1, 0.0)])
    a['head'] = keys(n_l, [(0, 0.0), (deep, 0.2), (1, 0.0)])
    a['lha'][:] = a['rha'][:] = 0.03
    la.salto = theta1 + (d * 2 * np.pi * cls.saltos - theta1) * smoothstep(np.linspace(0, 1, n_l) / 0.5)
    la.twist[:] = twist_total
    la.fwd[:] = d * 0.1 / n_l
    seg = concat([pre, fl, la], blend=0)
    seg.label, seg.kind, seg.flight_height = label, 'element', fl.flight_height
    if rng.random() < 0.5:
        seg = mirror_segment(seg)
    return seg


def concat(segs: Sequence[Segment], blend: int = 6) -> Segment:
    """Concatenate segments, cross-fading joint angles over ``blend`` frames at each boundary."""
    angles = {k: [] for k in ANGLES}
    last = None
    for seg in segs:
        for k in ANGLES:
            arr = seg.angles[k].copy()
            if last is not None and blend > 0:
                m = min(blend, seg.n)
                w = smoothstep((np.arange(m) + 1) / (m + 1))
                arr[:m] = (1 - w) * last[k] + w * arr[:m]
            angles[k].append(arr)
        last = {k: seg.angles[k][-1] for k in ANGLES}
    cat = lambda name: np.concatenate([getattr(s, name) for s in segs])  # noqa: E731
    return Segment({k: np.concatenate(v) for k, v in angles.items()}, cat('fwd'), cat('dheading'), cat('salto'),
                   cat('twist'), cat('flight'), cat('bob'))


@dataclass
class Motion:
    """A composed motion: per-frame parameters plus the element intervals."""
    params: Dict[str, np.ndarray]
    elements: List[Tuple[int, int, int]] = field(default_factory=list)  # (start, end exclusive, label)
    flight: Optional[np.ndarray] = None

    @property
    def num_frames(self) -> int:
        """Number of frames."""
        return len(self.params['px'])


def compose(segs: Sequence[Segment], body: Body, start_pos=(0.0, 0.0), start_heading: float = 0.0,
            blend: int = 6) -> Motion:
    """Turn segments into full per-frame parameters (root path, heading, feet on the floor)."""
    seg = concat(segs, blend)
    n = seg.n
    heading = start_heading + np.cumsum(seg.dheading)
    step = np.stack([np.sin(heading), np.cos(heading)], -1) * seg.fwd[:, None]
    xz = np.asarray(start_pos, float) + np.cumsum(step, axis=0) - step[0]
    params = {k: seg.angles[k] for k in ANGLES}
    params.update(px=xz[:, 0], pz=xz[:, 1], heading=heading, salto=seg.salto, twist=seg.twist, py=np.zeros(n))
    ground = ground_offset(params, body)
    py = ground + seg.bob
    # ballistic flight: parabola between the contact heights around each flight run
    start = 0
    elements = []
    for s in segs:
        end = start + s.n
        if s.label >= 0:
            elements.append((start, end, s.label))
        if s.flight_height > 0:
            idx = np.nonzero(seg.flight[start:end])[0] + start
            f0, f1 = idx[0], idx[-1]
            y0, y1 = py[max(f0 - 1, 0)], py[min(f1 + 1, n - 1)]
            u = (np.arange(f0, f1 + 1) - f0 + 1) / (f1 - f0 + 2)
            py[f0:f1 + 1] = y0 + (y1 - y0) * u + 4 * s.flight_height * u * (1 - u)
        start = end
    params['py'] = py
    return Motion({k: np.asarray(params[k], np.float64) for k in PARAMS}, elements, seg.flight)


def build_routine(labels: Sequence[int], rng: np.random.Generator, fps: float, body: Body,
                  line_angle: float = 0.0, gap_scale: float = 1.0) -> Motion:
    """An uncut routine: elements separated by approaches, landings, standing, salutes and turns.

    The athlete moves along a line (``line_angle``) and turns to stay near the mat centre.
    """
    segs: List[Segment] = [stand(rng, fps, rng.uniform(0.8, 1.6) * gap_scale)]
    heading = h0 = line_angle + (np.pi if rng.random() < 0.5 else 0.0)
    pos = np.zeros(2)

    def advance(seg):
        nonlocal heading, pos
        for f, dh in zip(seg.fwd, seg.dheading):
            heading += dh
            pos = pos + f * np.array([np.sin(heading), np.cos(heading)])
        segs.append(seg)

    if rng.random() < 0.4:
        advance(salute(rng, fps))
    for label in labels:
        # turn towards the centre when the next approach would leave the mat
        direction = np.array([np.sin(heading), np.cos(heading)])
        if np.dot(direction, pos) > 0 and np.linalg.norm(pos) > 1.0:
            advance(turn(rng, fps, np.pi * (1 if rng.random() < 0.5 else -1)))
        kind = rng.choice(['run', 'walk', 'stand'], p=[0.45, 0.3, 0.25])
        if kind == 'run':
            advance(gait(rng, fps, rng.uniform(0.8, 1.6) * gap_scale, run=True))
        elif kind == 'walk':
            advance(gait(rng, fps, rng.uniform(1.0, 2.2) * gap_scale))
        else:
            advance(stand(rng, fps, rng.uniform(0.5, 1.2) * gap_scale))
        advance(element(CLASSES[label], int(label), rng, fps))
        advance(stand(rng, fps, rng.uniform(0.4, 1.0) * gap_scale, 'sides'))
        if rng.random() < 0.35:
            advance(salute(rng, fps))
        if rng.random() < 0.4:
            advance(gait(rng, fps, rng.uniform(0.8, 1.6) * gap_scale))
    advance(stand(rng, fps, rng.uniform(0.8, 1.5) * gap_scale))
    return compose(segs, body, start_heading=h0)


# ----------------------------------------------------------------------------- everyday motions
EVERYDAY_KINDS = ('stand', 'walk', 'run', 'reach', 'crouch', 'bend', 'wave', 'lunge', 'arms_out', 'jack')


def everyday(kind: str, rng: np.random.Generator, fps: float, seconds: float) -> Segment:
    """Everyday upright motions (no inversion, no sport elements) for generic data and distractors."""
    n = max(2, int(round(seconds * fps)))
    if kind in ('walk', 'run'):
        return gait(rng, fps, seconds, run=kind == 'run')
    seg = stand(rng, fps, seconds)
    a = seg.angles
    ramp = keys(n, [(0, 0.0), (rng.uniform(0.2, 0.5), 1.0), (rng.uniform(0.6, 0.9), 1.0), (1, 0.3)])
    side = 'l' if rng.random() < 0.5 else 'r'
    other = 'r' if side == 'l' else 'l'
    if kind == 'reach':
        a[side + 'sf'] += ramp * (rng.uniform(1.2, 3.0) - a[side + 'sf'])
        a[side + 'e'] = a[side + 'e'] * (1 - ramp) + ramp * rng.uniform(0.0, 0.4)
        if rng.random() < 0.4:
            a[other + 'sf'] += ramp * (rng.uniform(1.2, 3.0) - a[other + 'sf'])
    elif kind == 'crouch':
        depth = rng.uniform(0.6, 1.0)
        a['lhf'] = a['rhf'] = ramp * 1.7 * depth
        a['lk'] = a['rk'] = 0.05 + ramp * 2.1 * depth
        a['spine'] = ramp * 0.6 * depth
        a['lsf'] = a['rsf'] = ramp * rng.uniform(0.3, 1.2)
    elif kind == 'bend':
        a['spine'] = ramp * rng.uniform(0.6, 1.2)
        a['lhf'] = a['rhf'] = ramp * rng.uniform(0.1, 0.4)
        a['lsf'] = a['rsf'] = ramp * rng.uniform(0.5, 1.4)
    elif kind == 'wave':
        t = np.arange(n) / fps
        a[side + 'sa'] = ramp * rng.uniform(1.8, 2.6)
        a[side + 'sf'] = ramp * 0.3
        a[side + 'e'] = ramp * (0.8 + 0.5 * np.sin(2 * np.pi * rng.uniform(1.5, 2.5) * t))
    elif kind == 'lunge':
        a[side + 'hf'] = ramp * rng.uniform(0.6, 1.1)
        a[side + 'k'] = ramp * rng.uniform(0.8, 1.3)
        a[other + 'hf'] = -ramp * rng.uniform(0.2, 0.4)
        a[other + 'k'] = ramp * rng.uniform(0.2, 0.6)
        a['lsa'] = a['rsa'] = 0.12 + ramp * rng.uniform(0.0, 1.0)
    elif kind == 'arms_out':
        a['lsa'] = a['rsa'] = 0.12 + ramp * rng.uniform(1.0, 1.6)
        a['le'] = a['re'] = ramp * rng.uniform(0.0, 0.6)
    elif kind == 'jack':
        t = np.arange(n) / fps
        c = 0.5 - 0.5 * np.cos(2 * np.pi * rng.uniform(0.8, 1.3) * t)
        a['lsa'] = a['rsa'] = 0.12 + c * 2.6
        a['lha'] = a['rha'] = c * 0.3
    seg.kind = kind
    return seg


def everyday_motion(rng: np.random.Generator, fps: float, body: Body, seconds: float,
                    kinds: Sequence[str] = EVERYDAY_KINDS, noise: float = 0.0) -> Motion:
    """A sequence of everyday motions (randomly chosen kinds) with optional joint-angle noise."""
    segs, left = [], seconds
    while left > 0:
        dur = min(left, rng.uniform(1.5, 3.5))
        segs.append(everyday(str(rng.choice(list(kinds))), rng, fps, max(dur, 2 / fps)))
        if rng.random() < 0.5:
            segs[-1] = mirror_segment(segs[-1])
        left -= dur
    if noise > 0:
        for s in segs:
            for k in ANGLES:
                if k != 'toe':
                    s.angles[k] = s.angles[k] + rng.uniform(-noise, noise)
    return compose(segs, body, start_heading=rng.uniform(-np.pi, np.pi))

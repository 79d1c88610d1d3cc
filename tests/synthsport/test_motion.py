"""Motion library and kinematics of SynthSport (pure numpy)."""
import numpy as np
import pytest

from vpd_mm.synthsport.motion import CLASS_NAMES, CLASSES, build_routine, element, everyday_motion
from vpd_mm.synthsport.skeleton import P_LTOE, P_NECK, P_PELVIS, P_RTOE, forward_kinematics, sample_body

BONES = ((5, 7), (7, 9), (6, 8), (8, 10), (11, 13), (13, 15), (12, 14), (14, 16), (5, 6), (11, 12))


def test_classes_are_fine_grained_grid():
    assert len(CLASSES) >= 12
    assert len(set(CLASS_NAMES)) == len(CLASS_NAMES)
    factors = {(c.direction, c.shape, c.saltos, c.twists) for c in CLASSES}
    assert len(factors) == len(CLASSES)
    assert {c.shape for c in CLASSES} == {'tuck', 'pike', 'straight'}
    assert {c.direction for c in CLASSES} == {1, -1}


def test_element_durations_overlap_between_classes():
    lengths = {}
    for label, cls in enumerate(CLASSES):
        rng = np.random.default_rng(label)
        lengths[label] = [element(cls, label, rng, 25).n for _ in range(15)]
    lo = max(min(v) for v in lengths.values())
    hi = min(max(v) for v in lengths.values())
    assert lo < hi, f'element durations of some classes do not overlap: {lengths}'


def test_routine_rigid_bones_feet_on_floor_and_inversions():
    rng = np.random.default_rng(0)
    body = sample_body(rng)
    motion = build_routine([0, 9, 15], rng, 25, body)
    pts = forward_kinematics(motion.params, body)
    assert pts.shape == (motion.num_frames, 24, 3)
    for a, b in BONES:
        length = np.linalg.norm(pts[:, a] - pts[:, b], axis=1)
        assert length.std() < 1e-6 * max(length.mean(), 1)
    assert len(motion.elements) == 3
    assert [e[2] for e in motion.elements] == [0, 9, 15]
    ground = ~motion.flight
    # feet (ankles) touch the floor whenever not in flight, never go through it
    assert pts[:, [15, 16], 1].min() > -0.01
    low = np.minimum(pts[:, [15, 16], 1].min(1) - 0.8 * body.ankle_h, pts[:, [P_LTOE, P_RTOE], 1].min(1) - 0.03)
    assert np.abs(low[ground]).max() < 0.065  # running adds up to 6 cm of bounce
    assert low[motion.flight].max() > 0.3
    up = pts[:, P_NECK, 1] - pts[:, P_PELVIS, 1]
    for s, e, _ in motion.elements:
        assert (up[s:e] < 0).any(), 'a somersault must turn the body upside down'
    outside = np.ones(motion.num_frames, bool)
    for s, e, _ in motion.elements:
        outside[s:e] = False
    assert (up[outside] > 0).all()


def test_everyday_motion_is_upright():
    rng = np.random.default_rng(1)
    body = sample_body(rng)
    pts = forward_kinematics(everyday_motion(rng, 25, body, 6.0, noise=0.15).params, body)
    up = pts[:, P_NECK, 1] - pts[:, P_PELVIS, 1]
    assert (up > 0.2).all()


@pytest.mark.parametrize('seed', [0, 1])
def test_body_proportions_plausible(seed):
    body = sample_body(np.random.default_rng(seed))
    assert 1.4 < body.height < 2.05
    assert 0.8 < body.thigh / body.shin < 1.25

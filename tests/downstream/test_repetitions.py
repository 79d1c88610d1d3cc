import numpy as np
import pytest

from vpd_mm.downstream.repetitions import (activation_events, autocorrelation, count_by_periodicity,
                                           counting_summary, fill_frames, marker_targets)


def _reps(n, period, lead=30, tail=25, dims=4, seed=0):
    """Features of ``n`` sinusoidal repetitions of ``period`` frames between rests, with noise."""
    t = np.arange(lead + n * period + tail)
    phase = np.clip(t - lead, 0, n * period) * 2 * np.pi / period
    rng = np.random.default_rng(seed)
    x = np.stack([np.sin(phase), 0.5 * np.sin(phase + 1.0)] + [0.02 * rng.standard_normal(len(t))] *
                 (dims - 2), 1)
    return t, x


@pytest.mark.parametrize('n,period', [(3, 40), (6, 30), (10, 45)])
def test_periodicity_counts_sinusoidal_repetitions(n, period):
    frames, x = _reps(n, period)
    out = count_by_periodicity(frames, x, len(frames), fps=30.0)
    assert out['count'] == n
    assert abs(out['period'] - period) <= 2
    assert len(out['frames']) == n and len(out['scores']) == n


def test_periodicity_fills_untracked_frames_and_uses_view_0():
    frames, x = _reps(5, 36)
    keep = np.ones(len(frames), bool)
    keep[60:70] = False  # the athlete lost for 10 frames
    views = np.stack([x, -x[::-1]], axis=1)  # (T, 2, D): view 1 is not looked at
    out = count_by_periodicity(frames[keep], views[keep], len(frames), fps=30.0)
    assert out['count'] == 5


def test_no_motion_counts_zero():
    out = count_by_periodicity(np.arange(100), np.ones((100, 3)), 100, fps=30.0)
    assert out['count'] == 0 and out['period'] is None
    assert count_by_periodicity(np.array([3]), np.ones((1, 3)), 10, 30.0)['count'] == 0


def test_fill_frames_and_autocorrelation():
    filled = fill_frames(np.array([1, 3]), np.array([[0.0], [2.0]]), 5)
    assert filled[:, 0].tolist() == [0.0, 0.0, 1.0, 2.0, 2.0]
    t = np.arange(200)
    ac = autocorrelation(np.stack([np.sin(2 * np.pi * t / 25)], 1))
    assert ac[0] == pytest.approx(1.0) and ac[25] > 0.8 and ac[12] < -0.8


def test_counting_summary_and_targets():
    preds = {
        'a': dict(count=2, frames=[10, 40], scores=[0.9, 0.8]),
        'b': dict(count=3, frames=[5], scores=[0.7]),
        'c': dict(count=0, frames=[], scores=[])
    }
    markers = {'a': [10, 41], 'b': [6], 'd': [1]}
    out = counting_summary(preds, markers, tolerances=(0, 2), bootstrap=200)
    assert out['n'] == 2 and out['mae'] == pytest.approx(1.0)  # errors 0 and 2 on a, b (c, d lack one side)
    assert out['obo'] == pytest.approx(0.5) and out['exact'] == pytest.approx(0.5)
    assert out['ap@2'] == pytest.approx(1.0) and out['ap@0'] == pytest.approx(1 / 3)
    assert out['mae_ci'][0] <= 1.0 <= out['mae_ci'][1]
    assert out['per_clip'] == {'a': [2, 2], 'b': [3, 1]}
    targets = marker_targets({'a': [2, 50]}, {'a': (0, 51)}, radius=3)
    assert [(t['start'], t['end']) for t in targets] == [(0, 6), (47, 52)]


def test_activation_events_counts_peaks_above_threshold():
    act = np.zeros(60)
    act[[10, 12, 30, 50]] = [0.9, 0.8, 0.6, 0.3]
    out = activation_events(act, np.arange(60), min_distance=5, count_threshold=0.5)
    assert out['frames'] == [10, 30, 50] and out['count'] == 2  # 12 is within 5 of the stronger 10

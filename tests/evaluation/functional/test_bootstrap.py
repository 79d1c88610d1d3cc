import numpy as np
import pytest

from vpd_mm.evaluation.functional.bootstrap import bootstrap_ci, paired_difference, percent_interval


def test_percent_interval_holds_the_mean_and_narrows_with_more_items():
    rng = np.random.default_rng(0)
    small = (rng.random(20) < 0.5).astype(float)
    large = (rng.random(2000) < 0.5).astype(float)
    for values in (small, large):
        out = percent_interval(values, 1000, seed=1)
        assert out['n'] == len(values) and out['ci'][0] <= out['value'] <= out['ci'][1]
    width = [np.diff(percent_interval(v, 1000)['ci'])[0] for v in (small, large)]
    assert width[1] < width[0] / 5  # ~sqrt(100) = 10x narrower
    assert percent_interval(np.ones(7))['ci'] == [100.0, 100.0]
    assert np.isnan(bootstrap_ci(np.zeros(0))).all()


def test_paired_difference_cancels_what_both_methods_share():
    rng = np.random.default_rng(0)
    easy = rng.random(200) < 0.5  # items both methods get right
    a = (easy | (rng.random(200) < 0.2)).astype(float)
    b = easy.astype(float)
    diff = paired_difference(a, b, 2000)
    assert diff['value'] == pytest.approx(100 * (a.mean() - b.mean()))
    assert diff['ci'][0] > 0  # a is never worse than b
    unpaired = np.hypot(*[np.diff(percent_interval(x, 2000)['ci'])[0] for x in (a, b)])
    assert np.diff(diff["ci"])[0] < 0.6 * unpaired
    with pytest.raises(ValueError, match='same items'):
        paired_difference(np.ones(3), np.ones(4))

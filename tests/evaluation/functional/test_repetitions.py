import math

import numpy as np
import pytest

from vpd_mm.evaluation.functional.repetitions import (average_precision, count_metrics, event_ap, find_peaks,
                                                      match_events)


def test_count_metrics_known_answer():
    # errors 0, 2, 1, 0 -> MAE 0.75, off-by-one 3/4, exact 2/4
    out = count_metrics([3, 5, 0, 2], [3, 3, 1, 2])
    assert out == dict(mae=0.75, obo=0.75, exact=0.5, n=4)
    with pytest.raises(ValueError, match='equal, non-empty'):
        count_metrics([1, 2], [1])


def test_event_ap_known_answer():
    # ranked: a@10 (hit), a@31 (hit, 1 frame from 30), b@5 (miss), a@50 (miss); 3 true events
    # precision at the hits 1, 1 -> AP = (1 + 1) / 3
    preds = {'a': ([10, 31, 50], [0.9, 0.8, 0.1]), 'b': ([5], [0.5])}
    gt = {'a': [10, 30], 'b': [100]}
    assert event_ap(preds, gt, tolerance=2) == pytest.approx(2 / 3)
    # a tolerance of 0 misses a@31: hits at ranks 1 only -> 1/3
    assert event_ap(preds, gt, tolerance=0) == pytest.approx(1 / 3)
    # a true event matches one prediction only: the second one near it is a false positive
    assert event_ap({'a': ([10, 11], [0.9, 0.8])}, {'a': [10]}, tolerance=3) == pytest.approx(1.0)
    assert event_ap({'a': ([11, 10], [0.9, 0.8])}, {'a': [10, 30]}, tolerance=3) == pytest.approx(0.5)
    assert math.isnan(event_ap({'a': ([1], [1.0])}, {'a': []}, 2))
    assert event_ap({}, {'a': [3]}, 2) == 0.0


def test_average_precision_and_matching():
    assert average_precision(np.array([True, False, True]), 2) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    assert match_events(np.array([4, 5, 20]), np.array([5]), 1).tolist() == [True, False, False]


def test_find_peaks():
    assert find_peaks([0, 1, 1, 0, 2, 0, 3, 3, 3, 1]).tolist() == [1, 4, 6]  # plateaus: first sample
    assert find_peaks([0, 1, 0, 2, 0], min_distance=3).tolist() == [3]  # the weaker one within 3 is dropped
    assert find_peaks([0, 1, 0, 2, 0], threshold=1.5).tolist() == [3]
    assert find_peaks([3, 2, 1, 2, 3]).tolist() == [0, 4]  # the ends count
    assert find_peaks([]).tolist() == []

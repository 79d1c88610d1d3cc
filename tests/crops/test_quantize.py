import numpy as np
import pytest

from vpd_mm.crops import FLOW_MAX_ABS_ERROR, dequantize_flow, quantize_flow, subtract_median


def test_round_trip_error_bound():
    rng = np.random.default_rng(0)
    f = rng.uniform(-20, 20, (4, 32, 32, 2)).astype(np.float32)
    f[0, 0, 0] = (-20, 20)
    q = quantize_flow(f, subtract_median_first=False)
    assert q.dtype == np.uint8 and q.shape == f.shape
    err = np.abs(dequantize_flow(q) - f).max()
    assert err <= 41 / 255 / 2 + 1e-5
    assert err > 0.05  # the grid really is 41/255 wide
    assert FLOW_MAX_ABS_ERROR == pytest.approx(41 / 255 / 2)


def test_contract_levels_and_clipping():
    f = np.array([[[0.0, -20.0], [20.0, 35.0], [-99.0, 19.9]]], np.float32)
    q = quantize_flow(f, subtract_median_first=False)
    # (v + 20) * 255 / 41 rounded: 0 -> 124.39 -> 124, -20 -> 0, 20 -> 248.78 -> 249
    np.testing.assert_array_equal(q[0], [[124, 0], [249, 249], [0, 248]])
    np.testing.assert_allclose(
        dequantize_flow(np.array([0, 124, 249], np.uint8)), [-20, 124 * 41 / 255 - 20, 249 * 41 / 255 - 20],
        atol=1e-5)


def test_median_subtraction_removes_camera_motion():
    rng = np.random.default_rng(1)
    f = rng.normal(0, 1, (16, 16, 2)).astype(np.float32)
    moved = f + np.array([5.0, -3.0], np.float32)
    np.testing.assert_array_equal(quantize_flow(f - np.median(f, axis=(0, 1))), quantize_flow(moved))
    np.testing.assert_allclose(np.median(subtract_median(moved), axis=(0, 1)), 0, atol=1e-6)


def test_bad_inputs():
    with pytest.raises(ValueError, match='uint8'):
        dequantize_flow(np.zeros((2, 2, 2), np.float32))
    with pytest.raises(ValueError, match='NaN'):
        quantize_flow(np.full((2, 2, 2), np.nan, np.float32))
    with pytest.raises(ValueError, match='H, W, 2'):
        quantize_flow(np.zeros((4, 4, 3), np.float32))

"""Classifiers used by tools/analysis/check_synthsport.py."""
import numpy as np

from vpd_mm.synthsport.check import dtw_costs, dtw_predict, ncm_predict, nn_predict, resample


def test_resample_endpoints_and_length():
    seq = np.arange(10, dtype=float)[:, None] * [1.0, 2.0]
    out = resample(seq, 4)
    assert out.shape == (4, 2)
    np.testing.assert_allclose(out[[0, -1]], seq[[0, -1]])
    np.testing.assert_allclose(out[:, 1], 2 * out[:, 0])


def test_dtw_is_zero_on_itself_and_absorbs_time_warps():
    t = np.linspace(0, 1, 30)
    a = np.stack([np.sin(2 * np.pi * t), np.cos(2 * np.pi * t)], 1)
    slow = np.stack([np.sin(2 * np.pi * t ** 1.5), np.cos(2 * np.pi * t ** 1.5)], 1)
    other = np.stack([np.sin(4 * np.pi * t), np.cos(4 * np.pi * t)], 1)
    cost = dtw_costs(a, [a, slow, other, a[::2]])
    assert cost[0] < 1e-6
    assert cost[1] < cost[2] and cost[3] < cost[2]


def test_nn_and_ncm_use_the_closest_view():
    gallery = np.array([[0.0, 0.0], [10.0, 0.0]])
    labels = np.array([3, 7])
    query = np.array([[[9.0, 0.0], [0.5, 0.0]]])  # second view is closer to label 3
    assert nn_predict(gallery, labels, query).tolist() == [3]
    assert ncm_predict(gallery, labels, np.array([[8.0, 1.0]])).tolist() == [7]
    seqs = [np.stack([np.zeros((5, 2)), np.ones((5, 2))]), np.stack([np.full((6, 2), 5.0)] * 2)]
    assert dtw_predict(seqs, np.array([0, 1]), [np.stack([np.full((4, 2), 4.0), np.zeros((4, 2))])]).tolist() == [0]

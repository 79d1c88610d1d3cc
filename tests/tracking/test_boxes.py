import numpy as np

from vpd_mm.tracking import (BoxKalmanFilter, cxcywh_to_xyxy, interpolate_boxes, iou_matrix, smooth_boxes,
                             xywh_to_xyxy, xyxy_to_cxcywh, xyxy_to_xywh)


def test_conversions_roundtrip():
    b = np.array([[10, 20, 50, 100.0]])
    assert np.allclose(xyxy_to_xywh(b), [[10, 20, 40, 80]])
    assert np.allclose(xyxy_to_cxcywh(b), [[30, 60, 40, 80]])
    assert np.allclose(cxcywh_to_xyxy(xyxy_to_cxcywh(b)), b)
    assert np.allclose(xywh_to_xyxy(xyxy_to_xywh(b)), b)


def test_iou_matrix():
    a = np.array([[0, 0, 10, 10.0], [100, 100, 110, 110]])
    b = np.array([[5, 0, 15, 10.0]])
    assert np.allclose(iou_matrix(a, b), [[50 / 150], [0]])


def test_interpolate_fills_short_gaps_only():
    frames = np.array([0, 1, 4, 20])
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [30, 0, 40, 10], [30, 0, 40, 10.0]])
    f, b, filled = interpolate_boxes(frames, boxes, max_gap=5)
    assert f.tolist() == [0, 1, 2, 3, 4, 20]
    assert filled.tolist() == [False, False, True, True, False, False]
    assert np.allclose(b[2], [10, 0, 20, 10]) and np.allclose(b[3], [20, 0, 30, 10])


def test_smoothing_has_no_lag_and_respects_gaps():
    frames = np.r_[np.arange(20), np.arange(40, 50)]
    boxes = np.stack([frames * 3.0, np.zeros(30), frames * 3.0 + 10, np.full(30, 10.0)], axis=1)
    boxes[5] += 6  # a jittered frame
    boxes[20:] += 100  # a different segment: must not leak into the first one
    s = smooth_boxes(frames, boxes, sigma=1.5)
    assert np.allclose(s[12:20], boxes[12:20])  # linear motion passes through unchanged, also at the end
    assert abs(s[5, 0] - boxes[5, 0]) > 2  # jitter is reduced
    assert np.allclose(s[20:], boxes[20:])  # the second segment is smoothed on its own
    assert np.allclose(smooth_boxes(frames, boxes, 0), boxes)


def test_kalman_learns_velocity():
    kf = BoxKalmanFilter(np.array([0, 0, 10, 20.0]))
    for t in range(1, 15):
        kf.predict()
        kf.update(np.array([5.0 * t, 0, 10, 20]))
    assert abs(kf.predict(2.0)[0] - 80) < 2

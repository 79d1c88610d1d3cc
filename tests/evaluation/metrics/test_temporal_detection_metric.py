import numpy as np
import pytest
from mmaction.registry import METRICS

import vpd_mm  # noqa: F401
from vpd_mm.evaluation.metrics.temporal_detection_metric import (activation_runs, detection_ap,
                                                                  evaluate_detection, generate_proposals)


def test_runs_and_proposals():
    act = np.array([0, .3, .5, .4, 0, .9, .9, 0, .2, .2, .2, .2, 0])
    assert activation_runs(act, 0.2, 3) == [(1, 4), (8, 12)]  # the 2-frame run is dropped
    props = generate_proposals(act, np.arange(100, 113), min_length=3)
    np.testing.assert_allclose(props, [[101, 104, 0.4], [108, 112, 0.2]])
    # resized to [0.67, 1.33] x mean length 10 about the run centre
    props = generate_proposals(act, mean_length=10, min_length=3)
    np.testing.assert_allclose(props[:, :2], [[2.5 - 3.35, 2.5 + 3.35], [10 - 3.35, 10 + 3.35]])
    props = generate_proposals(act, mean_length=2, min_length=3)
    np.testing.assert_allclose(props[:, 1] - props[:, 0], [2.66, 2.66])


def test_proposals_keep_runs_of_five_frames_like_the_published_code():
    # published get_proposals: inclusive ends (p0, p1) kept if p1 - p0 > 3; runs split by one low frame
    # are not merged (p0 - last_p1 = 2 > merge_thresh 1)
    act = np.zeros(30)
    act[2:6] = 0.5  # 4 frames: p1 - p0 = 3, dropped
    act[10:15] = 0.5  # 5 frames: p1 - p0 = 4, kept
    act[20:25] = 0.5  # two 5-frame runs one low frame apart stay two proposals
    act[26:30] = 0.7  # 4 frames at the end: dropped
    assert activation_runs(act, 0.2) == [(10, 15), (20, 25)]
    np.testing.assert_allclose(generate_proposals(act), [[10, 15, 0.5], [20, 25, 0.5]])
    act[25] = 0.3  # joins [20, 30): one 10-frame run, mean (5 * .5 + .3 + 4 * .7) / 10
    np.testing.assert_allclose(generate_proposals(act), [[10, 15, 0.5], [20, 30, 0.56]])


def test_detection_ap_end_to_end_known_by_construction():
    """Activations -> proposals -> AP on a case worked out by hand."""
    act_a = np.zeros(60)
    act_a[10:20] = 0.9  # hits GT [10, 20) exactly, score 0.9
    act_a[40:44] = 0.95  # 4 frames: no proposal (would otherwise be a top-ranked false positive)
    act_a[50:56] = 0.6  # false positive, score 0.6
    act_b = np.zeros(40)
    act_b[5:15] = 0.8  # GT [5, 15) shifted by 2 frames: IoU 8 / 12 = 0.667, score 0.8
    results = [
        dict(video='a', activation=act_a, frame_inds=np.arange(60),
             gt_intervals=np.array([[10, 20], [30, 36]])),
        dict(video='b', activation=act_b, frame_inds=np.arange(40), gt_intervals=np.array([[7, 17]])),
    ]
    m = evaluate_detection(results, tious=(0.5, 0.7))
    # ranked 0.9 (TP), 0.8 (TP at 0.5, FP at 0.7), 0.6 (FP); 3 GT intervals
    # tIoU 0.5: precision 1, 1, 2/3 at recall 1/3, 2/3, 2/3 -> AP = 2/3
    # tIoU 0.7: precision 1 at recall 1/3 -> AP = 1/3
    assert m['AP@0.5'] == pytest.approx(2 / 3)
    assert m['AP@0.7'] == pytest.approx(1 / 3)
    assert m['mAP'] == pytest.approx(0.5)
    assert m['num_proposals'] == 3


def test_ap_values():
    gt = {'a': np.array([[0, 10], [20, 30]]), 'b': np.array([[5, 15]])}
    perfect = {'a': np.array([[0, 10, .9], [20, 30, .8]]), 'b': np.array([[5, 15, .7]])}
    assert detection_ap(perfect, gt, 0.5) == pytest.approx(1.0)
    # one false positive ranked first: precision 1/2, 2/3, 3/4 at recall 1/3, 2/3, 1; interpolated: 3/4
    fp_first = {'a': np.array([[40, 50, .99], [0, 10, .9], [20, 30, .8]]), 'b': np.array([[5, 15, .7]])}
    assert detection_ap(fp_first, gt, 0.5) == pytest.approx(3 / 4)
    # a false positive ranked last does not lower AP; a missed interval does
    fp_last = {'a': np.array([[0, 10, .9], [40, 50, .1]])}
    assert detection_ap(fp_last, gt, 0.5) == pytest.approx(1 / 3)
    # IoU of [0, 8) with [0, 10) is 0.8: a hit at 0.7, a miss at 0.9; duplicates count once
    dup = {'a': np.array([[0, 8, .9], [0, 8, .8]])}
    assert detection_ap(dup, gt, 0.7) == pytest.approx(1 / 3)
    assert detection_ap(dup, gt, 0.9) == 0.0


def test_metric_registered():
    metric = METRICS.build(dict(type='TemporalDetectionMetric', mean_length=None))
    act = np.zeros(40, np.float32)
    act[10:20] = 0.9
    metric.process({}, [dict(pred_activation=act, frame_inds=np.arange(40), gt_intervals=np.array([[10, 20]]),
                             video='v')])
    out = metric.evaluate(1)
    assert out['detection/AP@0.5'] == pytest.approx(1.0)
    assert out['detection/mAP'] == pytest.approx(1.0)

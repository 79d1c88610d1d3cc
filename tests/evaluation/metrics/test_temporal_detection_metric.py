import numpy as np
import pytest
from mmaction.registry import METRICS

import vpd_mm  # noqa: F401
from vpd_mm.evaluation.metrics.temporal_detection_metric import (activation_runs, detection_ap,
                                                                  generate_proposals)


def test_runs_and_proposals():
    act = np.array([0, .3, .5, .4, 0, .9, .9, 0, .2, .2, .2, .2, 0])
    assert activation_runs(act, 0.2, 3) == [(1, 4), (8, 12)]  # the 2-frame run is dropped
    props = generate_proposals(act, np.arange(100, 113))
    np.testing.assert_allclose(props, [[101, 104, 0.4], [108, 112, 0.2]])
    # resized to [0.67, 1.33] x mean length 10 about the run centre
    props = generate_proposals(act, mean_length=10)
    np.testing.assert_allclose(props[:, :2], [[2.5 - 3.35, 2.5 + 3.35], [10 - 3.35, 10 + 3.35]])
    props = generate_proposals(act, mean_length=2)
    np.testing.assert_allclose(props[:, 1] - props[:, 0], [2.66, 2.66])


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

import pytest

import vpd_mm  # noqa: F401
from mmaction.registry import METRICS


def test_means_and_moving_window():
    metric = METRICS.build(dict(type='DistillationValLoss', window=2))
    for values in ([(3.0, 2.0, 1.0), (5.0, 4.0, 1.0)], [(1.0, 1.0, 0.0)]):
        metric.process({}, [dict(loss=a, loss_pose=b, loss_motion=c) for a, b, c in values])
        out = metric.evaluate(len(values))
    assert out == {
        'distill/objective': 1.0,
        'distill/pose': 1.0,
        'distill/motion': 0.0,
        'distill/objective_avg': 2.5
    }  # mean of 4.0 (first evaluation) and 1.0


def test_needs_per_sample_losses():
    metric = METRICS.build(dict(type='DistillationValLoss'))
    with pytest.raises(KeyError, match='teacher_dirs'):
        metric.process({}, [dict(embedding=[0.0])])

"""DTWRetrievalMetric built from the registry, run through process / evaluate."""
import numpy as np
import pytest
import torch
from mmaction.registry import METRICS

import vpd_mm  # noqa: F401  (registers the metric)
from vpd_mm.evaluation.functional import flip_dtw_cost_matrix, retrieval_precision_at_k
from vpd_mm.evaluation.functional.knn import retrieval_cost_matrix


def _samples(seed=0, per_class=4, views=2, dim=6):
    """Two classes of noisy copies of two different prototype sequences (views: [orig, flipped])."""
    rng = np.random.default_rng(seed)
    protos = [rng.standard_normal((12, dim)), rng.standard_normal((12, dim))]
    samples = []
    for label, proto in enumerate(protos):
        for k in range(per_class):
            seq = proto[:8 + k] + 0.05 * rng.standard_normal((8 + k, dim))
            feats = np.stack([seq, -seq], axis=1)[:, :views]
            samples.append(
                dict(
                    features=torch.from_numpy(feats).float(),
                    gt_label=torch.tensor([label]),
                    video_id=f'v{label}_{k}'))
    return samples


def test_metric_from_registry_process_and_evaluate():
    metric = METRICS.build(dict(type='DTWRetrievalMetric', ks=(1, 3, 50)))
    samples = _samples()
    metric.process({}, samples[:5])
    metric.process({}, samples[5:])
    with pytest.warns(UserWarning, match='precision@50'):
        res = metric.evaluate(len(samples))
    assert set(res) == {'dtw/nn_top1', 'dtw/precision@1', 'dtw/precision@3', 'dtw/precision@50'}
    assert res['dtw/nn_top1'] == 1.0 and res['dtw/precision@1'] == 1.0 and res['dtw/precision@3'] == 1.0
    assert res['dtw/precision@50'] == pytest.approx(3 / 7)  # all 7 others, 3 of the same class
    assert metric.results == []  # evaluate() resets


def test_metric_matches_functional_api_on_mixed_data():
    rng = np.random.default_rng(3)
    samples = [
        dict(features=rng.standard_normal((int(rng.integers(6, 9)), 2, 5)), gt_label=int(rng.integers(0, 3)))
        for _ in range(12)
    ]
    labels = np.array([s['gt_label'] for s in samples])
    feats = [s['features'] for s in samples]
    cost_min = flip_dtw_cost_matrix(feats, step_pattern='symmetric2', exclude_self=True)
    for views in ('concat', 'min'):
        metric = METRICS.build(
            dict(type='DTWRetrievalMetric', step_pattern='symmetric2', ks=(1, 5), retrieval_views=views))
        metric.process({}, samples)
        res = metric.compute_metrics(metric.results)
        # ranking: one DTW of the views side by side (the published code), or the lowest over views
        cost = retrieval_cost_matrix(feats, views, 'symmetric2')
        expected = retrieval_precision_at_k(cost, labels, ks=(1, 5), exclude_self=True)
        assert res['precision@1'] == pytest.approx(expected[1]) and res['precision@5'] == pytest.approx(
            expected[5])
        # 1-NN: the lowest cost over the view combinations either way
        assert res['nn_top1'] == pytest.approx(np.mean(labels[np.argmin(cost_min, axis=1)] == labels))
    with pytest.raises(ValueError, match='retrieval_views'):
        METRICS.build(dict(type='DTWRetrievalMetric', retrieval_views='sum'))


def test_metric_accepts_action_data_samples():
    from mmaction.structures import ActionDataSample
    from mmengine.structures import InstanceData
    samples = []
    for item in _samples(seed=1, per_class=3):
        sample = ActionDataSample().set_gt_label(item['gt_label'])
        sample.features = InstanceData(sequence=item['features'])  # ActionDataSample.features is InstanceData
        samples.append(sample)
    metric = METRICS.build(dict(type='DTWRetrievalMetric', ks=(1, 2)))
    metric.process({}, samples[:3])
    metric.process({}, [s.to_dict() for s in samples[3:]])  # what mmengine's Evaluator passes
    res = metric.evaluate(len(samples))
    assert res == {'dtw/nn_top1': 1.0, 'dtw/precision@1': 1.0, 'dtw/precision@2': 1.0}


def test_metric_bad_inputs():
    metric = METRICS.build(dict(type='DTWRetrievalMetric'))
    with pytest.raises(ValueError, match='at least 2'):
        metric.compute_metrics([])
    bad = np.ones((5, 2, 4))
    bad[1, 0, 2] = np.nan
    with pytest.raises(ValueError, match=r"video_id='x'.*NaN"):
        metric.process({}, [dict(features=bad, gt_label=0, video_id='x')])
    with pytest.raises(ValueError, match='empty feature sequence'):
        metric.process({}, [dict(features=np.ones((0, 2, 4)), gt_label=0)])
    with pytest.raises(ValueError, match=r'\(T, V, D\)'):
        metric.process({}, [dict(features=np.ones((5, 3, 4)), gt_label=0)])
    with pytest.raises(KeyError, match='gt_label'):
        metric.process({}, [dict(features=np.ones((5, 2, 4)))])
    metric.process(
        {}, [dict(features=np.ones((5, 2, 4)), gt_label=0),
             dict(features=np.ones((5, 2, 3)), gt_label=1)])
    with pytest.raises(ValueError, match='feature dim 3'):
        metric.compute_metrics(metric.results)
    with pytest.raises(ValueError, match='unknown step pattern'):
        METRICS.build(dict(type='DTWRetrievalMetric', step_pattern='rigid'))

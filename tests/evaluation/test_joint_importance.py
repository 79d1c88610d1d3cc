import pickle

import numpy as np
import pytest
import torch

from vpd_mm.evaluation.joint_importance import (class_joint_importance, load_joint_weights,
                                                 normalize_clip_weights, plot_joint_importance)


def test_class_means_and_plot(tmp_path):
    items = [dict(joint_weights=torch.tensor(w), gt_label=torch.tensor([y]), pred_score=torch.rand(3))
             for w, y in [([0.2, 0.4], 0), ([0.4, 0.6], 0), ([1.0, 0.0], 2)]]
    path = tmp_path / 'dump.pkl'
    path.write_bytes(pickle.dumps(items))
    weights, labels = load_joint_weights(str(path))
    means, counts = class_joint_importance(weights, labels, 3)
    np.testing.assert_allclose(means[0], [0.3, 0.5])
    np.testing.assert_allclose(means[2], [1.0, 0.0])
    assert np.isnan(means[1]).all() and counts.tolist() == [2, 0, 1]
    out = tmp_path / 'plot.png'
    for mode in ('relative', 'absolute'):
        out.unlink(missing_ok=True)
        # class 'b' has no clips: its panel says so instead of failing
        plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), None, counts, mode=mode)
        assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    with pytest.raises(ValueError, match='unknown classes'):
        plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), ['zz'])
    with pytest.raises(ValueError, match='mode'):
        plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), mode='log')
    plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), joint_order=[1, 0])
    with pytest.raises(ValueError, match='permutation'):
        plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), joint_order=[1, 1])
    with pytest.raises(ValueError, match='reference'):
        plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), reference=np.zeros(3))


def test_dump_without_joint_weights_is_rejected(tmp_path):
    path = tmp_path / 'dump.pkl'
    path.write_bytes(pickle.dumps([dict(gt_label=torch.tensor([0]), pred_score=torch.rand(3))]))
    with pytest.raises(ValueError, match='no joint_weights'):
        load_joint_weights(str(path))


def test_normalize_clip_weights_removes_a_common_scale():
    w = np.array([[0.2, 0.4, 0.6], [0.1, 0.2, 0.3], [0.5, 0.5, 0.5]])
    out = normalize_clip_weights(w)
    np.testing.assert_allclose(out[0], [0.5, 1.0, 1.5])
    np.testing.assert_allclose(out[1], out[0])  # same spread, half the scale -> same row
    np.testing.assert_allclose(out[2], 1.0)
    with pytest.raises(ValueError, match='zero'):
        normalize_clip_weights(np.zeros((1, 3)))

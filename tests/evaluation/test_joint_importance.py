import pickle

import numpy as np
import pytest
import torch

from vpd_mm.evaluation.joint_importance import (class_joint_importance, load_joint_weights,
                                                 plot_joint_importance)


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
    plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), ['a', 'c'], counts)
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    with pytest.raises(ValueError, match='unknown classes'):
        plot_joint_importance(means, ['a', 'b', 'c'], ['j0', 'j1'], str(out), ['zz'])


def test_dump_without_joint_weights_is_rejected(tmp_path):
    path = tmp_path / 'dump.pkl'
    path.write_bytes(pickle.dumps([dict(gt_label=torch.tensor([0]), pred_score=torch.rand(3))]))
    with pytest.raises(ValueError, match='no joint_weights'):
        load_joint_weights(str(path))

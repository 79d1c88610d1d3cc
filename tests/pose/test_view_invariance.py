import numpy as np
import pytest

from vpd_mm.pose.canonical3d import canonical_bone_directions
from vpd_mm.pose.synthetic3d import random_pose_sequences
from vpd_mm.pose.view_invariance import (normalized_joints_feature, retrieval_accuracy, sample_distinct_poses,
                                         two_view_poses, view_invariance)


def test_retrieval_accuracy_by_hand():
    gallery = np.array([[0.0, 0], [1, 0], [0, 1]])
    query = np.array([[0.1, 0], [0.1, 0.0], [0, 0.9]])  # row 1 is nearest to gallery 0: wrong
    assert retrieval_accuracy(query, gallery) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        retrieval_accuracy(query[:2], gallery)


def test_view_invariance_separates_invariant_and_random_features():
    rng = np.random.default_rng(0)
    seqs = [s for _, s in random_pose_sequences(6, 60)]
    poses = sample_distinct_poses(seqs, 60, rng)
    assert len(poses) >= 40
    dirs = canonical_bone_directions(poses)
    cos = np.einsum('abk,cbk->acb', dirs, dirs).min(-1)
    np.fill_diagonal(cos, -1)
    assert cos.max() <= np.cos(np.radians(45)) + 1e-6  # pairwise distinct by the 45 degree rule
    views = two_view_poses(poses[:20], rng)
    assert views.shape == (2, 20, 17, 3)
    res = view_invariance(
        poses, {
            'joints': normalized_joints_feature,
            'noise': lambda p: rng.normal(size=(len(p), 8))
        },
        rng,
        num_candidates=20)
    assert res['num_queries'] == 20 * (len(poses) // 20)
    assert res['noise'] < 0.3
    assert 0.0 <= res['joints'] <= 1.0

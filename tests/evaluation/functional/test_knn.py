"""The published code's DTW 1-NN rule (fallbacks) and retrieval layout, on data whose answer is known."""
import numpy as np
import pytest

from vpd_mm.evaluation.functional import retrieval_precision_at_k
from vpd_mm.evaluation.functional.knn import (concat_views, dtw_1nn_classify, majority_label,
                                              retrieval_cost_matrix)


def _wave(label: int, length: int, shift: float, rng) -> np.ndarray:
    """``(length, 2, 3)`` [orig, flipped] views of class ``label``'s sinusoid, phase-shifted, noisy."""
    t = np.linspace(0, 2 * np.pi, length) + shift
    freq = 1.0 if label == 0 else 3.0
    orig = np.stack([np.sin(freq * t), np.cos(freq * t), np.full(length, 0.5)], axis=1)
    orig = orig + rng.normal(0, 0.02, orig.shape)
    flipped = orig * np.array([-1.0, 1.0, 1.0])
    return np.stack([orig, flipped], axis=1)


@pytest.fixture(scope='module')
def toy():
    """Training set: 3 actions of class 0 and 2 of class 1 (20-24 frames); queries of both classes plus
    one class-1 action 4x as long, which symmetricP2 cannot align with any training action."""
    rng = np.random.default_rng(0)
    train = [_wave(0, 20 + i, 0.1 * i, rng) for i in range(3)]
    train += [_wave(1, 20 + i, 0.1 * i, rng) for i in range(2)]
    labels = np.array([0, 0, 0, 1, 1])
    queries = [_wave(0, 22, 0.05, rng), _wave(1, 21, 0.15, rng), _wave(1, 88, 0.0, rng)]
    return train, labels, queries, np.array([0, 1, 1])


def test_unalignable_query_takes_the_symmetric2_fallback(toy):
    train, labels, queries, truth = toy
    res = dtw_1nn_classify(queries, train, labels)
    np.testing.assert_array_equal(res.pred, truth)  # the stretched class-1 action is recognised
    assert res.route.tolist() == [0, 0, 1]
    assert res.counts() == {'primary': 2, 'fallback': 1, 'majority': 0}
    assert labels[res.index[2]] == 1 and np.isfinite(res.cost).all()
    # without the fallback the published code's last resort is the majority class of the references
    res = dtw_1nn_classify(queries, train, labels, fallback_pattern=None)
    assert res.pred.tolist() == [0, 1, 0] and res.index[2] == -1 and np.isinf(res.cost[2])
    assert res.counts() == {'primary': 2, 'fallback': 0, 'majority': 1}


def test_fallback_cost_is_the_symmetric2_nearest(toy):
    from vpd_mm.evaluation.functional import flip_dtw_cost_matrix
    train, labels, queries, _ = toy
    res = dtw_1nn_classify(queries[2:], train, labels)
    cost = flip_dtw_cost_matrix(queries[2:], train, step_pattern='symmetric2')[0]
    assert res.index[0] == int(np.argmin(cost)) and res.cost[0] == pytest.approx(cost.min(), abs=1e-12)


def test_leave_one_out_fallback_never_returns_the_query_itself():
    rng = np.random.default_rng(1)
    # the long action has no symmetricP2 path to any other; symmetric2 must not pick itself (cost 0)
    seqs = [_wave(0, 20, 0.0, rng), _wave(0, 21, 0.1, rng), _wave(1, 20, 0.0, rng), _wave(0, 90, 0.0, rng)]
    labels = np.array([0, 0, 1, 0])
    res = dtw_1nn_classify(seqs, None, labels, exclude_self=True)
    assert res.route[3] == 1 and res.index[3] in (0, 1) and res.pred[3] == 0
    assert all(res.index[i] != i for i in range(4))


def test_majority_label_ties_go_to_the_first_seen():
    assert majority_label([2, 1, 1, 2, 0]) == 2
    assert majority_label(['b', 'a', 'a']) == 'a'
    with pytest.raises(ValueError, match='no labels'):
        majority_label([])


def _mirrored_pairs(n=4, length=18, seed=2):
    """Class 0: ``[orig, flipped]`` = ``[P_i, Q_i]``; class 1: each class-0 action with its views swapped.

    The lowest cost over the view combinations cannot tell a class-0 action from its swapped twin (cost
    0), so its nearest other action is always of the other class; one DTW of the views side by side
    compares P with Q and keeps the classes apart.
    """
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, length)
    first = []
    for i in range(n):
        p = np.stack([np.sin(t + 0.1 * i), np.cos(t + 0.1 * i), np.full(length, 0.3)], axis=1)
        q = np.stack([np.cos(3 * t), np.full(length, -0.4), np.sin(3 * t + 0.1 * i)], axis=1)
        p, q = p + rng.normal(0, 0.02, p.shape), q + rng.normal(0, 0.02, q.shape)
        first.append(np.stack([p, q], axis=1))
    seqs = first + [s[:, ::-1] for s in first]
    return seqs, np.array([0] * n + [1] * n)


def test_retrieval_concat_vs_min_views_known_by_construction():
    seqs, labels = _mirrored_pairs()
    cost_concat = retrieval_cost_matrix(seqs, 'concat')
    concat = retrieval_precision_at_k(cost_concat, labels, ks=(1, 3), exclude_self=True)
    assert concat == {1: 1.0, 3: 1.0}  # the 3 others of its class are its 3 nearest
    cost_min = retrieval_cost_matrix(seqs, 'min')
    n = len(seqs) // 2
    np.testing.assert_allclose(cost_min[np.arange(n), np.arange(n) + n], 0.0, atol=1e-6)
    assert retrieval_precision_at_k(cost_min, labels, ks=(1, ), exclude_self=True) == {1: 0.0}


def test_concat_views_layout_and_cost():
    from vpd_mm.evaluation.functional import dtw_cost_matrix
    seqs, _ = _mirrored_pairs(n=2)
    cat = concat_views(seqs)
    assert cat[0].shape == (18, 6)
    # each view unit-normalised, then side by side: every frame has norm sqrt(2)
    np.testing.assert_allclose(np.linalg.norm(cat[0], axis=1), np.sqrt(2))
    orig = seqs[0][:, 0]
    np.testing.assert_allclose(cat[0][:, :3], orig / np.linalg.norm(orig, axis=1, keepdims=True))
    cost = retrieval_cost_matrix(seqs, 'concat', exclude_self=False)
    np.testing.assert_allclose(cost, dtw_cost_matrix(cat, unit_norm=False), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="views must be one of"):
        retrieval_cost_matrix(seqs, 'sum')

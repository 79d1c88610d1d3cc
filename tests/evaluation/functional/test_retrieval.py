"""precision@k and nearest neighbours from a cost matrix, checked by hand."""
import numpy as np
import pytest

from vpd_mm.evaluation.functional import (nn_from_cost_matrix, rank_refs, retrieval_precision_at_k,
                                          top1_accuracy)

# 4 items, labels a a b b. Leave-one-out rankings (ties in index order):
#   0: 2 (.1), 1 (.2), 3 (.9)   -> p@1 0, p@2 1/2
#   1: 0 (.2), 3 (.3), 2 (.5)   -> p@1 1, p@2 1/2
#   2: 0 (.1), 3 (.4), 1 (.5)   -> p@1 0, p@2 1/2
#   3: 1 (.3), 2 (.4), 0 (.9)   -> p@1 0, p@2 1/2
COST = np.array([[0.0, 0.2, 0.1, 0.9], [0.2, 0.0, 0.5, 0.3], [0.1, 0.5, 0.0, 0.4], [0.9, 0.3, 0.4, 0.0]])
LABELS = np.array(['a', 'a', 'b', 'b'])


def test_precision_at_k_hand_checked():
    res = retrieval_precision_at_k(COST, LABELS, ks=(1, 2), exclude_self=True)
    assert res == {1: pytest.approx(0.25), 2: pytest.approx(0.5)}
    # With the query itself in the ranking (cost 0 ranks first) every p@1 is 1.
    assert retrieval_precision_at_k(COST, LABELS, ks=(1, ), exclude_self=False)[1] == 1.0
    np.testing.assert_array_equal(rank_refs(COST, exclude_self=True)[0], [2, 1, 3])


def test_precision_at_k_more_than_available_uses_all():
    with pytest.warns(UserWarning, match='only 3 references'):
        res = retrieval_precision_at_k(COST, LABELS, ks=(50, ), exclude_self=True)
    assert res[50] == pytest.approx(1 / 3)


def test_precision_with_separate_gallery_and_ties():
    cost = np.array([[0.5, 0.5, 0.1], [np.inf, 0.2, 0.2]])
    res = retrieval_precision_at_k(cost, [0, 1], ref_labels=[1, 0, 0], ks=(1, 2))
    # query 0 -> 2 (0), 0 (1): p@1 1, p@2 1/2; query 1 -> 1, 2 (tie, index order) (0, 0): p@1 0, p@2 0.
    assert res == {1: pytest.approx(0.5), 2: pytest.approx(0.25)}


def test_nn_from_cost_matrix():
    pred, idx = nn_from_cost_matrix(COST, LABELS, exclude_self=True)
    np.testing.assert_array_equal(idx, [2, 0, 0, 1])
    np.testing.assert_array_equal(pred, ['b', 'a', 'a', 'a'])
    assert top1_accuracy(pred, LABELS) == 0.25
    with pytest.warns(UserWarning, match='no finite cost'):
        pred, idx = nn_from_cost_matrix(np.array([[np.inf, np.inf], [0.3, 0.1]]), [4, 5])
    assert pred.tolist() == [-1, 5] and idx.tolist() == [-1, 1]


def test_bad_cost_inputs():
    with pytest.raises(ValueError, match='query labels'):
        retrieval_precision_at_k(COST, LABELS[:3])
    with pytest.raises(ValueError, match='square'):
        retrieval_precision_at_k(COST[:3], LABELS[:3], ref_labels=LABELS, exclude_self=True)
    with pytest.raises(ValueError, match='NaN'):
        retrieval_precision_at_k(np.full((2, 2), np.nan), [0, 1])
    with pytest.raises(ValueError, match='positive'):
        retrieval_precision_at_k(COST, LABELS, ks=(0, ))

"""DTW cost matrices against dtw-python, flips, symmetry and 1-NN pruning."""
import numpy as np
import pytest

from vpd_mm.evaluation.functional import (dtw_cost_matrix, flip_dtw_cost_matrix, nn_classify, nn_search,
                                          unit_normalize)

# The cross-checks need dtw-python (requirements/tests.txt installs it); the other tests do not.
try:
    from dtw import dtw as dtw_python
except ImportError:  # pragma: no cover
    dtw_python = None
needs_dtw_python = pytest.mark.skipif(dtw_python is None, reason='dtw-python is not installed')

PATTERNS = ('symmetricP2', 'symmetric2')


def _random_seqs(seed, num, dim=4, min_len=1, max_len=18, views=None):
    rng = np.random.default_rng(seed)
    seqs = []
    for _ in range(num):
        length = int(rng.integers(min_len, max_len + 1))
        shape = (length, dim) if views is None else (length, views, dim)
        seqs.append(rng.standard_normal(shape))
    return seqs


def _reference(queries, refs, pattern, normalized=True):
    out = np.full((len(queries), len(refs)), np.inf)
    for i, q in enumerate(queries):
        for j, r in enumerate(refs):
            try:
                res = dtw_python(q, r, step_pattern=pattern, distance_only=True)
            except ValueError:  # no admissible warping path
                continue
            out[i, j] = res.normalizedDistance if normalized else res.distance
    return out


@needs_dtw_python
@pytest.mark.parametrize('pattern', PATTERNS)
def test_equals_dtw_python(pattern):
    queries, refs = _random_seqs(0, 9), _random_seqs(1, 11)
    ours = dtw_cost_matrix(queries, refs, step_pattern=pattern)
    theirs = _reference([unit_normalize(s) for s in queries], [unit_normalize(s) for s in refs], pattern)
    assert ours.shape == (9, 11) and ours.dtype == np.float64
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isfinite(ours), finite)
    if pattern == 'symmetricP2':
        assert 0 < finite.sum() < finite.size  # the test covers pairs with and without a path
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=0, atol=1e-9)
    # Raw (unnormalised) distance on raw features.
    raw = dtw_cost_matrix(queries, refs, step_pattern=pattern, normalize=False, unit_norm=False)
    np.testing.assert_allclose(
        raw[finite], _reference(queries, refs, pattern, normalized=False)[finite], rtol=1e-12, atol=1e-9)


@needs_dtw_python
@pytest.mark.parametrize('pattern', PATTERNS)
def test_long_sequences_equal_dtw_python(pattern):
    # Paper-like sizes (D = 39, 25-60 frames): wide symmetricP2 bands run the vectorised cell loop.
    queries = _random_seqs(8, 4, dim=39, min_len=25, max_len=60)
    refs = _random_seqs(9, 5, dim=39, min_len=25, max_len=60)
    ours = dtw_cost_matrix(queries, refs, step_pattern=pattern)
    theirs = _reference([unit_normalize(s) for s in queries], [unit_normalize(s) for s in refs], pattern)
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isfinite(ours), finite)
    assert finite.sum() >= 10
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=0, atol=1e-9)


@pytest.mark.parametrize('pattern', PATTERNS)
def test_self_matrix_is_symmetric_and_excludes_self(pattern):
    seqs = _random_seqs(2, 8, min_len=5, max_len=9)
    full = dtw_cost_matrix(seqs, seqs, step_pattern=pattern)
    half = dtw_cost_matrix(seqs, step_pattern=pattern)
    np.testing.assert_allclose(half, full, rtol=0, atol=1e-12)
    assert np.allclose(np.diag(full), 0, atol=1e-6)  # identical sequences align at zero cost
    loo = dtw_cost_matrix(seqs, step_pattern=pattern, exclude_self=True)
    assert np.isinf(np.diag(loo)).all()
    off = ~np.eye(8, dtype=bool)
    np.testing.assert_allclose(loo[off], full[off], rtol=0, atol=1e-12)


@pytest.mark.parametrize('pattern', PATTERNS)
def test_flip_cost_is_min_over_view_combinations(pattern):
    queries = _random_seqs(3, 5, min_len=4, max_len=9, views=2)
    refs = _random_seqs(4, 6, min_len=4, max_len=9, views=2)
    combos = [
        dtw_cost_matrix([q[:, a] for q in queries], [r[:, b] for r in refs], step_pattern=pattern)
        for a in (0, 1) for b in (0, 1)
    ]
    expected = np.minimum.reduce(combos)
    np.testing.assert_allclose(
        flip_dtw_cost_matrix(queries, refs, step_pattern=pattern), expected, rtol=0, atol=1e-12)
    assert (expected < combos[0]).any()  # flips matter on this data
    np.testing.assert_allclose(
        flip_dtw_cost_matrix(queries, refs, step_pattern=pattern, use_flips=False),
        combos[0],
        rtol=0,
        atol=1e-12)


@pytest.mark.parametrize('pattern', PATTERNS)
def test_fused_view_combinations_are_bit_identical(pattern):
    # Long enough for wide symmetricP2 bands and the wide local-cost kernel in the four-lane kernels.
    queries = _random_seqs(8, 3, dim=5, min_len=40, max_len=90, views=2)
    refs = _random_seqs(9, 4, dim=5, min_len=40, max_len=90, views=2)
    combos = [
        dtw_cost_matrix([q[:, a] for q in queries], [r[:, b] for r in refs], step_pattern=pattern)
        for a in (0, 1) for b in (0, 1)
    ]
    np.testing.assert_array_equal(
        flip_dtw_cost_matrix(queries, refs, step_pattern=pattern), np.minimum.reduce(combos))
    idx, cost = nn_search(queries, refs, step_pattern=pattern, prune=True)
    np.testing.assert_array_equal(cost, np.minimum.reduce(combos).min(axis=1))


@pytest.mark.parametrize('pattern', PATTERNS)
def test_pruning_never_changes_nearest_neighbour(pattern):
    gallery = _random_seqs(5, 24, min_len=6, max_len=16, views=2)
    gallery[7] = gallery[3].copy()  # exact tie: the lower index must win
    queries = _random_seqs(6, 10, min_len=6, max_len=16, views=2) + [gallery[3] + 1e-3]
    cost = flip_dtw_cost_matrix(queries, gallery, step_pattern=pattern)
    idx_full, c_full = nn_search(queries, gallery, step_pattern=pattern, prune=False)
    idx_pruned, c_pruned = nn_search(queries, gallery, step_pattern=pattern, prune=True)
    expected = np.where(np.isfinite(cost).any(axis=1), np.argmin(cost, axis=1), -1)
    np.testing.assert_array_equal(idx_full, expected)
    np.testing.assert_array_equal(idx_pruned, expected)
    np.testing.assert_array_equal(c_pruned, c_full)
    np.testing.assert_allclose(c_full, cost.min(axis=1), rtol=0, atol=1e-12)
    assert idx_pruned[-1] == 3
    # Leave-one-out over the gallery.
    loo_cost = flip_dtw_cost_matrix(gallery, step_pattern=pattern, exclude_self=True)
    idx_loo, _ = nn_search(gallery, None, step_pattern=pattern, exclude_self=True, prune=True)
    np.testing.assert_array_equal(idx_loo, np.argmin(loo_cost, axis=1))
    assert idx_loo[3] == 7 and idx_loo[7] == 3


@needs_dtw_python
@pytest.mark.parametrize('pattern', PATTERNS)
def test_random_pairs_and_nearest_neighbours_equal_dtw_python(pattern):
    # Random smooth walks with flipped views, lengths 20-120, D = 39 (the paper's joint features): every
    # cost to 1e-6 relative and the same nearest neighbour as dtw-python (four calls per pair, the min).
    rng = np.random.default_rng(11)
    seqs = [rng.standard_normal((int(rng.integers(20, 121)), 2, 39)).cumsum(axis=0) for _ in range(10)]
    queries, refs = seqs[:4], seqs[4:]
    theirs = np.full((4, 6), np.inf)
    for i, q in enumerate(queries):
        for j, r in enumerate(refs):
            for a in (0, 1):
                for b in (0, 1):
                    try:
                        c = dtw_python(
                            unit_normalize(q[:, a]),
                            unit_normalize(r[:, b]),
                            step_pattern=pattern,
                            distance_only=True).normalizedDistance
                    except ValueError:  # no admissible warping path
                        continue
                    theirs[i, j] = min(theirs[i, j], c)
    ours = flip_dtw_cost_matrix(queries, refs, step_pattern=pattern)
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isfinite(ours), finite)
    assert finite.sum() >= 8
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-6, atol=0)
    for prune in (False, True):
        idx, cost = nn_search(queries, refs, step_pattern=pattern, prune=prune)
        expected = np.where(np.isfinite(theirs).any(axis=1), np.argmin(theirs, axis=1), -1)
        np.testing.assert_array_equal(idx, expected)


@pytest.mark.parametrize('pattern', PATTERNS)
def test_costs_are_bitwise_symmetric(pattern):
    # Long enough for both local-cost kernels on either side (narrow bands and wide rows).
    seqs = _random_seqs(12, 9, dim=7, min_len=20, max_len=120)
    half = dtw_cost_matrix(seqs, step_pattern=pattern)  # upper triangle computed, mirrored
    full = dtw_cost_matrix(seqs, seqs, step_pattern=pattern)  # every ordered pair computed
    np.testing.assert_array_equal(full, full.T)
    np.testing.assert_array_equal(half, full)
    assert np.isfinite(full).sum() > 9
    assert (np.diag(full) == 0).all()  # a sequence against itself: exactly zero
    # Where a sequence is stored does not matter either.
    moved = dtw_cost_matrix(seqs[::-1], seqs, step_pattern=pattern)[::-1]
    np.testing.assert_array_equal(moved, full)


@pytest.mark.parametrize('pattern', PATTERNS)
def test_pruned_search_equals_exhaustive_with_duplicates(pattern):
    # Lengths 20-120 with duplicated references: exact ties, which the pruned search must break like
    # the exhaustive one (lowest index), leave-one-out and against a gallery.
    gallery = _random_seqs(13, 30, dim=6, min_len=20, max_len=120, views=2)
    gallery = [np.cumsum(s, axis=0) for s in gallery]
    for a, b in [(3, 17), (5, 6), (21, 2), (9, 28), (9, 14)]:
        gallery[b] = gallery[a].copy()
    loo = flip_dtw_cost_matrix(gallery, step_pattern=pattern, exclude_self=True)
    expected = np.where(np.isfinite(loo).any(axis=1), np.argmin(loo, axis=1), -1)
    idx_full, c_full = nn_search(gallery, None, step_pattern=pattern, exclude_self=True)
    stats = {}
    idx_pruned, c_pruned = nn_search(
        gallery, None, step_pattern=pattern, exclude_self=True, prune=True, stats=stats)
    np.testing.assert_array_equal(idx_full, expected)
    np.testing.assert_array_equal(idx_pruned, expected)
    np.testing.assert_array_equal(c_pruned, c_full)
    assert idx_pruned[17] == 3 and idx_pruned[3] == 17 and idx_pruned[6] == 5 and idx_pruned[2] == 21
    assert idx_pruned[9] == 14 and idx_pruned[14] == 9 and idx_pruned[28] == 9
    assert stats['candidates'] == stats['skipped'] + stats['abandoned'] + stats['completed'] > 0
    # Against a gallery with the duplicates, and with one view (the non-fused scan).
    queries = [s + 1e-3 for s in gallery[:12]]
    for views in (slice(None), slice(0, 1)):
        q = [s[:, views] for s in queries]
        g = [s[:, views] for s in gallery]
        cost = flip_dtw_cost_matrix(q, g, step_pattern=pattern)
        expected = np.where(np.isfinite(cost).any(axis=1), np.argmin(cost, axis=1), -1)
        idx_pruned, c_pruned = nn_search(q, g, step_pattern=pattern, prune=True)
        np.testing.assert_array_equal(idx_pruned, expected)
        np.testing.assert_array_equal(c_pruned, cost[np.arange(12), np.maximum(expected, 0)])
        assert idx_pruned[5] == 5 and idx_pruned[9] == 9


@pytest.mark.parametrize('unit_norm', [True, False])
def test_nearest_frame_bounds_are_lower_bounds(unit_norm):
    # The float32-GEMM bounds of the symmetric2 pruned search never exceed the cost (here raw features
    # far from the origin too, where the float32 dot products lose the most).
    from vpd_mm.evaluation.functional import _dtw_kernels as K
    from vpd_mm.evaluation.functional.dtw import _Packed
    seqs = [np.cumsum(s, axis=0) + 5.0 for s in _random_seqs(14, 12, dim=6, min_len=20, max_len=60, views=2)]
    seqs[4] = seqs[1].copy()
    costs = np.stack([
        dtw_cost_matrix([s[:, a] for s in seqs], [s[:, b] for s in seqs],
                        step_pattern='symmetric2',
                        unit_norm=unit_norm) for a in (0, 1) for b in (0, 1)
    ])  # (a * 2 + b, query, ref)
    packed = _Packed(seqs, 2, unit_norm)
    frames32 = packed.frames.astype(np.float32)
    eps = 4.0 * (packed.frames.shape[1] + 2) * 2.0**-24 * packed.sq_norms.max()
    for k in range(len(seqs)):
        gram = frames32[packed.offsets[2 * k]:packed.offsets[2 * k + 2]] @ frames32.T
        out = np.empty(len(seqs) * 4)
        K.nearest_frame_bounds(gram, k, 2, packed.sq_norms, packed.offsets, 0, len(seqs), 2, packed.sq_norms,
                               packed.offsets, K.SYMMETRIC2, eps, True, out, np.empty(len(frames32)))
        bounds = out.reshape(len(seqs), 2, 2)  # (ref, query view, ref view)
        truth = costs[:, k].reshape(2, 2, len(seqs)).transpose(2, 0, 1)
        assert (bounds <= truth * (1 + 1e-9) + 1e-12).all()
        assert (bounds > 0.5 * truth).mean() > 0.5  # and not trivially loose
    # The pruned search with these bounds equals the exhaustive one.
    for prune in (False, True):
        idx, _ = nn_search(
            seqs, None, step_pattern='symmetric2', exclude_self=True, unit_norm=unit_norm, prune=prune)
        loo = flip_dtw_cost_matrix(seqs, step_pattern='symmetric2', exclude_self=True, unit_norm=unit_norm)
        np.testing.assert_array_equal(idx, np.argmin(loo, axis=1))


def test_nn_classify_labels_and_unmatched_queries():
    gallery = _random_seqs(7, 12, min_len=8, max_len=12)
    labels = np.arange(12) % 3
    queries = [gallery[5] + 0.01, gallery[10] + 0.01]
    np.testing.assert_array_equal(nn_classify(queries, gallery, labels), labels[[5, 10]])
    # symmetricP2 cannot align 3 frames with 8-12 frames: no neighbour, a warning, the given label.
    with pytest.warns(UserWarning, match='no admissible warping path'):
        pred, idx, cost = nn_classify([np.ones((3, 4))],
                                      gallery,
                                      labels,
                                      unmatched_label=-1,
                                      return_details=True)
    assert pred.tolist() == [-1] and idx.tolist() == [-1] and np.isinf(cost[0])
    # symmetric2 always has a path.
    assert nn_classify([np.ones((3, 4))], gallery, labels, step_pattern='symmetric2')[0] in labels


def test_bad_inputs_raise_clear_errors():
    good = [np.ones((5, 4)), np.ones((6, 4))]
    with pytest.raises(ValueError, match=r'queries\[1\]: empty sequence'):
        dtw_cost_matrix([np.ones((5, 4)), np.ones((0, 4))])
    nan = np.ones((5, 4))
    nan[2, 1] = np.nan
    with pytest.raises(ValueError, match=r'refs\[0\]: non-finite .* frame 2'):
        dtw_cost_matrix(good, [nan])
    with pytest.raises(ValueError, match=r'queries\[1\].*differs'):
        dtw_cost_matrix([np.ones((5, 4)), np.ones((5, 3))])
    with pytest.raises(ValueError, match='feature dim of refs'):
        dtw_cost_matrix(good, [np.ones((5, 3))])
    with pytest.raises(ValueError, match='flip_dtw_cost_matrix'):
        dtw_cost_matrix([np.ones((5, 2, 4))])
    with pytest.raises(ValueError, match='unknown step pattern'):
        dtw_cost_matrix(good, step_pattern='asymmetric')
    with pytest.raises(ValueError, match='no sequences'):
        flip_dtw_cost_matrix([])
    with pytest.raises(ValueError, match='3 views'):
        flip_dtw_cost_matrix([np.ones((5, 3, 4))])
    with pytest.raises(ValueError, match='ref_labels'):
        nn_classify(good, good, [0])

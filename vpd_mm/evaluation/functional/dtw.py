"""Batched dynamic time warping (DTW) between feature sequences, compiled with numba.

Paper setting (REFERENCE.md section 4): per-frame features are unit-normalised, the local cost is
the Euclidean distance, the step pattern is ``symmetricP2`` (or ``symmetric2``) and the cost is
normalised by the path-length constant ``N + M`` (dtw-python's ``normalizedDistance``). When the
sequences carry a horizontally flipped view, the cost of two sequences is the minimum over all view
combinations (orig/orig, orig/flip, flip/orig, flip/flip).

Costs equal dtw-python's (``dtw(x, y, step_pattern=..., distance_only=True).normalizedDistance``) to
floating-point rounding, and are bit-for-bit symmetric (``DTW(a, b) == DTW(b, a)``; a sequence against
itself costs exactly 0) whichever kernel, thread or storage position computes them. A pair with no
admissible warping path (``symmetricP2`` when the longer sequence has more than 3/2 the steps of the
shorter one; dtw-python raises) costs ``+inf``.

Cost matrices compute all pairs in parallel (chunks of pairs in ``numba.get_num_threads()`` threads
running GIL-free kernels, float64). With two views on both sides, the four view combinations of a pair
(same lengths, so the same symmetricP2 band) run in one kernel call, one SIMD lane each: the per-row work
is shared and the recursions are vectorised over the lanes; each lane's cost is bit-identical to the
one-combination kernel's. Otherwise the combinations run in turn, each abandoned once it must exceed the
pair's lowest cost so far. The optional pruned 1-NN search runs one query per thread.
numba compiles the kernels on first use (5-30 s on a busy 2-core machine) and caches them outside the
repository (``~/.cache/vpd_mm/numba``, see ``_dtw_kernels._enable_cache``); ``NUMBA_NUM_THREADS`` or
``numba.set_num_threads`` limits the threads.
"""
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import List, Optional, Sequence, Tuple, Union

import numba
import numpy as np

from . import _dtw_kernels as K
from .retrieval import fill_unmatched

#: Supported step patterns (dtw-python names) -> kernel codes.
STEP_PATTERNS = {'symmetric2': K.SYMMETRIC2, 'symmetricP2': K.SYMMETRIC_P2}

SequenceList = Union[np.ndarray, Sequence[np.ndarray]]

# Item pairs evaluated per kernel call (bounds the memory of the pair index arrays).
_PAIR_CHUNK = 1 << 21
# Frames per item of the coarse proxy that orders the candidates of the pruned 1-NN search.
_COARSE = 8


def unit_normalize(features: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Scale every feature vector (last axis) to unit L2 norm (zero vectors stay zero), as float64."""
    features = np.asarray(features, dtype=np.float64)
    norm = np.linalg.norm(features, axis=-1, keepdims=True)
    return features / np.maximum(norm, eps)


def _pattern_code(step_pattern: str) -> int:
    if step_pattern not in STEP_PATTERNS:
        raise ValueError(f'unknown step pattern {step_pattern!r}; supported: {sorted(STEP_PATTERNS)}')
    return STEP_PATTERNS[step_pattern]


def check_sequences(seqs: SequenceList, name: str, allow_views: bool = True) -> List[np.ndarray]:
    """Validate sequences and return them as float64 arrays ``(T, V, D)``.

    Args:
        seqs: A list of arrays ``(T, D)`` (one view) or ``(T, V, D)`` (``V`` views, e.g. ``[orig,
            flipped]``), or one array stacking equal-length sequences ``(N, T, D)`` / ``(N, T, V, D)``.
        name: Used in error messages (``'queries'``, ``'refs'``).
        allow_views: Accept ``(T, V, D)`` sequences.

    Raises:
        ValueError: No sequence, a wrong number of axes, an empty sequence, non-finite values, or
            sequences that disagree in feature size or number of views. The message names the item.
    """
    seqs = list(seqs)
    if not seqs:
        raise ValueError(f'{name}: no sequences given')
    out = []
    for k, seq in enumerate(seqs):
        if hasattr(seq, 'detach'):  # torch tensor
            seq = seq.detach().cpu().numpy()
        arr = np.asarray(seq, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[:, None, :]
        elif arr.ndim != 3 or not allow_views:
            expected = '(T, D) or (T, V, D)' if allow_views else '(T, D)'
            hint = '' if allow_views else '; use flip_dtw_cost_matrix for sequences with views'
            raise ValueError(f'{name}[{k}]: expected shape {expected}, got {arr.shape}{hint}')
        if arr.shape[0] == 0:
            raise ValueError(f'{name}[{k}]: empty sequence (T=0)')
        if arr.shape[1] == 0 or arr.shape[2] == 0:
            raise ValueError(f'{name}[{k}]: empty feature axis, shape {arr.shape}')
        if not np.isfinite(arr).all():
            frame = int(np.argwhere(~np.isfinite(arr))[0][0])
            raise ValueError(f'{name}[{k}]: non-finite (NaN/inf) features, first at frame {frame}')
        if out and arr.shape[1:] != out[0].shape[1:]:
            raise ValueError(f'{name}[{k}]: (views, feature dim) = {arr.shape[1:]} differs from '
                             f'{name}[0]: {out[0].shape[1:]}')
        out.append(arr)
    return out


class _Packed:
    """Sequences ``(T, V, D)`` packed item-wise (item = ``seq * V + view``) for the kernels.

    The bounding boxes and coarse frames (only the pruned 1-NN search needs them) are computed on first
    use.
    """

    def __init__(self, seqs: List[np.ndarray], views: int, unit_norm: bool):
        self.num = len(seqs)
        self.views = views
        items = [seq[:, v] for seq in seqs for v in range(views)]
        lengths = np.array([len(x) for x in items], dtype=np.int64)
        self.offsets = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.offsets[1:])
        frames = np.concatenate(items, axis=0)
        if unit_norm:
            frames = unit_normalize(frames)
        # Zero-pad the feature axis to a multiple of 4 (the kernels' unroll): distances are unchanged.
        pad = -frames.shape[1] % 4
        if pad:
            frames = np.concatenate([frames, np.zeros((len(frames), pad))], axis=1)
        self.frames = np.ascontiguousarray(frames, dtype=np.float64)
        self.frames_t = np.ascontiguousarray(self.frames.T)
        self.sq_norms = K.sq_norms(self.frames)  # in the local costs' order of operations

    @cached_property
    def box_lo(self) -> np.ndarray:
        """Per item, the per-dimension minimum of its frames ``(items, D)``."""
        return np.minimum.reduceat(self.frames, self.offsets[:-1], axis=0)

    @cached_property
    def box_hi(self) -> np.ndarray:
        """Per item, the per-dimension maximum of its frames ``(items, D)``."""
        return np.maximum.reduceat(self.frames, self.offsets[:-1], axis=0)

    @cached_property
    def coarse(self) -> np.ndarray:
        """A few evenly spaced frames per item ``(items, _COARSE, D)``: a cheap proxy of the DTW cost that
        orders 1-NN candidates."""
        starts, lengths = self.offsets[:-1], np.diff(self.offsets)
        picks = starts[:, None] + np.round(np.linspace(0, 1, _COARSE)[None] *
                                           (lengths[:, None] - 1)).astype(int)
        return self.frames[picks]


def _ref_chunks(offsets: np.ndarray, views: int, max_frames: int = 8192) -> List[Tuple[int, int]]:
    """``[start, stop)`` chunks of reference sequences with at most ``max_frames`` frames (all views) each
    (at least one sequence per chunk): bounds the size of the per-query GEMM."""
    chunks, start = [], 0
    num = (len(offsets) - 1) // views
    for s in range(1, num + 1):
        if offsets[s * views] - offsets[start * views] > max_frames and s - 1 > start:
            chunks.append((start, s - 1))
            start = s - 1
    chunks.append((start, num))
    return chunks


def _select_views(seqs: List[np.ndarray], use_flips: bool) -> Tuple[List[np.ndarray], int]:
    views = seqs[0].shape[1]
    if views > 2:
        raise ValueError(f'sequences have {views} views; expected 1 or 2 ([orig, flipped])')
    if not use_flips and views > 1:
        return [s[:, :1] for s in seqs], 1
    return seqs, views


def _parallel_chunks(num: int, threads: int) -> List[Tuple[int, int]]:
    """``[start, stop)`` chunks of ``num`` items, several per thread (load balance), at most _PAIR_CHUNK."""
    if threads <= 1:
        size = _PAIR_CHUNK
    else:
        size = max(1, min(_PAIR_CHUNK, -(-num // (8 * threads))))
    return [(s, min(s + size, num)) for s in range(0, num, size)]


def _seq_pair_costs(q: _Packed, r: _Packed, pair_q: np.ndarray, pair_r: np.ndarray, pattern: int,
                    use_dot: bool, normalize: bool) -> np.ndarray:
    """Costs of the sequence pairs ``(pair_q[p], pair_r[p])``, minimum over the view combinations.

    Chunks of pairs run in ``numba.get_num_threads()`` Python threads (the kernel releases the GIL).
    """
    out = np.empty(len(pair_q))
    threads = max(1, numba.get_num_threads())

    def run(chunk: Tuple[int, int]) -> None:
        a, b = chunk
        K.seq_pair_costs(q.frames, q.sq_norms, q.offsets, r.frames, r.frames_t, r.sq_norms, r.offsets,
                         pair_q[a:b], pair_r[a:b], q.views, r.views, pattern, use_dot, normalize, out[a:b])

    chunks = _parallel_chunks(len(pair_q), threads)
    if threads == 1 or len(chunks) == 1:
        for chunk in chunks:
            run(chunk)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, chunks))
    return out


def _cost_matrix(queries: List[np.ndarray], refs: Optional[List[np.ndarray]], step_pattern: str,
                 normalize: bool, unit_norm: bool, exclude_self: bool) -> np.ndarray:
    pattern = _pattern_code(step_pattern)
    q = _Packed(queries, queries[0].shape[1], unit_norm)
    if refs is not None:
        if refs[0].shape[2] != queries[0].shape[2]:
            raise ValueError(f'feature dim of refs ({refs[0].shape[2]}) differs from queries '
                             f'({queries[0].shape[2]})')
        if exclude_self and len(refs) != len(queries):
            raise ValueError(f'exclude_self needs as many refs as queries, got {len(refs)} refs and '
                             f'{len(queries)} queries')
        r = _Packed(refs, refs[0].shape[1], unit_norm)
        total = q.num * r.num
        costs = np.empty(total)
        for s in range(0, total, _PAIR_CHUNK):  # sequence pair p = (query, ref) = divmod(p, R)
            pair_q, pair_r = np.divmod(np.arange(s, min(s + _PAIR_CHUNK, total), dtype=np.int64), r.num)
            costs[s:s + _PAIR_CHUNK] = _seq_pair_costs(q, r, pair_q, pair_r, pattern, unit_norm, normalize)
        costs = costs.reshape(q.num, r.num)
        if exclude_self:
            np.fill_diagonal(costs, np.inf)
        return costs
    # Queries against themselves: DTW with these patterns is symmetric and so is the minimum over all
    # view combinations; compute i <= j only.
    si, sj = np.triu_indices(q.num, k=1 if exclude_self else 0)
    costs = np.full((q.num, q.num), np.inf)
    if len(si):
        c = _seq_pair_costs(q, q, si.astype(np.int64), sj.astype(np.int64), pattern, unit_norm, normalize)
        costs[si, sj] = c
        costs[sj, si] = c
    return costs


def dtw_cost_matrix(queries: SequenceList,
                    refs: Optional[SequenceList] = None,
                    step_pattern: str = 'symmetricP2',
                    normalize: bool = True,
                    unit_norm: bool = True,
                    exclude_self: bool = False) -> np.ndarray:
    """DTW cost of every query sequence against every reference sequence.

    Args:
        queries: ``Q`` sequences ``(T, D)`` (lengths may differ).
        refs: ``R`` sequences ``(T, D)``; ``None`` compares the queries with each other (computing
            each unordered pair once).
        step_pattern: ``'symmetricP2'`` (paper) or ``'symmetric2'``, as defined by dtw-python.
        normalize: Divide by ``N + M`` (dtw-python's ``normalizedDistance``); else the raw distance.
        unit_norm: Scale every frame feature to unit L2 norm first (paper setting).
        exclude_self: Put ``+inf`` on the diagonal (``refs`` must be ``None`` or as many as queries).

    Returns:
        float64 array ``(Q, R)``; ``+inf`` where no warping path exists.
    """
    q = check_sequences(queries, 'queries', allow_views=False)
    r = None if refs is None else check_sequences(refs, 'refs', allow_views=False)
    return _cost_matrix(q, r, step_pattern, normalize, unit_norm, exclude_self)


def flip_dtw_cost_matrix(queries: SequenceList,
                         refs: Optional[SequenceList] = None,
                         step_pattern: str = 'symmetricP2',
                         normalize: bool = True,
                         unit_norm: bool = True,
                         exclude_self: bool = False,
                         use_flips: bool = True) -> np.ndarray:
    """Like :func:`dtw_cost_matrix` for sequences with views, minimum over all view combinations.

    Args:
        queries: Sequences ``(T, V, D)`` with ``V`` = 1 or 2 (``[orig, flipped]``), or ``(T, D)``.
        refs: Same for the references (its ``V`` may differ from the queries'); ``None`` = queries.
        use_flips: ``False`` uses view 0 only.
        step_pattern, normalize, unit_norm, exclude_self: As in :func:`dtw_cost_matrix`.

    Returns:
        float64 array ``(Q, R)``: ``min`` over (orig/orig, orig/flip, flip/orig, flip/flip).
    """
    q, _ = _select_views(check_sequences(queries, 'queries'), use_flips)
    r = None
    if refs is not None:
        r, _ = _select_views(check_sequences(refs, 'refs'), use_flips)
    return _cost_matrix(q, r, step_pattern, normalize, unit_norm, exclude_self)


def nn_search(queries: SequenceList,
              refs: Optional[SequenceList] = None,
              step_pattern: str = 'symmetricP2',
              normalize: bool = True,
              unit_norm: bool = True,
              exclude_self: bool = False,
              use_flips: bool = True,
              prune: bool = False,
              stats: Optional[dict] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Nearest reference (lowest DTW cost, minimum over views) of every query.

    Without ``prune`` the cost of every pair is computed (:func:`flip_dtw_cost_matrix`, fused view
    combinations) and the lowest taken. With ``prune`` the references of a query are visited in the
    order of a cheap estimate and skipped when a lower bound of their cost exceeds the best cost so far:
    symmetric2 (which evaluates every cell) uses nearest-frame bounds (each frame's distance to the
    other sequence's closest frame, from one float32 GEMM per query with a rigorous error margin; 0.93-0.98
    of the cost on the benchmark's random walks) and visits the references in their order; symmetricP2
    uses bounding-box bounds, visits the references closest-looking first (distance of a few evenly spaced
    frames) and abandons a DTW as soon as it must exceed the best cost. The result is the same as without
    pruning (ties go to the lowest reference index either way).

    Args:
        queries, refs: As in :func:`flip_dtw_cost_matrix` (``(T, D)`` or ``(T, V, D)``).
        exclude_self: Skip reference ``i`` for query ``i`` (leave-one-out when ``refs`` is None).
        step_pattern, normalize, unit_norm, use_flips: As in :func:`flip_dtw_cost_matrix`.
        prune: Use candidate ordering, lower bounds and early abandoning. Exact either way.
            symmetric2: the bounds skip 97-99 % of the references on the random walks and JHMDB joints
            of benchmarks/dtw.py, 1.8-2.1x faster than without pruning. symmetricP2 (two views on
            both sides): the box bounds are computed lazily and a query stops pruning when they skip
            less than a quarter of the first eight references tried; up to a quarter slower than
            without pruning on that data (it pays when the nearest neighbours are much closer than the
            rest). Off by default.
        stats: With ``prune``, a dict to fill with the counts of the search (summed over queries):
            ``candidates`` (reference/view candidates with a possible path, a reference with four
            combinations counts once), ``skipped`` (by their lower bound), ``abandoned`` (DTWs stopped
            early), ``completed`` (DTWs computed to the end).

    Ties go to the lowest reference index; DTW costs are bit-for-bit symmetric (``DTW(a, b) ==
    DTW(b, a)``) and do not depend on where a sequence is stored, so duplicated references tie exactly and
    the pruned search returns the same index as the exhaustive one.

    Returns:
        ``(index, cost)``: int64 ``(Q,)`` nearest reference (-1 if none is reachable) and its cost.
    """
    pattern = _pattern_code(step_pattern)
    qs, qv = _select_views(check_sequences(queries, 'queries'), use_flips)
    if refs is None:
        rs, rv = qs, qv
    else:
        rs, rv = _select_views(check_sequences(refs, 'refs'), use_flips)
        if rs[0].shape[2] != qs[0].shape[2]:
            raise ValueError(
                f'feature dim of refs ({rs[0].shape[2]}) differs from queries ({qs[0].shape[2]})')
    if exclude_self and len(rs) != len(qs):
        raise ValueError(f'exclude_self needs as many refs as queries, got {len(rs)} and {len(qs)}')
    if not prune:
        costs = _cost_matrix(qs, None if refs is None else rs, step_pattern, normalize, unit_norm,
                             exclude_self)
        idx = np.argmin(costs, axis=1)  # first minimum: ties go to the lowest reference index
        cost = costs[np.arange(len(qs)), idx]
        return np.where(np.isfinite(cost), idx, -1).astype(np.int64), cost
    q = _Packed(qs, qv, unit_norm)
    r = q if refs is None else _Packed(rs, rv, unit_norm)
    num_c = r.num * qv * rv

    # Candidate c = (reference c // (qv * rv), query view (c // rv) % qv, reference view c % rv).
    cand_q = (np.arange(num_c) // rv) % qv
    cand_r = (np.arange(num_c) // (qv * rv)) * rv + np.arange(num_c) % rv
    r_coarse_sq = np.einsum('ild,ild->il', r.coarse, r.coarse)

    def proxy_costs(k: int) -> np.ndarray:
        """Mean distance of the coarse frames of query k's views to every reference item's, per candidate."""
        out = np.empty((qv, len(r.coarse)))
        for a in range(qv):
            qc = q.coarse[k * qv + a]
            d2 = np.einsum('ld,ld->l', qc,
                           qc)[None] + r_coarse_sq - 2.0 * np.einsum('ld,ild->il', qc, r.coarse)
            out[a] = np.sqrt(np.maximum(d2, 0.0)).mean(axis=1)
        return out[cand_q, cand_r]

    fused = qv == 2 and rv == 2  # the four view combinations of a reference in one kernel call
    counts = np.zeros((q.num, 4), dtype=np.int64)  # per query: see ``stats``
    # symmetric2 evaluates every cell, so one float32 GEMM of all frame pairs (the nearest-frame bounds)
    # costs a fraction of the DTWs it lets the search skip; symmetricP2 evaluates a band only.
    frame_bounds = pattern == K.SYMMETRIC2
    if frame_bounds:
        q32 = q.frames.astype(np.float32)
        r32 = r.frames.astype(np.float32)
        eps = 4.0 * (q.frames.shape[1] + 2) * 2.0**-24 * np.sqrt(q.sq_norms.max() * r.sq_norms.max())
        ref_chunks = _ref_chunks(r.offsets, rv)
        max_cols = max(r.offsets[b * rv] - r.offsets[a * rv] for a, b in ref_chunks)

    def nearest_frame_bounds(k: int) -> np.ndarray:
        """:func:`_dtw_kernels.nearest_frame_bounds` of query k against every reference, per candidate."""
        out = np.empty(num_c)
        colmin = np.empty(max_cols)
        rows = slice(q.offsets[k * qv], q.offsets[(k + 1) * qv])
        for a, b in ref_chunks:
            gram = q32[rows] @ r32[r.offsets[a * rv]:r.offsets[b * rv]].T
            K.nearest_frame_bounds(gram, k, qv, q.sq_norms, q.offsets, a, b, rv, r.sq_norms, r.offsets,
                                   pattern, eps, normalize, out, colmin)
        return out

    def one_query(k: int) -> Tuple[int, float]:
        if fused:
            if frame_bounds:  # visit the references in the order of their bounds
                ref_bounds = nearest_frame_bounds(k).reshape(r.num, 4).min(axis=1)
                order = np.argsort(ref_bounds, kind='stable')
            else:  # visit the references that look closest first (a few evenly spaced frames)
                ref_bounds = np.empty(0)
                order = np.argsort(proxy_costs(k).reshape(r.num, 4).min(axis=1), kind='stable')
            return K.nn_scan_x4(k, order, q.frames, q.sq_norms, q.offsets, q.box_lo, q.box_hi, r.frames,
                                r.frames_t, r.sq_norms, r.offsets, r.box_lo, r.box_hi, pattern, unit_norm,
                                normalize, exclude_self, True, counts[k], ref_bounds)
        if frame_bounds:
            bounds = nearest_frame_bounds(k)
            order = np.argsort(bounds, kind='stable')
        elif prune:
            bounds = K.nn_lower_bounds(k, q.frames, q.offsets, q.box_lo, q.box_hi, r.frames, r.offsets,
                                       r.box_lo, r.box_hi, qv, rv, pattern, normalize)
            # Visit the candidates that look closest first (distance of a few evenly spaced frames):
            # the best cost then drops early and the other DTWs are skipped or abandoned sooner.
            order = np.argsort(np.where(np.isfinite(bounds), proxy_costs(k), np.inf), kind='stable')
        else:
            bounds, order = np.zeros(num_c), np.arange(num_c)
        return K.nn_scan(k, order, bounds, q.frames, q.sq_norms, q.offsets, r.frames, r.frames_t, r.sq_norms,
                         r.offsets, qv, rv, pattern, unit_norm, normalize, exclude_self, prune, counts[k])

    # The kernels release the GIL: one Python thread per numba thread runs the queries in parallel.
    with ThreadPoolExecutor(max_workers=max(1, numba.get_num_threads())) as pool:
        found = list(pool.map(one_query, range(q.num)))
    idx = np.array([f[0] for f in found], dtype=np.int64)
    cost = np.array([f[1] for f in found], dtype=np.float64)
    if stats is not None:
        stats.update(zip(('candidates', 'skipped', 'abandoned', 'completed'), counts.sum(axis=0).tolist()))
    return idx, cost


def nn_classify(query_seqs: SequenceList,
                ref_seqs: Optional[SequenceList],
                ref_labels: Sequence,
                step_pattern: str = 'symmetricP2',
                use_flips: bool = True,
                prune: bool = False,
                normalize: bool = True,
                unit_norm: bool = True,
                exclude_self: bool = False,
                unmatched_label=-1,
                return_details: bool = False):
    """1-NN classification with DTW, one step pattern, no fallback.

    The paper's NNS recognition (the published code's ``symmetric2`` and majority-class fallbacks for
    queries with no ``symmetricP2`` path) is :func:`vpd_mm.evaluation.functional.knn.dtw_1nn_classify`,
    which the downstream tools use; this primitive gives such queries ``unmatched_label``.

    Args:
        query_seqs: Sequences to classify, ``(T, D)`` or ``(T, V, D)``.
        ref_seqs: Labelled gallery; ``None`` = leave-one-out over ``query_seqs`` (set
            ``exclude_self=True``).
        ref_labels: One label per reference (per query when ``ref_seqs`` is None).
        unmatched_label: Prediction for a query that no reference can be aligned with (only with
            ``symmetricP2`` and very different lengths); a warning counts them.
        return_details: Also return the nearest reference index and its cost.
        step_pattern, use_flips, prune, normalize, unit_norm, exclude_self: See :func:`nn_search`.

    Returns:
        Predicted labels ``(Q,)`` (an array of ``ref_labels``' type), or ``(predictions, index, cost)``.
    """
    num_refs = len(query_seqs) if ref_seqs is None else len(ref_seqs)
    ref_labels = np.asarray(ref_labels)
    if len(ref_labels) != num_refs:
        raise ValueError(f'{len(ref_labels)} ref_labels for {num_refs} reference sequences')
    idx, cost = nn_search(
        query_seqs,
        ref_seqs,
        step_pattern=step_pattern,
        normalize=normalize,
        unit_norm=unit_norm,
        exclude_self=exclude_self,
        use_flips=use_flips,
        prune=prune)
    pred = ref_labels[np.maximum(idx, 0)]
    missing = idx < 0
    if missing.any():
        warnings.warn(
            f'nn_classify: {int(missing.sum())} of {len(idx)} queries have no admissible warping path '
            f'to any reference ({step_pattern}); predicted {unmatched_label!r}')
        pred = fill_unmatched(pred, missing, unmatched_label)
    if return_details:
        return pred, idx, cost
    return pred

"""Numba kernels behind :mod:`vpd_mm.evaluation.functional.dtw` (private).

Sequences are packed into one contiguous float64 frame array per side with ``offsets`` (item ``k``
owns frames ``offsets[k]:offsets[k + 1]``); the reference side is also stored transposed ``(D, frames)``
so that a wide row of local costs vectorises over reference frames (narrow symmetricP2 bands use
register blocks of the untransposed frames instead). Local costs are computed two query rows at a time,
only where the recursion needs them (never a whole cost matrix). The ``_x4`` kernels run the four view
combinations of a pair (orig/flip x orig/flip, equal lengths) together: their rows are lane-interleaved
(flat index ``4 column + lane``) so that the recursions vectorise over the lanes, from the same local-cost
calls as the one-combination kernels (bit-identical costs).

The recursions follow dtw-python 1.9 (``dtw.stepPattern``) exactly, with ``g[0, 0] = d[0, 0]`` and
unreachable cells at +inf (dtw-python: NaN):

* ``symmetric2``:  ``g[i, j] = min(g[i-1, j-1] + 2 d[i, j], g[i, j-1] + d[i, j], g[i-1, j] + d[i, j])``
* ``symmetricP2``: ``g[i, j]`` is the minimum of the three rules
  ``g[i-1, j-1] + 2 d[i, j]``,
  ``g[i-2, j-3] + 2 d[i-1, j-2] + 2 d[i, j-1] + d[i, j]`` and
  ``g[i-3, j-2] + 2 d[i-2, j-1] + 2 d[i-1, j] + d[i, j]``.

Both are normalisable by ``N + M``. symmetricP2 paths have slopes in [2/3, 3/2], so only a band of
cells can lie on a complete path; cells outside a safe superset of that band (two columns of margin)
are never computed, which leaves the result unchanged.
"""
import os
import os.path as osp

import numpy as np
from numba import njit, uintp

#: Step pattern codes used by the kernels.
SYMMETRIC2 = 0
SYMMETRIC_P2 = 1


def _enable_cache() -> bool:
    """Cache the compiled kernels outside the source tree (compiling them takes 5-30 s per process).

    ``NUMBA_CACHE_DIR`` set: numba's own cache there. Else ``VPD_MM_NUMBA_CACHE_DIR`` (default
    ``~/.cache/vpd_mm/numba``; empty or ``0`` disables caching) for the kernels of this file only.
    """
    if os.environ.get('NUMBA_CACHE_DIR'):
        return True
    cache_dir = os.environ.get('VPD_MM_NUMBA_CACHE_DIR',
                               osp.join(osp.expanduser('~'), '.cache', 'vpd_mm', 'numba'))
    if cache_dir in ('', '0'):
        return False
    try:
        os.makedirs(cache_dir, exist_ok=True)
        if not os.access(cache_dir, os.W_OK):
            return False
        from numba.core.caching import CacheImpl, UserProvidedCacheLocator
    except (OSError, ImportError):
        return False
    this_file = osp.abspath(__file__)

    class _KernelCacheLocator(UserProvidedCacheLocator):
        """numba's user-provided-folder locator, for this file's kernels and ``cache_dir`` only."""

        def __init__(self, py_func, py_file):
            self._py_file = py_file
            self._lineno = py_func.__code__.co_firstlineno
            self._cache_path = osp.join(cache_dir, self.get_suitable_cache_subpath(py_file))

        @classmethod
        def from_function(cls, py_func, py_file):
            if osp.abspath(py_file) != this_file:
                return None
            return super(UserProvidedCacheLocator, cls).from_function(py_func, py_file)

    if not any(c.__name__ == '_KernelCacheLocator' for c in CacheImpl._locator_classes):
        CacheImpl._locator_classes.insert(0, _KernelCacheLocator)
    return True


# Compile caching never inside the repository (see _enable_cache).
_CACHE = _enable_cache()
# The bounding-box lower bounds only (a 1e-9 margin absorbs their rounding). No 'nnan'/'ninf'.
_FASTMATH = {'reassoc', 'contract', 'nsz'}
# Column ranges at least this wide use the vectorised (over columns) local-cost kernel; narrower ones
# (symmetricP2 bands) blocks of eight columns, else the register-blocked kernel (measured: 16 is best).
_WIDE = 16
# symmetricP2 computes the local costs of a band in ranges widened to a multiple of this many columns
# (no scalar remainders in the vectorised loops; the extra cells lie on no path).
_P2_ROUND = 8
# The four-lane kernels compute ranges at least this wide with :func:`_dots_x4` (eight rows in one pass).
_WIDE_X4 = 32

# Local costs are compiled WITHOUT fastmath and with one fixed order of operations in both kernels:
# the squared distance of frames x and y is accumulated over groups of four dims as
# ``acc + ((x0 y0 + x1 y1) + (x2 y2 + x3 y3))`` (or the same with ``(x_k - y_k)^2``), then
# ``sqrt((|x|^2 + |y|^2) - 2 acc)``. Every step is commutative in x and y, so a frame pair gets the same
# bits whichever side it is on and whichever kernel computes it: DTW(a, b) == DTW(b, a) bit for bit,
# and the pruned 1-NN search ties exactly as the exhaustive one. Feature dims must be a multiple of 4
# (``dtw._Packed`` zero-pads them).


@njit(cache=_CACHE, nogil=True)
def sq_norms(frames):
    """Squared L2 norm of every frame ``(F, D)`` (``D`` a multiple of 4), in the local costs' order."""
    out = np.empty(frames.shape[0])
    for f in range(frames.shape[0]):
        acc = 0.0
        for k in range(0, frames.shape[1], 4):
            x0, x1, x2, x3 = frames[f, k], frames[f, k + 1], frames[f, k + 2], frames[f, k + 3]
            acc += (x0 * x0 + x1 * x1) + (x2 * x2 + x3 * x3)
        out[f] = acc
    return out


@njit(cache=_CACHE, nogil=True)
def _local_rows_wide(qa, ia, ib, rt, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b):
    """:func:`_local_rows` from the transposed reference frames ``rt``, vectorised over ``j``.

    Two rows share every load of a reference frame; each pass over the output adds two groups of four
    dims (in turn, so the order of operations stays the fixed one). Indices are cast to ``uintp`` (all
    are >= 0) so that numba emits no negative-index wraparound, which would stop LLVM from vectorising.
    """
    dim = qa.shape[1]
    ua = uintp(ia)
    ub = uintp(ib)
    for j in range(lo, hi):
        out_a[uintp(j)] = 0.0
        out_b[uintp(j)] = 0.0
    for kk in range(0, dim - 4, 8):
        k0 = uintp(kk)
        k1, k2, k3 = k0 + uintp(1), k0 + uintp(2), k0 + uintp(3)
        k4, k5, k6, k7 = k0 + uintp(4), k0 + uintp(5), k0 + uintp(6), k0 + uintp(7)
        x0, x1, x2, x3 = qa[ua, k0], qa[ua, k1], qa[ua, k2], qa[ua, k3]
        x4, x5, x6, x7 = qa[ua, k4], qa[ua, k5], qa[ua, k6], qa[ua, k7]
        y0, y1, y2, y3 = qa[ub, k0], qa[ub, k1], qa[ub, k2], qa[ub, k3]
        y4, y5, y6, y7 = qa[ub, k4], qa[ub, k5], qa[ub, k6], qa[ub, k7]
        if use_dot:
            for j in range(lo, hi):
                c = uintp(r0 + j)
                b0, b1, b2, b3 = rt[k0, c], rt[k1, c], rt[k2, c], rt[k3, c]
                b4, b5, b6, b7 = rt[k4, c], rt[k5, c], rt[k6, c], rt[k7, c]
                u = out_a[uintp(j)] + ((x0 * b0 + x1 * b1) + (x2 * b2 + x3 * b3))
                out_a[uintp(j)] = u + ((x4 * b4 + x5 * b5) + (x6 * b6 + x7 * b7))
                u = out_b[uintp(j)] + ((y0 * b0 + y1 * b1) + (y2 * b2 + y3 * b3))
                out_b[uintp(j)] = u + ((y4 * b4 + y5 * b5) + (y6 * b6 + y7 * b7))
        else:
            for j in range(lo, hi):
                c = uintp(r0 + j)
                b0, b1, b2, b3 = rt[k0, c], rt[k1, c], rt[k2, c], rt[k3, c]
                b4, b5, b6, b7 = rt[k4, c], rt[k5, c], rt[k6, c], rt[k7, c]
                u = out_a[uintp(j)] + _sq4(x0 - b0, x1 - b1, x2 - b2, x3 - b3)
                out_a[uintp(j)] = u + _sq4(x4 - b4, x5 - b5, x6 - b6, x7 - b7)
                u = out_b[uintp(j)] + _sq4(y0 - b0, y1 - b1, y2 - b2, y3 - b3)
                out_b[uintp(j)] = u + _sq4(y4 - b4, y5 - b5, y6 - b6, y7 - b7)
    if dim % 8:  # the last group of four dims
        k0 = uintp(dim - 4)
        k1, k2, k3 = k0 + uintp(1), k0 + uintp(2), k0 + uintp(3)
        x0, x1, x2, x3 = qa[ua, k0], qa[ua, k1], qa[ua, k2], qa[ua, k3]
        y0, y1, y2, y3 = qa[ub, k0], qa[ub, k1], qa[ub, k2], qa[ub, k3]
        if use_dot:
            for j in range(lo, hi):
                c = uintp(r0 + j)
                b0, b1, b2, b3 = rt[k0, c], rt[k1, c], rt[k2, c], rt[k3, c]
                out_a[uintp(j)] += (x0 * b0 + x1 * b1) + (x2 * b2 + x3 * b3)
                out_b[uintp(j)] += (y0 * b0 + y1 * b1) + (y2 * b2 + y3 * b3)
        else:
            for j in range(lo, hi):
                c = uintp(r0 + j)
                b0, b1, b2, b3 = rt[k0, c], rt[k1, c], rt[k2, c], rt[k3, c]
                out_a[uintp(j)] += _sq4(x0 - b0, x1 - b1, x2 - b2, x3 - b3)
                out_b[uintp(j)] += _sq4(y0 - b0, y1 - b1, y2 - b2, y3 - b3)
    _finish_rows(ua, ub, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b)


@njit(cache=_CACHE, nogil=True)
def _finish_rows(ua, ub, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b):
    """Accumulated dot products (``use_dot``) or squared distances -> distances, in place."""
    if use_dot:  # ||x - y||^2 = (||x||^2 + ||y||^2) - 2 x.y (exact enough for unit-norm features)
        qa2 = qsq[ua]
        qb2 = qsq[ub]
        for j in range(lo, hi):
            r2 = rsq[uintp(r0 + j)]
            v = (qa2 + r2) - 2.0 * out_a[uintp(j)]
            out_a[uintp(j)] = np.sqrt(v) if v > 0.0 else 0.0
            v = (qb2 + r2) - 2.0 * out_b[uintp(j)]
            out_b[uintp(j)] = np.sqrt(v) if v > 0.0 else 0.0
    else:
        for j in range(lo, hi):
            out_a[uintp(j)] = np.sqrt(out_a[uintp(j)])
            out_b[uintp(j)] = np.sqrt(out_b[uintp(j)])


@njit(cache=_CACHE, nogil=True)
def _local_rows_narrow(qa, ia, ib, ra, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b):
    """:func:`_local_rows` for narrow column ranges (symmetricP2 bands), from the reference frames ``ra``.

    Blocks of two query frames x four reference frames accumulate over the feature axis in registers
    (no per-dimension pass over the output), then one pass takes the square roots. A range that is not
    a multiple of four repeats its last column in the last block (computed, not stored).
    """
    dim = qa.shape[1]
    ua = uintp(ia)
    ub = uintp(ib)
    one = uintp(1)
    last = uintp(r0 + hi - 1)
    j = lo
    while j < hi:
        c0 = uintp(r0 + j)
        c1 = min(c0 + one, last)
        c2 = min(c0 + uintp(2), last)
        c3 = min(c0 + uintp(3), last)
        a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = 0.0
        for kk in range(0, dim, 4):
            k0 = uintp(kk)
            k1 = k0 + one
            k2 = k1 + one
            k3 = k2 + one
            x0, x1, x2, x3 = qa[ua, k0], qa[ua, k1], qa[ua, k2], qa[ua, k3]
            y0, y1, y2, y3 = qa[ub, k0], qa[ub, k1], qa[ub, k2], qa[ub, k3]
            if use_dot:
                s0, s1, s2, s3 = ra[c0, k0], ra[c0, k1], ra[c0, k2], ra[c0, k3]
                a0 += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
                b0 += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
                s0, s1, s2, s3 = ra[c1, k0], ra[c1, k1], ra[c1, k2], ra[c1, k3]
                a1 += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
                b1 += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
                s0, s1, s2, s3 = ra[c2, k0], ra[c2, k1], ra[c2, k2], ra[c2, k3]
                a2 += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
                b2 += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
                s0, s1, s2, s3 = ra[c3, k0], ra[c3, k1], ra[c3, k2], ra[c3, k3]
                a3 += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
                b3 += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            else:
                s0, s1, s2, s3 = ra[c0, k0], ra[c0, k1], ra[c0, k2], ra[c0, k3]
                a0 += _sq4(x0 - s0, x1 - s1, x2 - s2, x3 - s3)
                b0 += _sq4(y0 - s0, y1 - s1, y2 - s2, y3 - s3)
                s0, s1, s2, s3 = ra[c1, k0], ra[c1, k1], ra[c1, k2], ra[c1, k3]
                a1 += _sq4(x0 - s0, x1 - s1, x2 - s2, x3 - s3)
                b1 += _sq4(y0 - s0, y1 - s1, y2 - s2, y3 - s3)
                s0, s1, s2, s3 = ra[c2, k0], ra[c2, k1], ra[c2, k2], ra[c2, k3]
                a2 += _sq4(x0 - s0, x1 - s1, x2 - s2, x3 - s3)
                b2 += _sq4(y0 - s0, y1 - s1, y2 - s2, y3 - s3)
                s0, s1, s2, s3 = ra[c3, k0], ra[c3, k1], ra[c3, k2], ra[c3, k3]
                a3 += _sq4(x0 - s0, x1 - s1, x2 - s2, x3 - s3)
                b3 += _sq4(y0 - s0, y1 - s1, y2 - s2, y3 - s3)
        u = uintp(j)
        out_a[u] = a0
        out_b[u] = b0
        if j + 1 < hi:
            out_a[u + one] = a1
            out_b[u + one] = b1
        if j + 2 < hi:
            out_a[u + uintp(2)] = a2
            out_b[u + uintp(2)] = b2
        if j + 3 < hi:
            out_a[u + uintp(3)] = a3
            out_b[u + uintp(3)] = b3
        j += 4
    _finish_rows(ua, ub, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b)


@njit(cache=_CACHE, nogil=True)
def _sq4(t0, t1, t2, t3):
    """``(t0^2 + t1^2) + (t2^2 + t3^2)``: the squared-difference term of four dims."""
    return (t0 * t0 + t1 * t1) + (t2 * t2 + t3 * t3)


@njit(cache=_CACHE, nogil=True)
def _dots8(qa, ia, ib, rt, r0, lo, hi, out_a, out_b):
    """Dot products of query frames ``ia``, ``ib`` with the reference frames ``r0 + j`` (columns of the
    transposed ``rt``) into ``out_a[j]``, ``out_b[j]``, ``lo <= j < hi`` (``hi - lo`` a multiple of 8), in
    blocks of eight columns written out one by one, which the compiler packs into vectors (a reference
    dim's eight loads are contiguous), for ranges too short for :func:`_local_rows_wide`'s vector loop.
    Same order of operations as :func:`_local_rows_wide` (bit-identical)."""
    ua = uintp(ia)
    ub = uintp(ib)
    for j in range(lo, hi):
        out_a[uintp(j)] = 0.0
        out_b[uintp(j)] = 0.0
    for kk in range(0, qa.shape[1], 4):
        k0 = uintp(kk)
        k1, k2, k3 = k0 + uintp(1), k0 + uintp(2), k0 + uintp(3)
        x0, x1, x2, x3 = qa[ua, k0], qa[ua, k1], qa[ua, k2], qa[ua, k3]
        y0, y1, y2, y3 = qa[ub, k0], qa[ub, k1], qa[ub, k2], qa[ub, k3]
        for j in range(lo, hi, 8):
            u = uintp(j)
            c0 = uintp(r0 + j)
            c1, c2, c3, c4 = c0 + uintp(1), c0 + uintp(2), c0 + uintp(3), c0 + uintp(4)
            c5, c6, c7 = c0 + uintp(5), c0 + uintp(6), c0 + uintp(7)
            s0, s1, s2, s3 = rt[k0, c0], rt[k1, c0], rt[k2, c0], rt[k3, c0]
            out_a[u + uintp(0)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(0)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            s0, s1, s2, s3 = rt[k0, c1], rt[k1, c1], rt[k2, c1], rt[k3, c1]
            out_a[u + uintp(1)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(1)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            s0, s1, s2, s3 = rt[k0, c2], rt[k1, c2], rt[k2, c2], rt[k3, c2]
            out_a[u + uintp(2)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(2)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            s0, s1, s2, s3 = rt[k0, c3], rt[k1, c3], rt[k2, c3], rt[k3, c3]
            out_a[u + uintp(3)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(3)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            s0, s1, s2, s3 = rt[k0, c4], rt[k1, c4], rt[k2, c4], rt[k3, c4]
            out_a[u + uintp(4)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(4)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            s0, s1, s2, s3 = rt[k0, c5], rt[k1, c5], rt[k2, c5], rt[k3, c5]
            out_a[u + uintp(5)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(5)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            s0, s1, s2, s3 = rt[k0, c6], rt[k1, c6], rt[k2, c6], rt[k3, c6]
            out_a[u + uintp(6)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(6)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)
            s0, s1, s2, s3 = rt[k0, c7], rt[k1, c7], rt[k2, c7], rt[k3, c7]
            out_a[u + uintp(7)] += (x0 * s0 + x1 * s1) + (x2 * s2 + x3 * s3)
            out_b[u + uintp(7)] += (y0 * s0 + y1 * s1) + (y2 * s2 + y3 * s3)


@njit(cache=_CACHE, nogil=True)
def _local_rows(qa, ia, ib, ra, rt, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b):
    """Local costs of two query frames: ``out_a[j] = ||qa[ia] - ref frame r0 + j||`` and ``out_b``
    likewise for ``qa[ib]``, for ``lo <= j < hi``.

    ``ra`` holds the reference frames ``(frames, D)`` and ``rt`` the same transposed ``(D, frames)``;
    wide ranges use the per-dimension vectorised kernel, narrow ones blocks of eight columns
    (:func:`_dots8`) or the register-blocked kernel. All compute the same bits.
    With ``use_dot`` (unit-norm features) ``||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y``.
    """
    if use_dot and hi - lo < _WIDE and (hi - lo) % 8 == 0:
        _dots8(qa, ia, ib, rt, r0, lo, hi, out_a, out_b)
        _finish_rows(uintp(ia), uintp(ib), r0, lo, hi, qsq, rsq, use_dot, out_a, out_b)
    elif hi - lo < _WIDE:
        _local_rows_narrow(qa, ia, ib, ra, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b)
    else:
        _local_rows_wide(qa, ia, ib, rt, r0, lo, hi, qsq, rsq, use_dot, out_a, out_b)


@njit(cache=_CACHE, nogil=True)
def p2_feasible(n, m):
    """Whether a symmetricP2 path joins ``(0, 0)`` and ``(n - 1, m - 1)``."""
    lo = min(n, m) - 1
    hi = max(n, m) - 1
    return 2 * hi <= 3 * lo


@njit(cache=_CACHE, nogil=True)
def _p2_band(i, n, m):
    """Columns ``[lo, hi)`` of row ``i`` that may lie on a complete symmetricP2 path (step end points and
    the cells a step passes). The slope bounds give the columns up to one on either side (checked
    exhaustively against the path graph for ``n, m <= 35``); the band adds a margin of one column."""
    nn = n - 1
    mm = m - 1
    lo = max((2 * i + 2) // 3, mm - (3 * (nn - i)) // 2) - 1
    hi = min((3 * i) // 2, mm - (2 * (nn - i) + 2) // 3) + 2
    return max(lo, 0), min(hi, m)


@njit(cache=_CACHE, nogil=True)
def _sym2_row(gp, di, gi, m, first):
    """One symmetric2 row: ``gi`` from the previous row ``gp`` and local costs ``di``; returns its minimum."""
    if first:
        left = di[0]
        gi[0] = left
        for j in range(1, m):
            left = left + di[j]
            gi[j] = left
        return gi[0]
    left = gp[0] + di[0]  # carried in a register: the row recursion is latency bound
    gi[0] = left
    row_min = left
    up_left = gp[0]
    for j in range(1, m):
        dij = di[j]
        up = gp[j]
        v = up_left + 2.0 * dij
        w = left + dij
        if w < v:
            v = w
        w = up + dij
        if w < v:
            v = w
        gi[j] = v
        left = v
        up_left = up
        if v < row_min:
            row_min = v
    return row_min


@njit(cache=_CACHE, nogil=True)
def _sym2_two_rows(gp, da, ga, db, gb, m, first):
    """Rows ``a`` and ``b = a + 1`` of symmetric2 in one pass (``b`` one column behind), so that the
    two latency-bound row recursions overlap. Same arithmetic as two :func:`_sym2_row` calls.

    Returns:
        ``(min of row a, min of row b)``.
    """
    # Row a, column 0.
    a_left = da[0] if first else gp[0] + da[0]
    ga[0] = a_left
    a_min = a_left
    # Row b, column 0.
    b_left = a_left + db[0]
    gb[0] = b_left
    b_min = b_left
    a_up_left = 0.0 if first else gp[0]
    for j in range(1, m):
        # Row a, column j.
        dij = da[j]
        if first:
            v = a_left + dij
        else:
            up = gp[j]
            v = a_up_left + 2.0 * dij
            w = a_left + dij
            if w < v:
                v = w
            w = up + dij
            if w < v:
                v = w
            a_up_left = up
        a_prev = a_left  # ga[j - 1]
        ga[j] = v
        a_left = v
        if v < a_min:
            a_min = v
        # Row b, column j - 1 >= 1 (needs ga[j - 2], ga[j - 1]).
        if j >= 2:
            dbj = db[j - 1]
            u = ga[j - 2] + 2.0 * dbj
            w = b_left + dbj
            if w < u:
                u = w
            w = a_prev + dbj
            if w < u:
                u = w
            gb[j - 1] = u
            b_left = u
            if u < b_min:
                b_min = u
    # Row b, last column.
    if m >= 2:
        dbj = db[m - 1]
        u = ga[m - 2] + 2.0 * dbj
        w = b_left + dbj
        if w < u:
            u = w
        w = ga[m - 1] + dbj
        if w < u:
            u = w
        gb[m - 1] = u
        if u < b_min:
            b_min = u
    return a_min, b_min


@njit(cache=_CACHE, nogil=True)
def _dtw_sym2(qa, q0, n, qsq, ra, rt, r0, m, rsq, use_dot, scale, threshold, d, g):
    """Unnormalised symmetric2 cost (+inf if abandoned); rows are processed two at a time."""
    for i in range(0, n, 2):
        da = d[0]
        db = d[1]
        ga = g[i % 4]
        gp = g[(i - 1) % 4]
        if i + 1 < n:
            gb = g[(i + 1) % 4]
            _local_rows(qa, q0 + i, q0 + i + 1, ra, rt, r0, 0, m, qsq, rsq, use_dot, da, db)
            a_min, b_min = _sym2_two_rows(gp, da, ga, db, gb, m, i == 0)
            if a_min / scale > threshold or b_min / scale > threshold:
                return np.inf
        else:
            _local_rows(qa, q0 + i, q0 + i, ra, rt, r0, 0, m, qsq, rsq, use_dot, da, db)
            if _sym2_row(gp, da, ga, m, i == 0) / scale > threshold:
                return np.inf
    return g[(n - 1) % 4][m - 1]


@njit(cache=_CACHE, nogil=True)
def _p2_cells(gi, g1, g2, g3, di, d1, d2, lo, hi):
    """symmetricP2 cells ``lo <= j < hi`` (``lo >= 3``) of a row ``i >= 3``, same arithmetic as the general
    loop of :func:`_dtw_p2`. A row depends only on earlier rows, so this loop vectorises (indices cast
    to ``uintp``: no negative-index wraparound)."""
    for jj in range(lo, hi):
        j = uintp(jj)
        j1 = uintp(jj - 1)
        j2 = uintp(jj - 2)
        j3 = uintp(jj - 3)
        dij = di[j]
        v = g1[j1] + 2.0 * dij
        w = g2[j3] + 2.0 * d1[j2] + 2.0 * di[j1] + dij
        if w < v:
            v = w
        w = g3[j2] + 2.0 * d2[j1] + 2.0 * d1[j] + dij
        if w < v:
            v = w
        gi[j] = v


@njit(cache=_CACHE, nogil=True)
def _dtw_p2(qa, q0, n, qsq, ra, rt, r0, m, rsq, use_dot, scale, threshold, d, g):
    """Unnormalised symmetricP2 cost (+inf if abandoned or no path) over the band of feasible cells."""
    inf = np.inf
    if not p2_feasible(n, m):
        return inf
    prev_min1 = inf
    prev_min2 = inf
    for i in range(n):
        di = d[i % 4]
        gi = g[i % 4]
        lo, hi = _p2_band(i, n, m)
        # Off-band cells must read as unreachable. Rows i + 1..i + 3 read row i's g and d only at columns
        # [lo - 3, hi + 3) (the band edges move by at most 5 columns in 3 rows), so only margins of the
        # (ring-buffer) rows need resetting, not whole rows.
        for j in range(max(lo - 4, 0), lo):
            gi[j] = inf
        for j in range(hi, min(hi + 6, m)):
            gi[j] = inf
        if i % 2 == 0:  # local costs of rows i and i + 1 together
            i1 = min(i + 1, n - 1)
            d1 = d[(i + 1) % 4]
            lo1, hi1 = _p2_band(i1, n, m)
            lo_d, hi_d = min(lo, lo1), max(hi, hi1)
            for j in range(max(lo_d - 4, 0), lo_d):
                di[j] = inf
                d1[j] = inf
            for j in range(hi_d, min(hi_d + 6, m)):
                di[j] = inf
                d1[j] = inf
            # Widen to a multiple of 8 columns (no scalar remainder in the vectorised loops); the extra
            # columns hold true local costs, which cannot change the result (they lie on no path).
            width = min(-(-(hi_d - lo_d) // _P2_ROUND) * _P2_ROUND, m)
            lo_w = max(min(lo_d, m - width), 0)
            _local_rows(qa, q0 + i, q0 + i1, ra, rt, r0, lo_w, lo_w + width, qsq, rsq, use_dot, di, d1)
        g1 = g[(i - 1) % 4]
        g2 = g[(i - 2) % 4]
        g3 = g[(i - 3) % 4]
        d1 = d[(i - 1) % 4]
        d2 = d[(i - 2) % 4]
        # Cells with all three predecessors inside the matrix go through the branch-free, vectorised
        # loop; the first three rows and columns through the general one.
        j_fast = max(lo, 3) if i >= 3 else hi
        for j in range(lo, j_fast):
            dij = di[j]
            if i == 0 and j == 0:
                v = dij
            else:
                v = inf
                if i >= 1 and j >= 1:
                    v = g1[j - 1] + 2.0 * dij
                if i >= 2 and j >= 3:
                    w = g2[j - 3] + 2.0 * d1[j - 2] + 2.0 * di[j - 1] + dij
                    if w < v:
                        v = w
                if i >= 3 and j >= 2:
                    w = g3[j - 2] + 2.0 * d2[j - 1] + 2.0 * d1[j] + dij
                    if w < v:
                        v = w
            gi[j] = v
        if j_fast < hi:
            _p2_cells(gi, g1, g2, g3, di, d1, d2, j_fast, hi)
        if threshold < inf:  # early abandoning (a separate pass keeps the cell loop vectorised)
            row_min = inf
            for j in range(lo, hi):
                if gi[j] < row_min:
                    row_min = gi[j]
            # Every path has a point in any three consecutive rows (row steps are 1..3).
            if i >= 2 and min(row_min, prev_min1, prev_min2) / scale > threshold:
                return inf
        else:
            row_min = inf
        prev_min2 = prev_min1
        prev_min1 = row_min
    return g[(n - 1) % 4][m - 1]


@njit(cache=_CACHE, nogil=True)
def _dots_x4(qa, qo, qf, ia, ib, rt, ro, rf, lo, hi, e):
    """The dot products of :func:`_local_rows_x4` (before :func:`_finish_rows`), all eight rows in one pass
    over the columns: ``e[w, j]`` for query frame ``(qo, qo, qo, qo, qf, qf, qf, qf)[w] + (ia, ib)[w % 2]``
    and reference frame ``(ro, ro, rf, rf, ro, ro, rf, rf)[w] + j``. Four query frames share every load
    of a reference frame; same order of operations as :func:`_local_rows_wide` (bit-identical)."""
    dim = qa.shape[1]
    for w in range(8):
        for j in range(lo, hi):
            e[w, j] = 0.0
    for kk in range(0, dim, 4):
        k0 = uintp(kk)
        k1, k2, k3 = k0 + uintp(1), k0 + uintp(2), k0 + uintp(3)
        u = uintp(qo + ia)
        a0, a1, a2, a3 = qa[u, k0], qa[u, k1], qa[u, k2], qa[u, k3]
        u = uintp(qo + ib)
        b0, b1, b2, b3 = qa[u, k0], qa[u, k1], qa[u, k2], qa[u, k3]
        u = uintp(qf + ia)
        c0, c1, c2, c3 = qa[u, k0], qa[u, k1], qa[u, k2], qa[u, k3]
        u = uintp(qf + ib)
        d0, d1, d2, d3 = qa[u, k0], qa[u, k1], qa[u, k2], qa[u, k3]
        for jj in range(lo, hi):
            j = uintp(jj)
            c = uintp(ro + jj)
            s0, s1, s2, s3 = rt[k0, c], rt[k1, c], rt[k2, c], rt[k3, c]
            e[0, j] += (a0 * s0 + a1 * s1) + (a2 * s2 + a3 * s3)
            e[1, j] += (b0 * s0 + b1 * s1) + (b2 * s2 + b3 * s3)
            e[4, j] += (c0 * s0 + c1 * s1) + (c2 * s2 + c3 * s3)
            e[5, j] += (d0 * s0 + d1 * s1) + (d2 * s2 + d3 * s3)
            c = uintp(rf + jj)
            s0, s1, s2, s3 = rt[k0, c], rt[k1, c], rt[k2, c], rt[k3, c]
            e[2, j] += (a0 * s0 + a1 * s1) + (a2 * s2 + a3 * s3)
            e[3, j] += (b0 * s0 + b1 * s1) + (b2 * s2 + b3 * s3)
            e[6, j] += (c0 * s0 + c1 * s1) + (c2 * s2 + c3 * s3)
            e[7, j] += (d0 * s0 + d1 * s1) + (d2 * s2 + d3 * s3)


@njit(cache=_CACHE, nogil=True)
def _local_rows_x4(qa, qo, qf, ia, ib, ra, rt, ro, rf, lo, hi, qsq, rsq, use_dot, e, da, db):
    """Local costs of query rows ``ia`` and ``ib`` for the four view combinations, lane-interleaved.

    ``da[4 j + lane]`` (row ``ia``) and ``db[4 j + lane]`` (row ``ib``), ``lo <= j < hi``, with lanes 0..3
    = (orig, orig), (orig, flip), (flip, orig), (flip, flip) of (query, reference) and the query /
    reference views starting at frames ``qo``, ``qf`` / ``ro``, ``rf``. Every value comes from the same
    :func:`_local_rows` call (same range, same rows) as in the one-combination kernels, so that both
    paths give bit-identical costs. ``e``: scratch ``(8, >= hi)``.
    """
    if use_dot and hi - lo >= _WIDE_X4:
        _dots_x4(qa, qo, qf, ia, ib, rt, ro, rf, lo, hi, e)
        _finish_rows(uintp(qo + ia), uintp(qo + ib), ro, lo, hi, qsq, rsq, use_dot, e[0], e[1])
        _finish_rows(uintp(qo + ia), uintp(qo + ib), rf, lo, hi, qsq, rsq, use_dot, e[2], e[3])
        _finish_rows(uintp(qf + ia), uintp(qf + ib), ro, lo, hi, qsq, rsq, use_dot, e[4], e[5])
        _finish_rows(uintp(qf + ia), uintp(qf + ib), rf, lo, hi, qsq, rsq, use_dot, e[6], e[7])
    else:
        _local_rows(qa, qo + ia, qo + ib, ra, rt, ro, lo, hi, qsq, rsq, use_dot, e[0], e[1])
        _local_rows(qa, qo + ia, qo + ib, ra, rt, rf, lo, hi, qsq, rsq, use_dot, e[2], e[3])
        _local_rows(qa, qf + ia, qf + ib, ra, rt, ro, lo, hi, qsq, rsq, use_dot, e[4], e[5])
        _local_rows(qa, qf + ia, qf + ib, ra, rt, rf, lo, hi, qsq, rsq, use_dot, e[6], e[7])
    for jj in range(lo, hi):
        j = uintp(jj)
        t = uintp(4 * jj)
        da[t] = e[0, j]
        da[t + uintp(1)] = e[2, j]
        da[t + uintp(2)] = e[4, j]
        da[t + uintp(3)] = e[6, j]
        db[t] = e[1, j]
        db[t + uintp(1)] = e[3, j]
        db[t + uintp(2)] = e[5, j]
        db[t + uintp(3)] = e[7, j]


@njit(cache=_CACHE, nogil=True)
def _sym2_row_x4(gp, di, gi, m, first):
    """One symmetric2 row of four lane-interleaved combinations (flat index ``4 j + lane``).

    The left neighbour of a cell is four elements back, so the loop vectorises over the four lanes (the
    recursion along the row stays latency bound, but for four combinations at once)."""
    for c in range(4):
        gi[c] = di[c] if first else gp[c] + di[c]
    if first:
        for tt in range(4, 4 * m):
            t = uintp(tt)
            gi[t] = gi[t - uintp(4)] + di[t]
        return
    for tt in range(4, 4 * m):
        t = uintp(tt)
        t4 = uintp(tt - 4)
        dij = di[t]
        v = gp[t4] + 2.0 * dij
        w = gi[t4] + dij
        if w < v:
            v = w
        w = gp[t] + dij
        if w < v:
            v = w
        gi[t] = v


@njit(cache=_CACHE, nogil=True)
def _dtw_sym2_x4(qa, qo, qf, n, qsq, ra, rt, ro, rf, m, rsq, use_dot, scale, threshold, e, d, g):
    """:func:`_dtw_sym2` for the four view combinations at once (same ``n``, ``m``), SIMD over the lanes.

    ``d``, ``g``: scratch ``(4, >= 4 m)`` (ring row, ``4 column + lane``). Returns the lowest unnormalised
    cost of the four (+inf if all must exceed ``threshold``).
    """
    inf = np.inf
    for i in range(n):
        di = d[i % 2]
        gi = g[i % 2]
        if i % 2 == 0:
            _local_rows_x4(qa, qo, qf, i, min(i + 1, n - 1), ra, rt, ro, rf, 0, m, qsq, rsq, use_dot, e, d[0],
                           d[1])
        _sym2_row_x4(g[(i - 1) % 2], di, gi, m, i == 0)
        if threshold < inf:
            row_min = inf
            for t in range(4 * m):
                if gi[t] < row_min:
                    row_min = gi[t]
            if row_min / scale > threshold:
                return inf
    last = g[(n - 1) % 2]
    t = 4 * m - 4
    return min(min(last[t], last[t + 1]), min(last[t + 2], last[t + 3]))


@njit(cache=_CACHE, nogil=True)
def _p2_cells_x4(gi, g1, g2, g3, di, d1, d2, lo, hi):
    """:func:`_p2_cells` on lane-interleaved rows (flat index ``4 j + lane``): the same loop with every
    column shift times four, so it vectorises over lanes and columns alike."""
    for tt in range(4 * lo, 4 * hi):
        t = uintp(tt)
        t1 = uintp(tt - 4)
        t2 = uintp(tt - 8)
        t3 = uintp(tt - 12)
        dij = di[t]
        v = g1[t1] + 2.0 * dij
        w = g2[t3] + 2.0 * d1[t2] + 2.0 * di[t1] + dij
        if w < v:
            v = w
        w = g3[t2] + 2.0 * d2[t1] + 2.0 * d1[t] + dij
        if w < v:
            v = w
        gi[t] = v


@njit(cache=_CACHE, nogil=True)
def _dtw_p2_x4(qa, qo, qf, n, qsq, ra, rt, ro, rf, m, rsq, use_dot, scale, threshold, e, d, g):
    """:func:`_dtw_p2` for the four view combinations at once (same ``n``, ``m``, so the same band).

    The per-row work (band, margins, local-cost calls) is shared by the four lanes and the cells are
    vectorised over lanes and columns. ``d``, ``g``: scratch ``(4, >= 4 m)``. Returns the lowest
    unnormalised cost of the four (+inf if no path or all must exceed ``threshold``).
    """
    inf = np.inf
    if not p2_feasible(n, m):
        return inf
    prev_min1 = inf
    prev_min2 = inf
    for i in range(n):
        di = d[i % 4]
        gi = g[i % 4]
        lo, hi = _p2_band(i, n, m)
        # Off-band margins read as unreachable (see _dtw_p2).
        for t in range(4 * max(lo - 4, 0), 4 * lo):
            gi[t] = inf
        for t in range(4 * hi, 4 * min(hi + 6, m)):
            gi[t] = inf
        if i % 2 == 0:  # local costs of rows i and i + 1, over the same range as _dtw_p2
            i1 = min(i + 1, n - 1)
            d1 = d[(i + 1) % 4]
            lo1, hi1 = _p2_band(i1, n, m)
            lo_d, hi_d = min(lo, lo1), max(hi, hi1)
            for t in range(4 * max(lo_d - 4, 0), 4 * lo_d):
                di[t] = inf
                d1[t] = inf
            for t in range(4 * hi_d, 4 * min(hi_d + 6, m)):
                di[t] = inf
                d1[t] = inf
            width = min(-(-(hi_d - lo_d) // _P2_ROUND) * _P2_ROUND, m)
            lo_w = max(min(lo_d, m - width), 0)
            _local_rows_x4(qa, qo, qf, i, i1, ra, rt, ro, rf, lo_w, lo_w + width, qsq, rsq, use_dot, e, di,
                           d1)
        g1 = g[(i - 1) % 4]
        g2 = g[(i - 2) % 4]
        g3 = g[(i - 3) % 4]
        d1 = d[(i - 1) % 4]
        d2 = d[(i - 2) % 4]
        j_fast = max(lo, 3) if i >= 3 else hi
        for j in range(lo, j_fast):
            for c in range(4):
                t = 4 * j + c
                dij = di[t]
                if i == 0 and j == 0:
                    v = dij
                else:
                    v = inf
                    if i >= 1 and j >= 1:
                        v = g1[t - 4] + 2.0 * dij
                    if i >= 2 and j >= 3:
                        w = g2[t - 12] + 2.0 * d1[t - 8] + 2.0 * di[t - 4] + dij
                        if w < v:
                            v = w
                    if i >= 3 and j >= 2:
                        w = g3[t - 8] + 2.0 * d2[t - 4] + 2.0 * d1[t] + dij
                        if w < v:
                            v = w
                gi[t] = v
        if j_fast < hi:
            _p2_cells_x4(gi, g1, g2, g3, di, d1, d2, j_fast, hi)
        if threshold < inf:
            row_min = inf
            for t in range(4 * lo, 4 * hi):
                if gi[t] < row_min:
                    row_min = gi[t]
            if i >= 2 and min(row_min, prev_min1, prev_min2) / scale > threshold:
                return inf
        else:
            row_min = inf
        prev_min2 = prev_min1
        prev_min1 = row_min
    last = g[(n - 1) % 4]
    t = 4 * m - 4
    return min(min(last[t], last[t + 1]), min(last[t + 2], last[t + 3]))


@njit(cache=_CACHE, nogil=True)
def dtw_pair_x4(qa, qo, qf, n, qsq, ra, rt, ro, rf, m, rsq, pattern, use_dot, normalize, threshold, e, d, g):
    """Lowest DTW cost over the four view combinations of a query (views at frames ``qo``, ``qf``, ``n``
    frames each) and a reference (``ro``, ``rf``, ``m`` frames each); arguments as :func:`dtw_pair`,
    scratch ``e`` ``(8, >= m)`` and ``d``, ``g`` ``(4, >= 4 m)``. Each combination's cost is bit-identical
    to :func:`dtw_pair`'s."""
    scale = float(n + m) if normalize else 1.0
    if pattern == SYMMETRIC_P2:
        raw = _dtw_p2_x4(qa, qo, qf, n, qsq, ra, rt, ro, rf, m, rsq, use_dot, scale, threshold, e, d, g)
    else:
        raw = _dtw_sym2_x4(qa, qo, qf, n, qsq, ra, rt, ro, rf, m, rsq, use_dot, scale, threshold, e, d, g)
    return raw / scale


@njit(cache=_CACHE, nogil=True)
def dtw_pair(qa, q0, n, qsq, ra, rt, r0, m, rsq, pattern, use_dot, normalize, threshold, d, g):
    """DTW cost of query frames ``q0:q0+n`` against reference frames ``r0:r0+m``.

    Args:
        pattern: :data:`SYMMETRIC2` or :data:`SYMMETRIC_P2`.
        use_dot: Local cost from dot products and squared norms (unit-norm features) instead of
            differences.
        normalize: Divide by ``n + m``.
        threshold: Early abandon: return +inf as soon as the (normalised) cost must exceed it. Rows
            are only abandoned when their minimum, divided like the final cost, exceeds it, so a
            pair whose cost is <= threshold always gets its exact cost.
        d, g: Scratch arrays ``(4, >= m)``.

    Returns:
        The (normalised) cost, +inf when no path exists or the pair was abandoned.
    """
    scale = float(n + m) if normalize else 1.0
    if pattern == SYMMETRIC_P2:
        raw = _dtw_p2(qa, q0, n, qsq, ra, rt, r0, m, rsq, use_dot, scale, threshold, d, g)
    else:
        raw = _dtw_sym2(qa, q0, n, qsq, ra, rt, r0, m, rsq, use_dot, scale, threshold, d, g)
    return raw / scale


@njit(cache=_CACHE, nogil=True)
def seq_pair_costs(qa, qsq, qoff, ra, rt, rsq, roff, pair_q, pair_r, q_views, r_views, pattern, use_dot,
                   normalize, out):
    """Costs of the sequence pairs ``(pair_q[p], pair_r[p])`` into ``out``, minimum over all view
    combinations.

    Sequence ``s`` owns the items ``s * views + v``. With two views on both sides the four combinations
    run at once (:func:`dtw_pair_x4`); otherwise in turn, each abandoned as soon as it must exceed the
    lowest cost found so far for the pair (the minimum is exact: a combination whose cost is <= the
    threshold gets its exact cost). Releases the GIL: the caller runs chunks of pairs in parallel threads.
    """
    num = pair_q.shape[0]
    if q_views == 2 and r_views == 2:  # the four combinations have the same shape: one lane each
        m_max = 1
        for ri in range(roff.shape[0] - 1):
            m_max = max(m_max, roff[ri + 1] - roff[ri])
        e = np.zeros((8, m_max))
        d = np.zeros((4, 4 * m_max))
        g = np.zeros((4, 4 * m_max))
        for p in range(num):
            qi = pair_q[p] * 2
            ri = pair_r[p] * 2
            n = qoff[qi + 1] - qoff[qi]
            m = roff[ri + 1] - roff[ri]
            out[p] = dtw_pair_x4(qa, qoff[qi], qoff[qi + 1], n, qsq, ra, rt, roff[ri], roff[ri + 1], m, rsq,
                                 pattern, use_dot, normalize, np.inf, e, d, g)
        return
    for p in range(num):
        best = np.inf
        m_max = 1
        for b in range(r_views):
            ri = pair_r[p] * r_views + b
            m_max = max(m_max, roff[ri + 1] - roff[ri])
        d = np.empty((4, m_max))
        g = np.empty((4, m_max))
        for c in range(q_views * r_views):
            qi = pair_q[p] * q_views + c // r_views
            ri = pair_r[p] * r_views + c % r_views
            n = qoff[qi + 1] - qoff[qi]
            m = roff[ri + 1] - roff[ri]
            cost = dtw_pair(qa, qoff[qi], n, qsq, ra, rt, roff[ri], m, rsq, pattern, use_dot, normalize, best,
                            d, g)
            if cost < best:
                best = cost
        out[p] = best


@njit(cache=_CACHE, fastmath=_FASTMATH, nogil=True)
def _box_dist_sum(frames, f0, f1, box_lo, box_hi):
    """Sum over frames ``f0:f1`` of the Euclidean distance to the box ``[box_lo, box_hi]``."""
    total = 0.0
    dim = frames.shape[1]
    for f in range(f0, f1):
        s = 0.0
        for k in range(dim):
            x = frames[f, k]
            t = max(box_lo[k] - x, 0.0) + max(x - box_hi[k], 0.0)  # branch-free: vectorises over k
            s += t * t
        total += np.sqrt(s)
    return total


@njit(cache=_CACHE, nogil=True)
def nn_lower_bounds(q, qa, qoff, q_lo, q_hi, ra, roff, r_lo, r_hi, q_views, r_views, pattern, normalize):
    """Lower bounds of the costs of query sequence ``q`` against every candidate (reference, views).

    Candidate ``c`` is reference ``c // (q_views * r_views)``, query view ``(c // r_views) % q_views``
    and reference view ``c % r_views``. Any warping path charges every query frame and every
    reference frame after the first with a weight >= 1 (both step patterns), so
    ``cost >= sum_i dist(q_i, box(R)) + sum_{j>=1} dist(r_j, box(Q))`` with ``box`` the per-dimension
    range of a sequence. +inf where symmetricP2 has no path.
    """
    num_r = (roff.shape[0] - 1) // r_views
    num_c = num_r * q_views * r_views
    bounds = np.empty(num_c)
    for c in range(num_c):
        qi = q * q_views + (c // r_views) % q_views
        ri = (c // (q_views * r_views)) * r_views + c % r_views
        n = qoff[qi + 1] - qoff[qi]
        m = roff[ri + 1] - roff[ri]
        if pattern == SYMMETRIC_P2 and not p2_feasible(n, m):
            bounds[c] = np.inf
            continue
        lb = _box_dist_sum(qa, qoff[qi], qoff[qi + 1], r_lo[ri], r_hi[ri])
        lb += _box_dist_sum(ra, roff[ri] + 1, roff[ri + 1], q_lo[qi], q_hi[qi])
        bounds[c] = lb / (n + m) if normalize else lb
    return bounds


@njit(cache=_CACHE, fastmath=True, nogil=True)  # all flags (min reductions): finite values only
def nearest_frame_bounds(gram, q, q_views, qsq, qoff, r0, r1, r_views, rsq, roff, pattern, eps, normalize,
                         out, colmin):
    """Nearest-frame lower bounds of the costs of query sequence ``q`` against references ``r0:r1``.

    Every warping path (symmetric2 and symmetricP2 alike) enters each query frame and each reference
    frame after the first with a step of weight >= 1 (a diagonal step of weight 2 enters both), so
    ``cost >= sum_i min_j d(q_i, r_j) + sum_{j >= 1} min_i d(q_i, r_j)`` (then divided by ``n + m``).
    Tight on smooth features (0.93-0.98 of the symmetric2 cost on the benchmark's random walks).

    Args:
        gram: float32 dot products ``(frames of q's views, frames of the references' views r0:r1)``
            (one GEMM).
        eps: Bound of the float32 error of a squared distance, ``4 (D + 2) 2^-24 max|x| max|y|`` (the
            bounds are lowered by it, so they stay valid).
        out: Candidate bounds ``(num_r * q_views * r_views,)`` (layout of :func:`nn_lower_bounds`),
            written for the references ``r0:r1``.
        colmin: Scratch ``(>= gram.shape[1],)``.
    """
    row0 = qoff[q * q_views]
    col0 = roff[r0 * r_views]
    for a in range(q_views):
        qi = q * q_views + a
        n = qoff[qi + 1] - qoff[qi]
        i0 = qoff[qi] - row0
        for item in range(r0 * r_views, r1 * r_views):  # one reference view: its columns stay in L1
            lo = uintp(roff[item] - col0)
            hi = uintp(roff[item + 1] - col0)
            m = roff[item + 1] - roff[item]
            for t in range(lo, hi):
                colmin[t] = 1e300
            total = 0.0
            for i in range(i0, i0 + n):
                ui = uintp(i)
                q2 = qsq[row0 + i]
                mn = 1e300
                for t in range(lo, hi):  # two simple loops: both vectorise (unsigned indices)
                    mn = min(mn, rsq[uintp(col0) + t] - 2.0 * np.float64(gram[ui, t]))
                for t in range(lo, hi):
                    colmin[t] = min(colmin[t], q2 - 2.0 * np.float64(gram[ui, t]))
                total += np.sqrt(max(q2 + mn - eps, 0.0))
            for t in range(lo + uintp(1), hi):
                total += np.sqrt(max(colmin[t] + rsq[uintp(col0) + t] - eps, 0.0))
            r, b = divmod(item, r_views)
            c = r * q_views * r_views + a * r_views + b
            feasible = pattern != SYMMETRIC_P2 or p2_feasible(n, m)
            out[c] = (total / (n + m) if normalize else total) if feasible else 1e300


@njit(cache=_CACHE, nogil=True)
def nn_scan(q, order, bounds, qa, qsq, qoff, ra, rt, rsq, roff, q_views, r_views, pattern, use_dot, normalize,
            exclude_self, prune, stats):
    """Nearest reference of query sequence ``q``, visiting candidates in ``order`` (any order).

    With ``prune``, a candidate whose lower bound (``bounds``, :func:`nn_lower_bounds`) exceeds the best
    cost so far is skipped and every DTW is abandoned as soon as it must exceed the best cost, so an
    ``order`` that visits close candidates first saves most. Ties go to the lowest reference index (as
    ``argmin`` over a full cost matrix).

    Args:
        stats: int64 ``(4,)``, incremented: candidates visited, skipped by their lower bound, DTWs
            abandoned early, DTWs computed to the end.

    Returns:
        ``(index, cost)``; -1 and +inf where no reference is reachable.
    """
    max_m = 1
    for k in range(roff.shape[0] - 1):
        max_m = max(max_m, roff[k + 1] - roff[k])
    d = np.empty((4, max_m))
    g = np.empty((4, max_m))
    best = np.inf
    best_r = -1
    for c in order:
        r = c // (q_views * r_views)
        if exclude_self and r == q:
            continue
        qi = q * q_views + (c // r_views) % q_views
        ri = r * r_views + c % r_views
        n = qoff[qi + 1] - qoff[qi]
        m = roff[ri + 1] - roff[ri]
        if pattern == SYMMETRIC_P2 and not p2_feasible(n, m):
            continue
        stats[0] += 1
        if prune and bounds[c] * (1.0 - 1e-9) > best:
            stats[1] += 1
            continue
        threshold = best if prune else np.inf
        cost = dtw_pair(qa, qoff[qi], n, qsq, ra, rt, roff[ri], m, rsq, pattern, use_dot, normalize,
                        threshold, d, g)
        stats[2 if cost == np.inf and threshold < np.inf else 3] += 1
        if cost < best or (cost == best and cost < np.inf and r < best_r):
            best = cost
            best_r = r
    return best_r, best


@njit(cache=_CACHE, nogil=True)
def nn_scan_x4(q, order, qa, qsq, qoff, q_lo, q_hi, ra, rt, rsq, roff, r_lo, r_hi, pattern, use_dot,
               normalize, exclude_self, prune, stats, ref_bounds):
    """:func:`nn_scan` for two query and two reference views: the four combinations of a reference run at
    once (:func:`dtw_pair_x4`, bit-identical costs).

    With ``prune``, the lower bound of :func:`nn_lower_bounds` is computed lazily, per combination, just
    before a reference's DTW (stopping at the first combination that cannot be skipped), and DTWs are
    abandoned once they must exceed the best cost. When the bounds skip less than a quarter of the first
    eight references they were tried on, the query goes on without bounds and abandoning (their overhead
    would be wasted). Exact either way.

    Args:
        order: Reference sequences in visiting order (closest-looking first).
        stats: As :func:`nn_scan`, counting references (four combinations each).
        ref_bounds: Empty, or a lower bound of every reference's cost (:func:`nearest_frame_bounds`,
            minimum over the combinations), used instead of the lazy box bounds (``prune`` only);
            DTWs are then not abandoned (the references left are close to the best one).

    Returns:
        ``(index, cost)`` as :func:`nn_scan`.
    """
    num_r = (roff.shape[0] - 1) // 2
    max_m = 1
    for k in range(roff.shape[0] - 1):
        max_m = max(max_m, roff[k + 1] - roff[k])
    e = np.zeros((8, max_m))
    d = np.zeros((4, 4 * max_m))
    g = np.zeros((4, 4 * max_m))
    qi = 2 * q
    n = qoff[qi + 1] - qoff[qi]
    best = np.inf
    best_r = -1
    tried = 0
    skipped = 0
    use_bounds = prune
    for r in order:
        if r >= num_r or (exclude_self and r == q):
            continue
        ri = 2 * r
        m = roff[ri + 1] - roff[ri]
        if pattern == SYMMETRIC_P2 and not p2_feasible(n, m):
            continue
        stats[0] += 1
        if prune and ref_bounds.shape[0]:
            if ref_bounds[r] * (1.0 - 1e-9) > best:
                stats[1] += 1
                continue
        elif use_bounds and best < np.inf:
            skip = True
            for c in range(4):
                qc = qi + c // 2
                rc = ri + c % 2
                lb = _box_dist_sum(qa, qoff[qc], qoff[qc + 1], r_lo[rc], r_hi[rc])
                lb += _box_dist_sum(ra, roff[rc] + 1, roff[rc + 1], q_lo[qc], q_hi[qc])
                if normalize:
                    lb /= n + m
                if lb * (1.0 - 1e-9) <= best:
                    skip = False
                    break
            tried += 1
            if skip:
                skipped += 1
            elif tried >= 8 and skipped * 4 < tried:
                use_bounds = prune = False  # abandoning did not pay on the benchmark data either
            if skip:
                stats[1] += 1
                continue
        threshold = best if prune and not ref_bounds.shape[0] else np.inf
        cost = dtw_pair_x4(qa, qoff[qi], qoff[qi + 1], n, qsq, ra, rt, roff[ri], roff[ri + 1], m, rsq,
                           pattern, use_dot, normalize, threshold, e, d, g)
        stats[2 if cost == np.inf and threshold < np.inf else 3] += 1
        if cost < best or (cost == best and cost < np.inf and r < best_r):
            best = cost
            best_r = r
    return best_r, best

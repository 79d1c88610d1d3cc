"""Benchmark: vpd_mm's numba DTW against dtw-python on the same pairs, in the same run.

Both implementations compute the same thing for the same sequence pairs with the same settings
(unit-normalised features, Euclidean local cost, the step pattern, cost divided by ``N + M``):

* ``plain``: the cost matrix of ``Q`` queries x ``R`` references, original views only
  (dtw-python: one ``dtw(q, r, step_pattern=..., distance_only=True).normalizedDistance`` per pair);
* ``flips``: the cost matrix, minimum over the four view combinations (orig/flipped x orig/flipped;
  dtw-python: four calls per pair and the minimum, the paper's setting);
* ``nn``: the nearest reference of every query under the ``flips`` cost (dtw-python: the same four
  calls per pair and the argmin; vpd_mm: ``nn_search``, i.e. the fused cost matrix and the argmin);
* ``nn-prune``: the same with ``nn_search(prune=True)`` (exact: symmetric2 visits the references in
  the order of nearest-frame lower bounds from one float32 GEMM per query and stops at the first bound
  above the best cost; symmetricP2 uses box bounds and early abandoning).

``dgemm`` is the time numpy's BLAS takes for the float64 dot products of every (query frame, reference
frame) pair of the task's view combinations (the arithmetic of the Euclidean local costs of unit vectors
over all cells, which symmetric2 needs), and ``ceiling`` dtw-python's time over it: the largest speed-up
any exact float64 DTW that evaluates every cell could reach on this CPU (symmetricP2 needs only a band of
cells, so it can go beyond).

``sgemm``: the same in float32 (half the arithmetic of float64): no exact method that evaluates every
cell's local cost in float32 could beat its ``ceiling`` either.

``same 1-NN``: queries whose nearest reference is dtw-python's (exact index; the script fails if one
differs by more than a 1e-9 tie). ``pruned``: with ``nn-prune``, the share of (query, reference)
candidates skipped by their lower bound + the share of DTWs abandoned early (``nn_search(stats=...)``).

After the table, ``where time goes``: for the ``flips`` cost matrix at 1 thread, the time of the local
costs alone (the same kernel calls over the same cells, no recursion) and of the rest (the recursions,
band bookkeeping), the cells computed (symmetricP2: the band), ns per local cost against the dgemm ns
per dot product and dtw-python's ns per cell; and the ns per cell that 100x would need.

dtw-python runs once per setting; its ``plain`` time is the time of its orig/orig calls, its ``flips``
and ``nn`` times the time of all four calls (the identical work each needs). The script checks the
costs agree to 1e-6 (pairs without an admissible path: dtw-python raises, vpd_mm gives +inf) and the
nearest neighbours match, and prints the times and ratios. Times are process CPU seconds, robust to
other jobs on a shared machine (``--clock wall`` for wall-clock seconds); numba timings are the best of
``--repeats`` runs with 1 thread (CPU time) and, in the next columns, with ``--threads`` threads (default:
all numba threads; wall-clock time against dtw-python's wall-clock time) after compilation (timed
separately, excluded).

Sequences are random smooth walks (like pose features) with a flipped view that mirrors the features
(a fixed signed permutation, as flipping does to normalised joints) plus noise, lengths uniform in
``[--min-len, --max-len]``; ``--config`` uses the actions of a recognition config's train and test
splits instead (real features with their flipped views; the first ``--num-queries`` test and
``--num-refs`` train actions).

    nice -n 0 python benchmarks/dtw.py              # 100 x 100 sequences, lengths 30-120, D = 39, 32
    python benchmarks/dtw.py --num-queries 50 --num-refs 50 --dims 39 --patterns symmetricP2
    python benchmarks/dtw.py --config configs/recognition/bigru_synthsport-mini_gt-joints.py
    python benchmarks/dtw.py --config configs/recognition/bigru_jhmdb-split1_gt-joints.py  # JHMDB GT joints
"""
import argparse
import os
import os.path as osp
import sys
import time

import numpy as np

# This file is named like the dtw-python package: drop its folder from the import path.
_HERE = osp.dirname(osp.abspath(__file__))
sys.path[:] = [p for p in sys.path if osp.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, osp.dirname(_HERE))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--num-queries', type=int, default=100)
    parser.add_argument('--num-refs', type=int, default=100)
    parser.add_argument('--min-len', type=int, default=30)
    parser.add_argument('--max-len', type=int, default=120)
    parser.add_argument('--dims', type=int, nargs='+', default=[39, 32])
    parser.add_argument('--patterns', nargs='+', default=['symmetricP2', 'symmetric2'])
    parser.add_argument(
        '--config',
        help='use the train (refs) and test (queries) actions of this '
        'recognition config instead of random sequences')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--repeats', type=int, default=3, help='numba timing = best of this many runs')
    parser.add_argument(
        '--threads',
        type=int,
        nargs='*',
        default=None,
        help='also time numba with these thread counts (wall clock, all pairs in parallel); default: '
        'the number of numba threads available (none if 1), e.g. --threads 2 4; --threads alone: none')
    parser.add_argument(
        '--clock',
        choices=['cpu', 'wall'],
        default='cpu',
        help='process CPU time (default) or wall-clock time for the 1-thread ratios')
    return parser.parse_args(argv)


def random_sequences(rng: np.random.Generator, num: int, dim: int, min_len: int, max_len: int):
    """Smooth random walks ``(T, 2, D)`` [orig, flipped], lengths uniform in [min_len, max_len].

    The flipped view applies a fixed signed permutation of the feature axis (what a horizontal flip does
    to normalised joints) and adds a small independent walk (learned features are not exactly mirrored).
    """
    perm = np.random.default_rng(12345).permutation(dim)
    sign = np.where(np.arange(dim) % 3 == 0, -1.0, 1.0)
    seqs = []
    for _ in range(num):
        length = int(rng.integers(min_len, max_len + 1))
        walk = rng.standard_normal(dim) + np.cumsum(0.3 * rng.standard_normal((length, dim)), axis=0)
        flip = walk[:, perm] * sign + np.cumsum(0.05 * rng.standard_normal((length, dim)), axis=0)
        seqs.append(np.stack([walk, flip], axis=1))
    return seqs


def config_sequences(config: str):
    """``(queries, refs)``: the test and train actions ``(T, V, D)`` of a recognition config."""
    from vpd_mm.downstream.runner_utils import _dataset_cfg, build_dataset, dataset_features
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    refs, _ = dataset_features(
        build_dataset(_dataset_cfg(cfg.train_dataloader), pipeline=[], view_mode='stack', fewshot_k=None))
    queries, _ = dataset_features(
        build_dataset(_dataset_cfg(cfg.test_dataloader), pipeline=[], view_mode='stack'))
    return [np.asarray(x, np.float64) for x in queries], [np.asarray(x, np.float64) for x in refs]


def dtw_python_costs(queries, refs, pattern: str):
    """dtw-python's normalizedDistance ``(Q, V, R, V)`` for every pair and view combination (+inf where it
    finds no path, as vpd_mm), features unit-normalised first; and the CPU and wall-clock seconds per
    combination ``(V, V)``."""
    from dtw import dtw
    qv, rv = queries[0].shape[1], refs[0].shape[1]
    unit = [[s[:, v] / np.linalg.norm(s[:, v], axis=1, keepdims=True) for v in range(s.shape[1])]
            for s in queries]
    unit_r = [[s[:, v] / np.linalg.norm(s[:, v], axis=1, keepdims=True) for v in range(s.shape[1])]
              for s in refs]
    out = np.full((len(queries), qv, len(refs), rv), np.inf)
    cpu, wall = np.zeros((qv, rv)), np.zeros((qv, rv))
    for a in range(qv):
        for b in range(rv):
            c0, w0 = time.process_time(), time.perf_counter()
            for i, q in enumerate(unit):
                for j, r in enumerate(unit_r):
                    try:
                        out[i, a, j, b] = dtw(
                            q[a], r[b], step_pattern=pattern, distance_only=True).normalizedDistance
                    except ValueError:  # "No warping path found compatible with the local constraints"
                        pass
            cpu[a, b], wall[a, b] = time.process_time() - c0, time.perf_counter() - w0
    return out, dict(cpu=cpu, wall=wall)


def local_cost_products(queries, refs, views: int, dtype=np.float64) -> float:
    """The dot products of every (query frame, reference frame) pair of every view combination, by
    BLAS ``gemm`` in ``dtype`` (one query sequence at a time against all reference frames); returns a
    checksum.

    These are the arithmetic every exact DTW needs for its Euclidean local costs of unit vectors
    (``||x - y||^2 = 2 - 2 x.y``) when it evaluates every cell, as symmetric2 does (symmetricP2 needs only
    a band of cells): its time bounds the speed-up any such implementation can reach on this CPU.
    """
    ref_frames = np.ascontiguousarray(
        np.concatenate([r[:, :views].reshape(-1, r.shape[-1]) for r in refs]).T.astype(dtype))
    qs = [np.ascontiguousarray(q[:, :views].reshape(-1, q.shape[-1]).astype(dtype)) for q in queries]
    total = 0.0
    for q in qs:
        total += float((q @ ref_frames)[0, 0])
    return total


def _local_cost_pass():
    """An njit function that makes exactly the local-cost calls of the four-lane DTW kernels
    (``flip_dtw_cost_matrix`` with two views), over the same cells, without the recursions; it returns
    the number of (row, column) cells per view combination. Built lazily (numba compiles it)."""
    from numba import njit

    from vpd_mm.evaluation.functional import _dtw_kernels as K

    @njit(nogil=True)
    def run(qa, qsq, qoff, ra, rt, rsq, roff, pair_q, pair_r, pattern, use_dot, compute):
        m_max = 1
        for k in range(roff.shape[0] - 1):
            m_max = max(m_max, roff[k + 1] - roff[k])
        e = np.zeros((8, m_max))
        d = np.zeros((2, 4 * m_max))
        cells = 0
        for p in range(pair_q.shape[0]):
            qi, ri = pair_q[p] * 2, pair_r[p] * 2
            qo, qf, ro, rf = qoff[qi], qoff[qi + 1], roff[ri], roff[ri + 1]
            n, m = qf - qo, rf - ro
            if pattern == K.SYMMETRIC_P2 and not K.p2_feasible(n, m):
                continue
            for i in range(0, n, 2):
                i1 = min(i + 1, n - 1)
                lo_w, width = 0, m
                if pattern == K.SYMMETRIC_P2:  # the range _dtw_p2_x4 computes
                    lo, hi = K._p2_band(i, n, m)
                    lo1, hi1 = K._p2_band(i1, n, m)
                    lo_d, hi_d = min(lo, lo1), max(hi, hi1)
                    width = min(-(-(hi_d - lo_d) // K._P2_ROUND) * K._P2_ROUND, m)
                    lo_w = max(min(lo_d, m - width), 0)
                if compute:
                    K._local_rows_x4(qa, qo, qf, i, i1, ra, rt, ro, rf, lo_w, lo_w + width, qsq, rsq, use_dot,
                                     e, d[0], d[1])
                cells += width * (2 if i1 > i else 1)
        return cells

    return run


def where_time_goes(queries, refs, pattern: str, t_total: float, t_theirs: float, t_gemm: float, repeats: int,
                    clock) -> str:
    """The ``flips`` cost matrix at 1 thread split into local costs and the rest (see the module doc)."""
    from vpd_mm.evaluation.functional import dtw as vdtw
    code = vdtw.STEP_PATTERNS[pattern]
    q = vdtw._Packed(queries, 2, True)
    r = vdtw._Packed(refs, 2, True)
    pair_q, pair_r = np.divmod(np.arange(q.num * r.num, dtype=np.int64), r.num)
    run = _local_cost_pass()
    args = (q.frames, q.sq_norms, q.offsets, r.frames, r.frames_t, r.sq_norms, r.offsets, pair_q, pair_r,
            code, True)
    run(*args[:7], pair_q[:1], pair_r[:1], code, True, True)  # compile
    t_local, _ = _best_time(lambda: run(*args, True), repeats, clock)
    cells = run(*args, False)
    all_cells = sum(len(a) * len(b) for a in queries for b in refs)
    per_cell = 1e9 * t_total / (4 * cells)
    theirs_cell = 1e9 * t_theirs / (4 * all_cells)
    gemm_cell = 1e9 * t_gemm / (4 * all_cells)
    return (f'    where time goes (flips, 1 thread): total {t_total:.3f}s = local costs {t_local:.3f}s '
            f'({100 * t_local / t_total:.0f}%) + recursions and the rest {t_total - t_local:.3f}s '
            f'({100 * (t_total - t_local) / t_total:.0f}%); cells computed {cells} of {all_cells} per view '
            f'combination ({100 * cells / all_cells:.0f}%)\n'
            f'    ns per computed cell: ours {per_cell:.2f} (local cost {1e9 * t_local / (4 * cells):.2f}); '
            f'dgemm dot product {gemm_cell:.2f}; dtw-python {theirs_cell:.1f} per cell of the full matrix; '
            f'100x needs {theirs_cell * all_cells / cells / 100:.2f} per computed cell')


def _best_time(fn, repeats: int, clock):
    times, result = [], None
    for _ in range(repeats):
        t0 = clock()
        result = fn()
        times.append(clock() - t0)
    return min(times), result


def _check_costs(name: str, ours: np.ndarray, theirs: np.ndarray) -> float:
    """Max relative difference over the pairs with a path (which must be the same pairs)."""
    finite = np.isfinite(theirs)
    if not np.array_equal(finite, np.isfinite(ours)):
        raise AssertionError(f'{name}: pairs without a path differ between the implementations')
    if not finite.any():
        return 0.0
    return float((np.abs(ours[finite] - theirs[finite]) / np.maximum(np.abs(theirs[finite]), 1e-300)).max())


def main(argv=None):
    args = parse_args(argv)
    import numba

    from vpd_mm.evaluation.functional import dtw_cost_matrix, flip_dtw_cost_matrix, nn_search

    clock = time.process_time if args.clock == 'cpu' else time.perf_counter
    rng = np.random.default_rng(args.seed)
    max_threads = numba.get_num_threads()
    if args.threads is None:
        args.threads = [max_threads] if max_threads > 1 else []
    print(f'numba {numba.__version__}, {os.cpu_count()} cpus, numba threads available {max_threads}, '
          f'clock: {args.clock}, NUMBA_CACHE_DIR={os.environ.get("NUMBA_CACHE_DIR", "")!r}, '
          f'load average at start {os.getloadavg()[0]:.2f}')
    tiny = random_sequences(rng, 3, 4, 5, 8)
    for pattern in args.patterns:
        t0 = time.perf_counter()
        dtw_cost_matrix([s[:, 0] for s in tiny], [s[:, 0] for s in tiny[:2]], step_pattern=pattern)
        flip_dtw_cost_matrix(tiny, tiny[:2], step_pattern=pattern)
        flip_dtw_cost_matrix(tiny, step_pattern=pattern)
        nn_search(tiny, tiny[:2], step_pattern=pattern)
        nn_search(tiny, tiny[:2], step_pattern=pattern, prune=True)
        print(f'numba compile + first calls ({pattern}): {time.perf_counter() - t0:.2f} s (wall, excluded)')

    if args.config:
        queries, refs = config_sequences(args.config)
        queries, refs = queries[:args.num_queries], refs[:args.num_refs]
        datasets = [(queries[0].shape[-1], queries, refs)]
        lengths = np.array([len(s) for s in queries + refs])
        print(f'{args.config}: {len(queries)} test x {len(refs)} train actions, lengths '
              f'{lengths.min()}-{lengths.max()} (mean {lengths.mean():.0f}), {queries[0].shape[1]} views')
    else:
        datasets = []
        for dim in args.dims:
            datasets.append((dim, random_sequences(rng, args.num_queries, dim, args.min_len, args.max_len),
                             random_sequences(rng, args.num_refs, dim, args.min_len, args.max_len)))
        print(f'random walks: {args.num_queries} queries x {args.num_refs} refs, lengths {args.min_len}-'
              f'{args.max_len}, 2 views')

    head = f'{"D":>3} {"pattern":<12} {"task":<8} {"pairs":>6} {"no-path":>7} {"max rel":>8} ' \
           f'{"same 1-NN":>9} ' \
           f'{"pruned":>11} {"dtw-python":>10} {"numba 1T":>9} {"speed-up":>8} {"dgemm":>7} {"ceiling":>7} ' \
           f'{"sgemm":>7} {"ceiling":>7}'
    head += ''.join(f' {f"numba {t}T wall":>15} {"speed-up":>8}' for t in args.threads)
    print(head)
    worst, ratios, profiles = 0.0, {}, []
    for dim, queries, refs in datasets:
        plain_q, plain_r = [s[:, 0] for s in queries], [s[:, 0] for s in refs]
        views = queries[0].shape[1]
        # the arithmetic floor of the local costs of all cells, 1 and all view combinations, float64 / 32
        t_gemm = {
            (v, dt): _best_time(lambda: local_cost_products(queries, refs, v, dt), args.repeats, clock)[0]
            for v in (1, views)
            for dt in (np.float64, np.float32)
        }
        for pattern in args.patterns:
            theirs, secs = dtw_python_costs(queries, refs, pattern)
            ref_plain = theirs[:, 0, :, 0]
            ref_flip = theirs.min(axis=(1, 3))
            prune_stats = {}
            tasks = dict(
                plain=(lambda: dtw_cost_matrix(plain_q, plain_r, step_pattern=pattern), (0, 0)),
                flips=(lambda: flip_dtw_cost_matrix(queries, refs, step_pattern=pattern),
                       (slice(None), ) * 2),
                nn=(lambda: nn_search(queries, refs, step_pattern=pattern), (slice(None), ) * 2))
            tasks['nn-prune'] = (
                lambda: nn_search(queries, refs, step_pattern=pattern, prune=True, stats=prune_stats),
                tasks['nn'][1])
            for task, (fn, combos) in tasks.items():
                t_theirs = float(np.sum(secs[args.clock][combos]))
                t_theirs_wall = float(np.sum(secs['wall'][combos]))
                numba.set_num_threads(1)
                t_ours, ours = _best_time(fn, args.repeats, clock)
                same, pruned = '', ''
                if task.startswith('nn'):
                    idx, cost = ours
                    ref_idx = np.argmin(ref_flip, axis=1)
                    ref_cost = ref_flip[np.arange(len(queries)), ref_idx]
                    ref_idx = np.where(np.isfinite(ref_cost), ref_idx, -1)
                    diff = _check_costs(f'D={dim} {pattern} nn', cost, ref_cost)
                    differs = (idx != ref_idx) & (
                        np.abs(ref_flip[np.arange(len(queries)), np.maximum(idx, 0)] - ref_cost) > 1e-9)
                    if differs.any():
                        raise AssertionError(f'D={dim} {pattern}: nearest neighbours differ for queries '
                                             f'{np.flatnonzero(differs)[:10].tolist()}')
                    no_path = int((ref_idx < 0).sum())
                    same = f'{int((idx == ref_idx).sum())}/{len(idx)}'
                    if task == 'nn-prune':
                        num = max(prune_stats['candidates'], 1)
                        skipped, abandoned = prune_stats['skipped'] / num, prune_stats['abandoned'] / num
                        pruned = f'{100 * skipped:.0f}%+{100 * abandoned:.0f}%'
                else:
                    ref = ref_plain if task == 'plain' else ref_flip
                    diff = _check_costs(f'D={dim} {pattern} {task}', ours, ref)
                    no_path = int((~np.isfinite(ref)).sum())
                worst = max(worst, diff)
                ratios.setdefault((pattern, task), []).append(t_theirs / t_ours)
                v = 1 if task == 'plain' else views
                g64, g32 = t_gemm[(v, np.float64)], t_gemm[(v, np.float32)]
                line = (f'{dim:>3} {pattern:<12} {task:<8} {ref_plain.size:>6} {no_path:>7} {diff:>8.1e} '
                        f'{same:>9} '
                        f'{pruned:>11} {t_theirs:>9.2f}s {t_ours:>8.3f}s {t_theirs / t_ours:>7.1f}x'
                        f' {g64:>6.3f}s {t_theirs / g64:>6.1f}x {g32:>6.3f}s {t_theirs / g32:>6.1f}x')
                for threads in args.threads:
                    numba.set_num_threads(min(threads, max_threads))
                    t_wall, _ = _best_time(fn, args.repeats, time.perf_counter)
                    line += f' {t_wall:>14.3f}s {t_theirs_wall / t_wall:>7.1f}x'
                    ratios.setdefault((pattern, task, threads), []).append(t_theirs_wall / t_wall)
                print(line, flush=True)
                if task == 'flips' and views == 2:
                    numba.set_num_threads(1)
                    profiles.append(
                        f'  D={dim} {pattern}:\n' +
                        where_time_goes(queries, refs, pattern, t_ours, t_theirs, g64, args.repeats, clock))
    numba.set_num_threads(max_threads)
    verdict = 'OK' if worst <= 1e-6 else 'FAIL'
    print(f'max relative cost difference over all runs: {worst:.2e} ({verdict} at 1e-6)')
    for key, rs in ratios.items():
        pattern, task = key[:2]
        what = f'1 numba thread vs dtw-python ({args.clock} time)' if len(key) == 2 else \
            f'{key[2]} numba threads vs dtw-python (wall clock)'
        print(f'{pattern:<12} {task:<8} {what}: {min(rs):.1f}x to {max(rs):.1f}x'
              f'{"" if min(rs) >= 100 else "  (< 100x)"}')
    if profiles:
        print('where time goes (see the module doc):')
        print('\n'.join(profiles))
    print(f'load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus' +
          (' (wall-clock ratios depend on the other jobs sharing the cpus)' if args.threads else ''))


if __name__ == '__main__':
    main()

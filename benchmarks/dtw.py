"""Benchmark: vpd_mm's numba DTW against dtw-python on the same pairs, in the same run.

For each feature size and step pattern, ``--num-queries`` x ``--num-refs`` random smooth sequences
(unit-normalised random walks, lengths uniform in ``[--min-len, --max-len]``) are compared with both
implementations. Prints the max abs difference of the normalised costs (pairs without an admissible
path must be +inf in vpd_mm where dtw-python raises), both run times, the speed ratio, the numba
compile time (measured once, excluded from the ratio) and the number of threads.

    python benchmarks/dtw.py                       # 200 x 200, lengths 30-120, D = 39 and 32
    python benchmarks/dtw.py --num-queries 50 --num-refs 50 --dims 39 --patterns symmetricP2
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
    parser.add_argument('--num-queries', type=int, default=200)
    parser.add_argument('--num-refs', type=int, default=200)
    parser.add_argument('--min-len', type=int, default=30)
    parser.add_argument('--max-len', type=int, default=120)
    parser.add_argument('--dims', type=int, nargs='+', default=[39, 32])
    parser.add_argument('--patterns', nargs='+', default=['symmetricP2', 'symmetric2'])
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--repeats', type=int, default=3, help='numba timing = best of this many runs')
    parser.add_argument(
        '--threads',
        type=int,
        nargs='+',
        default=None,
        help='numba thread counts to time (default: 1 and numba.get_num_threads())')
    return parser.parse_args(argv)


def random_sequences(rng: np.random.Generator, num: int, dim: int, min_len: int, max_len: int):
    """Unit-normalised random walks (smooth like pose features), lengths uniform in [min_len, max_len]."""
    seqs = []
    for _ in range(num):
        length = int(rng.integers(min_len, max_len + 1))
        walk = rng.standard_normal(dim) + np.cumsum(0.3 * rng.standard_normal((length, dim)), axis=0)
        seqs.append(walk / np.linalg.norm(walk, axis=1, keepdims=True))
    return seqs


def dtw_python_costs(queries, refs, pattern: str) -> np.ndarray:
    """dtw-python's normalizedDistance for every pair (+inf where it finds no path)."""
    from dtw import dtw
    out = np.full((len(queries), len(refs)), np.inf)
    for i, q in enumerate(queries):
        for j, r in enumerate(refs):
            try:
                out[i, j] = dtw(q, r, step_pattern=pattern, distance_only=True).normalizedDistance
            except ValueError:  # "No warping path found compatible with the local constraints"
                pass
    return out


def main(argv=None):
    args = parse_args(argv)
    import numba

    from vpd_mm.evaluation.functional import dtw_cost_matrix

    rng = np.random.default_rng(args.seed)
    tiny = random_sequences(rng, 3, 4, 5, 8)
    print(f'numba {numba.__version__}, threads {numba.get_num_threads()}, cpus {os.cpu_count()}, '
          f'NUMBA_CACHE_DIR={os.environ.get("NUMBA_CACHE_DIR", "")!r}, '
          f'load average at start {os.getloadavg()[0]:.2f}')
    for pattern in args.patterns:
        t0 = time.perf_counter()
        dtw_cost_matrix(tiny, tiny[:2], step_pattern=pattern)
        print(f'numba compile + first call ({pattern}): {time.perf_counter() - t0:.2f} s')
    threads = args.threads or sorted({1, numba.get_num_threads()})
    print(f'{"D":>3} {"pattern":<12} {"pairs":>6} {"no-path":>7} {"max|diff|":>10} {"dtw-python s":>12} ' +
          ' '.join(f'{f"numba {t}T s":>11} {"speed-up":>8}' for t in threads))
    rows = []
    for dim in args.dims:
        queries = random_sequences(rng, args.num_queries, dim, args.min_len, args.max_len)
        refs = random_sequences(rng, args.num_refs, dim, args.min_len, args.max_len)
        for pattern in args.patterns:
            t_ours = []
            for num_threads in threads:
                numba.set_num_threads(num_threads)
                times = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    ours = dtw_cost_matrix(queries, refs, step_pattern=pattern)
                    times.append(time.perf_counter() - t0)
                t_ours.append(min(times))
            t0 = time.perf_counter()
            theirs = dtw_python_costs(queries, refs, pattern)
            t_theirs = time.perf_counter() - t0
            finite = np.isfinite(theirs)
            if not np.array_equal(finite, np.isfinite(ours)):
                raise AssertionError(
                    f'D={dim} {pattern}: pairs without a path differ between the implementations')
            diff = float(np.abs(ours[finite] - theirs[finite]).max()) if finite.any() else 0.0
            rows.append((dim, pattern, diff, t_theirs, t_ours))
            no_path = int((~finite).sum())
            print(
                f'{dim:>3} {pattern:<12} {ours.size:>6} {no_path:>7} {diff:>10.2e} {t_theirs:>12.2f} ' +
                ' '.join(f'{t:>11.3f} {t_theirs / t:>7.1f}x' for t in t_ours),
                flush=True)
    worst = max(r[2] for r in rows)
    print(f'max abs difference over all runs: {worst:.2e} ({"OK" if worst <= 1e-6 else "FAIL"} at 1e-6)')
    for k, num_threads in enumerate(threads):
        ratios = [r[3] / r[4][k] for r in rows]
        print(f'{num_threads} numba thread(s): speed-up {min(ratios):.1f}x to {max(ratios):.1f}x')
    print(f'load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus (other jobs share '
          'the cpus: ratios are only comparable within one run)')


if __name__ == '__main__':
    main()

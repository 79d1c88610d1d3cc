"""Benchmark: vpd_mm's numba DTW against dtw-python on the same pairs, in the same run.

Both implementations compute the same thing for the same sequence pairs with the same settings
(unit-normalised features, Euclidean local cost, the step pattern, cost divided by ``N + M``):

* ``plain``: the cost matrix of ``Q`` queries x ``R`` references, original views only
  (dtw-python: one ``dtw(q, r, step_pattern=..., distance_only=True).normalizedDistance`` per pair);
* ``flips``: the cost matrix, minimum over the four view combinations (orig/flipped x orig/flipped;
  dtw-python: four calls per pair and the minimum, the paper's setting);
* ``nn``: the nearest reference of every query under the ``flips`` cost (dtw-python: the same four
  calls per pair and the argmin; vpd_mm: ``nn_search``, i.e. the fused cost matrix and the argmin);
* ``nn-prune``: the same with ``nn_search(prune=True)`` (candidate ordering, lower bounds, early
  abandoning; exact).

``dgemm`` is the time numpy's BLAS takes for the float64 dot products of every (query frame, reference
frame) pair of the task's view combinations (the arithmetic of the Euclidean local costs of unit vectors
over all cells, which symmetric2 needs), and ``ceiling`` dtw-python's time over it: the largest speed-up
any exact float64 DTW that evaluates every cell could reach on this CPU (symmetricP2 needs only a band of
cells, so it can go beyond).

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

    python benchmarks/dtw.py                        # 100 x 100 sequences, lengths 30-120, D = 39, 32
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


def local_cost_products(queries, refs, views: int) -> float:
    """The dot products of every (query frame, reference frame) pair of every view combination, by
    BLAS ``dgemm`` (one query sequence at a time against all reference frames); returns a checksum.

    These are the float64 arithmetic every exact DTW needs for its Euclidean local costs of unit vectors
    (``||x - y||^2 = 2 - 2 x.y``) when it evaluates every cell, as symmetric2 does (symmetricP2 needs only
    a band of cells): its time bounds the speed-up any such implementation can reach on this CPU.
    """
    ref_frames = np.ascontiguousarray(np.concatenate([r[:, :views].reshape(-1, r.shape[-1]) for r in refs]).T)
    total = 0.0
    for q in queries:
        total += float((q[:, :views].reshape(-1, q.shape[-1]) @ ref_frames)[0, 0])
    return total


def _best_time(fn, repeats: int, clock):
    times, result = [], None
    for _ in range(repeats):
        t0 = clock()
        result = fn()
        times.append(clock() - t0)
    return min(times), result


def _check_costs(name: str, ours: np.ndarray, theirs: np.ndarray) -> float:
    finite = np.isfinite(theirs)
    if not np.array_equal(finite, np.isfinite(ours)):
        raise AssertionError(f'{name}: pairs without a path differ between the implementations')
    return float(np.abs(ours[finite] - theirs[finite]).max()) if finite.any() else 0.0


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

    head = f'{"D":>3} {"pattern":<12} {"task":<8} {"pairs":>6} {"no-path":>7} {"max|diff|":>9} ' \
           f'{"dtw-python":>10} {"numba 1T":>9} {"speed-up":>8} {"dgemm":>8} {"ceiling":>8}'
    head += ''.join(f' {f"numba {t}T wall":>15} {"speed-up":>8}' for t in args.threads)
    print(head)
    worst, ratios = 0.0, {}
    for dim, queries, refs in datasets:
        plain_q, plain_r = [s[:, 0] for s in queries], [s[:, 0] for s in refs]
        # the arithmetic floor of the local costs of all cells, 1 and all view combinations
        t_gemm = {v: _best_time(lambda: local_cost_products(queries, refs, v), args.repeats, clock)[0]
                  for v in (1, queries[0].shape[1])}
        for pattern in args.patterns:
            theirs, secs = dtw_python_costs(queries, refs, pattern)
            ref_plain = theirs[:, 0, :, 0]
            ref_flip = theirs.min(axis=(1, 3))
            tasks = dict(
                plain=(lambda: dtw_cost_matrix(plain_q, plain_r, step_pattern=pattern), (0, 0)),
                flips=(lambda: flip_dtw_cost_matrix(queries, refs, step_pattern=pattern),
                       (slice(None), ) * 2),
                nn=(lambda: nn_search(queries, refs, step_pattern=pattern), (slice(None), ) * 2))
            tasks['nn-prune'] = (lambda: nn_search(queries, refs, step_pattern=pattern, prune=True),
                                 tasks['nn'][1])
            for task, (fn, combos) in tasks.items():
                t_theirs = float(np.sum(secs[args.clock][combos]))
                t_theirs_wall = float(np.sum(secs['wall'][combos]))
                numba.set_num_threads(1)
                t_ours, ours = _best_time(fn, args.repeats, clock)
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
                else:
                    ref = ref_plain if task == 'plain' else ref_flip
                    diff = _check_costs(f'D={dim} {pattern} {task}', ours, ref)
                    no_path = int((~np.isfinite(ref)).sum())
                worst = max(worst, diff)
                ratios.setdefault((pattern, task), []).append(t_theirs / t_ours)
                line = (f'{dim:>3} {pattern:<12} {task:<8} {ref_plain.size:>6} {no_path:>7} {diff:>9.1e} '
                        f'{t_theirs:>9.2f}s {t_ours:>8.3f}s {t_theirs / t_ours:>7.1f}x')
                gemm = t_gemm[1 if task == 'plain' else queries[0].shape[1]]
                line += f' {gemm:>7.3f}s {t_theirs / gemm:>7.1f}x'
                for threads in args.threads:
                    numba.set_num_threads(min(threads, max_threads))
                    t_wall, _ = _best_time(fn, args.repeats, time.perf_counter)
                    line += f' {t_wall:>14.3f}s {t_theirs_wall / t_wall:>7.1f}x'
                print(line, flush=True)
    numba.set_num_threads(max_threads)
    print(f'max abs cost difference over all runs: {worst:.2e} ({"OK" if worst <= 1e-6 else "FAIL"} at 1e-6)')
    for (pattern, task), rs in ratios.items():
        print(f'{pattern:<12} {task:<8} 1 numba thread vs dtw-python ({args.clock} time): '
              f'{min(rs):.1f}x to {max(rs):.1f}x')
    print(f'load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus' +
          (' (wall-clock ratios depend on the other jobs sharing the cpus)' if args.threads else ''))


if __name__ == '__main__':
    main()

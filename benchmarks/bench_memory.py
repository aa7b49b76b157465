"""Peak memory and time of soft-DTW value + gradient on one long pair, or of
the pairwise matrices.

Usage::

    python benchmarks/bench_memory.py [--n 20000] [--d 1]
    python benchmarks/bench_memory.py --cdist cdist_soft_dtw [--n-ts 4000] [--sz 16] [--with-y]
    python benchmarks/bench_memory.py --per-cell 2000,3000,10000,20000 [--repeat 3]

Runs in a fresh process so that the peak resident memory (``ru_maxrss``) is
that of the computation alone. With ``--cdist``, one call of that function on
``n_ts`` series of length ``sz`` (against ``n_ts`` others with ``--with-y``),
and its peak memory above the resident memory before the call, as a multiple
of its output's size. With ``--per-cell``, the time per cell of value +
gradient at each length instead, the lengths taking turns ``--repeat`` times
(medians, and their ratios to the first length).
"""
import argparse
import resource
import time

import numpy as np

import sksoftdtw
from sksoftdtw import soft_dtw, soft_dtw_value_and_grad

PAIRWISE = ("cdist_soft_dtw", "cdist_dtw", "cdist_soft_dtw_divergence")


def bench_cdist(name, n_ts, sz, with_y):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_ts, sz))
    Y = rng.standard_normal((n_ts, sz)) if with_y else None
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    D = getattr(sksoftdtw, name)(X, Y)
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{name}(X{', Y' if with_y else ''}), {n_ts} x {n_ts} series of length {sz}: "
          f"output {D.nbytes / 2**20:.0f} MB, peak memory above the start "
          f"{(peak - base) / 1024:.0f} MB = {(peak - base) * 1024 / D.nbytes:.2f}x the output, "
          f"{elapsed:.2f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--d", type=int, default=1)
    parser.add_argument("--cdist", choices=PAIRWISE, help="measure this pairwise function")
    parser.add_argument("--n-ts", type=int, default=4000)
    parser.add_argument("--sz", type=int, default=16)
    parser.add_argument("--with-y", action="store_true")
    parser.add_argument("--per-cell", help="comma-separated lengths")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.cdist:
        return bench_cdist(args.cdist, args.n_ts, args.sz, args.with_y)
    rng = np.random.default_rng(0)
    if args.per_cell:
        return per_cell([int(n) for n in args.per_cell.split(",")], args.d, args.repeat, rng)
    x = rng.standard_normal((args.n, args.d))
    y = rng.standard_normal((args.n, args.d))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    value = soft_dtw(x, y)
    t_value = time.perf_counter() - t0
    after_value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    value_g, grad = soft_dtw_value_and_grad(x, y)
    t_grad = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cells = args.n * args.n
    print(f"n = m = {args.n}, d = {args.d} ({cells:.2e} cells); peak RSS before: "
          f"{base / 1024:.0f} MB")
    print(f"value:        {t_value / cells * 1e9:6.2f} ns/cell, peak RSS "
          f"{after_value / 1024:.0f} MB")
    print(f"value + grad: {t_grad / cells * 1e9:6.2f} ns/cell, peak RSS {peak / 1024:.0f} MB "
          f"(full float64 R, E and cost matrices would need {3 * cells * 8 / 2**30:.1f} GB)")
    assert np.isfinite(value) and abs(value - value_g) <= 1e-9 * abs(value)


def per_cell(lengths, d, repeat, rng):
    pairs = {n: (rng.standard_normal((n, d)), rng.standard_normal((n, d))) for n in lengths}
    times = {n: [] for n in lengths}
    for _ in range(repeat):
        for n, (x, y) in pairs.items():
            t0 = time.perf_counter()
            soft_dtw_value_and_grad(x, y)
            times[n].append((time.perf_counter() - t0) / (n * n) * 1e9)
    first = np.median(times[lengths[0]])
    print(f"value + gradient of one pair, d = {d}, medians of {repeat} alternated runs")
    for n in lengths:
        print(f"n = m = {n:6d}: {np.median(times[n]):6.2f} ns/cell, "
              f"{np.median(times[n]) / first:4.2f}x length {lengths[0]}")


if __name__ == "__main__":
    main()

"""Peak memory and time of soft-DTW value + gradient on one long pair, or of
the pairwise matrices.

Usage::

    python benchmarks/bench_memory.py [--n 20000] [--d 1]
    python benchmarks/bench_memory.py --cdist cdist_soft_dtw [--n-ts 4000] [--sz 16] [--with-y]
    python benchmarks/bench_memory.py --per-cell 2000,3000,10000,20000 [--repeat 3]
    python benchmarks/bench_memory.py --mixed-batch 20000 [--n-short 100] [--repeat 3]

Runs in a fresh process so that the peak resident memory (``ru_maxrss``) is
that of the computation alone. With ``--cdist``, one call of that function on
``n_ts`` series of length ``sz`` (against ``n_ts`` others with ``--with-y``),
and its peak memory above the resident memory before the call, as a multiple
of its output's size. With ``--per-cell``, the time per cell of value +
gradient at each length instead, the lengths taking turns ``--repeat`` times
(medians, and their ratios to the first length). With ``--mixed-batch``,
``soft_dtw_batch`` with gradients (gamma = 0.1) on one pair of that length
and ``--n-short`` pairs of lengths 50 to 99, in one call and in two (the long
pair, then the others), each in a fresh process, taking turns: the medians
of time and peak memory, and their ratios (one call / two calls).
"""
import argparse
import resource
import subprocess
import sys
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


def mixed_batch_run(long, n_short, calls):
    """One measurement of `mixed_batch`, in this process: prints time and peak."""
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((long, 1))] + [rng.standard_normal((rng.integers(50, 100), 1))
                                             for _ in range(n_short)]
    Y = [rng.standard_normal((len(x), 1)) for x in X]
    t0 = time.perf_counter()
    batches = [(X, Y)] if calls == 1 else [(X[:1], Y[:1]), (X[1:], Y[1:])]
    for bx, by in batches:
        sksoftdtw.soft_dtw_batch(bx, by, 0.1, return_grad="both", n_jobs=1)
    print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def mixed_batch(long, n_short, repeat):
    runs = {1: [], 2: []}
    for _ in range(repeat):
        for calls in runs:
            out = subprocess.run([sys.executable, __file__, "--mixed-batch", str(long),
                                  "--n-short", str(n_short), "--calls", str(calls)],
                                 capture_output=True, text=True, check=True).stdout
            runs[calls].append([float(v) for v in out.split()])
    (t1, m1), (t2, m2) = (np.median(runs[c], axis=0) for c in (1, 2))
    print(f"one pair of length {long} and {n_short} of lengths 50-99, value + gradients, "
          f"1 thread, medians of {repeat}: one call {t1:.2f} s, {m1:.0f} MB; two calls "
          f"{t2:.2f} s, {m2:.0f} MB; ratios {t1 / t2:.2f} (time), {m1 / m2:.2f} (memory)")


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
    parser.add_argument("--mixed-batch", type=int, metavar="LENGTH")
    parser.add_argument("--n-short", type=int, default=100)
    parser.add_argument("--calls", type=int, choices=(1, 2), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mixed_batch and args.calls:
        return mixed_batch_run(args.mixed_batch, args.n_short, args.calls)
    if args.mixed_batch:
        return mixed_batch(args.mixed_batch, args.n_short, args.repeat)
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

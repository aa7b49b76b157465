"""Speed of the soft-DTW kernels, in nanoseconds per cell of the dynamic program.

A cell is one (pair, i, j) of the recursion, so figures compare across sizes.
Peers are timed in the same run when installed: tslearn and the authors'
``soft-dtw`` package (``pip install --no-build-isolation soft-dtw==0.1.6``).

Usage::

    python benchmarks/bench_kernels.py [--quick] [--threads 1 2] [--dtype float64 float32]
        [--sections pairs cdist mixed batch gradlengths matmul]
    SKSOFTDTW_ISA=avx2 python benchmarks/bench_kernels.py --threads 1 --sections cdist batch
    python benchmarks/bench_kernels.py --threads 1 --cost abs --sections pairs cdist batch
    python benchmarks/bench_kernels.py --dtype float64 float32 --sections cdist batch

``--dtype`` times ``cdist`` and ``batch`` on data of each dtype given (float32
data run in the float32 kernels); with both, the float64 / float32 ratio of
each pair of runs, float64 and float32 alternated, is printed.
``--cost abs`` times sksoftdtw's functions with the L1 cost (the peers keep
the squared Euclidean cost). ``gradlengths`` times the batched value + gradient at lengths 64, 256 and
1024 (about 4M to 16M cells a call) and their cost per cell relative to
length 64, for gamma 1 and 0.1.

Each figure is the best of several repetitions (the least disturbed by other
work on the machine).
"""
import argparse
import functools
import platform
import time

import numpy as np

import sksoftdtw
from sksoftdtw._engine import kernels as _kernels
from sksoftdtw import (cdist_dtw, cdist_soft_dtw, soft_dtw, soft_dtw_alignment_from_cost,
                       soft_dtw_batch, soft_dtw_value_and_grad)


def best_time(fn, repeat):
    fn()  # warm-up (and JIT compilation for numba peers)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peers():
    """Callables of the installed peers: name -> dict of kind -> fn(x, y)."""
    out = {}
    try:
        from tslearn.metrics import cdist_soft_dtw as ts_cdist
        from tslearn.metrics import soft_dtw as ts_soft_dtw
        from tslearn.metrics.softdtw_variants import SoftDTW as TsSoftDTW
        from tslearn.metrics.softdtw_variants import SquaredEuclidean as TsSqEuc

        def ts_grad(x, y):
            D = TsSqEuc(x, y)
            sdtw = TsSoftDTW(D, gamma=1.0)
            value = sdtw.compute()
            return value, D.jacobian_product(sdtw.grad())

        out["tslearn"] = {
            "value": lambda x, y: ts_soft_dtw(x, y, gamma=1.0),
            "value+grad": ts_grad,
            "cdist": lambda X, n_jobs=-1: ts_cdist(X, gamma=1.0, n_jobs=n_jobs),
        }
    except ImportError:
        pass
    try:
        from sdtw import SoftDTW
        from sdtw.distance import SquaredEuclidean

        def sd_value(x, y):
            return SoftDTW(SquaredEuclidean(x, y), gamma=1.0).compute()

        def sd_grad(x, y):
            D = SquaredEuclidean(x, y)
            sdtw = SoftDTW(D, gamma=1.0)
            value = sdtw.compute()
            return value, D.jacobian_product(sdtw.grad())

        out["soft-dtw"] = {"value": sd_value, "value+grad": sd_grad}
    except ImportError:
        pass
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dtype", nargs="+", default=["float64"],
                        choices=["float64", "float32"],
                        help="dtypes of the data of the cdist and batch sections")
    parser.add_argument("--sections", nargs="+",
                        default=["pairs", "cdist", "mixed", "batch", "gradlengths", "matmul"],
                        choices=list(SECTIONS),
                        help="what to time (e.g. 'cdist batch' to compare the builds "
                        "forced by SKSOFTDTW_ISA)")
    parser.add_argument("--cost", default="sqeuclidean", choices=["sqeuclidean", "abs"],
                        help="the cost of sksoftdtw's functions")
    args = parser.parse_args()
    if args.cost != "sqeuclidean":
        for name in ("cdist_dtw", "cdist_soft_dtw", "soft_dtw", "soft_dtw_batch",
                     "soft_dtw_value_and_grad"):
            globals()[name] = functools.partial(globals()[name], cost=args.cost)
    repeat = 2 if args.quick else 5
    rng = np.random.default_rng(0)
    others = peers()
    print(f"sksoftdtw {sksoftdtw.__version__}, {platform.processor() or platform.machine()}, "
          f"kernels {_kernels.fast.__name__.rsplit('.', 1)[-1]}, cost {args.cost}, "
          f"peers: {', '.join(others) or 'none'}")
    for section in args.sections:
        SECTIONS[section](args, rng, others, repeat)


def bench_pairs(args, rng, others, repeat):
    print("\n## One pair, gamma = 1, one thread (ns per cell; ratio = peer / sksoftdtw)")
    print(f"{'n=m':>6} {'d':>3} {'kind':>10} {'sksoftdtw':>10} " +
          " ".join(f"{name:>16}" for name in others))
    cases = [(n, d) for n in (100, 500) for d in (1, 10, 16)]
    if not args.quick:
        cases += [(1000, 1), (1000, 10), (1000, 16), (2000, 1), (2000, 16)]
    for n, d in cases:
        x = rng.standard_normal((n, d))
        y = rng.standard_normal((n, d))
        cells = n * n
        for kind, ours in (("value", lambda: soft_dtw(x, y)),
                           ("value+grad", lambda: soft_dtw_value_and_grad(x, y))):
            t = best_time(ours, repeat) / cells * 1e9
            row = f"{n:>6} {d:>3} {kind:>10} {t:>10.2f} "
            for fns in others.values():
                tp = best_time(lambda: fns[kind](x, y), repeat) / cells * 1e9
                row += f" {tp:>8.1f} ({tp / t:>4.1f}x)"
            print(row)


def by_dtype(args, fn, data, repeat):
    """Seconds of ``fn(*data)`` for each dtype of ``args.dtype`` (the runs of
    the dtypes alternated, best of ``repeat`` each) and, with two dtypes, the
    median of the ratios of the float64 to the float32 runs."""
    cast = {dt: [a.astype(dt) for a in data] for dt in args.dtype}
    times = {dt: [] for dt in args.dtype}
    for _ in range(repeat):
        for dt in args.dtype:
            t0 = time.perf_counter()
            fn(*cast[dt])
            times[dt].append(time.perf_counter() - t0)
    best = {dt: min(t) for dt, t in times.items()}
    if len(times) == 2:
        best["ratio"] = float(np.median(np.divide(times["float64"], times["float32"])))
    return best


def _dtype_row(best, cells):
    row = "   ".join(f"{dt} {t / cells * 1e9:.2f}" for dt, t in best.items() if dt != "ratio")
    if "ratio" in best:
        row += f"   (float64 / float32: {best['ratio']:.2f}x)"
    return row


def bench_cdist(args, rng, others, repeat):
    n_ts, sz = (200, 128) if args.quick else (1000, 128)
    X = rng.standard_normal((n_ts, sz))
    X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    cells = n_ts * n_ts * sz * sz
    print(f"\n## Pairwise matrix: {n_ts} x {n_ts} series of length {sz}, d = 1 (ns per cell)")
    for threads in args.threads:
        soft = by_dtype(args, lambda A: cdist_soft_dtw(A, A, n_jobs=threads), [X],
                        1 if len(args.dtype) == 1 else 3)
        t_hard = best_time(lambda: cdist_dtw(X, X, n_jobs=threads), 1) / cells * 1e9
        print(f"cdist_soft_dtw, {threads} thread(s): {_dtype_row(soft, cells)}   "
              f"cdist_dtw: {t_hard:.2f}")
    if "tslearn" in others:
        # tslearn is timed on a subset (the whole matrix takes minutes); both
        # compute only the upper triangle of a self-distance matrix.
        sub = X[:200]
        ours = best_time(lambda: cdist_soft_dtw(sub, n_jobs=max(args.threads)), 1)
        theirs = best_time(lambda: others["tslearn"]["cdist"](sub), 1)
        print(f"cdist_soft_dtw(X) on 200 series, {max(args.threads)} threads vs tslearn "
              f"n_jobs=-1: {theirs / ours:.1f}x faster")


def bench_mixed(args, rng, others, repeat):
    """Series of lengths drawn uniformly from 50..300 against series of one
    length (the mean): the cost of a cell should not depend on the mix."""
    print("\n## Pairwise matrices of series of lengths uniform in 50..300 vs equal lengths 175, "
          "d = 1, one thread (ns per cell)")
    for n_ts in (100,) if args.quick else (100, 300):
        lengths = rng.integers(50, 301, n_ts)
        mixed = [rng.standard_normal(n) for n in lengths]
        equal = rng.standard_normal((n_ts, 175))
        cells_mixed = float(np.sum(lengths)) ** 2
        cells_equal = float(n_ts * 175) ** 2
        for name, fn in (("cdist_soft_dtw", cdist_soft_dtw), ("cdist_dtw", cdist_dtw)):
            t_mixed = best_time(lambda: fn(mixed, mixed), 1) / cells_mixed * 1e9
            t_equal = best_time(lambda: fn(equal, equal), 1) / cells_equal * 1e9
            print(f"{name}, {n_ts} series: mixed {t_mixed:.2f}, equal {t_equal:.2f} "
                  f"(mixed / equal: {t_mixed / t_equal:.2f})")
    if "tslearn" in others:
        # both compute the upper triangle of a self-distance matrix, one thread
        sub = mixed[:40]
        cells = float(np.sum(lengths[:40])) ** 2 / 2
        ours = best_time(lambda: cdist_soft_dtw(sub), 1) / cells * 1e9
        padded = sksoftdtw.to_time_series_dataset(sub)
        theirs = best_time(lambda: others["tslearn"]["cdist"](padded, n_jobs=1), 1) / cells * 1e9
        print(f"cdist_soft_dtw(X), 40 mixed series, one thread: {ours:.2f} vs tslearn "
              f"{theirs:.1f} ({theirs / ours:.0f}x)")


def bench_batch(args, rng, others, repeat):
    n_pairs, sz = 256, 128
    A = rng.standard_normal((n_pairs, sz))
    B = rng.standard_normal((n_pairs, sz))
    cells = n_pairs * sz * sz
    print(f"\n## Batched value + gradient: {n_pairs} pairs of length {sz}, d = 1 (ns per cell)")
    for threads in args.threads:
        best = by_dtype(args, lambda P, Q: soft_dtw_batch(P, Q, return_grad="x",
                                                          n_jobs=threads), [A, B], repeat)
        print(f"soft_dtw_batch, {threads} thread(s): {_dtype_row(best, cells)}")
    for threads in args.threads:  # the optimal paths (DBA, subgradients)
        t = best_time(lambda: soft_dtw_batch(A, B, 0.0, return_grad="x", n_jobs=threads),
                      repeat)
        print(f"soft_dtw_batch, gamma = 0, {threads} thread(s): {t / cells * 1e9:.2f}")


def bench_gradlengths(args, rng, others, repeat):
    """The batched value + gradient per cell against the length: the lanes
    keep their weights in cache at any length."""
    print("\n## Batched value + gradient against the length, d = 1, one thread (ns per cell; "
          "ratio to length 64)")
    sizes = [(64, 1024), (256, 64), (1024, 16)]
    for gamma in (1.0, 0.1):
        base = None
        for sz, n_pairs in sizes:
            A = rng.standard_normal((n_pairs, sz))
            B = rng.standard_normal((n_pairs, sz))
            t = best_time(lambda: soft_dtw_batch(A, B, gamma, return_grad="x"), repeat)
            t = t / (n_pairs * sz * sz) * 1e9
            base = base or t
            print(f"gamma {gamma:g}, {n_pairs} pairs of length {sz}: {t:.2f} ({t / base:.2f}x)")


def bench_matmul(args, rng, others, repeat):
    """One pair's value and gradient at d > 1 through matrix products: the cost
    matrix ||x_i||^2 + ||y_j||^2 - 2 x_i.y_j and the gradient 2 (diag(E 1) x - E y)
    by BLAS, the recursion on the stored cost matrix, against the fused kernel."""
    from threadpoolctl import threadpool_limits

    print("\n## One pair at d > 1, value + gradient through matrix products, one thread "
          "(ns per cell)")
    print(f"{'n=m':>6} {'d':>3} {'fused':>8} {'cost':>8} {'recursion':>10} {'gradient':>9} "
          f"{'total':>8}")
    for n, d in [(1000, 10), (2000, 16)]:
        x = rng.standard_normal((n, d))
        y = rng.standard_normal((n, d))
        cells = n * n

        def cost():
            return np.maximum((x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * (x @ y.T),
                              0.0)

        with threadpool_limits(1):
            D = cost()
            E, _ = soft_dtw_alignment_from_cost(D)
            parts = [best_time(fn, repeat) / cells * 1e9 for fn in (
                cost, lambda: soft_dtw_alignment_from_cost(D),
                lambda: 2 * (E.sum(1)[:, None] * x - E @ y))]
            fused = best_time(lambda: soft_dtw_value_and_grad(x, y), repeat) / cells * 1e9
        print(f"{n:>6} {d:>3} {fused:>8.2f} {parts[0]:>8.2f} {parts[1]:>10.2f} "
              f"{parts[2]:>9.2f} {sum(parts):>8.2f}")


SECTIONS = {"pairs": bench_pairs, "cdist": bench_cdist, "batch": bench_batch,
            "gradlengths": bench_gradlengths, "matmul": bench_matmul, "mixed": bench_mixed}


if __name__ == "__main__":
    main()

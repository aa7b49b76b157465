"""Divergences and second order against the authors' reference code, one thread.

Usage::

    python benchmarks/bench_divergences.py [--reference DIR] [--lengths 128 512]
                                           [--repeat 7] [--gamma 1.0]

``DIR`` is a checkout of google-research/soft-dtw-divergences (its
``sdtw_div`` package, which needs numba); without it, only our own timings
are printed. Each line times two calls alternately on the same pair of
univariate series of length n, ``repeat`` times, and reports the median time
per cell of the ``n x n`` matrix of ``(x, y)`` for each, and the median of the
paired ratios. Compared with the reference code:

- the soft-DTW divergence, value and gradient;
- the sharp soft-DTW divergence, value and gradient;
- the mean-cost divergence, value and gradient.

And ours alone: a Hessian-vector product of soft-DTW against a value and
gradient, per cell.
"""
import argparse
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from sksoftdtw import (
    mean_cost_divergence_value_and_grad,
    sharp_soft_dtw_divergence_value_and_grad,
    soft_dtw_divergence_value_and_grad,
    soft_dtw_hessian_product,
    soft_dtw_value_and_grad,
)


def _paired(a, b, repeat):
    """Median seconds of ``a`` and ``b`` called alternately, and the median of b / a."""
    a()
    b()  # compilation, caches
    ta, tb = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        a()
        t1 = time.perf_counter()
        b()
        t2 = time.perf_counter()
        ta.append(t1 - t0)
        tb.append(t2 - t1)
    return np.median(ta), np.median(tb), float(np.median(np.array(tb) / np.array(ta)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", default=None,
                        help="a checkout of google-research/soft-dtw-divergences")
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 512])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--gamma", type=float, default=1.0)
    args = parser.parse_args()
    if args.reference:
        sys.path.insert(0, args.reference)
    try:
        from sdtw_div import numba_ops as ref
    except ImportError:
        ref = None
        print("reference code not importable: our timings only")
    rng = np.random.default_rng(0)
    g = args.gamma
    print(f"{'n':>5} {'what':<34} {'A ns/cell':>10} {'B ns/cell':>10} {'B / A':>8}")
    with threadpool_limits(1):
        for n in args.lengths:
            x, y = rng.standard_normal((n, 1)), rng.standard_normal((n, 1))
            v = rng.standard_normal((n, 1))
            cells = n * n
            rows = [("Hessian product (A) / value+grad (B)",
                     lambda: soft_dtw_hessian_product(x, y, g, v),
                     lambda: soft_dtw_value_and_grad(x, y, g))]
            if ref is not None:  # their gamma / 2 on half our cost is our gamma
                rows += [
                    ("divergence v+g: ours (A), ref (B)",
                     lambda: soft_dtw_divergence_value_and_grad(x, y, g),
                     lambda: ref.sdtw_div_value_and_grad(x, y, gamma=g / 2)),
                    ("sharp divergence v+g: ours, ref",
                     lambda: sharp_soft_dtw_divergence_value_and_grad(x, y, g),
                     lambda: ref.sharp_sdtw_div_value_and_grad(x, y, gamma=g / 2)),
                    ("mean-cost divergence v+g: ours, ref",
                     lambda: mean_cost_divergence_value_and_grad(x, y),
                     lambda: ref.mean_cost_div_value_and_grad(x, y)),
                ]
            for what, a, b in rows:
                ta, tb, ratio = _paired(a, b, args.repeat)
                print(f"{n:>5} {what:<34} {ta / cells * 1e9:>10.2f} {tb / cells * 1e9:>10.2f} "
                      f"{ratio:>8.2f}")


if __name__ == "__main__":
    main()

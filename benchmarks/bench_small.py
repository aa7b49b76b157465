"""Time of one call on two short series: the per-call cost a Python loop pays.

Usage::

    python benchmarks/bench_small.py [--lengths 8 32] [--number 20000]

Microseconds per call, the best of seven repetitions of ``number`` calls;
aeon's ``dtw_distance`` is timed in the same run when installed.
"""
import argparse
import timeit

import numpy as np

from sksoftdtw import dtw, soft_dtw


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--number", type=int, default=20000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    try:
        from aeon.distances import dtw_distance
    except ImportError:
        dtw_distance = None
    print(f"{'length':>6} {'soft_dtw':>9} {'dtw':>9}" + (f" {'aeon dtw':>9}" if dtw_distance else ""))
    for n in args.lengths:
        x, y = rng.standard_normal(n), rng.standard_normal(n)
        calls = [lambda: soft_dtw(x, y, 1.0), lambda: dtw(x, y)]
        if dtw_distance is not None:
            dtw_distance(x, y)  # compilation
            calls.append(lambda: dtw_distance(x, y))
        times = [min(timeit.repeat(f, number=args.number, repeat=7)) / args.number * 1e6
                 for f in calls]
        print(f"{n:>6} " + " ".join(f"{t:>9.2f}" for t in times))


if __name__ == "__main__":
    main()

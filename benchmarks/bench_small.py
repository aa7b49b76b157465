"""Time of one call on one pair of series: the per-call cost a Python loop
pays, and the speed of one pair's hard DTW against the C libraries.

Usage::

    python benchmarks/bench_small.py [--lengths 8 32 100 300 1000] [--cells 2000000]

Microseconds per call and nanoseconds per cell of the dynamic program, the
best of seven repetitions of as many calls as make about ``cells`` cells,
one thread. aeon's ``dtw_distance`` and dtaidistance's C ``distance_fast``
(which returns the square root of the DTW sum: the same dynamic program) are
timed in the same run when installed.
"""
import argparse
import timeit

import numpy as np

from sksoftdtw import dtw, soft_dtw


def _peers():
    peers = {}
    try:
        from aeon.distances import dtw_distance
        peers["aeon dtw"] = dtw_distance
    except ImportError:
        pass
    try:
        from dtaidistance import dtw as dtai
        peers["dtaidistance"] = dtai.distance_fast
    except ImportError:
        pass
    return peers


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[8, 32, 100, 300, 1000])
    parser.add_argument("--cells", type=int, default=2_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    peers = _peers()
    names = ["soft_dtw", "dtw"] + list(peers)
    print("us per call (ns per cell), 1 thread")
    print(f"{'length':>6} " + " ".join(f"{name:>18}" for name in names))
    for n in args.lengths:
        x, y = rng.standard_normal(n), rng.standard_normal(n)
        calls = [lambda: soft_dtw(x, y, 1.0), lambda: dtw(x, y)] \
            + [lambda f=f: f(x, y) for f in peers.values()]
        number = max(1, args.cells // (n * n))
        cells = []
        for f in calls:
            f()  # compilation, caches
            t = min(timeit.repeat(f, number=number, repeat=7)) / number
            cells.append(f"{t * 1e6:9.2f} ({t / n / n * 1e9:5.2f})")
        print(f"{n:>6} " + " ".join(f"{c:>18}" for c in cells))


if __name__ == "__main__":
    main()

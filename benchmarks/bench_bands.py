"""Cost per admissible cell under each global constraint, one thread.

A constraint reaches the kernels as the range of admissible columns of each
row, whichever it is (Sakoe-Chiba band, Itakura parallelogram, both), so a
cell should cost the same under all of them. For each request the
constraints are timed in turn within every repetition (so that they share the
machine's state), and the report gives the median over repetitions of the
ratio of each one's time per admissible cell to the Sakoe-Chiba band's.

The band's radius is chosen so that it admits about as many cells as the
parallelogram (equal-work comparison); ``--radius-fraction`` adds a band of
that fraction of the length.

Usage::

    python benchmarks/bench_bands.py [--repeat 15] [--length 256]
"""
import argparse
import time

import numpy as np

from sksoftdtw import cdist_dtw, cdist_soft_dtw, soft_dtw, soft_dtw_batch
from sksoftdtw._plan import band_rows
from sksoftdtw.metrics import _check_band


def admissible_cells(n, m, radius, slope):
    rows = band_rows(n, m, _check_band(radius, slope))
    return n * m if rows is None else int(np.sum(rows[1::2] - rows[0::2]))


def equal_cells_radius(n, slope):
    """The Sakoe-Chiba radius whose band admits about the parallelogram's cells."""
    target = admissible_cells(n, n, None, slope)
    return min(range(n), key=lambda r: abs(admissible_cells(n, n, r, None) - target))


def requests(n, rng):
    """name -> (function of the constraint keywords, number of pairs)."""
    x, y = rng.standard_normal((n, 1)), rng.standard_normal((n, 1))
    X, Y = rng.standard_normal((64, n, 1)), rng.standard_normal((64, n, 1))
    C = rng.standard_normal((48, n, 1))
    return {
        "one pair, value": (lambda kw: soft_dtw(x, y, 1.0, **kw), 1),
        "batch, value + gradient": (
            lambda kw: soft_dtw_batch(X, Y, 1.0, return_grad="x", n_jobs=1, **kw), 64),
        "cdist_soft_dtw": (lambda kw: cdist_soft_dtw(C, C, 1.0, n_jobs=1, **kw), 48 * 48),
        "cdist_dtw": (lambda kw: cdist_dtw(C, C, n_jobs=1, **kw), 48 * 48),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--slope", type=float, default=2.0)
    parser.add_argument("--radius-fraction", type=float, default=0.1)
    args = parser.parse_args()
    n, slope = args.length, args.slope
    r_eq = equal_cells_radius(n, slope)
    r_frac = max(1, int(args.radius_fraction * n))
    constraints = {
        f"sakoe_chiba_radius={r_eq}": dict(sakoe_chiba_radius=r_eq),
        f"itakura_max_slope={slope:g}": dict(itakura_max_slope=slope),
        f"both ({r_frac}, {slope:g})": dict(sakoe_chiba_radius=r_frac, itakura_max_slope=slope),
        f"sakoe_chiba_radius={r_frac}": dict(sakoe_chiba_radius=r_frac),
    }
    cells = {name: admissible_cells(n, n, kw.get("sakoe_chiba_radius"),
                                    kw.get("itakura_max_slope"))
             for name, kw in constraints.items()}
    reference = next(iter(constraints))
    print(f"n = m = {n}, d = 1, one thread, {args.repeat} alternated repetitions; "
          "admissible cells per pair: "
          + ", ".join(f"{name}: {c}" for name, c in cells.items()))
    rng = np.random.default_rng(0)
    for request, (fn, n_pairs) in requests(n, rng).items():
        per_cell = {name: [] for name in constraints}
        for name, kw in constraints.items():
            fn(kw)  # warm-up
        for _ in range(args.repeat):
            for name, kw in constraints.items():
                t0 = time.perf_counter()
                fn(kw)
                per_cell[name].append((time.perf_counter() - t0) / (cells[name] * n_pairs))
        ref = np.array(per_cell[reference])
        print(f"\n## {request} (ns per admissible cell, median; ratio to {reference}: "
              "median of the per-repetition ratios)")
        for name, times in per_cell.items():
            times = np.array(times)
            print(f"{name:>28}: {np.median(times) * 1e9:7.2f} ns   "
                  f"ratio {np.median(times / ref):.3f}")


if __name__ == "__main__":
    main()

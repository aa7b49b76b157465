"""Cost per admissible cell under each global constraint, one thread.

A constraint reaches the kernels as the range of admissible columns of each
row, whichever it is (Sakoe-Chiba band, Itakura parallelogram, both), so a
cell should cost the same under all of them. For each request the
constraints are timed in turn within every repetition (so that they share the
machine's state), and the report gives the median over repetitions of the
ratio of the time per admissible cell of the parallelogram, and of its
intersection with a band of ``--radius-fraction`` of the length, to that of
the Sakoe-Chiba band admitting about as many cells (equal-work comparisons:
costs per pair that do not depend on the band weigh the same on both sides).

Usage::

    python benchmarks/bench_bands.py [--repeat 15] [--length 256]
"""
import argparse
import time

import numpy as np

from sksoftdtw import cdist_dtw, cdist_soft_dtw, soft_dtw, soft_dtw_batch
from sksoftdtw._engine.planner import band_rows
from sksoftdtw._engine.planner import as_band as _check_band


def admissible_cells(n, m, radius, slope):
    rows = band_rows(n, m, _check_band(radius, slope))
    return n * m if rows is None else int(np.sum(rows[1::2] - rows[0::2]))


def equal_cells_radius(n, target):
    """The Sakoe-Chiba radius whose band admits about ``target`` cells."""
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
    r_frac = max(1, int(args.radius_fraction * n))
    r_ita = equal_cells_radius(n, admissible_cells(n, n, None, slope))
    r_both = equal_cells_radius(n, admissible_cells(n, n, r_frac, slope))
    constraints = {
        f"itakura_max_slope={slope:g}": dict(itakura_max_slope=slope),
        f"sakoe_chiba_radius={r_ita}": dict(sakoe_chiba_radius=r_ita),
        f"both ({r_frac}, {slope:g})": dict(sakoe_chiba_radius=r_frac, itakura_max_slope=slope),
        f"sakoe_chiba_radius={r_both}": dict(sakoe_chiba_radius=r_both),
    }
    names = list(constraints)
    reference = {names[0]: names[1], names[2]: names[3]}  # equal work
    cells = {name: admissible_cells(n, n, kw.get("sakoe_chiba_radius"),
                                    kw.get("itakura_max_slope"))
             for name, kw in constraints.items()}
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
        print(f"\n## {request} (ns per admissible cell, median; ratio to the band of "
              "equal cells: median of the per-repetition ratios)")
        for name, times in per_cell.items():
            times = np.array(times)
            ratio = ""
            if name in reference:
                ratio = f"   ratio {np.median(times / np.array(per_cell[reference[name]])):.3f}"
            print(f"{name:>28}: {np.median(times) * 1e9:7.2f} ns{ratio}")


if __name__ == "__main__":
    main()

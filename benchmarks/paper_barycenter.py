"""Soft-DTW barycenters against DBA and the subgradient method (Cuturi & Blondel, 2017, Table 1).

Protocol of the paper's Section 5.1: for every dataset and every repetition
(seed), draw one class of the training split at random and 10 series of it;
compute their barycenter with soft-DTW (gamma in {1, 0.1, 0.01, 0.001}), DBA
and the subgradient method, each at most ``--max-iter`` iterations, from the
random and from the Euclidean-mean initialization (the same starting point
for the three methods). Every barycenter is scored by the DTW loss: the mean
over the series of hard DTW to the barycenter, each divided by the series'
length (the objective at gamma = 0). The summary is the percentage of datasets
where soft-DTW's loss, averaged over the repetitions, is lower than DBA's
(resp. the subgradient method's), next to the paper's figures.

Usage::

    python benchmarks/paper_barycenter.py DATA_DIR [--datasets A,B] [--seeds 10]
        [--max-iter 100] [--n-jobs 1] [--out results.csv]
    python benchmarks/paper_barycenter.py --from-csv part1.csv,part2.csv

``DATA_DIR`` holds UCR datasets in the layout read by
:func:`sksoftdtw.datasets.load_ucr`. Progress goes to stderr, the summary
table to stdout, the per-run results to the CSV file ``--out``. Disjoint
``--datasets`` lists can run in parallel processes; ``--from-csv`` then
summarizes their CSV files together.
"""
import argparse
import csv
import math
import sys
import time
import warnings
from collections import defaultdict

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sksoftdtw._barycenter import _dba, _dtw_subgradient, _softdtw_barycenter
from sksoftdtw.datasets import list_ucr, load_ucr
from sksoftdtw.metrics import soft_dtw_batch

GAMMAS = (1.0, 0.1, 0.01, 0.001)
INITS = ("random", "euclidean")
N_SERIES = 10

# Table 1 of Cuturi & Blondel (2017): percentage of datasets on which the
# soft-DTW barycenter reaches a lower DTW loss, per (competitor, init, gamma).
PAPER = {
    ("dba", "random"): {1.0: 40.51, 0.1: 93.67, 0.01: 100.0, 0.001: 97.47},
    ("dba", "euclidean"): {1.0: 3.80, 0.1: 46.83, 0.01: 79.75, 0.001: 89.87},
    ("subgradient", "random"): {1.0: 96.20, 0.1: 97.47, 0.01: 97.47, 0.001: 97.47},
    ("subgradient", "euclidean"): {1.0: 35.44, 0.1: 72.15, 0.01: 92.41, 0.001: 97.47},
}

FIELDS = ("dataset", "seed", "label", "n_series", "length", "init", "method", "gamma",
          "dtw_loss", "n_iter", "time_s")


def dtw_loss(Z, X, n_jobs=None):
    """Mean over the series of X of DTW(Z, x) / len(x): the objective at gamma = 0."""
    values = soft_dtw_batch(np.broadcast_to(Z, (len(X),) + Z.shape), X, 0.0, n_jobs=n_jobs)
    return float(np.mean(values / X.shape[1]))


def _pick_series(X, y, rng):
    """Up to N_SERIES series of one class drawn at random (classes with >= 2 series)."""
    labels, counts = np.unique(y, return_counts=True)
    label = rng.choice(labels[counts >= 2])
    idx = np.flatnonzero(y == label)
    idx = rng.choice(idx, size=min(N_SERIES, len(idx)), replace=False)
    return label, X[np.sort(idx)]


def _methods(max_iter, n_jobs):
    """(method, gamma, solver) triples; a solver maps (X, init, seed) to a result."""
    common = dict(max_iter=max_iter, n_jobs=n_jobs)
    out = [("dba", None, lambda X, init, seed: _dba(
               X, init=init, random_state=seed, warn=False, **common)),
           ("subgradient", None, lambda X, init, seed: _dtw_subgradient(
               X, init=init, random_state=seed, **common))]
    for gamma in GAMMAS:
        out.append(("softdtw", gamma, lambda X, init, seed, gamma=gamma: _softdtw_barycenter(
            X, gamma, init=init, random_state=seed, warn=False, **common)))
    return out


def run(data_dir, *, datasets=None, seeds=10, max_iter=100, n_jobs=None, progress=True):
    """Run the protocol; return one dict per barycenter computed (keys: FIELDS).

    Parameters
    ----------
    data_dir : str or path-like
        Directory of UCR datasets.
    datasets : list of str, default=None
        Dataset names; ``None`` means every dataset of `data_dir`.
    seeds : int, default=10
        Repetitions per dataset; repetition ``s`` uses seed ``s`` for the
        choice of class and series and for the random initialization.
    max_iter : int, default=100
        Iteration budget of every method.
    n_jobs : int, default=None
        Kernel threads.
    progress : bool, default=True
        Print one line per dataset and repetition to stderr.

    Returns
    -------
    rows : list of dict
    """
    names = list_ucr(data_dir) if datasets is None else list(datasets)
    methods = _methods(max_iter, n_jobs)
    rows = []
    start = time.perf_counter()
    for d_idx, name in enumerate(names):
        X_train, y_train, _, _ = load_ucr(name, data_dir)
        for seed in range(seeds):
            rng = np.random.RandomState(seed)
            label, X = _pick_series(X_train, y_train, rng)
            for init in INITS:
                for method, gamma, solve in methods:
                    t0 = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        result = solve(X, init, seed)
                    elapsed = time.perf_counter() - t0
                    rows.append(dict(
                        dataset=name, seed=seed, label=label.item(), n_series=len(X),
                        length=X.shape[1], init=init, method=method,
                        gamma="" if gamma is None else gamma,
                        dtw_loss=dtw_loss(result.barycenter, X, n_jobs),
                        n_iter=result.n_iter, time_s=round(elapsed, 4)))
            if progress:
                print(f"[{d_idx + 1}/{len(names)}] {name} seed {seed}: "
                      f"{time.perf_counter() - start:.0f}s elapsed", file=sys.stderr, flush=True)
    return rows


def summarize(rows):
    """Percentage of datasets where soft-DTW beats each competitor, with the paper's.

    Losses are first averaged over the repetitions of each dataset.

    Returns
    -------
    summary : list of dict
        One per (competitor, init, gamma): keys ``competitor``, ``init``,
        ``gamma``, ``ours`` (percentage), ``paper``, ``n_datasets``.
    """
    losses = defaultdict(list)
    for r in rows:
        gamma = None if r["gamma"] in ("", None) else float(r["gamma"])
        losses[(r["dataset"], r["init"], r["method"], gamma)].append(float(r["dtw_loss"]))
    mean = {key: float(np.mean(v)) for key, v in losses.items()}
    datasets = sorted({r["dataset"] for r in rows})
    summary = []
    for (competitor, init), paper in PAPER.items():
        for gamma in GAMMAS:
            wins = [mean[(d, init, "softdtw", gamma)] < mean[(d, init, competitor, None)]
                    for d in datasets if (d, init, "softdtw", gamma) in mean]
            summary.append(dict(competitor=competitor, init=init, gamma=gamma,
                                ours=100.0 * np.mean(wins) if wins else math.nan,
                                paper=paper[gamma], n_datasets=len(wins)))
    return summary


def format_table(summary):
    """The summary as a text table: rows gamma, columns competitor x init."""
    cols = list(PAPER)
    by_key = {(s["competitor"], s["init"], s["gamma"]): s for s in summary}
    n = max(s["n_datasets"] for s in summary)
    head = "gamma  " + "".join(f"| {c} ({i}) ours / paper".ljust(36) for c, i in cols)
    lines = [f"Soft-DTW barycenter reaches a lower DTW loss on this % of {n} datasets",
             head, "-" * len(head)]
    for gamma in GAMMAS:
        cells = []
        for c, i in cols:
            s = by_key[(c, i, gamma)]
            cells.append(f"| {s['ours']:6.2f} / {s['paper']:6.2f}".ljust(36))
        lines.append(f"{gamma:<7g}" + "".join(cells))
    return "\n".join(lines)


def read_csv(paths):
    """Per-run rows from CSV files written by this script (e.g. parallel runs)."""
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            rows.extend(csv.DictReader(f))
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", help="directory of UCR datasets")
    parser.add_argument("--datasets", help="comma-separated names (default: all in DATA_DIR)")
    parser.add_argument("--seeds", type=int, default=10, help="repetitions per dataset")
    parser.add_argument("--max-iter", type=int, default=100, help="iterations of every method")
    parser.add_argument("--n-jobs", type=int, default=None, help="kernel threads")
    parser.add_argument("--out", default="paper_barycenter_results.csv",
                        help="CSV file of the per-run results")
    parser.add_argument("--from-csv", help="comma-separated CSV files of earlier runs: "
                        "print their summary table and run nothing")
    args = parser.parse_args(argv)
    if args.from_csv:
        print(format_table(summarize(read_csv(args.from_csv.split(",")))))
        return
    if args.data_dir is None:
        parser.error("DATA_DIR is required unless --from-csv is given")
    datasets = args.datasets.split(",") if args.datasets else None
    start = time.perf_counter()
    rows = run(args.data_dir, datasets=datasets, seeds=args.seeds, max_iter=args.max_iter,
               n_jobs=args.n_jobs)
    write_csv(rows, args.out)
    print(format_table(summarize(rows)))
    print(f"\n{len(rows)} barycenters in {time.perf_counter() - start:.0f}s; "
          f"per-run results in {args.out}")


if __name__ == "__main__":
    main()

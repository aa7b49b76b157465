"""Soft-DTW k-means against DBA and subgradient k-means (Cuturi & Blondel, 2017, Table 2).

Protocol of the paper's Section 5.3: for every dataset, cluster the training
split into k = (number of classes) clusters with Lloyd's algorithm, whose
update step is the soft-DTW barycenter (gamma in {1, 0.1, 0.01, 0.001}), DBA
or the subgradient method, from two initializations shared by all methods.
Every result is scored by the hard-DTW k-means loss of its centroids,
sum_j min_i DTW(X_j, C_i), whatever the method optimised. The summary is the
percentage of datasets where soft-DTW k-means reaches a lower loss than DBA
k-means (resp. subgradient k-means), next to the paper's figures.

Choices the paper leaves open, made here:

- initializations: ``random`` takes k distinct training series drawn at
  random (Forgy); ``euclidean`` takes the centroids of Euclidean k-means
  (:class:`sklearn.cluster.KMeans`, 10 restarts) of the same series, i.e.
  starts every DTW method from the Euclidean-mean solution. Both depend on
  ``--seed`` only, so all methods start from the same centroids;
- assignments use soft-DTW with the same gamma for soft-DTW k-means and hard
  DTW for the baselines; each update is warm-started from the current
  centroid (:func:`sksoftdtw.dtw_kmeans`);
- budgets: at most ``--max-iter`` Lloyd iterations (default 10) and
  ``--max-iter-barycenter`` iterations of every barycenter update (default
  30), the same for the three methods; every method stops earlier when its
  own objective changes by less than ``--tol`` (relative, default 1e-4)
  between two iterations;
- large training splits are subsampled (``--max-train``, stratified, at
  least 2 series per cluster kept); the CSV records the sizes used.

Usage::

    python benchmarks/paper_kmeans.py DATA_DIR [--datasets A,B] [--out results.csv]
        [--max-train 100] [--max-iter 10] [--max-iter-barycenter 30] [--tol 1e-4]
        [--workers 1] [--n-jobs 1] [--seed 0]

``DATA_DIR`` holds UCR datasets in the layout read by
:func:`sksoftdtw.datasets.load_ucr`. Progress goes to stderr, the summary
table to stdout, the per-run results to the CSV file ``--out``.
"""
import argparse
import csv
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.model_selection import train_test_split

from sksoftdtw._kmeans import dtw_kmeans
from sksoftdtw.datasets import list_ucr, load_ucr
from sksoftdtw.metrics import cdist_dtw

GAMMAS = (1.0, 0.1, 0.01, 0.001)
INITS = ("random", "euclidean")
COMPETITORS = ("dba", "subgradient")

# Table 2 of Cuturi & Blondel (2017): percentage of datasets on which soft-DTW
# k-means reaches a lower DTW k-means loss, per (competitor, init, gamma).
PAPER = {
    ("dba", "random"): {1.0: 15.78, 0.1: 24.56, 0.01: 59.64, 0.001: 77.19},
    ("dba", "euclidean"): {1.0: 29.31, 0.1: 24.13, 0.01: 55.17, 0.001: 68.97},
    ("subgradient", "random"): {1.0: 42.10, 0.1: 57.89, 0.01: 76.43, 0.001: 96.49},
    ("subgradient", "euclidean"): {1.0: 46.44, 0.1: 50.00, 0.01: 65.52, 0.001: 84.48},
}

FIELDS = ("dataset", "n_train", "n_used", "length", "k", "init", "method", "gamma",
          "dtw_loss", "inertia", "n_iter", "time_s")


def dtw_kmeans_loss(X, centers, n_jobs=None):
    """Hard-DTW k-means loss: sum over series of DTW (squared units) to the nearest centroid."""
    return float(cdist_dtw(X, centers, n_jobs=n_jobs).min(axis=1).sum())


def subsample(X, y, max_train, k, seed):
    """Stratified subsample of at most ``max(max_train, 2 k)`` series."""
    n_keep = max(max_train, 2 * k)
    if len(X) <= n_keep:
        return X, y
    try:
        X, _, y, _ = train_test_split(X, y, train_size=n_keep, stratify=y,
                                      random_state=seed)
    except ValueError:  # a class too small to stratify
        X, _, y, _ = train_test_split(X, y, train_size=n_keep, random_state=seed)
    return X, y


def initial_centroids(X, k, init, seed):
    """Starting centroids shared by every method, shape (k, sz, d)."""
    if init == "random":
        idx = np.random.RandomState(seed).choice(len(X), k, replace=False)
        return X[np.sort(idx)].copy()
    km = KMeans(k, n_init=10, random_state=seed).fit(X.reshape(len(X), -1))
    return km.cluster_centers_.reshape((k,) + X.shape[1:])


def _methods():
    out = [(c, None) for c in COMPETITORS]
    return out + [("softdtw", g) for g in GAMMAS]


def run_dataset(name, data_dir, *, max_train=100, max_iter=10, max_iter_barycenter=30,
                tol=1e-4, seed=0, n_jobs=None):
    """All runs on one dataset; one dict per (init, method, gamma) (keys: FIELDS)."""
    X_all, y_all, _, _ = load_ucr(name, data_dir)
    if np.isnan(X_all).any():
        raise ValueError(f"{name}: variable-length series are not part of this protocol")
    k = len(np.unique(y_all))
    X, _ = subsample(X_all, y_all, max_train, k, seed)
    rows = []
    for init in INITS:
        C0 = initial_centroids(X, k, init, seed)
        for method, gamma in _methods():
            t0 = time.perf_counter()
            centers, _, inertia, n_iter = dtw_kmeans(
                X, k, averaging=method, gamma=1.0 if gamma is None else gamma, init=C0,
                max_iter=max_iter, tol=tol, max_iter_barycenter=max_iter_barycenter,
                n_jobs=n_jobs, return_n_iter=True)
            elapsed = time.perf_counter() - t0
            rows.append(dict(
                dataset=name, n_train=len(X_all), n_used=len(X), length=X.shape[1], k=k,
                init=init, method=method, gamma="" if gamma is None else gamma,
                dtw_loss=dtw_kmeans_loss(X, centers, n_jobs), inertia=inertia,
                n_iter=n_iter, time_s=round(elapsed, 3)))
    return rows


def run(data_dir, *, datasets=None, out=None, max_train=100, max_iter=10,
        max_iter_barycenter=30, tol=1e-4, seed=0, workers=1, n_jobs=None, progress=True):
    """Run the protocol on every dataset; return one dict per k-means run.

    Parameters
    ----------
    data_dir : str or path-like
        Directory of UCR datasets (2018 ``.tsv`` layout or any layout read by
        :func:`sksoftdtw.datasets.load_ucr`).
    datasets : list of str, default=None
        Dataset names; ``None`` means every dataset of `data_dir`.
    out : str or path-like, default=None
        CSV file for the per-run results, rewritten after every dataset.
    max_train : int, default=100
        Training splits larger than ``max(max_train, 2 k)`` are subsampled
        (stratified) to that size.
    max_iter, max_iter_barycenter : int, default=10, 30
        Lloyd iterations, and iterations of every barycenter update.
    tol : float, default=1e-4
        Relative tolerance of Lloyd's loop (see :func:`sksoftdtw.dtw_kmeans`).
    seed : int, default=0
        Seeds the subsampling and the initializations.
    workers : int, default=1
        Datasets processed in parallel (processes).
    n_jobs : int, default=None
        Kernel threads of each process.
    progress : bool, default=True
        One line per finished dataset on stderr.

    Returns
    -------
    rows : list of dict
        Keys: FIELDS.
    """
    names = list_ucr(data_dir) if datasets is None else list(datasets)
    kw = dict(max_train=max_train, max_iter=max_iter,
              max_iter_barycenter=max_iter_barycenter, tol=tol, seed=seed, n_jobs=n_jobs)
    rows = []
    start = time.perf_counter()
    for done, (name, new) in enumerate(_results(names, data_dir, kw, workers), 1):
        if isinstance(new, ValueError):
            print(f"skipping {name}: {new}", file=sys.stderr, flush=True)
            continue
        rows.extend(new)
        if out is not None:
            write_csv(rows, out)
        if progress:
            r = new[0]
            spent = sum(x["time_s"] for x in new)
            print(f"[{done}/{len(names)}] {name} (n={r['n_used']}/{r['n_train']}, "
                  f"sz={r['length']}, k={r['k']}): {spent:.0f}s of runs, "
                  f"{time.perf_counter() - start:.0f}s elapsed", file=sys.stderr, flush=True)
    order = {name: i for i, name in enumerate(names)}
    rows.sort(key=lambda r: order[r["dataset"]])
    if out is not None:
        write_csv(rows, out)
    return rows


def _results(names, data_dir, kw, workers):
    """Yield ``(name, rows)`` per dataset as they finish (``rows`` may be a ValueError)."""
    def attempt(fn):
        try:
            return fn()
        except ValueError as exc:  # e.g. a variable-length dataset
            return exc

    if workers == 1:
        for name in names:
            yield name, attempt(partial(run_dataset, name, data_dir, **kw))
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Largest files first, so that the last dataset to finish is a short one.
        futures = {pool.submit(run_dataset, name, data_dir, **kw): name
                   for name in sorted(names, key=lambda n: -_size(data_dir, n))}
        for future in as_completed(futures):
            yield futures[future], attempt(future.result)


def _size(data_dir, name):
    files = list(Path(data_dir, name).glob(f"{name}_TRAIN*"))
    return files[0].stat().st_size if files else 0


def summarize(rows):
    """Percentage of datasets where soft-DTW k-means beats each competitor.

    Returns
    -------
    summary : list of dict
        One per (competitor, init, gamma): keys ``competitor``, ``init``,
        ``gamma``, ``ours`` (percentage), ``paper``, ``n_datasets``.
    """
    loss = {}
    for r in rows:
        gamma = None if r["gamma"] in ("", None) else float(r["gamma"])
        loss[(r["dataset"], r["init"], r["method"], gamma)] = float(r["dtw_loss"])
    datasets = sorted({r["dataset"] for r in rows})
    summary = []
    for (competitor, init), paper in PAPER.items():
        for gamma in GAMMAS:
            wins = [loss[(d, init, "softdtw", gamma)] < loss[(d, init, competitor, None)]
                    for d in datasets if (d, init, "softdtw", gamma) in loss
                    and (d, init, competitor, None) in loss]
            summary.append(dict(competitor=competitor, init=init, gamma=gamma,
                                ours=100.0 * np.mean(wins) if wins else math.nan,
                                paper=paper[gamma], n_datasets=len(wins)))
    return summary


def format_table(summary):
    """The summary as a text table: rows gamma, columns competitor x init."""
    cols = list(PAPER)
    by_key = {(s["competitor"], s["init"], s["gamma"]): s for s in summary}
    n = max(s["n_datasets"] for s in summary)
    titles = [f"| vs {c} ({i}) ours / paper" for c, i in cols]
    width = max(map(len, titles)) + 2
    head = "gamma  " + "".join(t.ljust(width) for t in titles)
    lines = [f"Soft-DTW k-means reaches a lower DTW k-means loss on this % of {n} datasets",
             head, "-" * len(head)]
    for gamma in GAMMAS:
        cells = [f"| {by_key[(c, i, gamma)]['ours']:6.2f} / "
                 f"{by_key[(c, i, gamma)]['paper']:6.2f}".ljust(width) for c, i in cols]
        lines.append(f"{gamma:<7g}" + "".join(cells))
    return "\n".join(lines)


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", help="directory of UCR datasets")
    parser.add_argument("--datasets", help="comma-separated names (default: all in DATA_DIR)")
    parser.add_argument("--out", default="paper_kmeans_results.csv",
                        help="CSV file of the per-run results")
    parser.add_argument("--max-train", type=int, default=100,
                        help="subsample larger training splits to this size (>= 2k)")
    parser.add_argument("--max-iter", type=int, default=10, help="Lloyd iterations")
    parser.add_argument("--max-iter-barycenter", type=int, default=30,
                        help="iterations of every barycenter update")
    parser.add_argument("--tol", type=float, default=1e-4,
                        help="relative tolerance of Lloyd's loop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="datasets in parallel")
    parser.add_argument("--n-jobs", type=int, default=None, help="kernel threads per worker")
    args = parser.parse_args(argv)
    datasets = args.datasets.split(",") if args.datasets else None
    start = time.perf_counter()
    rows = run(args.data_dir, datasets=datasets, out=args.out, max_train=args.max_train,
               max_iter=args.max_iter, max_iter_barycenter=args.max_iter_barycenter,
               tol=args.tol, seed=args.seed, workers=args.workers, n_jobs=args.n_jobs)
    print(format_table(summarize(rows)))
    sizes = {r["dataset"]: (r["n_used"], r["n_train"]) for r in rows}
    sub = [f"{d} ({u}/{n})" for d, (u, n) in sizes.items() if u < n]
    print(f"\nTraining splits subsampled (series used / available): {len(sub)} of "
          f"{len(sizes)} datasets: " + ", ".join(sub))
    print(f"{len(rows)} k-means runs on {len({r['dataset'] for r in rows})} datasets in "
          f"{time.perf_counter() - start:.0f}s; per-run results in {args.out}")


if __name__ == "__main__":
    main()

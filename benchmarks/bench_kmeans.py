"""Speed of SoftDTWKMeans against tslearn's TimeSeriesKMeans(metric="softdtw").

Both estimators run soft-DTW k-means with the same gamma, number of clusters,
starting centroids (k training series drawn at random), Lloyd iteration cap
(``tol=0``) and barycenter iteration cap. SoftDTWKMeans stops before the cap
when its assignments and its converged barycenters no longer change (it does
not solve the same barycenter problem again); tslearn always runs the cap.
tslearn is therefore timed twice: with as many Lloyd iterations as
SoftDTWKMeans used ("same iters"), and with the full cap. All fitted models
are scored the same way, with this package's kernels:

- soft-DTW objective: sum over series of soft-DTW (``gamma``) to the nearest
  centroid, what both minimise;
- DTW objective: the same with hard DTW (squared units).

tslearn compiles its numba functions on first use; a warm-up fit on tiny data
runs before any timing. Each fit is timed ``--repeat`` times and the best time
is kept.

Usage::

    python benchmarks/bench_kmeans.py [--datasets GunPoint,Coffee,ItalyPowerDemand]
        [--data-dir DIR] [--gamma 0.1] [--max-iter 10] [--max-iter-barycenter 30]
        [--n-jobs 1] [--repeat 1]

Without ``--data-dir`` the datasets bundled with the package are used.
"""
import argparse
import time
import warnings

import numpy as np
from sklearn.metrics import adjusted_rand_score

from sksoftdtw import cdist_dtw, cdist_soft_dtw
from sksoftdtw.clustering import SoftDTWKMeans
from sksoftdtw.datasets import load_dataset, load_ucr


def _best_time(fit, repeat):
    best, model = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = fit()
        best = min(best, time.perf_counter() - t0)
    return best, model


def _objectives(X, centers, gamma, n_jobs):
    soft = cdist_soft_dtw(X, centers, gamma, n_jobs=n_jobs).min(axis=1).sum()
    hard = cdist_dtw(X, centers, n_jobs=n_jobs).min(axis=1).sum()
    return float(soft), float(hard)


def bench(X, k, *, gamma=0.1, max_iter=10, max_iter_barycenter=30, n_jobs=1, repeat=1,
          seed=0):
    """Fit both estimators from the same centroids; return a dict of timings and scores."""
    from tslearn.clustering import TimeSeriesKMeans

    init = X[np.sort(np.random.RandomState(seed).choice(len(X), k, replace=False))]
    ours_t, ours = _best_time(lambda: SoftDTWKMeans(
        k, gamma=gamma, init=init, max_iter=max_iter, tol=0.0,
        max_iter_barycenter=max_iter_barycenter, n_jobs=n_jobs).fit(X), repeat)

    def tslearn_fit(n_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return TimeSeriesKMeans(
                k, metric="softdtw", metric_params={"gamma": gamma}, init=init.copy(),
                max_iter=n_iter, tol=0.0, max_iter_barycenter=max_iter_barycenter,
                n_jobs=n_jobs).fit(X)

    out = dict(ours_s=ours_t, ours_iter=ours.n_iter_,
               ours=_objectives(X, ours.cluster_centers_, gamma, n_jobs))
    for key, n_iter in [("same", ours.n_iter_), ("cap", max_iter)]:
        t, model = _best_time(lambda n_iter=n_iter: tslearn_fit(n_iter), repeat)
        out[key + "_s"] = t
        out[key] = _objectives(X, model.cluster_centers_, gamma, n_jobs)
        out[key + "_ari"] = adjusted_rand_score(ours.labels_, model.labels_)
    return out


def _warm_up():
    from tslearn.clustering import TimeSeriesKMeans

    X = np.random.RandomState(0).normal(size=(6, 8, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        TimeSeriesKMeans(2, metric="softdtw", max_iter=2, max_iter_barycenter=2,
                         random_state=0).fit(X)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="GunPoint,Coffee,ItalyPowerDemand")
    parser.add_argument("--data-dir", help="UCR directory (default: bundled datasets)")
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--max-iter", type=int, default=10)
    parser.add_argument("--max-iter-barycenter", type=int, default=30)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    _warm_up()
    print(f"gamma={args.gamma}, max_iter={args.max_iter}, "
          f"max_iter_barycenter={args.max_iter_barycenter}, n_jobs={args.n_jobs}; "
          "objectives: soft-DTW | DTW, lower is better")
    head = (f"{'dataset':<18}{'n x sz, k':>14}{'ours: s, iters':>16}"
            f"{'tslearn same iters: s, speedup':>32}{'tslearn cap: s, speedup':>26}"
            f"{'ours':>22}{'tslearn same iters':>22}{'tslearn cap':>22}")
    print(head)
    print("-" * len(head))
    for name in args.datasets.split(","):
        if args.data_dir:
            X, y, _, _ = load_ucr(name, args.data_dir)
        else:
            X, y, _, _ = load_dataset(name)
        k = len(np.unique(y))
        r = bench(X, k, gamma=args.gamma, max_iter=args.max_iter,
                  max_iter_barycenter=args.max_iter_barycenter, n_jobs=args.n_jobs,
                  repeat=args.repeat)
        cells = [f"{len(X)} x {X.shape[1]}, {k}", f"{r['ours_s']:.2f}, {r['ours_iter']}",
                 f"{r['same_s']:.2f}, {r['same_s'] / r['ours_s']:.1f}x",
                 f"{r['cap_s']:.2f}, {r['cap_s'] / r['ours_s']:.1f}x"]
        objs = [f"{soft:.5g} | {hard:.4g}" for soft, hard in (r["ours"], r["same"], r["cap"])]
        print(f"{name:<18}{cells[0]:>14}{cells[1]:>16}{cells[2]:>32}{cells[3]:>26}"
              f"{objs[0]:>22}{objs[1]:>22}{objs[2]:>22}", flush=True)


if __name__ == "__main__":
    main()

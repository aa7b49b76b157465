"""Speed of DBA, one barycenter and DBA k-means, against tslearn and aeon.

- **Barycenter:** the training series of the largest class of each dataset,
  averaged from their Euclidean mean. sksoftdtw's
  :func:`~sksoftdtw.barycenters.dtw_barycenter_averaging` runs with ``tol=0`` (it stops at
  the fixed point, where an iteration no longer decreases the loss); tslearn's
  ``dtw_barycenter_averaging`` and aeon's ``petitjean_barycenter_average`` run
  as many iterations.
- **k-means:** ``DTWKMeans(averaging="dba")`` with k the number of classes,
  the same k training series as starting centroids, ``tol=0`` and caps on the
  Lloyd and DBA iterations; tslearn's ``TimeSeriesKMeans(metric="dtw")`` and
  aeon's ``TimeSeriesKMeans(distance="dtw", averaging_method="ba")`` run as
  many Lloyd iterations with the same DBA cap (aeon restarts each DBA from
  the mean of the cluster, the others from the current centroid).

Every result is scored with this package's kernels: the DTW loss (squared
units) of the barycenter, averaged over the series, and the k-means objective
(sum over the series of the DTW to the nearest centroid). tslearn and aeon
compile their numba functions on first use: a warm-up on tiny data runs before
any timing; each run is timed ``--repeat`` times and the best time kept, the
libraries taking turns. aeon runs in a subprocess of ``--aeon-python`` (a
Python with aeon installed, e.g. a virtual environment), timed inside it,
with ``NUMBA_NUM_THREADS`` set to ``--n-jobs``.

Usage::

    python benchmarks/bench_dba.py [--data-dir DIR] [--datasets GunPoint,Coffee]
        [--max-iter 30] [--max-iter-kmeans 10] [--repeat 3] [--n-jobs 1]
        [--aeon-python /path/to/python] [--sections barycenter,kmeans]

Without ``--data-dir`` the datasets bundled with the package are used.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings

import numpy as np

from sksoftdtw import DTWKMeans, cdist_dtw, dtw_barycenter_averaging
from sksoftdtw.barycenters._dba import solve_dba
from sksoftdtw.datasets import load_dataset, load_ucr

# Run by the aeon interpreter: warm numba up, then time the fits on the data
# of the file given; writes the results next to it.
AEON_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    from aeon.clustering import TimeSeriesKMeans
    from aeon.clustering.averaging import petitjean_barycenter_average

    path = sys.argv[1]
    data = np.load(path)
    spec = json.loads(str(data["spec"]))
    X = data["X"][:, None, :]  # aeon takes (n_cases, n_channels, n_timepoints)
    init = data["init"]

    def fit():
        if spec["section"] == "barycenter":
            return petitjean_barycenter_average(
                X, distance="dtw", max_iters=spec["max_iter"], tol=0.0,
                init_barycenter=init[None], n_jobs=spec["n_jobs"])[0]
        return TimeSeriesKMeans(
            n_clusters=len(init), init=init[:, None, :], distance="dtw",
            averaging_method="ba", n_init=1, max_iter=spec["max_iter"], tol=0.0,
            average_params={"max_iters": spec["max_iter_barycenter"], "tol": 0.0},
            n_jobs=spec["n_jobs"]).fit(X).cluster_centers_[:, 0, :]

    rng = np.random.default_rng(0)
    small = rng.standard_normal((4, 1, 8))
    petitjean_barycenter_average(small, distance="dtw", max_iters=2)
    TimeSeriesKMeans(n_clusters=2, distance="dtw", averaging_method="ba", n_init=1,
                     max_iter=2, random_state=0).fit(small)
    times = []
    for _ in range(spec["repeat"]):
        t0 = time.perf_counter()
        out = fit()
        times.append(time.perf_counter() - t0)
    np.save(path + ".out.npy", out)
    print(json.dumps(min(times)))
""")


def _aeon(python, section, X, init, repeat, n_jobs, max_iter, max_iter_barycenter=0):
    """(best time, result) of aeon on these data, in a subprocess."""
    spec = dict(section=section, repeat=repeat, n_jobs=n_jobs, max_iter=max_iter,
                max_iter_barycenter=max_iter_barycenter)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.npz")
        np.savez(path, X=X, init=init, spec=json.dumps(spec))
        # numba's parallel loops otherwise start a thread per core whatever
        # n_jobs says (on a loaded machine, 500 times slower than one thread)
        env = dict(os.environ, NUMBA_NUM_THREADS=str(n_jobs))
        out = subprocess.run([python, "-c", AEON_SCRIPT, path], check=True,
                             capture_output=True, text=True, env=env)
        return json.loads(out.stdout.strip().splitlines()[-1]), np.load(path + ".out.npy")


def _best_time(func, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _dtw_loss(Z, X, n_jobs):
    return float(cdist_dtw(X, Z[None], n_jobs=n_jobs).mean())


def _kmeans_objective(centers, X, n_jobs):
    return float(cdist_dtw(X, centers, n_jobs=n_jobs).min(axis=1).sum())


def bench_barycenter(X, args):
    """Times and losses of one DBA barycenter of ``X`` by each library."""
    from tslearn.barycenters import dtw_barycenter_averaging as tslearn_dba

    init = X.mean(axis=0)
    # the iterations ours takes to its fixed point (or the cap)
    n_iter = solve_dba(X, init=init, max_iter=args.max_iter, tol=0.0, warn=False).n_iter
    runs = {
        "sksoftdtw": lambda: dtw_barycenter_averaging(X, init=init, max_iter=n_iter, tol=0.0,
                                                      n_jobs=args.n_jobs),
        "tslearn": lambda: tslearn_dba(X, init_barycenter=init, max_iter=n_iter, tol=0.0,
                                       n_jobs=args.n_jobs).ravel(),
    }
    out = _run_all(runs, args)
    if args.aeon_python:
        out["aeon"] = _aeon(args.aeon_python, "barycenter", X, init, args.repeat, args.n_jobs,
                            n_iter)
    return n_iter, {name: (t, _dtw_loss(np.reshape(Z, (-1, 1)), X, args.n_jobs))
                    for name, (t, Z) in out.items()}


def bench_kmeans(X, k, args):
    """Times and objectives of DBA k-means of ``X`` by each library."""
    from tslearn.clustering import TimeSeriesKMeans

    init = X[np.sort(np.random.RandomState(0).choice(len(X), k, replace=False))]
    ours = DTWKMeans(k, init=init, max_iter=args.max_iter_kmeans, tol=0.0,
                     max_iter_barycenter=args.max_iter, n_jobs=args.n_jobs).fit(X)
    n_iter = ours.n_iter_

    def tslearn_fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return TimeSeriesKMeans(
                k, metric="dtw", init=init.copy()[:, :, None], max_iter=n_iter, tol=0.0,
                max_iter_barycenter=args.max_iter, n_jobs=args.n_jobs
            ).fit(X).cluster_centers_[:, :, 0]

    runs = {
        "sksoftdtw": lambda: DTWKMeans(
            k, init=init, max_iter=args.max_iter_kmeans, tol=0.0,
            max_iter_barycenter=args.max_iter, n_jobs=args.n_jobs).fit(X).cluster_centers_,
        "tslearn": tslearn_fit,
    }
    out = _run_all(runs, args)
    if args.aeon_python:
        # aeon's max_iter counts the last assignment as an iteration
        out["aeon"] = _aeon(args.aeon_python, "kmeans", X, init, args.repeat, args.n_jobs,
                            n_iter + 1, args.max_iter)
    return n_iter, {name: (t, _kmeans_objective(np.reshape(C, (k, -1, 1)), X, args.n_jobs))
                    for name, (t, C) in out.items()}


def _run_all(runs, args):
    """Best time and last result of each run, the runs taking turns."""
    best = {name: (np.inf, None) for name in runs}
    for _ in range(args.repeat):
        for name, func in runs.items():
            t, out = _best_time(func, 1)
            best[name] = (min(t, best[name][0]), out)
    return best


def _warm_up():
    from tslearn.barycenters import dtw_barycenter_averaging as tslearn_dba
    from tslearn.clustering import TimeSeriesKMeans

    X = np.random.RandomState(0).normal(size=(6, 8, 1))
    tslearn_dba(X, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        TimeSeriesKMeans(2, metric="dtw", max_iter=2, max_iter_barycenter=2,
                         random_state=0).fit(X)


def _print(name, shape, n_iter, results):
    ours_t = results["sksoftdtw"][0]
    cells = [f"{name:<24}{shape:>14}{n_iter:>7}"]
    for lib in ("sksoftdtw", "tslearn", "aeon"):
        if lib in results:
            t, loss = results[lib]
            ratio = "" if lib == "sksoftdtw" else f" ({t / ours_t:.2f}x)"
            cells.append(f"{t:9.3f}s{ratio:>9} {loss:12.6g}")
        else:
            cells.append(f"{'-':>32}")
    print("".join(f"{c:<34}" if i else c for i, c in enumerate(cells)), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="UCR directory (default: bundled datasets)")
    parser.add_argument("--datasets", default="GunPoint,Coffee,ItalyPowerDemand")
    parser.add_argument("--max-iter", type=int, default=30, help="DBA iterations cap")
    parser.add_argument("--max-iter-kmeans", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--aeon-python", default=None,
                        help="a Python with aeon installed (default: skip aeon)")
    parser.add_argument("--sections", default="barycenter,kmeans")
    args = parser.parse_args(argv)
    _warm_up()
    print(f"n_jobs={args.n_jobs}, DBA cap {args.max_iter}, k-means cap "
          f"{args.max_iter_kmeans}, best of {args.repeat}; time (slowdown against "
          "sksoftdtw) and loss (DTW, squared units; lower is better)")
    for section in args.sections.split(","):
        print(f"\n{section}")
        head = (f"{'dataset':<24}{'n x sz':>14}{'iters':>7}" + "".join(
            f"{lib:<34}" for lib in ("  sksoftdtw", "  tslearn", "  aeon")))
        print(head)
        print("-" * len(head))
        for name in args.datasets.split(","):
            if args.data_dir:
                X, y, _, _ = load_ucr(name, args.data_dir)
            else:
                X, y, _, _ = load_dataset(name)
            X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
            if section == "barycenter":
                labels, counts = np.unique(y, return_counts=True)
                Xc = X[y == labels[np.argmax(counts)]]
                n_iter, results = bench_barycenter(Xc, args)
                _print(name, f"{Xc.shape[0]} x {Xc.shape[1]}", n_iter, results)
            else:
                n_iter, results = bench_kmeans(X, len(np.unique(y)), args)
                _print(name, f"{X.shape[0]} x {X.shape[1]}", n_iter, results)


if __name__ == "__main__":
    sys.exit(main())

"""Speed of the soft-DTW barycenter against tslearn's ``softdtw_barycenter``.

Same data, gamma, initialization (the Euclidean mean) and iteration budget;
both final barycenters are scored with the objective of
:func:`sksoftdtw.barycenters.softdtw_barycenter` (soft-DTW divided by the series' length,
averaged over the series). With ``tol=0`` both run exactly ``max_iter``
L-BFGS iterations (unless the line search fails); the default tolerances of
each library are timed too.

Usage::

    python benchmarks/bench_barycenter.py [--dataset GunPoint] [--label 1]
        [--n-series 25] [--gamma 0.1] [--max-iter 50] [--repeats 5] [--n-jobs 1]

The dataset is one bundled with sksoftdtw; the series are the first
``--n-series`` of class ``--label`` of the training then test splits.
"""
import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sksoftdtw.barycenters._softdtw import solve_softdtw_barycenter
from sksoftdtw.barycenters._utils import _weighted_loss
from sksoftdtw.datasets import load_dataset
from sksoftdtw.utils import check_dataset


def objective(Z, X, gamma):
    ds = check_dataset(X)
    return _weighted_loss(ds, np.full(ds.n_ts, 1.0 / ds.n_ts), Z, gamma, "softdtw", {}, None)


def best_time(func, repeats):
    """Smallest wall time of `repeats` calls (the least disturbed by other load)."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="GunPoint")
    parser.add_argument("--label", type=int, default=1)
    parser.add_argument("--n-series", type=int, default=25)
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--max-iter", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)

    from tslearn.barycenters import softdtw_barycenter as tslearn_barycenter

    X_train, y_train, X_test, y_test = load_dataset(args.dataset)
    X = np.concatenate([X_train[y_train == args.label], X_test[y_test == args.label]])
    X = X[:args.n_series]
    init = X.mean(axis=0)
    gamma = args.gamma
    print(f"{args.dataset} class {args.label}: {X.shape[0]} series of length {X.shape[1]}, "
          f"gamma={gamma}, max_iter={args.max_iter}, best of {args.repeats} runs")
    print(f"objective at the initialization: {objective(init, X, gamma):.6f}\n")

    tslearn_barycenter(X[:2, :10], gamma=gamma, max_iter=2)  # numba compilation
    print(f"{'tol':>8} | {'sksoftdtw s':>11} {'n_iter':>6} {'loss':>10} | "
          f"{'tslearn s':>9} {'loss':>10} | speed-up")
    for label, ours_tol, their_tol in [("0", 0.0, 0.0), ("default", 1e-3, 1e-3)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t_ours, res = best_time(lambda: solve_softdtw_barycenter(
                X, gamma, init=init, max_iter=args.max_iter, tol=ours_tol,
                n_jobs=args.n_jobs), args.repeats)
        t_theirs, Z_theirs = best_time(lambda: tslearn_barycenter(
            X, gamma=gamma, init=init, max_iter=args.max_iter, tol=their_tol,
            n_jobs=args.n_jobs), args.repeats)
        print(f"{label:>8} | {t_ours:11.3f} {res.n_iter:6d} "
              f"{objective(res.barycenter, X, gamma):10.6f} | {t_theirs:9.3f} "
              f"{objective(Z_theirs, X, gamma):10.6f} | {t_theirs / t_ours:6.1f}x")


if __name__ == "__main__":
    main()

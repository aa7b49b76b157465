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
  the seed only, so all methods start from the same centroids;
- assignments use soft-DTW with the same gamma for soft-DTW k-means and hard
  DTW for the baselines; each update is warm-started from the current
  centroid (:func:`sksoftdtw.clustering.dtw_kmeans`);
- the subgradient method is not specified; as for the barycenters
  (:mod:`sksoftdtw.experiments.barycenter`) three are compared, each against
  the paper's subgradient figures: ``"subgradient-ssg"`` (the stochastic
  subgradient method of Schultz & Jain, 2018, with its published steps),
  ``"subgradient"`` (full subgradients, decreasing step, best iterate) and
  ``"subgradient-lbfgs"`` (the DTW subgradient in L-BFGS: soft-DTW k-means at
  ``gamma=0``);
- budgets: at most ``max_iter`` Lloyd iterations (default 10) and
  ``max_iter_barycenter`` iterations of every barycenter update (default
  30), the same for all the methods; every method stops earlier when its
  own objective changes by less than ``tol`` (relative, default 1e-4)
  between two iterations;
- large training splits are subsampled (``max_train``, stratified, at least
  2 series per cluster kept; ``max_train=0`` keeps the whole split, the
  paper's protocol); the CSV records the sizes used;
- datasets of variable-length series are not part of the protocol: they
  are skipped (no rows; the progress message says so).

Beyond the paper, ``"softdtw-auto"`` is soft-DTW k-means with the
continuation in gamma in every centroid update, next to the update without
it, the better barycenter kept (``gamma_schedule="auto"`` of
:class:`~sksoftdtw.clustering.SoftDTWKMeans`; assignments at the target gamma), compared
with the competitors and with plain soft-DTW k-means at the same gamma.

Repetitions: seed ``s`` draws the subsample, the initializations and the
order of the stochastic subgradient steps; one repetition (seed 0) by
default. The losses of a dataset are averaged over its seeds before the
comparison.
"""
from functools import partial
from pathlib import Path

import numpy as np

from . import _common
from ._common import GAMMAS, INITS, read_csv, write_csv

__all__ = ["COMPETITORS", "FIELDS", "GAMMAS", "INITS", "METHODS", "PAPER", "format_table",
           "read_csv", "run", "summarize", "write_csv"]

COMPETITORS = ("dba", "subgradient", "subgradient-ssg", "subgradient-lbfgs")
# Soft-DTW k-means, one row per gamma: plain, and with the continuation in gamma.
SOFT_METHODS = ("softdtw", "softdtw-auto")
METHODS = COMPETITORS + SOFT_METHODS

# (averaging, gamma) of dtw_kmeans for a competitor, when not (name, unused).
_AVERAGING = {"subgradient-ssg": ("stochastic-subgradient", None),
              "subgradient-lbfgs": ("softdtw", 0.0)}

# Table 2 of Cuturi & Blondel (2017): percentage of datasets on which soft-DTW
# k-means reaches a lower DTW k-means loss, per (competitor, init, gamma).
PAPER = _common.paper_wins({
    ("dba", "random"): {1.0: 15.78, 0.1: 24.56, 0.01: 59.64, 0.001: 77.19},
    ("dba", "euclidean"): {1.0: 29.31, 0.1: 24.13, 0.01: 55.17, 0.001: 68.97},
    ("subgradient", "random"): {1.0: 42.10, 0.1: 57.89, 0.01: 76.43, 0.001: 96.49},
    ("subgradient", "euclidean"): {1.0: 46.44, 0.1: 50.00, 0.01: 65.52, 0.001: 84.48},
})

FIELDS = ("dataset", "seed", "n_train", "n_used", "length", "k", "init", "method", "gamma",
          "dtw_loss", "inertia", "n_iter", "time_s")


def _dtw_kmeans_loss(X, centers, n_jobs=None):
    """Hard-DTW k-means loss: sum over series of DTW (squared units) to the nearest centroid."""
    from ..metrics import cdist_dtw

    return float(cdist_dtw(X, centers, n_jobs=n_jobs).min(axis=1).sum())


def _subsample(X, y, max_train, k, seed):
    """Stratified subsample of at most ``max(max_train, 2 k)`` series."""
    from sklearn.model_selection import train_test_split

    n_keep = max(max_train, 2 * k)
    if max_train == 0 or len(X) <= n_keep:
        return X, y
    try:
        X, _, y, _ = train_test_split(X, y, train_size=n_keep, stratify=y,
                                      random_state=seed)
    except ValueError:  # a class too small to stratify
        X, _, y, _ = train_test_split(X, y, train_size=n_keep, random_state=seed)
    return X, y


def _initial_centroids(X, k, init, seed):
    """Starting centroids shared by every method, shape (k, sz, d)."""
    from sklearn.cluster import KMeans

    if init == "random":
        idx = np.random.RandomState(seed).choice(len(X), k, replace=False)
        return X[np.sort(idx)].copy()
    km = KMeans(k, n_init=10, random_state=seed).fit(X.reshape(len(X), -1))
    return km.cluster_centers_.reshape((k,) + X.shape[1:])


def _run_unit(name, seed, *, data_dir, gammas, max_train, max_iter, max_iter_barycenter,
              tol, n_jobs, methods, inits):
    """The k-means runs of one dataset and one seed: rows and a progress message."""
    from ..clustering import dtw_kmeans

    X_all, y_all, _, _ = _common.load(name, data_dir)
    if np.isnan(X_all).any():
        return [], f"{name}: skipped, variable-length series are not part of this protocol"
    k = len(np.unique(y_all))
    X, _ = _subsample(X_all, y_all, max_train, k, seed)
    runs = [(c, None) for c in COMPETITORS if c in methods] + [
        (m, g) for g in gammas for m in SOFT_METHODS if m in methods]
    rows = []
    for init in inits:
        C0 = _initial_centroids(X, k, init, seed)
        for method, gamma in runs:
            averaging, gamma_run = _AVERAGING.get(method, (method, gamma))
            if method in SOFT_METHODS:
                averaging = "softdtw"
            (centers, _, inertia, n_iter), seconds = _common.budgeted(partial(
                dtw_kmeans, X, k, averaging=averaging,
                gamma=1.0 if gamma_run is None else gamma_run,
                gamma_schedule="auto" if method == "softdtw-auto" else None,
                init=C0, max_iter=max_iter, tol=tol, max_iter_barycenter=max_iter_barycenter,
                random_state=seed, n_jobs=n_jobs, return_n_iter=True))
            rows.append({
                "dataset": name, "seed": seed, "n_train": len(X_all), "n_used": len(X),
                "length": X.shape[1], "k": k, "init": init, "method": method,
                "gamma": "" if gamma is None else gamma,
                "dtw_loss": _dtw_kmeans_loss(X, centers, n_jobs), "inertia": inertia,
                "n_iter": n_iter, "time_s": seconds})
    return rows, f"{name} seed {seed} (n={len(X)}/{len(X_all)}, sz={X.shape[1]}, k={k})"


def _size(data_dir, name):
    files = list(Path(data_dir, name).glob(f"{name}_TRAIN*"))
    return files[0].stat().st_size if files else 0


def run(data_dir, *, datasets=None, gammas=GAMMAS, seeds=1, n_jobs=None, progress=True,
        out=None, max_train=100, max_iter=10, max_iter_barycenter=30, tol=1e-4, workers=1,
        methods=METHODS, inits=INITS):
    """Run the protocol of Table 2; return one row per k-means run.

    Parameters
    ----------
    %(data_parameters)s
    seeds : int or sequence of int, default=1
        Repetitions per dataset. %(seeds_values)s Seed ``s``
        draws the subsample and the initializations.
    %(run_parameters)s
    max_train : int, default=100
        Training splits larger than ``max(max_train, 2 k)`` are subsampled
        (stratified) to that size; 0 keeps the whole splits.
    max_iter : int, default=10
        Lloyd iterations.
    max_iter_barycenter : int, default=30
        Iterations of every barycenter update.
    tol : float, default=1e-4
        Relative tolerance of Lloyd's loop (see :func:`sksoftdtw.clustering.dtw_kmeans`).
    workers : int, default=1
        Units of work (dataset, seed) run in parallel processes, each with
        `n_jobs` kernel threads; the largest datasets go first.
    %(choice_parameters)s

    Returns
    -------
    rows : list of dict
        One per (dataset, seed, initialization, method, gamma), keys
        ``FIELDS``: ``method`` is ``"softdtw"`` or one of ``COMPETITORS``,
        ``gamma`` is ``""`` for the competitors,
        ``dtw_loss`` is the hard-DTW k-means loss of the centroids and
        ``inertia`` the objective of the method.

    See Also
    --------
    sksoftdtw.clustering.dtw_kmeans : The k-means of all the methods.
    summarize : The paper's table from these rows.

    %(bundled_example)s
    >>> from sksoftdtw.experiments import kmeans
    >>> rows = kmeans.run(bundled, datasets=["ItalyPowerDemand"], gammas=[0.1],
    ...                   max_train=6, max_iter=2, max_iter_barycenter=3, progress=False)
    >>> sorted({(r["method"], r["gamma"]) for r in rows}, key=str)  # doctest: +NORMALIZE_WHITESPACE
    [('dba', ''), ('softdtw', 0.1), ('softdtw-auto', 0.1), ('subgradient', ''),
     ('subgradient-lbfgs', ''), ('subgradient-ssg', '')]
    >>> rows[0]["k"], rows[0]["n_used"], rows[0]["n_train"]
    (2, 6, 67)
    """
    work = partial(_run_unit, data_dir=data_dir, gammas=_common.check_gammas(gammas),
                   max_train=max_train, max_iter=max_iter,
                   max_iter_barycenter=max_iter_barycenter, tol=tol, n_jobs=n_jobs,
                   methods=_common.check_choices(methods, METHODS, "methods"),
                   inits=_common.check_choices(inits, INITS, "inits"))
    return _common.run_units(work, data_dir, datasets, seeds, fields=FIELDS, label="kmeans",
                             progress=progress, out=out, workers=workers,
                             priority=lambda unit: -_size(data_dir, unit[0]))


def summarize(rows):
    """Percentage of datasets where soft-DTW k-means beats each competitor.

    The DTW k-means losses of each dataset are first averaged over its seeds;
    then, per initialization and gamma, a dataset counts as a win when
    soft-DTW k-means has the lower mean loss. The continuation
    (``"softdtw-auto"``) is compared in the same way with the competitors and
    with ``"softdtw"`` at the same gamma.

    %(rows_parameter)s

    %(win_returns)s

    Examples
    --------
    Three datasets, one gamma that the paper does not have:

    >>> from sksoftdtw.experiments import kmeans
    >>> rows = []
    >>> for dataset, soft, subgradient in [("A", 5.0, 6.0), ("B", 5.0, 4.0), ("C", 1.0, 2.0)]:
    ...     rows.append({"dataset": dataset, "init": "euclidean", "method": "softdtw",
    ...                  "gamma": 0.3, "dtw_loss": soft})
    ...     rows.append({"dataset": dataset, "init": "euclidean", "method": "subgradient",
    ...                  "gamma": "", "dtw_loss": subgradient})
    >>> [(s["ours"], s["paper"], s["n_datasets"]) for s in kmeans.summarize(rows)
    ...  if s["competitor"] == "subgradient" and s["init"] == "euclidean"]
    [(66.66666666666667, None, 3)]
    """
    return _common.win_percentages(rows, PAPER, challengers=SOFT_METHODS[1:])


def format_table(summary):
    """The summary as a text table: rows gamma, columns competitor x initialization.

    %(table_parameters)s

    Examples
    --------
    >>> from sksoftdtw.experiments.kmeans import format_table, summarize
    >>> rows = [{"dataset": "A", "init": "random", "method": method, "gamma": gamma,
    ...          "dtw_loss": loss}
    ...         for method, gamma, loss in [("dba", "", 2.0), ("softdtw", 0.01, 1.0)]]
    >>> summary = [s for s in summarize(rows) if s["competitor"] == "dba"]

    The Euclidean initialization did not run: it has no column.

    >>> print(format_table(summary))  # doctest: +NORMALIZE_WHITESPACE
    Soft-DTW k-means: % of 1 datasets with a lower DTW k-means loss than the competitor
    (ours / paper)
    gamma  vs dba (random)
    -----  ------------------------
    0.01   100.00 (1 of 1) /  59.64
    """
    return _common.format_wins(
        summary, "Soft-DTW k-means: % of {n} datasets with a lower DTW k-means loss than the "
        "competitor (ours / paper)")


_common.fill_doc(run, summarize, format_table)

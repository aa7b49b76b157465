"""Soft-DTW barycenters against DBA and the subgradient method (Cuturi & Blondel, 2017, Table 1).

Protocol of the paper's Section 5.1: for every dataset and every repetition
(seed), draw one class of the training split at random and 10 series of it
(fewer if the class has fewer; classes of one series are never drawn);
compute their barycenter with soft-DTW (gamma in {1, 0.1, 0.01, 0.001}), DBA
and the subgradient method, each at most ``max_iter`` iterations (100), from
the random and from the Euclidean-mean initialization (the same starting
point for every method). Soft-DTW runs with ``tol=0``: L-BFGS uses its whole
budget unless it can make no more progress.

The paper does not say which subgradient method it ran, and that choice
decides how strong the baseline is. Three are compared, each against the
paper's subgradient figures: ``"subgradient-ssg"`` (the stochastic subgradient
method of Schultz & Jain, 2018, the published subgradient method for DTW
averaging, with its published step schedule:
:func:`~sksoftdtw.barycenters.dtw_barycenter_stochastic_subgradient`),
``"subgradient"`` (:func:`~sksoftdtw.barycenters.dtw_barycenter_subgradient`:
full subgradients, a decreasing step scaled like DBA's, the best iterate kept,
a strong baseline) and ``"subgradient-lbfgs"`` (the DTW subgradient fed to the
same L-BFGS solver as soft-DTW, i.e.
:func:`~sksoftdtw.barycenters.softdtw_barycenter` at ``gamma=0``). Every
barycenter is scored by the DTW loss: the mean over the series of hard DTW to
the barycenter, each divided by the series' length (the objective at
gamma = 0). The summary is the percentage of datasets where soft-DTW's loss,
averaged over the repetitions (10 by default), is lower than DBA's (resp. the
subgradient method's), next to the paper's figures.

Two more soft-DTW methods go beyond the paper: ``"softdtw-auto"``, the
continuation in gamma (``gamma_schedule="auto"``: from the data's variance
down to the target gamma by factors of 10, each stage warm-started from the
previous one, see :func:`~sksoftdtw.barycenters.softdtw_barycenter`), from the same
starting points; and ``"softdtw-dba"``, soft-DTW started from DBA's
barycenter (``init="dba"``, one row per gamma, recorded with the Euclidean
initialization, DBA's own start). Each is compared with the competitors and
with the plain soft-DTW barycenter at the same gamma. ``n_calls`` counts the
kernel calls of each method, each over all the series (for DBA and the
subgradient methods, one per iteration; not counted for the stochastic
subgradient method, whose calls are over one series each).

Repetition ``s`` uses seed ``s`` for the choice of class and series and for
the random initialization.
"""
from functools import partial

import numpy as np

from . import _common
from ._common import GAMMAS, INITS, read_csv, write_csv

__all__ = ["FIELDS", "GAMMAS", "INITS", "METHODS", "N_SERIES", "PAPER", "SOFT_METHODS",
           "format_table", "read_csv", "run", "summarize", "write_csv"]

N_SERIES = 10

# Table 1 of Cuturi & Blondel (2017): percentage of datasets on which the
# soft-DTW barycenter reaches a lower DTW loss, per (competitor, init, gamma).
PAPER = _common.paper_wins({
    ("dba", "random"): {1.0: 40.51, 0.1: 93.67, 0.01: 100.0, 0.001: 97.47},
    ("dba", "euclidean"): {1.0: 3.80, 0.1: 46.83, 0.01: 79.75, 0.001: 89.87},
    ("subgradient", "random"): {1.0: 96.20, 0.1: 97.47, 0.01: 97.47, 0.001: 97.47},
    ("subgradient", "euclidean"): {1.0: 35.44, 0.1: 72.15, 0.01: 92.41, 0.001: 97.47},
})

FIELDS = ("dataset", "seed", "label", "n_series", "length", "init", "method", "gamma",
          "dtw_loss", "n_iter", "n_calls", "time_s")


def _dtw_loss(Z, X, n_jobs=None):
    """Mean over the series of X of DTW(Z, x) / len(x): the objective at gamma = 0."""
    from ..metrics import soft_dtw_batch

    values = soft_dtw_batch(np.broadcast_to(Z, (len(X),) + Z.shape), X, 0.0, n_jobs=n_jobs)
    return float(np.mean(values / X.shape[1]))


def _pick_series(X, y, rng, name):
    """Up to N_SERIES series of one class drawn at random (classes with >= 2 series)."""
    labels, counts = np.unique(y, return_counts=True)
    if counts.max() < 2:
        raise ValueError(f"{name}: no class of the training split has two series or more, "
                         "and a barycenter needs at least two")
    label = rng.choice(labels[counts >= 2])
    idx = np.flatnonzero(y == label)
    idx = rng.choice(idx, size=min(N_SERIES, len(idx)), replace=False)
    return label, X[np.sort(idx)]


# The soft-DTW methods, one row per gamma: the plain method of the paper, the
# continuation in gamma (gamma_schedule="auto") and the DBA start (init="dba").
SOFT_METHODS = ("softdtw", "softdtw-auto", "softdtw-dba")
METHODS = ("dba", "subgradient", "subgradient-ssg", "subgradient-lbfgs") + SOFT_METHODS


def _methods(gammas, max_iter, n_jobs, methods):
    """(method, gamma, solver) triples; a solver maps (X, init, seed) to a result."""
    from ..barycenters._dba import solve_dba
    from ..barycenters._softdtw import solve_softdtw_barycenter
    from ..barycenters._subgradient import solve_dtw_ssg, solve_dtw_subgradient

    budget = {"max_iter": max_iter, "n_jobs": n_jobs}

    def soft(gamma, **options):
        return lambda X, init, seed: solve_softdtw_barycenter(
            X, gamma, init=init, random_state=seed, tol=0.0, warn=False, **options,
            **budget)

    out = [("dba", None, lambda X, init, seed: solve_dba(
               X, init=init, random_state=seed, warn=False, **budget)),
           ("subgradient", None, lambda X, init, seed: solve_dtw_subgradient(
               X, init=init, random_state=seed, **budget)),
           ("subgradient-ssg", None, lambda X, init, seed: solve_dtw_ssg(
               X, init=init, random_state=seed, **budget)),
           ("subgradient-lbfgs", None, soft(0.0))]
    for gamma in gammas:
        out += [("softdtw", gamma, soft(gamma)),
                ("softdtw-auto", gamma, soft(gamma, gamma_schedule="auto")),
                # DBA's start replaces the shared one: the initialization does
                # not apply (its rows are those of the Euclidean mean).
                ("softdtw-dba", gamma,
                 lambda X, init, seed, gamma=gamma: solve_softdtw_barycenter(
                     X, gamma, init="dba", tol=0.0, warn=False, **budget))]
    return [m for m in out if m[0] in methods]


def _run_unit(name, seed, *, data_dir, gammas, max_iter, n_jobs, methods, inits):
    """The barycenters of one dataset and one seed: rows and a progress message."""
    X_train, y_train, _, _ = _common.load(name, data_dir)
    label, X = _pick_series(X_train, y_train, np.random.RandomState(seed), name)
    rows = []
    for init in inits:
        for method, gamma, solve in _methods(gammas, max_iter, n_jobs, methods):
            if method == "softdtw-dba" and init != "euclidean":
                continue
            result, seconds = _common.budgeted(solve, X, init, seed)
            rows.append({
                "dataset": name, "seed": seed, "label": label.item(), "n_series": len(X),
                "length": X.shape[1], "init": init, "method": method,
                "gamma": "" if gamma is None else gamma,
                "dtw_loss": _dtw_loss(result.barycenter, X, n_jobs),
                "n_iter": result.n_iter, "time_s": seconds,
                "n_calls": "" if result.n_calls is None else result.n_calls})
    return rows, f"{name} seed {seed} (class {label}, {len(X)} series)"


def run(data_dir, *, datasets=None, gammas=GAMMAS, seeds=10, n_jobs=None, progress=True,
        out=None, max_iter=100, methods=METHODS, inits=INITS):
    """Run the protocol of Table 1; return one row per barycenter computed.

    Parameters
    ----------
    %(data_parameters)s
    seeds : int or sequence of int, default=10
        Repetitions per dataset. %(seeds_values)s Seed ``s``
        draws the class and the series, and the random initialization.
    %(run_parameters)s
    max_iter : int, default=100
        Iteration budget of every method.
    %(choice_parameters)s

    Returns
    -------
    rows : list of dict
        One per (dataset, seed, initialization, method, gamma), keys
        ``FIELDS``: ``method`` is one of ``METHODS``,
        ``gamma`` is ``""`` for the competitors, ``dtw_loss`` is the mean of
        DTW(barycenter, x) / len(x) over the series.

    See Also
    --------
    summarize : The paper's table from these rows.
    sksoftdtw.barycenters.softdtw_barycenter, sksoftdtw.barycenters.dtw_barycenter_averaging,
    sksoftdtw.barycenters.dtw_barycenter_subgradient,
    sksoftdtw.barycenters.dtw_barycenter_stochastic_subgradient : The methods.

    %(bundled_example)s
    >>> from sksoftdtw.experiments.barycenter import run
    >>> rows = run(bundled, datasets=["ItalyPowerDemand"], gammas=[0.1], seeds=1,
    ...            max_iter=5, progress=False)
    >>> [(r["init"], r["method"], r["gamma"]) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
    [('random', 'dba', ''), ('random', 'subgradient', ''), ('random', 'subgradient-ssg', ''),
     ('random', 'subgradient-lbfgs', ''), ('random', 'softdtw', 0.1),
     ('random', 'softdtw-auto', 0.1),
     ('euclidean', 'dba', ''), ('euclidean', 'subgradient', ''),
     ('euclidean', 'subgradient-ssg', ''), ('euclidean', 'subgradient-lbfgs', ''),
     ('euclidean', 'softdtw', 0.1), ('euclidean', 'softdtw-auto', 0.1),
     ('euclidean', 'softdtw-dba', 0.1)]
    >>> rows[0]["n_series"], rows[0]["length"]
    (10, 24)
    """
    work = partial(_run_unit, data_dir=data_dir, gammas=_common.check_gammas(gammas),
                   max_iter=max_iter, n_jobs=n_jobs,
                   methods=_common.check_choices(methods, METHODS, "methods"),
                   inits=_common.check_choices(inits, INITS, "inits"))
    return _common.run_units(work, data_dir, datasets, seeds, fields=FIELDS,
                             label="barycenter", progress=progress, out=out)


def summarize(rows):
    """Percentage of datasets where the soft-DTW barycenter beats each competitor.

    The DTW losses of each dataset are first averaged over its seeds; then,
    per initialization and gamma, a dataset counts as a win when soft-DTW's
    mean loss is lower than the competitor's.

    %(rows_parameter)s

    %(win_returns)s

    The continuation (``"softdtw-auto"``) and the DBA start
    (``"softdtw-dba"``) are compared in the same way with the competitors
    and with ``"softdtw"`` at the same gamma; the entries against
    ``"softdtw"`` also give ``calls_median`` and ``calls_max``, the ratio of
    their kernel calls to the plain method's (means over the seeds, per
    dataset), and ``calls_within_2x``, the number of datasets where it is at
    most 2, when the rows have ``n_calls``.

    Examples
    --------
    Soft-DTW beats DBA on dataset A only, on average over two seeds:

    >>> from sksoftdtw.experiments.barycenter import summarize
    >>> losses = {("A", "dba"): [3.0, 1.0], ("A", "softdtw"): [1.5, 1.5],
    ...           ("B", "dba"): [1.0, 1.0], ("B", "softdtw"): [2.0, 0.5]}
    >>> rows = [{"dataset": d, "seed": s, "init": "random", "method": m,
    ...          "gamma": 0.1 if m == "softdtw" else "", "dtw_loss": v}
    ...         for (d, m), values in losses.items() for s, v in enumerate(values)]
    >>> (entry,) = [s for s in summarize(rows)
    ...             if (s["competitor"], s["init"]) == ("dba", "random")]
    >>> entry["ours"], entry["paper"], entry["n_datasets"]
    (50.0, 93.67, 2)
    """
    summary = _common.win_percentages(rows, PAPER, challengers=SOFT_METHODS[1:])
    if rows and "n_calls" in rows[0]:
        counted = [r for r in rows if r["n_calls"] not in ("", None)]
        calls = _common.mean_by(counted, lambda r: (r["dataset"], r["init"], r["method"],
                                                    _common.gamma_of(r)), "n_calls")
        for e in summary:
            if e["competitor"] != "softdtw":
                continue
            key = e["init"], e["gamma"]
            ratios = [calls[(d, *key[:1], e["method"], key[1])]
                      / calls[(d, *key[:1], "softdtw", key[1])]
                      for d in {k[0] for k in calls}
                      if (d, *key[:1], e["method"], key[1]) in calls
                      and (d, *key[:1], "softdtw", key[1]) in calls]
            if ratios:
                e.update(calls_median=float(np.median(ratios)), calls_max=float(max(ratios)),
                         calls_within_2x=int(sum(r <= 2 for r in ratios)))
    return summary


def format_table(summary):
    """The summary as a text table: rows gamma, columns competitor x initialization.

    %(table_parameters)s

    Examples
    --------
    The paper has no figure for gamma = 0.5:

    >>> from sksoftdtw.experiments import barycenter
    >>> entry = {"competitor": "dba", "init": "random", "ours": 75.0, "n_datasets": 4}
    >>> summary = [{**entry, "gamma": 0.1, "paper": barycenter.PAPER["dba", "random"][0.1]},
    ...            {**entry, "gamma": 0.5, "paper": None}]
    >>> summary[0]["wins"] = summary[1]["wins"] = 3
    >>> print(barycenter.format_table(summary))
    Soft-DTW barycenter: % of 4 datasets with a lower DTW loss than the competitor (ours / paper)
    gamma  vs dba (random)
    -----  ------------------------
    0.1     75.00 (3 of 4) /  93.67
    0.5     75.00 (3 of 4) /      -
    """
    table = _common.format_wins(
        summary, "Soft-DTW barycenter: % of {n} datasets with a lower DTW loss than "
        "the competitor (ours / paper)")
    for e in summary:
        if "calls_max" in e:
            table += (f"\n{e['method']} ({e['init']}, gamma {e['gamma']:g}): kernel calls / "
                      f"softdtw's: median {e['calls_median']:.2f}, max {e['calls_max']:.2f}, "
                      f"at most 2x on {e['calls_within_2x']} of {e['n_datasets']} datasets")
    return table


_common.fill_doc(run, summarize, format_table)

"""Multistep-ahead prediction with soft-DTW and Euclidean losses (Cuturi & Blondel, 2017, Table 3).

Protocol of the paper's Section 5.3: every series is cut in two, the first 60%
of its time steps being the input and the last 40% the output to predict.
On the given train/test split of each dataset, a multi-layer perceptron is
trained with the Euclidean loss and with soft-DTW for gamma in
{1, 0.1, 0.01, 0.001}, from a random initialization and from the weights of
the Euclidean model ("Euclidean initialization"). Each model is evaluated on
the test split with the DTW loss (mean hard DTW between prediction and truth,
each divided by the output length) and the Euclidean loss (mean squared
error). Per dataset and initialization the five training losses are ranked
(1 = best, ties averaged) under each evaluation loss, and the ranks are
averaged over datasets, next to the paper's.

Network (the same for every loss): one hidden layer of 50 logistic-sigmoid
units, as in the paper (one hidden layer, sigmoid activation) and the
authors' reference implementation (50 units), identity output, L2 penalty
``alpha=1e-4``, trained with L-BFGS for at most ``max_iter`` iterations
(300). The Euclidean-initialized soft-DTW models get ``max_iter`` further
iterations from the Euclidean model. Series with missing values are left
out (the network needs one length).

Run-time budget: training costs ``n_train * sz_out**2`` soft-DTW cells per
evaluation of the objective. By default the full splits are used, as in the
paper (about an hour for the 33 datasets of the shared archive on one core).
For a shorter run, each training split can be subsampled (at random, once
per dataset and seed, the same subsample for every model) to at most
``max_train`` series and to at most ``max_train_cells`` cells (but never
fewer than ``min_train`` series), and each test split to at most
``max_test`` series; 0 lifts a cap.

Repetitions: seed ``s`` draws the subsamples and the initial weights; one
repetition (seed 0) by default. The losses of a dataset are averaged over
its seeds before ranking.
"""
import copy
from functools import partial

import numpy as np

from . import _common
from ._common import GAMMAS, INITS, read_csv, write_csv

__all__ = ["EVALS", "FIELDS", "GAMMAS", "INITS", "INPUT_FRACTION", "PAPER", "format_table",
           "read_csv", "run", "summarize", "write_csv"]

EVALS = ("dtw", "euclidean")
INPUT_FRACTION = 0.6

# Table 3 of Cuturi & Blondel (2017): averaged rank of each training loss,
# per (evaluation loss, initialization).
PAPER = {
    "euclidean": {("dtw", "random"): 3.46, ("dtw", "euclidean"): 4.21,
                  ("euclidean", "random"): 1.05, ("euclidean", "euclidean"): 1.70},
    1.0: {("dtw", "random"): 3.55, ("dtw", "euclidean"): 3.96,
          ("euclidean", "random"): 2.41, ("euclidean", "euclidean"): 2.99},
    0.1: {("dtw", "random"): 3.33, ("dtw", "euclidean"): 3.42,
          ("euclidean", "random"): 3.42, ("euclidean", "euclidean"): 3.38},
    0.01: {("dtw", "random"): 2.79, ("dtw", "euclidean"): 2.12,
           ("euclidean", "random"): 4.13, ("euclidean", "euclidean"): 3.64},
    0.001: {("dtw", "random"): 1.87, ("dtw", "euclidean"): 1.29,
            ("euclidean", "random"): 3.99, ("euclidean", "euclidean"): 3.29},
}

FIELDS = ("dataset", "seed", "n_train", "n_train_total", "n_test", "n_test_total", "sz_in",
          "sz_out", "loss", "gamma", "init", "dtw_test", "euclidean_test", "n_iter", "time_s")


def _split_series(X, fraction=INPUT_FRACTION):
    """Inputs (first ``fraction`` of the time steps) and outputs (the rest)."""
    sz_in = round(X.shape[1] * fraction)
    return X[:, :sz_in, 0], X[:, sz_in:, 0]


def _subsample(n, cap, rng):
    """Sorted indices of at most ``cap`` of ``n`` items (all when ``cap`` is None)."""
    if cap is None or n <= cap:
        return np.arange(n)
    return np.sort(rng.choice(n, size=cap, replace=False))


def _train_cap(sz_out, max_train, max_train_cells, min_train):
    caps = [c for c in (max_train,) if c]
    if max_train_cells:
        caps.append(max(min_train, int(max_train_cells // sz_out**2)))
    return min(caps) if caps else None


def _drop_incomplete(X):
    """Keep the series without missing values (the MLP needs one length)."""
    return X[~np.isnan(X).any(axis=(1, 2))]


def _fit_and_evaluate(model, data, info, init, n_jobs):
    """Fit ``model`` on the training pair of ``data``; one result row."""
    from ..neural_network import mean_dtw_loss, mean_squared_loss

    X_tr, Y_tr, X_te, Y_te = data
    _, seconds = _common.budgeted(model.fit, X_tr, Y_tr)
    pred = model.predict(X_te)
    euclidean = model.loss == "squared"
    return {**info, "loss": "euclidean" if euclidean else "softdtw",
            "gamma": "" if euclidean else model.gamma, "init": init,
            "dtw_test": mean_dtw_loss(Y_te, pred, n_jobs=n_jobs),
            "euclidean_test": mean_squared_loss(Y_te, pred),
            "n_iter": model.n_iter_, "time_s": seconds}


def _run_unit(name, seed, *, data_dir, gammas, max_iter, hidden, alpha, max_train,
              max_train_cells, min_train, max_test, n_jobs):
    """The models of one dataset and one seed: rows and a progress message."""
    from sklearn.base import clone

    from ..neural_network import MLPRegressor

    X_train, _, X_test, _ = _common.load(name, data_dir)
    X_train, X_test = _drop_incomplete(X_train), _drop_incomplete(X_test)
    rng = np.random.RandomState(seed)
    X_tr, Y_tr = _split_series(X_train)
    X_te, Y_te = _split_series(X_test)
    sz_out = Y_tr.shape[1]
    tr = _subsample(len(X_tr), _train_cap(sz_out, max_train, max_train_cells, min_train), rng)
    te = _subsample(len(X_te), max_test or None, rng)
    info = {"dataset": name, "seed": seed, "n_train": len(tr), "n_train_total": len(X_train),
            "n_test": len(te), "n_test_total": len(X_test), "sz_in": X_tr.shape[1],
            "sz_out": sz_out}
    data = (X_tr[tr], Y_tr[tr], X_te[te], Y_te[te])
    base = MLPRegressor((hidden,), activation="logistic", solver="lbfgs", alpha=alpha,
                        max_iter=max_iter, random_state=seed, n_jobs=n_jobs)
    euclid = clone(base).set_params(loss="squared")
    rows = [_fit_and_evaluate(euclid, data, info, "random", n_jobs)]
    for gamma in gammas:
        model = clone(base).set_params(loss="softdtw", gamma=gamma)
        rows.append(_fit_and_evaluate(model, data, info, "random", n_jobs))
        # Euclidean initialization: continue from a copy of the Euclidean model.
        model = copy.deepcopy(euclid).set_params(loss="softdtw", gamma=gamma, warm_start=True)
        rows.append(_fit_and_evaluate(model, data, info, "euclidean", n_jobs))
    return rows, (f"{name} seed {seed}: n_train {len(tr)}/{len(X_train)}, "
                  f"n_test {len(te)}/{len(X_test)}, sz_out {sz_out}")


def run(data_dir, *, datasets=None, gammas=GAMMAS, seeds=1, n_jobs=None, progress=True,
        out=None, max_iter=300, hidden=50, alpha=1e-4, max_train=0, max_train_cells=0,
        min_train=10, max_test=0):
    """Run the protocol of Table 3; return one row per trained model.

    Parameters
    ----------
    %(data_parameters)s
    seeds : int or sequence of int, default=1
        Repetitions per dataset. %(seeds_values)s Seed ``s``
        draws the subsamples and the initial weights.
    %(run_parameters)s
    max_iter : int, default=300
        L-BFGS iterations of every fit (and of the warm-started soft-DTW fit
        after the Euclidean one).
    hidden : int, default=50
        Units of the hidden layer (logistic sigmoid).
    alpha : float, default=1e-4
        L2 penalty.
    max_train : int, default=0
        Training series at most; 0 or None lifts this cap.
    max_train_cells : float, default=0
        Training series at most ``max_train_cells / sz_out**2``, but at
        least `min_train`; 0 or None lifts this cap.
    min_train : int, default=10
        See `max_train_cells`.
    max_test : int, default=0
        Test series at most; 0 or None keeps the whole test split.

    Returns
    -------
    rows : list of dict
        One per (dataset, seed, training loss, initialization), keys
        ``FIELDS``: ``loss`` is ``"euclidean"`` (one model, ``init``
        ``"random"``, ``gamma`` ``""``) or ``"softdtw"``; ``dtw_test`` and
        ``euclidean_test`` are the test losses.

    See Also
    --------
    sksoftdtw.neural_network.MLPRegressor : The network.
    summarize : The paper's table from these rows.

    %(bundled_example)s
    >>> from sksoftdtw.experiments import prediction
    >>> rows = prediction.run(bundled, datasets=["ItalyPowerDemand"], gammas=[1.0, 0.1],
    ...                       max_iter=3, hidden=4, max_test=10, progress=False)
    >>> [(r["loss"], r["gamma"], r["init"]) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
    [('euclidean', '', 'random'), ('softdtw', 1.0, 'random'),
     ('softdtw', 1.0, 'euclidean'), ('softdtw', 0.1, 'random'),
     ('softdtw', 0.1, 'euclidean')]
    >>> rows[0]["sz_in"], rows[0]["sz_out"], rows[0]["n_train"], rows[0]["n_test"]
    (14, 10, 67, 10)
    """
    work = partial(_run_unit, data_dir=data_dir, gammas=_common.check_gammas(gammas),
                   max_iter=max_iter, hidden=hidden, alpha=alpha, max_train=max_train,
                   max_train_cells=max_train_cells, min_train=min_train, max_test=max_test,
                   n_jobs=n_jobs)
    return _common.run_units(work, data_dir, datasets, seeds, fields=FIELDS,
                             label="predict", progress=progress, out=out)


def _model(row):
    return "euclidean" if row["loss"] == "euclidean" else float(row["gamma"])


def summarize(rows):
    """Averaged ranks of the training losses, with the paper's.

    The test losses of each dataset are averaged over its seeds. For each
    dataset, initialization and evaluation loss, the Euclidean model (the
    same in both settings: it is the starting point of the Euclidean
    initialization) and the soft-DTW models are ranked by their mean test
    loss, 1 being the lowest (ties share their mean rank); ranks are averaged
    over datasets. Datasets without a result for every model are left out
    (an interrupted run).

    %(rows_parameter)s

    Returns
    -------
    summary : list of dict
        One per (training loss, evaluation loss, initialization), keys
        ``model`` (``"euclidean"`` or the gamma of soft-DTW), ``eval``,
        ``init``, ``ours`` (the averaged rank, NaN without any dataset),
        ``paper`` and ``n_datasets``. The paper ranks its five losses: its
        figures are given (else ``None``) only when the rows hold the same
        five, the Euclidean loss and soft-DTW with its four gammas.

    See Also
    --------
    format_table : The summary as text.

    Examples
    --------
    On one dataset, soft-DTW's model has the lowest DTW test loss and the
    Euclidean model the lowest Euclidean test loss:

    >>> from sksoftdtw.experiments.prediction import summarize
    >>> rows = [{"dataset": "A", "loss": loss, "gamma": gamma, "init": init,
    ...          "dtw_test": dtw, "euclidean_test": euclidean}
    ...         for loss, gamma, init, dtw, euclidean in [
    ...             ("euclidean", "", "random", 2.0, 1.0),
    ...             ("softdtw", 0.1, "random", 1.0, 3.0),
    ...             ("softdtw", 0.1, "euclidean", 1.5, 1.5)]]
    >>> [(s["model"], s["eval"], s["init"], s["ours"]) for s in summarize(rows)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('euclidean', 'dtw', 'random', 2.0), ('euclidean', 'dtw', 'euclidean', 2.0),
     ('euclidean', 'euclidean', 'random', 1.0), ('euclidean', 'euclidean', 'euclidean', 1.0),
     (0.1, 'dtw', 'random', 1.0), (0.1, 'dtw', 'euclidean', 1.0),
     (0.1, 'euclidean', 'random', 2.0), (0.1, 'euclidean', 'euclidean', 2.0)]
    """
    from scipy.stats import rankdata

    _common.check_fields(rows, ("dataset", "loss", "gamma", "init", "dtw_test",
                                "euclidean_test"))
    models = ["euclidean"] + _common.soft_gammas(rows)
    comparable = set(models) == set(PAPER)
    ranks = {(m, ev, init): [] for m in models for ev in EVALS for init in INITS}
    for ev in EVALS:
        mean = _common.mean_by(rows, lambda r: (r["dataset"], _model(r), r["init"]),
                               f"{ev}_test")
        for dataset in sorted({key[0] for key in mean}):
            for init in INITS:
                # The Euclidean model is recorded once, with init "random".
                losses = [mean.get((dataset, m, "random" if m == "euclidean" else init))
                          for m in models]
                if None in losses:
                    continue
                for m, rank in zip(models, rankdata(losses)):
                    ranks[(m, ev, init)].append(rank)
    return [{"model": m, "eval": ev, "init": init,
             "ours": float(np.mean(r)) if r else np.nan,
             "paper": PAPER[m][(ev, init)] if comparable else None, "n_datasets": len(r)}
            for (m, ev, init), r in ranks.items()]


def format_table(summary):
    """The summary as a text table: rows training loss, columns evaluation x initialization.

    %(table_parameters)s

    Examples
    --------
    >>> from sksoftdtw.experiments.prediction import format_table
    >>> summary = [{"model": m, "eval": "dtw", "init": "random", "ours": r,
    ...             "paper": None, "n_datasets": 3} for m, r in [("euclidean", 2.0),
    ...                                                           (0.01, 1.0)]]
    >>> print(format_table(summary))
    Averaged rank on 3 datasets (1 = lowest test loss; ours / paper)
    training loss  DTW eval, random init
    -------------  ---------------------
    Euclidean        2.00 /      -
    soft-DTW 0.01    1.00 /      -
    """
    return _common.format_summary(
        summary, "Averaged rank on {n} datasets (1 = lowest test loss; ours / paper)",
        corner="training loss", row=lambda s: s["model"],
        row_label=lambda m: "Euclidean" if m == "euclidean" else f"soft-DTW {m:g}",
        column=lambda s: (s["eval"], s["init"]),
        column_label=lambda c: f"{'DTW' if c[0] == 'dtw' else 'Euclid.'} eval, {c[1]} init")


_common.fill_doc(run, summarize, format_table)

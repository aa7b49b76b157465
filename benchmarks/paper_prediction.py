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
``alpha=1e-4``, trained with L-BFGS for at most ``--max-iter`` iterations
(100). The Euclidean-initialized soft-DTW models get ``--max-iter`` further
iterations from the Euclidean model.

Run-time budget: training costs ``n_train * sz_out**2`` soft-DTW cells per
evaluation of the objective, which is prohibitive for the long series of the
archive on a small machine. By default each training split is therefore
subsampled (at random, once per dataset, the same subsample for every model)
to at most ``--max-train`` series (100) and to at most ``--max-train-cells``
cells (3e5, but never fewer than ``--min-train`` series, 10), and each test
split to at most ``--max-test`` series (200). Pass 0 to lift a cap; the paper
used the full splits.

Usage::

    python benchmarks/paper_prediction.py DATA_DIR [--datasets A,B] [--out results.csv]
        [--max-iter 100] [--max-train 100] [--max-train-cells 3e5] [--min-train 10]
        [--max-test 200] [--hidden 50] [--n-jobs 1] [--seed 0]

``DATA_DIR`` holds UCR datasets in the layout read by
:func:`sksoftdtw.datasets.load_ucr`. Progress goes to stderr, the rank table
to stdout, the per-model results to the CSV file ``--out``.
"""
import argparse
import copy
import csv
import math
import sys
import time
import warnings
from collections import defaultdict

import numpy as np
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sksoftdtw.datasets import list_ucr, load_ucr
from sksoftdtw.neural_network import MLPRegressor, mean_dtw_loss, mean_squared_loss

GAMMAS = (1.0, 0.1, 0.01, 0.001)
INITS = ("random", "euclidean")
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
ROWS = ("euclidean",) + GAMMAS

FIELDS = ("dataset", "n_train", "n_train_total", "n_test", "n_test_total", "sz_in", "sz_out",
          "loss", "gamma", "init", "dtw_test", "euclidean_test", "n_iter", "time_s")


def split_series(X, fraction=INPUT_FRACTION):
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
    X_tr, Y_tr, X_te, Y_te = data
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # The iteration budget is part of the protocol.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_tr, Y_tr)
    elapsed = time.perf_counter() - t0
    pred = model.predict(X_te)
    euclidean = model.loss == "squared"
    return {**info, "loss": "euclidean" if euclidean else "softdtw",
            "gamma": "" if euclidean else model.gamma, "init": init,
            "dtw_test": mean_dtw_loss(Y_te, pred, n_jobs=n_jobs),
            "euclidean_test": mean_squared_loss(Y_te, pred),
            "n_iter": model.n_iter_, "time_s": round(elapsed, 3)}


def run(data_dir, *, datasets=None, max_iter=100, hidden=50, alpha=1e-4,
        max_train=100, max_train_cells=3e5, min_train=10, max_test=200, n_jobs=None,
        seed=0, progress=True):
    """Run the protocol; return one dict per trained model (keys: FIELDS).

    Parameters
    ----------
    data_dir : str or path-like
        Directory of UCR datasets.
    datasets : list of str, default=None
        Dataset names; ``None`` means every dataset of `data_dir`.
    max_iter : int, default=100
        L-BFGS iterations of every fit (and of the warm-started soft-DTW fit
        after the Euclidean one).
    hidden : int, default=50
        Units of the hidden layer (logistic sigmoid).
    alpha : float, default=1e-4
        L2 penalty.
    max_train, max_train_cells, min_train : int, float, int
        Training subsample: at most ``max_train`` series and at most
        ``max_train_cells / sz_out**2`` series, but at least ``min_train``;
        0 or None lifts a cap.
    max_test : int, default=200
        Test subsample size; 0 or None keeps the whole test split.
    n_jobs : int, default=None
        Threads of the soft-DTW kernel.
    seed : int, default=0
        Seed of the subsamples and of the weight initialization.
    progress : bool, default=True
        Print one line per dataset to stderr.

    Returns
    -------
    rows : list of dict
    """
    names = list_ucr(data_dir) if datasets is None else list(datasets)
    rows = []
    start = time.perf_counter()
    for d_idx, name in enumerate(names):
        t_dataset = time.perf_counter()
        X_train, _, X_test, _ = load_ucr(name, data_dir)
        X_train, X_test = _drop_incomplete(X_train), _drop_incomplete(X_test)
        rng = np.random.RandomState(seed)
        X_tr, Y_tr = split_series(X_train)
        X_te, Y_te = split_series(X_test)
        sz_in, sz_out = X_tr.shape[1], Y_tr.shape[1]
        tr = _subsample(len(X_tr), _train_cap(sz_out, max_train, max_train_cells, min_train), rng)
        te = _subsample(len(X_te), max_test or None, rng)
        info = {"dataset": name, "n_train": len(tr), "n_train_total": len(X_train),
                "n_test": len(te), "n_test_total": len(X_test), "sz_in": sz_in,
                "sz_out": sz_out}
        data = (X_tr[tr], Y_tr[tr], X_te[te], Y_te[te])
        base = MLPRegressor((hidden,), activation="logistic", solver="lbfgs", alpha=alpha,
                            max_iter=max_iter, random_state=seed, n_jobs=n_jobs)
        euclid = clone(base).set_params(loss="squared")
        rows.append(_fit_and_evaluate(euclid, data, info, "random", n_jobs))
        for gamma in GAMMAS:
            model = clone(base).set_params(loss="softdtw", gamma=gamma)
            rows.append(_fit_and_evaluate(model, data, info, "random", n_jobs))
            # Euclidean initialization: continue from a copy of the Euclidean model.
            model = copy.deepcopy(euclid).set_params(loss="softdtw", gamma=gamma,
                                                     warm_start=True)
            rows.append(_fit_and_evaluate(model, data, info, "euclidean", n_jobs))
        if progress:
            now = time.perf_counter()
            print(f"[{d_idx + 1}/{len(names)}] {name}: n_train {len(tr)}/{len(X_train)}, "
                  f"n_test {len(te)}/{len(X_test)}, sz_out {sz_out}; {now - t_dataset:.0f}s "
                  f"({now - start:.0f}s elapsed)", file=sys.stderr, flush=True)
    return rows


def _model_key(row):
    return "euclidean" if row["loss"] == "euclidean" else float(row["gamma"])


def summarize(rows):
    """Averaged ranks of the five training losses, with the paper's.

    For each dataset and initialization, the Euclidean model (the same in
    both settings: it is the starting point of the Euclidean initialization)
    and the four soft-DTW models are ranked by their test loss, 1 being the
    lowest; ranks are averaged over datasets.

    Returns
    -------
    summary : list of dict
        One per (training loss, evaluation loss, initialization): keys
        ``model``, ``eval``, ``init``, ``ours``, ``paper``, ``n_datasets``.
    """
    losses = defaultdict(dict)
    for r in rows:
        for ev in EVALS:
            value = float(r[f"{ev}_test"])
            if r["loss"] == "euclidean":
                for init in INITS:
                    losses[(r["dataset"], ev, init)]["euclidean"] = value
            else:
                losses[(r["dataset"], ev, r["init"])][float(r["gamma"])] = value
    ranks = defaultdict(list)
    for (_, ev, init), by_model in losses.items():
        if len(by_model) != len(ROWS):
            continue  # an incomplete dataset (interrupted run)
        r = rankdata([by_model[m] for m in ROWS])
        for m, rank in zip(ROWS, r):
            ranks[(m, ev, init)].append(rank)
    return [{"model": m, "eval": ev, "init": init,
             "ours": float(np.mean(ranks[(m, ev, init)])) if ranks[(m, ev, init)] else math.nan,
             "paper": PAPER[m][(ev, init)], "n_datasets": len(ranks[(m, ev, init)])}
            for m in ROWS for ev in EVALS for init in INITS]


def format_table(summary):
    """The summary as a text table: rows training loss, columns eval x init."""
    by_key = {(s["model"], s["eval"], s["init"]): s for s in summary}
    n = max(s["n_datasets"] for s in summary)
    cols = [(ev, init) for ev in EVALS for init in INITS]
    head = "training loss  " + "".join(
        f"| {ev.upper() if ev == 'dtw' else 'Euclid.'} eval, {init} init".ljust(28) for ev, init in cols)
    lines = [f"Averaged rank on {n} datasets (1 = lowest test loss), ours / paper",
             head, "-" * len(head)]
    for m in ROWS:
        label = "Euclidean" if m == "euclidean" else f"soft-DTW {m:g}"
        cells = [f"| {by_key[(m, ev, init)]['ours']:5.2f} / {by_key[(m, ev, init)]['paper']:4.2f}"
                 .ljust(28) for ev, init in cols]
        lines.append(f"{label:<15}" + "".join(cells))
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
    parser.add_argument("--max-iter", type=int, default=100, help="L-BFGS iterations per fit")
    parser.add_argument("--hidden", type=int, default=50, help="hidden units")
    parser.add_argument("--max-train", type=int, default=100,
                        help="training series per dataset at most (0: all)")
    parser.add_argument("--max-train-cells", type=float, default=3e5,
                        help="n_train * sz_out**2 at most (0: no cap)")
    parser.add_argument("--min-train", type=int, default=10,
                        help="training series at least, whatever --max-train-cells")
    parser.add_argument("--max-test", type=int, default=200,
                        help="test series per dataset at most (0: all)")
    parser.add_argument("--n-jobs", type=int, default=None, help="kernel threads")
    parser.add_argument("--seed", type=int, default=0, help="seed of subsamples and weights")
    parser.add_argument("--out", default="paper_prediction_results.csv",
                        help="CSV file of the per-model results")
    args = parser.parse_args(argv)
    datasets = args.datasets.split(",") if args.datasets else None
    start = time.perf_counter()
    rows = run(args.data_dir, datasets=datasets, max_iter=args.max_iter, hidden=args.hidden,
               max_train=args.max_train, max_train_cells=args.max_train_cells,
               min_train=args.min_train, max_test=args.max_test, n_jobs=args.n_jobs,
               seed=args.seed)
    write_csv(rows, args.out)
    print(format_table(summarize(rows)))
    print(f"\n{len(rows)} models in {time.perf_counter() - start:.0f}s; "
          f"per-model results in {args.out}")


if __name__ == "__main__":
    main()

"""Nearest-centroid classification under DTW, soft-DTW and the two soft-DTW divergences.

For every dataset, :class:`~sksoftdtw.neighbors.NearestCentroidTimeSeriesClassifier`
averages the training series of each class and classifies each test series
by its nearest centroid, with each of four discrepancies (``METRICS``):
``"dtw"`` (DBA centroids, hard DTW), ``"softdtw"``, ``"divergence"`` and
``"sharp_divergence"`` (the soft-DTW barycenter of that loss, and the same
loss). The summary counts, for each soft discrepancy, the datasets where its
test accuracy is above (win), equal to (tie) or below (loss) that of DTW and
of soft-DTW.

Choices made here:

- gamma is chosen on the training split only: a stratified holdout of
  ``validation_fraction`` of it (one third by default), the classifier fitted
  on the rest for every gamma of the grid, the gamma of the best validation
  accuracy kept (ties to the larger gamma); the classifier is then refitted
  on the whole training split with that gamma and scored once on the test
  split. ``"dtw"`` has no gamma and skips the selection;
- large training splits are subsampled (``max_train``, stratified; ``0``
  keeps the whole split); the CSV records the sizes used;
- every barycenter runs at most ``max_iter`` iterations (DBA or L-BFGS);
- datasets of variable-length series are skipped (no rows).

Seed ``s`` draws the subsample and the holdout split; the accuracies of a
dataset are averaged over its seeds before the comparison.
"""
from functools import partial

import numpy as np

from . import _common
from ._common import GAMMAS, read_csv, write_csv

__all__ = ["FIELDS", "GAMMAS", "METRICS", "REFERENCES", "format_table", "read_csv", "run",
           "summarize", "write_csv"]

METRICS = ("dtw", "softdtw", "divergence", "sharp_divergence")
# The discrepancies every other one is compared with.
REFERENCES = ("dtw", "softdtw")

FIELDS = ("dataset", "seed", "n_train", "n_used", "n_test", "length", "n_classes", "metric",
          "gamma", "val_accuracy", "test_accuracy", "time_s")


def _stratified(X, y, size, seed):
    """A stratified split ``(X_a, X_b, y_a, y_b)`` with ``size`` series in ``a``
    (unstratified when a class is too small)."""
    from sklearn.model_selection import train_test_split

    try:
        return train_test_split(X, y, train_size=size, stratify=y, random_state=seed)
    except ValueError:
        return train_test_split(X, y, train_size=size, random_state=seed)


def _select_gamma(make, X, y, gammas, validation_fraction, seed):
    """The gamma of the best holdout accuracy (ties to the larger one), and that accuracy."""
    n_fit = len(X) - max(1, int(round(validation_fraction * len(X))))
    X_fit, X_val, y_fit, y_val = _stratified(X, y, n_fit, seed)
    scores = [make(gamma).fit(X_fit, y_fit).score(X_val, y_val) for gamma in gammas]
    best = int(np.argmax(scores))  # the first of the best, gammas being decreasing
    return gammas[best], scores[best]


def _run_unit(name, seed, *, data_dir, gammas, max_train, max_iter, validation_fraction,
              n_jobs, metrics):
    """The classifiers of one dataset and one seed: rows and a progress message."""
    from ..neighbors import NearestCentroidTimeSeriesClassifier

    X_all, y_all, X_test, y_test = _common.load(name, data_dir)
    if np.isnan(X_all).any() or np.isnan(X_test).any():
        return [], f"{name}: skipped, variable-length series are not part of this protocol"
    X, y = X_all, y_all
    if 0 < max_train < len(X):
        X, _, y, _ = _stratified(X, y, max_train, seed)
    rows = []
    for metric in metrics:
        def make(gamma, metric=metric):
            return NearestCentroidTimeSeriesClassifier(metric, gamma, max_iter=max_iter,
                                                       n_jobs=n_jobs)

        def fit_and_score(metric=metric, make=make):
            gamma, val = (1.0, np.nan) if metric == "dtw" else _select_gamma(
                make, X, y, sorted(gammas, reverse=True), validation_fraction, seed)
            return gamma, val, make(gamma).fit(X, y).score(X_test, y_test)

        (gamma, val, test), seconds = _common.budgeted(fit_and_score)
        rows.append({"dataset": name, "seed": seed, "n_train": len(X_all), "n_used": len(X),
                     "n_test": len(X_test), "length": X.shape[1],
                     "n_classes": len(np.unique(y_all)), "metric": metric,
                     "gamma": "" if metric == "dtw" else gamma, "val_accuracy": val,
                     "test_accuracy": test, "time_s": seconds})
    return rows, f"{name} seed {seed} (n={len(X)}/{len(X_all)}, sz={X.shape[1]})"


def run(data_dir, *, datasets=None, gammas=GAMMAS, seeds=1, n_jobs=None, progress=True,
        out=None, max_train=100, max_iter=30, validation_fraction=1 / 3, workers=1,
        metrics=METRICS):
    """Run the nearest-centroid protocol; return one row per (dataset, seed, metric).

    Parameters
    ----------
    %(data_parameters)s
        The grid of the selection of gamma on the training split.
    seeds : int or sequence of int, default=1
        Repetitions per dataset. %(seeds_values)s Seed ``s``
        draws the subsample and the holdout split.
    %(run_parameters)s
    max_train : int, default=100
        Training splits larger than this are subsampled (stratified) to that
        size; 0 keeps the whole splits.
    max_iter : int, default=30
        Iterations of every barycenter.
    validation_fraction : float, default=1/3
        Share of the training split held out to choose gamma.
    workers : int, default=1
        Units of work (dataset, seed) run in parallel processes, each with
        `n_jobs` kernel threads.
    metrics : sequence of str, default=METRICS
        The discrepancies to run, among ``METRICS``.

    Returns
    -------
    rows : list of dict
        Keys ``FIELDS``: ``gamma`` is the chosen gamma (``""`` for
        ``"dtw"``), ``val_accuracy`` its holdout accuracy (NaN for
        ``"dtw"``) and ``test_accuracy`` the accuracy on the test split of
        the classifier refitted on the whole (subsampled) training split.

    See Also
    --------
    sksoftdtw.neighbors.NearestCentroidTimeSeriesClassifier : The classifier.
    summarize : Wins, ties and losses from these rows.

    %(bundled_example)s
    >>> from sksoftdtw.experiments import nearest_centroid
    >>> rows = nearest_centroid.run(bundled, datasets=["ItalyPowerDemand"], gammas=[1.0, 0.1],
    ...                             max_train=12, max_iter=3, progress=False)
    >>> [r["metric"] for r in rows]
    ['dtw', 'softdtw', 'divergence', 'sharp_divergence']
    >>> rows[0]["n_used"], rows[0]["n_train"], rows[0]["n_test"]
    (12, 67, 1029)
    """
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
    work = partial(_run_unit, data_dir=data_dir, gammas=_common.check_gammas(gammas),
                   max_train=max_train, max_iter=max_iter,
                   validation_fraction=validation_fraction, n_jobs=n_jobs,
                   metrics=_common.check_choices(metrics, METRICS, "metrics"))
    return _common.run_units(work, data_dir, datasets, seeds, fields=FIELDS,
                             label="nearest centroid", progress=progress, out=out,
                             workers=workers)


def summarize(rows):
    """Wins, ties and losses in test accuracy of each discrepancy against DTW and soft-DTW.

    The test accuracies of each dataset are first averaged over its seeds;
    then each discrepancy is compared with each of ``REFERENCES`` on the
    datasets that have both.

    %(rows_parameter)s

    Returns
    -------
    summary : list of dict
        One per (metric, reference) with keys ``metric``, ``reference``,
        ``wins``, ``ties``, ``losses`` (numbers of datasets where the
        metric's accuracy is above, equal to, below the reference's) and
        ``mean_accuracy``, ``reference_mean_accuracy`` over those datasets.

    Examples
    --------
    >>> from sksoftdtw.experiments import nearest_centroid
    >>> rows = [{"dataset": d, "metric": m, "test_accuracy": a}
    ...         for d, m, a in [("A", "dtw", 0.8), ("A", "sharp_divergence", 0.9),
    ...                         ("B", "dtw", 0.7), ("B", "sharp_divergence", 0.7)]]
    >>> [(s["metric"], s["reference"], s["wins"], s["ties"], s["losses"])
    ...  for s in nearest_centroid.summarize(rows)]
    [('sharp_divergence', 'dtw', 1, 1, 0)]
    """
    _common.check_fields(rows, ("dataset", "metric", "test_accuracy"))
    mean = _common.mean_by(rows, lambda r: (r["dataset"], r["metric"]), "test_accuracy")
    datasets = sorted({d for d, _ in mean})
    summary = []
    for reference in REFERENCES:
        for metric in METRICS[METRICS.index(reference) + 1:]:
            pairs = [(mean[d, metric], mean[d, reference]) for d in datasets
                     if (d, metric) in mean and (d, reference) in mean]
            if pairs:
                ours, theirs = np.array(pairs).T
                summary.append({"metric": metric, "reference": reference,
                                "wins": int((ours > theirs).sum()),
                                "ties": int((ours == theirs).sum()),
                                "losses": int((ours < theirs).sum()),
                                "mean_accuracy": float(ours.mean()),
                                "reference_mean_accuracy": float(theirs.mean())})
    return summary


def format_table(summary):
    """The summary as a text table, one line per (metric, reference).

    Parameters
    ----------
    summary : list of dict
        The output of :func:`summarize`.

    Returns
    -------
    table : str

    Examples
    --------
    >>> from sksoftdtw.experiments.nearest_centroid import format_table
    >>> print(format_table([{"metric": "divergence", "reference": "dtw", "wins": 2, "ties": 0,
    ...                      "losses": 1, "mean_accuracy": 0.8,
    ...                      "reference_mean_accuracy": 0.75}]))
    ... # doctest: +NORMALIZE_WHITESPACE
    Nearest centroid: test accuracy, wins / ties / losses against the reference
    metric            vs   wins  ties  losses  mean acc.  reference's
    divergence        dtw     2     0       1     0.8000       0.7500
    """
    header = ("metric", "vs", "wins", "ties", "losses", "mean acc.", "reference's")
    lines = ["Nearest centroid: test accuracy, wins / ties / losses against the reference",
             "{:<17} {:<7} {:>4}  {:>4}  {:>6}  {:>9}  {:>11}".format(*header)]
    for s in summary:
        lines.append(f"{s['metric']:<17} {s['reference']:<7} {s['wins']:>4}  {s['ties']:>4}  "
                     f"{s['losses']:>6}  {s['mean_accuracy']:>9.4f}  "
                     f"{s['reference_mean_accuracy']:>11.4f}")
    return "\n".join(lines)


_common.fill_doc(run, summarize)

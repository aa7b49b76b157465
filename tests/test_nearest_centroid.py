"""Tests of NearestCentroidTimeSeriesClassifier.

The oracle is the brute-force loop the estimator stands for: the centroids
from the public barycenter functions, one class at a time, then the argmin of
the public cdist functions.
"""
import pickle
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

import sksoftdtw
import sksoftdtw.datasets
from sksoftdtw import (
    cdist_dtw,
    cdist_sharp_soft_dtw_divergence,
    cdist_soft_dtw,
    cdist_soft_dtw_divergence,
    dtw_barycenter_averaging,
    softdtw_barycenter,
)
from sksoftdtw.datasets import load_dataset
from sksoftdtw.neighbors import NearestCentroidTimeSeriesClassifier
from sksoftdtw.preprocessing import TimeSeriesScalerMeanVariance

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

METRICS = ["dtw", "softdtw", "divergence", "sharp_divergence"]
CDIST = {"dtw": lambda X, Y, gamma, **kw: cdist_dtw(X, Y, **kw), "softdtw": cdist_soft_dtw,
         "divergence": cdist_soft_dtw_divergence,
         "sharp_divergence": cdist_sharp_soft_dtw_divergence}


def make_shapes(n_per=4, sz=20, seed=0, lengths=None, noise=0.05):
    """Three shapes (bump, rising step, falling step) at random time shifts."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for label in range(3):
        for k in range(n_per):
            m = sz if lengths is None else int(lengths[(label * n_per + k) % len(lengths)])
            t = np.linspace(0, 1, m)
            s = rng.uniform(-0.15, 0.15)
            v = [2 * np.exp(-((t - 0.5 - s) / 0.1) ** 2),
                 2 / (1 + np.exp(-(t - 0.5 - s) / 0.03)),
                 2 - 2 / (1 + np.exp(-(t - 0.5 - s) / 0.03))][label]
            X.append(v + noise * rng.normal(size=m))
            y.append(["bump", "up", "down"][label])
    return X, np.array(y)


def brute_force(X, y, queries, metric, gamma, size, max_iter, radius=None):
    """Centroids by the public barycenter functions, decisions by the public cdist."""
    classes = np.unique(y)
    centroids = []
    for c in classes:
        members = [x for x, label in zip(X, y) if label == c]
        if metric == "dtw":
            centroids.append(dtw_barycenter_averaging(
                members, barycenter_size=size, max_iter=max_iter, sakoe_chiba_radius=radius))
        else:
            centroids.append(softdtw_barycenter(
                members, gamma, metric=metric, barycenter_size=size, max_iter=max_iter,
                sakoe_chiba_radius=radius))
    D = CDIST[metric](queries, np.stack(centroids), gamma=gamma, sakoe_chiba_radius=radius)
    return np.stack(centroids), D, classes[D.argmin(axis=1)]


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("radius", [None, 3])
def test_equals_brute_force(metric, radius):
    X, y = make_shapes(noise=0.3)
    queries, _ = make_shapes(n_per=3, sz=17, seed=4, noise=0.3)
    clf = NearestCentroidTimeSeriesClassifier(metric, gamma=0.3, max_iter=15,
                                              sakoe_chiba_radius=radius).fit(X, y)
    centroids, D, expected = brute_force(X, y, queries, metric, 0.3, 20, 15, radius)
    assert_array_equal(clf.classes_, ["bump", "down", "up"])
    assert_allclose(clf.centroids_, centroids, rtol=1e-12, atol=1e-12)
    assert_array_equal(clf.predict(queries), expected)
    assert_allclose(clf.decision_function(queries), -D, rtol=1e-12, atol=1e-12)
    assert clf.score(queries, expected) == 1.0


@pytest.mark.parametrize("metric", METRICS)
def test_recovers_well_separated_classes_of_variable_lengths(metric):
    X, y = make_shapes(lengths=[18, 22, 25, 20])
    queries, truth = make_shapes(n_per=5, seed=7, lengths=[15, 30])
    clf = NearestCentroidTimeSeriesClassifier(metric, gamma=0.1).fit(X, y)
    # The median length of the training series.
    assert clf.centroids_.shape == (3, int(np.round(np.median([len(x) for x in X]))), 1)
    assert clf.n_iter_.shape == (3,)
    assert clf.score(queries, truth) == 1.0


def test_two_classes_decision_function_is_positive_for_the_second_class():
    X, y = make_shapes()
    keep = y != "down"
    X2, y2 = [x for x, k in zip(X, keep) if k], y[keep]
    clf = NearestCentroidTimeSeriesClassifier("softdtw", gamma=0.1, max_iter=10).fit(X2, y2)
    scores = clf.decision_function(X2)
    assert scores.shape == (len(X2),)
    assert_array_equal(clf.classes_[(scores > 0).astype(int)], clf.predict(X2))
    D = cdist_soft_dtw(X2, clf.centroids_, 0.1)
    assert_allclose(scores, D[:, 0] - D[:, 1], rtol=1e-12)


def test_classifier_train_check_without_the_length_check():
    """What scikit-learn's check_classifiers_train verifies, but predict(X.T)."""
    X_train, y_train, X_test, y_test = load_dataset("GunPoint")
    clf = NearestCentroidTimeSeriesClassifier("softdtw", gamma=0.1, max_iter=20)
    clf.fit(X_train, y_train)
    assert_array_equal(clf.classes_, np.unique(y_train))
    pred = clf.predict(X_test)
    assert pred.shape == y_test.shape
    assert np.mean(pred == y_test) > 0.7  # the classes' means already give 0.75
    assert_array_equal(clf.classes_[(clf.decision_function(X_test) > 0).astype(int)], pred)
    with pytest.raises(ValueError, match="inconsistent numbers"):
        clf.fit(X_train, y_train[:-1])


def test_pickle_clone_and_pipeline():
    X, y = make_shapes()
    clf = NearestCentroidTimeSeriesClassifier("sharp_divergence", gamma=0.1, max_iter=10)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.centroids_, clf.centroids_)
    assert_array_equal(restored.decision_function(X), clf.decision_function(X))
    assert clone(clf).get_params() == clf.get_params()
    pipe = make_pipeline(TimeSeriesScalerMeanVariance(), clone(clf)).fit(X, y)
    scaled = TimeSeriesScalerMeanVariance().fit_transform(X)
    alone = clone(clf).fit(scaled, y)
    assert_allclose(pipe[-1].centroids_, alone.centroids_, rtol=1e-12)
    assert_array_equal(pipe.predict(X), alone.predict(scaled))


def test_grid_search_over_gamma_scores_each_candidate_by_its_folds():
    X, y = make_shapes(n_per=6, noise=0.3)
    X = np.array(X)
    cv = KFold(3, shuffle=True, random_state=0)
    grid = {"gamma": [0.01, 1.0]}
    base = NearestCentroidTimeSeriesClassifier("divergence", max_iter=10)
    search = GridSearchCV(base, grid, cv=cv).fit(X, y)
    for gamma, score in zip(search.cv_results_["param_gamma"],
                            search.cv_results_["mean_test_score"]):
        folds = [clone(base).set_params(gamma=gamma).fit(X[train], y[train])
                 .score(X[test], y[test]) for train, test in cv.split(X)]
        assert score == pytest.approx(np.mean(folds))
    assert search.best_estimator_.gamma == grid["gamma"][
        int(np.argmax(search.cv_results_["mean_test_score"]))]


@pytest.mark.parametrize("param, value", [("metric", "euclidean"), ("metric", "sharp"),
                                          ("gamma", -1.0), ("max_iter", -1),
                                          ("sakoe_chiba_radius", -1), ("n_jobs", 1.5)])
def test_bad_parameters_name_the_parameter(param, value):
    X, y = make_shapes()
    with pytest.raises(ValueError, match=param):
        NearestCentroidTimeSeriesClassifier(**{param: value}).fit(X, y)


def test_bad_input_is_named():
    X, y = make_shapes()
    clf = NearestCentroidTimeSeriesClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="dimension"):
        clf.predict(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="NaN|finite"):
        clf.predict([np.array([0.0, np.nan, 1.0])])
    with pytest.raises(ValueError, match="y"):
        NearestCentroidTimeSeriesClassifier().fit(X, None)


def test_importable_from_the_top_level():
    assert sksoftdtw.NearestCentroidTimeSeriesClassifier is NearestCentroidTimeSeriesClassifier


# --------------------------------------------------------------------------
# The experiment of benchmarks/nearest_centroid.py
# --------------------------------------------------------------------------
BUNDLED = Path(sksoftdtw.datasets.__file__).parent / "data"


def test_experiment_rows_are_the_protocol_run_by_hand():
    from sklearn.model_selection import train_test_split

    from sksoftdtw.experiments import nearest_centroid

    gammas = [1.0, 0.01]
    rows = nearest_centroid.run(BUNDLED, datasets=["ItalyPowerDemand"], gammas=gammas,
                                max_train=0, max_iter=4, seeds=[3], progress=False)
    X, y, X_test, y_test = load_dataset("ItalyPowerDemand")
    assert [r["metric"] for r in rows] == METRICS
    for row in rows:
        metric = row["metric"]

        def make(gamma):
            return NearestCentroidTimeSeriesClassifier(metric, gamma, max_iter=4)
        if metric == "dtw":
            assert row["gamma"] == "" and np.isnan(row["val_accuracy"])
            gamma = 1.0
        else:
            # A stratified holdout of a third of the training split, seeded.
            X_fit, X_val, y_fit, y_val = train_test_split(
                X, y, train_size=len(X) - round(len(X) / 3), stratify=y, random_state=3)
            scores = [make(g).fit(X_fit, y_fit).score(X_val, y_val) for g in gammas]
            gamma = gammas[int(np.argmax(scores))]
            assert (row["gamma"], row["val_accuracy"]) == (gamma, max(scores))
        assert row["test_accuracy"] == make(gamma).fit(X, y).score(X_test, y_test)
        assert (row["n_train"], row["n_used"], row["n_test"], row["length"],
                row["n_classes"], row["seed"]) == (67, 67, 1029, 24, 2, 3)


def test_experiment_summary_averages_seeds_and_counts_ties():
    from sksoftdtw.experiments import nearest_centroid

    accuracies = {  # dataset: {metric: accuracies of two seeds}
        "A": {"dtw": (0.8, 0.8), "softdtw": (0.7, 0.9), "divergence": (0.9, 0.9)},
        "B": {"dtw": (0.6, 0.8), "softdtw": (0.6, 0.6), "divergence": (0.5, 0.5)},
    }
    rows = [{"dataset": d, "metric": m, "seed": s, "test_accuracy": a[s]}
            for d, by_metric in accuracies.items() for m, a in by_metric.items()
            for s in (0, 1)]
    summary = {(s["metric"], s["reference"]): s for s in nearest_centroid.summarize(rows)}
    assert set(summary) == {("softdtw", "dtw"), ("divergence", "dtw"),
                            ("divergence", "softdtw")}
    # Means: A dtw 0.8, softdtw 0.8, divergence 0.9; B dtw 0.7, softdtw 0.6, divergence 0.5.
    counts = {k: (s["wins"], s["ties"], s["losses"]) for k, s in summary.items()}
    assert counts == {("softdtw", "dtw"): (0, 1, 1), ("divergence", "dtw"): (1, 0, 1),
                      ("divergence", "softdtw"): (1, 0, 1)}
    assert summary["divergence", "dtw"]["mean_accuracy"] == pytest.approx(0.7)
    assert summary["divergence", "dtw"]["reference_mean_accuracy"] == pytest.approx(0.75)


def test_experiment_script_summarizes_a_csv(tmp_path, capsys):
    from sksoftdtw.experiments import nearest_centroid
    from sksoftdtw.experiments._common import script_main

    rows = nearest_centroid.run(BUNDLED, datasets=["ItalyPowerDemand"], gammas=[0.1],
                                max_train=10, max_iter=2, metrics=["dtw", "softdtw"],
                                progress=False, out=tmp_path / "nc.csv")
    script_main(nearest_centroid, ["--from-csv", str(tmp_path / "nc.csv")])
    out = capsys.readouterr().out
    expected = nearest_centroid.format_table(nearest_centroid.summarize(rows))
    assert out.strip() == expected.strip()
    assert "softdtw           dtw" in out


@pytest.mark.parametrize("options, message", [({"validation_fraction": 1.0},
                                                "validation_fraction"),
                                               ({"metrics": ["l2"]}, "metrics"),
                                               ({"gammas": [0.0]}, "gammas")])
def test_experiment_bad_options_are_named(options, message):
    from sksoftdtw.experiments import nearest_centroid

    with pytest.raises(ValueError, match=message):
        nearest_centroid.run(BUNDLED, datasets=["ItalyPowerDemand"], progress=False, **options)

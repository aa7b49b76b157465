"""Tests of SoftDTWKMeans and dtw_kmeans.

Expected values come from the pure-Python oracles of ``_oracles.py`` (soft-DTW,
DTW and divergence written from their definitions), from brute-force
recomputation of the k-means objective, or from properties that the
algorithm must satisfy (monotone objective, equivalence of integer weights
and repetition, thread-count independence).
"""
import pickle
import re

import numpy as np
import pytest
from _oracles import divergence_xy, dtw_xy, sdtw_xy
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV, KFold

import sksoftdtw.clustering._kmeans as kmeans_module
from sksoftdtw.clustering import DTWKMeans, SoftDTWKMeans, dtw_kmeans
from sksoftdtw.divergences import sharp_soft_dtw_divergence
from sksoftdtw.utils import check_band

FAST = dict(max_iter=10, max_iter_barycenter=20)


def make_shapes(n_per=5, sz=24, seed=0, lengths=None, noise=0.05):
    """Three shapes (bump, rising step, falling step) at random time shifts."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for label in range(3):
        for k in range(n_per):
            m = sz if lengths is None else int(lengths[(label * n_per + k) % len(lengths)])
            t = np.linspace(0, 1, m)
            s = rng.uniform(-0.15, 0.15)
            if label == 0:
                v = 2 * np.exp(-((t - 0.5 - s) / 0.1) ** 2)
            elif label == 1:
                v = 2 / (1 + np.exp(-(t - 0.5 - s) / 0.03))
            else:
                v = 2 - 2 / (1 + np.exp(-(t - 0.5 - s) / 0.03))
            X.append(v + noise * rng.normal(size=m))
            y.append(label)
    if lengths is None:
        return np.array(X)[:, :, None], np.array(y)
    return [x[:, None] for x in X], np.array(y)


def oracle_matrix(X, centers, metric, gamma):
    f = {"softdtw": lambda a, b: sdtw_xy(a, b, gamma),
         "divergence": lambda a, b: divergence_xy(a, b, gamma),
         # (too long for brute force: the pair function, itself tested against it)
         "sharp_divergence": lambda a, b: sharp_soft_dtw_divergence(a, b, gamma),
         "dtw": dtw_xy}[metric]
    return np.array([[f(x, c) for c in centers] for x in X])


@pytest.fixture(scope="module")
def shapes():
    return make_shapes()


@pytest.fixture(scope="module")
def fitted(shapes):
    X, _ = shapes
    return SoftDTWKMeans(3, gamma=0.1, random_state=0, **FAST).fit(X)


# --------------------------------------------------------------------------
# Correctness
# --------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ["softdtw", "divergence", "sharp_divergence"])
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_recovers_well_separated_clusters(shapes, metric, init):
    X, y = shapes
    km = SoftDTWKMeans(3, gamma=0.1, metric=metric, init=init, n_init=2,
                       random_state=0, **FAST).fit(X)
    assert adjusted_rand_score(y, km.labels_) == 1.0
    assert km.cluster_centers_.shape == (3, X.shape[1], 1)
    assert np.isfinite(km.cluster_centers_).all()


@pytest.mark.parametrize("metric", ["softdtw", "divergence", "sharp_divergence"])
def test_inertia_is_the_objective(shapes, metric):
    X, _ = shapes
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(X))
    km = SoftDTWKMeans(3, gamma=0.5, metric=metric, random_state=0, **FAST)
    km.fit(X, sample_weight=w)
    D = oracle_matrix(X, km.cluster_centers_, metric, 0.5)
    # labels_ are the nearest centroids and inertia_ is the weighted sum of
    # the discrepancies to them, both recomputed pair by pair.
    np.testing.assert_array_equal(km.labels_, D.argmin(axis=1))
    expected = sum(w[j] * D[j, km.labels_[j]] for j in range(len(X)))
    assert km.inertia_ == pytest.approx(expected, rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(km.transform(X), D, rtol=1e-10, atol=1e-10)


def test_softdtw_inertia_can_be_negative(shapes):
    # Documented behaviour: with a large gamma, soft-DTW values are negative.
    X, _ = shapes
    km = SoftDTWKMeans(3, gamma=1.0, random_state=0, **FAST).fit(X)
    assert km.inertia_ < 0
    div = SoftDTWKMeans(3, gamma=1.0, metric="divergence", random_state=0, **FAST).fit(X)
    assert div.inertia_ >= 0
    assert (div.transform(X) >= -1e-9).all()


def test_labels_are_argmin_of_transform_and_predict(fitted, shapes):
    X, _ = shapes
    np.testing.assert_array_equal(fitted.labels_, fitted.transform(X).argmin(axis=1))
    np.testing.assert_array_equal(fitted.predict(X), fitted.labels_)
    np.testing.assert_array_equal(clone(fitted).fit_predict(X), fitted.labels_)
    np.testing.assert_array_equal(clone(fitted).fit_transform(X), fitted.transform(X))


def test_score_is_minus_the_mean_hard_dtw_loss_per_length(fitted, shapes):
    X, _ = shapes
    D = oracle_matrix(X, fitted.cluster_centers_, "dtw", 0.0)
    per_series = D.min(axis=1) / X.shape[1]
    assert fitted.score(X) == pytest.approx(-per_series.mean(), rel=1e-10)
    w = np.arange(1.0, len(X) + 1)
    assert fitted.score(X, sample_weight=w) == pytest.approx(
        -(per_series @ w) / w.sum(), rel=1e-10)
    # Series of other lengths: each divided by its own length.
    Z, _ = make_shapes(n_per=2, sz=37, seed=5)
    ragged = [Z[0], Z[1][:20], Z[2][:29]]
    expected = [min(dtw_xy(z, c) for c in fitted.cluster_centers_) / len(z) for z in ragged]
    assert fitted.score(ragged) == pytest.approx(-np.mean(expected), rel=1e-10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=2
def test_score_is_on_the_scale_of_the_barycenter_score(shapes):
    from sksoftdtw import SoftDTWBarycenter

    X, _ = shapes
    km = SoftDTWKMeans(1, gamma=0.1, random_state=0, **FAST).fit(X)
    est = SoftDTWBarycenter(gamma=0.1, max_iter=2).fit(X)
    est.barycenter_ = km.cluster_centers_[0]
    assert km.score(X[:5]) == pytest.approx(est.score(X[:5]), rel=1e-12)


@pytest.mark.parametrize("weights, message", [
    ("zeros", "positive sum"), ("negative", "non-negative"), ("short", "length n_ts")])
def test_score_rejects_bad_weights(fitted, shapes, weights, message):
    X, _ = shapes
    w = {"zeros": np.zeros(len(X)), "negative": -np.ones(len(X)), "short": np.ones(2)}[weights]
    with pytest.raises(ValueError, match=f"sample_weight .*{message}"):
        fitted.score(X, sample_weight=w)


def test_predict_accepts_other_lengths(fitted):
    X, y = make_shapes(n_per=3, sz=37, seed=5)
    assert adjusted_rand_score(y, fitted.predict(X)) == 1.0
    assert fitted.transform(X).shape == (len(X), 3)


@pytest.mark.parametrize("averaging,metric", [("softdtw", "softdtw"),
                                              ("softdtw", "divergence"),
                                              ("softdtw", "sharp_divergence"),
                                              ("dba", "dtw")])
def test_objective_non_increasing(averaging, metric):
    # Assignment takes a minimum; each update is a descent method started at
    # the current centroid; re-seeding moves unused centroids only.
    X, _ = make_shapes(n_per=6, seed=3, noise=0.3)
    rng = np.random.RandomState(0)
    centers = X[rng.choice(len(X), 4, replace=False)]
    res = kmeans_module._lloyd(
        X, np.ones(len(X)), np.full(len(X), X.shape[1]), centers,
        averaging=averaging, metric=metric, gamma=0.1, max_iter=8, tol=0.0,
        max_iter_barycenter=50, band=check_band(None, None), n_jobs=None, verbose=0, rng=rng)
    history = np.array(res.history)
    assert len(history) >= 3
    scale = np.abs(history).max()
    assert (np.diff(history) <= 1e-9 * scale).all(), history
    assert res.inertia == history[-1]


# --------------------------------------------------------------------------
# Initialisation, empty clusters, n_init, verbose
# --------------------------------------------------------------------------
def test_empty_cluster_is_reseeded(shapes, capsys):
    X, y = shapes
    init = np.stack([X[0], X[5], np.full_like(X[0], 100.0)])  # third one is unreachable
    km = SoftDTWKMeans(3, gamma=0.1, init=init, verbose=1, **FAST).fit(X)
    assert "Re-seeding empty cluster(s) [2]" in capsys.readouterr().out
    assert np.isfinite(km.cluster_centers_).all()
    assert np.abs(km.cluster_centers_).max() < 10
    assert len(np.unique(km.labels_)) == 3
    assert adjusted_rand_score(y, km.labels_) == 1.0


def test_reseeding_in_dtw_kmeans_init_array(shapes):
    X, _ = shapes
    init = np.stack([X[0], np.full_like(X[0], -50.0), np.full_like(X[0], 50.0)])
    centers, labels, _ = dtw_kmeans(X, 3, averaging="dba", init=init, max_iter=5)
    assert np.isfinite(centers).all() and len(np.unique(labels)) == 3


def test_n_init_keeps_the_best_run(shapes, monkeypatch):
    X, _ = make_shapes(n_per=6, seed=3, noise=0.4)
    runs = []
    original = kmeans_module._lloyd

    def recording(*args, **kwargs):
        res = original(*args, **kwargs)
        runs.append(res)
        return res

    monkeypatch.setattr(kmeans_module, "_lloyd", recording)
    km = SoftDTWKMeans(5, gamma=0.1, init="random", n_init=5, random_state=0,
                       **FAST).fit(X)
    assert len(runs) == 5
    inertias = [r.inertia for r in runs]
    assert len(set(inertias)) > 1  # the runs differ, so the choice matters
    best = runs[int(np.argmin(inertias))]
    assert km.inertia_ == min(inertias)
    np.testing.assert_array_equal(km.cluster_centers_, best.centers)
    np.testing.assert_array_equal(km.labels_, best.labels)


def test_kmeans_plusplus_spreads_the_seeds():
    # Three tight groups: D^2 seeding must pick one series in each group.
    X, y = make_shapes(n_per=6, seed=2, noise=0.01)
    for seed in range(5):
        idx = kmeans_module._kmeans_plusplus(
            X, 3, np.ones(len(X)),
            lambda A, B: kmeans_module.pairwise_discrepancy(A, B, "dtw", 0.0,
                                                            check_band(None, None), None),
            np.random.RandomState(seed))
        assert sorted(y[idx]) == [0, 1, 2]


def test_init_array_and_callable(shapes):
    X, _ = shapes
    init = X[[0, 5, 10]]
    a = SoftDTWKMeans(3, gamma=0.1, init=init, **FAST).fit(X)
    b = SoftDTWKMeans(3, gamma=0.1, init=lambda X_, k, rs: init, **FAST).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    with pytest.warns(RuntimeWarning, match="n_init"):
        SoftDTWKMeans(3, gamma=0.1, init=init, n_init=3, max_iter=1,
                      max_iter_barycenter=2).fit(X)


def test_verbose_reports_progress(shapes, capsys):
    X, _ = shapes
    km = SoftDTWKMeans(3, gamma=0.1, random_state=0, verbose=1, tol=1e-3,
                       max_iter=30, max_iter_barycenter=20).fit(X)
    out = capsys.readouterr().out
    assert "Initialization complete" in out
    lines = re.findall(r"Iteration (\d+), inertia (\S+)\.", out)
    assert [int(i) for i, _ in lines] == list(range(1, km.n_iter_ + 1))
    assert float(lines[-1][1]) == pytest.approx(km.inertia_, rel=1e-5)
    assert f"Converged at iteration {km.n_iter_}" in out
    SoftDTWKMeans(3, gamma=0.1, random_state=0, **FAST).fit(X)
    assert capsys.readouterr().out == ""


def test_stops_on_tolerance_and_max_iter(shapes):
    X, _ = shapes
    loose = SoftDTWKMeans(3, gamma=0.1, random_state=0, tol=1e-2, max_iter=50,
                          max_iter_barycenter=20).fit(X)
    assert loose.n_iter_ < 50
    capped = SoftDTWKMeans(3, gamma=0.1, random_state=0, tol=0.0, max_iter=2,
                           max_iter_barycenter=20).fit(X)
    assert capped.n_iter_ == 2


# --------------------------------------------------------------------------
# Inputs: variable length, weights, layouts
# --------------------------------------------------------------------------
def test_variable_length_input():
    lengths = [20, 24, 28, 22, 26]
    X, y = make_shapes(n_per=5, lengths=lengths)
    km = SoftDTWKMeans(3, gamma=0.1, random_state=0, n_init=2, **FAST).fit(X)
    assert km.cluster_centers_.shape == (3, int(np.median([len(x) for x in X])), 1)
    assert adjusted_rand_score(y, km.labels_) == 1.0
    D = oracle_matrix(X, km.cluster_centers_, "softdtw", 0.1)
    assert km.inertia_ == pytest.approx(D.min(axis=1).sum(), rel=1e-10)
    # The NaN-padded layout is the same dataset.
    padded = np.full((len(X), max(lengths), 1), np.nan)
    for k, x in enumerate(X):
        padded[k, :len(x)] = x
    km2 = SoftDTWKMeans(3, gamma=0.1, random_state=0, n_init=2, **FAST).fit(padded)
    np.testing.assert_array_equal(km.cluster_centers_, km2.cluster_centers_)
    sized = SoftDTWKMeans(3, gamma=0.1, random_state=0, centroid_size=15, **FAST).fit(X)
    assert sized.cluster_centers_.shape == (3, 15, 1)


def test_integer_sample_weight_equals_repetition(shapes):
    X, _ = shapes
    w = np.random.default_rng(0).integers(1, 4, len(X))
    init = X[[0, 5, 10]]
    kw = dict(gamma=0.1, init=init, max_iter=5, max_iter_barycenter=30)
    weighted = SoftDTWKMeans(3, **kw).fit(X, sample_weight=w)
    repeated = SoftDTWKMeans(3, **kw).fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_,
                               atol=1e-5)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-6)
    np.testing.assert_array_equal(np.repeat(weighted.labels_, w), repeated.labels_)


def test_zero_weight_series_do_not_move_centroids(shapes):
    X, _ = shapes
    outlier = np.full((1,) + X.shape[1:], 30.0)
    init = X[[0, 5, 10]]
    kw = dict(gamma=0.1, init=init, max_iter=3, max_iter_barycenter=20)
    ref = SoftDTWKMeans(3, **kw).fit(X)
    w = np.r_[np.ones(len(X)), 0.0]
    km = SoftDTWKMeans(3, **kw).fit(np.concatenate([X, outlier]), sample_weight=w)
    np.testing.assert_allclose(km.cluster_centers_, ref.cluster_centers_, atol=1e-8)


def test_two_dimensional_and_multivariate_input(shapes):
    X, y = shapes
    km2d = SoftDTWKMeans(3, gamma=0.1, random_state=0, **FAST).fit(X[:, :, 0])
    km3d = SoftDTWKMeans(3, gamma=0.1, random_state=0, **FAST).fit(X)
    np.testing.assert_array_equal(km2d.cluster_centers_, km3d.cluster_centers_)
    assert km2d.n_features_in_ == km3d.n_features_in_ == X.shape[1]
    Xm = np.concatenate([X, -X], axis=2)
    kmm = SoftDTWKMeans(3, gamma=0.1, random_state=0, **FAST).fit(Xm)
    assert kmm.n_features_in_ == X.shape[1] and kmm.cluster_centers_.shape[2] == 2
    assert adjusted_rand_score(y, kmm.labels_) == 1.0
    with pytest.raises(ValueError, match="dimension"):
        kmm.predict(X)


# --------------------------------------------------------------------------
# API: validation, fitted state, persistence, threads
# --------------------------------------------------------------------------
@pytest.mark.parametrize("param,value", [
    ("n_clusters", 0), ("gamma", -1.0), ("metric", "euclidean"), ("metric", "sharp"),
    ("init", "kmeans"),
    ("n_init", 0), ("max_iter", 0), ("tol", -1.0), ("max_iter_barycenter", 0),
    ("sakoe_chiba_radius", -1), ("centroid_size", 0), ("n_jobs", 1.5),
])
def test_bad_parameters_name_the_parameter(shapes, param, value):
    X, _ = shapes
    with pytest.raises(ValueError, match=param):
        SoftDTWKMeans(**{"n_clusters": 3, param: value}).fit(X)


def test_bad_inputs(shapes):
    X, _ = shapes
    with pytest.raises(ValueError, match="n_clusters=20"):
        SoftDTWKMeans(20).fit(X)
    with pytest.raises(ValueError, match="init should have n_clusters=3"):
        SoftDTWKMeans(3, init=X[:2]).fit(X)
    with pytest.raises(ValueError, match="centroid_size"):
        SoftDTWKMeans(3, init=X[:3], centroid_size=5).fit(X)
    with pytest.raises(ValueError, match="n_jobs"):
        SoftDTWKMeans(3, n_jobs=0).fit(X)
    with pytest.raises(ValueError, match="weight"):
        SoftDTWKMeans(3).fit(X, sample_weight=np.zeros(len(X)))
    with pytest.raises(ValueError, match="averaging"):
        dtw_kmeans(X, 3, averaging="mean")


@pytest.mark.parametrize("init", ["random", "k-means++"])
def test_fewer_positive_weights_than_clusters(shapes, init):
    X, _ = shapes
    w = np.zeros(len(X))
    w[[2, 7]] = 1.0
    with pytest.raises(ValueError, match=re.escape(
            f"sample_weight has 2 positive weights, fewer than n_clusters=3: init='{init}'")):
        SoftDTWKMeans(3, init=init, **FAST).fit(X, sample_weight=w)
    with pytest.raises(ValueError, match="2 positive weights"):
        dtw_kmeans(X, 3, init=init, sample_weight=w)
    # As many positive weights as clusters: the seeds are exactly those two series.
    km = SoftDTWKMeans(2, init=init, max_iter=1, random_state=0).fit(X, sample_weight=w)
    assert km.cluster_centers_.shape == (2,) + X.shape[1:]


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_unfitted_raises(shapes, method):
    with pytest.raises(NotFittedError):
        getattr(SoftDTWKMeans(3), method)(shapes[0])


def test_clone_and_pickle_round_trip(fitted, shapes):
    X, _ = shapes
    assert clone(fitted).get_params() == fitted.get_params()
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.cluster_centers_, fitted.cluster_centers_)
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert restored.inertia_ == fitted.inertia_


def test_n_jobs_does_not_change_the_result(shapes):
    X, _ = shapes
    one = SoftDTWKMeans(3, gamma=0.1, random_state=0, n_jobs=1, **FAST).fit(X)
    two = SoftDTWKMeans(3, gamma=0.1, random_state=0, n_jobs=2, **FAST).fit(X)
    np.testing.assert_array_equal(one.cluster_centers_, two.cluster_centers_)
    np.testing.assert_array_equal(one.labels_, two.labels_)
    assert one.inertia_ == two.inertia_


def test_tags():
    tags = SoftDTWKMeans().__sklearn_tags__()
    assert tags.input_tags.three_d_array and tags.input_tags.two_d_array
    assert tags.estimator_type == "clusterer"


def test_grid_search_over_gamma_uses_the_hard_dtw_score(shapes):
    X, _ = shapes
    gs = GridSearchCV(SoftDTWKMeans(3, random_state=0, max_iter=3, max_iter_barycenter=10),
                      {"gamma": [0.01, 10.0]},
                      cv=KFold(3, shuffle=True, random_state=0)).fit(X)
    # gamma=10 over-smooths the centroids; the hard-DTW score sees it.
    assert gs.best_params_ == {"gamma": 0.01}


def test_grid_search_over_metric():
    X, _ = make_shapes(n_per=4)
    grid = {"metric": ["softdtw", "divergence", "sharp_divergence"]}
    gs = GridSearchCV(SoftDTWKMeans(3, gamma=1.0, random_state=0, max_iter=3,
                                    max_iter_barycenter=10),
                      grid, cv=KFold(3, shuffle=True, random_state=0)).fit(X)
    # Each candidate's score is that of a model refitted with its metric.
    for metric, score in zip(gs.cv_results_["param_metric"],
                             gs.cv_results_["mean_test_score"]):
        folds = [SoftDTWKMeans(3, gamma=1.0, metric=metric, random_state=0, max_iter=3,
                               max_iter_barycenter=10).fit(X[train]).score(X[test])
                 for train, test in KFold(3, shuffle=True, random_state=0).split(X)]
        assert score == pytest.approx(np.mean(folds), rel=1e-12)
    assert gs.best_params_["metric"] == grid["metric"][
        int(np.argmax(gs.cv_results_["mean_test_score"]))]


# --------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------
@pytest.mark.parametrize("averaging", ["dba", "subgradient", "stochastic-subgradient"])
def test_dtw_baselines(shapes, averaging):
    X, y = shapes
    centers, labels, inertia, n_iter = dtw_kmeans(
        X, 3, averaging=averaging, random_state=0, n_init=2, max_iter=10,
        max_iter_barycenter=20, return_n_iter=True)
    assert adjusted_rand_score(y, labels) == 1.0
    D = oracle_matrix(X, centers, "dtw", 0.0)
    np.testing.assert_array_equal(labels, D.argmin(axis=1))
    assert inertia == pytest.approx(D.min(axis=1).sum(), rel=1e-10)
    assert 1 <= n_iter <= 10


def test_dtw_kmeans_matches_the_estimator(shapes):
    X, _ = shapes
    km = SoftDTWKMeans(3, gamma=0.1, random_state=0, **FAST).fit(X)
    centers, labels, inertia = dtw_kmeans(X, 3, gamma=0.1, random_state=0, **FAST)
    np.testing.assert_array_equal(centers, km.cluster_centers_)
    np.testing.assert_array_equal(labels, km.labels_)
    assert inertia == km.inertia_


# --------------------------------------------------------------------------
# Continuation in gamma
# --------------------------------------------------------------------------
def bumps_and_dips(spread, n_per=6, sz=50):
    """Narrow bumps and narrow dips at evenly spaced places, and the flat
    Euclidean means of the two groups as initial centroids."""
    t = np.linspace(0, 1, sz)
    bumps = [np.exp(-((t - c) / 0.03) ** 2)
             for c in np.linspace(0.5 - spread / 2, 0.5 + spread / 2, n_per)]
    X = np.array(bumps + [-b for b in bumps])[:, :, None]
    return X, np.stack([X[:n_per].mean(axis=0), X[n_per:].mean(axis=0)])


@pytest.mark.parametrize("spread", [0.2, 0.3])
@pytest.mark.parametrize("gamma", [0.01, 0.001])
def test_continuation_beats_plain_kmeans_on_shifted_bumps(spread, gamma):
    X, init = bumps_and_dips(spread)
    plain = SoftDTWKMeans(2, gamma=gamma, init=init).fit(X)
    auto = SoftDTWKMeans(2, gamma=gamma, init=init, gamma_schedule="auto").fit(X)
    np.testing.assert_array_equal(auto.labels_, [0] * 6 + [1] * 6)
    # score: minus the mean hard-DTW loss per length, computed by the oracle here.
    D = oracle_matrix(X, auto.cluster_centers_, "dtw", 0.0)
    assert auto.score(X) == pytest.approx(-(D.min(axis=1) / X.shape[1]).mean(), rel=1e-10)
    assert auto.score(X) > plain.score(X) + 0.5 * abs(plain.score(X) - auto.score(X))
    assert -auto.score(X) < 0.5 * -plain.score(X)


@pytest.mark.parametrize("spread, gamma", [(0.2, 0.001), (0.3, 0.01), (0.0, 0.01)])
def test_update_with_a_schedule_keeps_the_better_of_both_barycenters(spread, gamma):
    X, init = bumps_and_dips(spread)
    members = np.arange(6)
    args = (X[members], np.ones(6), np.full(6, X.shape[1]), init[0], "softdtw", gamma,
            "softdtw", 30, {}, 1, np.random.RandomState(0))
    plain = kmeans_module._update(*args)
    both = kmeans_module._update(*args, gamma_schedule="auto")
    continued = kmeans_module.solve_softdtw_barycenter(
        X[members], gamma, weights=np.full(6, X.shape[1]), init=init[0], max_iter=30,
        gamma_schedule="auto", warn=False, n_jobs=1)
    # The lower objective at gamma of the two, from the same centroid.
    assert both.loss == min(plain.loss, continued.loss)
    expected = continued if continued.loss < plain.loss else plain
    np.testing.assert_array_equal(both.barycenter, expected.barycenter)
    assert both.n_calls == plain.n_calls + continued.n_calls


def test_schedule_in_kmeans_is_the_schedule_of_every_update(shapes, monkeypatch):
    X, _ = shapes
    seen = []
    real = kmeans_module.solve_softdtw_barycenter

    def spy(*args, **kwargs):
        seen.append(kwargs.get("gamma_schedule"))
        return real(*args, **kwargs)

    monkeypatch.setattr(kmeans_module, "solve_softdtw_barycenter", spy)
    km = SoftDTWKMeans(3, gamma=0.01, gamma_schedule=[1.0, 0.01], random_state=0,
                       **FAST).fit(X)
    # Every update: once without the schedule, once with it.
    assert seen and seen[::2] == [None] * (len(seen) // 2)
    assert seen[1::2] == [[1.0, 0.01]] * (len(seen) // 2)
    again = SoftDTWKMeans(3, gamma=0.01, gamma_schedule=[1.0, 0.01], random_state=0,
                          **FAST).fit(X)
    np.testing.assert_array_equal(km.cluster_centers_, again.cluster_centers_)
    centers, labels, inertia = dtw_kmeans(X, 3, gamma=0.01, gamma_schedule=[1.0, 0.01],
                                          random_state=0, **FAST)
    np.testing.assert_array_equal(centers, km.cluster_centers_)


@pytest.mark.parametrize("schedule", [[1.0, 0.1], [0.01, 0.1], "fast", [[1.0, 0.01]]])
def test_bad_schedule_names_the_parameter(shapes, schedule):
    X, _ = shapes
    with pytest.raises(ValueError, match="gamma_schedule"):
        SoftDTWKMeans(3, gamma=0.01, gamma_schedule=schedule).fit(X)
    with pytest.raises(ValueError, match="gamma_schedule"):
        dtw_kmeans(X, 3, gamma=0.01, gamma_schedule=schedule)


# --------------------------------------------------------------------------
# DTWKMeans
# --------------------------------------------------------------------------
@pytest.mark.parametrize("averaging", ["dba", "subgradient", "stochastic-subgradient"])
def test_dtw_kmeans_estimator_is_the_function(shapes, averaging):
    X, y = shapes
    km = DTWKMeans(3, averaging=averaging, random_state=0, **FAST).fit(X)
    centers, labels, inertia, n_iter = dtw_kmeans(X, 3, averaging=averaging, random_state=0,
                                                  return_n_iter=True, **FAST)
    np.testing.assert_array_equal(km.cluster_centers_, centers)
    np.testing.assert_array_equal(km.labels_, labels)
    assert (km.inertia_, km.n_iter_) == (inertia, n_iter)
    assert adjusted_rand_score(y, km.labels_) == 1.0
    # transform is hard DTW (the oracle), predict its argmin, score minus the loss.
    D = oracle_matrix(X, km.cluster_centers_, "dtw", 0.0)
    np.testing.assert_allclose(km.transform(X), D, rtol=1e-10)
    np.testing.assert_array_equal(km.predict(X), D.argmin(axis=1))
    assert km.score(X) == pytest.approx(-(D.min(axis=1) / X.shape[1]).mean(), rel=1e-10)
    assert km.get_feature_names_out().tolist() == ["dtwkmeans0", "dtwkmeans1", "dtwkmeans2"]


def test_dtw_kmeans_estimator_api(shapes):
    X, _ = shapes
    with pytest.raises(NotFittedError):
        DTWKMeans(3).predict(X)
    for param, value in [("averaging", "softdtw"), ("n_clusters", 0), ("max_iter", 0)]:
        with pytest.raises(ValueError, match=param):
            DTWKMeans(**{"n_clusters": 3, param: value}).fit(X)
    for param in ("gamma", "metric", "gamma_schedule"):
        with pytest.raises(TypeError, match=param):
            DTWKMeans(3, **{param: None})
    km = DTWKMeans(3, random_state=0, **FAST).fit(X)
    assert clone(km).get_params() == km.get_params()
    restored = pickle.loads(pickle.dumps(km))
    np.testing.assert_array_equal(restored.cluster_centers_, km.cluster_centers_)
    np.testing.assert_array_equal(restored.predict(X), km.predict(X))
    assert DTWKMeans().__sklearn_tags__().input_tags.three_d_array


def test_dtw_and_soft_dtw_kmeans_compare_by_score(shapes):
    X, _ = shapes
    models = [DTWKMeans(3, random_state=0, **FAST),
              SoftDTWKMeans(3, gamma=0.01, random_state=0, **FAST)]
    search = GridSearchCV(DTWKMeans(3, random_state=0, **FAST),
                          {"n_clusters": [1, 3]}, cv=KFold(3, shuffle=True, random_state=0))
    assert search.fit(X).best_params_ == {"n_clusters": 3}
    for km in models:
        km.fit(X)
        D = oracle_matrix(X, km.cluster_centers_, "dtw", 0.0)
        assert km.score(X) == pytest.approx(-(D.min(axis=1) / X.shape[1]).mean(), rel=1e-10)


@pytest.mark.slow  # tslearn compiles its numba kernels on first use
def test_dtw_kmeans_agrees_with_tslearn(shapes):
    tslearn_clustering = pytest.importorskip("tslearn.clustering")
    X, _ = shapes
    init = X[[0, 5, 10]]
    theirs = tslearn_clustering.TimeSeriesKMeans(3, metric="dtw", init=init.copy(),
                                                 max_iter=10, max_iter_barycenter=20).fit(X)
    ours = DTWKMeans(3, init=init, **FAST).fit(X)
    assert adjusted_rand_score(theirs.labels_, ours.labels_) == 1.0
    D = oracle_matrix(X, theirs.cluster_centers_, "dtw", 0.0)
    theirs_loss = D.min(axis=1).sum()
    assert -ours.score(X) <= theirs_loss * (1 + 1e-3)


# --------------------------------------------------------------------------
# Peer: tslearn
# --------------------------------------------------------------------------
@pytest.mark.slow  # tslearn compiles its numba kernels on first use
def test_agrees_with_tslearn(shapes):
    tslearn_clustering = pytest.importorskip("tslearn.clustering")
    X, _ = shapes
    init = X[[0, 5, 10]]
    theirs = tslearn_clustering.TimeSeriesKMeans(
        3, metric="softdtw", metric_params={"gamma": 0.1}, init=init.copy(), max_iter=10,
        max_iter_barycenter=20).fit(X)
    ours = SoftDTWKMeans(3, gamma=0.1, init=init, **FAST).fit(X)
    assert adjusted_rand_score(theirs.labels_, ours.labels_) == 1.0
    # Both minimise the same objective; evaluate theirs with the oracle.
    D = oracle_matrix(X, theirs.cluster_centers_, "softdtw", 0.1)
    theirs_objective = D.min(axis=1).sum()
    assert ours.inertia_ <= theirs_objective + 1e-3 * abs(theirs_objective)


# --------------------------------------------------------------------------
# The Table 2 experiment script, on a tiny UCR-layout directory
# --------------------------------------------------------------------------
def test_paper_kmeans_script(tmp_path):
    from sksoftdtw.experiments import kmeans as paper_kmeans

    for name, seed in [("ShapesA", 0), ("ShapesB", 1)]:
        X, y = make_shapes(n_per=3, sz=16, seed=seed)
        folder = tmp_path / name
        folder.mkdir()
        for split in ("TRAIN", "TEST"):
            lines = ["\t".join(map(repr, [float(label)] + x.ravel().tolist()))
                     for x, label in zip(X, y)]
            (folder / f"{name}_{split}.tsv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "results.csv"
    rows = paper_kmeans.run(tmp_path, out=out, max_train=6, max_iter=1,
                            max_iter_barycenter=2, progress=False)
    methods = 2 * len(paper_kmeans.GAMMAS) + len(paper_kmeans.COMPETITORS)
    assert len(rows) == 2 * len(paper_kmeans.INITS) * methods
    assert out.read_text().count("\n") == len(rows) + 1
    for r in rows:
        assert r["n_used"] == 6 and r["k"] == 3
        # The loss is the hard-DTW k-means loss of the result, not its objective.
        if r["method"] in paper_kmeans.COMPETITORS:
            assert r["dtw_loss"] == pytest.approx(r["inertia"], rel=1e-10)
    summary = paper_kmeans.summarize(rows)
    assert all(0 <= s["ours"] <= 100 and s["n_datasets"] == 2 for s in summary)
    assert "vs dba (random)" in paper_kmeans.format_table(summary)

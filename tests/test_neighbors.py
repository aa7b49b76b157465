"""Nearest-neighbour estimators and the pruned hard-DTW search.

Oracles: the brute-force matrices (``cdist_dtw``, ``cdist_soft_dtw``,
``cdist_soft_dtw_divergence``) with a stable sort, scikit-learn's own
estimators on those matrices (``metric="precomputed"``), the pure-Python DTW
of ``_oracles`` for the lower bounds, and tslearn when installed.
"""
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline

from _oracles import dtw_xy
from sksoftdtw import cdist_dtw, cdist_soft_dtw, cdist_soft_dtw_divergence
from sksoftdtw._engine.kernels import neighbors as nf
from sksoftdtw.datasets import load_dataset
from sksoftdtw.neighbors import KNeighborsTimeSeriesClassifier, KNeighborsTimeSeriesRegressor
from sksoftdtw.neighbors import _base
from sksoftdtw.preprocessing import TimeSeriesScalerMeanVariance

RADII = [None, 0, 1, 3]


def _walks(n_ts, sz, d, rng, variable=False):
    """Random walks; of lengths 2..sz when ``variable``."""
    lengths = rng.randint(2, sz + 1, n_ts) if variable else [sz] * n_ts
    X = [np.cumsum(rng.randn(n, d), axis=0) for n in lengths]
    return X if variable else np.array(X)


def _band(radius):
    return (-1 if radius is None else radius), 0.0


def _brute(D, k):
    """The k smallest of each row, ties to the lowest index (a stable sort)."""
    ind = np.argsort(D, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(D, ind, axis=1), ind


# --------------------------------------------------------------------------
# Lower bounds and the early-abandoned DTW, pair by pair
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("radius", RADII)
def test_bounds_never_exceed_dtw(seed, radius):
    """LB_Kim and LB_Keogh (both directions, with the band) <= DTW, also for n != m."""
    rng = np.random.RandomState(seed)
    n, m, d = rng.randint(1, 9), rng.randint(1, 9), 1 + seed % 3
    x, y = rng.randn(n, d), rng.randn(m, d)
    true = dtw_xy(x, y, radius)
    for bound in nf.pair_bounds(x, y, *_band(radius)):
        # the kernel shrinks the bounds by a relative 4 (n + m + 1) d eps
        assert bound <= true * (1 + 4 * (n + m + 1) * d * np.finfo(float).eps)


def test_bounds_prune_something():
    """The bounds are not trivially zero: on random walks they are a real share of DTW."""
    rng = np.random.RandomState(0)
    ratios = []
    for _ in range(50):
        x, y = _walks(2, 30, 1, rng)
        ratios.append(max(nf.pair_bounds(x, y, *_band(3))) / dtw_xy(x, y, 3))
    assert 0.3 < np.median(ratios) <= 1


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("radius", RADII)
def test_abandoned_dtw_is_exact_or_infinite(seed, radius):
    """The pruned DTW equals the oracle; abandoned only above bsf, never at bsf."""
    rng = np.random.RandomState(seed)
    n, m, d = rng.randint(1, 12), rng.randint(1, 12), 1 + seed % 2
    x, y = rng.randn(n, d), rng.randn(m, d)
    r = _band(radius)
    true = dtw_xy(x, y, radius)
    value = nf.pair_dtw(x, y, *r, np.inf)
    assert_allclose(value, true, rtol=1e-14)
    assert nf.pair_dtw(x, y, *r, value) == value  # a tie is computed
    assert nf.pair_dtw(x, y, *r, 0.5 * value) in (np.inf, value)


def test_abandoning_happens():
    """A far candidate with a small bsf is abandoned."""
    x, y = np.zeros((20, 1)), np.full((20, 1), 3.0)
    assert nf.pair_dtw(x, y, *_band(2), 1.0) == np.inf


# --------------------------------------------------------------------------
# kneighbors against the brute-force matrices
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("variable", [False, True])
@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("radius", RADII + [6])
def test_dtw_kneighbors_equal_brute_force(seed, variable, d, radius):
    rng = np.random.RandomState(seed)
    X_train = _walks(25, 14, d, rng, variable)
    X_test = _walks(9, 14, d, rng, variable)
    D = cdist_dtw(X_test, X_train, sakoe_chiba_radius=radius)
    clf = KNeighborsTimeSeriesClassifier(sakoe_chiba_radius=radius).fit(X_train, np.zeros(25))
    for k in (1, 4, 25):
        dist, ind = clf.kneighbors(X_test, n_neighbors=k)
        expected_dist, expected_ind = _brute(D, k)
        assert_array_equal(ind, expected_ind)
        assert_allclose(dist, expected_dist, rtol=1e-13)


@pytest.mark.parametrize("n_jobs", [1, 2, -1])
def test_dtw_kneighbors_ties_go_to_the_lowest_index(n_jobs):
    """Duplicated training series: equal distances ordered by index, as the brute force."""
    rng = np.random.RandomState(1)
    X_train = _walks(30, 20, 1, rng)
    X_train[[7, 19, 25]] = X_train[3]
    X_train[12] = X_train[3][::-1]  # another series at the same distance from some queries
    X_test = np.concatenate([X_train[[25, 3, 12]], _walks(5, 20, 1, rng)])
    clf = KNeighborsTimeSeriesClassifier(sakoe_chiba_radius=2, n_jobs=n_jobs)
    dist, ind = clf.fit(X_train, np.zeros(30)).kneighbors(X_test, n_neighbors=6)
    expected_dist, expected_ind = _brute(cdist_dtw(X_test, X_train, sakoe_chiba_radius=2), 6)
    assert_array_equal(ind, expected_ind)
    assert_array_equal(ind[0, :4], [3, 7, 19, 25])
    assert_allclose(dist, expected_dist, rtol=1e-13)


@pytest.mark.parametrize("metric", ["dtw", "softdtw", "divergence"])
def test_kneighbors_without_x_leaves_each_series_out(metric):
    """kneighbors() on the training set: each series is not its own neighbour."""
    rng = np.random.RandomState(2)
    X = _walks(15, 10, 1, rng)
    clf = KNeighborsTimeSeriesClassifier(metric=metric, gamma=0.5, sakoe_chiba_radius=3)
    dist, ind = clf.fit(X, np.zeros(15)).kneighbors(n_neighbors=3)
    kw = {"sakoe_chiba_radius": 3}
    D = {"dtw": lambda: cdist_dtw(X, X, **kw),
         "softdtw": lambda: cdist_soft_dtw(X, X, 0.5, **kw),
         "divergence": lambda: cdist_soft_dtw_divergence(X, X, 0.5, **kw)}[metric]()
    np.fill_diagonal(D, np.inf)
    expected_dist, expected_ind = _brute(D, 3)
    assert_array_equal(ind, expected_ind)
    assert_allclose(dist, expected_dist, rtol=1e-12)


@pytest.mark.parametrize("metric", ["softdtw", "divergence"])
@pytest.mark.parametrize("gamma", [0.01, 1.0])
@pytest.mark.parametrize("variable", [False, True])
def test_soft_metrics_equal_brute_force_by_blocks(metric, gamma, variable, monkeypatch):
    """Blocks of 3 query series (patched) give the full matrix's neighbours."""
    monkeypatch.setattr(_base, "_BLOCK_CELLS", 3 * 12)
    rng = np.random.RandomState(3)
    X_train, X_test = _walks(12, 9, 2, rng, variable), _walks(8, 9, 2, rng, variable)
    cdist = cdist_soft_dtw if metric == "softdtw" else cdist_soft_dtw_divergence
    D = cdist(X_test, X_train, gamma, sakoe_chiba_radius=2)
    clf = KNeighborsTimeSeriesClassifier(metric=metric, gamma=gamma, sakoe_chiba_radius=2)
    dist, ind = clf.fit(X_train, np.zeros(12)).kneighbors(X_test, n_neighbors=4)
    expected_dist, expected_ind = _brute(D, 4)
    assert_array_equal(ind, expected_ind)
    assert_allclose(dist, expected_dist, rtol=1e-12)


# --------------------------------------------------------------------------
# Votes and averages against scikit-learn on the precomputed matrix
# --------------------------------------------------------------------------
def _precomputed(metric, X_train, X_test, gamma, radius):
    kw = {"sakoe_chiba_radius": radius}
    if metric == "dtw":
        return cdist_dtw(X_train, **kw), cdist_dtw(X_test, X_train, **kw)
    cdist = cdist_soft_dtw if metric == "softdtw" else cdist_soft_dtw_divergence
    return cdist(X_train, gamma=gamma, **kw), cdist(X_test, X_train, gamma, **kw)


@pytest.mark.parametrize("metric,weights", [("dtw", "uniform"), ("dtw", "distance"),
                                            ("divergence", "distance"),
                                            ("softdtw", "uniform")])
@pytest.mark.parametrize("n_neighbors", [1, 3, 6])
def test_classifier_equals_sklearn_on_the_matrix(metric, weights, n_neighbors):
    rng = np.random.RandomState(4)
    X_train, X_test = _walks(30, 12, 1, rng), _walks(15, 12, 1, rng)
    y_train = rng.choice(["a", "b", "c"], 30)
    D_train, D_test = _precomputed(metric, X_train, X_test, 0.3, 2)
    params = {"n_neighbors": n_neighbors, "weights": weights}
    ref = KNeighborsClassifier(metric="precomputed", **params).fit(np.maximum(D_train, 0),
                                                                   y_train)
    clf = KNeighborsTimeSeriesClassifier(metric=metric, gamma=0.3, sakoe_chiba_radius=2,
                                         **params).fit(X_train, y_train)
    if metric != "softdtw":  # sklearn refuses negative precomputed distances
        assert_allclose(clf.predict_proba(X_test), ref.predict_proba(np.maximum(D_test, 0)),
                        rtol=1e-12)
        assert_array_equal(clf.predict(X_test), ref.predict(np.maximum(D_test, 0)))
    proba = clf.predict_proba(X_test)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X_test), clf.classes_[proba.argmax(axis=1)])


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("target_shape", [(), (3,)])
def test_regressor_equals_sklearn_on_the_matrix(weights, target_shape):
    rng = np.random.RandomState(5)
    X_train, X_test = _walks(25, 10, 2, rng), _walks(7, 10, 2, rng)
    y_train = rng.randn(25, *target_shape)
    D_train, D_test = _precomputed("dtw", X_train, X_test, None, 3)
    ref = KNeighborsRegressor(4, metric="precomputed", weights=weights).fit(D_train, y_train)
    reg = KNeighborsTimeSeriesRegressor(4, weights=weights, sakoe_chiba_radius=3)
    pred = reg.fit(X_train, y_train).predict(X_test)
    assert pred.shape == (7, *target_shape)
    assert_allclose(pred, ref.predict(D_test), rtol=1e-12)


def test_distance_weights_at_distance_zero():
    """A query equal to training series takes their labels only (scikit-learn's rule)."""
    X = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [5.0, 5.0, 5.0]])
    clf = KNeighborsTimeSeriesClassifier(3, weights="distance").fit(X, [1, 1, 2])
    assert_array_equal(clf.predict_proba(X[:1]), [[1.0, 0.0]])


# --------------------------------------------------------------------------
# Real data, peers, model selection, persistence
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["GunPoint", "ItalyPowerDemand"])
def test_one_nn_accuracy_equals_brute_force_on_ucr(name):
    X_train, y_train, X_test, y_test = load_dataset(name)
    radius = int(0.1 * X_train.shape[1])
    brute = y_train[cdist_dtw(X_test, X_train, sakoe_chiba_radius=radius).argmin(axis=1)]
    clf = KNeighborsTimeSeriesClassifier(1, sakoe_chiba_radius=radius).fit(X_train, y_train)
    assert_array_equal(clf.predict(X_test), brute)
    assert clf.score(X_test, y_test) == np.mean(brute == y_test) > 0.85


def test_classifier_train_check_without_the_length_check():
    """What scikit-learn's check_classifiers_train verifies, but predict(X.T)."""
    X_train, y_train, X_test, y_test = load_dataset("GunPoint")
    clf = KNeighborsTimeSeriesClassifier(3, weights="distance", sakoe_chiba_radius=8)
    clf.fit(X_train, y_train)
    assert_array_equal(clf.classes_, np.unique(y_train))
    pred, proba = clf.predict(X_test), clf.predict_proba(X_test)
    assert pred.shape == y_test.shape and proba.shape == (len(X_test), 2)
    assert np.mean(pred == y_test) > 0.83
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.classes_[proba.argmax(axis=1)], pred)
    with pytest.raises(ValueError, match="inconsistent numbers"):
        clf.fit(X_train, y_train[:-1])


@pytest.mark.parametrize("radius", [None, 3])
def test_agrees_with_tslearn(radius):
    """tslearn's DTW is the square root of ours: same neighbours, squared distances."""
    tslearn_neighbors = pytest.importorskip("tslearn.neighbors")
    rng = np.random.RandomState(6)
    X_train, X_test = _walks(20, 15, 1, rng), _walks(6, 15, 1, rng)
    y_train = rng.randint(0, 3, 20)
    params = ({} if radius is None else
              {"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": radius})
    ref = tslearn_neighbors.KNeighborsTimeSeriesClassifier(3, metric="dtw",
                                                           metric_params=params)
    ref_dist, ref_ind = ref.fit(X_train, y_train).kneighbors(X_test)
    clf = KNeighborsTimeSeriesClassifier(3, sakoe_chiba_radius=radius).fit(X_train, y_train)
    dist, ind = clf.kneighbors(X_test)
    assert_array_equal(ind, ref_ind)
    assert_allclose(dist, ref_dist**2, rtol=1e-10)
    assert_array_equal(clf.predict(X_test), ref.predict(X_test))


def test_grid_search_over_neighbours_gamma_and_band_in_a_pipeline():
    X_train, y_train, X_test, y_test = load_dataset("ItalyPowerDemand")
    pipe = make_pipeline(TimeSeriesScalerMeanVariance(),
                         KNeighborsTimeSeriesClassifier(metric="divergence"))
    grid = GridSearchCV(pipe, {"kneighborstimeseriesclassifier__n_neighbors": [1, 3],
                               "kneighborstimeseriesclassifier__gamma": [0.1, 1.0],
                               "kneighborstimeseriesclassifier__sakoe_chiba_radius": [0, 2]},
                        cv=2)
    grid.fit(X_train[:40], y_train[:40])
    assert len(grid.cv_results_["params"]) == 8
    assert grid.score(X_test, y_test) > 0.7


@pytest.mark.parametrize("cls", [KNeighborsTimeSeriesClassifier, KNeighborsTimeSeriesRegressor])
def test_pickle_round_trip(cls):
    rng = np.random.RandomState(7)
    X_train, X_test = _walks(10, 8, 1, rng, variable=True), _walks(4, 8, 1, rng, True)
    est = cls(2, sakoe_chiba_radius=1).fit(X_train, np.arange(10) % 2)
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(again.predict(X_test), est.predict(X_test))
    assert_array_equal(again.kneighbors(X_test)[1], est.kneighbors(X_test)[1])


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
def test_distance_weights_refused_for_soft_dtw():
    clf = KNeighborsTimeSeriesClassifier(weights="distance", metric="softdtw")
    with pytest.raises(ValueError, match="weights='distance'.*metric='divergence'"):
        clf.fit(np.zeros((3, 4)), [0, 1, 0])


def test_too_many_neighbours():
    clf = KNeighborsTimeSeriesClassifier(3).fit(np.random.randn(3, 5), [0, 1, 0])
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        clf.kneighbors(np.random.randn(2, 5), n_neighbors=4)
    with pytest.raises(ValueError, match="not its own neighbour"):
        clf.kneighbors(n_neighbors=3)
    with pytest.raises(ValueError, match="n_neighbors must be a positive integer"):
        clf.kneighbors(np.random.randn(2, 5), n_neighbors=0)


def test_bad_queries():
    clf = KNeighborsTimeSeriesClassifier(1).fit(np.random.randn(3, 5, 2), [0, 1, 0])
    with pytest.raises(ValueError, match="dimension d=1, but d=2"):
        clf.predict(np.random.randn(2, 5))
    X = np.random.randn(2, 5, 2)
    X[0, 2, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(X)


def test_missing_or_misshapen_targets():
    with pytest.raises(ValueError, match="requires y to be passed"):
        KNeighborsTimeSeriesRegressor().fit(np.zeros((3, 4)), None)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        KNeighborsTimeSeriesRegressor(1).fit(np.zeros((3, 4)), [1.0, 2.0])
    with pytest.raises(ValueError, match="Unknown label type"):
        KNeighborsTimeSeriesClassifier(1).fit(np.zeros((3, 4)), [0.5, 1.5, 2.5])

"""scikit-learn's estimator checks, and time-series conventions, on every estimator.

The estimators are discovered by walking the ``sksoftdtw`` package: every
public class deriving from :class:`sklearn.base.BaseEstimator` is checked, so
a new estimator cannot skip the checks. Each may have a fast configuration in
``FAST_PARAMS`` (fewer iterations: the checks fit each estimator a few hundred
times); one without an entry is checked with its defaults, and
``test_default_configuration_is_fast`` fails when those are too slow for that.

Expected failures are listed per estimator with their reason. They are strict
where scikit-learn supports it (>= 1.8): a check that starts passing fails the
test, so that its entry is removed and the list cannot go stale.
"""
import importlib
import inspect
import pkgutil
import time

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, is_classifier
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

import sksoftdtw

# The fast configurations stop early on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _discover_estimators():
    """Every public BaseEstimator subclass defined in the sksoftdtw package."""
    found = {}
    for info in pkgutil.walk_packages(sksoftdtw.__path__, prefix="sksoftdtw."):
        if info.name.endswith("__main__"):  # importing it runs the command line
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and not name.startswith("_")
                and cls.__module__.startswith("sksoftdtw")
                and not inspect.isabstract(cls)
            ):
                assert found.setdefault(name, cls) is cls, f"two estimators named {name}"
    return [found[name] for name in sorted(found)]


ESTIMATORS = _discover_estimators()

# Small, fast configurations, keyed by class name: the checks fit each
# estimator a few hundred times on tiny data.
FAST_PARAMS = {
    "SoftDTWBarycenter": {"max_iter": 5},
    "SoftDTWKMeans": {"n_clusters": 2, "max_iter": 3, "max_iter_barycenter": 3,
                      "random_state": 0},
    "DTWKMeans": {"n_clusters": 2, "max_iter": 3, "max_iter_barycenter": 3,
                  "random_state": 0},
    "MLPRegressor": {"hidden_layer_sizes": (4,), "max_iter": 20, "random_state": 0},
    "NearestCentroidTimeSeriesClassifier": {"max_iter": 5},
}

# A class without an entry in FAST_PARAMS must fit and transform (or predict)
# a check-sized dataset within this CPU time with its defaults.
DEFAULT_FIT_BUDGET_S = 1.0

_ANY_LENGTH = (
    "DTW compares series of different lengths: after fit on series of length sz, the "
    "methods accept series of any length (test_methods_accept_series_of_other_lengths), "
    "so they cannot reject X whose number of columns differs from n_features_in_"
)
_ANY_LENGTH_TRANSFORM = (
    _ANY_LENGTH + "; the rest of this check is test_fit_transform_is_consistent"
)

_KMEANS_FAILURES = {
    "check_n_features_in_after_fitting": _ANY_LENGTH,
    "check_transformer_general": _ANY_LENGTH_TRANSFORM,
    "check_sample_weight_equivalence_on_dense_data": (
        "the k-means++ seeding draws series from random_state, and repeating a series "
        "changes the draws, hence the clusters found (as for sklearn.cluster.KMeans, "
        "which lists the same expected failure); with a fixed init, integer weights "
        "and repetitions give the same model "
        "(test_kmeans.py::test_integer_sample_weight_equals_repetition)"
    ),
}

# Checks that cannot pass, with the reason. As short as honesty allows.
EXPECTED_FAILURES = {
    "SoftDTWBarycenter": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_transformer_general": _ANY_LENGTH_TRANSFORM,
    },
    "SoftDTWKMeans": _KMEANS_FAILURES,
    "DTWKMeans": _KMEANS_FAILURES,
    "KNeighborsTimeSeriesClassifier": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_classifiers_train": (
            _ANY_LENGTH + "; the rest of this check is "
            "test_neighbors.py::test_classifier_train_check_without_the_length_check"
        ),
    },
    "KNeighborsTimeSeriesRegressor": {"check_n_features_in_after_fitting": _ANY_LENGTH},
    "NearestCentroidTimeSeriesClassifier": {
        "check_n_features_in_after_fitting": _ANY_LENGTH,
        "check_classifiers_train": (
            _ANY_LENGTH + "; the rest of this check is "
            "test_nearest_centroid.py::test_classifier_train_check_without_the_length_check"
        ),
    },
    "TimeSeriesResampler": {"check_n_features_in_after_fitting": _ANY_LENGTH},
    "TimeSeriesScalerMeanVariance": {"check_n_features_in_after_fitting": _ANY_LENGTH},
}

# Failures that a known fix outside this file removes; delete an entry with
# its fix (the checks are strict: the fixed check fails until then).
PENDING_FIXES = {}


def _instance(cls, **params):
    return cls(**{**FAST_PARAMS.get(cls.__name__, {}), **params})


def _expected_failures(estimator):
    name = type(estimator).__name__
    return {**EXPECTED_FAILURES.get(name, {}), **PENDING_FIXES.get(name, {})}


def _strict():
    params = inspect.signature(parametrize_with_checks).parameters
    return {"xfail_strict": True} if "xfail_strict" in params else {}


def test_discovery_finds_the_estimators():
    names = {cls.__name__ for cls in ESTIMATORS}
    assert {"SoftDTWBarycenter", "SoftDTWKMeans", "DTWKMeans", "MLPRegressor",
            "KNeighborsTimeSeriesClassifier", "KNeighborsTimeSeriesRegressor",
            "NearestCentroidTimeSeriesClassifier", "TimeSeriesScalerMeanVariance", "TimeSeriesResampler"} <= names


def test_tables_name_discovered_estimators():
    """No stale entry: every configuration and expected failure names an estimator."""
    names = {cls.__name__ for cls in ESTIMATORS}
    assert set(FAST_PARAMS) <= names
    assert set(EXPECTED_FAILURES) | set(PENDING_FIXES) <= names


@parametrize_with_checks([_instance(cls) for cls in ESTIMATORS],
                         expected_failed_checks=_expected_failures, **_strict())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------
# Time-series conventions that scikit-learn's checks (2-D data) do not cover
# --------------------------------------------------------------------------
def _data(n_ts=8, sz=10, d=1, seed=0):
    """Random walks, and target series for supervised estimators."""
    rng = np.random.RandomState(seed)
    X = np.cumsum(rng.randn(n_ts, sz, d), axis=1)
    Y = np.cumsum(rng.randn(n_ts, 5), axis=1)
    return X, Y


def _target(estimator, Y):
    """Target series for a regressor, class labels for a classifier, None otherwise."""
    if not get_tags(estimator).target_tags.required:
        return None
    if is_classifier(estimator):
        return (Y.reshape(len(Y), -1).sum(axis=1) > 0).astype(int)
    return Y


def _fit(estimator, X, Y):
    return estimator.fit(X, _target(estimator, Y))


def _outputs(estimator, X, Y):
    """The results of every prediction method of a fitted estimator, as arrays."""
    y = _target(estimator, Y)
    out = {}
    for method in ("predict", "transform", "score"):
        if hasattr(estimator, method):
            args = (X, y) if method == "score" else (X,)
            out[method] = np.asarray(getattr(estimator, method)(*args))
    return out


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_tags_declare_time_series_input(cls):
    """Every estimator takes (n_ts, sz, d) datasets and says so."""
    tags = get_tags(_instance(cls))
    assert tags.input_tags.three_d_array
    assert tags.input_tags.two_d_array


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_three_d_univariate_equals_two_d(cls):
    """(n_ts, sz, 1) and (n_ts, sz) are the same data: same model, same results."""
    X, Y = _data()
    est2 = _fit(_instance(cls), X[:, :, 0], Y)
    est3 = _fit(_instance(cls), X, Y)
    out2, out3 = _outputs(est2, X[:, :, 0], Y), _outputs(est3, X, Y)
    assert out2.keys() == out3.keys() and out2
    for method in out2:
        assert_array_equal(out3[method].reshape(out2[method].shape), out2[method],
                           err_msg=method)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_multivariate_input(cls):
    """d = 2: fitting and every method work, with one result per series."""
    X, Y = _data(d=2)
    est = _fit(_instance(cls), X, Y)
    for method, out in _outputs(est, X, Y).items():
        assert out.shape[:1] == (() if method == "score" else (len(X),))
        assert np.isfinite(out).all()


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_float32_input(cls):
    """float32 data gives the results of the same values in float64.

    Output dtypes follow the tags: float32 only where ``preserves_dtype``
    lists it (the kernels compute in float64).
    """
    X, Y = _data()
    X32 = X.astype(np.float32)
    est32 = _fit(_instance(cls), X32, Y)
    est64 = _fit(_instance(cls), X32.astype(np.float64), Y)
    out32, out64 = _outputs(est32, X32, Y), _outputs(est64, X32.astype(np.float64), Y)
    for method in out32:
        assert_array_equal(out32[method], out64[method].astype(out32[method].dtype),
                           err_msg=method)
    if "transform" in out32:
        preserved = "float32" in get_tags(est32).transformer_tags.preserves_dtype
        assert out32["transform"].dtype == (np.float32 if preserved else np.float64)


@pytest.mark.parametrize(
    "cls",
    [c for c in ESTIMATORS
     if "check_n_features_in_after_fitting" in EXPECTED_FAILURES.get(c.__name__, {})],
    ids=lambda c: c.__name__,
)
def test_methods_accept_series_of_other_lengths(cls):
    """The reason of the n_features_in_ expected failures: any length is valid input."""
    X, Y = _data(sz=10)
    est = _fit(_instance(cls), X, Y)
    shorter = _outputs(est, X[:, :7], Y)
    assert shorter
    for method, out in shorter.items():
        assert np.isfinite(out).all()
        assert out.shape[:1] == (() if method == "score" else (len(X),))


@pytest.mark.parametrize("cls", [c for c in ESTIMATORS if hasattr(c, "transform")],
                         ids=lambda c: c.__name__)
def test_fit_transform_is_consistent(cls):
    """fit_transform equals fit then transform, also when repeated."""
    X, Y = _data()
    first = _instance(cls).fit_transform(X)
    again = _instance(cls).fit_transform(X)
    separate = _fit(_instance(cls), X, Y).transform(X)
    assert len(first) == len(X)
    assert_allclose(first, separate, rtol=1e-12, atol=1e-12)
    assert_allclose(first, again, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cls", [c for c in ESTIMATORS if "n_jobs" in c().get_params()],
                         ids=lambda c: c.__name__)
def test_n_jobs_gives_identical_results(cls):
    """n_jobs only changes the number of kernel threads, never the results."""
    X, Y = _data(n_ts=12)
    reference = _outputs(_fit(_instance(cls, n_jobs=None), X, Y), X, Y)
    for n_jobs in (2, -1):
        out = _outputs(_fit(_instance(cls, n_jobs=n_jobs), X, Y), X, Y)
        for method in reference:
            assert_array_equal(out[method], reference[method], err_msg=f"{method}, {n_jobs}")


@pytest.mark.parametrize("cls", [c for c in ESTIMATORS if c.__name__ not in FAST_PARAMS],
                         ids=lambda c: c.__name__)
def test_default_configuration_is_fast(cls):
    """An estimator without a FAST_PARAMS entry must be fast enough with its defaults."""
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 20), rng.randn(30)
    start = time.process_time()
    est = _fit(cls(), X, y)
    _outputs(est, X, y)
    elapsed = time.process_time() - start
    assert elapsed < DEFAULT_FIT_BUDGET_S, (
        f"{cls.__name__} took {elapsed:.2f} s of CPU with its defaults: add a fast "
        "configuration to FAST_PARAMS in tests/test_common.py"
    )

"""The estimators inside scikit-learn's tools: pipelines, model selection,
set_output, persistence, and the meaning of n_jobs.

Oracles: the same computation spelled out by hand (each pipeline step, each
cross-validation fold), and round trips through pickle, joblib and a fresh
Python process, which must reproduce the results bit for bit.
"""
import os
import pickle
import subprocess
import sys
import textwrap
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sksoftdtw._openmp_helpers import effective_n_threads, openmp_enabled
from test_common import ESTIMATORS, _data, _fit, _instance, _outputs
from threadpoolctl import threadpool_limits

from sksoftdtw import (
    MLPRegressor,
    SoftDTWBarycenter,
    SoftDTWKMeans,
    mean_dtw_loss,
    mean_dtw_scorer,
    mean_squared_loss,
    mean_squared_scorer,
)
from sksoftdtw.preprocessing import TimeSeriesResampler, TimeSeriesScalerMeanVariance
from sksoftdtw.utils import check_n_jobs


@pytest.fixture(autouse=True)
def _quiet_convergence():
    # The fits below stop on max_iter on purpose, to stay fast.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def bumps_and_steps(n_per_class=6, sz=20, seed=0):
    """Two shapes at random positions: a bump and a step, with noise."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, sz)
    c = rng.uniform(0.3, 0.7, 2 * n_per_class)
    X = np.concatenate([np.exp(-((t - c[:n_per_class, None]) / 0.08) ** 2),
                        (t > c[n_per_class:, None]).astype(float)])
    return X + 0.05 * rng.randn(*X.shape)


def sine_task(n=24, seed=0):
    """Continue noisy sines of random phase: 15 points in, 5 points out."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 2 * np.pi, 20)
    S = np.sin(t + rng.uniform(0, 2 * np.pi, (n, 1))) + 0.05 * rng.randn(n, 20)
    return S[:, :15], S[:, 15:]


def barycenter(**kw):
    return SoftDTWBarycenter(**{"gamma": 0.1, "max_iter": 20, **kw})


def kmeans(**kw):
    return SoftDTWKMeans(**{"n_clusters": 2, "gamma": 0.1, "max_iter": 5,
                            "max_iter_barycenter": 10, "random_state": 0, **kw})


def mlp(**kw):
    return MLPRegressor(**{"hidden_layer_sizes": (8,), "activation": "tanh", "gamma": 0.1,
                           "max_iter": 40, "random_state": 0, **kw})


# (estimator, X, y) for the three estimators
CASES = {
    "barycenter": (barycenter, bumps_and_steps()[:6], None),
    "kmeans": (kmeans, bumps_and_steps(), None),
    "mlp": (mlp, *sine_task()),
}


def manual_cv_scores(estimator, X, y, params, cv, scorer=None):
    """Mean test score of each parameter setting, fold by fold, by hand."""
    means = []
    for setting in params:
        scores = []
        for train, test in cv.split(X):
            est = clone(estimator).set_params(**setting)
            est.fit(X[train], None if y is None else y[train])
            y_test = None if y is None else y[test]
            scores.append(est.score(X[test], y_test) if scorer is None
                          else scorer(est, X[test], y_test))
        means.append(np.mean(scores))
    return np.array(means)


# --------------------------------------------------------------------------
# Pipelines
# --------------------------------------------------------------------------
def test_pipeline_preprocesses_variable_length_series_for_kmeans():
    rng = np.random.RandomState(0)
    X = [3.0 * x[:n] + 10.0 for x, n in zip(bumps_and_steps(), rng.randint(14, 21, 12))]
    pipe = make_pipeline(TimeSeriesResampler(sz=16), TimeSeriesScalerMeanVariance(), kmeans())
    labels = pipe.fit(X).predict(X)
    # By hand: the same steps, one after the other.
    Xt = TimeSeriesScalerMeanVariance().fit_transform(TimeSeriesResampler(sz=16).fit_transform(X))
    by_hand = kmeans().fit(Xt)
    assert_array_equal(labels, by_hand.predict(Xt))
    assert_array_equal(pipe[-1].cluster_centers_, by_hand.cluster_centers_)
    assert_array_equal(pipe.transform(X), by_hand.transform(Xt))
    assert pipe.score(X) == by_hand.score(Xt)


def test_pipeline_with_barycenter_and_mlp():
    X = bumps_and_steps()[:6]
    pipe = Pipeline([("scale", TimeSeriesScalerMeanVariance()), ("bary", barycenter())])
    Xt = TimeSeriesScalerMeanVariance().fit_transform(X)
    by_hand = barycenter().fit(Xt)
    assert_array_equal(pipe.fit(X)["bary"].barycenter_, by_hand.barycenter_)
    assert pipe.score(X) == by_hand.score(Xt)

    X, Y = sine_task()
    pipe = make_pipeline(TimeSeriesResampler(sz=10), mlp()).fit(X, Y)
    by_hand = mlp().fit(TimeSeriesResampler(sz=10).fit_transform(X), Y)
    assert_array_equal(pipe.predict(X), by_hand.predict(TimeSeriesResampler(sz=10).transform(X)))


def test_clone_of_a_fitted_pipeline_is_unfitted_with_equal_parameters():
    pipe = make_pipeline(TimeSeriesScalerMeanVariance(mu=1.0), kmeans(gamma=0.5))
    pipe.fit(bumps_and_steps())
    copy = clone(pipe)
    assert copy.get_params(deep=False).keys() == pipe.get_params(deep=False).keys()
    assert copy[-1].get_params() == pipe[-1].get_params()
    assert not hasattr(copy[-1], "cluster_centers_")


# --------------------------------------------------------------------------
# Model selection
# --------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_cross_val_score_equals_the_folds_by_hand(case):
    make, X, y = CASES[case]
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(make(), X, y, cv=cv)
    folds = [make().fit(X[tr], None if y is None else y[tr]).score(
        X[te], None if y is None else y[te]) for tr, te in cv.split(X)]
    assert_allclose(scores, folds, rtol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_grid_search_over_gamma_and_band_with_the_default_score(case):
    make, X, y = CASES[case]
    cv = KFold(3, shuffle=True, random_state=0)
    grid = {"gamma": [0.01, 1.0], "sakoe_chiba_radius": [None, 2]}
    search = GridSearchCV(make(), grid, cv=cv).fit(X, y)
    params = search.cv_results_["params"]
    expected = manual_cv_scores(make(), X, y, params, cv)
    assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-10)
    assert search.best_params_ == params[int(np.argmax(expected))]
    # The refitted model is the best setting fitted on all the data.
    best = make().set_params(**search.best_params_)
    assert_array_equal(_outputs(search.best_estimator_, X, y)["score"],
                       _outputs(_fit(best, X, y), X, y)["score"])


@pytest.mark.parametrize("scorer, loss", [(mean_dtw_scorer, mean_dtw_loss),
                                          (mean_squared_scorer, mean_squared_loss)])
def test_grid_search_with_the_time_series_scorers(scorer, loss):
    _, X, y = CASES["mlp"]
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(mlp(), {"gamma": [0.01, 1.0], "loss": ["softdtw", "squared"]},
                          scoring=scorer, cv=cv).fit(X, y)
    expected = manual_cv_scores(mlp(), X, y, search.cv_results_["params"], cv,
                                scorer=lambda est, X_, y_: -loss(y_, est.predict(X_)))
    assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-10)
    assert search.best_index_ == int(np.argmax(expected))


def test_grid_search_with_several_scorers_and_a_pipeline():
    _, X, y = CASES["mlp"]
    pipe = make_pipeline(TimeSeriesScalerMeanVariance(), mlp())
    search = GridSearchCV(pipe, {"mlpregressor__gamma": [0.01, 1.0]}, cv=3,
                          scoring={"dtw": mean_dtw_scorer, "sq": mean_squared_scorer},
                          refit="dtw").fit(X, y)
    results = search.cv_results_
    assert search.best_index_ == int(np.argmax(results["mean_test_dtw"]))
    # DTW never exceeds the squared error between series of equal lengths.
    assert np.all(-results["mean_test_dtw"] <= -results["mean_test_sq"] + 1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_randomized_search_over_gamma(case):
    make, X, y = CASES[case]
    search = RandomizedSearchCV(make(), {"gamma": loguniform(1e-3, 1e1)}, n_iter=3, cv=2,
                                random_state=0).fit(X, y)
    gammas = np.array([p["gamma"] for p in search.cv_results_["params"]])
    assert len(np.unique(gammas)) == 3 and np.all((gammas >= 1e-3) & (gammas <= 1e1))
    assert search.best_estimator_.gamma == gammas[search.best_index_]
    assert search.best_score_ == np.max(search.cv_results_["mean_test_score"])


# --------------------------------------------------------------------------
# set_output
# --------------------------------------------------------------------------
def test_set_output_pandas_through_a_pipeline():
    pd = pytest.importorskip("pandas")
    X = bumps_and_steps()
    pipe = make_pipeline(TimeSeriesResampler(sz=12), TimeSeriesScalerMeanVariance(),
                         kmeans()).set_output(transform="pandas")
    out = pipe.fit(X).transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["softdtwkmeans0", "softdtwkmeans1"]
    plain = make_pipeline(TimeSeriesResampler(sz=12), TimeSeriesScalerMeanVariance(), kmeans())
    assert_array_equal(out.to_numpy(), plain.fit(X).transform(X))
    bary = barycenter().set_output(transform="pandas").fit(X[:6])
    assert list(bary.transform(X).columns) == ["softdtwbarycenter0"]


@pytest.mark.parametrize("make", [barycenter, kmeans, TimeSeriesScalerMeanVariance],
                         ids=lambda f: f.__name__)
def test_a_dataframe_of_time_steps_records_its_column_names(make):
    pd = pytest.importorskip("pandas")
    X = bumps_and_steps()
    frame = pd.DataFrame(X, columns=[f"t{k}" for k in range(X.shape[1])])
    est = make().fit(frame)
    assert list(est.feature_names_in_) == list(frame.columns)
    assert est.n_features_in_ == X.shape[1]
    assert not hasattr(make().fit(X), "feature_names_in_")


# --------------------------------------------------------------------------
# Persistence
# --------------------------------------------------------------------------
def _fitted_models():
    """Every discovered estimator, fitted on small multivariate data."""
    X, Y = _data(d=2)
    return {cls.__name__: _fit(_instance(cls), X, Y) for cls in ESTIMATORS}, X, Y


def _assert_same_outputs(a, b):
    assert a.keys() == b.keys()
    for method in a:
        assert_array_equal(a[method], b[method], err_msg=method)


def test_pickle_and_joblib_round_trips_give_identical_results(tmp_path):
    models, X, Y = _fitted_models()
    for name, model in models.items():
        expected = _outputs(model, X, Y)
        _assert_same_outputs(_outputs(pickle.loads(pickle.dumps(model)), X, Y), expected)
        path = tmp_path / f"{name}.joblib"
        joblib.dump(model, path)
        _assert_same_outputs(_outputs(joblib.load(path), X, Y), expected)


def test_models_load_in_a_fresh_process(tmp_path):
    """What a deployed model does: load in another interpreter, predict the same."""
    models, X, Y = _fitted_models()
    joblib.dump((models, X, Y), tmp_path / "models.joblib")
    expected = {name: _outputs(m, X, Y) for name, m in models.items()}
    script = textwrap.dedent("""
        import sys
        import joblib
        import numpy as np
        from test_common import _outputs

        models, X, Y = joblib.load(sys.argv[1])
        np.savez(sys.argv[2], **{f"{name}.{method}": value
                                 for name, model in models.items()
                                 for method, value in _outputs(model, X, Y).items()})
    """)
    # The interpreter of this test, with its import path (for the package and
    # test_common), started away from the repository so that the source tree
    # cannot shadow the installed package.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "models.joblib"),
                    str(tmp_path / "out.npz")], check=True, env=env, cwd=tmp_path,
                   timeout=120)
    loaded = np.load(tmp_path / "out.npz")
    assert sorted(loaded.files) == sorted(f"{n}.{m}" for n in expected for m in expected[n])
    for name, outputs in expected.items():
        for method, value in outputs.items():
            assert_array_equal(loaded[f"{name}.{method}"], value, err_msg=f"{name}.{method}")


# Their model is the training set.
INSTANCE_BASED = {"KNeighborsTimeSeriesClassifier", "KNeighborsTimeSeriesRegressor"}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_fitted_estimators_hold_plain_data_only(cls):
    """Every attribute pickles on its own, and the training data is not kept
    (but once by the nearest-neighbour estimators)."""
    small, Y = _data(n_ts=10, sz=30)
    large, _ = _data(n_ts=60, sz=30)
    est = _fit(_instance(cls), small, Y)
    for value in vars(est).values():
        pickle.dumps(value)  # no lock, open file, generator or local function
    size_small = len(pickle.dumps(est))
    size_large = len(pickle.dumps(_fit(_instance(cls), large, np.resize(Y, (60, 5)))))
    # Storing X would add 50 series x 30 steps x 8 bytes; labels and the like
    # add a few bytes per series.
    stored = 50 * 30 * 8
    if cls.__name__ in INSTANCE_BASED:
        assert size_large - size_small < 1.25 * stored  # one copy, no more
    else:
        assert size_large - size_small < stored / 4


def test_skops_round_trip():
    sio = pytest.importorskip("skops.io")
    models, X, Y = _fitted_models()
    for model in models.values():
        dumped = sio.dumps(model)
        untrusted = sio.get_untrusted_types(data=dumped)
        # Only the package's own classes need trusting: no arbitrary objects.
        assert all(t.startswith("sksoftdtw.") for t in untrusted), untrusted
        loaded = sio.loads(dumped, trusted=untrusted)
        _assert_same_outputs(_outputs(loaded, X, Y), _outputs(model, X, Y))


# --------------------------------------------------------------------------
# n_jobs: kernel threads, within threadpoolctl's limits
# --------------------------------------------------------------------------
def test_n_jobs_means_kernel_threads():
    assert effective_n_threads(None) == check_n_jobs(None) == 1
    all_cores = check_n_jobs(-1)
    assert 1 <= all_cores <= os.cpu_count()
    assert check_n_jobs(3) == (min(3, all_cores) if openmp_enabled() else 1)
    assert check_n_jobs(-2) == max(1, all_cores - 1)
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs"):
            check_n_jobs(bad)


@pytest.mark.parametrize("user_api", ["openmp", None])
def test_n_jobs_all_cores_respects_threadpool_limits(user_api):
    before = effective_n_threads(-1)
    with threadpool_limits(1, user_api=user_api):
        assert effective_n_threads(-1) == 1
        assert check_n_jobs(-1) == 1
    # Outside the limits, -1 means every core the process may use again.
    assert effective_n_threads(-1) == before

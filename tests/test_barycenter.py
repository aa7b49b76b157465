"""Tests of the soft-DTW barycenter, DBA, the subgradient method and SoftDTWBarycenter.

Expected values come from the plain-Python oracles of ``_oracles.py``
(recursions, brute-force paths, finite differences), from invariances
(weights as repetitions, change of units) and from tslearn where installed.
"""
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import sksoftdtw.barycenters._dba as dba_module
import sksoftdtw.barycenters._softdtw as soft_module
import sksoftdtw.barycenters._subgradient as subgradient_module
import sksoftdtw.barycenters._utils as utils_module
from sksoftdtw._engine import planner as _plan
from sksoftdtw.barycenters import (
    SoftDTWBarycenter,
    dtw_barycenter_averaging,
    dtw_barycenter_stochastic_subgradient,
    dtw_barycenter_subgradient,
    softdtw_barycenter,
)
from sksoftdtw.utils import check_band

from _oracles import (
    brute_force_min_path,
    central_diff,
    divergence_xy,
    dtw_xy,
    sdtw_xy,
    sharp_divergence_xy,
    sq_euclidean_cost,
)

TERMS = {"softdtw": sdtw_xy, "divergence": divergence_xy,
         "sharp_divergence": sharp_divergence_xy}


def shifted_sines(n=6, sz=40, max_shift=0.6, seed=0):
    """Sines shifted in time: their DTW barycenter is a sine, their mean is flattened."""
    t = np.linspace(0, 2 * np.pi, sz)
    shifts = np.random.RandomState(seed).uniform(-max_shift, max_shift, n)
    return np.stack([np.sin(t - s) for s in shifts])


def dtw_loss(Z, X, weights=None):
    """Oracle of the DTW loss: sum_j w_j dtw(Z, x_j) / len(x_j), weights summing to 1."""
    w = np.ones(len(X)) if weights is None else np.asarray(weights, float)
    w = w / w.sum()
    return sum(wj * dtw_xy(Z, x) / len(x) for wj, x in zip(w, X))


def sdtw_objective(Z, X, gamma, weights=None, metric="softdtw"):
    """Oracle of the soft-DTW barycenter objective."""
    w = np.ones(len(X)) if weights is None else np.asarray(weights, float)
    w = w / w.sum()
    return sum(wj * TERMS[metric](Z, x, gamma) / len(x) for wj, x in zip(w, X))


def path_subgradient(Z, x):
    """Oracle: 2 sum_{(i, j) on an optimal path} (Z_i - x_j) e_i, the path by brute force."""
    x = np.reshape(x, (len(x), -1))
    _, path = brute_force_min_path(sq_euclidean_cost(Z, x))
    g = np.zeros_like(Z)
    for i, j in path:
        g[i] += 2 * (Z[i] - x[j])
    return g


@pytest.fixture
def kernel_calls(monkeypatch):
    """The list of kernel calls made by the barycenter module from now on:
    "soft_dtw_batch", or "paths" for DBA's calls on validated data."""
    calls = []
    real, real_sharp = utils_module.soft_dtw_batch, utils_module.sharp_batch
    real_paths_to = dba_module.hard_paths_to

    def counting(*args, **kwargs):
        calls.append("soft_dtw_batch")
        return real(*args, **kwargs)

    def counting_sharp(*args, **kwargs):
        calls.append("sharp_batch")
        return real_sharp(*args, **kwargs)

    def counting_paths_to(*args, **kwargs):
        paths = real_paths_to(*args, **kwargs)

        def counted(Z):
            calls.append("paths")
            return paths(Z)
        return counted

    fakes = {"soft_dtw_batch": counting, "sharp_batch": counting_sharp,
             "hard_paths_to": counting_paths_to}
    # Each name is replaced in every module of the barycenters that calls it.
    for module in (utils_module, soft_module, dba_module, subgradient_module):
        for name, fake in fakes.items():
            if hasattr(module, name):
                monkeypatch.setattr(module, name, fake)
    return calls


@pytest.fixture
def ragged():
    rng = np.random.RandomState(0)
    return [rng.randn(5, 2), rng.randn(4, 2), rng.randn(6, 2)]


# ----------------------------------------------------------------------------
# Objective and gradient
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ["softdtw", "divergence", "sharp_divergence"])
@pytest.mark.parametrize("radius", [None, 1])
def test_objective_value_and_gradient_against_oracles(ragged, metric, radius):
    weights = np.array([0.5, 1.0, 2.0])
    ds, w = utils_module._prepare(ragged, weights)
    objective = soft_module._Objective(ds, w, 0.3, metric, check_band(radius, None), None)
    Z = np.random.RandomState(1).randn(5, 2)
    term = TERMS[metric]

    def f(Z):
        return sum(wj * term(Z, x, 0.3, radius) / len(x)
                   for wj, x in zip(weights / weights.sum(), ragged))

    value, grad = objective(Z)
    assert value == pytest.approx(f(Z), rel=1e-10, abs=1e-12)
    assert_allclose(grad, central_diff(f, Z, 1e-5), rtol=1e-5, atol=1e-7)


def test_one_kernel_call_per_objective_evaluation(ragged, kernel_calls):
    for metric in TERMS:
        ds, w = utils_module._prepare(ragged, None)
        objective = soft_module._Objective(ds, w, 1.0, metric, check_band(None, None), None)
        kernel_calls.clear()
        objective(np.zeros((5, 2)))
        assert len(kernel_calls) == 1 and objective.n_calls == 2


# ----------------------------------------------------------------------------
# Soft-DTW barycenter
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ["divergence", "sharp_divergence"])
def test_identical_series_are_a_stationary_point_of_the_divergence(metric):
    y = np.sin(np.linspace(0, 3, 12))[:, None] + np.linspace(0, 1, 12)[:, None]
    for gamma in [1.0, 0.1, 0.01]:
        ds, w = utils_module._prepare([y, y, y], None)
        value, grad = soft_module._Objective(ds, w, gamma, metric, check_band(None, None), None)(y)
        assert value == pytest.approx(0.0, abs=1e-12)
        assert np.abs(grad).max() < 1e-12
        # Soft-DTW's gradient at y is not zero: its barycenter is biased.
        objective = soft_module._Objective(ds, w, gamma, "softdtw", check_band(None, None), None)
        assert np.abs(objective(y)[1]).max() > 1e-3


def test_identical_series_barycenter():
    y = np.sin(np.linspace(0, 3, 12))[:, None] + np.linspace(0, 1, 12)[:, None]
    Z0 = y + 0.1 * np.random.RandomState(0).randn(*y.shape)
    Z = softdtw_barycenter([y, y], 0.01, metric="divergence", init=Z0, tol=1e-9, max_iter=300)
    assert_allclose(Z, y, atol=1e-3)
    # Soft-DTW at large gamma: the entropic bias moves the barycenter away.
    Z1 = softdtw_barycenter([y, y], 1.0, init=Z0, tol=1e-9, max_iter=300)
    assert np.abs(Z1 - y).max() > 0.1
    # With the squared Euclidean cost the divergence can be slightly negative
    # (its kernel is not positive definite), so y is only near its minimiser at
    # large gamma, though much nearer than soft-DTW's.
    Zd1 = softdtw_barycenter([y, y], 1.0, metric="divergence", init=Z0, tol=1e-9, max_iter=300)
    assert np.abs(Zd1 - y).max() < 0.2 * np.abs(Z1 - y).max()
    assert divergence_xy(Zd1, y, 1.0) <= 1e-12


@pytest.mark.parametrize("gamma", [0.001, 0.01])
def test_identical_series_sharp_divergence_barycenter(gamma):
    y = np.sin(np.linspace(0, 3, 12))[:, None] + np.linspace(0, 1, 12)[:, None]
    Z0 = y + 0.03 * np.random.RandomState(0).randn(*y.shape)
    kw = dict(init=Z0, tol=1e-9, max_iter=300)
    Z = softdtw_barycenter([y, y, y], gamma, metric="sharp_divergence", **kw)
    assert_allclose(Z, y, atol=1e-6)
    # Soft-DTW's entropic bias moves its barycenter away from the same start.
    assert np.abs(softdtw_barycenter([y, y, y], gamma, **kw) - y).max() > 1e-2


def test_medoid_init_is_the_series_of_smallest_sharp_divergence_objective():
    X = shifted_sines(n=5, sz=5, max_shift=1.5)
    Z = softdtw_barycenter(X, 0.3, metric="sharp_divergence", init="medoid", max_iter=0)
    objectives = [sdtw_objective(x[:, None], X, 0.3, metric="sharp_divergence") for x in X]
    assert_allclose(Z[:, 0], X[int(np.argmin(objectives))])


def test_small_gamma_beats_euclidean_mean_on_shifted_sines():
    X = shifted_sines(n=6, sz=60, max_shift=1.0)
    mean_loss = dtw_loss(X.mean(axis=0), X)
    Z = softdtw_barycenter(X, 0.001)
    assert dtw_loss(Z, X) < 0.85 * mean_loss
    # Large gamma smooths: no better than the mean there.
    assert dtw_loss(softdtw_barycenter(X, 10.0), X) > 0.85 * mean_loss


def test_reported_loss_is_the_objective(ragged):
    for metric in TERMS:
        res = soft_module.solve_softdtw_barycenter(ragged, 0.5, max_iter=5, metric=metric, warn=False)
        assert res.loss == pytest.approx(
            sdtw_objective(res.barycenter, ragged, 0.5, metric=metric), rel=1e-9)
        assert res.n_iter <= 5


def test_optimisation_decreases_the_objective():
    X = shifted_sines()
    init = soft_module.solve_softdtw_barycenter(X, 0.1, max_iter=0)
    res = soft_module.solve_softdtw_barycenter(X, 0.1)
    assert res.converged and 0 < res.n_iter <= 100
    assert res.loss < init.loss


def test_change_of_units():
    # gamma is in squared units: (a X, a^2 gamma) gives a times the barycenter.
    X = shifted_sines(n=4, sz=20)
    Z = softdtw_barycenter(X + 1.0, 0.1, max_iter=20)
    Z4 = softdtw_barycenter(4.0 * (X + 1.0), 1.6, max_iter=20)
    assert_allclose(Z4, 4.0 * Z, rtol=1e-9, atol=1e-9)


def test_convergence_warning_at_max_iter():
    X = shifted_sines()
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        softdtw_barycenter(X, 0.1, max_iter=1)
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        dtw_barycenter_averaging(X, max_iter=1, init="random", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        softdtw_barycenter(X, 0.1, max_iter=0)  # the initialization, as asked


# ----------------------------------------------------------------------------
# Weights
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["softdtw", "dba", "subgradient", "ssg"])
def test_zero_weight_removes_a_series(ragged, method):
    fit = {"softdtw": lambda X, **kw: softdtw_barycenter(X, 0.5, max_iter=10, **kw),
           "dba": lambda X, **kw: dtw_barycenter_averaging(X, max_iter=3, **kw),
           "subgradient": lambda X, **kw: dtw_barycenter_subgradient(X, max_iter=3, **kw),
           "ssg": lambda X, **kw: dtw_barycenter_stochastic_subgradient(
               X, max_iter=3, random_state=0, **kw)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        Z = fit[method](ragged, weights=[1.0, 0.0, 2.0], barycenter_size=5)
        Z_without = fit[method]([ragged[0], ragged[2]], weights=[1.0, 2.0], barycenter_size=5)
    assert_allclose(Z, Z_without, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", ["softdtw", "dba", "subgradient"])
@pytest.mark.parametrize("init", ["euclidean", "random", "medoid"])
def test_integer_weights_equal_repetition(ragged, method, init):
    fit = {"softdtw": lambda X, **kw: softdtw_barycenter(X, 0.5, max_iter=10, **kw),
           "dba": lambda X, **kw: dtw_barycenter_averaging(X, max_iter=3, **kw),
           "subgradient": lambda X, **kw: dtw_barycenter_subgradient(X, max_iter=3, **kw)}
    kw = dict(init=init, random_state=0, barycenter_size=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        Z = fit[method](ragged, weights=[2, 1, 3], **kw)
        repeated = [ragged[0]] * 2 + [ragged[1]] + [ragged[2]] * 3
        Z_rep = fit[method](repeated, **kw)
    assert_allclose(Z, Z_rep, rtol=1e-7, atol=1e-9)


def test_weights_pull_the_barycenter():
    X = np.array([[0.0] * 6, [1.0] * 6])
    # The weighted mean of constant series (at gamma=0.01 the longer paths of
    # the nearer series would still bias it by 1%).
    Z = softdtw_barycenter(X, 0.001, weights=[3.0, 1.0])
    assert_allclose(Z, 0.25, atol=1e-6)


# ----------------------------------------------------------------------------
# Inputs and initializations
# ----------------------------------------------------------------------------
def test_variable_length_list_and_nan_padding_agree(ragged):
    from sksoftdtw.utils import to_time_series_dataset

    Z_list = softdtw_barycenter(ragged, 0.5, max_iter=10)
    Z_pad = softdtw_barycenter(to_time_series_dataset(ragged), 0.5, max_iter=10)
    assert Z_list.shape == (5, 2)  # the median length
    assert_allclose(Z_list, Z_pad)
    Z_long = softdtw_barycenter(ragged, 0.5, max_iter=10, barycenter_size=8)
    assert Z_long.shape == (8, 2)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_output_shapes():
    X = shifted_sines(n=3, sz=10)
    assert softdtw_barycenter(X, max_iter=2).shape == (10, 1)
    assert softdtw_barycenter(X[:, :, None], max_iter=2).shape == (10, 1)
    assert dtw_barycenter_averaging(X, barycenter_size=7).shape == (7, 1)
    assert dtw_barycenter_subgradient(X, init=X[0, :8]).shape == (8, 1)


def test_init_euclidean_is_the_resampled_weighted_mean(ragged):
    Z = softdtw_barycenter(ragged, weights=[1, 1, 2], max_iter=0, barycenter_size=4)
    # Oracle: linear interpolation of each series on 4 equally spaced points.
    def resample(x, size):
        t = np.linspace(0, len(x) - 1, size)
        lo = np.minimum(np.floor(t).astype(int), len(x) - 2)
        frac = (t - lo)[:, None]
        return (1 - frac) * x[lo] + frac * x[lo + 1]

    expected = (resample(ragged[0], 4) + resample(ragged[1], 4) + 2 * resample(ragged[2], 4)) / 4
    assert_allclose(Z, expected, atol=1e-12)


def test_init_random_is_reproducible_and_has_the_data_scale():
    X = 5.0 + 3.0 * np.random.RandomState(0).randn(50, 40)
    Z0 = softdtw_barycenter(X, init="random", random_state=1, max_iter=0)
    assert_allclose(Z0, softdtw_barycenter(X, init="random", random_state=1, max_iter=0))
    assert not np.allclose(Z0, softdtw_barycenter(X, init="random", random_state=2, max_iter=0))
    assert abs(Z0.mean() - 5.0) < 1.5 and 2.0 < Z0.std() < 4.0


@pytest.mark.parametrize("gamma", [0.0, 1.0])
def test_init_medoid_is_the_best_series(gamma):
    rng = np.random.RandomState(3)
    X = rng.randn(5, 6)
    Z0 = softdtw_barycenter(X, gamma, init="medoid", max_iter=0)
    costs = [sdtw_objective(x, X, gamma) for x in X]
    assert_allclose(Z0.ravel(), X[int(np.argmin(costs))])


def test_init_array(ragged):
    init = np.zeros((7, 2))
    assert softdtw_barycenter(ragged, init=init, max_iter=0).shape == (7, 2)
    assert_allclose(dtw_barycenter_averaging(ragged, init=init, max_iter=0), init)
    uni = shifted_sines(n=2, sz=9)
    assert softdtw_barycenter(uni, init=uni[0], max_iter=0).shape == (9, 1)
    with pytest.raises(ValueError, match="barycenter_size"):
        softdtw_barycenter(ragged, init=init, barycenter_size=5)
    with pytest.raises(ValueError, match="init"):
        softdtw_barycenter(ragged, init=np.zeros((7, 3)))
    with pytest.raises(ValueError, match="init"):
        softdtw_barycenter(ragged, init=np.full((7, 2), np.nan))


@pytest.mark.parametrize("func, kwargs, name", [
    (softdtw_barycenter, dict(gamma=-1.0), "gamma"),
    (softdtw_barycenter, dict(max_iter=-1), "max_iter"),
    (softdtw_barycenter, dict(tol=-1.0), "tol"),
    (softdtw_barycenter, dict(init="mean"), "init"),
    (softdtw_barycenter, dict(metric="euclidean"), "metric"),
    (softdtw_barycenter, dict(barycenter_size=0), "barycenter_size"),
    (softdtw_barycenter, dict(sakoe_chiba_radius=-1), "sakoe_chiba_radius"),
    (softdtw_barycenter, dict(n_jobs=0), "n_jobs"),
    (softdtw_barycenter, dict(weights=[1.0, -1.0, 1.0]), "weights"),
    (softdtw_barycenter, dict(weights=[1.0, 1.0]), "weights"),
    (softdtw_barycenter, dict(weights=[0.0, 0.0, 0.0]), "weights"),
    (dtw_barycenter_averaging, dict(tol=-1.0), "tol"),
    (dtw_barycenter_averaging, dict(init="mean"), "init"),
    (dtw_barycenter_subgradient, dict(learning_rate=0.0), "learning_rate"),
    (dtw_barycenter_subgradient, dict(max_iter=1.5), "max_iter"),
    (dtw_barycenter_stochastic_subgradient, dict(initial_step=0.0), "initial_step"),
    (dtw_barycenter_stochastic_subgradient, dict(final_step=-1.0), "final_step"),
    (dtw_barycenter_stochastic_subgradient, dict(init="mean"), "init"),
])
def test_bad_parameters_name_the_parameter(func, kwargs, name):
    X = shifted_sines(n=3, sz=8)
    with pytest.raises(ValueError, match=name):
        func(X, **kwargs)


def test_bad_data_raises():
    with pytest.raises(ValueError, match="X"):
        softdtw_barycenter(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        softdtw_barycenter([[0.0, np.nan, 1.0], [0.0, 1.0, 2.0]])


# ----------------------------------------------------------------------------
# DBA
# ----------------------------------------------------------------------------
def test_dba_step_against_brute_force_paths(ragged):
    weights = np.array([0.5, 1.0, 2.0])
    Z0 = np.random.RandomState(5).randn(5, 2)
    coef = weights / weights.sum() / np.array([len(x) for x in ragged])
    num = np.zeros_like(Z0)
    den = np.zeros(len(Z0))
    for c, x in zip(coef, ragged):
        _, path = brute_force_min_path(sq_euclidean_cost(Z0, x))
        for i, j in path:
            num[i] += c * x[j]
            den[i] += c
    res = dba_module.solve_dba(ragged, weights=weights, init=Z0, max_iter=1, tol=0.0, warn=False)
    assert_allclose(res.barycenter, num / den[:, None], rtol=1e-12, atol=1e-12)


def test_dba_loss_is_non_increasing():
    X = shifted_sines(n=8, sz=30, max_shift=1.0)
    losses = []
    for k in range(8):
        res = dba_module.solve_dba(X, init="random", random_state=0, max_iter=k, tol=-np.inf, warn=False)
        assert res.loss == pytest.approx(dtw_loss(res.barycenter, X), rel=1e-12)
        losses.append(res.loss)
    assert np.all(np.diff(losses) <= 1e-12)
    assert losses[-1] < 0.5 * losses[0]


def test_dba_fixed_point_and_early_stop():
    X = shifted_sines(n=5, sz=25)
    res = dba_module.solve_dba(X, max_iter=200, tol=0.0)
    assert res.converged and res.n_iter < 200
    # One more DBA step from the result changes nothing.
    again = dba_module.solve_dba(X, init=res.barycenter, max_iter=1, tol=-np.inf, warn=False)
    assert_allclose(again.barycenter, res.barycenter, atol=1e-12)


def test_dba_one_kernel_call_per_iteration(kernel_calls):
    res = dba_module.solve_dba(shifted_sines(), max_iter=4, tol=-np.inf, warn=False)
    # Validated once: the iterations call the engine, not soft_dtw_batch. The
    # last call scores the final barycenter.
    assert kernel_calls == ["paths"] * (res.n_iter + 1) and res.n_calls == res.n_iter + 1


@pytest.mark.parametrize("strategy", ["rows", "antidiagonals"])
@pytest.mark.parametrize("radius", [None, 2])
@pytest.mark.parametrize("lengths", [(12, 12, 12), (12, 9, 15, 14, 7)])
def test_dba_paths_in_lanes_equal_other_orders(monkeypatch, strategy, radius, lengths):
    """DBA's paths in lanes (padded groups for different lengths, any band) give
    the iterates and losses of the orders that keep no paths, whose counts come
    from an extra coordinate; small integers make ties, broken alike."""
    if strategy == "antidiagonals" and radius is not None:
        pytest.skip("anti-diagonals have no band")
    rng = np.random.default_rng(len(lengths))
    X = [np.round(2 * rng.standard_normal((n, 2))) for n in lengths * 4]
    kw = dict(max_iter=3, tol=-np.inf, sakoe_chiba_radius=radius, warn=False)
    plan = _plan.explain(dba_module.solve_dba, X, **kw)
    assert (plan.order, plan.domain) == ("lanes", "hard")
    ours = dba_module.solve_dba(X, **kw)
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
    assert _plan.explain(dba_module.solve_dba, X, **kw).order == strategy
    ref = dba_module.solve_dba(X, **kw)
    assert_allclose(ours.barycenter, ref.barycenter, rtol=1e-12, atol=1e-12)
    assert ours.loss == pytest.approx(ref.loss, rel=1e-12)


@pytest.mark.slow  # tslearn's numba compilation
def test_dba_matches_tslearn():
    tsb = pytest.importorskip("tslearn.barycenters")
    X = np.random.RandomState(0).randn(6, 15, 2)
    init = X.mean(axis=0)
    ours = dtw_barycenter_averaging(X, init=init, max_iter=5, tol=0.0)
    theirs = tsb.dtw_barycenter_averaging(X, init_barycenter=init, max_iter=5, tol=0.0)
    assert_allclose(ours, theirs, atol=1e-10)


# ----------------------------------------------------------------------------
# Subgradient method
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("solver, n", [(subgradient_module.solve_dtw_subgradient, 6), (subgradient_module.solve_dtw_ssg, 10)])
def test_subgradient_methods_return_the_best_iterate(solver, n):
    X = shifted_sines(n=n, sz=30, max_shift=1.0)
    kw = dict(init="random", random_state=0)
    start = solver(X, max_iter=0, **kw)
    res = solver(X, max_iter=30, **kw)
    assert start.loss == pytest.approx(dtw_loss(start.barycenter, X), rel=1e-12)
    assert res.loss == pytest.approx(dtw_loss(res.barycenter, X), rel=1e-12)
    assert res.loss < 0.5 * start.loss
    # The best of 30 iterations is at least as good as any prefix's best.
    for k in [1, 5, 10]:
        assert res.loss <= solver(X, max_iter=k, **kw).loss


def test_subgradient_first_step():
    # Step 0: z - learning_rate * len(z) / 2 * g, g the subgradient of the loss.
    X = np.random.RandomState(2).randn(3, 6)
    Z0 = np.random.RandomState(3).randn(6, 1)
    g = sum(path_subgradient(Z0, x) / (3 * len(x)) for x in X)
    res = subgradient_module.solve_dtw_subgradient(X, init=Z0, max_iter=1, learning_rate=0.1)
    expected = Z0 - 0.1 * 6 / 2 * g
    if res.loss < dtw_loss(Z0, X):
        assert_allclose(res.barycenter, expected, atol=1e-12)
    else:
        assert_allclose(res.barycenter, Z0)


# ----------------------------------------------------------------------------
# Stochastic subgradient method
# ----------------------------------------------------------------------------
def test_ssg_first_epoch_follows_the_schedule():
    # Series in the order of the seeded permutation, one step each along
    # 2 sum_{(i, l) on the optimal path} (z_i - y_l), with a step going down
    # linearly from initial_step by (initial - final) / n per update.
    X = np.random.RandomState(2).randn(3, 6)
    Z = np.random.RandomState(3).randn(6, 1)
    init = Z.copy()
    order = np.random.RandomState(7).permutation(3)
    step = 0.2
    for k in order:
        Z = Z - step * path_subgradient(Z, X[k])
        step -= (0.2 - 0.02) / 3
    res = subgradient_module.solve_dtw_ssg(X, init=init, max_iter=1, initial_step=0.2, final_step=0.02,
                        random_state=7)
    assert dtw_loss(Z, X) < dtw_loss(init, X)  # so the epoch's end is returned
    assert_allclose(res.barycenter, Z, atol=1e-12)
    assert res.loss == pytest.approx(dtw_loss(Z, X), rel=1e-12)


def test_ssg_later_epochs_take_the_final_step():
    # From the second epoch on the step is final_step: with the same final
    # step, two epochs from the first epoch's end equal epochs 2-3 of a run.
    X = np.random.RandomState(4).randn(4, 6)  # short: the paths are enumerated
    kw = dict(final_step=0.01, random_state=np.random.RandomState(5))
    rng = np.random.RandomState(5)
    rng.permutation(4)  # the first epoch's order
    one = subgradient_module.solve_dtw_ssg(X, max_iter=1, **kw).barycenter
    for _ in range(2):
        for k in rng.permutation(4):
            one = one - 0.01 * path_subgradient(one, X[k])
    three = subgradient_module.solve_dtw_ssg(X, max_iter=3, final_step=0.01, random_state=5)
    # Every epoch improves here, so the last one is returned.
    assert three.loss == pytest.approx(dtw_loss(one, X), rel=1e-12)
    assert_allclose(three.barycenter, one, atol=1e-10)


# ----------------------------------------------------------------------------
# Peer: tslearn
# ----------------------------------------------------------------------------
@pytest.mark.slow  # tslearn's numba compilation
@pytest.mark.parametrize("gamma", [1.0, 0.1])
def test_tslearn_reaches_a_comparable_loss(gamma):
    tsb = pytest.importorskip("tslearn.barycenters")
    X = shifted_sines(n=5, sz=25)[:, :, None]
    init = X.mean(axis=0)
    ours = softdtw_barycenter(X, gamma, init=init, max_iter=50, tol=1e-6)
    theirs = tsb.softdtw_barycenter(X, gamma=gamma, init=init, max_iter=50, tol=1e-6)
    f = [sdtw_objective(Z, X, gamma) for Z in (init, ours, theirs)]
    assert f[1] < f[0]
    # At least 99% of tslearn's decrease of the objective.
    assert f[1] <= f[2] + 0.01 * (f[0] - f[2])


@pytest.mark.slow  # tslearn's numba compilation
@pytest.mark.parametrize("seed, gamma", [(0, 0.1), (1, 0.01)])
def test_same_dtw_loss_as_tslearn_from_the_same_start_on_bundled_data(seed, gamma):
    """Table 1's draw on a bundled UCR dataset: the paper's method (tslearn's
    barycenter) and ours reach the same DTW loss from the Euclidean mean."""
    tsb = pytest.importorskip("tslearn.barycenters")
    from sksoftdtw.datasets import load_dataset
    from sksoftdtw.experiments.barycenter import _pick_series

    X_train, y_train, _, _ = load_dataset("ItalyPowerDemand")
    _, X = _pick_series(X_train, y_train, np.random.RandomState(seed), "ItalyPowerDemand")
    init = X.mean(axis=0)
    ours = softdtw_barycenter(X, gamma, init=init, max_iter=100, tol=1e-9)
    theirs = tsb.softdtw_barycenter(X, gamma=gamma, init=init, max_iter=100, tol=1e-9)
    losses = [dtw_loss(Z, X) for Z in (ours, np.reshape(theirs, ours.shape), init)]
    assert losses[0] == pytest.approx(losses[1], rel=1e-3)
    assert losses[0] < 0.9 * losses[2]


# ----------------------------------------------------------------------------
# Estimator
# ----------------------------------------------------------------------------
def test_estimator_fit_attributes_and_function_agree():
    X = shifted_sines()
    est = SoftDTWBarycenter(gamma=0.1).fit(X)
    assert_allclose(est.barycenter_, softdtw_barycenter(X, 0.1))
    assert est.n_features_in_ == X.shape[1]
    assert 0 < est.n_iter_ <= 100
    assert est.loss_ == pytest.approx(sdtw_objective(est.barycenter_, X, 0.1), rel=1e-9)


def test_estimator_sample_weight():
    X = shifted_sines(n=3)
    est = SoftDTWBarycenter(gamma=0.1).fit(X, sample_weight=[2, 0, 1])
    assert_allclose(est.barycenter_, softdtw_barycenter(X, 0.1, weights=[2, 0, 1]))
    with pytest.raises(ValueError, match="sample_weight"):
        SoftDTWBarycenter().fit(X, sample_weight=[1.0, 2.0])


@pytest.mark.parametrize("metric", list(TERMS))
def test_estimator_transform(ragged, metric):
    est = SoftDTWBarycenter(gamma=0.5, max_iter=5, metric=metric).fit(ragged)
    new = [np.random.RandomState(9).randn(3, 2), ragged[1]]
    out = est.transform(new)
    assert out.shape == (2, 1)
    expected = [TERMS[metric](est.barycenter_, x, 0.5) for x in new]
    assert_allclose(out[:, 0], expected, rtol=1e-10)
    assert est.get_feature_names_out().tolist() == ["softdtwbarycenter0"]
    with pytest.raises(ValueError, match="dimension"):
        est.transform(np.zeros((2, 4, 3)))


def test_estimator_score_is_minus_the_dtw_loss(ragged):
    est = SoftDTWBarycenter(gamma=0.5, max_iter=5).fit(ragged)
    held_out = [np.random.RandomState(4).randn(7, 2), ragged[0]]
    assert est.score(held_out) == pytest.approx(-dtw_loss(est.barycenter_, held_out), rel=1e-10)


def test_grid_search_prefers_small_gamma_on_shifted_sines():
    X = shifted_sines(n=9, sz=30, max_shift=0.8)
    search = GridSearchCV(SoftDTWBarycenter(max_iter=30), {"gamma": [10.0, 0.01]}, cv=3).fit(X)
    assert search.best_params_ == {"gamma": 0.01}


def test_estimator_not_fitted_clone_and_pickle():
    from sklearn.exceptions import NotFittedError

    X = shifted_sines(n=4, sz=20)
    est = SoftDTWBarycenter(gamma=0.1, init="random", random_state=0, max_iter=10)
    with pytest.raises(NotFittedError):
        est.transform(X)
    cloned = clone(est)
    assert cloned.get_params() == est.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X)
    restored = pickle.loads(pickle.dumps(est))
    assert_allclose(restored.barycenter_, est.barycenter_)
    assert_allclose(restored.transform(X), est.transform(X))
    assert restored.score(X) == est.score(X)


def test_estimator_bad_parameter_names_it():
    X = shifted_sines(n=3, sz=8)
    for params, name in [({"gamma": -1.0}, "gamma"), ({"init": "mean"}, "init"),
                         ({"max_iter": -2}, "max_iter"), ({"metric": "l2"}, "metric"),
                         ({"metric": "sharp"}, "metric")]:
        with pytest.raises(ValueError, match=name):
            SoftDTWBarycenter(**params).fit(X)


def test_estimator_tags():
    tags = SoftDTWBarycenter().__sklearn_tags__()
    assert tags.input_tags.three_d_array and tags.input_tags.two_d_array
    assert not tags.target_tags.required
    assert tags.requires_fit


# ----------------------------------------------------------------------------
# Continuation in gamma (gamma_schedule) and the DBA start
# ----------------------------------------------------------------------------
def shifted_bumps(n, spread, sz=60, width=0.03):
    """Narrow bumps at evenly spaced places: their Euclidean mean is flat and
    low, a DTW barycenter is one bump of full height."""
    t = np.linspace(0, 1, sz)
    centers = np.linspace(0.5 - spread / 2, 0.5 + spread / 2, n)
    return np.stack([np.exp(-((t - c) / width) ** 2) for c in centers])


@pytest.mark.parametrize("gamma, expected", [
    (0.001, [1.0, 0.1, 0.01, 0.001]),
    (0.005, [1.0, 0.1, 0.005]),
    (0.01, [1.0, 0.1, 0.01]),
    (0.3, [1.0, 0.3]),
    (0.4, [0.4]),  # within sqrt(10) of the variance: no continuation
    (5.0, [5.0]),
    (0.0, [1.0, 0.1, 0.01, 0.001, 0.0]),  # down to 1e-4 variance, then 0
])
def test_auto_schedule_stages(gamma, expected):
    assert_allclose(soft_module.gamma_stages("auto", gamma, 1.0), expected, rtol=1e-12)
    # In units of the data's variance.
    assert_allclose(soft_module.gamma_stages("auto", 4.0 * gamma, 4.0), 4.0 * np.array(expected),
                    rtol=1e-12)


def test_stage_budgets_stay_below_twice_max_iter():
    for n_stages in range(1, 8):
        for max_iter in (1, 7, 100):
            budgets = soft_module._stage_budgets(n_stages, max_iter)
            assert len(budgets) == n_stages and budgets[-1] == max_iter
            assert min(budgets) >= 1
            if max_iter >= n_stages:
                assert sum(budgets[:-1]) < max_iter


@pytest.mark.parametrize("metric", ["softdtw", "divergence"])
@pytest.mark.parametrize("gamma", [1.0, 0.05, 0.0])
def test_no_schedule_and_a_one_stage_schedule_are_the_plain_method(metric, gamma):
    X = shifted_sines(n=5, sz=30)
    plain = soft_module.solve_softdtw_barycenter(X, gamma, metric=metric, max_iter=40, warn=False)
    for schedule in (None, [gamma]):
        res = soft_module.solve_softdtw_barycenter(X, gamma, metric=metric, max_iter=40, warn=False,
                                       gamma_schedule=schedule)
        np.testing.assert_array_equal(res.barycenter, plain.barycenter)
        assert (res.loss, res.n_iter) == (plain.loss, plain.n_iter)
    # and the same by hand: the schedule's stages are plain warm starts.
    first = soft_module.solve_softdtw_barycenter(X, 10.0, metric=metric, max_iter=20,
                                     tol=soft_module._STAGE_TOL, warn=False)
    by_hand = soft_module.solve_softdtw_barycenter(X, gamma, metric=metric, max_iter=40, warn=False,
                                       init=first.barycenter)
    staged = soft_module.solve_softdtw_barycenter(X, gamma, metric=metric, max_iter=40, warn=False,
                                      gamma_schedule=[10.0, gamma])
    np.testing.assert_array_equal(staged.barycenter, by_hand.barycenter)
    assert staged.n_iter == first.n_iter + by_hand.n_iter


@pytest.mark.parametrize("schedule", ["auto", [3.0, 0.3, 0.1]])
@pytest.mark.parametrize("metric", ["softdtw", "divergence"])
def test_schedule_ends_at_a_stationary_point_of_the_target_gamma(schedule, metric):
    X = shifted_sines(n=5, sz=30, max_shift=1.0)
    Z = softdtw_barycenter(X, 0.1, metric=metric, gamma_schedule=schedule, tol=1e-9,
                           max_iter=1000)
    gradient = central_diff(lambda z: sdtw_objective(z, X, 0.1, metric=metric), Z, 1e-5)
    start = central_diff(lambda z: sdtw_objective(z, X, 0.1, metric=metric),
                         X.mean(axis=0)[:, None], 1e-5)
    assert np.abs(gradient).max() < 1e-4 * np.abs(start).max()


@pytest.mark.parametrize("n, spread", [(4, 0.2), (8, 0.2), (8, 0.4)])
@pytest.mark.parametrize("gamma", [0.01, 0.001])
def test_continuation_beats_the_plain_method_on_shifted_bumps(n, spread, gamma):
    X = shifted_bumps(n, spread, width=0.03 if spread < 0.3 else 0.06)
    plain = softdtw_barycenter(X, gamma)
    auto = softdtw_barycenter(X, gamma, gamma_schedule="auto")
    assert dtw_loss(auto, X) < 0.5 * dtw_loss(plain, X)
    # The continuation finds a bump of nearly full height.
    assert auto.max() > 0.9


@pytest.mark.parametrize("init", ["euclidean", "dba"])
def test_schedule_is_deterministic_and_counts_its_kernel_calls(kernel_calls, init):
    X = shifted_bumps(8, 0.2)
    first = soft_module.solve_softdtw_barycenter(X, 0.001, init=init, gamma_schedule="auto",
                                     max_iter=50, warn=False)
    assert first.n_calls == len(kernel_calls)
    second = soft_module.solve_softdtw_barycenter(X, 0.001, init=init, gamma_schedule="auto",
                                      max_iter=50, warn=False)
    np.testing.assert_array_equal(first.barycenter, second.barycenter)
    # The earlier stages together take fewer iterations than the last one may.
    assert first.n_iter < 2 * 50


@pytest.mark.parametrize("schedule, message", [
    ([1.0, 0.1], "end at gamma=0.01"),
    ([0.1, 1.0, 0.01], "strictly decreasing"),
    ([1.0, 1.0, 0.01], "strictly decreasing"),
    ([1.0, -0.1, 0.01], "positive"),
    ([np.nan, 0.01], "finite"),
    ([], "non-empty"),
    ([[1.0, 0.01]], "1-D"),
    ("fast", "gamma_schedule"),
])
def test_bad_schedules_name_the_parameter(schedule, message):
    X = shifted_sines(n=3, sz=8)
    for fit in (lambda: softdtw_barycenter(X, 0.01, gamma_schedule=schedule),
                lambda: SoftDTWBarycenter(0.01, gamma_schedule=schedule).fit(X)):
        with pytest.raises(ValueError, match="gamma_schedule") as info:
            fit()
        assert message in str(info.value)


def test_schedule_change_of_units():
    X = shifted_sines(n=4, sz=20)
    Z = softdtw_barycenter(X + 1.0, 0.01, max_iter=20, gamma_schedule="auto")
    Z4 = softdtw_barycenter(4.0 * (X + 1.0), 0.16, max_iter=20, gamma_schedule="auto")
    assert_allclose(Z4, 4.0 * Z, rtol=1e-8, atol=1e-8)


def test_init_dba_refines_dba():
    X = shifted_sines(n=6, sz=30, max_shift=1.0)
    dba = dtw_barycenter_averaging(X)
    start = soft_module.solve_softdtw_barycenter(X, 0.01, init="dba", max_iter=0)
    assert_allclose(start.barycenter, dba, rtol=1e-12)
    assert start.n_calls > 1  # DBA's kernel calls count
    refined = softdtw_barycenter(X, 0.01, init="dba")
    assert sdtw_objective(refined, X, 0.01) < sdtw_objective(dba, X, 0.01)
    with pytest.raises(ValueError, match="init"):
        dtw_barycenter_averaging(X, init="dba")


def test_estimator_with_a_schedule_clones_pickles_and_grid_searches():
    X = shifted_bumps(9, 0.2)
    est = SoftDTWBarycenter(0.001, gamma_schedule="auto", max_iter=30)
    assert clone(est).get_params()["gamma_schedule"] == "auto"
    est.fit(X)
    assert_allclose(est.barycenter_, softdtw_barycenter(X, 0.001, gamma_schedule="auto",
                                                        max_iter=30))
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.barycenter_, est.barycenter_)
    search = GridSearchCV(SoftDTWBarycenter(0.001, max_iter=30),
                          {"gamma_schedule": [None, "auto"]}, cv=3).fit(X)
    assert search.best_params_ == {"gamma_schedule": "auto"}

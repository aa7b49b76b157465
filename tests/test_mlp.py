"""Tests of sksoftdtw.neural_network: MLPRegressor and the DTW / squared losses.

Oracles: central finite differences for the gradients, a plain forward pass
and the plain-Python soft-DTW of ``_oracles.py`` for the objective,
scikit-learn's own ``MLPRegressor`` for the squared loss, and known maps for
learning.
"""
import copy
import pickle
import warnings

import numpy as np
import pytest
from _oracles import (
    central_diff,
    dilate_xy,
    divergence_xy,
    dtw_xy,
    sdtw_xy,
    sharp_divergence_xy,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from threadpoolctl import threadpool_limits

import sksoftdtw.neural_network as nn
from sksoftdtw.neural_network import (
    MLPRegressor,
    mean_dtw_loss,
    mean_dtw_scorer,
    mean_squared_loss,
    mean_squared_scorer,
)

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


@pytest.fixture(autouse=True)
def _quiet_convergence():
    # Most fits below stop on max_iter on purpose, to stay fast.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _sine_task(n, rng, sz_in=20, sz_out=10, noise=0.05):
    """Sine waves of random phase and frequency: predict the continuation."""
    t = np.arange(sz_in + sz_out) / 6.0
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    freq = rng.uniform(0.8, 1.2, (n, 1))
    S = np.sin(freq * t + phase) + noise * rng.randn(n, sz_in + sz_out)
    return S[:, :sz_in], S[:, sz_in:]


def _forward_oracle(X, coefs, intercepts, activation):
    """Plain forward pass, written independently of the estimator."""
    f = {"identity": lambda z: z, "logistic": lambda z: 1 / (1 + np.exp(-z)),
         "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[activation]
    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        A = A @ W + b
        if i < len(coefs) - 1:
            A = f(A)
    return A


def _set_packed(model, theta):
    """Load a flat parameter vector (weights then biases, layer by layer)."""
    start = 0
    for arrays in (model.coefs_, model.intercepts_):
        for a in arrays:
            a[...] = theta[start:start + a.size].reshape(a.shape)
            start += a.size
    assert start == theta.size


def _packed(model):
    return np.concatenate([a.ravel() for a in model.coefs_ + model.intercepts_])


# The per-sample losses from their definitions (plain recursions, or brute
# force over all the alignments for the sharp divergence and DILATE).
LOSS_ORACLES = {
    "softdtw": lambda p, y, gamma, a: sdtw_xy(p, y, gamma),
    "divergence": lambda p, y, gamma, a: divergence_xy(p, y, gamma),
    "sharp_divergence": lambda p, y, gamma, a: sharp_divergence_xy(p, y, gamma),
    "dilate": lambda p, y, gamma, a: dilate_xy(p, y, a, gamma),
}


def _data_term_oracle(P, Y3d, loss, gamma, dilate_alpha=0.3):
    n, sz, _ = Y3d.shape
    if loss == "squared":
        return 0.5 * np.sum((P - Y3d) ** 2) / n
    return np.mean([LOSS_ORACLES[loss](P[i], Y3d[i], gamma, dilate_alpha) / sz
                    for i in range(n)])


def _objective_oracle(model, X, Y3d, activation, loss, gamma, alpha):
    """The documented objective, from the definitions."""
    P = _forward_oracle(X, model.coefs_, model.intercepts_, activation).reshape(Y3d.shape)
    data = _data_term_oracle(P, Y3d, loss, gamma, model.dilate_alpha)
    n = len(Y3d)
    return data + alpha / (2 * n) * sum(np.sum(W ** 2) for W in model.coefs_)


# --------------------------------------------------------------------------
# Objective and gradient
# --------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss, gamma, d", [("squared", 1.0, 1), ("softdtw", 1.0, 1),
                                            ("softdtw", 0.1, 2), ("divergence", 0.5, 1),
                                            ("sharp_divergence", 0.5, 2), ("dilate", 0.5, 1)])
def test_objective_and_gradient(activation, loss, gamma, d):
    rng = np.random.RandomState(0)
    n, sz = 5, 4
    X = rng.randn(n, 3)
    Y = rng.randn(n, sz, d) if d > 1 else rng.randn(n, sz)
    alpha = 0.3
    model = MLPRegressor((4, 3), loss=loss, gamma=gamma, activation=activation,
                         alpha=alpha, dilate_alpha=0.3, max_iter=1, random_state=0).fit(X, Y)
    theta = rng.randn(_packed(model).size)
    Y3d = Y.reshape(n, sz, d)

    def objective(t):
        _set_packed(model, t)
        return _objective_oracle(model, X, Y3d, activation, loss, gamma, alpha)

    def loss_and_grad(t):
        _set_packed(model, t)
        value, coef_grads, intercept_grads = model._loss_grad(X, Y.reshape(n, -1))
        return value, np.concatenate([g.ravel() for g in coef_grads + intercept_grads])

    value, grad = loss_and_grad(theta)
    assert_allclose(value, objective(theta), rtol=1e-10)
    numeric = central_diff(objective, theta, 1e-6)
    assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("loss", ["softdtw", "divergence", "sharp_divergence", "dilate"])
@pytest.mark.parametrize("dilate_alpha", [0.0, 0.7, 1.0])
def test_output_gradient_is_the_finite_difference_of_the_loss(loss, dilate_alpha):
    rng = np.random.RandomState(3)
    n, sz, d = 3, 5, 2
    P, Y = rng.randn(n, sz * d), rng.randn(n, sz * d)
    model = MLPRegressor(loss=loss, gamma=0.3, dilate_alpha=dilate_alpha)
    model._target_shape = (sz, d)
    value, grad = model._output_loss(P, Y)
    Y3d = Y.reshape(n, sz, d)
    oracle = _data_term_oracle(P.reshape(n, sz, d), Y3d, loss, 0.3, dilate_alpha)
    assert value == pytest.approx(oracle, rel=1e-10)
    # The gradient is that of the mean over the batch, times n.
    numeric = central_diff(lambda p: model._output_loss(p, Y)[0], P, 1e-6)
    assert_allclose(grad, n * numeric, rtol=1e-5, atol=1e-7)


def test_dilate_alpha_is_ignored_by_the_other_losses():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(10, 3), rng.randn(10, 4)
    for loss in ["softdtw", "divergence", "sharp_divergence", "squared"]:
        a, b = (MLPRegressor((3,), loss=loss, dilate_alpha=v, max_iter=3, random_state=0)
                .fit(X, Y) for v in (0.1, 0.9))
        assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize("loss", ["divergence", "sharp_divergence", "dilate"])
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_training_reduces_the_loss(loss, solver):
    rng = np.random.RandomState(0)
    X_train, Y_train = _sine_task(60, rng)
    model = MLPRegressor((10,), loss=loss, gamma=0.1, activation="tanh", solver=solver,
                         max_iter=60, learning_rate_init=1e-2, random_state=0)
    untrained = clone(model).set_params(max_iter=1, learning_rate_init=1e-12)
    untrained.fit(X_train, Y_train)
    model.fit(X_train, Y_train)

    def data_term(m):
        return m._output_loss(m.predict(X_train), Y_train)[0]
    assert data_term(model) < 0.3 * data_term(untrained)
    if solver == "lbfgs":
        assert np.all(np.diff(model.loss_curve_) <= 0)


def test_one_value_targets_softdtw_is_twice_squared():
    # Soft-DTW between series of length 1 has a single alignment: it is the
    # squared error whatever gamma, i.e. twice the "squared" loss's data term.
    rng = np.random.RandomState(1)
    X, y = rng.randn(12, 3), rng.randn(12)
    model = MLPRegressor((5,), alpha=0.0, gamma=0.7, max_iter=1, random_state=0).fit(X, y)
    sdtw_value, sdtw_coef_grads, _ = model._loss_grad(X, y[:, None])
    model.set_params(loss="squared")
    sq_value, sq_coef_grads, _ = model._loss_grad(X, y[:, None])
    assert_allclose(sdtw_value, 2 * sq_value, rtol=1e-12)
    assert_allclose(sdtw_coef_grads[0], 2 * sq_coef_grads[0], rtol=1e-10)


# --------------------------------------------------------------------------
# Squared loss: scikit-learn's MLPRegressor
# --------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_squared_loss_reproduces_sklearn_single_output(activation, solver):
    # Same Glorot initialisation from the same RandomState draws, same
    # objective, same L-BFGS-B settings / Adam updates and shuffles: the same
    # model is learned, up to floating-point rounding (identical in practice).
    rng = np.random.RandomState(0)
    X = rng.randn(60, 6)
    y = np.tanh(X @ rng.randn(6)) + 0.1 * rng.randn(60)
    kw = {"hidden_layer_sizes": (7,), "activation": activation, "solver": solver,
          "alpha": 1e-3, "max_iter": 60, "random_state": 3}
    ours = MLPRegressor(loss="squared", **kw).fit(X, y)
    with threadpool_limits(limits=1, user_api="blas"):  # speed only
        ref = SkMLPRegressor(**kw).fit(X, y)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7, atol=1e-9)
    assert_allclose(ours.loss_, ref.loss_, rtol=1e-7)
    assert ours.n_iter_ == ref.n_iter_
    if solver == "adam":
        assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-7)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_squared_loss_multi_output_follows_sklearn_gradient(activation):
    # For several outputs scikit-learn's loss_ is averaged over outputs but
    # its gradient is that of the sum (scikit-learn issue #8349). Adam only
    # sees gradients, so it learns the same model; our loss is the summed
    # one, n_outputs times scikit-learn's reported value when alpha=0.
    rng = np.random.RandomState(0)
    X = rng.randn(50, 5)
    Y = np.tanh(X @ rng.randn(5, 4))
    kw = {"hidden_layer_sizes": (6,), "activation": activation, "solver": "adam",
          "alpha": 0.0, "max_iter": 30, "random_state": 0}
    ours = MLPRegressor(loss="squared", **kw).fit(X, Y)
    with threadpool_limits(limits=1, user_api="blas"):  # speed only
        ref = SkMLPRegressor(**kw).fit(X, Y)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7, atol=1e-9)
    assert_allclose(ours.loss_, Y.shape[1] * ref.loss_, rtol=1e-7)


# --------------------------------------------------------------------------
# Learning
# --------------------------------------------------------------------------
def test_learns_sine_continuation():
    rng = np.random.RandomState(0)
    X_train, Y_train = _sine_task(80, rng)
    X_test, Y_test = _sine_task(50, rng)
    model = MLPRegressor((20,), gamma=0.01, activation="tanh", max_iter=150,
                         random_state=0).fit(X_train, Y_train)
    # Baseline: the mean continuation, which ignores the input.
    baseline = mean_dtw_loss(Y_test, np.tile(Y_train.mean(axis=0), (len(Y_test), 1)))
    error = mean_dtw_loss(Y_test, model.predict(X_test))
    assert error < 0.05 * baseline
    assert error < 0.02
    # L-BFGS's line search only accepts decreasing steps.
    assert len(model.loss_curve_) == model.n_iter_
    assert np.all(np.diff(model.loss_curve_) <= 0)
    assert model.best_loss_ == model.loss_curve_[-1] == model.loss_


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_verbose_prints_the_loss(solver, capsys):
    rng = np.random.RandomState(0)
    X, Y = rng.randn(10, 3), rng.randn(10, 4)
    MLPRegressor((3,), solver=solver, max_iter=2, verbose=True, random_state=0).fit(X, Y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 2, loss = " in out


def test_softdtw_beats_squared_under_dtw_on_unpredictable_shifts():
    # The target is a bump whose position is random and independent of the
    # input: the squared loss learns the blurred average, soft-DTW a sharp
    # bump, which is closer under DTW (and farther in Euclidean distance).
    rng = np.random.RandomState(0)
    n, sz = 120, 30
    t = np.arange(sz)
    centers = rng.uniform(8, 22, n)
    Y = np.exp(-0.5 * ((t - centers[:, None]) / 1.5) ** 2)
    X = rng.randn(n, 4) * 0.01
    X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, random_state=0)
    sq = MLPRegressor((10,), loss="squared", activation="tanh", max_iter=300,
                      random_state=0).fit(X_tr, Y_tr)
    sdtw = copy.deepcopy(sq).set_params(loss="softdtw", gamma=0.01, warm_start=True)
    sdtw.fit(X_tr, Y_tr)
    assert mean_dtw_loss(Y_te, sdtw.predict(X_te)) < 0.7 * mean_dtw_loss(Y_te, sq.predict(X_te))
    assert mean_squared_loss(Y_te, sq.predict(X_te)) < mean_squared_loss(Y_te, sdtw.predict(X_te))


def test_warm_start_continues_from_current_weights():
    rng = np.random.RandomState(0)
    X, Y = _sine_task(60, rng)
    model = MLPRegressor((10,), loss="squared", activation="tanh", max_iter=300,
                         random_state=0).fit(X, Y)
    first_loss, first_pred = model.loss_, model.predict(X)
    # Refitting the same loss from the fitted weights cannot do worse.
    again = copy.deepcopy(model).set_params(warm_start=True, max_iter=5).fit(X, Y)
    assert again.loss_curve_[0] <= first_loss + 1e-12
    assert again.loss_ <= first_loss
    # Euclidean initialisation: the soft-DTW fit starts where the squared
    # one ended, so one iteration barely moves the predictions...
    model.set_params(loss="softdtw", gamma=0.1, warm_start=True, max_iter=1).fit(X, Y)
    warm_move = np.abs(model.predict(X) - first_pred).max()
    # ... whereas a cold start restarts from the random initialisation.
    cold = clone(model).set_params(warm_start=False).fit(X, Y)
    cold_move = np.abs(cold.predict(X) - first_pred).max()
    assert warm_move < 0.1 * cold_move


def test_warm_start_rejects_a_new_architecture():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(20, 4), rng.randn(20, 5)
    model = MLPRegressor((3,), max_iter=2, random_state=0).fit(X, Y)
    model.set_params(warm_start=True, hidden_layer_sizes=(4,))
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(X, Y)
    model.set_params(hidden_layer_sizes=(3,))
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(X, Y[:, :3])


def test_adam_converges():
    rng = np.random.RandomState(0)
    X, Y = _sine_task(60, rng)
    model = MLPRegressor((20,), gamma=0.1, activation="tanh", solver="adam",
                         learning_rate_init=0.02, batch_size=20, max_iter=60,
                         random_state=0).fit(X, Y)
    assert len(model.loss_curve_) == model.n_iter_
    assert model.loss_curve_[-1] < model.loss_curve_[0] - 0.1
    assert model.best_loss_ == min(model.loss_curve_)
    assert model.t_ == model.n_iter_ * len(X)
    assert model.score(X, Y) > -0.05


def test_adam_stops_when_training_loss_stalls():
    rng = np.random.RandomState(0)
    X, Y = _sine_task(40, rng)
    model = MLPRegressor((5,), solver="adam", tol=1e3, n_iter_no_change=3, max_iter=100,
                         random_state=0).fit(X, Y)
    # With a huge tol only the first epoch improves (on +inf); training stops
    # once n_iter_no_change + 1 more epochs have not.
    assert model.n_iter_ == 1 + 3 + 1


def test_early_stopping_keeps_the_best_validation_weights():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 10)
    Y = rng.randn(60, 6)  # pure noise: validation loss soon rises
    seed, fraction = 0, 0.25
    model = MLPRegressor((50,), loss="squared", solver="adam", early_stopping=True,
                         validation_fraction=fraction, learning_rate_init=0.02,
                         n_iter_no_change=5, tol=0.0, max_iter=500,
                         random_state=seed).fit(X, Y)
    scores = model.validation_scores_
    assert model.n_iter_ < 500 and len(scores) == model.n_iter_
    best = int(np.argmax(scores))
    assert model.best_validation_score_ == scores[best]
    assert model.n_iter_ == best + model.n_iter_no_change + 2
    assert model.best_loss_ is None
    # Recreate the held-out samples: the RandomState draws the weights of
    # each layer (coefficients, then biases) before the split.
    rs = np.random.RandomState(seed)
    for shape in [(10, 50), (50,), (50, 6), (6,)]:
        rs.uniform(size=shape)
    _, X_val, _, Y_val = train_test_split(X, Y, test_size=fraction, random_state=rs)
    val_loss = 0.5 * np.sum((model.predict(X_val) - Y_val) ** 2) / len(X_val)
    assert_allclose(-val_loss, model.best_validation_score_, rtol=1e-10)


def test_early_stopping_needs_two_validation_samples():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(10, 3), rng.randn(10, 4)
    model = MLPRegressor(solver="adam", early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match="validation_fraction"):
        model.fit(X, Y)


# --------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------
def test_one_dimensional_targets():
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = np.sin(X[:, 0]) + X[:, 1]
    model = MLPRegressor((8,), activation="tanh", max_iter=50, random_state=0)
    pred_1d = clone(model).fit(X, y).predict(X)
    pred_2d = clone(model).fit(X, y[:, None]).predict(X)
    assert pred_1d.shape == (40,) and pred_2d.shape == (40, 1)
    assert_allclose(pred_1d, pred_2d[:, 0], rtol=1e-12)
    fitted = clone(model).fit(X, y)
    # DTW between series of length 1 is the squared error.
    assert_allclose(-fitted.score(X, y), mean_squared_error(y, pred_1d), rtol=1e-12)


def test_three_dimensional_series():
    rng = np.random.RandomState(0)
    X1, Y1 = _sine_task(60, rng)
    X2, Y2 = _sine_task(60, rng)
    X, Y = np.stack([X1, X2], axis=-1), np.stack([Y1, -Y2], axis=-1)
    model = MLPRegressor((20,), gamma=0.1, activation="tanh", max_iter=100, random_state=0)
    model.fit(X, Y)
    assert model.n_features_in_ == 40 and model.n_outputs_ == 20
    pred = model.predict(X)
    assert pred.shape == Y.shape
    # 3-D inputs are flattened: the same model is learned from (n, 40) inputs
    # and predicts the same series.
    flat = clone(model).fit(X.reshape(60, -1), Y)
    assert_allclose(flat.predict(X.reshape(60, -1)), pred, rtol=1e-12)
    assert_allclose(model.predict(X.reshape(60, -1)), pred, rtol=1e-12)
    # Learned: far better than predicting the mean continuation.
    baseline = mean_dtw_loss(Y, np.broadcast_to(Y.mean(axis=0), Y.shape))
    assert mean_dtw_loss(Y, pred) < 0.2 * baseline


def test_score_is_minus_mean_dtw_per_target_length():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(15, 3), rng.randn(15, 6)
    model = MLPRegressor((5,), max_iter=20, random_state=0).fit(X, Y)
    P = model.predict(X)
    expected = np.mean([dtw_xy(Y[i], P[i]) / 6 for i in range(15)])
    assert_allclose(model.score(X, Y), -expected, rtol=1e-10)


# --------------------------------------------------------------------------
# Parameters, errors, persistence, threads
# --------------------------------------------------------------------------
@pytest.mark.parametrize("param, value", [
    ("loss", "absolute"), ("loss", "sharp"), ("gamma", -1.0), ("dilate_alpha", 1.5),
    ("dilate_alpha", -0.1), ("activation", "softmax"), ("solver", "sgd"),
    ("alpha", -1.0), ("batch_size", 0), ("learning_rate_init", 0.0), ("max_iter", 0),
    ("tol", -1.0), ("sakoe_chiba_radius", -1), ("validation_fraction", 1.0),
    ("n_iter_no_change", 0), ("hidden_layer_sizes", (4, 0)), ("hidden_layer_sizes", 0),
    ("n_jobs", 0), ("random_state", "seed"), ("warm_start", "yes"),
])
def test_bad_parameters_raise_naming_them(param, value):
    rng = np.random.RandomState(0)
    X, Y = rng.randn(10, 3), rng.randn(10, 4)
    with pytest.raises(ValueError, match=param):
        MLPRegressor(**{param: value}).fit(X, Y)


def test_bad_inputs_raise():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(10, 3), rng.randn(10, 4)
    with pytest.raises(NotFittedError):
        MLPRegressor().predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPRegressor().fit(X, Y[:-1])
    X_nan = X.copy()
    X_nan[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor().fit(X_nan, Y)
    Y_pad = np.stack([Y, Y], axis=-1)
    Y_pad[0, -1] = np.nan  # trailing padding: a shorter target
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor().fit(X, Y_pad)
    model = MLPRegressor((3,), max_iter=2).fit(X, Y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :2])


def test_pickle_round_trip():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(20, 3), rng.randn(20, 4, 2)
    model = MLPRegressor((5,), gamma=0.1, max_iter=10, random_state=0).fit(X, Y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.get_params() == model.get_params()


def test_clone_keeps_parameters_not_weights():
    model = MLPRegressor((5, 3), gamma=0.1, sakoe_chiba_radius=2, random_state=0)
    model.fit(np.random.RandomState(0).randn(10, 3), np.random.RandomState(1).randn(10, 4))
    cloned = clone(model)
    assert cloned.get_params() == model.get_params()
    assert not hasattr(cloned, "coefs_")


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_threads_do_not_change_the_result(solver):
    rng = np.random.RandomState(0)
    X, Y = _sine_task(40, rng)
    kw = {"hidden_layer_sizes": (8,), "gamma": 0.1, "solver": solver, "max_iter": 15,
          "random_state": 0}
    one = MLPRegressor(n_jobs=1, **kw).fit(X, Y)
    two = MLPRegressor(n_jobs=2, **kw).fit(X, Y)
    for a, b in zip(one.coefs_ + one.intercepts_, two.coefs_ + two.intercepts_):
        assert_array_equal(a, b)
    assert_array_equal(one.predict(X), two.predict(X))


def test_sakoe_chiba_band_changes_the_loss():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(10, 3), rng.randn(10, 8)
    free = MLPRegressor((4,), gamma=0.1, max_iter=1, random_state=0).fit(X, Y)
    band = clone(free).set_params(sakoe_chiba_radius=0).fit(X, Y)
    P = free.predict(X)
    # Radius 0 forces the diagonal: soft-DTW is then the squared distance.
    value, *_ = band._loss_grad(X, Y)
    penalty = band.alpha / 20 * sum(np.sum(W ** 2) for W in band.coefs_)
    band_pred = band.predict(X)
    assert_allclose(value - penalty, np.mean(np.sum((band_pred - Y) ** 2, axis=1) / 8),
                    rtol=1e-10)
    assert not np.allclose(band_pred, P)


def test_grid_search_over_gamma():
    rng = np.random.RandomState(0)
    X, Y = _sine_task(60, rng)
    search = GridSearchCV(MLPRegressor((8,), activation="tanh", max_iter=30, random_state=0),
                          {"gamma": [0.1, 1.0]}, cv=2).fit(X, Y)
    assert search.best_params_["gamma"] in (0.1, 1.0)
    assert np.all(search.cv_results_["mean_test_score"] <= 0)


# --------------------------------------------------------------------------
# Metrics and scorers
# --------------------------------------------------------------------------
def test_mean_dtw_loss_matches_definition():
    rng = np.random.RandomState(0)
    Y_true = [rng.randn(5, 2), rng.randn(7, 2), rng.randn(3, 2)]
    Y_pred = [rng.randn(6, 2), rng.randn(7, 2), rng.randn(4, 2)]
    w = np.array([1.0, 2.0, 0.5])
    per = np.array([dtw_xy(a, b) / len(a) for a, b in zip(Y_true, Y_pred)])
    assert_allclose(mean_dtw_loss(Y_true, Y_pred), per.mean(), rtol=1e-12)
    assert_allclose(mean_dtw_loss(Y_true, Y_pred, sample_weight=w),
                    np.sum(w * per) / w.sum(), rtol=1e-12)
    per_band = np.array([dtw_xy(a, b, 1) / len(a) for a, b in zip(Y_true, Y_pred)])
    assert_allclose(mean_dtw_loss(Y_true, Y_pred, sakoe_chiba_radius=1), per_band.mean(),
                    rtol=1e-12)


def test_mean_squared_loss_matches_definition_and_bounds_dtw():
    rng = np.random.RandomState(0)
    Y_true, Y_pred = rng.randn(6, 9), rng.randn(6, 9)
    assert_allclose(mean_squared_loss(Y_true, Y_pred), mean_squared_error(Y_true, Y_pred),
                    rtol=1e-12)
    assert mean_dtw_loss(Y_true, Y_pred) <= mean_squared_loss(Y_true, Y_pred)
    A, B = rng.randn(4, 5, 3), rng.randn(4, 5, 3)
    expected = np.mean(np.sum((A - B) ** 2, axis=(1, 2)) / 5)
    assert_allclose(mean_squared_loss(A, B), expected, rtol=1e-12)
    assert mean_dtw_loss(A, B) <= mean_squared_loss(A, B)
    with pytest.raises(ValueError, match="equal lengths"):
        mean_squared_loss([np.zeros(3), np.zeros(4)], [np.zeros(3), np.zeros(5)])
    with pytest.raises(ValueError, match="same number of series"):
        mean_dtw_loss(Y_true, Y_pred[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        mean_dtw_loss(Y_true, Y_pred, sample_weight=[1.0, 2.0])


@pytest.mark.parametrize("weights, message", [
    ([0.0, 0.0, 0.0], "sample_weight must have a positive sum"),
    ([1.0, -0.5, 1.0], "sample_weight must be finite and non-negative"),
    ([1.0, np.nan, 1.0], "sample_weight must be finite and non-negative"),
    ([1.0, 1.0], "sample_weight must be a 1-D array of length n_ts=3"),
])
def test_bad_sample_weights_of_losses_and_score(weights, message):
    rng = np.random.RandomState(0)
    X, Y = _sine_task(3, rng)
    model = MLPRegressor((4,), max_iter=5, random_state=0).fit(X, Y)
    for loss in (mean_dtw_loss, mean_squared_loss):
        with pytest.raises(ValueError, match=message):
            loss(Y, Y, sample_weight=weights)
    with pytest.raises(ValueError, match=message):
        model.score(X, Y, sample_weight=weights)


def test_score_with_zero_weights_ignores_those_samples():
    rng = np.random.RandomState(0)
    X, Y = _sine_task(6, rng)
    model = MLPRegressor((4,), max_iter=5, random_state=0).fit(X, Y)
    w = np.array([1.0, 0.0, 2.0, 0.0, 0.0, 1.0])
    keep = w > 0
    per = np.array([dtw_xy(a, b) / len(a) for a, b in zip(Y, model.predict(X))])
    assert_allclose(model.score(X, Y, sample_weight=w), -(w @ per) / w.sum(), rtol=1e-12)
    assert_allclose(model.score(X, Y, sample_weight=w),
                    model.score(X[keep], Y[keep], sample_weight=w[keep]), rtol=1e-12)


def test_scorers_in_cross_validation():
    rng = np.random.RandomState(0)
    X, Y = _sine_task(40, rng)
    model = MLPRegressor((6,), max_iter=20, random_state=0)
    dtw_scores = cross_val_score(model, X, Y, cv=2, scoring=mean_dtw_scorer)
    default_scores = cross_val_score(model, X, Y, cv=2)
    assert_allclose(dtw_scores, default_scores, rtol=1e-12)
    sq_scores = cross_val_score(model, X, Y, cv=2, scoring=mean_squared_scorer)
    assert np.all(sq_scores <= dtw_scores)  # DTW never exceeds the squared loss


def test_public_names():
    for name in nn.__all__:
        assert getattr(nn, name).__doc__

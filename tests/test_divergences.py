"""Second-order soft-DTW and the divergences of sksoftdtw.divergences.

Expected values come from the brute-force Gibbs moments of ``_oracles.py``
(every alignment enumerated on tiny inputs), central finite differences, hard
DTW, and the authors' reference code when it is importable (``sdtw_div``,
numba: never downloaded by the tests).
"""
import numpy as np
import pytest
from _oracles import (
    INF,
    brute_force_gibbs_moments,
    brute_force_soft_dtw,
    central_diff,
    divergence_xy,
    dp_soft_dtw_alignment,
    grads_from_alignment,
    hard_dtw,
    sq_euclidean_cost,
)

import sksoftdtw
from sksoftdtw import (
    cdist_sharp_soft_dtw_divergence,
    dilate,
    dilate_value_and_grad,
    dtw,
    mean_cost_divergence,
    mean_cost_divergence_value_and_grad,
    mean_cost_value_and_grad_from_cost,
    sharp_soft_dtw,
    sharp_soft_dtw_divergence,
    sharp_soft_dtw_divergence_value_and_grad,
    sharp_soft_dtw_from_cost,
    sharp_soft_dtw_value_and_grad,
    sharp_soft_dtw_value_and_grad_from_cost,
    soft_dtw_alignment,
    soft_dtw_alignment_from_cost,
    soft_dtw_directional_derivative_from_cost,
    soft_dtw_divergence,
    soft_dtw_divergence_value_and_grad,
    soft_dtw_hessian_product,
    soft_dtw_hessian_product_from_cost,
    soft_dtw_value_and_grad,
)
from sksoftdtw._engine.planner import NO_BAND, Band, explain, fused_divergence

GAMMAS = [1e-2, 0.1, 1.0, 10.0, 100.0]
RADII = [None, 0, 1]


def _rng(seed):
    return np.random.default_rng(seed)


def _tiny(seed, n=4, m=5, d=2):
    rng = _rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(m, d)), rng.normal(size=(n, m))


# --- brute force over every alignment ---------------------------------------------


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("radius", RADII)
@pytest.mark.parametrize("shape", [(4, 5), (5, 4), (3, 3), (1, 4), (5, 1)])
def test_second_order_of_cost_matches_brute_force(gamma, radius, shape):
    rng = _rng(hash((gamma, radius, shape)) % 2**32)
    D = rng.uniform(0.0, 3.0, size=shape)
    Z = rng.normal(size=shape)
    E, sharp, dz, HZ = brute_force_gibbs_moments(D, gamma, Z, radius)
    _, HD = brute_force_gibbs_moments(D, gamma, D, radius)[2:]
    kw = dict(sakoe_chiba_radius=radius)
    scale = max(1.0, np.abs(HZ).max())
    assert sharp_soft_dtw_from_cost(D, gamma, **kw) == pytest.approx(sharp, rel=1e-12, abs=1e-12)
    assert soft_dtw_directional_derivative_from_cost(D, Z, gamma, **kw) == pytest.approx(
        dz, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(soft_dtw_hessian_product_from_cost(D, Z, gamma, **kw), HZ,
                               rtol=1e-9, atol=1e-12 * scale)
    value, grad = sharp_soft_dtw_value_and_grad_from_cost(D, gamma, **kw)
    assert value == pytest.approx(sharp, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad, E + HD, rtol=1e-9, atol=1e-12 * max(1.0, np.abs(HD).max()))


@pytest.mark.parametrize("radius", RADII)
@pytest.mark.parametrize("shape", [(4, 5), (6, 3), (1, 1), (2, 6)])
def test_mean_cost_matches_the_uniform_law(radius, shape):
    rng = _rng(sum(shape))
    D = rng.uniform(-1.0, 3.0, size=shape)
    E, mean, _, _ = brute_force_gibbs_moments(D, INF, D, radius)
    value, grad = mean_cost_value_and_grad_from_cost(D, sakoe_chiba_radius=radius)
    assert value == pytest.approx(mean, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad, E, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("gamma", [0.1, 1.0, 10.0])
def test_sharp_of_series_matches_brute_force(gamma):
    x, y, _ = _tiny(3, d=3)
    _, sharp, _, _ = brute_force_gibbs_moments(sq_euclidean_cost(x, y), gamma,
                                               np.zeros((4, 5)))
    assert sharp_soft_dtw(x, y, gamma) == pytest.approx(sharp, rel=1e-12)
    assert sharp_soft_dtw(x[:, 0], y[:, 0], gamma) == pytest.approx(
        brute_force_gibbs_moments(sq_euclidean_cost(x[:, :1], y[:, :1]), gamma,
                                  np.zeros((4, 5)))[1], rel=1e-12)


# --- finite differences --------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("radius", [None, 2])
@pytest.mark.parametrize("d", [1, 2])
def test_hessian_product_matches_finite_differences_of_the_gradient(gamma, radius, d):
    rng = _rng(7 * d)
    x, y, v = rng.normal(size=(9, d)), rng.normal(size=(11, d)), rng.normal(size=(9, d))
    h = 1e-5

    def grad(z):
        return soft_dtw_value_and_grad(z, y, gamma, sakoe_chiba_radius=radius)[1]

    expected = (grad(x + h * v) - grad(x - h * v)) / (2 * h)
    got = soft_dtw_hessian_product(x, y, gamma, v, sakoe_chiba_radius=radius)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


@pytest.mark.parametrize("gamma", [0.1, 1.0])
def test_hessian_product_of_cost_matches_finite_differences_of_E(gamma):
    rng = _rng(11)
    D, Z = rng.uniform(0, 2, size=(10, 8)), rng.normal(size=(10, 8))
    h = 1e-6
    expected = (soft_dtw_alignment_from_cost(D + h * Z, gamma)[0]
                - soft_dtw_alignment_from_cost(D - h * Z, gamma)[0]) / (2 * h)
    got = soft_dtw_hessian_product_from_cost(D, Z, gamma)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("gamma", [0.01, 1.0])
@pytest.mark.parametrize("radius", [None, 1])
def test_directional_derivative_matches_finite_differences_of_the_value(gamma, radius):
    rng = _rng(5)
    D, Z = rng.uniform(0, 2, size=(12, 9)), rng.normal(size=(12, 9))
    h = 1e-6
    kw = dict(sakoe_chiba_radius=radius)
    expected = (soft_dtw_alignment_from_cost(D + h * Z, gamma, **kw)[1]
                - soft_dtw_alignment_from_cost(D - h * Z, gamma, **kw)[1]) / (2 * h)
    got = soft_dtw_directional_derivative_from_cost(D, Z, gamma, **kw)
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-8)


def _value_functions(gamma, radius):
    kw = dict(sakoe_chiba_radius=radius)
    return [
        (lambda x, y: sharp_soft_dtw(x, y, gamma, **kw),
         lambda x, y: sharp_soft_dtw_value_and_grad(x, y, gamma, **kw)),
        (lambda x, y: sharp_soft_dtw_divergence(x, y, gamma, **kw),
         lambda x, y: sharp_soft_dtw_divergence_value_and_grad(x, y, gamma, **kw)),
        (lambda x, y: soft_dtw_divergence(x, y, gamma, **kw),
         lambda x, y: soft_dtw_divergence_value_and_grad(x, y, gamma, **kw)),
        (lambda x, y: mean_cost_divergence(x, y, **kw),
         lambda x, y: mean_cost_divergence_value_and_grad(x, y, **kw)),
        (lambda x, y: dilate(x, y, 0.3, gamma, **kw)[0],
         lambda x, y: (lambda r: (r[0], r[3]))(dilate_value_and_grad(x, y, 0.3, gamma, **kw))),
    ]


@pytest.mark.parametrize("gamma", [0.05, 1.0, 10.0])
@pytest.mark.parametrize("radius", [None, 1])
@pytest.mark.parametrize("shape", [((6, 2), (8, 2)), ((7,), (5,)), ((5, 3), (5, 3))])
def test_gradients_match_finite_differences(gamma, radius, shape):
    rng = _rng(len(shape[0]) + shape[1][0])
    x, y = rng.normal(size=shape[0]), rng.normal(size=shape[1])
    for value_fn, value_and_grad in _value_functions(gamma, radius):
        value, grad = value_and_grad(x, y)
        assert value == pytest.approx(value_fn(x, y), rel=1e-12, abs=1e-12)
        assert grad.shape == x.shape
        expected = central_diff(lambda z: value_fn(z, y), x, 1e-5)
        np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-6)


# --- identities, limits and properties --------------------------------------------


@pytest.mark.parametrize("gamma", [0.01, 1.0, 30.0])
@pytest.mark.parametrize("radius", [None, 3])
def test_sharp_equals_E_dot_C_with_soft_dtw_alignment(gamma, radius):
    rng = _rng(2)
    x, y = rng.normal(size=(40, 2)), rng.normal(size=(33, 2))
    E, _ = soft_dtw_alignment(x, y, gamma, sakoe_chiba_radius=radius)
    expected = float(np.sum(E * sq_euclidean_cost(x, y)))
    assert sharp_soft_dtw(x, y, gamma, sakoe_chiba_radius=radius) == pytest.approx(
        expected, rel=1e-10)


def test_exp_and_log_domains_agree(monkeypatch):
    rng = _rng(4)
    x, y, v = rng.normal(size=(30, 2)), rng.normal(size=(25, 2)), rng.normal(size=(30, 2))
    for gamma in (1e-3, 0.1, 3.0):
        results = []
        for strategy in ("rows/exp", "rows/log"):
            monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
            p = explain(sharp_soft_dtw_value_and_grad, x, y, gamma)
            assert (p.order, p.domain, p.memory) == ("rows", strategy[5:], "full")
            results.append((sharp_soft_dtw_value_and_grad(x, y, gamma),
                            soft_dtw_hessian_product(x, y, gamma, v)))
        (v1, g1), h1 = results[0]
        (v2, g2), h2 = results[1]
        assert v1 == pytest.approx(v2, rel=1e-11)
        np.testing.assert_allclose(g1, g2, rtol=1e-8, atol=1e-9 * np.abs(g2).max())
        np.testing.assert_allclose(h1, h2, rtol=1e-8, atol=1e-9 * np.abs(h2).max())


def test_small_gamma_is_finite_and_tends_to_hard_dtw():
    rng = _rng(8)
    x, y = 3 * rng.normal(size=(50, 1)), 3 * rng.normal(size=(60, 1))
    hard = dtw(x, y)
    assert sharp_soft_dtw(x, y, 0.0) == pytest.approx(hard, rel=1e-14)
    previous = np.inf
    for gamma in (1.0, 1e-2, 1e-4, 1e-8):
        value, grad = sharp_soft_dtw_value_and_grad(x, y, gamma)
        hv = soft_dtw_hessian_product(x, y, gamma, np.ones_like(x))
        assert np.isfinite(grad).all() and np.isfinite(hv).all()
        assert hard - 1e-9 <= value and value - hard <= previous + 1e-12
        previous = value - hard
    assert previous < 1e-6 * hard


def test_hessian_at_gamma_zero_is_that_of_the_optimal_path():
    rng = _rng(9)
    x, y, v = rng.normal(size=(6, 2)), rng.normal(size=(7, 2)), rng.normal(size=(6, 2))
    E = brute_force_soft_dtw(sq_euclidean_cost(x, y), 0.0)[1]
    expected = 2.0 * E.sum(axis=1)[:, None] * v
    np.testing.assert_allclose(soft_dtw_hessian_product(x, y, 0.0, v), expected, rtol=1e-14)
    value, grad = sharp_soft_dtw_value_and_grad(x, y, 0.0)
    assert value == pytest.approx(hard_dtw(sq_euclidean_cost(x, y)), rel=1e-14)
    np.testing.assert_allclose(grad, grads_from_alignment(x, y, E)[0], rtol=1e-14)


@pytest.mark.parametrize("name", ["sharp", "mean_cost", "soft"])
def test_divergences_are_zero_at_x_equals_y_and_positive_apart(name):
    functions = {"sharp": (sharp_soft_dtw_divergence, sharp_soft_dtw_divergence_value_and_grad),
                 "mean_cost": (mean_cost_divergence, mean_cost_divergence_value_and_grad),
                 "soft": (soft_dtw_divergence, soft_dtw_divergence_value_and_grad)}
    value_fn, value_and_grad = functions[name]
    rng = _rng(10)
    for _ in range(5):
        x, y = rng.normal(size=(12, 2)), rng.normal(size=(15, 2))
        value, grad = value_and_grad(x, x)
        assert value_fn(x, x) == value == 0.0
        np.testing.assert_allclose(grad, 0.0, atol=1e-12)
        assert value_fn(x, y) > 0.0


def test_cdist_sharp_divergence_equals_pairs_and_threads_agree():
    rng = _rng(12)
    X = [rng.normal(size=(n, 2)) for n in (8, 10, 7)]
    Y = [rng.normal(size=(n, 2)) for n in (9, 6)]
    expected = np.array([[sharp_soft_dtw_divergence(a, b, 0.3) for b in Y] for a in X])
    for n_jobs in (1, 2):
        np.testing.assert_allclose(cdist_sharp_soft_dtw_divergence(X, Y, 0.3, n_jobs=n_jobs),
                                   expected, rtol=1e-13, atol=1e-13)
    square = cdist_sharp_soft_dtw_divergence(X, gamma=0.3)
    np.testing.assert_allclose(np.diag(square), 0.0)
    np.testing.assert_allclose(square[0, 1], sharp_soft_dtw_divergence(X[0], X[1], 0.3),
                               rtol=1e-13)


def test_dilate_terms():
    rng = _rng(13)
    x, y = rng.normal(size=(12, 1)), rng.normal(size=(12, 1))
    E, value = soft_dtw_alignment(x, y, 0.1)
    i, j = np.indices(E.shape)
    omega = (i - j) ** 2 / 12 ** 2  # DILATE's Omega for equal lengths
    loss, shape, temporal = dilate(x, y, alpha=0.25, gamma=0.1)
    assert shape == pytest.approx(value, rel=1e-12)
    assert temporal == pytest.approx(np.sum(E * omega), rel=1e-10)
    assert loss == pytest.approx(0.25 * shape + 0.75 * temporal, rel=1e-14)
    # unequal lengths: the relative positions of the cell centres
    y2 = rng.normal(size=(7, 1))
    E2, _ = soft_dtw_alignment(x, y2, 0.1)
    i, j = np.indices(E2.shape)
    omega2 = ((i + 0.5) / 12 - (j + 0.5) / 7) ** 2
    assert dilate(x, y2, gamma=0.1)[2] == pytest.approx(np.sum(E2 * omega2), rel=1e-10)
    # alpha = 1 is soft-DTW, with its gradient
    loss, _, _, grad = dilate_value_and_grad(x, y, alpha=1.0, gamma=0.1)
    np.testing.assert_allclose(grad, soft_dtw_value_and_grad(x, y, 0.1)[1], rtol=1e-10)


# --- the divergences in one kernel call, self terms over half their cells ------------


def _self_terms_planned(x, y, gamma, second):
    """Whether the divergence of x and y runs in one call (the triangles)."""
    cost = (np.abs(x).max() + np.abs(y).max()) ** 2 * x.shape[1]
    return fused_divergence(len(x), len(y), gamma, NO_BAND, cost, second)


@pytest.mark.parametrize("gamma", [0.05, 1.0, 10.0])
@pytest.mark.parametrize("shapes", [((2, 1), (3, 1)), ((9, 1), (12, 1)), ((13, 3), (8, 3)),
                                    ((66, 2), (70, 2))])
def test_soft_divergence_matches_the_recursion_of_each_term(gamma, shapes):
    rng = _rng(sum(shapes[0]) + 7 * sum(shapes[1]))
    x, y = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert _self_terms_planned(x, y, gamma, second=False)
    value, grad = soft_dtw_divergence_value_and_grad(x, y, gamma)
    assert value == pytest.approx(divergence_xy(x, y, gamma), rel=1e-12)
    # E of each term by the log-domain forward-backward pass; r(x, x) moves on both sides
    g_xy = grads_from_alignment(x, y, dp_soft_dtw_alignment(sq_euclidean_cost(x, y), gamma)[1])
    g_xx = grads_from_alignment(x, x, dp_soft_dtw_alignment(sq_euclidean_cost(x, x), gamma)[1])
    expected = g_xy[0] - 0.5 * (g_xx[0] + g_xx[1])
    np.testing.assert_allclose(grad, expected, rtol=1e-10, atol=1e-12 * np.abs(expected).max())


@pytest.mark.parametrize("gamma", [0.05, 1.0, 10.0])
@pytest.mark.parametrize("shapes", [((64, 1), (70, 1)), ((80, 2), (65, 2))])
def test_sharp_divergence_by_half_self_terms_matches_the_three_pairs(monkeypatch, gamma,
                                                                     shapes):
    rng = _rng(sum(shapes[0]) + sum(shapes[1]))
    x, y = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    assert _self_terms_planned(x, y, gamma, second=True)
    value, grad = sharp_soft_dtw_divergence_value_and_grad(x, y, gamma)
    # <E, C> of each term with E by the log-domain forward-backward pass
    sharp = [np.sum(dp_soft_dtw_alignment(sq_euclidean_cost(a, b), gamma)[1]
                    * sq_euclidean_cost(a, b)) for a, b in ((x, y), (x, x), (y, y))]
    assert value == pytest.approx(sharp[0] - 0.5 * (sharp[1] + sharp[2]), rel=1e-10)
    if x.shape[1] == 1:
        expected = central_diff(lambda z: sharp_soft_dtw_divergence(z, y, gamma), x, 1e-5)
        np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-6)
    # a forced strategy runs the three pairs whole, as one batch
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", "antidiagonals")
    assert not _self_terms_planned(x, y, gamma, second=True)
    whole_value, whole_grad = sharp_soft_dtw_divergence_value_and_grad(x, y, gamma)
    assert value == pytest.approx(whole_value, rel=1e-12)
    np.testing.assert_allclose(grad, whole_grad, rtol=1e-11,
                               atol=1e-12 * np.abs(whole_grad).max())


@pytest.mark.parametrize("fn", [soft_dtw_divergence_value_and_grad,
                                sharp_soft_dtw_divergence_value_and_grad])
def test_divergences_by_half_self_terms_are_zero_at_x_equals_y(fn):
    x = _rng(16).normal(size=(70, 2))
    value, grad = fn(x, x.copy(), 0.5)
    assert value == 0.0 and not grad.any()
    value, grad = fn(x, x + 1e-3, 0.5)
    assert value > 0.0 and grad.any()


def test_divergences_whose_self_terms_cannot_run_by_half_take_the_batch():
    args = {"n": 100, "m": 90, "gamma": 1.0, "max_cost": 4.0}
    assert fused_divergence(**args, band=NO_BAND)
    assert not fused_divergence(**args, band=Band(radius=5))
    assert not fused_divergence(100, 90, 1e-3, NO_BAND, 1e12)  # log domain
    assert not fused_divergence(1, 90, 1.0, NO_BAND, 4.0)  # a single alignment
    assert not fused_divergence(30, 90, 1.0, NO_BAND, 4.0, second=True)  # by rows
    assert not fused_divergence(4000, 90, 1.0, NO_BAND, 4.0)  # weights by checkpoints
    rng = _rng(17)
    x, y = rng.normal(size=(66, 1)), rng.normal(size=(72, 1))
    for fn in (soft_dtw_divergence_value_and_grad, sharp_soft_dtw_divergence_value_and_grad):
        banded = fn(x, y, 1.0, sakoe_chiba_radius=80)  # a band wider than the pair
        whole = fn(x, y, 1.0)
        assert whole[0] == pytest.approx(banded[0], rel=1e-12)
        np.testing.assert_allclose(whole[1], banded[1], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("gamma", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("shapes", [((64,), (70,)), ((80, 2), (66, 2))])
def test_hessian_product_of_one_long_pair_matches_finite_differences(monkeypatch, gamma, shapes):
    rng = _rng(len(shapes[0]) + shapes[1][0])
    x, y, v = rng.normal(size=shapes[0]), rng.normal(size=shapes[1]), rng.normal(size=shapes[0])
    got = soft_dtw_hessian_product(x, y, gamma, v)  # checked and computed in one call
    assert got.shape == x.shape
    h = 1e-5
    expected = (soft_dtw_value_and_grad(x + h * v, y, gamma)[1]
                - soft_dtw_value_and_grad(x - h * v, y, gamma)[1]) / (2 * h)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())
    # the same pair through the validating path: lists, float32, a band wider than the pair
    # and a forced strategy
    scale = 1e-12 * np.abs(got).max()
    np.testing.assert_allclose(soft_dtw_hessian_product(x.tolist(), y, gamma, v), got, rtol=1e-12,
                               atol=scale)
    np.testing.assert_allclose(soft_dtw_hessian_product(x, y, gamma, v, sakoe_chiba_radius=200),
                               got, rtol=1e-12, atol=scale)
    x32 = x.astype(np.float32)
    np.testing.assert_allclose(soft_dtw_hessian_product(x32, y, gamma, v),
                               soft_dtw_hessian_product(x32.astype(np.float64), y, gamma, v),
                               rtol=1e-12, atol=scale)
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", "antidiagonals")
    np.testing.assert_allclose(soft_dtw_hessian_product(x, y, gamma, v), got, rtol=1e-12,
                               atol=scale)


def test_hessian_product_of_one_long_pair_explains_bad_input():
    x, y, v = np.zeros((70, 1)), np.ones((80, 1)), np.ones((70, 1))
    for bad, match in ((np.full((70, 1), np.inf), "v"), (np.ones((69, 1)), "v must have")):
        with pytest.raises(ValueError, match=match):
            soft_dtw_hessian_product(x, y, 1.0, bad)
    x_nan = x.copy()
    x_nan[3] = np.nan
    with pytest.raises(ValueError, match="x"):
        soft_dtw_hessian_product(x_nan, y, 1.0, v)
    with pytest.raises(ValueError, match="gamma"):
        soft_dtw_hessian_product(x, y, -1.0, v)
    # trailing NaN rows of x are padding, as everywhere: its Hessian product is shorter
    x_pad = np.vstack([np.arange(70.0)[:, None] / 70, np.full((2, 1), np.nan)])
    assert soft_dtw_hessian_product(x_pad, y, 1.0, v).shape == (70, 1)


# --- the authors' reference code ------------------------------------------------


def test_reference_code_with_halved_cost():
    ops = pytest.importorskip("sdtw_div.numba_ops")
    rng = _rng(14)
    x, y = rng.normal(size=(9, 2)), rng.normal(size=(12, 2))
    long_x, long_y = rng.normal(size=(70, 2)), rng.normal(size=(66, 2))
    for gamma in (0.05, 1.0):
        for theirs, ours in ((ops.sdtw_div_value_and_grad, soft_dtw_divergence_value_and_grad),
                             (ops.sharp_sdtw_div_value_and_grad,
                              sharp_soft_dtw_divergence_value_and_grad)):
            value, grad = theirs(long_x, long_y, gamma=gamma)  # by half self terms
            our_value, our_grad = ours(long_x, long_y, 2 * gamma)
            assert 0.5 * our_value == pytest.approx(value, rel=1e-10)
            np.testing.assert_allclose(0.5 * our_grad, grad, rtol=1e-9, atol=1e-12)
        # their cost is half of ours: their value at gamma is ours at 2 gamma, halved
        pairs = [
            (ops.sdtw_div_value_and_grad, soft_dtw_divergence_value_and_grad),
            (ops.sharp_sdtw_value_and_grad, sharp_soft_dtw_value_and_grad),
            (ops.sharp_sdtw_div_value_and_grad, sharp_soft_dtw_divergence_value_and_grad),
        ]
        for theirs, ours in pairs:
            value, grad = theirs(x, y, gamma=gamma)
            our_value, our_grad = ours(x, y, 2 * gamma)
            assert 0.5 * our_value == pytest.approx(value, rel=1e-10)
            np.testing.assert_allclose(0.5 * our_grad, grad, rtol=1e-9, atol=1e-12)
        assert 0.5 * sharp_soft_dtw(x, y, 2 * gamma) == pytest.approx(
            ops.sharp_sdtw(x, y, gamma=gamma), rel=1e-10)
    value, grad = ops.mean_cost_div_value_and_grad(x, y)
    our_value, our_grad = mean_cost_divergence_value_and_grad(x, y)
    assert 0.5 * our_value == pytest.approx(value, rel=1e-10)
    np.testing.assert_allclose(0.5 * our_grad, grad, rtol=1e-9, atol=1e-12)


# --- the plan and bad input ---------------------------------------------------


def test_plan_of_second_order_requests(monkeypatch):
    x, y = np.zeros((5, 1)), np.ones((6, 1))
    p = explain(sharp_soft_dtw, x, y, 1.0)
    assert (p.order, p.domain, p.memory) == ("rows", "exp", "two rows")
    p = explain(sharp_soft_dtw, x, y, 0.0)
    assert (p.order, p.domain) == ("rows", "hard")
    long_x, long_y = np.zeros((80, 1)), np.ones((90, 1))
    p = explain(sharp_soft_dtw_value_and_grad, long_x, long_y, 1.0)
    assert (p.order, p.domain, p.memory) == ("antidiagonals", "exp", "full")
    p = explain(sharp_soft_dtw_value_and_grad, long_x, long_y, 1.0, sakoe_chiba_radius=5)
    assert p.order == "rows"
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", "lanes")
    with pytest.raises(ValueError, match="second-order kernels run by rows or by anti-diagonals"):
        sharp_soft_dtw(x, y, 1.0)
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", "antidiagonals")
    for gamma, radius in ((0.0, None), (1.0, 2)):
        with pytest.raises(ValueError, match="no band and the exp domain"):
            sharp_soft_dtw(x, y, gamma, sakoe_chiba_radius=radius)
    monkeypatch.delenv("SKSOFTDTW_STRATEGY")
    monkeypatch.setattr(sksoftdtw._engine.planner, "MAX_FULL_CELLS", 20)
    assert np.isfinite(sharp_soft_dtw(x, y, 1.0))  # a value needs no weights
    with pytest.raises(ValueError, match="MAX_FULL_CELLS"):
        sharp_soft_dtw_value_and_grad(x, y, 1.0)


@pytest.mark.parametrize("gamma", [1e-3, 0.3, 5.0])
def test_antidiagonals_and_rows_agree(monkeypatch, gamma):
    rng = _rng(15)
    x, y, v = rng.normal(size=(23, 2)), rng.normal(size=(17, 2)), rng.normal(size=(23, 2))
    D, Z = sq_euclidean_cost(x, y), rng.normal(size=(23, 17))
    results = []
    for strategy in ("antidiagonals", "rows"):
        monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
        assert explain(soft_dtw_hessian_product, x, y, gamma, v).order == strategy
        results.append([
            sharp_soft_dtw(x, y, gamma),
            *sharp_soft_dtw_divergence_value_and_grad(x, y, gamma),
            *mean_cost_divergence_value_and_grad(x, y),
            soft_dtw_hessian_product(x, y, gamma, v),
            *dilate_value_and_grad(x, y, 0.4, gamma),
            soft_dtw_directional_derivative_from_cost(D, Z, gamma),
            soft_dtw_hessian_product_from_cost(D, Z, gamma),
            *sharp_soft_dtw_value_and_grad_from_cost(D, gamma),
            *mean_cost_value_and_grad_from_cost(D),
        ])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(b).max()))


def test_bad_input_is_explained():
    x, y = np.zeros((5, 2)), np.ones((6, 2))
    with pytest.raises(ValueError, match="v must have the shape of x"):
        soft_dtw_hessian_product(x, y, 1.0, np.ones((4, 2)))
    with pytest.raises(ValueError, match="v"):
        soft_dtw_hessian_product(x, y, 1.0, np.full((5, 2), np.nan))
    with pytest.raises(ValueError, match="alpha"):
        dilate(x, y, alpha=1.5)
    with pytest.raises(ValueError, match="alpha"):
        dilate_value_and_grad(x, y, alpha="0.5")
    with pytest.raises(ValueError, match="Z must have the shape of D"):
        soft_dtw_hessian_product_from_cost(np.ones((3, 4)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="D"):
        sharp_soft_dtw_from_cost(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="gamma"):
        sharp_soft_dtw(x, y, gamma=-1.0)
    with pytest.raises(ValueError, match="dimension"):
        sharp_soft_dtw_divergence(x, np.ones((6, 3)))

"""Core correctness tests for sksoftdtw.

Every expected value comes from the independent oracles in ``_oracles.py``
(plain Python / NumPy written from the definitions), or from a peer library
(tslearn, soft-dtw) when installed.  The package under test is never used to
produce an expected value; where two package calls are compared with each
other (threads, cdist vs single pairs, float32 vs float64, ...) the property
itself is the specification.
"""

import json
import math
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from _oracles import (
    all_alignments,
    as_2d,
    band_mask,
    brute_force_min_path,
    brute_force_soft_dtw,
    central_diff,
    count_paths,
    delannoy,
    divergence_xy,
    dp_soft_dtw,
    dp_soft_dtw_alignment,
    dtw_xy,
    grads_from_alignment,
    hard_dtw,
    hard_dtw_path,
    is_valid_path,
    pad_dataset,
    path_cost,
    sdtw_xy,
    sq_euclidean_cost,
)

import sksoftdtw as sk

GAMMAS = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1e3]
SEEDS = [0, 1, 2]
DIMS = [1, 3]
# Small enough for brute-force enumeration (n, m <= 5), including the
# degenerate single-row / single-column cases and both n < m and n > m.
SMALL_SHAPES = [(1, 1), (1, 4), (4, 1), (2, 5), (5, 3), (4, 4), (5, 5)]

PUBLIC_API = [
    "soft_dtw",
    "soft_dtw_value_and_grad",
    "soft_dtw_alignment",
    "soft_dtw_alignment_from_cost",
    "soft_dtw_from_cost",
    "dtw",
    "dtw_path",
    "cdist_soft_dtw",
    "cdist_dtw",
    "soft_dtw_divergence",
    "cdist_soft_dtw_divergence",
    "soft_dtw_batch",
    "to_time_series_dataset",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def make_pair(seed, n, m, d, flat=False):
    """Random pair; with flat=True and d == 1 the series are 1-D (sz,)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = rng.standard_normal((m, d))
    if flat and d == 1:
        return x[:, 0], y[:, 0]
    return x, y


def value_atol(D, gamma, n, m, radius=None, rel=1e-10):
    """Absolute slack for a value: rel * (magnitude of the quantities that
    are summed/log-sum-exp'ed), so that a result near 0 is not judged with
    a pure relative tolerance."""
    scale = float(np.abs(D).sum()) + 1.0
    if gamma > 0:
        scale += gamma * math.log(max(count_paths(n, m, radius), 1))
    return rel * scale


def fd_step(gamma):
    return 1e-5 if gamma < 100 else 1e-4


def grad_scale(g):
    return max(1.0, float(np.max(np.abs(g))))


def assert_alignment_structure(E, slack=1e-12):
    """E is a matrix of visit probabilities of a monotone path."""
    E = np.asarray(E)
    assert np.all(np.isfinite(E))
    assert E.min() >= -slack, E.min()
    assert E.max() <= 1 + slack, E.max()
    np.testing.assert_allclose(E[0, 0], 1.0, atol=1e-10)
    np.testing.assert_allclose(E[-1, -1], 1.0, atol=1e-10)
    # every path visits every row and every column at least once
    assert np.all(E.sum(axis=1) >= 1 - 1e-10)
    assert np.all(E.sum(axis=0) >= 1 - 1e-10)


def assert_is_float64_scalar(v):
    assert isinstance(v, float), type(v)  # np.float64 is a float subclass
    assert np.asarray(v).dtype == np.float64


# --------------------------------------------------------------------------
# sanity of the API surface and of the oracles themselves
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", PUBLIC_API)
def test_public_api_is_exported(name):
    assert callable(getattr(sk, name))


@pytest.mark.parametrize("n,m", SMALL_SHAPES)
@pytest.mark.parametrize("gamma", [1e-3, 1.0, 1e3])
def test_oracles_agree_with_each_other(n, m, gamma):
    """Guard against test bugs: brute force, DP and forward-backward agree."""
    x, y = make_pair(7, n, m, 2)
    D = sq_euclidean_cost(x, y)
    assert len(all_alignments(n, m)) == delannoy(n - 1, m - 1) == count_paths(n, m)
    v_bf, E_bf = brute_force_soft_dtw(D, gamma)
    v_fb, E_fb = dp_soft_dtw_alignment(D, gamma)
    np.testing.assert_allclose(v_fb, v_bf, rtol=1e-12, atol=value_atol(D, gamma, n, m, rel=1e-13))
    np.testing.assert_allclose(E_fb, E_bf, atol=1e-10)
    np.testing.assert_allclose(hard_dtw(D), brute_force_soft_dtw(D, 0)[0], rtol=1e-13)
    for r in range(3):
        np.testing.assert_allclose(
            dp_soft_dtw(D, gamma, r), brute_force_soft_dtw(D, gamma, r)[0], rtol=1e-12
        )


# --------------------------------------------------------------------------
# value and expected alignment vs brute force
# --------------------------------------------------------------------------
@pytest.mark.parametrize("n,m", SMALL_SHAPES)
@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("gamma", GAMMAS)
def test_value_and_alignment_vs_brute_force(gamma, seed, d, n, m):
    x, y = make_pair(seed, n, m, d, flat=(seed == 0))
    D = sq_euclidean_cost(x, y)
    v_ref, E_ref = brute_force_soft_dtw(D, gamma)
    atol = value_atol(D, gamma, n, m)

    v = sk.soft_dtw(x, y, gamma=gamma)
    assert_is_float64_scalar(v)
    np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=atol)

    E, v2 = sk.soft_dtw_alignment(x, y, gamma=gamma)
    E = np.asarray(E)
    assert E.shape == (n, m)
    assert E.dtype == np.float64
    np.testing.assert_allclose(v2, v_ref, rtol=1e-10, atol=atol)
    np.testing.assert_allclose(E, E_ref, rtol=0, atol=1e-10)
    assert_alignment_structure(E)

    E3, v3 = sk.soft_dtw_alignment_from_cost(D, gamma=gamma)
    np.testing.assert_allclose(v3, v_ref, rtol=1e-10, atol=atol)
    np.testing.assert_allclose(np.asarray(E3), E_ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("n,m", [(3, 5), (5, 4), (5, 5), (1, 3)])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_from_cost_on_arbitrary_matrix(gamma, n, m):
    """Any cost matrix, including negative entries (not a distance)."""
    rng = np.random.default_rng(123)
    D = 3.0 * rng.standard_normal((n, m))
    v_ref, E_ref = brute_force_soft_dtw(D, gamma)
    E, v = sk.soft_dtw_alignment_from_cost(D, gamma=gamma)
    np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=value_atol(D, gamma, n, m))
    np.testing.assert_allclose(np.asarray(E), E_ref, atol=1e-10)


@pytest.mark.parametrize("n,m", [(9, 13), (13, 9), (12, 12), (1, 17), (17, 1), (64, 80),
                                 (80, 64)])
@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("gamma", [1e-2, 1.0, 100.0])
def test_value_and_alignment_vs_dp_larger(gamma, d, n, m):
    """Sizes beyond brute force (and from length 64 on, by anti-diagonals): DP
    value, forward-backward E."""
    x, y = make_pair(11, n, m, d)
    D = sq_euclidean_cost(x, y)
    v_ref, E_ref = dp_soft_dtw_alignment(D, gamma)
    E, v = sk.soft_dtw_alignment(x, y, gamma=gamma)
    np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=value_atol(D, gamma, n, m))
    np.testing.assert_allclose(np.asarray(E), E_ref, atol=1e-9)
    assert_alignment_structure(E)


@pytest.mark.parametrize("gamma", [0.0, 1e-2, 1.0])
def test_from_cost_on_a_large_arbitrary_matrix(gamma):
    """A cost matrix with negative entries, large enough for the anti-diagonal
    kernel: DP value and forward-backward E (or the optimal path at gamma = 0)."""
    rng = np.random.default_rng(7)
    D = 3.0 * rng.standard_normal((70, 90))
    E, v = sk.soft_dtw_alignment_from_cost(D, gamma=gamma)
    if gamma == 0:
        v_ref, path = hard_dtw_path(D)
        E_ref = np.zeros_like(D)
        E_ref[tuple(np.array(path).T)] = 1.0
    else:
        v_ref, E_ref = dp_soft_dtw_alignment(D, gamma)
    np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.asarray(E), E_ref, atol=1e-9)


def test_univariate_1d_equals_column_input():
    x, y = make_pair(3, 8, 6, 1)
    v_col = sk.soft_dtw(x, y, gamma=0.5)
    v_flat = sk.soft_dtw(x[:, 0], y[:, 0], gamma=0.5)
    np.testing.assert_allclose(v_flat, v_col, rtol=1e-14)
    np.testing.assert_allclose(sk.dtw(x[:, 0], y[:, 0]), sk.dtw(x, y), rtol=1e-14)
    _, g = sk.soft_dtw_value_and_grad(x[:, 0], y[:, 0], gamma=0.5)
    assert np.shape(g) == (8,)
    _, g = sk.soft_dtw_value_and_grad(x, y, gamma=0.5)
    assert np.shape(g) == (8, 1)


def test_plain_lists_are_array_like():
    x = [0.0, 1.0, 2.0, 1.5]
    y = [[0.5], [2.0], [1.0]]
    np.testing.assert_allclose(sk.soft_dtw(x, y, gamma=1.0), sdtw_xy(x, y, 1.0), rtol=1e-12)
    np.testing.assert_allclose(sk.dtw(x, y), dtw_xy(x, y), rtol=1e-12)


def test_integer_input_is_accepted():
    x = np.array([0, 3, 1, 4], dtype=np.int64)
    y = np.array([[1], [2], [5]], dtype=np.int32)
    np.testing.assert_allclose(sk.soft_dtw(x, y, gamma=1.0), sdtw_xy(x, y, 1.0), rtol=1e-12)
    np.testing.assert_allclose(sk.dtw(x, y), dtw_xy(x, y), rtol=1e-12)


def test_non_contiguous_inputs():
    rng = np.random.default_rng(5)
    big_x = rng.standard_normal((20, 6))
    big_y = np.asfortranarray(rng.standard_normal((14, 3)))
    x = big_x[::2, ::2]  # strided view (10, 3)
    y = big_y[1:, :]  # Fortran-ordered (13, 3)
    ref = sdtw_xy(x, y, 0.7)
    np.testing.assert_allclose(sk.soft_dtw(x, y, gamma=0.7), ref, rtol=1e-12)
    _, g = sk.soft_dtw_value_and_grad(x, y, gamma=0.7)
    E_ref = dp_soft_dtw_alignment(sq_euclidean_cost(x, y), 0.7)[1]
    np.testing.assert_allclose(g, grads_from_alignment(x, y, E_ref)[0], atol=1e-9)
    np.testing.assert_allclose(sk.dtw(x, y), dtw_xy(x, y), rtol=1e-12)
    D = sq_euclidean_cost(x, y)
    _, v2 = sk.soft_dtw_alignment_from_cost(np.asfortranarray(D)[:, ::-1][:, ::-1], gamma=0.7)
    np.testing.assert_allclose(v2, ref, rtol=1e-12)
    X = rng.standard_normal((6, 30, 2))[:, ::3, :]
    C = sk.cdist_soft_dtw(X, gamma=0.7)
    C_ref = np.array([[sdtw_xy(a, b, 0.7) for b in X] for a in X])
    np.testing.assert_allclose(C, C_ref, rtol=1e-11)


def test_inputs_are_not_modified():
    x, y = make_pair(4, 6, 7, 2)
    X = np.random.default_rng(1).standard_normal((4, 6, 2))
    X_nan = X.copy()
    X_nan[1, 4:] = np.nan
    D = sq_euclidean_cost(x, y)
    copies = [a.copy() for a in (x, y, X, X_nan, D)]
    sk.soft_dtw(x, y)
    sk.soft_dtw_value_and_grad(x, y)
    sk.soft_dtw_alignment(x, y)
    sk.soft_dtw_alignment_from_cost(D)
    sk.dtw(x, y)
    sk.dtw_path(x, y)
    sk.cdist_soft_dtw(X)
    sk.cdist_dtw(X_nan)
    sk.cdist_soft_dtw_divergence(X, X_nan)
    sk.soft_dtw_batch(X, X_nan, return_grad="both")
    sk.to_time_series_dataset(X_nan)
    for a, b in zip((x, y, X, X_nan, D), copies):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------
# gradients
# --------------------------------------------------------------------------
@pytest.mark.parametrize("n,m", [(5, 4), (3, 6), (1, 3), (6, 6)])
@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_value_and_grad_vs_oracle(gamma, seed, d, n, m):
    x, y = make_pair(seed, n, m, d, flat=(seed == 0))
    D = sq_euclidean_cost(x, y)
    v_ref, E_ref = dp_soft_dtw_alignment(D, gamma)
    gx_ref, _ = grads_from_alignment(x, y, E_ref)
    gx_ref = gx_ref.reshape(np.shape(x))

    v, g = sk.soft_dtw_value_and_grad(x, y, gamma=gamma)
    assert_is_float64_scalar(v)
    g = np.asarray(g)
    assert g.shape == np.shape(x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=value_atol(D, gamma, n, m))
    np.testing.assert_allclose(g, gx_ref, rtol=0, atol=1e-9 * grad_scale(gx_ref))
    # and against central finite differences of the plain-Python DP value
    fd = central_diff(lambda z: sdtw_xy(z, y, gamma), x, fd_step(gamma))
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-6 * grad_scale(fd))


@pytest.mark.parametrize("layout", ["3d", "2d"])
@pytest.mark.parametrize("gamma", [1e-3, 1e-1, 1.0, 10.0, 1e3])
def test_batch_gradients_both_vs_finite_differences(gamma, layout):
    rng = np.random.default_rng(42)
    n_pairs, n, m = 3, 5, 4
    d = 2 if layout == "3d" else 1
    X = rng.standard_normal((n_pairs, n, d))
    Y = rng.standard_normal((n_pairs, m, d))
    if layout == "2d":
        X, Y = X[..., 0], Y[..., 0]
    vals, gX, gY = sk.soft_dtw_batch(X, Y, gamma=gamma, return_grad="both")
    vals, gX, gY = np.asarray(vals), np.asarray(gX), np.asarray(gY)
    assert vals.shape == (n_pairs,)
    assert gX.shape == X.shape and gY.shape == Y.shape
    assert vals.dtype == gX.dtype == gY.dtype == np.float64
    h = fd_step(gamma)
    for k in range(n_pairs):
        xk, yk = X[k], Y[k]
        D = sq_euclidean_cost(xk, yk)
        v_ref = dp_soft_dtw(D, gamma)
        np.testing.assert_allclose(vals[k], v_ref, rtol=1e-10, atol=value_atol(D, gamma, n, m))
        fdx = central_diff(lambda z, yk=yk: sdtw_xy(z, yk, gamma), xk, h)
        fdy = central_diff(lambda z, xk=xk: sdtw_xy(xk, z, gamma), yk, h)
        np.testing.assert_allclose(gX[k], fdx, atol=1e-6 * grad_scale(fdx))
        np.testing.assert_allclose(gY[k], fdy, atol=1e-6 * grad_scale(fdy))
        # analytic chain rule through the oracle's E (tighter)
        E_ref = dp_soft_dtw_alignment(D, gamma)[1]
        ax, ay = grads_from_alignment(xk, yk, E_ref)
        np.testing.assert_allclose(gX[k], ax.reshape(xk.shape), atol=1e-9 * grad_scale(ax))
        np.testing.assert_allclose(gY[k], ay.reshape(yk.shape), atol=1e-9 * grad_scale(ay))


def test_batch_return_grad_modes_are_consistent():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((4, 6, 2))
    Y = rng.standard_normal((4, 5, 2))
    v_none = np.asarray(sk.soft_dtw_batch(X, Y, gamma=0.3))
    v_x, gX = sk.soft_dtw_batch(X, Y, gamma=0.3, return_grad="x")
    v_y, gY = sk.soft_dtw_batch(X, Y, gamma=0.3, return_grad="y")
    v_b, gX_b, gY_b = sk.soft_dtw_batch(X, Y, gamma=0.3, return_grad="both")
    assert v_none.shape == (4,)
    for v in (v_x, v_y, v_b):
        np.testing.assert_allclose(v, v_none, rtol=1e-14)
    np.testing.assert_allclose(gX, gX_b, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(gY, gY_b, rtol=1e-14, atol=1e-14)
    # the batch gradient w.r.t. X is the single-pair gradient
    for k in range(4):
        v, g = sk.soft_dtw_value_and_grad(X[k], Y[k], gamma=0.3)
        np.testing.assert_allclose(gX_b[k], g, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(v_none[k], sdtw_xy(X[k], Y[k], 0.3), rtol=1e-12)


@pytest.mark.parametrize("n,m", [(4, 5), (5, 3), (1, 4), (6, 6)])
@pytest.mark.parametrize("gamma", GAMMAS)
def test_grad_wrt_cost_matrix_vs_finite_differences(gamma, n, m):
    rng = np.random.default_rng(n * 10 + m)
    D = rng.uniform(0.0, 4.0, size=(n, m))
    E, _ = sk.soft_dtw_alignment_from_cost(D, gamma=gamma)
    fd = central_diff(lambda Z: dp_soft_dtw(Z, gamma), D, fd_step(gamma))
    np.testing.assert_allclose(np.asarray(E), fd, atol=1e-6)


@pytest.mark.parametrize("radius", [0, 1, 2])
@pytest.mark.parametrize("gamma", [1e-2, 1.0, 100.0])
def test_gradient_with_band_vs_finite_differences(gamma, radius):
    x, y = make_pair(21, 5, 7, 2)
    v, g = sk.soft_dtw_value_and_grad(x, y, gamma=gamma, sakoe_chiba_radius=radius)
    np.testing.assert_allclose(v, sdtw_xy(x, y, gamma, radius), rtol=1e-10)
    fd = central_diff(lambda z: sdtw_xy(z, y, gamma, radius), x, fd_step(gamma))
    np.testing.assert_allclose(g, fd, atol=1e-6 * grad_scale(fd))
    _, _, gY = sk.soft_dtw_batch(
        x[None], y[None], gamma=gamma, sakoe_chiba_radius=radius, return_grad="both"
    )
    fdy = central_diff(lambda z: sdtw_xy(x, z, gamma, radius), y, fd_step(gamma))
    np.testing.assert_allclose(np.asarray(gY)[0], fdy, atol=1e-6 * grad_scale(fdy))


# --------------------------------------------------------------------------
# gamma -> 0 and hard DTW
# --------------------------------------------------------------------------
@pytest.mark.parametrize("n,m", [(10, 10), (7, 12), (12, 7)])
@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("seed", SEEDS)
def test_small_gamma_is_close_to_hard_dtw(seed, d, n, m):
    """min - gamma log(#paths) <= sdtw_gamma <= min  (exact sandwich)."""
    gamma = 1e-4
    x, y = make_pair(seed, n, m, d)
    D = sq_euclidean_cost(x, y)
    hard = hard_dtw(D)
    v = sk.soft_dtw(x, y, gamma=gamma)
    slack = 1e-12 * float(np.abs(D).sum())
    assert v <= hard + slack
    assert v >= hard - gamma * math.log(count_paths(n, m)) - slack


@pytest.mark.parametrize("radius", [None, 0, 1, 3])
@pytest.mark.parametrize("n,m", [(1, 1), (1, 5), (6, 1), (8, 8), (6, 11), (11, 6)])
@pytest.mark.parametrize("d", DIMS)
def test_gamma_zero_is_hard_dtw(d, n, m, radius):
    x, y = make_pair(n * 100 + m, n, m, d, flat=True)
    ref = dtw_xy(x, y, radius)
    v0 = sk.soft_dtw(x, y, gamma=0.0, sakoe_chiba_radius=radius)
    v_dtw = sk.dtw(x, y, sakoe_chiba_radius=radius)
    assert_is_float64_scalar(v_dtw)
    np.testing.assert_allclose(v_dtw, ref, rtol=1e-12)
    np.testing.assert_allclose(v0, ref, rtol=1e-12)
    np.testing.assert_allclose(v0, v_dtw, rtol=1e-13)
    # integer gamma 0 is accepted too
    np.testing.assert_allclose(
        sk.soft_dtw(x, y, gamma=0, sakoe_chiba_radius=radius), ref, rtol=1e-12
    )


@pytest.mark.parametrize("n,m", [(4, 5), (5, 3), (5, 5), (1, 4), (4, 1)])
@pytest.mark.parametrize("seed", SEEDS)
def test_gamma_zero_alignment_and_subgradient(seed, n, m):
    x, y = make_pair(seed, n, m, 2)
    D = sq_euclidean_cost(x, y)
    v_ref, E_ref = brute_force_soft_dtw(D, 0)  # asserts a unique optimum
    E, v = sk.soft_dtw_alignment(x, y, gamma=0.0)
    np.testing.assert_allclose(v, v_ref, rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(E), E_ref)
    E2, v2 = sk.soft_dtw_alignment_from_cost(D, gamma=0.0)
    np.testing.assert_allclose(v2, v_ref, rtol=1e-12)
    np.testing.assert_array_equal(np.asarray(E2), E_ref)
    _, g = sk.soft_dtw_value_and_grad(x, y, gamma=0.0)
    gx_ref, gy_ref = grads_from_alignment(x, y, E_ref)
    np.testing.assert_allclose(g, gx_ref, rtol=1e-12, atol=1e-12)
    _, _, gY = sk.soft_dtw_batch(x[None], y[None], gamma=0.0, return_grad="both")
    np.testing.assert_allclose(np.asarray(gY)[0], gy_ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n,m", [(4, 5), (5, 3), (5, 5)])
@pytest.mark.parametrize("seed", SEEDS)
def test_small_gamma_alignment_approaches_optimal_path(seed, n, m):
    x, y = make_pair(seed, n, m, 2)
    D = sq_euclidean_cost(x, y)
    E_ref = brute_force_soft_dtw(D, 0)[1]
    # only meaningful when the optimum is well separated from the runner-up
    costs = sorted(path_cost(D, p) for p in all_alignments(n, m))
    gap = costs[1] - costs[0]
    gamma = gap / 60.0  # runner-up weight < exp(-60)
    E, _ = sk.soft_dtw_alignment(x, y, gamma=gamma)
    np.testing.assert_allclose(np.asarray(E), E_ref, atol=1e-8)


@pytest.mark.parametrize("radius", [None, 0, 2])
@pytest.mark.parametrize("n,m", [(1, 1), (1, 6), (6, 1), (9, 9), (7, 15), (15, 7)])
@pytest.mark.parametrize("d", DIMS)
def test_dtw_path_is_an_optimal_path(d, n, m, radius):
    x, y = make_pair(n + 31 * m, n, m, d, flat=True)
    D = sq_euclidean_cost(x, y)
    ref = hard_dtw(D, radius)
    path, value = sk.dtw_path(x, y, sakoe_chiba_radius=radius)
    assert isinstance(path, list)
    assert all(isinstance(c, tuple) and len(c) == 2 for c in path)
    assert is_valid_path(path, n, m, radius), path
    np.testing.assert_allclose(value, ref, rtol=1e-12)
    np.testing.assert_allclose(path_cost(D, path), ref, rtol=1e-12)
    np.testing.assert_allclose(sk.dtw(x, y, sakoe_chiba_radius=radius), ref, rtol=1e-12)


@pytest.mark.parametrize("n,m", [(4, 5), (5, 5), (3, 2)])
def test_dtw_path_matches_brute_force_argmin(n, m):
    x, y = make_pair(77, n, m, 3)
    cost, best = brute_force_min_path(sq_euclidean_cost(x, y))
    path, value = sk.dtw_path(x, y)
    assert [tuple(int(v) for v in c) for c in path] == best
    np.testing.assert_allclose(value, cost, rtol=1e-12)


def test_dtw_is_in_squared_units():
    """Single-cell alignment: dtw is the squared distance, not its root."""
    x = np.array([[0.0, 0.0]])
    y = np.array([[3.0, 4.0]])
    ref = dtw_xy(x, y)  # 25 by the oracle, not 5
    np.testing.assert_allclose(sk.dtw(x, y), ref, rtol=1e-15)
    assert not np.isclose(sk.dtw(x, y), math.sqrt(ref))
    _, value = sk.dtw_path(x, y)
    np.testing.assert_allclose(value, ref, rtol=1e-15)
    xs, ys = make_pair(5, 9, 7, 3)
    np.testing.assert_allclose(sk.dtw(xs, ys), dtw_xy(xs, ys), rtol=1e-12)


# --------------------------------------------------------------------------
# symmetry, cdist
# --------------------------------------------------------------------------
@pytest.mark.parametrize("radius", [None, 1])
@pytest.mark.parametrize("gamma", [0.0, 1e-2, 1.0, 100.0])
@pytest.mark.parametrize("seed", SEEDS)
def test_symmetry(seed, gamma, radius):
    x, y = make_pair(seed, 7, 10, 3)
    a = sk.soft_dtw(x, y, gamma=gamma, sakoe_chiba_radius=radius)
    b = sk.soft_dtw(y, x, gamma=gamma, sakoe_chiba_radius=radius)
    ref = sdtw_xy(x, y, gamma, radius)
    np.testing.assert_allclose(a, ref, rtol=1e-11)
    np.testing.assert_allclose(b, a, rtol=1e-12)
    np.testing.assert_allclose(
        sk.dtw(y, x, sakoe_chiba_radius=radius), sk.dtw(x, y, sakoe_chiba_radius=radius), rtol=1e-12
    )
    Ex, _ = sk.soft_dtw_alignment(x, y, gamma=gamma, sakoe_chiba_radius=radius)
    Ey, _ = sk.soft_dtw_alignment(y, x, gamma=gamma, sakoe_chiba_radius=radius)
    np.testing.assert_allclose(np.asarray(Ex), np.asarray(Ey).T, atol=1e-10)


def _dataset(seed, n_ts, sz, d):
    return np.random.default_rng(seed).standard_normal((n_ts, sz, d))


@pytest.mark.parametrize("radius", [None, 2])
@pytest.mark.parametrize("gamma", [1e-2, 1.0, 100.0])
@pytest.mark.parametrize("d", DIMS)
def test_cdist_soft_dtw_matches_pairs_and_oracle(d, gamma, radius):
    X = _dataset(0, 5, 8, d)
    Y = _dataset(1, 4, 6, d)
    C = np.asarray(sk.cdist_soft_dtw(X, Y, gamma=gamma, sakoe_chiba_radius=radius))
    assert C.shape == (5, 4) and C.dtype == np.float64
    pairs = np.array(
        [[sk.soft_dtw(a, b, gamma=gamma, sakoe_chiba_radius=radius) for b in Y] for a in X]
    )
    ref = np.array([[sdtw_xy(a, b, gamma, radius) for b in Y] for a in X])
    np.testing.assert_allclose(C, pairs, rtol=1e-12)
    np.testing.assert_allclose(C, ref, rtol=1e-10)


@pytest.mark.parametrize("gamma", [1e-2, 1.0])
def test_cdist_soft_dtw_y_none_is_symmetric(gamma):
    X = _dataset(3, 6, 9, 2)
    C = np.asarray(sk.cdist_soft_dtw(X, gamma=gamma))
    assert C.shape == (6, 6)
    # the diagonal sdtw(x, x) is ~0 for small gamma: use an absolute floor
    np.testing.assert_allclose(C, C.T, rtol=1e-12, atol=1e-12)
    ref = np.array([[sdtw_xy(a, b, gamma) for b in X] for a in X])
    np.testing.assert_allclose(C, ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.asarray(sk.cdist_soft_dtw(X, None, gamma=gamma)), C, rtol=1e-14)
    np.testing.assert_allclose(np.asarray(sk.cdist_soft_dtw(X, X, gamma=gamma)), C, rtol=1e-12)


@pytest.mark.parametrize("radius", [None, 0, 3])
def test_cdist_dtw(radius):
    X = _dataset(4, 5, 7, 3)
    Y = _dataset(5, 3, 9, 3)
    C = np.asarray(sk.cdist_dtw(X, Y, sakoe_chiba_radius=radius))
    assert C.shape == (5, 3) and C.dtype == np.float64
    ref = np.array([[dtw_xy(a, b, radius) for b in Y] for a in X])
    np.testing.assert_allclose(C, ref, rtol=1e-12)
    pairs = np.array([[sk.dtw(a, b, sakoe_chiba_radius=radius) for b in Y] for a in X])
    np.testing.assert_allclose(C, pairs, rtol=1e-13)
    CX = np.asarray(sk.cdist_dtw(X, sakoe_chiba_radius=radius))
    np.testing.assert_allclose(CX, CX.T, rtol=1e-13)
    np.testing.assert_allclose(np.diag(CX), 0.0, atol=0)
    np.testing.assert_allclose(
        np.asarray(sk.cdist_soft_dtw(X, Y, gamma=0.0, sakoe_chiba_radius=radius)), C, rtol=1e-13
    )


@pytest.mark.parametrize("with_y", [False, True])
@pytest.mark.parametrize("gamma", [0.0, 1.0])
def test_cdist_by_small_blocks_of_rows_equals_the_oracle(monkeypatch, gamma, with_y):
    # blocks of 5 pairs cut the rows (and the upper triangle) anywhere
    from sksoftdtw._engine import cdist

    monkeypatch.setattr(cdist, "CDIST_BLOCK_PAIRS", (5, 5))
    rng = np.random.default_rng(8)
    X = [rng.standard_normal((n, 2)) for n in rng.integers(1, 7, size=9)]
    Y = [rng.standard_normal((n, 2)) for n in rng.integers(1, 7, size=4)] if with_y else None
    C = np.asarray(sk.cdist_soft_dtw(X, Y, gamma=gamma))
    ref = np.array([[sdtw_xy(a, b, gamma) if gamma > 0 else dtw_xy(a, b)
                     for b in (Y if with_y else X)] for a in X])
    np.testing.assert_allclose(C, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("with_y", [False, True])
@pytest.mark.parametrize("name", ["cdist_soft_dtw", "cdist_dtw", "cdist_soft_dtw_divergence"])
def test_cdist_peak_memory_is_close_to_the_output(name, with_y):
    import tracemalloc

    rng = np.random.default_rng(9)
    X = rng.standard_normal((1200, 6))
    Y = rng.standard_normal((1000, 6)) if with_y else None
    getattr(sk, name)(X[:3], None if Y is None else Y[:2])  # lazy imports, caches
    tracemalloc.start()
    try:
        C = getattr(sk, name)(X, Y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 1.5 * C.nbytes, f"peak {peak / C.nbytes:.2f}x the output"


def test_cdist_univariate_2d_dataset_equals_3d():
    X = _dataset(6, 4, 10, 1)
    Y = _dataset(7, 3, 8, 1)
    C3 = np.asarray(sk.cdist_soft_dtw(X, Y, gamma=0.5))
    C2 = np.asarray(sk.cdist_soft_dtw(X[..., 0], Y[..., 0], gamma=0.5))
    np.testing.assert_allclose(C2, C3, rtol=1e-14)
    ref = np.array([[sdtw_xy(a, b, 0.5) for b in Y] for a in X])
    np.testing.assert_allclose(C2, ref, rtol=1e-10)
    np.testing.assert_allclose(
        np.asarray(sk.cdist_dtw(X[..., 0])), np.asarray(sk.cdist_dtw(X)), rtol=1e-14
    )


# --------------------------------------------------------------------------
# Sakoe-Chiba band
# --------------------------------------------------------------------------
@pytest.mark.parametrize("n,m", [(5, 7), (7, 5), (6, 6), (3, 9)])
@pytest.mark.parametrize("gamma", [0.0, 1e-2, 1.0, 100.0])
def test_large_radius_equals_no_band(gamma, n, m):
    x, y = make_pair(n * m, n, m, 2)
    free = sk.soft_dtw(x, y, gamma=gamma)
    for r in (max(n, m), max(n, m) + 5, 10**6):
        np.testing.assert_allclose(
            sk.soft_dtw(x, y, gamma=gamma, sakoe_chiba_radius=r), free, rtol=1e-14
        )
        np.testing.assert_allclose(sk.dtw(x, y, sakoe_chiba_radius=r), sk.dtw(x, y), rtol=1e-14)


@pytest.mark.parametrize("radius", [0, 1, 2, 3])
@pytest.mark.parametrize("n,m", [(3, 5), (5, 3), (2, 5), (5, 2), (4, 5), (5, 4), (4, 4), (5, 5)])
@pytest.mark.parametrize("gamma", [1e-3, 1e-1, 1.0, 10.0, 1e3])
def test_band_vs_brute_force(gamma, n, m, radius):
    x, y = make_pair(n * 7 + m * 3 + radius, n, m, 2)
    D = sq_euclidean_cost(x, y)
    v_ref, E_ref = brute_force_soft_dtw(D, gamma, radius)
    atol = value_atol(D, gamma, n, m, radius)
    v = sk.soft_dtw(x, y, gamma=gamma, sakoe_chiba_radius=radius)
    np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=atol)
    E, v2 = sk.soft_dtw_alignment(x, y, gamma=gamma, sakoe_chiba_radius=radius)
    np.testing.assert_allclose(v2, v_ref, rtol=1e-10, atol=atol)
    E = np.asarray(E)
    np.testing.assert_allclose(E, E_ref, atol=1e-10)
    outside = ~band_mask(n, m, radius)
    assert np.all(E[outside] == 0.0)
    E3, v3 = sk.soft_dtw_alignment_from_cost(D, gamma=gamma, sakoe_chiba_radius=radius)
    np.testing.assert_allclose(v3, v_ref, rtol=1e-10, atol=atol)
    np.testing.assert_allclose(np.asarray(E3), E_ref, atol=1e-10)
    # hard DTW with the same band
    hard_ref = brute_force_soft_dtw(D, 0, radius)[0]
    np.testing.assert_allclose(sk.dtw(x, y, sakoe_chiba_radius=radius), hard_ref, rtol=1e-12)


@pytest.mark.parametrize("n,m", [(20, 31), (31, 20)])
@pytest.mark.parametrize("radius", [0, 2, 7])
def test_band_vs_dp_longer(n, m, radius):
    x, y = make_pair(3, n, m, 1, flat=True)
    for gamma in (0.1, 10.0):
        np.testing.assert_allclose(
            sk.soft_dtw(x, y, gamma=gamma, sakoe_chiba_radius=radius),
            sdtw_xy(x, y, gamma, radius),
            rtol=1e-10,
        )
    np.testing.assert_allclose(
        sk.dtw(x, y, sakoe_chiba_radius=radius), dtw_xy(x, y, radius), rtol=1e-12
    )
    C = np.asarray(sk.cdist_soft_dtw([x], [y], gamma=0.1, sakoe_chiba_radius=radius))
    np.testing.assert_allclose(C[0, 0], sdtw_xy(x, y, 0.1, radius), rtol=1e-10)


@pytest.mark.parametrize("gamma", [0.0, 1e-3, 1.0, 1e3])
@pytest.mark.parametrize("d", DIMS)
def test_radius_zero_equal_lengths_is_squared_euclidean(gamma, d):
    x, y = make_pair(8, 12, 12, d, flat=True)
    sq = float(np.sum((as_2d(x) - as_2d(y)) ** 2))
    np.testing.assert_allclose(sk.soft_dtw(x, y, gamma=gamma, sakoe_chiba_radius=0), sq, rtol=1e-12)
    np.testing.assert_allclose(sk.dtw(x, y, sakoe_chiba_radius=0), sq, rtol=1e-12)
    E, _ = sk.soft_dtw_alignment(x, y, gamma=gamma, sakoe_chiba_radius=0)
    np.testing.assert_allclose(np.asarray(E), np.eye(12), atol=1e-12)
    path, value = sk.dtw_path(x, y, sakoe_chiba_radius=0)
    assert [tuple(int(v) for v in c) for c in path] == [(i, i) for i in range(12)]
    np.testing.assert_allclose(value, sq, rtol=1e-12)
    if gamma > 0:
        _, g = sk.soft_dtw_value_and_grad(x, y, gamma=gamma, sakoe_chiba_radius=0)
        np.testing.assert_allclose(g, 2 * (np.asarray(x) - np.asarray(y)), rtol=1e-12, atol=1e-12)


def test_numpy_integer_radius_accepted():
    x, y = make_pair(1, 6, 8, 1)
    np.testing.assert_allclose(
        sk.soft_dtw(x, y, gamma=1.0, sakoe_chiba_radius=np.int64(1)),
        sdtw_xy(x, y, 1.0, 1),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        sk.dtw(x, y, sakoe_chiba_radius=np.int32(1)), dtw_xy(x, y, 1), rtol=1e-12
    )


# --------------------------------------------------------------------------
# divergence
# --------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.0, 1e-2, 1e-1, 1.0, 10.0, 100.0])
@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("seed", SEEDS)
def test_divergence(seed, d, gamma):
    x, y = make_pair(seed, 6, 9, d, flat=True)
    ref = divergence_xy(x, y, gamma)
    scale = 1e-10 * (
        abs(sdtw_xy(x, x, gamma)) + abs(sdtw_xy(y, y, gamma)) + abs(sdtw_xy(x, y, gamma)) + 1.0
    )
    v = sk.soft_dtw_divergence(x, y, gamma=gamma)
    assert_is_float64_scalar(v)
    np.testing.assert_allclose(v, ref, rtol=1e-10, atol=scale)
    assert v >= -scale
    np.testing.assert_allclose(sk.soft_dtw_divergence(x, x, gamma=gamma), 0.0, atol=scale)
    np.testing.assert_allclose(sk.soft_dtw_divergence(y, x, gamma=gamma), v, rtol=1e-10, atol=scale)


@pytest.mark.parametrize("radius", [0, 2])
def test_divergence_with_band_follows_formula(radius):
    x, y = make_pair(12, 6, 9, 2)
    ref = divergence_xy(x, y, 1.0, radius)
    np.testing.assert_allclose(
        sk.soft_dtw_divergence(x, y, gamma=1.0, sakoe_chiba_radius=radius),
        ref,
        rtol=1e-10,
        atol=1e-10,
    )
    X = _dataset(13, 3, 6, 2)
    Y = _dataset(14, 2, 9, 2)
    C = np.asarray(sk.cdist_soft_dtw_divergence(X, Y, gamma=1.0, sakoe_chiba_radius=radius))
    C_ref = np.array([[divergence_xy(a, b, 1.0, radius) for b in Y] for a in X])
    np.testing.assert_allclose(C, C_ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("gamma", [1e-1, 1.0, 10.0])
def test_cdist_divergence(gamma):
    X = _dataset(10, 5, 7, 2)
    Y = _dataset(11, 3, 8, 2)
    C = np.asarray(sk.cdist_soft_dtw_divergence(X, Y, gamma=gamma))
    assert C.shape == (5, 3)
    ref = np.array([[divergence_xy(a, b, gamma) for b in Y] for a in X])
    np.testing.assert_allclose(C, ref, rtol=1e-10, atol=1e-10)
    assert np.all(C >= -1e-10)
    CX = np.asarray(sk.cdist_soft_dtw_divergence(X, gamma=gamma))
    assert CX.shape == (5, 5)
    np.testing.assert_allclose(np.diag(CX), 0.0, atol=1e-10)
    np.testing.assert_allclose(CX, CX.T, rtol=1e-12, atol=1e-12)
    assert np.all(CX >= -1e-10)
    pairs = np.array([[sk.soft_dtw_divergence(a, b, gamma=gamma) for b in Y] for a in X])
    np.testing.assert_allclose(C, pairs, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------
# threads, dtypes
# --------------------------------------------------------------------------
@pytest.mark.parametrize("radius", [None, 3])
def test_n_jobs_results_are_bit_identical(radius):
    rng = np.random.default_rng(99)
    X = rng.standard_normal((13, 25, 2))
    Y = rng.standard_normal((11, 21, 2))
    Xb = rng.standard_normal((13, 22, 2))
    kw = {"sakoe_chiba_radius": radius}
    ref_sdtw = np.asarray(sk.cdist_soft_dtw(X, Y, gamma=0.1, n_jobs=1, **kw))
    ref_self = np.asarray(sk.cdist_soft_dtw(X, gamma=0.1, n_jobs=1, **kw))
    ref_dtw = np.asarray(sk.cdist_dtw(X, Y, n_jobs=1, **kw))
    ref_div = np.asarray(sk.cdist_soft_dtw_divergence(X, Y, gamma=0.1, n_jobs=1, **kw))
    ref_batch = sk.soft_dtw_batch(X, Xb, gamma=0.1, return_grad="both", n_jobs=1, **kw)
    for n_jobs in (None, 2, 3, -1):
        np.testing.assert_array_equal(
            sk.cdist_soft_dtw(X, Y, gamma=0.1, n_jobs=n_jobs, **kw), ref_sdtw
        )
        np.testing.assert_array_equal(
            sk.cdist_soft_dtw(X, gamma=0.1, n_jobs=n_jobs, **kw), ref_self
        )
        np.testing.assert_array_equal(sk.cdist_dtw(X, Y, n_jobs=n_jobs, **kw), ref_dtw)
        np.testing.assert_array_equal(
            sk.cdist_soft_dtw_divergence(X, Y, gamma=0.1, n_jobs=n_jobs, **kw), ref_div
        )
        out = sk.soft_dtw_batch(X, Xb, gamma=0.1, return_grad="both", n_jobs=n_jobs, **kw)
        for a, b in zip(out, ref_batch):
            np.testing.assert_array_equal(a, b)
    # and the threaded result is right
    ref = np.array([[sdtw_xy(a, b, 0.1, radius) for b in Y[:3]] for a in X[:3]])
    np.testing.assert_allclose(ref_sdtw[:3, :3], ref, rtol=1e-10)


def test_n_jobs_bit_identical_variable_length():
    rng = np.random.default_rng(17)
    X = [rng.standard_normal((int(rng.integers(5, 30)), 2)) for _ in range(9)]
    Y = [rng.standard_normal((int(rng.integers(5, 30)), 2)) for _ in range(9)]
    r1 = sk.soft_dtw_batch(X, Y, gamma=1.0, return_grad="both", n_jobs=1)
    r2 = sk.soft_dtw_batch(X, Y, gamma=1.0, return_grad="both", n_jobs=2)
    np.testing.assert_array_equal(r1[0], r2[0])
    for ga, gb in zip(r1[1], r2[1]):
        np.testing.assert_array_equal(ga, gb)
    for ga, gb in zip(r1[2], r2[2]):
        np.testing.assert_array_equal(ga, gb)
    np.testing.assert_array_equal(
        sk.cdist_soft_dtw(X, Y, n_jobs=1), sk.cdist_soft_dtw(X, Y, n_jobs=2)
    )


@pytest.mark.parametrize("gamma", [0.0, 1e-2, 1.0, 100.0])
def test_float32_matches_float64(gamma):
    """float32 data give float32 arrays (scalars stay Python floats), close to float64."""
    x, y = make_pair(2, 11, 9, 3)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    # exact oracle for the float32 data (cast losslessly to float64)
    ref32 = sdtw_xy(x32.astype(np.float64), y32.astype(np.float64), gamma)
    v32 = sk.soft_dtw(x32, y32, gamma=gamma)
    v64 = sk.soft_dtw(x, y, gamma=gamma)
    assert_is_float64_scalar(v32)
    np.testing.assert_allclose(v32, ref32, rtol=1e-10)
    np.testing.assert_allclose(v32, v64, rtol=1e-5)
    _, g32 = sk.soft_dtw_value_and_grad(x32, y32, gamma=gamma)
    _, g64 = sk.soft_dtw_value_and_grad(x, y, gamma=gamma)
    assert np.asarray(g32).dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=1e-5, atol=1e-5)
    X32 = _dataset(3, 4, 8, 2).astype(np.float32)
    C32 = np.asarray(sk.cdist_soft_dtw(X32, gamma=gamma))
    C64 = np.asarray(sk.cdist_soft_dtw(X32.astype(np.float64), gamma=gamma))
    assert C32.dtype == np.float32
    np.testing.assert_allclose(C32, C64, rtol=1e-5, atol=1e-5 * max(gamma, 1.0))
    Cd = np.asarray(sk.cdist_dtw(X32))
    assert Cd.dtype == np.float32
    vals, gX = sk.soft_dtw_batch(X32, X32[::-1], gamma=gamma, return_grad="x")
    assert np.asarray(vals).dtype == np.float32
    assert np.asarray(gX).dtype == np.float32
    mixed = sk.soft_dtw_batch(X32, X32[::-1].astype(np.float64), gamma=gamma)
    assert mixed.dtype == np.float64
    E, v = sk.soft_dtw_alignment_from_cost(sq_euclidean_cost(x32, y32).astype(np.float32),
                                           gamma=gamma)
    assert np.asarray(E).dtype == np.float32
    np.testing.assert_allclose(v, v32, rtol=1e-5)


# --------------------------------------------------------------------------
# variable-length datasets
# --------------------------------------------------------------------------
def _variable_length(seed, n_ts, d, lo=3, hi=12, flat=False):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_ts):
        sz = int(rng.integers(lo, hi + 1))
        s = rng.standard_normal((sz, d))
        out.append(s[:, 0] if (flat and d == 1) else s)
    return out


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("gamma", [1e-2, 1.0])
def test_variable_length_cdist_list_and_nan_padded(gamma, d):
    Xl = _variable_length(1, 5, d, flat=True)
    Yl = _variable_length(2, 4, d, flat=True)
    Xp, Yp = pad_dataset(Xl), pad_dataset(Yl)
    ref = np.array([[sdtw_xy(a, b, gamma) for b in Yl] for a in Xl])
    ref_hard = np.array([[dtw_xy(a, b) for b in Yl] for a in Xl])
    ref_div = np.array([[divergence_xy(a, b, gamma) for b in Yl] for a in Xl])
    pairs = np.array([[sk.soft_dtw(a, b, gamma=gamma) for b in Yl] for a in Xl])
    np.testing.assert_allclose(pairs, ref, rtol=1e-10)
    for X, Y in ((Xl, Yl), (Xp, Yp), (Xl, Yp), (Xp, Yl)):
        C = np.asarray(sk.cdist_soft_dtw(X, Y, gamma=gamma))
        assert C.shape == (5, 4)
        np.testing.assert_allclose(C, pairs, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(sk.cdist_dtw(X, Y)), ref_hard, rtol=1e-12)
        np.testing.assert_allclose(
            np.asarray(sk.cdist_soft_dtw_divergence(X, Y, gamma=gamma)),
            ref_div,
            rtol=1e-9,
            atol=1e-10,
        )
    # Y = None with variable lengths
    CX = np.asarray(sk.cdist_soft_dtw(Xp, gamma=gamma))
    refX = np.array([[sdtw_xy(a, b, gamma) for b in Xl] for a in Xl])
    np.testing.assert_allclose(CX, refX, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("source", ["list", "padded"])
def test_batch_variable_length_gradients(source):
    d = 2
    Xl = _variable_length(5, 4, d)
    Yl = _variable_length(6, 4, d)
    X = Xl if source == "list" else pad_dataset(Xl)
    Y = Yl if source == "list" else pad_dataset(Yl)
    vals, gX, gY = sk.soft_dtw_batch(X, Y, gamma=0.5, return_grad="both")
    assert np.asarray(vals).shape == (4,)
    assert isinstance(gX, list) and isinstance(gY, list)
    assert len(gX) == len(gY) == 4
    for k in range(4):
        xk, yk = Xl[k], Yl[k]
        D = sq_euclidean_cost(xk, yk)
        v_ref, E_ref = dp_soft_dtw_alignment(D, 0.5)
        ax, ay = grads_from_alignment(xk, yk, E_ref)
        np.testing.assert_allclose(vals[k], v_ref, rtol=1e-10)
        assert np.shape(gX[k]) == xk.shape
        assert np.shape(gY[k]) == yk.shape
        np.testing.assert_allclose(gX[k], ax, atol=1e-9 * grad_scale(ax))
        np.testing.assert_allclose(gY[k], ay, atol=1e-9 * grad_scale(ay))


def test_batch_list_of_1d_series_gradients_keep_1d_layout():
    Xl = _variable_length(8, 3, 1, flat=True)
    Yl = _variable_length(9, 3, 1, flat=True)
    _, gX = sk.soft_dtw_batch(Xl, Yl, gamma=1.0, return_grad="x")
    assert isinstance(gX, list)
    for k in range(3):
        assert np.shape(gX[k]) == Xl[k].shape
        E_ref = dp_soft_dtw_alignment(sq_euclidean_cost(Xl[k], Yl[k]), 1.0)[1]
        ax, _ = grads_from_alignment(Xl[k], Yl[k], E_ref)
        np.testing.assert_allclose(np.ravel(gX[k]), ax.ravel(), atol=1e-9)


def test_to_time_series_dataset():
    series = _variable_length(3, 4, 2)
    out = sk.to_time_series_dataset(series)
    ref = pad_dataset(series)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert out.shape == ref.shape
    np.testing.assert_array_equal(out, ref)  # NaN == NaN here
    # idempotent on already-padded input
    np.testing.assert_array_equal(sk.to_time_series_dataset(out), ref)
    # univariate list of 1-D series -> d = 1
    flat = _variable_length(4, 3, 1, flat=True)
    out1 = sk.to_time_series_dataset(flat)
    np.testing.assert_array_equal(out1, pad_dataset(flat))
    # 2-D (n_ts, sz) array is a univariate dataset
    A = np.random.default_rng(0).standard_normal((3, 5))
    np.testing.assert_array_equal(sk.to_time_series_dataset(A), A[:, :, None])
    # float32 3-D array -> float64
    B = np.random.default_rng(1).standard_normal((2, 4, 3)).astype(np.float32)
    outB = sk.to_time_series_dataset(B)
    assert outB.dtype == np.float64
    np.testing.assert_array_equal(outB, B.astype(np.float64))


# --------------------------------------------------------------------------
# numerical safety
# --------------------------------------------------------------------------
def test_tiny_gamma_large_amplitude():
    rng = np.random.default_rng(0)
    x = 1e4 * rng.standard_normal((50, 1))
    y = 1e4 * rng.standard_normal((50, 1))
    hard = dtw_xy(x, y)
    # underflow of exp(-huge) is legitimate here; overflow/NaN are not
    with np.errstate(over="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        v = sk.soft_dtw(x, y, gamma=1e-10)
        E, v2 = sk.soft_dtw_alignment(x, y, gamma=1e-10)
        v3, g = sk.soft_dtw_value_and_grad(x, y, gamma=1e-10)
    assert math.isfinite(v) and math.isfinite(v2) and math.isfinite(v3)
    np.testing.assert_allclose(v, hard, rtol=1e-8)
    np.testing.assert_allclose(v2, hard, rtol=1e-8)
    E = np.asarray(E)
    assert np.all(np.isfinite(E))
    assert E.min() >= -1e-12 and E.max() <= 1 + 1e-12
    assert np.all(np.isfinite(g))
    # essentially the hard subgradient
    path, _ = sk.dtw_path(x, y)
    ind = np.zeros((50, 50))
    for i, j in path:
        ind[i, j] = 1.0
    np.testing.assert_allclose(E, ind, atol=1e-6)


@pytest.mark.parametrize("gamma", [1e4, 1e6, 1e100])
def test_huge_gamma_no_overflow(gamma):
    x, y = make_pair(1, 40, 30, 2)
    ref = sdtw_xy(x, y, gamma)
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        v = sk.soft_dtw(x, y, gamma=gamma)
        E, v2 = sk.soft_dtw_alignment(x, y, gamma=gamma)
        v3, g = sk.soft_dtw_value_and_grad(x, y, gamma=gamma)
        C = sk.cdist_soft_dtw([x, y], gamma=gamma)
    assert math.isfinite(v)
    np.testing.assert_allclose(v, ref, rtol=1e-10)
    np.testing.assert_allclose(v2, ref, rtol=1e-10)
    np.testing.assert_allclose(v3, ref, rtol=1e-10)
    E = np.asarray(E)
    assert np.all(np.isfinite(E)) and E.min() >= -1e-12 and E.max() <= 1 + 1e-12
    assert np.all(np.isfinite(g))
    assert np.all(np.isfinite(np.asarray(C)))


def test_large_values_moderate_gamma_finite():
    """Costs ~1e10 with gamma = 1: exp must never be taken of -cost/gamma
    without subtracting the max (log-sum-exp trick)."""
    x, y = make_pair(2, 20, 25, 1)
    x, y = 1e5 * x, 1e5 * y
    ref = sdtw_xy(x, y, 1.0)
    v = sk.soft_dtw(x, y, gamma=1.0)
    np.testing.assert_allclose(v, ref, rtol=1e-12)
    E, _ = sk.soft_dtw_alignment(x, y, gamma=1.0)
    assert np.all(np.isfinite(E))


@pytest.mark.parametrize("amplitude", [1e-3, 1.0, 1e3, 3e5])
@pytest.mark.parametrize("gamma", [1e-6, 1e-3, 1.0, 1e2, 1e4])
def test_scale_sweep_value_and_alignment(gamma, amplitude):
    """Across ~20 orders of magnitude of cost / gamma (whatever internal
    representation the kernel picks), value and E must track the log-domain
    oracle up to the conditioning of the problem."""
    x, y = make_pair(31, 30, 37, 2)
    x, y = amplitude * x, amplitude * y
    D = sq_euclidean_cost(x, y)
    v_ref = dp_soft_dtw(D, gamma)
    with np.errstate(over="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        v = sk.soft_dtw(x, y, gamma=gamma)
        E, v2 = sk.soft_dtw_alignment(x, y, gamma=gamma)
        v3, g = sk.soft_dtw_value_and_grad(x, y, gamma=gamma)
        E4, v4 = sk.soft_dtw_alignment_from_cost(D, gamma=gamma)
    atol = value_atol(D, gamma, 30, 37, rel=1e-12)
    for val in (v, v2, v3, v4):
        np.testing.assert_allclose(val, v_ref, rtol=1e-10, atol=atol)
    # log E carries an absolute error ~ eps * |cost| / gamma in any float64
    # implementation (ours included): scale the tolerance accordingly.
    e_tol = 1e-9 + 1e-13 * float(np.abs(D).sum()) / gamma
    if e_tol > 1e-4:
        # The log-domain oracle itself is too ill-conditioned here; but
        # then cost gaps / gamma are astronomically large and E is the 0/1
        # indicator of the (unique) optimal path.
        _, path = hard_dtw_path(D)
        E_ref = np.zeros_like(D)
        for i, j in path:
            E_ref[i, j] = 1.0
        e_tol = 1e-9
    else:
        E_ref = dp_soft_dtw_alignment(D, gamma)[1]
    for EE in (E, E4):
        EE = np.asarray(EE)
        assert np.all(np.isfinite(EE))
        assert EE.min() >= -1e-12 and EE.max() <= 1 + 1e-12
        np.testing.assert_allclose(EE, E_ref, atol=e_tol)
        assert_alignment_structure(EE)
    assert np.all(np.isfinite(g))


@pytest.mark.parametrize("gamma", [1e-300, float(np.finfo(np.float64).tiny)])  # subnormal: rejected
def test_denormal_and_tiny_gamma_is_hard_dtw(gamma):
    x, y = make_pair(3, 12, 9, 2)
    hard = dtw_xy(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a valid gamma: no RuntimeWarning
        v = sk.soft_dtw(x, y, gamma=gamma)
    np.testing.assert_allclose(v, hard, rtol=1e-12)
    E, v2 = sk.soft_dtw_alignment(x, y, gamma=gamma)
    np.testing.assert_allclose(v2, hard, rtol=1e-12)
    E = np.asarray(E)
    assert np.all(np.isfinite(E)) and E.min() >= 0 and E.max() <= 1 + 1e-12
    E0, _ = sk.soft_dtw_alignment_from_cost(sq_euclidean_cost(x, y), gamma=0.0)
    np.testing.assert_allclose(E, np.asarray(E0), atol=1e-12)


@pytest.mark.parametrize("shift", [-1e3, -1.0, 1e3])
@pytest.mark.parametrize("gamma", [1e-3, 1.0])
def test_from_cost_shifted_costs(gamma, shift):
    """Adding a constant c to every cost of an n x n problem is not a
    uniform shift (paths have different lengths) -- but for radius 0 it is:
    only the diagonal path remains, value = trace + n * c."""
    rng = np.random.default_rng(8)
    D = rng.uniform(0, 2, size=(5, 6)) + shift
    v_ref, E_ref = brute_force_soft_dtw(D, gamma)
    E, v = sk.soft_dtw_alignment_from_cost(D, gamma=gamma)
    np.testing.assert_allclose(v, v_ref, rtol=1e-10, atol=value_atol(D, gamma, 5, 6))
    np.testing.assert_allclose(np.asarray(E), E_ref, atol=1e-9)
    Dsq = rng.uniform(0, 2, size=(7, 7)) + shift
    E0, v0 = sk.soft_dtw_alignment_from_cost(Dsq, gamma=gamma, sakoe_chiba_radius=0)
    np.testing.assert_allclose(v0, math.fsum(np.diag(Dsq)), rtol=1e-12, atol=1e-12 * abs(shift) * 7)
    np.testing.assert_allclose(np.asarray(E0), np.eye(7), atol=1e-12)


def test_single_series_datasets():
    x, y = make_pair(2, 7, 5, 2)
    C = np.asarray(sk.cdist_soft_dtw(x[None], gamma=1.0))
    assert C.shape == (1, 1)
    np.testing.assert_allclose(C[0, 0], sdtw_xy(x, x, 1.0), rtol=1e-12)
    C = np.asarray(sk.cdist_dtw([x], [y]))
    assert C.shape == (1, 1)
    np.testing.assert_allclose(C[0, 0], dtw_xy(x, y), rtol=1e-12)
    vals = np.asarray(sk.soft_dtw_batch([x], [y], gamma=1.0))
    assert vals.shape == (1,)
    np.testing.assert_allclose(vals[0], sdtw_xy(x, y, 1.0), rtol=1e-12)


LONG_SCRIPT = textwrap.dedent("""
    import json, resource, sys, time, tracemalloc
    import numpy as np
    import sksoftdtw
    n = int(sys.argv[1])
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n)
    y = rng.standard_normal(n)
    sksoftdtw.soft_dtw(x[:10], y[:10], gamma=1.0)   # warm up
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    v = sksoftdtw.soft_dtw(x, y, gamma=1.0)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"value": float(v), "elapsed": elapsed,
                      "traced_peak": peak,
                      "rss_growth_bytes": (after - before) * 1024}))
""")


@pytest.mark.slow
def test_long_pair_linear_memory(tmp_path):
    """Value-only soft-DTW of a long pair must not build an n x m matrix.

    Length 20,000 by default (4e8 cells, a few seconds; an n x m float64
    matrix would be 3.2 GB); override with SKSOFTDTW_LONG_N (100,000 takes a
    few minutes). Run from a temporary directory so that the installed
    package is imported.
    """
    n = int(os.environ.get("SKSOFTDTW_LONG_N", "20000"))
    proc = subprocess.run(
        [sys.executable, "-c", LONG_SCRIPT, str(n)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert math.isfinite(res["value"]), res
    assert res["traced_peak"] < 50 * 2**20, res
    assert res["rss_growth_bytes"] < 200 * 2**20, res
    # sdtw <= sum of costs along the diagonal path (one of the alignments)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n)
    y = rng.standard_normal(n)
    assert res["value"] <= float(np.sum((x - y) ** 2))


# --------------------------------------------------------------------------
# peers
# --------------------------------------------------------------------------
@pytest.mark.parametrize("radius", [None, 0, 3])
@pytest.mark.parametrize("gamma", [1e-2, 1.0, 100.0])
def test_agrees_with_tslearn(gamma, radius):
    tsm = pytest.importorskip("tslearn.metrics")
    x, y = make_pair(13, 18, 24, 3)
    kw = (
        {} if radius is None else {"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": radius}
    )
    np.testing.assert_allclose(
        sk.soft_dtw(x, y, gamma=gamma, sakoe_chiba_radius=radius),
        tsm.soft_dtw(x, y, gamma=gamma, **kw),
        rtol=1e-10,
    )
    # tslearn.metrics.dtw returns sqrt of the squared-cost DTW
    np.testing.assert_allclose(
        sk.dtw(x, y, sakoe_chiba_radius=radius), tsm.dtw(x, y, **kw) ** 2, rtol=1e-10
    )
    X = _dataset(14, 4, 10, 3)
    np.testing.assert_allclose(
        sk.cdist_soft_dtw(X, gamma=gamma, sakoe_chiba_radius=radius),
        tsm.cdist_soft_dtw(X, gamma=gamma, **kw),
        rtol=1e-10,
        atol=1e-10,
    )
    np.testing.assert_allclose(
        sk.cdist_dtw(X, sakoe_chiba_radius=radius), tsm.cdist_dtw(X, **kw) ** 2, rtol=1e-10
    )


@pytest.mark.parametrize("gamma", [1e-2, 1.0, 100.0])
def test_agrees_with_sdtw_package(gamma):
    pytest.importorskip("sdtw")
    from sdtw import SoftDTW
    from sdtw.distance import SquaredEuclidean

    x, y = make_pair(15, 16, 12, 2)
    dist = SquaredEuclidean(x, y)
    s = SoftDTW(dist, gamma=gamma)
    v_ref = s.compute()
    E_ref = s.grad()
    g_ref = dist.jacobian_product(E_ref)
    E, v = sk.soft_dtw_alignment(x, y, gamma=gamma)
    np.testing.assert_allclose(v, v_ref, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(E), E_ref, atol=1e-10)
    _, g = sk.soft_dtw_value_and_grad(x, y, gamma=gamma)
    np.testing.assert_allclose(g, g_ref, atol=1e-9 * grad_scale(g_ref))


# --------------------------------------------------------------------------
# soft_dtw_from_cost: deprecated for soft_dtw_alignment_from_cost
# --------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.0, 0.1, 1.0])
def test_alignment_from_cost_returns_alignment_then_value(gamma):
    rng = np.random.RandomState(0)
    x, y = rng.randn(4, 2), rng.randn(3, 2)
    D = sq_euclidean_cost(x, y)
    E, value = sk.soft_dtw_alignment_from_cost(D, gamma=gamma)
    expected_value, expected_E = brute_force_soft_dtw(D, gamma)
    assert E.shape == (4, 3)
    np.testing.assert_allclose(E, expected_E, rtol=1e-9, atol=1e-12)
    assert value == pytest.approx(expected_value, rel=1e-10, abs=1e-12)


def test_soft_dtw_from_cost_is_deprecated_with_its_old_order():
    D = sq_euclidean_cost(np.arange(4.0), np.arange(3.0) * 1.5)
    with pytest.warns(FutureWarning, match="removed in 0.2.0: use soft_dtw_alignment_from_cost"):
        value, E = sk.soft_dtw_from_cost(D, gamma=0.5)
    E_new, value_new = sk.soft_dtw_alignment_from_cost(D, gamma=0.5)
    assert value == value_new and np.array_equal(E, E_new)
    assert ".. deprecated:: 0.1.0" in sk.soft_dtw_from_cost.__doc__


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("gamma", [0.5, 1e12])
def test_batch_gradients_of_single_alignment_pairs_beside_others(gamma, dtype):
    """The pairs of a single alignment in a batch (one point on a side, or
    equal lengths under a zero band) get the cost and both gradients of that
    path in closed form, at any gamma, whatever the other pairs."""
    rng = np.random.default_rng(11)
    singles = [(rng.standard_normal((1, 2)), rng.standard_normal((5, 2)), None),
               (rng.standard_normal((4, 2)), rng.standard_normal((1, 2)), None),
               (rng.standard_normal((3, 2)), rng.standard_normal((3, 2)), 0)]
    for x, y, radius in singles:
        path = [(i, i) for i in range(len(x))] if len(x) == len(y) else \
            [(i, j) for i in range(len(x)) for j in range(len(y))]
        E = np.zeros((len(x), len(y)))
        E[tuple(np.transpose(path))] = 1.0
        cost = math.fsum(float(np.sum((x[i] - y[j]) ** 2)) for i, j in path)
        grad_x = 2 * (E.sum(axis=1)[:, None] * x - E @ y)
        grad_y = 2 * (E.sum(axis=0)[:, None] * y - E.T @ x)
        others_x = [rng.standard_normal((n, 2)) for n in (3, 4, 6)]
        others_y = [rng.standard_normal((n, 2)) for n in (4, 5, 6)]
        X = [a.astype(dtype) for a in [x] + others_x + [x]]
        Y = [b.astype(dtype) for b in [y] + others_y + [y]]
        values, gX, gY = sk.soft_dtw_batch(X, Y, gamma, return_grad="both",
                                           sakoe_chiba_radius=radius)
        rtol = 1e-6 if dtype == np.float32 else 1e-13
        assert values.dtype == dtype and gX[0].dtype == dtype and gY[0].dtype == dtype
        for k in (0, len(X) - 1):
            np.testing.assert_allclose(values[k], cost, rtol=rtol)
            np.testing.assert_allclose(gX[k], grad_x, rtol=rtol, atol=rtol)
            np.testing.assert_allclose(gY[k], grad_y, rtol=rtol, atol=rtol)

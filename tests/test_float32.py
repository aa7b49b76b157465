"""float32 data: float32 kernels where the plan has them (lanes in the exp
domain), float64 ones elsewhere, float32 results, close to float64 in all
cases; never a NaN at the edges of the float32 exponents."""
import numpy as np
import pytest
from _oracles import dp_soft_dtw_alignment, hard_dtw, sq_euclidean_cost
from test_plan import STRATEGIES, _oracle, admitted, case_batch_grads, case_cdist

import sksoftdtw as sk
from sksoftdtw._engine import planner as _plan


def _znorm(rng, shape):
    X = rng.standard_normal(shape)
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


def _pair_tolerance(values64, gamma, length):
    """float32 values: the costs rounded to float32 (2^-24 relative) and about
    2^-24 per cell of a path, in units of gamma, in the recursion."""
    return 1e-5 * np.abs(values64) + 4 * 2.0**-24 * gamma * length


@pytest.mark.parametrize("gamma", [0.01, 0.1, 1.0, 10.0])
def test_values_and_gradients_close_to_float64(gamma):
    """On z-normalized data, float32 values within 1e-5 relative of float64
    (values near 0 within about gamma (n + m) 2^-24), gradients within 1e-4
    of their largest entry."""
    rng = np.random.default_rng(0)
    X, Y = _znorm(rng, (40, 64)), _znorm(rng, (40, 64))
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    X64, Y64 = X32.astype(np.float64), Y32.astype(np.float64)  # the same numbers
    assert _plan.explain(sk.cdist_soft_dtw, X32, Y32, gamma).dtype == "float32"
    C32, C64 = sk.cdist_soft_dtw(X32, Y32, gamma), sk.cdist_soft_dtw(X64, Y64, gamma)
    assert C32.dtype == np.float32
    assert np.all(np.abs(C32 - C64) <= _pair_tolerance(C64, gamma, 128))
    assert _plan.explain(sk.soft_dtw_batch, X32, Y32, gamma,
                         return_grad="both").dtype == "float32"
    v32, gX32, gY32 = sk.soft_dtw_batch(X32, Y32, gamma, return_grad="both")
    v64, gX64, gY64 = sk.soft_dtw_batch(X64, Y64, gamma, return_grad="both")
    assert v32.dtype == gX32.dtype == gY32.dtype == np.float32
    assert np.all(np.abs(v32 - v64) <= _pair_tolerance(v64, gamma, 128))
    for g32, g64 in ((gX32, gX64), (gY32, gY64)):
        np.testing.assert_allclose(g32, g64, rtol=0, atol=1e-4 * np.abs(g64).max())
    # a series against itself: values near 0, an absolute tolerance in units of gamma
    S32 = sk.cdist_soft_dtw(X32, gamma=gamma)
    S64 = sk.cdist_soft_dtw(X64, gamma=gamma)
    assert np.all(np.abs(S32 - S64) <= _pair_tolerance(S64, gamma, 128))


@pytest.mark.parametrize("strategy", [None] + STRATEGIES)
@pytest.mark.parametrize("gamma", [0.0, 0.3])
@pytest.mark.parametrize("radius", [None, 1])
def test_every_strategy_in_float32(monkeypatch, strategy, gamma, radius):
    """Every strategy that computes a request in float64 computes it in
    float32, with float32 results close to the oracle on the same numbers."""
    if strategy is not None:
        monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
    rng = np.random.default_rng(3)
    X32 = rng.standard_normal((3, 6, 2)).astype(np.float32)
    Y32 = rng.standard_normal((3, 5, 2)).astype(np.float32)
    X, Y = X32.astype(np.float64), Y32.astype(np.float64)
    kw = dict(sakoe_chiba_radius=radius)
    for case, call in ((case_cdist, lambda: sk.cdist_soft_dtw(X32, Y32, gamma, **kw)),
                       (case_batch_grads, lambda: sk.soft_dtw_batch(
                           X32, Y32, gamma, return_grad="both", **kw))):
        if strategy is not None and not admitted(case, strategy, gamma, radius):
            with pytest.raises(ValueError, match="cannot compute this request"):
                call()
            continue
        plan = _plan.explain(call)
        # float32 kernels exactly for lanes in the exp domain
        assert plan.dtype == ("float32" if (plan.order, plan.domain) == ("lanes", "exp")
                              else "float64")
        out = call()
        if case is case_cdist:
            assert out.dtype == np.float32
            ref = [[_oracle(x, y, gamma, radius)[0] for y in Y] for x in X]
            np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
            continue
        assert all(a.dtype == np.float32 for a in out)
        for k in range(len(X)):
            value, _, (gx, gy) = _oracle(X[k], Y[k], gamma, radius)
            np.testing.assert_allclose(out[0][k], value, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(out[1][k], gx, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(out[2][k], gy, rtol=1e-4, atol=1e-5)


def test_output_dtypes():
    """float32 arrays out when every array given is float32; else float64."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 7))
    X32 = X.astype(np.float32)
    ragged32 = [rng.standard_normal(n).astype(np.float32) for n in (5, 7, 6)]
    assert sk.cdist_soft_dtw(X32).dtype == np.float32
    assert sk.cdist_soft_dtw(X32, X).dtype == np.float64  # mixed
    assert sk.cdist_soft_dtw(X32.astype(np.int64)).dtype == np.float64
    assert sk.cdist_soft_dtw(ragged32).dtype == np.float32
    assert sk.cdist_dtw(X32).dtype == np.float32
    assert sk.cdist_soft_dtw_divergence(X32).dtype == np.float32
    values, grads = sk.soft_dtw_batch(ragged32, ragged32[::-1], return_grad="x")
    assert values.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)
    E, value = sk.soft_dtw_alignment(X32[0], X32[1])
    assert E.dtype == np.float32 and isinstance(value, float)
    assert np.all((E >= 0) & (E <= 1))
    _, g = sk.soft_dtw_value_and_grad(X32[0], X32[1])
    assert g.dtype == np.float32
    D32 = (rng.standard_normal((2, 4, 5)) ** 2).astype(np.float32)
    v, E = sk.soft_dtw_batch_from_cost(D32, return_alignment=True)
    assert v.dtype == E.dtype == np.float32
    assert np.all((E >= 0) & (E <= 1))
    assert isinstance(sk.soft_dtw(X32[0], X32[1]), float)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_threads_give_the_same_float32_results(n_jobs):
    rng = np.random.default_rng(2)
    X32 = rng.standard_normal((70, 20, 2)).astype(np.float32)
    Y32 = rng.standard_normal((70, 20, 2)).astype(np.float32)
    one = sk.soft_dtw_batch(X32, Y32, 0.5, return_grad="both", n_jobs=1)
    many = sk.soft_dtw_batch(X32, Y32, 0.5, return_grad="both", n_jobs=n_jobs)
    for a, b in zip(one, many):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sk.cdist_soft_dtw(X32, Y32, 0.5, n_jobs=1),
                                  sk.cdist_soft_dtw(X32, Y32, 0.5, n_jobs=n_jobs))


@pytest.mark.parametrize("gamma, scale", [(1e4, 1.0), (1e-4, 1.0), (1.0, 1e3), (1e-2, 1e5),
                                          (1e-30, 1.0), (1e-300, 0.0), (1e-37, 0.0)])
def test_extreme_inputs(gamma, scale):
    """Large and tiny gamma, large amplitudes: float32 where its exponents are
    exact, float64 beyond; finite results close to float64 (and to hard DTW
    for a tiny gamma), never NaN."""
    rng = np.random.default_rng(4)
    X32 = (scale * rng.standard_normal((20, 12))).astype(np.float32)
    Y32 = (scale * rng.standard_normal((20, 12))).astype(np.float32)
    X, Y = X32.astype(np.float64), Y32.astype(np.float64)
    max_cost = float(np.abs(X).max() + np.abs(Y).max()) ** 2
    # float32 exponents exact, and 1 / (gamma ln 2) a float32
    exact32 = 24 * max_cost < _plan.MAX_EXPONENT_FLOAT32 * gamma * np.log(2) \
        and gamma * np.log(2) * np.finfo(np.float32).max > 1
    plan = _plan.explain(sk.soft_dtw_batch, X32, Y32, gamma, return_grad="x")
    assert plan.dtype == ("float32" if exact32 else "float64")
    v32, g32 = sk.soft_dtw_batch(X32, Y32, gamma, return_grad="x")
    v64, g64 = sk.soft_dtw_batch(X, Y, gamma, return_grad="x")
    C32 = sk.cdist_soft_dtw(X32, Y32, gamma)
    for a in (v32, g32, C32):
        assert a.dtype == np.float32 and np.isfinite(a).all()
    # (values below the float32 range are rounded to 0)
    np.testing.assert_allclose(v32, v64, rtol=1e-5, atol=_pair_tolerance(0, gamma, 24)
                               + np.finfo(np.float32).tiny)
    np.testing.assert_allclose(g32, g64, rtol=0, atol=1e-4 * np.abs(g64).max())
    if gamma < 1e-3 * max_cost or max_cost == 0:
        hard = [hard_dtw(sq_euclidean_cost(x, y)) for x, y in zip(X, Y)]
        np.testing.assert_allclose(v32, hard, rtol=1e-5, atol=1e3 * gamma)


def test_values_beyond_float32_are_an_error():
    """float32 data whose soft-DTW would overflow float32 are refused, naming
    the dtype, rather than returning infinities."""
    X32 = np.full((3, 10), 1e19, dtype=np.float32)
    X32[:, ::2] *= -1
    with pytest.raises(ValueError, match="float32"):
        sk.cdist_soft_dtw(X32, X32[:, ::-1].copy())
    with pytest.raises(ValueError, match="float32"):
        sk.soft_dtw_batch(X32, X32[:, ::-1].copy(), return_grad="x")


def test_float32_alignment_matches_the_oracle():
    """An expected alignment of float32 data: float32 entries in [0, 1], close
    to the forward-backward oracle on the same numbers."""
    rng = np.random.default_rng(5)
    x32, y32 = rng.standard_normal((7, 2)).astype(np.float32), \
        rng.standard_normal((6, 2)).astype(np.float32)
    E, value = sk.soft_dtw_alignment(x32, y32, 0.5)
    ref_value, ref_E = dp_soft_dtw_alignment(
        sq_euclidean_cost(x32.astype(np.float64), y32.astype(np.float64)), 0.5)
    assert E.dtype == np.float32 and np.all((E >= 0) & (E <= 1))
    np.testing.assert_allclose(E, ref_E, atol=1e-6)
    np.testing.assert_allclose(value, ref_value, rtol=1e-10)


@pytest.mark.parametrize("gamma", [0.05, 1.0])
@pytest.mark.parametrize("return_alignment", [False, True])
def test_cost_batches_in_float32_lanes(gamma, return_alignment):
    """float32 cost matrices (a loss with a user-defined distance) run in
    float32 lanes: float32 values and alignments close to float64, E in
    [0, 1], padding never read."""
    rng = np.random.default_rng(6)
    D32 = (rng.standard_normal((70, 12, 10)) ** 2).astype(np.float32)
    lengths = np.array([(12, 10)] * 50 + [(7, 9)] * 20)
    D32[50:, 7:] = np.nan
    D32[50:, :, 9:] = np.nan
    kw = dict(lengths=lengths, return_alignment=return_alignment)
    plan = _plan.explain(sk.soft_dtw_batch_from_cost, D32, gamma, **kw)
    assert plan.dtype == "float32" and set(plan.order) == {"lanes"}
    out32 = sk.soft_dtw_batch_from_cost(D32, gamma, **kw)
    out64 = sk.soft_dtw_batch_from_cost(D32.astype(np.float64), gamma, **kw)
    v32, v64 = (out32[0], out64[0]) if return_alignment else (out32, out64)
    assert v32.dtype == np.float32
    assert np.all(np.abs(v32 - v64) <= _pair_tolerance(v64, gamma, 22))
    if return_alignment:
        E32, E64 = out32[1], out64[1]
        assert E32.dtype == np.float32 and np.all((E32 >= 0) & (E32 <= 1))
        np.testing.assert_allclose(E32, E64, rtol=0, atol=1e-5)

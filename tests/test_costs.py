"""The L1 cost (``cost="abs"``): every function, strategy, kernel build, dtype
and band gives the plain recursions' results on the L1 cost matrix; gradients
match finite differences; a cost that is not one of the costs is refused."""
import functools

import numpy as np
import pytest
import test_plan
from _oracles import brute_force_soft_dtw, central_diff, hard_dtw_path
from scipy.spatial.distance import cdist
from test_kernel_builds import BASELINE, _runnable_builds

import sksoftdtw as sk
from sksoftdtw._engine import cost, pairs
from sksoftdtw._engine import planner as _plan
from sksoftdtw.utils._validation import check_pairs

STRATEGIES = ["", "rows", "rows/exp", "rows/log", "rows/hard", "lanes", "lanes/exp",
              "lanes/hard", "antidiagonals", "antidiagonals/exp", "antidiagonals/hard"]

RNG = np.random.default_rng(3)
X = RNG.standard_normal((3, 6, 2))
Y = RNG.standard_normal((3, 5, 2))


def l1_cost(x, y):
    return cdist(np.reshape(x, (len(x), -1)), np.reshape(y, (len(y), -1)), "cityblock")


def l1_grads(x, y, E):
    """Chain rule through D[i, j] = sum_k |x_ik - y_jk|: dV/dx_i = sum_j E_ij
    sign(x_i - y_j), dV/dy_j = -sum_i E_ij sign(x_i - y_j)."""
    s = np.sign(x[:, None, :] - y[None, :, :])
    return np.einsum("ij,ijk->ik", E, s), -np.einsum("ij,ijk->jk", E, s)


@functools.lru_cache(maxsize=None)
def _oracle_of(key, gamma, radius):
    x, y = (np.frombuffer(b).reshape(shape) for b, shape in key)
    return test_plan._oracle(x, y, gamma, radius, l1_cost, l1_grads)


def oracle(x, y, gamma, radius):
    """Value, E and gradients of one pair under the L1 cost, from the plain
    Python recursions on its cost matrix."""
    x, y = (np.ascontiguousarray(a, dtype=np.float64) for a in (x, y))
    return _oracle_of(((x.tobytes(), x.shape), (y.tobytes(), y.shape)), gamma, radius)


def _close(actual, expected, dtype, rtol=1e-10, atol=1e-10):
    if dtype == np.float32:
        rtol, atol = max(rtol, 2e-5), max(atol, 2e-5)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def case_soft_dtw(gamma, radius, dtype):
    v = sk.soft_dtw(X[0].astype(dtype), Y[0].astype(dtype), gamma, sakoe_chiba_radius=radius,
                    cost="abs")
    _close(v, oracle(X[0], Y[0], gamma, radius)[0], dtype)


def case_dtw(gamma, radius, dtype):
    v = sk.dtw(X[0].astype(dtype), Y[0].astype(dtype), sakoe_chiba_radius=radius, cost="abs")
    _close(v, oracle(X[0], Y[0], 0.0, radius)[0], dtype)


def case_value_and_grad(gamma, radius, dtype):
    v, g = sk.soft_dtw_value_and_grad(X[0].astype(dtype), Y[0].astype(dtype), gamma,
                                      sakoe_chiba_radius=radius, cost="abs")
    value, _, (gx, _) = oracle(X[0], Y[0], gamma, radius)
    _close(v, value, dtype)
    _close(g, gx, dtype, rtol=1e-8)


def case_batch_grads(gamma, radius, dtype):
    v, gX, gY = sk.soft_dtw_batch(X.astype(dtype), Y.astype(dtype), gamma,
                                  sakoe_chiba_radius=radius, return_grad="both", cost="abs")
    for k in range(len(X)):
        value, _, (gx, gy) = oracle(X[k], Y[k], gamma, radius)
        _close(v[k], value, dtype)
        _close(gX[k], gx, dtype, rtol=1e-8)
        _close(gY[k], gy, dtype, rtol=1e-8)


def case_batch_values(gamma, radius, dtype):
    v = sk.soft_dtw_batch(X.astype(dtype), Y.astype(dtype), gamma, sakoe_chiba_radius=radius,
                          cost="abs")
    _close(v, [oracle(x, y, gamma, radius)[0] for x, y in zip(X, Y)], dtype)


def case_cdist(gamma, radius, dtype):
    C = sk.cdist_soft_dtw(X.astype(dtype), Y.astype(dtype), gamma, sakoe_chiba_radius=radius,
                          cost="abs")
    _close(C, [[oracle(x, y, gamma, radius)[0] for y in Y] for x in X], dtype)


def case_cdist_dtw(gamma, radius, dtype):
    C = sk.cdist_dtw(X.astype(dtype), sakoe_chiba_radius=radius, cost="abs")
    _close(C, [[oracle(x, y, 0.0, radius)[0] for y in X] for x in X], dtype)


def case_divergence(gamma, radius, dtype):
    v = sk.soft_dtw_divergence(X[0].astype(dtype), Y[0].astype(dtype), gamma,
                               sakoe_chiba_radius=radius, cost="abs")
    xy, xx, yy = (oracle(a, b, gamma, radius)[0] for a, b in
                  [(X[0], Y[0]), (X[0], X[0]), (Y[0], Y[0])])
    _close(v, xy - 0.5 * (xx + yy), dtype, rtol=1e-9)


def case_cdist_divergence(gamma, radius, dtype):
    C = sk.cdist_soft_dtw_divergence(X.astype(dtype), Y.astype(dtype), gamma,
                                     sakoe_chiba_radius=radius, cost="abs")
    ref = [[oracle(x, y, gamma, radius)[0] - 0.5 * (oracle(x, x, gamma, radius)[0]
                                                    + oracle(y, y, gamma, radius)[0])
            for y in Y] for x in X]
    _close(C, ref, dtype, rtol=1e-9)


def case_alignment(gamma, radius, dtype):
    E, v = sk.soft_dtw_alignment(X[0].astype(dtype), Y[0].astype(dtype), gamma,
                                 sakoe_chiba_radius=radius, cost="abs")
    value, E_ref, _ = oracle(X[0], Y[0], gamma, radius)
    _close(v, value, dtype)
    _close(E, E_ref, dtype)


def case_dtw_path(gamma, radius, dtype):
    path, v = sk.dtw_path(X[0].astype(dtype), Y[0].astype(dtype), sakoe_chiba_radius=radius,
                          cost="abs")
    value, ref_path = hard_dtw_path(l1_cost(X[0], Y[0]), radius)
    _close(v, value, dtype)
    assert path == [tuple(c) for c in ref_path]


CASES = [case_soft_dtw, case_dtw, case_value_and_grad, case_batch_grads, case_batch_values,
         case_cdist, case_cdist_dtw, case_divergence, case_cdist_divergence, case_alignment,
         case_dtw_path]
# what each case asks of the kernels: the case of test_plan of the same name
PLAN_CASES = {f.__name__: (f, want) for f, want in test_plan.CASES.items()}


def admitted(case, strategy, gamma, radius):
    plan_case, (want, many) = PLAN_CASES[case.__name__]
    return test_plan.admits(strategy, want, many, gamma == 0 or plan_case in test_plan.HARD_ONLY,
                            radius)


BUILDS = _runnable_builds() + [BASELINE]


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__[5:])
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("gamma", [0.0, 0.3])
@pytest.mark.parametrize("radius", [None, 1])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("build", BUILDS, ids=lambda m: m.__name__.rpartition(".")[2])
def test_every_function_strategy_build(monkeypatch, case, strategy, gamma, radius, dtype,
                                       build):
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
    for module in (pairs, cost):  # the modules that call the first-order kernels
        monkeypatch.setattr(module, "fast", build)
    if not strategy or admitted(case, strategy, gamma, radius):
        plan = _plan.explain(case, gamma, radius, dtype)
        if strategy:
            assert np.all(np.asarray(plan.order) == strategy.partition("/")[0])
    else:
        with pytest.raises(ValueError, match=f"strategy '{strategy}' cannot compute this "
                                             "request: "):
            case(gamma, radius, dtype)


@pytest.mark.parametrize("gamma", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("radius", [None, 0, 1])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 3), (1, 3)])
def test_brute_force_tiny(gamma, radius, shape):
    """Value and expected alignment against the enumeration of every alignment."""
    rng = np.random.default_rng(sum(shape))
    x, y = rng.standard_normal((shape[0], 3)), rng.standard_normal((shape[1], 3))
    value, E = brute_force_soft_dtw(l1_cost(x, y), gamma, radius)
    E_sk, v = sk.soft_dtw_alignment(x, y, gamma, sakoe_chiba_radius=radius, cost="abs")
    np.testing.assert_allclose(v, value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(E_sk, E, atol=1e-12)
    np.testing.assert_allclose(sk.soft_dtw(x, y, gamma, sakoe_chiba_radius=radius, cost="abs"),
                               value, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("gamma", [0.1, 1.0])
@pytest.mark.parametrize("shape", [(7, 6, 1), (7, 6, 3), (70, 66, 2)])
def test_gradients_against_finite_differences(gamma, shape):
    """Away from ties (every pair of coordinates at least 1e-4 apart), the
    L1 cost is smooth: the gradients are the derivatives."""
    n, m, d = shape
    rng = np.random.default_rng(n + d)
    x, y = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    assert np.abs(x[:, None, :] - y[None, :, :]).min() > 1e-4
    h = 1e-6
    _, gx = sk.soft_dtw_value_and_grad(x, y, gamma, cost="abs")
    np.testing.assert_allclose(
        gx, central_diff(lambda z: sk.soft_dtw(z, y, gamma, cost="abs"), x, h),
        rtol=1e-5, atol=1e-6)
    _, gX, gY = sk.soft_dtw_batch(x[None], y[None], gamma, return_grad="both", cost="abs")
    np.testing.assert_allclose(gX[0], gx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        gY[0], central_diff(lambda z: sk.soft_dtw(x, z, gamma, cost="abs"), y, h),
        rtol=1e-5, atol=1e-6)


def test_ties_give_zero_subgradient():
    """Equal coordinates contribute sign(0) = 0: x = y gives a zero gradient at
    gamma = 0 (the diagonal path, every cost 0), in every order."""
    x = np.array([[0.0, 1.0], [2.0, -1.0], [3.0, 0.5]])
    for strategy in ("rows", "lanes", "antidiagonals"):
        _, gX, gY = pairs.pairs_value_grad(*check_pairs(x[None], x[None]), 0.0,
                                           _plan.NO_BAND, None, True, True, strategy,
                                           cost="abs")
        assert not gX.any() and not gY.any()


@pytest.mark.parametrize("gamma", [1e-3, 1e-5])
def test_small_gamma_tends_to_hard_dtw(gamma):
    x, y = RNG.standard_normal((20, 2)), RNG.standard_normal((15, 2))
    hard = sk.dtw(x, y, cost="abs")
    assert hard == pytest.approx(oracle(x, y, 0.0, None)[0], rel=1e-12)
    # the soft minimum is below the minimum by at most gamma log(#alignments)
    v = sk.soft_dtw(x, y, gamma, cost="abs")
    assert hard - gamma * 35 * np.log(3) <= v <= hard


def test_abs_differs_from_sqeuclidean():
    """The cost reaches the kernels: the two costs give different values."""
    assert sk.dtw(X[0], Y[0], cost="abs") != sk.dtw(X[0], Y[0])


@pytest.mark.parametrize("call", [
    lambda c: sk.soft_dtw(X[0], Y[0], cost=c),
    lambda c: sk.soft_dtw_batch(X, Y, cost=c),
    lambda c: sk.cdist_dtw(X, cost=c),
    lambda c: sk.soft_dtw_alignment(X[0], Y[0], cost=c),
    lambda c: sk.soft_dtw_divergence(X[0], Y[0], cost=c),
])
@pytest.mark.parametrize("cost", ["l1", "euclidean", None, 1, "ABS"])
def test_unknown_cost_is_refused(call, cost):
    with pytest.raises(ValueError, match="cost must be one of 'sqeuclidean', 'abs', got"):
        call(cost)


def test_cost_range_is_the_l1_bound():
    """The bound the plan receives: amplitude times d for L1; huge values
    that the squared cost would overflow are fine with L1."""
    x = np.full((4, 2), 1e200)
    y = -x
    assert sk.dtw(x, y, cost="abs") == pytest.approx(4 * 2 * 2e200, rel=1e-12)
    with pytest.raises(ValueError, match="too large"):
        sk.dtw(x, y)


# --- Estimators ---------------------------------------------------------------

def _barycenter_loss(Z, series, gamma):
    """The barycenter objective, sum_j dtw_gamma(Z, y_j) / (n m_j), one pair at a time."""
    return sum(sk.soft_dtw(Z, y, gamma, cost="abs") / len(y) for y in series) / len(series)


def test_barycenter_is_a_stationary_point_of_the_l1_objective():
    t = np.linspace(0, 2 * np.pi, 12)
    series = [np.sin(t - s)[:, None] + 0.01 * RNG.standard_normal((12, 1))
              for s in np.linspace(-0.5, 0.5, 5)]
    gamma = 0.5
    est = sk.SoftDTWBarycenter(gamma, cost="abs", tol=1e-8, max_iter=500).fit(series)
    Z = est.barycenter_
    loss = functools.partial(_barycenter_loss, series=series, gamma=gamma)
    assert est.loss_ == pytest.approx(loss(Z), rel=1e-10)
    # the L1 objective has kinks where a point of Z meets a coordinate of a
    # series (a median sits on them): a local minimum, not a zero gradient
    rng = np.random.default_rng(0)
    steps = [1e-2 * rng.standard_normal(Z.shape) for _ in range(20)]
    assert min(loss(Z + u) for u in steps) >= loss(Z) - 1e-9
    other = sk.softdtw_barycenter(series, gamma)  # the squared Euclidean one
    assert loss(Z) < loss(other) and loss(Z) < loss(np.mean(series, axis=0))
    np.testing.assert_allclose(est.transform(series)[:, 0],
                               [sk.soft_dtw(Z, y, gamma, cost="abs") for y in series],
                               rtol=1e-12)
    assert est.score(series) == pytest.approx(
        -np.mean([oracle(Z, y, 0.0, None)[0] / len(y) for y in series]), rel=1e-12)


def test_barycenter_l1_differs_and_dba_refuses_l1():
    X = RNG.standard_normal((6, 10))
    Z_abs = sk.softdtw_barycenter(X, 1.0, cost="abs", max_iter=20)
    assert not np.allclose(Z_abs, sk.softdtw_barycenter(X, 1.0, max_iter=20))
    with pytest.raises(ValueError, match="cost='abs' is not supported by init=\"dba\""):
        sk.SoftDTWBarycenter(init="dba", cost="abs").fit(X)
    with pytest.raises(ValueError, match="'cost' parameter"):
        sk.SoftDTWBarycenter(cost="l1").fit(X)


def test_kmeans_assigns_by_the_l1_cost():
    X = np.concatenate([RNG.standard_normal((5, 8)) + 2, RNG.standard_normal((5, 8)) - 2])
    km = sk.SoftDTWKMeans(2, gamma=0.1, cost="abs", random_state=0, max_iter=5).fit(X)
    centers = km.cluster_centers_
    D = [[oracle(x[:, None], c, 0.1, None)[0] for c in centers] for x in X]
    np.testing.assert_allclose(km.transform(X), D, rtol=1e-10)
    np.testing.assert_array_equal(km.labels_, np.argmin(D, axis=1))
    hard = [[oracle(x[:, None], c, 0.0, None)[0] for c in centers] for x in X]
    assert km.score(X) == pytest.approx(-np.mean(np.min(hard, axis=1) / 8), rel=1e-10)
    with pytest.raises(ValueError, match="'cost' parameter"):
        sk.SoftDTWKMeans(2, cost="l1").fit(X)


@pytest.mark.parametrize("metric", ["dtw", "softdtw", "divergence"])
def test_neighbors_under_the_l1_cost(metric):
    from sksoftdtw.neighbors import KNeighborsTimeSeriesClassifier
    train, query = RNG.standard_normal((8, 7, 2)), RNG.standard_normal((3, 6, 2))
    gamma = 0.0 if metric == "dtw" else 0.2

    def disc(x, y):
        value = oracle(x, y, gamma, None)[0]
        if metric == "divergence":
            value -= 0.5 * (oracle(x, x, gamma, None)[0] + oracle(y, y, gamma, None)[0])
        return value

    knn = KNeighborsTimeSeriesClassifier(3, metric=metric, gamma=0.2,  # ("dtw": unused)
                                         cost="abs").fit(train, np.arange(8) % 2)
    dist, ind = knn.kneighbors(query)
    ref = np.array([[disc(q, x) for x in train] for q in query])
    np.testing.assert_array_equal(ind, np.argsort(ref, axis=1, kind="stable")[:, :3])
    np.testing.assert_allclose(dist, np.sort(ref, axis=1)[:, :3], rtol=1e-10, atol=1e-12)


def test_plan_records_the_cost_and_its_bound():
    """The plan shows the cost, and its exactness bound is the L1 one
    (amplitude times d, not its square): large values at a tiny gamma stay in
    the exp domain under L1 where the squared cost needs the log domain, and
    both give the oracle's values."""
    x, y = 1e3 * RNG.standard_normal((6, 2)), 1e3 * RNG.standard_normal((5, 2))
    gamma = 1e-9
    p_abs = _plan.explain(sk.soft_dtw_batch, x[None], y[None], gamma, cost="abs")
    p_sq = _plan.explain(sk.soft_dtw_batch, x[None], y[None], gamma)
    assert (p_abs.cost, p_sq.cost) == ("abs", "sqeuclidean")
    assert (p_abs.domain, p_sq.domain) == ("exp", "log")
    np.testing.assert_allclose(sk.soft_dtw_batch(x[None], y[None], gamma, cost="abs"),
                               [oracle(x, y, gamma, None)[0]], rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: sk.SoftDTWBarycenter(metric="sharp_divergence", cost="abs", max_iter=2),
    lambda: sk.SoftDTWKMeans(n_clusters=2, metric="sharp_divergence", cost="abs", max_iter=2),
])
def test_sharp_divergence_refuses_the_l1_cost(make):
    """The second-order kernels have the squared Euclidean cost only: the
    sharp divergence under the L1 cost is refused, naming the cost."""
    X = np.random.default_rng(0).standard_normal((6, 8, 1))
    with pytest.raises(ValueError, match="cost='abs' is not supported"):
        make().fit(X)

"""The plan: every public function under every strategy it admits gives the
oracles' results; a strategy it does not admit is refused with the reason."""
from pathlib import Path

import numpy as np
import pytest
from _oracles import (
    brute_force_soft_dtw,
    dp_soft_dtw_alignment,
    grads_from_alignment,
    hard_dtw_path,
    sq_euclidean_cost,
)

import sksoftdtw as sk
from sksoftdtw._engine import planner as _plan

DOC = Path(__file__).resolve().parents[1] / "doc"

STRATEGIES = ["rows", "rows/exp", "rows/log", "rows/hard", "lanes", "lanes/exp",
              "lanes/hard", "antidiagonals", "antidiagonals/exp", "antidiagonals/hard"]

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 6, 2))
Y = RNG.standard_normal((3, 5, 2))


def _oracle(x, y, gamma, radius, cost=sq_euclidean_cost, grads=grads_from_alignment):
    """Value, E and the gradients of one pair, from the plain recursions on
    the ``cost`` matrix (``grads``: the chain rule through that cost)."""
    D = cost(x, y)
    if gamma == 0:
        value, path = hard_dtw_path(D, radius)
        E = np.zeros(D.shape)
        E[tuple(np.array(path).T)] = 1.0
    else:
        value, E = dp_soft_dtw_alignment(D, gamma, radius)
    return value, E, grads(x, y, E)


# Each case: the call, whether it needs an expected alignment (E), gradients,
# or values of several pairs, and a check against the oracle.
def _check_values(values, pairs, gamma, radius):
    for v, (x, y) in zip(np.ravel(values), pairs):
        np.testing.assert_allclose(v, _oracle(x, y, gamma, radius)[0], rtol=1e-10, atol=1e-12)


def case_soft_dtw(gamma, radius):
    v = sk.soft_dtw(X[0], Y[0], gamma, sakoe_chiba_radius=radius)
    _check_values([v], [(X[0], Y[0])], gamma, radius)


def case_dtw(gamma, radius):
    v = sk.dtw(X[0], Y[0], sakoe_chiba_radius=radius)
    _check_values([v], [(X[0], Y[0])], 0.0, radius)


def case_value_and_grad(gamma, radius):
    v, g = sk.soft_dtw_value_and_grad(X[0], Y[0], gamma, sakoe_chiba_radius=radius)
    value, _, (gx, _) = _oracle(X[0], Y[0], gamma, radius)
    np.testing.assert_allclose(v, value, rtol=1e-10)
    np.testing.assert_allclose(g, gx, rtol=1e-8, atol=1e-10)


def case_batch_grads(gamma, radius):
    v, gX, gY = sk.soft_dtw_batch(X, Y, gamma, sakoe_chiba_radius=radius, return_grad="both")
    for k in range(len(X)):
        value, _, (gx, gy) = _oracle(X[k], Y[k], gamma, radius)
        np.testing.assert_allclose(v[k], value, rtol=1e-10)
        np.testing.assert_allclose(gX[k], gx, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(gY[k], gy, rtol=1e-8, atol=1e-10)


def case_batch_values(gamma, radius):
    v = sk.soft_dtw_batch(X, Y, gamma, sakoe_chiba_radius=radius)
    _check_values(v, zip(X, Y), gamma, radius)


def case_cdist(gamma, radius):
    C = sk.cdist_soft_dtw(X, Y, gamma, sakoe_chiba_radius=radius)
    _check_values(C, [(x, y) for x in X for y in Y], gamma, radius)


def case_cdist_dtw(gamma, radius):
    C = sk.cdist_dtw(X, sakoe_chiba_radius=radius)
    _check_values(C, [(x, y) for x in X for y in X], 0.0, radius)


def case_divergence(gamma, radius):
    v = sk.soft_dtw_divergence(X[0], Y[0], gamma, sakoe_chiba_radius=radius)
    ref = [_oracle(a, b, gamma, radius)[0] for a, b in
           [(X[0], Y[0]), (X[0], X[0]), (Y[0], Y[0])]]
    np.testing.assert_allclose(v, ref[0] - 0.5 * (ref[1] + ref[2]), rtol=1e-9, atol=1e-12)


def case_cdist_divergence(gamma, radius):
    C = sk.cdist_soft_dtw_divergence(X, Y, gamma, sakoe_chiba_radius=radius)
    self_x = [_oracle(x, x, gamma, radius)[0] for x in X]
    self_y = [_oracle(y, y, gamma, radius)[0] for y in Y]
    for i, x in enumerate(X):
        for j, y in enumerate(Y):
            ref = _oracle(x, y, gamma, radius)[0] - 0.5 * (self_x[i] + self_y[j])
            np.testing.assert_allclose(C[i, j], ref, rtol=1e-9, atol=1e-12)


def case_alignment(gamma, radius):
    E, v = sk.soft_dtw_alignment(X[0], Y[0], gamma, sakoe_chiba_radius=radius)
    value, E_ref, _ = _oracle(X[0], Y[0], gamma, radius)
    np.testing.assert_allclose(v, value, rtol=1e-10)
    np.testing.assert_allclose(E, E_ref, atol=1e-10)


def case_dtw_path(gamma, radius):
    path, v = sk.dtw_path(X[0], Y[0], sakoe_chiba_radius=radius)
    value, ref_path = hard_dtw_path(sq_euclidean_cost(X[0], Y[0]), radius)
    np.testing.assert_allclose(v, value, rtol=1e-12)
    assert path == [tuple(c) for c in ref_path]


def case_from_cost(gamma, radius):
    D = 2.0 * RNG.standard_normal((4, 4))
    v, E = sk.soft_dtw_from_cost(D, gamma, sakoe_chiba_radius=radius)
    ref_value, ref_E = brute_force_soft_dtw(D, gamma, radius)
    np.testing.assert_allclose(v, ref_value, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(E, ref_E, atol=1e-10)


def case_batch_from_cost(gamma, radius):
    D = 2.0 * RNG.standard_normal((3, 4, 4))
    lengths = np.array([[4, 4], [2, 3], [4, 1]])
    v, E = sk.soft_dtw_batch_from_cost(D, gamma, lengths=lengths, sakoe_chiba_radius=radius,
                                       return_alignment=True)
    for k, (n, m) in enumerate(lengths):
        ref_value, ref_E = brute_force_soft_dtw(D[k, :n, :m], gamma, radius)
        np.testing.assert_allclose(v[k], ref_value, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(E[k, :n, :m], ref_E, atol=1e-10)


# what each case asks of the kernels: "alignment", "gradient" or "value", and
# whether several pairs are computed in one call
CASES = {
    case_soft_dtw: ("value", False), case_dtw: ("value", False),
    case_value_and_grad: ("gradient", False), case_batch_grads: ("gradient", True),
    case_batch_values: ("value", True), case_cdist: ("value", True),
    case_cdist_dtw: ("value", True), case_divergence: ("value", True),
    case_cdist_divergence: ("value", True), case_alignment: ("alignment", False),
    case_dtw_path: ("alignment", False), case_from_cost: ("alignment", False),
    case_batch_from_cost: ("alignment", True),
}
HARD_ONLY = (case_dtw, case_dtw_path, case_cdist_dtw)


def admitted(case, strategy, gamma, radius):
    """The rules of the plan, stated independently: which kernels exist."""
    return admits(strategy, *CASES[case], gamma == 0 or case in HARD_ONLY, radius)


def admits(strategy, want, many, hard, radius):
    """Whether ``strategy`` computes a request (see `CASES`), of hard DTW or not."""
    order, _, domain = strategy.partition("/")
    if domain and (domain == "hard") != hard:
        return False
    if order == "lanes":
        return want in ("value", "gradient")
    if order == "antidiagonals":
        return radius is None and domain != "log" and (want != "value" or not many)
    return True


@pytest.mark.parametrize("case", list(CASES), ids=lambda f: f.__name__[5:])
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("gamma", [0.0, 0.3])
@pytest.mark.parametrize("radius", [None, 1])
def test_every_strategy(monkeypatch, case, strategy, gamma, radius):
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
    if admitted(case, strategy, gamma, radius):
        plan = _plan.explain(case, gamma, radius)
        assert np.all(np.asarray(plan.order) == strategy.partition("/")[0])
        if "/" in strategy:
            assert np.all(np.asarray(plan.domain) == strategy.partition("/")[2])
    else:
        with pytest.raises(ValueError, match=f"strategy '{strategy}' cannot compute this "
                                             "request: "):
            case(gamma, radius)


@pytest.mark.parametrize("strategy", ["diagonals", "rows/fast", "lanes/"])
def test_unknown_strategy(monkeypatch, strategy):
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
    with pytest.raises(ValueError, match="SKSOFTDTW_STRATEGY must be 'order' or "
                                         "'order/domain'"):
        sk.soft_dtw(X[0], Y[0])
    with pytest.raises(ValueError, match="strategy must be"):
        _plan.plan("value", [3], [3], gamma=1.0, max_cost=1.0, strategy="x")


def test_exp_domain_refused_when_not_exact(monkeypatch):
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", "rows/exp")
    with pytest.raises(ValueError, match="would not be exact in the exp domain"):
        sk.soft_dtw(1e8 * X[0], Y[0], 1e-3)


def test_automatic_plans():
    """The choices the plan makes by itself on typical requests."""
    def order(want, n, m, n_pairs, gamma=1.0, radius=-1, max_cost=4.0, d=1, n_gradients=1):
        return _plan.plan(want, np.full(n_pairs, n), np.full(n_pairs, m), gamma=gamma,
                          band=_plan.Band(radius), max_cost=max_cost, strategy="", d=d,
                          n_gradients=n_gradients)
    assert order("value", 1000, 1000, 1)[:3] == ("antidiagonals", "exp", "two rows")
    assert order("value", 1000, 1000, 1, radius=5).order == "rows"
    assert order("value", 1000, 1000, 1, gamma=0.0)[:2] == ("antidiagonals", "hard")
    assert order("value", 1000, 1000, 1, gamma=1e-3, max_cost=1e12)[:2] == ("rows", "log")
    assert order("value", 128, 128, 1000).order == "lanes"
    assert order("gradient", 128, 128, 256)[:3] == ("lanes", "exp", "full")
    assert order("gradient", 512, 512, 64)[:3] == ("lanes", "exp", "checkpointed")
    assert order("gradient", 512, 512, 4).order == "antidiagonals"  # groups a quarter full
    assert order("gradient", 512, 512, 64, d=16).order == "lanes"
    # hard-DTW gradients: lanes (one byte a cell) for groups of 2 pairs or more,
    # and any group with a band
    assert order("gradient", 512, 512, 64, gamma=0.0)[:3] == ("lanes", "hard", "full")
    assert order("gradient", 2000, 2000, 2, gamma=0.0).order == "lanes"
    lengths = 2 ** np.arange(4, 10)  # too far apart to pad: 6 groups of one pair
    p = _plan.plan("gradient", lengths, lengths, gamma=0.0, max_cost=4.0, strategy="")
    assert (p.order, p.domain) == ("antidiagonals", "hard")
    p = _plan.plan("gradient", lengths, lengths, gamma=0.0, band=_plan.Band(3), max_cost=4.0,
                   strategy="")
    assert (p.order, p.domain) == ("lanes", "hard")
    assert order("gradient", 4000, 4000, 2, gamma=0.0)[:3] == ("antidiagonals", "hard",
                                                               "checkpointed")
    assert order("gradient", 20000, 20000, 1)[:3] == ("antidiagonals", "exp", "checkpointed")
    assert order("gradient", 20000, 20000, 1, radius=5)[:3] == ("rows", "exp", "checkpointed")


def test_float32_plans():
    """float32 requests run in float32 lanes when their exponents are exact in
    float32, and in float64 otherwise."""
    def plan32(want, n, n_pairs, gamma=1.0, max_cost=4.0):
        return _plan.plan(want, np.full(n_pairs, n), np.full(n_pairs, n), gamma=gamma,
                          max_cost=max_cost, strategy="", dtype="float32")
    p = plan32("value", 128, 1000)
    assert (p.order, p.dtype) == ("lanes", "float32")
    assert np.diff(p.groups[1]).max() == _plan.n_lanes("float32") == 2 * _plan.n_lanes()
    assert plan32("gradient", 128, 256).dtype == "float32"
    # float32 exponents: (n + m) max_cost / (gamma ln 2) < 2^22, beyond it float64
    n, gamma = 128, 1e-3
    limit = _plan.MAX_EXPONENT_FLOAT32 * gamma * np.log(2) / (2 * n)
    assert plan32("value", n, 1000, gamma, 0.99 * limit).dtype == "float32"
    high = plan32("value", n, 1000, gamma, 1.01 * limit)
    assert (high.order, high.domain, high.dtype) == ("lanes", "exp", "float64")
    assert np.diff(high.groups[1]).max() == _plan.n_lanes()
    assert plan32("value", n, 1000, gamma=0.0).dtype == "float64"  # hard DTW
    assert plan32("gradient", 1000, 1).dtype == "float64"  # one pair
    with pytest.raises(ValueError, match="dtype must be one of"):
        _plan.plan("value", [3], [3], gamma=1.0, max_cost=1.0, dtype="float16")


def test_documented_table_is_the_plan():
    """doc/implementation.rst shows the table the plan function makes."""
    if not DOC.is_dir():
        pytest.skip("no doc/ folder next to tests/")
    assert _plan.table_rst() in (DOC / "implementation.rst").read_text()


@pytest.mark.parametrize("gamma", [0.0, 1e-3, 0.1, 1.0, 10.0])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_mixed_lengths_share_padded_lanes(monkeypatch, gamma, n_jobs):
    """Pairs of different lengths run in lane groups padded to their longest
    pair: the values of the row kernel, pair by pair, and of the oracle."""
    rng = np.random.default_rng(4)
    X = [rng.standard_normal((n, 2)) for n in rng.integers(3, 30, 41)]
    Y = [rng.standard_normal((m, 2)) for m in rng.integers(3, 30, 7)]
    plan = _plan.explain(sk.cdist_soft_dtw, X, Y, gamma)
    lx = np.array([len(x) for x in X for _ in Y])[plan.groups[0]]
    assert plan.order == "lanes"
    assert any(len(set(lx[a:b])) > 1 for a, b in zip(plan.groups[1][:-1], plan.groups[1][1:]))
    C = sk.cdist_soft_dtw(X, Y, gamma, n_jobs=n_jobs)
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", "rows")
    ref = sk.cdist_soft_dtw(X, Y, gamma)
    np.testing.assert_allclose(C, ref, rtol=1e-12, atol=1e-12)
    for i, j in [(0, 0), (5, 3), (40, 6)]:
        np.testing.assert_allclose(C[i, j], _oracle(X[i], Y[j], gamma, None)[0], rtol=1e-10)


def test_padding_has_a_limit():
    """Lengths too far apart for one padded group keep groups of equal lengths."""
    lengths_x = np.array([2] * 16 + [200] * 16)
    lengths_y = np.array([2] * 16 + [200] * 16)
    mixed = _plan.plan("value", lengths_x, lengths_y, gamma=1.0, max_cost=1.0,
                       strategy="")
    assert mixed.order == "lanes" and list(mixed.groups[1]) == [0, 16, 32]
    lengths_x[16:31] = lengths_y[16:31] = 2  # one long pair among 31 short ones
    assert lengths_x[31] == 200
    p = _plan.plan("value", lengths_x, lengths_y, gamma=1.0, max_cost=1.0,
                   strategy="")
    lx = lengths_x[p.groups[0]]
    assert all(len(set(lx[a:b])) == 1 for a, b in zip(p.groups[1][:-1], p.groups[1][1:]))


@pytest.mark.parametrize("gamma", [0.0, 1e-3, 0.1, 1.0, 100.0])
@pytest.mark.parametrize("shape", [(7, 8, 0), (1, 5, 0), (9, 3, 2), (5, 400, 1), (8, 8, 0),
                                   (63, 40, 3), (200, 150, 1)])
@pytest.mark.parametrize("radius", [None, 1])
def test_light_pair_path(monkeypatch, gamma, shape, radius):
    """float64 arrays of one pair take the light path: the oracle's value and
    gradient, and those of the path the plan makes for them, bit for bit."""
    n, m, d = shape
    rng = np.random.default_rng(n * m)
    x = rng.standard_normal((n, d) if d else n)
    y = rng.standard_normal((m, d) if d else m)
    v = sk.soft_dtw(x, y, gamma, sakoe_chiba_radius=radius)
    vg, g = sk.soft_dtw_value_and_grad(x, y, gamma, sakoe_chiba_radius=radius)
    assert isinstance(v, float) and isinstance(vg, float)
    assert g.shape == x.shape and g.dtype == np.float64
    if n * m <= 5000:
        value, _, (gx, _) = _oracle(x, y, gamma, radius)
        np.testing.assert_allclose([v, vg], value, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(g, gx.reshape(x.shape), rtol=1e-8, atol=1e-10)
    planned = _plan.explain(sk.soft_dtw_batch, [x], [y], gamma, sakoe_chiba_radius=radius,
                            return_grad="x")
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", planned.order)
    assert _plan.light_pair_limits() is None
    forced = sk.soft_dtw(x, y, gamma, sakoe_chiba_radius=radius)
    forced_vg, forced_g = sk.soft_dtw_value_and_grad(x, y, gamma, sakoe_chiba_radius=radius)
    if min(n, m) == 1:  # one alignment: exact by the hard recursion unless forced
        assert forced == pytest.approx(v, rel=1e-14)
        np.testing.assert_allclose(forced_g, g, rtol=1e-12, atol=1e-14)
    else:
        assert forced == v and forced_vg == vg
        np.testing.assert_array_equal(forced_g, g)


@pytest.mark.parametrize("x, y, match", [
    (np.array([np.nan, 1.0]), np.array([1.0, 2.0]), "x contains NaN or infinite"),
    (np.array([1.0, 2.0]), np.array([np.inf, 2.0]), "y contains NaN or infinite"),
    (np.ones((3, 2)), np.ones((3, 1)), "mismatched dimensions"),
    (np.array([1e200, 1.0]), np.array([-1e200, 1.0]), "too large"),
])
def test_light_pair_path_bad_input(x, y, match):
    """What the light path does not compute gets the validating path's error."""
    with pytest.raises(ValueError, match=match):
        sk.soft_dtw(x, y)


def test_light_pair_path_other_layouts():
    """float32, non-contiguous and list inputs give the float64 value."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 2)), rng.standard_normal((7, 2))
    ref = sk.soft_dtw(x, y, 0.5)
    assert sk.soft_dtw(np.asfortranarray(x), y, 0.5) == ref
    assert sk.soft_dtw(x.tolist(), y.tolist(), 0.5) == ref
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    assert sk.soft_dtw(x32, y32, 0.5) == sk.soft_dtw(x32.astype(float), y32.astype(float), 0.5)


@pytest.mark.parametrize("gamma", [0.0, 0.1])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("band", [{}, {"sakoe_chiba_radius": 3}])
def test_long_pairs_of_a_batch_planned_apart(gamma, dtype, band):
    """A batch mixing long pairs with many short ones plans the long ones
    apart (one plan for all would size every lane buffer by the longest
    pair and repeat it in every lane) and gives, pair by pair, the oracle's
    values and gradients, in the input's dtype."""
    rng = np.random.default_rng(1)
    lengths = [(120, 110), (95, 130)] + [(int(rng.integers(6, 12)), int(rng.integers(6, 12)))
                                         for _ in range(40)]
    X = [rng.standard_normal((n, 2)).astype(dtype) for n, _ in lengths]
    Y = [rng.standard_normal((m, 2)).astype(dtype) for _, m in lengths]
    cells = np.array([n * m for n, m in lengths])
    alone = _plan.apart(cells, np.ones_like(cells))
    assert alone.tolist() == [True, True] + [False] * 40
    assert _plan.apart(np.array([10, 10, 12]), np.array([10, 11, 12])) is None
    values, gX, gY = sk.soft_dtw_batch(X, Y, gamma, return_grad="both", **band)
    assert values.dtype == dtype and gX[0].dtype == dtype
    radius = band.get("sakoe_chiba_radius")
    tol = 1e-9 if dtype == np.float64 else 2e-4
    for k in [1, 2, 41]:
        x, y = X[k].astype(np.float64), Y[k].astype(np.float64)
        value, _, (gx, gy) = _oracle(x, y, gamma, radius)
        np.testing.assert_allclose(values[k], value, rtol=tol, atol=tol)
        np.testing.assert_allclose(gX[k], gx, rtol=tol, atol=tol)
        np.testing.assert_allclose(gY[k], gy, rtol=tol, atol=tol)
    one = sk.soft_dtw_batch(X, Y, gamma, **band)
    np.testing.assert_allclose(one, values, rtol=tol, atol=tol)


@pytest.mark.parametrize("n", [8, 70])
def test_read_only_inputs_of_one_pair(n):
    """Read-only arrays (broadcast views, as the barycenters pass) are
    computed as their writable copies, by every path one pair may take."""
    rng = np.random.default_rng(n)
    z, y = rng.standard_normal((n, 1)), rng.standard_normal((1, n, 1))
    x = np.broadcast_to(z, (1, n, 1))
    assert not x.flags.writeable
    for gamma in [0.0, 0.5]:
        np.testing.assert_array_equal(sk.soft_dtw_batch(x, y, gamma),
                                      sk.soft_dtw_batch(x.copy(), y, gamma))
        v, g = sk.soft_dtw_batch(x, y, gamma, return_grad="x")
        np.testing.assert_array_equal(g, sk.soft_dtw_batch(x.copy(), y, gamma,
                                                           return_grad="x")[1])
        ro = np.broadcast_to(z[:, 0], (n,))
        assert sk.soft_dtw(ro, y[0, :, 0], gamma) == sk.soft_dtw(ro.copy(), y[0, :, 0], gamma)


def test_light_pair_gradients_with_segments():
    """Pairs whose weights the kernels keep by segments (a small MAX_FULL_CELLS,
    as tests set it) leave the light path: the gradient of the batched path."""
    from sksoftdtw._engine.kernels import fast
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((12, 2)), rng.standard_normal((10, 2))
    ref = sk.soft_dtw_value_and_grad(x, y, 0.5)
    previous = fast.set_max_full_cells(16)
    try:
        v, g = sk.soft_dtw_value_and_grad(x, y, 0.5)
        v1, g1 = sk.soft_dtw_value_and_grad(x[:6], y[:5], 0.5)
    finally:
        fast.set_max_full_cells(previous)
    np.testing.assert_allclose(v, ref[0], rtol=1e-12)
    np.testing.assert_allclose(g, ref[1], rtol=1e-10, atol=1e-12)
    value, _, (gx, _) = _oracle(x[:6], y[:5], 0.5, None)
    np.testing.assert_allclose(g1, gx, rtol=1e-8, atol=1e-10)

"""The Itakura parallelogram (``itakura_max_slope``), alone and with a Sakoe-Chiba band.

Oracles: tslearn's ``itakura_mask``, ``dtw``, ``dtw_path`` and ``cdist_dtw``
(when installed), brute force over every admissible alignment and the
plain-Python dynamic programs of ``_oracles`` on the same mask, central finite
differences, hard DTW as gamma -> 0, and the one-pair path for the batched ones.
"""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import sksoftdtw as sk
from _oracles import (
    band_mask,
    brute_force_soft_dtw,
    central_diff,
    dp_soft_dtw_alignment,
    dtw_xy,
    sq_euclidean_cost,
)
from sksoftdtw._engine.kernels import neighbors as nf
from sksoftdtw._engine.planner import band_rows
from sksoftdtw._engine.planner import as_band as _check_band
from sksoftdtw.neighbors import KNeighborsTimeSeriesClassifier

SLOPES = [1.5, 2.0, 3.0]
STRATEGIES = ["rows", "rows/log", "lanes"]


def _feasible(n, m, slope, radius=None):
    """Whether some alignment fits, by the oracle's mask and a reachability sweep."""
    mask = band_mask(n, m, (radius, slope))
    reach = np.zeros((n + 1, m + 1), dtype=bool)
    reach[0, 0] = True
    for i in range(n):
        for j in range(m):
            reach[i + 1, j + 1] = mask[i, j] and (reach[i, j] or reach[i, j + 1]
                                                  or reach[i + 1, j])
    return reach[n, m]


def _random_pair(rng, low, high, slope, d=1, radius=None):
    """Random series of random lengths for which an alignment fits."""
    while True:
        n, m = rng.randint(low, high + 1, 2)
        if _feasible(n, m, slope, radius):
            return rng.randn(n, d), rng.randn(m, d)


# --------------------------------------------------------------------------
# The band itself
# --------------------------------------------------------------------------
@pytest.mark.parametrize("radius, slope", [(None, s) for s in SLOPES + [1.0, 1.2, 7.3]]
                         + [(0, None), (3, None), (0, 2.0), (2, 1.5), (4, 3.0)])
def test_rows_are_the_oracle_mask(radius, slope):
    """Each row's range is the oracle's mask row; lengths with no path raise."""
    band = _check_band(radius, slope)
    for n in range(1, 25):
        for m in range(1, 25):
            if not _feasible(n, m, slope, radius):
                with pytest.raises(ValueError, match=f"lengths {n} and {m} fits"):
                    band_rows(n, m, band)
                continue
            rows = band_rows(n, m, band).reshape(n, 2)
            mine = np.zeros((n, m), dtype=bool)
            for i, (lo, hi) in enumerate(rows):
                mine[i, lo:hi] = True
            assert_array_equal(mine, band_mask(n, m, (radius, slope)))


@pytest.mark.parametrize("slope", SLOPES + [1.2, 7.3])
def test_mask_is_tslearns(slope):
    metrics = pytest.importorskip("tslearn.metrics")
    for n in range(1, 30):
        for m in range(1, 30):
            try:
                ref = metrics.itakura_mask(n, m, slope)
            except RuntimeWarning:  # tslearn: no admissible path
                with pytest.raises(ValueError, match="too unequal"):
                    band_rows(n, m, _check_band(None, slope))
                continue
            assert_array_equal(band_mask(n, m, (None, slope)), ref)


def test_parameter_checks():
    x = np.arange(5.0)
    for bad in (0.5, 0.0, -2.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="itakura_max_slope must be a finite number >= 1"):
            sk.soft_dtw(x, x, itakura_max_slope=bad)
    for bad in ("2", True, [2.0]):
        with pytest.raises(TypeError, match="itakura_max_slope"):
            sk.dtw(x, x, itakura_max_slope=bad)
    with pytest.raises(ValueError, match=r"lengths 4 and 20 fits itakura_max_slope=2"):
        sk.soft_dtw(np.ones(4), np.ones(20), itakura_max_slope=2.0)
    with pytest.raises(ValueError, match=r"lengths 3 and 9 fits itakura_max_slope=2"):
        sk.cdist_dtw([np.ones(3), np.ones(9)], itakura_max_slope=2.0)


# --------------------------------------------------------------------------
# Against tslearn
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(25))
def test_dtw_and_path_are_tslearns(seed):
    metrics = pytest.importorskip("tslearn.metrics")
    rng = np.random.RandomState(seed)
    slope = SLOPES[seed % 3]
    x, y = _random_pair(rng, 2, 60, slope, d=1 + seed % 2)
    kw = dict(global_constraint="itakura", itakura_max_slope=slope)
    assert_allclose(sk.dtw(x, y, itakura_max_slope=slope), metrics.dtw(x, y, **kw) ** 2,
                    rtol=1e-10)
    path, value = sk.dtw_path(x, y, itakura_max_slope=slope)
    ref_path, ref_value = metrics.dtw_path(x, y, **kw)
    assert path == ref_path
    assert_allclose(value, ref_value ** 2, rtol=1e-10)


@pytest.mark.parametrize("equal", [True, False])
def test_cdist_dtw_is_tslearns(equal):
    metrics = pytest.importorskip("tslearn.metrics")
    rng = np.random.RandomState(3)
    lengths = [40] * 6 if equal else [30, 34, 38, 40, 44, 50]
    X = [rng.randn(n, 1) for n in lengths]
    ours = sk.cdist_dtw(X if not equal else np.array(X), itakura_max_slope=2.0)
    ref = np.array([[metrics.dtw(a, b, global_constraint="itakura", itakura_max_slope=2.0)
                     for b in X] for a in X]) ** 2
    assert_allclose(ours, ref, rtol=1e-10)


# --------------------------------------------------------------------------
# Oracles: brute force, DP, gamma -> 0, finite differences
# --------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [1e-2, 0.3, 1.0, 10.0])
@pytest.mark.parametrize("band", [(None, 1.5), (None, 2.0), (None, 3.0), (1, 2.0), (0, 3.0)])
def test_soft_dtw_is_brute_force(gamma, band):
    rng = np.random.RandomState(int(gamma * 100) + len(str(band)))
    radius, slope = band
    for _ in range(3):
        x, y = _random_pair(rng, 1, 6, slope, radius=radius)
        kw = dict(sakoe_chiba_radius=radius, itakura_max_slope=slope)
        value, E_ref = brute_force_soft_dtw(sq_euclidean_cost(x, y), gamma, band)
        assert_allclose(sk.soft_dtw(x, y, gamma, **kw), value, rtol=1e-10, atol=1e-12)
        E, v = sk.soft_dtw_alignment(x, y, gamma, **kw)
        assert_allclose(E, E_ref, rtol=1e-8, atol=1e-12)
        E, v = sk.soft_dtw_alignment_from_cost(sq_euclidean_cost(x, y), gamma, **kw)
        assert_allclose(E, E_ref, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("slope", SLOPES)
def test_batches_are_the_dp_and_one_pair(strategy, slope, monkeypatch):
    """Values and gradients of batches (by rows, log domain, lanes) equal the
    plain DP's and the one-pair functions'."""
    rng = np.random.RandomState(int(slope * 10))
    n, m, gamma = 24, 30, 0.5
    X, Y = rng.randn(20, n, 2), rng.randn(20, m, 2)
    values, gX, gY = sk.soft_dtw_batch(X, Y, gamma, itakura_max_slope=slope,
                                       return_grad="both")
    monkeypatch.setenv("SKSOFTDTW_STRATEGY", strategy)
    forced = sk.soft_dtw_batch(X, Y, gamma, itakura_max_slope=slope, return_grad="both")
    forced_values = sk.soft_dtw_batch(X, Y, gamma, itakura_max_slope=slope)
    monkeypatch.delenv("SKSOFTDTW_STRATEGY")
    for k in range(3):
        value, E = dp_soft_dtw_alignment(sq_euclidean_cost(X[k], Y[k]), gamma, (None, slope))
        assert_allclose(values[k], value, rtol=1e-10)
        v, g = sk.soft_dtw_value_and_grad(X[k], Y[k], gamma, itakura_max_slope=slope)
        assert_allclose(gX[k], g, rtol=1e-9, atol=1e-12)
    for a, b in zip((values, gX, gY), forced):
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert_allclose(forced_values, values, rtol=1e-10)


@pytest.mark.parametrize("slope", SLOPES)
def test_gradient_is_finite_differences(slope):
    rng = np.random.RandomState(int(slope * 7))
    x, y = _random_pair(rng, 5, 12, slope, d=2)
    value, grad = sk.soft_dtw_value_and_grad(x, y, 0.7, itakura_max_slope=slope)
    fd = central_diff(lambda z: sk.soft_dtw(z, y, 0.7, itakura_max_slope=slope), x, 1e-6)
    assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("slope", SLOPES)
def test_soft_dtw_tends_to_dtw(slope):
    rng = np.random.RandomState(int(slope * 3))
    x, y = _random_pair(rng, 10, 40, slope)
    hard = dtw_xy(x, y, (None, slope))
    assert_allclose(sk.dtw(x, y, itakura_max_slope=slope), hard, rtol=1e-12)
    gaps = [abs(sk.soft_dtw(x, y, g, itakura_max_slope=slope) - hard) for g in (1e-1, 1e-2, 1e-3)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-2


def test_divergence_and_batch_from_cost():
    rng = np.random.RandomState(5)
    x, y = rng.randn(20, 1), rng.randn(25, 1)
    kw = dict(itakura_max_slope=2.0)
    assert_allclose(sk.soft_dtw_divergence(x, y, 0.5, **kw),
                    sk.soft_dtw(x, y, 0.5, **kw) - 0.5 * (sk.soft_dtw(x, x, 0.5, **kw)
                                                           + sk.soft_dtw(y, y, 0.5, **kw)))
    D = np.zeros((2, 25, 30))
    D[0, :20, :25] = sq_euclidean_cost(x, y)
    D[1] = rng.rand(25, 30)
    values, E = sk.soft_dtw_batch_from_cost(D, 0.5, lengths=[[20, 25], [25, 30]],
                                            return_alignment=True, **kw)
    assert_allclose(values[0], sk.soft_dtw(x, y, 0.5, **kw), rtol=1e-12)
    E1, v1 = sk.soft_dtw_alignment_from_cost(D[1], 0.5, **kw)
    assert_allclose(E[1], E1, rtol=1e-12)
    assert not E[1][~band_mask(25, 30, (None, 2.0))].any()


# --------------------------------------------------------------------------
# Nearest neighbours: bounds valid in the parallelogram, exact search
# --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(30))
def test_bounds_never_exceed_dtw(seed):
    rng = np.random.RandomState(seed)
    slope, radius = SLOPES[seed % 3], [None, 2][seed % 2]
    x, y = _random_pair(rng, 2, 14, slope, d=1 + seed % 2, radius=radius)
    n, m, d = len(x), len(y), x.shape[1]
    band = _check_band(radius, slope)
    true = dtw_xy(x, y, (radius, slope))
    for bound in nf.pair_bounds(x, y, *band):
        assert bound <= true * (1 + 4 * (n + m + 1) * d * np.finfo(float).eps)
    assert_allclose(nf.pair_dtw(x, y, *band, np.inf), true, rtol=1e-13)


@pytest.mark.parametrize("radius", [None, 3])
def test_kneighbors_is_brute_force(radius):
    rng = np.random.RandomState(1)
    lengths = rng.randint(20, 29, 40)
    X = [np.cumsum(rng.randn(n, 1), axis=0) for n in lengths]
    y = rng.randint(0, 2, 40)
    kw = dict(sakoe_chiba_radius=radius, itakura_max_slope=1.5)
    clf = KNeighborsTimeSeriesClassifier(n_neighbors=3, **kw).fit(X[:30], y[:30])
    dist, ind = clf.kneighbors(X[30:])
    D = sk.cdist_dtw(X[30:], X[:30], **kw)
    ref = np.argsort(D, axis=1, kind="stable")[:, :3]
    assert_array_equal(ind, ref)
    assert_allclose(dist, np.take_along_axis(D, ref, axis=1), rtol=1e-12)


# --------------------------------------------------------------------------
# Estimators and the PyTorch loss
# --------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimators_take_the_slope():
    rng = np.random.RandomState(0)
    X = np.concatenate([rng.randn(6, 16, 1), 3 + rng.randn(6, 16, 1)])
    search = GridSearchCV(sk.SoftDTWKMeans(n_clusters=2, max_iter=3, max_iter_barycenter=5,
                                           random_state=0),
                          {"itakura_max_slope": [None, 1.5, 3.0]}, cv=2).fit(X)
    assert search.best_params_["itakura_max_slope"] in (None, 1.5, 3.0)
    km = sk.DTWKMeans(n_clusters=2, max_iter=3, itakura_max_slope=2.0, random_state=0).fit(X)
    assert_allclose(km.transform(X[:2]),
                    sk.cdist_dtw(X[:2], km.cluster_centers_, itakura_max_slope=2.0))
    bar = sk.SoftDTWBarycenter(gamma=0.5, max_iter=5, itakura_max_slope=2.0).fit(X[:6])
    Z = bar.barycenter_
    assert_allclose(bar.transform(X[:6])[:, 0],
                    sk.soft_dtw_batch([Z] * 6, X[:6], 0.5, itakura_max_slope=2.0))
    with pytest.raises(ValueError, match="itakura_max_slope"):
        sk.SoftDTWBarycenter(itakura_max_slope=0.5).fit(X)


def test_torch_loss_takes_the_slope():
    torch = pytest.importorskip("torch")
    from sksoftdtw.torch import SoftDTWLoss, soft_dtw_alignment

    rng = np.random.RandomState(2)
    x, y = rng.randn(4, 12, 2), rng.randn(4, 16, 2)
    xt = torch.tensor(x, requires_grad=True)
    loss = SoftDTWLoss(gamma=0.5, reduction="sum", itakura_max_slope=2.0)
    loss(xt, torch.tensor(y)).backward()
    values, gX = sk.soft_dtw_batch(x, y, 0.5, itakura_max_slope=2.0, return_grad="x")
    assert_allclose(float(loss(xt, torch.tensor(y)).detach()), values.sum(), rtol=1e-12)
    assert_allclose(xt.grad.numpy(), gX, rtol=1e-10, atol=1e-12)
    E, v = soft_dtw_alignment(torch.tensor(x), torch.tensor(y), 0.5, itakura_max_slope=2.0)
    assert not E.numpy()[:, ~band_mask(12, 16, (None, 2.0))].any()


def test_barycenters_descend_in_the_parallelogram():
    """DBA and the soft-DTW barycenter lower their objective under the
    parallelogram from the Euclidean mean, and keep to it (the objective of the
    result is finite and computed in the same parallelogram)."""
    rng = np.random.RandomState(4)
    X = np.cumsum(rng.randn(5, 20, 1), axis=1)
    mean = X.mean(axis=0)

    def loss(Z):
        return sk.soft_dtw_batch([Z] * 5, X, 0.0, itakura_max_slope=2.0).mean()

    Z = sk.dtw_barycenter_averaging(X, itakura_max_slope=2.0)
    assert loss(Z) <= loss(mean)
    Z = sk.softdtw_barycenter(X, gamma=0.1, itakura_max_slope=2.0, max_iter=30)
    assert loss(Z) < loss(mean)


def test_more_estimators_take_the_slope():
    from sksoftdtw.neural_network import MLPRegressor

    rng = np.random.RandomState(6)
    X, y = rng.randn(20, 12, 1), rng.randint(0, 2, 20)
    search = GridSearchCV(KNeighborsTimeSeriesClassifier(n_neighbors=1),
                          {"itakura_max_slope": [None, 2.0]}, cv=2).fit(X, y)
    assert search.best_params_["itakura_max_slope"] in (None, 2.0)
    Xf, Y = rng.randn(20, 3), rng.randn(20, 10)
    mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, gamma=0.5,
                       itakura_max_slope=1.5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        mlp.fit(Xf, Y)
    with pytest.raises(ValueError, match="itakura_max_slope"):
        MLPRegressor(itakura_max_slope=0.5).fit(Xf, Y)


@pytest.mark.parametrize("slope", [None, 1.5, 2.0])
@pytest.mark.parametrize("radius", [None, 2])
@pytest.mark.parametrize("gamma", [0.1, 1.0])
def test_second_order_respects_the_parallelogram(slope, radius, gamma):
    """The second-order kernels keep to the same cells as the first-order ones:
    the sharp value is <E, C> of the first-order expected alignment, and the
    Hessian-vector product the central difference of the first-order gradient,
    whatever the content of their scratch memory outside the band."""
    from sksoftdtw import sharp_soft_dtw, soft_dtw_hessian_product
    from sksoftdtw._engine.pairs import wavefront_work

    wavefront_work(2**16).fill(np.nan)  # the weights of cells never written
    rng = np.random.default_rng(int(10 * (slope or 0)) + (radius or 0))
    x, y, v = rng.normal(size=(9, 2)), rng.normal(size=(11, 2)), rng.normal(size=(9, 2))
    band = dict(sakoe_chiba_radius=radius, itakura_max_slope=slope)
    E, _ = sk.soft_dtw_alignment(x, y, gamma, **band)
    C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    assert sharp_soft_dtw(x, y, gamma, **band) == pytest.approx(float((E * C).sum()),
                                                                 rel=1e-10)
    h = 1e-5

    def grad(z):
        return sk.soft_dtw_value_and_grad(z, y, gamma, **band)[1]

    np.testing.assert_allclose(soft_dtw_hessian_product(x, y, gamma, v, **band),
                               (grad(x + h * v) - grad(x - h * v)) / (2 * h),
                               rtol=1e-5, atol=1e-6)

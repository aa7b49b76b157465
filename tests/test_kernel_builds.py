"""Every kernel build this CPU can run gives the results of the baseline build."""
import importlib

import numpy as np
import pytest
from _oracles import hard_dtw_path, sq_euclidean_cost

from sksoftdtw._engine import kernels as _kernels
from sksoftdtw._openmp_helpers import cpu_has
from sksoftdtw._engine.planner import lane_groups
from sksoftdtw.utils import check_dataset


def _runnable_builds():
    builds = []
    for isa, features in _kernels._BUILDS:
        if not all(cpu_has(f) for f in features):
            continue
        try:
            builds.append(importlib.import_module(f"sksoftdtw._soft_dtw_fast_{isa}"))
        except ImportError:
            pass
    return builds


BASELINE = importlib.import_module("sksoftdtw._soft_dtw_fast")


def test_selected_build_is_runnable():
    assert _kernels.fast in _runnable_builds() + [BASELINE]


@pytest.mark.parametrize("build", _runnable_builds(), ids=lambda m: m.__name__)
@pytest.mark.parametrize("gamma", [0.0, 0.01, 1.0])
@pytest.mark.parametrize("d", [1, 3])
def test_builds_agree(build, gamma, d):
    rng = np.random.default_rng(0)
    X = check_dataset([rng.standard_normal((sz, d)) for sz in (7, 7, 9, 12, 7, 9)] * 4)
    pi, pj = (a.ravel().astype(np.intp) for a in np.meshgrid(np.arange(X.n_ts),
                                                              np.arange(X.n_ts)))
    order, starts = lane_groups(X.lengths[pi], X.lengths[pj])
    ref, out = np.empty(len(pi)), np.empty(len(pi))
    BASELINE.pairs_value(X.data, X.offsets, X.data, X.offsets, pi[order], pj[order],
                         gamma, 2, 0.0, gamma > 0, 1, ref)
    build.groups_value(X.data, X.offsets, X.data, X.offsets, pi[order], pj[order],
                       starts, gamma, 2, 0.0, 2, out)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    values, gX, gY = (np.empty(X.n_ts), np.zeros_like(X.data), np.zeros_like(X.data))
    ref_values, ref_gX, ref_gY = (np.empty(X.n_ts), np.zeros_like(X.data), np.zeros_like(X.data))
    Y = check_dataset(list(reversed([X.series(k) for k in range(X.n_ts)])))
    BASELINE.batch_value_grad(X.data, X.offsets, Y.data, Y.offsets, gamma, -1, 0.0, True, 1,
                              ref_values, ref_gX, ref_gY)
    build.batch_value_grad(X.data, X.offsets, Y.data, Y.offsets, gamma, -1, 0.0, True, 2,
                           values, gX, gY)
    np.testing.assert_allclose(values, ref_values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gX, ref_gX, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(gY, ref_gY, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("build", _runnable_builds() + [BASELINE], ids=lambda m: m.__name__)
@pytest.mark.parametrize("gamma", [1e-3, 1.0, 1e3])
@pytest.mark.parametrize("radius", [0, 1, 5, -1])
@pytest.mark.parametrize("shape", [(6, 6), (4, 9), (9, 4), (1, 7), (7, 1), (2, 2)])
@pytest.mark.parametrize("d", [1, 9])
def test_lanes_values_equal_rows_in_any_band(build, gamma, radius, shape, d):
    """The lane step (cells in registers along a row, boundary and out-of-band
    cells as zeros) gives the row kernel's values, for the narrowest bands of
    unequal lengths too, and never a NaN; at d = 9 with the costs computed
    several rows at a time, over the union of their bands."""
    rng = np.random.default_rng(2)
    n, m = shape
    X = check_dataset([rng.standard_normal((n, d)) for _ in range(16)])
    Y = check_dataset([rng.standard_normal((m, d)) for _ in range(16)])
    idx = np.arange(16, dtype=np.intp)
    ref, out = np.empty(16), np.empty(16)
    BASELINE.pairs_value(X.data, X.offsets, Y.data, Y.offsets, idx, idx, gamma, radius,
                         0.0, False, 1, ref)
    build.groups_value(X.data, X.offsets, Y.data, Y.offsets, idx, idx,
                       np.array([0, 16], dtype=np.intp), gamma, radius, 0.0, 1, out)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("build", _runnable_builds() + [BASELINE], ids=lambda m: m.__name__)
@pytest.mark.parametrize("gamma", [1e-3, 0.1, 10.0, 1e3])
@pytest.mark.parametrize("radius", [-1, 3])
@pytest.mark.parametrize("wanted", ["x", "y", "both"])
@pytest.mark.parametrize("block", [1, 4, 100])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d", [2, 9])
def test_lanes_gradients_equal_rows(build, gamma, radius, wanted, block, dtype, d):
    """Pairs in SIMD lanes (groups of equal lengths, a partial group among
    them) give the values and gradients of the row kernel, pair by pair,
    with the weights of every row or of blocks of rows (recomputed from
    checkpoints), in float64 and in float32 (to float32 precision); a gradient
    not wanted (an empty output) is not computed. Dimension 9 takes the
    gradients' dimensions in blocks and one by one in every build, and the
    costs several rows at a time."""
    rng = np.random.default_rng(1)
    lengths = [(12, 9)] * 20 + [(5, 5)] * 3 + [(1, 4)] * 2
    X = check_dataset([rng.standard_normal((n, d)) for n, _ in lengths])
    Y = check_dataset([3 * rng.standard_normal((m, d)) for _, m in lengths])
    # the same data in both dtypes
    X = X._replace(data=X.data.astype(dtype).astype(np.float64))
    Y = Y._replace(data=Y.data.astype(dtype).astype(np.float64))
    order = np.arange(len(lengths), dtype=np.intp)
    starts = np.array([0, 16, 20, 23, 25], dtype=np.intp)
    ref, out = np.empty(len(lengths)), np.empty(len(lengths), dtype)
    ref_gX, ref_gY = np.zeros_like(X.data), np.zeros_like(Y.data)
    gX = np.full(X.data.shape if wanted != "y" else (0, d), np.nan, dtype)
    gY = np.full(Y.data.shape if wanted != "x" else (0, d), np.nan, dtype)
    BASELINE.batch_value_grad(X.data, X.offsets, Y.data, Y.offsets, gamma, radius, 0.0, True,
                              1, ref, ref_gX, ref_gY)
    build.groups_value_grad(X.data.astype(dtype), X.offsets, Y.data.astype(dtype), Y.offsets,
                            order, starts, gamma, radius, 0.0, block, 2, out, gX, gY)
    # float32: about 2^-24 relative per cell of the path, in units of gamma
    # on the values; the gradients to 1e-5 of their largest entry
    float64 = dtype == np.float64
    np.testing.assert_allclose(out, ref, rtol=1e-10 if float64 else 1e-5,
                               atol=1e-12 if float64 else 1e-5 * gamma)
    for wants, g, ref_g in (("x", gX, ref_gX), ("y", gY, ref_gY)):
        if wanted in (wants, "both"):
            np.testing.assert_allclose(g, ref_g, rtol=1e-8 if float64 else 1e-4,
                                       atol=1e-10 if float64 else 1e-5 * np.abs(ref_g).max())


@pytest.mark.parametrize("build", _runnable_builds() + [BASELINE], ids=lambda m: m.__name__)
@pytest.mark.parametrize("radius", [-1, 0, 3])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("wanted", ["x", "y", "both"])
def test_lanes_hard_paths_equal_rows(build, radius, ties, wanted):
    """Hard DTW in SIMD lanes (groups of equal lengths, a partial group, and
    without a band a group of different lengths, padded) gives the values and
    gradients of the same build's row kernel, the same path among ties, and the number of
    points aligned to each point of X along the oracle's optimal path."""
    rng = np.random.default_rng(3)
    lengths = [(12, 9)] * 20 + [(5, 5)] * 3 + [(1, 4)] * 2
    starts = [0, 16, 20, 23, 25]
    if radius < 0:
        lengths += [(int(n), int(m)) for n, m in rng.integers(1, 15, (13, 2))]
        starts.append(len(lengths))
    X = [rng.standard_normal((n, 2)) for n, _ in lengths]
    Y = [3 * rng.standard_normal((m, 2)) for _, m in lengths]
    if ties:  # small integers: many equal costs and equal paths
        X, Y = [np.round(x) for x in X], [np.round(y) for y in Y]
    Xd, Yd = check_dataset(X), check_dataset(Y)
    order = np.arange(len(lengths), dtype=np.intp)
    ref, out = np.empty(len(lengths)), np.empty(len(lengths))
    ref_gX, ref_gY = np.zeros_like(Xd.data), np.zeros_like(Yd.data)
    gX = np.full_like(Xd.data, np.nan) if wanted != "y" else np.zeros((0, 2))
    gY = np.full_like(Yd.data, np.nan) if wanted != "x" else np.zeros((0, 2))
    counts = np.full(len(Xd.data), np.nan)
    build.batch_value_grad(Xd.data, Xd.offsets, Yd.data, Yd.offsets, 0.0, radius, 0.0, False,
                           1, ref, ref_gX, ref_gY)
    build.groups_hard_paths(Xd.data, Xd.offsets, Yd.data, Yd.offsets, order,
                            np.array(starts, dtype=np.intp), radius, 0.0, 2, out, gX, gY,
                            counts)
    np.testing.assert_allclose(out, ref, rtol=1e-14)  # (FMA or not in the cost)
    if wanted != "y":
        np.testing.assert_allclose(gX, ref_gX, rtol=1e-12, atol=1e-12)
    if wanted != "x":
        np.testing.assert_allclose(gY, ref_gY, rtol=1e-12, atol=1e-12)
    for k, (x, y) in enumerate(zip(X, Y)):
        _, path = hard_dtw_path(sq_euclidean_cost(x, y), None if radius < 0 else radius)
        np.testing.assert_array_equal(counts[Xd.offsets[k]:Xd.offsets[k + 1]],
                                      np.bincount(np.array(path)[:, 0], minlength=len(x)))


@pytest.mark.parametrize("build", _runnable_builds() + [BASELINE], ids=lambda m: m.__name__)
@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 7, 2), (9, 1, 1), (70, 65, 1), (64, 90, 3)])
@pytest.mark.parametrize("gamma", [0.0, 1e-3, 0.1, 10.0, 1e3])
@pytest.mark.parametrize("ties", [False, True])
def test_wavefront_equals_rows(build, shape, gamma, ties):
    """The anti-diagonal order of one pair gives the value and gradients of the
    row order; at gamma = 0 the same subgradient (same choice among ties)."""
    n, m, d = shape
    rng = np.random.default_rng(n * m)
    x, y = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    if ties:  # small integers: many equal costs and equal paths
        x, y = np.round(2 * x), np.round(2 * y)
    X, Y = check_dataset(x[None]), check_dataset(y[None])
    ref = np.empty(1)
    ref_gx, ref_gy = np.zeros_like(x), np.zeros_like(y)
    BASELINE.batch_value_grad(X.data, X.offsets, Y.data, Y.offsets, gamma, -1, 0.0, gamma > 0, 1,
                              ref, ref_gx, ref_gy)
    assert build.wavefront_value(x, y, gamma) == pytest.approx(ref[0], rel=1e-12, abs=1e-12)
    # The work buffer may hold anything, and be larger than needed.
    work = np.full(2 * build.wavefront_work_size(X.offsets, Y.offsets, d) + 5, np.nan)
    value, gx, gy = np.empty(1), np.full_like(x, np.nan), np.full_like(y, np.nan)
    build.batch_wavefront_value_grad(X.data, X.offsets, Y.data, Y.offsets, gamma, 2, work,
                                     value, gx, gy)
    assert value[0] == pytest.approx(ref[0], rel=1e-12, abs=1e-12)
    scale = max(np.abs(ref_gx).max(), np.abs(ref_gy).max(), 1.0)
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(gy, ref_gy, rtol=1e-9, atol=1e-12 * scale)
    # The same recursion on the stored cost matrix, with every entry of E.
    D = BASELINE.cost_matrix(x, y)
    ref_value, ref_E = _batch_cost(BASELINE, D, gamma, wavefront=False)
    value, E = _batch_cost(build, D, gamma, wavefront=True)
    assert value == pytest.approx(ref_value, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(E, ref_E, rtol=1e-9, atol=1e-12)


def _batch_cost(build, D, gamma, wavefront):
    """Value and E of one cost matrix by `batch_cost` of ``build``, order forced."""
    lengths = np.array([D.shape], dtype=np.intp)
    flag = np.array([wavefront], dtype=np.uint8)
    work = np.full(build.wavefront_cost_work_size(lengths, flag), np.nan)
    value, E = np.empty(1), np.zeros((1,) + D.shape)
    build.batch_cost(D[None], lengths, gamma, -1, 0.0, np.array([gamma > 0], dtype=np.uint8), flag,
                     1, work, value, E)
    return value[0], E[0]


@pytest.mark.parametrize("threads", [1, 2])
def test_wavefront_batch_of_many_lengths(threads):
    """Pairs of many lengths in one call: each equals its own row-order result."""
    rng = np.random.default_rng(3)
    X = check_dataset([rng.standard_normal((n, 2)) for n in (80, 3, 64, 150, 1)])
    Y = check_dataset([rng.standard_normal((m, 2)) for m in (70, 90, 1, 64, 5)])
    ref, ref_gX, ref_gY = np.empty(5), np.zeros_like(X.data), np.zeros_like(Y.data)
    BASELINE.batch_value_grad(X.data, X.offsets, Y.data, Y.offsets, 0.3, -1, 0.0, True, 1,
                              ref, ref_gX, ref_gY)
    work = np.full(threads * BASELINE.wavefront_work_size(X.offsets, Y.offsets, 2), np.inf)
    values, gX, gY = np.empty(5), np.empty_like(X.data), np.empty_like(Y.data)
    BASELINE.batch_wavefront_value_grad(X.data, X.offsets, Y.data, Y.offsets, 0.3, threads,
                                        work, values, gX, gY)
    np.testing.assert_allclose(values, ref, rtol=1e-12)
    np.testing.assert_allclose(gX, ref_gX, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gY, ref_gY, rtol=1e-9, atol=1e-12)


def test_wavefront_rejects_a_short_work_buffer():
    X = check_dataset(np.zeros((1, 3, 1)))
    size = BASELINE.wavefront_work_size(X.offsets, X.offsets, 1)
    with pytest.raises(ValueError, match="work"):
        BASELINE.batch_wavefront_value_grad(X.data, X.offsets, X.data, X.offsets, 1.0, 2,
                                            np.empty(2 * size - 1), np.empty(1),
                                            np.empty((3, 1)), np.empty((3, 1)))


@pytest.mark.parametrize("build", _runnable_builds() + [BASELINE], ids=lambda m: m.__name__)
@pytest.mark.parametrize("gamma", [1e-2, 0.5, 1e2])
@pytest.mark.parametrize("radius", [-1, 2])
@pytest.mark.parametrize("block", [1, 3, 100])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("want_E", [False, True])
def test_cost_lanes_equal_rows(build, gamma, radius, block, dtype, want_E):
    """Cost matrices in SIMD lanes (groups of equal lengths in a padded batch,
    a partial group among them) give the values and expected alignments of
    the row kernel, pair by pair, to the precision of their dtype; nothing
    is written outside each pair's block."""
    rng = np.random.default_rng(4)
    lengths = np.array([(9, 7)] * 35 + [(4, 6)] * 3 + [(1, 5)] * 2, dtype=np.intp)
    D = (2.0 * rng.standard_normal((len(lengths), 9, 8)) ** 2).astype(dtype)
    D64 = D.astype(np.float64)
    order, starts = lane_groups(lengths[:, 0], lengths[:, 1], dtype=np.dtype(dtype).name)
    ref, ref_E = np.empty(len(D)), np.zeros(D.shape)
    flags = np.zeros(len(D), dtype=np.uint8)
    work = np.empty(BASELINE.wavefront_cost_work_size(lengths, flags))
    BASELINE.batch_cost(D64, lengths, gamma, radius, 0.0, flags + 1, flags, 1, work, ref,
                        ref_E)
    out = np.empty(len(D), dtype)
    E = np.zeros(D.shape if want_E else (0, 0, 0), dtype)
    build.groups_cost(D, lengths, order, starts, gamma, radius, 0.0, block, 2, out, E)
    float64 = dtype == np.float64
    np.testing.assert_allclose(out, ref, rtol=1e-10 if float64 else 1e-5,
                               atol=1e-12 if float64 else 1e-5 * gamma)
    if want_E:
        np.testing.assert_allclose(E, ref_E, rtol=0, atol=1e-10 if float64 else 1e-5)

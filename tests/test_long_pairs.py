"""The segmented backward pass of long pairs gives the results of the full one."""
import numpy as np
import pytest

from sksoftdtw import soft_dtw_alignment, soft_dtw_batch
from sksoftdtw._engine.kernels import fast


@pytest.fixture(params=[20, 60])
def small_segments(request):
    # 20 cells: one row per segment; 60: several rows per segment
    previous = fast.set_max_full_cells(request.param)
    yield
    fast.set_max_full_cells(previous)


def _reference(X, Y, gamma, radius):
    return soft_dtw_batch(X, Y, gamma, sakoe_chiba_radius=radius, return_grad="both")


@pytest.mark.parametrize("gamma", [0.0, 0.1, 1e-12])
@pytest.mark.parametrize("radius", [None, 2])
@pytest.mark.parametrize("shape", [(17, 13), (13, 17), (1, 9), (25, 1)])
def test_segmented_equals_full(small_segments, gamma, radius, shape):
    rng = np.random.default_rng(0)
    n, m = shape
    # different lengths in one batch, so the scalar kernel (not the lanes) runs
    X = [rng.standard_normal((n, 2)) * (1e4 if gamma == 1e-12 else 1), rng.standard_normal((3, 2))]
    Y = [rng.standard_normal((m, 2)), rng.standard_normal((4, 2))]
    previous = fast.set_max_full_cells(10**9)
    ref = _reference(X, Y, gamma, radius)
    E_ref, v_ref = soft_dtw_alignment(X[0], Y[0], gamma, sakoe_chiba_radius=radius)
    fast.set_max_full_cells(previous)
    out = _reference(X, Y, gamma, radius)
    E, v = soft_dtw_alignment(X[0], Y[0], gamma, sakoe_chiba_radius=radius)
    np.testing.assert_allclose(out[0], ref[0], rtol=1e-13)
    for got, want in zip(out[1:], ref[1:]):
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(E, E_ref, rtol=1e-10, atol=1e-13)
    assert v == pytest.approx(v_ref, rel=1e-13)


@pytest.mark.parametrize("shape", [(64, 70), (90, 64)])
def test_one_long_pair_by_anti_diagonals(shape):
    """A single long pair takes the anti-diagonal gradient: same result as rows
    with checkpoints, central finite differences, and a reused buffer."""
    from sksoftdtw import soft_dtw, soft_dtw_value_and_grad

    rng = np.random.default_rng(1)
    n, m = shape
    x, y = rng.standard_normal((n, 2)), rng.standard_normal((m, 2))
    big = rng.standard_normal((120, 2))
    soft_dtw_value_and_grad(big, big, 0.5)  # leaves a larger buffer behind
    value, grad = soft_dtw_value_and_grad(x, y, 0.5)
    gy = soft_dtw_batch(x[None], y[None], 0.5, return_grad="y")[1][0]
    previous = fast.set_max_full_cells(n * m - 1)  # rows, with checkpoints
    try:
        ref_value, ref_gx, ref_gy = soft_dtw_batch(x[None], y[None], 0.5, return_grad="both")
    finally:
        fast.set_max_full_cells(previous)
    assert value == pytest.approx(ref_value[0], rel=1e-13)
    np.testing.assert_allclose(grad, ref_gx[0], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(gy, ref_gy[0], rtol=1e-10, atol=1e-13)
    h = 1e-5
    for i, k in [(0, 0), (n // 2, 1), (n - 1, 0)]:
        xp, xm = x.copy(), x.copy()
        xp[i, k] += h
        xm[i, k] -= h
        fd = (soft_dtw(xp, y, 0.5) - soft_dtw(xm, y, 0.5)) / (2 * h)
        assert grad[i, k] == pytest.approx(fd, rel=1e-6, abs=1e-8)


def test_batch_gradients_of_long_pairs_keep_checkpoints_not_every_cell():
    # Pairs above the checkpoint size (lowered here to 2^16 cells) skip the
    # anti-diagonals; in lanes, 16 pairs of length 1000 would keep 256 bytes for
    # each of their 1e6 cells, 256 MB; rows with checkpoints take a few MB.
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import resource
        import numpy as np
        from sksoftdtw import soft_dtw_batch
        from sksoftdtw._engine.kernels import fast
        fast.set_max_full_cells(2**16)
        rng = np.random.default_rng(0)
        X, Y = rng.standard_normal((16, 1000, 1)), rng.standard_normal((16, 1000, 1))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        values, grad = soft_dtw_batch(X, Y, 1.0, return_grad="x")
        assert np.isfinite(grad).all()
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, timeout=600).stdout
    assert int(out) < 100 * 1024, f"peak memory grew by {int(out) / 1024:.0f} MB"


@pytest.mark.parametrize("max_cells", [1, 7, 150, 2000])
@pytest.mark.parametrize("gamma", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("shape", [(64, 70, 1), (90, 64, 3), (200, 65, 2), (70, 300, 1)])
def test_checkpointed_anti_diagonals_equal_full(max_cells, gamma, shape):
    """Beyond MAX_FULL_CELLS a long pair keeps a checkpoint every few
    anti-diagonals (one when the size is tiny) and recomputes the weights
    segment by segment: the full pass's value and gradients, bit for bit, and
    central finite differences."""
    from sksoftdtw import soft_dtw
    from sksoftdtw._engine import planner as _plan

    n, m, d = shape
    rng = np.random.default_rng(n + m + d)
    x, y = rng.standard_normal((n, d)), rng.standard_normal((m, d))

    def value_grads():
        return soft_dtw_batch(x[None], y[None], gamma, return_grad="both")

    plan = _plan.explain(value_grads)
    assert plan[:3] == ("antidiagonals", "hard" if gamma == 0 else "exp", "full")
    ref_value, ref_gx, ref_gy = value_grads()
    previous = fast.set_max_full_cells(max_cells)
    try:
        plan = _plan.explain(value_grads)
        value, gx, gy = value_grads()
    finally:
        fast.set_max_full_cells(previous)
    assert plan[:3] == ("antidiagonals", "hard" if gamma == 0 else "exp", "checkpointed")
    np.testing.assert_array_equal(value, ref_value)
    np.testing.assert_array_equal(gx, ref_gx)
    np.testing.assert_array_equal(gy, ref_gy)
    if gamma > 0:
        h = 1e-5
        for i, k in [(0, 0), (n // 2, d - 1), (n - 1, 0)]:
            xp, xm = x.copy(), x.copy()
            xp[i, k] += h
            xm[i, k] -= h
            fd = (soft_dtw(xp, y, gamma) - soft_dtw(xm, y, gamma)) / (2 * h)
            assert gx[0][i, k] == pytest.approx(fd, rel=1e-6, abs=1e-8)

"""The segmented backward pass of long pairs gives the results of the full one."""
import numpy as np
import pytest

from sksoftdtw import soft_dtw_alignment, soft_dtw_batch
from sksoftdtw._kernels import fast


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

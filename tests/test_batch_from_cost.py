"""soft_dtw_batch_from_cost: a batch of (padded) cost matrices in one call."""
import numpy as np
import pytest
from _oracles import brute_force_soft_dtw, dp_soft_dtw, dp_soft_dtw_alignment, hard_dtw_path

import sksoftdtw as sk

# Blocks small enough for the row kernels and long enough for the
# anti-diagonal ones (from length 64), in one padded batch.
LENGTHS = np.array([[70, 80], [3, 4], [1, 1], [80, 64], [5, 1], [64, 77]])


def padded_batch(lengths, seed, fill=np.nan, scale=3.0):
    """Random costs (negative ones included) in blocks, ``fill`` elsewhere."""
    rng = np.random.default_rng(seed)
    n, m = lengths.max(axis=0)
    D = np.full((len(lengths), n, m), fill)
    for k, (a, b) in enumerate(lengths):
        D[k, :a, :b] = scale * rng.standard_normal((a, b))
    return D


@pytest.mark.parametrize("gamma", [0.0, 0.01, 1.0, 10.0])
@pytest.mark.parametrize("radius", [None, 3])
@pytest.mark.parametrize("fill", [np.nan, np.inf])
def test_each_pair_is_its_block(gamma, radius, fill):
    """Every pair equals soft_dtw_from_cost on its block; the padding is never
    read and E is exactly 0 outside the blocks."""
    D = padded_batch(LENGTHS, seed=1, fill=fill)
    values, E = sk.soft_dtw_batch_from_cost(D, gamma, lengths=LENGTHS,
                                            sakoe_chiba_radius=radius, return_alignment=True)
    only_values = sk.soft_dtw_batch_from_cost(D, gamma, lengths=LENGTHS,
                                              sakoe_chiba_radius=radius)
    assert values.shape == (len(LENGTHS),) and E.shape == D.shape
    np.testing.assert_array_equal(only_values, values)
    for k, (n, m) in enumerate(LENGTHS):
        value, E_k = sk.soft_dtw_from_cost(D[k, :n, :m], gamma, sakoe_chiba_radius=radius)
        assert values[k] == value
        np.testing.assert_array_equal(E[k, :n, :m], E_k)
        outside = np.ones(D.shape[1:], dtype=bool)
        outside[:n, :m] = False
        assert not E[k][outside].any()


@pytest.mark.parametrize("gamma", [0.01, 1.0])
@pytest.mark.parametrize("radius", [None, 4])
def test_against_the_forward_backward_oracle(gamma, radius):
    """Values and E of blocks of both kernel orders against the plain recursion."""
    lengths = np.array([[64, 66], [9, 6], [66, 64]])
    D = padded_batch(lengths, seed=2)
    values, E = sk.soft_dtw_batch_from_cost(D, gamma, lengths=lengths,
                                            sakoe_chiba_radius=radius, return_alignment=True)
    for k, (n, m) in enumerate(lengths):
        ref_value, ref_E = dp_soft_dtw_alignment(D[k, :n, :m], gamma, radius)
        np.testing.assert_allclose(values[k], ref_value, rtol=1e-10)
        np.testing.assert_allclose(E[k, :n, :m], ref_E, atol=1e-9)


@pytest.mark.parametrize("gamma", [0.0, 0.1, 1.0, 100.0])
@pytest.mark.parametrize("radius", [None, 0, 1])
@pytest.mark.parametrize("seed", [0, 1])
def test_tiny_blocks_against_brute_force(gamma, radius, seed):
    """Enumerating every alignment of each block: value and E."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 5, size=(5, 2))
    D = padded_batch(lengths, seed=seed)
    values, E = sk.soft_dtw_batch_from_cost(D, gamma, lengths=lengths,
                                            sakoe_chiba_radius=radius, return_alignment=True)
    for k, (n, m) in enumerate(lengths):
        ref_value, ref_E = brute_force_soft_dtw(D[k, :n, :m], gamma, radius)
        np.testing.assert_allclose(values[k], ref_value, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(E[k, :n, :m], ref_E, atol=1e-12)


def test_hard_dtw_is_the_optimal_path():
    lengths = np.array([[70, 75], [6, 8]])
    D = padded_batch(lengths, seed=3)
    values, E = sk.soft_dtw_batch_from_cost(D, 0.0, lengths=lengths, return_alignment=True)
    for k, (n, m) in enumerate(lengths):
        ref_value, path = hard_dtw_path(D[k, :n, :m])
        ref_E = np.zeros((n, m))
        ref_E[tuple(np.array(path).T)] = 1.0
        np.testing.assert_allclose(values[k], ref_value, rtol=1e-12)
        np.testing.assert_array_equal(E[k, :n, :m], ref_E)


def test_huge_costs_fall_back_to_the_log_domain():
    """Costs too large for exact exp-domain exponents at a small gamma."""
    lengths = np.array([[70, 66], [7, 5]])
    D = padded_batch(lengths, seed=4, scale=1e10)
    values = sk.soft_dtw_batch_from_cost(D, 1e-3, lengths=lengths)
    for k, (n, m) in enumerate(lengths):
        np.testing.assert_allclose(values[k], dp_soft_dtw(D[k, :n, :m], 1e-3), rtol=1e-10)


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_threads_give_identical_results(gamma):
    lengths = np.tile(LENGTHS, (3, 1))
    D = padded_batch(lengths, seed=5)
    v1, E1 = sk.soft_dtw_batch_from_cost(D, gamma, lengths=lengths, return_alignment=True,
                                         n_jobs=1)
    v2, E2 = sk.soft_dtw_batch_from_cost(D, gamma, lengths=lengths, return_alignment=True,
                                         n_jobs=2)
    np.testing.assert_array_equal(v1, v2)
    np.testing.assert_array_equal(E1, E2)


def test_no_lengths_means_whole_matrices():
    D = np.abs(padded_batch(np.array([[6, 7]] * 3), seed=6))
    values, E = sk.soft_dtw_batch_from_cost(D, 0.3, return_alignment=True)
    for k in range(3):
        ref_value, ref_E = dp_soft_dtw_alignment(D[k], 0.3)
        np.testing.assert_allclose(values[k], ref_value, rtol=1e-12)
        np.testing.assert_allclose(E[k], ref_E, atol=1e-12)


@pytest.mark.parametrize("return_alignment", [False, True])
def test_float32_in_float32_out(return_alignment):
    lengths = np.array([[70, 65], [4, 6]])
    D = np.abs(padded_batch(lengths, seed=7))
    out32 = sk.soft_dtw_batch_from_cost(D.astype(np.float32), 0.1, lengths=lengths,
                                        return_alignment=return_alignment)
    out64 = sk.soft_dtw_batch_from_cost(D.astype(np.float32).astype(np.float64), 0.1,
                                        lengths=lengths, return_alignment=return_alignment)
    out32 = out32 if return_alignment else (out32,)
    out64 = out64 if return_alignment else (out64,)
    for a, b in zip(out32, out64):
        assert a.dtype == np.float32 and b.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("D, kwargs, error, match", [
    (np.zeros((3, 4)), {}, ValueError, "D must be a batch of cost matrices .* 2 dimensions"),
    (np.zeros((0, 3, 4)), {}, ValueError, "D is an empty batch"),
    (np.zeros((2, 3, 0)), {}, ValueError, "D is an empty batch"),
    (np.full((2, 3, 4), np.nan), {"lengths": [[1, 1], [3, 4]]}, ValueError,
     r"D\[0\] contains NaN or infinite values inside its block D\[0, :1, :1\]"),
    (np.array([[[1.0, np.inf]]]), {}, ValueError, r"D\[0\] contains NaN or infinite"),
    (np.zeros((2, 3, 4)), {"lengths": [[1, 1]]}, ValueError,
     r"lengths must have shape \(n_pairs, 2\) = \(2, 2\)"),
    (np.zeros((2, 3, 4)), {"lengths": [[1, 1], [4, 4]]}, ValueError,
     r"lengths\[1\] = \(4, 4\) is out of range"),
    (np.zeros((2, 3, 4)), {"lengths": [[0, 1], [3, 4]]}, ValueError,
     r"lengths\[0\] = \(0, 1\) is out of range"),
    (np.zeros((2, 3, 4)), {"lengths": [[1.0, 1.0], [3, 4]]}, TypeError,
     "lengths must hold integers"),
    (np.zeros((1, 3, 4)), {"gamma": -1.0}, ValueError, "gamma"),
    (np.zeros((1, 3, 4)), {"n_jobs": 0}, ValueError, "n_jobs"),
    (np.zeros((1, 3, 4)), {"sakoe_chiba_radius": -2}, ValueError, "sakoe_chiba_radius"),
    (np.array([[["a"]]]), {}, TypeError, "D must contain numbers"),
])
def test_bad_input(D, kwargs, error, match):
    with pytest.raises(error, match=match):
        sk.soft_dtw_batch_from_cost(D, **kwargs)

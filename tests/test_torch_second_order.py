"""Second order in sksoftdtw.torch: double backward and normalize="sharp"."""
import numpy as np
import pytest
from _oracles import (
    as_2d,
    brute_force_gibbs_moments,
    dp_soft_dtw_alignment,
    grads_from_alignment,
    sq_euclidean_cost,
)

torch = pytest.importorskip("torch")

from test_torch import _batch, cosine_cost, l1_cost  # noqa: E402

import sksoftdtw  # noqa: E402
from sksoftdtw.torch import SoftDTWLoss, soft_dtw  # noqa: E402
from sksoftdtw.torch import _second_order, _tensors  # noqa: E402


def _pairs(x, y, x_lengths, y_lengths):
    """The unpadded pairs of a batch, as NumPy arrays."""
    for k in range(len(x)):
        yield x[k, :x_lengths[k]].detach().numpy(), y[k, :y_lengths[k]].detach().numpy()


CASES = {
    "plain": {},
    "band": {"sakoe_chiba_radius": 1},
    "itakura": {"itakura_max_slope": 3.0},
    "lengths": {"x_lengths": [5, 2, 4], "y_lengths": torch.tensor([3, 4, 2])},
    "band_lengths": {"sakoe_chiba_radius": 0, "x_lengths": [5, 3, 1]},
    "l1": {"dist_func": l1_cost},
    "cosine_band_lengths": {"dist_func": cosine_cost, "sakoe_chiba_radius": 1,
                            "x_lengths": [5, 3, 4]},
}


# --------------------------------------------------------------------------
# Double backward
# --------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES) + ["normalize"])
@pytest.mark.parametrize("gamma", [0.1, 1.0])
def test_gradgradcheck(case, gamma):
    x = _batch(0, (3, 5, 2), requires_grad=True)
    y = _batch(1, (3, 4, 2), requires_grad=True)
    kw = CASES.get(case, {"normalize": True, "x_lengths": [2, 5, 3], "y_lengths": [4, 1, 4]})
    assert torch.autograd.gradgradcheck(lambda a, b: soft_dtw(a, b, gamma, **kw), (x, y))


def test_module_gradgradcheck_one_input():
    x = _batch(2, (2, 6, 1), requires_grad=True)
    y = _batch(3, (2, 4, 1))
    loss = SoftDTWLoss(gamma=0.5, normalize=True, sakoe_chiba_radius=2)
    assert torch.autograd.gradgradcheck(lambda a: loss(a, y), (x,))


@pytest.mark.parametrize("gamma", [0.05, 1.0])
def test_hessian_vector_product_is_the_derivative_of_the_oracle_gradient(gamma):
    x, y = _batch(4, (1, 5, 2), requires_grad=True), _batch(5, (1, 4, 2))
    v = _batch(6, (1, 5, 2))
    (grad,) = torch.autograd.grad(soft_dtw(x, y, gamma).sum(), x, create_graph=True)
    (hv,) = torch.autograd.grad((grad * v).sum(), x)

    def directional(t):
        xt = x[0].detach().numpy() + t[0] * v[0].numpy()
        E = dp_soft_dtw_alignment(sq_euclidean_cost(xt, y[0].numpy()), gamma)[1]
        return grads_from_alignment(xt, y[0].numpy(), E)[0]

    h = 1e-5
    expected = (directional([h]) - directional([-h])) / (2 * h)
    np.testing.assert_allclose(hv[0].numpy(), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("radius", [None, 1])
def test_hessian_of_the_cost_matrix_is_the_gibbs_covariance(radius):
    """d/dD <E(D), Z> through a dist_func equals the brute-force H Z."""
    x, y = _batch(7, (2, 4, 1)), _batch(8, (2, 3, 1))
    D = torch.tensor(sq_euclidean_cost(x[0].numpy(), y[0].numpy()))[None].repeat(2, 1, 1)
    D.requires_grad_()
    Z = _batch(9, (2, 4, 3))
    (E,) = torch.autograd.grad(soft_dtw(x, y, 0.3, sakoe_chiba_radius=radius,
                                        dist_func=lambda a, b: D).sum(), D, create_graph=True)
    (HZ,) = torch.autograd.grad((E * Z).sum(), D)
    for k in range(2):
        E_oracle, _, _, HZ_oracle = brute_force_gibbs_moments(D[k].detach().numpy(), 0.3,
                                                              Z[k].numpy(), radius)
        np.testing.assert_allclose(E[k].detach().numpy(), E_oracle, atol=1e-12)
        np.testing.assert_allclose(HZ[k].numpy(), HZ_oracle, atol=1e-10)


def test_first_order_backward_does_not_run_the_second_order_kernels(monkeypatch):
    def fail(*args):
        raise AssertionError("second order without create_graph")

    monkeypatch.setattr(_second_order._Alignment, "apply", fail)
    for kw in ({}, {"dist_func": l1_cost}):
        x = _batch(10, (2, 5, 2), requires_grad=True)
        soft_dtw(x, _batch(11, (2, 3, 2)), 0.5, **kw).sum().backward()
        assert torch.isfinite(x.grad).all()


def test_double_backward_ignores_nan_in_the_padding():
    x = _batch(12, (2, 5, 1))
    x[1, 3:] = float("nan")
    x.requires_grad_()
    y = _batch(13, (2, 4, 1))
    (grad,) = torch.autograd.grad(soft_dtw(x, y, 0.5, x_lengths=[5, 3]).sum(), x,
                                  create_graph=True)
    (hv,) = torch.autograd.grad(grad.square().sum(), x)
    assert torch.isfinite(hv).all() and (hv[1, 3:] == 0).all() and (hv[0] != 0).any()


def test_float32_double_backward_is_close_to_float64():
    out = []
    for dtype in (torch.float32, torch.float64):
        x = _batch(14, (3, 6, 2), dtype, requires_grad=True)
        (grad,) = torch.autograd.grad(soft_dtw(x, _batch(15, (3, 5, 2), dtype), 0.5).sum(), x,
                                      create_graph=True)
        (hv,) = torch.autograd.grad(grad.square().sum(), x)
        assert hv.dtype == dtype
        out.append(hv.double())
    torch.testing.assert_close(out[0], out[1], rtol=1e-3, atol=1e-4)


# --------------------------------------------------------------------------
# normalize="sharp"
# --------------------------------------------------------------------------
def _sharp_oracle(x, y, gamma, radius=None, cost=sq_euclidean_cost):
    D = cost(x, y)
    return brute_force_gibbs_moments(D, gamma, D, radius)[1]


@pytest.mark.parametrize("radius", [None, 1])
def test_sharp_divergence_matches_brute_force(radius):
    x, y = _batch(16, (3, 4, 2)), _batch(17, (3, 5, 2))
    xl, yl = [4, 2, 3], [5, 5, 2]
    values = soft_dtw(x, y, 0.4, normalize="sharp", sakoe_chiba_radius=radius, x_lengths=xl,
                      y_lengths=yl)
    for k, (a, b) in enumerate(_pairs(x, y, xl, yl)):
        expected = _sharp_oracle(a, b, 0.4, radius) - 0.5 * (
            _sharp_oracle(a, a, 0.4, radius) + _sharp_oracle(b, b, 0.4, radius))
        assert values[k].item() == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_sharp_divergence_of_a_dist_func_matches_brute_force():
    x, y = _batch(18, (2, 4, 3)), _batch(19, (2, 3, 3))

    def l1(a, b):
        return np.abs(as_2d(a)[:, None] - as_2d(b)[None]).sum(-1)

    values = soft_dtw(x, y, 0.7, normalize="sharp", dist_func=l1_cost)
    for k, (a, b) in enumerate(_pairs(x, y, [4, 4], [3, 3])):
        expected = _sharp_oracle(a, b, 0.7, cost=l1) - 0.5 * (
            _sharp_oracle(a, a, 0.7, cost=l1) + _sharp_oracle(b, b, 0.7, cost=l1))
        assert values[k].item() == pytest.approx(expected, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_sharp_gradcheck(case):
    x = _batch(20, (3, 5, 2), requires_grad=True)
    y = _batch(21, (3, 4, 2), requires_grad=True)
    kw = CASES[case]
    assert torch.autograd.gradcheck(lambda a, b: soft_dtw(a, b, 0.3, normalize="sharp", **kw),
                                    (x, y))


def test_sharp_gradient_equals_the_numpy_divergence_and_is_zero_at_the_padding():
    x = _batch(22, (2, 6, 2), requires_grad=True)
    y = _batch(23, (2, 4, 2))
    SoftDTWLoss(0.2, normalize="sharp", reduction="sum")(x, y, [6, 4]).backward()
    for k, (a, b) in enumerate(_pairs(x, y, [6, 4], [4, 4])):
        value, grad = sksoftdtw.sharp_soft_dtw_divergence_value_and_grad(a, b, 0.2)
        np.testing.assert_allclose(x.grad[k, :len(a)].numpy(), grad, rtol=1e-10, atol=1e-12)
    assert (x.grad[1, 4:] == 0).all()


def test_sharp_divergence_is_zero_on_equal_series_and_tends_to_hard_dtw():
    x = _batch(24, (2, 5, 1))
    assert soft_dtw(x, x, 0.5, normalize="sharp").abs().max() < 1e-12
    y = _batch(25, (2, 4, 1))
    hard = [sksoftdtw.dtw(a, b) - 0.5 * (sksoftdtw.dtw(a, a) + sksoftdtw.dtw(b, b))
            for a, b in _pairs(x, y, [5, 5], [4, 4])]
    np.testing.assert_allclose(soft_dtw(x, y, 1e-4, normalize="sharp").numpy(), hard,
                               atol=1e-3)


@pytest.mark.parametrize("normalize", ["yes", 1.0, None])
def test_bad_normalize_raises(normalize):
    with pytest.raises(ValueError, match="normalize must be a bool or \"sharp\""):
        SoftDTWLoss(normalize=normalize)
    with pytest.raises(ValueError, match="normalize"):
        soft_dtw(_batch(0, (1, 3)), _batch(1, (1, 3)), normalize=normalize)


def test_gradgradcheck_after_the_matrix_products(monkeypatch):
    """A forward pass by the matrix products of high dimensions differentiates twice."""
    monkeypatch.setattr(_tensors, "MATMUL_MIN_DIM", 1)
    x = _batch(26, (2, 4, 3), requires_grad=True)
    y = _batch(27, (2, 5, 3), requires_grad=True)
    assert torch.autograd.gradgradcheck(
        lambda a, b: soft_dtw(a, b, 0.5, x_lengths=[4, 2]), (x, y))

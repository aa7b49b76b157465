"""DILATELoss: values, gradients and inputs."""
import numpy as np
import pytest
from _oracles import brute_force_gibbs_moments, dp_soft_dtw, dp_soft_dtw_alignment, \
    sq_euclidean_cost

torch = pytest.importorskip("torch")

import sksoftdtw  # noqa: E402
from sksoftdtw.torch import DILATELoss, SoftDTWLoss, soft_dtw  # noqa: E402
from test_torch import _batch  # noqa: E402
from test_torch_second_order import CASES, _pairs  # noqa: E402


# --------------------------------------------------------------------------
# DILATELoss
# --------------------------------------------------------------------------
def _omega(n, m):
    """DILATE's temporal distortion for unequal lengths: cell centres on [0, 1]."""
    return ((np.arange(n)[:, None] + 0.5) / n - (np.arange(m)[None, :] + 0.5) / m) ** 2


@pytest.mark.parametrize("radius", [None, 1])
@pytest.mark.parametrize("d", [1, 3])
def test_dilate_matches_brute_force(radius, d):
    x, y = _batch(26, (3, 5, d)), _batch(27, (3, 4, d))
    xl, yl = [5, 3, 2], [4, 4, 3]
    loss, shape, temporal = DILATELoss(0.3, 0.2, "none", True, sakoe_chiba_radius=radius)(
        x, y, xl, yl)
    for k, (a, b) in enumerate(_pairs(x, y, xl, yl)):
        D = sq_euclidean_cost(a, b)
        E, _, temp, _ = brute_force_gibbs_moments(D, 0.2, _omega(len(a), len(b)), radius)
        assert shape[k].item() == pytest.approx(dp_soft_dtw(D, 0.2, radius), rel=1e-12)
        assert temporal[k].item() == pytest.approx(temp, rel=1e-10, abs=1e-14)
        assert loss[k].item() == pytest.approx(0.3 * shape[k].item() + 0.7 * temp, rel=1e-12)


def test_dilate_equal_lengths_temporal_term_is_the_published_one():
    """For n = m, Omega = (i - j)^2 / n^2 (Le Guen & Thome, 2019)."""
    x, y = _batch(28, (2, 6, 1)), _batch(29, (2, 6, 1))
    _, _, temporal = DILATELoss(gamma=0.1, reduction="none", return_components=True)(x, y)
    i = np.arange(6)
    for k, (a, b) in enumerate(_pairs(x, y, [6, 6], [6, 6])):
        E = dp_soft_dtw_alignment(sq_euclidean_cost(a, b), 0.1)[1]
        expected = (E * (i[:, None] - i[None, :]) ** 2 / 36).sum()
        assert temporal[k].item() == pytest.approx(expected, rel=1e-10)


@pytest.mark.filterwarnings("ignore:torch.range is deprecated")
@pytest.mark.parametrize("gamma", [0.01, 0.1])
def test_dilate_equals_the_authors_code(gamma):
    """The official code (vincent-leguen/DILATE, its ``loss`` package on the
    path), float32 inside: the loss, its terms and the gradient of the outputs
    in float32 precision. Both its terms are means over the batch, but its
    backward passes leave out the 1 / B of those means: its gradient is that of
    the sum over the batch."""
    reference = pytest.importorskip("loss.dilate_loss").dilate_loss
    x = _batch(61, (4, 20, 1), requires_grad=True).float()
    x.retain_grad()
    y = _batch(62, (4, 20, 1)).float()
    theirs, their_shape, their_temporal = reference(x, y, 0.5, gamma, "cpu")
    theirs.backward()
    their_grad = x.grad.clone()
    x.grad = None
    xd, yd = x.detach().double().requires_grad_(), y.double()
    loss, shape, temporal = DILATELoss(alpha=0.5, gamma=gamma, reduction="none",
                                       return_components=True)(xd, yd)
    assert shape.mean().item() == pytest.approx(their_shape.item(), rel=1e-5)
    assert temporal.mean().item() == pytest.approx(their_temporal.item(), rel=1e-5)
    loss.sum().backward()
    # (float32 weights at gamma = 0.01 in their code: about 3e-4 relative)
    np.testing.assert_allclose(xd.grad.numpy(), their_grad.numpy(), rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"sakoe_chiba_radius": 2}, {"itakura_max_slope": 2.0}])
@pytest.mark.parametrize("d", [1, 2])
def test_dilate_equals_the_numpy_function_pair_by_pair(kw, d):
    x = _batch(30, (4, 7, d), requires_grad=True)
    y = _batch(31, (4, 6, d))
    xl, yl = [7, 5, 6, 4], [6, 6, 4, 5]
    loss, shape, temporal = DILATELoss(0.6, 0.05, "none", True, **kw)(x, y, xl, yl)
    loss.sum().backward()
    for k, (a, b) in enumerate(_pairs(x, y, xl, yl)):
        value, s, t, grad = sksoftdtw.dilate_value_and_grad(a, b, 0.6, 0.05, **kw)
        np.testing.assert_allclose([loss[k].item(), shape[k].item(), temporal[k].item()],
                                   [value, s, t], rtol=1e-12)
        np.testing.assert_allclose(x.grad[k, :len(a)].numpy(), grad, rtol=1e-10, atol=1e-12)
        assert (x.grad[k, len(a):] == 0).all()


@pytest.mark.parametrize("case", CASES)
def test_dilate_gradcheck(case):
    x = _batch(32, (3, 5, 2), requires_grad=True)
    y = _batch(33, (3, 4, 2), requires_grad=True)
    kw = dict(CASES[case])
    lengths = {k: kw.pop(k) for k in ("x_lengths", "y_lengths") if k in kw}
    loss = DILATELoss(0.4, 0.3, "none", **kw)
    assert torch.autograd.gradcheck(lambda a, b: loss(a, b, **lengths), (x, y))


def test_dilate_alpha_one_is_soft_dtw_and_reductions_agree():
    x = _batch(34, (3, 6, 2), requires_grad=True)
    y = _batch(35, (3, 5, 2))
    torch.testing.assert_close(DILATELoss(1.0, 0.1, "none")(x, y),
                               soft_dtw(x, y, 0.1), rtol=1e-12, atol=0)
    per_pair = DILATELoss(0.5, 0.1, "none", True)(x, y)
    for reduction, reduce in (("mean", torch.mean), ("sum", torch.sum)):
        for got, expected in zip(DILATELoss(0.5, 0.1, reduction, True)(x, y), per_pair):
            torch.testing.assert_close(got, reduce(expected))
    assert not per_pair[1].requires_grad and not per_pair[2].requires_grad


def test_dilate_float32_in_float32_out():
    x = _batch(36, (2, 8, 1), torch.float32, requires_grad=True)
    y = _batch(37, (2, 8, 1), torch.float32)
    loss = DILATELoss()(x, y)
    loss.backward()
    assert loss.dtype == x.grad.dtype == torch.float32
    x64 = x.detach().double().requires_grad_()
    DILATELoss()(x64, y.double()).backward()
    torch.testing.assert_close(x.grad.double(), x64.grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"alpha": 1.5}, ValueError, "alpha must be a number in"),
    ({"gamma": 0.0}, ValueError, "gamma"),
    ({"reduction": "max"}, ValueError, "reduction must be one of"),
    ({"return_components": "yes"}, TypeError, "return_components must be a bool"),
    ({"sakoe_chiba_radius": -1}, ValueError, "sakoe_chiba_radius"),
    ({"dist_func": "l1"}, TypeError, "dist_func must be callable"),
])
def test_dilate_bad_parameters_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        DILATELoss(**kwargs)


def test_dilate_bad_input_raises_naming_it():
    loss = DILATELoss()
    with pytest.raises(ValueError, match="x contains NaN"):
        loss(torch.full((1, 3), float("nan")), torch.zeros(1, 3))
    with pytest.raises(ValueError, match="same dimension D"):
        loss(torch.zeros(1, 3, 2), torch.zeros(1, 3, 1))
    with pytest.raises(ValueError, match="y_lengths must be between 1 and 3"):
        loss(torch.zeros(2, 3), torch.zeros(2, 3), y_lengths=[3, 4])



@pytest.mark.parametrize("loss", [DILATELoss(0.5, 0.1), SoftDTWLoss(0.5, normalize="sharp")],
                         ids=["dilate", "sharp"])
def test_torch_compile_gives_the_same_values_and_gradients(loss):
    model = torch.nn.Linear(2, 2, dtype=torch.float64)

    def step(x, y):
        return loss(model(x), y)

    x, y = _batch(40, (4, 7, 2)), _batch(41, (4, 5, 2))
    eager = step(x, y)
    grads = torch.autograd.grad(eager, list(model.parameters()))
    try:
        compiled = torch.compile(step, backend="aot_eager")(x, y)
    except Exception as exc:  # no compiler support on this platform
        pytest.skip(f"torch.compile unsupported here: {exc}")
    compiled_grads = torch.autograd.grad(compiled, list(model.parameters()))
    np.testing.assert_allclose(compiled.item(), eager.item(), rtol=1e-12)
    for a, b in zip(compiled_grads, grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10)

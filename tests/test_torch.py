"""Tests of the PyTorch loss, :mod:`sksoftdtw.torch`.

Expected values come from the oracles of ``_oracles.py`` (brute force over
alignments, the plain recursion), from autograd's finite differences
(``gradcheck``), from the NumPy batch functions, which have their own oracle
tests, and from tslearn's and pysdtw's losses when installed.
"""
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from _oracles import brute_force_soft_dtw, divergence_xy, dp_soft_dtw, grads_from_alignment, \
    sdtw_xy

torch = pytest.importorskip("torch")

import sksoftdtw  # noqa: E402
from sksoftdtw.torch import SoftDTWLoss, soft_dtw, soft_dtw_alignment  # noqa: E402
from sksoftdtw.torch import _tensors  # noqa: E402


def _batch(seed, shape, dtype=torch.float64, requires_grad=False):
    rng = np.random.default_rng(seed)
    return torch.tensor(rng.standard_normal(shape), dtype=dtype, requires_grad=requires_grad)


def l1_cost(x, y):
    return (x[:, :, None, :] - y[:, None, :, :]).abs().sum(-1)


def cosine_cost(x, y):
    xn = x / x.norm(dim=-1, keepdim=True)
    yn = y / y.norm(dim=-1, keepdim=True)
    return 1.0 - xn @ yn.transpose(1, 2)


def test_importing_sksoftdtw_does_not_import_torch():
    code = "import sys, sksoftdtw; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_torch_gives_an_install_hint():
    code = textwrap.dedent("""
        import importlib.abc
        import sys

        class NoTorch(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split(".")[0] == "torch":
                    raise ModuleNotFoundError("No module named 'torch'", name="torch")

        sys.meta_path.insert(0, NoTorch())
        import sksoftdtw
        try:
            import sksoftdtw.torch
        except ImportError as exc:
            assert "sksoftdtw[torch]" in str(exc), exc
        else:
            raise AssertionError("no ImportError")
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------
# Gradients: autograd's finite differences
# --------------------------------------------------------------------------
GRADCHECK_CASES = {
    "plain": {},
    "band": {"sakoe_chiba_radius": 1},
    "lengths": {"x_lengths": [5, 2, 4], "y_lengths": torch.tensor([3, 4, 1])},
    "band_lengths": {"sakoe_chiba_radius": 0, "x_lengths": [5, 3, 1]},
    "normalize": {"normalize": True},
    "normalize_lengths": {"normalize": True, "x_lengths": [2, 5, 3], "y_lengths": [4, 1, 4]},
    "l1": {"dist_func": l1_cost},
    "cosine_band_lengths": {"dist_func": cosine_cost, "sakoe_chiba_radius": 1,
                            "x_lengths": [5, 3, 4]},
    "cosine_normalize": {"dist_func": cosine_cost, "normalize": True},
}


@pytest.mark.parametrize("case", GRADCHECK_CASES)
@pytest.mark.parametrize("gamma", [0.1, 1.0])
def test_gradcheck_both_inputs(case, gamma):
    x = _batch(0, (3, 5, 2), requires_grad=True)
    y = _batch(1, (3, 4, 2), requires_grad=True)
    kw = GRADCHECK_CASES[case]
    assert torch.autograd.gradcheck(lambda a, b: soft_dtw(a, b, gamma, **kw), (x, y))


def test_gradcheck_one_input_only():
    x = _batch(2, (2, 4, 3), requires_grad=True)
    y = _batch(3, (2, 6, 3))
    assert torch.autograd.gradcheck(lambda a: soft_dtw(a, y, 0.5), (x,))
    assert torch.autograd.gradcheck(lambda b: soft_dtw(x.detach(), b, 0.5), (y.requires_grad_(),))


# --------------------------------------------------------------------------
# Values and gradients: oracles and the NumPy functions
# --------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.01, 0.5, 10.0])
@pytest.mark.parametrize("radius", [None, 1])
def test_values_match_the_recursion_with_lengths(gamma, radius):
    x = _batch(4, (3, 5, 2))
    y = _batch(5, (3, 4, 2))
    xl, yl = [5, 3, 2], [2, 4, 4]
    values = soft_dtw(x, y, gamma, sakoe_chiba_radius=radius, x_lengths=xl, y_lengths=yl)
    expected = [sdtw_xy(x[k, :xl[k]].numpy(), y[k, :yl[k]].numpy(), gamma, radius)
                for k in range(3)]
    np.testing.assert_allclose(values.numpy(), expected, rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("d", [1, 3])
def test_values_and_gradients_equal_the_numpy_batch(seed, d):
    x = _batch(seed, (6, 40, d), requires_grad=True)
    y = _batch(seed + 10, (6, 30, d), requires_grad=True)
    weights = torch.arange(1.0, 7.0, dtype=torch.float64)
    values = soft_dtw(x, y, 0.3)
    (values * weights).sum().backward()
    ref, gx, gy = sksoftdtw.soft_dtw_batch(x.detach().numpy(), y.detach().numpy(), 0.3,
                                           return_grad="both")
    np.testing.assert_allclose(values.detach().numpy(), ref, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), weights.numpy()[:, None, None] * gx, rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), weights.numpy()[:, None, None] * gy, rtol=1e-12)


# --------------------------------------------------------------------------
# The two computations of the squared Euclidean cost: fused kernels and
# matrix products around the recursion on the cost matrices
# --------------------------------------------------------------------------
@pytest.fixture(params=["fused", "matmul"])
def cost_path(request, monkeypatch):
    """Forces one computation of the squared Euclidean cost, whatever the dimension."""
    monkeypatch.setattr(_tensors, "MATMUL_MIN_DIM", 1 if request.param == "matmul" else 2**62)
    return request.param


def _values_and_grads(x, y, gamma, **kw):
    x = x.detach().clone().requires_grad_()
    y = y.detach().clone().requires_grad_()
    values = soft_dtw(x, y, gamma, **kw)
    (values * torch.arange(1.0, len(x) + 1, dtype=values.dtype)).sum().backward()
    return values.detach(), x.grad, y.grad


@pytest.mark.parametrize("case", ["plain", "band", "lengths", "band_lengths", "normalize",
                                  "normalize_lengths"])
def test_gradcheck_matrix_products(case, cost_path):
    x = _batch(50, (3, 5, 2), requires_grad=True)
    y = _batch(51, (3, 4, 2), requires_grad=True)
    kw = GRADCHECK_CASES[case]
    assert torch.autograd.gradcheck(lambda a, b: soft_dtw(a, b, 0.5, **kw), (x, y))


@pytest.mark.parametrize("gamma", [0.05, 1.0])
@pytest.mark.parametrize("d", [1, 6])
@pytest.mark.parametrize("kw", [{}, {"sakoe_chiba_radius": 2},
                                {"x_lengths": [12, 1, 7, 9], "y_lengths": [10, 8, 3, 10]}])
def test_matrix_products_equal_the_fused_kernels_and_the_numpy_batch(monkeypatch, gamma, d, kw):
    x = _batch(52, (4, 12, d))
    y = _batch(53, (4, 10, d))
    monkeypatch.setattr(_tensors, "MATMUL_MIN_DIM", 2**62)
    fused = _values_and_grads(x, y, gamma, **kw)
    monkeypatch.setattr(_tensors, "MATMUL_MIN_DIM", 1)
    matmul = _values_and_grads(x, y, gamma, **kw)
    xl = kw.get("x_lengths", [12] * 4)
    yl = kw.get("y_lengths", [10] * 4)
    ref, gx, gy = sksoftdtw.soft_dtw_batch([x[k, :xl[k]].numpy() for k in range(4)],
                                           [y[k, :yl[k]].numpy() for k in range(4)], gamma,
                                           sakoe_chiba_radius=kw.get("sakoe_chiba_radius"),
                                           return_grad="both")
    for values, grad_x, grad_y in (fused, matmul):
        np.testing.assert_allclose(values.numpy(), ref, rtol=1e-10, atol=1e-12)
        for k in range(4):
            np.testing.assert_allclose(grad_x[k, :xl[k]].numpy(),
                                       (k + 1) * gx[k].reshape(xl[k], d), rtol=1e-9, atol=1e-11)
            np.testing.assert_allclose(grad_y[k, :yl[k]].numpy(),
                                       (k + 1) * gy[k].reshape(yl[k], d), rtol=1e-9, atol=1e-11)
            assert (grad_x[k, xl[k]:] == 0).all() and (grad_y[k, yl[k]:] == 0).all()


def test_matrix_products_keep_their_precision_far_from_the_origin(monkeypatch):
    # |x|^2 + |y|^2 - 2 x.y alone would lose every digit of costs of order 1
    # next to squared norms of order 1e16
    offsets = torch.tensor([1e8, -3e7, 5e6], dtype=torch.float64)[:, None, None]
    x = _batch(54, (3, 9, 5)) + offsets
    y = _batch(55, (3, 7, 5)) + offsets
    monkeypatch.setattr(_tensors, "MATMUL_MIN_DIM", 2**62)
    fused = _values_and_grads(x, y, 0.3, x_lengths=[9, 4, 6])
    monkeypatch.setattr(_tensors, "MATMUL_MIN_DIM", 1)
    matmul = _values_and_grads(x, y, 0.3, x_lengths=[9, 4, 6])
    for a, b in zip(fused, matmul):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-6)


def test_the_dimension_and_the_size_pick_the_computation(monkeypatch):
    ran = []
    for name in ("_fused_value_grad", "_matmul_value_grad"):
        compute = getattr(_tensors, name)
        monkeypatch.setattr(_tensors, name,
                            lambda *args, name=name, compute=compute: ran.append(name)
                            or compute(*args))
    below, above = _tensors.MATMUL_MIN_DIM - 1, _tensors.MATMUL_MIN_DIM
    soft_dtw(_batch(56, (2, 5, below)), _batch(57, (2, 4, below)))
    soft_dtw(_batch(56, (2, 5, above)), _batch(57, (2, 4, above)))
    monkeypatch.setattr(_tensors, "MATMUL_MAX_CELLS", 2 * 5 * 4 - 1)
    soft_dtw(_batch(56, (2, 5, above)), _batch(57, (2, 4, above)))
    assert ran == ["_fused_value_grad", "_matmul_value_grad", "_fused_value_grad"]


def test_huge_values_raise_naming_the_inputs(cost_path):
    with pytest.raises(ValueError, match="values of x and y are too large"):
        soft_dtw(_batch(60, (2, 5, 3)) * 1e160, _batch(61, (2, 4, 3)))


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
@pytest.mark.parametrize("which", ["x", "y"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_non_finite_inputs_with_gradients_raise_naming_the_input(cost_path, bad, which,
                                                                 dtype):
    # the fused path leaves NaN and inf to the kernels' bound on the costs
    inputs = {"x": _batch(62, (2, 5, 3), dtype, True), "y": _batch(63, (2, 4, 3), dtype, True)}
    with torch.no_grad():
        inputs[which][1, 2, 0] = bad
    for loss in (soft_dtw, SoftDTWLoss(0.5), SoftDTWLoss(0.5, normalize=True)):
        with pytest.raises(ValueError, match=f"{which} contains NaN or infinite values"):
            loss(inputs["x"], inputs["y"])


def test_padded_positions_get_zero_gradient_and_the_rest_is_the_unpadded_gradient():
    x = _batch(6, (3, 7, 2), requires_grad=True)
    y = _batch(7, (3, 5, 2), requires_grad=True)
    xl, yl = [7, 4, 1], [2, 5, 3]
    soft_dtw(x, y, 0.2, x_lengths=xl, y_lengths=yl).sum().backward()
    for k in range(3):
        value, grad = sksoftdtw.soft_dtw_value_and_grad(x[k, :xl[k]].detach().numpy(),
                                                        y[k, :yl[k]].detach().numpy(), 0.2)
        np.testing.assert_allclose(x.grad[k, :xl[k]].numpy(), grad, rtol=1e-12)
        assert (x.grad[k, xl[k]:] == 0).all() and (y.grad[k, yl[k]:] == 0).all()


def test_padding_is_never_read():
    x = _batch(8, (2, 6, 1))
    y = _batch(9, (2, 6, 1))
    xl = [3, 6]
    noisy = x.clone()
    noisy[0, 3:] = float("nan")
    for kw in ({}, {"dist_func": l1_cost}):
        np.testing.assert_array_equal(soft_dtw(noisy, y, x_lengths=xl, **kw).numpy(),
                                      soft_dtw(x, y, x_lengths=xl, **kw).numpy())


@pytest.mark.parametrize("gamma", [0.1, 1.0])
@pytest.mark.parametrize("radius", [None, 1])
def test_dist_func_values_and_alignments_match_brute_force(gamma, radius):
    x = _batch(10, (2, 4, 2), requires_grad=True)
    y = _batch(11, (2, 3, 2))
    values = soft_dtw(x, y, gamma, sakoe_chiba_radius=radius, dist_func=l1_cost,
                      x_lengths=[4, 3])
    E, values_e = soft_dtw_alignment(x, y, gamma, sakoe_chiba_radius=radius, dist_func=l1_cost,
                                     x_lengths=[4, 3])
    D = l1_cost(x, y).detach().numpy()
    for k, n in enumerate([4, 3]):
        value, E_k = brute_force_soft_dtw(D[k, :n], gamma, radius)
        np.testing.assert_allclose(values[k].item(), value, rtol=1e-10)
        np.testing.assert_allclose(values_e[k].item(), value, rtol=1e-10)
        np.testing.assert_allclose(E[k, :n].numpy(), E_k, atol=1e-10)
        assert (E[k, n:] == 0).all()


@pytest.mark.parametrize("gamma", [0.1, 1.0])
def test_alignment_of_the_squared_euclidean_cost_gives_the_gradient(gamma):
    x = _batch(12, (2, 4, 2), requires_grad=True)
    y = _batch(13, (2, 5, 2))
    soft_dtw(x, y, gamma).sum().backward()
    E, _ = soft_dtw_alignment(x, y, gamma)
    assert E.requires_grad is False
    for k in range(2):
        gx, _ = grads_from_alignment(x[k].detach().numpy(), y[k].numpy(), E[k].numpy())
        np.testing.assert_allclose(x.grad[k].numpy(), gx, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(E[k].numpy(),
                                   sksoftdtw.soft_dtw_alignment(x[k].detach(), y[k], gamma)[0],
                                   rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("radius", [None, 2])
def test_normalize_is_the_divergence_for_unequal_lengths(radius):
    x = _batch(14, (3, 6, 2))
    y = _batch(15, (3, 4, 2))
    values = soft_dtw(x, y, 0.5, normalize=True, sakoe_chiba_radius=radius, x_lengths=[6, 2, 5])
    for k, n in enumerate([6, 2, 5]):
        expected = divergence_xy(x[k, :n].numpy(), y[k].numpy(), 0.5, radius)
        np.testing.assert_allclose(values[k].item(), expected, rtol=1e-10)
    same = soft_dtw(x, x, 0.5, normalize=True, x_lengths=[6, 2, 5], y_lengths=[6, 2, 5])
    np.testing.assert_allclose(same.numpy(), 0.0, atol=1e-12)


def test_2d_input_is_one_dimension():
    x = _batch(16, (3, 5), requires_grad=True)
    y = _batch(17, (3, 4))
    values = soft_dtw(x, y)
    values.sum().backward()
    assert x.grad.shape == x.shape
    np.testing.assert_array_equal(values.detach().numpy(),
                                  soft_dtw(x.detach()[..., None], y[..., None]).numpy())


def test_non_contiguous_input():
    base = _batch(18, (4, 3, 6))
    x = base.transpose(1, 2).requires_grad_()  # (4, 6, 3), not contiguous
    y = _batch(19, (4, 5, 3))
    assert not x.is_contiguous()
    soft_dtw(x, y).sum().backward()
    xc = x.detach().contiguous().requires_grad_()
    soft_dtw(xc, y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xc.grad.numpy())


def test_float32_in_float32_out_close_to_float64(cost_path):
    x64 = _batch(20, (4, 30, 2), requires_grad=True)
    y64 = _batch(21, (4, 20, 2))
    x32 = x64.detach().float().requires_grad_()
    v32 = soft_dtw(x32, y64.float(), 0.1)
    v32.sum().backward()
    soft_dtw(x64, y64, 0.1).sum().backward()
    assert v32.dtype == x32.grad.dtype == torch.float32
    np.testing.assert_allclose(x32.grad.numpy(), x64.grad.numpy(), rtol=1e-4, atol=1e-5)
    # mixed precision: the values take the promoted dtype, each gradient its input's
    assert soft_dtw(x32, y64, 0.1).dtype == torch.float64


@pytest.mark.parametrize("d", [1, 8])
def test_gradients_are_computed_only_for_inputs_that_require_them(monkeypatch, d):
    asked = []
    compute = _tensors._squared_euclidean_value_grad

    def spy(*args):
        asked.append(args[-2:])
        out = compute(*args)
        assert [g is not None for g in out[1:]] == list(args[-2:])
        return out

    monkeypatch.setattr(_tensors, "_squared_euclidean_value_grad", spy)
    x = _batch(22, (2, 5, d), requires_grad=True)
    y = _batch(23, (2, 4, d))
    soft_dtw(x, y)
    soft_dtw(y, x)
    soft_dtw(x.detach(), y)
    with torch.no_grad():
        soft_dtw(x, y)
    soft_dtw(x, y.requires_grad_())
    assert asked == [(True, False), (False, True), (False, False), (False, False), (True, True)]


@pytest.mark.parametrize("n_jobs", [1, 2, -1])
def test_threads_give_the_same_result(n_jobs):
    x = _batch(24, (9, 50, 2), requires_grad=True)
    y = _batch(25, (9, 40, 2))
    values = soft_dtw(x, y, n_jobs=n_jobs)
    np.testing.assert_array_equal(values.detach().numpy(), soft_dtw(x, y).detach().numpy())


# --------------------------------------------------------------------------
# The module
# --------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_reductions(reduction):
    x = _batch(26, (5, 6, 2), requires_grad=True)
    y = _batch(27, (5, 7, 2))
    values = [dp_soft_dtw(((x[k, :, None] - y[k, None]) ** 2).sum(-1).detach().numpy(), 0.5)
              for k in range(5)]
    expected = {"mean": np.mean(values), "sum": np.sum(values), "none": values}[reduction]
    loss = SoftDTWLoss(gamma=0.5, reduction=reduction)(x, y)
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-10)
    loss.sum().backward()
    assert x.grad.shape == x.shape


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", ["plain", "lengths", "normalize"])
def test_module_gradcheck_each_reduction(case, reduction, cost_path):
    # gradcheck runs the backward pass again and again on one graph
    x = _batch(28, (3, 5, 2), requires_grad=True)
    y = _batch(29, (3, 4, 2), requires_grad=True)
    kw = dict(GRADCHECK_CASES[case])
    loss = SoftDTWLoss(0.5, normalize=kw.pop("normalize", False), reduction=reduction)
    assert torch.autograd.gradcheck(lambda a, b: loss(a, b, **kw), (x, y))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_retained_graph_gives_the_numpy_gradients_each_time(reduction, cost_path):
    x = _batch(30, (4, 6, 2), requires_grad=True)
    y = _batch(31, (4, 5, 2), requires_grad=True)
    _, gx, gy = sksoftdtw.soft_dtw_batch(x.detach().numpy(), y.detach().numpy(), 0.5,
                                         return_grad="both")
    scale = 3.0 / (len(x) if reduction == "mean" else 1)
    loss = 3.0 * SoftDTWLoss(0.5, reduction=reduction)(x, y)
    for _ in range(3):
        x.grad = y.grad = None
        loss.backward(retain_graph=True)
        np.testing.assert_allclose(x.grad.numpy(), scale * gx, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(y.grad.numpy(), scale * gy, rtol=1e-10, atol=1e-12)
        x.grad.zero_()  # the gradients given are the caller's: the graph keeps no alias
        y.grad.zero_()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), scale * gx, rtol=1e-10, atol=1e-12)


def test_module_passes_lengths_and_options():
    x = _batch(28, (3, 6, 2))
    y = _batch(29, (3, 5, 2))
    kw = {"sakoe_chiba_radius": 1, "dist_func": cosine_cost, "normalize": True}
    loss = SoftDTWLoss(0.3, reduction="none", **kw)
    np.testing.assert_array_equal(loss(x, y, x_lengths=[6, 4, 2], y_lengths=[1, 5, 3]).numpy(),
                                  soft_dtw(x, y, 0.3, x_lengths=[6, 4, 2], y_lengths=[1, 5, 3],
                                           **kw).numpy())
    assert "gamma=0.3" in repr(loss)


def test_pickle_round_trip():
    x = _batch(30, (3, 6, 2))
    y = _batch(31, (3, 5, 2))
    loss = SoftDTWLoss(0.3, normalize=True, dist_func=l1_cost, reduction="sum")
    clone = pickle.loads(pickle.dumps(loss))
    assert clone.dist_func is l1_cost and clone.normalize and clone.reduction == "sum"
    assert clone(x, y).item() == loss(x, y).item()


def test_torch_compile_gives_the_same_values_and_gradients():
    model = torch.nn.Linear(3, 3, dtype=torch.float64)
    loss = SoftDTWLoss(0.5)

    def step(x, y):
        return loss(model(x), y)

    x = _batch(32, (4, 8, 3))
    y = _batch(33, (4, 6, 3))
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


class _LossDataset(torch.utils.data.Dataset):
    """Computes a loss and its gradient inside DataLoader worker processes."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, k):
        x = self.x[k:k + 1].clone().requires_grad_()
        loss = SoftDTWLoss(0.5, n_jobs=2)(x, self.y[k:k + 1])
        loss.backward()
        return loss.detach(), x.grad[0]


def test_dataloader_workers_compute_the_loss():
    x = _batch(34, (6, 40, 2))
    y = _batch(35, (6, 30, 2))
    # threads started in this process before the workers fork
    soft_dtw(x, y, n_jobs=2)
    loader = torch.utils.data.DataLoader(_LossDataset(x, y), batch_size=2, num_workers=2,
                                         timeout=120)
    values, grads = map(torch.cat, zip(*[(v, g) for v, g in loader]))
    expected, gx = sksoftdtw.soft_dtw_batch(x.numpy(), y.numpy(), 0.5, return_grad="x")
    np.testing.assert_allclose(values.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(grads.numpy(), gx.reshape(grads.shape), rtol=1e-12)


# --------------------------------------------------------------------------
# Peers
# --------------------------------------------------------------------------
@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("m", [10, 7])
def test_agrees_with_tslearn(normalize, m):
    tslearn_loss = pytest.importorskip("tslearn.metrics").SoftDTWLossPyTorch
    x = _batch(36, (4, 10, 2), requires_grad=True)
    y = _batch(37, (4, m, 2), requires_grad=True)
    xt = x.detach().clone().requires_grad_()
    yt = y.detach().clone().requires_grad_()
    ours = soft_dtw(x, y, 0.5, normalize=normalize)
    theirs = tslearn_loss(gamma=0.5, normalize=normalize)(xt, yt)
    ours.sum().backward()
    theirs.sum().backward()
    # tslearn rounds its accumulated costs to float32 (torch.Tensor) in any dtype
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(y.grad.numpy(), yt.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_agrees_with_pysdtw_on_padded_batches():
    pysdtw = pytest.importorskip("pysdtw")
    x = _batch(38, (3, 8, 2), dtype=torch.float32)
    y = _batch(39, (3, 6, 2), dtype=torch.float32)
    xl, yl = torch.tensor([8, 5, 3]), torch.tensor([6, 6, 2])
    packed_x = torch.nn.utils.rnn.pack_padded_sequence(x, xl, batch_first=True,
                                                       enforce_sorted=False)
    packed_y = torch.nn.utils.rnn.pack_padded_sequence(y, yl, batch_first=True,
                                                       enforce_sorted=False)
    theirs = pysdtw.SoftDTW(gamma=0.5, use_cuda=False)(packed_x, packed_y)
    ours = soft_dtw(x, y, 0.5, x_lengths=xl, y_lengths=yl)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-4, atol=1e-4)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------
X3, Y3 = _batch(40, (2, 5, 2)), _batch(41, (2, 4, 2))


def _nan(t):
    t = t.clone()
    t[1, 2, 0] = float("nan")
    return t


@pytest.mark.parametrize("x, y, kwargs, error, match", [
    (X3, Y3[:1], {}, ValueError, "same number of series"),
    (X3, Y3[..., :1], {}, ValueError, "same dimension"),
    (X3[0, 0], Y3, {}, ValueError, "x must be a batch of series of shape"),
    (X3, Y3[None], {}, ValueError, "y must be a batch of series of shape"),
    (X3[:, :0], Y3, {}, ValueError, "x is empty"),
    (_nan(X3), Y3, {}, ValueError, "x contains NaN"),
    (X3, _nan(Y3), {"y_lengths": [4, 4]}, ValueError, "y contains NaN"),
    (X3.numpy(), Y3, {}, TypeError, "x must be a torch.Tensor"),
    (X3, Y3.long(), {}, TypeError, "y must be a floating-point tensor"),
    (X3.to("meta"), Y3, {}, ValueError, "device 'meta'"),
    (X3, Y3, {"gamma": 0.0}, ValueError, "gamma must be a finite number > 0"),
    (X3, Y3, {"gamma": -1.0}, ValueError, "gamma"),
    (X3, Y3, {"gamma": float("nan")}, ValueError, "gamma"),
    (X3, Y3, {"sakoe_chiba_radius": -1}, ValueError, "sakoe_chiba_radius"),
    (X3, Y3, {"x_lengths": [5, 6]}, ValueError, "x_lengths must be between 1 and 5"),
    (X3, Y3, {"y_lengths": [0, 2]}, ValueError, "y_lengths must be between 1 and 4"),
    (X3, Y3, {"x_lengths": [5]}, ValueError, r"x_lengths must hold one length per series"),
    (X3, Y3, {"x_lengths": [2.0, 3.0]}, TypeError, "x_lengths must hold integers"),
    (X3, Y3, {"dist_func": "l1"}, TypeError, "dist_func must be callable"),
    (X3, Y3, {"dist_func": lambda a, b: l1_cost(a, b)[:, :2]}, ValueError,
     r"dist_func must return a tensor of shape \(B, N, M\) = \(2, 5, 4\)"),
    (X3, Y3, {"dist_func": lambda a, b: l1_cost(a, b).sqrt() * float("inf")}, ValueError,
     "dist_func returned NaN"),
    (X3, Y3, {"n_jobs": 0}, ValueError, "n_jobs"),
])
def test_bad_input_raises_naming_the_problem(x, y, kwargs, error, match):
    with pytest.raises(error, match=match):
        soft_dtw(x, y, **kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"reduction": "max"}, "reduction must be one of"),
    ({"gamma": 0}, "gamma"),
    ({"normalize": "yes"}, "normalize must be a bool"),
    ({"sakoe_chiba_radius": 1.5}, "sakoe_chiba_radius"),
])
def test_bad_module_parameters_raise(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SoftDTWLoss(**kwargs)

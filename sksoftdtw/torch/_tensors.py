"""Tensors at the kernels' boundary: conversions, the flat layout of the
batched kernels, and the values and gradients of the squared Euclidean cost
(fused kernels, or batched matrix products around the recursion on cost
matrices)."""
import math
import threading

import numpy as np
import torch

from .._engine.cost import batch_cost as _batch_cost
from .._engine.pairs import max_cost as _max_cost
from .._engine.pairs import pairs_value as _pairs_value
from .._engine.pairs import value_grad as _value_grad
from .._engine.planner import MATMUL_MAX_CELLS, MATMUL_MIN_DIM
from ..utils._validation import FlatDataset
from ._checks import _check_finite, _finite_where, _to_numpy, _valid_mask


# --------------------------------------------------------------------------
# Conversions at the kernel boundary
# --------------------------------------------------------------------------
def _kernel_dtype(dtype):
    """The dtype the kernels compute in for tensors of ``dtype``.

    The one place that decides it: float32 for float32 (the engine's float32
    kernels, see :mod:`sksoftdtw.metrics`), float64 for every other floating
    dtype; the results are converted back to the callers' dtypes.
    """
    return torch.float32 if dtype == torch.float32 else torch.float64


def _as_kernel(x):
    """``x`` detached, C-contiguous, in the kernels' dtype (no copy when it already is)."""
    if x.requires_grad:
        x = x.detach()
    if x.dtype in (torch.float32, torch.float64) and x.is_contiguous():
        return x
    return x.to(_kernel_dtype(x.dtype)).contiguous()


def _as_dtype(t, dtype):
    """The tensor ``t`` (or None) in ``dtype``."""
    return t if t is None or t.dtype == dtype else t.to(dtype)


def _cost_values(D, lengths, gamma, band, want_alignment, n_threads):
    """Values (and E) of a batch of cost matrices, in the kernels' dtype: the
    blocks are checked in float64, and float32 batches then run the float32
    lanes."""
    kernel = np.float32 if _kernel_dtype(D.dtype) == torch.float32 else np.float64
    return _batch_cost(D.detach().to(torch.float64).contiguous().numpy(), lengths, gamma,
                       band, want_alignment, n_threads, dtype=kernel)


def _flat(x, lengths, name):
    """The kernels' `FlatDataset` of a (B, N, D) float64 array and its lengths.

    Validated input, so no re-validation: a view for full lengths, else the
    unpadded series laid end to end.
    """
    n_ts, sz, d = x.shape
    if lengths is None:
        return FlatDataset(x.reshape(n_ts * sz, d), np.arange(0, n_ts * sz + 1, sz), "3d",
                           name=name)
    offsets = np.zeros(n_ts + 1, dtype=np.intp)
    np.cumsum(lengths, out=offsets[1:])
    return FlatDataset(x[_valid_mask(lengths, n_ts, sz)], offsets, "list", name=name)


def _padded(flat, shape, lengths, scale=1.0):
    """Gradients laid end to end (`_flat`), times ``scale`` (in place), as a (B, N, D)
    tensor zero at the padding."""
    if scale != 1.0:
        flat *= scale
    if lengths is None:
        return torch.from_numpy(flat.reshape(shape))
    out = np.zeros(shape)
    out[_valid_mask(lengths, *shape[:2])] = flat
    return torch.from_numpy(out)


# Workspaces of the matrix products, kept per thread from call to call: fresh
# buffers of tens of MB cost about as much in page faults as the computation.
_WORKSPACES = threading.local()


def _workspace(name, shape):
    """A float64 tensor of ``shape``, any content, kept by this thread between calls."""
    size = math.prod(shape)
    buf = getattr(_WORKSPACES, name, None)
    if buf is None or len(buf) < size:
        buf = torch.empty(size, dtype=torch.float64)
        setattr(_WORKSPACES, name, buf)
    return buf[:size].view(shape)


def _pair_lengths(x_lengths, y_lengths, n_ts, n, m):
    """(n_pairs, 2) block sizes of the cost matrices."""
    return np.stack([np.full(n_ts, n) if x_lengths is None else x_lengths,
                     np.full(n_ts, m) if y_lengths is None else y_lengths],
                    axis=1).astype(np.intp)


# --------------------------------------------------------------------------
# Values and gradients of the squared Euclidean cost, on kernel tensors
# --------------------------------------------------------------------------
def _fused_value_grad(x, y, gamma, band, x_lengths, y_lengths, n_threads, scale, want_x,
                      want_y):
    """By the fused kernels, which compute each cost where the recursion needs it."""
    X = _flat(x.numpy(), x_lengths, "x")
    Y = _flat(y.numpy(), y_lengths, "y")
    dtype = X.data.dtype
    if not (want_x or want_y):
        idx = np.arange(X.n_ts)
        return _pairs_value(X, Y, idx, idx, gamma, band, n_threads, dtype=dtype), None, None
    values, gX, gY = _value_grad(X, Y, gamma, band, n_threads, want_x, want_y, dtype)
    return (values,
            _padded(gX, x.shape, x_lengths, scale) if want_x else None,
            _padded(gY, y.shape, y_lengths, scale) if want_y else None)


def _matmul_value_grad(x, y, gamma, band, x_lengths, y_lengths, n_threads, scale, want_x,
                       want_y):
    r"""With the costs and the gradients as batched matrix products (BLAS).

    :math:`D = |x|^2 + |y|^2 - 2 x y^\top` in one product of the series
    augmented by their squared norms and ones; the kernels give the values
    and :math:`E = \partial\,\mathrm{dtw}_\gamma / \partial D` from ``D``;
    :math:`\nabla_x = 2 (x \odot E \mathbf{1} - E y)` and
    :math:`\nabla_y = 2 (y \odot E^\top \mathbf{1} - E^\top x)` in two more
    products. Each pair is first centred on the mean of its two series: the
    costs are translation invariant, and the expanded form would lose them
    in cancellation on data far from the origin (what is left is clamped at
    0). The padding is set to 0, so that products never meet it.
    """
    n_ts, n, d = x.shape
    m = y.shape[1]
    # the errors of the fused path, naming x, y or gamma, for costs that could overflow
    _max_cost(_flat(x.numpy(), x_lengths, "x"), _flat(y.numpy(), y_lengths, "y"), gamma)
    mx = None if x_lengths is None else \
        torch.from_numpy(_valid_mask(x_lengths, n_ts, n)).unsqueeze(-1).to(x.dtype)
    my = None if y_lengths is None else \
        torch.from_numpy(_valid_mask(y_lengths, n_ts, m)).unsqueeze(-1).to(y.dtype)
    xs = x.sum(1) if mx is None else (x * mx).sum(1)
    ys = y.sum(1) if my is None else (y * my).sum(1)
    lengths = _pair_lengths(x_lengths, y_lengths, n_ts, n, m)
    centre = ((xs + ys) / torch.from_numpy(lengths.sum(1, keepdims=True)).to(x.dtype))[:, None]
    xc = x - centre if mx is None else (x - centre) * mx
    yc = y - centre if my is None else (y - centre) * my
    ones_x, ones_y = x.new_ones(n_ts, n, 1), y.new_ones(n_ts, m, 1)
    xa = torch.cat([xc, xc.square().sum(2, keepdim=True), ones_x], 2)
    ya = torch.cat([-2.0 * yc, ones_y, yc.square().sum(2, keepdim=True)], 2)
    D = torch.bmm(xa, ya.transpose(1, 2), out=_workspace("D", (n_ts, n, m))).clamp_(min=0.0)
    if not (want_x or want_y):
        return _batch_cost(D.numpy(), lengths, gamma, band, False, n_threads)[0], None, None
    E = _workspace("E", (n_ts, n, m)).zero_()
    values, _ = _batch_cost(D.numpy(), lengths, gamma, band, True, n_threads, E=E.numpy())
    return values, \
        _matmul_grad(E, xc, torch.cat([yc, ones_y], 2), scale) if want_x else None, \
        _matmul_grad(E.transpose(1, 2), yc, torch.cat([xc, ones_x], 2), scale) if want_y \
        else None


def _matmul_grad(E, a, b1, scale=1.0):
    """``2 scale (a * E.sum(2) - E @ b)`` from one product ``E @ [b, 1]``."""
    prod = torch.bmm(E, b1)
    return prod[:, :, -1:].mul(a).sub_(prod[:, :, :-1]).mul_(2.0 * scale)


def _squared_euclidean_value_grad(x, y, *args):
    """Values (NumPy) and gradients (tensors, times ``scale``) of validated kernel
    tensors, by the faster of the two ways."""
    n_ts, n, d = x.shape
    if d >= MATMUL_MIN_DIM and n_ts * n * y.shape[1] <= MATMUL_MAX_CELLS:
        # (its workspaces and products in float64)
        return _matmul_value_grad(x.to(torch.float64), y.to(torch.float64), *args)
    return _fused_value_grad(x, y, *args)


# --------------------------------------------------------------------------
# Autograd functions
# --------------------------------------------------------------------------
def _scaled(grad_values, grad, reduction="none", in_place=False):
    """Backward of a batch of values, or of their mean or sum (``reduction``):
    ``grad[k]`` times the incoming gradient of ``values[k]``; with ``in_place``, in
    ``grad`` itself, which holds the mean's ``1 / B`` already (`_mean_scale`)."""
    if grad is None:
        return None
    scale = _as_dtype(grad_values, grad.dtype)
    if reduction == "none":
        scale = scale[:, None, None]
    if in_place:
        return grad.mul_(scale)
    return scale * grad / len(grad) if reduction == "mean" else scale * grad


def _mean_scale(reduction, n_ts):
    """The factor of the kernels' gradients for the ``reduction`` of ``n_ts`` values."""
    return 1.0 / n_ts if reduction == "mean" else 1.0


def _reduced(values, reduction, dtype):
    """The values of the pairs (NumPy), or their mean or sum, as a tensor of ``dtype``."""
    if reduction != "none":
        total = values.sum()
        values = np.asarray(total / len(values) if reduction == "mean" else total)
    return _as_dtype(torch.from_numpy(values), dtype)


def _kernel_value_grad(x, y, args, scale, want_x, want_y):
    """Values and gradients (times ``scale``) of the pairs of tensors ``x`` and ``y``,
    checked but for NaN and inf: the kernels' bound on the costs refuses them, and
    the error then names them."""
    try:
        return _squared_euclidean_value_grad(_as_kernel(x), _as_kernel(y), *args, scale,
                                             want_x, want_y)
    except ValueError:
        _check_finite(x, args[2], "x")
        _check_finite(y, args[3], "y")
        raise


def _sqeuclidean(x, y):
    """Exact (B, N, M) squared Euclidean costs, one dimension at a time.

    Summing differences, not expanding ``|x|^2 + |y|^2 - 2 x.y``, keeps full
    relative precision; one dimension at a time keeps the memory at one
    (B, N, M) matrix.
    """
    return sum((x[:, :, None, k] - y[:, None, :, k]) ** 2 for k in range(x.shape[2]))


def _cost_matrix(dist_func, x, y, x_lengths, y_lengths):
    D = dist_func(x, y)
    expected = (len(x), x.shape[1], y.shape[1])
    if not isinstance(D, torch.Tensor) or tuple(D.shape) != expected:
        got = tuple(D.shape) if isinstance(D, torch.Tensor) else type(D).__name__
        raise ValueError(f"dist_func must return a tensor of shape (B, N, M) = {expected}, "
                         f"got {got}")
    if not D.is_floating_point():
        raise TypeError(f"dist_func must return a floating-point tensor, got dtype {D.dtype}")
    valid = None if x_lengths is None and y_lengths is None else \
        _valid_mask(x_lengths, *x.shape[:2])[:, :, None] \
        & _valid_mask(y_lengths, *y.shape[:2])[:, None, :]
    if not _finite_where(_to_numpy(D), valid):
        raise ValueError("dist_func returned NaN or infinite costs (outside the padding)")
    return D

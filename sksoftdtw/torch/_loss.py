r"""Soft-DTW as a PyTorch loss: autograd functions over the batched kernels.

Two autograd functions carry everything:

- ``_SoftDTWFunction`` on the series, for the squared Euclidean cost: one
  call of the batched kernels computes the values and, in the same pass, the
  gradients of the inputs that require them; below dimension
  ``MATMUL_MIN_DIM`` the fused kernels compute each cost inside the
  recursion, from it on the costs and gradients are batched matrix products
  around the recursion on the cost matrices (`_matmul_value_grad`);
- ``_SoftDTWCostFunction`` on a cost matrix ``D`` given by ``dist_func``: the
  kernels return the expected alignment :math:`E = \partial\,\mathrm{dtw}_\gamma
  / \partial D` with the values, and autograd carries it back through
  ``dist_func``.

Their backward passes only scale the stored gradients by the incoming ones:
``_SoftDTWFunction`` also takes the mean or sum of ``SoftDTWLoss``, and hands
its gradients, with the mean's ``1 / B`` already applied, to its backward pass,
which scales them in place for autograd to keep as they are. The input is
validated once, here (NaN and inf by the fused kernels' own bound on the
costs, the error then naming them), and the kernels' private cores called
without validating it again. The kernels run on the CPU in the dtype that
`_kernel_dtype` gives (float32 for float32 tensors, float64 otherwise): other
dtypes are converted at the boundary and the results converted back.
"""

import math
import threading

import numpy as np
import torch

from .._engine.cost import batch_cost as _batch_cost
from .._engine.pairs import max_cost as _max_cost
from .._engine.pairs import pairs_value as _pairs_value
from .._engine.pairs import value_grad as _value_grad
from .._engine.planner import MATMUL_MAX_CELLS, MATMUL_MIN_DIM
from .._engine.planner import as_band as _check_band
from ..utils._docstrings import fill_doc
from ..utils._validation import FlatDataset, check_gamma, check_n_jobs

__all__ = ["SoftDTWLoss", "soft_dtw", "soft_dtw_alignment"]

_REDUCTIONS = ("mean", "sum", "none")

_PARAMS = """gamma : float, default=1.0
        Smoothing parameter, ``> 0``.
    sakoe_chiba_radius : int or None, default=None
        Radius of the Sakoe-Chiba band, applied to each pair on its own
        lengths ``(n_k, m_k)``: cell ``(i, j)`` may be aligned only if
        ``i - r <= j <= i + (m_k - n_k) + r`` (``n_k <= m_k``; symmetric
        otherwise), so the last cell is always reachable. ``None`` means no
        band.
    itakura_max_slope : float or None, default=None
        Maximum slope of the Itakura parallelogram, applied to each pair on
        its own lengths as in :func:`sksoftdtw.soft_dtw`; ``None`` means
        none. Lengths too unequal for the slope raise a ValueError."""

_DIST_FUNC = """dist_func : callable or None, default=None
        ``dist_func(x, y)`` returns the ``(B, N, M)`` cost matrices of the
        pairs from ``(B, N, D)`` and ``(B, M, D)`` tensors; any differentiable
        torch function (cosine, absolute, a learned metric). ``None`` uses the
        squared Euclidean cost on fused kernels that never build the matrix."""

_LENGTHS = """x_lengths, y_lengths : LongTensor or sequence of int of shape (B,), default=None
        True length of each series, for batches padded to a common length:
        series ``k`` of ``x`` is ``x[k, :x_lengths[k]]``; padded positions are
        never read and get a zero gradient. ``None`` means every series has
        the full length."""

_REFERENCES = """.. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.
    .. [2] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021."""

_NORMALIZE = r"""normalize : bool or "sharp", default=False
        ``True`` gives the soft-DTW divergence
        :math:`\mathrm{dtw}_\gamma(x, y) - \frac{1}{2}(\mathrm{dtw}_\gamma(x, x)
        + \mathrm{dtw}_\gamma(y, y))` (Blondel et al., 2021), nonnegative for
        the squared Euclidean cost and zero when ``x == y``; ``"sharp"`` the
        same debiasing of the sharp soft-DTW :math:`\langle E, C \rangle`
        (the expected cost of an alignment, without the entropy term: see
        :func:`sksoftdtw.sharp_soft_dtw_divergence`), whose gradient runs
        through the second-order kernels. Both are valid for unequal lengths."""

_N_JOBS = """n_jobs : int or None, default=None
        Number of kernel threads; ``None`` means 1 and ``-1`` all cores."""


def _doc(func):
    func.__doc__ = fill_doc(func.__doc__, params=_PARAMS, dist_func=_DIST_FUNC,
                            lengths=_LENGTHS, n_jobs=_N_JOBS, normalize=_NORMALIZE,
                            references=_REFERENCES)
    return func


# --------------------------------------------------------------------------
# Validation, once, at the public boundary
# --------------------------------------------------------------------------
def _check_batch(x, name):
    """A CPU floating-point tensor of shape (B, N, D); (B, N) is D = 1."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_cpu:
        raise ValueError(
            f"{name} is on device '{x.device}': the soft-DTW kernels run on the CPU only; "
            f"move the tensors with {name}.cpu() (the loss does not move them silently)"
        )
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if x.ndim == 2:
        x = x.unsqueeze(-1)
    elif x.ndim != 3:
        raise ValueError(
            f"{name} must be a batch of series of shape (B, N, D) or (B, N), got a tensor "
            f"with {x.ndim} dimensions and shape {tuple(x.shape)}"
        )
    if 0 in x.shape:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)})")
    return x


def _check_lengths(lengths, n_ts, sz, name):
    """Lengths as an intp array of shape (n_ts,) in [1, sz], or None for full length."""
    if lengths is None:
        return None
    if isinstance(lengths, torch.Tensor):
        lengths = lengths.detach().cpu().numpy()
    arr = np.asarray(lengths)
    if arr.shape != (n_ts,):
        raise ValueError(
            f"{name} must hold one length per series, shape ({n_ts},), got shape {arr.shape}"
        )
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.min() < 1 or arr.max() > sz:
        raise ValueError(
            f"{name} must be between 1 and {sz} (the padded length), got values from "
            f"{arr.min()} to {arr.max()}"
        )
    return None if (arr == sz).all() else arr.astype(np.intp)


def _valid_mask(lengths, n_ts, sz):
    """(n_ts, sz) mask of the positions inside the series."""
    if lengths is None:
        return np.ones((n_ts, sz), dtype=bool)
    return np.arange(sz)[None, :] < lengths[:, None]


def _finite_where(a, valid):
    """Whether ``a`` is finite wherever ``valid`` (None: everywhere) is true.

    On NumPy views of the tensors: tensor reductions cost far more on small
    batches.
    """
    finite = np.isfinite(a)
    return bool(finite.all() if valid is None else (finite | ~valid).all())


def _check_finite(x, lengths, name):
    valid = None if lengths is None else _valid_mask(lengths, *x.shape[:2])[:, :, None]
    if not _finite_where(_to_numpy(x), valid):
        raise ValueError(f"{name} contains NaN or infinite values (outside the padding)")


def _check_inputs(x, y, x_lengths, y_lengths, finite=True):
    """The inputs validated; ``finite=False`` leaves NaN and inf to the fused kernels'
    bound on the costs, which refuses them (`_kernel_value_grad`)."""
    x, y = _check_batch(x, "x"), _check_batch(y, "y")
    if len(x) != len(y):
        raise ValueError(f"x and y must hold the same number of series, got {len(x)} and "
                         f"{len(y)}")
    if x.shape[2] != y.shape[2]:
        raise ValueError(f"x and y must have the same dimension D, got {x.shape[2]} and "
                         f"{y.shape[2]}")
    x_lengths = _check_lengths(x_lengths, len(x), x.shape[1], "x_lengths")
    y_lengths = _check_lengths(y_lengths, len(y), y.shape[1], "y_lengths")
    if finite:
        _check_finite(x, x_lengths, "x")
        _check_finite(y, y_lengths, "y")
    return x, y, x_lengths, y_lengths


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _reduce(values, reduction):
    """The mean or sum of the values of the pairs, or the values ("none")."""
    if reduction == "mean":
        return values.mean()
    return values.sum() if reduction == "sum" else values


def _check_normalize(normalize):
    """``normalize`` as False, True or "sharp"."""
    if isinstance(normalize, (bool, np.bool_)):
        return bool(normalize)
    if normalize != "sharp":
        raise ValueError(f'normalize must be a bool or "sharp", got {normalize!r}')
    return normalize


def _check_params(gamma, sakoe_chiba_radius, itakura_max_slope, dist_func, n_jobs):
    """The parameters as the kernels take them: gamma, the band and the number
    of threads."""
    gamma = check_gamma(gamma, allow_zero=False)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    if dist_func is not None and not callable(dist_func):
        raise TypeError(f"dist_func must be callable or None, got {dist_func!r}")
    return gamma, band, check_n_jobs(n_jobs)


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


def _to_numpy(x):
    """NumPy view of a tensor for the checks, without a copy for float32 and float64.

    Other floating dtypes, which NumPy lacks, are converted to float64.
    """
    x = x.detach()
    return x.numpy() if x.dtype in (torch.float32, torch.float64) else \
        x.to(torch.float64).numpy()


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


class _SoftDTWFunction(torch.autograd.Function):
    """Values of the pairs ``(x[k], y[k])`` under the squared Euclidean cost, or
    their mean or sum (``reduction``).

    The gradients computed with the values are handed to the first backward
    pass, which scales them in place: autograd then takes them as they are for
    the ``.grad`` of the inputs. A retained graph's later passes compute them
    again.
    """

    @staticmethod
    def forward(ctx, x, y, gamma, band, x_lengths, y_lengths, n_threads, reduction):
        ctx.want = ctx.needs_input_grad[:2]
        ctx.args = (gamma, band, x_lengths, y_lengths, n_threads)
        ctx.reduction = reduction
        ctx.scale = _mean_scale(reduction, len(x))
        values, *grads = _kernel_value_grad(x, y, ctx.args, ctx.scale, *ctx.want)
        ctx.grads = [_as_dtype(g, t.dtype) for g, t in zip(grads, (x, y))]
        ctx.save_for_backward(x, y)
        return _reduced(values, reduction, x.dtype if x.dtype == y.dtype
                        else torch.promote_types(x.dtype, y.dtype))

    @staticmethod
    def backward(ctx, grad_values):
        grads, ctx.grads = ctx.grads, None
        in_place = not torch.is_grad_enabled()
        if not in_place:  # create_graph: gradients differentiable in x and y
            grads = series_grads(*ctx.saved_tensors, *ctx.want, *ctx.args)
        elif grads is None:
            grads = _kernel_value_grad(*ctx.saved_tensors, ctx.args, ctx.scale, *ctx.want)[1:]
        return tuple(_scaled(grad_values, g, ctx.reduction, in_place) for g in grads) \
            + (None,) * 6


class _SoftDTWCostFunction(torch.autograd.Function):
    """Values of a batch of cost matrices; the gradient is the expected alignment."""

    @staticmethod
    def forward(ctx, D, gamma, band, lengths, n_threads):
        want = ctx.needs_input_grad[0]
        values, E = _cost_values(D, lengths, gamma, band, want, n_threads)
        ctx.save_for_backward(D, torch.from_numpy(E).to(D.dtype) if want else None)
        ctx.args = (gamma, band, lengths, n_threads)
        return torch.from_numpy(values).to(D.dtype)

    @staticmethod
    def backward(ctx, grad_values):
        D, E = ctx.saved_tensors
        if torch.is_grad_enabled() and E is not None:  # create_graph: E differentiable in D
            E = cost_grad(D, E, *ctx.args)
        return _scaled(grad_values, E), None, None, None, None


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


def _values(*args):
    """Differentiable soft-DTW values of validated pairs (`_eager_values`).

    Opaque to ``torch.compile``: the kernels are not traceable, so the
    compiler breaks the graph here and runs this part eagerly. The wrapper
    that makes it opaque costs about 0.15 ms a call, so it is taken only
    while compiling.
    """
    return (_opaque_values if torch.compiler.is_compiling() else _eager_values)(*args)


def _eager_values(x, y, gamma, band, dist_func, x_lengths, y_lengths, n_threads,
                  reduction="none"):
    if dist_func is None:
        if not torch.is_grad_enabled():
            # needs_input_grad follows requires_grad even under no_grad
            x, y = x.detach(), y.detach()
        return _SoftDTWFunction.apply(x, y, gamma, band, x_lengths, y_lengths, n_threads,
                                      reduction)
    D = _cost_matrix(dist_func, x, y, x_lengths, y_lengths)
    lengths = _pair_lengths(x_lengths, y_lengths, len(x), x.shape[1], y.shape[1])
    return _reduce(_SoftDTWCostFunction.apply(D, gamma, band, lengths, n_threads), reduction)


_opaque_values = torch.compiler.disable(_eager_values)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
@_doc
def soft_dtw(x, y, gamma=1.0, *, normalize=False, sakoe_chiba_radius=None,
             itakura_max_slope=None, dist_func=None, x_lengths=None, y_lengths=None,
             n_jobs=None):
    r"""Soft-DTW values of a batch of pairs of series, differentiable by autograd.

    The functional form of :class:`SoftDTWLoss` with ``reduction="none"``.

    Parameters
    ----------
    x : Tensor of shape (B, N, D) or (B, N)
        First series of each pair, on the CPU, of a floating-point dtype;
        ``(B, N)`` is ``D = 1``.
    y : Tensor of shape (B, M, D) or (B, M)
        Second series of each pair.
    %(params)s
    %(normalize)s
    %(dist_func)s
    %(lengths)s
    %(n_jobs)s

    Returns
    -------
    values : Tensor of shape (B,)
        One value per pair, of the promoted dtype of ``x`` and ``y`` (of the
        cost matrix with ``dist_func``).

    See Also
    --------
    SoftDTWLoss : The same as an ``nn.Module``, with a reduction.
    soft_dtw_alignment : The expected alignments.
    sksoftdtw.soft_dtw_batch : The NumPy batch function underneath.

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import torch
    >>> from sksoftdtw.torch import soft_dtw
    >>> x = torch.tensor([[0.0, 0.1, 2.0]], requires_grad=True)
    >>> y = torch.tensor([[0.0, 2.0]])
    >>> values = soft_dtw(x, y, gamma=0.01)
    >>> values.detach().round(decimals=4)
    tensor([0.0100])
    >>> values.sum().backward()
    >>> x.grad.shape
    torch.Size([1, 3])
    """
    return _soft_dtw(x, y, gamma, normalize, sakoe_chiba_radius, itakura_max_slope, dist_func,
                     x_lengths, y_lengths, n_jobs, "none")


def _soft_dtw(x, y, gamma, normalize, sakoe_chiba_radius, itakura_max_slope, dist_func,
              x_lengths, y_lengths, n_jobs, reduction):
    """`soft_dtw`, reduced as ``reduction`` says: without ``normalize``, inside the
    autograd function, whose backward pass then scales the gradients in place."""
    gamma, band, n_threads = _check_params(gamma, sakoe_chiba_radius, itakura_max_slope,
                                           dist_func, n_jobs)
    normalize = _check_normalize(normalize)
    x, y, x_lengths, y_lengths = _check_inputs(
        x, y, x_lengths, y_lengths, finite=dist_func is not None or normalize == "sharp")
    args = (gamma, band, dist_func)
    if not normalize:
        return _values(x, y, *args, x_lengths, y_lengths, n_threads, reduction)
    values_of = sharp_values if normalize == "sharp" else _values
    values = values_of(x, y, *args, x_lengths, y_lengths, n_threads)
    values = values - 0.5 * (values_of(x, x, *args, x_lengths, x_lengths, n_threads)
                             + values_of(y, y, *args, y_lengths, y_lengths, n_threads))
    return _reduce(values, reduction)


@_doc
def soft_dtw_alignment(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                       dist_func=None, x_lengths=None, y_lengths=None, n_jobs=None):
    r"""Expected alignments and soft-DTW values of a batch of pairs.

    ``E[k, i, j]`` is the probability that ``x[k, i]`` is aligned with
    ``y[k, j]`` under the Gibbs distribution over alignments, which is the
    gradient of the value with respect to the cost matrix. The result is not
    differentiable (it is detached).

    Parameters
    ----------
    x : Tensor of shape (B, N, D) or (B, N)
    y : Tensor of shape (B, M, D) or (B, M)
    %(params)s
    %(dist_func)s
    %(lengths)s
    %(n_jobs)s

    Returns
    -------
    E : Tensor of shape (B, N, M)
        Expected alignments, in ``[0, 1]``, zero outside each pair's block
        ``[:x_lengths[k], :y_lengths[k]]``.
    values : Tensor of shape (B,)

    See Also
    --------
    soft_dtw, sksoftdtw.soft_dtw_alignment

    Examples
    --------
    >>> import torch
    >>> from sksoftdtw.torch import soft_dtw_alignment
    >>> x = torch.tensor([[0.0, 0.1, 2.0]], dtype=torch.float64)
    >>> E, values = soft_dtw_alignment(x, torch.tensor([[0.0, 2.0]], dtype=torch.float64),
    ...                                gamma=0.01)
    >>> E.round(decimals=3)
    tensor([[[1., 0.],
             [1., 0.],
             [0., 1.]]], dtype=torch.float64)
    """
    gamma, band, n_threads = _check_params(gamma, sakoe_chiba_radius, itakura_max_slope,
                                           dist_func, n_jobs)
    x, y, x_lengths, y_lengths = _check_inputs(x, y, x_lengths, y_lengths)
    with torch.no_grad():
        D = _cost_matrix(dist_func or _sqeuclidean, x, y, x_lengths, y_lengths)
    lengths = _pair_lengths(x_lengths, y_lengths, len(x), x.shape[1], y.shape[1])
    values, E = _cost_values(D, lengths, gamma, band, True, n_threads)
    return torch.from_numpy(E).to(D.dtype), torch.from_numpy(values).to(D.dtype)


@_doc
class SoftDTWLoss(torch.nn.Module):
    r"""Soft-DTW loss between batches of time series, as a PyTorch module.

    ``loss(x, y)`` compares each series ``x[k]`` with ``y[k]``: one call of
    the batched kernels computes all the values and, in the same pass, the
    gradients of the inputs that require them; the backward pass only scales
    them. Series may have different lengths within a batch (``x_lengths``,
    ``y_lengths``) and between ``x`` and ``y``. See :doc:`/deep_learning`.

    Parameters
    ----------
    %(params)s
    %(normalize)s
    %(dist_func)s
    reduction : {"mean", "sum", "none"}, default="mean"
        Mean or sum over the pairs of the batch, or one value per pair.
    %(n_jobs)s

    See Also
    --------
    soft_dtw : The functional form.
    soft_dtw_alignment : The expected alignments.
    sksoftdtw.neural_network.MLPRegressor : A scikit-learn network trained with soft-DTW.

    Notes
    -----
    The kernels run on the CPU, float32 tensors in float32 kernels (32 pairs
    in the SIMD lanes at once; in float64 where float32 exponents would not
    be exact; the matrix products of high dimensions in float64), other
    floating tensors in float64, converted at the boundary and the values and
    gradients converted back. Tensors on another device raise an error naming
    it. The loss is twice differentiable: under ``create_graph=True`` its
    backward pass runs through the Hessian-vector products of the
    second-order kernels (see :doc:`/deep_learning`).

    Without ``dist_func``, series of low dimension run through fused kernels
    that compute each squared distance inside the recursion; from dimension
    ``sksoftdtw._engine.planner.MATMUL_MIN_DIM`` on, the cost matrices and the
    gradients are batched matrix products (BLAS) around the recursion on the
    cost matrices, each pair centred first so that the expanded form
    :math:`|x|^2 + |y|^2 - 2 x \cdot y` keeps its precision.

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import torch
    >>> from sksoftdtw.torch import SoftDTWLoss
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> x = torch.randn(4, 20, 2, requires_grad=True)
    >>> y = torch.randn(4, 30, 2)
    >>> loss = SoftDTWLoss(gamma=0.1)(x, y)
    >>> loss.backward()
    >>> loss.shape, x.grad.shape
    (torch.Size([]), torch.Size([4, 20, 2]))
    >>> SoftDTWLoss(gamma=0.1, normalize=True, reduction="none")(y, y).abs().max() < 1e-5
    tensor(True)
    """

    def __init__(self, gamma=1.0, normalize=False, sakoe_chiba_radius=None, dist_func=None,
                 reduction="mean", *, itakura_max_slope=None, n_jobs=None):
        super().__init__()
        self.gamma = _check_params(gamma, sakoe_chiba_radius, itakura_max_slope, dist_func,
                                   n_jobs)[0]
        self.normalize = _check_normalize(normalize)
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.dist_func = dist_func
        self.reduction = _check_reduction(reduction)
        self.n_jobs = n_jobs

    def forward(self, x, y, x_lengths=None, y_lengths=None):
        """Soft-DTW loss between ``x`` and ``y``.

        Parameters
        ----------
        x : Tensor of shape (B, N, D) or (B, N)
            Predictions, for instance; ``(B, N)`` is ``D = 1``.
        y : Tensor of shape (B, M, D) or (B, M)
            Targets, for instance.
        x_lengths, y_lengths : LongTensor or sequence of int of shape (B,), default=None
            True lengths of padded series (see :func:`soft_dtw`).

        Returns
        -------
        loss : Tensor of shape () or (B,)
            The reduced loss, or one value per pair with ``reduction="none"``.
        """
        return _soft_dtw(x, y, self.gamma, self.normalize, self.sakoe_chiba_radius,
                         self.itakura_max_slope, self.dist_func, x_lengths, y_lengths,
                         self.n_jobs, self.reduction)

    def extra_repr(self):
        return (f"gamma={self.gamma}, normalize={self.normalize}, "
                f"sakoe_chiba_radius={self.sakoe_chiba_radius}, "
                f"itakura_max_slope={self.itakura_max_slope}, reduction={self.reduction!r}")


from ._second_order import cost_grad, series_grads, sharp_values  # noqa: E402

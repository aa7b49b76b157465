"""Checks of the PyTorch losses' inputs and parameters, once, at the public
boundary, and the docstring fragments of their parameters."""
import numpy as np
import torch

from .._engine.planner import as_band as _check_band
from ..utils._docstrings import fill_doc
from ..utils._validation import check_gamma, check_n_jobs

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


def _to_numpy(x):
    """NumPy view of a tensor for the checks, without a copy for float32 and float64.

    Other floating dtypes, which NumPy lacks, are converted to float64.
    """
    x = x.detach()
    return x.numpy() if x.dtype in (torch.float32, torch.float64) else \
        x.to(torch.float64).numpy()

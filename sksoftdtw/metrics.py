r"""Soft-DTW, DTW and the soft-DTW divergence: values, gradients, alignments.

Every function validates its input here and hands flat arrays to the
Cython kernels of :mod:`sksoftdtw._soft_dtw_fast`. The dtype of the results
follows the input: float32 data (every array given in float32) give float32
arrays, anything else (float64, integers, float32 mixed with float64) gives
float64; scalar results are Python floats. The pairwise and batched values
(:func:`cdist_soft_dtw`, :func:`soft_dtw_batch`, :func:`cdist_soft_dtw_divergence`)
and batched gradients of float32 data run in float32 kernels (32 pairs in
the SIMD lanes at once), about twice as fast, within about ``1e-6`` relative
of float64 on z-normalized data, whenever their exponents are exact in
float32 (see :doc:`/implementation`); the other requests, hard DTW and the
kernels of one pair (anti-diagonals, checkpointed gradients, rows) compute
in float64 and round the results to float32. Trailing rows of a
series that are entirely NaN are padding, dropped before the computation, in
single series and in datasets alike; any other NaN or infinite value is an
error.

Soft-DTW (Cuturi & Blondel, 2017) between :math:`x \in \mathbb{R}^{n \times d}`
and :math:`y \in \mathbb{R}^{m \times d}` is

.. math::

    \mathrm{dtw}_\gamma(x, y) = \min{}^\gamma_{A \in \mathcal{A}_{n,m}
    \langle A, \Delta(x, y) \rangle, \qquad
    \min{}^\gamma(u) = -\gamma \log \sum_k e^{-u_k / \gamma},

with :math:`\Delta_{ij} = \|x_i - y_j\|^2` (``cost="sqeuclidean"``, the
default) or :math:`\Delta_{ij} = \|x_i - y_j\|_1` (``cost="abs"``) and
:math:`\mathcal{A}_{n,m}` the monotone alignment paths. :math:`\gamma = 0` is
hard DTW, in the units of the cost.
"""
import functools
import threading
import warnings

import numpy as np

from ._kernels import fast as _fast
from ._plan import MAX_EXPONENT as _MAX_EXPONENT
from ._plan import CDIST_BLOCK_PAIRS as _CDIST_BLOCK_PAIRS
from ._plan import NO_BAND as _NO_BAND
from ._plan import Band as _Band
from ._plan import apart as _apart
from ._plan import forced as _forced
from ._plan import plan
from ._plan import light_pair_limits as _light_pair_limits
from .parallel import batch_blocks, cdist_blocks, distributed_backend_active
from .utils._docstrings import fill_doc
from .utils._validation import (
    FlatDataset,
    _as_float_array,
    check_cost,
    check_dataset,
    check_cost_range,
    check_gamma,
    check_gamma_range,
    check_n_jobs,
    check_pairs,
    check_path_sum,
    check_radius,
    check_same_dim,
    check_slope,
    check_time_series,
)

__all__ = [
    "soft_dtw",
    "soft_dtw_value_and_grad",
    "soft_dtw_alignment",
    "soft_dtw_alignment_from_cost",
    "soft_dtw_from_cost",
    "soft_dtw_batch_from_cost",
    "soft_dtw_batch",
    "soft_dtw_divergence",
    "dtw",
    "dtw_path",
    "cdist_soft_dtw",
    "cdist_soft_dtw_divergence",
    "cdist_dtw",
]

_SEE_BAND = """sakoe_chiba_radius : int or None, default=None
        Radius of the Sakoe-Chiba band: cell ``(i, j)`` may be aligned only
        if ``i - r <= j <= i + (m - n) + r`` (``n <= m``; symmetric
        otherwise). The band widens by the length difference so that the
        last cell is always reachable. ``None`` means no band.
    itakura_max_slope : float or None, default=None
        Maximum slope ``s >= 1`` of the Itakura parallelogram: the paths stay
        between the lines of slopes ``s`` and ``1 / s`` (rescaled by
        ``n / m``) through the first and the last cells, as tslearn's
        ``itakura_mask(n, m, s)`` defines it. ``None`` means no
        parallelogram; with ``sakoe_chiba_radius``, the intersection of both.
        Lengths too unequal for the slope raise a ValueError. See
        :ref:`global_constraints`."""

_SEE_COST = """cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points: ``"sqeuclidean"``, :math:`\\|x_i - y_j\\|^2`,
        or ``"abs"``, the L1 cost :math:`\\sum_k |x_{ik} - y_{jk}|` (its
        gradient is a subgradient, 0 where coordinates tie). See
        :ref:`costs`."""


def _check_band(sakoe_chiba_radius, itakura_max_slope):
    """The `Band` of the public parameters, validated."""
    if sakoe_chiba_radius is None and itakura_max_slope is None:
        return _NO_BAND
    return _Band(check_radius(sakoe_chiba_radius), check_slope(itakura_max_slope))


def _float_dtype(*inputs):
    """float32 when every input is float32 (an array, or a list or tuple of
    arrays, judged by its first series), else float64."""
    for a in inputs:
        first = a[0] if isinstance(a, (list, tuple)) and len(a) > 0 else a
        if getattr(first, "dtype", None) != np.float32:
            return np.float64
    return np.float32


def _pair(x, y):
    x = check_time_series(x, "x")
    y = check_time_series(y, "y")
    check_same_dim(y.shape[1], x.shape[1], "y")
    return x, y


def _as_dataset(*series, name):
    """Validated ``(sz, d)`` series as a `FlatDataset`, skipping re-validation."""
    offsets = np.zeros(len(series) + 1, dtype=np.intp)
    np.cumsum([len(ts) for ts in series], out=offsets[1:])
    return FlatDataset(np.concatenate(series) if len(series) > 1 else series[0],
                       offsets, "list", name=name)


# The workspace of the anti-diagonal gradients, kept per thread from call to
# call: a fresh buffer of that size costs as much in page faults as the
# computation.
_WAVEFRONT_WORK = threading.local()


def _wavefront_work(size):
    """A workspace of at least ``size`` doubles, kept by this thread between calls."""
    work = getattr(_WAVEFRONT_WORK, "buffer", None)
    if work is None or len(work) < size:
        work = _WAVEFRONT_WORK.buffer = np.empty(size)
    return work


def _wavefront_value_grad(X, Y, gamma, n_threads, values, gX, gY, cost="sqeuclidean"):
    work = _wavefront_work(n_threads * _fast.wavefront_work_size(X.offsets, Y.offsets, X.d))
    x, y = _kernel_data(X, Y, np.float64)
    _fast.batch_wavefront_value_grad(x, X.offsets, y, Y.offsets, gamma, n_threads, work,
                                     values, gX, gY, _fast.COSTS[cost])


def _single_path(lengths_x, lengths_y, band):
    """Which pairs have a single alignment.

    Their soft-DTW is the cost of that path at any gamma, and their expected
    alignment its indicator: the hard-DTW recursion computes both exactly,
    where the soft one would lose the value in the cancellation of
    ``-gamma log(exp(-cost / gamma))`` at large gamma.
    """
    return (np.minimum(lengths_x, lengths_y) == 1) | (_diagonal_only(band)
                                                       & (lengths_x == lengths_y))


def _diagonal_only(band):
    """Whether the band leaves pairs of equal lengths the diagonal alone."""
    return band.radius == 0 or band.slope == 1.0


def _shortest(ds):
    """The shortest length of a `FlatDataset`, without array operations for one series."""
    return int(ds.offsets[1]) if len(ds.offsets) == 2 else ds.lengths.min()


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _max_cost(X, Y, gamma, dtype=np.float64, cost="sqeuclidean"):
    """A bound on the ``cost`` between any series of X and of Y; raises,
    naming the data or gamma, when the value could overflow (float32 for
    float32 results)."""
    length = X.lengths.max() + Y.lengths.max()
    check_gamma_range(gamma, length)
    max_cost = check_cost_range(X, Y, length, cost)
    if dtype == np.float32 and not length * max_cost < _FLOAT32_MAX:
        raise ValueError(
            f"the costs between these float32 series (up to {max_cost:.3g}) summed "
            f"along an alignment could overflow float32, the dtype of the results: pass "
            f"float64 data")
    return max_cost


def _dtype_name(dtype):
    """The plan's name of a float dtype (without building an ``np.dtype``:
    one-pair calls stay cheap)."""
    return "float32" if dtype == np.float32 else "float64"


def _kernel_data(X, Y, dtype):
    """The flat data of X and Y in ``dtype``, converted once when X is Y."""
    x = X.data.astype(dtype, copy=False)
    return x, (x if Y is X else Y.data.astype(dtype, copy=False))


def _pairs_value(X, Y, pi, pj, gamma, band, n_jobs, strategy=None, dtype=np.float64,
                 cost="sqeuclidean"):
    """Values of the pairs ``(X[pi[k]], Y[pj[k]])``, in ``dtype``, for the
    ``cost`` between points."""
    pi = np.ascontiguousarray(pi, dtype=np.intp)
    pj = np.ascontiguousarray(pj, dtype=np.intp)
    # (the shortest lengths first: the common case stays cheap on tiny pairs)
    # (a forced strategy computes every pair as it says)
    if gamma > 0 and (_diagonal_only(band) or min(_shortest(X), _shortest(Y)) == 1) \
            and not _forced(strategy):
        single = _single_path(X.lengths[pi], Y.lengths[pj], band)
        if single.all():
            gamma = 0.0
        elif single.any():
            out = np.empty(len(pi), dtype)
            out[single] = _pairs_value(X, Y, pi[single], pj[single], 0.0, band, n_jobs,
                                       strategy, dtype, cost)
            out[~single] = _pairs_value(X, Y, pi[~single], pj[~single], gamma, band, n_jobs,
                                        strategy, dtype, cost)
            return out
    alone = None if len(pi) == 1 or _forced(strategy) else _apart(X.lengths[pi], Y.lengths[pj])
    if alone is not None and alone.any():
        parts = [_pairs_value(X, Y, pi[mask], pj[mask], gamma, band, n_jobs, strategy, dtype,
                              cost) for mask in (alone, ~alone)]
        out = np.empty(len(pi), np.result_type(*parts))
        out[alone], out[~alone] = parts
        return out
    out = np.empty(len(pi))
    p = plan("value", X.lengths[pi], Y.lengths[pj], gamma=gamma, band=band,
             max_cost=_max_cost(X, Y, gamma, dtype, cost), strategy=strategy,
             dtype=_dtype_name(dtype), cost=cost)
    n_threads = check_n_jobs(n_jobs)
    kind = _fast.COSTS[cost]
    if p.order == "antidiagonals":
        out[0] = _fast.wavefront_value(X.series(pi[0]).astype(np.float64, copy=False),
                                       Y.series(pj[0]).astype(np.float64, copy=False), gamma,
                                       kind)
    elif p.order == "lanes":
        order, starts = p.groups
        x, y = _kernel_data(X, Y, p.dtype)
        out = np.empty(len(pi), p.dtype)
        sorted_out = np.empty(len(pi), p.dtype)
        _fast.groups_value(x, X.offsets, y, Y.offsets, pi[order], pj[order],
                           starts, gamma, *band, n_threads, sorted_out, kind)
        out[order] = sorted_out
    else:
        x, y = _kernel_data(X, Y, np.float64)
        _fast.pairs_value(x, X.offsets, y, Y.offsets, pi, pj, gamma, *band,
                          p.domain == "exp", n_threads, out, kind)
    return out.astype(dtype, copy=False)


def _pairs_value_grad(X, Y, gamma, band, n_jobs, want_x, want_y, strategy=None,
                      dtype=np.float64, cost="sqeuclidean"):
    """Values of the pairs ``(X[k], Y[k])`` and the flat gradients asked for
    (empty ``(0, d)`` arrays for the others), in the dtype of the kernel that
    computed them (``dtype`` asks for float32 kernels), for the ``cost``."""
    alone = None if X.n_ts == 1 or _forced(strategy) else _apart(X.lengths, Y.lengths)
    if alone is not None and alone.any():
        return _value_grad_apart(X, Y, alone, gamma, band, n_jobs, want_x, want_y, dtype,
                                 cost)
    p = plan("gradient", X.lengths, Y.lengths, gamma=gamma, band=band,
             max_cost=_max_cost(X, Y, gamma, dtype, cost), strategy=strategy,
             dtype=_dtype_name(dtype), d=X.d, n_gradients=int(want_x) + int(want_y),
             cost=cost)
    n_threads = check_n_jobs(n_jobs)
    values = np.empty(X.n_ts, p.dtype)
    gX = np.zeros(X.data.shape if want_x else (0, X.d), p.dtype)
    gY = np.zeros(Y.data.shape if want_y else (0, X.d), p.dtype)
    kind = _fast.COSTS[cost]
    if p.order == "antidiagonals":
        _wavefront_value_grad(X, Y, gamma, min(n_threads, X.n_ts), values, gX, gY, cost)
    elif p.order == "lanes" and p.domain == "hard":
        order, starts = p.groups
        x, y = _kernel_data(X, Y, np.float64)
        _fast.groups_hard_paths(x, X.offsets, y, Y.offsets, order, starts, *band, n_threads,
                                values, gX, gY, np.empty(0), kind)
    elif p.order == "lanes":
        order, starts = p.groups
        x, y = _kernel_data(X, Y, p.dtype)
        _fast.groups_value_grad(x, X.offsets, y, Y.offsets, order, starts,
                                gamma, *band, p.block, n_threads, values, gX, gY, kind)
    else:
        x, y = _kernel_data(X, Y, np.float64)
        _fast.batch_value_grad(x, X.offsets, y, Y.offsets, gamma, *band,
                               p.domain == "exp", n_threads, values, gX, gY, kind)
    return values, gX, gY


def _value_grad_apart(X, Y, alone, gamma, band, n_jobs, want_x, want_y, dtype, cost):
    """`_pairs_value_grad` of the pairs ``alone`` (a boolean mask) and of the
    others, each set planned on its own (see `_plan.apart`)."""
    parts = []
    for idx in (np.flatnonzero(alone), np.flatnonzero(~alone)):
        (Xs, x_rows), (Ys, y_rows) = X.take(idx), Y.take(idx)
        parts.append((idx, x_rows, y_rows,
                      _pairs_value_grad(Xs, Ys, gamma, band, n_jobs, want_x, want_y,
                                        dtype=dtype, cost=cost)))
    out_dtype = np.result_type(*(values for *_, (values, _, _) in parts))
    values = np.empty(X.n_ts, out_dtype)
    gX = np.zeros(X.data.shape if want_x else (0, X.d), out_dtype)
    gY = np.zeros(Y.data.shape if want_y else (0, X.d), out_dtype)
    for idx, x_rows, y_rows, (sub_values, sub_gX, sub_gY) in parts:
        values[idx] = sub_values
        if want_x:
            gX[x_rows] = sub_gX
        if want_y:
            gY[y_rows] = sub_gY
    return values, gX, gY


# Where the plan keeps no paths, the number of points aligned to each point
# of X comes from one extra coordinate, equal to _TINY on X and 0 on Y: its
# squared difference 2**-1200 underflows to exactly 0, so every cost and hence
# the optimal path are unchanged, while its gradient entry is exactly
# 2 * _TINY * count (a sum of integer multiples of a power of two).
_TINY = 2.0 ** -600


def _hard_paths_to(n, Y, band, n_jobs):
    """The hard-DTW paths from one series of length ``n`` to every series of
    ``Y``, planned once for calls on many series ``Z`` (DBA's iterations).

    ``Y`` is a validated `FlatDataset` and ``band`` a checked `Band`; the series ``Z`` given to the returned function must be within
    the cost range checked for ``Y`` (a mean of its points is).

    Returns
    -------
    paths : callable
        ``Z -> (values, grads, counts)``: ``dtw(Z, Y[k])`` of shape
        ``(n_ts,)``, its gradients w.r.t. ``Z`` of shape ``(n_ts, n, d)`` and
        the number of points of ``Y[k]`` aligned to each point of ``Z``, of
        shape ``(n_ts, n)``.
    """
    n_ts = Y.n_ts
    offsets = np.arange(n_ts + 1, dtype=np.intp) * n
    p = plan("gradient", np.full(n_ts, n), Y.lengths, gamma=0.0, band=band,
             max_cost=np.inf)
    n_threads = check_n_jobs(n_jobs)
    if p.order == "lanes":
        order, starts = p.groups
        no_grad_y = np.zeros((0, Y.d))

        def paths(Z):
            X = np.tile(Z, (n_ts, 1))
            values, gX, counts = np.empty(n_ts), np.empty_like(X), np.empty(len(X))
            _fast.groups_hard_paths(X, offsets, Y.data, Y.offsets, order, starts, *band,
                                    n_threads, values, gX, no_grad_y, counts)
            return values, gX.reshape(n_ts, n, -1), counts.reshape(n_ts, n)
        return paths
    Yt = Y._replace(data=np.column_stack([Y.data, np.zeros(len(Y.data))]))

    def paths_by_tiny(Z):
        X = FlatDataset(np.tile(np.column_stack([Z, np.full(n, _TINY)]), (n_ts, 1)), offsets,
                        "3d")
        values, gX, _ = _pairs_value_grad(X, Yt, 0.0, band, n_jobs, True, False)
        gX = gX.reshape(n_ts, n, -1)
        return values, gX[..., :-1], gX[..., -1] / (2.0 * _TINY)
    return paths_by_tiny


def soft_dtw(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
             cost="sqeuclidean"):
    r"""Soft-DTW value between two time series.

    Computed in ``O(len(y))`` memory: no ``n x m`` matrix is allocated, so
    series of length :math:`10^5` and more are fine.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; ``0`` gives hard DTW.
    {band}
    {cost}

    Returns
    -------
    value : float
        :math:`\mathrm{dtw}_\gamma(x, y)`. It can be negative when
        ``gamma > 0``, and ``soft_dtw(x, x) != 0`` in general: see
        :func:`soft_dtw_divergence` for a debiased discrepancy.

    See Also
    --------
    soft_dtw_value_and_grad, soft_dtw_divergence, dtw

    References
    ----------
    .. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.

    Examples
    --------
    >>> from sksoftdtw import soft_dtw
    >>> round(soft_dtw([0.0, 1.0, 2.0], [0.0, 2.0], gamma=0.0), 6)
    1.0
    >>> soft_dtw([0.0, 1.0, 2.0], [0.0, 2.0], gamma=1.0) < 1.0
    True
    """
    gamma = check_gamma(gamma)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    value = _light_pair(x, y, gamma, band, cost=cost)
    if value is not None:
        return value
    x, y = _pair(x, y)
    return float(_pairs_value(_as_dataset(x, name="x"), _as_dataset(y, name="y"), _FIRST,
                              _FIRST, gamma, band, None, cost=cost)[0])


# The index of the one pair of a dataset of one series each.
_FIRST = np.zeros(1, dtype=np.intp)


def _light_pair(x, y, gamma, band, grad=None, cost="sqeuclidean"):
    """The value of two float64 ndarrays computed with light checks (see
    `_plan.light_pair_limits`), and the gradient with respect to ``x``
    written to ``grad`` when given; None for any other input or pair (which
    then takes the validating path)."""
    limits = _light_pair_limits()
    if limits is None:
        return None
    value = _fast.light_pair(x, y, gamma, *band, _MAX_EXPONENT, *limits, grad,
                             _fast.COSTS[cost])
    return None if value != value else value


def soft_dtw_batch(X, Y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                   return_grad=None,
                   n_jobs=None, cost="sqeuclidean"):
    r"""Soft-DTW values (and gradients) of many pairs ``(X[k], Y[k])`` in one call.

    This is the entry point of the estimators: a barycenter, k-means or
    neural-network step evaluates all its pairs at once, in parallel, with the
    GIL released.

    Parameters
    ----------
    X : array-like of shape (n_pairs, n) or (n_pairs, n, d), or list of series
    Y : array-like of shape (n_pairs, m) or (n_pairs, m, d), or list of series
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``. At ``0`` the gradients are a
        subgradient of hard DTW (the optimal path's indicator).
    {band}
    return_grad : {None, "x", "y", "both"}, default=None
        Which gradients to return.
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.
    {cost}

    Returns
    -------
    values : ndarray of shape (n_pairs,)
        float32 when ``X`` and ``Y`` are float32, else float64 (as the
        gradients).
    grad_X, grad_Y : ndarray or list of ndarray
        Gradients of ``values[k]`` w.r.t. ``X[k]`` (resp. ``Y[k]``), in the
        layout of ``X`` (resp. ``Y``): a list for variable-length input.
        Returned as asked by ``return_grad``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_batch
    >>> X = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 0.0]])
    >>> Y = np.array([[0.0, 2.0], [1.0, 0.0]])
    >>> values, grad_X = soft_dtw_batch(X, Y, gamma=0.1, return_grad="x")
    >>> values.shape, grad_X.shape
    ((2,), (2, 3))
    """
    if distributed_backend_active():
        return batch_blocks(soft_dtw_batch, X, Y, gamma=gamma,
                            sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope, return_grad=return_grad,
                            n_jobs=n_jobs, cost=cost)
    gamma = check_gamma(gamma)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    if return_grad not in (None, "x", "y", "both"):
        raise ValueError(
            f"return_grad must be None, 'x', 'y' or 'both', got {return_grad!r}"
        )
    dtype = _float_dtype(X, Y)
    Xd, Yd = check_pairs(X, Y)
    if return_grad is None:
        idx = np.arange(Xd.n_ts)
        return _pairs_value(Xd, Yd, idx, idx, gamma, band, n_jobs, dtype=dtype, cost=cost)
    want_x = return_grad in ("x", "both")
    want_y = return_grad in ("y", "both")
    values, gX, gY = _value_grad(Xd, Yd, gamma, band, n_jobs, want_x, want_y, dtype, cost)
    out = [values.astype(dtype, copy=False)]
    if want_x:
        out.append(Xd.unflatten(gX.astype(dtype, copy=False)))
    if want_y:
        out.append(Yd.unflatten(gY.astype(dtype, copy=False)))
    return tuple(out)


def _value_grad(Xd, Yd, gamma, band, n_jobs, want_x, want_y, dtype=np.float64,
                cost="sqeuclidean"):
    """`_pairs_value_grad`, with the pairs of a single alignment computed exactly."""
    single = _single_path(Xd.lengths, Yd.lengths, band) \
        if gamma > 0 and not _forced(None) else np.False_
    if single.all():
        gamma = 0.0
    values, gX, gY = _pairs_value_grad(Xd, Yd, gamma, band, n_jobs, want_x, want_y,
                                       dtype=dtype, cost=cost)
    if gamma > 0 and single.any():
        _redo_single_paths(Xd, Yd, np.flatnonzero(single), band, n_jobs, values, gX, gY,
                           cost)
    return values, gX, gY


def _redo_single_paths(Xd, Yd, idx, band, n_jobs, values, gX, gY, cost="sqeuclidean"):
    """Overwrite the pairs ``idx`` by their exact values and gradients (see `_single_path`)."""
    sub_values, *grads = soft_dtw_batch(
        [Xd.series(k) for k in idx], [Yd.series(k) for k in idx], 0.0,
        sakoe_chiba_radius=None if band.radius < 0 else band.radius,
        itakura_max_slope=band.slope or None, return_grad="both", n_jobs=n_jobs, cost=cost)
    values[idx] = sub_values
    for g, ds, sub in ((gX, Xd, grads[0]), (gY, Yd, grads[1])):
        if len(g):
            for k, gk in zip(idx, sub):
                g[ds.offsets[k]:ds.offsets[k + 1]] = np.reshape(gk, (-1, ds.d))


def soft_dtw_value_and_grad(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                            cost="sqeuclidean"):
    r"""Soft-DTW value and its gradient with respect to ``x``.

    The gradient is :math:`(\partial \Delta / \partial x)^\top E` with
    :math:`E` the expected alignment (see :func:`soft_dtw_alignment`).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; at ``0`` a subgradient of hard DTW.
    {band}
    {cost}

    Returns
    -------
    value : float
    grad : ndarray of the shape of ``x``
        Without its trailing NaN padding, if any.

    Examples
    --------
    >>> from sksoftdtw import soft_dtw_value_and_grad
    >>> value, grad = soft_dtw_value_and_grad([0.0, 1.0, 2.0], [0.0, 2.0], gamma=0.0)
    >>> value, grad
    (1.0, array([0., 2., 0.]))
    """
    gamma = check_gamma(gamma)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    if type(x) is np.ndarray:
        grad = np.empty(x.shape)
        value = _light_pair(x, y, gamma, band, grad, cost)
        if value is not None:
            return value, grad
    dtype = _float_dtype(x, y)
    x_arr, y = _pair(x, y)
    values, grad, _ = _value_grad(_as_dataset(x_arr, name="x"), _as_dataset(y, name="y"),
                                  gamma, band, None, True, False, cost=cost)
    return float(values[0]), grad.reshape(x_arr.shape if np.ndim(x) == 2 else -1).astype(
        dtype, copy=False)


def soft_dtw_alignment_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Expected alignment and soft-DTW value of any precomputed cost matrix.

    The recursion never looks at the series, only at :math:`\Delta`, so any
    cost (absolute, cosine, learned...) can be used; chain rule
    :math:`\nabla_\theta = (\partial \Delta / \partial \theta)^\top E`.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    {band}

    Returns
    -------
    E : ndarray of shape (n, m)
        :math:`E = \nabla_\Delta \mathrm{dtw}_\gamma`, the expected alignment
        under the Gibbs distribution over paths; entries in [0, 1].
    value : float

    See Also
    --------
    soft_dtw_alignment : The same for the squared Euclidean cost of two series.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_alignment_from_cost
    >>> E, value = soft_dtw_alignment_from_cost(np.array([[0.0, 1.0], [1.0, 0.0]]), gamma=0.0)
    >>> E, value
    (array([[1., 0.],
           [0., 1.]]), 0.0)
    """
    if np.ndim(D) != 2:
        raise ValueError(f"D must be a 2-D cost matrix, got {np.ndim(D)} dimensions")
    dtype = _float_dtype(D)
    D = check_time_series(D, "D", allow_padding=False)
    max_cost = float(np.abs(D).max())
    check_path_sum(max_cost, sum(D.shape), "D", f"up to {max_cost:.3g} in absolute value")
    value, E = _cost_alignment(D, check_gamma(gamma),
                               _check_band(sakoe_chiba_radius, itakura_max_slope))
    return E.astype(dtype, copy=False), value


def soft_dtw_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    """Soft-DTW value and expected alignment of a cost matrix, in that order.

    .. deprecated:: 0.1.0
        ``soft_dtw_from_cost`` returns ``(value, E)``, unlike the other
        functions that return an alignment. Use
        :func:`soft_dtw_alignment_from_cost`, which returns ``(E, value)``;
        ``soft_dtw_from_cost`` will be removed in 0.2.0.

    Parameters
    ----------
    D, gamma, sakoe_chiba_radius, itakura_max_slope
        As in :func:`soft_dtw_alignment_from_cost`.

    Returns
    -------
    value : float
    E : ndarray of shape (n, m)
        As returned by :func:`soft_dtw_alignment_from_cost`.

    See Also
    --------
    soft_dtw_alignment_from_cost : Its replacement.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_alignment_from_cost, soft_dtw_from_cost
    >>> D = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value, E = soft_dtw_from_cost(D, gamma=0.0)
    >>> caught[0].category.__name__
    'FutureWarning'
    >>> E_new, value_new = soft_dtw_alignment_from_cost(D, gamma=0.0)  # the replacement
    >>> value == value_new, bool((E == E_new).all())
    (True, True)
    """
    warnings.warn(
        "soft_dtw_from_cost is deprecated and will be removed in 0.2.0: use "
        "soft_dtw_alignment_from_cost, which returns (E, value) instead of (value, E).",
        FutureWarning, stacklevel=2)
    E, value = soft_dtw_alignment_from_cost(D, gamma, sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope)
    return value, E


def _cost_alignment(D, gamma, band):
    values, E = _batch_cost(D[None], np.array([D.shape], dtype=np.intp), gamma, band,
                            True, 1)
    return float(values[0]), E[0]


def _batch_cost(D, lengths, gamma, band, want_alignment, n_threads, strategy=None,
                dtype=np.float64, E=None):
    """Values (and E) of the blocks ``D[k, :n_k, :m_k]`` of a float64 C-contiguous
    batch, each pair by the kernel that suits it; rejects non-finite blocks.
    ``dtype=np.float32`` (D holding float32 numbers) asks for float32 kernels.

    ``E``, when given, is the output array of the alignments, of the shape of
    ``D`` and zero.
    """
    n_pairs = len(D)
    max_cost = np.empty(n_pairs)
    _fast.cost_blocks_abs_max(D, lengths, n_threads, max_cost)
    if np.isnan(max_cost.sum()):
        k = np.flatnonzero(np.isnan(max_cost))[0]
        block = "" if D.shape[1:] == tuple(lengths[k]) else \
            f" inside its block D[{k}, :{lengths[k, 0]}, :{lengths[k, 1]}]"
        raise ValueError(f"D[{k}] contains NaN or infinite values{block}")
    check_gamma_range(gamma, lengths.sum(axis=1).max())
    if E is None:
        E = np.zeros(D.shape if want_alignment else (0, 0, 0))
    single = _single_path(lengths[:, 0], lengths[:, 1], band) \
        if gamma > 0 and not _forced(strategy) else np.False_
    if single.all():
        gamma = 0.0
    elif single.any():
        values = np.empty(n_pairs)
        for part, g in ((single, 0.0), (~single, gamma)):
            values[part], E_part = _batch_cost(np.ascontiguousarray(D[part]), lengths[part],
                                               g, band, want_alignment, n_threads, strategy,
                                               dtype)
            if want_alignment:
                E[part] = E_part
        return values, E
    p = plan("alignment" if want_alignment else "value", lengths[:, 0], lengths[:, 1],
             gamma=gamma, band=band, max_cost=max_cost, per_pair=True, strategy=strategy,
             dtype=_dtype_name(dtype))
    if p.dtype == "float32":
        order, starts = p.groups
        values = np.empty(n_pairs, np.float32)
        E = np.zeros(D.shape if want_alignment else (0, 0, 0), np.float32)
        _fast.groups_cost(D.astype(np.float32), lengths, order, starts, gamma, *band,
                          p.block, n_threads, values, E)
        return values, E
    exp_domain = p.domain == "exp"
    wavefront = p.order == "antidiagonals"
    work = _wavefront_work(n_threads * _fast.wavefront_cost_work_size(
        lengths, wavefront.view(np.uint8)))
    values = np.empty(n_pairs)
    _fast.batch_cost(D, lengths, gamma, *band, exp_domain.view(np.uint8),
                     wavefront.view(np.uint8), n_threads, work, values, E)
    return values, E


def _check_lengths(lengths, shape):
    """``lengths`` as an ``(n_pairs, 2)`` intp array of block sizes within ``shape``."""
    n_pairs, n, m = shape
    if lengths is None:
        return np.tile(np.array([[n, m]], dtype=np.intp), (n_pairs, 1))
    arr = np.asarray(lengths)
    if arr.shape != (n_pairs, 2):
        raise ValueError(
            f"lengths must have shape (n_pairs, 2) = ({n_pairs}, 2), got {arr.shape}"
        )
    if arr.dtype.kind not in "iu":
        raise TypeError(f"lengths must hold integers, got dtype {arr.dtype}")
    bad = np.flatnonzero((arr < 1).any(axis=1) | (arr[:, 0] > n) | (arr[:, 1] > m))
    if len(bad):
        k = bad[0]
        raise ValueError(
            f"lengths[{k}] = {tuple(int(v) for v in arr[k])} is out of range: every "
            f"(n_k, m_k) must have 1 <= n_k <= {n} and 1 <= m_k <= {m}"
        )
    return np.ascontiguousarray(arr, dtype=np.intp)


def soft_dtw_batch_from_cost(D, gamma=1.0, *, lengths=None, sakoe_chiba_radius=None,
                             itakura_max_slope=None,
                             return_alignment=False, n_jobs=None):
    r"""Soft-DTW values (and expected alignments) of a batch of cost matrices.

    The batched counterpart of :func:`soft_dtw_from_cost`, for a loss with
    any ground cost (a deep-learning loss with a learned or user-defined
    distance): all the pairs run in one parallel call with the GIL released.
    Pairs of different lengths are given padded, with their ``lengths``.

    Parameters
    ----------
    D : array-like of shape (n_pairs, n, m), float32 or float64
        Cost matrices. Pair ``k`` is ``D[k, :n_k, :m_k]``; the entries
        outside that block (the padding) are never read and may hold
        anything, NaN included.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; ``0`` gives hard DTW and the optimal
        path's indicator.
    lengths : array-like of int of shape (n_pairs, 2), default=None
        ``(n_k, m_k)`` of each pair, with ``1 <= n_k <= n`` and
        ``1 <= m_k <= m``. ``None`` means every pair uses the whole
        ``n x m`` matrix.
    {band} The band of each pair follows its own lengths.
    return_alignment : bool, default=False
        Whether to return the expected alignments too.
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.

    Returns
    -------
    values : ndarray of shape (n_pairs,)
        :math:`\mathrm{dtw}_\gamma` of each cost matrix.
    E : ndarray of shape (n_pairs, n, m)
        Returned when ``return_alignment``: each pair's expected alignment
        :math:`E = \nabla_\Delta \mathrm{dtw}_\gamma` in its block, and
        exactly 0 outside it.

    Notes
    -----
    The outputs have the dtype of ``D`` (float32 for float32 input, float64
    otherwise). float32 batches run in float32 kernels, 32 pairs of equal
    lengths at a time in the SIMD lanes, when their exponents are exact in
    float32 (see :doc:`/implementation`), and in float64 otherwise (the
    input converted, the results rounded at the end).

    See Also
    --------
    soft_dtw_from_cost : one cost matrix.
    soft_dtw_batch : a batch of pairs of series with the squared Euclidean cost.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_batch_from_cost
    >>> D = np.array([[[0.0, 1.0], [1.0, 0.0]],
    ...               [[2.0, np.nan], [np.nan, np.nan]]])
    >>> values, E = soft_dtw_batch_from_cost(D, gamma=0.0, lengths=[[2, 2], [1, 1]],
    ...                                      return_alignment=True)
    >>> values
    array([0., 2.])
    >>> E[0]
    array([[1., 0.],
           [0., 1.]])
    >>> E[1]
    array([[1., 0.],
           [0., 0.]])
    """
    float32 = getattr(D, "dtype", None) == np.float32
    arr = _as_float_array(D, "D")
    if arr.ndim != 3:
        raise ValueError(
            f"D must be a batch of cost matrices of shape (n_pairs, n, m), got an array "
            f"with {arr.ndim} dimensions"
        )
    if 0 in arr.shape:
        raise ValueError(f"D is an empty batch of cost matrices (shape {arr.shape})")
    gamma = check_gamma(gamma)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    n_threads = check_n_jobs(n_jobs)
    lengths = _check_lengths(lengths, arr.shape)
    dtype = np.float32 if float32 else np.float64
    values, E = _batch_cost(np.ascontiguousarray(arr), lengths, gamma, band,
                            return_alignment, n_threads, dtype=dtype)
    if not return_alignment:
        return values.astype(dtype, copy=False)
    return values.astype(dtype, copy=False), E.astype(dtype, copy=False)


def soft_dtw_alignment(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                       cost="sqeuclidean"):
    r"""Expected alignment matrix between two series, and the soft-DTW value.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; at ``0`` the optimal path's indicator.
    {band}
    {cost}

    Returns
    -------
    E : ndarray of shape (n, m)
        Probability that ``x[i]`` is aligned with ``y[j]`` under the Gibbs
        distribution over alignments; ``E = grad_Delta dtw_gamma``.
    value : float

    Examples
    --------
    >>> from sksoftdtw import soft_dtw_alignment
    >>> E, value = soft_dtw_alignment([0.0, 1.0, 2.0], [0.0, 2.0], gamma=0.0)
    >>> E
    array([[1., 0.],
           [1., 0.],
           [0., 1.]])
    """
    dtype = _float_dtype(x, y)
    x, y = _pair(x, y)
    gamma = check_gamma(gamma)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    check_cost_range(_as_dataset(x, name="x"), _as_dataset(y, name="y"), cost=cost)
    value, E = _cost_alignment(_fast.cost_matrix(x, y, _fast.COSTS[cost]), gamma, band)
    return E.astype(dtype, copy=False), value


def dtw(x, y, *, sakoe_chiba_radius=None, itakura_max_slope=None, cost="sqeuclidean"):
    r"""Hard DTW: the cost of the best alignment, in squared units by default.

    ``dtw(x, y) == soft_dtw(x, y, gamma=0)``: the sum of squared Euclidean
    distances along the optimal path, with no square root (unlike tslearn's
    ``dtw``, which returns its square root).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    {band}
    {cost}

    Returns
    -------
    value : float

    Examples
    --------
    >>> from sksoftdtw import dtw
    >>> dtw([0.0, 1.0, 2.0], [0.0, 2.0])
    1.0
    """
    return soft_dtw(x, y, 0.0, sakoe_chiba_radius=sakoe_chiba_radius,
                    itakura_max_slope=itakura_max_slope, cost=cost)


def dtw_path(x, y, *, sakoe_chiba_radius=None, itakura_max_slope=None, cost="sqeuclidean"):
    """Optimal DTW alignment path and its cost (squared units by default).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    {band}
    {cost}

    Returns
    -------
    path : list of (int, int)
        Aligned index pairs from ``(0, 0)`` to ``(n - 1, m - 1)``.
    value : float

    Examples
    --------
    >>> from sksoftdtw import dtw_path
    >>> dtw_path([0.0, 1.0, 2.0], [0.0, 2.0])
    ([(0, 0), (1, 0), (2, 1)], 1.0)
    """
    E, value = soft_dtw_alignment(x, y, 0.0, sakoe_chiba_radius=sakoe_chiba_radius,
                                  itakura_max_slope=itakura_max_slope, cost=cost)
    # A monotone path listed in row-major order is listed in path order.
    return [(int(i), int(j)) for i, j in np.argwhere(E > 0.5)], value


def _cdist(X, Y, gamma, band, n_jobs, pairs_value=None, cost="sqeuclidean"):
    """The matrix of ``pairs_value`` (default `_pairs_value` of the ``cost``) over ``X x Y``, or
    its upper triangle mirrored when ``Y`` is None, filled in place block of
    rows after block of rows (see `_plan.CDIST_BLOCK_PAIRS`), in the dtype of
    the data (float32 when all of it is float32)."""
    dtype = _float_dtype(X) if Y is None else _float_dtype(X, Y)
    pairs_value = pairs_value or functools.partial(_pairs_value, cost=cost)
    Xd = check_dataset(X, "X")
    Yd = Xd if Y is None else check_dataset(Y, "Y", d=Xd.d)
    n_x, n_y = Xd.n_ts, Yd.n_ts
    out = np.empty((n_x, n_y), dtype)
    # pairs of row i: columns i.. (upper triangle) or all of them
    row_pairs = n_y - np.arange(n_x) if Y is None else np.full(n_x, n_y)
    budget = min(max(int(row_pairs.sum()) // 32, _CDIST_BLOCK_PAIRS[0]), _CDIST_BLOCK_PAIRS[1])
    ends = np.searchsorted(np.cumsum(row_pairs), np.arange(budget, row_pairs.sum(), budget),
                           side="right")
    for r0, r1 in zip(np.r_[0, ends], np.r_[ends, n_x]):
        if r1 <= r0:
            continue
        counts = row_pairs[r0:r1]
        pi = np.repeat(np.arange(r0, r1), counts)
        first = n_y - counts  # the first column of each row
        pj = np.arange(len(pi)) - np.repeat(np.cumsum(counts) - counts - first, counts)
        vals = pairs_value(Xd, Yd, pi, pj, gamma, band, n_jobs, dtype=dtype)
        out[pi, pj] = vals
        if Y is None:
            out[pj, pi] = vals
    return out


def cdist_soft_dtw(X, Y=None, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                   n_jobs=None, cost="sqeuclidean"):
    r"""Soft-DTW between every series of ``X`` and every series of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
    Y : array-like of shape (n_y, sz) or (n_y, sz, d), list of series, or None
        ``None`` means ``Y = X``; only the upper triangle is computed then.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    {band}
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.
    {cost}

    Returns
    -------
    D : ndarray of shape (n_x, n_y)

    Examples
    --------
    >>> from sksoftdtw import cdist_soft_dtw
    >>> cdist_soft_dtw([[0.0, 1.0, 2.0], [0.0, 2.0, 2.0]], gamma=0.0)
    array([[0., 1.],
           [1., 0.]])
    """
    if distributed_backend_active():
        return cdist_blocks(cdist_soft_dtw, X, Y, gamma=gamma,
                            sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope, n_jobs=n_jobs, cost=cost)
    return _cdist(X, Y, check_gamma(gamma), _check_band(sakoe_chiba_radius, itakura_max_slope),
                  n_jobs, cost=check_cost(cost))


def cdist_dtw(X, Y=None, *, sakoe_chiba_radius=None, itakura_max_slope=None, n_jobs=None,
              cost="sqeuclidean"):
    """Hard DTW (squared units by default) between every series of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
    Y : array-like of shape (n_y, sz) or (n_y, sz, d), list of series, or None
    {band}
    n_jobs : int, default=None
    {cost}

    Returns
    -------
    D : ndarray of shape (n_x, n_y)

    Examples
    --------
    >>> from sksoftdtw import cdist_dtw
    >>> cdist_dtw([[0.0, 1.0, 2.0]], [[0.0, 2.0], [0.0, 0.0]])
    array([[1., 5.]])
    """
    if distributed_backend_active():
        return cdist_blocks(cdist_dtw, X, Y, sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope,
                            n_jobs=n_jobs, cost=cost)
    return _cdist(X, Y, 0.0, _check_band(sakoe_chiba_radius, itakura_max_slope), n_jobs,
                  cost=check_cost(cost))


def soft_dtw_divergence(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                        cost="sqeuclidean"):
    r"""Soft-DTW divergence: soft-DTW debiased so that it is zero at ``x = y``.

    .. math::

        D_\gamma(x, y) = \mathrm{dtw}_\gamma(x, y)
        - \tfrac12 \left(\mathrm{dtw}_\gamma(x, x) + \mathrm{dtw}_\gamma(y, y)\right)

    Soft-DTW itself can be negative and ``soft_dtw(x, x) < 0`` for
    ``gamma > 0``, because the soft minimum also rewards the many near-optimal
    paths; the divergence (Blondel, Mensch & Vert, 2021) removes that bias:
    it is zero at ``x == y``, symmetric, and tends to hard DTW as
    ``gamma -> 0``. It is non-negative whenever the alignment kernel
    :math:`\sum_A e^{-\langle A, \Delta \rangle / \gamma}` is positive
    definite; with the squared Euclidean cost that is not guaranteed, and
    values slightly below zero (of the order of ``1e-5`` at ``gamma = 0.1``)
    can occur for series very close to each other.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
    {band}
    {cost}

    Returns
    -------
    value : float

    References
    ----------
    .. [1] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021.

    Examples
    --------
    >>> from sksoftdtw import soft_dtw, soft_dtw_divergence
    >>> soft_dtw([1.0, 2.0], [1.0, 2.0]) < 0
    True
    >>> soft_dtw_divergence([1.0, 2.0], [1.0, 2.0])
    0.0
    """
    x, y = _pair(x, y)
    X = _as_dataset(x, y, x, name="x")
    Y = _as_dataset(y, y, x, name="y")
    xy, yy, xx = _pairs_value(X, Y, [0, 1, 2], [0, 1, 2], check_gamma(gamma),
                              _check_band(sakoe_chiba_radius, itakura_max_slope), None,
                              cost=check_cost(cost))
    return float(xy - 0.5 * (xx + yy))


def cdist_soft_dtw_divergence(X, Y=None, gamma=1.0, *, sakoe_chiba_radius=None,
                              itakura_max_slope=None,
                              n_jobs=None, cost="sqeuclidean"):
    """Soft-DTW divergence between every series of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
    Y : array-like, list of series, or None
    gamma : float, default=1.0
    {band}
    n_jobs : int, default=None
    {cost}

    Returns
    -------
    D : ndarray of shape (n_x, n_y)
        With a zero diagonal when ``Y`` is None; see
        :func:`soft_dtw_divergence` on its sign.

    Examples
    --------
    >>> from sksoftdtw import cdist_soft_dtw_divergence
    >>> D = cdist_soft_dtw_divergence([[0.0, 1.0, 2.0], [0.0, 2.0, 2.0]])
    >>> bool(D[0, 1] > 0), float(D[0, 0])
    (True, 0.0)
    """
    if distributed_backend_active():
        return cdist_blocks(cdist_soft_dtw_divergence, X, Y, gamma=gamma,
                            sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope, n_jobs=n_jobs, cost=cost)
    return _cdist_divergence(X, Y, check_gamma(gamma),
                             _check_band(sakoe_chiba_radius, itakura_max_slope), n_jobs,
                             functools.partial(_pairs_value, cost=check_cost(cost)))


def _cdist_divergence(X, Y, gamma, band, n_jobs, pairs_value=None):
    """The matrix of ``pairs_value`` (default `_pairs_value`) between X and Y (or
    X), debiased by the values of each series with itself."""
    out = _cdist(X, Y, gamma, band, n_jobs, pairs_value)
    self_x = _self_values(X, "X", gamma, band, n_jobs, pairs_value)
    self_y = self_x if Y is None else _self_values(Y, "Y", gamma, band, n_jobs, pairs_value)
    rows = max(1, _CDIST_BLOCK_PAIRS[0] // len(self_y))
    for r in range(0, len(out), rows):  # in place, by blocks of rows: no second matrix
        out[r:r + rows] -= 0.5 * (self_x[r:r + rows, None] + self_y[None, :])
    if Y is None:
        np.fill_diagonal(out, 0.0)
    return out


def _self_values(X, name, gamma, band, n_jobs, pairs_value=None):
    """``pairs_value`` (default `_pairs_value`) of each series of X with itself."""
    dtype = _float_dtype(X)
    ds = check_dataset(X, name)
    idx = np.arange(ds.n_ts)
    return (pairs_value or _pairs_value)(ds, ds, idx, idx, gamma, band, n_jobs, dtype=dtype)


for _f in (soft_dtw, soft_dtw_batch, soft_dtw_value_and_grad, soft_dtw_from_cost,
           soft_dtw_alignment_from_cost, soft_dtw_batch_from_cost, soft_dtw_alignment, dtw,
           dtw_path, cdist_soft_dtw, cdist_dtw, soft_dtw_divergence, cdist_soft_dtw_divergence):
    _f.__doc__ = fill_doc(_f.__doc__, band=_SEE_BAND, cost=_SEE_COST)
del _f

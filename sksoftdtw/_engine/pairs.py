"""Pairs of series through the first-order kernels: values and gradients.

The layout of the pairs (`FlatDataset` of validated series), the per-thread
workspace of the anti-diagonal kernels, the dispatch of a batch of pairs on
its `plan` (pairs of a single alignment computed exactly, pairs much longer
than the others planned apart), the light path of one pair and the hard-DTW
paths of DBA.
"""
import threading

import numpy as np

from ..utils._validation import (
    FlatDataset,
    check_cost_range,
    check_gamma_range,
    check_n_jobs,
    check_same_dim,
    check_time_series,
)
from .kernels import fast
from .planner import MAX_EXPONENT, apart, forced, fused_divergence, light_pair_limits, plan


def float_dtype(*inputs):
    """float32 when every input is float32 (an array, or a list or tuple of
    arrays, judged by its first series), else float64."""
    for a in inputs:
        first = a[0] if isinstance(a, (list, tuple)) and len(a) > 0 else a
        if getattr(first, "dtype", None) != np.float32:
            return np.float64
    return np.float32


def pair(x, y):
    """Two validated ``(sz, d)`` series of the same dimension."""
    x = check_time_series(x, "x")
    y = check_time_series(y, "y")
    check_same_dim(y.shape[1], x.shape[1], "y")
    return x, y


def as_dataset(*series, name):
    """Validated ``(sz, d)`` series as a `FlatDataset`, skipping re-validation."""
    offsets = np.zeros(len(series) + 1, dtype=np.intp)
    np.cumsum([len(ts) for ts in series], out=offsets[1:])
    return FlatDataset(np.concatenate(series) if len(series) > 1 else series[0],
                       offsets, "list", name=name)


def one_pair(x, y):
    """Validated series and their datasets of one series each."""
    x_arr, y_arr = pair(x, y)
    return x_arr, as_dataset(x_arr, name="x"), as_dataset(y_arr, name="y")


def divergence_pairs(x, y):
    """The datasets of the pairs ``(x, y)``, ``(x, x)``, ``(y, y)``."""
    x_arr, y_arr = pair(x, y)
    return x_arr, as_dataset(x_arr, x_arr, y_arr, name="x"), \
        as_dataset(y_arr, x_arr, y_arr, name="y")


def debias(values, gX=None, gY=None, X=None, Y=None):
    """The divergence of the values of ``(x, y)``, ``(x, x)``, ``(y, y)``, and
    its gradient with respect to x: the pair ``(x, x)`` moves on both sides."""
    value = float(values[0] - 0.5 * (values[1] + values[2]))
    if gX is None:
        return value
    n = X.offsets[1]
    return value, gX[:n] - 0.5 * (gX[n:2 * n] + gY[Y.offsets[1]:Y.offsets[2]])


def divergence_value_grad(x_arr, X, Y, gamma, band):
    """The soft-DTW divergence of one validated pair (`divergence_pairs`) and
    its gradient with respect to ``x``: one kernel call, the self terms over
    half their cells, where `planner.fused_divergence` allows it; else the
    three terms as one batch."""
    n, m = X.lengths[0], Y.lengths[0]
    if fused_divergence(n, m, gamma, band, max_cost(X, Y, gamma)):
        grad = np.empty_like(x_arr)
        work = wavefront_work(fast.divergence_work_size(n, m, X.d))
        return fast.divergence_value_grad(x_arr, Y.series(0), gamma, work, grad), grad
    values, gX, gY = value_grad(X, Y, gamma, band, None, True, True)
    return debias(values, gX, gY, X, Y)


def shaped(grad, x_arr, x):
    """A gradient in the shape of the input ``x`` (1-D for a 1-D series)."""
    return grad.reshape(x_arr.shape if np.ndim(x) == 2 else -1)


# The workspace of the anti-diagonal gradients, kept per thread from call to
# call: a fresh buffer of that size costs as much in page faults as the
# computation.
_WAVEFRONT_WORK = threading.local()


def wavefront_work(size):
    """A workspace of at least ``size`` doubles, kept by this thread between calls."""
    work = getattr(_WAVEFRONT_WORK, "buffer", None)
    if work is None or len(work) < size:
        work = _WAVEFRONT_WORK.buffer = np.empty(size)
    return work


def _wavefront_value_grad(X, Y, gamma, n_threads, values, gX, gY, cost="sqeuclidean"):
    work = wavefront_work(n_threads * fast.wavefront_work_size(X.offsets, Y.offsets, X.d))
    x, y = _kernel_data(X, Y, np.float64)
    fast.batch_wavefront_value_grad(x, X.offsets, y, Y.offsets, gamma, n_threads, work,
                                    values, gX, gY, fast.COSTS[cost])


def single_path(lengths_x, lengths_y, band):
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


def max_cost(X, Y, gamma, dtype=np.float64, cost="sqeuclidean"):
    """A bound on the ``cost`` between any series of X and of Y; raises,
    naming the data or gamma, when the value could overflow (float32 for
    float32 results)."""
    length = X.lengths.max() + Y.lengths.max()
    check_gamma_range(gamma, length)
    bound = check_cost_range(X, Y, length, cost)
    if dtype == np.float32 and not length * bound < _FLOAT32_MAX:
        raise ValueError(
            f"the costs between these float32 series (up to {bound:.3g}) summed "
            f"along an alignment could overflow float32, the dtype of the results: pass "
            f"float64 data")
    return bound


def dtype_name(dtype):
    """The plan's name of a float dtype (without building an ``np.dtype``:
    one-pair calls stay cheap)."""
    return "float32" if dtype == np.float32 else "float64"


def _kernel_data(X, Y, dtype):
    """The flat data of X and Y in ``dtype``, converted once when X is Y."""
    x = X.data.astype(dtype, copy=False)
    return x, (x if Y is X else Y.data.astype(dtype, copy=False))


def pairs_value(X, Y, pi, pj, gamma, band, n_jobs, strategy=None, dtype=np.float64,
                cost="sqeuclidean"):
    """Values of the pairs ``(X[pi[k]], Y[pj[k]])``, in ``dtype``, for the
    ``cost`` between points."""
    pi = np.ascontiguousarray(pi, dtype=np.intp)
    pj = np.ascontiguousarray(pj, dtype=np.intp)
    # (the shortest lengths first: the common case stays cheap on tiny pairs)
    # (a forced strategy computes every pair as it says)
    if gamma > 0 and (_diagonal_only(band) or min(_shortest(X), _shortest(Y)) == 1) \
            and not forced(strategy):
        single = single_path(X.lengths[pi], Y.lengths[pj], band)
        if single.all():
            gamma = 0.0
        elif single.any():
            out = np.empty(len(pi), dtype)
            out[single] = pairs_value(X, Y, pi[single], pj[single], 0.0, band, n_jobs,
                                      strategy, dtype, cost)
            out[~single] = pairs_value(X, Y, pi[~single], pj[~single], gamma, band, n_jobs,
                                       strategy, dtype, cost)
            return out
    alone = None if len(pi) == 1 or forced(strategy) else apart(X.lengths[pi], Y.lengths[pj])
    if alone is not None and alone.any():
        parts = [pairs_value(X, Y, pi[mask], pj[mask], gamma, band, n_jobs, strategy, dtype,
                             cost) for mask in (alone, ~alone)]
        out = np.empty(len(pi), np.result_type(*parts))
        out[alone], out[~alone] = parts
        return out
    out = np.empty(len(pi))
    p = plan("value", X.lengths[pi], Y.lengths[pj], gamma=gamma, band=band,
             max_cost=max_cost(X, Y, gamma, dtype, cost), strategy=strategy,
             dtype=dtype_name(dtype), cost=cost)
    n_threads = check_n_jobs(n_jobs)
    kind = fast.COSTS[cost]
    if p.order == "antidiagonals":
        out[0] = fast.wavefront_value(X.series(pi[0]).astype(np.float64, copy=False),
                                      Y.series(pj[0]).astype(np.float64, copy=False), gamma,
                                      kind)
    elif p.order == "lanes":
        order, starts = p.groups
        x, y = _kernel_data(X, Y, p.dtype)
        out = np.empty(len(pi), p.dtype)
        sorted_out = np.empty(len(pi), p.dtype)
        fast.groups_value(x, X.offsets, y, Y.offsets, pi[order], pj[order],
                          starts, gamma, *band, n_threads, sorted_out, kind)
        out[order] = sorted_out
    else:
        x, y = _kernel_data(X, Y, np.float64)
        fast.pairs_value(x, X.offsets, y, Y.offsets, pi, pj, gamma, *band,
                         p.domain == "exp", n_threads, out, kind)
    return out.astype(dtype, copy=False)


def pairs_value_grad(X, Y, gamma, band, n_jobs, want_x, want_y, strategy=None,
                     dtype=np.float64, cost="sqeuclidean"):
    """Values of the pairs ``(X[k], Y[k])`` and the flat gradients asked for
    (empty ``(0, d)`` arrays for the others), in the dtype of the kernel that
    computed them (``dtype`` asks for float32 kernels), for the ``cost``."""
    alone = None if X.n_ts == 1 or forced(strategy) else apart(X.lengths, Y.lengths)
    if alone is not None and alone.any():
        return _value_grad_apart(X, Y, alone, gamma, band, n_jobs, want_x, want_y, dtype,
                                 cost)
    p = plan("gradient", X.lengths, Y.lengths, gamma=gamma, band=band,
             max_cost=max_cost(X, Y, gamma, dtype, cost), strategy=strategy,
             dtype=dtype_name(dtype), d=X.d, n_gradients=int(want_x) + int(want_y),
             cost=cost)
    n_threads = check_n_jobs(n_jobs)
    values = np.empty(X.n_ts, p.dtype)
    gX = np.zeros(X.data.shape if want_x else (0, X.d), p.dtype)
    gY = np.zeros(Y.data.shape if want_y else (0, X.d), p.dtype)
    kind = fast.COSTS[cost]
    if p.order == "antidiagonals":
        _wavefront_value_grad(X, Y, gamma, min(n_threads, X.n_ts), values, gX, gY, cost)
    elif p.order == "lanes" and p.domain == "hard":
        order, starts = p.groups
        x, y = _kernel_data(X, Y, np.float64)
        fast.groups_hard_paths(x, X.offsets, y, Y.offsets, order, starts, *band, n_threads,
                               values, gX, gY, np.empty(0), kind)
    elif p.order == "lanes":
        order, starts = p.groups
        x, y = _kernel_data(X, Y, p.dtype)
        fast.groups_value_grad(x, X.offsets, y, Y.offsets, order, starts,
                               gamma, *band, p.block, n_threads, values, gX, gY, kind)
    else:
        x, y = _kernel_data(X, Y, np.float64)
        fast.batch_value_grad(x, X.offsets, y, Y.offsets, gamma, *band,
                              p.domain == "exp", n_threads, values, gX, gY, kind)
    return values, gX, gY


def _value_grad_apart(X, Y, alone, gamma, band, n_jobs, want_x, want_y, dtype, cost):
    """`pairs_value_grad` of the pairs ``alone`` (a boolean mask) and of the
    others, each set planned on its own (see `planner.apart`)."""
    parts = []
    for idx in (np.flatnonzero(alone), np.flatnonzero(~alone)):
        (Xs, x_rows), (Ys, y_rows) = X.take(idx), Y.take(idx)
        parts.append((idx, x_rows, y_rows,
                      pairs_value_grad(Xs, Ys, gamma, band, n_jobs, want_x, want_y,
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


def value_grad(Xd, Yd, gamma, band, n_jobs, want_x, want_y, dtype=np.float64,
               cost="sqeuclidean"):
    """`pairs_value_grad`, with the pairs of a single alignment computed exactly."""
    single = single_path(Xd.lengths, Yd.lengths, band) \
        if gamma > 0 and not forced(None) else np.False_
    if single.all():
        gamma = 0.0
    values, gX, gY = pairs_value_grad(Xd, Yd, gamma, band, n_jobs, want_x, want_y,
                                      dtype=dtype, cost=cost)
    if gamma > 0 and single.any():
        _redo_single_paths(Xd, Yd, np.flatnonzero(single), band, n_jobs, values, gX, gY,
                           cost)
    return values, gX, gY


def _redo_single_paths(Xd, Yd, idx, band, n_jobs, values, gX, gY, cost="sqeuclidean"):
    """Overwrite the pairs ``idx`` by their exact values and gradients (see `single_path`)."""
    (Xs, x_rows), (Ys, y_rows) = Xd.take(idx), Yd.take(idx)
    dtype = float_dtype(Xd.data, Yd.data)
    sub_values, sub_gX, sub_gY = pairs_value_grad(Xs, Ys, 0.0, band, n_jobs, True, True,
                                                  dtype=dtype, cost=cost)
    values[idx] = sub_values
    for g, rows, sub in ((gX, x_rows, sub_gX), (gY, y_rows, sub_gY)):
        if len(g):
            g[rows] = sub


def light_pair(x, y, gamma, band, grad=None, cost="sqeuclidean"):
    """The value of two float64 ndarrays computed with light checks (see
    `planner.light_pair_limits`), and the gradient with respect to ``x``
    written to ``grad`` when given; None for any other input or pair (which
    then takes the validating path)."""
    limits = light_pair_limits()
    if limits is None:
        return None
    value = fast.light_pair(x, y, gamma, *band, MAX_EXPONENT, *limits, grad,
                            fast.COSTS[cost])
    return None if value != value else value


# Where the plan keeps no paths, the number of points aligned to each point
# of X comes from one extra coordinate, equal to _TINY on X and 0 on Y: its
# squared difference 2**-1200 underflows to exactly 0, so every cost and hence
# the optimal path are unchanged, while its gradient entry is exactly
# 2 * _TINY * count (a sum of integer multiples of a power of two).
_TINY = 2.0 ** -600


def hard_paths_to(n, Y, band, n_jobs):
    """The hard-DTW paths from one series of length ``n`` to every series of
    ``Y``, planned once for calls on many series ``Z`` (DBA's iterations).

    ``Y`` is a validated `FlatDataset` and ``band`` a checked `Band`; the
    series ``Z`` given to the returned function must be within the cost range
    checked for ``Y`` (a mean of its points is).

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
            fast.groups_hard_paths(X, offsets, Y.data, Y.offsets, order, starts, *band,
                                   n_threads, values, gX, no_grad_y, counts)
            return values, gX.reshape(n_ts, n, -1), counts.reshape(n_ts, n)
        return paths
    Yt = Y._replace(data=np.column_stack([Y.data, np.zeros(len(Y.data))]))

    def paths_by_tiny(Z):
        X = FlatDataset(np.tile(np.column_stack([Z, np.full(n, _TINY)]), (n_ts, 1)), offsets,
                        "3d")
        values, gX, _ = pairs_value_grad(X, Yt, 0.0, band, n_jobs, True, False)
        gX = gX.reshape(n_ts, n, -1)
        return values, gX[..., :-1], gX[..., -1] / (2.0 * _TINY)
    return paths_by_tiny

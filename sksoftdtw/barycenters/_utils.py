"""What the barycenter methods share: the parameters and their documentation,
the data layouts, the losses between a barycenter and the series, and the
starting points.
"""
import numbers
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._engine.second_order import sharp_batch
from ..metrics import (
    cdist_sharp_soft_dtw_divergence,
    cdist_soft_dtw,
    cdist_soft_dtw_divergence,
    soft_dtw_batch,
)
from ..utils import FlatDataset, check_dataset, check_time_series
from ..utils._constraints import shared_constraints
from ..utils._docstrings import fill_doc
from ..utils._validation import (
    check_cost_range,
    check_n_jobs,
    check_same_dim,
    check_weights,
    refuse_cost,
    resample,
)

_INITS = ("euclidean", "random", "medoid")


def _cdist_sharp(X, Y, gamma, cost="sqeuclidean", **kwargs):
    """`cdist_sharp_soft_dtw_divergence` under the options of the kernel calls
    (the squared Euclidean cost only)."""
    refuse_cost(cost, 'metric="sharp_divergence"')
    return cdist_sharp_soft_dtw_divergence(X, Y, gamma, **kwargs)


# The losses between a barycenter and a series, by their cdist functions.
CDIST = {"softdtw": cdist_soft_dtw, "divergence": cdist_soft_dtw_divergence,
         "sharp_divergence": _cdist_sharp}

# Parameters shared by the three barycenter functions and the estimator.
_COMMON_CONSTRAINTS = {
    "X": ["array-like"],
    "weights": ["array-like", None],
    "init": [StrOptions(set(_INITS)), "array-like"],
    "barycenter_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
    **shared_constraints("sakoe_chiba_radius", "itakura_max_slope", "random_state", "n_jobs"),
}

_PARAMS_DOC = """X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
        The series to average: ``(n_ts, sz)`` is ``n_ts`` univariate series;
        series of different lengths are given as a list of arrays or as an
        array padded with trailing NaN.
    %(extra)sweights : array-like of shape (n_ts,), default=None
        Non-negative weights of the series, normalised to sum to one; ``None``
        gives every series the same weight. A zero weight removes a series
        and an integer weight ``k`` is the same as ``k`` copies of it.
    init : {%(inits)s} or array-like, default="euclidean"
        Starting point; an array has shape ``(barycenter_size, d)`` or
        ``(barycenter_size,)``.

        - ``"euclidean"``: the weighted mean of the series, each first
          resampled linearly to ``barycenter_size`` points.
        - ``"random"``: the random initialization of Cuturi & Blondel
          (2017): independent Gaussian values with the mean and standard
          deviation of the data (per dimension), drawn from
          ``random_state``.
        - ``"medoid"``: the series, resampled to ``barycenter_size`` points,
          with the smallest value of the loss minimised here: the best
          barycenter among the data.%(dba_init)s
        - an array: used as given; it fixes ``barycenter_size``.
    barycenter_size : int, default=None
        Length of the barycenter. ``None`` means the length of the series,
        or the median length (rounded) when they differ, or the length of
        `init` when it is an array.
    max_iter : int, default=%(max_iter)s
        Maximum number of iterations."""

_DBA_INIT_DOC = """
        - ``"dba"``: the DBA barycenter
          (:func:`dtw_barycenter_averaging` with its defaults, from the
          Euclidean mean), refined by soft-DTW: a start already near a
          good DTW barycenter."""

_BAND_DOC = """sakoe_chiba_radius : int, default=None
        Radius of the Sakoe-Chiba band of every alignment (see
        :func:`~sksoftdtw.soft_dtw`); ``None`` means no band.
    itakura_max_slope : float, default=None
        Maximum slope of the Itakura parallelogram of every alignment (see
        :func:`~sksoftdtw.soft_dtw`); ``None`` means none.
    random_state : int, RandomState instance or None, default=None
        Seeds ``init="random"``; unused otherwise.
    n_jobs : int, default=None
        Number of threads of the kernels; ``None`` means 1 and ``-1`` all
        cores."""


class _BarycenterResult(NamedTuple):
    """What the optimisers return: the estimators read all four fields."""

    barycenter: np.ndarray  # (barycenter_size, d)
    n_iter: int
    loss: float  # the objective at `barycenter`
    converged: bool
    n_calls: int = None  # kernel calls (each over all the series), where counted


# ----------------------------------------------------------------------------
# Data, weights, layouts
# ----------------------------------------------------------------------------
def _as_dataset(X, name="X"):
    return X if isinstance(X, FlatDataset) else check_dataset(X, name)


def subset(ds, keep):
    """The series of `ds` where the boolean mask `keep` is true."""
    return ds if keep.all() else ds.take(np.flatnonzero(keep))[0]


def _prepare(X, weights, weights_name="weights"):
    """Validated dataset restricted to the positive weights, and those weights."""
    ds = _as_dataset(X)
    check_cost_range(ds, ds)
    w = check_weights(weights, ds.n_ts, weights_name)
    keep = w > 0
    return subset(ds, keep), w[keep]


def _batch_layout(ds, data=None):
    """The series of `ds` (or of `data`, laid out as `ds`) as soft_dtw_batch input.

    Equal lengths give one 3-D array, so the gradients come back as one array.
    """
    data = ds.data if data is None else data
    lengths = ds.lengths
    if (lengths == lengths[0]).all():
        return data.reshape(ds.n_ts, lengths[0], -1)
    return [data[a:b] for a, b in zip(ds.offsets[:-1], ds.offsets[1:])]


def _repeat(Z, n):
    """`n` read-only views of the series `Z`, as the first argument of soft_dtw_batch."""
    return np.broadcast_to(Z, (n,) + Z.shape)


def default_size(ds):
    lengths = ds.lengths
    if (lengths == lengths[0]).all():
        return int(lengths[0])
    return int(np.round(np.median(lengths)))


def resample_series(ts, size):
    """Linear interpolation of a (sz, d) series on `size` equally spaced points."""
    if len(ts) == size:
        return ts
    ts = np.ascontiguousarray(ts, dtype=np.float64)
    return resample(FlatDataset(ts, np.array([0, len(ts)], dtype=np.intp), "3d"), size)[0]


def _data_location_scale(ds, weights):
    """Per-dimension mean and standard deviation of all the values of `ds`.

    Each value counts with its series' weight, so that an integer weight and
    as many copies of the series give the same statistics.
    """
    w = np.repeat(weights, ds.lengths)
    loc = np.average(ds.data, axis=0, weights=w)
    scale = np.sqrt(np.average((ds.data - loc) ** 2, axis=0, weights=w))
    return loc, scale


# ----------------------------------------------------------------------------
# Losses
# ----------------------------------------------------------------------------
def pair_values(X, Y, gamma, metric, band, n_jobs, grad=False):
    """Values of the pairs ``(X[k], Y[k])`` in one kernel call: the sharp
    soft-DTW for ``metric="sharp_divergence"``, soft-DTW otherwise; with
    ``grad``, also the gradients with respect to the ``X[k]`` (all of one
    length), stacked."""
    if metric != "sharp_divergence":
        return soft_dtw_batch(X, Y, gamma, **band, n_jobs=n_jobs,
                              **({"return_grad": "x"} if grad else {}))
    if not grad:
        return sharp_batch(X, Y, gamma, band, n_jobs)
    values, grads = sharp_batch(X, Y, gamma, band, n_jobs, grad=True)
    return values, grads.reshape((len(X),) + X[0].shape)


def _loss_values(ds, Z, gamma, metric, band, n_jobs):
    """Per-series loss between `Z` and each series of `ds`, in one kernel call.

    ``metric="softdtw"``: dtw_gamma(Z, y_j); ``"divergence"`` and
    ``"sharp_divergence"``: the soft-DTW or sharp soft-DTW divergence, whose
    self terms ride in the same call.
    """
    n = ds.n_ts
    if metric == "softdtw":
        return soft_dtw_batch(_repeat(Z, n), _batch_layout(ds), gamma,
                              **band, n_jobs=n_jobs)
    series = list(_batch_layout(ds))
    values = pair_values([Z] * n + series + [Z], series + series + [Z], gamma, metric,
                          band, n_jobs)
    return values[:n] - 0.5 * (values[n:2 * n] + values[-1])



def _weighted_loss(ds, weights, Z, gamma, metric, band, n_jobs):
    """The objective value alone (the loss reported for any barycenter)."""
    values = _loss_values(ds, Z, gamma, metric, band, n_jobs)
    return float((weights / ds.lengths) @ values)


# ----------------------------------------------------------------------------
# Initialization (shared by all the methods)
# ----------------------------------------------------------------------------
def _initial_barycenter(ds, weights, init, barycenter_size, random_state, *,
                        gamma, metric, band, n_jobs):
    """Starting barycenter, shape (barycenter_size, d).

    ``gamma`` and ``metric`` define the loss used by ``init="medoid"``;
    ``n_jobs`` is checked here, before any kernel call.
    """
    check_n_jobs(n_jobs)
    if not isinstance(init, str):
        Z = check_time_series(init, "init")
        check_same_dim(Z.shape[1], ds.d, "init")
        if barycenter_size is not None and len(Z) != barycenter_size:
            raise ValueError(
                f"init has {len(Z)} time steps but barycenter_size={barycenter_size}; "
                "leave barycenter_size to None to use the length of init"
            )
        return Z.copy()
    if init not in _INITS:
        raise ValueError(f"init must be one of {_INITS} or an array, got {init!r}")
    size = default_size(ds) if barycenter_size is None else barycenter_size
    if init == "random":
        loc, scale = _data_location_scale(ds, weights)
        rng = check_random_state(random_state)
        return loc + scale * rng.standard_normal((size, ds.d))
    candidates = [resample_series(ds.series(k), size) for k in range(ds.n_ts)]
    if init == "euclidean":
        return np.tensordot(weights, np.stack(candidates), axes=1)
    # "medoid": the candidate with the smallest objective value.
    costs = CDIST[metric](np.stack(candidates), _batch_layout(ds), gamma=gamma,
                  **band, n_jobs=n_jobs)
    return candidates[int(np.argmin(costs @ (weights / ds.lengths)))].copy()


def _warn_not_converged(name, max_iter):
    warnings.warn(
        f"{name} did not converge within max_iter={max_iter} iterations; "
        "increase max_iter or tol for a converged barycenter.",
        ConvergenceWarning,
        stacklevel=3,
    )


def _fill_doc(func, max_iter, *, soft=False, **fragments):
    """Write the shared parameters (``%(params)s``, ``%(band)s``) into the docstring
    of a barycenter function; `soft` adds those of the soft-DTW barycenter."""
    func.__doc__ = fill_doc(
        func.__doc__,
        params=fill_doc(
            _PARAMS_DOC,
            extra=("gamma : float, default=1.0\n        Smoothing parameter of soft-DTW, "
                   "``>= 0``, in squared data units.\n    ") if soft else "",
            inits='"euclidean", "random", "medoid"' + (', "dba"' if soft else ""),
            dba_init=_DBA_INIT_DOC if soft else "",
            max_iter=str(max_iter)),
        band=_BAND_DOC, **fragments)

r"""Barycenters of time series under soft-DTW and DTW.

The soft-DTW barycenter (Cuturi & Blondel, 2017) of series
:math:`y_1, \dots, y_n` of lengths :math:`m_1, \dots, m_n`, with weights
:math:`w_j \ge 0` summing to one, is a series :math:`z` of a chosen length that
minimises

.. math::

    F_\gamma(z) = \sum_{j=1}^n \frac{w_j}{m_j} \mathrm{dtw}_\gamma(z, y_j),

a smooth function minimised with L-BFGS. Dividing each term by its length keeps
long series from dominating short ones and makes the loss a per-time-step
squared error. The same normalised loss at :math:`\gamma = 0` (hard DTW) is the
"DTW loss" minimised by the baselines: DBA (Petitjean et al., 2011) and
the subgradient method, full or stochastic (Schultz & Jain, 2018).

Every evaluation of a loss or gradient here is one batched kernel call over
all the series (:func:`~sksoftdtw.metrics.soft_dtw_batch`), never a Python
loop over series or cells; the one exception is the stochastic subgradient
method, whose updates are sequential by definition.
"""
import numbers
import warnings
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..divergences import _sharp_batch, cdist_sharp_soft_dtw_divergence
from ..metrics import _check_band, _hard_paths_to, cdist_soft_dtw, cdist_soft_dtw_divergence, \
    soft_dtw_batch
from ..utils import FlatDataset, check_band, check_dataset, check_time_series
from ..utils._docstrings import fill_doc
from ..utils._validation import (
    COSTS,
    check_cost,
    check_cost_range,
    check_n_jobs,
    refuse_cost,
    check_same_dim,
    check_weights,
    resample,
    set_features_in,
)

__all__ = [
    "softdtw_barycenter",
    "dtw_barycenter_averaging",
    "dtw_barycenter_subgradient",
    "dtw_barycenter_stochastic_subgradient",
    "SoftDTWBarycenter",
]

_INITS = ("euclidean", "random", "medoid")

def _cdist_sharp(X, Y, gamma, cost="sqeuclidean", **kwargs):
    """`cdist_sharp_soft_dtw_divergence` under the options of the kernel calls
    (the squared Euclidean cost only)."""
    refuse_cost(cost, 'metric="sharp_divergence"')
    return cdist_sharp_soft_dtw_divergence(X, Y, gamma, **kwargs)


# The losses between a barycenter and a series, by their cdist functions.
_CDIST = {"softdtw": cdist_soft_dtw, "divergence": cdist_soft_dtw_divergence,
          "sharp_divergence": _cdist_sharp}

# Parameters shared by the three barycenter functions and the estimator.
_COMMON_CONSTRAINTS = {
    "X": ["array-like"],
    "weights": ["array-like", None],
    "init": [StrOptions(set(_INITS)), "array-like"],
    "barycenter_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
    "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
    "sakoe_chiba_radius": [Interval(numbers.Integral, 0, None, closed="left"), None],
    "itakura_max_slope": [Interval(numbers.Real, 1, None, closed="left"), None],
    "random_state": ["random_state"],
    "n_jobs": [None, numbers.Integral],  # checked by check_n_jobs, as everywhere
}

_PARAMS_DOC = """X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
        The series to average: ``(n_ts, sz)`` is ``n_ts`` univariate series;
        series of different lengths are given as a list of arrays or as an
        array padded with trailing NaN.
    {extra}weights : array-like of shape (n_ts,), default=None
        Non-negative weights of the series, normalised to sum to one; ``None``
        gives every series the same weight. A zero weight removes a series
        and an integer weight ``k`` is the same as ``k`` copies of it.
    init : {{inits}} or array-like, default="euclidean"
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
          barycenter among the data.
        - an array: used as given; it fixes ``barycenter_size``.
    barycenter_size : int, default=None
        Length of the barycenter. ``None`` means the length of the series,
        or the median length (rounded) when they differ, or the length of
        `init` when it is an array.
    max_iter : int, default={max_iter}
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


def _subset(ds, keep):
    """The series of `ds` where the boolean mask `keep` is true."""
    return ds if keep.all() else ds.take(np.flatnonzero(keep))[0]


def _prepare(X, weights, weights_name="weights"):
    """Validated dataset restricted to the positive weights, and those weights."""
    ds = _as_dataset(X)
    check_cost_range(ds, ds)
    w = check_weights(weights, ds.n_ts, weights_name)
    keep = w > 0
    return _subset(ds, keep), w[keep]


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


def _default_size(ds):
    lengths = ds.lengths
    if (lengths == lengths[0]).all():
        return int(lengths[0])
    return int(np.round(np.median(lengths)))


def _resample(ts, size):
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
def _pair_values(X, Y, gamma, metric, band, n_jobs, grad=False):
    """Values of the pairs ``(X[k], Y[k])`` in one kernel call: the sharp
    soft-DTW for ``metric="sharp_divergence"``, soft-DTW otherwise; with
    ``grad``, also the gradients with respect to the ``X[k]`` (all of one
    length), stacked."""
    if metric != "sharp_divergence":
        return soft_dtw_batch(X, Y, gamma, **band, n_jobs=n_jobs,
                              **({"return_grad": "x"} if grad else {}))
    if not grad:
        return _sharp_batch(X, Y, gamma, band, n_jobs)
    values, grads = _sharp_batch(X, Y, gamma, band, n_jobs, grad=True)
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
    values = _pair_values([Z] * n + series + [Z], series + series + [Z], gamma, metric,
                          band, n_jobs)
    return values[:n] - 0.5 * (values[n:2 * n] + values[-1])


class _Objective:
    r"""The barycenter loss :math:`\sum_j c_j \ell(z, y_j)`, :math:`c_j = w_j / m_j`.

    Calling it on ``Z`` returns the value and the gradient w.r.t. ``Z`` from
    one kernel call over all the series (:func:`soft_dtw_batch`, or the
    sharp soft-DTW's for ``metric="sharp_divergence"``), and leaves in
    ``excess`` the loss in excess of a perfect fit: the same weighted sum of
    divergences (of the sharp soft-DTW for ``"sharp_divergence"``, of soft-DTW
    otherwise), which removes soft-DTW's entropic offset (equal to the value
    for the divergences or ``gamma=0``).
    """

    def __init__(self, ds, weights, gamma, metric, band, n_jobs):
        self.n = ds.n_ts
        self.coef = weights / ds.lengths
        self.gamma = gamma
        self.metric = metric
        self.band = band
        self.n_jobs = n_jobs
        self.Y = list(_batch_layout(ds))
        # The -1/2 dtw_gamma(y_j, y_j) terms of the divergence do not depend on
        # Z: computed once.
        self_values = _pair_values(self.Y, self.Y, gamma, metric, band, n_jobs)
        self.self_term = -0.5 * self.coef @ self_values
        self.excess = np.nan
        self.n_calls = 1

    def __call__(self, Z):
        # The pair (Z, Z) rides in the batch: the divergence needs its value
        # and gradient, the excess of soft-DTW its value. The divergence's term
        # -1/2 f(Z, Z) depends on Z through both arguments, so its gradient is
        # -1/2 (grad_x + grad_y) f(Z, Z); soft-DTW and the sharp soft-DTW are
        # symmetric (transposing the cost matrix maps alignments to
        # alignments), hence grad_y = grad_x at (Z, Z) and the term's gradient
        # is -grad_x f(Z, Z).
        values, grads = _pair_values(_repeat(Z, self.n + 1), self.Y + [Z], self.gamma,
                                     self.metric, self.band, self.n_jobs, grad=True)
        self.n_calls += 1
        total = self.coef.sum()
        value = self.coef @ values[:-1]
        grad = np.tensordot(self.coef, grads[:-1], axes=1)
        self.excess = value - 0.5 * total * values[-1] + self.self_term
        if self.metric == "softdtw":
            return value, grad
        return self.excess, grad - total * grads[-1]


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
    size = _default_size(ds) if barycenter_size is None else barycenter_size
    if init == "random":
        loc, scale = _data_location_scale(ds, weights)
        rng = check_random_state(random_state)
        return loc + scale * rng.standard_normal((size, ds.d))
    candidates = [_resample(ds.series(k), size) for k in range(ds.n_ts)]
    if init == "euclidean":
        return np.tensordot(weights, np.stack(candidates), axes=1)
    # "medoid": the candidate with the smallest objective value.
    costs = _CDIST[metric](np.stack(candidates), _batch_layout(ds), gamma=gamma,
                  **band, n_jobs=n_jobs)
    return candidates[int(np.argmin(costs @ (weights / ds.lengths)))].copy()


def _warn_not_converged(name, max_iter):
    warnings.warn(
        f"{name} did not converge within max_iter={max_iter} iterations; "
        "increase max_iter or tol for a converged barycenter.",
        ConvergenceWarning,
        stacklevel=3,
    )


# ----------------------------------------------------------------------------
# Soft-DTW barycenter
# ----------------------------------------------------------------------------
def _gamma_stages(gamma_schedule, gamma, variance):
    """The values of gamma of the successive stages, ending at `gamma`.

    `variance` is the data's variance (the mean over dimensions), the scale
    of the squared differences that soft-DTW compares with gamma.
    """
    if gamma_schedule is None:
        return [gamma]
    if isinstance(gamma_schedule, str):
        # From gamma = variance, where the soft minimum blurs alignments whose
        # costs differ by a typical squared difference per cell, down by
        # factors of 10; a stage within sqrt(10) of the target is the target.
        # Below 1e-4 variance the paths no longer change, so gamma = 0 (or a
        # tiny gamma) is reached from there.
        floor = max(gamma, _AUTO_FLOOR * variance)
        stages = []
        g = variance
        while g > np.sqrt(_AUTO_RATIO) * floor:
            stages.append(g)
            g /= _AUTO_RATIO
        return stages + [gamma]
    stages = np.asarray(gamma_schedule, dtype=np.float64)
    if stages.ndim != 1 or stages.size == 0:
        raise ValueError("gamma_schedule must be None, 'auto' or a non-empty 1-D sequence "
                         f"of floats, got shape {stages.shape}")
    if not np.isfinite(stages).all() or (stages[:-1] <= 0).any() or stages[-1] < 0:
        raise ValueError("gamma_schedule must hold finite positive values (the last one "
                         f"may be 0), got {stages.tolist()}")
    if (np.diff(stages) >= 0).any():
        raise ValueError(f"gamma_schedule must be strictly decreasing, got {stages.tolist()}")
    if stages[-1] != gamma:
        raise ValueError(f"gamma_schedule must end at gamma={gamma}, got {stages.tolist()}")
    return stages.tolist()


# The "auto" schedule: the ratio between successive stages and the smallest
# intermediate gamma, relative to the data's variance.
_AUTO_RATIO = 10.0
_AUTO_FLOOR = 1e-4
# Tolerance of the stages before the last (see _SCHEDULE_DOC): 3e-2 kept the
# gains of 1e-3 at 1.0-1.25 times the plain method's kernel calls instead of
# 1.3-1.6 (doc/gamma.rst).
_STAGE_TOL = 3e-2


def _lbfgs(objective, Z0, loc, s, max_iter, tol):
    """L-BFGS on `objective` from `Z0`: (Z, n_iter, value, status); `max_iter` >= 1.

    Status as scipy's, plus 99 for the decrease test below.
    """
    f0, g0 = objective(Z0)
    # L-BFGS works in standardized coordinates u = (Z - loc) / s on the
    # dimensionless objective c F, c = len(Z) / (d s^2): the squared error per
    # barycenter point relative to the data variance, summed over the
    # barycenter. The barycenter is then invariant to the units of the data
    # (gamma being in squared units), and gtol means the same at any scale.
    # The decrease test is relative to the excess loss rather than to |F| (as
    # scipy's ftol is): soft-DTW's entropic offset, about -gamma log(#paths),
    # dwarfs the loss at large gamma and would end L-BFGS far too early.
    # c = k / s^2 is applied as k / s / s: for data below 1e-154, s * s underflows.
    k = len(Z0) / Z0.shape[1]
    u0 = ((Z0 - loc) / s).ravel()
    cache = {"u": u0, "value": f0, "grad": g0, "excess": objective.excess}

    def fun(u):
        if not np.array_equal(u, cache["u"]):
            value, grad = objective(loc + s * u.reshape(Z0.shape))
            cache.update(u=u.copy(), value=value, grad=grad, excess=objective.excess)
        return k * (cache["value"] / s / s), k * (cache["grad"].ravel() / s)

    previous = [f0]

    def stop_on_small_decrease(intermediate_result):
        fun(intermediate_result.x)  # the last evaluation in practice: cached
        if previous[0] - cache["value"] <= tol * max(cache["excess"], 0.0):
            raise StopIteration
        previous[0] = cache["value"]

    res = minimize(fun, u0, method="L-BFGS-B", jac=True, callback=stop_on_small_decrease,
                   options=dict(maxiter=max_iter, ftol=0.0, gtol=tol))
    fun(res.x)
    # status 0: gtol reached; 99: the decrease test above; 1: the iteration (or
    # function evaluation) limit; 2: the line search failed (no progress possible
    # at machine precision, common near the kinks of small-gamma soft-DTW).
    return loc + s * res.x.reshape(Z0.shape), int(res.nit), float(cache["value"]), res.status


def _stage_budgets(n_stages, max_iter):
    """Iterations of each stage: the last gets `max_iter`, each earlier one
    ``max_iter // n_stages`` (at least 1), so that all the earlier stages
    together take less than `max_iter`."""
    return [max(1, max_iter // n_stages)] * (n_stages - 1) + [max_iter]


def _softdtw_barycenter(X, gamma=1.0, *, weights=None, init="euclidean",
                        barycenter_size=None, max_iter=100, tol=1e-3,
                        sakoe_chiba_radius=None,
                        itakura_max_slope=None, random_state=None, n_jobs=None,
                        metric="softdtw", gamma_schedule=None, weights_name="weights",
                        warn=True, cost="sqeuclidean"):
    """Soft-DTW barycenter with its diagnostics; parameters as in softdtw_barycenter.

    `X` may be an already validated :class:`~sksoftdtw.utils.FlatDataset`.
    Returns a :class:`_BarycenterResult` whose `n_iter` and `n_calls` add up
    all the stages; warns ConvergenceWarning when L-BFGS stops at `max_iter`
    in the last stage (if `warn`).
    """
    ds, w = _prepare(X, weights, weights_name)
    band = check_band(sakoe_chiba_radius, itakura_max_slope)
    n_calls = 0
    if isinstance(init, str) and init == "dba":
        refuse_cost(cost, 'init="dba" (DBA averages the aligned points)')
        start = _dba(ds, weights=w, **band, n_jobs=n_jobs,
                     barycenter_size=barycenter_size, warn=False)
        Z, n_calls = start.barycenter, start.n_calls
    band = {**band, "cost": check_cost(cost)}  # the options of every kernel call
    if not (isinstance(init, str) and init == "dba"):
        Z = _initial_barycenter(ds, w, init, barycenter_size, random_state, gamma=gamma,
                                metric=metric, band=band, n_jobs=n_jobs)
    loc, scale = _data_location_scale(ds, w)
    s = float(np.sqrt(np.mean(scale ** 2)))
    s = s if s > 0 else 1.0
    gammas = _gamma_stages(gamma_schedule, gamma, s * s)
    if max_iter == 0:
        objective = _Objective(ds, w, gamma, metric, band, n_jobs)
        return _BarycenterResult(Z, 0, float(objective(Z)[0]), False, n_calls + 2)
    n_iter = 0
    budgets = _stage_budgets(len(gammas), max_iter)
    for k, (stage_gamma, budget) in enumerate(zip(gammas, budgets)):
        objective = _Objective(ds, w, stage_gamma, metric, band, n_jobs)
        # An intermediate stage only has to bring the barycenter into the
        # basin of the next one: it stops at a looser tolerance.
        stage_tol = tol if k == len(gammas) - 1 else max(tol, _STAGE_TOL)
        Z, nit, value, status = _lbfgs(objective, Z, loc, s, budget, stage_tol)
        n_iter += nit
        n_calls += objective.n_calls
    if status == 1 and warn:
        _warn_not_converged("softdtw_barycenter", max_iter)
    return _BarycenterResult(Z, n_iter, value, status in (0, 99), n_calls)


# Parameters of the soft-DTW barycenter beyond those of every method.
_SOFTDTW_CONSTRAINTS = {
    "gamma": [Interval(numbers.Real, 0, None, closed="left")],
    "init": [StrOptions(set(_INITS) | {"dba"}), "array-like"],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "metric": [StrOptions(set(_CDIST))],
    "gamma_schedule": [None, StrOptions({"auto"}), "array-like"],
    "cost": [StrOptions(set(COSTS))],
}

_COST_DOC = """cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points of soft-DTW: the squared Euclidean cost or
        the L1 cost (see :ref:`costs`); the barycenter follows the gradients
        of either. ``init="dba"`` needs the squared Euclidean cost (DBA's
        update, the mean of the aligned points, minimises squared distances
        only) and refuses ``"abs"``."""

_SCHEDULE_DOC = """gamma_schedule : None, "auto" or array-like of shape (n_stages,), default=None
        Continuation in gamma: minimise the objective at each value in turn,
        each stage starting from the previous stage's barycenter, the last
        stage at the target `gamma`. A large gamma smooths the objective's
        many local minima away (at gamma = 1 on standardized data the soft
        minimum averages over many alignments), and each smaller gamma refines
        the previous solution: on series shifted in time the plain method at a
        small gamma stays close to the flattened Euclidean mean, the
        continuation finds the shifted shape.

        - ``None``: one stage at `gamma`.
        - ``"auto"``: gamma from the data's variance :math:`s^2` (the mean
          over dimensions) down by factors of 10, :math:`s^2, s^2/10,
          \\dots`, while above :math:`\\sqrt{10}\\max(\\gamma, 10^{-4}
          s^2)`, then `gamma`: on standardized data and ``gamma=0.001`` the
          stages are 1, 0.1, 0.01 and 0.001; a `gamma` of at least
          :math:`s^2 / \\sqrt{10}` gives one stage.
        - a strictly decreasing sequence of positive values ending at
          `gamma` (the last one may be 0 when `gamma` is).

        With :math:`n` stages, each stage before the last runs at most
        ``max_iter // n`` L-BFGS iterations and stops when an iteration
        decreases the objective by less than ``max(tol, 0.03)`` times the
        excess loss (it only has to reach the next stage's basin); the last
        one has ``max_iter`` iterations and `tol`. The continuation thus
        costs less than twice the iterations of one stage: on the UCR
        barycenters of :ref:`paper`, a median 1.14 times the kernel calls of
        the plain method. See :ref:`gamma-continuation` for the design and
        its measurements."""


@validate_params({**_COMMON_CONSTRAINTS, **_SOFTDTW_CONSTRAINTS},
                 prefer_skip_nested_validation=True)
def softdtw_barycenter(X, gamma=1.0, *, weights=None, init="euclidean",
                       barycenter_size=None, max_iter=100, tol=1e-3,
                       sakoe_chiba_radius=None,
                       itakura_max_slope=None, random_state=None, n_jobs=None,
                       metric="softdtw", gamma_schedule=None, cost="sqeuclidean"):
    r"""Soft-DTW barycenter of a set of time series.

    Minimises, with L-BFGS over the barycenter :math:`z`,

    .. math::

        F(z) = \sum_{j=1}^n \frac{w_j}{m_j} \ell_\gamma(z, y_j),

    where :math:`m_j` is the length of :math:`y_j`, the weights sum to one and
    :math:`\ell_\gamma` is soft-DTW (``metric="softdtw"``, Cuturi & Blondel,
    2017, Eq. 4, with each term divided by its length), the soft-DTW
    divergence (``metric="divergence"``, Blondel et al., 2021) or the sharp
    soft-DTW divergence (``metric="sharp_divergence"``, ibid.). Each
    evaluation of :math:`F` and its gradient is one batched kernel call over
    all the series.

    Parameters
    ----------
    {params}
    tol : float, default=1e-3
        Stopping tolerance of L-BFGS. It stops when an iteration decreases
        the objective by less than `tol` times the excess loss, the
        objective minus its value for a perfect fit, that is
        :math:`\sum_j \frac{w_j}{m_j} D_\gamma(z, y_j)` with
        :math:`D_\gamma` the soft-DTW divergence (soft-DTW's entropic offset
        would make a test relative to the objective itself stop far too
        early at large ``gamma``); or when the largest entry of the gradient
        falls below `tol`, the gradient being that of the objective divided
        by the data's variance and summed over the barycenter's points, in
        coordinates standardized by the data's standard deviation.
    {band}
    metric : {"softdtw", "divergence", "sharp_divergence"}, default="softdtw"
        Loss between the barycenter and each series. The divergence is zero
        between equal series and removes most of soft-DTW's entropic bias:
        identical series are a stationary point of its objective and their
        barycenter stays close to them, where soft-DTW's smooths them. (With
        the squared Euclidean cost the divergence can be slightly negative,
        so they need not be the exact minimiser at every ``gamma``.)
        ``"sharp_divergence"`` is the divergence of the sharp soft-DTW, the
        expected cost of an alignment without soft-DTW's entropy term
        (:func:`~sksoftdtw.sharp_soft_dtw_divergence`); its gradient also
        needs a Hessian-vector product of soft-DTW, computed beside the
        expected alignment in the same batched kernel call: an evaluation
        took 1.1 to 1.4 times as long as one of ``"divergence"`` (26 series
        of GunPoint, one thread). Identical series are a stationary point of
        its objective too, and at small ``gamma`` (0.01 and below) their
        barycenter returns them; at moderate ``gamma`` the objective can dip
        slightly below zero next to them (about -0.005 at ``gamma=0.1`` on
        standardized series), so the barycenter may move a little away.
    {schedule}
    {cost}

    Returns
    -------
    barycenter : ndarray of shape (barycenter_size, d)

    Warns
    -----
    ConvergenceWarning
        When L-BFGS stops at `max_iter` iterations (in the last stage).

    See Also
    --------
    SoftDTWBarycenter : The same as a scikit-learn estimator, with the
        number of iterations and the final loss.
    dtw_barycenter_averaging : DBA, the classical DTW barycenter.
    dtw_barycenter_subgradient : Subgradient descent on the DTW loss.

    Notes
    -----
    ``gamma`` is in the squared units of the data: scaling the data by
    :math:`a` and ``gamma`` by :math:`a^2` scales the barycenter by
    :math:`a`. Small ``gamma`` approaches the hard DTW barycenter; large
    ``gamma`` gives smoother barycenters.

    References
    ----------
    .. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.
    .. [2] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import softdtw_barycenter
    >>> t = np.linspace(0, 2 * np.pi, 40)
    >>> X = np.stack([np.sin(t - shift) for shift in (-0.5, 0.0, 0.5)])
    >>> Z = softdtw_barycenter(X, gamma=0.01)
    >>> Z.shape
    (40, 1)
    >>> bool(np.abs(Z.ravel() - np.sin(t)).max() < 0.2)  # a sine, not flattened
    True

    Narrow bumps at different places, whose Euclidean mean (the starting
    point) is low and wide: at a small gamma, the continuation finds a bump
    of nearly full height and less than half the DTW loss.

    >>> from sksoftdtw import dtw
    >>> t = np.linspace(0, 1, 60)
    >>> X = np.stack([np.exp(-((t - c) / 0.03) ** 2) for c in np.linspace(0.4, 0.6, 8)])
    >>> plain = softdtw_barycenter(X, gamma=0.001)
    >>> auto = softdtw_barycenter(X, gamma=0.001, gamma_schedule="auto")
    >>> def loss(Z):
    ...     return sum(dtw(Z, x) for x in X)
    >>> bool(loss(auto) < 0.5 * loss(plain)), bool(auto.max() > 0.9)
    (True, True)
    """
    return _softdtw_barycenter(
        X, gamma, weights=weights, init=init, barycenter_size=barycenter_size,
        max_iter=max_iter, tol=tol, sakoe_chiba_radius=sakoe_chiba_radius,
        itakura_max_slope=itakura_max_slope,
        random_state=random_state, n_jobs=n_jobs, metric=metric,
        gamma_schedule=gamma_schedule, cost=cost,
    ).barycenter


# ----------------------------------------------------------------------------
# DBA
# ----------------------------------------------------------------------------
def _dba(X, *, weights=None, init="euclidean", barycenter_size=None, max_iter=30,
         tol=1e-5, sakoe_chiba_radius=None, itakura_max_slope=None, random_state=None, n_jobs=None,
         weights_name="weights", warn=True):
    """DBA with its diagnostics; parameters as in dtw_barycenter_averaging."""
    ds, w = _prepare(X, weights, weights_name)
    band = check_band(sakoe_chiba_radius, itakura_max_slope)
    Z = _initial_barycenter(ds, w, init, barycenter_size, random_state, gamma=0.0,
                            metric="softdtw", band=band, n_jobs=n_jobs)
    # Validated once: every later Z is a weighted mean of points of the series.
    check_cost_range(_as_dataset(Z[None], "init"), ds)
    paths = _hard_paths_to(len(Z), ds, _check_band(**band), n_jobs)
    coef = w / ds.lengths
    prev = np.inf
    for it in range(max_iter + 1):
        values, grads, counts = paths(Z)
        loss = float(coef @ values)
        # The loss never increases, so its decrease measures progress.
        if prev - loss <= tol * abs(loss):
            return _BarycenterResult(Z, it, loss, True, it + 1)
        if it == max_iter:
            break
        # z_i <- sum_j c_j sum_k E^j_ik y_jk / sum_j c_j sum_k E^j_ik, the weighted
        # mean of the points aligned to z_i, written as a step from z_i: the
        # gradient is 2 sum_j c_j sum_k E^j_ik (z_i - y_jk).
        Z = Z - np.tensordot(coef, grads, axes=1) / (2.0 * (coef @ counts))[:, None]
        prev = loss
    if warn and max_iter > 0:
        _warn_not_converged("dtw_barycenter_averaging", max_iter)
    return _BarycenterResult(Z, max_iter, loss, False, max_iter + 1)


@validate_params(
    {**_COMMON_CONSTRAINTS, "tol": [Interval(numbers.Real, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def dtw_barycenter_averaging(X, *, barycenter_size=None, init="euclidean", max_iter=30,
                             tol=1e-5, weights=None, sakoe_chiba_radius=None,
                             itakura_max_slope=None,
                             random_state=None, n_jobs=None):
    r"""DTW Barycenter Averaging (DBA) of a set of time series.

    DBA (Petitjean et al., 2011) alternates two steps: align every series to
    the current barycenter with its optimal DTW path, then replace every
    barycenter point by the weighted mean of the points aligned to it. Each
    step can only decrease the DTW loss

    .. math::

        L(z) = \sum_{j=1}^n \frac{w_j}{m_j} \mathrm{dtw}(z, y_j),

    the objective of :func:`softdtw_barycenter` at ``gamma=0`` (each series
    weighted by :math:`w_j / m_j`), so the loss never increases. All the
    alignments of an iteration come from one batched kernel call.

    Parameters
    ----------
    {params}
    tol : float, default=1e-5
        DBA stops when an iteration decreases the loss by less than `tol`
        times the loss.
    {band}

    Returns
    -------
    barycenter : ndarray of shape (barycenter_size, d)

    Warns
    -----
    ConvergenceWarning
        When `max_iter` iterations do not reach the tolerance.

    See Also
    --------
    softdtw_barycenter : The smooth soft-DTW counterpart, minimised with
        L-BFGS.
    dtw_barycenter_subgradient : Subgradient descent on the same loss.

    References
    ----------
    .. [1] F. Petitjean, A. Ketterlin and P. Gancarski, "A global averaging
       method for dynamic time warping, with applications to clustering",
       Pattern Recognition 44(3), 678-693, 2011.

    Examples
    --------
    >>> from sksoftdtw import dtw_barycenter_averaging
    >>> dtw_barycenter_averaging([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0]])
    array([[1. ],
           [2. ],
           [3.5],
           [4.5]])
    """
    return _dba(X, weights=weights, init=init, barycenter_size=barycenter_size,
                max_iter=max_iter, tol=tol, sakoe_chiba_radius=sakoe_chiba_radius,
                itakura_max_slope=itakura_max_slope,
                random_state=random_state, n_jobs=n_jobs).barycenter


# ----------------------------------------------------------------------------
# Subgradient method
# ----------------------------------------------------------------------------
def _dtw_subgradient(X, *, weights=None, init="euclidean", barycenter_size=None,
                     max_iter=100, learning_rate=1.0, sakoe_chiba_radius=None,
                     itakura_max_slope=None,
                     random_state=None, n_jobs=None, weights_name="weights"):
    """Subgradient method with its diagnostics; see dtw_barycenter_subgradient."""
    ds, w = _prepare(X, weights, weights_name)
    band = check_band(sakoe_chiba_radius, itakura_max_slope)
    Z = _initial_barycenter(ds, w, init, barycenter_size, random_state, gamma=0.0,
                            metric="softdtw", band=band, n_jobs=n_jobs)
    coef = w / ds.lengths
    Y = _batch_layout(ds)
    best_Z, best_loss = Z, np.inf
    for it in range(max_iter + 1):
        values, grads = soft_dtw_batch(_repeat(Z, ds.n_ts), Y, 0.0,
                                       **band, return_grad="x",
                                       n_jobs=n_jobs)
        loss = float(coef @ values)
        if loss < best_loss:
            best_Z, best_loss = Z, loss
        if it == max_iter:
            break
        G = np.tensordot(coef, grads, axes=1)
        if not G.any():  # zero subgradient: every point is its aligned mean
            return _BarycenterResult(best_Z, it, best_loss, True, it + 1)
        # Each series weighs about c_j m_j / len(Z) = w_j / len(Z) on each
        # barycenter point, so the loss has curvature about 2 / len(Z) there:
        # scaling the step by len(Z) / 2 makes learning_rate=1 a full
        # (DBA-like) step, whatever the length of the series.
        Z = Z - (learning_rate * len(Z) / (2.0 * np.sqrt(it + 1.0))) * G
    return _BarycenterResult(best_Z, max_iter, best_loss, False, max_iter + 1)


@validate_params(
    {**_COMMON_CONSTRAINTS,
     "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def dtw_barycenter_subgradient(X, *, barycenter_size=None, init="euclidean", max_iter=100,
                               learning_rate=1.0, weights=None, sakoe_chiba_radius=None,
                               itakura_max_slope=None,
                               random_state=None, n_jobs=None):
    r"""DTW barycenter by the subgradient method.

    Plain subgradient descent on the DTW loss
    :math:`L(z) = \sum_j \frac{w_j}{m_j} \mathrm{dtw}(z, y_j)` (the
    objective of :func:`softdtw_barycenter` at ``gamma=0``), the second
    baseline of Cuturi & Blondel (2017). A subgradient is the gradient along
    the optimal paths (one batched kernel call per iteration); the step at
    iteration :math:`t = 0, 1, \dots` is

    .. math::

        z \leftarrow z - \frac{\eta \, \mathrm{len}(z)}{2 \sqrt{t + 1}} g_t,

    a decreasing step, as subgradient methods need. The loss is not monotone,
    so the best iterate is returned. There is no stopping test: the method
    runs `max_iter` iterations unless the subgradient vanishes.

    Parameters
    ----------
    {params}
    learning_rate : float, default=1.0
        The relative step :math:`\eta`. The factor :math:`\mathrm{len}(z)/2`
        is the inverse of the loss's typical curvature at a barycenter point,
        so ``learning_rate=1`` starts with steps of the size of DBA's and the
        same value suits series of any length.
    {band}

    Returns
    -------
    barycenter : ndarray of shape (barycenter_size, d)
        The iterate with the smallest loss.

    See Also
    --------
    dtw_barycenter_averaging : DBA, a majorize-minimize method on the same
        loss.
    softdtw_barycenter : The smooth soft-DTW barycenter.

    References
    ----------
    .. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.
    .. [2] D. Schultz and B. Jain, "Nonsmooth analysis and subgradient methods
       for averaging in dynamic time warping spaces", Pattern Recognition 74,
       340-358, 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import dtw_barycenter_subgradient, dtw
    >>> t = np.linspace(0, 2 * np.pi, 40)
    >>> X = np.stack([np.sin(t - shift) for shift in (-1.0, 0.0, 1.0)])
    >>> Z = dtw_barycenter_subgradient(X, max_iter=20)
    >>> Z.shape
    (40, 1)
    >>> mean = X.mean(axis=0)  # the Euclidean mean, also the starting point
    >>> bool(sum(dtw(Z, x) for x in X) < 0.5 * sum(dtw(mean, x) for x in X))
    True
    """
    return _dtw_subgradient(X, weights=weights, init=init, barycenter_size=barycenter_size,
                            max_iter=max_iter, learning_rate=learning_rate,
                            sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope,
                            random_state=random_state, n_jobs=n_jobs).barycenter


# ----------------------------------------------------------------------------
# Stochastic subgradient method (Schultz & Jain)
# ----------------------------------------------------------------------------
def _dtw_ssg(X, *, weights=None, init="euclidean", barycenter_size=None, max_iter=100,
             initial_step=0.05, final_step=0.005, sakoe_chiba_radius=None, itakura_max_slope=None,
             random_state=None, n_jobs=None, weights_name="weights"):
    """Stochastic subgradient method with its diagnostics; see
    dtw_barycenter_stochastic_subgradient."""
    ds, w = _prepare(X, weights, weights_name)
    band = check_band(sakoe_chiba_radius, itakura_max_slope)
    rng = check_random_state(random_state)
    Z = _initial_barycenter(ds, w, init, barycenter_size, rng, gamma=0.0,
                            metric="softdtw", band=band, n_jobs=n_jobs)
    n = ds.n_ts
    scale = w * n  # weight 1 for every series when the weights are equal
    series = [ds.series(k)[None] for k in range(n)]
    best_Z, best_loss = Z, _weighted_loss(ds, w, Z, 0.0, "softdtw", band, n_jobs)
    step, decrement = initial_step, (initial_step - final_step) / n
    for epoch in range(max_iter):
        # One pass in random order, one series per update: the updates depend
        # on each other, so each is its own kernel call.
        for k in rng.permutation(n):
            _, grad = soft_dtw_batch(Z[None], series[k], 0.0, **band,
                                     return_grad="x")
            Z = Z - (step * scale[k]) * grad[0]
            if epoch == 0:
                step -= decrement
        loss = _weighted_loss(ds, w, Z, 0.0, "softdtw", band, n_jobs)
        if loss < best_loss:
            best_Z, best_loss = Z, loss
    return _BarycenterResult(best_Z, max_iter, best_loss, False)


@validate_params(
    {**_COMMON_CONSTRAINTS,
     "initial_step": [Interval(numbers.Real, 0, None, closed="neither")],
     "final_step": [Interval(numbers.Real, 0, None, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def dtw_barycenter_stochastic_subgradient(X, *, barycenter_size=None, init="euclidean",
                                          max_iter=100, initial_step=0.05, final_step=0.005,
                                          weights=None, sakoe_chiba_radius=None,
                                          itakura_max_slope=None,
                                          random_state=None, n_jobs=None):
    r"""DTW barycenter by the stochastic subgradient method (SSG).

    The method of Schultz & Jain (2018): each epoch visits the series in a
    random order and, for each series :math:`y_j`, takes a step along a
    subgradient of that series' term alone,

    .. math::

        z \leftarrow z - \eta \, n w_j \, \partial_z \mathrm{dtw}(z, y_j),

    where :math:`\partial_z \mathrm{dtw}(z, y_j) = 2 \sum_{(i, l) \in
    \pi} (z_i - y_{j,l}) e_i` along the optimal path :math:`\pi`. The step
    :math:`\eta` decreases linearly from `initial_step` to `final_step`
    during the first epoch, then stays at `final_step` (the schedule and
    values of the reference). The DTW loss (that of
    :func:`dtw_barycenter_subgradient`) is evaluated after every epoch and the
    best epoch's barycenter is returned.

    `random_state` draws the order of the series in every epoch (and the
    random initialization). Unlike the other barycenter functions, each
    update is its own kernel call (one pair), since every update starts from
    the previous one.

    Parameters
    ----------
    {params}
        Here an iteration is an epoch: one pass over all the series.
    initial_step, final_step : float, default=0.05 and 0.005
        The step :math:`\eta` at the first update and from the second epoch
        on. It multiplies a subgradient of the DTW itself (not divided by the
        length), so a barycenter point aligned with one point of
        :math:`y_j` moves the fraction :math:`2 \eta n w_j` of the way to it.
    {band}

    Returns
    -------
    barycenter : ndarray of shape (barycenter_size, d)
        The epoch-end iterate with the smallest loss (the starting point if
        no epoch improved on it).

    See Also
    --------
    dtw_barycenter_subgradient : The full-batch subgradient method.
    dtw_barycenter_averaging : DBA.

    References
    ----------
    .. [1] D. Schultz and B. Jain, "Nonsmooth analysis and subgradient methods
       for averaging in dynamic time warping spaces", Pattern Recognition 74,
       340-358, 2018.

    Examples
    --------
    Ten bumps at different places: their Euclidean mean (the starting point)
    is flat, a DTW barycenter is a bump.

    >>> import numpy as np
    >>> from sksoftdtw import dtw_barycenter_stochastic_subgradient
    >>> t = np.linspace(0, 1, 50)
    >>> X = np.stack([np.exp(-((t - c) / 0.05) ** 2) for c in np.linspace(0.3, 0.7, 10)])
    >>> Z = dtw_barycenter_stochastic_subgradient(X, random_state=0)
    >>> Z.shape, bool(X.mean(axis=0).max() < 0.5 < Z.max())
    ((50, 1), True)
    """
    return _dtw_ssg(X, weights=weights, init=init, barycenter_size=barycenter_size,
                    max_iter=max_iter, initial_step=initial_step, final_step=final_step,
                    sakoe_chiba_radius=sakoe_chiba_radius,
                    itakura_max_slope=itakura_max_slope, random_state=random_state,
                    n_jobs=n_jobs).barycenter


# ----------------------------------------------------------------------------
# Estimator
# ----------------------------------------------------------------------------
class SoftDTWBarycenter(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    r"""Soft-DTW barycenter as a scikit-learn estimator.

    :meth:`fit` computes the barycenter of the training series with
    :func:`softdtw_barycenter`; :meth:`transform` maps a series to its loss
    to the barycenter; :meth:`score` is minus the mean hard DTW loss of
    held-out series to the barycenter, so that a grid search over ``gamma``
    picks the value giving the best DTW barycenter.

    Parameters
    ----------
    gamma : float, default=1.0
        Smoothing parameter of soft-DTW, ``>= 0``, in squared data units.
    init : {"euclidean", "random", "medoid", "dba"} or array-like, default="euclidean"
        Starting point, an array of shape ``(barycenter_size, d)`` or
        ``(barycenter_size,)``; see :func:`softdtw_barycenter`.
    barycenter_size : int, default=None
        Length of the barycenter; ``None`` means the length of the training
        series (their median length if they differ).
    max_iter : int, default=100
        Maximum number of L-BFGS iterations.
    tol : float, default=1e-3
        Stopping tolerance of L-BFGS; see :func:`softdtw_barycenter`.
    {band}
    metric : {"softdtw", "divergence", "sharp_divergence"}, default="softdtw"
        Loss minimised by the barycenter and returned by :meth:`transform`:
        soft-DTW, the soft-DTW divergence or the sharp soft-DTW divergence;
        see :func:`softdtw_barycenter`.
    {schedule}
    {cost}

    Attributes
    ----------
    barycenter_ : ndarray of shape (barycenter_size, d)
        The barycenter.
    n_iter_ : int
        Number of L-BFGS iterations run, over all the stages of
        `gamma_schedule`.
    loss_ : float
        The objective of :func:`softdtw_barycenter` at ``barycenter_``: the
        weighted mean over the training series of their loss to it, each
        divided by the series' length.
    n_features_in_ : int
        Number of time steps of the training data: ``X.shape[1]`` for an
        array (the padded length if padded with NaN), the longest length for
        a list of series. :meth:`transform` and :meth:`score` accept series of
        any length, as DTW compares series of different lengths, so unlike
        most scikit-learn estimators they do not check it.

    See Also
    --------
    softdtw_barycenter : The function behind :meth:`fit`.
    dtw_barycenter_averaging : DBA, the classical DTW barycenter.

    Notes
    -----
    The input may hold trailing NaN, as padding of shorter series; any other
    NaN is an error.

    References
    ----------
    .. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import SoftDTWBarycenter
    >>> t = np.linspace(0, 2 * np.pi, 30)
    >>> X = np.stack([np.sin(t - shift) for shift in np.linspace(-1.0, 1.0, 9)])
    >>> est = SoftDTWBarycenter(gamma=0.01).fit(X)
    >>> est.barycenter_.shape
    (30, 1)
    >>> est.transform(X[:2]).shape
    (2, 1)
    >>> mean = SoftDTWBarycenter(max_iter=0).fit(X)  # the starting point, unoptimized
    >>> bool(est.score(X) > mean.score(X))  # minus the DTW loss: higher is better
    True

    Choosing ``gamma`` by cross-validation on held-out series:

    >>> from sklearn.model_selection import GridSearchCV
    >>> search = GridSearchCV(SoftDTWBarycenter(), {"gamma": [1.0, 0.01]}, cv=3).fit(X)
    >>> search.best_params_
    {'gamma': 0.01}
    """

    _parameter_constraints: dict = {
        "barycenter_size": _COMMON_CONSTRAINTS["barycenter_size"],
        "max_iter": _COMMON_CONSTRAINTS["max_iter"],
        "sakoe_chiba_radius": _COMMON_CONSTRAINTS["sakoe_chiba_radius"],
        "itakura_max_slope": _COMMON_CONSTRAINTS["itakura_max_slope"],
        "random_state": ["random_state"],
        "n_jobs": _COMMON_CONSTRAINTS["n_jobs"],
        **_SOFTDTW_CONSTRAINTS,
    }

    def __init__(self, gamma=1.0, *, init="euclidean", barycenter_size=None, max_iter=100,
                 tol=1e-3, sakoe_chiba_radius=None,
                 itakura_max_slope=None, random_state=None, n_jobs=None,
                 metric="softdtw", gamma_schedule=None, cost="sqeuclidean"):
        self.gamma = gamma
        self.init = init
        self.barycenter_size = barycenter_size
        self.max_iter = max_iter
        self.tol = tol
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.metric = metric
        self.gamma_schedule = gamma_schedule
        self.cost = cost

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the soft-DTW barycenter of the series of `X`.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Training series; variable lengths as a list or NaN-padded array.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_ts,), default=None
            Non-negative weights of the series; see :func:`softdtw_barycenter`.

        Returns
        -------
        self : SoftDTWBarycenter
            The fitted estimator.
        """
        ds = check_dataset(X, "X")
        result = _softdtw_barycenter(
            ds, self.gamma, weights=sample_weight, init=self.init,
            barycenter_size=self.barycenter_size, max_iter=self.max_iter, tol=self.tol,
            sakoe_chiba_radius=self.sakoe_chiba_radius,
            itakura_max_slope=self.itakura_max_slope, random_state=self.random_state,
            n_jobs=self.n_jobs, metric=self.metric, gamma_schedule=self.gamma_schedule,
            weights_name="sample_weight", cost=self.cost,
        )
        self.barycenter_ = result.barycenter
        self.n_iter_ = result.n_iter
        self.loss_ = result.loss
        set_features_in(self, X, ds)
        return self

    def _check_X(self, X):
        check_is_fitted(self)
        return check_dataset(X, "X", d=self.barycenter_.shape[1])

    def _options(self):
        """The band and the cost of the kernel calls."""
        return {**check_band(self.sakoe_chiba_radius, self.itakura_max_slope),
                "cost": check_cost(self.cost)}

    def transform(self, X):
        """Loss of each series to the barycenter.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Series of any lengths, of the dimension of the training series.

        Returns
        -------
        loss : ndarray of shape (n_ts, 1)
            Soft-DTW (or, with ``metric="divergence"`` or
            ``"sharp_divergence"``, the soft-DTW or sharp soft-DTW divergence)
            between each series and ``barycenter_``, with the
            estimator's ``gamma``; not divided by the series' lengths.
        """
        ds = self._check_X(X)
        return _loss_values(ds, self.barycenter_, self.gamma, self.metric, self._options(),
                            self.n_jobs)[:, None]

    def score(self, X, y=None):
        """Minus the mean DTW loss of the series of `X` to the barycenter.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Series, typically held out.
        y : None
            Ignored.

        Returns
        -------
        score : float
            :math:`-\\frac{1}{n} \\sum_j \\mathrm{dtw}(z, y_j) / m_j`: hard DTW
            (``gamma=0``, whatever the estimator's ``gamma``; the estimator's
            ``cost``), each series
            divided by its length as in the objective; the scale of
            :meth:`SoftDTWKMeans.score` and of
            :meth:`~sksoftdtw.neural_network.MLPRegressor.score`. Greater is
            better.
        """
        ds = self._check_X(X)
        return -_weighted_loss(ds, np.full(ds.n_ts, 1.0 / ds.n_ts), self.barycenter_, 0.0,
                               "softdtw", self._options(), self.n_jobs)

    @property
    def _n_features_out(self):
        return 1

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False  # trailing NaN padding only
        tags.target_tags.required = False
        return tags


for _f in (softdtw_barycenter, dtw_barycenter_averaging, dtw_barycenter_subgradient,
           dtw_barycenter_stochastic_subgradient):
    _soft = _f is softdtw_barycenter
    _f.__doc__ = fill_doc(
        _f.__doc__,
        params=fill_doc(
            _PARAMS_DOC,
            extra="" if not _soft else (
                "gamma : float, default=1.0\n        Smoothing parameter of soft-DTW, "
                "``>= 0``, in squared data units.\n    "),
            inits='"euclidean", "random", "medoid"' + (', "dba"' if _soft else ""),
            dba_init=_DBA_INIT_DOC if _soft else "",
            max_iter=str({softdtw_barycenter: 100, dtw_barycenter_averaging: 30,
                          dtw_barycenter_subgradient: 100,
                          dtw_barycenter_stochastic_subgradient: 100}[_f])),
        band=_BAND_DOC, schedule=_SCHEDULE_DOC, cost=_COST_DOC)
SoftDTWBarycenter.__doc__ = fill_doc(SoftDTWBarycenter.__doc__, band=_BAND_DOC,
                                     schedule=_SCHEDULE_DOC, cost=_COST_DOC)
del _f, _soft

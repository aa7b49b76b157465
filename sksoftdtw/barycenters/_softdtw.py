r"""The soft-DTW barycenter: L-BFGS on the smooth loss, with continuation in
gamma, as a function and as an estimator.

Every evaluation of the loss and its gradient is one batched kernel call over
all the series (:func:`~sksoftdtw.soft_dtw_batch`).
"""
import numbers

import numpy as np
from scipy.optimize import minimize
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils import check_band, check_dataset
from ..utils._constraints import shared_constraints
from ..utils._docstrings import fill_doc
from ..utils._validation import COSTS, check_cost, refuse_cost, set_features_in
from ._dba import solve_dba
from ._utils import (
    _BAND_DOC,
    _COMMON_CONSTRAINTS,
    _INITS,
    CDIST,
    _BarycenterResult,
    _batch_layout,
    _data_location_scale,
    _fill_doc,
    _initial_barycenter,
    _loss_values,
    _prepare,
    _repeat,
    _warn_not_converged,
    _weighted_loss,
    pair_values,
)

__all__ = ["SoftDTWBarycenter", "softdtw_barycenter"]


# ----------------------------------------------------------------------------
# Objective
# ----------------------------------------------------------------------------
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
        self_values = pair_values(self.Y, self.Y, gamma, metric, band, n_jobs)
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
        values, grads = pair_values(_repeat(Z, self.n + 1), self.Y + [Z], self.gamma,
                                     self.metric, self.band, self.n_jobs, grad=True)
        self.n_calls += 1
        total = self.coef.sum()
        value = self.coef @ values[:-1]
        grad = np.tensordot(self.coef, grads[:-1], axes=1)
        self.excess = value - 0.5 * total * values[-1] + self.self_term
        if self.metric == "softdtw":
            return value, grad
        return self.excess, grad - total * grads[-1]



# ----------------------------------------------------------------------------
# Soft-DTW barycenter
# ----------------------------------------------------------------------------
def gamma_stages(gamma_schedule, gamma, variance):
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


def solve_softdtw_barycenter(X, gamma=1.0, *, weights=None, init="euclidean",
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
        start = solve_dba(ds, weights=w, **band, n_jobs=n_jobs,
                     barycenter_size=barycenter_size, warn=False)
        Z, n_calls = start.barycenter, start.n_calls
    band = {**band, "cost": check_cost(cost)}  # the options of every kernel call
    if not (isinstance(init, str) and init == "dba"):
        Z = _initial_barycenter(ds, w, init, barycenter_size, random_state, gamma=gamma,
                                metric=metric, band=band, n_jobs=n_jobs)
    loc, scale = _data_location_scale(ds, w)
    s = float(np.sqrt(np.mean(scale ** 2)))
    s = s if s > 0 else 1.0
    gammas = gamma_stages(gamma_schedule, gamma, s * s)
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
    **shared_constraints("gamma"),
    "init": [StrOptions(set(_INITS) | {"dba"}), "array-like"],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "metric": [StrOptions(set(CDIST))],
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
    %(params)s
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
    %(band)s
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
    %(schedule)s
    %(cost)s

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
    return solve_softdtw_barycenter(
        X, gamma, weights=weights, init=init, barycenter_size=barycenter_size,
        max_iter=max_iter, tol=tol, sakoe_chiba_radius=sakoe_chiba_radius,
        itakura_max_slope=itakura_max_slope,
        random_state=random_state, n_jobs=n_jobs, metric=metric,
        gamma_schedule=gamma_schedule, cost=cost,
    ).barycenter


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
    %(band)s
    metric : {"softdtw", "divergence", "sharp_divergence"}, default="softdtw"
        Loss minimised by the barycenter and returned by :meth:`transform`:
        soft-DTW, the soft-DTW divergence or the sharp soft-DTW divergence;
        see :func:`softdtw_barycenter`.
    %(schedule)s
    %(cost)s

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
        **shared_constraints("sakoe_chiba_radius", "itakura_max_slope", "random_state",
                             "n_jobs"),
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
        result = solve_softdtw_barycenter(
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
            :meth:`~sksoftdtw.clustering.SoftDTWKMeans.score` and of
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


_fill_doc(softdtw_barycenter, 100, soft=True, schedule=_SCHEDULE_DOC, cost=_COST_DOC)
SoftDTWBarycenter.__doc__ = fill_doc(SoftDTWBarycenter.__doc__, band=_BAND_DOC,
                                     schedule=_SCHEDULE_DOC, cost=_COST_DOC)

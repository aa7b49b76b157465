"""DTW barycenters by subgradient methods on the DTW loss: the full-batch
method, and the stochastic one of Schultz & Jain (2018), whose updates are
sequential by definition (one kernel call each).
"""
import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ..metrics import soft_dtw_batch
from ..utils import check_band
from ._utils import (
    _COMMON_CONSTRAINTS,
    _BarycenterResult,
    _batch_layout,
    _fill_doc,
    _initial_barycenter,
    _prepare,
    _repeat,
    _weighted_loss,
)

__all__ = ["dtw_barycenter_stochastic_subgradient", "dtw_barycenter_subgradient"]


# ----------------------------------------------------------------------------
# Subgradient method
# ----------------------------------------------------------------------------
def solve_dtw_subgradient(X, *, weights=None, init="euclidean", barycenter_size=None,
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
    %(params)s
    learning_rate : float, default=1.0
        The relative step :math:`\eta`. The factor :math:`\mathrm{len}(z)/2`
        is the inverse of the loss's typical curvature at a barycenter point,
        so ``learning_rate=1`` starts with steps of the size of DBA's and the
        same value suits series of any length.
    %(band)s

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
    return solve_dtw_subgradient(X, weights=weights, init=init, barycenter_size=barycenter_size,
                            max_iter=max_iter, learning_rate=learning_rate,
                            sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope,
                            random_state=random_state, n_jobs=n_jobs).barycenter


# ----------------------------------------------------------------------------
# Stochastic subgradient method (Schultz & Jain)
# ----------------------------------------------------------------------------
def solve_dtw_ssg(X, *, weights=None, init="euclidean", barycenter_size=None, max_iter=100,
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
    %(params)s
        Here an iteration is an epoch: one pass over all the series.
    initial_step, final_step : float, default=0.05 and 0.005
        The step :math:`\eta` at the first update and from the second epoch
        on. It multiplies a subgradient of the DTW itself (not divided by the
        length), so a barycenter point aligned with one point of
        :math:`y_j` moves the fraction :math:`2 \eta n w_j` of the way to it.
    %(band)s

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
    return solve_dtw_ssg(X, weights=weights, init=init, barycenter_size=barycenter_size,
                    max_iter=max_iter, initial_step=initial_step, final_step=final_step,
                    sakoe_chiba_radius=sakoe_chiba_radius,
                    itakura_max_slope=itakura_max_slope, random_state=random_state,
                    n_jobs=n_jobs).barycenter


_fill_doc(dtw_barycenter_subgradient, 100)
_fill_doc(dtw_barycenter_stochastic_subgradient, 100)

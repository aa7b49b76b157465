"""DTW Barycenter Averaging (DBA, Petitjean et al., 2011): alternately align
every series to the barycenter along its optimal DTW path and replace every
barycenter point by the mean of the points aligned to it.
"""
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from .._engine.pairs import hard_paths_to
from .._engine.planner import as_band
from ..utils import check_band
from ..utils._validation import check_cost_range
from ._utils import (
    _COMMON_CONSTRAINTS,
    _as_dataset,
    _BarycenterResult,
    _fill_doc,
    _initial_barycenter,
    _prepare,
    _warn_not_converged,
)

__all__ = ["dtw_barycenter_averaging"]


# ----------------------------------------------------------------------------
# DBA
# ----------------------------------------------------------------------------
def solve_dba(X, *, weights=None, init="euclidean", barycenter_size=None, max_iter=30,
         tol=1e-5, sakoe_chiba_radius=None, itakura_max_slope=None, random_state=None, n_jobs=None,
         weights_name="weights", warn=True):
    """DBA with its diagnostics; parameters as in dtw_barycenter_averaging."""
    ds, w = _prepare(X, weights, weights_name)
    band = check_band(sakoe_chiba_radius, itakura_max_slope)
    Z = _initial_barycenter(ds, w, init, barycenter_size, random_state, gamma=0.0,
                            metric="softdtw", band=band, n_jobs=n_jobs)
    # Validated once: every later Z is a weighted mean of points of the series.
    check_cost_range(_as_dataset(Z[None], "init"), ds)
    paths = hard_paths_to(len(Z), ds, as_band(**band), n_jobs)
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
    %(params)s
    tol : float, default=1e-5
        DBA stops when an iteration decreases the loss by less than `tol`
        times the loss.
    %(band)s

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
    return solve_dba(X, weights=weights, init=init, barycenter_size=barycenter_size,
                max_iter=max_iter, tol=tol, sakoe_chiba_radius=sakoe_chiba_radius,
                itakura_max_slope=itakura_max_slope,
                random_state=random_state, n_jobs=n_jobs).barycenter


_fill_doc(dtw_barycenter_averaging, 30)

"""Soft-DTW of series: values, gradients, alignments, batches, pairwise matrices."""
import functools

import numpy as np

from .._engine.cdist import cdist, cdist_divergence
from .._engine.cost import pair_alignment
from .._engine.pairs import (
    as_dataset,
    debias,
    divergence_pairs,
    float_dtype,
    light_pair,
    pair,
    pairs_value,
    shaped,
    value_grad,
)
from .._engine.planner import as_band
from ..parallel import batch_blocks, cdist_blocks, distributed
from ..utils._validation import (
    check_cost,
    check_cost_range,
    check_gamma,
    check_pairs,
)
from ._common import fill_docs

# The index of the one pair of a dataset of one series each.
_FIRST = np.zeros(1, dtype=np.intp)
# The pairs (x, y), (x, x), (y, y) of a divergence.
_THREE = np.arange(3, dtype=np.intp)


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
    %(band)s
    %(cost)s

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
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    value = light_pair(x, y, gamma, band, cost=cost)
    if value is not None:
        return value
    x, y = pair(x, y)
    return float(pairs_value(as_dataset(x, name="x"), as_dataset(y, name="y"), _FIRST,
                             _FIRST, gamma, band, None, cost=cost)[0])


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
    %(band)s
    %(cost)s

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
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    if type(x) is np.ndarray:
        grad = np.empty(x.shape)
        value = light_pair(x, y, gamma, band, grad, cost)
        if value is not None:
            return value, grad
    dtype = float_dtype(x, y)
    x_arr, y = pair(x, y)
    values, grad, _ = value_grad(as_dataset(x_arr, name="x"), as_dataset(y, name="y"),
                                 gamma, band, None, True, False, cost=cost)
    return float(values[0]), shaped(grad, x_arr, x).astype(dtype, copy=False)


@distributed(batch_blocks)
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
    %(band)s
    return_grad : {None, "x", "y", "both"}, default=None
        Which gradients to return.
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.
    %(cost)s

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
    gamma = check_gamma(gamma)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    if return_grad not in (None, "x", "y", "both"):
        raise ValueError(
            f"return_grad must be None, 'x', 'y' or 'both', got {return_grad!r}"
        )
    dtype = float_dtype(X, Y)
    Xd, Yd = check_pairs(X, Y)
    if return_grad is None:
        idx = np.arange(Xd.n_ts)
        return pairs_value(Xd, Yd, idx, idx, gamma, band, n_jobs, dtype=dtype, cost=cost)
    want_x = return_grad in ("x", "both")
    want_y = return_grad in ("y", "both")
    values, gX, gY = value_grad(Xd, Yd, gamma, band, n_jobs, want_x, want_y, dtype, cost)
    out = [values.astype(dtype, copy=False)]
    if want_x:
        out.append(Xd.unflatten(gX.astype(dtype, copy=False)))
    if want_y:
        out.append(Yd.unflatten(gY.astype(dtype, copy=False)))
    return tuple(out)


def soft_dtw_alignment(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                       cost="sqeuclidean"):
    r"""Expected alignment matrix between two series, and the soft-DTW value.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; at ``0`` the optimal path's indicator.
    %(band)s
    %(cost)s

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
    dtype = float_dtype(x, y)
    x, y = pair(x, y)
    gamma = check_gamma(gamma)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    cost = check_cost(cost)
    check_cost_range(as_dataset(x, name="x"), as_dataset(y, name="y"), cost=cost)
    value, E = pair_alignment(x, y, gamma, band, cost)
    return E.astype(dtype, copy=False), value


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
    %(band)s
    %(cost)s

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
    _, X, Y = divergence_pairs(x, y)
    return debias(pairs_value(X, Y, _THREE, _THREE, check_gamma(gamma),
                              as_band(sakoe_chiba_radius, itakura_max_slope), None,
                              cost=check_cost(cost)))


@distributed(cdist_blocks)
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
    %(band)s
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.
    %(cost)s

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
    return cdist(X, Y, check_gamma(gamma), as_band(sakoe_chiba_radius, itakura_max_slope),
                 n_jobs, cost=check_cost(cost))


@distributed(cdist_blocks)
def cdist_soft_dtw_divergence(X, Y=None, gamma=1.0, *, sakoe_chiba_radius=None,
                              itakura_max_slope=None,
                              n_jobs=None, cost="sqeuclidean"):
    """Soft-DTW divergence between every series of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
    Y : array-like, list of series, or None
    gamma : float, default=1.0
    %(band)s
    n_jobs : int, default=None
    %(cost)s

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
    return cdist_divergence(X, Y, check_gamma(gamma),
                            as_band(sakoe_chiba_radius, itakura_max_slope), n_jobs,
                            functools.partial(pairs_value, cost=check_cost(cost)))


fill_docs(soft_dtw, soft_dtw_value_and_grad, soft_dtw_batch, soft_dtw_alignment,
          soft_dtw_divergence, cdist_soft_dtw, cdist_soft_dtw_divergence)

"""The gradient of the soft-DTW divergence, and the mean-cost divergence."""
from .._engine.pairs import debias, divergence_pairs, divergence_value_grad, shaped
from .._engine.planner import as_band
from .._engine.second_order import series, series_cost
from ..utils._validation import check_gamma
from ._common import check_cost_matrix, fill_docs


def soft_dtw_divergence_value_and_grad(x, y, gamma=1.0, *, sakoe_chiba_radius=None,
                                       itakura_max_slope=None):
    r"""Soft-DTW divergence and its gradient with respect to ``x``.

    The divergence is that of :func:`~sksoftdtw.soft_dtw_divergence`; the three
    soft-DTW values and gradients it needs run in one batched kernel call.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    %(band)s

    Returns
    -------
    value : float
    grad : ndarray of the shape of ``x``

    See Also
    --------
    sksoftdtw.soft_dtw_divergence, sharp_soft_dtw_divergence_value_and_grad

    Examples
    --------
    >>> from sksoftdtw import soft_dtw_divergence_value_and_grad
    >>> value, grad = soft_dtw_divergence_value_and_grad([0.0, 1.0, 2.0], [0.0, 2.0])
    >>> bool(value > 0), grad.shape
    (True, (3,))
    """
    x_arr, X, Y = divergence_pairs(x, y)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    value, grad = divergence_value_grad(x_arr, X, Y, check_gamma(gamma), band)
    return value, shaped(grad, x_arr, x)


def mean_cost_divergence(x, y, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Mean-cost divergence: the mean cost over all the alignments, debiased.

    The mean cost :math:`\langle \bar E, C \rangle` averages the cost of every
    alignment (of the band) with equal weights; :math:`\bar E` is the limit
    of the expected alignment as :math:`\gamma \to \infty`, computed here by
    the soft-DTW recursion on zero costs (normalised weights: no count of
    alignments, which would overflow beyond a few hundred steps). The
    divergence is :math:`M(x, y) - \tfrac12 (M(x, x) + M(y, y))`.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    %(band)s

    Returns
    -------
    value : float

    %(reference)s

    Examples
    --------
    >>> from sksoftdtw import mean_cost_divergence
    >>> mean_cost_divergence([0.0, 1.0], [0.0, 1.0])
    0.0
    """
    _, X, Y = divergence_pairs(x, y)
    return debias(series(X, Y, 1.0, as_band(sakoe_chiba_radius, itakura_max_slope), "cost",
                           uniform=True)[1])


def mean_cost_divergence_value_and_grad(x, y, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    """Mean-cost divergence and its gradient with respect to ``x``.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    %(band)s

    Returns
    -------
    value : float
    grad : ndarray of the shape of ``x``

    See Also
    --------
    mean_cost_divergence

    Examples
    --------
    >>> from sksoftdtw import mean_cost_divergence_value_and_grad
    >>> value, grad = mean_cost_divergence_value_and_grad([0.0, 1.0], [0.0, 1.0])
    >>> value, grad
    (0.0, array([0., 0.]))
    """
    x_arr, X, Y = divergence_pairs(x, y)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    _, dvalues, gX, gY = series(X, Y, 1.0, band, "cost",
                                 second=True, uniform=True, b=0.0, want_x=True, want_y=True)
    value, grad = debias(dvalues, gX, gY, X, Y)
    return value, shaped(grad, x_arr, x)


def mean_cost_value_and_grad_from_cost(D, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Mean cost :math:`\langle \bar E, D \rangle` over the alignments, and :math:`\bar E`.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    %(band)s

    Returns
    -------
    value : float
    grad : ndarray of shape (n, m)
        :math:`\bar E`, the mean alignment matrix: the gradient with respect
        to ``D``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import mean_cost_value_and_grad_from_cost
    >>> value, E = mean_cost_value_and_grad_from_cost(np.array([[0.0, 1.0], [1.0, 0.0]]))
    >>> round(value, 12), E.round(12)   # 3 alignments, of costs 0, 1 and 1
    (0.666666666667, array([[1.        , 0.33333333],
           [0.33333333, 1.        ]]))
    """
    D = check_cost_matrix(D)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    _, value, E, _ = series_cost(D, 1.0, band, "cost", second=True,
                           uniform=True)
    return value, E


fill_docs(soft_dtw_divergence_value_and_grad, mean_cost_divergence,
          mean_cost_divergence_value_and_grad, mean_cost_value_and_grad_from_cost)

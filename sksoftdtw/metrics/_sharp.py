"""The sharp soft-DTW: the expected cost of an alignment, and its divergence."""
from .._engine.cdist import cdist_divergence
from .._engine.pairs import debias, divergence_pairs, one_pair, shaped
from .._engine.planner import as_band
from .._engine.second_order import series, series_cost, sharp_divergence_value_grad, sharp_pairs
from ..parallel import cdist_blocks, distributed
from ..utils._validation import check_gamma
from ._common import check_cost_matrix, fill_docs


def sharp_soft_dtw(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Sharp soft-DTW: the expected cost of an alignment, :math:`\langle E, C \rangle`.

    With :math:`E` the expected alignment under the Gibbs distribution
    :math:`p(A) \propto e^{-\langle A, C \rangle / \gamma}` over the
    alignments, this is the mean cost of an alignment drawn from it. It is
    soft-DTW without its entropy term, at least the DTW value, and tends to it
    as :math:`\gamma \to 0` (at ``gamma = 0``, it is hard DTW). Computed in
    ``O(m)`` memory, forward, as the derivative of soft-DTW in the direction of
    :math:`C`.

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

    See Also
    --------
    sharp_soft_dtw_value_and_grad, sharp_soft_dtw_divergence

    %(reference)s

    Examples
    --------
    >>> from sksoftdtw import dtw, sharp_soft_dtw
    >>> x, y = [0.0, 1.0, 2.0], [0.0, 2.0]
    >>> bool(sharp_soft_dtw(x, y, gamma=1.0) >= dtw(x, y)), sharp_soft_dtw(x, y, gamma=0.0)
    (True, 1.0)
    """
    _, X, Y = one_pair(x, y)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    return float(series(X, Y, check_gamma(gamma), band, "cost")[1][0])


def sharp_soft_dtw_value_and_grad(x, y, gamma=1.0, *, sakoe_chiba_radius=None,
                                  itakura_max_slope=None):
    r"""Sharp soft-DTW and its gradient with respect to ``x``.

    The gradient with respect to the cost matrix is :math:`E + H C`, with
    :math:`H` the Hessian of soft-DTW; the Hessian-vector product runs
    backward beside :math:`E` (one forward and one backward pass).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; at ``0`` the gradient is that of
        hard DTW (:math:`H = 0`).
    %(band)s

    Returns
    -------
    value : float
    grad : ndarray of the shape of ``x``

    Examples
    --------
    >>> from sksoftdtw import sharp_soft_dtw_value_and_grad
    >>> value, grad = sharp_soft_dtw_value_and_grad([0.0, 1.0, 2.0], [0.0, 2.0], gamma=0.0)
    >>> value, grad
    (1.0, array([0., 2., 0.]))
    """
    x_arr, X, Y = one_pair(x, y)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    _, dvalues, gX, _ = series(X, Y, check_gamma(gamma), band,
                               "cost", second=True, want_x=True)
    return float(dvalues[0]), shaped(gX, x_arr, x)


def sharp_soft_dtw_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Sharp soft-DTW :math:`\langle E, D \rangle` of any cost matrix.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    %(band)s

    Returns
    -------
    value : float

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import sharp_soft_dtw_from_cost
    >>> sharp_soft_dtw_from_cost(np.array([[0.0, 1.0], [1.0, 0.0]]), gamma=0.0)
    0.0
    """
    D = check_cost_matrix(D)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    return series_cost(D, check_gamma(gamma), band, "cost")[1]


def sharp_soft_dtw_value_and_grad_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None,
                                            itakura_max_slope=None):
    r"""Sharp soft-DTW of a cost matrix and its gradient :math:`E + H D`.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    %(band)s

    Returns
    -------
    value : float
    grad : ndarray of shape (n, m)
        The gradient with respect to ``D``, zero outside the band.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import sharp_soft_dtw_value_and_grad_from_cost
    >>> D = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> value, grad = sharp_soft_dtw_value_and_grad_from_cost(D, gamma=0.0)
    >>> value, grad
    (0.0, array([[1., 0.],
           [0., 1.]]))
    """
    D = check_cost_matrix(D)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    _, value, E, HD = series_cost(D, check_gamma(gamma), band, "cost", second=True)
    return value, E + HD


def sharp_soft_dtw_divergence(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Sharp soft-DTW divergence, zero at ``x = y``.

    .. math::

        S_\gamma(x, y) = \mathrm{sharp}_\gamma(x, y)
        - \tfrac12 \left(\mathrm{sharp}_\gamma(x, x) + \mathrm{sharp}_\gamma(y, y)\right)

    with :math:`\mathrm{sharp}_\gamma` the :func:`sharp_soft_dtw`.

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

    %(reference)s

    Examples
    --------
    >>> from sksoftdtw import sharp_soft_dtw_divergence
    >>> sharp_soft_dtw_divergence([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    0.0
    >>> bool(sharp_soft_dtw_divergence([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) > 0)
    True
    """
    _, X, Y = divergence_pairs(x, y)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    return debias(series(X, Y, check_gamma(gamma), band, "cost")[1])


def sharp_soft_dtw_divergence_value_and_grad(x, y, gamma=1.0, *, sakoe_chiba_radius=None,
                                             itakura_max_slope=None):
    r"""Sharp soft-DTW divergence and its gradient with respect to ``x``.

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

    Examples
    --------
    >>> from sksoftdtw import sharp_soft_dtw_divergence_value_and_grad
    >>> value, grad = sharp_soft_dtw_divergence_value_and_grad([1.0, 2.0], [1.0, 2.0])
    >>> value, grad
    (0.0, array([0., 0.]))
    """
    x_arr, X, Y = divergence_pairs(x, y)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    value, grad = sharp_divergence_value_grad(x_arr, X, Y, check_gamma(gamma), band)
    return value, shaped(grad, x_arr, x)


@distributed(cdist_blocks)
def cdist_sharp_soft_dtw_divergence(X, Y=None, gamma=1.0, *, sakoe_chiba_radius=None,
                                    itakura_max_slope=None, n_jobs=None):
    """Sharp soft-DTW divergence between every series of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
    Y : array-like, list of series, or None
        ``None`` means ``Y = X``; only the upper triangle is computed then.
    gamma : float, default=1.0
    %(band)s
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.

    Returns
    -------
    D : ndarray of shape (n_x, n_y)
        With a zero diagonal when ``Y`` is None.

    Examples
    --------
    >>> from sksoftdtw import cdist_sharp_soft_dtw_divergence
    >>> D = cdist_sharp_soft_dtw_divergence([[0.0, 1.0, 2.0], [0.0, 2.0, 2.0]])
    >>> bool(D[0, 1] > 0), float(D[0, 0])
    (True, 0.0)
    """
    return cdist_divergence(X, Y, check_gamma(gamma),
                            as_band(sakoe_chiba_radius, itakura_max_slope), n_jobs,
                            pairs_values=sharp_pairs)


fill_docs(sharp_soft_dtw, sharp_soft_dtw_value_and_grad, sharp_soft_dtw_from_cost,
          sharp_soft_dtw_value_and_grad_from_cost, sharp_soft_dtw_divergence,
          sharp_soft_dtw_divergence_value_and_grad, cdist_sharp_soft_dtw_divergence)

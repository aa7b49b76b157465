"""Second-order soft-DTW: directional derivatives and Hessian-vector products."""
import numpy as np

from .._engine.pairs import one_pair, shaped
from .._engine.planner import as_band
from .._engine.second_order import light_hessian_product, series, series_cost
from ..utils._validation import check_gamma, check_time_series
from ._common import check_cost_matrix, fill_docs


def soft_dtw_hessian_product(x, y, gamma, v, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""The Hessian of soft-DTW with respect to ``x``, applied to ``v``.

    .. math::

        \nabla^2_x \mathrm{dtw}_\gamma(x, y)\, v
        = J^\top H (J v) + 2 \left(\textstyle\sum_j E_{ij}\right) v_i

    with :math:`J` the Jacobian of the cost matrix with respect to :math:`x`
    and :math:`H` the Hessian of soft-DTW with respect to the cost matrix:
    one forward and one backward pass, :math:`O(nm)`, without forming a
    Hessian.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float
        Smoothing parameter, ``>= 0``; at ``0``, the Hessian of the cost of
        the optimal path.
    v : array-like of the shape of ``x``
        The direction.
    %(band)s

    Returns
    -------
    Hv : ndarray of the shape of ``x``

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_hessian_product
    >>> x, y = np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0])
    >>> soft_dtw_hessian_product(x, y, 0.0, np.ones(3))  # 2 along the optimal path
    array([2., 2., 2.])
    """
    if sakoe_chiba_radius is None and itakura_max_slope is None:
        hv = light_hessian_product(x, y, v, gamma)
        if hv is not None:
            return hv
    x_arr, X, Y = one_pair(x, y)
    v_arr = check_time_series(v, "v", allow_padding=False)
    if v_arr.shape != x_arr.shape or np.ndim(v) != np.ndim(x):
        raise ValueError(f"v must have the shape of x, {np.shape(x)}, got {np.shape(v)}")
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    _, _, gX, _ = series(X, Y, check_gamma(gamma), band, "jvp",
                         second=True, a=0.0, b=1.0, V=v_arr, want_x=True)
    return shaped(gX, x_arr, x)


def soft_dtw_directional_derivative_from_cost(D, Z, gamma=1.0, *, sakoe_chiba_radius=None,
                                              itakura_max_slope=None):
    r"""The derivative :math:`\langle E, Z \rangle` of soft-DTW at ``D`` in the direction ``Z``.

    Computed forward beside the soft-DTW recursion, in ``O(m)`` memory,
    without forming :math:`E`.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    Z : array-like of shape (n, m)
        The direction.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    %(band)s

    Returns
    -------
    value : float

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_directional_derivative_from_cost
    >>> D = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> soft_dtw_directional_derivative_from_cost(D, np.eye(2), gamma=0.0)  # the path
    2.0
    """
    D, Z = _check_cost_direction(D, Z)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    return series_cost(D, check_gamma(gamma), band, "matrix", Z=Z)[1]


def soft_dtw_hessian_product_from_cost(D, Z, gamma=1.0, *, sakoe_chiba_radius=None,
                                       itakura_max_slope=None):
    r"""The Hessian of soft-DTW with respect to the cost matrix, applied to ``Z``.

    :math:`H Z` is the derivative of the expected alignment :math:`E` at ``D``
    in the direction ``Z``; one forward and one backward pass.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    Z : array-like of shape (n, m)
        The direction.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; ``H = 0`` at ``0``.
    %(band)s

    Returns
    -------
    HZ : ndarray of shape (n, m)
        Zero outside the band.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_hessian_product_from_cost
    >>> HZ = soft_dtw_hessian_product_from_cost(np.zeros((2, 2)), np.eye(2), gamma=1.0)
    >>> float(HZ[0, 0]), float(HZ[1, 1])   # the first and last cells are on every path
    (0.0, 0.0)
    """
    D, Z = _check_cost_direction(D, Z)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    return series_cost(D, check_gamma(gamma), band, "matrix", Z=Z, second=True)[3]


def _check_cost_direction(D, Z):
    D = check_cost_matrix(D)
    Z = check_cost_matrix(Z, "Z")
    if Z.shape != D.shape:
        raise ValueError(f"Z must have the shape of D, {D.shape}, got {Z.shape}")
    return D, Z


fill_docs(soft_dtw_hessian_product, soft_dtw_directional_derivative_from_cost,
          soft_dtw_hessian_product_from_cost)

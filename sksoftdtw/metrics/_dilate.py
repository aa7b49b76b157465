"""DILATE: soft-DTW plus a temporal term, for forecasts."""
import numpy as np

from .._engine.pairs import one_pair, shaped
from .._engine.planner import as_band
from .._engine.second_order import series
from ..utils._validation import check_gamma
from ._common import fill_docs


def check_alpha(alpha):
    """The weight ``alpha`` of DILATE, checked: a number in ``[0, 1]``."""
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.number)) \
            or not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}")
    return float(alpha)


DILATE_REFERENCE = """References
    ----------
    .. [1] V. Le Guen and N. Thome, "Shape and Time Distortion Loss for
       Training Deep Time Series Forecasting Models", NeurIPS 2019."""


DILATE_OMEGA = r"""The temporal term is :math:`\langle E, \Omega \rangle` with

    .. math::

        \Omega_{ij} = \left(\frac{i + 1/2}{n} - \frac{j + 1/2}{m}\right)^2,

    the squared gap between the relative positions of the centres of steps
    ``i`` of ``x`` and ``j`` of ``y`` on :math:`[0, 1]`. For equal lengths it
    is DILATE's :math:`(i - j)^2 / n^2`; for unequal lengths it is zero on
    the cells of the same relative time and penalises the alignments that
    leave the diagonal of the rectangle."""


def dilate(x, y, alpha=0.5, gamma=0.01, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""DILATE: a shape term (soft-DTW) and a temporal term, for forecasts.

    .. math::

        \mathrm{DILATE}(x, y) = \alpha\, \mathrm{dtw}_\gamma(x, y)
        + (1 - \alpha) \langle E, \Omega \rangle

    %(omega)s

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
        The prediction.
    y : array-like of shape (m,) or (m, d)
        The target.
    alpha : float, default=0.5
        Weight of the shape term, in ``[0, 1]``.
    gamma : float, default=0.01
        Smoothing parameter, ``>= 0``.
    %(band)s

    Returns
    -------
    loss : float
    shape : float
        :math:`\mathrm{dtw}_\gamma(x, y)`.
    temporal : float
        :math:`\langle E, \Omega \rangle`.

    %(dilate_reference)s

    Examples
    --------
    >>> from sksoftdtw import dilate
    >>> loss, shape, temporal = dilate([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], gamma=0.0)
    >>> loss, shape, temporal
    (0.0, 0.0, 0.0)
    """
    alpha = check_alpha(alpha)
    _, X, Y = one_pair(x, y)
    values, dvalues, _, _ = series(X, Y, check_gamma(gamma),
                                    as_band(sakoe_chiba_radius, itakura_max_slope), "omega")
    shape, temporal = float(values[0]), float(dvalues[0])
    return alpha * shape + (1.0 - alpha) * temporal, shape, temporal


def dilate_value_and_grad(x, y, alpha=0.5, gamma=0.01, *, sakoe_chiba_radius=None,
                          itakura_max_slope=None):
    r"""DILATE, its shape and temporal terms, and the gradient of the loss w.r.t. ``x``.

    The gradient is :math:`J^\top (\alpha E + (1 - \alpha) H \Omega)`, with
    :math:`H \Omega` the Hessian-vector product of soft-DTW (see
    :func:`dilate`).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
        The prediction.
    y : array-like of shape (m,) or (m, d)
        The target.
    alpha : float, default=0.5
    gamma : float, default=0.01
    %(band)s

    Returns
    -------
    loss, shape, temporal : float
        As returned by :func:`dilate`.
    grad : ndarray of the shape of ``x``

    Examples
    --------
    >>> from sksoftdtw import dilate_value_and_grad
    >>> loss, shape, temporal, grad = dilate_value_and_grad([0.0, 1.0], [0.0, 1.0], gamma=0.0)
    >>> loss, grad
    (0.0, array([0., 0.]))
    """
    alpha = check_alpha(alpha)
    x_arr, X, Y = one_pair(x, y)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    values, dvalues, gX, _ = series(X, Y, check_gamma(gamma), band, "omega", second=True,
                                     a=alpha, b=1.0 - alpha, want_x=True)
    shape, temporal = float(values[0]), float(dvalues[0])
    return alpha * shape + (1.0 - alpha) * temporal, shape, temporal, shaped(gX, x_arr, x)


fill_docs(dilate, dilate_value_and_grad, omega=DILATE_OMEGA,
          dilate_reference=DILATE_REFERENCE)

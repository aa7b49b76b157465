"""What the public functions of the metrics share: docstring fragments and
the check of a cost matrix."""
import numpy as np

from ..utils._docstrings import fill_doc
from ..utils._validation import check_path_sum, check_time_series

# The public names of the divergences and the second order: the part of
# sksoftdtw.metrics that sksoftdtw.divergences gives its own namespace.
SECOND_ORDER_NAMES = [
    "soft_dtw_divergence_value_and_grad",
    "sharp_soft_dtw",
    "sharp_soft_dtw_value_and_grad",
    "sharp_soft_dtw_from_cost",
    "sharp_soft_dtw_value_and_grad_from_cost",
    "sharp_soft_dtw_divergence",
    "sharp_soft_dtw_divergence_value_and_grad",
    "cdist_sharp_soft_dtw_divergence",
    "mean_cost_divergence",
    "mean_cost_divergence_value_and_grad",
    "mean_cost_value_and_grad_from_cost",
    "soft_dtw_hessian_product",
    "soft_dtw_directional_derivative_from_cost",
    "soft_dtw_hessian_product_from_cost",
    "dilate",
    "dilate_value_and_grad",
]

SEE_BAND = """sakoe_chiba_radius : int or None, default=None
        Radius of the Sakoe-Chiba band: cell ``(i, j)`` may be aligned only
        if ``i - r <= j <= i + (m - n) + r`` (``n <= m``; symmetric
        otherwise). The band widens by the length difference so that the
        last cell is always reachable. ``None`` means no band.
    itakura_max_slope : float or None, default=None
        Maximum slope ``s >= 1`` of the Itakura parallelogram: the paths stay
        between the lines of slopes ``s`` and ``1 / s`` (rescaled by
        ``n / m``) through the first and the last cells, as tslearn's
        ``itakura_mask(n, m, s)`` defines it. ``None`` means no
        parallelogram; with ``sakoe_chiba_radius``, the intersection of both.
        Lengths too unequal for the slope raise a ValueError. See
        :ref:`global_constraints`."""


SEE_COST = """cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points: ``"sqeuclidean"``, :math:`\\|x_i - y_j\\|^2`,
        or ``"abs"``, the L1 cost :math:`\\sum_k |x_{ik} - y_{jk}|` (its
        gradient is a subgradient, 0 where coordinates tie). See
        :ref:`costs`."""


REFERENCE = """References
    ----------
    .. [1] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021."""


def check_cost_matrix(D, name="D"):
    if np.ndim(D) != 2:
        raise ValueError(f"{name} must be a 2-D cost matrix, got {np.ndim(D)} dimensions")
    D = check_time_series(D, name, allow_padding=False)
    max_cost = float(np.abs(D).max())
    check_path_sum(max_cost, sum(D.shape), name, f"up to {max_cost:.3g} in absolute value")
    return D


def fill_docs(*functions, **fragments):
    """Fill the ``%(band)s``, ``%(cost)s``, ``%(reference)s`` and the other
    ``fragments`` placeholders of the docstrings of ``functions``."""
    fragments = dict(band=SEE_BAND, cost=SEE_COST, reference=REFERENCE, **fragments)
    for f in functions:
        f.__doc__ = fill_doc(f.__doc__, **fragments)

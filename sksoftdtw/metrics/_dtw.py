"""Hard DTW: the value, the optimal path, the pairwise matrix."""
import numpy as np

from .._engine.cdist import cdist
from .._engine.planner import as_band
from ..parallel import cdist_blocks, distributed
from ..utils._validation import check_cost
from ._common import fill_docs
from ._softdtw import soft_dtw, soft_dtw_alignment


def dtw(x, y, *, sakoe_chiba_radius=None, itakura_max_slope=None, cost="sqeuclidean"):
    r"""Hard DTW: the cost of the best alignment, in squared units by default.

    ``dtw(x, y) == soft_dtw(x, y, gamma=0)``: the sum of squared Euclidean
    distances along the optimal path, with no square root (unlike tslearn's
    ``dtw``, which returns its square root).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    %(band)s
    %(cost)s

    Returns
    -------
    value : float

    Examples
    --------
    >>> from sksoftdtw import dtw
    >>> dtw([0.0, 1.0, 2.0], [0.0, 2.0])
    1.0
    """
    return soft_dtw(x, y, 0.0, sakoe_chiba_radius=sakoe_chiba_radius,
                    itakura_max_slope=itakura_max_slope, cost=cost)


def dtw_path(x, y, *, sakoe_chiba_radius=None, itakura_max_slope=None, cost="sqeuclidean"):
    """Optimal DTW alignment path and its cost (squared units by default).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    %(band)s
    %(cost)s

    Returns
    -------
    path : list of (int, int)
        Aligned index pairs from ``(0, 0)`` to ``(n - 1, m - 1)``.
    value : float

    Examples
    --------
    >>> from sksoftdtw import dtw_path
    >>> dtw_path([0.0, 1.0, 2.0], [0.0, 2.0])
    ([(0, 0), (1, 0), (2, 1)], 1.0)
    """
    E, value = soft_dtw_alignment(x, y, 0.0, sakoe_chiba_radius=sakoe_chiba_radius,
                                  itakura_max_slope=itakura_max_slope, cost=cost)
    # A monotone path listed in row-major order is listed in path order.
    return [(int(i), int(j)) for i, j in np.argwhere(E > 0.5)], value


@distributed(cdist_blocks)
def cdist_dtw(X, Y=None, *, sakoe_chiba_radius=None, itakura_max_slope=None, n_jobs=None,
              cost="sqeuclidean"):
    """Hard DTW (squared units by default) between every series of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
    Y : array-like of shape (n_y, sz) or (n_y, sz, d), list of series, or None
    %(band)s
    n_jobs : int, default=None
    %(cost)s

    Returns
    -------
    D : ndarray of shape (n_x, n_y)

    Examples
    --------
    >>> from sksoftdtw import cdist_dtw
    >>> cdist_dtw([[0.0, 1.0, 2.0]], [[0.0, 2.0], [0.0, 0.0]])
    array([[1., 5.]])
    """
    return cdist(X, Y, 0.0, as_band(sakoe_chiba_radius, itakura_max_slope), n_jobs,
                 cost=check_cost(cost))


fill_docs(dtw, dtw_path, cdist_dtw)

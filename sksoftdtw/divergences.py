r"""Divergences between time series and second-order soft-DTW.

The soft-DTW value :math:`\mathrm{dtw}_\gamma(C)` of a cost matrix
:math:`C_{ij} = \|x_i - y_j\|^2` has the expected alignment :math:`E` as its
gradient with respect to :math:`C`, and a Hessian :math:`H`. This module
builds on both (Blondel, Mensch & Vert, AISTATS 2021; Le Guen & Thome,
NeurIPS 2019):

- the **sharp** soft-DTW :math:`\langle E, C \rangle`, the expected cost of
  an alignment under the Gibbs distribution, whose gradient with respect to
  :math:`C` is :math:`E + H C`;
- the **mean cost** :math:`\langle \bar E, C \rangle`, with :math:`\bar E`
  the mean of all the alignment matrices (the limit of :math:`E` as
  :math:`\gamma \to \infty`);
- each as a **divergence**
  :math:`D(x, y) = f(x, y) - \tfrac12 (f(x, x) + f(y, y))`, zero at
  :math:`x = y`;
- the Hessian-vector product of soft-DTW with respect to :math:`x`;
- **DILATE**, soft-DTW plus the temporal term :math:`\langle E, \Omega \rangle`.

Every quantity comes from the kernels of :mod:`sksoftdtw._second_order`:
:math:`\langle E, Z \rangle` is computed forward beside the soft-DTW
recursion, without forming :math:`E`, and :math:`H Z` backward beside
:math:`E`, in :math:`O(nm)` time.

Units
-----
The cost here is the squared Euclidean distance :math:`\|x_i - y_j\|^2`, as
everywhere in sksoftdtw. The authors' reference code
(google-research/soft-dtw-divergences) uses half of it,
:math:`\tfrac12 \|x_i - y_j\|^2`. Since :math:`E` depends on
:math:`C / \gamma` only, their value at :math:`\gamma` is ours at
:math:`2 \gamma`, halved, for soft-DTW, the sharp soft-DTW and their
divergences alike (and half of ours for the mean cost, which has no
:math:`\gamma`); their gradients are half of ours at :math:`2 \gamma`.
"""
import numpy as np

from ._kernels import fast as _fast
from ._kernels import second_order as _kernel
from ._plan import fused_divergence, light_hessian_limits, plan
from .metrics import (
    _SEE_BAND,
    _as_dataset,
    _cdist_divergence,
    _check_band,
    _max_cost,
    _pair,
    _wavefront_work,
    _value_grad,
)
from .parallel import cdist_blocks, distributed_backend_active
from .utils._docstrings import fill_doc
from .utils._validation import (
    check_gamma,
    check_n_jobs,
    check_path_sum,
    check_time_series,
    refuse_cost,
)

__all__ = [
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


def _series(X, Y, gamma, band, direction, *, second=False, uniform=False, a=1.0, b=1.0,
            V=None, want_x=False, want_y=False, n_jobs=None, pi=None, pj=None):
    """Values, derivatives ``<E, Z>`` and the asked gradients of the pairs
    ``(X[pi[k]], Y[pj[k]])`` (`FlatDataset`; ``(X[k], Y[k])`` by default), the
    gradients being the Jacobian products of the cost with ``a E + b H Z``;
    see ``_second_order.batch_series``."""
    if uniform:  # the uniform law over alignments: zero costs at gamma = 1
        gamma = 1.0
    max_cost = _max_cost(X, Y, gamma)
    pi = np.arange(X.n_ts, dtype=np.intp) if pi is None else np.asarray(pi, dtype=np.intp)
    pj = pi if pj is None else np.asarray(pj, dtype=np.intp)
    p = plan("hessian" if second else "directional", X.lengths[pi], Y.lengths[pj],
             gamma=gamma, band=band, max_cost=0.0 if uniform else max_cost)
    values = np.empty(len(pi))
    dvalues = np.empty(len(pi))
    gX = np.zeros_like(X.data) if want_x else np.zeros((0, X.d))
    gY = np.zeros_like(Y.data) if want_y else np.zeros((0, X.d))
    n_threads = check_n_jobs(n_jobs)
    if p.order == "antidiagonals":
        for k, (i, j) in enumerate(zip(pi, pj)):
            _antidiagonal_pair(X, Y, i, j, gamma, direction, second, uniform, a, b, V,
                               values[k:k + 1], dvalues[k:k + 1], gX, gY)
        return values, dvalues, gX, gY
    work = _wavefront_work(n_threads * _kernel.WORK_PER_CELL
                           * int(np.max(X.lengths[pi] * Y.lengths[pj]))) if second else _NONE
    _kernel.batch_series(X.data, X.offsets, Y.data, Y.offsets, pi, pj,
                         np.zeros((0, X.d)) if V is None else V, gamma, *band,
                         p.domain == "exp", _kernel.DIRECTIONS[direction], uniform, second,
                         a, b, n_threads, work, values, dvalues, gX, gY)
    return values, dvalues, gX, gY


_NONE = np.zeros(0)


def _antidiagonal_pair(X, Y, i, j, gamma, direction, second, uniform, a, b, V, values,
                       dvalues, gX, gY):
    """`_series` of the pair ``(X[i], Y[j])`` by anti-diagonals."""
    x, y = X.series(i), Y.series(j)
    xt, yrt = np.ascontiguousarray(x.T), np.ascontiguousarray(y[::-1].T)
    vt = np.ascontiguousarray(V[X.offsets[i]:X.offsets[i + 1]].T) if V is not None \
        else np.zeros((X.d, 0))
    gxt = np.zeros_like(xt) if second and len(gX) else np.zeros((X.d, 0))
    gyrt = np.zeros_like(yrt) if second and len(gY) else np.zeros((X.d, 0))
    work = _wavefront_work(_kernel.wavefront_size(len(x), len(y), second))
    values[0], dvalues[0] = _kernel.wavefront_series(
        xt, yrt, vt, gamma, _kernel.DIRECTIONS[direction], uniform, second, a, b, work, gxt,
        gyrt)
    if gxt.size:
        gX[X.offsets[i]:X.offsets[i + 1]] += gxt.T
    if gyrt.size:
        gY[Y.offsets[j]:Y.offsets[j + 1]] += gyrt.T[::-1]


def _batch_cost(D3, Z3, gamma, band, direction, *, lengths=None, second=False, uniform=False,
                n_threads=1):
    """Values, ``<E, Z>``, E and ``H Z`` (zero when not ``second``) of the validated
    blocks ``D3[k, :n_k, :m_k]`` of a C-contiguous float64 batch (``lengths``
    ``(n_pairs, 2)``; None: full matrices), each planned alone."""
    if uniform:
        gamma = 1.0
    if lengths is None:
        lengths = np.tile(np.array([D3.shape[1:]], dtype=np.intp), (len(D3), 1))
    max_cost = np.zeros(len(D3))
    if not uniform:
        _fast.cost_blocks_abs_max(D3, lengths, n_threads, max_cost)
    p = plan("hessian" if second else "directional", lengths[:, 0], lengths[:, 1],
             gamma=gamma, band=band, max_cost=max_cost, per_pair=True)
    wavefront = (p.order == "antidiagonals").view(np.uint8)
    work = _wavefront_work(n_threads * _kernel.cost_work_size(lengths, wavefront, second))
    values, dvalues = np.empty(len(D3)), np.empty(len(D3))
    E = np.zeros(D3.shape if second else (0, 0, 0))
    Ed = np.zeros(D3.shape if second else (0, 0, 0))
    _kernel.batch_cost(D3, np.zeros((0, 0, 0)) if Z3 is None else Z3, lengths, gamma, *band,
                       (p.domain == "exp").view(np.uint8), wavefront,
                       _kernel.DIRECTIONS[direction], uniform, second, n_threads, work, values,
                       dvalues, E, Ed)
    return values, dvalues, E, Ed


def _cost(D, gamma, band, direction, *, Z=None, second=False, uniform=False):
    """Value, ``<E, Z>``, E and ``H Z`` (when ``second``) of one validated cost matrix."""
    values, dvalues, E, Ed = _batch_cost(D[None], None if Z is None else Z[None], gamma, band,
                                         direction, second=second, uniform=uniform)
    return float(values[0]), float(dvalues[0]), E[0] if second else None, \
        Ed[0] if second else None


def _check_cost(D, name="D"):
    if np.ndim(D) != 2:
        raise ValueError(f"{name} must be a 2-D cost matrix, got {np.ndim(D)} dimensions")
    D = check_time_series(D, name, allow_padding=False)
    max_cost = float(np.abs(D).max())
    check_path_sum(max_cost, sum(D.shape), name, f"up to {max_cost:.3g} in absolute value")
    return D


def _one_pair(x, y):
    """Validated series and their datasets of one series each."""
    x_arr, y_arr = _pair(x, y)
    return x_arr, _as_dataset(x_arr, name="x"), _as_dataset(y_arr, name="y")


def _shaped(grad, x_arr, x):
    """A gradient in the shape of the input ``x`` (1-D for a 1-D series)."""
    return grad.reshape(x_arr.shape if np.ndim(x) == 2 else -1)


def _divergence_pairs(x, y):
    """The datasets of the pairs ``(x, y)``, ``(x, x)``, ``(y, y)``."""
    x_arr, y_arr = _pair(x, y)
    return x_arr, _as_dataset(x_arr, x_arr, y_arr, name="x"), \
        _as_dataset(y_arr, x_arr, y_arr, name="y")


def _debias(values, gX=None, gY=None, X=None, Y=None):
    """The divergence of the values of ``(x, y)``, ``(x, x)``, ``(y, y)``, and
    its gradient with respect to x: the pair ``(x, x)`` moves on both sides."""
    value = float(values[0] - 0.5 * (values[1] + values[2]))
    if gX is None:
        return value
    n = X.offsets[1]
    return value, gX[:n] - 0.5 * (gX[n:2 * n] + gY[Y.offsets[1]:Y.offsets[2]])


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
    {band}

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
    x_arr, X, Y = _divergence_pairs(x, y)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    gamma = check_gamma(gamma)
    n, m = X.lengths[0], Y.lengths[0]
    if fused_divergence(n, m, gamma, band, _max_cost(X, Y, gamma)):
        grad = np.empty_like(x_arr)
        value = _fast.divergence_value_grad(
            x_arr, Y.series(0), gamma, _wavefront_work(_fast.divergence_work_size(n, m, X.d)),
            grad)
        return value, _shaped(grad, x_arr, x)
    values, gX, gY = _value_grad(X, Y, gamma, band, None, True, True)
    value, grad = _debias(values, gX, gY, X, Y)
    return value, _shaped(grad, x_arr, x)


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
    {band}

    Returns
    -------
    value : float

    See Also
    --------
    sharp_soft_dtw_value_and_grad, sharp_soft_dtw_divergence

    {reference}

    Examples
    --------
    >>> from sksoftdtw import dtw, sharp_soft_dtw
    >>> x, y = [0.0, 1.0, 2.0], [0.0, 2.0]
    >>> bool(sharp_soft_dtw(x, y, gamma=1.0) >= dtw(x, y)), sharp_soft_dtw(x, y, gamma=0.0)
    (True, 1.0)
    """
    _, X, Y = _one_pair(x, y)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    return float(_series(X, Y, check_gamma(gamma), band,
                         "cost")[1][0])


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
    {band}

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
    x_arr, X, Y = _one_pair(x, y)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    _, dvalues, gX, _ = _series(X, Y, check_gamma(gamma), band,
                                "cost", second=True, want_x=True)
    return float(dvalues[0]), _shaped(gX, x_arr, x)


def sharp_soft_dtw_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Sharp soft-DTW :math:`\langle E, D \rangle` of any cost matrix.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    {band}

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
    D = _check_cost(D)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    return _cost(D, check_gamma(gamma), band, "cost")[1]


def sharp_soft_dtw_value_and_grad_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None,
                                            itakura_max_slope=None):
    r"""Sharp soft-DTW of a cost matrix and its gradient :math:`E + H D`.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    {band}

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
    D = _check_cost(D)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    _, value, E, HD = _cost(D, check_gamma(gamma), band, "cost",
                            second=True)
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
    {band}

    Returns
    -------
    value : float

    {reference}

    Examples
    --------
    >>> from sksoftdtw import sharp_soft_dtw_divergence
    >>> sharp_soft_dtw_divergence([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    0.0
    >>> bool(sharp_soft_dtw_divergence([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) > 0)
    True
    """
    _, X, Y = _divergence_pairs(x, y)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    return _debias(_series(X, Y, check_gamma(gamma), band,
                           "cost")[1])


def sharp_soft_dtw_divergence_value_and_grad(x, y, gamma=1.0, *, sakoe_chiba_radius=None,
                                             itakura_max_slope=None):
    r"""Sharp soft-DTW divergence and its gradient with respect to ``x``.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    {band}

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
    x_arr, X, Y = _divergence_pairs(x, y)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    gamma = check_gamma(gamma)
    n, m = X.lengths[0], Y.lengths[0]
    if fused_divergence(n, m, gamma, band, _max_cost(X, Y, gamma), second=True):
        grad = np.empty_like(x_arr)
        value = _kernel.sharp_divergence(
            x_arr, Y.series(0), gamma, _wavefront_work(_kernel.sharp_divergence_size(n, m, True)),
            grad)
        return value, _shaped(grad, x_arr, x)
    _, dvalues, gX, gY = _series(X, Y, gamma, band, "cost", second=True, want_x=True,
                                 want_y=True)
    value, grad = _debias(dvalues, gX, gY, X, Y)
    return value, _shaped(grad, x_arr, x)


def _sharp_pairs(X, Y, pi, pj, gamma, band, n_jobs, dtype=np.float64):
    """Sharp values of the pairs ``(X[pi[k]], Y[pj[k]])``, in ``dtype`` (computed
    in float64)."""
    return _series(X, Y, gamma, band, "cost", n_jobs=n_jobs, pi=pi,
                   pj=pj)[1].astype(dtype, copy=False)


def _pairs_batch(X, Y, gamma, band, direction, n_jobs=None, grad=False, a=1.0, b=1.0):
    """`_series` of the pairs ``(X[k], Y[k])`` of validated ``(sz, d)`` series,
    in one kernel call: their soft-DTW values, ``<E, Z>``, and with ``grad``
    the gradients ``J^T (a E + b H Z)`` with respect to the ``X[k]``, flat (in
    the rows of ``X`` concatenated). ``band`` holds the keywords of
    :func:`~sksoftdtw.utils.check_band` (and the ``cost``, which must be the
    squared Euclidean cost)."""
    band = dict(band)
    refuse_cost(band.pop("cost", "sqeuclidean"), "the second-order functions")
    values, dvalues, gX, _ = _series(_as_dataset(*X, name="X"), _as_dataset(*Y, name="Y"),
                                     gamma, _check_band(**band), direction, second=grad,
                                     want_x=grad, a=a, b=b, n_jobs=n_jobs)
    return values, dvalues, gX


def _sharp_batch(X, Y, gamma, band, n_jobs=None, grad=False):
    """Sharp soft-DTW of the pairs ``(X[k], Y[k])`` (see `_pairs_batch`), and
    with ``grad`` its flat gradients with respect to the ``X[k]``."""
    _, values, gX = _pairs_batch(X, Y, gamma, band, "cost", n_jobs, grad)
    return (values, gX) if grad else values


def cdist_sharp_soft_dtw_divergence(X, Y=None, gamma=1.0, *, sakoe_chiba_radius=None,
                                    itakura_max_slope=None, n_jobs=None):
    """Sharp soft-DTW divergence between every series of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
    Y : array-like, list of series, or None
        ``None`` means ``Y = X``; only the upper triangle is computed then.
    gamma : float, default=1.0
    {band}
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
    if distributed_backend_active():
        return cdist_blocks(cdist_sharp_soft_dtw_divergence, X, Y, gamma=gamma,
                            sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope, n_jobs=n_jobs)
    return _cdist_divergence(X, Y, check_gamma(gamma),
                             _check_band(sakoe_chiba_radius, itakura_max_slope), n_jobs,
                             pairs_value=_sharp_pairs)


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
    {band}

    Returns
    -------
    value : float

    {reference}

    Examples
    --------
    >>> from sksoftdtw import mean_cost_divergence
    >>> mean_cost_divergence([0.0, 1.0], [0.0, 1.0])
    0.0
    """
    _, X, Y = _divergence_pairs(x, y)
    return _debias(_series(X, Y, 1.0, _check_band(sakoe_chiba_radius, itakura_max_slope), "cost",
                           uniform=True)[1])


def mean_cost_divergence_value_and_grad(x, y, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    """Mean-cost divergence and its gradient with respect to ``x``.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, d)
    y : array-like of shape (m,) or (m, d)
    {band}

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
    x_arr, X, Y = _divergence_pairs(x, y)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    _, dvalues, gX, gY = _series(X, Y, 1.0, band, "cost",
                                 second=True, uniform=True, b=0.0, want_x=True, want_y=True)
    value, grad = _debias(dvalues, gX, gY, X, Y)
    return value, _shaped(grad, x_arr, x)


def mean_cost_value_and_grad_from_cost(D, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Mean cost :math:`\langle \bar E, D \rangle` over the alignments, and :math:`\bar E`.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    {band}

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
    D = _check_cost(D)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    _, value, E, _ = _cost(D, 1.0, band, "cost", second=True,
                           uniform=True)
    return value, E


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
    {band}

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
    limits = light_hessian_limits() if sakoe_chiba_radius is None \
        and itakura_max_slope is None else None
    if limits is not None:
        hv = _kernel.light_hessian_product(x, y, v, gamma, *limits, _wavefront_work)
        if hv is not None:
            return hv
    x_arr, X, Y = _one_pair(x, y)
    v_arr = check_time_series(v, "v", allow_padding=False)
    if v_arr.shape != x_arr.shape or np.ndim(v) != np.ndim(x):
        raise ValueError(f"v must have the shape of x, {np.shape(x)}, got {np.shape(v)}")
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    _, _, gX, _ = _series(X, Y, check_gamma(gamma), band, "jvp",
                          second=True, a=0.0, b=1.0, V=v_arr, want_x=True)
    return _shaped(gX, x_arr, x)


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
    {band}

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
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    return _cost(D, check_gamma(gamma), band, "matrix", Z=Z)[1]


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
    {band}

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
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    return _cost(D, check_gamma(gamma), band, "matrix", Z=Z,
                 second=True)[3]


def _check_cost_direction(D, Z):
    D = _check_cost(D)
    Z = _check_cost(Z, "Z")
    if Z.shape != D.shape:
        raise ValueError(f"Z must have the shape of D, {D.shape}, got {Z.shape}")
    return D, Z


def _check_alpha(alpha):
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.number)) \
            or not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}")
    return float(alpha)


_REFERENCE = """References
    ----------
    .. [1] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021."""

_DILATE_REFERENCE = """References
    ----------
    .. [1] V. Le Guen and N. Thome, "Shape and Time Distortion Loss for
       Training Deep Time Series Forecasting Models", NeurIPS 2019."""

_DILATE_OMEGA = r"""The temporal term is :math:`\langle E, \Omega \rangle` with

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

    {omega}

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
    {band}

    Returns
    -------
    loss : float
    shape : float
        :math:`\mathrm{dtw}_\gamma(x, y)`.
    temporal : float
        :math:`\langle E, \Omega \rangle`.

    {dilate_reference}

    Examples
    --------
    >>> from sksoftdtw import dilate
    >>> loss, shape, temporal = dilate([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], gamma=0.0)
    >>> loss, shape, temporal
    (0.0, 0.0, 0.0)
    """
    alpha = _check_alpha(alpha)
    _, X, Y = _one_pair(x, y)
    values, dvalues, _, _ = _series(X, Y, check_gamma(gamma),
                                    _check_band(sakoe_chiba_radius, itakura_max_slope), "omega")
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
    {band}

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
    alpha = _check_alpha(alpha)
    x_arr, X, Y = _one_pair(x, y)
    band = _check_band(sakoe_chiba_radius, itakura_max_slope)
    values, dvalues, gX, _ = _series(X, Y, check_gamma(gamma), band, "omega", second=True,
                                     a=alpha, b=1.0 - alpha, want_x=True)
    shape, temporal = float(values[0]), float(dvalues[0])
    return alpha * shape + (1.0 - alpha) * temporal, shape, temporal, _shaped(gX, x_arr, x)


for _f in (soft_dtw_divergence_value_and_grad, sharp_soft_dtw, sharp_soft_dtw_value_and_grad,
           sharp_soft_dtw_from_cost, sharp_soft_dtw_value_and_grad_from_cost,
           sharp_soft_dtw_divergence, sharp_soft_dtw_divergence_value_and_grad,
           cdist_sharp_soft_dtw_divergence, mean_cost_divergence,
           mean_cost_divergence_value_and_grad, mean_cost_value_and_grad_from_cost,
           soft_dtw_hessian_product, soft_dtw_directional_derivative_from_cost,
           soft_dtw_hessian_product_from_cost, dilate, dilate_value_and_grad):
    _f.__doc__ = fill_doc(_f.__doc__, band=_SEE_BAND, omega=_DILATE_OMEGA,
                          reference=_REFERENCE, dilate_reference=_DILATE_REFERENCE)
del _f

"""Pairs of series and cost matrices through the second-order kernels.

``<E, Z>`` forward beside the soft-DTW recursion and ``H Z`` backward beside
E (see :mod:`sksoftdtw._second_order`): the sharp soft-DTW, the mean cost,
DILATE and the Hessian-vector products.
"""
import numpy as np

from ..utils._validation import check_n_jobs, refuse_cost
from .kernels import fast
from .kernels import second_order as kernel
from .pairs import as_dataset, debias, max_cost, wavefront_work
from .planner import as_band, fused_divergence, light_hessian_limits, plan


def series(X, Y, gamma, band, direction, *, second=False, uniform=False, a=1.0, b=1.0,
           V=None, want_x=False, want_y=False, n_jobs=None, pi=None, pj=None):
    """Values, derivatives ``<E, Z>`` and the asked gradients of the pairs
    ``(X[pi[k]], Y[pj[k]])`` (`FlatDataset`; ``(X[k], Y[k])`` by default), the
    gradients being the Jacobian products of the cost with ``a E + b H Z``;
    see ``_second_order.batch_series``."""
    if uniform:  # the uniform law over alignments: zero costs at gamma = 1
        gamma = 1.0
    bound = max_cost(X, Y, gamma)
    pi = np.arange(X.n_ts, dtype=np.intp) if pi is None else np.asarray(pi, dtype=np.intp)
    pj = pi if pj is None else np.asarray(pj, dtype=np.intp)
    p = plan("hessian" if second else "directional", X.lengths[pi], Y.lengths[pj],
             gamma=gamma, band=band, max_cost=0.0 if uniform else bound)
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
    work = wavefront_work(n_threads * kernel.WORK_PER_CELL
                          * int(np.max(X.lengths[pi] * Y.lengths[pj]))) if second else _NONE
    kernel.batch_series(X.data, X.offsets, Y.data, Y.offsets, pi, pj,
                        np.zeros((0, X.d)) if V is None else V, gamma, *band,
                        p.domain == "exp", kernel.DIRECTIONS[direction], uniform, second,
                        a, b, n_threads, work, values, dvalues, gX, gY)
    return values, dvalues, gX, gY


_NONE = np.zeros(0)


def _antidiagonal_pair(X, Y, i, j, gamma, direction, second, uniform, a, b, V, values,
                       dvalues, gX, gY):
    """`series` of the pair ``(X[i], Y[j])`` by anti-diagonals."""
    x, y = X.series(i), Y.series(j)
    xt, yrt = np.ascontiguousarray(x.T), np.ascontiguousarray(y[::-1].T)
    vt = np.ascontiguousarray(V[X.offsets[i]:X.offsets[i + 1]].T) if V is not None \
        else np.zeros((X.d, 0))
    gxt = np.zeros_like(xt) if second and len(gX) else np.zeros((X.d, 0))
    gyrt = np.zeros_like(yrt) if second and len(gY) else np.zeros((X.d, 0))
    work = wavefront_work(kernel.wavefront_size(len(x), len(y), second))
    values[0], dvalues[0] = kernel.wavefront_series(
        xt, yrt, vt, gamma, kernel.DIRECTIONS[direction], uniform, second, a, b, work, gxt,
        gyrt)
    if gxt.size:
        gX[X.offsets[i]:X.offsets[i + 1]] += gxt.T
    if gyrt.size:
        gY[Y.offsets[j]:Y.offsets[j + 1]] += gyrt.T[::-1]


def series_batch_cost(D3, Z3, gamma, band, direction, *, lengths=None, second=False,
                      uniform=False, n_threads=1):
    """Values, ``<E, Z>``, E and ``H Z`` (zero when not ``second``) of the validated
    blocks ``D3[k, :n_k, :m_k]`` of a C-contiguous float64 batch (``lengths``
    ``(n_pairs, 2)``; None: full matrices), each planned alone."""
    if uniform:
        gamma = 1.0
    if lengths is None:
        lengths = np.tile(np.array([D3.shape[1:]], dtype=np.intp), (len(D3), 1))
    bound = np.zeros(len(D3))
    if not uniform:
        fast.cost_blocks_abs_max(D3, lengths, n_threads, bound)
    p = plan("hessian" if second else "directional", lengths[:, 0], lengths[:, 1],
             gamma=gamma, band=band, max_cost=bound, per_pair=True)
    wavefront = (p.order == "antidiagonals").view(np.uint8)
    work = wavefront_work(n_threads * kernel.cost_work_size(lengths, wavefront, second))
    values, dvalues = np.empty(len(D3)), np.empty(len(D3))
    E = np.zeros(D3.shape if second else (0, 0, 0))
    Ed = np.zeros(D3.shape if second else (0, 0, 0))
    kernel.batch_cost(D3, np.zeros((0, 0, 0)) if Z3 is None else Z3, lengths, gamma, *band,
                      (p.domain == "exp").view(np.uint8), wavefront,
                      kernel.DIRECTIONS[direction], uniform, second, n_threads, work, values,
                      dvalues, E, Ed)
    return values, dvalues, E, Ed


def series_cost(D, gamma, band, direction, *, Z=None, second=False, uniform=False):
    """Value, ``<E, Z>``, E and ``H Z`` (when ``second``) of one validated cost matrix."""
    values, dvalues, E, Ed = series_batch_cost(D[None], None if Z is None else Z[None], gamma,
                                               band, direction, second=second,
                                               uniform=uniform)
    return float(values[0]), float(dvalues[0]), E[0] if second else None, \
        Ed[0] if second else None


def sharp_pairs(X, Y, pi, pj, gamma, band, n_jobs, dtype=np.float64):
    """Sharp values of the pairs ``(X[pi[k]], Y[pj[k]])``, in ``dtype`` (computed
    in float64)."""
    return series(X, Y, gamma, band, "cost", n_jobs=n_jobs, pi=pi,
                  pj=pj)[1].astype(dtype, copy=False)


def pairs_batch(X, Y, gamma, band, direction, n_jobs=None, grad=False, a=1.0, b=1.0):
    """`series` of the pairs ``(X[k], Y[k])`` of validated ``(sz, d)`` series,
    in one kernel call: their soft-DTW values, ``<E, Z>``, and with ``grad``
    the gradients ``J^T (a E + b H Z)`` with respect to the ``X[k]``, flat (in
    the rows of ``X`` concatenated). ``band`` holds the keywords of
    :func:`~sksoftdtw.utils.check_band` (and the ``cost``, which must be the
    squared Euclidean cost)."""
    band = dict(band)
    refuse_cost(band.pop("cost", "sqeuclidean"), "the second-order functions")
    values, dvalues, gX, _ = series(as_dataset(*X, name="X"), as_dataset(*Y, name="Y"),
                                    gamma, as_band(**band), direction, second=grad,
                                    want_x=grad, a=a, b=b, n_jobs=n_jobs)
    return values, dvalues, gX


def sharp_batch(X, Y, gamma, band, n_jobs=None, grad=False):
    """Sharp soft-DTW of the pairs ``(X[k], Y[k])`` (see `pairs_batch`), and
    with ``grad`` its flat gradients with respect to the ``X[k]``."""
    _, values, gX = pairs_batch(X, Y, gamma, band, "cost", n_jobs, grad)
    return (values, gX) if grad else values


def sharp_divergence_value_grad(x_arr, X, Y, gamma, band):
    """The sharp soft-DTW divergence of one validated pair and its gradient
    with respect to ``x``: one kernel call, the self terms over half their
    cells, where `planner.fused_divergence` allows it; else the three terms as
    one batch."""
    n, m = X.lengths[0], Y.lengths[0]
    if fused_divergence(n, m, gamma, band, max_cost(X, Y, gamma), second=True):
        grad = np.empty_like(x_arr)
        work = wavefront_work(kernel.sharp_divergence_size(n, m, True))
        return kernel.sharp_divergence(x_arr, Y.series(0), gamma, work, grad), grad
    _, dvalues, gX, gY = series(X, Y, gamma, band, "cost", second=True, want_x=True,
                                want_y=True)
    return debias(dvalues, gX, gY, X, Y)


def light_hessian_product(x, y, v, gamma):
    """The Hessian-vector product of one unbanded pair of float64 ndarrays
    computed with light checks, as `pairs.light_pair`; None for any other
    input or pair (which then takes the validating path)."""
    limits = light_hessian_limits()
    if limits is None:
        return None
    return kernel.light_hessian_product(x, y, v, gamma, *limits, wavefront_work)

# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Second-order soft-DTW: directional derivatives and Hessian-vector products.

For a cost matrix C, the soft-DTW value ``r_nm(C)`` has the gradient E (the
expected alignment) and a Hessian H. Following Mensch & Blondel (ICML 2018),
both second-order quantities run over the normalised soft-min weights ``w`` of
the forward pass (``p_k(s)``: the diagonal, upper and left predecessors of
cell ``s``):

- the directional derivative ``<E, Z>`` is the last cell of the forward
  recursion ``rdot_s = Z_s + sum_k w_s,k rdot_p_k(s)``, the derivative of
  every ``r`` in the direction Z, computed beside ``r`` with no E;
- the Hessian-vector product ``H Z``, the derivative of E in the direction
  Z, runs backward beside E:
  ``Edot_c = sum_s (w_s,k Edot_s - T_s,k E_s)`` over the successors ``s`` of
  cell ``c = p_k(s)``, where ``-T`` is the derivative of the weights,
  ``T_s,k = w_s,k sum_l w_s,l (rdot_p_k(s) - rdot_p_l(s)) / gamma``.

T is formed from differences of ``rdot`` between the predecessors of a cell,
weighted by weights in [0, 1]: no exp of a large difference, and no
cancellation of large sums, so it is as safe for a tiny gamma as E is (the
terms vanish exactly where a weight is one). At ``gamma = 0`` the weights are
one-hot and piecewise constant: ``<E, Z>`` follows the optimal path and
``H = 0``.

Two orders, as in ``_soft_dtw_fast``: by rows (rows of ``m + 1`` entries
with the boundary column first; the exp or the log domain; any band), and by
anti-diagonals for long pairs without a band (exp domain, vectorized). A
Hessian-vector product keeps the weights W and their derivatives T (three
doubles each) of every cell, in a scratch buffer the caller keeps between
calls.
"""
import numpy as np

cimport numpy as cnp
from cython.parallel cimport parallel, prange, threadid
from libc.float cimport DBL_MAX
from libc.math cimport INFINITY, log
from libc.stdlib cimport calloc, free
from libc.string cimport memcmp, memset

cdef extern from "_expdomain.h" nogil:
    double SDTW_ZERO_EXP
    double sdtw_pow2(double k)
    double sdtw_split(double v, double* k)
    double sdtw_exp_neg(double c, double scale, double* e)
    # Products of two small weights (in T) and of small weights with small E
    # entries fall below the normal range: subnormal arithmetic costs tens of
    # cycles an operation, so the kernels flush such results to zero (a change
    # below 2e-308 in absolute value) and restore the caller's mode afterwards.
    unsigned int sdtw_flush_subnormals()
    void sdtw_restore_fp_mode(unsigned int mode)
    double sdtw_block_abs_max(const double* D, Py_ssize_t ld, Py_ssize_t n, Py_ssize_t m)

from ._band cimport _band, _pair_rows
from ._rows cimport (SDTW_SQEUCLIDEAN, _cost_diagonal, _softmin3_w, _sqeuclidean_jvp_row,
                     _sqeuclidean_row)
from ._rows cimport _wavefront_step as _alpha_step

cdef double LN2 = 0.6931471805599453

cnp.import_array()

# The direction Z of the derivatives.
cdef enum:
    DIR_COST = 0    # the cost matrix itself (the sharp value <E, C>)
    DIR_MATRIX = 1  # a given matrix
    DIR_JVP = 2     # the cost's change when x moves along v: Z_ij = 2 <x_i - y_j, v_i>
    DIR_OMEGA = 3   # the squared gap of relative positions, ((i + 1/2) / n - (j + 1/2) / m)^2

DIRECTIONS = {"cost": DIR_COST, "matrix": DIR_MATRIX, "jvp": DIR_JVP, "omega": DIR_OMEGA}


cdef struct Options:
    double gamma
    Py_ssize_t radius  # the Sakoe-Chiba radius (< 0: none)
    double slope       # the Itakura slope (0: none)
    int direction
    bint uniform   # the forward pass sees zero costs: the uniform law over alignments
    bint second    # also E and its derivative, backward
    double a, b    # the cost's Jacobian products apply to G = a E + b Edot
    bint tri       # a series with itself, by anti-diagonals: the cells i >= j only


cdef struct Work:
    # Per-thread buffers for pairs up to (max_n, max_m).
    double* rows    # 2 (m + 1): r or alpha-mantissa rows
    double* erows   # 2 (m + 1): alpha exponents
    double* drows   # 2 (m + 1): rdot rows
    double* brows   # 2 (m + 1): E rows
    double* bdrows  # 2 (m + 1): Edot rows
    double* cost    # m + 1: a cost row
    double* zrow    # m + 1: a direction row
    double* zero    # m + 1: zeros (the costs of the uniform law)
    double* gf      # m + 1: g = exp(-cost / gamma) as gf 2^ge
    double* ge      # m + 1
    double* G       # m + 1: a row of a E + b Edot
    double* W       # 3 n m: the weights of every cell (in the caller's scratch)
    double* T       # 3 n m: their derivatives, negated (in the caller's scratch)
    Py_ssize_t* band_rows  # 2 n: the band of the pair being computed
    const Py_ssize_t* band  # that band, or NULL for none (see _band.pxd)


cdef void _work_free(Work* ws) noexcept nogil:
    if ws == NULL:
        return
    free(ws.rows)
    free(ws.erows)
    free(ws.drows)
    free(ws.brows)
    free(ws.bdrows)
    free(ws.cost)
    free(ws.zrow)
    free(ws.zero)
    free(ws.gf)
    free(ws.ge)
    free(ws.G)
    free(ws.band_rows)
    free(ws)


# Doubles of scratch a pair needs per cell for a Hessian-vector product (W, T);
# the caller provides it, kept from call to call: fresh pages of that size
# cost more in page faults than the computation.
cdef enum:
    _WORK_PER_CELL = 6

WORK_PER_CELL = _WORK_PER_CELL


cdef Work* _work_new(Py_ssize_t max_n, Py_ssize_t max_m, Py_ssize_t max_cells, bint second,
                     double* work) noexcept nogil:
    """Buffers for pairs of at most ``max_n`` rows, ``max_m`` columns and
    ``max_cells`` cells,
    W and T in ``work`` (``WORK_PER_CELL max_cells`` doubles) when ``second``;
    NULL when memory is short (called inside ``parallel()``: private to each
    thread)."""
    cdef Work* ws = <Work*> calloc(1, sizeof(Work))
    cdef Py_ssize_t w = max_m + 1
    if ws == NULL:
        return NULL
    ws.rows = <double*> calloc(2 * w, sizeof(double))
    ws.erows = <double*> calloc(2 * w, sizeof(double))
    ws.drows = <double*> calloc(2 * w, sizeof(double))
    ws.brows = <double*> calloc(2 * w, sizeof(double))
    ws.bdrows = <double*> calloc(2 * w, sizeof(double))
    ws.cost = <double*> calloc(w, sizeof(double))
    ws.zrow = <double*> calloc(w, sizeof(double))
    ws.zero = <double*> calloc(w, sizeof(double))
    ws.gf = <double*> calloc(w, sizeof(double))
    ws.ge = <double*> calloc(w, sizeof(double))
    ws.G = <double*> calloc(w, sizeof(double))
    ws.band_rows = <Py_ssize_t*> calloc(2 * max_n + 1, sizeof(Py_ssize_t))
    if second:
        ws.W = work
        ws.T = work + 3 * max_cells
    if ws.rows == NULL or ws.erows == NULL or ws.drows == NULL or ws.brows == NULL \
            or ws.bdrows == NULL or ws.cost == NULL or ws.zrow == NULL or ws.zero == NULL \
            or ws.gf == NULL or ws.ge == NULL or ws.G == NULL or ws.band_rows == NULL:
        _work_free(ws)
        return NULL
    return ws


cdef inline void _swap(double** a, double** b) noexcept nogil:
    cdef double* t = a[0]
    a[0] = b[0]
    b[0] = t


cdef void _forward_row(const double* cost, const double* z, const double* gf,
                       const double* ge, const double* prev, const double* pe,
                       const double* pd, double* cur, double* ce, double* cd,
                       Py_ssize_t lo, Py_ssize_t hi, double gamma, bint expd,
                       double* W, double* T) noexcept nogil:
    """Row ``i`` of r (or alpha) and of rdot over the band columns ``[lo, hi)``.

    ``prev``/``pe``/``pd`` hold row ``i - 1`` (r or the alpha mantissas, their
    exponents, rdot), ``cur``/``ce``/``cd`` receive row ``i``. In the exp
    domain ``gf``/``ge`` hold g of the row, else ``cost``. When ``W`` is not
    NULL, the weights of cell ``j`` go to ``W[3 j:3 j + 3]`` and their
    negated derivatives to ``T[3 j:3 j + 3]``.
    """
    cdef Py_ssize_t j
    cdef double w[3]
    cdef double e, k, td, tu, tl, inv, rd, ru, rl
    cdef double inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    cur[lo] = 0.0 if expd else INFINITY  # left of the band: alpha = 0, r = +inf
    ce[lo] = SDTW_ZERO_EXP
    cd[lo] = 0.0  # any finite value: its weight is 0
    for j in range(lo, hi):
        if expd:
            e = max(max(pe[j], pe[j + 1]), ce[j])
            td = prev[j] * sdtw_pow2(pe[j] - e)
            tu = prev[j + 1] * sdtw_pow2(pe[j + 1] - e)
            tl = cur[j] * sdtw_pow2(ce[j] - e)
            cur[j + 1] = sdtw_split(gf[j] * (td + tu + tl), &k)
            ce[j + 1] = e + ge[j] + k
            inv = 1.0 / (td + tu + tl)
            w[0] = td * inv
            w[1] = tu * inv
            w[2] = tl * inv
        else:
            cur[j + 1] = cost[j] + _softmin3_w(prev[j], prev[j + 1], cur[j], gamma, w)
        rd = pd[j]
        ru = pd[j + 1]
        rl = cd[j]
        cd[j + 1] = z[j] + w[0] * rd + w[1] * ru + w[2] * rl
        if W != NULL:
            W[3 * j] = w[0]
            W[3 * j + 1] = w[1]
            W[3 * j + 2] = w[2]
            T[3 * j] = w[0] * (w[1] * (rd - ru) + w[2] * (rd - rl)) * inv_gamma
            T[3 * j + 1] = w[1] * (w[0] * (ru - rd) + w[2] * (ru - rl)) * inv_gamma
            T[3 * j + 2] = w[2] * (w[0] * (rl - rd) + w[1] * (rl - ru)) * inv_gamma


cdef void _backward_row(const double* Wc, const double* Tc, const double* Wn,
                        const double* Tn, const double* nxt, const double* nxtd,
                        double* cur, double* curd, Py_ssize_t i, Py_ssize_t n,
                        Py_ssize_t m, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t lo_n,
                        Py_ssize_t hi_n) noexcept nogil:
    """Row ``i`` of E and Edot (``cur``, ``curd``) from row ``i + 1`` (``nxt``,
    ``nxtd``), over the band columns ``[lo, hi)``; zeros elsewhere.

    ``Wc``/``Tc`` are the weights of row ``i`` and ``Wn``/``Tn`` those of
    row ``i + 1``, whose band is ``[lo_n, hi_n)``. The successors of ``(i,
    j)``: ``(i, j + 1)`` by its left weight, ``(i + 1, j)`` by its upper one,
    ``(i + 1, j + 1)`` by its diagonal one; only those inside their rows'
    bands are read (the weights of the other cells were never written).
    """
    cdef Py_ssize_t j, end = hi
    cdef double e, ed, ws
    memset(cur, 0, (m + 1) * sizeof(double))
    memset(curd, 0, (m + 1) * sizeof(double))
    if i == n - 1:
        cur[m - 1] = 1.0
        end = m - 1
    for j in range(end - 1, lo - 1, -1):
        e = 0.0
        ed = 0.0
        if j + 1 < hi:
            ws = Wc[3 * j + 5]
            e = cur[j + 1] * ws
            ed = curd[j + 1] * ws - cur[j + 1] * Tc[3 * j + 5]
        if i + 1 < n:
            if lo_n <= j < hi_n:
                ws = Wn[3 * j + 1]
                e += nxt[j] * ws
                ed += nxtd[j] * ws - nxt[j] * Tn[3 * j + 1]
            if lo_n <= j + 1 < hi_n:
                ws = Wn[3 * j + 3]
                e += nxt[j + 1] * ws
                ed += nxtd[j + 1] * ws - nxt[j + 1] * Tn[3 * j + 3]
        cur[j] = min(e, 1.0)  # a probability: no rounding above 1
        curd[j] = ed


cdef void _direction_row(const Options* o, const double* xi, const double* vi, const double* y,
                         Py_ssize_t i, Py_ssize_t n, Py_ssize_t m, Py_ssize_t d,
                         Py_ssize_t lo, Py_ssize_t hi, double* z) noexcept nogil:
    """Row ``i`` of the direction Z into ``z`` (the matrix rows are read in place
    by the caller, for ``DIR_COST`` and ``DIR_MATRIX``)."""
    cdef Py_ssize_t j, k
    cdef double s, t
    if o.direction == DIR_JVP:
        for j in range(lo, hi):
            s = 0.0
            for k in range(d):
                s += (xi[k] - y[j * d + k]) * vi[k]
            z[j] = 2.0 * s
    elif o.direction == DIR_OMEGA:
        # cell centres on [0, 1]: for n = m, (i - j)^2 / n^2 as in DILATE
        t = (i + 0.5) / n
        for j in range(lo, hi):
            s = t - (j + 0.5) / m
            z[j] = s * s


cdef void _pair(const double* x, const double* y, const double* v, const double* D,
                const double* Z, Py_ssize_t ld, Py_ssize_t n, Py_ssize_t m, Py_ssize_t d,
                const Options* o, bint exp_domain, Work* ws, double* value, double* dvalue,
                double* E, double* Ed, double* gx, double* gy) noexcept nogil:
    """One pair: the value and ``<E, Z>``; when ``o.second``, also E and
    Edot (into ``E``/``Ed``, rows ``ld`` apart, when not NULL) and the
    Jacobian products of the squared Euclidean cost of ``x`` and ``y`` with
    ``a E + b Edot`` (added to ``gx``/``gy`` when not NULL).

    The cost is ``D`` (rows ``ld`` apart) when not NULL, else the squared
    Euclidean cost of ``x`` and ``y``; ``Z`` is read for ``DIR_MATRIX`` and
    ``v`` (the direction of ``x``, laid out as ``x``) for ``DIR_JVP``, where
    ``gx`` also receives the second derivative of the cost along ``v``:
    ``2 b v_i sum_j E_ij``.
    """
    cdef Py_ssize_t i, j, lo, hi, w = m + 1
    cdef double gamma = o.gamma
    cdef bint expd = exp_domain and gamma > 0.0
    cdef double scale = 1.0 / (gamma * LN2) if expd else 0.0
    cdef double* prev = ws.rows
    cdef double* cur = ws.rows + w
    cdef double* pe = ws.erows
    cdef double* ce = ws.erows + w
    cdef double* pd = ws.drows
    cdef double* cd = ws.drows + w
    cdef double* W = NULL
    cdef double* T = NULL
    cdef const double* crow
    cdef const double* frow
    cdef const double* zrow
    ws.band = _pair_rows(n, m, o.radius, o.slope, ws.band_rows)
    for j in range(2 * w):  # outside their bands, rows read alpha = 0 (r = +inf), rdot = 0
        ws.rows[j] = 0.0 if expd else INFINITY
        ws.erows[j] = SDTW_ZERO_EXP
        ws.drows[j] = 0.0
    prev[0] = 1.0 if expd else 0.0  # the start cell of row -1
    pe[0] = 0.0
    for i in range(n):
        _band(i, n, m, ws.band, &lo, &hi)
        if D != NULL:
            crow = D + i * ld
        else:
            _sqeuclidean_row(x + i * d, y, d, lo, hi, ws.cost)
            crow = ws.cost
        frow = ws.zero if o.uniform else crow
        if o.direction == DIR_COST:
            zrow = crow
        elif o.direction == DIR_MATRIX:
            zrow = Z + i * ld
        else:
            _direction_row(o, x + i * d, v + i * d if v != NULL else NULL, y, i, n, m, d,
                           lo, hi, ws.zrow)
            zrow = ws.zrow
        if expd:
            for j in range(lo, hi):
                ws.gf[j] = sdtw_exp_neg(frow[j], scale, &ws.ge[j])
        if o.second:
            W = ws.W + 3 * i * m
            T = ws.T + 3 * i * m
        _forward_row(frow, zrow, ws.gf, ws.ge, prev, pe, pd, cur, ce, cd, lo, hi, gamma,
                     expd, W, T)
        if i == 0:  # the start cell belongs to row -1 only
            prev[0] = 0.0 if expd else INFINITY
            pe[0] = SDTW_ZERO_EXP
        _swap(&prev, &cur)
        _swap(&pe, &ce)
        _swap(&pd, &cd)
    value[0] = -gamma * (pe[m] * LN2 + log(prev[m])) if expd else prev[m]
    dvalue[0] = pd[m]
    if not o.second:
        return
    _backward(x, y, v, ld, n, m, d, o, ws, E, Ed, gx, gy)


cdef void _backward(const double* x, const double* y, const double* v, Py_ssize_t ld,
                    Py_ssize_t n, Py_ssize_t m, Py_ssize_t d, const Options* o, Work* ws,
                    double* E, double* Ed, double* gx, double* gy) noexcept nogil:
    """The backward pass of `_pair` over the weights it stored."""
    cdef Py_ssize_t i, j, k, lo, hi, lo_n = 0, hi_n = 0, w = m + 1
    cdef double s
    cdef double* nxt = ws.brows
    cdef double* cur = ws.brows + w
    cdef double* nxtd = ws.bdrows
    cdef double* curd = ws.bdrows + w
    for i in range(n - 1, -1, -1):
        _band(i, n, m, ws.band, &lo, &hi)
        _backward_row(ws.W + 3 * i * m, ws.T + 3 * i * m, ws.W + 3 * (i + 1) * m,
                      ws.T + 3 * (i + 1) * m, nxt, nxtd, cur, curd, i, n, m, lo, hi, lo_n,
                      hi_n)
        if E != NULL:
            for j in range(lo, hi):
                E[i * ld + j] = cur[j]
        if Ed != NULL:
            for j in range(lo, hi):
                Ed[i * ld + j] = curd[j]
        if gx != NULL or gy != NULL:
            for j in range(lo, hi):
                ws.G[j] = o.a * cur[j] + o.b * curd[j]
            _sqeuclidean_jvp_row(ws.G, x + i * d, y, d, lo, hi,
                                 NULL if gx == NULL else gx + i * d, gy)
            if o.direction == DIR_JVP and gx != NULL:
                s = 0.0
                for j in range(lo, hi):
                    s += cur[j]
                for k in range(d):
                    gx[i * d + k] += 2.0 * o.b * s * v[i * d + k]
        _swap(&nxt, &cur)
        _swap(&nxtd, &curd)
        lo_n = lo
        hi_n = hi


cdef Options _options(double gamma, Py_ssize_t radius, double slope, int direction,
                      bint uniform, bint second, double a, double b):
    cdef Options o
    if direction not in (DIR_COST, DIR_MATRIX, DIR_JVP, DIR_OMEGA):
        raise ValueError(f"unknown direction {direction}")
    o.gamma = gamma
    o.radius = radius
    o.slope = slope
    o.direction = direction
    o.uniform = uniform
    o.second = second
    o.a = a
    o.b = b
    o.tri = False
    return o


def batch_series(const double[:, ::1] X, const Py_ssize_t[::1] xoff,  # IN
                 const double[:, ::1] Y, const Py_ssize_t[::1] yoff,  # IN
                 const Py_ssize_t[::1] pi, const Py_ssize_t[::1] pj,  # IN
                 const double[:, ::1] V,                              # IN
                 double gamma, Py_ssize_t radius, double slope, bint exp_domain,
                 int direction,
                 bint uniform, bint second, double a, double b, int n_threads,
                 double[::1] work,                                    # SCRATCH
                 double[::1] values, double[::1] dvalues,             # OUT
                 double[:, ::1] gX, double[:, ::1] gY):               # OUT
    """Second order of the pairs ``(X[pi[k]], Y[pj[k]])`` with the squared Euclidean cost.

    ``values[k]`` is soft-DTW and ``dvalues[k]`` its derivative ``<E, Z>``
    in the direction ``direction`` (a value of `DIRECTIONS`, not
    ``"matrix"``); ``V`` is the direction of ``X`` for ``"jvp"`` (layout of
    ``X``; else ``(0, d)``). When ``uniform``, the forward pass sees zero
    costs (give ``gamma = 1``): ``dvalues`` is the mean cost over the
    alignments. When ``second``, ``work`` holds ``n_threads WORK_PER_CELL``
    times the cells of the largest pair (any content), and ``gX``/``gY`` (layouts of ``X``/``Y``,
    zeroed by the caller; ``(0, d)`` to skip) receive the Jacobian products
    of the cost with ``a E + b H Z``: then no series may be in two pairs.
    """
    cdef Py_ssize_t k, p, q, n, m, n_pairs = values.shape[0], d = X.shape[1]
    cdef Py_ssize_t max_n = 0, max_m = 0, max_cells = 0
    cdef bint want_x = gX.shape[0] > 0, want_y = gY.shape[0] > 0, want_v = V.shape[0] > 0
    cdef Options o = _options(gamma, radius, slope, direction, uniform, second, a, b)
    cdef Work* ws
    cdef double* scratch
    cdef unsigned int fp_mode
    if direction == DIR_MATRIX:
        raise ValueError("a series batch has no direction matrix")
    if direction == DIR_JVP and not want_v:
        raise ValueError("the direction 'jvp' needs V")
    for k in range(n_pairs):
        p = pi[k]
        q = pj[k]
        max_n = max(max_n, xoff[p + 1] - xoff[p])
        max_m = max(max_m, yoff[q + 1] - yoff[q])
        max_cells = max(max_cells, (xoff[p + 1] - xoff[p]) * (yoff[q + 1] - yoff[q]))
    if second and work.shape[0] < n_threads * _WORK_PER_CELL * max_cells:
        raise ValueError("work is too small")
    scratch = &work[0] if second else NULL
    with nogil, parallel(num_threads=n_threads):
        ws = _work_new(max_n, max_m, max_cells, second,
                       scratch + threadid() * _WORK_PER_CELL * max_cells)
        if ws == NULL:
            with gil:
                raise MemoryError()
        fp_mode = sdtw_flush_subnormals()
        for k in prange(n_pairs, schedule="dynamic"):
            p = pi[k]
            q = pj[k]
            n = xoff[p + 1] - xoff[p]
            m = yoff[q + 1] - yoff[q]
            _pair(&X[xoff[p], 0], &Y[yoff[q], 0], &V[xoff[p], 0] if want_v else NULL,
                  NULL, NULL, 0, n, m, d, &o, exp_domain, ws, &values[k], &dvalues[k],
                  NULL, NULL, &gX[xoff[p], 0] if want_x and second else NULL,
                  &gY[yoff[q], 0] if want_y and second else NULL)
        sdtw_restore_fp_mode(fp_mode)
        _work_free(ws)


cdef void _wavefront_cells(const double* gf, const double* ge, double scale, const double* z,
                           const double* f2, const double* e2, const double* r2,
                           const double* f1, const double* e1, const double* r1,
                           double* f0, double* e0, double* r0, Py_ssize_t count,
                           double inv_gamma, double* W, double* T) noexcept nogil:
    """``count`` cells of an anti-diagonal: alpha, rdot and the weights, and when
    ``T`` is not NULL their negated derivatives, as `_forward_row` does.

    Cell ``t`` has its diagonal predecessor at ``[t]`` of the ``2`` arrays,
    its upper one at ``[t]`` and its left one at ``[t + 1]`` of the ``1``
    arrays; ``W[t]``, ``W[count + t]``, ``W[2 count + t]`` receive its
    diagonal, upper and left weights (T likewise); ``gf``, ``ge`` and
    ``scale`` give g as in `_alpha_step`. rdot and the derivatives take loops
    of their own: with fewer arrays each, every loop vectorizes.
    """
    cdef Py_ssize_t t
    _alpha_step(gf, ge, scale, f2, e2, f1, e1, f0, e0, count, W)
    for t in range(count):
        r0[t] = z[t] + W[t] * r2[t] + W[count + t] * r1[t] + W[2 * count + t] * r1[t + 1]
    if T == NULL:
        return
    for t in range(count):
        T[t] = W[t] * (W[count + t] * (r2[t] - r1[t]) + W[2 * count + t] * (r2[t] - r1[t + 1])) \
            * inv_gamma
        T[count + t] = W[count + t] * (W[t] * (r1[t] - r2[t])
                                       + W[2 * count + t] * (r1[t] - r1[t + 1])) * inv_gamma
        T[2 * count + t] = W[2 * count + t] * (W[t] * (r1[t + 1] - r2[t])
                                               + W[count + t] * (r1[t + 1] - r1[t])) * inv_gamma


cdef void _wavefront_back_step(const double* Wl, const double* Wu, const double* Wd,
                               const double* Tl, const double* Tu, const double* Td,
                               const double* b1, const double* q1, const double* b2,
                               const double* q2, double* b0, double* q0,
                               Py_ssize_t count) noexcept nogil:
    """``count`` cells of an anti-diagonal of E (``b0``) and Edot (``q0``), as
    `_backward_row` does: cell ``t``'s successors are ``b1[t]`` (left, weight
    ``Wl[t]``), ``b1[t + 1]`` (up, ``Wu[t]``) and ``b2[t]`` (diagonal, ``Wd[t]``)."""
    cdef Py_ssize_t t
    for t in range(count):
        b0[t] = min(1.0, Wl[t] * b1[t] + Wu[t] * b1[t + 1] + Wd[t] * b2[t])
        q0[t] = (Wl[t] * q1[t] - Tl[t] * b1[t]) + (Wu[t] * q1[t + 1] - Tu[t] * b1[t + 1]) \
            + (Wd[t] * q2[t] - Td[t] * b2[t])


cdef void _wavefront_pair(const double* x, const double* yr, const double* v, Py_ssize_t d,
                          const double* D, const double* Z, Py_ssize_t ld, Py_ssize_t n,
                          Py_ssize_t m, const Options* o, double* scratch, double* value,
                          double* dvalue, double* E, double* Ed, double* gx,
                          double* gyr) noexcept nogil:
    """`_pair`, anti-diagonal by anti-diagonal, in the exp domain.

    The cells of an anti-diagonal ``i + j = k`` depend only on the two
    previous ones (the next two, backward), so the loops over them have no
    dependency chain and compilers vectorize them. Anti-diagonals hold entry
    ``i + 1`` for row ``i`` and zeros (alpha = 0, rdot = 0, E = 0) around
    their cells; the weights and their derivatives of every cell are kept
    anti-diagonal after anti-diagonal (diagonal, upper, left weights of the
    ``count`` cells one after the other). ``scratch`` holds `wavefront_size`
    doubles. The start cell is the upper predecessor of cell ``(0, 0)``.

    The cost is ``D`` when not NULL, else computed from the series as in
    ``_soft_dtw_fast._wavefront_value``: laid out dimension by dimension
    (``x[c n + i]``), ``yr`` being ``y`` reversed so that ``y_{k - i}`` is
    contiguous in ``i``; ``v`` (for ``DIR_JVP``) and the gradients ``gx`` and
    ``gyr`` (added to, when not NULL) have the layouts of ``x`` and ``yr``.

    With ``o.tri``, the pair is a series with itself (``n = m``, ``yr`` its
    reverse) in the direction of its cost: the cost matrix, the direction,
    r, rdot, E and Edot are symmetric, and only the cells ``i >= j`` are
    computed. The cell ``(i, i)`` reads its upper predecessor ``(i - 1, i)``
    as its mirror, the left one, and its right successor ``(i, i + 1)`` as
    the lower one; the gradients then add up, over ``x`` and ``yr``, to the
    gradient with respect to the first series.
    """
    cdef Py_ssize_t k, i, t, lo, hi, cnt, off = 0, w = n + 2, gap
    cdef Py_ssize_t cnt1 = 0, lo1 = n, lo2 = n, off1, off2
    cdef double scale = 1.0 / (o.gamma * LN2), inv_gamma = 1.0 / o.gamma
    cdef Py_ssize_t c, tr
    cdef double s, diff, gij
    cdef double* W = NULL
    cdef double* T = NULL
    cdef double* buf = scratch
    if o.second:  # W and T with a zero anti-diagonal of padding on both sides
        W = scratch + w
        # T starts half a page away from W modulo 4 KiB: streams of W and of T
        # a multiple of 4 KiB apart (n = m = 512) stall on 4K aliasing.
        gap = (768 - (3 * n * m + 2 * w) % 512) % 512  # C remainders: keep it positive
        T = W + 3 * n * m + 2 * w + gap
        buf = T + 3 * n * m + w
        memset(W - w, 0, w * sizeof(double))
        memset(W + 3 * n * m, 0, (2 * w + gap) * sizeof(double))
        memset(T + 3 * n * m, 0, w * sizeof(double))
    cdef double* f2 = buf            # alpha mantissas of anti-diagonal k - 2
    cdef double* e2 = buf + w        # their exponents
    cdef double* r2 = buf + 2 * w    # rdot
    cdef double* f1 = buf + 3 * w    # k - 1
    cdef double* e1 = buf + 4 * w
    cdef double* r1 = buf + 5 * w
    cdef double* f0 = buf + 6 * w    # k
    cdef double* e0 = buf + 7 * w
    cdef double* r0 = buf + 8 * w
    cdef double* gf = buf + 9 * w    # g of anti-diagonal k
    cdef double* ge = buf + 10 * w
    cdef double* z = buf + 11 * w    # the direction on anti-diagonal k
    cdef double* cost = buf + 12 * w  # the cost on anti-diagonal k
    cdef double* wk = buf + 13 * w   # 3 w: the weights of anti-diagonal k, when not kept
    cdef const double* Wl
    cdef const double* Wu
    cdef const double* Wd
    cdef const double* Tl
    cdef const double* Tu
    cdef const double* Td
    for i in range(9 * w):
        buf[i] = SDTW_ZERO_EXP if (i // w) % 3 == 1 else 0.0
    f1[0] = 1.0
    e1[0] = 0.0
    for k in range(n + m - 1):
        lo = max(0, k - m + 1)
        if o.tri:
            lo = max(lo, (k + 1) // 2)
            if k % 2 == 0 and k > 0:  # row lo - 1 of k - 1 mirrors row lo
                f1[lo] = f1[lo + 1]
                e1[lo] = e1[lo + 1]
                r1[lo] = r1[lo + 1]
        hi = min(n - 1, k)
        cnt = hi + 1 - lo
        f0[lo] = 0.0
        e0[lo] = SDTW_ZERO_EXP
        r0[lo] = 0.0
        f0[hi + 2] = 0.0
        e0[hi + 2] = SDTW_ZERO_EXP
        r0[hi + 2] = 0.0
        tr = m - 1 - k  # yr[tr + i] = y[k - i]
        if D != NULL:
            for i in range(lo, hi + 1):
                cost[i] = D[i * ld + k - i]
        else:
            _cost_diagonal(SDTW_SQEUCLIDEAN, x, yr, n, m, d, tr, lo, hi + 1, cost)
        if o.direction == DIR_MATRIX:
            for i in range(lo, hi + 1):
                z[i] = Z[i * ld + k - i]
        elif o.direction == DIR_OMEGA:
            for i in range(lo, hi + 1):
                s = (i + 0.5) / n - (k - i + 0.5) / m
                z[i] = s * s
        elif o.direction == DIR_JVP:
            for i in range(lo, hi + 1):
                z[i] = 0.0
            for c in range(d):
                for i in range(lo, hi + 1):
                    z[i] += 2.0 * (x[c * n + i] - yr[c * m + tr + i]) * v[c * n + i]
        if o.uniform:
            for i in range(lo, hi + 1):
                gf[i] = sdtw_exp_neg(0.0, scale, &ge[i])
        _wavefront_cells(gf + lo if o.uniform else cost + lo, ge + lo if o.uniform else NULL,
                         scale, (cost if o.direction == DIR_COST else z) + lo, f2 + lo,
                         e2 + lo, r2 + lo, f1 + lo, e1 + lo, r1 + lo, f0 + lo + 1,
                         e0 + lo + 1, r0 + lo + 1, cnt,
                         inv_gamma, wk if W == NULL else W + 3 * off,
                         NULL if T == NULL else T + 3 * off)
        off += cnt
        if k == 0:  # the start cell belongs to anti-diagonal -1 only
            f1[0] = 0.0
            e1[0] = SDTW_ZERO_EXP
        _swap(&f2, &f1)
        _swap(&f1, &f0)
        _swap(&e2, &e1)
        _swap(&e1, &e0)
        _swap(&r2, &r1)
        _swap(&r1, &r0)
    value[0] = -o.gamma * (e1[n] * LN2 + log(f1[n]))
    dvalue[0] = r1[n]
    if not o.second:
        return
    # E (b) and Edot (q) of anti-diagonals k + 2, k + 1 and k
    cdef double* b2 = buf
    cdef double* q2 = buf + w
    cdef double* b1 = buf + 2 * w
    cdef double* q1 = buf + 3 * w
    cdef double* b0 = buf + 4 * w
    cdef double* q0 = buf + 5 * w
    memset(buf, 0, 6 * w * sizeof(double))
    off1 = off
    off2 = off
    for k in range(n + m - 2, -1, -1):
        lo = max(0, k - m + 1)
        if o.tri:
            lo = max(lo, (k + 1) // 2)
        hi = min(n - 1, k)
        b0[lo] = 0.0
        q0[lo] = 0.0
        b0[hi + 2] = 0.0
        q0[hi + 2] = 0.0
        if k == n + m - 2:
            b0[n] = 1.0
            q0[n] = 0.0
        else:
            # row i of anti-diagonal k + 1 is at Wl[i], of k + 2 at Wd[i]
            Wl = W + 3 * off1 + 2 * cnt1 - lo1
            Wu = W + 3 * off1 + cnt1 - lo1
            Wd = W + 3 * off2 - lo2
            Tl = T + 3 * off1 + 2 * cnt1 - lo1
            Tu = T + 3 * off1 + cnt1 - lo1
            Td = T + 3 * off2 - lo2
            _wavefront_back_step(Wl + lo, Wu + lo + 1, Wd + lo + 1, Tl + lo, Tu + lo + 1,
                                 Td + lo + 1, b1 + lo + 1, q1 + lo + 1, b2 + lo + 2,
                                 q2 + lo + 2, b0 + lo + 1, q0 + lo + 1, hi + 1 - lo)
            if o.tri and k % 2 == 0:  # (i, i): its right successor is its lower one
                b0[lo + 1] = min(1.0, 2.0 * Wu[lo + 1] * b1[lo + 2] + Wd[lo + 1] * b2[lo + 2])
                q0[lo + 1] = 2.0 * (Wu[lo + 1] * q1[lo + 2] - Tu[lo + 1] * b1[lo + 2]) \
                    + (Wd[lo + 1] * q2[lo + 2] - Td[lo + 1] * b2[lo + 2])
        if E != NULL:
            for i in range(lo, hi + 1):
                E[i * ld + k - i] = b0[i + 1]
        if Ed != NULL:
            for i in range(lo, hi + 1):
                Ed[i * ld + k - i] = q0[i + 1]
        if gx != NULL or gyr != NULL:
            tr = m - 1 - k
            for c in range(d):
                for i in range(lo, hi + 1):
                    gij = o.a * b0[i + 1] + o.b * q0[i + 1]
                    diff = 2.0 * gij * (x[c * n + i] - yr[c * m + tr + i])
                    if gx != NULL:
                        gx[c * n + i] += diff
                    if gyr != NULL:
                        gyr[c * m + tr + i] -= diff
                if o.direction == DIR_JVP and gx != NULL:
                    for i in range(lo, hi + 1):
                        gx[c * n + i] += 2.0 * o.b * b0[i + 1] * v[c * n + i]
        off2 = off1
        lo2 = lo1
        cnt1 = hi + 1 - lo
        off1 -= cnt1
        lo1 = lo
        _swap(&b2, &b1)
        _swap(&b1, &b0)
        _swap(&q2, &q1)
        _swap(&q1, &q0)


def wavefront_size(Py_ssize_t n, Py_ssize_t m, bint second):
    """Doubles of scratch of `_wavefront_pair` for an ``n x m`` pair."""
    return (_WORK_PER_CELL * n * m + 4 * (n + 2) + 512 if second else 0) + 16 * (n + 2)


def cost_work_size(const Py_ssize_t[:, ::1] lengths,     # IN
                   const unsigned char[::1] wavefront,  # IN
                   bint second):
    """Doubles of one thread's scratch in `batch_cost`."""
    cdef Py_ssize_t k, n, m, size = 0
    for k in range(lengths.shape[0]):
        n = lengths[k, 0]
        m = lengths[k, 1]
        if wavefront[k]:
            size = max(size, wavefront_size(n, m, second))
        elif second:
            size = max(size, _WORK_PER_CELL * n * m)
    return size


def batch_cost(const double[:, :, ::1] D,            # IN
               const double[:, :, ::1] Z,            # IN
               const Py_ssize_t[:, ::1] lengths,     # IN
               double gamma, Py_ssize_t radius, double slope,
               const unsigned char[::1] exp_domain,  # IN
               const unsigned char[::1] wavefront,   # IN
               int direction, bint uniform, bint second, int n_threads,
               double[::1] work,                     # SCRATCH
               double[::1] values, double[::1] dvalues,   # OUT
               double[:, :, ::1] E, double[:, :, ::1] Ed):  # OUT
    """Second order of the cost matrices ``D[k, :n_k, :m_k]``.

    As `batch_series`, for cost matrices: the direction is ``"cost"``,
    ``"matrix"`` (``Z``, of the shape of ``D``; else ``(0, 0, 0)``) or
    ``"omega"``; when ``second``, ``E`` and ``Ed`` (shape of ``D``, zeroed by
    the caller; ``(0, 0, 0)`` to skip) receive E and H Z in each pair's block.
    Pair ``k`` runs by anti-diagonals when ``wavefront[k]`` (exp domain, no
    band, ``gamma > 0``), else by rows, in the exp domain when
    ``exp_domain[k]`` and ``gamma > 0``. ``work`` holds ``n_threads`` times
    `cost_work_size` doubles, any content.
    """
    cdef Py_ssize_t k, n, m, n_pairs = values.shape[0], ld = D.shape[2]
    cdef Py_ssize_t max_n = 0, max_m = 0, max_cells = 0
    cdef Py_ssize_t size = cost_work_size(lengths, wavefront, second)
    cdef bint want_E = E.shape[0] > 0, want_Ed = Ed.shape[0] > 0
    cdef Options o = _options(gamma, radius, slope, direction, uniform, second, 1.0, 1.0)
    cdef Work* ws
    cdef double* scratch
    cdef double* mine
    cdef unsigned int fp_mode
    if direction == DIR_JVP:
        raise ValueError("a cost batch has no series to move")
    if direction == DIR_MATRIX and Z.shape[0] != n_pairs:
        raise ValueError("the direction 'matrix' needs Z")
    for k in range(n_pairs):
        max_n = max(max_n, lengths[k, 0])
        max_m = max(max_m, lengths[k, 1])
        max_cells = max(max_cells, lengths[k, 0] * lengths[k, 1])
    if work.shape[0] < n_threads * size:
        raise ValueError("work is too small")
    scratch = &work[0] if size > 0 else NULL
    with nogil, parallel(num_threads=n_threads):
        mine = scratch + threadid() * size
        ws = _work_new(max_n, max_m, max_cells, second, mine)
        if ws == NULL:
            with gil:
                raise MemoryError()
        fp_mode = sdtw_flush_subnormals()
        for k in prange(n_pairs, schedule="dynamic"):
            n = lengths[k, 0]
            m = lengths[k, 1]
            if wavefront[k]:
                _wavefront_pair(NULL, NULL, NULL, 0, &D[k, 0, 0],
                                &Z[k, 0, 0] if direction == DIR_MATRIX else NULL, ld, n, m,
                                &o, mine, &values[k], &dvalues[k],
                                &E[k, 0, 0] if want_E and second else NULL,
                                &Ed[k, 0, 0] if want_Ed and second else NULL, NULL, NULL)
                continue
            _pair(NULL, NULL, NULL, &D[k, 0, 0], &Z[k, 0, 0] if direction == DIR_MATRIX else NULL,
                  ld, n, m, 0, &o, exp_domain[k], ws, &values[k], &dvalues[k],
                  &E[k, 0, 0] if want_E and second else NULL,
                  &Ed[k, 0, 0] if want_Ed and second else NULL, NULL, NULL)
        sdtw_restore_fp_mode(fp_mode)
        _work_free(ws)


def wavefront_series(const double[:, ::1] xt, const double[:, ::1] yrt,  # IN
                     const double[:, ::1] vt,                            # IN
                     double gamma, int direction, bint uniform, bint second, double a,
                     double b, double[::1] work,                         # SCRATCH
                     double[:, ::1] gxt, double[:, ::1] gyrt):           # OUT
    """Value and ``<E, Z>`` of one pair by anti-diagonals (exp domain, no band).

    ``xt`` is ``x.T`` and ``yrt`` is ``y[::-1].T`` (C-contiguous, ``(d, n)``
    and ``(d, m)``), ``vt`` the direction ``v.T`` for ``"jvp"`` (else
    ``(d, 0)``); as in `batch_series`, when ``second`` the Jacobian products
    with ``a E + b H Z`` are added to ``gxt``/``gyrt`` (their layouts; ``(d,
    0)`` to skip). ``work`` holds `wavefront_size` doubles.
    """
    cdef Py_ssize_t d = xt.shape[0], n = xt.shape[1], m = yrt.shape[1]
    cdef Options o = _options(gamma, -1, 0.0, direction, uniform, second, a, b)
    cdef double value, dvalue
    cdef unsigned int fp_mode
    if direction == DIR_MATRIX:
        raise ValueError("a series pair has no direction matrix")
    if direction == DIR_JVP and vt.shape[1] != n:
        raise ValueError("the direction 'jvp' needs v")
    if work.shape[0] < wavefront_size(n, m, second):
        raise ValueError("work is too small")
    with nogil:
        fp_mode = sdtw_flush_subnormals()
        _wavefront_pair(&xt[0, 0], &yrt[0, 0], &vt[0, 0] if direction == DIR_JVP else NULL, d,
                        NULL, NULL, 0, n, m, &o, &work[0], &value, &dvalue, NULL, NULL,
                        &gxt[0, 0] if second and gxt.shape[1] > 0 else NULL,
                        &gyrt[0, 0] if second and gyrt.shape[1] > 0 else NULL)
        sdtw_restore_fp_mode(fp_mode)
    return value, dvalue


def sharp_divergence_size(Py_ssize_t n, Py_ssize_t m, bint second):
    """Doubles of scratch of `sharp_divergence` for series of lengths ``n`` and ``m``."""
    return max(wavefront_size(n, m, second), wavefront_size(n, n, second),
               wavefront_size(m, m, False))


def sharp_divergence(const double[:, ::1] x, const double[:, ::1] y, double gamma,
                     double[::1] work,      # SCRATCH
                     double[:, ::1] grad):  # OUT
    """The sharp soft-DTW divergence ``s(x, y) - (s(x, x) + s(y, y)) / 2`` by
    anti-diagonals (exp domain, no band), and when ``grad`` has the shape of
    ``x`` (not ``(0, d)``), its gradient with respect to ``x`` written there.

    The self terms have symmetric cost matrices: `_wavefront_pair` computes
    them over half their cells (``o.tri``), and ``s(y, y)`` needs no
    gradient. The gradient of ``s(x, x)`` with respect to ``x`` is twice
    that with respect to its first series. ``work`` holds
    `sharp_divergence_size` doubles, any content. ``x = y`` gives exactly 0
    and a zero gradient, as the three terms computed alike would (the
    triangles round otherwise than the whole pair).
    """
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], d = x.shape[1]
    cdef bint second = grad.shape[0] > 0
    cdef Options o = _options(gamma, -1, 0.0, DIR_COST, False, second, 1.0, 1.0)
    cdef double v, s_xy, s_xx, s_yy
    cdef unsigned int fp_mode
    if y.shape[1] != d or (second and (grad.shape[0] != n or grad.shape[1] != d)):
        raise ValueError("x, y and grad must have the same dimension, grad the shape of x")
    if work.shape[0] < sharp_divergence_size(n, m, second):
        raise ValueError("work is too small")
    if n == m and memcmp(&x[0, 0], &y[0, 0], n * d * sizeof(double)) == 0:
        if second:
            grad[:, :] = 0.0
        return 0.0
    cdef const double[:, ::1] xt = np.ascontiguousarray(np.asarray(x).T)
    cdef const double[:, ::1] xrt = np.ascontiguousarray(np.asarray(x)[::-1].T)
    cdef const double[:, ::1] yt = np.ascontiguousarray(np.asarray(y).T)
    cdef const double[:, ::1] yrt = np.ascontiguousarray(np.asarray(y)[::-1].T)
    cdef double[:, ::1] g = np.zeros((3 * d, n))  # x of (x, y), x and xr of (x, x)
    with nogil:
        fp_mode = sdtw_flush_subnormals()
        _wavefront_pair(&xt[0, 0], &yrt[0, 0], NULL, d, NULL, NULL, 0, n, m, &o, &work[0],
                        &v, &s_xy, NULL, NULL, &g[0, 0] if second else NULL, NULL)
        o.tri = True
        _wavefront_pair(&xt[0, 0], &xrt[0, 0], NULL, d, NULL, NULL, 0, n, n, &o, &work[0],
                        &v, &s_xx, NULL, NULL, &g[d, 0] if second else NULL,
                        &g[2 * d, 0] if second else NULL)
        o.second = False
        _wavefront_pair(&yt[0, 0], &yrt[0, 0], NULL, d, NULL, NULL, 0, m, m, &o, &work[0],
                        &v, &s_yy, NULL, NULL, NULL, NULL)
        sdtw_restore_fp_mode(fp_mode)
    if second:
        G = np.asarray(g)
        np.asarray(grad)[...] = (G[:d] - (G[d:2 * d] + G[2 * d:, ::-1])).T
    return s_xy - 0.5 * (s_xx + s_yy)


def light_hessian_product(object x, object y, object v, object gamma, double max_exponent,
                          Py_ssize_t min_length, Py_ssize_t max_cells, object workspace):
    """The Hessian-vector product of soft-DTW with respect to ``x`` in the
    direction ``v`` (`wavefront_series`, ``"jvp"``, ``a = 0``, ``b = 1``), as
    an array of the shape of ``x``, with the checks done here at the cost of
    a few comparisons and one pass over the data: the path of one call on one
    pair.

    By anti-diagonals in the exp domain: None for whatever is not three
    C-contiguous float64 ndarrays of one or two dimensions (the same for all,
    ``v`` of the shape of ``x``), lengths below ``min_length`` or more than
    ``max_cells`` cells, a shape that suggests channels first, a ``gamma``
    that is not a positive float or whose value could overflow, NaN or
    infinite values, squared distances that could overflow, and exponents
    that would not be exact (``max_exponent``, as
    ``sksoftdtw._engine.planner.exp_domain_exact`` decides): the caller then takes its
    validating path, which computes or explains. ``workspace`` is called with
    a number of doubles and returns a float64 array of at least that many.
    """
    cdef cnp.ndarray a, b, c
    cdef Py_ssize_t i, k, n, m, d, ndim, size
    cdef double g, amplitude, max_cost, value, dvalue
    cdef double[::1] work
    cdef double* xt
    cdef double* yrt
    cdef double* vt
    cdef double* gxt
    cdef const double* xp
    cdef const double* yp
    cdef const double* vp
    cdef double* out_p
    cdef Options o
    cdef unsigned int fp_mode
    if type(x) is not cnp.ndarray or type(y) is not cnp.ndarray or type(v) is not cnp.ndarray \
            or type(gamma) is not float:
        return None
    a = <cnp.ndarray> x
    b = <cnp.ndarray> y
    c = <cnp.ndarray> v
    g = gamma
    ndim = cnp.PyArray_NDIM(a)
    if cnp.PyArray_TYPE(a) != cnp.NPY_DOUBLE or cnp.PyArray_TYPE(b) != cnp.NPY_DOUBLE \
            or cnp.PyArray_TYPE(c) != cnp.NPY_DOUBLE or ndim < 1 or ndim > 2 \
            or cnp.PyArray_NDIM(b) != ndim or cnp.PyArray_NDIM(c) != ndim \
            or not (cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_IS_C_CONTIGUOUS(b)
                    and cnp.PyArray_IS_C_CONTIGUOUS(c)):
        return None
    n = cnp.PyArray_DIM(a, 0)
    m = cnp.PyArray_DIM(b, 0)
    d = cnp.PyArray_DIM(a, 1) if ndim == 2 else 1
    if (ndim == 2 and (cnp.PyArray_DIM(b, 1) != d or cnp.PyArray_DIM(c, 1) != d or d > n
                       or d == 0)) or cnp.PyArray_DIM(c, 0) != n \
            or min(n, m) < min_length or n * m > max_cells \
            or not (g > 0.0 and g * 1.1 * (n + m) <= DBL_MAX / 2):
        return None
    xp = <const double*> cnp.PyArray_DATA(a)
    yp = <const double*> cnp.PyArray_DATA(b)
    vp = <const double*> cnp.PyArray_DATA(c)
    amplitude = sdtw_block_abs_max(xp, d, n, d) + sdtw_block_abs_max(yp, d, m, d)
    max_cost = amplitude * amplitude * d
    if not (max_cost < DBL_MAX and sdtw_block_abs_max(vp, d, n, d) < DBL_MAX
            and (n + m) * max_cost < max_exponent * g * LN2):  # (false for NaN)
        return None
    size = wavefront_size(n, m, True)
    work = workspace(size + d * (3 * n + m))
    xt = &work[size]
    yrt = xt + d * n
    vt = yrt + d * m
    gxt = vt + d * n
    out = np.empty_like(a)
    out_p = <double*> cnp.PyArray_DATA(<cnp.ndarray> out)
    o = _options(g, -1, 0.0, DIR_JVP, False, True, 0.0, 1.0)
    with nogil:
        for k in range(d):
            for i in range(n):
                xt[k * n + i] = xp[i * d + k]
                vt[k * n + i] = vp[i * d + k]
                gxt[k * n + i] = 0.0
            for i in range(m):
                yrt[k * m + i] = yp[(m - 1 - i) * d + k]
        fp_mode = sdtw_flush_subnormals()
        _wavefront_pair(xt, yrt, vt, d, NULL, NULL, 0, n, m, &o, &work[0], &value, &dvalue,
                        NULL, NULL, gxt, NULL)
        sdtw_restore_fp_mode(fp_mode)
        for k in range(d):
            for i in range(n):
                out_p[i * d + k] = gxt[k * n + i]
    return out

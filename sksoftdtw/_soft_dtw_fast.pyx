# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Soft-DTW and DTW recursions on cost matrices, and their batched drivers.

The recursions (`_forward_row`, `_backward`) only ever see a cost matrix, one
row at a time. The costs computed from series (``cost``: ``SDTW_SQEUCLIDEAN``,
the squared Euclidean cost, or ``SDTW_ABS``, the L1 cost) and their
Jacobian-vector products are written once each in ``_costs.h`` (the lane
versions in ``_expdomain_lanes.h``); the kernels choose one per row or
anti-diagonal, and the lane kernels take it as a type parameter (`costfn`), so
that no cell loop tests it. ``gamma = 0``
runs hard DTW through the same code, with one-hot weights on the minimum.

Conventions
-----------
R rows have ``m + 1`` entries: ``R[j + 1]`` belongs to cost column ``j`` and
``R[0]`` is the ``+inf`` boundary column. The forward pass stores, for every
cell, the normalised soft-min weights of its three predecessors (diagonal, up,
left). They lie in [0, 1] and sum to 1 by construction, which is what keeps
the backward pass (a sum-product of those weights) inside [0, 1] for any gamma:
the classical backward recursion instead exponentiates differences of large
R entries divided by gamma and loses all precision when gamma is tiny.

A dataset is a flat C-contiguous ``(n_samples_total, d)`` array plus offsets:
series ``k`` is ``X[off[k]:off[k + 1]]``, so variable lengths need no padding.
"""
import numpy as np

cimport numpy as cnp

cnp.import_array()

from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY, NAN, exp, fmin, log
from libc.float cimport DBL_MAX
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcmp, memcpy, memset

cdef extern from "_expdomain.h" nogil:
    double SDTW_ZERO_EXP
    double sdtw_pow2(double k)
    double sdtw_split(double v, double* k)
    double sdtw_exp_neg(double c, double scale, double* e)
    double sdtw_block_abs_max(const double* D, Py_ssize_t ld, Py_ssize_t n, Py_ssize_t m)
    unsigned int sdtw_flush_subnormals()
    void sdtw_restore_fp_mode(unsigned int csr)
    # SDTW_LANES numbers in registers, and the exp-domain step on them
    enum: SDTW_LANES
    ctypedef struct sdtw_lanes:
        pass
    sdtw_lanes sdtw_lanes_load(const double* p)
    void sdtw_lanes_store(double* p, sdtw_lanes a)
    sdtw_lanes sdtw_lanes_sqeuclidean(const double* x, const double* y, Py_ssize_t d)
    sdtw_lanes sdtw_lanes_abs(const double* x, const double* y, Py_ssize_t d)
    void sdtw_lanes_sqdist_rows(const double* xi, const double* yl, Py_ssize_t lo,
                                Py_ssize_t hi, Py_ssize_t d, Py_ssize_t r, double* c,
                                Py_ssize_t ldc)
    sdtw_lanes sdtw_lanes_exp_neg(sdtw_lanes c, double scale, sdtw_lanes* e)
    sdtw_lanes sdtw_lanes_cell(sdtw_lanes df, sdtw_lanes de, sdtw_lanes uf, sdtw_lanes ue,
                               sdtw_lanes lf, sdtw_lanes le, sdtw_lanes g, sdtw_lanes ge,
                               sdtw_lanes* e, double* w)
    sdtw_lanes sdtw_lanes_e_step(sdtw_lanes el, const double* wl, sdtw_lanes eu,
                                 const double* wu, sdtw_lanes ed, const double* wd)
    void sdtw_lanes_sqeuclidean_jvp_row(const double* e, const double* xi, const double* yl,
                                        Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t d, double* gxi,
                                        double* gyl)
    void sdtw_lanes_abs_jvp_row(const double* e, const double* xi, const double* yl,
                                Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t d, double* gxi,
                                double* gyl)
    # the same on SDTW_LANES_F float32 numbers
    float SDTW_ZERO_EXP_F
    enum: SDTW_LANES_F
    sdtw_lanes sdtw_lanes_load_f(const float* p)
    void sdtw_lanes_store_f(float* p, sdtw_lanes a)
    sdtw_lanes sdtw_lanes_sqeuclidean_f(const float* x, const float* y, Py_ssize_t d)
    sdtw_lanes sdtw_lanes_abs_f(const float* x, const float* y, Py_ssize_t d)
    void sdtw_lanes_sqdist_rows_f(const float* xi, const float* yl, Py_ssize_t lo,
                                  Py_ssize_t hi, Py_ssize_t d, Py_ssize_t r, float* c,
                                  Py_ssize_t ldc)
    sdtw_lanes sdtw_lanes_exp_neg_f(sdtw_lanes c, float scale, sdtw_lanes* e)
    sdtw_lanes sdtw_lanes_cell_f(sdtw_lanes df, sdtw_lanes de, sdtw_lanes uf, sdtw_lanes ue,
                                 sdtw_lanes lf, sdtw_lanes le, sdtw_lanes g, sdtw_lanes ge,
                                 sdtw_lanes* e, float* w)
    sdtw_lanes sdtw_lanes_e_step_f(sdtw_lanes el, const float* wl, sdtw_lanes eu,
                                   const float* wu, sdtw_lanes ed, const float* wd)
    void sdtw_lanes_sqeuclidean_jvp_row_f(const float* e, const float* xi, const float* yl,
                                          Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t d,
                                          float* gxi, float* gyl)
    void sdtw_lanes_abs_jvp_row_f(const float* e, const float* xi, const float* yl,
                                  Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t d, float* gxi,
                                  float* gyl)

cdef double LN2 = 0.6931471805599453


from ._band cimport _band, _pair_rows, sdtw_band_rows  # shared with the neighbours'
from ._interrupt cimport (raise_if_stopped, sdtw_call, sdtw_call_init, sdtw_fail, sdtw_join,
                          sdtw_leave, sdtw_stop, sdtw_take)
from ._rows cimport (SDTW_ABS, SDTW_SQEUCLIDEAN, _cost_diagonal, _cost_diagonal_jvp,
                     _cost_jvp_row, _cost_row, _lanes_rows_next, _lanes_rows_start,
                     _softmin3_w, _wavefront_step, sdtw_abs_dterm, sdtw_sqeuclidean_dterm)

# The costs by name, for the Python side (see sksoftdtw.utils._validation.check_cost).
COSTS = {"sqeuclidean": SDTW_SQEUCLIDEAN, "abs": SDTW_ABS}


# The cost of the lane kernels, a type parameter: each specialization has its
# cost in its cell loop. The kernels take a NULL pointer of the type.
cdef struct SqEuclidean:
    char unused


cdef struct Abs:
    char unused


ctypedef fused costfn:
    SqEuclidean
    Abs


cdef inline double _softmin3(double a, double b, double c, double gamma) noexcept nogil:
    """min^gamma(a, b, c), shifted by the minimum so no exp overflows."""
    cdef double mn = fmin(a, fmin(b, c))
    if mn == INFINITY or gamma == 0.0:
        return mn
    return mn - gamma * log(exp((mn - a) / gamma) + exp((mn - b) / gamma)
                            + exp((mn - c) / gamma))


cdef void _forward_row(const double* cost, const double* prev, double* cur,
                       Py_ssize_t lo, Py_ssize_t hi, double gamma,
                       double* W) noexcept nogil:
    """One row of the forward recursion over the band columns ``[lo, hi)``.

    ``prev`` is the previous R row; entries of it outside its band must be
    ``+inf``. When ``W`` is not NULL, the three weights of cell ``j`` are
    written to ``W[3 * j:3 * j + 3]``.
    """
    cdef Py_ssize_t j
    cur[lo] = INFINITY  # left neighbour of the first cell: outside the band
    if W == NULL:
        for j in range(lo, hi):
            cur[j + 1] = cost[j] + _softmin3(prev[j], prev[j + 1], cur[j], gamma)
    else:
        for j in range(lo, hi):
            cur[j + 1] = cost[j] + _softmin3_w(prev[j], prev[j + 1], cur[j], gamma,
                                               W + 3 * j)


# --- Exp domain ---------------------------------------------------------------
#
# The fast path keeps alpha_ij = exp(-r_ij / gamma) = f * 2^e per cell (f in
# [1, 2), e an integer), so a cell costs multiply-adds and bit operations on its
# dependency chain instead of an exp and a log: alpha_ij = g_ij (alpha_diag +
# alpha_up + alpha_left) with g_ij = exp(-Delta_ij / gamma). Exponents are
# integer-valued doubles and their arithmetic is exact, so values and E keep a relative
# precision of about (n + m) eps for any gamma, as long as the exponents stay
# below 2^52; the caller checks a bound on them and otherwise uses the
# log-domain recursion above.


cdef void _exp_g_row(const double* cost, Py_ssize_t lo, Py_ssize_t hi, double scale,
                     double* gf, double* ge) noexcept nogil:
    """g_j = exp(-cost_j / gamma) as gf * 2^ge; ``scale = 1 / (gamma ln 2)``."""
    cdef Py_ssize_t j
    for j in range(lo, hi):
        gf[j] = sdtw_exp_neg(cost[j], scale, &ge[j])


cdef void _exp_forward_row(const double* gf, const double* ge,
                           const double* pf, const double* pe,
                           double* cf, double* ce,
                           Py_ssize_t lo, Py_ssize_t hi, double* W) noexcept nogil:
    """One row of alpha over columns ``[lo, hi)``; same layout as `_forward_row`.

    When ``W`` is not NULL it receives the shares of the three predecessors
    in each alpha_ij (the soft-min weights, as in `_forward_row`): computed
    from the same terms as alpha, off the dependency chain.
    """
    cdef Py_ssize_t j
    cdef double e, k, td, tu, tl, inv
    cf[lo] = 0.0
    ce[lo] = SDTW_ZERO_EXP
    for j in range(lo, hi):
        e = max(max(pe[j], pe[j + 1]), ce[j])
        td = pf[j] * sdtw_pow2(pe[j] - e)
        tu = pf[j + 1] * sdtw_pow2(pe[j + 1] - e)
        tl = cf[j] * sdtw_pow2(ce[j] - e)
        cf[j + 1] = sdtw_split(gf[j] * (td + tu + tl), &k)
        ce[j + 1] = e + ge[j] + k
        if W != NULL:
            inv = 1.0 / (td + tu + tl)
            W[3 * j] = td * inv
            W[3 * j + 1] = tu * inv
            W[3 * j + 2] = tl * inv


# --- Whole passes, for both domains ---------------------------------------------
#
# The forward pass runs by segments of rows so that a long pair can keep
# checkpoints of a few rows instead of the weights of every cell: the backward
# pass then recomputes the weights one segment at a time (twice the forward
# work, O(sqrt(n) m) memory).

# Pairs with more cells than this keep checkpoints instead of all weights;
# sksoftdtw._engine.planner, which holds the tuning constants, sets it at import (until
# then every pair with gradients keeps checkpoints: slower, never wrong).
cdef Py_ssize_t MAX_FULL_CELLS = 0


def set_max_full_cells(Py_ssize_t cells):
    """Set the size above which pairs keep checkpoints; return the previous one.

    For tests, which check the segmented backward pass on small pairs.
    """
    global MAX_FULL_CELLS
    previous = MAX_FULL_CELLS
    MAX_FULL_CELLS = max(1, cells)
    return previous


# Long pairs by anti-diagonals recompute their weights in segments of about
# this many cells; sksoftdtw._engine.planner sets it at import.
cdef Py_ssize_t SEGMENT_CELLS = 1


def set_segment_cells(Py_ssize_t cells):
    """Set the size of the segments of long pairs by anti-diagonals; return the
    previous one."""
    global SEGMENT_CELLS
    previous = SEGMENT_CELLS
    SEGMENT_CELLS = max(1, cells)
    return previous


def max_full_cells():
    """The size above which pairs keep checkpoints (see `set_max_full_cells`)."""
    return MAX_FULL_CELLS


cdef inline Py_ssize_t _segment_rows(Py_ssize_t n, Py_ssize_t m) noexcept nogil:
    """Rows per segment: all of them, or about sqrt(n) for a long pair."""
    cdef Py_ssize_t k = 1
    if n * m <= MAX_FULL_CELLS:
        return n
    while (k + 1) * (k + 1) <= n:
        k += 1
    return max(1, min(k, MAX_FULL_CELLS // m))


cdef void _forward_start(double* rows, double* erows, Py_ssize_t m,
                         bint expd) noexcept nogil:
    """Row -1 of the recursion: the start cell and +inf (alpha = 0) elsewhere."""
    cdef Py_ssize_t j
    for j in range(m + 1):
        rows[j] = 0.0 if expd else INFINITY
        erows[j] = SDTW_ZERO_EXP
    rows[0] = 1.0 if expd else 0.0
    erows[0] = 0.0


cdef void _forward_rows(const double* x, const double* y, const double* D,
                        Py_ssize_t ld, Py_ssize_t n, Py_ssize_t m, Py_ssize_t d, int kind,
                        double gamma, const Py_ssize_t* band, bint expd, Py_ssize_t i0,
                        Py_ssize_t i1, double* rows, double* erows, double* cost, double* gf,
                        double* ge, double* W, double* ckpt,
                        Py_ssize_t every) noexcept nogil:
    """Rows ``i0`` to ``i1 - 1`` of the forward recursion.

    ``rows[:m + 1]`` holds row ``i0 - 1`` of R (log domain) or of the alpha
    mantissas, with their exponents in ``erows[:m + 1]`` (exp domain), on
    entry, and row ``i1 - 1`` on exit; the second halves are scratch. The
    cost comes from ``D`` (``n x m``, rows ``ld`` apart) when not NULL, else row by row from
    ``x`` and ``y`` into ``cost``, the cost ``kind`` of _costs.h; ``gf``/``ge``
    hold a row of g. ``W``, when not NULL, receives the weights of row ``i`` at
    ``W + 3 (i - i0) m``.
    When ``ckpt`` is not NULL, every row ``i`` with ``(i + 1) % every == 0``
    is copied to ``ckpt + 2 (m + 1) ((i + 1) / every - 1)``.
    """
    cdef Py_ssize_t i, j, lo, hi, w = m + 1
    cdef double scale = 1.0 / (gamma * LN2) if expd else 0.0
    cdef double* prev = rows
    cdef double* cur = rows + w
    cdef double* pe = erows
    cdef double* ce = erows + w
    cdef double* tmp
    cdef const double* crow
    for j in range(w):  # rows outside the band must read +inf (alpha = 0)
        cur[j] = 0.0 if expd else INFINITY
        ce[j] = SDTW_ZERO_EXP
    for i in range(i0, i1):
        _band(i, n, m, band, &lo, &hi)
        if sdtw_stop(hi - lo):
            break
        if D != NULL:
            crow = D + i * ld
        else:
            _cost_row(kind, x + i * d, y, d, lo, hi, cost)
            crow = cost
        if expd:
            _exp_g_row(crow, lo, hi, scale, gf, ge)
            _exp_forward_row(gf, ge, prev, pe, cur, ce, lo, hi,
                             NULL if W == NULL else W + 3 * (i - i0) * m)
        else:
            _forward_row(crow, prev, cur, lo, hi, gamma,
                         NULL if W == NULL else W + 3 * (i - i0) * m)
        if i == 0:  # the start cell belongs to row -1 only
            prev[0] = 0.0 if expd else INFINITY
            pe[0] = SDTW_ZERO_EXP
        tmp = prev
        prev = cur
        cur = tmp
        tmp = pe
        pe = ce
        ce = tmp
        if ckpt != NULL and (i + 1) % every == 0:
            memcpy(ckpt + 2 * w * ((i + 1) // every - 1), prev, w * sizeof(double))
            memcpy(ckpt + 2 * w * ((i + 1) // every - 1) + w, pe, w * sizeof(double))
    if prev != rows:
        memcpy(rows, prev, w * sizeof(double))
        memcpy(erows, pe, w * sizeof(double))


cdef inline double _forward_value(const double* rows, const double* erows, Py_ssize_t m,
                                  double gamma, bint expd) noexcept nogil:
    """r_nm from the last row of the forward pass."""
    if expd:
        return -gamma * (erows[m] * LN2 + log(rows[m]))
    return rows[m]


cdef void _backward_rows(const double* W, const double* W_below, Py_ssize_t i0,
                         Py_ssize_t i1, Py_ssize_t n, Py_ssize_t m, const Py_ssize_t* band,
                         double* erows, double* E, Py_ssize_t ld, const double* x, const double* y,
                         Py_ssize_t d, int kind, double* gx, double* gy) noexcept nogil:
    """Rows ``i1 - 1`` down to ``i0`` of the expected alignment.

    E_ij = sum over the successors s of (i, j) of E_s times the weight that s
    gives to (i, j). ``W`` holds the weights of rows ``i0`` to ``i1 - 1``
    (row ``i`` at ``W + 3 (i - i0) m``) and ``W_below`` those of row ``i1``.
    ``erows[:m + 1]`` holds E row ``i1`` on entry (zeros when ``i1 == n``)
    and row ``i0`` on exit, with a zero pad at column m; the second half is
    scratch. Each finished row goes to ``E`` (``n x m``, rows ``ld`` apart) when not NULL, and
    its Jacobian-vector product with the cost ``kind`` of ``x`` and ``y`` into
    ``gx``/``gy`` when either is not NULL.
    """
    cdef Py_ssize_t i, j, lo, hi, lo_n = 0, hi_n = 0
    cdef double* nxt = erows
    cdef double* cur = erows + (m + 1)
    cdef double* tmp
    cdef const double* w_nxt
    cdef const double* w_cur
    for i in range(i1 - 1, i0 - 1, -1):
        _band(i, n, m, band, &lo, &hi)
        if sdtw_stop(hi - lo):
            break
        memset(cur, 0, (m + 1) * sizeof(double))
        w_cur = W + 3 * (i - i0) * m
        w_nxt = W + 3 * (i + 1 - i0) * m if i + 1 < i1 else W_below
        if i + 1 < n:
            _band(i + 1, n, m, band, &lo_n, &hi_n)
        else:
            cur[m - 1] = 1.0
            lo_n = hi_n = 0
        # successors: (i, j + 1) via "left", (i + 1, j) via "up", (i + 1,
        # j + 1) via "diagonal"; a weight is read only inside its row's band
        # (outside it, the weights were never written: any content)
        for j in range(hi - 2 if i == n - 1 else hi - 1, lo - 1, -1):
            if j + 1 < hi:
                cur[j] = cur[j + 1] * w_cur[3 * (j + 1) + 2]
            if lo_n <= j < hi_n:
                cur[j] += nxt[j] * w_nxt[3 * j + 1]
            if lo_n <= j + 1 < hi_n:
                cur[j] += nxt[j + 1] * w_nxt[3 * (j + 1)]
            cur[j] = min(cur[j], 1.0)  # a probability: no rounding above 1
        if E != NULL:
            for j in range(lo, hi):
                E[i * ld + j] = cur[j]
        if gx != NULL or gy != NULL:
            _cost_jvp_row(kind, cur, x + i * d, y, d, lo, hi,
                          NULL if gx == NULL else gx + i * d, gy)
        tmp = nxt
        nxt = cur
        cur = tmp
    if nxt != erows:
        memcpy(erows, nxt, (m + 1) * sizeof(double))


# --- Pairs in SIMD lanes -------------------------------------------------------
#
# Estimators and pairwise matrices evaluate many pairs of equal lengths. The
# lane kernels run LANES such pairs at once with the exp-domain step of
# `_exp_forward_row`: data are laid out pair-minor (``[i][k][lane]``), so a
# cell of all the pairs is one block of SIMD registers (``sdtw_lanes``, whose
# arithmetic is in _expdomain.h), and the lanes' dependency chains overlap.

cdef enum:
    LANES = 16
    # A lane block is 128 bytes: LANES doubles or 2 LANES floats. Float32
    # pairs run 32 at a time, which halves the cost of a cell: a step of a
    # lane kernel is as long (the same dependency chain on as many registers)
    # for twice the pairs.
    _BLOCK_BYTES = 128

N_LANES = LANES  # for the Python side, which groups the pairs
N_LANES_FLOAT32 = 2 * LANES
if SDTW_LANES != LANES or SDTW_LANES_F != 2 * LANES:
    raise ImportError("the lane widths of _expdomain.h differ from LANES")


# The lane functions of _expdomain.h for either type (C has no overloading).

cdef inline sdtw_lanes _lanes_load(const floating* p) noexcept nogil:
    if floating is double:
        return sdtw_lanes_load(p)
    else:
        return sdtw_lanes_load_f(p)


cdef inline void _lanes_store(floating* p, sdtw_lanes a) noexcept nogil:
    if floating is double:
        sdtw_lanes_store(p, a)
    else:
        sdtw_lanes_store_f(p, a)


cdef inline sdtw_lanes _lanes_cost(const floating* x, const floating* y, Py_ssize_t d,
                                   costfn* kind) noexcept nogil:
    """The cost of ``x`` and ``y`` lane by lane."""
    if floating is double:
        if costfn is Abs:
            return sdtw_lanes_abs(x, y, d)
        else:
            return sdtw_lanes_sqeuclidean(x, y, d)
    else:
        if costfn is Abs:
            return sdtw_lanes_abs_f(x, y, d)
        else:
            return sdtw_lanes_sqeuclidean_f(x, y, d)


cdef inline sdtw_lanes _lanes_g(const floating* x, const floating* y, Py_ssize_t d,
                                floating scale, sdtw_lanes* e, costfn* kind) noexcept nogil:
    """g = exp(-cost / gamma) lane by lane, as in `_exp_g_row`; the
    cost is ``x`` itself when ``y`` is NULL."""
    if floating is double:
        return sdtw_lanes_exp_neg(sdtw_lanes_load(x) if y == NULL
                                  else _lanes_cost(x, y, d, kind), scale, e)
    else:
        return sdtw_lanes_exp_neg_f(sdtw_lanes_load_f(x) if y == NULL
                                    else _lanes_cost(x, y, d, kind), scale, e)


cdef void _lanes_cost_rows(const floating* xl, const floating* yl, Py_ssize_t i,
                          Py_ssize_t i_end, Py_ssize_t n, Py_ssize_t m, Py_ssize_t d,
                          const Py_ssize_t* band, floating* crows) noexcept nogil:
    """The costs of rows ``i`` to ``i_end - 1`` (at most `_COST_ROWS`), each at
    ``crows + (row - i) m NL`` laid out ``[j][lane]``, over the columns of
    their bands."""
    cdef Py_ssize_t lo, hi, lo_r, hi_r, r, nl = _BLOCK_BYTES // sizeof(floating)
    _band(i, n, m, band, &lo, &hi)
    for r in range(i + 1, i_end):
        _band(r, n, m, band, &lo_r, &hi_r)
        lo = min(lo, lo_r)
        hi = max(hi, hi_r)
    if floating is double:
        sdtw_lanes_sqdist_rows(xl + i * d * nl, yl, lo, hi, d, i_end - i, crows, m * nl)
    else:
        sdtw_lanes_sqdist_rows_f(xl + i * d * nl, yl, lo, hi, d, i_end - i, crows, m * nl)


cdef inline sdtw_lanes _lanes_cell(sdtw_lanes df, sdtw_lanes de, sdtw_lanes uf,
                                   sdtw_lanes ue, sdtw_lanes lf, sdtw_lanes le, sdtw_lanes g,
                                   sdtw_lanes ge, sdtw_lanes* e, floating* w) noexcept nogil:
    if floating is double:
        return sdtw_lanes_cell(df, de, uf, ue, lf, le, g, ge, e, w)
    else:
        return sdtw_lanes_cell_f(df, de, uf, ue, lf, le, g, ge, e, w)


cdef inline sdtw_lanes _lanes_e_step(sdtw_lanes el, const floating* wl, sdtw_lanes eu,
                                     const floating* wu, sdtw_lanes ed,
                                     const floating* wd) noexcept nogil:
    if floating is double:
        return sdtw_lanes_e_step(el, wl, eu, wu, ed, wd)
    else:
        return sdtw_lanes_e_step_f(el, wl, eu, wu, ed, wd)


cdef inline void _lanes_jvp_row(const floating* e, const floating* xi, const floating* yl,
                                Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t d, floating* gxi,
                                floating* gyl, costfn* kind) noexcept nogil:
    if floating is double:
        if costfn is Abs:
            sdtw_lanes_abs_jvp_row(e, xi, yl, lo, hi, d, gxi, gyl)
        else:
            sdtw_lanes_sqeuclidean_jvp_row(e, xi, yl, lo, hi, d, gxi, gyl)
    else:
        if costfn is Abs:
            sdtw_lanes_abs_jvp_row_f(e, xi, yl, lo, hi, d, gxi, gyl)
        else:
            sdtw_lanes_sqeuclidean_jvp_row_f(e, xi, yl, lo, hi, d, gxi, gyl)


# Lane blocks are 128 bytes: a buffer starting on a cache line keeps every
# vector load and store of a lane kernel within one line.
cdef enum:
    _ALIGN_PAD = 8
    # Series of _COST_ROWS_MIN_DIM dimensions or more get their costs this
    # many rows at a time (`_lanes_cost_rows`), which reads each point of y
    # once for them all instead of once a row: float32 values of 32 pairs of
    # length 256 take 0.52 the time at d = 32 (y then outgrows the L2 cache),
    # 0.93 at d = 16, as long at d = 8 and 1.06 times as long at d = 2 to 4.
    _COST_ROWS = 4
    _COST_ROWS_MIN_DIM = 8


cdef struct LaneCosts:
    # The cost matrices of a lane group, in place of series: row i of lane l's
    # matrix at D[l] + i * ld, its expected alignment written at E[l] + i * ld
    # unless E[l] is NULL (numbers of the kernel's type); buf holds a row of
    # the costs interleaved ([j][lane]).
    const void* D[2 * LANES]
    void* E[2 * LANES]
    Py_ssize_t ld
    void* buf


cdef inline floating* _aligned(floating* p) noexcept nogil:
    """``p`` rounded up to a multiple of 64 bytes (``_ALIGN_PAD`` doubles at most)."""
    return p + ((64 - (<size_t> p) % 64) % 64) // sizeof(floating)


cdef void _lanes_gather(const floating[:, ::1] X, const Py_ssize_t[::1] off,
                        const Py_ssize_t* idx, Py_ssize_t count, floating* out) noexcept nogil:
    """Interleave series ``idx[:count]`` of a flat dataset as ``[i][k][lane]``.

    Lanes past ``count`` repeat the last series, so every lane computes
    something finite; their results are discarded.
    """
    cdef Py_ssize_t lane, i, k, s, n, d = X.shape[1], nl = _BLOCK_BYTES // sizeof(floating)
    for lane in range(nl):
        s = idx[min(lane, count - 1)]
        n = off[s + 1] - off[s]
        for i in range(n):
            for k in range(d):
                out[(i * d + k) * nl + lane] = X[off[s] + i, k]


cdef inline void _lanes_hard_cell(const double* c, const double* prev, double* cur,
                                  unsigned char* ch) noexcept nogil:
    """One hard-DTW cell in every lane, and the predecessor it takes.

    ``cur[LANES + l] = c[l] + min(diagonal, up, left)`` with the diagonal at
    ``prev[l]``, up at ``prev[LANES + l]`` and left at ``cur[l]``; ``ch[l]`` is
    0, 1 or 2 for a minimum on the diagonal, up or left, ties broken in that
    order as in `_softmin3_w`, so that the paths are those of the rows.
    """
    cdef Py_ssize_t l
    cdef double dg, up, mn
    cdef unsigned char step[LANES]  # not ch: a store through a char pointer may alias cur
    for l in range(LANES):
        dg = prev[l]
        up = prev[LANES + l]
        mn = min(min(dg, up), cur[l])
        cur[LANES + l] = c[l] + mn
        step[l] = (dg != mn) + ((dg != mn) & (up != mn))
    memcpy(ch, step, LANES)


cdef inline void _lanes_hard_forward(const double* xl, const double* yl, Py_ssize_t n,
                                     Py_ssize_t m, Py_ssize_t d, const Py_ssize_t* band,
                                     double* rows, double* out,
                                     const Py_ssize_t* ends, unsigned char* ch,
                                     costfn* kind) noexcept nogil:
    """Hard DTW values of LANES pairs: `_forward` at gamma = 0, lane by lane.

    ``rows`` holds ``2 (m + 1) LANES`` doubles; ``ends`` as in `_lanes_forward`.
    When ``ch`` is not NULL, it receives the predecessor each cell takes
    (``n m LANES`` bytes laid out ``[i][j][lane]``, see `_lanes_hard_cell`).
    """
    cdef Py_ssize_t i, j, l, lo, hi
    cdef double* prev = rows
    cdef double* cur = rows + (m + 1) * LANES
    cdef double* tmp
    cdef double c[LANES]
    _lanes_rows_start(rows, m, LANES)
    for i in range(n):
        _band(i, n, m, band, &lo, &hi)
        if sdtw_stop((hi - lo) * LANES):
            return
        for l in range(LANES):
            cur[lo * LANES + l] = INFINITY
        for j in range(lo, hi):
            sdtw_lanes_store(c, _lanes_cost(xl + i * d * LANES, yl + j * d * LANES, d, kind))
            if ch != NULL:
                _lanes_hard_cell(c, prev + j * LANES, cur + j * LANES,
                                 ch + (i * m + j) * LANES)
                continue
            for l in range(LANES):
                cur[(j + 1) * LANES + l] = c[l] + min(
                    min(prev[j * LANES + l], prev[(j + 1) * LANES + l]), cur[j * LANES + l])
        _lanes_rows_next(&prev, &cur, i, LANES)
        if ends != NULL:
            for l in range(LANES):
                if ends[l] == i + 1:
                    out[l] = prev[ends[LANES + l] * LANES + l]
    if ends == NULL:
        for l in range(LANES):
            out[l] = prev[m * LANES + l]


cdef void _nan_guard(floating* guard, Py_ssize_t count) noexcept nogil:
    """NaN in the ``count`` numbers after a lane scratch: a kernel that reads
    past its scratch then returns NaN in every test, not whatever the heap
    held there."""
    cdef Py_ssize_t j
    for j in range(count):
        guard[j] = NAN


cdef void _lanes_start(floating* rows, Py_ssize_t m) noexcept nogil:
    """Rows -1 and 0 of `_lanes_forward`: the start cell and alpha = 0 elsewhere."""
    cdef Py_ssize_t j, nl = _BLOCK_BYTES // sizeof(floating), w = (m + 1) * nl
    cdef floating zero_exp = SDTW_ZERO_EXP if floating is double else SDTW_ZERO_EXP_F
    for j in range(w):
        rows[j] = 0.0
        rows[w + j] = zero_exp
        rows[2 * w + j] = 0.0
        rows[3 * w + j] = zero_exp
    for j in range(nl):
        rows[j] = 1.0
        rows[w + j] = 0.0


cdef void _lanes_forward(const floating* xl, const floating* yl, Py_ssize_t n, Py_ssize_t m,
                         Py_ssize_t d, double gamma, const Py_ssize_t* band, floating* rows,
                         floating* out, floating* W, const Py_ssize_t* ends, Py_ssize_t i0,
                         Py_ssize_t i1, floating* ckpt, Py_ssize_t every,
                         const LaneCosts* costs, floating* crows,
                         costfn* kind) noexcept nogil:
    """Rows ``i0`` to ``i1 - 1`` of the soft-DTW recursion of NL pairs of
    lengths ``(n, m)`` in the exp domain, NL = ``_BLOCK_BYTES / sizeof(floating)``
    (LANES doubles, 2 LANES floats).

    ``rows`` holds ``4 (m + 1) NL`` numbers: mantissas and exponents of two
    rows of alpha, the first two quarters row ``i0 - 1`` on entry (see
    `_lanes_start`) and row ``i1 - 1`` on exit. When ``out`` is not NULL, it
    receives the values at row ``n - 1``. When ``ends`` is not NULL, lane
    ``l`` holds a shorter pair of lengths ``(ends[l], ends[NL + l])``, padded:
    a cell depends only on the cells above and left of it, so that pair's
    value is read at its own last cell and the padding never reaches it (no
    band then).

    When ``W`` is not NULL, it receives the soft-min weights of the diagonal
    and upper predecessors of row ``i`` at ``W + 2 (i - i0) m NL`` (laid out
    ``[j][predecessor][lane]``); the left one's is the rest of 1. When
    ``ckpt`` is not NULL, each row ``i`` with ``(i + 1) % every == 0`` is
    copied (mantissas and exponents) to ``ckpt + 2 (m + 1) NL ((i + 1) /
    every - 1)``. When ``costs`` is not NULL, the costs are its matrices
    (and ``xl``, ``yl``, ``d`` unused), else the cost of ``kind``. For the
    squared Euclidean cost, when ``crows`` is not NULL (``_COST_ROWS m NL``
    numbers) and ``d >= _COST_ROWS_MIN_DIM``, the costs are computed
    `_COST_ROWS` rows at a time into it (`_lanes_cost_rows`), else each in its
    cell. Along a row, the left and diagonal neighbours stay in registers.
    """
    cdef Py_ssize_t i, j, l, lo, hi, nl = _BLOCK_BYTES // sizeof(floating)
    cdef Py_ssize_t w = (m + 1) * nl
    # (gamma ln 2 is subnormal for the smallest gammas, flushed to zero here)
    cdef floating scale = (1.0 / gamma) / LN2
    cdef floating zero_exp = SDTW_ZERO_EXP if floating is double else SDTW_ZERO_EXP_F
    cdef floating* pf = rows
    cdef floating* pe = rows + w
    cdef floating* cf = rows + 2 * w
    cdef floating* ce = rows + 3 * w
    cdef floating* tmp
    cdef const floating* xi
    cdef const floating* crow
    cdef floating* cbuf = <floating*> costs.buf if costs != NULL else NULL
    cdef sdtw_lanes g, ge, df, de, uf, ue, lf, le
    for j in range(w):  # cells outside the band of row i0 read alpha = 0
        cf[j] = 0.0
        ce[j] = zero_exp
    for i in range(i0, i1):
        _band(i, n, m, band, &lo, &hi)
        if sdtw_stop((hi - lo) * nl):
            return
        xi = xl + i * d * nl
        if costs != NULL:
            for l in range(nl):
                crow = <const floating*> costs.D[l] + i * costs.ld
                for j in range(lo, hi):
                    cbuf[j * nl + l] = crow[j]
        elif costfn is SqEuclidean and d >= _COST_ROWS_MIN_DIM and crows != NULL:
            if (i - i0) % _COST_ROWS == 0:
                _lanes_cost_rows(xl, yl, i, min(i + _COST_ROWS, i1), n, m, d, band, crows)
            cbuf = crows + (i - i0) % _COST_ROWS * m * nl
        for l in range(nl):
            cf[lo * nl + l] = 0.0
            ce[lo * nl + l] = zero_exp
        lf = _lanes_load(cf + lo * nl)
        le = _lanes_load(ce + lo * nl)
        df = _lanes_load(pf + lo * nl)
        de = _lanes_load(pe + lo * nl)
        for j in range(lo, hi):
            if cbuf != NULL:
                g = _lanes_g(cbuf + j * nl, <floating*> NULL, 0, scale, &ge, kind)
            else:
                g = _lanes_g(xi, yl + j * d * nl, d, scale, &ge, kind)
            uf = _lanes_load(pf + (j + 1) * nl)
            ue = _lanes_load(pe + (j + 1) * nl)
            lf = _lanes_cell(df, de, uf, ue, lf, le, g, ge, &le,
                             (W + 2 * ((i - i0) * m + j) * nl) if W != NULL else NULL)
            _lanes_store(cf + (j + 1) * nl, lf)
            _lanes_store(ce + (j + 1) * nl, le)
            df = uf
            de = ue
        if i == 0:  # the start cell belongs to row -1 only
            for l in range(nl):
                pf[l] = 0.0
                pe[l] = zero_exp
        tmp = pf
        pf = cf
        cf = tmp
        tmp = pe
        pe = ce
        ce = tmp
        if ckpt != NULL and (i + 1) % every == 0:  # (pe is always pf + w)
            memcpy(ckpt + 2 * w * ((i + 1) // every - 1), pf, 2 * w * sizeof(floating))
        if ends != NULL and out != NULL:
            for l in range(nl):
                if ends[l] == i + 1:
                    out[l] = -gamma * (<double> pe[ends[nl + l] * nl + l] * LN2
                                       + log(pf[ends[nl + l] * nl + l]))
    if ends == NULL and out != NULL:
        for l in range(nl):
            out[l] = -gamma * (<double> pe[m * nl + l] * LN2 + log(pf[m * nl + l]))
    if pf != rows:
        memcpy(rows, pf, 2 * w * sizeof(floating))


def groups_value(const floating[:, ::1] X, const Py_ssize_t[::1] xoff,   # IN
                 const floating[:, ::1] Y, const Py_ssize_t[::1] yoff,   # IN
                 const Py_ssize_t[::1] pi, const Py_ssize_t[::1] pj,     # IN
                 const Py_ssize_t[::1] starts,                           # IN
                 double gamma, Py_ssize_t radius, double slope, int n_threads,
                 floating[::1] out,                                      # OUT
                 int cost=SDTW_SQEUCLIDEAN):
    """Like `pairs_value` (exp domain or hard DTW), for pairs sorted into groups.

    Group ``g`` is the pairs ``starts[g]:starts[g + 1]``: at most `N_LANES`
    pairs (`N_LANES_FLOAT32` in float32) computed together in SIMD lanes,
    padded to the longest of them when their lengths differ (then only
    without a band: ``radius < 0``, ``slope = 0``). Hard DTW (``gamma = 0``)
    only in float64.
    """
    cdef Py_ssize_t g, a, n, m, count, l, p, n_groups = starts.shape[0] - 1
    cdef Py_ssize_t d = X.shape[1], max_n = _max_len(xoff), max_m = _max_len(yoff)
    cdef Py_ssize_t nl = _BLOCK_BYTES // sizeof(floating)
    cdef floating* mem
    cdef floating* buf
    cdef floating* res
    cdef Py_ssize_t* ends
    cdef const Py_ssize_t* band
    cdef sdtw_call call
    if gamma == 0.0 and floating is not double:
        raise ValueError("hard DTW lanes are float64 only")
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        mem = <floating*> calloc((max_n + max_m) * d * nl + (4 * max_m + 5) * nl
                                 + _COST_ROWS * max_m * nl + _ALIGN_PAD, sizeof(double))
        ends = <Py_ssize_t*> calloc(2 * nl + 2 * max_n, sizeof(Py_ssize_t))  # + the band
        if mem == NULL or ends == NULL:
            sdtw_fail()
        buf = _aligned(mem)
        g = sdtw_take(n_groups)
        while g < n_groups:
            a = starts[g]
            count = starts[g + 1] - a
            n = 0
            m = 0
            for l in range(nl):  # lanes past count repeat the last pair
                p = a + min(l, count - 1)
                ends[l] = xoff[pi[p] + 1] - xoff[pi[p]]
                ends[nl + l] = yoff[pj[p] + 1] - yoff[pj[p]]
                n = max(n, ends[l])
                m = max(m, ends[nl + l])
            res = buf + (max_n + max_m) * d * nl + 4 * (max_m + 1) * nl
            _lanes_gather(X, xoff, &pi[a], count, buf)
            _lanes_gather(Y, yoff, &pj[a], count, buf + max_n * d * nl)
            band = _pair_rows(n, m, radius, slope, ends + 2 * nl)
            if floating is double and gamma == 0.0:
                if cost == SDTW_ABS:
                    _lanes_hard_forward(buf, buf + max_n * d * nl, n, m, d, band,
                                        buf + (max_n + max_m) * d * nl, res, ends, NULL,
                                        <Abs*> NULL)
                else:
                    _lanes_hard_forward(buf, buf + max_n * d * nl, n, m, d, band,
                                        buf + (max_n + max_m) * d * nl, res, ends, NULL,
                                        <SqEuclidean*> NULL)
            else:
                _lanes_start(buf + (max_n + max_m) * d * nl, m)
                if cost == SDTW_ABS:
                    _lanes_forward(buf, buf + max_n * d * nl, n, m, d, gamma, band,
                                   buf + (max_n + max_m) * d * nl, res, NULL, ends, 0, n, NULL,
                                   0, NULL, NULL, <Abs*> NULL)
                else:
                    _lanes_forward(buf, buf + max_n * d * nl, n, m, d, gamma, band,
                                   buf + (max_n + max_m) * d * nl, res, NULL, ends, 0, n, NULL,
                                   0, NULL, res + nl, <SqEuclidean*> NULL)
            for l in range(count):
                out[a + l] = res[l]
            g = sdtw_take(n_groups)
        free(mem)
        free(ends)
        sdtw_leave()
    raise_if_stopped(&call)


cdef void _lanes_backward(const floating* xl, const floating* yl, Py_ssize_t n,
                          Py_ssize_t m, Py_ssize_t d, const Py_ssize_t* band, const floating* W,
                          const floating* W_below, Py_ssize_t i0, Py_ssize_t i1,
                          floating* rows, floating* gxl, floating* gyl,
                          const LaneCosts* costs, costfn* kind) noexcept nogil:
    """Rows ``i1 - 1`` down to ``i0`` of `_backward` for NL pairs (see
    `_lanes_forward`): gradients added to ``gxl``/``gyl`` (NULL for a
    gradient not wanted), laid out like the data.

    ``W`` holds the weights of rows ``i0`` to ``i1 - 1`` as `_lanes_forward`
    leaves them, ``W_below`` those of row ``i1`` (unused when ``i1 == n``).
    ``rows`` holds ``2 (m + 1) NL`` numbers: two rows of E, each with a zero
    pad at column m, the first E row ``i1`` on entry (zeros for ``i1 == n``)
    and row ``i0`` on exit. With ``costs`` (see `_lanes_forward`), the rows of
    E are written to its alignments instead of the gradients. Along a row, the
    E of the left and diagonal successors stay in registers.
    """
    cdef Py_ssize_t i, j, l, lo, hi, first, nl = _BLOCK_BYTES // sizeof(floating)
    cdef Py_ssize_t w = (m + 1) * nl
    cdef floating* nxt = rows          # E of row i + 1
    cdef floating* cur = rows + w      # E of row i
    cdef floating* tmp
    cdef const floating* wc
    cdef const floating* wn
    cdef const floating* wl
    cdef const floating* wu
    cdef const floating* wd
    cdef floating* erow
    cdef floating zero[4 * LANES]
    cdef sdtw_lanes el, eu, ed
    memset(zero, 0, 4 * LANES * sizeof(floating))
    for i in range(i1 - 1, i0 - 1, -1):
        _band(i, n, m, band, &lo, &hi)
        if sdtw_stop((hi - lo) * nl):
            return
        memset(cur + lo * nl, 0, (min(hi + 1, m + 1) - lo) * nl * sizeof(floating))
        if i == n - 1:
            for l in range(nl):
                cur[(m - 1) * nl + l] = 1.0
        wc = W + 2 * (i - i0) * m * nl
        wn = (W + 2 * (i + 1 - i0) * m * nl) if i + 1 < i1 else W_below
        first = hi - 2 if i == n - 1 else hi - 1
        # successors: left (i, j + 1), up (i + 1, j), diagonal (i + 1, j + 1);
        # beyond the last row or column their E is a zero pad
        el = _lanes_load(cur + (first + 1) * nl)
        ed = _lanes_load(nxt + (first + 1) * nl)
        for j in range(first, lo - 1, -1):
            eu = _lanes_load(nxt + j * nl)
            # the successors in column m are a zero pad with no weights: their
            # slots would be the next row's (or past the end of the scratch)
            wl = (wc + 2 * (j + 1) * nl) if j + 1 < m else zero
            if i + 1 < n:
                wu = wn + (2 * j + 1) * nl
                wd = (wn + 2 * (j + 1) * nl) if j + 1 < m else zero
            else:
                wu = zero
                wd = zero
            el = _lanes_e_step(el, wl, eu, wu, ed, wd)
            _lanes_store(cur + j * nl, el)
            ed = eu
        if costs != NULL:
            for l in range(nl):
                if costs.E[l] != NULL:
                    erow = <floating*> costs.E[l] + i * costs.ld
                    for j in range(lo, hi):
                        erow[j] = cur[j * nl + l]
        else:
            _lanes_jvp_row(cur, xl + i * d * nl, yl, lo, hi, d,
                           (gxl + i * d * nl) if gxl != NULL else NULL, gyl, kind)
        tmp = nxt
        nxt = cur
        cur = tmp
    if nxt != rows:
        memcpy(rows, nxt, w * sizeof(floating))


cdef void _lanes_value_grad(const floating* xl, const floating* yl, Py_ssize_t n,
                            Py_ssize_t m, Py_ssize_t d, double gamma, const Py_ssize_t* band,
                            Py_ssize_t block, floating* rows, floating* W,
                            floating* ckpt, floating* out, floating* gxl,
                            floating* gyl, const LaneCosts* costs,
                            floating* crows, costfn* kind) noexcept nogil:
    """Values and gradients of NL pairs: `_lanes_forward` then `_lanes_backward`.

    With ``block < n``, the weights of ``block`` rows at a time only, so that
    they stay in cache: the forward pass keeps a checkpoint row every
    ``block`` rows in ``ckpt`` (``2 (m + 1) NL`` numbers each), and the
    backward pass recomputes the weights block by block from them, bottom
    first. ``rows`` holds ``6 (m + 1) NL`` numbers, ``W`` the weights of
    ``min(block, n) + 1`` rows (``2 m NL`` numbers each). With ``costs``, the
    expected alignments of its cost matrices (see `_lanes_backward`), else
    ``crows`` as in `_lanes_forward`.
    """
    cdef Py_ssize_t s0, s1, nl = _BLOCK_BYTES // sizeof(floating), w = (m + 1) * nl
    cdef floating* erows = rows + 4 * w
    cdef floating* below = W + 2 * block * m * nl
    memset(erows, 0, 2 * w * sizeof(floating))
    _lanes_start(rows, m)
    if block >= n:
        _lanes_forward(xl, yl, n, m, d, gamma, band, rows, out, W, NULL, 0, n, NULL, 0,
                       costs, crows, kind)
        _lanes_backward(xl, yl, n, m, d, band, W, NULL, 0, n, erows, gxl, gyl, costs, kind)
        return
    _lanes_forward(xl, yl, n, m, d, gamma, band, rows, out, NULL, NULL, 0, n, ckpt, block,
                   costs, crows, kind)
    s0 = ((n - 1) // block) * block
    while s0 >= 0:
        s1 = min(n, s0 + block)
        if s0 == 0:
            _lanes_start(rows, m)
        else:
            memcpy(rows, ckpt + 2 * w * (s0 // block - 1), 2 * w * sizeof(floating))
        _lanes_forward(xl, yl, n, m, d, gamma, band, rows, NULL, W, NULL, s0, s1, NULL, 0,
                       costs, crows, kind)
        _lanes_backward(xl, yl, n, m, d, band, W, below, s0, s1, erows, gxl, gyl, costs, kind)
        memcpy(below, W, 2 * m * nl * sizeof(floating))
        s0 -= block


def groups_value_grad(const floating[:, ::1] X, const Py_ssize_t[::1] xoff,  # IN
                      const floating[:, ::1] Y, const Py_ssize_t[::1] yoff,  # IN
                      const Py_ssize_t[::1] order,                           # IN
                      const Py_ssize_t[::1] starts,                          # IN
                      double gamma, Py_ssize_t radius, double slope, Py_ssize_t block,
                      int n_threads,
                      floating[::1] values,                                  # OUT
                      floating[:, ::1] gX, floating[:, ::1] gY,              # OUT
                      int cost=SDTW_SQEUCLIDEAN):
    """`batch_value_grad` in the exp domain with pairs in SIMD lanes.

    The pairs ``(X[k], Y[k])`` are taken in the ``order`` given, in groups
    ``order[starts[g]:starts[g + 1]]`` of at most `N_LANES` (float64) or
    `N_LANES_FLOAT32` pairs of equal lengths. The weights are kept for
    ``block`` rows at a time (see `_lanes_value_grad`; all rows when
    ``block`` is at least the longest length).
    """
    cdef Py_ssize_t g, a, p, n, m, count, i, k, l, n_groups = starts.shape[0] - 1
    cdef Py_ssize_t d = X.shape[1], max_n = _max_len(xoff), max_m = _max_len(yoff)
    cdef Py_ssize_t nl = _BLOCK_BYTES // sizeof(floating)
    cdef Py_ssize_t n_ckpt = max_n // block if block < max_n else 0
    cdef bint want_x = gX.shape[0] > 0, want_y = gY.shape[0] > 0
    cdef floating* mem
    cdef floating* buf
    cdef floating* xl
    cdef floating* yl
    cdef floating* gxl
    cdef floating* gyl
    cdef floating* rows
    cdef floating* W
    cdef floating* ckpt
    cdef floating* res
    cdef Py_ssize_t* band_rows
    cdef unsigned int fp_mode
    cdef sdtw_call call
    block = min(block, max_n)
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        mem = <floating*> calloc((2 * (max_n + max_m) * d + (6 + 2 * n_ckpt) * (max_m + 1)
                                  + 2 * (block + 1) * max_m + 2 + _COST_ROWS * max_m) * nl
                                 + _ALIGN_PAD, sizeof(double))
        band_rows = <Py_ssize_t*> calloc(2 * max_n + 1, sizeof(Py_ssize_t))
        if mem == NULL or band_rows == NULL:
            sdtw_fail()
        fp_mode = sdtw_flush_subnormals()  # restored below, before this thread ends
        buf = _aligned(mem)
        _nan_guard(buf + (2 * (max_n + max_m) * d + (6 + 2 * n_ckpt) * (max_m + 1)
                          + 2 * (block + 1) * max_m) * nl, nl)
        g = sdtw_take(n_groups)
        while g < n_groups:
            xl = buf
            yl = xl + max_n * d * nl
            gxl = yl + max_m * d * nl
            gyl = gxl + max_n * d * nl
            rows = gyl + max_m * d * nl
            ckpt = rows + 6 * (max_m + 1) * nl
            W = ckpt + 2 * n_ckpt * (max_m + 1) * nl
            res = W + (2 * (block + 1) * max_m + 1) * nl  # after the guard
            a = starts[g]
            count = starts[g + 1] - a
            n = xoff[order[a] + 1] - xoff[order[a]]
            m = yoff[order[a] + 1] - yoff[order[a]]
            _lanes_gather(X, xoff, &order[a], count, xl)
            _lanes_gather(Y, yoff, &order[a], count, yl)
            memset(gxl, 0, (max_n + max_m) * d * nl * sizeof(floating))
            if cost == SDTW_ABS:
                _lanes_value_grad(xl, yl, n, m, d, gamma,
                                  _pair_rows(n, m, radius, slope, band_rows),
                                  block, rows, W, ckpt, res, gxl if want_x else NULL,
                                  gyl if want_y else NULL, NULL, NULL, <Abs*> NULL)
            else:
                _lanes_value_grad(xl, yl, n, m, d, gamma,
                                  _pair_rows(n, m, radius, slope, band_rows),
                                  block, rows, W, ckpt, res, gxl if want_x else NULL,
                                  gyl if want_y else NULL, NULL, res + nl, <SqEuclidean*> NULL)
            for l in range(count):
                p = order[a + l]
                values[p] = res[l]
                if want_x:
                    for i in range(n):
                        for k in range(d):
                            gX[xoff[p] + i, k] = gxl[(i * d + k) * nl + l]
                if want_y:
                    for i in range(m):
                        for k in range(d):
                            gY[yoff[p] + i, k] = gyl[(i * d + k) * nl + l]
            g = sdtw_take(n_groups)
        free(mem)
        free(band_rows)
        sdtw_restore_fp_mode(fp_mode)
        sdtw_leave()
    raise_if_stopped(&call)


def groups_cost(const floating[:, :, ::1] D,              # IN
                const Py_ssize_t[:, ::1] lengths,         # IN
                const Py_ssize_t[::1] order,               # IN
                const Py_ssize_t[::1] starts,              # IN
                double gamma, Py_ssize_t radius, double slope, Py_ssize_t block,
                int n_threads,
                floating[::1] values,                      # OUT
                floating[:, :, ::1] E):                    # OUT
    """`batch_cost` in the exp domain with pairs in SIMD lanes.

    The cost matrices ``D[k, :n_k, :m_k]`` are taken in the ``order`` given,
    in groups ``order[starts[g]:starts[g + 1]]`` of at most `N_LANES`
    (float64) or `N_LANES_FLOAT32` pairs of equal lengths. ``E`` as in
    `batch_cost` (zeroed by the caller, ``(0, 0, 0)`` for values only); the
    weights are kept for ``block`` rows at a time (see `_lanes_value_grad`).
    """
    cdef Py_ssize_t g, a, p, n, m, count, l, n_groups = starts.shape[0] - 1
    cdef Py_ssize_t nl = _BLOCK_BYTES // sizeof(floating)
    cdef Py_ssize_t max_n = 0, max_m = 0, n_ckpt
    cdef bint want_E = E.shape[0] > 0
    cdef floating* mem
    cdef floating* buf
    cdef floating* rows
    cdef floating* W
    cdef floating* ckpt
    cdef floating* res
    cdef LaneCosts* costs
    cdef Py_ssize_t* band_rows
    cdef const Py_ssize_t* band
    cdef unsigned int fp_mode
    cdef sdtw_call call
    for p in range(lengths.shape[0]):
        max_n = max(max_n, lengths[p, 0])
        max_m = max(max_m, lengths[p, 1])
    block = min(block, max_n)
    n_ckpt = max_n // block if want_E and block < max_n else 0
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        mem = <floating*> calloc(((7 + 2 * n_ckpt) * (max_m + 1) + 2
                                  + (2 * (block + 1) * max_m if want_E else 0)) * nl
                                 + _ALIGN_PAD, sizeof(double))
        costs = <LaneCosts*> calloc(1, sizeof(LaneCosts))
        band_rows = <Py_ssize_t*> calloc(2 * max_n + 1, sizeof(Py_ssize_t))
        if mem == NULL or costs == NULL or band_rows == NULL:
            sdtw_fail()
        fp_mode = sdtw_flush_subnormals()  # restored below, before this thread ends
        buf = _aligned(mem)
        _nan_guard(buf + ((7 + 2 * n_ckpt) * (max_m + 1) + 1
                          + (2 * (block + 1) * max_m if want_E else 0)) * nl, nl)
        g = sdtw_take(n_groups)
        while g < n_groups:
            rows = buf
            costs.buf = rows + 6 * (max_m + 1) * nl
            res = rows + 7 * (max_m + 1) * nl
            ckpt = res + nl
            W = ckpt + 2 * n_ckpt * (max_m + 1) * nl
            a = starts[g]
            count = starts[g + 1] - a
            n = lengths[order[a], 0]
            m = lengths[order[a], 1]
            costs.ld = D.shape[2]
            for l in range(nl):  # lanes past count repeat the last pair, unwritten
                p = order[a + min(l, count - 1)]
                costs.D[l] = &D[p, 0, 0]
                costs.E[l] = &E[p, 0, 0] if want_E and l < count else NULL
            band = _pair_rows(n, m, radius, slope, band_rows)
            if want_E:
                _lanes_value_grad(<floating*> NULL, <floating*> NULL, n, m, 0, gamma, band,
                                  block, rows, W, ckpt, res, NULL, NULL, costs, NULL,
                                  <SqEuclidean*> NULL)
            else:
                _lanes_start(rows, m)
                _lanes_forward(<floating*> NULL, <floating*> NULL, n, m, 0, gamma, band,
                               rows, res, NULL, NULL, 0, n, NULL, 0, costs, NULL,
                               <SqEuclidean*> NULL)
            for l in range(count):
                values[order[a + l]] = res[l]
            g = sdtw_take(n_groups)
        free(mem)
        free(costs)
        free(band_rows)
        sdtw_restore_fp_mode(fp_mode)
        sdtw_leave()
    raise_if_stopped(&call)


# --- Hard-DTW paths in SIMD lanes ----------------------------------------------
#
# At gamma = 0 the expected alignment is the indicator of the optimal path:
# the gradients, and the sums of a DBA step, need only that path. The forward
# pass keeps the predecessor each cell takes (one byte per cell and lane, not
# the 16 bytes of the soft weights), and a walk back along each lane's path
# accumulates the Jacobian product of the cost along it.

cdef void _lanes_backtrack(const unsigned char* ch, const double* xl, const double* yl,
                           Py_ssize_t n, Py_ssize_t m, Py_ssize_t d, const Py_ssize_t* ends,
                           double* gxl, double* gyl, double* cxl,
                           costfn* kind) noexcept nogil:
    """Add, for every cell ``(i, j)`` of the optimal path of each lane, the
    derivative of the cost ``kind`` w.r.t. ``x_i`` (``2 (x_i - y_j)``, squared
    Euclidean) to the gradient of ``x_i`` in ``gxl``, its opposite to the one
    of ``y_j`` in ``gyl`` and 1 to the count of ``x_i`` in ``cxl``.

    ``ch`` as left by `_lanes_hard_forward` for lengths ``(n, m)``, lane ``l``
    ending at ``(ends[l] - 1, ends[LANES + l] - 1)``; data, gradients and
    counts laid out ``[i][k][lane]`` (counts: ``[i][lane]``); any output may be NULL.
    The lanes walk up together, row by row, so that they read the predecessors of
    one row at a time.
    """
    cdef Py_ssize_t i, j, k, l
    cdef Py_ssize_t col[LANES]
    cdef unsigned char step
    cdef double t
    for l in range(LANES):
        col[l] = -1
    for i in range(n - 1, -1, -1):
        for l in range(LANES):
            if ends[l] == i + 1:
                col[l] = ends[LANES + l] - 1
            j = col[l]
            while j >= 0:
                for k in range(d):
                    t = xl[(i * d + k) * LANES + l] - yl[(j * d + k) * LANES + l]
                    t = sdtw_abs_dterm(t) if costfn is Abs else sdtw_sqeuclidean_dterm(t)
                    if gxl != NULL:
                        gxl[(i * d + k) * LANES + l] += t
                    if gyl != NULL:
                        gyl[(j * d + k) * LANES + l] -= t
                if cxl != NULL:
                    cxl[i * LANES + l] += 1.0
                step = ch[(i * m + j) * LANES + l]
                if step != 1:  # diagonal or left: column j - 1
                    j -= 1
                if step != 2:  # diagonal or up: row i - 1
                    break
            col[l] = j


def groups_hard_paths(const double[:, ::1] X, const Py_ssize_t[::1] xoff,  # IN
                      const double[:, ::1] Y, const Py_ssize_t[::1] yoff,  # IN
                      const Py_ssize_t[::1] order,                         # IN
                      const Py_ssize_t[::1] starts,                        # IN
                      Py_ssize_t radius, double slope, int n_threads,
                      double[::1] values,                                  # OUT
                      double[:, ::1] gX, double[:, ::1] gY,                # OUT
                      double[::1] counts,                                  # OUT
                      int cost=SDTW_SQEUCLIDEAN):
    """`batch_value_grad` at gamma = 0 with pairs in SIMD lanes, and the
    optimal paths' counts: ``counts[xoff[k] + i]`` points of ``Y[k]`` are
    aligned to ``X[k][i]``.

    The pairs ``(X[k], Y[k])`` are taken in the ``order`` given, in groups
    ``order[starts[g]:starts[g + 1]]`` of at most LANES pairs, padded to the
    longest of them when their lengths differ (then only without a band: ``radius
    < 0``, ``slope = 0``).
    Outputs are written, not added to; an empty one (``(0, d)`` or ``(0,)``)
    is skipped.
    """
    cdef Py_ssize_t g, a, p, n, m, count, i, k, l, n_groups = starts.shape[0] - 1
    cdef Py_ssize_t d = X.shape[1], max_n = _max_len(xoff), max_m = _max_len(yoff)
    cdef Py_ssize_t max_nm = 0
    cdef bint want_x = gX.shape[0] > 0, want_y = gY.shape[0] > 0
    cdef bint want_c = counts.shape[0] > 0
    cdef double* mem
    cdef double* xl
    cdef double* yl
    cdef double* gxl
    cdef double* gyl
    cdef double* cxl
    cdef double* rows
    cdef double* res
    cdef unsigned char* ch
    cdef Py_ssize_t* ends
    cdef const Py_ssize_t* band
    cdef sdtw_call call
    for g in range(n_groups):  # the padded cells of the largest group
        n = 0
        m = 0
        for p in range(starts[g], starts[g + 1]):
            n = max(n, xoff[order[p] + 1] - xoff[order[p]])
            m = max(m, yoff[order[p] + 1] - yoff[order[p]])
        max_nm = max(max_nm, n * m)
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        mem = <double*> calloc((2 * (max_n + max_m) * d + max_n + 2 * (max_m + 1) + 1)
                               * LANES + _ALIGN_PAD, sizeof(double))
        ch = <unsigned char*> calloc(max_nm * LANES, 1)
        ends = <Py_ssize_t*> calloc(2 * LANES + 2 * max_n, sizeof(Py_ssize_t))  # + the band
        if mem == NULL or ch == NULL or ends == NULL:
            sdtw_fail()
        g = sdtw_take(n_groups)
        while g < n_groups:
            xl = _aligned(mem)
            yl = xl + max_n * d * LANES
            gxl = yl + max_m * d * LANES
            gyl = gxl + max_n * d * LANES
            cxl = gyl + max_m * d * LANES
            rows = cxl + max_n * LANES
            res = rows + 2 * (max_m + 1) * LANES
            a = starts[g]
            count = starts[g + 1] - a
            n = 0
            m = 0
            for l in range(LANES):  # lanes past count repeat the last pair
                p = order[a + min(l, count - 1)]
                ends[l] = xoff[p + 1] - xoff[p]
                ends[LANES + l] = yoff[p + 1] - yoff[p]
                n = max(n, ends[l])
                m = max(m, ends[LANES + l])
            _lanes_gather(X, xoff, &order[a], count, xl)
            _lanes_gather(Y, yoff, &order[a], count, yl)
            memset(gxl, 0, ((max_n + max_m) * d + max_n) * LANES * sizeof(double))
            band = _pair_rows(n, m, radius, slope, ends + 2 * LANES)
            if cost == SDTW_ABS:
                _lanes_hard_forward(xl, yl, n, m, d, band, rows, res, ends, ch, <Abs*> NULL)
                _lanes_backtrack(ch, xl, yl, n, m, d, ends, gxl if want_x else NULL,
                                 gyl if want_y else NULL, cxl if want_c else NULL, <Abs*> NULL)
            else:
                _lanes_hard_forward(xl, yl, n, m, d, band, rows, res, ends, ch,
                                    <SqEuclidean*> NULL)
                _lanes_backtrack(ch, xl, yl, n, m, d, ends, gxl if want_x else NULL,
                                 gyl if want_y else NULL, cxl if want_c else NULL,
                                 <SqEuclidean*> NULL)
            for l in range(count):
                p = order[a + l]
                values[p] = res[l]
                if want_x:
                    for i in range(ends[l]):
                        for k in range(d):
                            gX[xoff[p] + i, k] = gxl[(i * d + k) * LANES + l]
                if want_y:
                    for i in range(ends[LANES + l]):
                        for k in range(d):
                            gY[yoff[p] + i, k] = gyl[(i * d + k) * LANES + l]
                if want_c:
                    for i in range(ends[l]):
                        counts[xoff[p] + i] = cxl[i * LANES + l]
            g = sdtw_take(n_groups)
        free(mem)
        free(ch)
        free(ends)
        sdtw_leave()
    raise_if_stopped(&call)


cdef inline Py_ssize_t _max_len(const Py_ssize_t[::1] off) noexcept nogil:
    cdef Py_ssize_t k, best = 0
    for k in range(off.shape[0] - 1):
        best = max(best, off[k + 1] - off[k])
    return best


cdef struct Workspace:
    # Per-thread buffers for one pair of lengths up to (max_n, max_m).
    double* rows      # 2 (m + 1): R or alpha rows
    double* erows     # 2 (m + 1): exponents of alpha rows
    double* brows     # 2 (m + 1): E rows
    double* cost      # m + 1: a cost row
    double* gf        # m + 1: a row of g = exp(-cost / gamma) (exp domain)
    double* ge        # m + 1
    double* W         # 3 (cells of a segment): soft-min weights
    double* W_below   # 3 m: weights of the row below a segment
    double* ckpt      # 2 (m + 1) per checkpoint row
    Py_ssize_t* band  # 2 n: the band of the pair (see _band.pxd)


cdef void _ws_free(Workspace* ws) noexcept nogil:
    if ws == NULL:
        return
    free(ws.rows)
    free(ws.erows)
    free(ws.brows)
    free(ws.cost)
    free(ws.gf)
    free(ws.ge)
    free(ws.W)
    free(ws.W_below)
    free(ws.ckpt)
    free(ws.band)
    free(ws)


cdef Workspace* _ws_new(const Py_ssize_t* lengths_x, const Py_ssize_t* lengths_y,
                        Py_ssize_t count, Py_ssize_t stride, const unsigned char* skip,
                        bint grad) noexcept nogil:
    """Allocate what the largest pair ``(lengths_x[k stride], lengths_y[k stride])``,
    ``k < count``, needs, leaving out the pairs with ``skip[k]`` (``skip`` may be NULL).

    NULL when memory is short. Called inside ``parallel()`` blocks, where
    assigning the returned pointer makes it private to each thread.
    """
    cdef Py_ssize_t k, n, m, seg, max_n = 0, max_m = 0, max_w = 0, max_ckpt = 0
    cdef Workspace* ws = <Workspace*> calloc(1, sizeof(Workspace))
    if ws == NULL:
        return NULL
    for k in range(count):
        if skip != NULL and skip[k]:
            continue
        n = lengths_x[k * stride]
        m = lengths_y[k * stride]
        max_n = max(max_n, n)
        max_m = max(max_m, m)
        if grad:
            seg = _segment_rows(n, m)
            max_w = max(max_w, seg * m)
            if seg < n:
                max_ckpt = max(max_ckpt, (n // seg) * 2 * (m + 1))
    ws.rows = <double*> calloc(2 * (max_m + 1), sizeof(double))
    ws.erows = <double*> calloc(2 * (max_m + 1), sizeof(double))
    ws.brows = <double*> calloc(2 * (max_m + 1), sizeof(double))
    ws.cost = <double*> calloc(max_m + 1, sizeof(double))
    ws.gf = <double*> calloc(max_m + 1, sizeof(double))
    ws.ge = <double*> calloc(max_m + 1, sizeof(double))
    ws.band = <Py_ssize_t*> calloc(2 * max_n + 1, sizeof(Py_ssize_t))
    if grad:
        ws.W = <double*> calloc(3 * max_w, sizeof(double))
        ws.W_below = <double*> calloc(3 * max_m, sizeof(double))
        ws.ckpt = <double*> calloc(max_ckpt, sizeof(double))
    if ws.rows == NULL or ws.erows == NULL or ws.brows == NULL or ws.cost == NULL \
            or ws.gf == NULL or ws.ge == NULL or ws.band == NULL \
            or (grad and (ws.W == NULL or ws.W_below == NULL or ws.ckpt == NULL)):
        _ws_free(ws)
        return NULL
    return ws


cdef double _pair(const double* x, const double* y, const double* D, Py_ssize_t ld,
                  Py_ssize_t n, Py_ssize_t m, Py_ssize_t d, int kind, double gamma,
                  const Py_ssize_t* band, bint exp_domain, Workspace* ws,
                  bint grad, double* E, double* gx, double* gy) noexcept nogil:
    """Value of one pair and, when ``grad``, E and/or its products with the cost.

    The cost is ``D`` (and E, when not NULL, is written) with rows ``ld``
    apart when not NULL, else the cost ``kind`` (_costs.h) of
    ``x`` and ``y``. Either forward pass (exp domain, the fast path for
    ``gamma > 0``, or log domain, also hard DTW at ``gamma = 0``) leaves the
    soft-min weights for the one backward pass; a long pair keeps checkpoint
    rows and recomputes the weights segment by segment, bottom first.
    """
    cdef bint expd = exp_domain and gamma > 0.0
    cdef Py_ssize_t s0, s1, seg = _segment_rows(n, m) if grad else n
    cdef double value
    _forward_start(ws.rows, ws.erows, m, expd)
    _forward_rows(x, y, D, ld, n, m, d, kind, gamma, band, expd, 0, n, ws.rows, ws.erows,
                  ws.cost, ws.gf, ws.ge, ws.W if grad and seg == n else NULL,
                  ws.ckpt if grad and seg < n else NULL, seg)
    value = _forward_value(ws.rows, ws.erows, m, gamma, expd)
    if not grad:
        return value
    memset(ws.brows, 0, 2 * (m + 1) * sizeof(double))
    if seg == n:
        _backward_rows(ws.W, NULL, 0, n, n, m, band, ws.brows, E, ld, x, y, d, kind, gx, gy)
        return value
    s0 = ((n - 1) // seg) * seg
    while s0 >= 0:
        s1 = min(n, s0 + seg)
        if s0 == 0:
            _forward_start(ws.rows, ws.erows, m, expd)
        else:
            memcpy(ws.rows, ws.ckpt + 2 * (m + 1) * (s0 // seg - 1), (m + 1) * sizeof(double))
            memcpy(ws.erows, ws.ckpt + 2 * (m + 1) * (s0 // seg - 1) + (m + 1),
                   (m + 1) * sizeof(double))
        _forward_rows(x, y, D, ld, n, m, d, kind, gamma, band, expd, s0, s1, ws.rows, ws.erows,
                      ws.cost, ws.gf, ws.ge, ws.W, NULL, seg)
        _backward_rows(ws.W, ws.W_below, s0, s1, n, m, band, ws.brows, E, ld, x, y, d,
                       kind, gx, gy)
        memcpy(ws.W_below, ws.W, 3 * m * sizeof(double))
        s0 -= seg
    return value


cdef void _wavefront_hard_step(const double* c, const double* r2, const double* r1,
                               double* r0, Py_ssize_t count, double* w) noexcept nogil:
    """`_wavefront_step` for hard DTW: ``r0 = c + min(r2, r1[t], r1[t + 1])``.

    The weights are those of `_softmin3_w` at gamma = 0: all on one
    minimiser, the diagonal first, then up.
    """
    cdef Py_ssize_t t
    cdef double mn, wd, wu
    for t in range(count):
        mn = min(r2[t], min(r1[t], r1[t + 1]))
        r0[t] = c[t] + mn
        if w != NULL:
            wd = 1.0 if (r2[t] == mn and mn < INFINITY) else 0.0
            wu = 1.0 if (r1[t] == mn and mn < INFINITY and wd == 0.0) else 0.0
            w[t] = wd
            w[count + t] = wu
            w[2 * count + t] = 1.0 if (wd == 0.0 and wu == 0.0 and mn < INFINITY) else 0.0


cdef double _wavefront_value(const double* x, const double* yr, Py_ssize_t n,
                             Py_ssize_t m, Py_ssize_t d, int kind, double gamma,
                             double* buf, double* W, const double* D,
                             Py_ssize_t ld) noexcept nogil:
    """Soft-DTW value of one long pair, anti-diagonal by anti-diagonal; hard DTW at gamma = 0.

    The cells of an anti-diagonal ``i + j = k`` depend only on the two
    previous anti-diagonals, so the loop over them has no dependency chain and
    compilers vectorize it: the single-pair counterpart of the lanes. The
    series are laid out dimension by dimension (``x[c n + i]``) and ``yr`` is
    ``y`` reversed, so that ``y_{k - i}`` is contiguous in ``i``; no band.
    ``buf`` holds ``8 (n + 2)`` doubles: three anti-diagonals of alpha
    (mantissas and exponents), entry ``i + 1`` for row ``i`` and entry 0 for
    row -1, and one of g (mantissas and exponents). When ``W`` is not NULL it
    receives the soft-min weights of every cell (``3 n m`` doubles), the
    anti-diagonals one after the other as laid out by `_wavefront_step`.
    When ``D`` is not NULL, the costs are read from that ``n x m`` matrix
    (rows ``ld`` apart) instead of computed (the cost ``kind``) from ``x`` and ``yr``.
    """
    _wavefront_start(buf, n, gamma)
    _wavefront_forward(x, yr, n, m, d, kind, gamma, buf, W, D, ld, 0, n + m - 1)
    return _wavefront_result(buf, n, gamma)


cdef void _wavefront_start(double* buf, Py_ssize_t n, double gamma) noexcept nogil:
    """The state of `_wavefront_forward` before anti-diagonal 0."""
    cdef Py_ssize_t i, w = n + 2
    # hard DTW: f holds R itself and an outside cell reads R = +inf
    cdef double outside = 0.0 if gamma > 0.0 else INFINITY
    for i in range(6 * w):
        buf[i] = outside if (i // w) % 2 == 0 else SDTW_ZERO_EXP
    buf[2 * w] = 1.0 if gamma > 0.0 else 0.0  # alpha(-1, -1) or R(-1, -1), seen from k = 0
    buf[3 * w] = 0.0


cdef inline double _wavefront_result(const double* buf, Py_ssize_t n,
                                     double gamma) noexcept nogil:
    """The value from the state after the last anti-diagonal."""
    if gamma == 0.0:
        return buf[2 * (n + 2) + n]
    return -gamma * (buf[3 * (n + 2) + n] * LN2 + log(buf[2 * (n + 2) + n]))


cdef void _wavefront_forward(const double* x, const double* yr, Py_ssize_t n,
                             Py_ssize_t m, Py_ssize_t d, int kind, double gamma,
                             double* buf, double* W, const double* D,
                             Py_ssize_t ld, Py_ssize_t k0, Py_ssize_t k1,
                             bint tri=False) noexcept nogil:
    """Anti-diagonals ``k0`` to ``k1 - 1`` of `_wavefront_value`.

    ``buf`` holds anti-diagonals ``k0 - 2`` and ``k0 - 1`` (mantissas, then
    exponents, ``n + 2`` doubles each) on entry and ``k1 - 2`` and ``k1 - 1``
    on exit: a checkpoint is a copy of its first ``4 (n + 2)`` doubles. ``W``
    receives the weights of anti-diagonal ``k0`` first.

    With ``tri``, the pair is a series with itself (``n = m``, ``yr`` its
    reverse) and only the cells ``i >= j`` are computed (and weighed): the
    cost matrix is symmetric, and so is the recursion. The cell ``(i, i)``
    reads its upper predecessor ``(i - 1, i)`` as its mirror, the left one.
    """
    cdef Py_ssize_t k, i, t, lo, hi, w = n + 2, off = 0
    cdef double scale = 1.0 / (gamma * LN2) if gamma > 0.0 else 0.0
    cdef double* f2 = buf            # anti-diagonal k - 2
    cdef double* e2 = buf + w
    cdef double* f1 = buf + 2 * w    # k - 1
    cdef double* e1 = buf + 3 * w
    cdef double* f0 = buf + 4 * w    # k
    cdef double* e0 = buf + 5 * w
    cdef double* c = buf + 6 * w
    cdef double* cg = buf + 7 * w
    cdef double* tmp
    # hard DTW: f holds R itself and an outside cell reads R = +inf
    cdef double outside = 0.0 if gamma > 0.0 else INFINITY
    for k in range(k0, k1):
        lo = _diagonal_lo(k, n, m, tri)
        hi = min(n - 1, k)
        if sdtw_stop(hi + 1 - lo):
            break
        if tri and k % 2 == 0 and k > 0:  # row lo - 1 of k - 1 mirrors row lo
            f1[lo] = f1[lo + 1]
            e1[lo] = e1[lo + 1]
        # cells outside [lo, hi] read as alpha = 0 by the next two diagonals
        f0[lo] = outside
        e0[lo] = SDTW_ZERO_EXP
        f0[hi + 2] = outside
        e0[hi + 2] = SDTW_ZERO_EXP
        t = m - 1 - k  # yr[t + i] = y[k - i]
        if D != NULL:
            for i in range(lo, hi + 1):
                c[i] = D[i * ld + k - i]
        else:
            _cost_diagonal(kind, x, yr, n, m, d, t, lo, hi + 1, c)
        if gamma > 0.0:
            _wavefront_step(c + lo, NULL, scale, f2 + lo, e2 + lo, f1 + lo, e1 + lo,
                            f0 + lo + 1, e0 + lo + 1, hi + 1 - lo,
                            W + 3 * off if W != NULL else NULL)
        else:
            _wavefront_hard_step(c + lo, f2 + lo, f1 + lo, f0 + lo + 1, hi + 1 - lo,
                                 W + 3 * off if W != NULL else NULL)
        off += hi + 1 - lo
        if k == 0:
            f1[0] = outside  # the start cell is anti-diagonal -2 only
            e1[0] = SDTW_ZERO_EXP
        tmp = f2
        f2 = f1
        f1 = f0
        f0 = tmp
        tmp = e2
        e2 = e1
        e1 = e0
        e0 = tmp
    # back to the layout of the entry: k1 - 1 in the scratch of the costs first
    memcpy(c, f1, w * sizeof(double))
    memcpy(cg, e1, w * sizeof(double))
    if f2 != buf:
        memcpy(buf, f2, w * sizeof(double))
        memcpy(buf + w, e2, w * sizeof(double))
    memcpy(buf + 2 * w, c, w * sizeof(double))
    memcpy(buf + 3 * w, cg, w * sizeof(double))


cdef void _wavefront_backward(const double* x, const double* yr, Py_ssize_t n,
                              Py_ssize_t m, Py_ssize_t d, int kind, const double* W,
                              double* buf,
                              double* gx, double* gyr, double* E,
                              Py_ssize_t ld) noexcept nogil:
    """Gradients of `_wavefront_value` from its weights ``W``, anti-diagonal by anti-diagonal.

    E on anti-diagonal ``k`` needs E on ``k + 1`` and ``k + 2`` only:
    ``E_ij = w_left(i, j+1) E_i,j+1 + w_up(i+1, j) E_i+1,j + w_diag(i+1, j+1)
    E_i+1,j+1``. The gradients w.r.t. ``x`` and the reversed ``y`` are added
    to ``gx`` and ``gyr`` (zeroed by the caller; ``gyr`` NULL: none), all in the layouts of
    `_wavefront_value`. ``buf`` holds ``4 (n + 2)``
    doubles; ``W`` must be readable one anti-diagonal (``n + 2`` doubles)
    beyond both ends: those reads only meet E = 0. When ``E`` is not NULL,
    the expected alignment is written there instead (``n x m``, rows ``ld``
    apart, every entry) and no gradient is computed.
    """
    memset(buf, 0, 3 * (n + 2) * sizeof(double))
    _wavefront_backward_part(x, yr, n, m, d, kind, W, buf, gx, gyr, E, ld, 0, n + m - 1)


cdef inline Py_ssize_t _diagonal_lo(Py_ssize_t k, Py_ssize_t n, Py_ssize_t m,
                                    bint tri=False) noexcept nogil:
    """The first row on anti-diagonal ``k``, ``n`` past the last one; with
    ``tri``, of the cells ``i >= j`` (see `_wavefront_forward`)."""
    if k >= n + m - 1:
        return n
    return max(max(0, k - m + 1), (k + 1) // 2 if tri else 0)


cdef inline Py_ssize_t _diagonal_cells(Py_ssize_t k, Py_ssize_t n, Py_ssize_t m,
                                       bint tri=False) noexcept nogil:
    """The number of cells on anti-diagonal ``k`` (0 past the last one)."""
    return min(n - 1, k) + 1 - _diagonal_lo(k, n, m, tri) if k < n + m - 1 else 0


cdef void _wavefront_backward_part(const double* x, const double* yr, Py_ssize_t n,
                                   Py_ssize_t m, Py_ssize_t d, int kind, const double* W,
                                   double* buf,
                                   double* gx, double* gyr, double* E, Py_ssize_t ld,
                                   Py_ssize_t k0, Py_ssize_t k1,
                                   bint tri=False) noexcept nogil:
    """Anti-diagonals ``k1 - 1`` down to ``k0`` of `_wavefront_backward`.

    ``W`` holds the weights of anti-diagonals ``k0`` to ``k1 + 1`` (those
    that exist), anti-diagonal ``k0`` first. ``buf`` holds E on
    anti-diagonals ``k1 + 1`` and ``k1`` (``n + 2`` doubles each, zeros past
    the last one) on entry, ``k0 + 1`` and ``k0`` on exit, and ``n + 2``
    more doubles of scratch. With ``tri``, over the cells ``i >= j`` of a
    series with itself (see `_wavefront_forward`): E is symmetric, the
    successor ``(i, i + 1)`` of a cell ``(i, i)`` mirrors ``(i + 1, i)``, and
    the gradients of the triangle w.r.t. ``x`` and ``yr`` add up to the
    gradient of soft-DTW w.r.t. its first argument.
    """
    cdef Py_ssize_t k, i, t, lo, hi, w = n + 2, off1 = 0
    cdef Py_ssize_t cnt1, cnt2, lo1, lo2, off2
    cdef double* b2 = buf            # E of anti-diagonal k + 2, entry i + 1 for row i
    cdef double* b1 = buf + w        # k + 1
    cdef double* b0 = buf + 2 * w    # k
    cdef double* tmp
    cdef const double* wl
    cdef const double* wu
    cdef const double* wd
    for k in range(k0, k1):
        off1 += _diagonal_cells(k, n, m, tri)
    cnt1 = _diagonal_cells(k1, n, m, tri)
    lo1 = _diagonal_lo(k1, n, m, tri)
    off2 = off1 + cnt1
    cnt2 = _diagonal_cells(k1 + 1, n, m, tri)
    lo2 = _diagonal_lo(k1 + 1, n, m, tri)
    for k in range(k1 - 1, k0 - 1, -1):
        lo = _diagonal_lo(k, n, m, tri)
        hi = min(n - 1, k)
        if sdtw_stop(hi + 1 - lo):
            break
        b0[lo] = 0.0
        b0[hi + 2] = 0.0
        if k == n + m - 2:
            b0[n] = 1.0
        else:
            # row i of anti-diagonal k + 1 is at wl[i], of k + 2 at wd[i]
            wl = W + 3 * off1 + 2 * cnt1 - lo1
            wu = W + 3 * off1 + cnt1 - lo1
            wd = W + 3 * off2 - lo2
            for i in range(lo, hi + 1):
                b0[i + 1] = min(1.0, wl[i] * b1[i + 1] + wu[i + 1] * b1[i + 2]
                                + wd[i + 1] * b2[i + 2])
            if tri and k % 2 == 0:  # (i, i): its right successor is its lower one
                b0[lo + 1] = min(1.0, 2.0 * wu[lo + 1] * b1[lo + 2] + wd[lo + 1] * b2[lo + 2])
        t = m - 1 - k  # yr[t + i] = y[k - i]
        if E != NULL:
            for i in range(lo, hi + 1):
                E[i * ld + k - i] = b0[i + 1]
        else:
            _cost_diagonal_jvp(kind, b0 + 1, x, yr, n, m, d, t, lo, hi + 1, gx, gyr)
        off2 = off1
        cnt2 = cnt1
        lo2 = lo1
        cnt1 = hi + 1 - lo
        off1 -= cnt1
        lo1 = lo
        tmp = b2
        b2 = b1
        b1 = b0
        b0 = tmp
    # back to the layout of the entry: k0 in the scratch first
    memcpy(buf + 3 * w, b1, w * sizeof(double))
    if b2 != buf:
        memcpy(buf, b2, w * sizeof(double))
    memcpy(buf + w, buf + 3 * w, w * sizeof(double))


def wavefront_value(const double[:, ::1] x, const double[:, ::1] y, double gamma,
                    int cost=SDTW_SQEUCLIDEAN):
    """Exp-domain soft-DTW value of one pair (no band) by anti-diagonals."""
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], d = x.shape[1]
    cdef const double[:, ::1] xt = np.ascontiguousarray(np.asarray(x).T)
    cdef const double[:, ::1] yrt = np.ascontiguousarray(np.asarray(y)[::-1].T)
    cdef double[::1] buf = np.empty(8 * (n + 2))
    cdef double value
    cdef sdtw_call call
    sdtw_call_init(&call)
    with nogil:
        sdtw_join(&call)
        value = _wavefront_value(&xt[0, 0], &yrt[0, 0], n, m, d, cost, gamma, &buf[0], NULL,
                                 NULL, 0)
        sdtw_leave()
    raise_if_stopped(&call)
    return value


cdef inline Py_ssize_t _wavefront_work(Py_ssize_t max_n, Py_ssize_t max_m,
                                       Py_ssize_t max_w, Py_ssize_t d) noexcept nogil:
    """Doubles of one thread's workspace in `batch_wavefront_value_grad`, for
    pairs whose weights (and checkpoints) take up to ``max_w`` doubles."""
    return max_w + 10 * (max_n + 2) + 2 * d * (max_n + max_m)


cdef inline Py_ssize_t _wavefront_segment(Py_ssize_t n, Py_ssize_t m) noexcept nogil:
    """Anti-diagonals per segment of the backward pass of a pair: all of them,
    or, beyond MAX_FULL_CELLS cells, as many as keep the weights of the
    segment and of the two anti-diagonals after it within SEGMENT_CELLS (at
    most MAX_FULL_CELLS) cells."""
    if n * m <= MAX_FULL_CELLS:
        return n + m - 1
    return max(1, min(SEGMENT_CELLS, MAX_FULL_CELLS) // min(n, m) - 2)


cdef inline Py_ssize_t _wavefront_pair_work(Py_ssize_t n, Py_ssize_t m) noexcept nogil:
    """Doubles of the weights of a pair in `_wavefront_value_grad`, with its
    checkpoints and the state of its backward pass when it has segments."""
    cdef Py_ssize_t seg = _wavefront_segment(n, m), k = n + m - 1
    if seg >= k:
        return 3 * n * m
    return 3 * (seg + 2) * min(n, m) + 4 * (n + 2) * ((k + seg - 1) // seg + 1)


def wavefront_work_size(const Py_ssize_t[::1] xoff, const Py_ssize_t[::1] yoff,
                        Py_ssize_t d):
    """Doubles of one thread's workspace for the pairs ``(X[k], Y[k])``."""
    cdef Py_ssize_t k, max_w = 0
    for k in range(xoff.shape[0] - 1):
        max_w = max(max_w, _wavefront_pair_work(xoff[k + 1] - xoff[k], yoff[k + 1] - yoff[k]))
    return _wavefront_work(_max_len(xoff), _max_len(yoff), max_w, d)


cdef double _wavefront_value_grad(const double* x, const double* yr, Py_ssize_t n,
                                  Py_ssize_t m, Py_ssize_t d, int kind, double gamma,
                                  double* buf,
                                  double* W, double* gx, double* gyr) noexcept nogil:
    """`_wavefront_value` and `_wavefront_backward` of one pair.

    A pair of more than MAX_FULL_CELLS cells keeps the state of the forward
    pass every `_wavefront_segment` anti-diagonals instead of every weight;
    the backward pass then recomputes the weights of one segment at a time,
    the last first: one more forward pass, at the speed of anti-diagonals.
    ``W`` has room for `_wavefront_pair_work` doubles and ``n + 2`` before
    and after them.
    """
    cdef Py_ssize_t k = n + m - 1, seg = _wavefront_segment(n, m), w = n + 2
    cdef Py_ssize_t s, k0, k1, k2, cells, n_seg = (k + seg - 1) // seg
    cdef double value
    cdef double* ckpt = W + 3 * (seg + 2) * min(n, m) + w
    cdef double* state = ckpt + 4 * w * n_seg
    memset(W - w, 0, w * sizeof(double))
    if seg >= k:
        memset(W + 3 * n * m, 0, w * sizeof(double))
        value = _wavefront_value(x, yr, n, m, d, kind, gamma, buf, W, NULL, 0)
        _wavefront_backward(x, yr, n, m, d, kind, W, buf, gx, gyr, NULL, 0)
        return value
    _wavefront_start(buf, n, gamma)
    for s in range(n_seg):
        if sdtw_stop(0):  # (not one more copy of a checkpoint once stopped)
            return NAN
        memcpy(ckpt + 4 * w * s, buf, 4 * w * sizeof(double))
        _wavefront_forward(x, yr, n, m, d, kind, gamma, buf, NULL, NULL, 0, s * seg,
                           min(k, (s + 1) * seg))
    value = _wavefront_result(buf, n, gamma)
    memset(state, 0, 3 * w * sizeof(double))
    for s in range(n_seg - 1, -1, -1):
        if sdtw_stop(0):
            return NAN
        k0 = s * seg
        k1 = min(k, k0 + seg)
        k2 = min(k, k1 + 2)
        memcpy(buf, ckpt + 4 * w * s, 4 * w * sizeof(double))
        _wavefront_forward(x, yr, n, m, d, kind, gamma, buf, W, NULL, 0, k0, k2)
        cells = 0
        for k1 in range(k0, k2):
            cells += _diagonal_cells(k1, n, m)
        memset(W + 3 * cells, 0, w * sizeof(double))
        k1 = min(k, k0 + seg)
        _wavefront_backward_part(x, yr, n, m, d, kind, W, state, gx, gyr, NULL, 0, k0, k1)
    return value


cdef void _wavefront_layout(const double* x, const double* y, Py_ssize_t n, Py_ssize_t m,
                            Py_ssize_t d, double* xt, double* yrt) noexcept nogil:
    """One pair as the anti-diagonal kernels read it: ``x`` (``n x d``)
    transposed, ``xt[k n + i] = x[i, k]``, and ``y`` (``m x d``) reversed and
    transposed, ``yrt[k m + j] = y[m - 1 - j, k]``."""
    cdef Py_ssize_t i, j, k
    for k in range(d):
        for i in range(n):
            xt[k * n + i] = x[i * d + k]
        for j in range(m):
            yrt[k * m + j] = y[(m - 1 - j) * d + k]


def batch_wavefront_value_grad(const double[:, ::1] X, const Py_ssize_t[::1] xoff,  # IN
                               const double[:, ::1] Y, const Py_ssize_t[::1] yoff,  # IN
                               double gamma, int n_threads,
                               double[::1] work,                                    # SCRATCH
                               double[::1] values,                                  # OUT
                               double[:, ::1] gX, double[:, ::1] gY,                # OUT
                               int cost=SDTW_SQEUCLIDEAN):
    """`batch_value_grad` by anti-diagonals, exp domain, no band: pair by pair.

    For long pairs, whose weights would not fit in cache if 16 pairs ran in
    lanes. ``work`` holds ``n_threads`` times `wavefront_work_size` doubles,
    any content: callers reuse it from call to call, which saves the page
    faults of a fresh buffer (about as long as the computation itself).
    ``gX`` and ``gY`` as in `batch_value_grad`, but written, not added to.
    """
    cdef Py_ssize_t k, i, c, n, m, t, n_pairs = values.shape[0], d = X.shape[1]
    cdef Py_ssize_t size = wavefront_work_size(xoff, yoff, d)
    cdef Py_ssize_t max_n = _max_len(xoff), max_m = _max_len(yoff)
    cdef bint want_x = gX.shape[0] > 0, want_y = gY.shape[0] > 0
    cdef double* ws
    cdef double* W
    cdef double* buf
    cdef double* xt
    cdef double* yrt
    cdef double* gxt
    cdef double* gyrt
    cdef sdtw_call call
    if work.shape[0] < n_threads * size:
        raise ValueError("work is too small")
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        ws = &work[0] + threadid() * size  # each thread has its own slice
        k = sdtw_take(n_pairs)
        while k < n_pairs:
            n = xoff[k + 1] - xoff[k]
            m = yoff[k + 1] - yoff[k]
            buf = ws
            xt = buf + 8 * (max_n + 2)
            yrt = xt + d * max_n
            gxt = yrt + d * max_m
            gyrt = gxt + d * n
            W = gxt + d * (max_n + max_m) + (n + 2)  # a pad of n + 2 on both sides
            memset(gxt, 0, d * (n + m) * sizeof(double))
            _wavefront_layout(&X[xoff[k], 0], &Y[yoff[k], 0], n, m, d, xt, yrt)
            values[k] = _wavefront_value_grad(xt, yrt, n, m, d, cost, gamma, buf, W, gxt,
                                              gyrt if want_y else NULL)
            for c in range(d):
                if want_x:
                    for i in range(n):
                        gX[xoff[k] + i, c] = gxt[c * n + i]
                if want_y:
                    for t in range(m):
                        gY[yoff[k] + m - 1 - t, c] = gyrt[c * m + t]
            k = sdtw_take(n_pairs)
        sdtw_leave()
    raise_if_stopped(&call)


cdef double _self_value_grad(const double* x, const double* xr, Py_ssize_t n, Py_ssize_t d,
                             int kind, double gamma, double* buf, double* W, double* gx,
                             double* gxr) noexcept nogil:
    """Soft-DTW of a series with itself by anti-diagonals, over the cells
    ``i >= j`` only (see `_wavefront_forward`): half the cells of the pair.

    ``x`` and ``xr`` are the series and its reverse in the layouts of
    `_wavefront_value`. When ``W`` is not NULL (room for the weights of
    ``n (n + 1) / 2`` cells and ``n + 2`` doubles before and after them),
    the gradient of soft-DTW with respect to its first argument is added to
    ``gx`` and ``gxr`` (the sum of the two, ``xr`` reversed): half the
    gradient of ``r(x, x)`` with respect to ``x``.
    """
    cdef Py_ssize_t w = n + 2
    cdef double value
    _wavefront_start(buf, n, gamma)
    if W != NULL:
        memset(W - w, 0, w * sizeof(double))
        memset(W + 3 * (n * (n + 1) // 2), 0, w * sizeof(double))
    _wavefront_forward(x, xr, n, n, d, kind, gamma, buf, W, NULL, 0, 0, 2 * n - 1, True)
    value = _wavefront_result(buf, n, gamma)
    if W != NULL:
        memset(buf, 0, 3 * w * sizeof(double))
        _wavefront_backward_part(x, xr, n, n, d, kind, W, buf, gx, gxr, NULL, 0, 0, 2 * n - 1,
                                 True)
    return value


def divergence_work_size(Py_ssize_t n, Py_ssize_t m, Py_ssize_t d):
    """Doubles of the workspace of `divergence_value_grad`, for series of
    lengths ``n`` and ``m`` of ``d`` dimensions."""
    cdef Py_ssize_t w = max(n, m) + 2
    return 10 * w + 6 * d * (n + m) + 3 * max(n * m, n * (n + 1) // 2)


def divergence_value_grad(const double[:, ::1] x, const double[:, ::1] y, double gamma,
                          double[::1] work,                  # SCRATCH
                          double[:, ::1] grad,               # OUT
                          int cost=SDTW_SQEUCLIDEAN):
    """The soft-DTW divergence ``r(x, y) - (r(x, x) + r(y, y)) / 2`` and its
    gradient with respect to ``x`` (written to ``grad``, of the shape of
    ``x``), by anti-diagonals in the exp domain, no band.

    The self terms have symmetric cost matrices: `_self_value_grad` computes
    them over half their cells, and ``r(y, y)`` needs no gradient. The
    gradient of ``r(x, x)`` with respect to ``x`` is twice that with respect
    to its first argument. ``work`` holds `divergence_work_size` doubles, any
    content; the weights of no pair may need checkpoints (see
    `_wavefront_segment`). ``x = y`` gives exactly 0 and a zero gradient, as
    the three terms computed alike would (the triangles round otherwise than
    the whole pair).
    """
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], d = x.shape[1], i, c
    cdef Py_ssize_t w = max(n, m) + 2
    cdef double v_xy, v_xx, v_yy
    cdef double* buf
    cdef double* xt
    cdef double* xrt
    cdef double* yt
    cdef double* yrt
    cdef double* gxt
    cdef double* gyrt
    cdef double* sxt
    cdef double* sxrt
    cdef double* W
    cdef sdtw_call call
    if y.shape[1] != d or grad.shape[0] != n or grad.shape[1] != d:
        raise ValueError("x, y and grad must have the same dimension, grad the shape of x")
    if work.shape[0] < divergence_work_size(n, m, d):
        raise ValueError("work is too small")
    if _wavefront_segment(n, m) < n + m - 1 or _wavefront_segment(max(n, m), max(n, m)) \
            < 2 * max(n, m) - 1:
        raise ValueError("pairs this long keep checkpoints: use batch_wavefront_value_grad")
    if n == m and memcmp(&x[0, 0], &y[0, 0], n * d * sizeof(double)) == 0:
        grad[:, :] = 0.0
        return 0.0
    buf = &work[0]
    xt = buf + 8 * w
    xrt = xt + d * n
    yt = xrt + d * n
    yrt = yt + d * m
    gxt = yrt + d * m
    gyrt = gxt + d * n
    sxt = gyrt + d * m
    sxrt = sxt + d * n
    W = sxrt + d * n + w  # a pad of w on both sides
    sdtw_call_init(&call)
    with nogil:
        sdtw_join(&call)
        _wavefront_layout(&x[0, 0], &x[0, 0], n, n, d, xt, xrt)
        _wavefront_layout(&y[0, 0], &y[0, 0], m, m, d, yt, yrt)
        memset(gxt, 0, d * (3 * n + m) * sizeof(double))
        v_xy = _wavefront_value_grad(xt, yrt, n, m, d, cost, gamma, buf, W, gxt, NULL)
        v_xx = _self_value_grad(xt, xrt, n, d, cost, gamma, buf, W, sxt, sxrt)
        v_yy = _self_value_grad(yt, yrt, m, d, cost, gamma, buf, NULL, NULL, NULL)
        for i in range(n):
            for c in range(d):
                grad[i, c] = gxt[c * n + i] - (sxt[c * n + i] + sxrt[c * n + n - 1 - i])
        sdtw_leave()
    raise_if_stopped(&call)
    return v_xy - 0.5 * (v_xx + v_yy)


def pairs_value(const double[:, ::1] X, const Py_ssize_t[::1] xoff,   # IN
                const double[:, ::1] Y, const Py_ssize_t[::1] yoff,   # IN
                const Py_ssize_t[::1] pi, const Py_ssize_t[::1] pj,   # IN
                double gamma, Py_ssize_t radius, double slope, bint exp_domain,
                int n_threads,
                double[::1] out,                                      # OUT
                int cost=SDTW_SQEUCLIDEAN):
    """``out[k] = dtw_gamma(X[pi[k]], Y[pj[k]])`` in O(m) memory per thread,
    in the band of the Sakoe-Chiba ``radius`` and the Itakura ``slope``, for
    the ``cost`` of ``COSTS``."""
    cdef Py_ssize_t k, a, b, n, m, n_pairs = pi.shape[0], d = X.shape[1]
    cdef Py_ssize_t longest[2]
    cdef Workspace* ws
    cdef sdtw_call call
    longest[0] = _max_len(xoff)
    longest[1] = _max_len(yoff)
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        ws = _ws_new(&longest[0], &longest[1], 1, 1, NULL, False)
        if ws == NULL:
            sdtw_fail()
        k = sdtw_take(n_pairs)
        while k < n_pairs:
            a = pi[k]
            b = pj[k]
            n = xoff[a + 1] - xoff[a]
            m = yoff[b + 1] - yoff[b]
            out[k] = _pair(&X[xoff[a], 0], &Y[yoff[b], 0], NULL, 0, n, m, d, cost, gamma,
                           _pair_rows(n, m, radius, slope, ws.band), exp_domain, ws, False,
                           NULL, NULL, NULL)
            k = sdtw_take(n_pairs)
        _ws_free(ws)
        sdtw_leave()
    raise_if_stopped(&call)


def batch_value_grad(const double[:, ::1] X, const Py_ssize_t[::1] xoff,  # IN
                     const double[:, ::1] Y, const Py_ssize_t[::1] yoff,  # IN
                     double gamma, Py_ssize_t radius, double slope, bint exp_domain,
                     int n_threads,
                     double[::1] values,                                  # OUT
                     double[:, ::1] gX, double[:, ::1] gY,                # OUT
                     int cost=SDTW_SQEUCLIDEAN):
    """Values of the pairs ``(X[k], Y[k])`` and gradients w.r.t. ``X`` and ``Y``,
    in the band of the Sakoe-Chiba ``radius`` and the Itakura ``slope``, for
    the ``cost`` of ``COSTS``.

    ``gX`` and ``gY`` have the layouts of ``X`` and ``Y`` (zeroed by the
    caller); pass an empty ``(0, d)`` array to skip one of them.
    """
    cdef Py_ssize_t k, n, m, n_pairs = values.shape[0], d = X.shape[1]
    cdef Py_ssize_t[::1] lengths_x = np.diff(xoff), lengths_y = np.diff(yoff)
    cdef bint want_x = gX.shape[0] > 0, want_y = gY.shape[0] > 0
    cdef Workspace* ws
    cdef sdtw_call call
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        ws = _ws_new(&lengths_x[0], &lengths_y[0], lengths_x.shape[0], 1, NULL, True)
        if ws == NULL:
            sdtw_fail()
        k = sdtw_take(n_pairs)
        while k < n_pairs:
            n = xoff[k + 1] - xoff[k]
            m = yoff[k + 1] - yoff[k]
            values[k] = _pair(&X[xoff[k], 0], &Y[yoff[k], 0], NULL, 0, n, m, d, cost, gamma,
                              _pair_rows(n, m, radius, slope, ws.band), exp_domain, ws,
                              True, NULL,
                              &gX[xoff[k], 0] if want_x else NULL,
                              &gY[yoff[k], 0] if want_y else NULL)
            k = sdtw_take(n_pairs)
        _ws_free(ws)
        sdtw_leave()
    raise_if_stopped(&call)


def cost_blocks_abs_max(const double[:, :, ::1] D,          # IN
                        const Py_ssize_t[:, ::1] lengths,   # IN
                        int n_threads,
                        double[::1] out):                   # OUT
    """``out[k]``: the largest ``|D[k, :n_k, :m_k]|``, NaN if that block is not finite.

    ``lengths[k]`` is ``(n_k, m_k)``; entries outside the blocks are never read.
    """
    cdef Py_ssize_t k
    with nogil:
        for k in prange(D.shape[0], num_threads=n_threads, schedule="static"):
            out[k] = sdtw_block_abs_max(&D[k, 0, 0], D.shape[2], lengths[k, 0], lengths[k, 1])


def wavefront_cost_work_size(const Py_ssize_t[:, ::1] lengths,   # IN
                             const unsigned char[::1] wavefront):  # IN
    """Doubles of one thread's workspace in `batch_cost` for its anti-diagonal pairs."""
    cdef Py_ssize_t k, max_n = 0, max_m = 0, max_nm = 0
    for k in range(lengths.shape[0]):
        if wavefront[k]:
            max_n = max(max_n, lengths[k, 0])
            max_m = max(max_m, lengths[k, 1])
            max_nm = max(max_nm, lengths[k, 0] * lengths[k, 1])
    return _wavefront_work(max_n, max_m, 3 * max_nm, 0)


def batch_cost(const double[:, :, ::1] D,              # IN
               const Py_ssize_t[:, ::1] lengths,       # IN
               double gamma, Py_ssize_t radius, double slope,
               const unsigned char[::1] exp_domain,    # IN
               const unsigned char[::1] wavefront,     # IN
               int n_threads,
               double[::1] work,                       # SCRATCH
               double[::1] values,                     # OUT
               double[:, :, ::1] E):                   # OUT
    """Values and expected alignments of the cost matrices ``D[k, :n_k, :m_k]``.

    ``lengths[k]`` is ``(n_k, m_k)``; entries of ``D`` outside the blocks are
    never read; each pair keeps to the band of the Sakoe-Chiba ``radius`` and
    the Itakura ``slope`` for its lengths. Pair ``k`` runs by anti-diagonals
    when ``wavefront[k]`` (exp domain or hard DTW, no band), else by rows, in the exp domain when
    ``exp_domain[k]`` and ``gamma > 0``. ``E`` has the shape of ``D``, zeroed
    by the caller, each pair's E written in its block; pass a ``(0, 0, 0)``
    array for values only. ``work`` holds ``n_threads`` times
    `wavefront_cost_work_size` doubles, any content.
    """
    cdef Py_ssize_t k, n, m, n_pairs = values.shape[0], ld = D.shape[2]
    cdef Py_ssize_t size = wavefront_cost_work_size(lengths, wavefront)
    cdef bint want_E = E.shape[0] > 0
    cdef Workspace* ws
    cdef double* buf
    cdef double* W
    cdef double* Ek
    cdef sdtw_call call
    if work.shape[0] < n_threads * size:
        raise ValueError("work is too small")
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        ws = _ws_new(&lengths[0, 0], &lengths[0, 1], n_pairs, 2, &wavefront[0], want_E)
        if ws == NULL:
            sdtw_fail()
        k = sdtw_take(n_pairs)
        while k < n_pairs:
            n = lengths[k, 0]
            m = lengths[k, 1]
            Ek = &E[k, 0, 0] if want_E else NULL
            if not wavefront[k]:
                values[k] = _pair(NULL, NULL, &D[k, 0, 0], ld, n, m, 0, 0, gamma,
                                  _pair_rows(n, m, radius, slope, ws.band), exp_domain[k],
                                  ws, want_E, Ek, NULL, NULL)
            else:
                buf = &work[0] + threadid() * size  # each thread has its own slice
                W = NULL
                if want_E:
                    W = buf + 9 * (n + 2)  # a zero pad of n + 2 on both sides
                    memset(W - (n + 2), 0, (n + 2) * sizeof(double))
                    memset(W + 3 * n * m, 0, (n + 2) * sizeof(double))
                values[k] = _wavefront_value(NULL, NULL, n, m, 0, 0, gamma, buf, W,
                                             &D[k, 0, 0], ld)
                if want_E:
                    _wavefront_backward(NULL, NULL, n, m, 0, 0, W, buf, NULL, NULL, Ek, ld)
            k = sdtw_take(n_pairs)
        _ws_free(ws)
        sdtw_leave()
    raise_if_stopped(&call)


def light_pair(object x, object y, double gamma, Py_ssize_t radius, double slope,
               double max_exponent, Py_ssize_t max_cells, Py_ssize_t wavefront_min,
               Py_ssize_t grad_max_cells, object grad, int cost=SDTW_SQEUCLIDEAN):
    """Value of one pair, and its gradient with respect to ``x`` written to
    ``grad`` when it is not None, with the checks done here at the cost of a
    few comparisons and one pass over the data: the path of a loop over many
    pairs, and of one call on a long pair's value.

    By rows (in the band of the Sakoe-Chiba ``radius`` and the Itakura
    ``slope``) when the shortest length is below ``wavefront_min`` and the
    pair has at most ``max_cells`` cells; by anti-diagonals (no band, the
    exp domain or hard DTW) when the shortest length is at least
    ``wavefront_min`` (and the pair has at most ``grad_max_cells`` cells for
    a gradient); the domain is chosen as ``sksoftdtw._engine.planner.exp_domain_exact``
    does, with its ``max_exponent``, for the ``cost`` of ``COSTS``. ``grad`` is a C-contiguous float64 array
    of the size of ``x``. Returns NaN for every other pair, for whatever is
    not two C-contiguous float64 ndarrays of one or two dimensions (the same
    for both) with lengths at least 2, for a shape that suggests channels
    first, for equal lengths whose band is the diagonal alone, a gamma whose
    value could overflow, a band in which no path fits, NaN or infinite
    values and squared distances that could overflow: the caller then takes
    its validating path, which computes or explains.
    """
    cdef cnp.ndarray a, b
    cdef Py_ssize_t i, k, n, m, d, ndim, w
    cdef double amplitude, max_cost, value
    cdef bint expd, small, want_grad = grad is not None
    cdef Workspace ws
    cdef double* mem
    cdef double* xt
    cdef double* gx = NULL
    cdef const double* xp
    cdef const double* yp
    cdef sdtw_call call
    if type(x) is not cnp.ndarray or type(y) is not cnp.ndarray:
        return NAN
    a = <cnp.ndarray> x
    b = <cnp.ndarray> y
    ndim = cnp.PyArray_NDIM(a)
    if cnp.PyArray_TYPE(a) != cnp.NPY_DOUBLE or cnp.PyArray_TYPE(b) != cnp.NPY_DOUBLE \
            or ndim < 1 or ndim > 2 or cnp.PyArray_NDIM(b) != ndim \
            or not (cnp.PyArray_IS_C_CONTIGUOUS(a) and cnp.PyArray_IS_C_CONTIGUOUS(b)):
        return NAN
    n = cnp.PyArray_DIM(a, 0)
    m = cnp.PyArray_DIM(b, 0)
    d = cnp.PyArray_DIM(a, 1) if ndim == 2 else 1
    small = min(n, m) < wavefront_min and n * m <= max_cells
    if (ndim == 2 and (cnp.PyArray_DIM(b, 1) != d or d > n or d == 0)) or min(n, m) < 2 \
            or not (small or (min(n, m) >= wavefront_min and radius < 0 and slope == 0.0
                              and not (want_grad and n * m > grad_max_cells))) \
            or (n == m and (radius == 0 or slope == 1.0)) \
            or not gamma * 1.1 * (n + m) <= DBL_MAX / 2 \
            or (want_grad and (_segment_rows(n, m) < n or _wavefront_segment(n, m) < n + m - 1)):
        return NAN  # (and gradients whose weights would be kept by segments)
    if want_grad:
        if type(grad) is not cnp.ndarray or cnp.PyArray_TYPE(<cnp.ndarray> grad) != cnp.NPY_DOUBLE \
                or not cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray> grad) \
                or cnp.PyArray_SIZE(<cnp.ndarray> grad) != n * d:
            raise ValueError("grad must be a C-contiguous float64 array of the size of x")
        gx = <double*> cnp.PyArray_DATA(<cnp.ndarray> grad)
    xp = <const double*> cnp.PyArray_DATA(a)
    yp = <const double*> cnp.PyArray_DATA(b)
    amplitude = sdtw_block_abs_max(xp, d, n, d) + sdtw_block_abs_max(yp, d, m, d)
    max_cost = amplitude * d if cost == SDTW_ABS else amplitude * amplitude * d
    if not max_cost < DBL_MAX:  # also false for NaN
        return NAN
    expd = gamma > 0.0 and (n + m) * max_cost < max_exponent * gamma * LN2
    if not small:  # anti-diagonals: exp domain or hard DTW only
        if gamma > 0.0 and not expd:
            return NAN
        # the state of two anti-diagonals; x transposed, y reversed and
        # transposed, as the kernel reads them; with a gradient, the
        # gradients in that layout and the weights of every cell, padded
        w = n + 2
        mem = <double*> malloc((8 * w + d * (n + m) + (d * (n + m) + 2 * w + 3 * n * m
                                                        if want_grad else 0)) * sizeof(double))
        if mem == NULL:
            raise MemoryError()
        xt = mem + 8 * w
        _wavefront_layout(xp, yp, n, m, d, xt, xt + d * n)
        if want_grad:
            memset(xt + d * (n + m), 0, d * (n + m) * sizeof(double))
        sdtw_call_init(&call)
        with nogil:
            sdtw_join(&call)
            if want_grad:
                value = _wavefront_value_grad(xt, xt + d * n, n, m, d, cost, gamma, mem,
                                              xt + 2 * d * (n + m) + w, xt + d * (n + m),
                                              NULL)
                for i in range(n):
                    for k in range(d):
                        gx[i * d + k] = xt[d * (n + m) + k * n + i]
            else:
                value = _wavefront_value(xt, xt + d * n, n, m, d, cost, gamma, mem, NULL,
                                         NULL, 0)
            sdtw_leave()
        free(mem)
        raise_if_stopped(&call)
        return value
    # by rows: one block for the buffers (see Workspace), and the weights of
    # every cell for a gradient
    mem = <double*> malloc((9 * (m + 1) + 2 * n + (3 * n * m if want_grad else 0))
                           * sizeof(double))
    if mem == NULL:
        raise MemoryError()
    memset(&ws, 0, sizeof(Workspace))
    ws.rows = mem
    ws.erows = mem + 2 * (m + 1)
    ws.brows = mem + 4 * (m + 1)
    ws.cost = mem + 6 * (m + 1)
    ws.gf = mem + 7 * (m + 1)
    ws.ge = mem + 8 * (m + 1)
    ws.band = <Py_ssize_t*> (mem + 9 * (m + 1))
    ws.W = mem + 9 * (m + 1) + 2 * n
    if (radius >= 0 or slope != 0.0) and not sdtw_band_rows(n, m, radius, slope, ws.band):
        value = NAN
    else:
        if want_grad:
            memset(gx, 0, n * d * sizeof(double))
            # weights outside the band are never written, nor may they be
            # read: NaN there makes any such read fail every test
            _nan_guard(ws.W, 3 * n * m)
        value = _pair(xp, yp, NULL, 0, n, m, d, cost, gamma,
                      _pair_rows(n, m, radius, slope, ws.band), expd, &ws, want_grad,
                      NULL, gx, NULL)
    free(mem)
    return value


def cost_matrix(const double[:, ::1] x, const double[:, ::1] y, int cost=SDTW_SQEUCLIDEAN):
    """The matrix of the ``cost`` of ``COSTS`` (``||x_i - y_j||^2`` by default),
    shape ``(len(x), len(y))``."""
    cdef Py_ssize_t i, n = x.shape[0], m = y.shape[0], d = x.shape[1]
    cdef double[:, ::1] D = np.empty((n, m))
    cdef sdtw_call call
    sdtw_call_init(&call)
    with nogil:
        sdtw_join(&call)
        for i in range(n):
            if sdtw_stop(m):
                break
            _cost_row(cost, &x[i, 0], &y[0, 0], d, 0, m, &D[i, 0])
        sdtw_leave()
    raise_if_stopped(&call)
    return np.asarray(D)


def band_rows(Py_ssize_t n, Py_ssize_t m, Py_ssize_t radius, double slope):
    """The band of an ``(n, m)`` pair as the kernels compute it (see _band.pxd),
    and whether an alignment path fits in it."""
    cdef Py_ssize_t[::1] band = np.empty(2 * n, dtype=np.intp)
    cdef bint fits = sdtw_band_rows(n, m, radius, slope, &band[0])
    return np.asarray(band), fits


def first_unfit(const Py_ssize_t[::1] lengths_x, const Py_ssize_t[::1] lengths_y,
                Py_ssize_t radius, double slope):
    """The first pair ``k`` of lengths ``(lengths_x[k], lengths_y[k])`` in whose band
    no alignment path fits, or -1."""
    cdef Py_ssize_t k, found = -1
    cdef Py_ssize_t[::1] band = np.empty(2 * max(1, np.max(lengths_x)), dtype=np.intp)
    with nogil:
        for k in range(lengths_x.shape[0]):
            if not sdtw_band_rows(lengths_x[k], lengths_y[k], radius, slope, &band[0]):
                found = k
                break
    return found

# cython: language_level=3
"""Row pieces of the soft-DTW recursion, shared by the first- and second-order kernels.

The soft-min of three predecessors with its normalised weights, the costs of
a row with their Jacobian-vector products (_costs.h), the exp-domain step
of an anti-diagonal, and the boundary rows of interleaved hard-DTW
recursions (the engine's lanes and the neighbours' search).
"""
from libc.math cimport INFINITY, exp, fmin, log

cdef extern from "_expdomain.h" nogil:
    double sdtw_pow2(double k)
    double sdtw_split(double v, double* k)
    # ``count`` cells of an anti-diagonal, the step of the exp-domain rows
    # (``_soft_dtw_fast._exp_forward_row``): cell ``t`` has its diagonal
    # predecessor at ``f2[t]``, its upper one at ``f1[t]`` and its left one at
    # ``f1[t + 1]``; g is ``gf[t] 2^ge[t]``, or with ``ge`` NULL computed from
    # the costs at ``gf`` (``scale = 1 / (gamma ln 2)``). When ``w`` is not
    # NULL it receives the soft-min weights:
    # ``w[t]`` diagonal, ``w[count + t]`` upper, ``w[2 count + t]`` left.
    void _wavefront_step "sdtw_wavefront_step"(
        const double* gf, const double* ge, double scale, const double* f2, const double* e2,
        const double* f1, const double* e1, double* f0, double* e0, Py_ssize_t count,
        double* w)


cdef inline double _softmin3_w(double a, double b, double c, double gamma,
                               double* w) noexcept nogil:
    """min^gamma(a, b, c) and its gradient (the soft-argmin weights) in ``w``."""
    cdef double mn = fmin(a, fmin(b, c))
    cdef double ea, eb, ec, inv
    if mn == INFINITY:
        w[0] = 0.0
        w[1] = 0.0
        w[2] = 0.0
        return mn
    if gamma == 0.0:
        # A subgradient: all the weight on one minimiser, the diagonal first.
        w[0] = 1.0 if a == mn else 0.0
        w[1] = 1.0 if (b == mn and a != mn) else 0.0
        w[2] = 1.0 if (w[0] == 0.0 and w[1] == 0.0) else 0.0
        return mn
    ea = exp((mn - a) / gamma)
    eb = exp((mn - b) / gamma)
    ec = exp((mn - c) / gamma)
    inv = 1.0 / (ea + eb + ec)
    w[0] = ea * inv
    w[1] = eb * inv
    w[2] = ec * inv
    return mn - gamma * log(ea + eb + ec)


cdef extern from "_costs.h" nogil:
    # the costs computed from series (see _costs.h), chosen once per row
    enum:
        SDTW_SQEUCLIDEAN
        SDTW_ABS
    double sdtw_abs_dterm(double t)
    double sdtw_sqeuclidean_dterm(double t)
    void _cost_row "sdtw_cost_row"(int cost, const double* xi, const double* y, Py_ssize_t d,
                                   Py_ssize_t lo, Py_ssize_t hi, double* out)
    void _cost_jvp_row "sdtw_cost_jvp_row"(int cost, const double* e, const double* xi,
                                           const double* y, Py_ssize_t d, Py_ssize_t lo,
                                           Py_ssize_t hi, double* gxi, double* gy)
    void _cost_diagonal "sdtw_cost_diagonal"(int cost, const double* x, const double* yr,
                                             Py_ssize_t n, Py_ssize_t m, Py_ssize_t d,
                                             Py_ssize_t t, Py_ssize_t lo, Py_ssize_t hi,
                                             double* c)
    void _cost_diagonal_jvp "sdtw_cost_diagonal_jvp"(
        int cost, const double* e, const double* x, const double* yr, Py_ssize_t n,
        Py_ssize_t m, Py_ssize_t d, Py_ssize_t t, Py_ssize_t lo, Py_ssize_t hi, double* gx,
        double* gyr)
    # the squared Euclidean cost row ``cost[j] = ||x_i - y_j||^2`` for ``j`` in
    # ``[lo, hi)``, and row ``i`` of ``(dDelta/dX)^T E`` added to ``gxi`` and of
    # ``(dDelta/dY)^T E`` to ``gy`` (either may be NULL)
    void _sqeuclidean_row "sdtw_sqeuclidean_row"(const double* xi, const double* y,
                                                 Py_ssize_t d, Py_ssize_t lo, Py_ssize_t hi,
                                                 double* cost)
    void _sqeuclidean_jvp_row "sdtw_sqeuclidean_jvp_row"(
        const double* e, const double* xi, const double* y, Py_ssize_t d, Py_ssize_t lo,
        Py_ssize_t hi, double* gxi, double* gy)


cdef inline void _lanes_rows_start(double* rows, Py_ssize_t m, Py_ssize_t lanes) noexcept nogil:
    """The two rows of ``lanes`` interleaved recursions over ``m`` columns
    (``[j][lane]``) before row 0: ``r_00 = 0``, ``+inf`` elsewhere."""
    cdef Py_ssize_t j
    for j in range(2 * (m + 1) * lanes):
        rows[j] = INFINITY
    for j in range(lanes):
        rows[j] = 0.0


cdef inline void _lanes_rows_next(double** prev, double** cur, Py_ssize_t i,
                                  Py_ssize_t lanes) noexcept nogil:
    """After row ``i`` of the recursions of `_lanes_rows_start`: the row just
    computed becomes the previous one (the corner ``r_00 = 0``, read by row 0
    only, leaves the boundary first)."""
    cdef Py_ssize_t l
    cdef double* tmp
    if i == 0:
        for l in range(lanes):
            prev[0][l] = INFINITY
    tmp = prev[0]
    prev[0] = cur[0]
    cur[0] = tmp

# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Exact k-nearest neighbours under hard DTW, pruned by lower bounds.

For each query series, in parallel over queries (GIL released),
the cascade of the UCR suite (Rakthanmanon et al., KDD 2012):

1. one batched pass over the training set computes a lower bound of every
   DTW value: the larger of LB_Kim (first and last cells, which every path
   visits) and LB_Keogh (the distance of each query point to the envelope of
   the training series over that point's band, since a path visits every
   row inside the band);
2. the candidates are visited by increasing bound, so that the current
   ``k``-th best value ``bsf`` soon comes close to the final one, and the
   search stops at the first bound above ``bsf``;
3. a candidate is skipped when LB_Keogh in the other direction (the
   envelope of the query over the columns of the candidate) exceeds
   ``bsf``; the others are computed by batches of LANES, one candidate per
   SIMD lane, row by row, and a batch is abandoned as soon as, in every
   lane, the smallest cell of a row plus a lower bound of what the
   remaining rows add exceeds ``bsf``.

Pruning is strict (a candidate equal to ``bsf`` is computed), and the ``k``
best are kept ordered by (value, index), so the result is the brute-force
matrix's, ties going to the lowest index.

Exactness in floating point: a bound sums terms each no larger than a cost
the optimal path adds in the same row (or column); summed in another order
than the path, it is shrunk by a relative ``4 (n + m + 1) d eps`` so that
rounding cannot lift it above the computed DTW (`_shrink`).

Datasets are flat C-contiguous ``(n_samples_total, d)`` arrays with offsets, as
in :mod:`sksoftdtw._soft_dtw_fast`.
"""
import numpy as np

from cython.parallel cimport parallel, prange
from libc.float cimport DBL_EPSILON
from libc.math cimport INFINITY
from libc.stdlib cimport free, malloc, qsort

from ._band cimport _band, _pair_cols, _pair_rows
from ._rows cimport _lanes_rows_next, _lanes_rows_start
from ._interrupt cimport raise_if_stopped, sdtw_call, sdtw_call_init, sdtw_fail, sdtw_join, \
    sdtw_leave, sdtw_stop, sdtw_take

cdef Py_ssize_t NO_INDEX = (<Py_ssize_t> 1) << 62


cdef Py_ssize_t _max_len(const Py_ssize_t[::1] off) noexcept nogil:
    cdef Py_ssize_t t, out = 0
    for t in range(off.shape[0] - 1):
        out = max(out, off[t + 1] - off[t])
    return out


cdef inline double _sqdist(const double* a, const double* b, Py_ssize_t d) noexcept nogil:
    cdef Py_ssize_t k
    cdef double diff, s = 0.0
    for k in range(d):
        diff = a[k] - b[k]
        s += diff * diff
    return s


cdef void _running_max(const double* s, Py_ssize_t len_s, Py_ssize_t len_o, Py_ssize_t d,
                       const Py_ssize_t* band, double sign, double* out,
                       Py_ssize_t* dq) noexcept nogil:
    """``out[i * d] = sign * max(sign * s[j * d])`` over the band of index ``i < len_o``
    (``band`` is that of a ``(len_o, len_s)`` pair).

    ``s`` and ``out`` point at one coordinate of ``(len, d)`` arrays; ``sign``
    is ``+1`` for the upper envelope, ``-1`` for the lower (exact). Both ends
    of the window never decrease, so a deque of decreasing values gives every
    maximum in amortised O(1) (Lemire, 2009). ``dq`` holds ``len_s`` indices.
    """
    cdef Py_ssize_t i, lo, hi, head = 0, tail = 0, nxt = 0
    for i in range(len_o):
        _band(i, len_o, len_s, band, &lo, &hi)
        while nxt < hi:
            while tail > head and sign * s[dq[tail - 1] * d] <= sign * s[nxt * d]:
                tail -= 1
            dq[tail] = nxt
            tail += 1
            nxt += 1
        while dq[head] < lo:
            head += 1
        out[i * d] = s[dq[head] * d]


cdef void _envelope(const double* s, Py_ssize_t len_s, Py_ssize_t len_o, Py_ssize_t d,
                    const Py_ssize_t* band, double* lower, double* upper,
                    Py_ssize_t* dq) noexcept nogil:
    """Min and max of ``s`` over the band of each index of a series of length ``len_o``.

    ``lower`` and ``upper`` have shape ``(len_o, d)``: the box every point of
    ``s`` that index ``i`` of the other series may be aligned with lies in.
    """
    cdef Py_ssize_t k
    for k in range(d):
        _running_max(s + k, len_s, len_o, d, band, 1.0, upper + k, dq)
        _running_max(s + k, len_s, len_o, d, band, -1.0, lower + k, dq)


cdef void _row_terms(const double* x, Py_ssize_t n, Py_ssize_t d, const double* lower,
                     const double* upper, double* terms) noexcept nogil:
    """The term of each row ``i < n`` of LB_Keogh (`nf_lb_keogh`): ``terms[i]``."""
    cdef Py_ssize_t i, k
    cdef double diff
    for i in range(n):
        terms[i] = 0.0
        for k in range(i * d, i * d + d):
            diff = max(x[k] - upper[k], 0.0) + max(lower[k] - x[k], 0.0)
            terms[i] += diff * diff


cdef inline double _shrink(Py_ssize_t n, Py_ssize_t m, Py_ssize_t d) noexcept nogil:
    """Factor that keeps a computed bound below the computed DTW.

    The two sums differ in order and grouping: each is within ``(n + m + 1) d``
    roundings of its exact value, which the exact bound never exceeds.
    """
    return 1.0 - 4.0 * (n + m + 1) * d * DBL_EPSILON


cdef inline double _lb_kim(const double* x, Py_ssize_t n, const double* y, Py_ssize_t m,
                           Py_ssize_t d) noexcept nogil:
    """Cost of the first and the last cell, which every path adds."""
    cdef double s = _sqdist(x, y, d)
    if n > 1 or m > 1:
        s += _sqdist(x + (n - 1) * d, y + (m - 1) * d, d)
    return s


cdef extern from *:
    """
    /* Candidates whose DTW recursions run together, one per SIMD lane, as in
       the lane kernels of sksoftdtw._soft_dtw_fast: a scalar recursion is
       bound by the latency of its min-add chain, eight chains fill the units. */
    #include <string.h>
    #define NF_LANES 8

    /* Row i of LANES hard-DTW recursions, columns [lo, hi), the left and
       diagonal neighbours kept in registers. Compilers do not vectorize the
       minima of a plain loop (they keep NaN semantics): GCC's and Clang's
       vector extensions do, in the AVX2 and AVX-512 builds (the baseline
       build has too few registers for eight lanes). */
    #if (defined(__GNUC__) || defined(__clang__)) && defined(__AVX2__)
    typedef double nf_v __attribute__((vector_size(NF_LANES * sizeof(double))));
    typedef long long nf_mask __attribute__((vector_size(NF_LANES * sizeof(double))));
    static inline nf_v nf_vmin(nf_v a, nf_v b) {
        nf_mask lt = a < b;
        return (nf_v)(((nf_mask)a & lt) | ((nf_mask)b & ~lt));
    }
    static inline nf_v nf_load(const double *p) { nf_v v; memcpy(&v, p, sizeof v); return v; }
    static inline void nf_store(double *p, nf_v v) { memcpy(p, &v, sizeof v); }
    static void nf_lanes_row(const double *xi, const double *yl, Py_ssize_t lo,
                             Py_ssize_t hi, Py_ssize_t d, const double *prev,
                             double *cur, double *rmin) {
        nf_v rm = nf_load(rmin), left = nf_load(cur + lo * NF_LANES);
        nf_v diag = nf_load(prev + lo * NF_LANES);
        for (Py_ssize_t j = lo; j < hi; j++) {
            nf_v c = {0}, up, v;
            for (Py_ssize_t k = 0; k < d; k++) {
                nf_v diff = xi[k] - nf_load(yl + (j * d + k) * NF_LANES);
                c += diff * diff;
            }
            up = nf_load(prev + (j + 1) * NF_LANES);
            v = c + nf_vmin(nf_vmin(diag, up), left);
            nf_store(cur + (j + 1) * NF_LANES, v);
            rm = nf_vmin(rm, v);
            left = v;
            diag = up;
        }
        nf_store(rmin, rm);
    }
    #else
    static inline double nf_min(double a, double b) { return a < b ? a : b; }
    static void nf_lanes_row(const double *xi, const double *yl, Py_ssize_t lo,
                             Py_ssize_t hi, Py_ssize_t d, const double *prev,
                             double *cur, double *rmin) {
        for (Py_ssize_t j = lo; j < hi; j++)
            for (int l = 0; l < NF_LANES; l++) {
                double c = 0.0, v;
                for (Py_ssize_t k = 0; k < d; k++) {
                    double diff = xi[k] - yl[(j * d + k) * NF_LANES + l];
                    c += diff * diff;
                }
                v = c + nf_min(nf_min(prev[j * NF_LANES + l], prev[(j + 1) * NF_LANES + l]),
                               cur[j * NF_LANES + l]);
                cur[(j + 1) * NF_LANES + l] = v;
                rmin[l] = nf_min(rmin[l], v);
            }
    }
    #endif

    /* LB_Keogh: the squared distance of the len values of x (rows times
       dimensions) to their boxes [lower, upper], summed in any order (omp simd
       vectorizes the sum), by blocks; stops once the partial sum, a lower
       bound too, exceeds bsf. At most one of the two excesses is non-zero. */
    static double nf_lb_keogh(const double *x, const double *lower, const double *upper,
                              Py_ssize_t len, double bsf) {
        double s = 0.0;
        for (Py_ssize_t a = 0; a < len && s <= bsf; a += 64) {
            Py_ssize_t b = a + 64 < len ? a + 64 : len;
            double t = 0.0;
            #pragma omp simd reduction(+:t)
            for (Py_ssize_t j = a; j < b; j++) {
                double above = x[j] - upper[j], below = lower[j] - x[j];
                double diff = (above > 0.0 ? above : 0.0) + (below > 0.0 ? below : 0.0);
                t += diff * diff;
            }
            s += t;
        }
        return s;
    }
    """
    enum: LANES "NF_LANES"
    void nf_lanes_row(const double* xi, const double* yl, Py_ssize_t lo, Py_ssize_t hi,
                      Py_ssize_t d, const double* prev, double* cur, double* rmin) nogil
    double nf_lb_keogh(const double* x, const double* lower, const double* upper,
                       Py_ssize_t len, double bsf) nogil


cdef bint _dtw_lanes(const double* x, Py_ssize_t n, const double* yl, Py_ssize_t m,
                     Py_ssize_t d, const Py_ssize_t* band, const double* tails, double bsf,
                     double* rows, double* out) noexcept nogil:
    """Hard DTW of ``x`` against LANES candidates of length ``m``, or False once
    every lane is known to exceed ``bsf``.

    ``yl`` holds the candidates interleaved as ``[j][k][lane]``. A lane is
    known to exceed ``bsf`` after row ``i`` when its smallest cell plus
    ``tails[(i + 1) * LANES + lane]`` (a lower bound of what its later rows
    add; zero after the last row) does. The recursion, boundaries included,
    and the cost, summed over ``k`` in order, are those of the hard-DTW
    kernels of :mod:`sksoftdtw._soft_dtw_fast`. ``rows`` holds
    ``2 (m + 1) LANES`` doubles; ``out`` receives the LANES values.
    """
    cdef Py_ssize_t i, j, l, lo, hi
    cdef double* prev = rows
    cdef double* cur = rows + (m + 1) * LANES
    cdef double rmin[LANES]
    cdef bint alive
    _lanes_rows_start(rows, m, LANES)
    for i in range(n):
        _band(i, n, m, band, &lo, &hi)
        for l in range(LANES):
            cur[lo * LANES + l] = INFINITY
            rmin[l] = INFINITY
        nf_lanes_row(x + i * d, yl, lo, hi, d, prev, cur, rmin)
        if sdtw_stop((hi - lo) * LANES):
            return False
        alive = False
        for l in range(LANES):
            alive = alive | (rmin[l] + tails[(i + 1) * LANES + l] <= bsf)
        if not alive:
            return False
        _lanes_rows_next(&prev, &cur, i, LANES)
    for l in range(LANES):
        out[l] = prev[m * LANES + l]
    return True


cdef struct _Bound:
    double lb
    Py_ssize_t t


cdef int _by_bound(const void* a, const void* b) noexcept nogil:
    """Order of (bound, index): the candidates most likely nearest first."""
    cdef const _Bound* p = <const _Bound*> a
    cdef const _Bound* q = <const _Bound*> b
    if p.lb != q.lb:
        return -1 if p.lb < q.lb else 1
    return -1 if p.t < q.t else (p.t > q.t)


cdef struct _Work:
    # per thread: the bounds of the training series; the query's envelope
    # over the columns of a candidate of length env_m, and the deque of the
    # envelopes; a batch of candidates: indices, interleaved values, tails,
    # DTW rows and values; the terms of one LB_Keogh
    _Bound* order
    double* xl
    double* xu
    Py_ssize_t env_m
    Py_ssize_t* dq
    Py_ssize_t batch[LANES]
    double* yl
    double* tails
    double* rows
    double out[LANES]
    double* terms
    Py_ssize_t* band   # the band of the query and a candidate, and its transpose
    Py_ssize_t* cols


cdef _Work _work_alloc(Py_ssize_t N, Py_ssize_t max_m, Py_ssize_t n,
                       Py_ssize_t d) noexcept nogil:
    cdef _Work w
    w.order = <_Bound*> malloc(N * sizeof(_Bound))
    w.xl = <double*> malloc(max_m * d * sizeof(double))
    w.xu = <double*> malloc(max_m * d * sizeof(double))
    w.env_m = -1
    w.dq = <Py_ssize_t*> malloc(max(max_m, n) * sizeof(Py_ssize_t))
    w.yl = <double*> malloc(max_m * d * LANES * sizeof(double))
    w.tails = <double*> malloc((n + 1) * LANES * sizeof(double))
    w.rows = <double*> malloc(2 * (max_m + 1) * LANES * sizeof(double))
    w.terms = <double*> malloc(n * sizeof(double))
    w.band = <Py_ssize_t*> malloc(2 * n * sizeof(Py_ssize_t))
    w.cols = <Py_ssize_t*> malloc(2 * max(max_m, 1) * sizeof(Py_ssize_t))
    return w


cdef bint _work_ok(_Work* w) noexcept nogil:
    return (w.order != NULL and w.xl != NULL and w.xu != NULL and w.dq != NULL
            and w.yl != NULL and w.tails != NULL and w.rows != NULL and w.terms != NULL
            and w.band != NULL and w.cols != NULL)


cdef void _work_free(_Work* w) noexcept nogil:
    free(w.order)
    free(w.xl)
    free(w.xu)
    free(w.dq)
    free(w.yl)
    free(w.tails)
    free(w.rows)
    free(w.terms)
    free(w.band)
    free(w.cols)


cdef inline void _push(double v, Py_ssize_t t, double* bd, Py_ssize_t* bi,
                       Py_ssize_t k) noexcept nogil:
    """Insert ``(v, t)`` into the ``k`` best, kept sorted by (value, index)."""
    cdef Py_ssize_t p = k - 1
    if v > bd[p] or (v == bd[p] and t > bi[p]):
        return
    while p > 0 and (v < bd[p - 1] or (v == bd[p - 1] and t < bi[p - 1])):
        bd[p] = bd[p - 1]
        bi[p] = bi[p - 1]
        p -= 1
    bd[p] = v
    bi[p] = t


cdef bint _reverse_bound_passes(const double* x, Py_ssize_t n, const double* y,
                                Py_ssize_t m, Py_ssize_t d, Py_ssize_t radius, double slope,
                                double bsf, _Work* w) noexcept nogil:
    """LB_Keogh on the envelope of ``x`` over the columns of ``y`` is at most ``bsf``
    (the envelope over the admissible rows of each column: the transposed band)."""
    cdef const Py_ssize_t* cols
    cdef double shrink = _shrink(n, m, d)
    if w.env_m != m:
        cols = _pair_cols(n, m, _pair_rows(n, m, radius, slope, w.band), w.cols)
        _envelope(x, n, m, d, cols, w.xl, w.xu, w.dq)
        w.env_m = m
    return nf_lb_keogh(y, w.xl, w.xu, m * d, bsf / shrink) * shrink <= bsf


cdef void _run_batch(const double* x, Py_ssize_t n, Py_ssize_t m, const double* Y,
                     const Py_ssize_t* yoff, Py_ssize_t d, const double* L, const double* U,
                     const Py_ssize_t* band, Py_ssize_t nb, _Work* w, double* bd,
                     Py_ssize_t* bi,
                     Py_ssize_t k) noexcept nogil:
    """DTW of the ``nb`` candidates ``w.batch`` (all of length ``m``); push them.

    Lanes past ``nb`` repeat the last candidate and are discarded.
    """
    cdef Py_ssize_t i, j, l, t
    cdef const double* y
    cdef double tail, shrink = _shrink(n, m, d)
    for l in range(LANES):
        t = w.batch[min(l, nb - 1)]
        y = Y + yoff[t] * d
        for j in range(m * d):
            w.yl[j * LANES + l] = y[j]
        _row_terms(x, n, d, L + t * n * d, U + t * n * d, w.terms)
        tail = 0.0
        w.tails[n * LANES + l] = 0.0
        for i in range(n - 1, -1, -1):
            tail = tail + w.terms[i]
            w.tails[i * LANES + l] = tail * shrink
    if _dtw_lanes(x, n, w.yl, m, d, band, w.tails, bd[k - 1], w.rows, w.out):
        for l in range(nb):
            _push(w.out[l], w.batch[l], bd, bi, k)


cdef void _query(const double* x, Py_ssize_t n, Py_ssize_t skip, const double* Y,
                 const Py_ssize_t* yoff, Py_ssize_t N, Py_ssize_t d, const double* L,
                 const double* U, Py_ssize_t radius, double slope, Py_ssize_t k, _Work* w,
                 double* bd, Py_ssize_t* bi) noexcept nogil:
    """The ``k`` nearest training series of ``x`` (all but ``skip``) into ``bd``, ``bi``.

    ``L`` and ``U`` hold the envelopes of every training series over the rows
    of a series of length ``n``: ``(N * n, d)``.
    """
    cdef Py_ssize_t t = 0, p, m = 0, bm = 0, nb = 0, count = 0
    cdef const double* y
    cdef bint stop
    w.env_m = -1
    for p in range(k):
        bd[p] = INFINITY
        bi[p] = NO_INDEX
    for t in range(N):
        if t == skip:
            continue
        y = Y + yoff[t] * d
        m = yoff[t + 1] - yoff[t]
        if sdtw_stop(n + m):
            return
        w.order[count].lb = _shrink(n, m, d) * max(
            _lb_kim(x, n, y, m, d),
            nf_lb_keogh(x, L + t * n * d, U + t * n * d, n * d, INFINITY))
        w.order[count].t = t
        count += 1
    # Candidates by increasing bound: the nearest ones come early and make
    # bsf tight, and once a bound exceeds bsf so do all the following ones.
    qsort(w.order, count, sizeof(_Bound), _by_bound)
    for p in range(count + 1):
        stop = p == count or w.order[p].lb > bd[k - 1]
        if not stop:
            t = w.order[p].t
            m = yoff[t + 1] - yoff[t]
            if not _reverse_bound_passes(x, n, Y + yoff[t] * d, m, d, radius, slope,
                                         bd[k - 1], w):
                continue
        # a batch holds candidates of one length (one band)
        if nb > 0 and (stop or nb == LANES or m != bm):
            _run_batch(x, n, bm, Y, yoff, d, L, U, _pair_rows(n, bm, radius, slope, w.band),
                       nb, w, bd, bi, k)
            nb = 0
        if stop:
            break
        w.batch[nb] = t
        nb += 1
        bm = m


def envelopes(const double[:, ::1] Y, const Py_ssize_t[::1] yoff,   # IN
              Py_ssize_t n, Py_ssize_t radius, double slope, int n_threads,
              double[:, ::1] lower, double[:, ::1] upper):          # OUT (N * n, d)
    """Envelope of every series of ``Y`` over the band rows of a series of length ``n``."""
    cdef Py_ssize_t t, m, N = yoff.shape[0] - 1, d = Y.shape[1], max_m = _max_len(yoff)
    cdef Py_ssize_t* dq = NULL
    cdef int failed[1]   # an element, not a variable: shared by the threads
    failed[0] = 0
    with nogil, parallel(num_threads=n_threads):
        # the deque, then the band of the pair
        dq = <Py_ssize_t*> malloc((max_m + 2 * n) * sizeof(Py_ssize_t))
        if dq == NULL:
            failed[0] = 1
        else:
            for t in prange(N, schedule="static"):
                m = yoff[t + 1] - yoff[t]
                _envelope(&Y[yoff[t], 0], m, n, d, _pair_rows(n, m, radius, slope, dq + max_m),
                          &lower[t * n, 0], &upper[t * n, 0], dq)
        free(dq)
    if failed[0]:
        raise MemoryError("no memory for the envelopes' work space")


def kneighbors(const double[:, ::1] X, const Py_ssize_t[::1] xoff,      # IN queries
               const Py_ssize_t[::1] queries, const Py_ssize_t[::1] skip,
               const double[:, ::1] Y, const Py_ssize_t[::1] yoff,      # IN training set
               const double[:, ::1] lower, const double[:, ::1] upper,  # IN `envelopes`
               Py_ssize_t radius, double slope, int n_threads,
               double[:, ::1] dist, Py_ssize_t[:, ::1] ind):            # OUT (n_x, k)
    """The ``k = dist.shape[1]`` nearest series of ``Y`` of the queries ``X[queries]``.

    The queries all have one length ``n``, the one ``lower`` and ``upper``
    were computed for. ``skip[q]`` is a training index to leave out for
    query ``q`` (``-1``: none). Rows ``queries`` of ``dist`` and ``ind`` are
    written, sorted by (value, index).
    """
    cdef Py_ssize_t q, s, t, n_q = queries.shape[0], N = yoff.shape[0] - 1
    cdef Py_ssize_t d = X.shape[1], k = dist.shape[1], max_m = _max_len(yoff), n
    cdef _Work w
    cdef sdtw_call call
    if n_q == 0:
        return
    n = xoff[queries[0] + 1] - xoff[queries[0]]
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        w = _work_alloc(N, max_m, n, d)
        if not _work_ok(&w):
            sdtw_fail()
        q = sdtw_take(n_q)
        while q < n_q:
            s = queries[q]
            _query(&X[xoff[s], 0], n, skip[q], &Y[0, 0], &yoff[0], N, d,
                   &lower[0, 0], &upper[0, 0], radius, slope, k, &w,
                   &dist[s, 0], &ind[s, 0])
            q = sdtw_take(n_q)
        _work_free(&w)
        sdtw_leave()
    raise_if_stopped(&call)


def pair_bounds(const double[:, ::1] x, const double[:, ::1] y, Py_ssize_t radius,
                double slope):
    """LB_Kim, LB_Keogh on the envelope of ``y``, on that of ``x``, of one pair, in
    the band of the Sakoe-Chiba ``radius`` and the Itakura ``slope``."""
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], d = x.shape[1]
    cdef double[:, ::1] ex = np.empty((2 * m, d)), ey = np.empty((2 * n, d))
    cdef Py_ssize_t[::1] dq = np.empty(max(n, m), dtype=np.intp)
    cdef Py_ssize_t[::1] rows = np.empty(2 * n, dtype=np.intp)
    cdef Py_ssize_t[::1] cols = np.empty(2 * m, dtype=np.intp)
    cdef const Py_ssize_t* band = _pair_rows(n, m, radius, slope, &rows[0])
    _envelope(&y[0, 0], m, n, d, band, &ey[0, 0], &ey[n, 0], &dq[0])
    _envelope(&x[0, 0], n, m, d, _pair_cols(n, m, band, &cols[0]), &ex[0, 0], &ex[m, 0],
              &dq[0])
    return (_lb_kim(&x[0, 0], n, &y[0, 0], m, d),
            nf_lb_keogh(&x[0, 0], &ey[0, 0], &ey[n, 0], n * d, INFINITY),
            nf_lb_keogh(&y[0, 0], &ex[0, 0], &ex[m, 0], m * d, INFINITY))


def pair_dtw(const double[:, ::1] x, const double[:, ::1] y, Py_ssize_t radius,
             double slope, double bsf):
    """DTW of one pair through the pruned path, in the band of the Sakoe-Chiba
    ``radius`` and the Itakura ``slope``: its value, or inf once above ``bsf``."""
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], d = x.shape[1]
    cdef Py_ssize_t[::1] yoff = np.array([0, m], dtype=np.intp)
    cdef double[:, ::1] ey = np.empty((2 * n, d))
    cdef _Work w = _work_alloc(1, m, n, d)
    cdef double best = bsf
    cdef Py_ssize_t index = NO_INDEX
    cdef bint ok = _work_ok(&w)
    cdef const Py_ssize_t* bp = NULL
    if ok:
        bp = _pair_rows(n, m, radius, slope, w.band)
        _envelope(&y[0, 0], m, n, d, bp, &ey[0, 0], &ey[n, 0], w.dq)
        w.batch[0] = 0
        _run_batch(&x[0, 0], n, m, &y[0, 0], &yoff[0], d, &ey[0, 0], &ey[n, 0], bp, 1,
                   &w, &best, &index, 1)
    _work_free(&w)
    if not ok:
        raise MemoryError("no memory for the DTW work space")
    return best if index == 0 else INFINITY

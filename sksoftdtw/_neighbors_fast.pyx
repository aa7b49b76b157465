# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Exact k-nearest neighbours under hard DTW, pruned by lower bounds.

For each query series, in parallel over queries (``prange``, GIL released),
the cascade of the UCR suite (Rakthanmanon et al., KDD 2012):

1. one batched pass over the training set computes a lower bound of every
   DTW value: the larger of LB_Kim (first and last cells, which every path
   visits) and LB_Keogh (the distance of each query point to the envelope of
   the training series over that point's band, since a path visits every
   row inside the band);
2. the ``k`` candidates with the smallest bounds are computed exactly: the
   current ``k``-th best value ``bsf`` is now close to the final one;
3. every other candidate is skipped when its bound exceeds ``bsf``, then
   when LB_Keogh in the other direction (the envelope of the query over the
   columns of the candidate) does, and otherwise its DTW is computed row by
   row and abandoned as soon as the smallest cell of a row, plus a lower
   bound of what the remaining rows add, exceeds ``bsf``.

Pruning is strict (a candidate equal to ``bsf`` is computed), and the ``k``
best are kept ordered by (value, index), so the result is the brute-force
matrix's, ties going to the lowest index.

Exactness in floating point: a bound sums, in path order, terms each no
larger than a cost the optimal path adds in the same row (or column), and
rounding is monotone, so the computed bound never exceeds the computed DTW
(the cost is `_sqdist` in both). Only the tail of rows, summed in the other
order, is shrunk by a relative ``4 (n + m) eps`` to stay below.

Datasets are flat C-contiguous ``(n_samples_total, d)`` arrays with offsets, as
in :mod:`sksoftdtw._soft_dtw_fast`.
"""
import numpy as np

from cython.parallel cimport parallel, prange
from libc.float cimport DBL_EPSILON
from libc.math cimport INFINITY
from libc.stdlib cimport free, malloc

from ._band cimport _band

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
                       Py_ssize_t radius, double sign, double* out,
                       Py_ssize_t* dq) noexcept nogil:
    """``out[i * d] = sign * max(sign * s[j * d])`` over the band of index ``i < len_o``.

    ``s`` and ``out`` point at one coordinate of ``(len, d)`` arrays; ``sign``
    is ``+1`` for the upper envelope, ``-1`` for the lower (exact). Both ends
    of the window never decrease, so a deque of decreasing values gives every
    maximum in amortised O(1) (Lemire, 2009). ``dq`` holds ``len_s`` indices.
    """
    cdef Py_ssize_t i, lo, hi, head = 0, tail = 0, nxt = 0
    for i in range(len_o):
        _band(i, len_o, len_s, radius, &lo, &hi)
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
                    Py_ssize_t radius, double* lower, double* upper,
                    Py_ssize_t* dq) noexcept nogil:
    """Min and max of ``s`` over the band of each index of a series of length ``len_o``.

    ``lower`` and ``upper`` have shape ``(len_o, d)``: the box every point of
    ``s`` that index ``i`` of the other series may be aligned with lies in.
    """
    cdef Py_ssize_t k
    for k in range(d):
        _running_max(s + k, len_s, len_o, d, radius, 1.0, upper + k, dq)
        _running_max(s + k, len_s, len_o, d, radius, -1.0, lower + k, dq)


cdef double _lb_keogh(const double* x, Py_ssize_t n, Py_ssize_t d, const double* lower,
                      const double* upper, double bsf, double* terms) noexcept nogil:
    """Sum over ``i < n`` of the squared distance of ``x[i]`` to its envelope box.

    Stops, returning the partial sum (a lower bound too), once it exceeds
    ``bsf``. ``terms``, unless NULL, receives the term of every row.
    """
    cdef Py_ssize_t i, k
    cdef double s = 0.0, t, v, diff
    for i in range(n):
        t = 0.0
        for k in range(d):
            v = x[i * d + k]
            if v > upper[i * d + k]:
                diff = v - upper[i * d + k]
            elif v < lower[i * d + k]:
                diff = lower[i * d + k] - v
            else:
                diff = 0.0
            t += diff * diff
        if terms != NULL:
            terms[i] = t
        s += t
        if s > bsf:
            return s
    return s


cdef inline double _lb_kim(const double* x, Py_ssize_t n, const double* y, Py_ssize_t m,
                           Py_ssize_t d) noexcept nogil:
    """Cost of the first and the last cell, which every path adds."""
    cdef double s = _sqdist(x, y, d)
    if n > 1 or m > 1:
        s += _sqdist(x + (n - 1) * d, y + (m - 1) * d, d)
    return s


cdef double _dtw(const double* x, const double* y, Py_ssize_t n, Py_ssize_t m, Py_ssize_t d,
                 Py_ssize_t radius, const double* tail, double bsf,
                 double* rows) noexcept nogil:
    """Hard DTW of ``(x, y)``, or INFINITY once it is known to exceed ``bsf``.

    Abandons after row ``i`` when its smallest cell plus ``tail[i + 1]`` (a
    lower bound of what the later rows add; ``tail[n] = 0``) exceeds ``bsf``.
    The recursion, boundaries included, is that of the hard-DTW kernels of
    :mod:`sksoftdtw._soft_dtw_fast`. ``rows`` holds ``2 (m + 1)`` doubles.
    """
    cdef Py_ssize_t i, j, lo, hi
    cdef double v, rmin
    cdef double* prev = rows
    cdef double* cur = rows + m + 1
    cdef double* tmp
    for j in range(2 * (m + 1)):
        rows[j] = INFINITY
    prev[0] = 0.0
    for i in range(n):
        _band(i, n, m, radius, &lo, &hi)
        cur[lo] = INFINITY
        rmin = INFINITY
        for j in range(lo, hi):
            v = _sqdist(x + i * d, y + j * d, d) + min(min(prev[j], prev[j + 1]), cur[j])
            cur[j + 1] = v
            rmin = min(rmin, v)
        if rmin + tail[i + 1] > bsf:
            return INFINITY
        if i == 0:
            prev[0] = INFINITY
        tmp = prev
        prev = cur
        cur = tmp
    return prev[m]


cdef struct _Work:
    # per thread: bounds and flags of the training series, DTW rows, the tail
    # of the query's rows, the query's envelope over the columns of a
    # candidate of length env_m, the deque of the envelopes, the seeds
    double* lb
    unsigned char* seen
    double* rows
    double* tail
    double* xl
    double* xu
    Py_ssize_t env_m
    Py_ssize_t* dq
    double* sd
    Py_ssize_t* si


cdef _Work _work_alloc(Py_ssize_t N, Py_ssize_t max_m, Py_ssize_t n, Py_ssize_t d,
                       Py_ssize_t k) noexcept nogil:
    cdef _Work w
    w.lb = <double*> malloc(N * sizeof(double))
    w.seen = <unsigned char*> malloc(N)
    w.rows = <double*> malloc(2 * (max_m + 1) * sizeof(double))
    w.tail = <double*> malloc((n + 1) * sizeof(double))
    w.xl = <double*> malloc(max_m * d * sizeof(double))
    w.xu = <double*> malloc(max_m * d * sizeof(double))
    w.dq = <Py_ssize_t*> malloc(max(max_m, n) * sizeof(Py_ssize_t))
    w.sd = <double*> malloc(k * sizeof(double))
    w.si = <Py_ssize_t*> malloc(k * sizeof(Py_ssize_t))
    w.env_m = -1
    return w


cdef bint _work_ok(_Work* w) noexcept nogil:
    return (w.lb != NULL and w.seen != NULL and w.rows != NULL and w.tail != NULL
            and w.xl != NULL and w.xu != NULL and w.dq != NULL and w.sd != NULL
            and w.si != NULL)


cdef void _work_free(_Work* w) noexcept nogil:
    free(w.lb)
    free(w.seen)
    free(w.rows)
    free(w.tail)
    free(w.xl)
    free(w.xu)
    free(w.dq)
    free(w.sd)
    free(w.si)


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


cdef double _candidate(const double* x, Py_ssize_t n, const double* y, Py_ssize_t m,
                       Py_ssize_t d, const double* lower, const double* upper,
                       Py_ssize_t radius, double bsf, _Work* w) noexcept nogil:
    """DTW of a candidate that passed the first bound, or INFINITY if above ``bsf``.

    ``lower``/``upper`` are the candidate's envelope over the rows of ``x``.
    """
    cdef Py_ssize_t i
    cdef double shrink = 1.0 - 4.0 * (n + m) * DBL_EPSILON
    if w.env_m != m:
        _envelope(x, n, m, d, radius, w.xl, w.xu, w.dq)
        w.env_m = m
    if _lb_keogh(y, m, d, w.xl, w.xu, bsf, NULL) > bsf:
        return INFINITY
    _lb_keogh(x, n, d, lower, upper, INFINITY, w.tail)
    w.tail[n] = 0.0
    for i in range(n - 1, -1, -1):
        w.tail[i] = w.tail[i + 1] + w.tail[i]
    for i in range(n):
        w.tail[i] *= shrink
    return _dtw(x, y, n, m, d, radius, w.tail, bsf, w.rows)


cdef void _query(const double* x, Py_ssize_t n, Py_ssize_t skip, const double* Y,
                 const Py_ssize_t* yoff, Py_ssize_t N, Py_ssize_t d, const double* L,
                 const double* U, Py_ssize_t radius, Py_ssize_t k, _Work* w,
                 double* bd, Py_ssize_t* bi) noexcept nogil:
    """The ``k`` nearest training series of ``x`` (all but ``skip``) into ``bd``, ``bi``.

    ``L`` and ``U`` hold the envelopes of every training series over the rows
    of a series of length ``n``: ``(N * n, d)``.
    """
    cdef Py_ssize_t t, p, m
    cdef const double* y
    w.env_m = -1
    for p in range(k):
        bd[p] = INFINITY
        bi[p] = NO_INDEX
        w.sd[p] = INFINITY
        w.si[p] = NO_INDEX
    for t in range(N):
        y = Y + yoff[t] * d
        m = yoff[t + 1] - yoff[t]
        w.lb[t] = max(_lb_kim(x, n, y, m, d),
                      _lb_keogh(x, n, d, L + t * n * d, U + t * n * d, INFINITY, NULL))
        w.seen[t] = t == skip
        if t != skip:
            _push(w.lb[t], t, w.sd, w.si, k)
    # the candidates of smallest bounds first: they set a tight bsf early
    for p in range(k):
        if w.si[p] != NO_INDEX:
            w.seen[w.si[p]] = 1
    for p in range(k + N):
        t = w.si[p] if p < k else p - k
        if t == NO_INDEX or (p >= k and w.seen[t]) or w.lb[t] > bd[k - 1]:
            continue
        y = Y + yoff[t] * d
        m = yoff[t + 1] - yoff[t]
        _push(_candidate(x, n, y, m, d, L + t * n * d, U + t * n * d, radius, bd[k - 1], w),
              t, bd, bi, k)


def envelopes(const double[:, ::1] Y, const Py_ssize_t[::1] yoff,   # IN
              Py_ssize_t n, Py_ssize_t radius, int n_threads,
              double[:, ::1] lower, double[:, ::1] upper):          # OUT (N * n, d)
    """Envelope of every series of ``Y`` over the band rows of a series of length ``n``."""
    cdef Py_ssize_t t, N = yoff.shape[0] - 1, d = Y.shape[1]
    cdef Py_ssize_t* dq = NULL
    cdef int failed[1]   # an element, not a variable: shared by the threads
    failed[0] = 0
    with nogil, parallel(num_threads=n_threads):
        dq = <Py_ssize_t*> malloc(_max_len(yoff) * sizeof(Py_ssize_t))
        if dq == NULL:
            failed[0] = 1
        else:
            for t in prange(N, schedule="static"):
                _envelope(&Y[yoff[t], 0], yoff[t + 1] - yoff[t], n, d, radius,
                          &lower[t * n, 0], &upper[t * n, 0], dq)
        free(dq)
    if failed[0]:
        raise MemoryError("no memory for the envelopes' work space")


def kneighbors(const double[:, ::1] X, const Py_ssize_t[::1] xoff,      # IN queries
               const Py_ssize_t[::1] queries, const Py_ssize_t[::1] skip,
               const double[:, ::1] Y, const Py_ssize_t[::1] yoff,      # IN training set
               const double[:, ::1] lower, const double[:, ::1] upper,  # IN `envelopes`
               Py_ssize_t radius, int n_threads,
               double[:, ::1] dist, Py_ssize_t[:, ::1] ind):            # OUT (n_x, k)
    """The ``k = dist.shape[1]`` nearest series of ``Y`` of the queries ``X[queries]``.

    The queries all have one length ``n``, the one ``lower`` and ``upper``
    were computed for. ``skip[q]`` is a training index to leave out for
    query ``q`` (``-1``: none). Rows ``queries`` of ``dist`` and ``ind`` are
    written, sorted by (value, index).
    """
    cdef Py_ssize_t q, s, t, n_q = queries.shape[0], N = yoff.shape[0] - 1
    cdef Py_ssize_t d = X.shape[1], k = dist.shape[1], max_m = _max_len(yoff), n
    cdef int failed[1]   # an element, not a variable: shared by the threads
    cdef _Work w
    if n_q == 0:
        return
    n = xoff[queries[0] + 1] - xoff[queries[0]]
    failed[0] = 0
    with nogil, parallel(num_threads=n_threads):
        w = _work_alloc(N, max_m, n, d, k)
        if not _work_ok(&w):
            failed[0] = 1
        else:
            for q in prange(n_q, schedule="dynamic"):
                s = queries[q]
                _query(&X[xoff[s], 0], n, skip[q], &Y[0, 0], &yoff[0], N, d,
                       &lower[0, 0], &upper[0, 0], radius, k, &w, &dist[s, 0], &ind[s, 0])
        _work_free(&w)
    if failed[0]:
        raise MemoryError("no memory for the nearest-neighbour work space")


def pair_bounds(const double[:, ::1] x, const double[:, ::1] y, Py_ssize_t radius):
    """LB_Kim, LB_Keogh on the envelope of ``y``, on that of ``x``, of one pair."""
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], d = x.shape[1]
    cdef double[:, ::1] ex = np.empty((2 * m, d)), ey = np.empty((2 * n, d))
    cdef Py_ssize_t[::1] dq = np.empty(max(n, m), dtype=np.intp)
    _envelope(&y[0, 0], m, n, d, radius, &ey[0, 0], &ey[n, 0], &dq[0])
    _envelope(&x[0, 0], n, m, d, radius, &ex[0, 0], &ex[m, 0], &dq[0])
    return (_lb_kim(&x[0, 0], n, &y[0, 0], m, d),
            _lb_keogh(&x[0, 0], n, d, &ey[0, 0], &ey[n, 0], INFINITY, NULL),
            _lb_keogh(&y[0, 0], m, d, &ex[0, 0], &ex[m, 0], INFINITY, NULL))


def pair_dtw(const double[:, ::1] x, const double[:, ::1] y, Py_ssize_t radius, double bsf):
    """DTW of one pair through the pruned path: its value, or inf once above ``bsf``."""
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], d = x.shape[1]
    cdef double[:, ::1] ey = np.empty((2 * n, d))
    cdef _Work w = _work_alloc(1, m, n, d, 1)
    cdef double out = INFINITY
    if _work_ok(&w):
        _envelope(&y[0, 0], m, n, d, radius, &ey[0, 0], &ey[n, 0], w.dq)
        out = _candidate(&x[0, 0], n, &y[0, 0], m, d, &ey[0, 0], &ey[n, 0], radius, bsf, &w)
    _work_free(&w)
    return out


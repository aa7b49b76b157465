# cython: language_level=3
"""The band of admissible cells, for every kernel that walks a DTW matrix.

A band is the range of admissible columns of each row: ``[band[2 i],
band[2 i + 1])`` for row ``i``, computed once per pair by `_pair_rows` from
the Sakoe-Chiba radius and the Itakura slope (_band.h), so that the band, the
parallelogram and their intersection are one mechanism and the loops visit
the admissible cells only. Both ends never decrease with ``i``, the first row
starts at column 0, the last ends at column ``m`` and consecutive rows overlap
or touch diagonally (the callers check that a path fits before computing):
the recursions may assume that cells outside the band of the previous row
were never written. ``NULL`` means no band.
"""

cdef extern from "_band.h" nogil:
    int sdtw_band_rows(Py_ssize_t n, Py_ssize_t m, Py_ssize_t radius, double slope,
                       Py_ssize_t* band)


cdef inline void _band(Py_ssize_t i, Py_ssize_t n, Py_ssize_t m, const Py_ssize_t* band,
                       Py_ssize_t* lo, Py_ssize_t* hi) noexcept nogil:
    """Columns ``[lo, hi)`` of row ``i < n`` of an ``(n, m)`` pair inside ``band``."""
    if band == NULL:
        lo[0] = 0
        hi[0] = m
    else:
        lo[0] = band[2 * i]
        hi[0] = band[2 * i + 1]


cdef inline const Py_ssize_t* _pair_rows(Py_ssize_t n, Py_ssize_t m, Py_ssize_t radius,
                                         double slope, Py_ssize_t* buf) noexcept nogil:
    """The band of an ``(n, m)`` pair written to ``buf`` (``2 n`` entries) for the
    Sakoe-Chiba ``radius`` (``< 0``: none) and the Itakura ``slope`` (``0``:
    none); NULL for neither."""
    if radius < 0 and slope == 0.0:
        return NULL
    sdtw_band_rows(n, m, radius, slope, buf)
    return buf


cdef inline const Py_ssize_t* _pair_cols(Py_ssize_t n, Py_ssize_t m, const Py_ssize_t* rows,
                                         Py_ssize_t* buf) noexcept nogil:
    """The transpose of the band ``rows`` of an ``(n, m)`` pair: the admissible
    rows of each column ``j < m``, written to ``buf`` (``2 m`` entries), as
    the band of an ``(m, n)`` pair; NULL for no band."""
    cdef Py_ssize_t j, first = 0, end = 0
    if rows == NULL:
        return NULL
    for j in range(m):
        # both ends of the rows' ranges never decrease with the row
        while first < n and rows[2 * first + 1] <= j:
            first += 1
        while end < n and rows[2 * end] <= j:
            end += 1
        buf[2 * j] = first
        buf[2 * j + 1] = end
    return buf

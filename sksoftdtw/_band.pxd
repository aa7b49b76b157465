# cython: language_level=3
"""The band of admissible cells, for every kernel that walks a DTW matrix.

A band is computed once per pair of lengths, in Python (`sksoftdtw._plan`):
the columns ``[band[2 i], band[2 i + 1])`` of each row ``i``. The Sakoe-Chiba
band, the Itakura parallelogram and their intersection are all such ranges;
both ends never decrease with ``i``, the first row starts at column 0, the
last ends at column ``m`` and consecutive rows overlap or touch diagonally,
so the recursions may assume cells outside the band of the previous row were
never written. ``NULL`` means no band.
"""


cdef inline void _band(Py_ssize_t i, Py_ssize_t n, Py_ssize_t m, const Py_ssize_t* band,
                       Py_ssize_t* lo, Py_ssize_t* hi) noexcept nogil:
    """Columns ``[lo, hi)`` of row ``i < n`` of an ``(n, m)`` pair inside ``band``."""
    if band == NULL:
        lo[0] = 0
        hi[0] = m
    else:
        lo[0] = band[2 * i]
        hi[0] = band[2 * i + 1]


cdef inline const Py_ssize_t* _pair_band(const Py_ssize_t[::1] bands,
                                         const Py_ssize_t[::1] offsets,
                                         Py_ssize_t k) noexcept nogil:
    """The band of pair ``k``: ``bands[offsets[k]:]``, or NULL when ``offsets``
    is empty (no band for any pair) or ``offsets[k] < 0``."""
    if offsets.shape[0] == 0 or offsets[k] < 0:
        return NULL
    return &bands[offsets[k]]

# cython: language_level=3
"""The Sakoe-Chiba band, for every kernel that walks a DTW matrix."""


cdef inline void _band(Py_ssize_t i, Py_ssize_t n, Py_ssize_t m, Py_ssize_t radius,
                       Py_ssize_t* lo, Py_ssize_t* hi) noexcept nogil:
    """Columns ``[lo, hi)`` of row ``i`` inside the Sakoe-Chiba band.

    The band follows the diagonal and widens by ``|n - m|`` on the side of the
    longer series, so that the last cell is always reachable. ``radius < 0``
    means no band. The rule is symmetric: column ``j`` of an ``(n, m)`` pair
    allows the rows ``_band(j, m, n, radius)``. Both ends never decrease with
    ``i``, and the range is never empty.
    """
    if radius < 0:
        lo[0] = 0
        hi[0] = m
    elif n <= m:
        lo[0] = max(0, i - radius)
        hi[0] = min(m, i + (m - n) + radius + 1)
    else:
        lo[0] = max(0, i - (n - m) - radius)
        hi[0] = min(m, i + radius + 1)

# cython: language_level=3
"""Signals (Ctrl-C) inside the kernels: see ``_interrupt.h``.

A driver runs its work as::

    cdef sdtw_call call
    sdtw_call_init(&call)
    with nogil, parallel(num_threads=n_threads):
        sdtw_join(&call)
        k = sdtw_take(n)
        while k < n:
            ...            # loops over rows call sdtw_stop(cells) and break
            k = sdtw_take(n)
        sdtw_leave()
    raise_if_stopped(&call)
"""
from cpython.exc cimport PyErr_Occurred


cdef extern from "_interrupt.h" nogil:
    ctypedef struct sdtw_call:
        int stop
        int failed
    void sdtw_call_init(sdtw_call* c)
    void sdtw_join(sdtw_call* c)
    bint sdtw_stop(Py_ssize_t cells)
    Py_ssize_t sdtw_take(Py_ssize_t n)
    void sdtw_fail()
    void sdtw_leave()


cdef inline int raise_if_stopped(sdtw_call* c) except -1:
    """After the parallel region: raise what stopped the call, if anything did."""
    if c.failed:
        raise MemoryError("no memory for the kernel's work space")
    if c.stop:
        if PyErr_Occurred() != NULL:
            return -1  # the exception of the signal handler
        raise KeyboardInterrupt()
    return 0

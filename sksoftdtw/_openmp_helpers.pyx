"""The one place that decides how many OpenMP threads a kernel call uses."""
import os


cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define SKSOFTDTW_OPENMP 1
    #else
    #define SKSOFTDTW_OPENMP 0
    static int omp_get_max_threads(void) { return 1; }
    #endif
    """
    int SKSOFTDTW_OPENMP
    int omp_get_max_threads() nogil


def openmp_enabled():
    """Whether the extensions were built with OpenMP."""
    return bool(SKSOFTDTW_OPENMP)


def effective_n_threads(n_jobs=None):
    """Number of threads for a kernel call, following scikit-learn's ``n_jobs``.

    ``None`` means 1; ``-1`` means every core the process may use, capped by
    the OpenMP limit (so ``threadpoolctl.threadpool_limits`` and
    ``OMP_NUM_THREADS`` are respected); ``-2`` one fewer, and so on.
    """
    if n_jobs is None:
        return 1
    if not SKSOFTDTW_OPENMP:
        return 1
    if n_jobs > 0:
        return int(n_jobs)
    n_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_cpus = min(n_cpus, omp_get_max_threads())
    return max(1, n_cpus + 1 + int(n_jobs))

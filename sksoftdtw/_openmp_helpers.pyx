"""Run-time facts about the machine: OpenMP threads and CPU features.

The one place that decides how many threads a kernel call uses, and that tells
which instruction sets the CPU has (for the choice of kernel build).
"""
import os
import warnings


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

cdef extern from *:
    """
    #include <string.h>
    #if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    static int sksoftdtw_cpu_has(const char *f) {
        __builtin_cpu_init();
        if (!strcmp(f, "avx2")) return __builtin_cpu_supports("avx2");
        if (!strcmp(f, "fma")) return __builtin_cpu_supports("fma");
        if (!strcmp(f, "avx512f")) return __builtin_cpu_supports("avx512f");
        if (!strcmp(f, "avx512dq")) return __builtin_cpu_supports("avx512dq");
        if (!strcmp(f, "avx512vl")) return __builtin_cpu_supports("avx512vl");
        if (!strcmp(f, "avx512bw")) return __builtin_cpu_supports("avx512bw");
        return 0;
    }
    #else
    static int sksoftdtw_cpu_has(const char *f) { (void)f; return 0; }
    #endif
    """
    int sksoftdtw_cpu_has(const char* f)


def cpu_has(feature):
    """Whether the CPU has an x86 feature: avx2, fma, avx512f/dq/vl/bw."""
    return bool(sksoftdtw_cpu_has(feature.encode()))


def openmp_enabled():
    """Whether the extensions were built with OpenMP."""
    return bool(SKSOFTDTW_OPENMP)


# GNU OpenMP keeps its worker threads across parallel regions, and a process
# forked after they started inherits the pool without the threads: its next
# parallel region with more than one thread waits for them forever (DataLoader
# workers, multiprocessing's "fork"). Such a process runs the kernels on one
# thread instead.
_threads = {"started": False, "forked": False, "warned": False}


def _after_fork_in_child():
    _threads["forked"] = _threads["started"]
    _threads["warned"] = False


os.register_at_fork(after_in_child=_after_fork_in_child)


def effective_n_threads(n_jobs=None):
    """Number of threads for a kernel call, following scikit-learn's ``n_jobs``.

    ``None`` means 1; ``-1`` means every core the process may use (its CPU
    affinity), capped by the OpenMP limit (so ``threadpoolctl.threadpool_limits``
    and ``OMP_NUM_THREADS`` are respected); ``-2`` one fewer, and so on. A
    positive ``n_jobs`` is capped by the same number: more threads than cores
    only slow a compute-bound kernel down, and thousands of them exhaust the
    memory of their stacks. In a process forked after the kernels ran threads,
    always 1 (with a warning).
    """
    if n_jobs is None or not SKSOFTDTW_OPENMP:
        return 1
    n_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_cpus = max(1, min(n_cpus or 1, omp_get_max_threads()))
    if n_jobs > 0:
        return _record(min(int(n_jobs), n_cpus))
    return _record(max(1, n_cpus + 1 + int(n_jobs)))


def _record(n_threads):
    """``n_threads``, or 1 in a process forked after the kernels ran threads."""
    if n_threads == 1:
        return 1
    if _threads["forked"]:
        if not _threads["warned"]:
            warnings.warn(
                "this process was forked after sksoftdtw ran OpenMP threads, which GNU "
                "OpenMP cannot start again in the child (it would hang): the kernels use 1 "
                "thread here. Start subprocesses with the 'spawn' or 'forkserver' method to "
                "use threads in them.", RuntimeWarning, stacklevel=3)
            _threads["warned"] = True
        return 1
    _threads["started"] = True
    return n_threads

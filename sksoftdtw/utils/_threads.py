"""One-threaded BLAS during fits, without touching other threads' BLAS for good."""
import threading
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread for the duration of the block, from the main thread only.

    BLAS thread counts are process-wide, and OpenBLAS (0.3.30 and later) lets
    only the first thread that sets a count change it while that thread lives:
    a limit set and restored from several threads can leave the process at
    one thread for good. The main thread sets and restores its own limit; a
    block run in another thread leaves BLAS alone (wrap such fits in
    ``threadpoolctl.threadpool_limits`` to limit their BLAS).

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from sksoftdtw.utils._threads import single_threaded_blas
    >>> before = [lib["num_threads"] for lib in threadpool_info()]
    >>> with single_threaded_blas():
    ...     inside = {lib["num_threads"] for lib in threadpool_info()
    ...               if lib["user_api"] == "blas"}
    >>> inside <= {1}
    True
    >>> [lib["num_threads"] for lib in threadpool_info()] == before
    True
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield

"""One-threaded BLAS during fits, safe when several threads fit at once."""
import threading
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

_lock = threading.Lock()
_active = 0  # fits inside single_threaded_blas, over all threads
_limiter = None  # the limits set by the first of them, holding the original ones


@contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread for the duration of the block.

    BLAS thread counts are process-wide, so a ``threadpool_limits`` per call
    is not safe under concurrency: a second fit entering while the first runs
    would record 1 as the "original" count and, leaving last, restore it for
    good. Here the first block to enter sets the limit and the last to leave
    restores what was there before the first.

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
    global _active, _limiter
    with _lock:
        if _active == 0:
            _limiter = threadpool_limits(limits=1, user_api="blas")
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                _limiter.restore_original_limits()
                _limiter = None

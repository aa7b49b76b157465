"""Scale-out of the pairwise and batched computations over a cluster.

On one machine, ``n_jobs`` is all there is to parallelism: it sets the number
of threads of the Cython kernels. Beyond one machine, the work is cut into
blocks that are dispatched with :class:`joblib.Parallel` to whatever joblib
backend is active, typically Dask's::

    from dask.distributed import Client
    import joblib

    client = Client("tcp://scheduler:8786")
    with joblib.parallel_config(backend="dask"):
        D = cdist_blocks(cdist_soft_dtw, X, Y, gamma=0.1)

:func:`cdist_blocks` cuts a pairwise matrix into row and column blocks, and
:func:`batch_blocks` a batch of pairs into contiguous chunks. Each task
receives only the series of its block, never the whole dataset; a block used
by several tasks is a NumPy array, which joblib's Dask backend scatters to the
workers once. Each block runs the ordinary single-machine function, with its
``n_jobs`` threads, on a worker: the values are those of one call on the whole
data, bit for bit, and the gradients agree with them to rounding (the kernels
group the pairs of a chunk in SIMD lanes differently from those of the whole
batch, which can change their last bits).

:func:`distributed_backend_active` tells whether a call should be split: it is
true inside a ``joblib.parallel_config(backend=...)`` (or
``parallel_backend``) context whose backend is not one of joblib's
single-machine backends, except on a worker of the cluster; the
pairwise and batched functions of :mod:`sksoftdtw.metrics` then split
themselves (see :func:`distributed`).
"""
import functools
import inspect
import math
import sys
import threading
from contextlib import contextmanager, nullcontext

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs, parallel_config
from joblib.parallel import get_active_backend

from .utils import check_dataset
from .utils._validation import check_pairs

__all__ = ["batch_blocks", "cdist_blocks", "distributed_backend_active"]

# The default blocks: about this many per worker, enough to balance the load
# when blocks take different times...
_TASKS_PER_WORKER = 4
# ...and at least this many cells of DTW matrices each (about 0.1 s of one
# core), so that a task's round trip to the cluster (milliseconds) stays small
# against its work. A smaller computation is not worth sending: it runs here.
_MIN_CELLS_PER_TASK = 2 * 10**7

_state = threading.local()


@contextmanager
def _inside_block():
    """Mark the current thread as computing a block, so that it does not split again."""
    previous = getattr(_state, "inside", False)
    _state.inside = True
    try:
        yield
    finally:
        _state.inside = previous


def _on_dask_worker():
    distributed = sys.modules.get("distributed")  # not imported: not on a worker
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


def distributed_backend_active():
    """Whether the active joblib backend sends work to other machines.

    True inside a ``joblib.parallel_config`` (or ``parallel_backend``)
    context whose backend is not one of joblib's own single-machine ones
    (``"loky"``, ``"threading"``, ``"multiprocessing"``, sequential), e.g.
    ``"dask"``, ``"ray"`` or ``"spark"``. False on a Dask worker, where
    joblib runs its tasks with the Dask backend active: a call made there
    (a block, or a candidate fit of a grid search spread over the cluster)
    is already part of a distributed computation and stays on its worker.

    Returns
    -------
    active : bool

    See Also
    --------
    cdist_blocks, batch_blocks

    Examples
    --------
    >>> import joblib
    >>> from sksoftdtw.parallel import distributed_backend_active
    >>> distributed_backend_active()
    False
    >>> with joblib.parallel_config(backend="threading"):
    ...     distributed_backend_active()  # threads of this machine
    False
    """
    if getattr(_state, "inside", False):
        return False
    backend, _ = get_active_backend()
    # joblib's single-machine backends all live in this module; Dask's,
    # Ray's and Spark's are registered from elsewhere.
    if type(backend).__module__ == "joblib._parallel_backends":
        return False
    return not _on_dask_worker()


def _n_workers(backend):
    """Number of workers (threads or processes, over the cluster) of a backend."""
    with parallel_config(backend=backend) if backend is not None else nullcontext():
        return max(1, effective_n_jobs(-1))


def _n_tasks(cells, backend):
    """How many tasks the default blocks of a computation of ``cells`` cells make."""
    return max(1, min(_TASKS_PER_WORKER * _n_workers(backend),
                      int(cells // _MIN_CELLS_PER_TASK)))


def _check_block_size(block_size):
    if block_size is not None and (
        isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer))
        or block_size < 1
    ):
        raise ValueError(f"block_size must be None or a positive integer, got {block_size!r}")


def _bounds(n, size):
    """Start and end of consecutive blocks of ``size`` items covering ``range(n)``."""
    starts = np.arange(0, n, size)
    return list(zip(starts.tolist(), np.minimum(starts + size, n).tolist()))


def _block(ds, start, end):
    """Series ``start:end`` of a dataset as one 3-D array, NaN-padded if lengths differ.

    An array (unlike a list) is scattered once by joblib's Dask backend and
    shared by all the tasks using the block. Trailing NaN is the padding
    convention of every function of the package, so the padded block holds
    exactly the same series.
    """
    lengths = ds.lengths[start:end]
    data = ds.data[ds.offsets[start]:ds.offsets[end]]
    if (lengths == lengths[0]).all():
        return data.reshape(end - start, lengths[0], ds.d)
    out = np.full((end - start, lengths.max(), ds.d), np.nan)
    for k, offset in enumerate(ds.offsets[start:end] - ds.offsets[start]):
        out[k, :lengths[k]] = data[offset:offset + lengths[k]]
    return out


def _compute(func, *args, **kwargs):
    with _inside_block():
        return func(*args, **kwargs)


def _matrix_block_sizes(n_x, n_y, n_tasks, symmetric):
    """Rows and columns per block for about ``n_tasks`` blocks of equal work.

    Blocks are square, except for a matrix too narrow for that (the distances
    of many series to a few centroids), which is cut along its long side only.
    """
    if symmetric:  # only the blocks on and above the diagonal are computed
        n_tasks *= 2
    side = math.sqrt(n_x * n_y / n_tasks)
    if side < min(n_x, n_y):
        return math.ceil(side), math.ceil(side)
    if n_x >= n_y:
        return math.ceil(n_x / n_tasks), n_y
    return n_x, math.ceil(n_y / n_tasks)


def cdist_blocks(func, X, Y=None, *, block_size=None, backend=None, **kwargs):
    """Compute a pairwise matrix by blocks, dispatched with joblib.

    ``func(X_block, Y_block, **kwargs)`` computes the ``(len(X_block),
    len(Y_block))`` block of the matrix between ``X`` and ``Y``, e.g.
    :func:`~sksoftdtw.cdist_soft_dtw`, :func:`~sksoftdtw.cdist_dtw` or
    :func:`~sksoftdtw.cdist_soft_dtw_divergence`. The blocks run as tasks of
    :class:`joblib.Parallel` on the active joblib backend (or ``backend``):
    with Dask's, on the workers of a cluster, each receiving the series of
    its blocks only.

    Parameters
    ----------
    func : callable
        ``func(X, Y, **kwargs)`` returning an ``(n_x, n_y)`` array, and
        ``func(X, None, **kwargs)`` the symmetric matrix of ``X``.
    X : array-like of shape (n_x, sz) or (n_x, sz, d), or list of series
        Validated here, once, so that input errors are raised before any
        task is sent.
    Y : array-like of shape (n_y, sz) or (n_y, sz, d), list of series, or None
        ``None`` means ``Y = X``: only the blocks on and above the diagonal
        are computed, and mirrored, as ``func(X, None)`` does for pairs.
    block_size : int, default=None
        Number of series of ``X`` (and of ``Y``) per block. ``None`` makes
        about four blocks per worker of the backend, each of at least
        ``2e7`` cells of DTW matrices (about 0.1 s of one core); a smaller
        computation runs in this process, with no task sent.
    backend : str or joblib backend instance, default=None
        Backend of :class:`joblib.Parallel`; ``None`` uses the active one
        (set with :func:`joblib.parallel_config`), which is sequential
        outside any such context.
    **kwargs
        Passed to ``func``: ``gamma``, ``sakoe_chiba_radius``,
        ``itakura_max_slope``, and ``n_jobs``, the number of threads of the
        kernels of each task.

    Returns
    -------
    D : ndarray of shape (n_x, n_y)
        The matrix ``func(X, Y, **kwargs)``.

    See Also
    --------
    batch_blocks : The same for a batch of pairs.
    distributed_backend_active : Whether a cluster backend is active.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import cdist_soft_dtw
    >>> from sksoftdtw.parallel import cdist_blocks
    >>> X = np.random.RandomState(0).randn(7, 10)
    >>> D = cdist_blocks(cdist_soft_dtw, X, block_size=3, gamma=0.1)
    >>> bool(np.array_equal(D, cdist_soft_dtw(X, gamma=0.1)))
    True
    """
    _check_block_size(block_size)
    Xd = check_dataset(X, "X")
    Yd = None if Y is None else check_dataset(Y, "Y", d=Xd.d)
    n_x = Xd.n_ts
    n_y = n_x if Yd is None else Yd.n_ts
    if block_size is not None:
        rows_size = cols_size = block_size
    else:
        cells = Xd.lengths.sum() * (Xd if Yd is None else Yd).lengths.sum()
        n_tasks = _n_tasks(cells / (2 if Yd is None else 1), backend)
        if n_tasks == 1:
            return _compute(func, X, Y, **kwargs)
        rows_size, cols_size = _matrix_block_sizes(n_x, n_y, n_tasks, Yd is None)
    rows = _bounds(n_x, rows_size)
    cols = rows if Yd is None else _bounds(n_y, cols_size)
    x_blocks = [_block(Xd, a, b) for a, b in rows]
    y_blocks = x_blocks if Yd is None else [_block(Yd, a, b) for a, b in cols]
    if Yd is None:
        # The diagonal blocks are symmetric matrices of their own; the others
        # are taken above the diagonal, with the orientation func(X, None)
        # uses, and mirrored.
        index = [(i, j) for i in range(len(rows)) for j in range(i, len(cols))]
        tasks = (delayed(_compute)(func, x_blocks[i], None if i == j else y_blocks[j],
                                   **kwargs) for i, j in index)
    else:
        index = [(i, j) for i in range(len(rows)) for j in range(len(cols))]
        tasks = (delayed(_compute)(func, x_blocks[i], y_blocks[j], **kwargs)
                 for i, j in index)
    results = Parallel(backend=backend)(tasks)
    out = np.empty((n_x, n_y))
    for (i, j), block in zip(index, results):
        (a, b), (c, e) = rows[i], cols[j]
        out[a:b, c:e] = block
        if Yd is None and i != j:
            out[c:e, a:b] = np.asarray(block).T
    return out


def _flat_rows(grad, d):
    """A block's gradients, in the block's layout, as rows of shape (n_samples, d)."""
    if isinstance(grad, list):
        return np.concatenate([np.reshape(g, (-1, d)) for g in grad])
    return np.reshape(grad, (-1, d))


def batch_blocks(func, X, Y, *, block_size=None, backend=None, **kwargs):
    """Evaluate a batch of pairs ``(X[k], Y[k])`` by chunks, dispatched with joblib.

    ``func(X_chunk, Y_chunk, **kwargs)`` is
    :func:`~sksoftdtw.soft_dtw_batch` or a function of the same signature:
    it returns the values of the pairs, or a tuple of the values and the
    gradients asked by ``return_grad``. The chunks run as tasks of
    :class:`joblib.Parallel` on the active joblib backend (or ``backend``),
    and the results are laid out as one call on the whole batch would.

    Parameters
    ----------
    func : callable
        ``func(X, Y, **kwargs)`` with the signature and results of
        :func:`~sksoftdtw.soft_dtw_batch`.
    X : array-like of shape (n_pairs, n) or (n_pairs, n, d), or list of series
    Y : array-like of shape (n_pairs, m) or (n_pairs, m, d), or list of series
    block_size : int, default=None
        Number of pairs per chunk. ``None`` makes about four chunks per
        worker of the backend, each of at least ``2e7`` cells of DTW
        matrices; a smaller batch runs in this process, with no task sent.
    backend : str or joblib backend instance, default=None
        Backend of :class:`joblib.Parallel`; ``None`` uses the active one.
    **kwargs
        Passed to ``func``: ``gamma``, ``sakoe_chiba_radius``,
        ``itakura_max_slope``, ``return_grad``, ``n_jobs``.

    Returns
    -------
    values : ndarray of shape (n_pairs,)
        Alone, or followed by the gradients in the layouts of ``X`` and
        ``Y``, as ``func`` returns them for the whole batch: the same
        values, and gradients equal to rounding.

    See Also
    --------
    cdist_blocks : The same for pairwise matrices.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_batch
    >>> from sksoftdtw.parallel import batch_blocks
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.randn(5, 8), rng.randn(5, 6)
    >>> values, grad = batch_blocks(soft_dtw_batch, X, Y, block_size=2, gamma=0.1,
    ...                             return_grad="x")
    >>> grad.shape
    (5, 8)
    >>> expected = soft_dtw_batch(X, Y, gamma=0.1, return_grad="x")
    >>> bool(np.array_equal(values, expected[0]))
    True
    >>> bool(np.allclose(grad, expected[1], rtol=1e-12, atol=1e-12))
    True
    """
    _check_block_size(block_size)
    Xd, Yd = check_pairs(X, Y)
    if block_size is None:
        n_tasks = _n_tasks(float(Xd.lengths @ Yd.lengths), backend)
        if n_tasks == 1:
            return _compute(func, X, Y, **kwargs)
        block_size = math.ceil(Xd.n_ts / n_tasks)
    chunks = _bounds(Xd.n_ts, block_size)
    results = Parallel(backend=backend)(
        delayed(_compute)(func, _block(Xd, a, b), _block(Yd, a, b), **kwargs)
        for a, b in chunks
    )
    if not isinstance(results[0], tuple):
        return np.concatenate(results)
    values = np.concatenate([r[0] for r in results])
    # The gradients that came back, in order: those of X, then those of Y.
    datasets = {"x": [Xd], "y": [Yd], "both": [Xd, Yd]}[kwargs.get("return_grad")]
    grads = [ds.unflatten(np.concatenate([_flat_rows(r[k + 1], ds.d) for r in results]))
             for k, ds in enumerate(datasets)]
    return (values, *grads)


def distributed(blocks):
    """Make a pairwise or batched function split itself on a cluster.

    The decorated function runs as it is, unless
    :func:`distributed_backend_active`: then its call goes to ``blocks``
    (:func:`cdist_blocks` or :func:`batch_blocks`), whose blocks call it
    again, inside a block, where it runs as it is. A call on one machine pays
    one test of the active backend.

    Parameters
    ----------
    blocks : callable
        :func:`cdist_blocks` or :func:`batch_blocks`.

    Returns
    -------
    decorate : callable
        The decorator of a function ``func(X, Y, ...)`` of the signature
        ``blocks`` expects.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw.parallel import batch_blocks, distributed
    >>> @distributed(batch_blocks)
    ... def first_points(X, Y, *, n_jobs=None):
    ...     return np.asarray(X)[:, 0] - np.asarray(Y)[:, 0]
    >>> first_points(np.ones((3, 4)), np.zeros((3, 2)))
    array([1., 1., 1.])
    """
    def decorate(func):
        signature = inspect.signature(func)

        @functools.wraps(func)
        def split_when_distributed(*args, **kwargs):
            if not distributed_backend_active():
                return func(*args, **kwargs)
            arguments = signature.bind(*args, **kwargs).arguments
            X, Y = arguments.pop("X"), arguments.pop("Y", None)
            return blocks(split_when_distributed, X, Y, **arguments)
        return split_when_distributed
    return decorate

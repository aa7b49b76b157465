"""Soft-DTW of precomputed cost matrices: one, or a batch of padded ones."""
import warnings

import numpy as np

from .._engine.cost import batch_cost, cost_alignment
from .._engine.pairs import float_dtype
from .._engine.planner import as_band
from ..utils._validation import as_float_array, check_gamma, check_n_jobs
from ._common import check_cost_matrix, fill_docs


def soft_dtw_alignment_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    r"""Expected alignment and soft-DTW value of any precomputed cost matrix.

    The recursion never looks at the series, only at :math:`\Delta`, so any
    cost (absolute, cosine, learned...) can be used; chain rule
    :math:`\nabla_\theta = (\partial \Delta / \partial \theta)^\top E`.

    Parameters
    ----------
    D : array-like of shape (n, m)
        Cost matrix.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``.
    %(band)s

    Returns
    -------
    E : ndarray of shape (n, m)
        :math:`E = \nabla_\Delta \mathrm{dtw}_\gamma`, the expected alignment
        under the Gibbs distribution over paths; entries in [0, 1].
    value : float

    See Also
    --------
    soft_dtw_alignment : The same for the squared Euclidean cost of two series.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_alignment_from_cost
    >>> E, value = soft_dtw_alignment_from_cost(np.array([[0.0, 1.0], [1.0, 0.0]]), gamma=0.0)
    >>> E, value
    (array([[1., 0.],
           [0., 1.]]), 0.0)
    """
    dtype = float_dtype(D)
    D = check_cost_matrix(D)
    value, E = cost_alignment(D, check_gamma(gamma),
                              as_band(sakoe_chiba_radius, itakura_max_slope))
    return E.astype(dtype, copy=False), value


def soft_dtw_from_cost(D, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None):
    """Soft-DTW value and expected alignment of a cost matrix, in that order.

    .. deprecated:: 0.1.0
        ``soft_dtw_from_cost`` returns ``(value, E)``, unlike the other
        functions that return an alignment. Use
        :func:`soft_dtw_alignment_from_cost`, which returns ``(E, value)``;
        ``soft_dtw_from_cost`` will be removed in 0.2.0.

    Parameters
    ----------
    D, gamma, sakoe_chiba_radius, itakura_max_slope
        As in :func:`soft_dtw_alignment_from_cost`.

    Returns
    -------
    value : float
    E : ndarray of shape (n, m)
        As returned by :func:`soft_dtw_alignment_from_cost`.

    See Also
    --------
    soft_dtw_alignment_from_cost : Its replacement.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_alignment_from_cost, soft_dtw_from_cost
    >>> D = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value, E = soft_dtw_from_cost(D, gamma=0.0)
    >>> caught[0].category.__name__
    'FutureWarning'
    >>> E_new, value_new = soft_dtw_alignment_from_cost(D, gamma=0.0)  # the replacement
    >>> value == value_new, bool((E == E_new).all())
    (True, True)
    """
    warnings.warn(
        "soft_dtw_from_cost is deprecated and will be removed in 0.2.0: use "
        "soft_dtw_alignment_from_cost, which returns (E, value) instead of (value, E).",
        FutureWarning, stacklevel=2)
    E, value = soft_dtw_alignment_from_cost(D, gamma, sakoe_chiba_radius=sakoe_chiba_radius,
                                            itakura_max_slope=itakura_max_slope)
    return value, E


def _check_lengths(lengths, shape):
    """``lengths`` as an ``(n_pairs, 2)`` intp array of block sizes within ``shape``."""
    n_pairs, n, m = shape
    if lengths is None:
        return np.tile(np.array([[n, m]], dtype=np.intp), (n_pairs, 1))
    arr = np.asarray(lengths)
    if arr.shape != (n_pairs, 2):
        raise ValueError(
            f"lengths must have shape (n_pairs, 2) = ({n_pairs}, 2), got {arr.shape}"
        )
    if arr.dtype.kind not in "iu":
        raise TypeError(f"lengths must hold integers, got dtype {arr.dtype}")
    bad = np.flatnonzero((arr < 1).any(axis=1) | (arr[:, 0] > n) | (arr[:, 1] > m))
    if len(bad):
        k = bad[0]
        raise ValueError(
            f"lengths[{k}] = {tuple(int(v) for v in arr[k])} is out of range: every "
            f"(n_k, m_k) must have 1 <= n_k <= {n} and 1 <= m_k <= {m}"
        )
    return np.ascontiguousarray(arr, dtype=np.intp)


def soft_dtw_batch_from_cost(D, gamma=1.0, *, lengths=None, sakoe_chiba_radius=None,
                             itakura_max_slope=None,
                             return_alignment=False, n_jobs=None):
    r"""Soft-DTW values (and expected alignments) of a batch of cost matrices.

    The batched counterpart of :func:`soft_dtw_from_cost`, for a loss with
    any ground cost (a deep-learning loss with a learned or user-defined
    distance): all the pairs run in one parallel call with the GIL released.
    Pairs of different lengths are given padded, with their ``lengths``.

    Parameters
    ----------
    D : array-like of shape (n_pairs, n, m), float32 or float64
        Cost matrices. Pair ``k`` is ``D[k, :n_k, :m_k]``; the entries
        outside that block (the padding) are never read and may hold
        anything, NaN included.
    gamma : float, default=1.0
        Smoothing parameter, ``>= 0``; ``0`` gives hard DTW and the optimal
        path's indicator.
    lengths : array-like of int of shape (n_pairs, 2), default=None
        ``(n_k, m_k)`` of each pair, with ``1 <= n_k <= n`` and
        ``1 <= m_k <= m``. ``None`` means every pair uses the whole
        ``n x m`` matrix.
    %(band)s The band of each pair follows its own lengths.
    return_alignment : bool, default=False
        Whether to return the expected alignments too.
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.

    Returns
    -------
    values : ndarray of shape (n_pairs,)
        :math:`\mathrm{dtw}_\gamma` of each cost matrix.
    E : ndarray of shape (n_pairs, n, m)
        Returned when ``return_alignment``: each pair's expected alignment
        :math:`E = \nabla_\Delta \mathrm{dtw}_\gamma` in its block, and
        exactly 0 outside it.

    Notes
    -----
    The outputs have the dtype of ``D`` (float32 for float32 input, float64
    otherwise). float32 batches run in float32 kernels, 32 pairs of equal
    lengths at a time in the SIMD lanes, when their exponents are exact in
    float32 (see :doc:`/implementation`), and in float64 otherwise (the
    input converted, the results rounded at the end).

    See Also
    --------
    soft_dtw_from_cost : one cost matrix.
    soft_dtw_batch : a batch of pairs of series with the squared Euclidean cost.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import soft_dtw_batch_from_cost
    >>> D = np.array([[[0.0, 1.0], [1.0, 0.0]],
    ...               [[2.0, np.nan], [np.nan, np.nan]]])
    >>> values, E = soft_dtw_batch_from_cost(D, gamma=0.0, lengths=[[2, 2], [1, 1]],
    ...                                      return_alignment=True)
    >>> values
    array([0., 2.])
    >>> E[0]
    array([[1., 0.],
           [0., 1.]])
    >>> E[1]
    array([[1., 0.],
           [0., 0.]])
    """
    float32 = getattr(D, "dtype", None) == np.float32
    arr = as_float_array(D, "D")
    if arr.ndim != 3:
        raise ValueError(
            f"D must be a batch of cost matrices of shape (n_pairs, n, m), got an array "
            f"with {arr.ndim} dimensions"
        )
    if 0 in arr.shape:
        raise ValueError(f"D is an empty batch of cost matrices (shape {arr.shape})")
    gamma = check_gamma(gamma)
    band = as_band(sakoe_chiba_radius, itakura_max_slope)
    n_threads = check_n_jobs(n_jobs)
    lengths = _check_lengths(lengths, arr.shape)
    dtype = np.float32 if float32 else np.float64
    values, E = batch_cost(np.ascontiguousarray(arr), lengths, gamma, band,
                           return_alignment, n_threads, dtype=dtype)
    if not return_alignment:
        return values.astype(dtype, copy=False)
    return values.astype(dtype, copy=False), E.astype(dtype, copy=False)


fill_docs(soft_dtw_alignment_from_cost, soft_dtw_from_cost, soft_dtw_batch_from_cost)

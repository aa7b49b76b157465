"""Pairwise matrices, computed block of rows after block of rows."""
import functools

import numpy as np

from ..utils._validation import check_dataset
from .pairs import float_dtype, pairs_value
from .planner import CDIST_BLOCK_PAIRS


def cdist(X, Y, gamma, band, n_jobs, pairs_values=None, cost="sqeuclidean"):
    """The matrix of ``pairs_values`` (default `pairs_value` of the ``cost``) over
    ``X x Y``, or its upper triangle mirrored when ``Y`` is None, filled in
    place block of rows after block of rows (see `planner.CDIST_BLOCK_PAIRS`),
    in the dtype of the data (float32 when all of it is float32)."""
    dtype = float_dtype(X) if Y is None else float_dtype(X, Y)
    pairs_values = pairs_values or functools.partial(pairs_value, cost=cost)
    Xd = check_dataset(X, "X")
    Yd = Xd if Y is None else check_dataset(Y, "Y", d=Xd.d)
    n_x, n_y = Xd.n_ts, Yd.n_ts
    out = np.empty((n_x, n_y), dtype)
    # pairs of row i: columns i.. (upper triangle) or all of them
    row_pairs = n_y - np.arange(n_x) if Y is None else np.full(n_x, n_y)
    budget = min(max(int(row_pairs.sum()) // 32, CDIST_BLOCK_PAIRS[0]), CDIST_BLOCK_PAIRS[1])
    ends = np.searchsorted(np.cumsum(row_pairs), np.arange(budget, row_pairs.sum(), budget),
                           side="right")
    for r0, r1 in zip(np.r_[0, ends], np.r_[ends, n_x]):
        if r1 <= r0:
            continue
        counts = row_pairs[r0:r1]
        pi = np.repeat(np.arange(r0, r1), counts)
        first = n_y - counts  # the first column of each row
        pj = np.arange(len(pi)) - np.repeat(np.cumsum(counts) - counts - first, counts)
        vals = pairs_values(Xd, Yd, pi, pj, gamma, band, n_jobs, dtype=dtype)
        out[pi, pj] = vals
        if Y is None:
            out[pj, pi] = vals
    return out


def cdist_divergence(X, Y, gamma, band, n_jobs, pairs_values=None):
    """The matrix of ``pairs_values`` (default `pairs_value`) between X and Y (or
    X), debiased by the values of each series with itself."""
    out = cdist(X, Y, gamma, band, n_jobs, pairs_values)
    self_x = _self_values(X, "X", gamma, band, n_jobs, pairs_values)
    self_y = self_x if Y is None else _self_values(Y, "Y", gamma, band, n_jobs, pairs_values)
    rows = max(1, CDIST_BLOCK_PAIRS[0] // len(self_y))
    for r in range(0, len(out), rows):  # in place, by blocks of rows: no second matrix
        out[r:r + rows] -= 0.5 * (self_x[r:r + rows, None] + self_y[None, :])
    if Y is None:
        np.fill_diagonal(out, 0.0)
    return out


def _self_values(X, name, gamma, band, n_jobs, pairs_values=None):
    """``pairs_values`` (default `pairs_value`) of each series of X with itself."""
    dtype = float_dtype(X)
    ds = check_dataset(X, name)
    idx = np.arange(ds.n_ts)
    return (pairs_values or pairs_value)(ds, ds, idx, idx, gamma, band, n_jobs, dtype=dtype)

"""The neighbour search shared by the classifier and the regressor.

Hard DTW with the squared Euclidean cost goes through the pruned search of
:mod:`sksoftdtw._neighbors_fast`, whose lower bounds are those of that cost;
soft-DTW, the divergence and the other costs through the pairwise matrix, one block of query series at a time, so that memory stays
``O(n_queries * k + block)`` whatever the metric.
"""
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._engine.kernels import neighbors as _neighbors_fast
from .._engine.planner import as_band, check_band_fits
from ..metrics import cdist_dtw, cdist_soft_dtw, cdist_soft_dtw_divergence
from ..utils import check_band, check_dataset, check_n_jobs
from ..utils._constraints import shared_constraints
from ..utils._validation import COSTS, set_features_in

# Largest number of values in one block of a pairwise matrix (32 MB).
_BLOCK_CELLS = 1 << 22


def _kneighbors_dtw(query, train, k, band, n_threads, skip):
    """The ``k`` nearest series of ``train`` under hard DTW, by the pruned search.

    ``query`` and ``train`` are `FlatDataset`; ``skip[q]`` is a training
    index that query ``q`` may not take (``-1``: none). The envelopes of the
    training set depend on the query length: they are computed once per
    distinct length. ``band`` is the global constraint (a `Band`), in which a
    path must fit for every pair of lengths.
    """
    dist = np.empty((query.n_ts, k))
    ind = np.empty((query.n_ts, k), dtype=np.intp)
    lengths = query.lengths
    for n in np.unique(lengths):
        rows = np.flatnonzero(lengths == n)
        lower = np.empty((train.n_ts * n, train.d))
        upper = np.empty_like(lower)
        check_band_fits(np.full(train.n_ts, n), train.lengths, band)
        _neighbors_fast.envelopes(train.data, train.offsets, n, *band, n_threads,
                                  lower, upper)
        _neighbors_fast.kneighbors(query.data, query.offsets, rows, skip[rows], train.data,
                                   train.offsets, lower, upper, *band, n_threads, dist, ind)
    return dist, ind


def _series(dataset, start=0, stop=None):
    stop = dataset.n_ts if stop is None else stop
    return [dataset.series(s) for s in range(start, stop)]


def _kneighbors_brute(query, train, k, cdist, skip):
    """The ``k`` smallest entries of each row of ``cdist(query, train)``, by blocks.

    Ties go to the lowest index, as in scikit-learn (a stable sort).
    """
    dist = np.empty((query.n_ts, k))
    ind = np.empty((query.n_ts, k), dtype=np.intp)
    train_series = _series(train)
    block = max(1, _BLOCK_CELLS // train.n_ts)
    for start in range(0, query.n_ts, block):
        stop = min(start + block, query.n_ts)
        D = cdist(_series(query, start, stop), train_series)
        rows = np.flatnonzero(skip[start:stop] >= 0)
        D[rows, skip[start:stop][rows]] = np.inf
        ind[start:stop] = np.argsort(D, axis=1, kind="stable")[:, :k]
        dist[start:stop] = np.take_along_axis(D, ind[start:stop], axis=1)
    return dist, ind


def _inverse_distance_weights(dist):
    """``1 / dist``; a query at distance 0 of some neighbours gives weight 1 to
    those and 0 to the others, as in scikit-learn.

    The divergence can be a few ulps below zero: such values count as 0.
    """
    dist = np.maximum(dist, 0.0)
    with np.errstate(divide="ignore"):
        weights = 1.0 / dist
    exact = np.isinf(weights).any(axis=1)
    weights[exact] = np.isinf(weights[exact])
    return weights


def _check_target(estimator, y, n_ts):
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the "
                         "target y is None")
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != n_ts:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                         f"X has {n_ts} series and y has shape {y.shape}")
    return y


def _class_labels(y):
    """The classes of the checked target ``y`` and the index of each label among them."""
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    return np.unique(y, return_inverse=True)


# The parameters of the discrepancy and its computation, in every estimator here.
_COMMON_CONSTRAINTS = shared_constraints("gamma", "sakoe_chiba_radius", "itakura_max_slope",
                                         "n_jobs")


class _KNeighborsTimeSeriesBase(BaseEstimator):
    """Fit (store the training series) and `kneighbors` of both estimators."""

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "weights": [StrOptions({"uniform", "distance"})],
        "metric": [StrOptions({"dtw", "softdtw", "divergence"})],
        **_COMMON_CONSTRAINTS,
        "cost": [StrOptions(set(COSTS))],
    }

    def __init__(self, n_neighbors=5, *, weights="uniform", metric="dtw", gamma=1.0,
                 sakoe_chiba_radius=None, itakura_max_slope=None, n_jobs=None,
                 cost="sqeuclidean"):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.metric = metric
        self.gamma = gamma
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.n_jobs = n_jobs
        self.cost = cost

    def _fit_series(self, X, y):
        """Validate and store the training series; return ``y`` checked for length."""
        if self.weights == "distance" and self.metric == "softdtw":
            raise ValueError(
                "weights='distance' needs a non-negative discrepancy, and soft-DTW "
                "(metric='softdtw') is negative for close series: use "
                "metric='divergence' (zero at identity) or weights='uniform'"
            )
        check_n_jobs(self.n_jobs)
        dataset = check_dataset(X, "X")
        y = _check_target(self, y, dataset.n_ts)
        self._fit_dataset = dataset
        self.n_samples_fit_ = dataset.n_ts
        set_features_in(self, X, dataset)
        return y

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """The nearest training series of each series, under ``metric``.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), list of series, or None
            Query series, of any length and of the training dimension.
            ``None`` means the training series, each without itself among
            its neighbours.
        n_neighbors : int, default=None
            Number of neighbours; ``None`` means ``self.n_neighbors``.
        return_distance : bool, default=True
            Also return the discrepancies.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors)
            Discrepancies to the neighbours, ascending: hard DTW in the units
            of the cost (:func:`~sksoftdtw.dtw`), soft-DTW (can be negative) or the
            soft-DTW divergence. Only if ``return_distance``.
        neigh_ind : ndarray of shape (n_queries, n_neighbors)
            Indices of the neighbours in the training set; equal
            discrepancies are ordered by index.
        """
        check_is_fitted(self)
        train = self._fit_dataset
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"n_neighbors must be a positive integer, got {k!r}")
        if X is None:
            query, skip = train, np.arange(train.n_ts)
        else:
            query = check_dataset(X, "X", d=train.d)
            skip = np.full(query.n_ts, -1, dtype=np.intp)
        available = train.n_ts - (X is None)
        if k > available:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, "
                f"n_samples_fit = {train.n_ts}, n_samples = {query.n_ts}"
                + (" (a training series is not its own neighbour)" if X is None else "")
            )
        k = int(k)
        band_kw = check_band(self.sakoe_chiba_radius, self.itakura_max_slope)
        if self.metric == "dtw" and self.cost == "sqeuclidean":
            band = as_band(self.sakoe_chiba_radius, self.itakura_max_slope)
            dist, ind = _kneighbors_dtw(query, train, k, band, check_n_jobs(self.n_jobs), skip)
        else:
            cdist = {"dtw": lambda A, B, gamma, **kw: cdist_dtw(A, B, **kw),
                     "softdtw": cdist_soft_dtw,
                     "divergence": cdist_soft_dtw_divergence}[self.metric]
            dist, ind = _kneighbors_brute(
                query, train, k,
                lambda A, B: cdist(A, B, self.gamma, **band_kw, n_jobs=self.n_jobs,
                                   cost=self.cost),
                skip)
        return (dist, ind) if return_distance else ind

    def _neighbors_weights(self, X):
        """Neighbour indices, and their weights (``None`` for uniform)."""
        dist, ind = self.kneighbors(X)
        return ind, (_inverse_distance_weights(dist) if self.weights == "distance" else None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

r"""k-means clustering of time series under soft-DTW, and its DTW baselines.

Lloyd's algorithm for the soft-DTW k-means problem (Cuturi & Blondel, 2017)

.. math::

    \min_{C_1, \dots, C_k} \; \sum_{j=1}^{n} w_j \,
    \min_{i} \mathrm{dtw}_\gamma(X_j, C_i),

alternating an *assignment* step, one batched parallel kernel call over the
``n_ts x n_clusters`` pairs (the divergence adds the ``n_ts + n_clusters``
self terms), and an *update* step, one barycenter problem per
cluster solved by :mod:`sksoftdtw.barycenters`, warm-started from the current
centroid. The same loop with hard-DTW assignments and DBA or subgradient
averaging gives the classical DTW k-means baselines (:func:`dtw_kmeans`).
"""
import numbers
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ..barycenters._dba import solve_dba
from ..barycenters._softdtw import gamma_stages, solve_softdtw_barycenter
from ..barycenters._subgradient import solve_dtw_ssg, solve_dtw_subgradient
from ..barycenters._utils import CDIST, default_size, resample_series
from ..metrics import cdist_dtw
from ..utils import check_band, check_dataset, check_n_jobs
from ..utils._constraints import shared_constraints
from ..utils._threads import single_threaded_blas
from ..utils._validation import (
    COSTS,
    check_cost,
    check_cost_range,
    check_weights,
    refuse_cost,
    set_features_in,
)

__all__ = ["DTWKMeans", "SoftDTWKMeans", "dtw_kmeans"]

# Smallest scale the stopping rule divides by: the objective can be exactly 0
# (every series equal to its centroid under the divergence).
_TINY = np.finfo(np.float64).tiny


# --------------------------------------------------------------------------
# Datasets and distances
# --------------------------------------------------------------------------
def _validate_X(X, name="X", d=None):
    """Validate a dataset; return it in a layout the kernels accept, and its FlatDataset.

    Equal-length series become one ``(n_ts, sz, d)`` array, others a list of
    ``(sz_k, d)`` arrays, so that subsets are cheap to take and hand to the
    barycenter and distance functions.
    """
    ds = check_dataset(X, name, d=d)
    check_cost_range(ds, ds)
    lengths = ds.lengths
    if np.all(lengths == lengths[0]):
        data = ds.data.reshape(ds.n_ts, lengths[0], ds.d)
    else:
        data = [ds.series(k) for k in range(ds.n_ts)]
    return data, ds


def _take(data, idx):
    if isinstance(data, np.ndarray):
        return data[idx]
    return [data[i] for i in idx]


def pairwise_discrepancy(X, centers, metric, gamma, band, n_jobs):
    """Discrepancy between every series and every centroid, one batched call.

    ``metric`` is ``"softdtw"``, ``"divergence"``, ``"sharp_divergence"`` or
    ``"dtw"`` (hard DTW, squared units).
    """
    if metric == "dtw":
        return cdist_dtw(X, centers, **band, n_jobs=n_jobs)
    return CDIST[metric](X, centers, gamma, **band, n_jobs=n_jobs)


# --------------------------------------------------------------------------
# Initialisation
# --------------------------------------------------------------------------
def _kmeans_plusplus(X, n_clusters, sample_weight, distance, rng, n_local_trials=None):
    """Greedy k-means++ seeding (Arthur & Vassilvitskii, 2007) on series indices.

    ``distance(A, B)`` returns a non-negative ``(len(A), len(B))`` matrix; it
    plays the role of the *squared* Euclidean distance of k-means++ (DTW and
    the soft-DTW divergence are already in squared units). As in
    scikit-learn, each new centroid is the best, in potential, of
    ``2 + log(k)`` candidates drawn by D^2 sampling.
    """
    n_ts = len(sample_weight)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.intp)
    indices[0] = rng.choice(n_ts, p=sample_weight / sample_weight.sum())
    # The divergence can be a few ulps below zero; probabilities cannot.
    closest = np.maximum(distance(_take(X, indices[:1]), X)[0], 0.0)
    potential = closest @ sample_weight
    for c in range(1, n_clusters):
        rand_vals = rng.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(sample_weight * closest), rand_vals)
        np.clip(candidates, None, n_ts - 1, out=candidates)
        to_candidates = np.maximum(distance(_take(X, candidates), X), 0.0)
        np.minimum(closest, to_candidates, out=to_candidates)
        pots = to_candidates @ sample_weight
        best = int(np.argmin(pots))
        potential, closest = pots[best], to_candidates[best]
        indices[c] = candidates[best]
    return indices


def _check_init_array(centers, n_clusters, d, centroid_size):
    centers, ds = _validate_X(centers, "init", d=d)
    if len(set(ds.lengths.tolist())) > 1:
        raise ValueError("init must hold centroids of a single length, got lengths "
                         f"{sorted(set(ds.lengths.tolist()))}")
    if len(centers) != n_clusters:
        raise ValueError(f"init should have n_clusters={n_clusters} centroids, got "
                         f"{len(centers)}")
    if centroid_size is not None and centers.shape[1] != centroid_size:
        raise ValueError(f"init has centroids of length {centers.shape[1]}, but "
                         f"centroid_size={centroid_size}")
    return np.array(centers, dtype=np.float64)


def _init_centroids(X, sample_weight, n_clusters, init, centroid_size, d, seeding, rng):
    """Initial centroids, shape ``(n_clusters, centroid_size, d)``."""
    if callable(init):
        return _check_init_array(init(X, n_clusters, rng), n_clusters, d, centroid_size)
    if not isinstance(init, str):
        return _check_init_array(init, n_clusters, d, centroid_size)
    if init == "random":
        idx = rng.choice(len(sample_weight), n_clusters, replace=False,
                         p=sample_weight / sample_weight.sum())
    else:
        idx = _kmeans_plusplus(X, n_clusters, sample_weight, seeding, rng)
    return np.stack([resample_series(np.asarray(ts), centroid_size) for ts in _take(X, idx)])


# --------------------------------------------------------------------------
# Lloyd iterations
# --------------------------------------------------------------------------
class _LloydResult(NamedTuple):
    centers: np.ndarray      # (n_clusters, sz, d)
    labels: np.ndarray       # (n_ts,)
    inertia: float
    n_iter: int
    history: list            # objective after the initial and each later assignment


def _assign(X, D, centers, distance, verbose):
    """Labels = argmin of ``D``; re-seed the centroids of empty clusters.

    An empty cluster's centroid is moved onto the series farthest from its
    own centroid (taken from a cluster that keeps other members), and the
    labels are recomputed. Moving a centroid nobody uses and re-taking the
    argmin cannot increase the objective. ``D`` and ``centers`` are updated
    in place.
    """
    n_ts, n_clusters = D.shape
    labels = D.argmin(axis=1)
    used = set()
    for _ in range(n_clusters):
        counts = np.bincount(labels, minlength=n_clusters)
        empty = np.flatnonzero(counts == 0)
        if empty.size == 0:
            break
        own = D[np.arange(n_ts), labels]
        donors = []
        for j in np.argsort(-own, kind="stable"):
            if j not in used and counts[labels[j]] > 1:
                donors.append(j)
                counts[labels[j]] -= 1
                if len(donors) == empty.size:
                    break
        if not donors:
            break
        empty = empty[:len(donors)]
        used.update(donors)
        if verbose:
            print(f"Re-seeding empty cluster(s) {empty.tolist()} with series "
                  f"{[int(j) for j in donors]}.")
        centers[empty] = [resample_series(np.asarray(ts), centers.shape[1])
                          for ts in _take(X, donors)]
        D[:, empty] = distance(X, centers[empty])
        labels = D.argmin(axis=1)
    return labels


def _update(X, sample_weight, lengths, center, averaging, gamma, metric, max_iter,
            band, n_jobs, rng, gamma_schedule=None):
    r"""Barycenter of one cluster, warm-started from its current centroid (a result).

    The barycenter functions minimise :math:`\sum_j (w_j / m_j) \ell(Z, X_j)`
    with normalised weights; k-means needs :math:`\sum_j w_j \ell(Z, X_j)`,
    the same minimiser once the weights are multiplied by the lengths
    :math:`m_j`. Their private forms are called so that a capped number of
    iterations, the rule inside Lloyd's loop, does not warn at every update.

    With a `gamma_schedule`, the problem is solved twice from the centroid,
    plainly and by continuation, and the barycenter of lower objective at
    `gamma` is kept (with the kernel calls of both): a continuation restarted
    at the cluster's variance can blur a centroid that was already well
    placed, and the plain update then wins.
    """
    common = dict(weights=sample_weight * lengths, init=center, max_iter=max_iter,
                  **band, random_state=rng, n_jobs=n_jobs)
    if averaging == "softdtw":
        res = solve_softdtw_barycenter(X, gamma, metric=metric, warn=False, **common)
        if gamma_schedule is not None:
            continued = solve_softdtw_barycenter(X, gamma, metric=metric, warn=False,
                                                 gamma_schedule=gamma_schedule, **common)
            best = continued if continued.loss < res.loss else res
            res = best._replace(n_calls=res.n_calls + continued.n_calls)
    elif averaging == "dba":
        res = solve_dba(X, warn=False, **common)
    elif averaging == "subgradient":
        res = solve_dtw_subgradient(X, **common)
    else:
        res = solve_dtw_ssg(X, **common)
    return res


def _lloyd(X, sample_weight, lengths, centers, *, averaging, metric, gamma, max_iter,
           tol, max_iter_barycenter, band, n_jobs, verbose, rng, gamma_schedule=None):
    """One run of Lloyd's algorithm from ``centers``; see :func:`dtw_kmeans`."""
    n_clusters = len(centers)
    centers = np.array(centers, dtype=np.float64)

    def distance(A, C):
        return pairwise_discrepancy(A, C, metric, gamma, band, n_jobs)

    def assign():
        D = distance(X, centers)
        labels = _assign(X, D, centers, distance, verbose)
        own = D[np.arange(len(labels)), labels]
        return labels, float(own @ sample_weight), float(np.abs(own) @ sample_weight)

    labels, inertia, _ = assign()
    history = [inertia]
    if verbose:
        print(f"Initialization complete, inertia {inertia:.6g}.")
    # (members, centroid) of the clusters whose last update converged: while
    # both are unchanged the barycenter problem is the one already solved, and
    # solving it again from its solution would only spend kernel calls.
    solved = [None] * n_clusters
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        for i in range(n_clusters):
            members = np.flatnonzero(labels == i)
            if sample_weight[members].sum() == 0:
                continue  # empty after re-seeding failed, or only zero weights
            if (solved[i] is not None and np.array_equal(solved[i][0], members)
                    and np.array_equal(solved[i][1], centers[i])):
                continue
            res = _update(_take(X, members), sample_weight[members], lengths[members],
                          centers[i], averaging, gamma, metric, max_iter_barycenter,
                          band, n_jobs, rng, gamma_schedule)
            centers[i] = res.barycenter
            solved[i] = (members, centers[i].copy()) if res.converged else None
        labels, new_inertia, scale = assign()
        history.append(new_inertia)
        if verbose:
            print(f"Iteration {n_iter}, inertia {new_inertia:.6g}.")
        # The soft-DTW objective can be negative or cross zero, so the change
        # is measured against the sum of the absolute per-series terms.
        change = abs(inertia - new_inertia)
        inertia = new_inertia
        if change <= tol * max(scale, _TINY):
            if verbose:
                print(f"Converged at iteration {n_iter}: change of the objective "
                      f"{change:.3g} <= tol * {scale:.3g}.")
            break
    return _LloydResult(centers, labels, inertia, n_iter, history)


def _resolve(averaging, metric):
    """Discrepancy used for assignments and for the k-means++ seeding."""
    if averaging != "softdtw":
        return "dtw", "dtw"
    return metric, ("dtw" if metric == "softdtw" else metric)


def _kmeans(X, n_clusters, *, averaging, metric, gamma, init, n_init, max_iter, tol,
            max_iter_barycenter, sample_weight, centroid_size, sakoe_chiba_radius,
            itakura_max_slope, random_state, n_jobs, verbose, gamma_schedule=None,
            cost="sqeuclidean"):
    """Validated-parameter core shared by :class:`SoftDTWKMeans` and :func:`dtw_kmeans`.

    Returns the best :class:`_LloydResult` over ``n_init`` runs and ``d``.
    """
    X, ds = _validate_X(X)
    n_ts, lengths, d = ds.n_ts, ds.lengths, ds.d
    if n_ts < n_clusters:
        raise ValueError(f"n_samples={n_ts} should be >= n_clusters={n_clusters}.")
    sample_weight = _check_sample_weight(sample_weight, np.empty((n_ts, 0)),
                                         ensure_non_negative=True)
    n_positive = np.count_nonzero(sample_weight)
    if isinstance(init, str) and n_positive < n_clusters:
        raise ValueError(
            f"sample_weight has {n_positive} positive weights, fewer than "
            f"n_clusters={n_clusters}: init={init!r} draws the initial centroids among "
            "the series of positive weight; lower n_clusters or pass init as an array "
            "of centroids")
    check_n_jobs(n_jobs)
    band = check_band(sakoe_chiba_radius, itakura_max_slope)
    if averaging == "softdtw":  # the options of every kernel call: the band and the cost
        band = {**band, "cost": check_cost(cost)}
    else:
        refuse_cost(cost, f"averaging={averaging!r}")
    rng = check_random_state(random_state)
    if centroid_size is None and isinstance(init, str):
        centroid_size = default_size(ds)
    if not isinstance(init, str) and n_init != 1:
        warnings.warn("Explicit initial centroids passed: performing only one init "
                      f"instead of n_init={n_init}.", RuntimeWarning, stacklevel=3)
        n_init = 1
    metric, seed_metric = _resolve(averaging, metric)
    if averaging == "softdtw":
        gamma_stages(gamma_schedule, gamma, 1.0)  # fails early on a bad schedule

    def seeding(A, B):
        return pairwise_discrepancy(A, B, seed_metric, gamma, band, n_jobs)

    best = None
    # The BLAS calls here (L-BFGS updates on a few hundred variables, small
    # tensordots) are far too small to gain from threads, and on a busy
    # machine OpenBLAS threads competing with the kernels' OpenMP threads
    # make them several times slower; parallelism lives in the kernels.
    with single_threaded_blas():
        for _ in range(n_init):
            centers = _init_centroids(X, sample_weight, n_clusters, init, centroid_size,
                                      d, seeding, rng)
            res = _lloyd(X, sample_weight, lengths, centers, averaging=averaging,
                         metric=metric, gamma=gamma, max_iter=max_iter, tol=tol,
                         max_iter_barycenter=max_iter_barycenter,
                         band=band, n_jobs=n_jobs, verbose=verbose,
                         rng=rng, gamma_schedule=gamma_schedule)
            if best is None or res.inertia < best.inertia:
                best = res
    n_found = len(np.unique(best.labels))
    if n_found < n_clusters:
        warnings.warn(f"Number of distinct clusters ({n_found}) found smaller than "
                      f"n_clusters ({n_clusters}): some series are duplicates or the "
                      "empty clusters could not be re-seeded.", ConvergenceWarning,
                      stacklevel=3)
    return best, d


_COMMON_CONSTRAINTS = {
    **shared_constraints("gamma", "sakoe_chiba_radius", "itakura_max_slope", "random_state",
                         "n_jobs", "verbose"),
    "metric": [StrOptions(set(CDIST))],
    "init": [StrOptions({"k-means++", "random"}), callable, "array-like"],
    "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "tol": [Interval(numbers.Real, 0, None, closed="left")],
    "max_iter_barycenter": [Interval(numbers.Integral, 1, None, closed="left")],
    "centroid_size": [None, Interval(numbers.Integral, 1, None, closed="left")],
    "gamma_schedule": [None, StrOptions({"auto"}), "array-like"],
}


@validate_params(
    {
        "X": ["array-like"],
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "averaging": [StrOptions({"softdtw", "dba", "subgradient",
                                  "stochastic-subgradient"})],
        "sample_weight": ["array-like", None],
        "return_n_iter": ["boolean"],
        **_COMMON_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def dtw_kmeans(X, n_clusters, *, averaging="softdtw", gamma=1.0, metric="softdtw",
               init="k-means++", n_init=1, max_iter=50, tol=1e-6, max_iter_barycenter=100,
               sample_weight=None, centroid_size=None, sakoe_chiba_radius=None,
               itakura_max_slope=None,
               random_state=None, n_jobs=None, verbose=0, return_n_iter=False,
               gamma_schedule=None):
    r"""k-means of time series under soft-DTW or DTW, with a choice of averaging.

    Lloyd's algorithm: assign every series to its nearest centroid (one
    batched parallel call over all ``n_ts x n_clusters`` pairs), then replace
    every centroid by the barycenter of its cluster, warm-started from the
    current centroid, until the objective stops decreasing.

    ``averaging="softdtw"`` is soft-DTW k-means (Cuturi & Blondel, 2017),
    the algorithm behind :class:`SoftDTWKMeans`: it minimises
    :math:`\sum_j w_j \min_i \mathrm{dtw}_\gamma(X_j, C_i)` (or the soft-DTW
    divergence with ``metric="divergence"``, or the sharp soft-DTW divergence
    with ``metric="sharp_divergence"``). ``"dba"`` (DTW barycenter
    averaging, Petitjean et al., 2011), ``"subgradient"`` (subgradient
    descent on hard DTW) and ``"stochastic-subgradient"`` (its stochastic
    form, Schultz & Jain, 2018) are the classical baselines for the hard-DTW
    objective :math:`\sum_j w_j \min_i \mathrm{dtw}(X_j, C_i)`; with them,
    assignments use hard DTW and ``gamma`` and ``metric`` are ignored.

    Parameters
    ----------
    X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
        Time series; ``(n_ts, sz)`` is univariate. Series of different lengths
        are given as a list or NaN-padded (see
        :func:`~sksoftdtw.utils.to_time_series_dataset`).
    n_clusters : int
        Number of clusters.
    averaging : {"softdtw", "dba", "subgradient", "stochastic-subgradient"}, \
            default="softdtw"
        Barycenter used in the update step:
        :func:`~sksoftdtw.barycenters.softdtw_barycenter`,
        :func:`~sksoftdtw.barycenters.dtw_barycenter_averaging`,
        :func:`~sksoftdtw.barycenters.dtw_barycenter_subgradient` or
        :func:`~sksoftdtw.barycenters.dtw_barycenter_stochastic_subgradient`.
    gamma : float, default=1.0
        Soft-DTW smoothing, ``>= 0`` (``averaging="softdtw"`` only).
    metric : {"softdtw", "divergence", "sharp_divergence"}, default="softdtw"
        Discrepancy of the objective (``averaging="softdtw"`` only); see
        :class:`SoftDTWKMeans`.
    init : {"k-means++", "random"}, callable or array-like, default="k-means++"
        See :class:`SoftDTWKMeans`.
    n_init : int, default=1
        Number of runs from different initialisations; the run with the
        lowest objective is returned.
    max_iter : int, default=50
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-6
        Stop when the objective changes by at most ``tol`` times
        :math:`\sum_j w_j |\text{term}_j|` between two iterations.
    max_iter_barycenter : int, default=100
        Iterations of each barycenter problem.
    sample_weight : array-like of shape (n_ts,), default=None
        Weight of each series; ``None`` means all ones.
    centroid_size : int, default=None
        Length of the centroids; ``None`` means the (median) length of ``X``,
        or the length of an ``init`` array.
    sakoe_chiba_radius : int, default=None
        Sakoe-Chiba band radius for every (soft-)DTW computation.
    itakura_max_slope : float, default=None
        Maximum slope of an Itakura parallelogram for every (soft-)DTW
        computation (see :func:`~sksoftdtw.soft_dtw`); ``None`` means none.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation.
    n_jobs : int, default=None
        Threads of the kernels; ``None`` means 1, ``-1`` all cores.
    verbose : int, default=0
        Print the objective after every iteration.
    return_n_iter : bool, default=False
        Also return the number of iterations of the best run.
    gamma_schedule : None, "auto" or array-like, default=None
        Continuation in gamma in every centroid update: each barycenter
        problem is solved at each value in turn, from the current centroid,
        the last stage at `gamma` (see
        :func:`~sksoftdtw.barycenters.softdtw_barycenter`; ``"auto"`` starts at the
        variance of the cluster's series), next to the update without it,
        keeping the barycenter of lower objective at `gamma`. Assignments use
        `gamma` only (``averaging="softdtw"`` only).
        See :class:`SoftDTWKMeans` for its cost.

    Returns
    -------
    centers : ndarray of shape (n_clusters, centroid_size, d)
    labels : ndarray of shape (n_ts,)
        Index of the nearest centroid of every series.
    inertia : float
        Value of the objective at ``centers`` and ``labels``.
    n_iter : int
        Returned if ``return_n_iter``.

    See Also
    --------
    SoftDTWKMeans : The estimator, with ``predict``, ``transform``, ``score``.

    References
    ----------
    .. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.
    .. [2] F. Petitjean, A. Ketterlin and P. Gancarski, "A global averaging
       method for dynamic time warping, with applications to clustering",
       Pattern Recognition 44(3), 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import dtw_kmeans
    >>> t = np.linspace(0, 1, 30)
    >>> bumps = [np.exp(-((t - c) / 0.05) ** 2) for c in (0.3, 0.7)]
    >>> steps = [(t > c).astype(float) for c in (0.3, 0.7)]
    >>> centers, labels, inertia = dtw_kmeans(bumps + steps, 2, averaging="dba",
    ...                                       random_state=0)
    >>> centers.shape
    (2, 30, 1)
    >>> bool(labels[0] == labels[1] != labels[2] == labels[3])  # by shape, not position
    True
    """
    best, _ = _kmeans(
        X, n_clusters, averaging=averaging, metric=metric, gamma=gamma, init=init,
        n_init=n_init, max_iter=max_iter, tol=tol, max_iter_barycenter=max_iter_barycenter,
        sample_weight=sample_weight, centroid_size=centroid_size,
        sakoe_chiba_radius=sakoe_chiba_radius,
        itakura_max_slope=itakura_max_slope, random_state=random_state, n_jobs=n_jobs,
        verbose=verbose, gamma_schedule=gamma_schedule)
    out = (best.centers, best.labels, best.inertia)
    return out + (best.n_iter,) if return_n_iter else out


# --------------------------------------------------------------------------
# Estimator
# --------------------------------------------------------------------------
class _TimeSeriesKMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin,
                        BaseEstimator):
    """What the k-means estimators share: fitting by :func:`_kmeans`, predict, score.

    A subclass sets ``_averaging`` and defines ``_discrepancy()``, the
    ``(metric, gamma)`` of its assignments and of :meth:`transform`.
    """

    _averaging = None
    cost = "sqeuclidean"  # (DTWKMeans: DBA's)

    def _discrepancy(self):
        raise NotImplementedError

    def _fit(self, X, sample_weight, **options):
        best, _ = _kmeans(
            X, self.n_clusters, averaging=self._averaging, init=self.init,
            n_init=self.n_init, max_iter=self.max_iter, tol=self.tol,
            max_iter_barycenter=self.max_iter_barycenter, sample_weight=sample_weight,
            centroid_size=self.centroid_size, sakoe_chiba_radius=self.sakoe_chiba_radius,
            itakura_max_slope=self.itakura_max_slope,
            random_state=self.random_state, n_jobs=self.n_jobs, verbose=self.verbose,
            **options)
        self.cluster_centers_ = best.centers
        self.labels_ = best.labels
        self.inertia_ = best.inertia
        self.n_iter_ = best.n_iter
        set_features_in(self, X, check_dataset(X))
        self._n_features_out = self.n_clusters
        return self

    def _distances(self, X, metric, gamma):
        """Discrepancies to the centroids, shape (n_ts, n_clusters), and the dataset."""
        check_is_fitted(self)
        X, ds = _validate_X(X, d=self.cluster_centers_.shape[2])
        return pairwise_discrepancy(X, self.cluster_centers_, metric, gamma,
                         {**check_band(self.sakoe_chiba_radius, self.itakura_max_slope),
                          "cost": check_cost(self.cost)},
                         self.n_jobs), ds

    def transform(self, X):
        """Discrepancy between every series and every centroid.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Series of any length, of the dimension of the centroids.

        Returns
        -------
        D : ndarray of shape (n_ts, n_clusters)
            ``D[j, i]`` is the discrepancy of the assignments (hard DTW for
            :class:`DTWKMeans`, the estimator's ``metric`` for
            :class:`SoftDTWKMeans`) between ``X[j]`` and
            ``cluster_centers_[i]``, in squared units; soft-DTW values can
            be negative.
        """
        return self._distances(X, *self._discrepancy())[0]

    def predict(self, X):
        """Index of the nearest centroid of every series.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series

        Returns
        -------
        labels : ndarray of shape (n_ts,)
            ``transform(X).argmin(axis=1)``.
        """
        return self.transform(X).argmin(axis=1)

    def score(self, X, y=None, sample_weight=None):
        """Minus the mean DTW loss of ``X``: hard DTW to the nearest centroid per length.

        .. math::

            -\\frac{1}{\\sum_j w_j} \\sum_j w_j \\,
            \\frac{\\min_k \\mathrm{dtw}(x_j, c_k)}{m_j}

        with :math:`m_j` the length of series :math:`x_j` and
        :math:`\\mathrm{dtw}` hard DTW (``gamma=0``, squared units), on the
        scale of the scores of :class:`~sksoftdtw.barycenters.SoftDTWBarycenter` and
        :class:`~sksoftdtw.neural_network.MLPRegressor`. It depends neither
        on ``gamma`` nor on ``metric``, so it compares models fitted with
        different ones, and soft-DTW k-means with DBA k-means (e.g. in
        :class:`~sklearn.model_selection.GridSearchCV`); greater is better.
        Unlike scikit-learn's ``KMeans.score`` (minus a sum), it is a mean:
        scores of sets of different sizes compare.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
        y : Ignored
        sample_weight : array-like of shape (n_ts,), default=None
            Weight of each series in the mean: finite, non-negative, not all
            zero; ``None`` means equal weights.

        Returns
        -------
        score : float
            Non-positive; 0 when every series is a centroid up to warping.
        """
        D, ds = self._distances(X, "dtw", 0.0)
        weights = check_weights(sample_weight, ds.n_ts, "sample_weight")
        return -float(weights @ (D.min(axis=1) / ds.lengths))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class SoftDTWKMeans(_TimeSeriesKMeans):
    r"""k-means clustering of time series under soft-DTW.

    Minimises the soft-DTW k-means objective (Cuturi & Blondel, 2017)

    .. math::

        \sum_{j=1}^{n} w_j \min_{i} \mathrm{dtw}_\gamma(X_j, C_i)

    over centroids :math:`C_1, \dots, C_k` of a fixed length, by Lloyd's
    algorithm: each assignment step is one batched, parallel kernel call
    over the ``n_ts x n_clusters`` pairs; each update step solves one soft-DTW
    barycenter problem per cluster (L-BFGS,
    :func:`~sksoftdtw.barycenters.softdtw_barycenter`), warm-started from the current
    centroid.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    gamma : float, default=1.0
        Smoothing parameter of soft-DTW, ``>= 0``. Small values approach
        hard-DTW k-means; ``0`` is allowed but the barycenter problem is then
        non-smooth (prefer :func:`dtw_kmeans` with ``averaging="dba"``).
    metric : {"softdtw", "divergence", "sharp_divergence"}, default="softdtw"
        Discrepancy between a series and a centroid. ``"softdtw"`` is
        :math:`\mathrm{dtw}_\gamma`, which **can be negative** and is not zero
        at identity (see Notes). ``"divergence"`` is the soft-DTW divergence
        :math:`D_\gamma(x, y) = \mathrm{dtw}_\gamma(x, y) - \frac12
        (\mathrm{dtw}_\gamma(x, x) + \mathrm{dtw}_\gamma(y, y))`: non-negative
        and zero only at identity; assignments then use
        :func:`~sksoftdtw.cdist_soft_dtw_divergence` and updates the
        divergence barycenter. ``"sharp_divergence"`` is the same with the
        sharp soft-DTW, the expected cost of an alignment
        (:func:`~sksoftdtw.cdist_sharp_soft_dtw_divergence`); its updates
        cost somewhat more (see :func:`~sksoftdtw.barycenters.softdtw_barycenter`).
    init : {"k-means++", "random"}, callable or array-like, default="k-means++"
        An array has shape ``(n_clusters, centroid_size[, d])``.
        ``"k-means++"``: greedy k-means++ seeding (``2 + log(k)`` candidates
        per centroid, as in :class:`sklearn.cluster.KMeans`), with D^2
        sampling probabilities proportional to the **hard DTW** to the
        nearest chosen centroid for ``metric="softdtw"`` (soft-DTW values
        can be negative, so they cannot be probabilities; hard DTW is its
        :math:`\gamma \to 0` limit and is in squared units like D^2), and to
        the divergence itself for ``metric="divergence"`` or
        ``"sharp_divergence"``.
        ``"random"``: ``n_clusters`` distinct training series drawn with
        probabilities proportional to ``sample_weight``. Series are
        linearly resampled to ``centroid_size``. A callable is called as
        ``init(X, n_clusters, random_state)`` and returns centroids; an
        array gives them directly (and forces ``n_init=1``).
    n_init : int, default=1
        Number of runs from different seeds; the run with the lowest
        ``inertia_`` is kept.
    max_iter : int, default=50
        Maximum number of Lloyd iterations of a run.
    tol : float, default=1e-6
        Relative tolerance: a run stops when the objective changes by at
        most ``tol`` times :math:`\sum_j w_j |\mathrm{dtw}_\gamma(X_j,
        C_{l_j})|` between two iterations. The sum of absolute values keeps
        the rule meaningful when the objective is negative or near zero.
    max_iter_barycenter : int, default=100
        Maximum number of L-BFGS iterations of each barycenter update.
    sakoe_chiba_radius : int, default=None
        Radius of a Sakoe-Chiba band for every soft-DTW computation; ``None``
        means no band.
    itakura_max_slope : float, default=None
        Maximum slope of an Itakura parallelogram for every soft-DTW
        computation (see :func:`~sksoftdtw.soft_dtw`); ``None`` means none.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation. Pass an int for reproducible results.
    n_jobs : int, default=None
        Number of threads of the kernels; ``None`` means 1, ``-1`` all cores.
        Results do not depend on it.
    verbose : int, default=0
        If positive, print the objective after every iteration.
    centroid_size : int, default=None
        Length of the centroids. ``None`` means the length of the training
        series, their median length if they differ, or the length of an
        ``init`` array.
    gamma_schedule : None, "auto" or array-like, default=None
        Continuation in gamma in every centroid update: each barycenter
        problem is solved at each value in turn, from the current centroid,
        the last stage at `gamma` (see
        :func:`~sksoftdtw.barycenters.softdtw_barycenter`; ``"auto"`` starts at the
        variance of the cluster's series). Every update solves its problem
        both ways from the current centroid, with and without continuation,
        and keeps the barycenter of lower objective at `gamma`, so that a
        centroid already well placed (by ``init`` or an earlier iteration) is
        not blurred by the continuation's large first `gamma`. Assignments
        use `gamma` only. Every update then costs the kernel calls of one
        without continuation plus those of the continuation (each earlier
        stage has ``max_iter_barycenter // n`` iterations and stops at a
        looser tolerance): fits took a median 2.8 to 3 times as long on the
        full UCR training splits, the price of centroids with a lower DTW
        loss where series are shifted in time.
    cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points of every soft-DTW and DTW computation (the
        assignments, the centroid updates, :meth:`transform` and
        :meth:`score`): the squared Euclidean cost or the L1 cost (see
        :ref:`costs`).

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, centroid_size, d)
        Centroids.
    labels_ : ndarray of shape (n_ts,)
        Index of the nearest centroid (under ``metric``) of every training
        series; equal to ``predict(X)`` on the training set.
    inertia_ : float
        The k-means objective at the solution: the sample-weighted **sum**
        over training series of the soft-DTW (or divergence) to their
        centroid. It can be negative with ``metric="softdtw"``.
    n_iter_ : int
        Number of Lloyd iterations of the best run.
    n_features_in_ : int
        ``X.shape[1]`` of the training data, as in scikit-learn: the number of
        time steps (the longest length for a list of series). The series of
        ``predict`` and ``transform`` may have any length, as DTW compares
        series of different lengths; their dimension must be that of the
        centroids.

    See Also
    --------
    DTWKMeans : DBA k-means, the classical DTW k-means.
    dtw_kmeans : Function form, with DBA and subgradient baselines.
    sksoftdtw.barycenters.softdtw_barycenter : The update step.
    sksoftdtw.cdist_soft_dtw : The assignment step.
    sklearn.cluster.KMeans : Euclidean k-means.

    Notes
    -----
    Soft-DTW replaces the minimum over alignments by a soft minimum
    :math:`-\gamma \log \sum e^{-\cdot/\gamma}`, which lies *below* the hard
    minimum by up to :math:`\gamma \log(\#\text{paths})`. Soft-DTW values
    are therefore often negative, ``dtw_gamma(x, x) < 0``, and the inertia is
    not a distance: compare models with ``score`` (hard DTW), which does not
    depend on ``gamma``. ``metric="divergence"`` removes this bias.

    Both steps never increase the objective: the assignment takes the
    minimum, and every barycenter solve starts at the current centroid and
    only accepts descent steps. Empty clusters are re-seeded on the series
    farthest from its centroid, which cannot increase it either; the
    reported ``inertia_`` is the objective of the final centroids and labels.
    A cluster whose members and centroid have not changed since an update
    that converged is not solved again.

    References
    ----------
    .. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.
    .. [2] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021.
    .. [3] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of
       careful seeding", SODA 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import SoftDTWKMeans
    >>> t = np.linspace(0, 1, 40)
    >>> bumps = [np.exp(-((t - c) / 0.05) ** 2) for c in (0.3, 0.7)]
    >>> steps = [(t > c).astype(float) for c in (0.3, 0.7)]
    >>> X = np.array(bumps + steps)
    >>> km = SoftDTWKMeans(n_clusters=2, gamma=0.01, random_state=0).fit(X)
    >>> km.cluster_centers_.shape
    (2, 40, 1)
    >>> a, b, c, d = km.labels_
    >>> bool(a == b != c == d)  # clustered by shape, whatever the position
    True
    >>> km.transform(X).shape
    (4, 2)
    >>> bool(km.score(X) <= 0)  # minus a mean of hard-DTW values per length
    True
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        **_COMMON_CONSTRAINTS,
        "cost": [StrOptions(set(COSTS))],
    }

    def __init__(self, n_clusters=8, *, gamma=1.0, metric="softdtw", init="k-means++",
                 n_init=1, max_iter=50, tol=1e-6, max_iter_barycenter=100,
                 sakoe_chiba_radius=None,
                 itakura_max_slope=None, random_state=None, n_jobs=None, verbose=0,
                 centroid_size=None, gamma_schedule=None, cost="sqeuclidean"):
        self.n_clusters = n_clusters
        self.gamma = gamma
        self.metric = metric
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.max_iter_barycenter = max_iter_barycenter
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.centroid_size = centroid_size
        self.gamma_schedule = gamma_schedule
        self.cost = cost

    _averaging = "softdtw"

    def _discrepancy(self):
        return self.metric, self.gamma

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Training series; variable lengths as a list or NaN-padded.
        y : Ignored
        sample_weight : array-like of shape (n_ts,), default=None
            Weight of each series in the objective (an integer weight is
            equivalent to repeating the series); also used by the seeding.

        Returns
        -------
        self : SoftDTWKMeans
            Fitted estimator.
        """
        return self._fit(X, sample_weight, metric=self.metric, gamma=self.gamma,
                         gamma_schedule=self.gamma_schedule, cost=self.cost)


class DTWKMeans(_TimeSeriesKMeans):
    r"""k-means clustering of time series under DTW, with DBA centroids.

    Minimises the DTW k-means objective

    .. math::

        \sum_{j=1}^{n} w_j \min_{i} \mathrm{dtw}(X_j, C_i)

    by Lloyd's algorithm with hard-DTW assignments (one batched kernel call
    over all the pairs) and DBA updates (Petitjean et al., 2011), each
    warm-started from the current centroid: the equivalent of tslearn's
    ``TimeSeriesKMeans(metric="dtw")``. The subgradient updates of
    :func:`dtw_kmeans` are available through `averaging`.

    DTW k-means is its own class rather than ``SoftDTWKMeans(gamma=0)``:
    that already means the soft-DTW k-means algorithm at gamma = 0 (L-BFGS on
    DTW subgradients), a different method with different results; DBA has
    no `gamma`, `metric` or `gamma_schedule`; and its :meth:`transform`
    is hard DTW whatever the parameters. Both estimators share
    :meth:`predict` and :meth:`score` (minus the hard-DTW k-means loss), so
    their fits compare directly.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    averaging : {"dba", "subgradient", "stochastic-subgradient"}, default="dba"
        Barycenter of the update step:
        :func:`~sksoftdtw.barycenters.dtw_barycenter_averaging`,
        :func:`~sksoftdtw.barycenters.dtw_barycenter_subgradient` or
        :func:`~sksoftdtw.barycenters.dtw_barycenter_stochastic_subgradient`.
    init : {"k-means++", "random"}, callable or array-like, default="k-means++"
        As in :class:`SoftDTWKMeans`, the k-means++ probabilities being
        proportional to hard DTW.
    n_init : int, default=1
        Number of runs from different seeds; the run with the lowest
        ``inertia_`` is kept.
    max_iter : int, default=50
        Maximum number of Lloyd iterations of a run.
    tol : float, default=1e-6
        A run stops when the objective changes by at most ``tol`` times
        itself between two iterations.
    max_iter_barycenter : int, default=30
        Maximum number of iterations of each barycenter update (DBA's
        default).
    sakoe_chiba_radius : int, default=None
        Radius of a Sakoe-Chiba band for every DTW computation; ``None``
        means no band.
    itakura_max_slope : float, default=None
        Maximum slope of an Itakura parallelogram for every DTW
        computation (see :func:`~sksoftdtw.soft_dtw`); ``None`` means none.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation (and the order of the stochastic
        subgradient steps).
    n_jobs : int, default=None
        Number of threads of the kernels; ``None`` means 1, ``-1`` all cores.
    verbose : int, default=0
        If positive, print the objective after every iteration.
    centroid_size : int, default=None
        Length of the centroids. ``None`` means the length of the training
        series, their median length if they differ, or the length of an
        ``init`` array.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, centroid_size, d)
        Centroids.
    labels_ : ndarray of shape (n_ts,)
        Index of the nearest centroid of every training series.
    inertia_ : float
        The sample-weighted sum over training series of the DTW (squared
        units) to their centroid; equal to ``-score(X)`` on the training
        set without weights.
    n_iter_ : int
        Number of Lloyd iterations of the best run.
    n_features_in_ : int
        ``X.shape[1]`` of the training data (the number of time steps).

    See Also
    --------
    SoftDTWKMeans : k-means under soft-DTW.
    dtw_kmeans : The function behind both estimators.
    sksoftdtw.barycenters.dtw_barycenter_averaging : The update step.

    Notes
    -----
    :meth:`transform` returns DTW in squared units (tslearn's
    ``TimeSeriesKMeans.transform`` returns its square root).

    References
    ----------
    .. [1] F. Petitjean, A. Ketterlin and P. Gancarski, "A global averaging
       method for dynamic time warping, with applications to clustering",
       Pattern Recognition 44(3), 2011.

    Examples
    --------
    Two bumps and two steps, each at two places, clustered by shape:

    >>> import numpy as np
    >>> from sksoftdtw import DTWKMeans
    >>> t = np.linspace(0, 1, 40)
    >>> X = np.array([f(t - c) for f in (lambda u: np.exp(-(u / 0.05) ** 2),
    ...                                  lambda u: (u > 0).astype(float))
    ...               for c in (0.3, 0.7)])
    >>> km = DTWKMeans(n_clusters=2, random_state=0).fit(X)
    >>> km.labels_.tolist() in ([0, 0, 1, 1], [1, 1, 0, 0])
    True
    >>> bool(np.isclose(km.score(X), -km.inertia_ / X.size))  # the loss per series and step
    True
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "averaging": [StrOptions({"dba", "subgradient", "stochastic-subgradient"})],
        **{k: v for k, v in _COMMON_CONSTRAINTS.items()
           if k not in ("gamma", "metric", "gamma_schedule")},
    }

    def __init__(self, n_clusters=8, *, averaging="dba", init="k-means++", n_init=1,
                 max_iter=50, tol=1e-6, max_iter_barycenter=30, sakoe_chiba_radius=None,
                 itakura_max_slope=None,
                 random_state=None, n_jobs=None, verbose=0, centroid_size=None):
        self.n_clusters = n_clusters
        self.averaging = averaging
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.max_iter_barycenter = max_iter_barycenter
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.centroid_size = centroid_size

    @property
    def _averaging(self):
        return self.averaging

    def _discrepancy(self):
        return "dtw", 0.0

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the clustering.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Training series; variable lengths as a list or NaN-padded.
        y : Ignored
        sample_weight : array-like of shape (n_ts,), default=None
            Weight of each series in the objective; also used by the seeding.

        Returns
        -------
        self : DTWKMeans
            Fitted estimator.
        """
        return self._fit(X, sample_weight, metric="softdtw", gamma=0.0)

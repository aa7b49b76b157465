"""Nearest-centroid classification of time series."""
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..barycenters._dba import solve_dba
from ..barycenters._softdtw import solve_softdtw_barycenter
from ..barycenters._utils import CDIST, default_size, subset
from ..clustering._kmeans import pairwise_discrepancy
from ..utils import check_band, check_dataset, check_n_jobs
from ..utils._validation import set_features_in
from ._base import _COMMON_CONSTRAINTS, _check_target, _class_labels

__all__ = ["NearestCentroidTimeSeriesClassifier"]


class NearestCentroidTimeSeriesClassifier(ClassifierMixin, BaseEstimator):
    r"""Classify time series by their nearest class barycenter.

    :meth:`fit` averages the training series of each class into a centroid;
    :meth:`predict` gives each series the class of the centroid of smallest
    discrepancy. The centroid and the discrepancy go together:

    - ``"dtw"``: the DBA barycenter
      (:func:`~sksoftdtw.barycenters.dtw_barycenter_averaging`) and hard DTW;
    - ``"softdtw"``, ``"divergence"``, ``"sharp_divergence"``: the soft-DTW
      barycenter (:func:`~sksoftdtw.barycenters.softdtw_barycenter`) minimising that loss,
      and the same loss: soft-DTW, the soft-DTW divergence or the sharp
      soft-DTW divergence, at ``gamma``.

    A centroid summarises a class in one series, so prediction costs one
    discrepancy per class rather than one per training series as for
    :class:`KNeighborsTimeSeriesClassifier`.

    Parameters
    ----------
    metric : {"dtw", "softdtw", "divergence", "sharp_divergence"}, default="dtw"
        The barycenter and discrepancy, as above.
    gamma : float, default=1.0
        Smoothing parameter of the soft metrics, ``>= 0``, in squared data
        units; ignored by ``"dtw"``.
    sakoe_chiba_radius : int, default=None
        Radius of a Sakoe-Chiba band of every alignment (see
        :func:`~sksoftdtw.dtw`), in the barycenters and the decisions;
        ``None`` means no band.
    itakura_max_slope : float, default=None
        Maximum slope of an Itakura parallelogram of every alignment (see
        :func:`~sksoftdtw.dtw`); ``None`` means none.
    max_iter : int, default=100
        Maximum number of iterations of each barycenter (DBA iterations or
        L-BFGS iterations); ``0`` keeps the starting point, the Euclidean
        mean of the class's series resampled to the centroid length.
    n_jobs : int, default=None
        Number of threads of the kernels; ``None`` means 1, ``-1`` all cores.
        Results do not depend on it.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    centroids_ : ndarray of shape (n_classes, sz, d)
        The barycenter of each class, in the order of ``classes_``; ``sz`` is
        the length of the training series (their median length if they
        differ).
    n_iter_ : ndarray of shape (n_classes,)
        Iterations run by each barycenter.
    n_features_in_ : int
        ``X.shape[1]`` of the training data, as in scikit-learn: the number of
        time steps (the longest length for a list of series). Query series may
        have any length, as DTW compares series of different lengths.

    See Also
    --------
    KNeighborsTimeSeriesClassifier : A vote of the nearest training series.
    sklearn.neighbors.NearestCentroid : The same estimator on vectors.

    References
    ----------
    .. [1] F. Petitjean, G. Forestier, G. I. Webb, A. E. Nicholson, Y. Chen
       and E. Keogh, "Dynamic Time Warping Averaging of Time Series Allows
       Faster and More Accurate Classification", ICDM 2014.
    .. [2] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw.neighbors import NearestCentroidTimeSeriesClassifier
    >>> t = np.linspace(0, 1, 30)
    >>> X = [np.exp(-((t - c) / 0.05) ** 2) for c in (0.3, 0.5, 0.7)]
    >>> X += [(t > c).astype(float) for c in (0.3, 0.5, 0.7)]
    >>> y = ["bump"] * 3 + ["step"] * 3
    >>> clf = NearestCentroidTimeSeriesClassifier(metric="sharp_divergence", gamma=0.01)
    >>> clf.fit(X, y).centroids_.shape
    (2, 30, 1)
    >>> clf.predict([np.exp(-((t - 0.6) / 0.05) ** 2), (t > 0.4).astype(float)]).tolist()
    ['bump', 'step']
    """

    _parameter_constraints: dict = {
        "metric": [StrOptions({"dtw", *CDIST})],
        **_COMMON_CONSTRAINTS,
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
    }

    def __init__(self, metric="dtw", gamma=1.0, *, sakoe_chiba_radius=None,
                 itakura_max_slope=None, max_iter=100, n_jobs=None):
        self.metric = metric
        self.gamma = gamma
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Compute the barycenter of the training series of each class.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Training series; variable lengths as a list or NaN-padded.
        y : array-like of shape (n_ts,)
            Class labels.

        Returns
        -------
        self : NearestCentroidTimeSeriesClassifier
            Fitted estimator.
        """
        check_n_jobs(self.n_jobs)
        ds = check_dataset(X, "X")
        self.classes_, labels = _class_labels(_check_target(self, y, ds.n_ts))
        band = check_band(self.sakoe_chiba_radius, self.itakura_max_slope)
        size = default_size(ds)
        results = []
        for k in range(len(self.classes_)):
            members = subset(ds, labels == k)
            if self.metric == "dtw":
                results.append(solve_dba(members, barycenter_size=size,
                                         max_iter=self.max_iter, **band, n_jobs=self.n_jobs))
            else:
                results.append(solve_softdtw_barycenter(
                    members, self.gamma, barycenter_size=size, max_iter=self.max_iter,
                    metric=self.metric, **band, n_jobs=self.n_jobs))
        self.centroids_ = np.stack([r.barycenter for r in results])
        self.n_iter_ = np.array([r.n_iter for r in results])
        set_features_in(self, X, ds)
        return self

    def _discrepancies(self, X):
        """``(n_queries, n_classes)`` discrepancies to the centroids."""
        check_is_fitted(self)
        query = check_dataset(X, "X", d=self.centroids_.shape[2])
        return pairwise_discrepancy([query.series(k) for k in range(query.n_ts)],
                                    self.centroids_, self.metric, self.gamma,
                                    check_band(self.sakoe_chiba_radius, self.itakura_max_slope),
                                    self.n_jobs)

    def decision_function(self, X):
        """Minus the discrepancy of each series to each centroid.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series
            Series of any lengths, of the dimension of the training series.

        Returns
        -------
        scores : ndarray of shape (n_queries, n_classes), or (n_queries,) for two classes
            Minus the discrepancy (DTW in squared units, soft-DTW or a
            divergence) to the centroid of each class, in the order of
            ``classes_``: the largest wins. With two classes, as in
            scikit-learn, the discrepancy to the first centroid minus that to
            the second: positive for ``classes_[1]``.
        """
        D = self._discrepancies(X)
        return D[:, 0] - D[:, 1] if D.shape[1] == 2 else -D

    def predict(self, X):
        """Class of the nearest centroid; a tie goes to the first class.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series

        Returns
        -------
        y : ndarray of shape (n_queries,)
        """
        D = self._discrepancies(X)
        return self.classes_[D.argmin(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Share of the series of `X` given their label `y` by :meth:`predict`.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series
        y : array-like of shape (n_queries,)
            True labels.
        sample_weight : array-like of shape (n_queries,), default=None
            Weights of the series in the share.

        Returns
        -------
        score : float
            The (weighted) accuracy, for model selection.
        """
        return super().score(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

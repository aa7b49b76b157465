"""k-nearest-neighbour classification of time series."""
import numpy as np
from sklearn.base import ClassifierMixin, _fit_context

from ._base import _class_labels, _KNeighborsTimeSeriesBase

__all__ = ["KNeighborsTimeSeriesClassifier"]


class KNeighborsTimeSeriesClassifier(ClassifierMixin, _KNeighborsTimeSeriesBase):
    r"""Classify time series by a vote of their k nearest training series.

    The discrepancy is hard DTW, soft-DTW or the soft-DTW divergence. With
    hard DTW the neighbours are found exactly without computing most DTW
    values: lower bounds (LB_Kim and LB_Keogh in both directions, with the
    band) rule out most training series, and the remaining DTW recursions
    stop as soon as they exceed the current k-th best (see
    :ref:`neighbors`); the result is that of the full matrix
    :func:`~sksoftdtw.cdist_dtw`, ties going to the lowest index.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours that vote.
    weights : {"uniform", "distance"}, default="uniform"
        ``"uniform"``: one vote per neighbour. ``"distance"``: votes weighted
        by the inverse of the discrepancy (DTW in squared units, or the
        divergence); neighbours at discrepancy 0 then take all the weight.
        Not available with ``metric="softdtw"``, whose values can be
        negative (use ``"divergence"``).
    metric : {"dtw", "softdtw", "divergence"}, default="dtw"
        ``"dtw"``: hard DTW, in squared units (:func:`~sksoftdtw.dtw`), by the
        pruned search. ``"softdtw"``: soft-DTW
        (:func:`~sksoftdtw.cdist_soft_dtw`); ``"divergence"``: the soft-DTW
        divergence (:func:`~sksoftdtw.cdist_soft_dtw_divergence`); both by
        blocks of the pairwise matrix.
    gamma : float, default=1.0
        Smoothing parameter of ``"softdtw"`` and ``"divergence"``, ``>= 0``;
        ignored by ``"dtw"``.
    sakoe_chiba_radius : int, default=None
        Radius of a Sakoe-Chiba band, with the meaning of
        :func:`~sksoftdtw.dtw` for series of different lengths; ``None``
        means no band.
    itakura_max_slope : float, default=None
        Maximum slope of an Itakura parallelogram (see
        :func:`~sksoftdtw.dtw`); ``None`` means none. The lower bounds of
        ``"dtw"`` keep to the same cells, so the search stays exact.
    n_jobs : int, default=None
        Number of threads; ``None`` means 1, ``-1`` all cores. Results do not
        depend on it.
    cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points (see :ref:`costs`). The pruned search of
        ``metric="dtw"`` bounds the squared Euclidean cost: with ``"abs"``,
        hard DTW goes through the pairwise matrix by blocks, as soft-DTW.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_samples_fit_ : int
        Number of training series.
    n_features_in_ : int
        ``X.shape[1]`` of the training data, as in scikit-learn: the number of
        time steps (the longest length for a list of series). Query series may
        have any length, as DTW compares series of different lengths.

    See Also
    --------
    KNeighborsTimeSeriesRegressor : The same neighbours, averaging targets.
    sksoftdtw.cdist_dtw : The full matrix the pruned search avoids.
    sklearn.neighbors.KNeighborsClassifier : The same estimator on vectors.

    References
    ----------
    .. [1] T. Rakthanmanon et al., "Searching and Mining Trillions of Time
       Series Subsequences under Dynamic Time Warping", KDD 2012.
    .. [2] E. Keogh and C. A. Ratanamahatana, "Exact indexing of dynamic time
       warping", Knowledge and Information Systems 7(3), 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw.neighbors import KNeighborsTimeSeriesClassifier
    >>> t = np.linspace(0, 1, 30)
    >>> X = [np.exp(-((t - c) / 0.05) ** 2) for c in (0.3, 0.5, 0.7)]
    >>> X += [(t > c).astype(float) for c in (0.3, 0.5, 0.7)]
    >>> y = ["bump"] * 3 + ["step"] * 3
    >>> clf = KNeighborsTimeSeriesClassifier(n_neighbors=1).fit(X, y)
    >>> clf.predict([np.exp(-((t - 0.6) / 0.05) ** 2), (t > 0.4).astype(float)]).tolist()
    ['bump', 'step']
    >>> dist, ind = clf.kneighbors([X[0]], n_neighbors=2)
    >>> ind.tolist(), float(dist[0, 0])
    ([[0, 1]], 0.0)
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Store the training series and their labels.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Training series; variable lengths as a list or NaN-padded.
        y : array-like of shape (n_ts,)
            Class labels.

        Returns
        -------
        self : KNeighborsTimeSeriesClassifier
            Fitted estimator.
        """
        self.classes_, self._y = _class_labels(self._fit_series(X, y))
        return self

    def predict_proba(self, X):
        """Share of the (weighted) votes of each class.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes)
            Columns in the order of ``classes_``.
        """
        ind, weights = self._neighbors_weights(X)
        if weights is None:
            weights = np.ones(ind.shape)
        proba = np.zeros((len(ind), len(self.classes_)))
        np.add.at(proba, (np.arange(len(ind))[:, None], self._y[ind]), weights)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Class of the largest (weighted) vote; a tie goes to the first class.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series

        Returns
        -------
        y : ndarray of shape (n_queries,)
        """
        votes = self.predict_proba(X).argmax(axis=1)
        return self.classes_[votes]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of `predict` on ``X`` (for model selection).

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series
        y : array-like of shape (n_queries,)
            True labels.
        sample_weight : array-like of shape (n_queries,), default=None

        Returns
        -------
        score : float
            Share of series whose predicted label is ``y``.
        """
        return super().score(X, y, sample_weight)

"""k-nearest-neighbour regression on time series."""
import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils import check_array

from ._base import _KNeighborsTimeSeriesBase

__all__ = ["KNeighborsTimeSeriesRegressor"]


class KNeighborsTimeSeriesRegressor(RegressorMixin, _KNeighborsTimeSeriesBase):
    r"""Predict the (weighted) mean target of the k nearest training series.

    The neighbours are those of :class:`KNeighborsTimeSeriesClassifier`:
    hard DTW by an exact pruned search, soft-DTW and the divergence by blocks
    of the pairwise matrix (see :ref:`neighbors`).

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours averaged.
    weights : {"uniform", "distance"}, default="uniform"
        ``"distance"``: weights inverse to the discrepancy (not with
        ``metric="softdtw"``); see :class:`KNeighborsTimeSeriesClassifier`.
    metric : {"dtw", "softdtw", "divergence"}, default="dtw"
        Hard DTW (squared units), soft-DTW or the soft-DTW divergence.
    gamma : float, default=1.0
        Smoothing parameter of ``"softdtw"`` and ``"divergence"``.
    sakoe_chiba_radius : int, default=None
        Radius of a Sakoe-Chiba band; ``None`` means no band.
    itakura_max_slope : float, default=None
        Maximum slope of an Itakura parallelogram; ``None`` means none.
    n_jobs : int, default=None
        Number of threads; ``None`` means 1, ``-1`` all cores.
    cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points (see :ref:`costs`). The pruned search of
        ``metric="dtw"`` bounds the squared Euclidean cost: with ``"abs"``,
        hard DTW goes through the pairwise matrix by blocks, as soft-DTW.

    Attributes
    ----------
    n_samples_fit_ : int
        Number of training series.
    n_features_in_ : int
        ``X.shape[1]`` of the training data (see
        :class:`KNeighborsTimeSeriesClassifier`).

    See Also
    --------
    KNeighborsTimeSeriesClassifier : The same neighbours, voting.
    sklearn.neighbors.KNeighborsRegressor : The same estimator on vectors.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw.neighbors import KNeighborsTimeSeriesRegressor
    >>> t = np.linspace(0, 1, 30)
    >>> centers = [0.2, 0.4, 0.6, 0.8]
    >>> X = [np.exp(-((t - c) / 0.05) ** 2) for c in centers]
    >>> reg = KNeighborsTimeSeriesRegressor(n_neighbors=2, sakoe_chiba_radius=3)
    >>> reg.fit(X, centers).predict([np.exp(-((t - 0.3) / 0.05) ** 2)]).round(2).tolist()
    [0.3]
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Store the training series and their targets.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Training series; variable lengths as a list or NaN-padded.
        y : array-like of shape (n_ts,) or (n_ts, n_outputs)
            Targets.

        Returns
        -------
        self : KNeighborsTimeSeriesRegressor
            Fitted estimator.
        """
        y = self._fit_series(X, y)
        self._y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        return self

    def predict(self, X):
        """Mean target of the neighbours, weighted by ``weights``.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series

        Returns
        -------
        y : ndarray of shape (n_queries,) or (n_queries, n_outputs)
            Shaped as the training targets.
        """
        ind, weights = self._neighbors_weights(X)
        if weights is None:
            return self._y[ind].mean(axis=1)
        weights = weights.reshape(weights.shape + (1,) * (self._y.ndim - 1))
        return (weights * self._y[ind]).sum(axis=1) / weights.sum(axis=1)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination :math:`R^2` of `predict` on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_queries, sz) or (n_queries, sz, d), or list of series
        y : array-like of shape (n_queries,) or (n_queries, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_queries,), default=None

        Returns
        -------
        score : float
            ``1 - sum of squared residuals / total sum of squares``, averaged
            uniformly over outputs; 1 is a perfect fit.
        """
        return super().score(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        # scikit-learn's regression check fits tabular features, which DTW
        # warps as if they were time steps: a fit of 0.5 R^2 is not expected.
        tags.regressor_tags.poor_score = True
        return tags

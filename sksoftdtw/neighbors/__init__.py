"""Nearest-neighbour estimators on DTW, soft-DTW and the soft-DTW divergence.

- :class:`KNeighborsTimeSeriesClassifier`: a vote of the k nearest series.
- :class:`KNeighborsTimeSeriesRegressor`: the mean target of the k nearest.
- :class:`NearestCentroidTimeSeriesClassifier`: the class of the nearest
  class barycenter.

Under hard DTW the neighbours are found by an exact search pruned by lower
bounds (LB_Kim, LB_Keogh) and early abandoning, in parallel over the query
series, without the full query x training matrix.
"""
from ._classification import KNeighborsTimeSeriesClassifier
from ._nearest_centroid import NearestCentroidTimeSeriesClassifier
from ._regression import KNeighborsTimeSeriesRegressor

__all__ = ["KNeighborsTimeSeriesClassifier", "KNeighborsTimeSeriesRegressor",
           "NearestCentroidTimeSeriesClassifier"]

"""k-means clustering of time series under soft-DTW and DTW.

- :class:`SoftDTWKMeans`: soft-DTW k-means (Cuturi & Blondel, 2017), with
  soft-DTW barycenters as centroids.
- :class:`DTWKMeans`: DTW k-means with DBA centroids (Petitjean et al., 2011).
- :func:`dtw_kmeans`: the function behind both, with every averaging method
  of :mod:`sksoftdtw.barycenters`.

These names are also importable from :mod:`sksoftdtw`.
"""
from ._kmeans import DTWKMeans, SoftDTWKMeans, dtw_kmeans

__all__ = ["DTWKMeans", "SoftDTWKMeans", "dtw_kmeans"]

"""sksoftdtw: soft-DTW for Python.

Fast Cython kernels for soft-DTW (Cuturi & Blondel, 2017), its gradients and
expected alignments, hard DTW, and the soft-DTW divergence, with
scikit-learn-compatible estimators built on them.
"""
from ._barycenter import (
    SoftDTWBarycenter,
    dtw_barycenter_averaging,
    dtw_barycenter_stochastic_subgradient,
    dtw_barycenter_subgradient,
    softdtw_barycenter,
)
from ._kmeans import SoftDTWKMeans, dtw_kmeans
from .metrics import (
    cdist_dtw,
    cdist_soft_dtw,
    cdist_soft_dtw_divergence,
    dtw,
    dtw_path,
    soft_dtw,
    soft_dtw_alignment,
    soft_dtw_batch,
    soft_dtw_divergence,
    soft_dtw_from_cost,
    soft_dtw_value_and_grad,
)
from .neighbors import KNeighborsTimeSeriesClassifier, KNeighborsTimeSeriesRegressor
from .neural_network import (
    MLPRegressor,
    mean_dtw_loss,
    mean_dtw_scorer,
    mean_squared_loss,
    mean_squared_scorer,
)
from .utils import to_time_series_dataset

__version__ = "0.1.0.dev0"

__all__ = [
    "KNeighborsTimeSeriesClassifier",
    "KNeighborsTimeSeriesRegressor",
    "MLPRegressor",
    "SoftDTWBarycenter",
    "SoftDTWKMeans",
    "dtw_barycenter_averaging",
    "dtw_barycenter_stochastic_subgradient",
    "dtw_barycenter_subgradient",
    "dtw_kmeans",
    "softdtw_barycenter",
    "cdist_dtw",
    "cdist_soft_dtw",
    "cdist_soft_dtw_divergence",
    "dtw",
    "dtw_path",
    "mean_dtw_loss",
    "mean_dtw_scorer",
    "mean_squared_loss",
    "mean_squared_scorer",
    "soft_dtw",
    "soft_dtw_alignment",
    "soft_dtw_batch",
    "soft_dtw_divergence",
    "soft_dtw_from_cost",
    "soft_dtw_value_and_grad",
    "to_time_series_dataset",
]

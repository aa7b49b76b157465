"""Barycenters of time series under soft-DTW and DTW."""
from ._softdtw import (
    SoftDTWBarycenter,
    dtw_barycenter_averaging,
    dtw_barycenter_stochastic_subgradient,
    dtw_barycenter_subgradient,
    softdtw_barycenter,
)

__all__ = [
    "SoftDTWBarycenter",
    "dtw_barycenter_averaging",
    "dtw_barycenter_stochastic_subgradient",
    "dtw_barycenter_subgradient",
    "softdtw_barycenter",
]

"""Validation of time series inputs and dataset layouts."""
from ._validation import (
    FlatDataset,
    check_dataset,
    check_gamma,
    check_n_jobs,
    check_radius,
    check_time_series,
    to_time_series_dataset,
)

__all__ = [
    "FlatDataset",
    "check_dataset",
    "check_gamma",
    "check_n_jobs",
    "check_radius",
    "check_time_series",
    "to_time_series_dataset",
]

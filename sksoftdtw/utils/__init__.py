"""Validation of time series inputs and dataset layouts."""
from ._validation import (
    DataLayoutWarning,
    FlatDataset,
    check_band,
    check_dataset,
    check_gamma,
    check_n_jobs,
    check_radius,
    check_slope,
    check_time_series,
    from_channels_first,
    to_time_series_dataset,
)

__all__ = [
    "DataLayoutWarning",
    "FlatDataset",
    "check_band",
    "check_dataset",
    "check_gamma",
    "check_n_jobs",
    "check_radius",
    "check_slope",
    "check_time_series",
    "from_channels_first",
    "to_time_series_dataset",
]

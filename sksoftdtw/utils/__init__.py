"""Validation of time series inputs and dataset layouts."""
import importlib

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


def __getattr__(name):
    # Imported on first use: the validators import scikit-learn, which the
    # command line's help and the display helpers of this package do not need.
    if name in __all__:
        value = getattr(importlib.import_module("._validation", __name__), name)
        globals()[name] = value  # later accesses skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))

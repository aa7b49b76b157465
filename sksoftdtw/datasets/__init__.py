"""Time series datasets: the UCR time series classification archive.

- :func:`load_dataset` / :func:`list_datasets`: datasets bundled with the
  package (Coffee, GunPoint, ItalyPowerDemand), available offline.
- :func:`load_ucr` / :func:`list_ucr`: read a local copy of the UCR archive
  (2018 ``.tsv`` layout, 2015 comma-separated layout, variable lengths).
- :func:`fetch_ucr`: download one dataset on first use and cache it.

All loaders return ``X_train, y_train, X_test, y_test`` with X of shape
``(n_ts, sz, 1)``, shorter series padded with trailing NaN.
"""

from ._fetch import fetch_ucr
from ._ucr import list_datasets, list_ucr, load_dataset, load_ucr

__all__ = ["fetch_ucr", "list_datasets", "list_ucr", "load_dataset", "load_ucr"]

"""sksoftdtw: soft-DTW for Python.

Fast Cython kernels for soft-DTW (Cuturi & Blondel, 2017), its gradients and
expected alignments, hard DTW, and the soft-DTW divergence, with
scikit-learn-compatible estimators built on them.

The public names are imported on first use, so that ``import sksoftdtw``
(and ``sksoftdtw --help``) does not load scikit-learn and SciPy.
"""
import importlib
import importlib.util
from pathlib import Path

__version__ = "0.1.0.dev0"

# Public name -> the module defining it.
_SOURCES = {
    "SoftDTWBarycenter": ".barycenters",
    "dtw_barycenter_averaging": ".barycenters",
    "dtw_barycenter_stochastic_subgradient": ".barycenters",
    "dtw_barycenter_subgradient": ".barycenters",
    "softdtw_barycenter": ".barycenters",
    "DTWKMeans": ".clustering",
    "SoftDTWKMeans": ".clustering",
    "dtw_kmeans": ".clustering",
    "cdist_sharp_soft_dtw_divergence": ".metrics",
    "dilate": ".metrics",
    "dilate_value_and_grad": ".metrics",
    "mean_cost_divergence": ".metrics",
    "mean_cost_divergence_value_and_grad": ".metrics",
    "mean_cost_value_and_grad_from_cost": ".metrics",
    "sharp_soft_dtw": ".metrics",
    "sharp_soft_dtw_divergence": ".metrics",
    "sharp_soft_dtw_divergence_value_and_grad": ".metrics",
    "sharp_soft_dtw_from_cost": ".metrics",
    "sharp_soft_dtw_value_and_grad": ".metrics",
    "sharp_soft_dtw_value_and_grad_from_cost": ".metrics",
    "soft_dtw_directional_derivative_from_cost": ".metrics",
    "soft_dtw_divergence_value_and_grad": ".metrics",
    "soft_dtw_hessian_product": ".metrics",
    "soft_dtw_hessian_product_from_cost": ".metrics",
    "cdist_dtw": ".metrics",
    "cdist_soft_dtw": ".metrics",
    "cdist_soft_dtw_divergence": ".metrics",
    "dtw": ".metrics",
    "dtw_path": ".metrics",
    "soft_dtw": ".metrics",
    "soft_dtw_alignment": ".metrics",
    "soft_dtw_alignment_from_cost": ".metrics",
    "soft_dtw_batch": ".metrics",
    "soft_dtw_batch_from_cost": ".metrics",
    "soft_dtw_divergence": ".metrics",
    "soft_dtw_from_cost": ".metrics",
    "soft_dtw_value_and_grad": ".metrics",
    "KNeighborsTimeSeriesClassifier": ".neighbors",
    "KNeighborsTimeSeriesRegressor": ".neighbors",
    "NearestCentroidTimeSeriesClassifier": ".neighbors",
    "MLPRegressor": ".neural_network",
    "mean_dtw_loss": ".neural_network",
    "mean_dtw_scorer": ".neural_network",
    "mean_squared_loss": ".neural_network",
    "mean_squared_scorer": ".neural_network",
    "to_time_series_dataset": ".utils",
}

__all__ = list(_SOURCES)


def _check_compiled():
    """Fail clearly when this is a source tree whose extensions were never built.

    Running Python in a clone's root puts its ``sksoftdtw/`` folder ahead of
    an installed copy; without this check the first kernel import fails with
    "No module named 'sksoftdtw._openmp_helpers'".
    """
    if importlib.util.find_spec(f"{__name__}._openmp_helpers") is not None:
        return
    here = Path(__file__).resolve().parent
    raise ImportError(
        f"sksoftdtw is imported from its source tree {here}, whose compiled extensions "
        "are not built. Either build them there: 'python setup.py build_ext --inplace' "
        f"(or 'pip install -e .') in {here.parent}; or, to use an installed sksoftdtw "
        f"('pip install .'), run Python from another directory than {here.parent}, "
        "or the 'sksoftdtw' command instead of 'python -m sksoftdtw'."
    )


_check_compiled()


def __getattr__(name):
    if name in _SOURCES:
        value = getattr(importlib.import_module(_SOURCES[name], __name__), name)
        globals()[name] = value  # later accesses skip this function
        return value
    try:  # a subpackage or module: sksoftdtw.metrics, sksoftdtw.datasets...
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))

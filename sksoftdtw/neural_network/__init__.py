"""Neural networks whose output is a time series, trained with soft-DTW.

- :class:`MLPRegressor`: a multi-layer perceptron trained with the soft-DTW
  loss (or the squared loss), following scikit-learn's ``MLPRegressor``.
- :func:`mean_dtw_loss`, :func:`mean_squared_loss`: the matching evaluation
  metrics, and :data:`mean_dtw_scorer`, :data:`mean_squared_scorer` for
  model-selection tools.
"""
from ._mlp import MLPRegressor
from ._scorers import mean_dtw_loss, mean_dtw_scorer, mean_squared_loss, mean_squared_scorer

__all__ = [
    "MLPRegressor",
    "mean_dtw_loss",
    "mean_dtw_scorer",
    "mean_squared_loss",
    "mean_squared_scorer",
]

"""Time series preprocessing transformers for scikit-learn pipelines.

Both transformers act on each series independently and learn nothing from the
training set: :meth:`fit` only validates its input (so that they can be cloned,
cross-validated and pickled like any scikit-learn transformer), and
``transform`` may be called without fitting.

They accept every dataset layout of the package: ``(n_ts, sz)`` univariate
series, ``(n_ts, sz, d)`` series, lists of series of different lengths, and
arrays padded with trailing NaN (see
:func:`~sksoftdtw.to_time_series_dataset`).
"""
import numbers
from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval

from .utils import check_dataset
from .utils._validation import is_ragged, resample, set_features_in

__all__ = ["TimeSeriesResampler", "TimeSeriesScalerMeanVariance"]


def _is_series_list(X):
    """Whether ``X`` is a list of series of different shapes rather than one array.

    The test of :func:`~sksoftdtw.utils.check_dataset`, which lays such a
    list out as series of kind ``"list"``.
    """
    return isinstance(X, (list, tuple)) and len(X) > 0 and is_ragged(X)


def _input_shape(X):
    """Shape of an array-like input (any object with ``__array__``, a DataFrame...)."""
    return np.shape(X) if isinstance(X, (np.ndarray, list, tuple)) else np.asarray(X).shape


def _output_dtype(X):
    """float32 input gives float32 output; anything else float64.

    The transformers compute in float64 and round the result once, so float32
    pipelines keep their memory footprint.
    """
    first = X[0] if isinstance(X, (list, tuple)) and len(X) > 0 else X
    return np.float32 if getattr(first, "dtype", None) == np.float32 else np.float64


def _as_layout(X, ds, flat, dtype):
    """Lay the per-series rows ``flat`` (offsets of ``ds``) out like the input ``X``.

    A list of series gives a list; an array gives an array of the input's
    shape, with the trailing NaN padding of shorter series kept.
    """
    flat = flat.astype(dtype, copy=False)
    if _is_series_list(X):
        return ds.unflatten(flat, "list")
    shape = _input_shape(X)
    if ds.kind == "list":  # padded with trailing NaN
        out = np.full((ds.n_ts, shape[1], ds.d), np.nan, dtype=dtype)
        for k, (a, b) in enumerate(zip(ds.offsets[:-1], ds.offsets[1:])):
            out[k, : b - a] = flat[a:b]
    else:
        out = flat.reshape(ds.n_ts, shape[1], ds.d)
    return out[:, :, 0] if len(shape) == 2 else out


class _TimeSeriesTransformer(TransformerMixin, BaseEstimator):
    """Validation, fitted attributes and tags shared by the stateless transformers.

    Subclasses implement ``_transform(X, ds)``, ``ds`` being the validated
    :class:`~sksoftdtw.utils.FlatDataset` of ``X``.
    """

    _parameter_constraints: ClassVar[dict] = {}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and `X`; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Time series; different lengths as a list of arrays or as an array
            padded with trailing NaN.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        set_features_in(self, X, check_dataset(X, "X"))
        return self

    def transform(self, X):
        """Transform each series of `X`; see the class documentation.

        Parameters
        ----------
        X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
            Time series of any length; trailing NaN is padding.

        Returns
        -------
        X_new : ndarray or list of ndarray
            float32 for float32 input, float64 otherwise.
        """
        # Stateless: transform may run unfitted, so it validates the
        # parameters itself.
        self._validate_params()
        return self._transform(X, check_dataset(X, "X"))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # NaN is accepted as trailing padding only; any other NaN is an error.
        tags.input_tags.allow_nan = False
        tags.requires_fit = False
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class TimeSeriesScalerMeanVariance(OneToOneFeatureMixin, _TimeSeriesTransformer):
    r"""Scale each time series to a given mean and standard deviation.

    Each dimension of each series is z-normalised over time:

    .. math::

        x'_t = \mu + \sigma \, \frac{x_t - \bar x}{s_x},

    with :math:`\bar x` and :math:`s_x` the mean and (population) standard
    deviation of the series. A constant series, whose :math:`s_x` is zero up
    to rounding, becomes the constant :math:`\mu` (no NaN). Trailing NaN
    padding of shorter series is left in place and ignored by the statistics.

    The statistics are those of each series, not of the training set, so the
    transformer is stateless: :meth:`fit` only validates its input.

    Parameters
    ----------
    mu : float, default=0.0
        Mean of the output series.
    std : float, default=1.0
        Standard deviation of the output series, ``> 0``.

    Attributes
    ----------
    n_features_in_ : int
        Number of time steps of the data seen in :meth:`fit`: ``X.shape[1]``
        for an array, the longest length for a list of series. Series of any
        length can be transformed.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame of univariate series seen in :meth:`fit`.

    See Also
    --------
    TimeSeriesResampler : Resample series to a common length.
    sklearn.preprocessing.StandardScaler : Scales each feature over the
        training samples instead of each sample over time.

    Notes
    -----
    The output has the layout of the input: ``(n_ts, sz)`` or ``(n_ts, sz,
    d)``, NaN padding included, for an array; a list for a list of series of
    different lengths. float32 input gives float32 output. :meth:`~sklearn.base.TransformerMixin.set_output` applies to
    ``(n_ts, sz)`` input, whose columns are time steps.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw.preprocessing import TimeSeriesScalerMeanVariance
    >>> X = [[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]
    >>> TimeSeriesScalerMeanVariance().fit_transform(X)
    array([[-1.22474487,  0.        ,  1.22474487],
           [ 0.        ,  0.        ,  0.        ]])

    NaN padding of a shorter series is kept:

    >>> TimeSeriesScalerMeanVariance().fit_transform([[0.0, 2.0, np.nan]])
    array([[-1.,  1., nan]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "mu": [Interval(numbers.Real, None, None, closed="neither")],
        "std": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, *, mu=0.0, std=1.0):
        self.mu = mu
        self.std = std

    def _transform(self, X, ds):
        starts, lengths = ds.offsets[:-1], ds.lengths[:, None]
        mean = np.add.reduceat(ds.data, starts, axis=0) / lengths
        centered = ds.data - np.repeat(mean, ds.lengths, axis=0)
        var = np.add.reduceat(centered**2, starts, axis=0) / lengths
        # A constant series has a variance of zero up to the rounding of the
        # two-pass formula; the bound of sklearn's StandardScaler tells the
        # two apart, so constant series map to mu instead of amplified noise.
        eps = np.finfo(np.float64).eps
        constant = var <= lengths * eps * var + (lengths * mean * eps) ** 2
        scale = np.where(constant, np.inf, np.sqrt(var))
        flat = self.mu + self.std * centered / np.repeat(scale, ds.lengths, axis=0)
        return _as_layout(X, ds, flat, _output_dtype(X))


class TimeSeriesResampler(ClassNamePrefixFeaturesOutMixin, _TimeSeriesTransformer):
    """Resample each time series linearly to a fixed length.

    Each series of length ``m`` is seen as a piecewise-linear function on
    ``m`` equally spaced times of ``[0, 1]`` and evaluated at ``sz`` equally
    spaced times of ``[0, 1]``: the first and last values are kept, and
    series of any lengths (a list, or NaN-padded) come out as one array of
    series of length ``sz``.

    Parameters
    ----------
    sz : int, default=100
        Length of the output series, ``>= 1``.

    Attributes
    ----------
    n_features_in_ : int
        Number of time steps of the data seen in :meth:`fit`: ``X.shape[1]``
        for an array, the longest length for a list of series. Series of any
        length can be transformed.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a DataFrame of univariate series seen in :meth:`fit`.

    See Also
    --------
    TimeSeriesScalerMeanVariance : Per-series z-normalisation.
    sksoftdtw.to_time_series_dataset : Pad series of different lengths
        with NaN instead.

    Notes
    -----
    The output is ``(n_ts, sz)`` for univariate input (``(n_ts, sz_in)``
    arrays or lists of 1-D series) and ``(n_ts, sz, d)`` otherwise; float32
    input gives float32 output.

    Examples
    --------
    >>> from sksoftdtw.preprocessing import TimeSeriesResampler
    >>> TimeSeriesResampler(sz=5).fit_transform([[0.0, 2.0, 4.0], [1.0, 3.0]])
    array([[0. , 1. , 2. , 3. , 4. ],
           [1. , 1.5, 2. , 2.5, 3. ]])
    """

    _parameter_constraints: ClassVar[dict] = {
        "sz": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, sz=100):
        self.sz = sz

    @property
    def _n_features_out(self):
        return self.sz

    def _transform(self, X, ds):
        out = resample(ds, self.sz)
        univariate = ds.univariate_list if _is_series_list(X) else len(_input_shape(X)) == 2
        out = out.astype(_output_dtype(X), copy=False)
        return out[:, :, 0] if univariate else out

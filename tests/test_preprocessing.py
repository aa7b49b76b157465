"""Tests of the time series preprocessing transformers.

Oracles: per-series loops over numpy's mean, std and interp, closed forms
(affine invariance, linear series), and tslearn where installed.
"""
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sksoftdtw import to_time_series_dataset
from sksoftdtw.preprocessing import TimeSeriesResampler, TimeSeriesScalerMeanVariance

RNG = np.random.RandomState(0)


def ragged(d=None, lengths=(7, 4, 9, 1)):
    """Series of different lengths, univariate (d=None) or of dimension d."""
    shape = (lambda n: (n,)) if d is None else (lambda n: (n, d))
    return [np.cumsum(RNG.randn(*shape(n)), axis=0) for n in lengths]


def scale_oracle(ts, mu, std):
    """z-normalisation of one (sz, d) series with numpy's population statistics."""
    sd = ts.std(axis=0)
    return mu + std * (ts - ts.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def resample_oracle(ts, sz):
    """np.interp of one (sz_in, d) series at sz equally spaced times of [0, 1]."""
    old, new = np.linspace(0, 1, len(ts)), np.linspace(0, 1, sz)
    return np.stack([np.interp(new, old, ts[:, k]) for k in range(ts.shape[1])], axis=1)


def as_2d(ts):
    return ts[:, None] if ts.ndim == 1 else ts


# --------------------------------------------------------------------------
# TimeSeriesScalerMeanVariance
# --------------------------------------------------------------------------
@pytest.mark.parametrize("mu, std", [(0.0, 1.0), (2.5, 0.3)])
@pytest.mark.parametrize("d", [1, 3])
def test_scaler_matches_per_series_statistics(mu, std, d):
    X = 5.0 + 3.0 * RNG.randn(6, 20, d)
    out = TimeSeriesScalerMeanVariance(mu=mu, std=std).fit_transform(X)
    assert out.shape == X.shape
    for ts, res in zip(X, out):
        assert_allclose(res, scale_oracle(ts, mu, std), rtol=1e-12, atol=1e-12)
    assert_allclose(out.mean(axis=1), mu, atol=1e-12)
    assert_allclose(out.std(axis=1), std, rtol=1e-12)


def test_scaler_is_invariant_to_affine_changes_of_units():
    X = RNG.randn(5, 12, 2)
    scaler = TimeSeriesScalerMeanVariance()
    # Per-series offsets and positive per-series, per-dimension scales.
    Xu = 1e3 * RNG.rand(5, 1, 2) * X + RNG.randn(5, 1, 2) * 1e4
    assert_allclose(scaler.fit_transform(Xu), scaler.fit_transform(X), atol=1e-9)


def test_scaler_two_d_layout_is_univariate():
    X = RNG.randn(4, 10)
    out = TimeSeriesScalerMeanVariance().fit_transform(X)
    assert out.shape == (4, 10)
    assert_array_equal(out, TimeSeriesScalerMeanVariance().fit_transform(X[:, :, None])[:, :, 0])


@pytest.mark.parametrize("value", [0.0, 0.1, -3e7, 1e-300])
def test_scaler_maps_constant_series_to_mu_without_nan(value):
    # 0.1 and -3e7 are not exact in binary: their computed variance is a few
    # ulps, not zero; it must not be blown up into noise of unit variance.
    X = np.full((2, 50, 1), value)
    X[1, :, 0] = np.linspace(0, 1, 50)  # a non-constant series next to it
    out = TimeSeriesScalerMeanVariance(mu=0.5).fit_transform(X)
    assert np.isfinite(out).all()
    assert_array_equal(out[0], 0.5)
    assert_allclose(out[1].std(), 1.0)


def test_scaler_constant_dimension_of_a_multivariate_series():
    ts = np.stack([np.full(8, 2.0), np.arange(8.0)], axis=1)
    out = TimeSeriesScalerMeanVariance().fit_transform(ts[None])[0]
    assert_array_equal(out[:, 0], 0.0)
    assert_allclose(out[:, 1], scale_oracle(ts, 0.0, 1.0)[:, 1])


@pytest.mark.parametrize("d", [None, 2])
def test_scaler_keeps_nan_padding(d):
    series = ragged(d)
    padded = to_time_series_dataset(series)
    if d is None:
        padded = padded[:, :, 0]
    out = TimeSeriesScalerMeanVariance().fit_transform(padded)
    assert out.shape == padded.shape
    assert_array_equal(np.isnan(out), np.isnan(padded))
    for ts, res in zip(series, out):
        res = as_2d(res)
        assert_allclose(res[:len(ts)], scale_oracle(as_2d(ts), 0.0, 1.0), atol=1e-12)


@pytest.mark.parametrize("d", [None, 2])
def test_scaler_list_in_list_out(d):
    series = ragged(d)
    out = TimeSeriesScalerMeanVariance().fit_transform(series)
    assert isinstance(out, list) and len(out) == len(series)
    for ts, res in zip(series, out):
        assert res.shape == ts.shape
        assert_allclose(as_2d(res), scale_oracle(as_2d(ts), 0.0, 1.0), atol=1e-12)


def test_scaler_matches_tslearn():
    ts_prep = pytest.importorskip("tslearn.preprocessing")
    X = to_time_series_dataset(ragged(2))
    ours = TimeSeriesScalerMeanVariance(mu=1.0, std=2.0).fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ts_prep.TimeSeriesScalerMeanVariance(mu=1.0, std=2.0).fit_transform(X)
    assert_allclose(ours, theirs, atol=1e-12)


# --------------------------------------------------------------------------
# TimeSeriesResampler
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sz", [1, 2, 5, 16, 40])
@pytest.mark.parametrize("d", [None, 2])
def test_resampler_matches_np_interp(sz, d):
    series = ragged(d)
    out = TimeSeriesResampler(sz=sz).fit_transform(series)
    assert out.shape == ((len(series), sz) if d is None else (len(series), sz, d))
    for ts, res in zip(series, out):
        assert_allclose(as_2d(res), resample_oracle(as_2d(ts), sz), rtol=1e-12, atol=1e-12)


def test_resampler_keeps_endpoints_and_is_exact_on_linear_series():
    t = np.linspace(0, 1, 13)
    X = np.stack([3.0 * t - 1.0, -2.0 * t + 5.0])
    out = TimeSeriesResampler(sz=7).fit_transform(X)
    t_new = np.linspace(0, 1, 7)
    assert_allclose(out, np.stack([3.0 * t_new - 1.0, -2.0 * t_new + 5.0]), atol=1e-14)
    assert_array_equal(out[:, [0, -1]], X[:, [0, -1]])


def test_resampler_to_the_same_length_is_the_identity():
    X = RNG.randn(4, 9, 2)
    assert_array_equal(TimeSeriesResampler(sz=9).fit_transform(X), X)


def test_resampler_padded_input_gives_fixed_length_output_without_nan():
    series = ragged(2)
    padded = to_time_series_dataset(series)
    out = TimeSeriesResampler(sz=6).fit_transform(padded)
    assert out.shape == (len(series), 6, 2) and np.isfinite(out).all()
    assert_array_equal(out, TimeSeriesResampler(sz=6).fit_transform(series))


def test_resampler_matches_tslearn():
    ts_prep = pytest.importorskip("tslearn.preprocessing")
    X = to_time_series_dataset(ragged(2, lengths=(7, 4, 9, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ts_prep.TimeSeriesResampler(sz=11).fit_transform(X)
    assert_allclose(TimeSeriesResampler(sz=11).fit_transform(X), theirs, atol=1e-12)


# --------------------------------------------------------------------------
# Both: statelessness, dtypes, validation, set_output
# --------------------------------------------------------------------------
TRANSFORMERS = [TimeSeriesScalerMeanVariance(mu=1.0, std=2.0), TimeSeriesResampler(sz=6)]


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_stateless(transformer):
    """fit learns nothing: the output does not depend on the data fitted on."""
    X = RNG.randn(5, 8, 2)
    unfitted = clone(transformer).transform(X)
    fitted = clone(transformer).fit(100 * RNG.randn(3, 20, 2)).transform(X)
    assert_array_equal(unfitted, fitted)
    assert clone(transformer).fit(X).n_features_in_ == 8
    assert clone(transformer).fit(ragged()).n_features_in_ == 9


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_output_dtype(transformer, dtype):
    X = (10 * RNG.randn(4, 8, 2)).astype(dtype)
    out = clone(transformer).fit_transform(X)
    assert out.dtype == (np.float32 if dtype == np.float32 else np.float64)
    exact = clone(transformer).fit_transform(X.astype(np.float64))
    assert_array_equal(out, exact.astype(out.dtype))  # computed in float64, rounded once


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_input_is_not_modified(transformer):
    X = RNG.randn(4, 8, 2)
    X_copy = X.copy()
    clone(transformer).fit_transform(X)
    assert_array_equal(X, X_copy)


@pytest.mark.parametrize("transformer, bad", [
    (TimeSeriesScalerMeanVariance(std=0.0), "std"),
    (TimeSeriesScalerMeanVariance(std=-1.0), "std"),
    (TimeSeriesScalerMeanVariance(mu=np.nan), "mu"),
    (TimeSeriesResampler(sz=0), "sz"),
    (TimeSeriesResampler(sz=2.5), "sz"),
])
def test_bad_parameters_raise_in_fit_and_transform(transformer, bad):
    X = RNG.randn(3, 5)
    for method in (transformer.fit, transformer.transform):
        with pytest.raises(InvalidParameterError, match=bad):
            method(X)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
@pytest.mark.parametrize("X, match", [
    (np.ones(5), "Reshape|dimensions"),
    (np.ones((2, 3, 1, 1)), "dimensions"),
    (np.array([[1.0, np.nan, 2.0]]), "NaN"),
    (np.array([[1.0, np.inf, 2.0]]), "NaN or infinite"),
    (np.array([[np.nan, np.nan]]), "empty"),
])
def test_bad_input_raises(transformer, X, match):
    with pytest.raises(ValueError, match=match):
        clone(transformer).fit_transform(X)


def test_set_output_pandas_on_univariate_series():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(RNG.randn(4, 6), columns=[f"t{k}" for k in range(6)])
    scaled = TimeSeriesScalerMeanVariance().set_output(transform="pandas").fit_transform(X)
    assert isinstance(scaled, pd.DataFrame)
    assert list(scaled.columns) == list(X.columns)
    assert_allclose(scaled.to_numpy(), TimeSeriesScalerMeanVariance().fit_transform(X.to_numpy()))
    resampled = TimeSeriesResampler(sz=3).set_output(transform="pandas").fit_transform(X)
    assert list(resampled.columns) == [f"timeseriesresampler{k}" for k in range(3)]
    assert_allclose(resampled.to_numpy(), TimeSeriesResampler(sz=3).fit_transform(X.to_numpy()))

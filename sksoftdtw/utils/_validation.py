"""Input validation for time series, datasets and the shared parameters."""
import numbers
import warnings
from typing import NamedTuple

import numpy as np
from sklearn.utils.validation import validate_data


class FlatDataset(NamedTuple):
    """A dataset of ``n_ts`` series laid end to end.

    Series ``k`` is ``data[offsets[k]:offsets[k + 1]]``; ``data`` is a
    C-contiguous float64 array of shape ``(n_samples_total, d)``. ``kind``
    remembers the caller's layout so results can be returned in it: ``"2d"``
    for ``(n_ts, sz)``, ``"3d"`` for ``(n_ts, sz, d)``, ``"list"`` for
    variable lengths (a list, or trailing NaN padding); ``univariate_list``
    tells that a list was made of 1-D series; ``name`` is the caller's name
    of the dataset, for error messages.

    Examples
    --------
    >>> from sksoftdtw.utils import check_dataset
    >>> ds = check_dataset([[1.0, 2.0, 3.0], [4.0, 5.0]])
    >>> ds.n_ts, ds.d, ds.lengths.tolist(), ds.kind
    (2, 1, [3, 2], 'list')
    >>> ds.series(1).ravel().tolist()
    [4.0, 5.0]
    """

    data: np.ndarray
    offsets: np.ndarray
    kind: str
    univariate_list: bool = False
    name: str = "X"

    @property
    def n_ts(self):
        return len(self.offsets) - 1

    @property
    def d(self):
        return self.data.shape[1]

    @property
    def lengths(self):
        # a slice difference: np.diff's overhead shows in calls on tiny pairs
        return self.offsets[1:] - self.offsets[:-1]

    def series(self, k):
        return self.data[self.offsets[k]:self.offsets[k + 1]]

    def take(self, idx):
        """The dataset of the series ``idx`` (in that order), and the rows of
        ``data`` they come from."""
        rows = np.concatenate([np.arange(self.offsets[k], self.offsets[k + 1]) for k in idx])
        offsets = np.zeros(len(idx) + 1, dtype=np.intp)
        np.cumsum(self.lengths[idx], out=offsets[1:])
        return self._replace(data=self.data[rows], offsets=offsets), rows

    def unflatten(self, flat, kind=None):
        """Split a flat ``(n_samples_total, d)`` array back into this layout."""
        kind = self.kind if kind is None else kind
        if kind == "list":
            parts = [flat[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]
            return [p[:, 0] for p in parts] if self.univariate_list else parts
        out = flat.reshape(self.n_ts, -1, self.d)
        return out[:, :, 0] if kind == "2d" else out


def as_float_array(x, name):
    """`x` as a float64 array; TypeError or ValueError naming `name` if it holds no numbers."""
    if hasattr(x, "toarray") or hasattr(x, "tocsr"):
        raise TypeError(f"{name} is a sparse matrix: sparse data is not supported, "
                        "pass a dense array")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged nested sequences, objects numpy refuses
        raise TypeError(f"{name} must be array-like of numbers: {exc}") from None
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"Complex data not supported: {name} has dtype {arr.dtype}")
    if arr.dtype == object:
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must contain numbers: {exc}") from None
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must contain numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


class DataLayoutWarning(UserWarning):
    """Warns that a series seems to have its time and dimension axes swapped.

    Raised when a series has more than ten times as many dimensions as time
    steps, the mark of the channels-first layout ``(n_cases, n_channels,
    n_timepoints)`` of aeon and sktime read as ``(n_ts, sz, d)``: convert
    such data with :func:`from_channels_first`. Data whose layout is right
    can silence it with
    ``warnings.simplefilter("ignore", DataLayoutWarning)``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sksoftdtw.utils import DataLayoutWarning, check_dataset
    >>> X = np.zeros((5, 2, 100))  # 5 series of 2 channels and 100 time steps
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = check_dataset(X)
    >>> caught[0].category is DataLayoutWarning
    True
    """


# In the UEA multivariate archive the largest d / sz of data laid out right is
# about 9 (InsectWingbeat: 200 channels, length 22), while its datasets read
# with the axes swapped have d / sz of 16 or more (BasicMotions: 100 / 6,
# ERing: 65 / 4; univariate channels-first data (n, 1, sz): sz).
_CHANNELS_FIRST_RATIO = 10


def _check_layout(name, sz, d, shape):
    """Warn when ``d`` is so much larger than ``sz`` that the axes look swapped."""
    if 0 < sz and d > _CHANNELS_FIRST_RATIO * sz:
        warnings.warn(
            f"{name} has shape {shape}, read as series of length {sz} with d={d} dimensions. "
            "If it is in the channels-first layout (n_cases, n_channels, n_timepoints) of "
            f"aeon or sktime, pass sksoftdtw.utils.from_channels_first({name}) instead; if "
            "the layout is right, silence this warning with warnings.simplefilter('ignore', "
            "sksoftdtw.utils.DataLayoutWarning)",
            DataLayoutWarning, stacklevel=4)


def from_channels_first(X):
    """Convert channels-first data, as aeon and sktime lay it out, to this package's layout.

    Parameters
    ----------
    X : array-like of shape (n_cases, n_channels, n_timepoints), or list of series
        A collection in the channels-first layout, or a list of
        ``(n_channels, n_timepoints_k)`` arrays for series of different
        lengths; one series of shape ``(n_channels, n_timepoints)`` is
        accepted too.

    Returns
    -------
    X : ndarray of shape (n_cases, n_timepoints, n_channels), or list of series
        The same values, time first: ``(n_ts, sz, d)`` (a list of
        ``(sz_k, d)`` arrays for a list, ``(sz, d)`` for one series).

    See Also
    --------
    DataLayoutWarning : The warning on data that looks channels-first.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw import cdist_soft_dtw
    >>> from sksoftdtw.utils import from_channels_first
    >>> X_aeon = np.zeros((4, 3, 50))  # 4 series, 3 channels, 50 time steps
    >>> from_channels_first(X_aeon).shape
    (4, 50, 3)
    >>> cdist_soft_dtw(from_channels_first(X_aeon)).shape
    (4, 4)

    In a scikit-learn pipeline, as its first step:
    ``FunctionTransformer(from_channels_first)``.
    """
    if isinstance(X, (list, tuple)):
        return [from_channels_first(ts) for ts in X]
    arr = np.asarray(X)
    if arr.ndim not in (2, 3):
        raise ValueError(
            "X must be channels-first data of shape (n_cases, n_channels, n_timepoints) or "
            f"(n_channels, n_timepoints), got an array of shape {arr.shape}"
        )
    return np.swapaxes(arr, -1, -2)


def check_time_series(x, name="x", *, allow_padding=True):
    """Validate one series and return it as a C-contiguous float64 ``(sz, d)`` array.

    Trailing rows that are entirely NaN are padding, as in a NaN-padded
    dataset (see :func:`~sksoftdtw.to_time_series_dataset`): they are
    dropped, so that a row of such a dataset is a valid series. Any other
    NaN or infinite value is an error.

    Parameters
    ----------
    x : array-like of shape (sz,) or (sz, d)
        A time series; ``(sz,)`` is univariate.
    name : str, default="x"
        Name used in error messages.
    allow_padding : bool, default=True
        Whether trailing all-NaN rows are padding; if False they are an
        error, and no layout warning is given (for arrays that are not
        series, like a cost matrix).

    Warns
    -----
    DataLayoutWarning
        If ``d`` is more than ten times ``sz``: the axes look swapped (see
        :func:`from_channels_first`).

    Returns
    -------
    x : ndarray of shape (sz', d), dtype float64
        ``sz'`` is ``sz`` without the trailing padding.

    Raises
    ------
    ValueError
        If ``x`` is empty, has a wrong number of dimensions, or holds NaN or
        infinite values other than trailing padding; the message names
        ``name`` and the first bad time index.
    TypeError
        If ``x`` is not numeric.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw.utils import check_time_series
    >>> check_time_series([1, 2, 3]).shape
    (3, 1)
    >>> check_time_series([1.0, 2.0, np.nan, np.nan]).ravel().tolist()
    [1.0, 2.0]
    >>> check_time_series([1.0, np.nan, 3.0])
    Traceback (most recent call last):
    ...
    ValueError: x contains NaN or infinite values (first at time index 1) other than trailing NaN padding
    """
    arr = _as_2d(as_float_array(x, name), name)
    if allow_padding:
        _check_layout(name, *arr.shape, arr.shape)
    if not np.isfinite(arr).all():
        arr = _strip_padding(arr, name, allow_padding)
    return np.ascontiguousarray(arr)


def _as_2d(arr, name):
    """A non-empty series array of shape ``(sz,)`` or ``(sz, d)`` as ``(sz, d)``."""
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be a time series of shape (sz,) or (sz, d), got an array "
            f"with {arr.ndim} dimensions and shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is an empty time series (shape {arr.shape})")
    return arr


def _strip_padding(ts, name, allow_padding=True):
    """Drop trailing all-NaN rows of one series; any other NaN/inf is an error."""
    length = len(ts)
    if allow_padding:
        nan_rows = np.isnan(ts).all(axis=1)
        while length > 0 and nan_rows[length - 1]:
            length -= 1
        if length == 0:
            raise ValueError(f"{name} is an empty time series (all values NaN)")
    bad = np.flatnonzero(~np.isfinite(ts[:length]).all(axis=1))
    if len(bad):
        padding = " other than trailing NaN padding" if allow_padding else ""
        raise ValueError(f"{name} contains NaN or infinite values (first at time index "
                         f"{bad[0]}){padding}")
    return ts[:length]


def check_dataset(X, name="X", *, d=None):
    """Validate a dataset of time series and lay it out flat.

    Parameters
    ----------
    X : array-like of shape (n_ts, sz) or (n_ts, sz, d), or list of series
        ``(n_ts, sz)`` is ``n_ts`` univariate series. Series of different
        lengths are given as a list of arrays of shape ``(sz_k,)`` or
        ``(sz_k, d)``, or as an array padded with trailing NaN (the layout of
        :func:`~sksoftdtw.utils.to_time_series_dataset`).
    name : str, default="X"
        Name used in error messages.
    d : int, optional
        Required dimension of the series.

    Returns
    -------
    dataset : FlatDataset

    Raises
    ------
    ValueError
        On an empty dataset or series, a wrong number of dimensions, series of
        different dimensions, or NaN and infinite values other than trailing
        padding; the message names ``name``.

    Examples
    --------
    >>> import numpy as np
    >>> from sksoftdtw.utils import check_dataset
    >>> ds = check_dataset(np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]]))
    >>> ds.lengths.tolist(), ds.kind
    ([2, 3], 'list')
    """
    if isinstance(X, (list, tuple)) and len(X) > 0 and is_ragged(X):
        series = [as_float_array(ts, f"{name}[{k}]") for k, ts in enumerate(X)]
        kind = "list"
    else:
        arr = as_float_array(X, name)
        if arr.ndim == 2:
            arr = arr[:, :, None]
            kind = "2d"
        elif arr.ndim == 3:
            kind = "3d"
            _check_layout(name, arr.shape[1], arr.shape[2], arr.shape)
        else:
            hint = (" Reshape your data: X.reshape(-1, 1) if it is one series per "
                    "sample, X.reshape(1, -1) if it is one series") if arr.ndim == 1 else ""
            raise ValueError(
                f"{name} must be a dataset of shape (n_ts, sz) or (n_ts, sz, d) or a list "
                f"of time series, got an array with {arr.ndim} dimensions and shape "
                f"{arr.shape}.{hint}"
            )
        if arr.shape[0] > 0 and arr.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={arr.shape[:2]}) while a minimum of 1 "
                f"is required: {name} holds empty time series"
            )
        if arr.shape[0] > 0 and arr.shape[2] > 0 and np.isfinite(arr).all():
            # The common case, without a Python loop over the series.
            check_same_dim(arr.shape[2], d, name)
            n_ts, sz = arr.shape[:2]
            return FlatDataset(np.ascontiguousarray(arr.reshape(n_ts * sz, arr.shape[2])),
                               np.arange(0, n_ts * sz + 1, sz, dtype=np.intp), kind, name=name)
        series = list(arr)
    if len(series) == 0:
        raise ValueError(f"{name} is an empty dataset (0 time series)")
    out = []
    univariate_list = kind == "list" and all(ts.ndim == 1 for ts in series)
    for k, ts in enumerate(series):
        stripped = _strip_padding(_as_2d(ts, f"{name}[{k}]"), f"{name}[{k}]")
        if len(stripped) != len(ts):
            kind = "list"
        out.append(stripped)
    dims = {ts.shape[1] for ts in out}
    if kind == "list" and isinstance(X, (list, tuple)):
        _check_layout(name, max(len(ts) for ts in out), max(dims), "list")
    if len(dims) > 1:
        raise ValueError(f"the series of {name} have different dimensions: {sorted(dims)}")
    check_same_dim(out[0].shape[1], d, name)
    offsets = np.zeros(len(out) + 1, dtype=np.intp)
    np.cumsum([len(ts) for ts in out], out=offsets[1:])
    data = np.ascontiguousarray(np.concatenate(out, axis=0))
    return FlatDataset(data, offsets, kind, univariate_list, name)


_FLOAT_MAX = float(np.finfo(np.float64).max)


# The costs between points that the kernels compute from series.
COSTS = ("sqeuclidean", "abs")


def check_cost(cost):
    """Validate the ``cost`` parameter: one of `COSTS`.

    ``"sqeuclidean"`` is the squared Euclidean cost ``||x_i - y_j||^2``,
    ``"abs"`` the L1 cost ``sum_k |x_ik - y_jk|``.

    Examples
    --------
    >>> from sksoftdtw.utils._validation import check_cost
    >>> check_cost("abs")
    'abs'
    """
    if not (isinstance(cost, str) and cost in COSTS):
        raise ValueError(f"cost must be one of {', '.join(map(repr, COSTS))}, got {cost!r}")
    return cost


def refuse_cost(cost, what):
    """Raise, naming ``cost``, unless it is the squared Euclidean cost, which
    ``what`` needs."""
    if check_cost(cost) != "sqeuclidean":
        raise ValueError(f"cost={cost!r} is not supported by {what}, which needs the squared "
                         "Euclidean cost: use cost='sqeuclidean'")


def check_cost_range(X, Y, path_length=None, cost="sqeuclidean"):
    """Bound the cost of any pair of series of two datasets.

    Raises a ValueError naming both datasets when the costs summed along an
    alignment could overflow float64.

    Parameters
    ----------
    X, Y : FlatDataset
    path_length : int, optional
        The longest alignment, ``X.lengths.max() + Y.lengths.max()`` if not
        given.
    cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points (see `check_cost`).

    Returns
    -------
    max_cost : float
        An upper bound on ``||x_i - y_j||^2`` (``"abs"``: on
        ``||x_i - y_j||_1``) over all series and times.

    Examples
    --------
    >>> from sksoftdtw.utils import check_dataset
    >>> from sksoftdtw.utils._validation import check_cost_range
    >>> check_cost_range(check_dataset([[1.0, -2.0]]), check_dataset([[3.0]], "Y"))
    25.0
    >>> check_cost_range(check_dataset([[1.0, -2.0]]), check_dataset([[3.0]], "Y"), cost="abs")
    5.0
    """
    amplitude = float(np.abs(X.data).max()) + float(np.abs(Y.data).max())
    # Python floats: a product too large is inf here, not an OverflowError.
    max_cost = amplitude * X.d if cost == "abs" else amplitude * amplitude * X.d
    if path_length is None:
        path_length = X.lengths.max() + Y.lengths.max()
    check_path_sum(max_cost, int(path_length),
                   X.name if X.name == Y.name else f"{X.name} and {Y.name}",
                   f"up to {amplitude:.3g} in absolute value")
    return max_cost


def check_gamma_range(gamma, path_length):
    """Raise if ``gamma`` is so large that the soft-DTW value overflows float64.

    The value is about ``-gamma * log(number of alignments)``, and there are
    fewer than ``3 ** path_length`` alignments (``log 3 < 1.1``); the costs
    take the other half of the float range.
    """
    if gamma * 1.1 * int(path_length) > _FLOAT_MAX / 2:  # Python floats: inf, no warning
        raise ValueError(
            f"gamma={gamma!r} is too large for series of these lengths: the soft-DTW value, "
            "about -gamma * log(number of alignments), overflows float64"
        )


def check_path_sum(max_cost, path_length, names, extent):
    """Raise if costs up to ``max_cost`` can overflow when summed along a path.

    ``names`` says whose values these are and ``extent`` how large they are.
    """
    if not max_cost <= _FLOAT_MAX / path_length:
        raise ValueError(
            f"the values of {names} are too large ({extent}): their costs summed along "
            "an alignment overflow float64; rescale the data"
        )


def check_pairs(X, Y):
    """Validate two datasets whose series are paired: ``(X[k], Y[k])``.

    Returns
    -------
    X, Y : FlatDataset
        With the same number of series and the same dimension.

    Examples
    --------
    >>> from sksoftdtw.utils._validation import check_pairs
    >>> X, Y = check_pairs([[1.0, 2.0], [3.0, 4.0]], [[1.0], [2.0]])
    >>> X.n_ts == Y.n_ts == 2
    True
    """
    Xd = check_dataset(X, "X")
    Yd = check_dataset(Y, "Y", d=Xd.d)
    if Xd.n_ts != Yd.n_ts:
        raise ValueError(
            f"X and Y must hold the same number of series, got {Xd.n_ts} and {Yd.n_ts}"
        )
    return Xd, Yd




def is_ragged(X):
    """Whether the series of the sequence `X` have different shapes."""
    shapes = {np.shape(ts) for ts in X}
    return len(shapes) > 1


def n_features_in(X, dataset):
    """scikit-learn's ``n_features_in_`` of a dataset: ``X.shape[1]``.

    That is the number of time steps of an array (its padded length when
    padded with NaN), and the longest length for a list of series of
    different lengths. Estimators accept series of any length afterwards,
    since DTW compares series of different lengths.
    """
    if dataset.kind == "list" and isinstance(X, (list, tuple)):
        return int(dataset.lengths.max())
    return int(np.asarray(X).shape[1])


def set_features_in(estimator, X, dataset):
    """Record `n_features_in` on a fitted estimator, and the column names of a DataFrame.

    ``feature_names_in_`` comes from scikit-learn's ``validate_data``, told
    to skip the array checks: it handles neither 3-D nor variable-length
    input, which `check_dataset` has validated already.
    """
    validate_data(estimator, X, skip_check_array=True, reset=True)
    estimator.n_features_in_ = n_features_in(X, dataset)


def resample(dataset, sz):
    """Resample every series of a `FlatDataset` linearly to length ``sz``.

    Each series of length ``m`` is a piecewise-linear function on ``m``
    equally spaced times of ``[0, 1]``, evaluated at ``sz`` equally spaced
    times: the first and last values are kept.

    Returns
    -------
    out : ndarray of shape (n_ts, sz, d)

    Examples
    --------
    >>> from sksoftdtw.utils import check_dataset
    >>> from sksoftdtw.utils._validation import resample
    >>> resample(check_dataset([[0.0, 2.0, 4.0], [1.0, 3.0]]), 5)[:, :, 0]
    array([[0. , 1. , 2. , 3. , 4. ],
           [1. , 1.5, 2. , 2.5, 3. ]])
    """
    lengths = dataset.lengths[:, None]
    # Position of each output time on the input grid 0, ..., m - 1, and the
    # input segment [i, i + 1] holding it (the last segment for the final
    # point, so that it gets weight 1 on the last value).
    pos = (lengths - 1) * np.linspace(0.0, 1.0, sz)[None, :]
    left = np.minimum(np.floor(pos).astype(np.intp), np.maximum(lengths - 2, 0))
    frac = (pos - left)[:, :, None]
    left = left + dataset.offsets[:-1, None]
    right = np.minimum(left + 1, dataset.offsets[1:, None] - 1)
    return (1.0 - frac) * dataset.data[left] + frac * dataset.data[right]


def check_same_dim(d, expected, name):
    """Raise if a series' dimension ``d`` differs from the ``expected`` one."""
    if expected is not None and d != expected:
        raise ValueError(
            f"{name} has series of dimension d={d}, but d={expected} is expected "
            "(mismatched dimensions)"
        )


def check_weights(weights, n_ts, name="weights"):
    """Validate weights of the series and normalise them to sum to one.

    ``None`` means equal weights. Weights must be finite and non-negative,
    with a positive sum.

    Examples
    --------
    >>> from sksoftdtw.utils._validation import check_weights
    >>> check_weights([1, 3], 2).tolist()
    [0.25, 0.75]
    >>> check_weights([0, 0], 2, "sample_weight")
    Traceback (most recent call last):
    ...
    ValueError: sample_weight must have a positive sum, got all zeros
    """
    if weights is None:
        return np.full(n_ts, 1.0 / n_ts)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n_ts,):
        raise ValueError(
            f"{name} must be a 1-D array of length n_ts={n_ts} (one weight per "
            f"series), got shape {w.shape}"
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(f"{name} must be finite and non-negative, got {w!r}")
    total = w.sum()
    if total <= 0:
        raise ValueError(f"{name} must have a positive sum, got all zeros")
    return w / total


# The smallest positive gamma: the smallest normal float64. Below it 1 / gamma
# overflows, and soft-DTW differs from hard DTW (gamma = 0) by at most
# gamma * log(number of paths) < 1e-300: no float computation tells them apart.
_MIN_GAMMA = float(np.finfo(np.float64).tiny)


def check_gamma(gamma, *, allow_zero=True):
    """Validate the smoothing parameter; ``0`` means hard DTW.

    A positive gamma must be a normal float64, at least
    ``2.2250738585072014e-308``: below that ``1 / gamma`` overflows, and
    soft-DTW is hard DTW to within ``gamma * log(number of paths)``, less
    than ``1e-300``; ``gamma=0`` computes it.

    Examples
    --------
    >>> from sksoftdtw.utils import check_gamma
    >>> check_gamma(1)
    1.0
    >>> check_gamma(-0.5)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be a finite number >= 0, got -0.5
    >>> check_gamma(1e-310)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be 0 (hard DTW) or at least 2.2250738585072014e-308 (the smallest normal float64), got 1e-310
    """
    if type(gamma) is float and (_MIN_GAMMA <= gamma <= _FLOAT_MAX
                                 or (gamma == 0.0 and allow_zero)):  # the common cases, fast
        return gamma
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a real number, got {gamma!r}")
    gamma = float(gamma)
    if not np.isfinite(gamma) or gamma < 0 or (gamma == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"gamma must be a finite number {bound}, got {gamma!r}")
    if 0 < gamma < _MIN_GAMMA:
        zero = "0 (hard DTW) or " if allow_zero else ""
        raise ValueError(f"gamma must be {zero}at least {_MIN_GAMMA!r} (the smallest normal "
                         f"float64), got {gamma!r}")
    return gamma


# A float64 series of length L takes 8 L bytes, so no series is as long as a
# quarter of the largest intp: a radius this large already means no band, and
# the kernels' band limits ``i + (m - n) + radius + 1`` stay far from overflow.
_NO_BAND_RADIUS = np.iinfo(np.intp).max // 4


def check_radius(sakoe_chiba_radius):
    """Validate a Sakoe-Chiba radius; returns -1 for no band.

    Any radius at least as large as the series means no band; radii beyond
    every possible length (up to ``sys.maxsize`` and above) are clipped to
    one that no series reaches, so the band limits cannot overflow.

    Examples
    --------
    >>> import sys
    >>> from sksoftdtw.utils import check_radius
    >>> check_radius(None), check_radius(3)
    (-1, 3)
    >>> check_radius(sys.maxsize) == check_radius(2**70) < sys.maxsize // 2
    True
    """
    if sakoe_chiba_radius is None:
        return -1
    if isinstance(sakoe_chiba_radius, (bool, np.bool_)) or not isinstance(
        sakoe_chiba_radius, numbers.Integral
    ):
        raise TypeError(
            f"sakoe_chiba_radius must be None or an integer, got {sakoe_chiba_radius!r}"
        )
    if sakoe_chiba_radius < 0:
        raise ValueError(f"sakoe_chiba_radius must be >= 0, got {sakoe_chiba_radius}")
    return int(min(int(sakoe_chiba_radius), _NO_BAND_RADIUS))


def check_slope(itakura_max_slope):
    """Validate the maximum slope of an Itakura parallelogram; returns 0.0 for none.

    Examples
    --------
    >>> from sksoftdtw.utils import check_slope
    >>> check_slope(None), check_slope(2)
    (0.0, 2.0)
    """
    if itakura_max_slope is None:
        return 0.0
    if isinstance(itakura_max_slope, (bool, np.bool_)) or not isinstance(
        itakura_max_slope, numbers.Real
    ):
        raise TypeError(
            f"itakura_max_slope must be None or a number, got {itakura_max_slope!r}"
        )
    if not 1.0 <= float(itakura_max_slope) < np.inf:
        raise ValueError(
            f"itakura_max_slope must be a finite number >= 1, got {itakura_max_slope}"
        )
    return float(itakura_max_slope)


def check_band(sakoe_chiba_radius, itakura_max_slope):
    """Validate the two global constraints; returns them as keywords of the
    metrics' functions.

    Examples
    --------
    >>> from sksoftdtw.utils import check_band
    >>> check_band(3, None)
    {'sakoe_chiba_radius': 3, 'itakura_max_slope': None}
    """
    check_radius(sakoe_chiba_radius)
    check_slope(itakura_max_slope)
    return {"sakoe_chiba_radius": sakoe_chiba_radius, "itakura_max_slope": itakura_max_slope}


def check_n_jobs(n_jobs):
    """Validate ``n_jobs`` and return the number of kernel threads.

    ``None`` means 1, ``-1`` every core the process may use (within the
    OpenMP limit that ``threadpoolctl`` and ``OMP_NUM_THREADS`` set), ``-2``
    one fewer, and so on; a larger ``n_jobs`` than that is capped to it.

    Raises
    ------
    ValueError
        If ``n_jobs`` is 0 or not an integer.

    Examples
    --------
    >>> from sksoftdtw.utils import check_n_jobs
    >>> import os
    >>> check_n_jobs(None), check_n_jobs(100_000) <= os.cpu_count()
    (1, True)
    """
    from .._openmp_helpers import effective_n_threads

    if n_jobs is not None and (
        isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0
    ):
        raise ValueError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}")
    return effective_n_threads(n_jobs)


def to_time_series_dataset(X):
    """Stack series of possibly different lengths into one NaN-padded array.

    Parameters
    ----------
    X : array-like or list of array-like
        A dataset in any layout accepted by the package: ``(n_ts, sz)``,
        ``(n_ts, sz, d)``, or a list of series of shape ``(sz_k,)`` or
        ``(sz_k, d)``.

    Returns
    -------
    dataset : ndarray of shape (n_ts, max_sz, d), dtype float64
        Shorter series are padded with trailing NaN.

    Examples
    --------
    >>> from sksoftdtw import to_time_series_dataset
    >>> to_time_series_dataset([[1, 2, 3], [4, 5]])[:, :, 0]
    array([[ 1.,  2.,  3.],
           [ 4.,  5., nan]])
    """
    ds = check_dataset(X, "X")
    out = np.full((ds.n_ts, ds.lengths.max(), ds.d), np.nan)
    for k in range(ds.n_ts):
        ts = ds.series(k)
        out[k, : len(ts)] = ts
    return out

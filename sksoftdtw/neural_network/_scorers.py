r"""Losses between predicted and true time series, and their scorers.

Both losses are averages over samples of a per-sample discrepancy divided by
the length :math:`m_i` of the true series :math:`y_i`:

.. math::

    \mathrm{DTW}(Y, \hat Y) = \frac{1}{n} \sum_{i=1}^n
        \frac{1}{m_i} \mathrm{dtw}(y_i, \hat y_i), \qquad
    \mathrm{SQ}(Y, \hat Y) = \frac{1}{n} \sum_{i=1}^n
        \frac{1}{m_i} \sum_{t=1}^{m_i} \|y_{i,t} - \hat y_{i,t}\|^2,

with :math:`\mathrm{dtw}` hard DTW in squared units (``gamma=0``). Because the
identity alignment is one of the alignments DTW minimises over,
:math:`\mathrm{DTW} \le \mathrm{SQ}` whenever the series have equal lengths:
the two losses are on one scale, and for univariate series of equal length
:math:`\mathrm{SQ}` is :func:`sklearn.metrics.mean_squared_error`.
"""
import numpy as np
from sklearn.metrics import make_scorer

from ..metrics import soft_dtw_batch
from ..utils import check_dataset
from ..utils._validation import check_cost_range, check_weights

__all__ = ["mean_dtw_loss", "mean_dtw_scorer", "mean_squared_loss", "mean_squared_scorer"]


def _as_targets(Y, name):
    """Validate a set of target series; ``(n,)`` means ``n`` series of length 1."""
    try:
        ndim = np.ndim(Y)
    except ValueError:  # ragged nested sequences: a list of series
        ndim = None
    if ndim == 1:
        Y = np.asarray(Y)[:, None]
    return Y, check_dataset(Y, name)


def _check_pair(Y_true, Y_pred, sample_weight):
    Y_true, true = _as_targets(Y_true, "Y_true")
    Y_pred, pred = _as_targets(Y_pred, "Y_pred")
    if true.n_ts != pred.n_ts:
        raise ValueError(
            f"Y_true and Y_pred must hold the same number of series, got {true.n_ts} "
            f"and {pred.n_ts}"
        )
    if true.d != pred.d:
        raise ValueError(
            f"Y_true and Y_pred must hold series of the same dimension, got d={true.d} "
            f"and d={pred.d}"
        )
    check_cost_range(true, pred)
    if sample_weight is not None:
        sample_weight = check_weights(sample_weight, true.n_ts, "sample_weight")
    return Y_true, true, Y_pred, pred, sample_weight


def mean_dtw_loss(Y_true, Y_pred, *, sample_weight=None, sakoe_chiba_radius=None,
                  itakura_max_slope=None, n_jobs=None):
    r"""Mean DTW between true and predicted series, each divided by its length.

    .. math::

        \frac{1}{n} \sum_{i=1}^n \frac{1}{m_i} \mathrm{dtw}(y_i, \hat y_i)

    with :math:`m_i` the length of ``Y_true[i]`` and :math:`\mathrm{dtw}` hard
    DTW in squared units (see :func:`sksoftdtw.dtw`). Dividing by the length
    makes it the DTW counterpart of :func:`mean_squared_loss`, which bounds it
    from above for series of equal lengths, and of the training loss of
    :class:`~sksoftdtw.neural_network.MLPRegressor`.

    Parameters
    ----------
    Y_true : array-like of shape (n,), (n, sz) or (n, sz, d), or list of series
        True series. ``(n,)`` is ``n`` series of length 1 (the loss is then
        the mean squared error).
    Y_pred : array-like of shape (n,), (n, sz') or (n, sz', d), or list of series
        Predicted series; they may differ in length from the true ones.
    sample_weight : array-like of shape (n,), default=None
        Weights of the samples in the mean: finite, non-negative, not all
        zero.
    sakoe_chiba_radius : int or None, default=None
        Radius of the Sakoe-Chiba band (see :func:`sksoftdtw.soft_dtw`);
        ``None`` means no band.
    itakura_max_slope : float or None, default=None
        Maximum slope of the Itakura parallelogram (see
        :func:`sksoftdtw.soft_dtw`); ``None`` means none.
    n_jobs : int, default=None
        Number of threads; ``None`` means 1 and ``-1`` all cores.

    Returns
    -------
    loss : float
        Non-negative; zero when the predictions are exact.

    Raises
    ------
    ValueError
        If `sample_weight` has a negative or non-finite entry, sums to zero,
        or has not one entry per series.

    See Also
    --------
    mean_squared_loss : The Euclidean counterpart.
    mean_dtw_scorer : This loss as a scorer for model selection.
    sksoftdtw.cdist_dtw : DTW between all pairs of two sets of series.

    Examples
    --------
    >>> from sksoftdtw.neural_network import mean_dtw_loss, mean_squared_loss
    >>> Y_true = [[0.0, 1.0, 1.0, 0.0]]
    >>> Y_pred = [[0.0, 0.0, 1.0, 1.0]]  # the same bump, one step late
    >>> mean_dtw_loss(Y_true, Y_pred), mean_squared_loss(Y_true, Y_pred)
    (0.25, 0.5)
    """
    Y_true, true, Y_pred, _, sample_weight = _check_pair(Y_true, Y_pred, sample_weight)
    values = soft_dtw_batch(Y_true, Y_pred, 0.0, sakoe_chiba_radius=sakoe_chiba_radius,
                            itakura_max_slope=itakura_max_slope, n_jobs=n_jobs)
    return float(np.average(values / true.lengths, weights=sample_weight))


def mean_squared_loss(Y_true, Y_pred, *, sample_weight=None):
    r"""Mean squared Euclidean distance between series, each divided by its length.

    .. math::

        \frac{1}{n} \sum_{i=1}^n \frac{1}{m_i}
        \sum_{t=1}^{m_i} \|y_{i,t} - \hat y_{i,t}\|^2

    For univariate series of one length this is
    :func:`sklearn.metrics.mean_squared_error`; for ``d > 1`` the squared
    errors are summed over the ``d`` dimensions (the ground cost of DTW), so
    that :func:`mean_dtw_loss` never exceeds it.

    Parameters
    ----------
    Y_true : array-like of shape (n,), (n, sz) or (n, sz, d), or list of series
    Y_pred : array-like of the layout of ``Y_true``
        ``Y_pred[i]`` must have the length of ``Y_true[i]``.
    sample_weight : array-like of shape (n,), default=None
        Weights of the samples in the mean: finite, non-negative, not all
        zero.

    Returns
    -------
    loss : float

    See Also
    --------
    mean_dtw_loss : The DTW counterpart.
    mean_squared_scorer : This loss as a scorer for model selection.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import mean_squared_error
    >>> from sksoftdtw.neural_network import mean_squared_loss
    >>> rng = np.random.RandomState(0)
    >>> Y_true, Y_pred = rng.randn(5, 8), rng.randn(5, 8)
    >>> bool(np.isclose(mean_squared_loss(Y_true, Y_pred),
    ...                 mean_squared_error(Y_true, Y_pred)))
    True
    """
    _, true, _, pred, sample_weight = _check_pair(Y_true, Y_pred, sample_weight)
    if not np.array_equal(true.lengths, pred.lengths):
        k = int(np.flatnonzero(true.lengths != pred.lengths)[0])
        raise ValueError(
            "Y_true and Y_pred must hold series of equal lengths, got lengths "
            f"{true.lengths[k]} and {pred.lengths[k]} for series {k}"
        )
    sq = np.square(true.data - pred.data).sum(axis=1)
    per_series = np.add.reduceat(sq, true.offsets[:-1]) / true.lengths
    return float(np.average(per_series, weights=sample_weight))


mean_dtw_scorer = make_scorer(mean_dtw_loss, greater_is_better=False)
mean_dtw_scorer.__doc__ = """Scorer of :func:`mean_dtw_loss` (negated: greater is better).

Use it as ``scoring=mean_dtw_scorer`` in :class:`~sklearn.model_selection.GridSearchCV`
or :func:`~sklearn.model_selection.cross_val_score`.
"""
mean_squared_scorer = make_scorer(mean_squared_loss, greater_is_better=False)
mean_squared_scorer.__doc__ = """Scorer of :func:`mean_squared_loss` (negated: greater is better)."""

r"""Multi-layer perceptron whose output is a time series, trained with soft-DTW.

The network, its initialisation and its solvers follow
:class:`sklearn.neural_network.MLPRegressor`; only the loss on the output
layer differs. With ``loss="softdtw"`` the training objective is

.. math::

    \frac{1}{n} \sum_{i=1}^n \frac{1}{m_i}\,
    \mathrm{dtw}_\gamma\big(f_\theta(x_i), y_i\big)
    + \frac{\alpha}{2n} \sum_l \|W_l\|_F^2,

the loss of Cuturi & Blondel (2017, Sec. 5.3); its values and its gradients
with respect to the ``n`` predicted series come from one parallel call of
:func:`sksoftdtw.soft_dtw_batch` per (mini)batch, and backpropagation
does the rest. The soft-DTW divergence, the sharp soft-DTW divergence and
DILATE replace soft-DTW in the same way (:mod:`sksoftdtw.divergences`).
"""
import math
import warnings
from itertools import pairwise
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches, shuffle
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..barycenters._utils import pair_values
from .._engine.second_order import pairs_batch
from ..utils import check_dataset, check_n_jobs
from ..utils._constraints import shared_constraints
from ..utils._threads import single_threaded_blas
from ..utils._validation import check_cost_range
from ._scorers import mean_dtw_loss

__all__ = ["MLPRegressor"]

# L-BFGS-B's budget of function evaluations: scikit-learn's default ``max_fun``.
_LBFGS_MAXFUN = 15000
# Adam's moment decays and denominator offset: the defaults of Kingma & Ba,
# which are also scikit-learn's.
_ADAM_BETA_1, _ADAM_BETA_2, _ADAM_EPSILON = 0.9, 0.999, 1e-8


def _identity(Z):
    return Z


def _logistic(Z):
    return expit(Z, out=Z)


def _tanh(Z):
    return np.tanh(Z, out=Z)


def _relu(Z):
    return np.maximum(Z, 0, out=Z)


# The derivatives are written in terms of the activation's *output* A, which
# is what the forward pass keeps, and update the backpropagated delta in place.
def _identity_derivative(A, delta):
    pass


def _logistic_derivative(A, delta):
    delta *= A
    delta *= 1 - A


def _tanh_derivative(A, delta):
    delta *= 1 - A**2


def _relu_derivative(A, delta):
    delta[A == 0] = 0


_ACTIVATIONS = {"identity": _identity, "logistic": _logistic, "tanh": _tanh, "relu": _relu}
_DERIVATIVES = {
    "identity": _identity_derivative,
    "logistic": _logistic_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}


def _pack(coefs, intercepts):
    """All weights, then all biases, flattened into one vector."""
    return np.concatenate([a.ravel() for a in coefs + intercepts])


def _unpack(packed, layer_units):
    """Inverse of :func:`_pack`: views into ``packed``."""
    coefs, intercepts, start = [], [], 0
    for fan_in, fan_out in pairwise(layer_units):
        end = start + fan_in * fan_out
        coefs.append(packed[start:end].reshape(fan_in, fan_out))
        start = end
    for fan_out in layer_units[1:]:
        intercepts.append(packed[start:start + fan_out])
        start += fan_out
    return coefs, intercepts


class _Adam:
    """Adam (Kingma & Ba, 2015) updating a list of arrays in place."""

    def __init__(self, params, learning_rate_init):
        self.learning_rate_init = learning_rate_init
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    def update(self, params, grads):
        self.t += 1
        b1, b2 = _ADAM_BETA_1, _ADAM_BETA_2
        self.ms = [b1 * m + (1 - b1) * g for m, g in zip(self.ms, grads)]
        self.vs = [b2 * v + (1 - b2) * g**2 for v, g in zip(self.vs, grads)]
        # Bias correction of both moments folded into the step size.
        lr = self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for p, m, v in zip(params, self.ms, self.vs):
            p += -lr * m / (np.sqrt(v) + _ADAM_EPSILON)


def _flatten_series_input(X, name):
    """``(n, sz, d)`` series -> ``(n, sz * d)`` features; other layouts unchanged.

    Returns the (possibly flattened) input and the shape of one sample, or
    None when ``X`` is not a 3-D dataset (it is then left to scikit-learn's
    validation, which handles data frames, sparse input and error messages).
    """
    if X is None or sp.issparse(X) or hasattr(X, "iloc"):
        return X, None
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError):  # ragged nested sequences
        raise ValueError(f"{name} must hold series of one shape: MLPRegressor needs inputs "
                         "and targets of a fixed size, got a list of series of different "
                         "shapes") from None
    if arr.ndim != 3:
        return X, None
    ds = check_dataset(arr, name)
    if ds.kind != "3d":
        raise ValueError(
            f"{name} must hold series of one length without missing values; NaN "
            "(including trailing NaN padding) is not supported by MLPRegressor"
        )
    shape = (len(ds.series(0)), ds.d)
    return ds.data.reshape(ds.n_ts, -1), shape


class MLPRegressor(RegressorMixin, BaseEstimator):
    r"""Multi-layer perceptron predicting time series, trained with soft-DTW.

    A fully connected network maps an input vector (or a flattened input
    series) to an output series of fixed length ``sz`` and dimension ``d``
    (``sz * d`` output units, identity output activation). It is trained
    with the soft-DTW loss of Cuturi & Blondel (2017), which lets predicted
    shapes be slightly shifted or dilated in time, or with the squared
    (Euclidean) loss as a baseline. The architecture, initialisation, solvers
    and parameter names are those of
    :class:`sklearn.neural_network.MLPRegressor`.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        Number of units of each hidden layer.
    loss : {"softdtw", "divergence", "sharp_divergence", "dilate", "squared"}, \
            default="softdtw"
        Training loss, for ``n`` samples with targets :math:`y_i` of length
        :math:`m` and predictions :math:`\hat y_i = f_\theta(x_i)`:

        - ``"softdtw"``: :math:`\frac1n \sum_i \frac1m
          \mathrm{dtw}_\gamma(\hat y_i, y_i)`;
        - ``"divergence"``: the same mean of the soft-DTW divergence
          (:func:`~sksoftdtw.soft_dtw_divergence`), zero when
          :math:`\hat y_i = y_i`;
        - ``"sharp_divergence"``: the same mean of the sharp soft-DTW
          divergence (:func:`~sksoftdtw.sharp_soft_dtw_divergence`), whose
          gradient involves the Hessian-vector product of soft-DTW;
        - ``"dilate"``: the same mean of DILATE (Le Guen & Thome, 2019,
          :func:`~sksoftdtw.dilate`), :math:`a\, \mathrm{dtw}_\gamma(\hat
          y_i, y_i) + (1 - a) \langle E, \Omega \rangle`, a shape term and
          a temporal term penalising the alignments far from the diagonal,
          with :math:`a` = `dilate_alpha`;
        - ``"squared"``: :math:`\frac{1}{2n} \sum_i \|\hat y_i - y_i\|^2`,
          the loss whose gradient scikit-learn's ``MLPRegressor`` follows
          (see Notes).

        All get the penalty :math:`\frac{\alpha}{2n} \sum_l \|W_l\|_F^2`.
        The values and gradients of a (mini)batch come from one batched
        kernel call (two for the divergences: the targets' self terms,
        which have no gradient, are values only).
    gamma : float, default=1.0
        Smoothing parameter of soft-DTW, ``>= 0``. Small values make the loss
        close to DTW; ``0`` trains on hard DTW with its subgradient. Ignored
        when ``loss="squared"``. DILATE's authors use ``0.01``.
    dilate_alpha : float, default=0.5
        Weight :math:`a` of the shape term of ``loss="dilate"``, in
        ``[0, 1]``: ``1`` is soft-DTW, ``0`` the temporal term alone. Ignored
        by the other losses. (Named apart from `alpha`, the L2 penalty, which
        keeps scikit-learn's meaning.)
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.
    solver : {"lbfgs", "adam"}, default="lbfgs"
        ``"lbfgs"``: L-BFGS-B (:func:`scipy.optimize.minimize`) on the full
        training set, at most ``max_iter`` iterations and 15000 evaluations,
        stopping when the projected gradient is below ``tol``.
        ``"adam"``: Adam on shuffled minibatches for ``max_iter`` epochs.
    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights (not the biases).
    batch_size : int or "auto", default="auto"
        Minibatch size of ``"adam"``; ``"auto"`` is ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
        Step size of ``"adam"``.
    max_iter : int, default=200
        Maximum number of iterations (``"lbfgs"``) or epochs (``"adam"``).
    tol : float, default=1e-4
        ``"lbfgs"``: tolerance on the projected gradient. ``"adam"``:
        training stops once the loss (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs.
    sakoe_chiba_radius : int or None, default=None
        Sakoe-Chiba band of the soft-DTW loss (see
        :func:`sksoftdtw.soft_dtw`); ``None`` means no band.
    itakura_max_slope : float or None, default=None
        Maximum slope of an Itakura parallelogram for the soft-DTW loss (see
        :func:`sksoftdtw.soft_dtw`); ``None`` means none.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and, for ``"adam"``, the shuffling
        and the validation split. Pass an int for reproducible fits.
    warm_start : bool, default=False
        Start from the weights of the previous call to :meth:`fit` instead of
        a random initialisation. With ``loss="squared"`` first and then
        ``loss="softdtw"``, this is the "Euclidean initialization" of the
        paper. The architecture must not change; each call starts fresh
        curves, counters and optimizer state.
    early_stopping : bool, default=False
        ``"adam"`` only: hold out ``validation_fraction`` of the training
        set, stop when the validation score stops improving and keep the
        best weights. The validation score is minus the training loss
        (without penalty) on the held-out samples.
    validation_fraction : float, default=0.1
        Fraction of the training set held out for early stopping; it must
        give at least 2 samples.
    n_iter_no_change : int, default=10
        Number of epochs without improvement before ``"adam"`` stops.
    verbose : bool or int, default=False
        Print the loss after each iteration or epoch.
    n_jobs : int, default=None
        Number of threads of the soft-DTW kernel; ``None`` means 1 and ``-1``
        all cores. The results do not depend on it.

    Attributes
    ----------
    coefs_ : list of ndarray of shape (n_units[l], n_units[l + 1])
        Weight matrices; ``coefs_[l]`` maps layer ``l`` to layer ``l + 1``.
    intercepts_ : list of ndarray of shape (n_units[l + 1],)
        Bias vectors of layers ``1`` to ``n_layers_ - 1``.
    loss_ : float
        Training objective (with the penalty) at the end of fitting; for
        ``"adam"``, the mean of the minibatch objectives of the last epoch.
    loss_curve_ : list of float
        Objective after each iteration (``"lbfgs"``) or epoch (``"adam"``).
    best_loss_ : float or None
        Minimum of ``loss_curve_`` (``loss_`` if no iteration ran); None when
        ``early_stopping`` is on (see ``best_validation_score_``).
    validation_scores_ : list of float or None
        Validation score after each epoch when ``early_stopping`` is on,
        otherwise None. Only set by ``"adam"``.
    best_validation_score_ : float or None
        Best validation score, whose weights are kept. Only set by ``"adam"``.
    t_ : int
        Number of training samples seen by ``"adam"``.
    n_iter_ : int
        Number of iterations (``"lbfgs"``) or epochs (``"adam"``) run.
    n_features_in_ : int
        Number of input features: ``sz_in * d_in`` for 3-D input.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen in :meth:`fit`, when ``X`` has string
        column names.
    n_outputs_ : int
        Number of output units: ``sz * d`` for targets of shape (n, sz, d).
    n_layers_ : int
        Number of layers, input and output included.
    out_activation_ : str
        Output activation: always ``"identity"``.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The squared-loss original.
    sksoftdtw.soft_dtw_batch : The batched loss and gradient used in training.
    mean_dtw_loss : The metric of :meth:`score`.

    Notes
    -----
    **Score.** :meth:`score` returns *minus* :func:`mean_dtw_loss` (hard
    DTW, no band, each term divided by the target length), not the
    coefficient of determination R² of scikit-learn's regressors. This is
    deliberate: a grid search over ``gamma``, ``loss`` or
    ``sakoe_chiba_radius`` then compares every candidate on one scale, the
    DTW error of its predictions. Pass ``scoring="r2"`` or
    :data:`mean_squared_scorer` to model-selection tools to select on
    another metric.

    **Squared loss.** For one output, ``loss="squared"`` is exactly
    scikit-learn's objective, and the same initial weights, L-BFGS-B settings
    and Adam updates give the same model. For several outputs scikit-learn
    reports a loss averaged over outputs but follows the gradient of the loss
    summed over outputs (scikit-learn issue #8349). Here the loss is the
    summed one, consistent with that gradient: ``"adam"``, which only uses
    gradients, learns scikit-learn's model, with ``loss_`` ``n_outputs``
    times larger (when ``alpha=0``); ``"lbfgs"``, whose line search also uses
    the values, converges where scikit-learn's can stop early.

    **Threads.** The soft-DTW kernel runs ``n_jobs`` threads; BLAS is
    limited to one thread during :meth:`fit`, as threaded BLAS on the small
    products of the network and of L-BFGS-B only oversubscribes the cores.

    **Input and target layouts.** ``X`` of shape (n, sz_in, d_in) is
    flattened to ``sz_in * d_in`` features. Targets of shape (n, sz) are
    univariate series of length ``sz``, of shape (n, sz, d) ``d``-variate
    series, and of shape (n,) series of length 1 (soft-DTW between series of
    length 1 is the squared error); :meth:`predict` returns the layout
    of the targets seen in :meth:`fit`.

    References
    ----------
    .. [1] M. Cuturi and M. Blondel, "Soft-DTW: a Differentiable Loss Function
       for Time-Series", ICML 2017.
    .. [2] X. Glorot and Y. Bengio, "Understanding the difficulty of training
       deep feedforward neural networks", AISTATS 2010.
    .. [3] D. P. Kingma and J. Ba, "Adam: A Method for Stochastic
       Optimization", ICLR 2015.
    .. [4] M. Blondel, A. Mensch and J.-P. Vert, "Differentiable Divergences
       Between Time Series", AISTATS 2021.
    .. [5] V. Le Guen and N. Thome, "Shape and Time Distortion Loss for
       Training Deep Time Series Forecasting Models", NeurIPS 2019.

    Examples
    --------
    Predict the continuation of noisy sine waves of random phase:

    >>> import numpy as np
    >>> from sksoftdtw.neural_network import MLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 2 * np.pi, 30)
    >>> S = np.sin(t + rng.uniform(0, 2 * np.pi, (80, 1)))
    >>> S += 0.05 * rng.randn(*S.shape)
    >>> X, Y = S[:, :20], S[:, 20:]
    >>> model = MLPRegressor((20,), gamma=0.1, activation="tanh", max_iter=300,
    ...                      random_state=0).fit(X, Y)
    >>> model.predict(X[:2]).shape
    (2, 10)
    >>> bool(model.score(X, Y) > -0.05)
    True

    The paper's "Euclidean initialization": fit with the squared loss, then
    continue from those weights with soft-DTW.

    >>> model = MLPRegressor((20,), loss="squared", activation="tanh", tol=1e-3,
    ...                      random_state=0).fit(X, Y)
    >>> model = model.set_params(loss="softdtw", gamma=0.1, warm_start=True).fit(X, Y)
    >>> bool(model.score(X, Y) > -0.05)
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "loss": [StrOptions({"softdtw", "divergence", "sharp_divergence", "dilate",
                             "squared"})],
        **shared_constraints("gamma", "sakoe_chiba_radius", "itakura_max_slope",
                             "random_state", "verbose", "n_jobs"),
        "dilate_alpha": [Interval(Real, 0, 1, closed="both")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        loss="softdtw",
        gamma=1.0,
        dilate_alpha=0.5,
        activation="relu",
        solver="lbfgs",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        tol=1e-4,
        sakoe_chiba_radius=None,
        itakura_max_slope=None,
        random_state=None,
        warm_start=False,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        verbose=False,
        n_jobs=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.loss = loss
        self.gamma = gamma
        self.dilate_alpha = dilate_alpha
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.random_state = random_state
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ input
    def _validate_input(self, X, Y="no_validation", *, reset):
        """Validate and flatten ``X`` (and ``Y``) into 2-D float64 arrays.

        With ``Y``, also returns the shape of one target: ``()`` for 1-D
        targets, ``(sz,)`` for 2-D and ``(sz, d)`` for 3-D ones.
        """
        X, _ = _flatten_series_input(X, "X")
        if isinstance(Y, str) and Y == "no_validation":
            return validate_data(self, X, dtype=np.float64, reset=reset)
        Y, target_shape = _flatten_series_input(Y, "y")
        X, Y = validate_data(self, X, Y, multi_output=True, y_numeric=True,
                             dtype=np.float64, reset=reset)
        Y = np.asarray(Y, dtype=np.float64)
        if target_shape is None:
            target_shape = () if Y.ndim == 1 else (Y.shape[1],)
        return X, Y.reshape(len(Y), -1), target_shape

    def _series_shape(self):
        """(sz, d) of one target series."""
        shape = self._target_shape
        return (shape + (1, 1))[:2] if len(shape) < 2 else shape

    # --------------------------------------------------------------- network
    def _layer_units(self, n_features, n_outputs):
        hidden = self.hidden_layer_sizes
        hidden = [hidden] if np.ndim(hidden) == 0 else list(hidden)
        if any(not isinstance(h, Integral) or isinstance(h, bool) or h < 1 for h in hidden):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}"
            )
        return [n_features] + [int(h) for h in hidden] + [n_outputs]

    def _initialize(self, layer_units, random_state):
        """Glorot-uniform weights and biases, drawn layer by layer."""
        self.n_layers_ = len(layer_units)
        self.out_activation_ = "identity"
        # Glorot & Bengio's bound sqrt(6 / (fan_in + fan_out)), with the factor
        # 2 instead of 6 for the logistic sigmoid, whose slope at 0 is 1/4.
        factor = 2.0 if self.activation == "logistic" else 6.0
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in pairwise(layer_units):
            bound = np.sqrt(factor / (fan_in + fan_out))
            self.coefs_.append(random_state.uniform(-bound, bound, (fan_in, fan_out)))
            self.intercepts_.append(random_state.uniform(-bound, bound, fan_out))

    def _forward(self, X):
        """Activations of every layer, the input first and the output last."""
        hidden = _ACTIVATIONS[self.activation]
        activations = [X]
        last = len(self.coefs_) - 1
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            Z = activations[-1] @ W
            Z += b
            activations.append(Z if i == last else hidden(Z))
        return activations

    def _output_loss(self, P, Y):
        """Data term averaged over the batch, and its gradient w.r.t. ``P`` times n."""
        n = P.shape[0]
        if self.loss == "squared":
            diff = P - Y
            # Mean over samples, then sum over outputs: scikit-learn's order of
            # operations for one output, so that both solvers see the same values.
            return 0.5 * np.square(diff).mean(axis=0).sum(), diff
        sz, d = self._series_shape()
        P3, Y3 = P.reshape(n, sz, d), Y.reshape(n, sz, d)
        # Checked here so that a diverging fit names the predictions, not the kernels' X.
        check_cost_range(check_dataset(P3, "the network's predictions"), check_dataset(Y3, "y"))
        band = {"sakoe_chiba_radius": self.sakoe_chiba_radius,
                "itakura_max_slope": self.itakura_max_slope}
        if self.loss == "dilate":
            a = self.dilate_alpha
            shape, temporal, grad = pairs_batch(P3, Y3, self.gamma, band, "omega",
                                                 self.n_jobs, grad=True, a=a, b=1.0 - a)
            values = a * shape + (1.0 - a) * temporal
        elif self.loss == "softdtw":
            values, grad = pair_values(P3, Y3, self.gamma, "softdtw", band, self.n_jobs,
                                       grad=True)
        else:
            # D(p, y) = f(p, y) - (f(p, p) + f(y, y)) / 2, f symmetric: its
            # gradient in p is grad_x f(p, y) - grad_x f(p, p).
            values, grads = pair_values(np.concatenate([P3, P3]), np.concatenate([Y3, P3]),
                                        self.gamma, self.loss, band, self.n_jobs, grad=True)
            self_y = pair_values(Y3, Y3, self.gamma, self.loss, band, self.n_jobs)
            values = values[:n] - 0.5 * (values[n:] + self_y)
            grad = grads[:n] - grads[n:]
        return values.sum() / (n * sz), grad.reshape(n, -1) / sz

    def _loss_grad(self, X, Y):
        """Objective on the batch ``(X, Y)`` and its gradients, by backpropagation."""
        n = X.shape[0]
        activations = self._forward(X)
        loss, delta = self._output_loss(activations[-1], Y)
        loss += 0.5 * self.alpha * sum(np.vdot(W, W) for W in self.coefs_) / n
        derivative = _DERIVATIVES[self.activation]
        n_weights = len(self.coefs_)
        coef_grads, intercept_grads = [None] * n_weights, [None] * n_weights
        for i in range(n_weights - 1, -1, -1):
            coef_grads[i] = activations[i].T @ delta
            coef_grads[i] += self.alpha * self.coefs_[i]
            coef_grads[i] /= n
            intercept_grads[i] = delta.sum(axis=0) / n
            if i > 0:
                delta = delta @ self.coefs_[i].T
                derivative(activations[i], delta)
        return loss, coef_grads, intercept_grads

    # ------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network to input-target pairs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, sz_in, d_in)
            Inputs; 3-D inputs are flattened.
        y : array-like of shape (n_samples,), (n_samples, sz) or (n_samples, sz, d)
            Target series, all of length ``sz`` (``1`` for 1-D targets).
            Named ``y`` like the targets of every scikit-learn estimator.

        Returns
        -------
        self : MLPRegressor
            The fitted estimator.
        """
        check_n_jobs(self.n_jobs)
        first_pass = not (self.warm_start and hasattr(self, "coefs_"))
        X, Y, target_shape = self._validate_input(X, y, reset=first_pass)
        layer_units = self._layer_units(X.shape[1], Y.shape[1])
        random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, random_state)
        else:
            previous = [W.shape[0] for W in self.coefs_] + [self.coefs_[-1].shape[1]]
            if previous != layer_units:
                raise ValueError(
                    "warm_start=True needs the architecture of the previous fit: layer "
                    f"sizes {previous}, got {layer_units} (check hidden_layer_sizes and "
                    "the shapes of X and y)"
                )
        self.n_outputs_ = Y.shape[1]
        self._target_shape = target_shape
        # The soft-DTW kernel runs its own n_jobs threads, and L-BFGS-B makes
        # many BLAS calls on short vectors: threaded BLAS would only
        # oversubscribe the cores (on a busy machine, fits can be 10-100 times
        # slower). The network's products are small enough for one thread.
        with single_threaded_blas():
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, Y, layer_units)
            else:
                self._fit_adam(X, Y, random_state)
        if not all(np.isfinite(a).all() for a in self.coefs_ + self.intercepts_):
            raise ValueError(
                "The solver produced non-finite weights; the data may contain very large "
                "values and need scaling."
            )
        return self

    def _fit_lbfgs(self, X, Y, layer_units):
        self.loss_curve_ = []

        def fun(packed):
            self.coefs_, self.intercepts_ = _unpack(packed, layer_units)
            loss, coef_grads, intercept_grads = self._loss_grad(X, Y)
            return loss, _pack(coef_grads, intercept_grads)

        def callback(intermediate_result):
            self.loss_curve_.append(float(intermediate_result.fun))
            if self.verbose:
                print(f"Iteration {len(self.loss_curve_)}, loss = {self.loss_curve_[-1]:.8f}")

        result = scipy.optimize.minimize(
            fun, _pack(self.coefs_, self.intercepts_), method="L-BFGS-B", jac=True,
            callback=callback,
            options={"maxiter": self.max_iter, "maxfun": _LBFGS_MAXFUN, "gtol": self.tol},
        )
        if result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {result.nit} iterations "
                f"({result.message}). Increase max_iter or scale the data.",
                ConvergenceWarning,
            )
        self.n_iter_ = min(int(result.nit), self.max_iter)
        # Copies, so the weights do not keep the optimizer's vector alive.
        self.coefs_, self.intercepts_ = _unpack(result.x.copy(), layer_units)
        self.loss_ = float(result.fun)
        self.best_loss_ = min(self.loss_curve_, default=self.loss_)

    def _fit_adam(self, X, Y, random_state):
        params = self.coefs_ + self.intercepts_
        optimizer = _Adam(params, self.learning_rate_init)
        if self.early_stopping:
            n_val = math.ceil(self.validation_fraction * X.shape[0])
            if n_val < 2 or n_val >= X.shape[0]:
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} holds out {n_val} of "
                    f"{X.shape[0]} samples; early stopping needs at least 2 validation "
                    "samples and 1 training sample"
                )
            X, X_val, Y, Y_val = train_test_split(
                X, Y, test_size=self.validation_fraction, random_state=random_state)
        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the number of training "
                    f"samples ({n_samples}); using {n_samples}."
                )
            batch_size = min(self.batch_size, n_samples)

        self.loss_curve_ = []
        self.n_iter_ = 0
        self.t_ = 0
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self.best_loss_ = None if self.early_stopping else np.inf
        best_params = [p.copy() for p in params]
        no_improvement = 0
        sample_idx = np.arange(n_samples)
        for _ in range(self.max_iter):
            sample_idx = shuffle(sample_idx, random_state=random_state)
            accumulated = 0.0
            for batch in gen_batches(n_samples, batch_size):
                idx = sample_idx[batch]
                loss, coef_grads, intercept_grads = self._loss_grad(X[idx], Y[idx])
                accumulated += loss * len(idx)
                optimizer.update(params, coef_grads + intercept_grads)
            self.n_iter_ += 1
            self.t_ += n_samples
            self.loss_ = accumulated / n_samples
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")

            if self.early_stopping:
                score = -self._output_loss(self._forward(X_val)[-1], Y_val)[0]
                self.validation_scores_.append(score)
                if self.verbose:
                    print(f"Validation score: {score:.8f}")
                improved = score >= self.best_validation_score_ + self.tol
                if score > self.best_validation_score_:
                    self.best_validation_score_ = score
                    best_params = [p.copy() for p in params]
            else:
                improved = self.loss_ <= self.best_loss_ - self.tol
                self.best_loss_ = min(self.best_loss_, self.loss_)
            no_improvement = 0 if improved else no_improvement + 1
            if no_improvement > self.n_iter_no_change:
                if self.verbose:
                    what = "Validation score" if self.early_stopping else "Training loss"
                    print(f"{what} did not improve more than tol={self.tol} for "
                          f"{self.n_iter_no_change} consecutive epochs. Stopping.")
                break
        else:
            warnings.warn(
                f"Adam: maximum number of epochs ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        if self.early_stopping:
            n_weights = len(self.coefs_)
            self.coefs_, self.intercepts_ = best_params[:n_weights], best_params[n_weights:]

    # ---------------------------------------------------------------- predict
    def predict(self, X):
        """Predict the output series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, sz_in, d_in)

        Returns
        -------
        Y_pred : ndarray of shape (n_samples,), (n_samples, sz) or (n_samples, sz, d)
            In the layout of the targets given to :meth:`fit`.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        P = self._forward(X)[-1]
        return P.reshape((len(P),) + self._target_shape)

    def score(self, X, y, sample_weight=None):
        """Minus the mean DTW between the predictions and the true series.

        Unlike scikit-learn's regressors, which return R², this returns
        ``-mean_dtw_loss(y, self.predict(X))``: hard DTW without band, each
        term divided by the length of the true series, whatever the
        estimator's ``gamma``, ``loss`` and ``sakoe_chiba_radius``. Models
        that differ in those parameters are thus compared on one scale, that
        of :meth:`~sksoftdtw.clustering.SoftDTWKMeans.score` and
        :meth:`~sksoftdtw.barycenters.SoftDTWBarycenter.score`, and greater is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, sz_in, d_in)
        y : array-like of shape (n_samples,), (n_samples, sz) or (n_samples, sz, d)
            True series.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean: finite, non-negative, not
            all zero (a ValueError otherwise); ``None`` means equal weights.

        Returns
        -------
        score : float
            Non-positive; 0 for perfect predictions.
        """
        Y_pred = self.predict(X)
        return -mean_dtw_loss(y, Y_pred, sample_weight=sample_weight, n_jobs=self.n_jobs)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # The score is minus a DTW error, not R², so R²-based score thresholds
        # of generic checks do not apply.
        tags.regressor_tags.poor_score = True
        return tags

"""Random inputs to every entry point: a finite result or a clear error, never a crash.

Each case draws shapes, dtypes, gammas, band radii and corruptions at random;
a result must be finite and of the documented shape, and an error must be a
ValueError or TypeError naming the offending parameter.

The hypothesis tests run under a fixed profile (bounded and derandomized, so
that CI runs the same examples every time); ``SKSOFTDTW_FUZZ=long`` runs many
more, with fresh random examples.
"""
import os
import re
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import ConvergenceWarning

import sksoftdtw as sk
from sksoftdtw.utils import DataLayoutWarning

PARAMETERS = ("x", "y", "X", "Y", "D", "gamma", "sakoe_chiba_radius", "n_jobs", "Y_true",
              "Y_pred", "n_clusters", "n_samples", "predictions")

# No example database (nothing written into the checkout), and in CI no
# shrinking: a failure is reported as drawn, since shrinking examples through
# estimators' fits can take minutes.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          database=None, phases=[Phase.explicit, Phase.generate],
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SKSOFTDTW_FUZZ", "ci"))


def _series(rng, n, d):
    scale = 10.0 ** rng.integers(-3, 5)
    x = scale * rng.standard_normal((n, d))
    return x[:, 0] if d == 1 and rng.random() < 0.5 else x


def _corrupt(rng, x):
    """Maybe break the series: NaN, inf, empty, extra dimension, strings."""
    kind = rng.integers(0, 8)
    x = np.array(x, dtype=float, copy=True)
    if kind == 0 and x.size:
        x.flat[rng.integers(x.size)] = np.nan
    elif kind == 1 and x.size:
        x.flat[rng.integers(x.size)] = np.inf
    elif kind == 2:
        return x[:0]
    elif kind == 3:
        return x[None, None]
    elif kind == 4:
        return x.astype(str)
    return x


def _draw(rng):
    d = int(rng.integers(1, 4))
    x = _series(rng, int(rng.integers(1, 12)), d)
    y = _series(rng, int(rng.integers(1, 12)), d if rng.random() < 0.9 else d + 1)
    if rng.random() < 0.2:
        x = _corrupt(rng, x)
    if rng.random() < 0.2:
        y = _corrupt(rng, y)
    gamma = float(rng.choice([0.0, 1e-12, 1e-3, 0.5, 10.0, 1e6, -1.0, np.nan, np.inf]))
    radius = rng.choice([None, 0, 1, 3, 100, -1])
    return x, y, gamma, None if radius is None else int(radius)


def _check_error(exc):
    assert isinstance(exc, (ValueError, TypeError)), repr(exc)
    message = str(exc)
    # scikit-learn's own wording for empty input, which its estimator checks expect
    sklearn_empty = re.match(r"Found array with 0 (feature|sample)\(s\)", message)
    assert sklearn_empty or any(re.search(rf"\b{p}\b", message) for p in PARAMETERS), message


@pytest.mark.parametrize("seed", range(300))
def test_pair_functions(seed):
    rng = np.random.default_rng(seed)
    x, y, gamma, radius = _draw(rng)
    calls = {
        "soft_dtw": lambda: sk.soft_dtw(x, y, gamma, sakoe_chiba_radius=radius),
        "value_and_grad": lambda: sk.soft_dtw_value_and_grad(
            x, y, gamma, sakoe_chiba_radius=radius),
        "alignment": lambda: sk.soft_dtw_alignment(x, y, gamma, sakoe_chiba_radius=radius),
        "divergence": lambda: sk.soft_dtw_divergence(x, y, gamma, sakoe_chiba_radius=radius),
        "dtw_path": lambda: sk.dtw_path(x, y, sakoe_chiba_radius=radius),
    }
    for name, call in calls.items():
        try:
            out = call()
        except Exception as exc:  # noqa: BLE001 - the error itself is checked
            _check_error(exc)
            continue
        if name == "value_and_grad":
            value, grad = out
            assert grad.shape == np.shape(x)
            assert np.isfinite(grad).all()
        elif name == "alignment":
            E, value = out
            assert E.shape == (len(x), len(y))
            assert (E >= 0).all() and (E <= 1).all()
        elif name == "dtw_path":
            path, value = out
            assert path[0] == (0, 0) and path[-1] == (len(x) - 1, len(y) - 1)
        else:
            value = out
        assert np.isfinite(value), (name, value)


@pytest.mark.parametrize("seed", range(100))
def test_dataset_functions(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 3))
    X = [_series(rng, int(rng.integers(1, 9)), d) for _ in range(int(rng.integers(1, 6)))]
    Y = [_series(rng, int(rng.integers(1, 9)), d) for _ in range(len(X))]
    if rng.random() < 0.3:
        X[rng.integers(len(X))] = _corrupt(rng, X[0])
    gamma = float(rng.choice([0.0, 1e-3, 1.0, -2.0]))
    n_jobs = rng.choice([None, 1, 2, -1, 0])
    n_jobs = None if n_jobs is None else int(n_jobs)
    for call, shape in (
        (lambda: sk.cdist_soft_dtw(X, Y, gamma, n_jobs=n_jobs), (len(X), len(Y))),
        (lambda: sk.cdist_dtw(X, n_jobs=n_jobs), (len(X), len(X))),
        (lambda: sk.soft_dtw_batch(X, Y, gamma, n_jobs=n_jobs), (len(X),)),
        (lambda: sk.soft_dtw_batch(X, Y, gamma, return_grad="both", n_jobs=n_jobs)[0],
         (len(X),)),
    ):
        try:
            out = call()
        except Exception as exc:  # noqa: BLE001 - the error itself is checked
            _check_error(exc)
            continue
        assert out.shape == shape
        assert np.isfinite(out).all()


# --------------------------------------------------------------------------
# hypothesis: every public entry point, with the extreme values of issue 16
# --------------------------------------------------------------------------
EXTREME_VALUES = [0.0, -0.0, 1.0, -1.0, 1e-310, 1e-300, 1e150, -1e150, 1e155, 1e300,
                  np.nan, np.inf, -np.inf]
values = st.one_of(st.floats(-1e3, 1e3), st.sampled_from(EXTREME_VALUES))
gammas = st.one_of(st.sampled_from([0.0, 1e-310, 5e-324, float(np.finfo(float).tiny), 1e-12,
                                    1.0, 1e10, 1e20, 1e300, 1.7e308, -1.0, np.nan, np.inf]),
                   st.floats(0.0, 1e6))
radii = st.one_of(st.none(), st.integers(0, 4),
                  st.sampled_from([sys.maxsize, sys.maxsize - 5, 2**62, 2**63, 2**100, -1,
                                   True, 1.5, np.int64(3), np.uint64(2**64 - 1)]))
n_jobs_values = st.sampled_from([None, 1, 2, -1, -2, 0, 100_000, 1.5, True])


@st.composite
def series(draw, d=None, max_len=6):
    """A series of 0 to ``max_len`` steps, 1-D or 2-D, maybe with a trailing NaN row."""
    d = draw(st.integers(1, 3)) if d is None else d
    n = draw(st.integers(0, max_len))
    arr = draw(hnp.arrays(np.float64, (n, d), elements=values))
    if n and draw(st.booleans()):
        arr[-1] = np.nan  # padding
    return arr[:, 0] if d == 1 and draw(st.booleans()) else arr


@st.composite
def datasets(draw, d=None, n_ts=None):
    d = draw(st.integers(1, 2)) if d is None else d
    n_ts = draw(st.integers(1, 4)) if n_ts is None else n_ts
    return [draw(series(d=d if draw(st.integers(0, 9)) else d + 1)) for _ in range(n_ts)]


def _finite_or_clear_error(call, check=None, runtime_warnings="error"):
    """Run ``call``: its result must be finite (and pass ``check``), or the error clear.

    A RuntimeWarning (overflow, invalid value) is an error, except for the
    estimators (``runtime_warnings="ignore"``): their optimisers may overflow
    on the way at gamma vastly larger than the squared scale of the data, and
    only their result is checked.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataLayoutWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter(runtime_warnings, RuntimeWarning)
        try:
            out = call()
        except (ValueError, TypeError) as exc:
            _check_error(exc)
            return None
    for part in out if isinstance(out, tuple) else (out,):
        for a in part if isinstance(part, list) and part and hasattr(part[0], "shape") \
                else (part,):
            if isinstance(a, list):  # dtw_path's path
                continue
            assert np.all(np.isfinite(a)), out
    if check is not None:
        check(out)
    return out


@given(x=series(), y=series(), gamma=gammas, radius=radii)
def test_hypothesis_pair_functions(x, y, gamma, radius):
    kw = {"sakoe_chiba_radius": radius}
    _finite_or_clear_error(lambda: sk.soft_dtw(x, y, gamma, **kw))
    _finite_or_clear_error(lambda: sk.soft_dtw_value_and_grad(x, y, gamma, **kw))
    _finite_or_clear_error(
        lambda: sk.soft_dtw_alignment(x, y, gamma, **kw),
        lambda out: _assert_alignment(out[0]))
    _finite_or_clear_error(lambda: sk.soft_dtw_divergence(x, y, gamma, **kw))
    _finite_or_clear_error(lambda: sk.dtw(x, y, **kw))
    _finite_or_clear_error(
        lambda: sk.dtw_path(x, y, **kw),
        lambda out: (out[0][0] == (0, 0)) or pytest.fail(out))


def _assert_alignment(E):
    assert E.min() >= 0 and E.max() <= 1 + 1e-12
    assert E[0, 0] == pytest.approx(1) and E[-1, -1] == pytest.approx(1)


@given(D=hnp.arrays(np.float64, st.tuples(st.integers(0, 5), st.integers(0, 5)),
                    elements=values), gamma=gammas, radius=radii)
def test_hypothesis_from_cost(D, gamma, radius):
    _finite_or_clear_error(
        lambda: sk.soft_dtw_from_cost(D, gamma, sakoe_chiba_radius=radius),
        lambda out: _assert_alignment(out[1]))


@given(X=datasets(), Y=datasets(), gamma=gammas, radius=radii, n_jobs=n_jobs_values)
def test_hypothesis_dataset_functions(X, Y, gamma, radius, n_jobs):
    kw = {"sakoe_chiba_radius": radius, "n_jobs": n_jobs}
    Yb = (Y * len(X))[:len(X)]
    _finite_or_clear_error(lambda: sk.cdist_soft_dtw(X, Y, gamma, **kw),
                           lambda out: out.shape == (len(X), len(Y)) or pytest.fail(out.shape))
    _finite_or_clear_error(lambda: sk.cdist_dtw(X, **kw))
    _finite_or_clear_error(lambda: sk.cdist_soft_dtw_divergence(X, Y, gamma, **kw))
    _finite_or_clear_error(lambda: sk.soft_dtw_batch(X, Yb, gamma, **kw))
    _finite_or_clear_error(lambda: sk.soft_dtw_batch(X, Yb, gamma, return_grad="both", **kw))
    _finite_or_clear_error(lambda: sk.mean_dtw_loss(X, Yb, n_jobs=n_jobs))


@given(X=datasets(n_ts=3), gamma=gammas, radius=radii, n_jobs=n_jobs_values)
def test_hypothesis_estimators(X, gamma, radius, n_jobs):
    kw = {"gamma": gamma, "sakoe_chiba_radius": radius, "n_jobs": n_jobs}
    for call in (
        lambda: sk.SoftDTWBarycenter(max_iter=3, **kw).fit(X).barycenter_,
        lambda: sk.softdtw_barycenter(X, max_iter=3, **kw),
        lambda: sk.dtw_barycenter_averaging(X, max_iter=2, sakoe_chiba_radius=radius,
                                            n_jobs=n_jobs),
        lambda: sk.SoftDTWKMeans(2, max_iter=2, max_iter_barycenter=2, random_state=0,
                                 **kw).fit(X).predict(X),
        lambda: sk.MLPRegressor((2,), max_iter=3, random_state=0, **kw).fit(X, X).predict(X),
    ):
        _finite_or_clear_error(call, runtime_warnings="ignore")

"""Random inputs to every entry point: a finite result or a clear error, never a crash.

Each case draws shapes, dtypes, gammas, band radii and corruptions at random;
a result must be finite and of the documented shape, and an error must be a
ValueError or TypeError naming the offending parameter.
"""
import re

import numpy as np
import pytest

import sksoftdtw as sk

PARAMETERS = ("x", "y", "X", "Y", "D", "gamma", "sakoe_chiba_radius", "n_jobs")


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
    assert any(re.search(rf"\b{p}\b", message) for p in PARAMETERS), message


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

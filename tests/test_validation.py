"""Input validation: every bad input raises ValueError/TypeError whose
message names the offending parameter -- never a crash, hang or silent NaN.
Valid edge cases must keep working."""

import math
import os
import re

import numpy as np
import pytest
from _oracles import dtw_xy, pad_dataset, sdtw_xy, sq_euclidean_cost

import sksoftdtw as sk


def names(*params):
    """Regex matching any of the parameter names as a standalone word
    (so that "x" does not match inside "expected")."""
    alts = "|".join(re.escape(p) for p in params)
    return rf"(?<![A-Za-z0-9_])({alts})(?![A-Za-z0-9_])"


RNG = np.random.default_rng(0)
X_OK = RNG.standard_normal((6, 2))
Y_OK = RNG.standard_normal((5, 2))
DS_X = RNG.standard_normal((3, 6, 2))
DS_Y = RNG.standard_normal((4, 5, 2))

# Single-pair functions: name -> call(x, y, **kw)
PAIR_FUNCS = {
    "soft_dtw": lambda x, y, **kw: sk.soft_dtw(x, y, **kw),
    "soft_dtw_value_and_grad": lambda x, y, **kw: sk.soft_dtw_value_and_grad(x, y, **kw),
    "soft_dtw_alignment": lambda x, y, **kw: sk.soft_dtw_alignment(x, y, **kw),
    "soft_dtw_divergence": lambda x, y, **kw: sk.soft_dtw_divergence(x, y, **kw),
    "dtw": lambda x, y, **kw: sk.dtw(x, y, **kw),
    "dtw_path": lambda x, y, **kw: sk.dtw_path(x, y, **kw),
}
GAMMA_PAIR_FUNCS = [
    "soft_dtw",
    "soft_dtw_value_and_grad",
    "soft_dtw_alignment",
    "soft_dtw_divergence",
]

# Dataset functions: name -> call(X, Y, **kw)
DATASET_FUNCS = {
    "cdist_soft_dtw": lambda X, Y, **kw: sk.cdist_soft_dtw(X, Y, **kw),
    "cdist_dtw": lambda X, Y, **kw: sk.cdist_dtw(X, Y, **kw),
    "cdist_soft_dtw_divergence": lambda X, Y, **kw: sk.cdist_soft_dtw_divergence(X, Y, **kw),
    "soft_dtw_batch": lambda X, Y, **kw: sk.soft_dtw_batch(X, Y, **kw),
}
GAMMA_DATASET_FUNCS = ["cdist_soft_dtw", "cdist_soft_dtw_divergence", "soft_dtw_batch"]


def _batch_ok_Y(X):
    """soft_dtw_batch needs as many series in Y as in X."""
    return DS_X if len(X) == len(DS_X) else X


# --------------------------------------------------------------------------
# gamma
# --------------------------------------------------------------------------
BAD_GAMMAS = [-1.0, -1e-12, -np.inf, np.nan, np.inf]


@pytest.mark.parametrize("gamma", BAD_GAMMAS)
@pytest.mark.parametrize("fname", GAMMA_PAIR_FUNCS)
def test_bad_gamma_pair(fname, gamma):
    with pytest.raises(ValueError, match=names("gamma")):
        PAIR_FUNCS[fname](X_OK, Y_OK, gamma=gamma)


@pytest.mark.parametrize("gamma", BAD_GAMMAS)
@pytest.mark.parametrize("fname", GAMMA_DATASET_FUNCS)
def test_bad_gamma_dataset(fname, gamma):
    Y = DS_X[::-1] if fname == "soft_dtw_batch" else DS_Y
    with pytest.raises(ValueError, match=names("gamma")):
        DATASET_FUNCS[fname](DS_X, Y, gamma=gamma)


@pytest.mark.parametrize("gamma", BAD_GAMMAS)
def test_bad_gamma_from_cost(gamma):
    with pytest.raises(ValueError, match=names("gamma")):
        sk.soft_dtw_alignment_from_cost(sq_euclidean_cost(X_OK, Y_OK), gamma=gamma)


@pytest.mark.parametrize("gamma", ["abc", [1.0, 2.0], 1 + 1j])
def test_non_numeric_gamma(gamma):
    with pytest.raises((ValueError, TypeError), match=names("gamma")):
        sk.soft_dtw(X_OK, Y_OK, gamma=gamma)


def test_valid_gamma_types():
    ref = sdtw_xy(X_OK, Y_OK, 2.0)
    for g in (2, 2.0, np.float32(2.0), np.float64(2.0), np.int64(2)):
        np.testing.assert_allclose(sk.soft_dtw(X_OK, Y_OK, gamma=g), ref, rtol=1e-12)


# --------------------------------------------------------------------------
# Sakoe-Chiba radius
# --------------------------------------------------------------------------
BAD_RADII = [-1, -10, 1.5, "2", np.nan, [1]]


@pytest.mark.parametrize("radius", BAD_RADII, ids=repr)
@pytest.mark.parametrize("fname", sorted(PAIR_FUNCS))
def test_bad_radius_pair(fname, radius):
    with pytest.raises((ValueError, TypeError), match=names("sakoe_chiba_radius")):
        PAIR_FUNCS[fname](X_OK, Y_OK, sakoe_chiba_radius=radius)


@pytest.mark.parametrize("radius", BAD_RADII, ids=repr)
@pytest.mark.parametrize("fname", sorted(DATASET_FUNCS))
def test_bad_radius_dataset(fname, radius):
    Y = DS_X[::-1] if fname == "soft_dtw_batch" else DS_Y
    with pytest.raises((ValueError, TypeError), match=names("sakoe_chiba_radius")):
        DATASET_FUNCS[fname](DS_X, Y, sakoe_chiba_radius=radius)


@pytest.mark.parametrize("radius", BAD_RADII, ids=repr)
def test_bad_radius_from_cost(radius):
    with pytest.raises((ValueError, TypeError), match=names("sakoe_chiba_radius")):
        sk.soft_dtw_alignment_from_cost(sq_euclidean_cost(X_OK, Y_OK), sakoe_chiba_radius=radius)


# --------------------------------------------------------------------------
# bad single series
# --------------------------------------------------------------------------
def _with(a, idx, val):
    a = np.array(a, dtype=np.float64)
    a[idx] = val
    return a


BAD_SERIES = {
    "nan_inside": _with(X_OK, (2, 0), np.nan),
    "nan_first": _with(X_OK, (0, 1), np.nan),
    "nan_trailing_partial_row": _with(X_OK, (5, 1), np.nan),
    "nan_before_padding": _with(_with(X_OK, (slice(4, None),), np.nan), (1, 0), np.nan),
    "all_nan": np.full((4, 2), np.nan),
    "inf": _with(X_OK, (3, 1), np.inf),
    "neg_inf": _with(X_OK, (1, 0), -np.inf),
    "empty_2d": np.empty((0, 2)),
    "empty_1d": np.empty((0,)),
    "empty_list": [],
    "three_d": RNG.standard_normal((2, 6, 2)),
    "scalar": np.float64(1.0),
    "strings": np.array(["a", "b", "c"]),
    "string_list": ["a", "b", "c"],
    "objects": np.array([object(), object()], dtype=object),
    "none": None,
    "ragged": [[1.0, 2.0], [3.0]],
}


@pytest.mark.parametrize("case", sorted(BAD_SERIES))
@pytest.mark.parametrize("fname", sorted(PAIR_FUNCS))
def test_bad_x(fname, case):
    with pytest.raises((ValueError, TypeError), match=names("x")):
        PAIR_FUNCS[fname](BAD_SERIES[case], Y_OK)


@pytest.mark.parametrize("case", sorted(BAD_SERIES))
@pytest.mark.parametrize("fname", sorted(PAIR_FUNCS))
def test_bad_y(fname, case):
    with pytest.raises((ValueError, TypeError), match=names("y")):
        PAIR_FUNCS[fname](X_OK, BAD_SERIES[case])


@pytest.mark.parametrize("fname", sorted(PAIR_FUNCS))
def test_mismatched_dimension(fname):
    with pytest.raises(ValueError, match=names("x", "y")):
        PAIR_FUNCS[fname](X_OK, RNG.standard_normal((5, 3)))
    with pytest.raises(ValueError, match=names("x", "y")):
        PAIR_FUNCS[fname](RNG.standard_normal(6), Y_OK)  # d = 1 vs d = 2


# --------------------------------------------------------------------------
# bad cost matrix
# --------------------------------------------------------------------------
D_OK = sq_euclidean_cost(X_OK, Y_OK)
BAD_D = {
    "nan": _with(D_OK, (1, 1), np.nan),
    "one_d": D_OK[0],
    "three_d": D_OK[None],
    "empty": np.empty((0, 3)),
    "empty_cols": np.empty((3, 0)),
    "strings": np.array([["a", "b"], ["c", "d"]]),
    "none": None,
}


@pytest.mark.parametrize("case", sorted(BAD_D))
def test_bad_cost_matrix(case):
    with pytest.raises((ValueError, TypeError), match=names("D")):
        sk.soft_dtw_alignment_from_cost(BAD_D[case], gamma=1.0)


# --------------------------------------------------------------------------
# bad datasets
# --------------------------------------------------------------------------
def _ds_with(idx, val, base=DS_X):
    a = base.copy()
    a[idx] = val
    return a


BAD_DATASETS = {
    # NaN in a row that is followed by valid rows: not trailing padding
    "nan_inside": _ds_with((1, 2, slice(None)), np.nan),
    "nan_first_row": _ds_with((1, 0, slice(None)), np.nan),
    # a trailing row that is only partially NaN is not padding
    "partial_nan_trailing_row": _ds_with((1, -1, 0), np.nan),
    "inf": _ds_with((0, 3, 1), np.inf),
    "neg_inf": _ds_with((2, 0, 0), -np.inf),
    "all_nan_series": _ds_with((1, slice(None), slice(None)), np.nan),
    "four_d": RNG.standard_normal((3, 6, 2, 1)),
    "list_mixed_d": [RNG.standard_normal((4, 2)), RNG.standard_normal((5, 3))],
    "list_with_empty": [RNG.standard_normal((4, 2)), np.empty((0, 2)), RNG.standard_normal((3, 2))],
    "list_with_nan": [
        RNG.standard_normal((4, 2)),
        _with(RNG.standard_normal((5, 2)), (1, 1), np.nan),
        RNG.standard_normal((3, 2)),
    ],
    "list_with_3d": [
        RNG.standard_normal((4, 2)),
        RNG.standard_normal((2, 5, 2)),
        RNG.standard_normal((3, 2)),
    ],
    "strings": np.array([["a", "b"], ["c", "d"], ["e", "f"]]),
}


def _n_series(X):
    return len(X)


@pytest.mark.parametrize("case", sorted(BAD_DATASETS))
@pytest.mark.parametrize("fname", sorted(DATASET_FUNCS))
def test_bad_X(fname, case):
    X = BAD_DATASETS[case]
    if fname == "soft_dtw_batch":
        rng = np.random.default_rng(1)
        Y = rng.standard_normal((_n_series(X), 5, 2))
    else:
        Y = DS_Y
    with pytest.raises((ValueError, TypeError), match=names("X")):
        DATASET_FUNCS[fname](X, Y)


@pytest.mark.parametrize("case", sorted(BAD_DATASETS))
@pytest.mark.parametrize("fname", sorted(DATASET_FUNCS))
def test_bad_Y(fname, case):
    Y = BAD_DATASETS[case]
    if fname == "soft_dtw_batch":
        rng = np.random.default_rng(2)
        X = rng.standard_normal((_n_series(Y), 5, 2))
    else:
        X = DS_X
    with pytest.raises((ValueError, TypeError), match=names("Y")):
        DATASET_FUNCS[fname](X, Y)


@pytest.mark.parametrize("case", ["nan_inside", "inf", "four_d", "list_mixed_d", "all_nan_series"])
@pytest.mark.parametrize("fname", ["cdist_soft_dtw", "cdist_dtw", "cdist_soft_dtw_divergence"])
def test_bad_X_with_Y_none(fname, case):
    fn = getattr(sk, fname)
    with pytest.raises((ValueError, TypeError), match=names("X")):
        fn(BAD_DATASETS[case])


@pytest.mark.parametrize("fname", sorted(DATASET_FUNCS))
def test_dataset_dimension_mismatch(fname):
    X = DS_X
    Y = RNG.standard_normal((3, 5, 3))
    with pytest.raises(ValueError, match=names("X", "Y")):
        DATASET_FUNCS[fname](X, Y)


def test_batch_different_number_of_series():
    with pytest.raises(ValueError, match=names("X", "Y")):
        sk.soft_dtw_batch(DS_X, DS_Y)  # 3 vs 4 series


@pytest.mark.parametrize("mode", ["z", "xy", 1, True])
def test_batch_bad_return_grad(mode):
    with pytest.raises((ValueError, TypeError), match=names("return_grad")):
        sk.soft_dtw_batch(DS_X, DS_X[::-1], return_grad=mode)


@pytest.mark.parametrize(
    "X", [BAD_DATASETS["nan_inside"], BAD_DATASETS["four_d"], BAD_DATASETS["list_mixed_d"]]
)
def test_to_time_series_dataset_rejects_bad_input(X):
    with pytest.raises((ValueError, TypeError), match=names("X")):
        sk.to_time_series_dataset(X)


# --------------------------------------------------------------------------
# valid edge cases keep working (no false positives)
# --------------------------------------------------------------------------
def test_length_one_series():
    x = np.array([[1.0, 2.0]])
    y = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 3.0]])
    np.testing.assert_allclose(sk.soft_dtw(x, y, gamma=1.0), sdtw_xy(x, y, 1.0), rtol=1e-12)
    np.testing.assert_allclose(sk.dtw(x, y), dtw_xy(x, y), rtol=1e-12)
    np.testing.assert_allclose(sk.soft_dtw(x, x, gamma=1.0), 0.0, atol=1e-15)


def test_trailing_nan_padding_is_valid_in_datasets():
    rng = np.random.default_rng(3)
    series = [rng.standard_normal((k, 2)) for k in (6, 3, 5)]
    X = pad_dataset(series)
    C = np.asarray(sk.cdist_dtw(X))
    ref = np.array([[dtw_xy(a, b) for b in series] for a in series])
    np.testing.assert_allclose(C, ref, rtol=1e-12)
    assert not np.any(np.isnan(C))


def test_radius_zero_unequal_lengths_is_valid():
    x = np.random.default_rng(4).standard_normal((4, 1))
    y = np.random.default_rng(5).standard_normal((9, 1))
    np.testing.assert_allclose(sk.dtw(x, y, sakoe_chiba_radius=0), dtw_xy(x, y, 0), rtol=1e-12)
    np.testing.assert_allclose(
        sk.soft_dtw(x, y, sakoe_chiba_radius=0), sdtw_xy(x, y, 1.0, 0), rtol=1e-12
    )
    assert math.isfinite(sk.soft_dtw(y, x, sakoe_chiba_radius=0))


def test_negative_costs_are_valid_in_from_cost():
    D = -np.abs(np.random.default_rng(6).standard_normal((3, 4)))
    E, v = sk.soft_dtw_alignment_from_cost(D, gamma=1.0)
    assert math.isfinite(v) and np.all(np.isfinite(E))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_process_forked_after_threads_ran_uses_one_thread_instead_of_hanging():
    # GNU OpenMP hangs in such a child at its first parallel region with threads.
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import os, warnings
        import numpy as np
        import sksoftdtw as sk
        from sksoftdtw.utils import check_n_jobs
        X = np.random.default_rng(0).standard_normal((6, 40, 2))
        expected = sk.soft_dtw_batch(X, X[::-1], 0.5, n_jobs=2, return_grad="x")
        pid = os.fork()
        if pid == 0:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                got = sk.soft_dtw_batch(X, X[::-1], 0.5, n_jobs=2, return_grad="x")
            ok = (check_n_jobs(2) == 1 and "forked" in str(caught[0].message)
                  and all(np.array_equal(a, b) for a, b in zip(got, expected)))
            os._exit(0 if ok else 1)
        assert os.waitpid(pid, 0)[1] == 0, "wrong result in the child"
        assert check_n_jobs(2) == 2  # the parent keeps its threads
    """)
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two cores for the parent's threads")
    # (a thread limit left in the environment by another library would hide the threads)
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=env)


@pytest.mark.parametrize("call", [
    lambda X, y: sk.soft_dtw_batch(X, X, 1.0, n_jobs=0),
    lambda X, y: sk.cdist_dtw(X, n_jobs=0),
    lambda X, y: sk.softdtw_barycenter(X, n_jobs=0),
    lambda X, y: sk.dtw_barycenter_averaging(X, n_jobs=0),
    lambda X, y: sk.SoftDTWBarycenter(n_jobs=0).fit(X),
    lambda X, y: sk.SoftDTWKMeans(n_clusters=2, n_jobs=0).fit(X),
    lambda X, y: sk.DTWKMeans(n_clusters=2, n_jobs=0).fit(X),
    lambda X, y: sk.KNeighborsTimeSeriesClassifier(n_jobs=0).fit(X, y),
    lambda X, y: sk.NearestCentroidTimeSeriesClassifier(n_jobs=0).fit(X, y),
    lambda X, y: sk.MLPRegressor(n_jobs=0).fit(X, X),
])
def test_n_jobs_zero_is_refused_the_same_way_everywhere(call):
    """One vocabulary for functions and estimators: n_jobs=0 gets one message."""
    X = np.random.default_rng(0).standard_normal((6, 10))
    with pytest.raises(ValueError, match=r"^n_jobs must be None or a non-zero integer, got 0$"):
        call(X, np.arange(6) % 2)

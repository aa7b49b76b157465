"""Edges of the numerical API: huge band radii and thread counts, ``python -OO``.

Cases that crashed the interpreter run in a subprocess, so that a crash fails
the test instead of ending the run.
"""
import json
import math
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from _oracles import dtw_xy, sdtw_xy, sq_euclidean_cost

import sksoftdtw as sk
from sksoftdtw.preprocessing import TimeSeriesScalerMeanVariance
from sksoftdtw.utils import DataLayoutWarning, from_channels_first

ROOT = Path(sk.__file__).resolve().parent.parent


def run_python(code, *flags, env=None):
    """Run ``code`` in a fresh interpreter on this checkout; returns the completed process."""
    env = {**os.environ, **(env or {}),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, *flags, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, env=env, timeout=300)


def run_json(code, *flags):
    """Run ``code``, which prints one JSON document, and return it (failing on a crash)."""
    proc = run_python(code, *flags)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    return json.loads(proc.stdout)


# --------------------------------------------------------------------------
# sakoe_chiba_radius at and beyond sys.maxsize means no band
# --------------------------------------------------------------------------
HUGE_RADII = ["sys.maxsize", "sys.maxsize - 5", "2**62", "2**63", "2**80",
              "np.int64(sys.maxsize)", "np.uint64(2**64 - 1)", "np.intp(2**62)"]

# Every public entry point that takes a radius, as an expression of x, y
# (two series), X, Y (datasets) and R (the radius); each gives a flat list.
RADIUS_CALLS = {
    "soft_dtw": "[sk.soft_dtw(x, y, 0.5, sakoe_chiba_radius=R)]",
    "value_and_grad": "[v] + list(g) where v, g = sk.soft_dtw_value_and_grad("
                      "x, y, 0.5, sakoe_chiba_radius=R)",
    "alignment": "list(E.ravel()) + [v] where E, v = sk.soft_dtw_alignment("
                 "x, y, 0.5, sakoe_chiba_radius=R)",
    "from_cost": "[v] + list(E.ravel()) where E, v = sk.soft_dtw_alignment_from_cost("
                 "(x[:, None] - y[None]) ** 2, 0.5, sakoe_chiba_radius=R)",
    "dtw": "[sk.dtw(x, y, sakoe_chiba_radius=R)]",
    "dtw_path": "[v] + [k for c in p for k in c] where p, v = sk.dtw_path("
                "x, y, sakoe_chiba_radius=R)",
    "divergence": "[sk.soft_dtw_divergence(x, y, 0.5, sakoe_chiba_radius=R)]",
    "batch": "list(sk.soft_dtw_batch(X, Y, 0.5, sakoe_chiba_radius=R))",
    "batch_grad": "[a for b in sk.soft_dtw_batch(X, Y, 0.5, sakoe_chiba_radius=R, "
                  "return_grad='both') for a in np.ravel(b)]",
    "cdist_soft_dtw": "list(sk.cdist_soft_dtw(X, Y, 0.5, sakoe_chiba_radius=R).ravel())",
    "cdist_dtw": "list(sk.cdist_dtw(X, sakoe_chiba_radius=R).ravel())",
    "cdist_divergence": "list(sk.cdist_soft_dtw_divergence(X, Y, 0.5, "
                        "sakoe_chiba_radius=R).ravel())",
    "barycenter": "list(sk.SoftDTWBarycenter(0.5, max_iter=5, sakoe_chiba_radius=R)"
                  ".fit(X).barycenter_.ravel())",
    "dba": "list(sk.dtw_barycenter_averaging(X, max_iter=3, sakoe_chiba_radius=R).ravel())",
    "kmeans": "list(sk.SoftDTWKMeans(2, gamma=0.5, max_iter=3, random_state=0, "
              "sakoe_chiba_radius=R).fit(X).cluster_centers_.ravel())",
    "mlp": "list(sk.MLPRegressor((3,), max_iter=5, random_state=0, sakoe_chiba_radius=R)"
           ".fit(X[:, :3], X[:, 3:]).predict(X[:, :3]).ravel())",
    "mean_dtw_loss": "[sk.mean_dtw_loss(X, Y, sakoe_chiba_radius=R)]",
}


def _radius_script(radii):
    lines = ["import json, sys", "import numpy as np", "import sksoftdtw as sk",
             "rng = np.random.default_rng(0)",
             "x, y = rng.standard_normal(5), rng.standard_normal(7)",
             "X, Y = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))",
             "out = {}"]
    for radius in radii:
        lines.append(f"R = {radius}")
        for name, expr in RADIUS_CALLS.items():
            value, _, binding = expr.partition(" where ")
            if binding:
                names, call = binding.split(" = ", 1)
                lines.append(f"{names} = {call}")
            lines.append(f"out[{radius!r} + ':' + {name!r}] = [float(v) for v in {value}]")
    lines.append("print(json.dumps(out))")
    return "\n".join(lines)


def test_huge_radius_is_no_band_everywhere():
    results = run_json(_radius_script(["None"] + HUGE_RADII))
    for radius in HUGE_RADII:
        for name in RADIUS_CALLS:
            np.testing.assert_array_equal(results[f"{radius}:{name}"],
                                          results[f"None:{name}"], err_msg=f"{name} {radius}")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(5), rng.standard_normal(7)
    np.testing.assert_allclose(results["sys.maxsize:soft_dtw"], sdtw_xy(x, y, 0.5), rtol=1e-12)
    np.testing.assert_allclose(results["2**63:dtw"], dtw_xy(x, y), rtol=1e-12)


@pytest.mark.parametrize("radius", [True, False, np.bool_(True), 2.0, np.float64(3)], ids=repr)
def test_radius_rejects_bools_and_floats(radius):
    with pytest.raises(TypeError, match="sakoe_chiba_radius"):
        sk.soft_dtw([1.0, 2.0], [1.0], sakoe_chiba_radius=radius)


def test_radius_below_the_lengths_is_still_a_band():
    x, y = np.arange(6.0), np.arange(6.0)[::-1]
    for radius in range(6):
        assert sk.dtw(x, y, sakoe_chiba_radius=radius) == pytest.approx(dtw_xy(x, y, radius))


# --------------------------------------------------------------------------
# n_jobs: capped at what the machine allows
# --------------------------------------------------------------------------
def test_huge_n_jobs_is_capped_and_gives_the_one_thread_result():
    code = """
    import json
    import numpy as np
    import sksoftdtw as sk
    from sksoftdtw.utils import check_n_jobs
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((20, 30)), rng.standard_normal((20, 70))
    out = {}
    for n_jobs in (1, 1000, 100_000, 10**12):
        out[n_jobs] = {
            "threads": check_n_jobs(n_jobs),
            "cdist": sk.cdist_soft_dtw(X, Y, n_jobs=n_jobs).ravel().tolist(),
            "batch": np.concatenate([np.ravel(a) for a in sk.soft_dtw_batch(
                X, Y, return_grad="both", n_jobs=n_jobs)]).tolist(),
            "long": sk.soft_dtw_batch(Y, Y[::-1], return_grad="x",
                                      n_jobs=n_jobs)[1].ravel().tolist(),
        }
    print(json.dumps(out))
    """
    out = run_json(code)
    n_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    for n_jobs in ("1000", "100000", str(10**12)):
        assert 1 <= out[n_jobs]["threads"] <= n_cpus
        for key in ("cdist", "batch", "long"):
            np.testing.assert_allclose(out[n_jobs][key], out["1"][key], rtol=1e-13)


def test_demo_with_huge_n_jobs_does_not_crash(tmp_path):
    pytest.importorskip("matplotlib")
    proc = run_python("from sksoftdtw._cli import main; "
                      "main(['demo', '--n-jobs', '100000', '--max-iter', '3', '--max-series', '8', "
                      f"'--out', {str(tmp_path / 'd.png')!r}])",
                      env={"MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "d.png").stat().st_size > 0


@pytest.mark.parametrize("n_jobs", [0, 1.5, 2.0, "2", True, np.float64(1)], ids=repr)
@pytest.mark.parametrize("call", [
    lambda n: sk.cdist_soft_dtw([[1.0, 2.0], [3.0, 4.0]], n_jobs=n),
    lambda n: sk.cdist_dtw([[1.0, 2.0]], [[3.0, 4.0]], n_jobs=n),
    lambda n: sk.soft_dtw_batch([[1.0, 2.0]], [[3.0, 4.0]], n_jobs=n),
    lambda n: sk.cdist_soft_dtw_divergence([[1.0, 2.0]], n_jobs=n),
    lambda n: sk.SoftDTWBarycenter(n_jobs=n).fit([[1.0, 2.0], [3.0, 4.0]]),
    lambda n: sk.SoftDTWKMeans(1, n_jobs=n).fit([[1.0, 2.0], [3.0, 4.0]]),
    lambda n: sk.MLPRegressor(n_jobs=n).fit([[1.0], [2.0]], [[1.0, 2.0], [3.0, 4.0]]),
    lambda n: sk.mean_dtw_loss([[1.0, 2.0]], [[3.0, 4.0]], n_jobs=n),
], ids=["cdist", "cdist_dtw", "batch", "cdist_divergence", "barycenter", "kmeans", "mlp",
        "mean_dtw_loss"])
def test_bad_n_jobs_is_a_value_error_naming_it(call, n_jobs):
    with pytest.raises(ValueError, match="n_jobs"):
        call(n_jobs)


@pytest.mark.parametrize("n_jobs", [-1, -2, -10**6])
def test_negative_n_jobs_counts_back_from_all_cores(n_jobs):
    all_cores = sk.utils.check_n_jobs(-1)
    assert sk.utils.check_n_jobs(n_jobs) == max(1, all_cores + 1 + n_jobs)


# --------------------------------------------------------------------------
# python -OO: docstrings are None
# --------------------------------------------------------------------------
def test_every_public_module_imports_under_OO():
    code = """
    import contextlib, importlib, io, json, pkgutil
    import sksoftdtw
    names = ["sksoftdtw"] + [m.name for m in pkgutil.walk_packages(sksoftdtw.__path__, "sksoftdtw.")
                             if not any(p.startswith("_") for p in m.name.split(".")[1:])]
    failed = {}
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # an optional dependency that is not installed
            if "sksoftdtw" in str(exc):
                failed[name] = repr(exc)
        except Exception as exc:
            failed[name] = repr(exc)
    from sksoftdtw._cli import main
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            main(["--help"])
    except SystemExit as exc:
        if exc.code:
            failed["--help"] = exc.code
    print(json.dumps({"names": names, "failed": failed, "doc": sksoftdtw.soft_dtw.__doc__}))
    """
    out = run_json(code, "-OO")
    assert out["failed"] == {}
    assert out["doc"] is None  # the interpreter did drop the docstrings
    assert {"sksoftdtw.metrics", "sksoftdtw.experiments.kmeans"} <= set(out["names"])


def test_shared_fragments_keep_the_math_readable():
    docs = [sk.soft_dtw.__doc__, sk.soft_dtw_divergence.__doc__, sk.softdtw_barycenter.__doc__,
            sk.dtw_barycenter_subgradient.__doc__, sk.SoftDTWBarycenter.__doc__]
    for doc in docs:
        assert "{{" not in doc and "{{dtw}}" not in doc
        assert "{band}" not in doc and "{params}" not in doc
        assert "sakoe_chiba_radius : int" in doc
    assert r"\mathrm{dtw}_\gamma" in sk.soft_dtw_divergence.__doc__
    assert "max_iter : int, default=30" in sk.dtw_barycenter_averaging.__doc__


# --------------------------------------------------------------------------
# Values whose squared distances overflow: a ValueError naming the caller's data
# --------------------------------------------------------------------------
BIG = 1e155  # its square overflows float64


@pytest.mark.parametrize("call, names", [
    (lambda: sk.soft_dtw([BIG], [0.0]), "x and y"),
    (lambda: sk.soft_dtw([0.0, 1.0], [[BIG]]), "x and y"),
    (lambda: sk.soft_dtw_value_and_grad([BIG], [0.0]), "x and y"),
    (lambda: sk.soft_dtw_alignment([BIG], [0.0]), "x and y"),
    (lambda: sk.soft_dtw_divergence([BIG], [0.0]), "x and y"),
    (lambda: sk.dtw_path([BIG], [0.0]), "x and y"),
    (lambda: sk.soft_dtw_batch([[BIG]], [[0.0]]), "X and Y"),
    (lambda: sk.cdist_soft_dtw([[BIG], [0.0]]), "X"),
    (lambda: sk.cdist_dtw([[1.0]], [[BIG]]), "X and Y"),
    (lambda: sk.cdist_soft_dtw_divergence([[BIG]], [[1.0]]), "X and Y"),
    (lambda: sk.soft_dtw_alignment_from_cost([[1e308, 1e308]]), "D"),
    (lambda: sk.mean_dtw_loss([[BIG]], [[0.0]]), "Y_true and Y_pred"),
    (lambda: sk.SoftDTWBarycenter().fit([[BIG], [0.0]]), "X"),
    (lambda: sk.SoftDTWKMeans(1).fit([[BIG], [0.0]]), "X"),
    (lambda: sk.MLPRegressor(max_iter=2).fit([[1.0], [2.0]], [[1e200, 0.0], [0.0, 0.0]]),
     "the network's predictions and y"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_overflowing_values_name_the_parameters(call, names):
    with pytest.raises(ValueError, match=f"the values of {names} are too large"):
        call()


def test_the_largest_values_that_do_not_overflow_give_a_finite_result():
    # 1e153: squares of 1e306, a sum of three of them stays below 1.8e308.
    assert sk.dtw([1e153], [0.0, 0.0]) == pytest.approx(2e306, rel=1e-12)
    assert sk.soft_dtw_alignment_from_cost([[1e307, 1e307]], 1.0)[1] == pytest.approx(2e307, rel=1e-12)


# --------------------------------------------------------------------------
# SKSOFTDTW_ISA: any case; an unknown value or an unavailable build is an error
# --------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [("AVX2", "avx2"), (" Baseline ", "baseline"),
                                             ("avx512", "avx512"), ("", None)])
def test_isa_accepts_any_case(value, expected):
    from sksoftdtw._openmp_helpers import cpu_has

    if expected in ("avx2", "avx512") and not cpu_has(expected + "f" * (expected == "avx512")):
        pytest.skip(f"this CPU has no {expected}")
    proc = run_python("from sksoftdtw._engine import kernels; print(kernels.ISA)",
                      env={"SKSOFTDTW_ISA": value})
    assert proc.returncode == 0, proc.stderr[-2000:]
    from sksoftdtw._engine import kernels as _kernels

    assert proc.stdout.strip() == (expected or _kernels._select("")[0])


@pytest.mark.parametrize("value", ["bogus", "avx", "sse2", "avx-512"])
def test_unknown_isa_is_an_error_listing_the_builds(value):
    proc = run_python("import sksoftdtw.metrics", env={"SKSOFTDTW_ISA": value})
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError: SKSOFTDTW_ISA=")
    assert all(isa in last for isa in ("avx512", "avx2", "baseline")), last


def test_forced_build_the_cpu_lacks_says_so(monkeypatch):
    from sksoftdtw._engine import kernels as _kernels

    monkeypatch.setattr(_kernels, "cpu_has", lambda feature: feature not in ("avx2", "fma"))
    with pytest.raises(ValueError, match="lacks avx2, fma"):
        _kernels._select("AVX2")
    assert _kernels._select("")[0] == "baseline"  # the automatic choice falls back


def test_forced_build_that_was_not_compiled_says_so(monkeypatch):
    from sksoftdtw._engine import kernels as _kernels

    real_import = _kernels._import

    def no_avx512(isa, name):
        if isa == "avx512":
            raise ImportError("not built")
        return real_import(isa, name)

    monkeypatch.setattr(_kernels, "cpu_has", lambda feature: True)
    monkeypatch.setattr(_kernels, "_import", no_avx512)
    with pytest.raises(ValueError, match="no avx512 build"):
        _kernels._select("avx512")


# --------------------------------------------------------------------------
# Padding: trailing all-NaN rows are padding everywhere, any other NaN an error
# --------------------------------------------------------------------------
RNG = np.random.default_rng(7)
SERIES = [RNG.standard_normal((n, 2)) for n in (5, 3, 4)]
PADDED = np.full((3, 6, 2), np.nan)
for _k, _s in enumerate(SERIES):
    PADDED[_k, :len(_s)] = _s


@pytest.mark.parametrize("name, call", [
    ("soft_dtw", lambda x, y: sk.soft_dtw(x, y, 0.3)),
    ("value_and_grad", lambda x, y: sk.soft_dtw_value_and_grad(x, y, 0.3)),
    ("alignment", lambda x, y: sk.soft_dtw_alignment(x, y, 0.3)),
    ("divergence", lambda x, y: sk.soft_dtw_divergence(x, y, 0.3)),
    ("dtw", lambda x, y: sk.dtw(x, y)),
    ("dtw_path", lambda x, y: sk.dtw_path(x, y)),
])
@pytest.mark.parametrize("univariate", [False, True])
def test_a_row_of_a_padded_dataset_is_its_series(name, call, univariate):
    pick = (lambda a: a[..., 0]) if univariate else (lambda a: a)
    got = call(pick(PADDED[1]), pick(PADDED[2]))
    want = call(pick(SERIES[1]), pick(SERIES[2]))
    for g, w in zip(*(o if isinstance(o, tuple) else (o,) for o in (got, want))):
        if isinstance(w, list):
            assert g == w
        else:
            assert np.shape(g) == np.shape(w)
            np.testing.assert_allclose(g, w, rtol=1e-13)
    value = got[-1] if name in ("alignment", "dtw_path") else got[0] if isinstance(got, tuple) \
        else got
    gamma = 0.0 if name.startswith("dtw") else 0.3
    if name != "divergence":
        assert value == pytest.approx(sdtw_xy(pick(SERIES[1]), pick(SERIES[2]), gamma),
                                      rel=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("call", [
    lambda X: sk.cdist_soft_dtw(X, gamma=0.3),
    lambda X: sk.cdist_dtw(X, X[::-1]),
    lambda X: sk.cdist_soft_dtw_divergence(X, gamma=0.3),
    lambda X: sk.soft_dtw_batch(X, X[::-1], 0.3),
    lambda X: sk.soft_dtw_batch(X, X[::-1], 0.3, return_grad="both")[1][2],
    lambda X: sk.softdtw_barycenter(X, gamma=0.3, max_iter=5),
    lambda X: sk.SoftDTWKMeans(2, gamma=0.3, max_iter=2, random_state=0).fit(X).labels_,
])
def test_padded_array_and_lists_with_trailing_nan_agree(call):
    with_nan_rows = [PADDED[k, :len(s) + 1] for k, s in enumerate(SERIES)]  # one NaN row each
    reference = call(SERIES)
    for X in (PADDED, with_nan_rows):
        np.testing.assert_allclose(call(X), reference, rtol=1e-13)


@pytest.mark.parametrize("call, names", [
    (lambda a: sk.soft_dtw(a, SERIES[0]), r"^x contains"),
    (lambda a: sk.soft_dtw_value_and_grad(SERIES[0], a), r"^y contains"),
    (lambda a: sk.cdist_soft_dtw([SERIES[0], a]), r"^X\[1\] contains"),
    (lambda a: sk.cdist_dtw(SERIES, [SERIES[0], SERIES[1], a]), r"^Y\[2\] contains"),
    (lambda a: sk.soft_dtw_batch([a], [SERIES[0]]), r"^X\[0\] contains"),
    (lambda a: sk.SoftDTWBarycenter().fit([SERIES[0], a]), r"^X\[1\] contains"),
])
@pytest.mark.parametrize("where, index", [((1, 0), 1), ((3, 1), 3)])
def test_nan_other_than_padding_names_the_parameter_and_the_index(call, names, where, index):
    bad = PADDED[0].copy()  # five values, then a NaN row of padding
    bad[where] = np.nan  # inside the series, or in only one dimension of a step
    with pytest.raises(ValueError, match=names + rf".*\(first at time index {index}\)"):
        call(bad)


def test_a_cost_matrix_has_no_padding():
    D = np.ones((3, 2))
    D[2] = np.nan
    with pytest.raises(ValueError, match=r"^D contains NaN .*index 2\)$"):
        sk.soft_dtw_alignment_from_cost(D)


# --------------------------------------------------------------------------
# Subnormal gamma: rejected everywhere; the smallest normal one works everywhere
# --------------------------------------------------------------------------
TINY = float(np.finfo(np.float64).tiny)
ZEROS = np.zeros((4, 5))  # four equal series: every cost is zero


@pytest.mark.parametrize("gamma", [1e-310, 8e-309, 5e-324, np.nextafter(TINY, 0)], ids=repr)
@pytest.mark.parametrize("call", [
    lambda g: sk.soft_dtw(ZEROS[0], ZEROS[1], g),
    lambda g: sk.soft_dtw_value_and_grad(ZEROS[0], ZEROS[1], g),
    lambda g: sk.soft_dtw_alignment(ZEROS[0], ZEROS[1], g),
    lambda g: sk.soft_dtw_alignment_from_cost(np.zeros((3, 4)), g),
    lambda g: sk.soft_dtw_divergence(ZEROS[0], ZEROS[1], g),
    lambda g: sk.soft_dtw_batch(ZEROS, ZEROS, g),
    lambda g: sk.cdist_soft_dtw(ZEROS, gamma=g),
    lambda g: sk.cdist_soft_dtw_divergence(ZEROS, gamma=g),
    lambda g: sk.softdtw_barycenter(ZEROS, gamma=g),
    lambda g: sk.SoftDTWBarycenter(gamma=g).fit(ZEROS),
    lambda g: sk.SoftDTWKMeans(2, gamma=g).fit(ZEROS),
    lambda g: sk.MLPRegressor(gamma=g).fit(ZEROS[:, :1], ZEROS[:, 1:]),
])
def test_subnormal_gamma_is_rejected_naming_the_smallest_accepted(call, gamma):
    with pytest.raises(ValueError, match=r"^gamma must be 0 \(hard DTW\) or at least "
                                         r"2\.2250738585072014e-308"):
        call(gamma)


def _paths_through(n, m):
    """Zero costs make every path equally likely: E = paths through a cell / all paths."""
    from _oracles import count_paths

    total = count_paths(n, m)
    return np.array([[count_paths(i + 1, j + 1) * count_paths(n - i, m - j) / total
                      for j in range(m)] for i in range(n)])


@pytest.mark.parametrize("gamma", [TINY, 1e-300, 1e-10, 1.0])
def test_the_smallest_gamma_agrees_on_every_path(gamma):
    from _oracles import count_paths

    n, m = 4, 5
    value = -gamma * np.log(count_paths(n, m))
    x, y = np.zeros(n), np.zeros(m)
    assert sk.soft_dtw(x, y, gamma) == pytest.approx(value, abs=1e-12 * gamma)
    E, v = sk.soft_dtw_alignment(x, y, gamma)
    np.testing.assert_allclose(E, _paths_through(n, m), rtol=1e-12)
    np.testing.assert_allclose(sk.soft_dtw_alignment_from_cost(np.zeros((n, m)), gamma)[0], E, rtol=1e-12)
    assert np.array_equal(sk.soft_dtw_value_and_grad(x, y, gamma)[1], np.zeros(n))
    # one pair by rows, pairs in lanes, and a full matrix of pairs
    for values in (sk.soft_dtw_batch(x[None], y[None], gamma),
                   sk.soft_dtw_batch(np.zeros((40, n)), np.zeros((40, m)), gamma),
                   sk.soft_dtw_batch(np.zeros((40, n)), np.zeros((40, m)), gamma,
                                     return_grad="x")[0],
                   sk.cdist_soft_dtw(np.zeros((12, n)), np.zeros((12, m)), gamma).ravel()):
        np.testing.assert_allclose(values, value, rtol=1e-12, atol=0)
    for fit in (sk.SoftDTWBarycenter(gamma).fit(ZEROS + 1.0).barycenter_,
                sk.SoftDTWKMeans(1, gamma=gamma).fit(ZEROS + 1.0).cluster_centers_[0]):
        np.testing.assert_allclose(fit, 1.0, rtol=1e-12)


# --------------------------------------------------------------------------
# Large gamma: single-path pairs exact, an error bound for the others
# --------------------------------------------------------------------------
LARGE_GAMMAS = [1.0, 1e10, 1e15, 1e20, 1e300]


def _path_cost(x, y, path):
    from _oracles import as_2d

    x, y = as_2d(x), as_2d(y)
    return math.fsum(float(np.sum((x[i] - y[j]) ** 2)) for i, j in path)


@pytest.mark.parametrize("gamma", LARGE_GAMMAS)
def test_single_alignment_is_exact_at_any_gamma(gamma):
    assert sk.soft_dtw([1.0], [0.0, 0.0, 0.0], gamma) == 3.0  # the example
    rng = np.random.default_rng(3)
    cases = [(rng.standard_normal(1), rng.standard_normal(6), None),
             (rng.standard_normal((5, 2)), rng.standard_normal((1, 2)), 2),
             (rng.standard_normal(4), rng.standard_normal(4), 0)]
    for x, y, radius in cases:
        path = [(i, i) for i in range(len(x))] if len(x) == len(y) else \
            [(i, j) for i in range(len(x)) for j in range(len(y))]
        cost = _path_cost(x, y, path)
        E = np.zeros((len(x), len(y)))
        E[tuple(np.transpose(path))] = 1.0
        grad_x = (2 * (E.sum(axis=1)[:, None] * np.reshape(x, (len(x), -1))
                       - E @ np.reshape(y, (len(y), -1)))).reshape(np.shape(x))
        kw = {"sakoe_chiba_radius": radius}
        assert sk.soft_dtw(x, y, gamma, **kw) == pytest.approx(cost, rel=1e-15)
        value, grad = sk.soft_dtw_value_and_grad(x, y, gamma, **kw)
        assert value == pytest.approx(cost, rel=1e-15)
        np.testing.assert_allclose(grad, grad_x, rtol=1e-14, atol=1e-14)
        E_got, value = sk.soft_dtw_alignment(x, y, gamma, **kw)
        assert np.array_equal(E_got, E) and value == pytest.approx(cost, rel=1e-15)
        E_got, value = sk.soft_dtw_alignment_from_cost(sq_euclidean_cost(x, y), gamma, **kw)
        assert np.array_equal(E_got, E) and value == pytest.approx(cost, rel=1e-15)
        # in a batch and a matrix, beside pairs with many alignments
        X = [x, rng.standard_normal((3,) + np.shape(x)[1:])] * 20
        Y = [y, rng.standard_normal((4,) + np.shape(y)[1:])] * 20
        values, gX = sk.soft_dtw_batch(X, Y, gamma, return_grad="x", **kw)
        np.testing.assert_allclose(values[::2], cost, rtol=1e-15)
        for g in gX[::2]:
            np.testing.assert_allclose(g, grad_x, rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(sk.soft_dtw_batch(X, Y, gamma, **kw)[::2], cost, rtol=1e-15)
        np.testing.assert_allclose(sk.cdist_soft_dtw(X[:4], Y[:4], gamma, **kw)[::2, ::2],
                                   cost, rtol=1e-15)


@pytest.mark.parametrize("seed", range(12))
def test_error_bound_at_any_gamma_against_a_40_digit_recursion(seed):
    """|error| <= (n + m)^2 eps (gamma + max cost): the bound stated in doc/gamma.rst."""
    mpmath = pytest.importorskip("mpmath")
    from _oracles import mp_soft_dtw

    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 70 if seed % 3 == 0 else 8, 2)
    d = int(rng.integers(1, 3))
    x, y = (10.0 ** rng.integers(-2, 3) * rng.standard_normal((k, d)) for k in (n, m))
    D = sq_euclidean_cost(x, y)
    radius = None if seed % 4 else int(rng.integers(0, 3))
    for gamma in (1e-3 * D.mean(), D.mean(), 1e3 * D.mean(), 1e8, 1e15, 1e20):
        exact = mp_soft_dtw(D, gamma, radius, dps=40)
        bound = (n + m) ** 2 * np.finfo(np.float64).eps * (gamma + D.max())
        kw = {"sakoe_chiba_radius": radius}
        for got in (sk.soft_dtw(x, y, gamma, **kw),
                    sk.soft_dtw_value_and_grad(x, y, gamma, **kw)[0],
                    sk.soft_dtw_alignment_from_cost(D, gamma, **kw)[1],
                    sk.cdist_soft_dtw(np.stack([x] * 20), y[None], gamma, **kw)[7, 0]):
            assert abs(mpmath.mpf(got) - exact) <= bound, (gamma, got, exact)


# --------------------------------------------------------------------------
# Channels-first data: a warning that says what to do, and the conversion
# --------------------------------------------------------------------------
AEON = np.random.default_rng(5).standard_normal((4, 3, 40))  # 4 cases, 3 channels, 40 steps


@pytest.mark.parametrize("call", [
    lambda: sk.cdist_soft_dtw(AEON),
    lambda: sk.cdist_dtw(AEON[:2], AEON[2:]),
    lambda: sk.soft_dtw_batch(AEON, AEON),
    lambda: sk.soft_dtw(AEON[0], AEON[1]),
    lambda: sk.soft_dtw_alignment(AEON[0], AEON[1]),
    lambda: sk.cdist_soft_dtw(list(AEON[:, :, :30]) + [AEON[0]]),
    lambda: sk.cdist_soft_dtw(AEON[:, :1]),  # univariate aeon data: (n, 1, n_timepoints)
    lambda: sk.SoftDTWBarycenter(max_iter=2).fit(AEON),
    lambda: sk.SoftDTWKMeans(2, max_iter=2).fit(AEON),
    lambda: TimeSeriesScalerMeanVariance().fit_transform(AEON),
])
def test_channels_first_shapes_warn_with_the_fix(call):
    with pytest.warns(DataLayoutWarning, match=r"from_channels_first\(") as record:
        try:
            call()
        except ValueError:  # some estimators need more series: the warning came first
            pass
    assert "channels-first" in str(record[0].message)


@pytest.mark.parametrize("shape", [(4, 40, 3), (4, 22, 200), (4, 1, 10), (4, 7), (3, 1000)])
def test_plausible_layouts_do_not_warn(shape):
    X = np.random.default_rng(0).standard_normal(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataLayoutWarning)
        sk.cdist_dtw(X)
        sk.soft_dtw(X[0], X[-1])
        sk.soft_dtw_alignment_from_cost(np.ones((2, 50)))  # a cost matrix is not a series


def test_from_channels_first_is_the_transpose():
    got = from_channels_first(AEON)
    assert got.shape == (4, 40, 3)
    for k in range(4):
        np.testing.assert_array_equal(got[k], AEON[k].T)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataLayoutWarning)
        np.testing.assert_allclose(sk.cdist_dtw(got)[0, 1], dtw_xy(AEON[0].T, AEON[1].T),
                                   rtol=1e-12)
    ragged = from_channels_first([AEON[0][:, :10], AEON[1]])
    assert [s.shape for s in ragged] == [(10, 3), (40, 3)]
    assert from_channels_first(AEON[0]).shape == (40, 3)
    with pytest.raises(ValueError, match="channels-first"):
        from_channels_first(np.zeros(5))


@pytest.mark.parametrize("call", [
    lambda g: sk.soft_dtw(np.zeros(4), np.ones(5), g),
    lambda g: sk.soft_dtw_value_and_grad(np.zeros(4), np.ones(5), g),
    lambda g: sk.soft_dtw_alignment(np.zeros(4), np.ones(5), g),
    lambda g: sk.soft_dtw_from_cost(np.ones((4, 5)), g),
    lambda g: sk.soft_dtw_divergence(np.zeros(4), np.ones(5), g),
    lambda g: sk.cdist_soft_dtw(np.zeros((20, 4)), np.ones((1, 5)), g),
    lambda g: sk.soft_dtw_batch(np.zeros((20, 4)), np.ones((20, 5)), g, return_grad="x"),
])
def test_gamma_whose_value_overflows_is_rejected(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"^gamma=1e\+308 is too large"):
            call(1e308)
        out = call(1e300)  # -1e300 log(number of alignments): finite
    assert all(np.isfinite(a).all() for a in (out if isinstance(out, tuple) else (out,)))
    assert sk.soft_dtw([1.0], [0.0, 2.0], 1.7e308) == 2.0  # one alignment: no overflow


@pytest.mark.parametrize("gamma", [0.0, 1.0])
def test_barycenter_of_data_whose_squares_underflow(gamma):
    """The standardized objective divides by the data's scale twice, never by its square."""
    X = np.array([[1.0, 0.0], [2.0, 1.0]])
    got = sk.SoftDTWBarycenter(gamma).fit(1e-160 * X).barycenter_
    assert np.isfinite(got).all()
    if gamma == 0:  # scale-free: the barycenter of the data at scale 1, scaled
        np.testing.assert_allclose(got / 1e-160, sk.SoftDTWBarycenter(0.0).fit(X).barycenter_,
                                   rtol=1e-6)

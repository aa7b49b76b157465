"""The BLAS thread limit of the estimators' fits, with fits in several Python threads.

BLAS thread counts are process-wide: a fit that limits BLAS to one thread must
restore the count the process had, even when other threads fit at the same time.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import sksoftdtw


def blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_fits_in_several_threads_restore_the_blas_threads():
    root = str(Path(sksoftdtw.__file__).resolve().parents[1])
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    script = Path(__file__).with_name("_concurrent_fits.py")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.splitlines()[-1])
    if not out["start"] or min(out["start"]) < 2:
        pytest.skip(f"BLAS runs {out['start']} threads here: nothing to limit")
    for fit in ("kmeans", "mlp"):
        # Fits in other threads leave the process-wide count alone...
        report = out[fit]
        assert report["errors"] == []
        assert report["seen"] == {"a": out["start"], "b": out["start"]}, report
        assert report["after"] == out["start"], fit
        # ...and one in the main thread limits it while it runs, then restores it.
        report = out[f"{fit}_main"]
        assert report["errors"] == []
        assert set(report["seen"]["a"]) == {1}, report
        assert report["after"] == out["start"], fit
    assert out["many"]["errors"] == []
    assert out["many"]["after"] == out["start"]


def test_nested_blocks_and_errors_restore_the_blas_threads():
    from sksoftdtw.utils._threads import single_threaded_blas

    if not blas_threads():
        pytest.skip("no BLAS library seen by threadpoolctl")
    with threadpool_limits(limits=2, user_api="blas"):
        with single_threaded_blas():
            with single_threaded_blas():
                assert set(blas_threads()) == {1}
            assert set(blas_threads()) == {1}  # the outer block still runs
        assert set(blas_threads()) == {2}
        with pytest.raises(RuntimeError):
            with single_threaded_blas():
                raise RuntimeError
        assert set(blas_threads()) == {2}

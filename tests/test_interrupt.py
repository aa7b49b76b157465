"""Ctrl-C stops every long kernel call, and the process goes on afterwards.

Each case starts one call in a child Python, sized so that it would run for
10 s or more on one thread, sends SIGINT once the call has started, and checks
that the call raised KeyboardInterrupt within a second or two of the signal;
then, in the same process, that a small call of the same entry point gives the
value of an independent oracle (no workspace was left corrupted) and that no
thread was left behind.
"""
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from _oracles import divergence_xy, dtw_xy, sdtw_xy

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32",
                                reason="needs POSIX signals")

# Seconds between the start of the call and the signal, and the longest the
# call may then take to stop (the kernels check every few milliseconds; the
# margin is for a loaded machine).
DELAY = 0.5
LATENCY = 2.0

SMALL_X = [[0.0, 1.0, 2.0, 1.5], [1.0, -1.0, 0.5, 0.0], [2.0, 0.0, 1.0, 3.0]]
SMALL_Y = [[0.5, 2.0, 1.0, 0.0], [-1.0, 1.0, 0.0, 2.0]]

CHILD = """
import json, os, sys, time
import numpy as np
from sksoftdtw import *
from sksoftdtw.neighbors import KNeighborsTimeSeriesClassifier

N_JOBS = {n_jobs}
SX, SY = np.array({small_x}), np.array({small_y})
rng = np.random.default_rng(0)


def threads():
    return len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 0


for name, setup, call, small in {cases}:
    os.environ.pop("SKSOFTDTW_STRATEGY", None)
    first = eval(small)
    before = threads()
    exec(setup)
    print("ready", flush=True)
    try:
        exec(call)
        stopped = None
    except KeyboardInterrupt:
        stopped = time.monotonic()
    again = eval(small)
    print(json.dumps(dict(name=name, stopped=stopped, first=np.asarray(first).tolist(),
                          again=np.asarray(again).tolist(), threads_before=before,
                          threads_after=threads())), flush=True)
"""


class _Lines:
    """Lines of a child's output, each awaited at most ``timeout`` seconds."""

    def __init__(self, child):
        self.child, self.buffer = child, b""

    def next(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.child.stdout], [], [], left)[0]:
                raise TimeoutError(f"no line from the child in {timeout} s")
            chunk = os.read(self.child.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError(self.child.stderr.read().decode())
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


SX, SY = np.array(SMALL_X), np.array(SMALL_Y)


def _matrix(f):
    return [[f(a, b) for b in SY] for a in SX]


def _pairs(f):
    return [f(SX[k], SY[k]) for k in (0, 1)]


def _sdtw(a, b):
    return sdtw_xy(a, b, 1.0)


# name: (setup, long call, small call, oracle of the small call); every long
# call would take 10 s or more on one thread.
CASES = {
    "cdist_soft_dtw": (
        "X = rng.standard_normal((400, 2000))",
        "cdist_soft_dtw(X, gamma=1.0, n_jobs=N_JOBS)",
        "cdist_soft_dtw(SX, SY, gamma=1.0, n_jobs=N_JOBS)",
        lambda: _matrix(_sdtw),
    ),
    "cdist_soft_dtw_rows": (  # one pair at a time, row by row
        "os.environ['SKSOFTDTW_STRATEGY'] = 'rows'; X = rng.standard_normal((300, 2000))",
        "cdist_soft_dtw(X, gamma=1.0, n_jobs=N_JOBS)",
        "cdist_soft_dtw(SX, SY, gamma=1.0, n_jobs=N_JOBS)",
        lambda: _matrix(_sdtw),
    ),
    "cdist_dtw": (
        "X = rng.standard_normal((400, 2000))",
        "cdist_dtw(X, n_jobs=N_JOBS)",
        "cdist_dtw(SX, SY, n_jobs=N_JOBS)",
        lambda: _matrix(dtw_xy),
    ),
    "cdist_soft_dtw_divergence": (
        "X, Y = rng.standard_normal((200, 2000)), rng.standard_normal((200, 2000))",
        "cdist_soft_dtw_divergence(X, Y, gamma=1.0, n_jobs=N_JOBS)",
        "cdist_soft_dtw_divergence(SX, SY, gamma=1.0, n_jobs=N_JOBS)",
        lambda: _matrix(lambda a, b: divergence_xy(a, b, 1.0)),
    ),
    "soft_dtw_long_pair": (  # anti-diagonals
        "x, y = rng.standard_normal(150_000), rng.standard_normal(150_000)",
        "soft_dtw(x, y, gamma=1.0)",
        "[soft_dtw(SX[0], SY[0], gamma=1.0)]",
        lambda: [_sdtw(SX[0], SY[0])],
    ),
    "soft_dtw_long_pair_rows": (
        "os.environ['SKSOFTDTW_STRATEGY'] = 'rows/log'; "
        "x, y = rng.standard_normal(100_000), rng.standard_normal(100_000)",
        "soft_dtw(x, y, gamma=1.0)",
        "[soft_dtw(SX[0], SY[0], gamma=1.0)]",
        lambda: [_sdtw(SX[0], SY[0])],
    ),
    "soft_dtw_value_and_grad": (  # rows with checkpoints
        "x, y = rng.standard_normal(25_000), rng.standard_normal(25_000)",
        "soft_dtw_value_and_grad(x, y, gamma=1.0)",
        "[soft_dtw_value_and_grad(SX[0], SY[0], gamma=1.0)[0]]",
        lambda: [_sdtw(SX[0], SY[0])],
    ),
    "soft_dtw_batch": (  # lanes
        "X, Y = rng.standard_normal((5000, 2000)), rng.standard_normal((5000, 2000))",
        "soft_dtw_batch(X, Y, gamma=1.0, n_jobs=N_JOBS)",
        "soft_dtw_batch(SX[:2], SY, gamma=1.0, n_jobs=N_JOBS)",
        lambda: _pairs(_sdtw),
    ),
    "soft_dtw_batch_grad_lanes": (
        "X, Y = rng.standard_normal((8000, 700)), rng.standard_normal((8000, 700))",
        "soft_dtw_batch(X, Y, gamma=1.0, return_grad='x', n_jobs=N_JOBS)",
        "soft_dtw_batch(SX[:2], SY, gamma=1.0, return_grad='x', n_jobs=N_JOBS)[0]",
        lambda: _pairs(_sdtw),
    ),
    "soft_dtw_batch_grad_antidiagonals": (
        "X, Y = rng.standard_normal((400, 2000)), rng.standard_normal((400, 2000))",
        "soft_dtw_batch(X, Y, gamma=1.0, return_grad='x', n_jobs=N_JOBS)",
        "soft_dtw_batch(SX[:2], SY, gamma=1.0, return_grad='x', n_jobs=N_JOBS)[0]",
        lambda: _pairs(_sdtw),
    ),
    "soft_dtw_batch_from_cost": (  # log domain (one huge cost); the zeros take no memory
        "D = np.zeros((2, 6000, 6000)); D[:, 0, 0] = 1e12",
        "soft_dtw_batch_from_cost(D, gamma=1e-3, return_alignment=True, n_jobs=N_JOBS)",
        "soft_dtw_batch_from_cost(np.stack([(SX[k][:, None] - SY[k]) ** 2 for k in (0, 1)]), "
        "gamma=1.0, n_jobs=N_JOBS)",
        lambda: _pairs(_sdtw),
    ),
    "kneighbors_dtw": (  # white noise: the lower bounds prune little
        "X = rng.standard_normal((2000, 1000)); "
        "knn = KNeighborsTimeSeriesClassifier(n_neighbors=1, n_jobs=N_JOBS)"
        ".fit(X, np.arange(2000) % 2)",
        "knn.kneighbors(rng.standard_normal((200, 1000)))",
        "KNeighborsTimeSeriesClassifier(n_neighbors=2, n_jobs=N_JOBS).fit(SY, [0, 1])"
        ".kneighbors(SX)[0]",
        lambda: np.sort(_matrix(dtw_xy), axis=1),
    ),
}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ctrl_c_stops_every_long_call_and_the_process_goes_on(n_jobs):
    # one child runs every case in turn, to pay for its imports once
    cases = [(name, *CASES[name][:3]) for name in CASES]
    code = textwrap.dedent(CHILD).format(n_jobs=n_jobs, small_x=SMALL_X, small_y=SMALL_Y,
                                         cases=cases)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    lines = _Lines(child)
    results = {}
    try:
        for name in CASES:
            assert lines.next(120) == "ready"
            time.sleep(DELAY)
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            results[name] = json.loads(lines.next(60))
            results[name]["sent"] = sent
    finally:
        child.kill()
        child.wait()
    for name, result in results.items():
        assert result["name"] == name
        assert result["stopped"] is not None, f"{name}: the call was not interrupted"
        latency = result["stopped"] - result["sent"]
        assert latency < LATENCY, f"{name}: KeyboardInterrupt {latency:.2f} s after the signal"
        np.testing.assert_allclose(result["again"], result["first"], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(result["again"], CASES[name][3](), rtol=1e-9, err_msg=name)
        # OpenMP keeps the pool of threads that the first small call started
        assert result["threads_after"] <= result["threads_before"], name

"""Speed and memory of 1-NN classification under DTW with a Sakoe-Chiba band.

``ucr`` mode: on UCR datasets, one thread, the radius ``int(band * sz)``
(10% by default, aeon's ``window=0.1``), times of fit + predict of

- ``ours``: :class:`sksoftdtw.neighbors.KNeighborsTimeSeriesClassifier`, the
  pruned exact search;
- ``brute``: our full matrix, ``cdist_dtw`` + argmin (the brute force the
  search must equal: its predictions are checked identical);
- ``tslearn``: ``KNeighborsTimeSeriesClassifier(metric="dtw")`` with the same
  Sakoe-Chiba radius (tslearn's DTW is the square root of ours: same order);
- ``aeon``: ``KNeighborsTimeSeriesClassifier(distance="dtw",
  distance_params={"window": band})``, run by ``--aeon-python`` (a Python
  with aeon installed, e.g. a virtual environment) in a subprocess that
  warms numba up before timing.

The methods alternate within each of ``--repeat`` rounds; the table gives
median times and the medians of the per-round ratios ``peer / ours``.

``large`` mode: 1-NN of ``--n-test`` against ``--n-train`` z-normalised
random walks of length ``--length``; prints the time and the peak resident
memory of the process (``ru_maxrss``, imports included).

Usage::

    python benchmarks/bench_neighbors.py ucr --data-dir DIR
        [--datasets Strawberry,FiftyWords,Computers] [--band 0.1] [--repeat 3]
        [--peers brute,tslearn,aeon] [--aeon-python /path/to/python]
    python benchmarks/bench_neighbors.py large [--n-train 20000] [--n-test 20000]
        [--length 128] [--band 0.1] [--n-jobs 1]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from threadpoolctl import threadpool_limits

from sksoftdtw import cdist_dtw
from sksoftdtw.datasets import load_ucr
from sksoftdtw.neighbors import KNeighborsTimeSeriesClassifier

# Run by the aeon interpreter: warm numba up, then time one fit + predict.
AEON_SCRIPT = """
import json, sys, time
import numpy as np
from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier
data = np.load(sys.argv[1])
band = float(sys.argv[2])
def make():
    return KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw",
                                          distance_params={"window": band}, n_jobs=1)
make().fit(data["X_train"], data["y_train"]).predict(data["X_test"][:2])
t0 = time.perf_counter()
pred = make().fit(data["X_train"], data["y_train"]).predict(data["X_test"])
print(json.dumps({"time": time.perf_counter() - t0, "pred": pred.tolist()}))
"""


def _ours(X_train, y_train, X_test, radius):
    clf = KNeighborsTimeSeriesClassifier(n_neighbors=1, sakoe_chiba_radius=radius)
    return clf.fit(X_train, y_train).predict(X_test)


def _brute(X_train, y_train, X_test, radius):
    return y_train[cdist_dtw(X_test, X_train, sakoe_chiba_radius=radius).argmin(axis=1)]


def _tslearn(X_train, y_train, X_test, radius):
    from tslearn.neighbors import KNeighborsTimeSeriesClassifier as TSLearnKNN

    clf = TSLearnKNN(n_neighbors=1, metric="dtw",
                     metric_params={"global_constraint": "sakoe_chiba",
                                    "sakoe_chiba_radius": radius})
    return clf.fit(X_train, y_train).predict(X_test)


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, np.asarray(out)


def _aeon_runner(python, X_train, y_train, X_test, band):
    """A function timing aeon in a subprocess on these data (a file they share)."""
    path = os.path.join(tempfile.mkdtemp(), "data.npz")
    # aeon takes (n_cases, n_channels, n_timepoints)
    np.savez(path, X_train=X_train.transpose(0, 2, 1), y_train=y_train,
             X_test=X_test.transpose(0, 2, 1))

    def run():
        out = subprocess.run([python, "-c", AEON_SCRIPT, path, str(band)], check=True,
                             capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        return result["time"], np.asarray(result["pred"], dtype=y_train.dtype)
    return run


def bench_ucr(data_dir, datasets, band, repeat, peers, aeon_python):
    rows = []
    for name in datasets:
        X_train, y_train, X_test, y_test = load_ucr(name, data_dir)
        radius = int(band * X_train.shape[1])
        runners = {"ours": lambda: _timed(_ours, X_train, y_train, X_test, radius)}
        if "brute" in peers:
            runners["brute"] = lambda: _timed(_brute, X_train, y_train, X_test, radius)
        if "tslearn" in peers:
            _tslearn(X_train, y_train, X_test[:2], radius)  # numba warm-up
            runners["tslearn"] = lambda: _timed(_tslearn, X_train, y_train, X_test, radius)
        if "aeon" in peers:
            runners["aeon"] = _aeon_runner(aeon_python, X_train, y_train, X_test, band)
        times = {key: [] for key in runners}
        preds = {}
        for _ in range(repeat):
            for key, run in runners.items():
                t, preds[key] = run()
                times[key].append(t)
        ours = np.array(times["ours"])
        row = {"dataset": name, "n_train": len(X_train), "n_test": len(X_test),
               "sz": X_train.shape[1], "radius": radius,
               "ours_s": float(np.median(ours)),
               "acc_ours": float(np.mean(preds["ours"] == y_test))}
        for key in runners:
            if key == "ours":
                continue
            row[f"{key}_s"] = float(np.median(times[key]))
            row[f"{key}/ours"] = float(np.median(np.array(times[key]) / ours))
            row[f"acc_{key}"] = float(np.mean(preds[key] == y_test))
        if "brute" in preds:
            row["identical_to_brute"] = bool(np.array_equal(preds["ours"], preds["brute"]))
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def _random_walks(n, length, rng):
    X = np.cumsum(rng.randn(n, length), axis=1)
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


def bench_large(n_train, n_test, length, band, n_jobs, seed=0):
    rng = np.random.RandomState(seed)
    X_train, X_test = _random_walks(n_train, length, rng), _random_walks(n_test, length, rng)
    y_train = rng.randint(0, 2, n_train)
    radius = int(band * length)
    t0 = time.perf_counter()
    clf = KNeighborsTimeSeriesClassifier(n_neighbors=1, sakoe_chiba_radius=radius,
                                         n_jobs=n_jobs).fit(X_train, y_train)
    dist, _ = clf.kneighbors(X_test)
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = {"n_train": n_train, "n_test": n_test, "length": length, "radius": radius,
           "n_jobs": n_jobs, "time_s": elapsed, "peak_rss_mb": peak_mb,
           "mean_nn_dtw": float(dist.mean())}
    print(json.dumps(row), flush=True)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    ucr = sub.add_parser("ucr")
    ucr.add_argument("--data-dir", required=True)
    ucr.add_argument("--datasets", default="Strawberry,FiftyWords,Computers")
    ucr.add_argument("--band", type=float, default=0.1)
    ucr.add_argument("--repeat", type=int, default=3)
    ucr.add_argument("--peers", default="brute,tslearn,aeon")
    ucr.add_argument("--aeon-python", default=sys.executable)
    large = sub.add_parser("large")
    large.add_argument("--n-train", type=int, default=20000)
    large.add_argument("--n-test", type=int, default=20000)
    large.add_argument("--length", type=int, default=128)
    large.add_argument("--band", type=float, default=0.1)
    large.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    with threadpool_limits(limits=1):
        if args.mode == "ucr":
            bench_ucr(args.data_dir, args.datasets.split(","), args.band, args.repeat,
                      args.peers.split(","), args.aeon_python)
        else:
            bench_large(args.n_train, args.n_test, args.length, args.band, args.n_jobs)


if __name__ == "__main__":
    main()

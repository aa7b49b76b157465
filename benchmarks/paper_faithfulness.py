"""Is our soft-DTW barycenter the paper's? The same start, tslearn's barycenter, the DTW loss.

For every dataset and seed, the series of Table 1's protocol
(:mod:`sksoftdtw.experiments.barycenter`: one class drawn at random, 10 of
its series) are averaged from their Euclidean mean by
:func:`sksoftdtw.barycenters.softdtw_barycenter` and by tslearn's ``softdtw_barycenter``
(the authors' method: L-BFGS on the soft-DTW objective), each with at most
``--max-iter`` L-BFGS iterations and no early stop of its own making (our
``tol=0``; tslearn's ``tol`` set to 1e-9). Both are scored by the DTW loss of
the experiment (the mean of DTW(barycenter, x) / len(x)). The summary counts
the datasets where the two losses, averaged over the seeds, agree within
``--rtol`` (relative), and where ours is the lower. Usage::

    python benchmarks/paper_faithfulness.py DATA_DIR [--datasets A,B] [--seeds 1]
        [--gamma 0.01 0.001] [--max-iter 100] [--rtol 0.01] [--out faithfulness.csv]
    python benchmarks/paper_faithfulness.py --from-csv faithfulness.csv

Datasets run from the shortest series up, so that an interrupted run has
covered the most datasets; the CSV is rewritten after every dataset.
"""
import time
from collections import defaultdict

import numpy as np

import _protocol

FIELDS = ("dataset", "seed", "gamma", "length", "ours", "tslearn", "ours_s", "tslearn_s")


def run(data_dir, datasets, seeds, gammas, max_iter, out):
    from tslearn.barycenters import softdtw_barycenter as tslearn_barycenter

    from sksoftdtw import softdtw_barycenter
    from sksoftdtw.experiments.barycenter import _dtw_loss

    rows = []
    for name, Xs in _protocol.draws(data_dir, datasets, seeds):
        for seed, X in enumerate(Xs):
            init = X.mean(axis=0)
            for gamma in gammas:
                start = time.perf_counter()
                ours = softdtw_barycenter(X, gamma, init=init, max_iter=max_iter, tol=0.0)
                middle = time.perf_counter()
                theirs = tslearn_barycenter(X, gamma=gamma, init=init, max_iter=max_iter,
                                            tol=1e-9)
                end = time.perf_counter()
                rows.append({"dataset": name, "seed": seed, "gamma": gamma,
                             "length": X.shape[1], "ours": _dtw_loss(ours, X),
                             "tslearn": _dtw_loss(np.reshape(theirs, ours.shape), X),
                             "ours_s": round(middle - start, 3),
                             "tslearn_s": round(end - middle, 3)})
        _protocol.write(rows, out, FIELDS)
        print(f"{name}: done", flush=True)
    return rows


def summarize(rows, rtol):
    """Per gamma: datasets, agreements within rtol, ours lower; seeds averaged."""
    losses = defaultdict(lambda: defaultdict(list))
    for r in rows:
        losses[float(r["gamma"])][r["dataset"]].append((float(r["ours"]), float(r["tslearn"])))
    lines = [f"DTW loss of our soft-DTW barycenter against tslearn's, the same start "
             f"(agreement: relative difference <= {rtol:g})"]
    for gamma in sorted(losses, reverse=True):
        means = [np.mean(v, axis=0) for v in losses[gamma].values()]
        diffs = [(o - t) / t for o, t in means]
        n = len(means)
        agree = sum(abs(d) <= rtol for d in diffs)
        lower = sum(d < 0 for d in diffs)
        lines.append(f"gamma {gamma:g}: agree on {agree} of {n} datasets, ours lower on "
                     f"{lower} of {n}; relative difference median {np.median(diffs):+.2e}, "
                     f"range [{min(diffs):+.2e}, {max(diffs):+.2e}]")
    return "\n".join(lines)


def main(argv=None):
    p = _protocol.parser(__doc__, seeds=1, out="faithfulness.csv")
    p.add_argument("--gamma", dest="gammas", type=float, nargs="+", default=[0.01, 0.001])
    p.add_argument("--rtol", type=float, default=0.01)
    args = p.parse_args(argv)
    print(summarize(_protocol.rows(p, args, lambda: run(
        args.data_dir, args.datasets, args.seeds, args.gammas, args.max_iter, args.out)),
        args.rtol))


if __name__ == "__main__":
    main()

"""Which continuation schedule? Rules for the first stages, on Table 1's protocol.

For every dataset and seed, the series of Table 1's protocol
(:mod:`sksoftdtw.experiments.barycenter`: one class drawn at random, 10 of
its series) are averaged from their Euclidean mean at gamma = ``--gamma`` by
the plain soft-DTW barycenter, by DBA and by the continuation under each of
these rules (``s2`` is the data's variance, ``n`` the series' length):

- ``auto``: ``gamma_schedule="auto"``, stages s2, s2/10, ... (the default);
- ``start/10``: the same stages from s2/10;
- ``length``: the same stages from s2 min(1, 100/n);
- ``misfit``: the same stages from the start's DTW loss (the mean over the
  series of DTW(start, x) / len(x)) instead of s2;
- ``divergence``: the stages of ``auto``, the earlier ones on the soft-DTW
  divergence (which has no entropic shrinkage) instead of soft-DTW;
- ``tight``: the stages of ``auto``, the earlier ones to the tolerance of the
  last (1e-3) instead of 3e-2;
- ``accept``: the stages of ``auto``, each earlier stage's barycenter kept
  only if the next stage's objective is lower there than at the stage's
  start (else the next stage starts from that start);
- ``race``: ``auto`` and the plain method, each for half of ``--max-iter``;
  the one of lower objective at gamma then goes on for the other half (a
  new L-BFGS run from its barycenter);
- ``guard``: the plain method, then ``auto``'s earlier stages and a last
  stage of as many iterations as the plain method took less those of the
  earlier stages, keeping the barycenter of lower objective at gamma.

Every last stage runs ``--max-iter`` L-BFGS iterations with ``tol=0``, as in
the experiment. The summary gives, per rule, the datasets where the loss
averaged over the seeds is below the plain method's and below DBA's (k of
n), the draws (dataset, seed) below the plain method, the median and mean
ratio of the averaged losses to the plain method's, the kernel calls
relative to the plain method (median and largest over datasets) and the
datasets lost to the plain method. Usage::

    python benchmarks/continuation_schedules.py DATA_DIR [--datasets A,B] [--seeds 10]
        [--rules auto start/10 length] [--out schedules.csv]
    python benchmarks/continuation_schedules.py --from-csv schedules.csv [more.csv ...]

The CSV is rewritten after every dataset.
"""
import time
from collections import defaultdict
from contextlib import contextmanager

import numpy as np

import _protocol

RULES = ("auto", "start/10", "length", "misfit", "divergence", "tight", "accept", "race",
         "guard")
FIELDS = ("dataset", "seed", "length", "method", "dtw_loss", "n_calls", "time_s")


@contextmanager
def _stage_tol(value):
    from sksoftdtw.barycenters import _softdtw

    saved, _softdtw._STAGE_TOL = _softdtw._STAGE_TOL, value
    try:
        yield
    finally:
        _softdtw._STAGE_TOL = saved


def _solve(X, gamma, rule, max_iter):
    """The continuation under `rule`: (barycenter, kernel calls)."""
    from sksoftdtw.barycenters._softdtw import (_STAGE_TOL, _stage_budgets, gamma_stages,
                                                solve_softdtw_barycenter)

    from sksoftdtw.barycenters._utils import _data_location_scale, _prepare

    common = dict(tol=0.0, warn=False, n_jobs=1)
    # s2 as the solver computes it for "auto"
    variance = float(np.mean(_data_location_scale(*_prepare(X, None))[1] ** 2))
    if rule == "race":
        half = dict(max_iter=max_iter // 2, **common)
        runs = [solve_softdtw_barycenter(X, gamma, gamma_schedule=s, **half)
                for s in (None, "auto")]
        best = min(runs, key=lambda r: r.loss)
        res = solve_softdtw_barycenter(X, gamma, init=best.barycenter,
                                       max_iter=max_iter - max_iter // 2, **common)
        return res.barycenter, res.n_calls + sum(r.n_calls for r in runs)
    if rule == "guard":
        plain = solve_softdtw_barycenter(X, gamma, max_iter=max_iter, **common)
        stages = gamma_stages("auto", gamma, variance)
        if len(stages) == 1:
            return plain.barycenter, plain.n_calls
        earlier = solve_softdtw_barycenter(
            X, stages[-2], gamma_schedule=stages[:-1], max_iter=max_iter,
            **{**common, "tol": _STAGE_TOL})
        last = solve_softdtw_barycenter(X, gamma, init=earlier.barycenter,
                                        max_iter=max(1, plain.n_iter - earlier.n_iter),
                                        **common)
        best = last if last.loss < plain.loss else plain
        return best.barycenter, plain.n_calls + earlier.n_calls + last.n_calls
    if rule in ("auto", "tight"):
        with _stage_tol(1e-3 if rule == "tight" else _STAGE_TOL):
            res = solve_softdtw_barycenter(X, gamma, gamma_schedule="auto",
                                           max_iter=max_iter, **common)
        return res.barycenter, res.n_calls
    if rule == "misfit":
        from sksoftdtw.experiments.barycenter import _dtw_loss

        scale = _dtw_loss(X.mean(axis=0), X, 1)
    else:
        scale = variance * {"start/10": 0.1, "length": min(1.0, 100 / X.shape[1]),
                            "divergence": 1.0, "accept": 1.0}[rule]
    stages = gamma_stages("auto", gamma, scale)
    if rule not in ("divergence", "accept"):
        res = solve_softdtw_barycenter(X, gamma, gamma_schedule=stages, max_iter=max_iter,
                                       **common)
        return res.barycenter, res.n_calls
    Z, calls = "euclidean", 0
    for k, (stage, budget) in enumerate(zip(stages, _stage_budgets(len(stages), max_iter))):
        last = k == len(stages) - 1
        res = solve_softdtw_barycenter(
            X, stage, init=Z, max_iter=budget,
            metric="divergence" if rule == "divergence" and not last else "softdtw",
            **{**common, "tol": 0.0 if last else _STAGE_TOL})
        calls += res.n_calls
        if rule == "accept" and not last:  # the stage's barycenter, or its start
            new, old = (solve_softdtw_barycenter(X, stages[k + 1], init=z, max_iter=0,
                                                 **common) for z in (res.barycenter, Z))
            calls += new.n_calls + old.n_calls
            res = new if new.loss <= old.loss else old
        Z = res.barycenter
    return Z, calls


def run(data_dir, datasets, seeds, gamma, rules, max_iter, out):
    from sksoftdtw.barycenters._dba import solve_dba
    from sksoftdtw.barycenters._softdtw import solve_softdtw_barycenter
    from sksoftdtw.experiments.barycenter import _dtw_loss

    rows = []
    for name, Xs in _protocol.draws(data_dir, datasets, seeds):
        for seed, X in enumerate(Xs):
            methods = {
                "plain": lambda: solve_softdtw_barycenter(X, gamma, tol=0.0, warn=False,
                                                          max_iter=max_iter, n_jobs=1),
                "dba": lambda: solve_dba(X, max_iter=max_iter, n_jobs=1, warn=False),
            }
            for method in ("plain", "dba") + tuple(rules):
                start = time.perf_counter()
                if method in methods:
                    res = methods[method]()
                    Z, calls = res.barycenter, res.n_calls
                else:
                    Z, calls = _solve(X, gamma, method, max_iter)
                rows.append({"dataset": name, "seed": seed, "length": X.shape[1],
                             "method": method, "dtw_loss": _dtw_loss(Z, X, 1),
                             "n_calls": calls,
                             "time_s": round(time.perf_counter() - start, 3)})
        _protocol.write(rows, out, FIELDS)
        print(f"{name}: done", flush=True)
    return rows


def _resampled_wins(rule_loss, plain_loss, names, n_draws=1000):
    """The datasets below the plain method when the seeds are drawn again with
    replacement (one draw for all the datasets): median and 95% interval."""
    seeds = sorted(plain_loss[names[0]])
    a, p = (np.array([[loss[n][s] for s in seeds] for n in names])
            for loss in (rule_loss, plain_loss))
    idx = np.random.default_rng(0).integers(0, len(seeds), (n_draws, len(seeds)))
    wins = (a[:, idx].mean(2) < p[:, idx].mean(2)).sum(0)
    return np.percentile(wins, [50, 2.5, 97.5])


def summarize(rows):
    """One line per rule: datasets won against the plain method and DBA, draws
    won, loss and kernel-call ratios, datasets lost. The count of datasets won
    is also given over the seeds drawn again with replacement: how much of it
    is the luck of the draws."""
    loss = defaultdict(lambda: defaultdict(dict))
    calls = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        loss[r["method"]][r["dataset"]][int(r["seed"])] = float(r["dtw_loss"])
        calls[r["method"]][r["dataset"]][int(r["seed"])] = float(r["n_calls"])
    plain, dba = loss["plain"], loss["dba"]
    names = sorted(plain)
    lines = [f"Continuation rules against the plain soft-DTW barycenter and DBA "
             f"({len(names)} datasets, losses averaged over the seeds)"]
    for rule in (m for m in loss if m not in ("plain", "dba")):
        mean = {n: np.mean(list(loss[rule][n].values())) for n in names}
        ratio = [mean[n] / np.mean(list(plain[n].values())) for n in names]
        call_ratio = [sum(calls[rule][n].values()) / sum(calls["plain"][n].values())
                      for n in names]
        draws = [(loss[rule][n][s], plain[n][s]) for n in names for s in plain[n]]
        lost = [n for n, q in zip(names, ratio) if q >= 1]
        median, low, high = _resampled_wins(loss[rule], plain, names)
        lines.append(
            f"{rule:>10}: below plain on {sum(q < 1 for q in ratio)} of {len(names)} "
            f"(seeds resampled: {median:.0f}, 95% {low:.0f}-{high:.0f}), "
            f"below DBA on {sum(mean[n] < np.mean(list(dba[n].values())) for n in names)} "
            f"of {len(names)}; draws below plain {sum(a < b for a, b in draws)} of "
            f"{len(draws)}; loss ratio median {np.median(ratio):.3f}, mean "
            f"{np.mean(ratio):.3f}; calls median {np.median(call_ratio):.2f}, largest "
            f"{max(call_ratio):.2f}; lost: {', '.join(lost) or 'none'}")
    return "\n".join(lines)


def main(argv=None):
    p = _protocol.parser(__doc__, seeds=10, out="schedules.csv")
    p.add_argument("--gamma", type=float, default=0.001)
    p.add_argument("--rules", nargs="+", choices=RULES, default=list(RULES))
    args = p.parse_args(argv)
    print(summarize(_protocol.rows(p, args, lambda: run(
        args.data_dir, args.datasets, args.seeds, args.gamma, args.rules, args.max_iter,
        args.out))))


if __name__ == "__main__":
    main()

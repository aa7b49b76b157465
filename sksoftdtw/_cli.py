"""Command-line interface: ``sksoftdtw <command> [options]``."""
import argparse
import sys
import time

import numpy as np


def _demo(args):
    from .datasets import load_dataset
    from .metrics import cdist_dtw, cdist_soft_dtw_divergence

    X_train, y_train, X_test, y_test = load_dataset(args.dataset)
    print(f"{args.dataset}: {len(X_train)} training and {len(X_test)} test series "
          f"of length {X_train.shape[1]}")
    t0 = time.perf_counter()
    results = {
        "Euclidean": ((X_test[:, None] - X_train[None]) ** 2).sum(axis=(2, 3)),
        "DTW": cdist_dtw(X_test, X_train, n_jobs=args.n_jobs),
    }
    for gamma in args.gamma:
        results[f"soft-DTW divergence, gamma={gamma:g}"] = cdist_soft_dtw_divergence(
            X_test, X_train, gamma=gamma, n_jobs=args.n_jobs)
    elapsed = time.perf_counter() - t0
    print("1-nearest-neighbour test accuracy:")
    for name, D in results.items():
        accuracy = np.mean(y_train[D.argmin(axis=1)] == y_test)
        print(f"  {name:<34} {accuracy:.3f}")
    print(f"({elapsed:.2f} s for {len(results) - 1} pairwise matrices)")
    return 0


def _parser():
    parser = argparse.ArgumentParser(
        prog="sksoftdtw", description="Soft-DTW: values, gradients, barycenters, k-means.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run a short demonstration on a bundled UCR dataset")
    demo.add_argument("--dataset", default="GunPoint",
                      help="bundled dataset name (default: GunPoint)")
    demo.add_argument("--gamma", type=float, nargs="+", default=[1.0, 0.1],
                      help="smoothing parameters (default: 1.0 0.1)")
    demo.add_argument("--n-jobs", type=int, default=-1, help="threads (default: all cores)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"sksoftdtw {args.command}: error: {exc}", file=sys.stderr)
        return 2
